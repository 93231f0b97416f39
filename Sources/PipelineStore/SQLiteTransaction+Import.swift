import GRDB
import PipelineCore
import PipelineStorage

/// An import's SQLite speed-ups. FTS5 writes its pending terms out at every statement of a
/// transaction, so indexing row by row cost more than the rest of an imported row: the
/// import drops the filter index's triggers inside its transaction (a failed import rolls
/// that back with everything else), indexes the rows it inserted in one statement at the
/// end, and keeps the entries of records that existed before it in step one by one.
///
/// Into an empty table it also drops the table's secondary indexes and builds them once at
/// the end, still inside the transaction: every row's insert fires triggers, so SQLite keeps
/// a statement journal with a copy of each page the statement touches first — one page per
/// index — and that copying was most of an insert. Into a table that has rows the indexes
/// are kept and maintained row by row: rebuilding them would sort every row already there,
/// for an import whose size is not known until it is read.
struct ImportState {
    /// Records from this id on were made by this import (SQLite row ids only grow while
    /// the import holds the write lock).
    let firstNewID: Int64
    /// The indexes dropped for the import, each with its table and its `CREATE INDEX`
    /// statement, to build again.
    let droppedIndexes: [(table: String, sql: String)]

    /// Whether the record was in the filter index before the import began.
    func wasIndexed(_ id: Opportunity.ID) -> Bool { id.rawValue < firstNewID }
}

extension SQLiteTransaction: ImportTransaction {
    convenience init(importingInto db: Database, path: String) throws {
        self.init(db, path: path)
        try beginBulkWrite(settingAsideIndexesOf: Self.indexesRebuiltAfterImport)
    }

    /// Sets the filter index's triggers aside, and the secondary indexes of those of `tables`
    /// that are empty (but the ones named beside each, and unique ones, which keep their
    /// rows unique as they go in); `finishImport` puts all back.
    func beginBulkWrite(settingAsideIndexesOf tables: [String: Set<String>]) throws {
        let firstNewID = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM opportunity") ?? 0) + 1
        try db.execute(sql: "DROP TRIGGER opportunity_search_after_insert; DROP TRIGGER opportunity_search_after_update")
        var dropped: [(table: String, sql: String)] = []
        for table in tables.keys.sorted() where try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))") == true {
            let kept = tables[table] ?? []
            for index in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                          arguments: [table]) {
                let name: String = index["name"], sql: String = index["sql"]
                guard !kept.contains(name), !sql.uppercased().hasPrefix("CREATE UNIQUE") else { continue }
                try db.execute(sql: "DROP INDEX \"\(name)\"")
                dropped.append((table, sql))
            }
        }
        importState = ImportState(firstNewID: firstNewID, droppedIndexes: dropped)
    }

    /// The tables whose indexes an import into them while empty builds at its end, each with
    /// the indexes it keeps because the import itself reads through them: a record by its
    /// External ID (which also keeps External IDs unique as rows go in), a column's top rank.
    static let indexesRebuiltAfterImport: [String: Set<String>] = [
        "opportunity": ["opportunity_by_external_id", "opportunity_column"],
        "stage_history": [],
    ]

    /// A restore writes into emptied tables only, and reads nothing back until it is done.
    static let indexesRebuiltAfterRestore: [String: Set<String>] = [
        "opportunity": [], "stage_history": [], "activity": [], "deal_note": [],
    ]

    /// Indexes the new records and puts the index triggers back, before the commit.
    /// `beforeIndexingRecords` runs once every other table's indexes are built and before the
    /// records' own: a restore fills in every record's activity glance there (see
    /// `refreshAllActivityGlances`).
    func finishImport(beforeIndexingRecords: () throws -> Void = {}) throws {
        guard let state = importState else { return }
        importState = nil
        // The triggers first: their rows in the schema table may need a new page, which then
        // comes before the index's new pages instead of at the end of the file.
        try db.execute(sql: Schema.searchInsertTrigger)
        try db.execute(sql: Schema.searchUpdateTrigger)
        // The same statements the migrations ran: the schema is as it was, sorted once.
        for index in state.droppedIndexes where index.table != "opportunity" { try db.execute(sql: index.sql) }
        try beforeIndexingRecords()
        for index in state.droppedIndexes where index.table == "opportunity" { try db.execute(sql: index.sql) }
        try db.execute(sql: "INSERT INTO opportunity_search (rowid, search_text) SELECT id, search_text FROM opportunity WHERE id >= ?",
                       arguments: [state.firstNewID])
    }

    /// A record that was in the index before the import: its entry follows its new text
    /// (what the update trigger does outside imports). `indexed` is the text it was
    /// indexed under: FTS5 removes an entry by the terms it was added with.
    func reindex(_ id: Opportunity.ID, from indexed: String) throws {
        let new: String? = try fetchOne("SELECT search_text FROM opportunity WHERE id = ?", [id.rawValue])
        guard let new, new != indexed else { return }
        try db.cachedStatement(sql: "INSERT INTO opportunity_search (opportunity_search, rowid, search_text) VALUES ('delete', ?, ?)")
            .execute(arguments: [id.rawValue, indexed])
        try db.cachedStatement(sql: "INSERT INTO opportunity_search (rowid, search_text) VALUES (?, ?)")
            .execute(arguments: [id.rawValue, new])
    }

    func recordID(externalID: String) throws -> Opportunity.ID? {
        try (fetchOne("SELECT id FROM opportunity WHERE external_id = ?", [externalID]) as Int64?).map(Opportunity.ID.init)
    }

    func externalID(ofRecord id: Opportunity.ID) throws -> String? {
        try fetchOne("SELECT external_id FROM opportunity WHERE id = ?", [id.rawValue])
    }

    func stageID(externalID: String) throws -> Stage.ID? {
        try (fetchOne("SELECT id FROM stage WHERE external_id = ?", [externalID]) as Int64?).map(Stage.ID.init)
    }

    /// One indexed lookup per name: in-process, a query costs a few microseconds, and no
    /// round trip is saved by asking them together.
    func recordsNamed(externalIDs: [String], ids: [Opportunity.ID]) throws -> ImportNames {
        var names = ImportNames()
        for externalID in externalIDs {
            if let id = try recordID(externalID: externalID) { names.byExternalID[externalID] = id }
        }
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM opportunity WHERE id = ? AND external_id IS NULL")
        for id in ids where try Bool.fetchOne(statement, arguments: [id.rawValue]) != nil {
            names.withoutExternalID.insert(id)
        }
        return names
    }
}

extension SQLiteTransaction: RestoreTransaction {
    func insert(_ team: BackupTeam) throws {
        try db.execute(sql: "INSERT INTO team (id, name, name_key, created_at, version) VALUES (?, ?, ?, ?, ?)",
                       arguments: [team.team.id.rawValue, team.team.name, TextInput.nameKey(team.team.name),
                                   team.createdAt.millisecondsSince1970, team.team.version])
    }

    func insert(_ stage: Stage, externalID: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO stage (id, name, name_key, sort_order, probability, auto_probability, requirements, folded, outcome,
                                   team_id, version, external_id, rotting_days)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [stage.id.rawValue, stage.name, TextInput.nameKey(stage.name), stage.sortOrder, stage.probability.basisPoints,
                        stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded, stage.outcome.rawValue,
                        stage.scope.team?.rawValue, stage.version, externalID, stage.rottingDays])
    }

    func insert(_ record: Opportunity, externalID: String?) throws {
        var insert = try BoundStatement(db.cachedStatement(sql: Rows.restoreSQL))
        try Rows.bind(record, to: &insert)
        try insert.bind(externalID)
        try insert.bind(record.id.rawValue)
        try insert.bind(record.version)
        try insert.execute()
    }

    func insert(_ entry: BackupHistoryEntry) throws {
        var insert = try BoundStatement(db.cachedStatement(sql: """
                INSERT INTO stage_history (id, opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                           event, probability, amount, currency, reason, stage_outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
        try insert.bind(entry.id)
        try insert.bind(entry.opportunity.rawValue)
        try insert.bind(entry.from?.rawValue)
        try insert.bind(entry.to?.rawValue)
        try insert.bind(entry.fromName)
        try insert.bind(entry.toName)
        try insert.bind(entry.at.millisecondsSince1970)
        try insert.bind(entry.by)
        try insert.bind(entry.event.rawValue)
        try insert.bind(entry.probability?.basisPoints)
        try insert.bind(entry.amount?.minorUnits)
        try insert.bind(entry.amount?.currency.code)
        try insert.bind(entry.reason)
        try insert.bind(entry.stageOutcome?.rawValue)
        try insert.execute()
    }
}
