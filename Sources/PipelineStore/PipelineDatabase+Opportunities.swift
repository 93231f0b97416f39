import GRDB
import PipelineCore

/// One line of an opportunity's stage history, with the stage names as they were.
public struct StageHistoryEntry: Sendable, Equatable {
    public var change: StageChange
    public var fromName: String?
    public var toName: String?
}

/// Which opportunities a listing shows.
public struct OpportunityFilter: Sendable {
    public var team: Team.ID?
    public var stage: Stage.ID?
    public var includeArchived: Bool

    public init(team: Team.ID? = nil, stage: Stage.ID? = nil, includeArchived: Bool = false) {
        self.team = team
        self.stage = stage
        self.includeArchived = includeArchived
    }
}

extension PipelineDatabase {
    // MARK: - Reading

    public func opportunity(_ id: Opportunity.ID) throws -> Opportunity? {
        try read { db in try Self.fetchOpportunity(db, id) }
    }

    /// Finds an opportunity by what a user typed: a number is an id; anything else is a
    /// title, matched ignoring case but not accents. A title several records share is
    /// refused with the list of them.
    public func opportunity(_ reference: String) throws -> Opportunity {
        try record(reference, kind: .opportunity)
    }

    /// A lead or an opportunity by id or title (see ``opportunity(_:)-(String)``).
    func record(_ reference: String, kind: RecordKind) throws -> Opportunity {
        let unknown = kind == .lead ? PipelineError.unknownLead(reference) : PipelineError.unknownOpportunity(reference)
        return try read { db in
            let trimmed = reference.trimmingCharacters(in: .whitespaces)
            if let number = Int64(trimmed) {
                guard let found = try Self.fetchOpportunity(db, Opportunity.ID(number)), found.kind == kind else { throw unknown }
                return found
            }
            let matches = try Row.fetchAll(
                db, sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE title_key = ? AND type = ? ORDER BY id LIMIT 11",
                arguments: [TextInput.nameKey(trimmed), kind.rawValue]).map(Rows.opportunity)
            guard let first = matches.first else { throw unknown }
            if matches.count > 1 {
                throw PipelineError.ambiguousName(kind: kind.rawValue, name: reference,
                                                  matches: matches.prefix(10).map { "\($0.id) \($0.title)" })
            }
            return first
        }
    }

    /// The opportunity's stage changes, oldest first.
    public func history(of id: Opportunity.ID) throws -> [StageHistoryEntry] {
        try read { db in try Self.fetchHistory(db, id) }
    }

    /// Calls `body` with each opportunity the filter selects, in pipeline order, reading
    /// them one at a time so that memory does not grow with the database.
    public func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws {
        try read { db in
            var conditions = ["o.type = 'opportunity'"]
            var arguments: StatementArguments = []
            if let team = filter.team { conditions.append("o.team_id = ?"); arguments += [team.rawValue] }
            if let stage = filter.stage { conditions.append("o.stage_id = ?"); arguments += [stage.rawValue] }
            if !filter.includeArchived { conditions.append("o.active = 1") }
            let columns = Rows.opportunityColumns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT \(columns.joined(separator: ", ")) FROM opportunity o JOIN stage s ON s.id = o.stage_id
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY s.sort_order, o.team_id, o.rank, o.id
                    """,
                arguments: arguments)
            while let row = try rows.next() { try body(Rows.opportunity(row)) }
        }
    }

    /// One window of a board column: active opportunities of `team` in `stage`, in rank
    /// order, starting after `cursor` (keyset paging: the cost follows the window, not the
    /// column).
    public func column(team: Team.ID, stage: Stage.ID, after cursor: Opportunity? = nil, limit: Int) throws -> [Opportunity] {
        try read { db in
            var sql = "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ?"
            var arguments: StatementArguments = [team.rawValue, stage.rawValue]
            if let cursor {
                sql += " AND (rank, id) > (?, ?)"
                arguments += [cursor.rank, cursor.id.rawValue]
            }
            sql += " ORDER BY rank, id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Rows.opportunity)
        }
    }

    // MARK: - Writing

    /// Stores a new opportunity in `team`'s pipeline, in `stage` or the entry stage.
    public func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity {
        try write { db in
            let pipeline = try Self.pipeline(db, team)
            let stage = try stage.map { id in
                guard let found = pipeline.stage(id) else {
                    throw PipelineError.unknownStage(String(id.rawValue), pipeline: pipeline.team.name)
                }
                return found
            }
            let currency = try Self.defaultCurrency(db)
            var update = try Opportunity.create(changes, in: pipeline, stage: stage, currency: currency,
                                                at: context.now, by: context.user)
            update.opportunity.rank = try Self.rank(db, for: update.opportunity, placement: .top)
            update.opportunity.id = try Self.insertRecord(db, update.opportunity, externalID: nil)
            if var change = update.stageChange {
                change.opportunity = update.opportunity.id
                try Self.insertHistory(db, change)
            }
            return update.opportunity
        }
    }

    /// Edits an opportunity's fields; `team` moves it to another team's pipeline and
    /// `stage` to another stage (both optional).
    public func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil, stage: Stage.ID? = nil,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, expectedVersion: expectedVersion, context: context) { db, opportunity in
            let pipeline = try Self.pipeline(db, team ?? opportunity.team)
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
        try update(id, expectedVersion: expectedVersion, context: context, placement: placement) { db, opportunity in
            let pipeline = try Self.pipeline(db, opportunity.team)
            guard let destination = pipeline.stage(stage) else {
                let name = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM stage WHERE id = ?"), arguments: [stage.rawValue])
                throw PipelineError.stageNotInPipeline(stage: name ?? String(stage.rawValue), pipeline: pipeline.team.name)
            }
            return try opportunity.moved(to: destination, in: pipeline, at: context.now, by: context.user)
        }
    }

    public func markWon(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, expectedVersion: expectedVersion, context: context) { db, opportunity in
            let pipeline = try Self.pipeline(db, opportunity.team)
            return try opportunity.markedWon(in: pipeline, at: context.now, by: context.user)
        }
    }

    public func markLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, expectedVersion: expectedVersion, context: context) { db, opportunity in
            let pipeline = try Self.pipeline(db, opportunity.team)
            return try opportunity.markedLost(reason: reason, in: pipeline, at: context.now, by: context.user)
        }
    }

    public func restore(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, expectedVersion: expectedVersion, context: context) { db, opportunity in
            let pipeline = try Self.pipeline(db, opportunity.team)
            let history = try Self.fetchHistory(db, id).map(\.change)
            return try opportunity.restored(in: pipeline, history: history, at: context.now, by: context.user)
        }
    }

    public func archive(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, expectedVersion: expectedVersion, context: context) { _, opportunity in
            OpportunityUpdate(opportunity: opportunity.archived(at: context.now), stageChange: nil)
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

    private func deleteRecord(_ id: Opportunity.ID, kind: RecordKind, expectedVersion: Int?) throws {
        try write { db in
            let opportunity = try Self.loadForUpdate(db, id, kind: kind, expectedVersion: expectedVersion)
            try db.execute(sql: "DELETE FROM opportunity WHERE id = ? AND version = ?",
                           arguments: [id.rawValue, opportunity.version])
        }
    }

    // MARK: - Inside a transaction

    /// Loads, lets the domain compute the change, and saves it with a version check, the
    /// column placement and the history entry: one transaction.
    func update(
        _ id: Opportunity.ID, kind: RecordKind = .opportunity, expectedVersion: Int?, context: ChangeContext,
        placement: CardPlacement? = nil, _ change: (Database, Opportunity) throws -> OpportunityUpdate
    ) throws -> Opportunity {
        try write { db in
            let current = try Self.loadForUpdate(db, id, kind: kind, expectedVersion: expectedVersion)
            return try Self.save(db, change(db, current), replacing: current, placement: placement)
        }
    }

    /// Writes a changed record with its version check, its place in the column (when it
    /// changed stage or team, or when asked) and the history entry.
    static func save(_ db: Database, _ update: OpportunityUpdate, replacing current: Opportunity,
                     placement: CardPlacement?) throws -> Opportunity {
        var update = update
        if update.changedStage || update.opportunity.team != current.team {
            update.opportunity.rank = try rank(db, for: update.opportunity, placement: placement ?? .top)
        } else if let placement {
            update.opportunity.rank = try rank(db, for: update.opportunity, placement: placement)
        }
        try db.cachedStatement(sql: Rows.updateSQL)
            .execute(arguments: Rows.arguments(of: update.opportunity, then: [current.id.rawValue.databaseValue, current.version.databaseValue]))
        guard db.changesCount == 1 else {
            throw PipelineError.changedSinceLoaded(kind: current.kind.rawValue, id: current.id.rawValue)
        }
        if let change = update.stageChange { try insertHistory(db, change) }
        update.opportunity.version = current.version + 1
        return update.opportunity
    }

    static func loadForUpdate(_ db: Database, _ id: Opportunity.ID, kind: RecordKind = .opportunity,
                              expectedVersion: Int?) throws -> Opportunity {
        guard let current = try fetchOpportunity(db, id), current.kind == kind else {
            throw kind == .lead ? PipelineError.unknownLead(String(id.rawValue)) : PipelineError.unknownOpportunity(String(id.rawValue))
        }
        if let expectedVersion, expectedVersion != current.version {
            throw PipelineError.changedSinceLoaded(kind: current.kind.rawValue, id: id.rawValue)
        }
        return current
    }

    static func fetchOpportunity(_ db: Database, _ id: Opportunity.ID) throws -> Opportunity? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE id = ?"), arguments: [id.rawValue])
            .map(Rows.opportunity)
    }

    /// Inserts a new record (its id is assigned) and returns the id.
    static func insertRecord(_ db: Database, _ record: Opportunity, externalID: String?) throws -> Opportunity.ID {
        // The arguments come from the same list as the statement's columns, so GRDB's check
        // of their count (a copy of every value) is skipped.
        let statement = try db.cachedStatement(sql: Rows.insertSQL)
        statement.setUncheckedArguments(Rows.arguments(of: record, then: [externalID.databaseValue]))
        try statement.execute()
        return Opportunity.ID(db.lastInsertedRowID)
    }

    static func fetchHistory(_ db: Database, _ id: Opportunity.ID) throws -> [StageHistoryEntry] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by
            FROM stage_history WHERE opportunity_id = ? ORDER BY id
            """), arguments: [id.rawValue]).map { row in
            let from: Int64? = row["from_stage_id"]
            let to: Int64? = row["to_stage_id"]
            return StageHistoryEntry(
                change: StageChange(opportunity: id, from: from.map(Stage.ID.init), to: to.map(Stage.ID.init),
                                    at: Timestamp(millisecondsSince1970: row["changed_at"]), by: row["changed_by"]),
                fromName: row["from_stage_name"], toName: row["to_stage_name"])
        }
    }

    /// Records a stage change with the stage names as they are now, so the history
    /// still reads after a stage is renamed or removed.
    static func insertHistory(_ db: Database, _ change: StageChange) throws {
        try db.cachedStatement(sql: """
                INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by)
                VALUES (?1, ?2, ?3, (SELECT name FROM stage WHERE id = ?2), (SELECT name FROM stage WHERE id = ?3), ?4, ?5)
                """)
            .execute(arguments: [change.opportunity.rawValue, change.from?.rawValue, change.to?.rawValue,
                                 change.at.millisecondsSince1970, change.by])
    }
}
