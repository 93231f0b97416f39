import GRDB
import PipelineCore
import PipelineStorage

/// One SQLite transaction: the engine's reads and writes, as the storage module's
/// operations ask for them. Every statement is cached on the connection.
final class SQLiteTransaction {
    let db: Database
    /// The file, to name it when a row cannot be read: a `db copy` reads this file inside
    /// another store's transaction, whose error handling would otherwise name the target.
    let path: String
    /// Set while an import runs: what its speed-ups need (see `SQLiteTransaction+Import`).
    var importState: ImportState?
    /// Set by a restore's first activity type (which replaces the seeded ones).
    var restoredActivityTypes = false

    init(_ db: Database, path: String) {
        self.db = db
        self.path = path
    }

    /// `body`, with a row this file cannot read said as this file's damage.
    func naming<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as UnreadableValue {
            throw StoreError.unreadableValue(path: path, table: error.table, id: error.id, column: error.column)
        }
    }

    func fetchOne<T: DatabaseValueConvertible>(_ sql: String, _ arguments: StatementArguments = []) throws -> T? {
        try T.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    func opportunities(_ sql: String, _ arguments: StatementArguments = []) throws -> [Opportunity] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Rows.opportunity)
    }
}

// MARK: - Reading

extension SQLiteTransaction: StoreReader {
    /// A file is one person's: its protection is its mode, not roles.
    func access() throws -> Access { .fileOwner }

    func catalog() throws -> StageCatalog {
        try naming { try readCatalog() }
    }

    private func readCatalog() throws -> StageCatalog {
        let stages = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.stageColumns) FROM stage ORDER BY sort_order, id")).map(Rows.stage)
        let teams = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, version FROM team ORDER BY id")).map(Rows.team)
        return StageCatalog(teams: teams, stages: stages)
    }

    func teamsWithCreation() throws -> [BackupTeam] {
        try naming { try readTeamsWithCreation() }
    }

    private func readTeamsWithCreation() throws -> [BackupTeam] {
        try Row.fetchAll(db, sql: "SELECT id, name, version, created_at FROM team ORDER BY id").map { row in
            BackupTeam(team: try Rows.team(row), createdAt: Timestamp(millisecondsSince1970: try row.checked(3, table: "team")))
        }
    }

    func storedSetting(_ key: SettingKey) throws -> String? {
        try fetchOne("SELECT value FROM setting WHERE key = ?", [key.rawValue])
    }

    func storedPreference(_ key: SettingKey, user: String) throws -> String? {
        try fetchOne("SELECT value FROM preference WHERE user_name = ? AND key = ?", [user, key.rawValue])
    }

    func storedPreferences() throws -> [Preference] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT user_name, key, value FROM preference ORDER BY user_name, key")).compactMap { row in
            // A key this version does not know (written by a newer one) is not a preference here.
            SettingKey(rawValue: row["key"]).map { Preference(user: row["user_name"], key: $0, value: row["value"]) }
        }
    }

    func record(_ id: Opportunity.ID) throws -> Opportunity? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE id = ?"), arguments: [id.rawValue])
            .map(Rows.opportunity)
    }

    func records(titleKey: String, kind: RecordKind, limit: Int) throws -> [Opportunity] {
        try opportunities("SELECT \(Rows.opportunityColumns) FROM opportunity WHERE title_key = ? AND type = ? ORDER BY id LIMIT ?",
                          [titleKey, kind.rawValue, limit])
    }

    func history(of id: Opportunity.ID) throws -> [StageHistoryEntry] {
        try naming {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.historyColumns) FROM stage_history WHERE opportunity_id = ? ORDER BY id"),
                             arguments: [id.rawValue]).map { try Rows.historyLine($0, record: id, from: 0) }
        }
    }

    func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws {
        var conditions = ["o.type = 'opportunity'"]
        var arguments: StatementArguments = []
        if let team = filter.team { conditions.append("o.team_id = ?"); arguments += [team.rawValue] }
        if let stage = filter.stage { conditions.append("o.stage_id = ?"); arguments += [stage.rawValue] }
        if !filter.includeArchived { conditions.append("o.active = 1") }
        if let salesperson = filter.salesperson { conditions.append("o.salesperson = ? COLLATE NOCASE"); arguments += [salesperson] }
        if let day = filter.rotting {
            conditions.append("o.active = 1")
            conditions.append(Self.rottingCondition(try rottingBounds(on: day, team: filter.team), alias: "o."))
        }
        let columns = Rows.opportunityColumns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let sql = """
            SELECT \(columns.joined(separator: ", ")) FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY s.sort_order, o.team_id, o.rank, o.id
            """
        if filter.readsOnce {
            try scanningWithSmallCache {
                try forEachStatementRow(sql, arguments) { row in try body(try naming { try Rows.opportunity(row) }) }
            }
        } else {
            try forEachStatementRow(sql, arguments) { row in try body(try naming { try Rows.opportunity(row) }) }
        }
    }

    func forEachRecord(kind: RecordKind?, _ body: (Opportunity, String?) throws -> Void) throws {
        var sql = "SELECT \(Rows.opportunityColumns), external_id FROM opportunity"
        var arguments: StatementArguments = []
        if let kind { sql += " WHERE type = ?"; arguments += [kind.rawValue] }
        try forEachStatementRow(sql + " ORDER BY id", arguments) { row in
            let record = try naming { try Rows.opportunity(row) }
            try body(record, try naming { try row.optionalString(Rows.OpportunityColumn.allCases.count, table: "opportunity") })
        }
    }

    func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws {
        try forEachStatementRow("SELECT id, opportunity_id, \(Rows.historyColumns) FROM stage_history ORDER BY id") { row in
            let entry = try naming { () throws -> BackupHistoryEntry in
                let line = try Rows.historyLine(row, record: Opportunity.ID(try row.int64(1, table: "stage_history")), from: 2)
                let change = line.change
                return BackupHistoryEntry(id: try row.int64(0, table: "stage_history"), opportunity: change.opportunity,
                                          from: change.from, to: change.to, fromName: line.fromName, toName: line.toName,
                                          at: change.at, by: change.by, event: change.event, probability: change.probability,
                                          amount: change.amount, reason: change.reason, stageOutcome: change.stageOutcome)
            }
            try body(entry)
        }
    }

    func stageExternalIDs() throws -> [Stage.ID: String] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, external_id FROM stage WHERE external_id IS NOT NULL")
            .map { (Stage.ID($0["id"]), $0["external_id"] as String) })
    }

    func storedCounts() throws -> (records: Int, history: Int) {
        (try fetchOne("SELECT count(*) FROM opportunity") ?? 0, try fetchOne("SELECT count(*) FROM stage_history") ?? 0)
    }

    func rowCounts() throws -> StoredRowCounts {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT count(*) FROM opportunity WHERE type = 'lead') AS leads,
                   (SELECT count(*) FROM opportunity WHERE type = 'opportunity') AS opportunities,
                   (SELECT count(*) FROM stage_history) AS history, (SELECT count(*) FROM activity) AS activities,
                   (SELECT count(*) FROM deal_note) AS notes
            """))
        guard let row else { return StoredRowCounts() }
        return StoredRowCounts(leads: row["leads"], opportunities: row["opportunities"], history: row["history"],
                               activities: row["activities"], notes: row["notes"])
    }

    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures] {
        var sql = """
            SELECT stage_id, currency, sum(count) AS count,
                   sum(expected_high) AS expected_high, sum(expected_low) AS expected_low,
                   sum(weighted_high) AS weighted_high, sum(weighted_low) AS weighted_low
            FROM stage_total WHERE active = 1
            """
        var arguments: StatementArguments = []
        if let team { sql += " AND team_id = ?"; arguments += [team.rawValue] }
        // Rows whose deals all left stay at zero; a currency with no deal must not show.
        sql += " GROUP BY stage_id, currency HAVING sum(count) > 0"
        var result: [Stage.ID: Figures] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
            result[Stage.ID(row["stage_id"]), default: Figures()].add(Self.figures(row))
        }
        return result
    }

    func forecastRows(team: Team.ID?, grouping: Forecast.Grouping, salesperson: String?) throws -> [Forecast.Row] {
        let key = grouping == .month ? "substr(o.expected_closing, 1, 7)" : "NULLIF(o.salesperson, '')"
        var sql = """
            SELECT \(key) AS key, o.currency, count(*) AS count,
                   sum(o.expected_revenue / 1000000000) AS expected_high, sum(o.expected_revenue % 1000000000) AS expected_low,
                   sum(o.weighted_revenue / 1000000000) AS weighted_high, sum(o.weighted_revenue % 1000000000) AS weighted_low
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE o.type = 'opportunity' AND o.active = 1 AND s.outcome = 'open'
            """
        var arguments: StatementArguments = []
        if let team { sql += " AND o.team_id = ?"; arguments += [team.rawValue] }
        if let salesperson { sql += " AND o.salesperson = ? COLLATE NOCASE"; arguments += [salesperson] }
        sql += " GROUP BY key, o.currency ORDER BY key IS NULL, key"
        var rows: [Forecast.Row] = []
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
            let key: String? = row["key"]
            if rows.last.map({ $0.key != key }) ?? true { rows.append(Forecast.Row(key: key, figures: Figures())) }
            rows[rows.count - 1].figures.add(Self.figures(row))
        }
        return rows
    }

    /// The deals of the forecast range: open active deals without a lost reason.
    private func rangeCondition(team: Team.ID?, salesperson: String?) -> (sql: String, arguments: StatementArguments) {
        var sql = """
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE o.type = 'opportunity' AND o.active = 1 AND o.lost_reason IS NULL AND s.outcome = 'open'
            """
        var arguments: StatementArguments = []
        if let team { sql += " AND o.team_id = ?"; arguments += [team.rawValue] }
        if let salesperson { sql += " AND o.salesperson = ? COLLATE NOCASE"; arguments += [salesperson] }
        return (sql, arguments)
    }

    func forEachRangeRow(team: Team.ID?, salesperson: String?, _ body: (RangeRow) throws -> Void) throws {
        let condition = rangeCondition(team: team, salesperson: salesperson)
        try scanningWithSmallCache {
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT o.id, o.expected_revenue, o.currency, o.probability, o.expected_closing \(condition.sql) ORDER BY o.id"),
                arguments: condition.arguments)
            while let row = try rows.next() {
                try body(try naming {
                    RangeRow(id: try row.checked(0, table: "opportunity"), amount: try row.checked(1, table: "opportunity"),
                             currency: try row.checked(2, table: "opportunity"), basisPoints: try row.checked(3, table: "opportunity"),
                             closing: try row.checked(4, table: "opportunity"))
                })
            }
        }
    }

    /// Runs a pass over far more pages than the board keeps between keys through a small page
    /// cache, put back after: the seen rates' pass over every closed deal's history filled the
    /// 8 MiB cache the board's columns use, and at 1,000,000 deals added 4.5 MB to the board's
    /// peak memory (41.8 MB against its 40 MB target) for pages read once.
    func scanningWithSmallCache<T>(_ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -\(SQLiteEngine.scanCacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -\(SQLiteEngine.pageCacheKiB)") }
        return try body()
    }

    func forEachClosedDealLine(team: Team.ID?, _ body: (ClosedDealLine) throws -> Void) throws {
        try scanningWithSmallCache { try forEachClosedDealLineScan(team: team, body) }
    }

    private func forEachClosedDealLineScan(team: Team.ID?, _ body: (ClosedDealLine) throws -> Void) throws {
        // The deals in id order (the table's own order), each one's lines through the index
        // on (opportunity_id, id): one pass, no sort, whatever the number of deals.
        var sql = """
            SELECT o.id, o.stage_id, s.outcome, o.lost_reason IS NOT NULL, o.stage_changed_at,
                   h.from_stage_id, h.to_stage_id, h.changed_at, h.event, h.stage_outcome
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            LEFT JOIN stage_history h ON h.opportunity_id = o.id
            WHERE o.type = 'opportunity' AND (o.lost_reason IS NOT NULL OR s.outcome <> 'open')
            """
        var arguments: StatementArguments = []
        if let team { sql += " AND o.team_id = ?"; arguments += [team.rawValue] }
        sql += " ORDER BY o.id, h.id"
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            let line = try naming { () throws -> ClosedDealLine in
                let deal = Opportunity.ID(try row.checked(0, table: "opportunity") as Int64)
                let stage: Int64? = try row.checked(1, table: "opportunity")
                let changedAt: Int64? = try row.checked(7, table: "stage_history")
                var change: StageChange?
                if let changedAt {
                    let from: Int64? = try row.checked(5, table: "stage_history"), to: Int64? = try row.checked(6, table: "stage_history")
                    let event: String = try row.checked(8, table: "stage_history")
                    let stageOutcome: String? = try row.checked(9, table: "stage_history")
                    change = StageChange(opportunity: deal, from: from.map(Stage.ID.init), to: to.map(Stage.ID.init),
                                         at: Timestamp(millisecondsSince1970: changedAt), by: "", event: HistoryEvent(rawValue: event) ?? .moved,
                                         stageOutcome: stageOutcome.flatMap(StageOutcome.init(rawValue:)))
                }
                return ClosedDealLine(deal: deal, stage: stage.map(Stage.ID.init),
                                      stageOutcome: StageOutcome(rawValue: try row.checked(2, table: "stage")) ?? .open,
                                      hasLostReason: try row.checked(3, table: "opportunity"),
                                      stageChangedAt: Timestamp(millisecondsSince1970: try row.checked(4, table: "opportunity")), line: change)
            }
            try body(line)
        }
    }

    func forEachDealHistory(since: Timestamp, team: Team.ID?, salesperson: String?,
                            _ body: (Opportunity, StageHistoryEntry) throws -> Void) throws {
        // The deals come from the lines since `since` (the index on changed_at, migration 8),
        // their lines from the index on (opportunity_id, id).
        var sql = """
            SELECT \(Self.prefixed(Rows.opportunityColumns, "o")), \(Self.prefixed(Rows.historyColumns, "h"))
            FROM opportunity o JOIN stage_history h ON h.opportunity_id = o.id
            WHERE o.id IN (SELECT opportunity_id FROM stage_history WHERE changed_at >= ?) AND o.type = 'opportunity'
            """
        var arguments: StatementArguments = [since.millisecondsSince1970]
        if let team { sql += " AND o.team_id = ?"; arguments += [team.rawValue] }
        if let salesperson { sql += " AND o.salesperson = ? COLLATE NOCASE"; arguments += [salesperson] }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql + " ORDER BY o.id, h.id"), arguments: arguments)
        let first = Rows.OpportunityColumn.allCases.count
        while let row = try rows.next() {
            let (deal, line) = try naming { () throws -> (Opportunity, StageHistoryEntry) in
                let deal = try Rows.opportunity(row)
                return (deal, try Rows.historyLine(row, record: deal.id, from: first))
            }
            try body(deal, line)
        }
    }

    func forEachOverdueActivity(team: Team.ID?, salesperson: String?, today: CalendarDate,
                                _ body: (Activity, String) throws -> Void) throws {
        var sql = """
            SELECT \(Self.prefixed(Rows.activityColumns, "a")), o.title
            FROM activity a JOIN opportunity o ON o.id = a.record_id LEFT JOIN stage s ON s.id = o.stage_id
            WHERE a.done_at IS NULL AND a.due < ? AND o.type = 'opportunity' AND o.active = 1 AND coalesce(s.outcome, 'open') <> 'lost'
            """
        var arguments: StatementArguments = [today.iso8601]
        if let team { sql += " AND o.team_id = ?"; arguments += [team.rawValue] }
        if let salesperson { sql += " AND o.salesperson = ? COLLATE NOCASE"; arguments += [salesperson] }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql + " ORDER BY a.due, coalesce(a.due_time, 1440), a.id"), arguments: arguments)
        let titleColumn = Rows.activityColumns.split(separator: ",").count
        while let row = try rows.next() {
            let (activity, title) = try naming { () throws -> (Activity, String) in
                (try Rows.activity(row), try row.checked(titleColumn, table: "opportunity"))
            }
            try body(activity, title)
        }
    }

    /// `id, name` as `o.id, o.name`.
    static func prefixed(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { alias + "." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }

    /// One row of split sums (see `Schema.sumSplit`) as exact figures.
    static func figures(_ row: Row) -> Figures {
        let currency = (try? CurrencyCode(stored: row["currency"])) ?? .usd
        return Figures(currency: currency, count: row["count"],
                       expected: Rows.joinSplit(high: row["expected_high"], low: row["expected_low"]),
                       weighted: Rows.joinSplit(high: row["weighted_high"], low: row["weighted_low"]))
    }

    func duplicateCandidates(of record: Opportunity, limit: Int) throws -> [Opportunity] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let email = DuplicateRule.emailKey(record.customer.email) { conditions.append("email_key = ?"); arguments += [email] }
        if let company = DuplicateRule.nameKey(record.customer.name) { conditions.append("company_key = ?"); arguments += [company] }
        if let contact = DuplicateRule.nameKey(record.customer.contactName) { conditions.append("contact_key = ?"); arguments += [contact] }
        guard !conditions.isEmpty else { return [] }
        arguments += [record.id.rawValue, limit]
        return try opportunities("""
            SELECT \(Rows.opportunityColumns) FROM opportunity
            WHERE (\(conditions.joined(separator: " OR "))) AND id <> ? AND (active = 1 OR lost_reason IS NOT NULL)
            ORDER BY type DESC, id LIMIT ?
            """, arguments)
    }

    func teamsWithRecords(inStage stage: Stage.ID) throws -> Set<Team.ID> {
        Set(try Int64.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT team_id FROM opportunity WHERE stage_id = ?"),
                               arguments: [stage.rawValue]).map(Team.ID.init))
    }

    func recordCount(inStage stage: Stage.ID) throws -> Int {
        try fetchOne("SELECT count(*) FROM opportunity WHERE stage_id = ?", [stage.rawValue]) ?? 0
    }

    func records(team: Team.ID, stage: Stage.ID) throws -> [Opportunity] {
        try opportunities("SELECT \(Rows.opportunityColumns) FROM opportunity WHERE team_id = ? AND stage_id = ? ORDER BY rank, id",
                          [team.rawValue, stage.rawValue])
    }

    func recordCounts(team: Team.ID) throws -> (opportunities: Int, leads: Int) {
        var opportunities = 0, leads = 0
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT type, count(*) AS n FROM opportunity WHERE team_id = ? GROUP BY type"),
                                    arguments: [team.rawValue]) {
            if row["type"] == "lead" { leads = row["n"] } else { opportunities = row["n"] }
        }
        return (opportunities, leads)
    }

    func columnKeys(_ column: ColumnKey, excluding: Opportunity.ID, from bound: CardCursor?, side: ColumnSide,
                    limit: Int) throws -> [CardCursor] {
        var sql = "SELECT rank, id FROM opportunity WHERE type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ? AND id <> ?"
        var arguments: StatementArguments = [column.team.rawValue, column.stage.rawValue, excluding.rawValue]
        if let bound, let condition = Self.keysetCondition[side] {
            sql += " " + condition
            arguments += [bound.rank, bound.id.rawValue]
        }
        sql += side == .before ? " ORDER BY rank DESC, id DESC LIMIT ?" : " ORDER BY rank, id LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
            .map { CardCursor(rank: $0[0], id: Opportunity.ID($0[1])) }
    }
}
