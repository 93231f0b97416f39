import PipelineCore

/// The writing operations on opportunities every engine shares: load, let the core compute
/// the change, save it with a version check, its place in the column and its history line.
extension StoreWriter {
    /// Stores a new opportunity in `team`'s pipeline, in `stage` or the entry stage.
    public func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity {
        let catalog = try catalog()
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        var changes = changes
        try checkNewRecord(&changes, in: owner, kind: .opportunity, access: try access(), creator: context.user)
        let pipeline = catalog.pipeline(for: owner)
        let stage = try stage.map { id in
            guard let found = pipeline.stage(id) else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: pipeline.team.name) }
            return found
        }
        var update = try Opportunity.create(changes, in: pipeline, stage: stage, currency: try defaultCurrency(),
                                            at: context.now, by: context.user)
        update.opportunity.rank = try ColumnOrder.rank(for: update.opportunity, placement: .top, in: self)
        update.opportunity.id = try insertRecord(update.opportunity, externalID: nil)
        if let line = Self.historyLine(from: nil, to: update.opportunity, catalog: catalog, at: context.now, by: context.user) {
            try insertHistory(StageHistoryEntry(line, names: catalog))
        }
        return update.opportunity
    }

    /// Edits an opportunity's fields; `team` moves it to another team's pipeline and
    /// `stage` to another stage (both optional).
    public func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil, stage: Stage.ID? = nil,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, by: context.user) { catalog, opportunity in
            let pipeline = try Self.pipeline(catalog, team ?? opportunity.team)
            let destination = try stage.map { id in
                guard let found = pipeline.stage(id) else {
                    throw PipelineError.stageNotInPipeline(stage: String(id.rawValue), pipeline: pipeline.team.name)
                }
                return found
            }
            return try opportunity.edited(changes, stage: destination, in: pipeline, at: context.now, by: context.user)
        }
    }

    /// Moves an opportunity to a stage of its pipeline (applying the stage's probability
    /// rule) and places it in the column (the top by default). Moving within the same stage
    /// only reorders.
    public func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement = .top,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, placement: placement, by: context.user) { catalog, opportunity in
            let pipeline = try Self.pipeline(catalog, opportunity.team)
            guard let destination = pipeline.stage(stage) else {
                throw PipelineError.stageNotInPipeline(stage: catalog.stage(stage)?.name ?? String(stage.rawValue), pipeline: pipeline.team.name)
            }
            return try opportunity.moved(to: destination, in: pipeline, at: context.now, by: context.user)
        }
    }

    public func markWon(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, by: context.user) { catalog, opportunity in
            try opportunity.markedWon(in: try Self.pipeline(catalog, opportunity.team), at: context.now, by: context.user)
        }
    }

    public func markLost(_ id: Opportunity.ID, reason: String, into stage: Stage.ID? = nil, expectedVersion: Int? = nil,
                         context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, by: context.user) { catalog, opportunity in
            let pipeline = try Self.pipeline(catalog, opportunity.team)
            return try opportunity.markedLost(reason: reason, into: stage.flatMap(pipeline.stage), in: pipeline,
                                              at: context.now, by: context.user)
        }
    }

    public func restore(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, by: context.user) { catalog, opportunity in
            let history = try history(of: id).map(\.change)
            return try opportunity.restored(in: try Self.pipeline(catalog, opportunity.team), history: history,
                                            at: context.now, by: context.user)
        }
    }

    public func archive(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, expectedVersion: expectedVersion, by: context.user) { _, opportunity in
            OpportunityUpdate(opportunity: opportunity.archived(at: context.now), stageChange: nil)
        }
    }

    /// Puts an opportunity back as `snapshot` had it (what undo does), at `placement`.
    public func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?,
                                  context: ChangeContext) throws -> Opportunity {
        try change(snapshot.id, expectedVersion: expectedVersion, placement: placement, by: context.user) { catalog, opportunity in
            try opportunity.reverted(to: snapshot, in: try Self.pipeline(catalog, snapshot.team), at: context.now, by: context.user)
        }
    }

    /// Deletes an opportunity and its history for good.
    public func deleteOpportunity(_ id: Opportunity.ID, expectedVersion: Int? = nil) throws {
        try deleteRecord(id, kind: .opportunity, expectedVersion: expectedVersion)
    }

    /// Removes a lead (what undoing its creation does).
    public func deleteLead(_ id: Opportunity.ID, expectedVersion: Int? = nil) throws {
        try deleteRecord(id, kind: .lead, expectedVersion: expectedVersion)
    }

    func deleteRecord(_ id: Opportunity.ID, kind: RecordKind, expectedVersion: Int?) throws {
        let current = try loadForUpdate(id, kind: kind, expectedVersion: expectedVersion)
        try access().refusalToChange(current, of: Self.team(current.team, in: try catalog())).enforce()
        guard try deleteRecord(id, expectedVersion: current.version) else {
            throw PipelineError.changedSinceLoaded(kind: current.kind.rawValue, id: id.rawValue)
        }
    }

    // MARK: - Building blocks

    /// Loads a record, lets the domain compute the change, and saves it with a version check,
    /// the column placement and the history entry.
    func change(_ id: Opportunity.ID, kind: RecordKind = .opportunity, expectedVersion: Int?, placement: CardPlacement? = nil,
                by user: String? = nil, _ body: (StageCatalog, Opportunity) throws -> OpportunityUpdate) throws -> Opportunity {
        let current = try loadForUpdate(id, kind: kind, expectedVersion: expectedVersion)
        let catalog = try catalog()
        let access = try access()
        // Asked before the core computes anything: whose record it is decides, not what the
        // change would be.
        try access.refusalToChange(current, of: Self.team(current.team, in: catalog)).enforce()
        return try save(body(catalog, current), replacing: current, placement: placement, catalog: catalog, access: access, by: user)
    }

    /// Writes a changed record with its version check, its place in the column (when it
    /// changed stage or team, or when asked) and the history entry.
    public func save(_ update: OpportunityUpdate, replacing current: Opportunity, placement: CardPlacement?,
                     catalog: StageCatalog, by user: String? = nil) throws -> Opportunity {
        try save(update, replacing: current, placement: placement, catalog: catalog, access: try access(), by: user)
    }

    /// `save`, for a caller that already holds the person's access (an import asks once, not
    /// per row): refused when the person may not change `current`, or may not give the
    /// result to its salesperson in its team. The history line (`StageChange.recording`) is
    /// by `user`, else by whoever the core's stage change names.
    public func save(_ update: OpportunityUpdate, replacing current: Opportunity, placement: CardPlacement?,
                     catalog: StageCatalog, access: Access, by user: String? = nil) throws -> Opportunity {
        try access.refusalToChange(current, of: Self.team(current.team, in: catalog)).enforce()
        // A conversion asks too: an unassigned lead becomes an unassigned deal, which an
        // own-deals-only team's salesperson may not leave to nobody.
        if update.opportunity.team != current.team || update.opportunity.salesperson != current.salesperson
            || update.opportunity.kind != current.kind {
            try access.refusalToAssign(to: update.opportunity.salesperson, in: Self.team(update.opportunity.team, in: catalog),
                                       kind: update.opportunity.kind).enforce()
        }
        var update = update
        if update.changedStage || update.opportunity.team != current.team {
            update.opportunity.rank = try ColumnOrder.rank(for: update.opportunity, placement: placement ?? .top, in: self)
        } else if let placement {
            update.opportunity.rank = try ColumnOrder.rank(for: update.opportunity, placement: placement, in: self)
        }
        guard try updateRecord(update.opportunity, expectedVersion: current.version) else {
            throw PipelineError.changedSinceLoaded(kind: current.kind.rawValue, id: current.id.rawValue)
        }
        let by = update.stageChange?.by ?? user ?? ""
        let at = update.stageChange?.at ?? update.opportunity.updatedAt
        if let line = Self.historyLine(from: current, to: update.opportunity, catalog: catalog, at: at, by: by) {
            try insertHistory(StageHistoryEntry(line, names: catalog))
        }
        update.opportunity.version = current.version + 1
        // What the store keeps beside the row stays as it is.
        update.opportunity.activityGlance = current.activityGlance
        return update.opportunity
    }

    /// The one history line a change from `before` (`nil`: new) to `after` writes, if any.
    static func historyLine(from before: Opportunity?, to after: Opportunity, catalog: StageCatalog, at: Timestamp,
                            by user: String) -> StageChange? {
        StageChange.recording(from: before, to: after, outcome: { catalog.stage($0)?.outcome }, at: at, by: user)
    }

    /// A rank that puts `card` at `placement` in its column.
    public func rank(for card: Opportunity, placement: CardPlacement) throws -> Int64 {
        try ColumnOrder.rank(for: card, placement: placement, in: self)
    }

    func loadForUpdate(_ id: Opportunity.ID, kind: RecordKind = .opportunity, expectedVersion: Int?) throws -> Opportunity {
        guard let current = try record(id), current.kind == kind else {
            throw kind == .lead ? PipelineError.unknownLead(String(id.rawValue)) : PipelineError.unknownOpportunity(String(id.rawValue))
        }
        if let expectedVersion, expectedVersion != current.version {
            throw PipelineError.changedSinceLoaded(kind: current.kind.rawValue, id: id.rawValue)
        }
        return current
    }

    /// A record's team as refusals name it. A team the catalogue does not hold (one a
    /// server's policies hide) is named by its id; a person who cannot see it is not in it.
    static func team(_ id: Team.ID, in catalog: StageCatalog) -> Team {
        catalog.team(id) ?? Team(id: id, name: String(id.rawValue))
    }

    /// Asks whether the person may add a record to `team`, first giving it its salesperson
    /// when none was given: its creator (`Access.salesperson(forNew:creator:)`).
    func checkNewRecord(_ changes: inout OpportunityChanges, in team: Team, kind: RecordKind, access: Access, creator: String) throws {
        try access.refusalToUse(team).enforce()
        let salesperson = access.salesperson(forNew: changes.salesperson, creator: creator)
        changes.salesperson = salesperson
        try access.refusalToAssign(to: salesperson, in: team, kind: kind).enforce()
    }

    static func pipeline(_ catalog: StageCatalog, _ team: Team.ID) throws -> Pipeline {
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        return catalog.pipeline(for: owner)
    }
}
