import PipelineCore

/// The writing operations on stages and teams every engine shares.
extension StoreWriter {
    /// Adds a stage to `team`'s pipeline at a 1-based `position` (else at the end).
    ///
    /// - Returns: the stored stage and, when a pipeline now has more than six stages, the
    ///   guide's readability hint. The stage is added anyway.
    public func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?) {
        let catalog = try catalog()
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        let addition = try catalog.addition(of: draft, in: owner, at: position)
        try access().refusalToChangeStage(addition.stage, of: owner, allTeams: catalog.teams).enforce()
        // Leave a hole in the order for the new stage.
        try storeSortOrders(catalog.stages.enumerated().map { index, stage in
            (stage.id, index + (index >= addition.globalIndex ? 2 : 1))
        })
        var stage = addition.stage
        stage.sortOrder = addition.globalIndex + 1
        stage.id = try insertStage(stage, externalID: nil)
        return (stage, addition.hint)
    }

    /// Changes a stage's settings. A new probability reaches the opportunities in the stage
    /// whose probability follows it (never hand-set ones, never archived ones); a stage that
    /// becomes won or lost imposes 100 % or 0 % on all its active opportunities.
    ///
    /// - Parameter expectedVersion: the version the caller loaded; a newer one in the
    ///   database means someone else changed the stage, and the edit is refused.
    public func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int? = nil, context: ChangeContext) throws -> Stage {
        guard !edit.isEmpty else { throw PipelineError.nothingToChange }
        let catalog = try catalog()
        guard let stage = catalog.stage(id) else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: nil) }
        let access = try access()
        try Self.refusalToChange(stage, access: access, catalog: catalog).enforce()
        if let expectedVersion, expectedVersion != stage.version {
            throw PipelineError.changedSinceLoaded(kind: "stage", id: id.rawValue)
        }
        var edited = try catalog.applying(edit, to: stage, occupyingTeams: try teamsWithRecords(inStage: id))
        // A team's stage made shared changes every team's pipeline.
        try Self.refusalToChange(edited, access: access, catalog: catalog).enforce()
        guard try updateStage(edited, expectedVersion: stage.version) else {
            throw PipelineError.changedSinceLoaded(kind: "stage", id: id.rawValue)
        }
        edited.version = stage.version + 1
        // A new outcome is history for every deal in the stage (issue 14): their lines say from
        // when the stage meant won, lost or open, whether or not their probability changed.
        let outcomeChanged = edited.outcome != stage.outcome
        switch stage.occupantUpdate(after: edited) {
        case .none:
            if outcomeChanged { try applyStageProbability(id, nil, followersOnly: true, outcomeChanged: true, context: context) }
        case .followers(let probability):
            try applyStageProbability(id, probability, followersOnly: true, outcomeChanged: outcomeChanged, context: context)
        case .everyone(let probability):
            try applyStageProbability(id, probability, followersOnly: false, outcomeChanged: outcomeChanged, context: context)
        }
        return edited
    }

    /// Reorders a stage within `team`'s pipeline. Reordering a shared stage reorders it for
    /// every team, as in the reference CRM.
    public func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline {
        let catalog = try catalog()
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        if let stage = catalog.stage(id) {
            try access().refusalToChangeStage(stage, of: owner, allTeams: catalog.teams).enforce()
        }
        let order = try catalog.reorder(id, in: owner, to: placement)
        try storeSortOrders(order.enumerated().map { ($1, $0 + 1) })
        guard let moved = catalog.stage(id), try updateStage(moved, expectedVersion: moved.version) else {
            throw PipelineError.changedSinceLoaded(kind: "stage", id: id.rawValue)
        }
        // The stages as just written, without reading them back (a column move on the board
        // pays for every read).
        let byID = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0) })
        let stages = order.enumerated().compactMap { index, stageID -> Stage? in
            guard var stage = byID[stageID] else { return nil }
            stage.sortOrder = index + 1
            if stageID == id { stage.version += 1 }
            return stage
        }
        return StageCatalog(teams: catalog.teams, stages: stages).pipeline(for: owner)
    }

    /// Removes a stage. Refused, with the count, while any record (archived ones included)
    /// is in it — unless `destination` takes them all, in the same transaction, each
    /// entering it under its probability rule with a history entry.
    ///
    /// - Returns: the stage as it was and every record moved, as it was (any team's).
    public func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> StageRemoval {
        let catalog = try catalog()
        if let stage = catalog.stage(id) { try Self.refusalToChange(stage, access: try access(), catalog: catalog).enforce() }
        let plan = try catalog.removal(of: id, movingTo: destination, recordCount: try recordCount(inStage: id),
                                       occupyingTeams: try teamsWithRecords(inStage: id))
        var moved: [MovedCard] = []
        if let target = plan.destination {
            for team in plan.teams {
                moved += try records(team: team, stage: id).map { MovedCard(before: $0, versionAfterMove: $0.version + 1) }
                try moveAll(BulkMove(from: plan.stage, to: target, team: team, context: context))
            }
        }
        try deleteStage(id)
        return StageRemoval(stage: plan.stage, moved: moved)
    }

    /// Whether the person may change `stage`: a team's, its manager; a shared one, someone
    /// who manages every team.
    static func refusalToChange(_ stage: Stage, access: Access, catalog: StageCatalog) -> AccessRefusal? {
        // A shared stage's question does not look at the team.
        let team = stage.scope.team.map { Self.team($0, in: catalog) } ?? catalog.teams.first ?? Team(id: Team.ID(0), name: "")
        return access.refusalToChangeStage(stage, of: team, allTeams: catalog.teams)
    }

    // MARK: - Teams

    public func addTeam(named name: String, context: ChangeContext) throws -> Team {
        try access().refusalToManageTeams().enforce()
        let name = try TextInput.requiredName(name, field: .teamName)
        try checkTeamNameIsFree(name, excluding: nil)
        return Team(id: try insertTeam(name: name, createdAt: context.now), name: name)
    }

    public func renameTeam(_ id: Team.ID, to name: String) throws -> Team {
        let name = try TextInput.requiredName(name, field: .teamName)
        guard var team = try teams().first(where: { $0.id == id }) else { throw PipelineError.unknownTeam(String(id.rawValue)) }
        try access().refusalToChangeSettings(of: team).enforce()
        try checkTeamNameIsFree(name, excluding: id)
        team.name = name
        try updateTeam(team)
        team.version += 1
        return team
    }

    /// Removes a team. Refused (with counts) while opportunities or leads belong to it,
    /// unless `destination` takes them: deals in shared stages keep their stage; deals in
    /// the team's own stages go to the destination's stage of the same name, else its
    /// entry stage, with the probability rule and a history entry. The team's own stages
    /// go with it. The last team cannot be removed.
    public func removeTeam(_ id: Team.ID, movingTo destination: Team.ID?, context: ChangeContext) throws -> TeamRemoval {
        let catalog = try catalog()
        guard let team = catalog.team(id) else { throw PipelineError.unknownTeam(String(id.rawValue)) }
        try access().refusalToManageTeams().enforce()
        guard catalog.teams.count > 1 else { throw PipelineError.lastTeam(team.name) }
        let counts = try recordCounts(team: id)
        if counts.opportunities + counts.leads > 0 {
            guard let destination else {
                throw PipelineError.teamNotEmpty(team.name, opportunities: counts.opportunities, leads: counts.leads)
            }
            guard destination != id else { throw PipelineError.moveTeamToItself }
            guard let target = catalog.team(destination) else { throw PipelineError.unknownTeam(String(destination.rawValue)) }
            let targetPipeline = catalog.pipeline(for: target)
            for stage in catalog.stages where stage.scope == .team(id) {
                guard try recordCount(inStage: stage.id) > 0 else { continue }
                let key = TextInput.nameKey(stage.name)
                guard let counterpart = targetPipeline.stages.first(where: { TextInput.nameKey($0.name) == key })
                        ?? targetPipeline.entryStage else {
                    throw PipelineError.noEntryStage(pipeline: target.name)
                }
                try moveAll(BulkMove(from: stage, to: counterpart, team: id, newTeam: destination, context: context))
            }
            try reassignRecords(from: id, to: destination, at: context.now)
        }
        // Whoever worked in the team — the pipeline's current team, anyone's own — now works
        // where its deals went, else in the first other team.
        if let successor = destination ?? catalog.teams.first(where: { $0.id != id })?.id {
            let removed = String(id.rawValue), next = String(successor.rawValue)
            if try storedSetting(.team) == removed { try storeSetting(.team, next) }
            for preference in try storedPreferences() where preference.key == .team && preference.value == removed {
                try storePreference(.team, next, user: preference.user)
            }
        }
        try deleteTeam(id)
        return TeamRemoval(opportunitiesMoved: counts.opportunities, leadsMoved: counts.leads)
    }

    func checkTeamNameIsFree(_ name: String, excluding: Team.ID?) throws {
        let key = TextInput.nameKey(name)
        if try teams().contains(where: { $0.id != excluding && TextInput.nameKey($0.name) == key }) {
            throw PipelineError.duplicateTeamName(name)
        }
    }

    // MARK: - Settings

    /// Validates and stores a setting as `user` sets it: a personal key
    /// (`SettingKey.isPersonal`) for `user` alone, a shared key — or any key when `user` is
    /// `nil` — for the whole pipeline. `team` takes a team name or id.
    /// - Returns: the value as stored (normalised; the team's name for `team`).
    @discardableResult
    public func setSetting(_ key: SettingKey, to value: String, for user: String?) throws -> String {
        let access = try access()
        let personal = key.isPersonal && user != nil
        // The pipeline's own keys (currency, leads) are everyone's whoever sets them: their
        // refusal says so rather than pointing at --for-everyone.
        try access.refusalToChange(key, forEveryone: user == nil).enforce()
        let normalized = try key.normalized(value)
        var stored = normalized, shown = normalized
        if key == .team {
            let team = try team(normalized)
            // Nobody works in a team they are not in.
            try access.refusalToUse(team).enforce()
            stored = String(team.id.rawValue)
            shown = team.name
        }
        if personal, let user {
            try storePreference(key, stored, user: user)
        } else {
            try storeSetting(key, stored)
        }
        return shown
    }
}
