import PipelineCore
import PipelineStorage
import PostgresClient

/// Activities, notes and activity types (issue 13): the SQLite engine's statements in
/// PostgreSQL's terms; row security decides what each user reads and writes.
extension PostgresTransaction {
    func activityTypes() throws -> [ActivityType] {
        try rows("SELECT \(PostgresRows.activityTypeColumns) FROM activity_type ORDER BY sort_order, id").map(PostgresRows.activityType)
    }

    func activityCount(ofType type: ActivityType.ID) throws -> Int? {
        // Row security counts only what the reader sees; the schema's function says (yes or
        // no, never how many) whether others' activities have the type too.
        let used = try rows("SELECT pipeline_activity_type_used_out_of_sight($1), (SELECT count(*) FROM activity WHERE type_id = $1)",
                            [type.rawValue]).first
        if try used?.bool(0) == true { return nil }
        return try used?.int(1) ?? 0
    }

    func activity(_ id: Activity.ID) throws -> Activity? {
        try rows("SELECT \(PostgresRows.activityColumns) FROM activity WHERE id = $1", [id.rawValue]).first.map(PostgresRows.activity)
    }

    func activities(of record: Opportunity.ID) throws -> [Activity] {
        try rows("""
            SELECT \(PostgresRows.activityColumns) FROM activity WHERE record_id = $1
            ORDER BY done_at IS NOT NULL,
                     CASE WHEN done_at IS NULL THEN due END, CASE WHEN done_at IS NULL THEN coalesce(due_time, 1440) END,
                     done_at DESC, id
            """, [record.rawValue]).map(PostgresRows.activity)
    }

    func activities(_ query: ActivityQuery, after cursor: ActivityCursor?, limit: Int) throws -> [Activity] {
        var conditions: [String] = []
        var parameters: PostgresParameters = []
        switch query.scope {
        case .assignee(let login):
            parameters.append(login)
            conditions.append("assigned_to = $\(parameters.count)")
        case .assigneeIgnoringCase(let name):
            parameters.append(name)
            conditions.append("lower(assigned_to) = lower($\(parameters.count))")
        case .team(let team):
            parameters.append(team.rawValue)
            conditions.append("record_id IN (SELECT id FROM opportunity WHERE team_id = $\(parameters.count))")
        case .everyone: break
        }
        if !query.includeDone { conditions.append("done_at IS NULL") }
        if !query.includeClosed { conditions.append(Self.recordHasActivitiesToDo) }
        let (from, through) = query.dueBounds
        if let from { parameters.append(from.iso8601); conditions.append("due >= $\(parameters.count)") }
        if let through { parameters.append(through.iso8601); conditions.append("due <= $\(parameters.count)") }
        if let cursor {
            parameters += [cursor.due.iso8601, cursor.timeKey, cursor.id.rawValue]
            let n = parameters.count
            conditions.append("(due, coalesce(due_time, 1440), id) > ($\(n - 2), $\(n - 1)::integer, $\(n))")
        }
        parameters.append(limit)
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try rows("""
            SELECT \(PostgresRows.activityColumns) FROM activity \(condition)
            ORDER BY due, coalesce(due_time, 1440), id LIMIT $\(parameters.count)
            """, parameters).map(PostgresRows.activity)
    }

    /// `Opportunity.hasActivitiesToDo` as a test of an activity's record, one primary-key
    /// look-up per activity the list's index walk reaches: active, and not in a lost stage.
    static let recordHasActivitiesToDo = """
        EXISTS (SELECT 1 FROM opportunity o LEFT JOIN stage s ON s.id = o.stage_id
                WHERE o.id = activity.record_id AND o.active AND coalesce(s.outcome, 'open') <> 'lost')
        """

    func note(_ id: DealNote.ID) throws -> DealNote? {
        try rows("SELECT \(PostgresRows.noteColumns) FROM deal_note WHERE id = $1", [id.rawValue]).first.map(PostgresRows.note)
    }

    func notes(of record: Opportunity.ID) throws -> [DealNote] {
        try rows("SELECT \(PostgresRows.noteColumns) FROM deal_note WHERE record_id = $1 ORDER BY id", [record.rawValue]).map(PostgresRows.note)
    }

    func forEachActivity(_ body: (Activity) throws -> Void) throws {
        try forEachRow("SELECT \(PostgresRows.activityColumns) FROM activity ORDER BY id") { try body(try PostgresRows.activity($0)) }
    }

    func forEachNote(_ body: (DealNote) throws -> Void) throws {
        try forEachRow("SELECT \(PostgresRows.noteColumns) FROM deal_note ORDER BY id") { try body(try PostgresRows.note($0)) }
    }

    /// The team's members as the server lists them (a member sees their teams' memberships).
    func memberLogins(of team: Team.ID) throws -> Set<String>? {
        Set(try rows("SELECT login FROM team_member WHERE team_id = $1", [team.rawValue]).map { try $0.string(0) })
    }

    func staleActivityGlances(limit: Int) throws -> [Opportunity.ID] {
        try rows("""
            SELECT o.id FROM opportunity o
            WHERE o.next_activity_date IS DISTINCT FROM (\(Self.nextDueSQL("o.id", column: "due")))
               OR o.next_activity_time IS DISTINCT FROM (\(Self.nextDueSQL("o.id", column: "due_time")))
               OR o.latest_open_due IS DISTINCT FROM (SELECT max(due) FROM activity WHERE record_id = o.id AND done_at IS NULL)
            ORDER BY o.id LIMIT $1
            """, [Int64(clamping: limit)]).map { Opportunity.ID(try $0.int64(0)) }
    }

    func storedCurrencies() throws -> [StoredCurrency] {
        try rows(StoredCurrency.sql).map { row in
            StoredCurrency(table: try row.string(0), code: try row.string(1), firstID: try row.int64(2), rows: Int(try row.int64(3)))
        }
    }

    static func nextDueSQL(_ record: String, column: String) -> String {
        "SELECT \(column) FROM activity WHERE record_id = \(record) AND done_at IS NULL ORDER BY due, coalesce(due_time, 1440), id LIMIT 1"
    }

    // MARK: - Writing

    func insertActivityType(_ type: ActivityType) throws -> ActivityType.ID {
        ActivityType.ID(try returnedID("""
            INSERT INTO activity_type (name, name_key, next_type_id, next_delay_days, sort_order) VALUES ($1, $2, $3, $4, $5) RETURNING id
            """, [type.name, TextInput.nameKey(type.name), type.nextType?.rawValue, type.nextDelayDays, type.sortOrder]))
    }

    func updateActivityType(_ type: ActivityType, expectedVersion: Int) throws -> Bool {
        try run("""
            UPDATE activity_type SET name = $1, name_key = $2, next_type_id = $3, next_delay_days = $4, sort_order = $5,
                                     version = version + 1
            WHERE id = $6 AND version = $7
            """, [type.name, TextInput.nameKey(type.name), type.nextType?.rawValue, type.nextDelayDays, type.sortOrder,
                  type.id.rawValue, expectedVersion]).affectedRows == 1
            || refuseWhenSkipped(table: "activity_type", id: type.id.rawValue, expectedVersion: expectedVersion)
    }

    func deleteActivityType(_ id: ActivityType.ID, expectedVersion: Int) throws -> Bool {
        try run("DELETE FROM activity_type WHERE id = $1 AND version = $2", [id.rawValue, expectedVersion]).affectedRows == 1
            || refuseWhenSkipped(table: "activity_type", id: id.rawValue, expectedVersion: expectedVersion)
    }

    func insertActivity(_ activity: Activity) throws -> Activity.ID {
        Activity.ID(try returnedID("""
            INSERT INTO activity (record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback,
                                  created_at, created_by, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
            """, PostgresRows.values(of: activity)))
    }

    func updateActivity(_ activity: Activity, expectedVersion: Int) throws -> Bool {
        try run("""
            UPDATE activity SET record_id = $1, type_id = $2, summary = $3, due = $4, due_time = $5, assigned_to = $6, notes = $7,
                                done_at = $8, done_by = $9, feedback = $10, created_at = $11, created_by = $12, updated_at = $13,
                                version = version + 1
            WHERE id = $14 AND version = $15
            """, PostgresRows.values(of: activity) + [activity.id.rawValue, expectedVersion]).affectedRows == 1
            || refuseWhenSkipped(table: "activity", id: activity.id.rawValue, expectedVersion: expectedVersion)
    }

    func deleteActivity(_ id: Activity.ID, expectedVersion: Int) throws -> Bool {
        try run("DELETE FROM activity WHERE id = $1 AND version = $2", [id.rawValue, expectedVersion]).affectedRows == 1
            || refuseWhenSkipped(table: "activity", id: id.rawValue, expectedVersion: expectedVersion)
    }

    func insertNote(_ note: DealNote) throws -> DealNote.ID {
        DealNote.ID(try returnedID("INSERT INTO deal_note (record_id, text, author, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                                   [note.record.rawValue, note.text, note.author, note.at.millisecondsSince1970]))
    }

    func deleteNote(_ id: DealNote.ID) throws -> Bool {
        guard try run("DELETE FROM deal_note WHERE id = $1", [id.rawValue]).affectedRows == 0 else { return true }
        // The note is there and was kept: row security refused it.
        guard try int64("SELECT id FROM deal_note WHERE id = $1", [id.rawValue]) == nil else {
            throw PostgresError(.permissionDenied, sqlState: "42501", serverMessage: "row-level security kept the deal_note \(id) unchanged",
                                constraint: "pipeline.rowSecurity", target: connection.target)
        }
        return false
    }

    /// Three subqueries on the record's open activities through their partial index; the
    /// row's version stays (the glance is not content).
    func refreshActivityGlance(of record: Opportunity.ID) throws {
        try run("""
            UPDATE opportunity SET
                next_activity_date = (\(Self.nextDueSQL("opportunity.id", column: "due"))),
                next_activity_time = (\(Self.nextDueSQL("opportunity.id", column: "due_time"))),
                latest_open_due = (SELECT max(due) FROM activity WHERE record_id = opportunity.id AND done_at IS NULL)
            WHERE id = $1
            """, [record.rawValue])
    }

    /// Every record's glance from its activities, in one statement (after a restore, whose
    /// records all arrive without one): one sorted pass over the open activities, the first
    /// of each record in `nextDueSQL`'s order and the latest due date, written to the records
    /// that have one. Set-based rather than three subqueries a record, so it needs none of
    /// activity's indexes, which an owner's restore builds only at its end (issue 15: the
    /// subqueries' UPDATE was 44 s of a 100,000-deal `db copy`'s 135 s).
    func refreshAllActivityGlances() throws {
        try run("""
            UPDATE opportunity o SET next_activity_date = g.due, next_activity_time = g.due_time, latest_open_due = g.latest
            FROM (SELECT DISTINCT ON (record_id) record_id, due, due_time, max(due) OVER (PARTITION BY record_id) AS latest
                  FROM activity WHERE done_at IS NULL
                  ORDER BY record_id, due, coalesce(due_time, 1440), id) g
            WHERE o.id = g.record_id
            """)
    }

    /// As `refuseWhenRowSecuritySkipped` of the records: a row there at that version that the
    /// statement did not change was refused by row security.
    private func refuseWhenSkipped(table: String, id: Int64, expectedVersion: Int) throws -> Bool {
        guard try int64("SELECT version FROM \(table) WHERE id = $1", [id]) == Int64(expectedVersion) else { return false }
        throw PostgresError(.permissionDenied, sqlState: "42501", serverMessage: "row-level security kept the \(table) \(id) unchanged",
                            constraint: "pipeline.rowSecurity", target: connection.target)
    }
}
