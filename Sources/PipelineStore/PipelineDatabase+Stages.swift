import GRDB
import PipelineCore

extension PipelineDatabase {
    /// Every team and stage: what stage changes are validated against.
    public func catalog() throws -> StageCatalog {
        try read(Self.fetchCatalog)
    }

    /// A team's pipeline: the shared stages plus its own, in order.
    public func pipeline(for team: Team.ID) throws -> Pipeline {
        try read { db in try Self.pipeline(db, team) }
    }

    /// Adds a stage to `team`'s pipeline at a 1-based `position` (else at the end).
    ///
    /// - Returns: the stored stage and, when a pipeline now has more than six stages, the
    ///   guide's readability hint. The stage is added anyway.
    public func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?) {
        try write { db in
            let catalog = try Self.fetchCatalog(db)
            guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
            let addition = try catalog.addition(of: draft, in: owner, at: position)
            var order: [Stage.ID?] = catalog.stages.map(\.id)
            order.insert(nil, at: addition.globalIndex)
            try Self.storeSortOrders(db, order.compactMap { $0 }, first: { index in index >= addition.globalIndex ? 2 : 1 })
            var stage = addition.stage
            stage.sortOrder = addition.globalIndex + 1
            try db.execute(
                sql: """
                    INSERT INTO stage (name, name_key, sort_order, probability, auto_probability,
                                       requirements, folded, outcome, team_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [stage.name, TextInput.nameKey(stage.name), stage.sortOrder, stage.probability.basisPoints,
                            stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded,
                            stage.outcome.rawValue, stage.scope.team?.rawValue])
            stage.id = Stage.ID(db.lastInsertedRowID)
            return (stage, addition.hint)
        }
    }

    /// Changes a stage's settings. A new probability reaches the opportunities in the stage
    /// whose probability follows it (never hand-set ones, never archived ones); a stage that
    /// becomes won or lost imposes 100 % or 0 % on all its active opportunities.
    ///
    /// - Parameter expectedVersion: the version the caller loaded; a newer one in the
    ///   database means someone else changed the stage, and the edit is refused.
    public func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int? = nil, context: ChangeContext) throws -> Stage {
        guard !edit.isEmpty else { throw PipelineError.nothingToChange }
        return try write { db in
            let catalog = try Self.fetchCatalog(db)
            guard let stage = catalog.stage(id) else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: nil) }
            if let expectedVersion, expectedVersion != stage.version {
                throw PipelineError.changedSinceLoaded(kind: "stage", id: id.rawValue)
            }
            let occupants = Set(try Int64.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT team_id FROM opportunity WHERE stage_id = ?"),
                                                   arguments: [id.rawValue]).map(Team.ID.init))
            var edited = try catalog.applying(edit, to: stage, occupyingTeams: occupants)
            edited.version = stage.version + 1
            try db.execute(
                sql: """
                    UPDATE stage SET name = ?, name_key = ?, probability = ?, auto_probability = ?, requirements = ?,
                                     folded = ?, outcome = ?, team_id = ?, version = version + 1
                    WHERE id = ? AND version = ?
                    """,
                arguments: [edited.name, TextInput.nameKey(edited.name), edited.probability.basisPoints,
                            edited.changesProbabilityAutomatically, edited.requirements, edited.isFolded,
                            edited.outcome.rawValue, edited.scope.team?.rawValue, id.rawValue, stage.version])
            let followers: String
            let probability: Probability
            switch stage.occupantUpdate(after: edited) {
            case .none: return edited
            case .followers(let value): (followers, probability) = ("AND probability_manual = 0", value)
            case .everyone(let value): (followers, probability) = ("", value)
            }
            try db.execute(
                sql: """
                    UPDATE opportunity
                    SET probability = :p, probability_manual = 0,
                        weighted_revenue = pipeline_weighted(expected_revenue, :p),
                        updated_at = :now, version = version + 1
                    WHERE stage_id = :stage AND type = 'opportunity' AND active = 1 \(followers)
                      AND (probability IS NOT :p OR probability_manual = 1)
                    """,
                arguments: ["p": probability.basisPoints, "now": context.now.millisecondsSince1970, "stage": id.rawValue])
            return edited
        }
    }

    /// Reorders a stage within `team`'s pipeline. Reordering a shared stage reorders it for
    /// every team, as in the reference CRM.
    public func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline {
        try write { db in
            let catalog = try Self.fetchCatalog(db)
            guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
            let order = try catalog.reorder(id, in: owner, to: placement)
            try Self.storeSortOrders(db, order, first: { _ in 1 })
            try db.execute(sql: "UPDATE stage SET version = version + 1 WHERE id = ?", arguments: [id.rawValue])
            // The stages as just written, without reading them back (a column move on the
            // board pays for every read).
            let byID = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0) })
            let stages = order.enumerated().compactMap { index, stageID -> Stage? in
                guard var stage = byID[stageID] else { return nil }
                stage.sortOrder = index + 1
                if stageID == id { stage.version += 1 }
                return stage
            }
            return StageCatalog(teams: catalog.teams, stages: stages).pipeline(for: owner)
        }
    }

    /// Removes a stage. Refused, with the count, while any opportunity (archived ones
    /// included) is in it — unless `destination` takes them all, in the same transaction,
    /// each entering it under its probability rule with a history entry.
    ///
    /// - Returns: how many opportunities were moved.
    public func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> Int {
        try write { db in
            let catalog = try Self.fetchCatalog(db)
            guard let stage = catalog.stage(id) else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: nil) }
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM opportunity WHERE stage_id = ?"), arguments: [id.rawValue]) ?? 0
            if count > 0 {
                guard let destination else { throw PipelineError.stageNotEmpty(stage: stage.name, count: count) }
                guard destination != id else { throw PipelineError.moveTargetIsRemovedStage }
                guard let target = catalog.stage(destination) else {
                    throw PipelineError.unknownStage(String(destination.rawValue), pipeline: nil)
                }
                let occupants = try Int64.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT team_id FROM opportunity WHERE stage_id = ?"),
                                                   arguments: [id.rawValue]).map(Team.ID.init)
                for team in occupants {
                    guard target.belongs(to: team) else {
                        throw PipelineError.stageNotInPipeline(stage: target.name, pipeline: catalog.team(team)?.name ?? "?")
                    }
                    try Self.moveAll(db, from: stage, to: target, team: team, newTeam: nil, context: context)
                }
            }
            try db.execute(sql: "DELETE FROM stage WHERE id = ?", arguments: [id.rawValue])
            return count
        }
    }

    // MARK: - Inside a transaction

    static func fetchCatalog(_ db: Database) throws -> StageCatalog {
        let stages = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.stageColumns) FROM stage ORDER BY sort_order, id")).map(Rows.stage)
        return StageCatalog(teams: try fetchTeams(db), stages: stages)
    }

    static func pipeline(_ db: Database, _ team: Team.ID) throws -> Pipeline {
        let catalog = try fetchCatalog(db)
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        return catalog.pipeline(for: owner)
    }

    /// Writes `sort_order` 1...n for `order`, touching only rows whose order changed.
    /// `first` lets a caller leave a hole (for a stage about to be inserted).
    private static func storeSortOrders(_ db: Database, _ order: [Stage.ID], first offset: (Int) -> Int) throws {
        let statement = try db.cachedStatement(sql: "UPDATE stage SET sort_order = ? WHERE id = ? AND sort_order IS NOT ?")
        for (index, id) in order.enumerated() {
            let value = index + offset(index)
            try statement.execute(arguments: [value, id.rawValue, value])
        }
    }

    /// Moves every opportunity of `team` from one stage to another in a few statements:
    /// history first, then the rows, placed below the destination column's cards in their
    /// old order, under the destination's probability rule and the domain's rule on lost
    /// reasons (``Opportunity/keepsLostReason(entering:leaving:isActive:)``).
    static func moveAll(_ db: Database, from source: Stage, to destination: Stage, team: Team.ID, newTeam: Team.ID?,
                        context: ChangeContext) throws {
        let targetTeam = newTeam ?? team
        try db.execute(
            sql: """
                INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by)
                SELECT id, ?, ?, ?, ?, ?, ? FROM opportunity WHERE stage_id = ? AND team_id = ? AND type = 'opportunity'
                """,
            arguments: [source.id.rawValue, destination.id.rawValue, source.name, destination.name,
                        context.now.millisecondsSince1970, context.user, source.id.rawValue, team.rawValue])
        let bottom = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(rank) FROM opportunity WHERE stage_id = ? AND team_id = ?"),
                                        arguments: [destination.id.rawValue, targetTeam.rawValue])
        let top = try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(rank) FROM opportunity WHERE stage_id = ? AND team_id = ?"),
                                     arguments: [source.id.rawValue, team.rawValue]) ?? 0
        let offset = bottom.map { $0 - top + CardRank.spacing } ?? 0
        var probability = ""
        var arguments: StatementArguments = [destination.id.rawValue, targetTeam.rawValue, offset,
                                             context.now.millisecondsSince1970, context.now.millisecondsSince1970]
        if let entry = destination.entryProbability {
            probability = ", probability = ?, probability_manual = 0, weighted_revenue = pipeline_weighted(expected_revenue, ?)"
            arguments += [entry.basisPoints, entry.basisPoints]
        }
        arguments += [source.id.rawValue, team.rawValue]
        var lostReason = ""
        let keepsActive = Opportunity.keepsLostReason(entering: destination.outcome, leaving: source.outcome, isActive: true)
        let keepsArchived = Opportunity.keepsLostReason(entering: destination.outcome, leaving: source.outcome, isActive: false)
        if !keepsActive || !keepsArchived {
            lostReason = ", lost_reason = CASE active WHEN 1 THEN \(keepsActive ? "lost_reason" : "NULL") "
                + "ELSE \(keepsArchived ? "lost_reason" : "NULL") END"
        }
        try db.execute(
            sql: """
                UPDATE opportunity
                SET stage_id = ?, team_id = ?, rank = rank + ?, stage_changed_at = ?, updated_at = ?,
                    version = version + 1\(probability)\(lostReason)
                WHERE stage_id = ? AND team_id = ?
                """,
            arguments: arguments)
    }
}
