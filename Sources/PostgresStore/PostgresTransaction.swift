import PipelineCore
import PipelineStorage
import PostgresClient

/// One PostgreSQL transaction: the engine's reads and writes, as the storage module's
/// operations ask for them. The SQL is the SQLite engine's, statement for statement, in
/// PostgreSQL's terms; each statement is prepared once per session.
final class PostgresTransaction {
    let connection: PostgresConnection
    /// Set when a statement failed in a way that running the whole transaction again may
    /// cure (a serialization failure, a deadlock), even if the operation caught it.
    private(set) var failedRetryably = false
    /// Set when the connection broke under a statement.
    private(set) var lostConnection = false
    private var cursorCount = 0
    /// The records and history lines an import or a restore holds to write together (set by
    /// the engine for those transactions only); sent before any other statement.
    var pendingRows: PendingRows?
    /// The teams and stages as this transaction sees them, when the engine read them in the
    /// round trip that began it (a write's, see `PostgresEngine.writing`); forgotten as soon
    /// as the transaction writes a team or a stage.
    var knownCatalog: StageCatalog?
    /// Who acts, once read in this transaction (a write's reads it in the round trip that
    /// began it): every operation asks before writing, and a round trip made while holding
    /// the writers' queue is one every writer behind waits for.
    var knownAccess: Access?
    /// Set by a restore's first activity type (which replaces the seeded ones).
    var restoredActivityTypes = false

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    // MARK: - Statements

    /// Runs a statement prepared once per session (the same text is the same statement).
    @discardableResult
    func run(_ sql: String, _ parameters: PostgresParameters = []) throws(PostgresError) -> PostgresResult {
        try flushPendingRows()
        do {
            return try connection.execute(try connection.prepare(sql), parameters)
        } catch {
            note(error)
            throw error
        }
    }

    /// Runs a statement planned for these very parameters (the filter's: a plan chosen for
    /// `%hop%` should not serve `%a%`).
    @discardableResult
    func runPlannedEachTime(_ sql: String, _ parameters: PostgresParameters = []) throws(PostgresError) -> PostgresResult {
        try flushPendingRows()
        do {
            return try connection.execute(sql, parameters)
        } catch {
            note(error)
            throw error
        }
    }

    /// Runs a script without parameters (`SET LOCAL`, `DECLARE`).
    func script(_ sql: String) throws(PostgresError) {
        try flushPendingRows()
        do {
            try connection.executeScript(sql)
        } catch {
            note(error)
            throw error
        }
    }

    /// Sends the rows held by an import or a restore (`PendingRows`), if any. Every other
    /// statement calls it first, so what it reads or changes sees them.
    func flushPendingRows() throws(PostgresError) {
        guard let pendingRows, !pendingRows.isEmpty else { return }
        do {
            try pendingRows.flush(connection)
        } catch {
            note(error)
            throw error
        }
    }

    /// Holds a new record of an import (see `PendingRows`); its id is reserved at once.
    func holdRecord(_ record: Opportunity, externalID: String?, in pending: PendingRows) throws(PostgresError) -> Opportunity.ID {
        do {
            let id = try pending.nextRecordID(connection)
            try pending.appendRecord(PostgresRows.parameters(of: record, then: [externalID, id]))
            if pending.isFull { try flushPendingRows() }
            return Opportunity.ID(id)
        } catch {
            note(error)
            throw error
        }
    }

    /// Holds a row for one of the pending COPYs, sending them when enough have gathered.
    func hold(_ append: (PendingRows) throws(PostgresError) -> Void, in pending: PendingRows) throws(PostgresError) {
        do {
            try append(pending)
            if pending.isFull { try flushPendingRows() }
        } catch {
            note(error)
            throw error
        }
    }

    private func note(_ error: PostgresError) {
        if error.kind == .serializationFailure || error.kind == .deadlock { failedRetryably = true }
        if error.isConnectionLost { lostConnection = true }
    }

    func rows(_ sql: String, _ parameters: PostgresParameters = []) throws(PostgresError) -> [PostgresRow] {
        try run(sql, parameters).rows
    }

    func opportunities(_ sql: String, _ parameters: PostgresParameters = []) throws -> [Opportunity] {
        try rows(sql, parameters).map(PostgresRows.opportunity)
    }

    func int64(_ sql: String, _ parameters: PostgresParameters = []) throws -> Int64? {
        try rows(sql, parameters).first.flatMap { try $0.optionalInt64(0) }
    }

    /// The rows of a query that may be long, a thousand at a time through a cursor, so that
    /// memory does not grow with the database (the SQLite engine steps a statement).
    func forEachRow(_ sql: String, _ parameters: PostgresParameters = [], _ body: (PostgresRow) throws -> Void) throws {
        cursorCount += 1
        let name = "pipeline_rows_\(cursorCount)"
        try flushPendingRows()
        do {
            try connection.execute("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", parameters)
        } catch {
            note(error)
            throw error
        }
        let fetch = "FETCH FORWARD \(Self.cursorBatch) FROM \(name)"
        while true {
            let batch = try rows(fetch)
            for row in batch { try body(row) }
            if batch.count < Self.cursorBatch { break }
        }
        try script("CLOSE \(name)")
    }

    static let cursorBatch = 1000
}

// MARK: - Reading

extension PostgresTransaction: StoreReader {
    /// The session user's role and teams, as the server's policies see them
    /// (`pipeline_role()`: a superuser or the tables' owner is an administrator without a
    /// row). A login that is no user (never added, or removed) is a salesperson of no team:
    /// it sees and changes nothing. Read through the schema's functions, which every login
    /// may call, so that a removed user learns it from this and not from a refusal.
    func access() throws -> Access {
        if let knownAccess { return knownAccess }
        guard let row = try rows(Self.accessSQL).first else {
            throw PostgresError(.unexpectedValue, serverMessage: "the session user could not be read", target: connection.target)
        }
        let access = try Self.access(row)
        knownAccess = access
        return access
    }

    /// Who the session user is: role, teams, and — since the server shows a manager only
    /// their own teams, which alone cannot tell one team of several from the only one —
    /// whether they manage every team (what a shared stage asks).
    static let accessSQL = "SELECT session_user::text, pipeline_role(), pipeline_member_teams()::text, pipeline_manages_every_team()"

    static func access(_ row: PostgresRow) throws -> Access {
        let login = try row.string(0)
        guard let role = row.optionalString(1).flatMap(AccessRole.init(rawValue:)) else {
            return Access(login: login, role: .salesperson, teams: [], managesEveryTeam: false)
        }
        // An administrator is in every team; `Access` ignores their teams.
        let teams = role == .admin ? [] : try PostgresRows.int64Array(row.string(2)).map(Team.ID.init)
        return Access(login: login, role: role, teams: Set(teams), managesEveryTeam: row.optionalString(3) == "t")
    }

    func catalog() throws -> StageCatalog {
        if let knownCatalog { return knownCatalog }
        return try Self.catalog(stages: try rows(Self.stagesSQL), teams: try rows(Self.teamsSQL))
    }

    static let stagesSQL = "SELECT \(PostgresRows.stageColumns) FROM stage ORDER BY sort_order, id"
    static let teamsSQL = "SELECT \(PostgresRows.teamColumns) FROM team ORDER BY id"

    static func catalog(stages: [PostgresRow], teams: [PostgresRow]) throws -> StageCatalog {
        StageCatalog(teams: try teams.map(PostgresRows.team), stages: try stages.map(PostgresRows.stage))
    }

    func teamsWithCreation() throws -> [BackupTeam] {
        try rows("SELECT \(PostgresRows.teamColumns), created_at FROM team ORDER BY id").map { row in
            BackupTeam(team: try PostgresRows.team(row), createdAt: Timestamp(millisecondsSince1970: try row.int64(4)))
        }
    }

    func storedSetting(_ key: SettingKey) throws -> String? {
        try rows("SELECT value FROM setting WHERE key = $1", [key.rawValue]).first.flatMap { $0.optionalString(0) }
    }

    func storedPreference(_ key: SettingKey, user: String) throws -> String? {
        try rows("SELECT value FROM preference WHERE user_name = $1 AND key = $2", [user, key.rawValue]).first.flatMap { $0.optionalString(0) }
    }

    func storedPreferences() throws -> [Preference] {
        try rows("SELECT user_name, key, value FROM preference ORDER BY user_name, key").compactMap { row in
            // A key this version does not know (written by a newer one) is not a preference here.
            guard let key = SettingKey(rawValue: try row.string(1)) else { return nil }
            return Preference(user: try row.string(0), key: key, value: try row.string(2))
        }
    }

    func record(_ id: Opportunity.ID) throws -> Opportunity? {
        try opportunities("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE id = $1", [id.rawValue]).first
    }

    func records(titleKey: String, kind: RecordKind, limit: Int) throws -> [Opportunity] {
        try opportunities("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE title_key = $1 AND type = $2 ORDER BY id LIMIT $3",
                          [titleKey, kind.rawValue, limit])
    }

    func history(of id: Opportunity.ID) throws -> [StageHistoryEntry] {
        try rows("SELECT \(PostgresRows.historyColumns) FROM stage_history WHERE opportunity_id = $1 ORDER BY id", [id.rawValue])
            .map { try PostgresRows.historyLine($0, record: id, from: 0) }
    }

    func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws {
        var conditions = ["o.type = 'opportunity'"]
        var parameters: PostgresParameters = []
        if let team = filter.team { parameters.append(team.rawValue); conditions.append("o.team_id = $\(parameters.count)") }
        if let stage = filter.stage { parameters.append(stage.rawValue); conditions.append("o.stage_id = $\(parameters.count)") }
        if !filter.includeArchived { conditions.append("o.active") }
        if let salesperson = filter.salesperson {
            parameters.append(salesperson)
            conditions.append("lower(o.salesperson) = lower($\(parameters.count))")
        }
        if let day = filter.rotting {
            conditions.append("o.active")
            conditions.append(Self.rottingCondition(try rottingBounds(on: day, team: filter.team), alias: "o."))
        }
        try forEachRow("""
            SELECT \(PostgresRows.opportunityColumns(of: "o")) FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY s.sort_order, o.team_id, o.rank, o.id
            """, parameters) { row in try body(try PostgresRows.opportunity(row)) }
    }

    func forEachRecord(kind: RecordKind?, _ body: (Opportunity, String?) throws -> Void) throws {
        var sql = "SELECT \(PostgresRows.opportunityColumns), external_id FROM opportunity"
        var parameters: PostgresParameters = []
        if let kind { sql += " WHERE type = $1"; parameters.append(kind.rawValue) }
        try forEachRow(sql + " ORDER BY id", parameters) { row in
            try body(try PostgresRows.opportunity(row), row.optionalString(PostgresRows.opportunityColumnNames.count))
        }
    }

    func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws {
        try forEachRow("SELECT id, opportunity_id, \(PostgresRows.historyColumns) FROM stage_history ORDER BY id") { row in
            let line = try PostgresRows.historyLine(row, record: Opportunity.ID(try row.int64(1)), from: 2)
            let change = line.change
            try body(BackupHistoryEntry(id: try row.int64(0), opportunity: change.opportunity, from: change.from, to: change.to,
                                        fromName: line.fromName, toName: line.toName, at: change.at, by: change.by,
                                        event: change.event, probability: change.probability, amount: change.amount,
                                        reason: change.reason, stageOutcome: change.stageOutcome))
        }
    }

    func stageExternalIDs() throws -> [Stage.ID: String] {
        var result: [Stage.ID: String] = [:]
        for row in try rows("SELECT id, external_id FROM stage WHERE external_id IS NOT NULL") {
            result[Stage.ID(try row.int64(0))] = try row.string(1)
        }
        return result
    }

    func storedCounts() throws -> (records: Int, history: Int) {
        let row = try rows("SELECT (SELECT count(*) FROM opportunity), (SELECT count(*) FROM stage_history)").first
        return (try row?.int(0) ?? 0, try row?.int(1) ?? 0)
    }

    func rowCounts() throws -> StoredRowCounts {
        let row = try rows("""
            SELECT count(*) FILTER (WHERE type = 'lead'), count(*) FILTER (WHERE type = 'opportunity'),
                   (SELECT count(*) FROM stage_history), (SELECT count(*) FROM activity), (SELECT count(*) FROM deal_note)
            FROM opportunity
            """).first
        return StoredRowCounts(leads: try row?.int(0) ?? 0, opportunities: try row?.int(1) ?? 0, history: try row?.int(2) ?? 0,
                               activities: try row?.int(3) ?? 0, notes: try row?.int(4) ?? 0)
    }

    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures] {
        var sql = """
            SELECT stage_id, currency, sum(count), sum(expected_sum), sum(weighted_sum)
            FROM stage_total WHERE active
            """
        var parameters: PostgresParameters = []
        if let team { sql += " AND team_id = $1"; parameters.append(team.rawValue) }
        // Rows whose deals all left stay at zero; a currency with no deal must not show.
        sql += " GROUP BY stage_id, currency HAVING sum(count) > 0"
        var result: [Stage.ID: Figures] = [:]
        for row in try rows(sql, parameters) {
            result[Stage.ID(try row.int64(0)), default: Figures()].add(try PostgresRows.figures(row, currencyColumn: 1, countColumn: 2))
        }
        return result
    }

    /// The deals of the forecast range: open active deals without a lost reason.
    private func rangeCondition(team: Team.ID?, salesperson: String?) -> (sql: String, parameters: PostgresParameters) {
        var sql = """
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE o.type = 'opportunity' AND o.active AND o.lost_reason IS NULL AND s.outcome = 'open'
            """
        var parameters: PostgresParameters = []
        if let team { parameters.append(team.rawValue); sql += " AND o.team_id = $\(parameters.count)" }
        if let salesperson { parameters.append(salesperson); sql += " AND lower(o.salesperson) = lower($\(parameters.count))" }
        return (sql, parameters)
    }

    func forEachRangeRow(team: Team.ID?, salesperson: String?, _ body: (RangeRow) throws -> Void) throws {
        let condition = rangeCondition(team: team, salesperson: salesperson)
        try forEachRow("SELECT o.id, o.expected_revenue, o.currency, o.probability, o.expected_closing \(condition.sql) ORDER BY o.id",
                       condition.parameters) { row in
            try body(RangeRow(id: try row.int64(0), amount: try row.int64(1), currency: try row.string(2),
                              basisPoints: try row.optionalInt64(3).map(Int.init), closing: row.optionalString(4)))
        }
    }

    func forEachClosedDealLine(team: Team.ID?, _ body: (ClosedDealLine) throws -> Void) throws {
        // One ordered statement streamed through a cursor; the history's index on
        // (opportunity_id, id) serves the join (see the SQLite engine's).
        var sql = """
            SELECT o.id, o.stage_id, s.outcome, CASE WHEN o.lost_reason IS NULL THEN 0 ELSE 1 END, o.stage_changed_at,
                   h.from_stage_id, h.to_stage_id, h.changed_at, h.event, h.stage_outcome
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            LEFT JOIN stage_history h ON h.opportunity_id = o.id
            WHERE o.type = 'opportunity' AND (o.lost_reason IS NOT NULL OR s.outcome <> 'open')
            """
        var parameters: PostgresParameters = []
        if let team { parameters.append(team.rawValue); sql += " AND o.team_id = $1" }
        try forEachRow(sql + " ORDER BY o.id, h.id", parameters) { row in
            let deal = Opportunity.ID(try row.int64(0))
            var change: StageChange?
            if let changedAt = try row.optionalInt64(7) {
                change = StageChange(opportunity: deal, from: try row.optionalInt64(5).map(Stage.ID.init),
                                     to: try row.optionalInt64(6).map(Stage.ID.init), at: Timestamp(millisecondsSince1970: changedAt),
                                     by: "", event: HistoryEvent(rawValue: try row.string(8)) ?? .moved,
                                     stageOutcome: row.optionalString(9).flatMap(StageOutcome.init(rawValue:)))
            }
            try body(ClosedDealLine(deal: deal, stage: try row.optionalInt64(1).map(Stage.ID.init),
                                    stageOutcome: StageOutcome(rawValue: try row.string(2)) ?? .open, hasLostReason: try row.int64(3) != 0,
                                    stageChangedAt: Timestamp(millisecondsSince1970: try row.int64(4)), line: change))
        }
    }

    func forEachDealHistory(since: Timestamp, team: Team.ID?, salesperson: String?,
                            _ body: (Opportunity, StageHistoryEntry) throws -> Void) throws {
        // The deals from the lines since `since` (the index on changed_at, version 8), their
        // lines through the index on (opportunity_id, id); streamed, under row security.
        var sql = """
            SELECT \(PostgresRows.opportunityColumns(of: "o")), \(Self.prefixed(PostgresRows.historyColumns, "h"))
            FROM opportunity o JOIN stage_history h ON h.opportunity_id = o.id
            WHERE o.id IN (SELECT opportunity_id FROM stage_history WHERE changed_at >= $1) AND o.type = 'opportunity'
            """
        var parameters: PostgresParameters = [since.millisecondsSince1970]
        if let team { parameters.append(team.rawValue); sql += " AND o.team_id = $\(parameters.count)" }
        if let salesperson { parameters.append(salesperson); sql += " AND lower(o.salesperson) = lower($\(parameters.count))" }
        let first = PostgresRows.opportunityColumnNames.count
        try forEachRow(sql + " ORDER BY o.id, h.id", parameters) { row in
            let deal = try PostgresRows.opportunity(row)
            try body(deal, try PostgresRows.historyLine(row, record: deal.id, from: first))
        }
    }

    func forEachOverdueActivity(team: Team.ID?, salesperson: String?, today: CalendarDate,
                                _ body: (Activity, String) throws -> Void) throws {
        var sql = """
            SELECT \(Self.prefixed(PostgresRows.activityColumns, "a")), o.title
            FROM activity a JOIN opportunity o ON o.id = a.record_id LEFT JOIN stage s ON s.id = o.stage_id
            WHERE a.done_at IS NULL AND a.due < $1 AND o.type = 'opportunity' AND o.active AND coalesce(s.outcome, 'open') <> 'lost'
            """
        var parameters: PostgresParameters = [today.iso8601]
        if let team { parameters.append(team.rawValue); sql += " AND o.team_id = $\(parameters.count)" }
        if let salesperson { parameters.append(salesperson); sql += " AND lower(o.salesperson) = lower($\(parameters.count))" }
        let titleColumn = PostgresRows.activityColumns.split(separator: ",").count
        try forEachRow(sql + " ORDER BY a.due, coalesce(a.due_time, 1440), a.id", parameters) { row in
            try body(try PostgresRows.activity(row), try row.string(titleColumn))
        }
    }

    /// `id, name` as `o.id, o.name`.
    static func prefixed(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { alias + "." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }

    func forecastRows(team: Team.ID?, grouping: Forecast.Grouping, salesperson: String?) throws -> [Forecast.Row] {
        let key = grouping == .month ? "substr(o.expected_closing, 1, 7)" : "NULLIF(o.salesperson, '')"
        var sql = """
            SELECT \(key) AS key, o.currency, count(*), sum(o.expected_revenue), sum(o.weighted_revenue)
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE o.type = 'opportunity' AND o.active AND s.outcome = 'open'
            """
        var parameters: PostgresParameters = []
        if let team { parameters.append(team.rawValue); sql += " AND o.team_id = $\(parameters.count)" }
        if let salesperson { parameters.append(salesperson); sql += " AND lower(o.salesperson) = lower($\(parameters.count))" }
        // Keys in code-point order (the columns' "C" collation), the empty key last.
        sql += " GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2"
        var result: [Forecast.Row] = []
        for row in try rows(sql, parameters) {
            let key = row.optionalString(0)
            if result.last.map({ $0.key != key }) ?? true { result.append(Forecast.Row(key: key, figures: Figures())) }
            result[result.count - 1].figures.add(try PostgresRows.figures(row, currencyColumn: 1, countColumn: 2))
        }
        return result
    }

    func duplicateCandidates(of record: Opportunity, limit: Int) throws -> [Opportunity] {
        var conditions: [String] = []
        var parameters: PostgresParameters = []
        if let email = DuplicateRule.emailKey(record.customer.email) { parameters.append(email); conditions.append("email_key = $\(parameters.count)") }
        if let company = DuplicateRule.nameKey(record.customer.name) { parameters.append(company); conditions.append("company_key = $\(parameters.count)") }
        if let contact = DuplicateRule.nameKey(record.customer.contactName) { parameters.append(contact); conditions.append("contact_key = $\(parameters.count)") }
        guard !conditions.isEmpty else { return [] }
        parameters += [record.id.rawValue, limit]
        let count = parameters.count
        return try opportunities("""
            SELECT \(PostgresRows.opportunityColumns) FROM opportunity
            WHERE (\(conditions.joined(separator: " OR "))) AND id <> $\(count - 1) AND (active OR lost_reason IS NOT NULL)
            ORDER BY type DESC, id LIMIT $\(count)
            """, parameters)
    }

    func teamsWithRecords(inStage stage: Stage.ID) throws -> Set<Team.ID> {
        Set(try rows("SELECT DISTINCT team_id FROM opportunity WHERE stage_id = $1", [stage.rawValue]).map { Team.ID(try $0.int64(0)) })
    }

    func recordCount(inStage stage: Stage.ID) throws -> Int {
        try rows("SELECT count(*) FROM opportunity WHERE stage_id = $1", [stage.rawValue]).first?.int(0) ?? 0
    }

    func records(team: Team.ID, stage: Stage.ID) throws -> [Opportunity] {
        try opportunities("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE team_id = $1 AND stage_id = $2 ORDER BY rank, id",
                          [team.rawValue, stage.rawValue])
    }

    func recordCounts(team: Team.ID) throws -> (opportunities: Int, leads: Int) {
        var opportunities = 0, leads = 0
        for row in try rows("SELECT type, count(*) FROM opportunity WHERE team_id = $1 GROUP BY type", [team.rawValue]) {
            if try row.string(0) == "lead" { leads = try row.int(1) } else { opportunities = try row.int(1) }
        }
        return (opportunities, leads)
    }

    func columnKeys(_ column: ColumnKey, excluding: Opportunity.ID, from bound: CardCursor?, side: ColumnSide,
                    limit: Int) throws -> [CardCursor] {
        var sql = "SELECT rank, id FROM opportunity WHERE type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2 AND id <> $3"
        var parameters: PostgresParameters = [column.team.rawValue, column.stage.rawValue, excluding.rawValue]
        if let bound {
            switch side {
            case .before: sql += " AND (rank, id) < ($4, $5)"
            case .atOrAfter: sql += " AND (rank, id) >= ($4, $5)"
            case .after: sql += " AND (rank, id) > ($4, $5)"
            }
            parameters += [bound.rank, bound.id.rawValue]
        }
        parameters.append(limit)
        sql += (side == .before ? " ORDER BY rank DESC, id DESC" : " ORDER BY rank, id") + " LIMIT $\(parameters.count)"
        return try rows(sql, parameters).map { CardCursor(rank: try $0.int64(0), id: Opportunity.ID(try $0.int64(1))) }
    }
}
