import GRDB
import PipelineCore
import PipelineStorage

/// Activities, notes and activity types (issue 13): the primitives as SQL.
extension SQLiteTransaction {
    func activityTypes() throws -> [ActivityType] {
        try naming {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.activityTypeColumns) FROM activity_type ORDER BY sort_order, id"))
                .map(Rows.activityType)
        }
    }

    func activityCount(ofType type: ActivityType.ID) throws -> Int? {
        try fetchOne("SELECT count(*) FROM activity WHERE type_id = ?", [type.rawValue]) ?? 0
    }

    func activity(_ id: Activity.ID) throws -> Activity? {
        try naming {
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Rows.activityColumns) FROM activity WHERE id = ?"), arguments: [id.rawValue])
                .map(Rows.activity)
        }
    }

    func activities(of record: Opportunity.ID) throws -> [Activity] {
        try naming {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Rows.activityColumns) FROM activity WHERE record_id = ?
                ORDER BY done_at IS NOT NULL,
                         CASE WHEN done_at IS NULL THEN due END, CASE WHEN done_at IS NULL THEN coalesce(due_time, 1440) END,
                         done_at DESC, id
                """), arguments: [record.rawValue]).map(Rows.activity)
        }
    }

    func activities(_ query: ActivityQuery, after cursor: ActivityCursor?, limit: Int) throws -> [Activity] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        switch query.scope {
        case .assignee(let login): conditions.append("assigned_to = ?"); arguments += [login]
        case .assigneeIgnoringCase(let name): conditions.append("assigned_to = ? COLLATE NOCASE"); arguments += [name]
        case .team(let team): conditions.append("record_id IN (SELECT id FROM opportunity WHERE team_id = ?)"); arguments += [team.rawValue]
        case .everyone: break
        }
        if !query.includeDone { conditions.append("done_at IS NULL") }
        if !query.includeClosed { conditions.append(Self.recordHasActivitiesToDo) }
        let (from, through) = query.dueBounds
        if let from { conditions.append("due >= ?"); arguments += [from.iso8601] }
        if let through { conditions.append("due <= ?"); arguments += [through.iso8601] }
        if let cursor {
            conditions.append("(due, coalesce(due_time, 1440), id) > (?, ?, ?)")
            arguments += [cursor.due.iso8601, cursor.timeKey, cursor.id.rawValue]
        }
        arguments += [limit]
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try naming {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Rows.activityColumns) FROM activity \(condition) ORDER BY due, coalesce(due_time, 1440), id LIMIT ?
                """), arguments: arguments).map(Rows.activity)
        }
    }

    /// `Opportunity.hasActivitiesToDo` as a test of an activity's record, one primary-key
    /// look-up per activity the list's index walk reaches: active, and not in a lost stage.
    static let recordHasActivitiesToDo = """
        EXISTS (SELECT 1 FROM opportunity o LEFT JOIN stage s ON s.id = o.stage_id
                WHERE o.id = activity.record_id AND o.active = 1 AND coalesce(s.outcome, 'open') <> 'lost')
        """

    func note(_ id: DealNote.ID) throws -> DealNote? {
        try naming {
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Rows.noteColumns) FROM deal_note WHERE id = ?"), arguments: [id.rawValue])
                .map(Rows.note)
        }
    }

    func notes(of record: Opportunity.ID) throws -> [DealNote] {
        try naming {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.noteColumns) FROM deal_note WHERE record_id = ? ORDER BY id"),
                             arguments: [record.rawValue]).map(Rows.note)
        }
    }

    func forEachActivity(_ body: (Activity) throws -> Void) throws {
        try forEachStatementRow("SELECT \(Rows.activityColumns) FROM activity ORDER BY id") { row in
            try body(try naming { try Rows.activity(row) })
        }
    }

    func forEachNote(_ body: (DealNote) throws -> Void) throws {
        try forEachStatementRow("SELECT \(Rows.noteColumns) FROM deal_note ORDER BY id") { row in
            try body(try naming { try Rows.note(row) })
        }
    }

    /// A file has no users: its owner gives activities to anyone.
    func memberLogins(of team: Team.ID) throws -> Set<String>? { nil }

    func staleActivityGlances(limit: Int) throws -> [Opportunity.ID] {
        try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT o.id FROM opportunity o
            WHERE o.next_activity_date IS NOT (\(Self.nextDueSQL("o.id", column: "due")))
               OR o.next_activity_time IS NOT (\(Self.nextDueSQL("o.id", column: "due_time")))
               OR o.latest_open_due IS NOT (SELECT max(due) FROM activity WHERE record_id = o.id AND done_at IS NULL)
            ORDER BY o.id LIMIT ?
            """), arguments: [limit]).map(Opportunity.ID.init)
    }

    func storedCurrencies() throws -> [StoredCurrency] {
        try Row.fetchAll(db, sql: StoredCurrency.sql).map { row in
            StoredCurrency(table: row[0], code: (row[1] as String?) ?? "", firstID: row[2], rows: row[3])
        }
    }

    /// A record's earliest open activity's `column`, by (due, time nulls last, id).
    static func nextDueSQL(_ record: String, column: String) -> String {
        "SELECT \(column) FROM activity WHERE record_id = \(record) AND done_at IS NULL ORDER BY due, coalesce(due_time, 1440), id LIMIT 1"
    }

    // MARK: - Writing

    func insertActivityType(_ type: ActivityType) throws -> ActivityType.ID {
        try db.execute(sql: "INSERT INTO activity_type (name, name_key, next_type_id, next_delay_days, sort_order) VALUES (?, ?, ?, ?, ?)",
                       arguments: [type.name, TextInput.nameKey(type.name), type.nextType?.rawValue, type.nextDelayDays, type.sortOrder])
        return ActivityType.ID(db.lastInsertedRowID)
    }

    func updateActivityType(_ type: ActivityType, expectedVersion: Int) throws -> Bool {
        try db.execute(sql: """
            UPDATE activity_type SET name = ?, name_key = ?, next_type_id = ?, next_delay_days = ?, sort_order = ?, version = version + 1
            WHERE id = ? AND version = ?
            """, arguments: [type.name, TextInput.nameKey(type.name), type.nextType?.rawValue, type.nextDelayDays, type.sortOrder,
                             type.id.rawValue, expectedVersion])
        return db.changesCount == 1
    }

    func deleteActivityType(_ id: ActivityType.ID, expectedVersion: Int) throws -> Bool {
        try db.execute(sql: "DELETE FROM activity_type WHERE id = ? AND version = ?", arguments: [id.rawValue, expectedVersion])
        return db.changesCount == 1
    }

    func insertActivity(_ activity: Activity) throws -> Activity.ID {
        try db.cachedStatement(sql: """
            INSERT INTO activity (record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback,
                                  created_at, created_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: StatementArguments(Rows.values(of: activity)))
        return Activity.ID(db.lastInsertedRowID)
    }

    func updateActivity(_ activity: Activity, expectedVersion: Int) throws -> Bool {
        try db.cachedStatement(sql: """
            UPDATE activity SET record_id = ?, type_id = ?, summary = ?, due = ?, due_time = ?, assigned_to = ?, notes = ?,
                                done_at = ?, done_by = ?, feedback = ?, created_at = ?, created_by = ?, updated_at = ?,
                                version = version + 1
            WHERE id = ? AND version = ?
            """).execute(arguments: StatementArguments(Rows.values(of: activity)
                + [activity.id.rawValue.databaseValue, expectedVersion.databaseValue]))
        return db.changesCount == 1
    }

    func deleteActivity(_ id: Activity.ID, expectedVersion: Int) throws -> Bool {
        try db.execute(sql: "DELETE FROM activity WHERE id = ? AND version = ?", arguments: [id.rawValue, expectedVersion])
        return db.changesCount == 1
    }

    func insertNote(_ note: DealNote) throws -> DealNote.ID {
        try db.execute(sql: "INSERT INTO deal_note (record_id, text, author, created_at) VALUES (?, ?, ?, ?)",
                       arguments: [note.record.rawValue, note.text, note.author, note.at.millisecondsSince1970])
        return DealNote.ID(db.lastInsertedRowID)
    }

    func deleteNote(_ id: DealNote.ID) throws -> Bool {
        try db.execute(sql: "DELETE FROM deal_note WHERE id = ?", arguments: [id.rawValue])
        return db.changesCount == 1
    }

    /// Three subqueries on the record's open activities, through their partial index; the
    /// row's version, totals and filter index are untouched (no trigger watches these columns).
    func refreshActivityGlance(of record: Opportunity.ID) throws {
        try db.cachedStatement(sql: """
            UPDATE opportunity SET
                next_activity_date = (\(Self.nextDueSQL("opportunity.id", column: "due"))),
                next_activity_time = (\(Self.nextDueSQL("opportunity.id", column: "due_time"))),
                latest_open_due = (SELECT max(due) FROM activity WHERE record_id = opportunity.id AND done_at IS NULL)
            WHERE id = ?
            """).execute(arguments: [record.rawValue])
    }

    // MARK: - Restoring

    /// The first type a backup restores replaces the ones the new database was seeded with;
    /// a backup without types (written before issue 13) keeps them.
    func insert(_ type: ActivityType) throws {
        if !restoredActivityTypes {
            try db.execute(sql: "DELETE FROM activity_type")
            restoredActivityTypes = true
        }
        try db.execute(sql: """
            INSERT INTO activity_type (id, name, name_key, next_type_id, next_delay_days, sort_order, version) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [type.id.rawValue, type.name, TextInput.nameKey(type.name), type.nextType?.rawValue, type.nextDelayDays,
                             type.sortOrder, type.version])
    }

    func insert(_ activity: Activity) throws {
        var insert = try BoundStatement(db.cachedStatement(sql: """
            INSERT INTO activity (record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback,
                                  created_at, created_by, updated_at, id, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
        for value in Rows.values(of: activity) { try insert.bind(value) }
        try insert.bind(activity.id.rawValue)
        try insert.bind(activity.version)
        try insert.execute()
    }

    /// Every record's glance from its activities (after a restore), a batch of records in id
    /// order per statement. One statement over every record kept a copy of each page it
    /// changed in its statement journal (in memory: `temp_store = MEMORY`) until it ended —
    /// 29 MB of a 100,000-deal restore's 81 MB peak, growing with the file; a batch's journal
    /// holds only its own records' pages. A restore runs this before the records' indexes are
    /// built (`finishImport`), so that it changes table pages only, in order.
    func refreshAllActivityGlances(batch: Int = SQLiteTransaction.glanceBatch) throws {
        let batchEnd = try db.cachedStatement(sql: "SELECT id FROM opportunity WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?")
        let update = try db.cachedStatement(sql: """
            UPDATE opportunity SET
                next_activity_date = (\(Self.nextDueSQL("opportunity.id", column: "due"))),
                next_activity_time = (\(Self.nextDueSQL("opportunity.id", column: "due_time"))),
                latest_open_due = (SELECT max(due) FROM activity WHERE record_id = opportunity.id AND done_at IS NULL)
            WHERE id > ? AND id <= ? AND EXISTS (SELECT 1 FROM activity WHERE record_id = opportunity.id)
            """)
        var after = Int64.min
        while true {
            let end = try Int64.fetchOne(batchEnd, arguments: [after, max(batch, 1) - 1])
            try update.execute(arguments: [after, end ?? Int64.max])
            guard let end else { return }
            after = end
        }
    }

    /// Records per statement of `refreshAllActivityGlances`: about 2 MB of statement journal.
    static let glanceBatch = 10_000

    func insert(_ note: DealNote) throws {
        var insert = try BoundStatement(db.cachedStatement(sql: "INSERT INTO deal_note (id, record_id, text, author, created_at) VALUES (?, ?, ?, ?, ?)"))
        try insert.bind(note.id.rawValue)
        try insert.bind(note.record.rawValue)
        try insert.bind(note.text)
        try insert.bind(note.author)
        try insert.bind(note.at.millisecondsSince1970)
        try insert.execute()
    }
}
