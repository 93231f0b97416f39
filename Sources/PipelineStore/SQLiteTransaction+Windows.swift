import GRDB
import PipelineCore
import PipelineStorage

/// What the board and the Leads view read: keyset windows, and the filter.
extension SQLiteTransaction {
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        // While typing, most words match many cards: the first window is found among
        // the column's first rows, in one query that stops as soon as it is full.
        var sparse = false
        if case .top = anchor, column.salesperson == nil, column.rotting == nil, column.order == .hand {
            if let window = try denseFilterWindow(column, limit: limit) { return window }
            // Fewer matches than a window among the first rows: the index, without probing
            // those rows a second time.
            sparse = true
        }
        let base = try columnCondition(column, knownSparse: sparse)
        let key = Self.cardSortKey(column.order)
        let comparison = Self.keysetComparison(descending: column.order.isDescending)
        // Down the column is ascending, or descending for the largest-first orders.
        let down = column.order.isDescending ? "\(key) DESC, id DESC" : "\(key), id"
        let up = column.order.isDescending ? "\(key), id" : "\(key) DESC, id DESC"
        return try WindowAssembly.window(at: anchor, limit: limit, cursor: { $0.cursor(in: column.order) }, fetch: { bound, side, limit in
            var arguments = base.arguments
            var condition = ""
            if let bound {
                condition = "AND " + Self.keyset(key, comparison[side] ?? ">=", order: column.order)
                arguments += Self.keysetArguments(bound, order: column.order)
            }
            arguments += [limit]
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(base.sql) \(condition) ORDER BY \(side == .before ? up : down) LIMIT ?"),
                                    arguments: arguments).map(Rows.opportunity)
        }, exists: { bound, side in
            var arguments = base.arguments
            arguments += Self.keysetArguments(bound, order: column.order)
            return try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM opportunity WHERE \(base.sql) AND \(Self.keyset(key, comparison[side] ?? ">", order: column.order)))"),
                                     arguments: arguments) ?? false
        })
    }

    /// The keyset condition of each side of a card, on `(rank, id)`.
    static let keysetCondition: [ColumnSide: String] = [
        .before: "AND (rank, id) < (?, ?)", .atOrAfter: "AND (rank, id) >= (?, ?)", .after: "AND (rank, id) > (?, ?)",
    ]

    /// The comparison of `(sort value, id)` with a card's for each side of it in the column
    /// (a descending order lists larger values first: "after" is smaller).
    static func keysetComparison(descending: Bool) -> [ColumnSide: String] {
        descending ? [.before: ">", .atOrAfter: "<=", .after: "<"] : [.before: "<", .atOrAfter: ">=", .after: ">"]
    }

    /// `(key, id) <op> (value, id)`. By hand as a row value, as it always was; in the other
    /// orders spelled out (`key > ? OR (key = ? AND id >= ?)`), because SQLite (3.40) does not
    /// narrow an index on an expression by a row value — it would read the column from its
    /// start up to the cursor — while it does narrow it by `key > ?`.
    static func keyset(_ key: String, _ comparison: String, order: CardOrder) -> String {
        if order == .hand { return "(\(key), id) \(comparison) (?, ?)" }
        let strict = String(comparison.prefix(1))
        return "(\(key) \(strict) ? OR (\(key) = ? AND id \(comparison) ?))"
    }

    static func keysetArguments(_ bound: CardCursor, order: CardOrder) -> StatementArguments {
        order == .hand ? [bound.rank, bound.id.rawValue] : [bound.rank, bound.rank, bound.id.rawValue]
    }

    /// The value a column order sorts on in SQL: exactly `CardOrder.sortValue(of:)`, and
    /// exactly the expressions of the order indexes (migration 6), so that SQLite reads the
    /// window through them.
    static func cardSortKey(_ order: CardOrder) -> String {
        switch order {
        case .hand: return "rank"
        case .nextActivity:
            return "(coalesce(CAST(replace(next_activity_date, '-', '') AS INTEGER), 99999999) * 10000 + coalesce(next_activity_time, 1440))"
        case .closingDate: return "(coalesce(CAST(replace(expected_closing, '-', '') AS INTEGER), 99999999))"
        case .revenue: return "expected_revenue"
        case .priority: return "priority"
        }
    }

    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        guard let match = Self.ftsQuery(filter) else { return try stageFigures(team: team) }
        var figures: [Stage.ID: Figures] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT stage_id, currency, count(*) AS count,
                   sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
                   sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
            FROM opportunity
            WHERE id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)
              AND type = 'opportunity' AND active = 1 AND team_id = ?
            GROUP BY stage_id, currency
            """), arguments: [match, team.rawValue]) {
            figures[Stage.ID(row["stage_id"]), default: Figures()].add(Self.figures(row))
        }
        return figures
    }

    /// One window of leads after `cursor` (the last lead of the previous window), in the
    /// query's order: the Leads view reads only what it shows.
    func leads(_ query: LeadQuery, after cursor: Opportunity?, limit: Int) throws -> [Opportunity] {
        var (sql, arguments) = Self.leadCondition(query)
        let (key, order) = Self.leadSortKey(query.order)
        if let cursor {
            sql += " AND (\(key), id) < (?, ?)"
            arguments += [query.order.sortValue(of: cursor), cursor.id.rawValue]
        }
        arguments += [limit]
        return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order) LIMIT ?"),
                                arguments: arguments).map(Rows.opportunity)
    }

    /// A window of leads for the Leads view, paged like a board column (the cursor's
    /// `rank` is the lead's sort value, see `Opportunity.cursor(in:)`).
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        let (condition, base) = Self.leadCondition(query)
        let (key, _) = Self.leadSortKey(query.order)
        // Leads are listed with the sort value descending: "after" is further down the list.
        let comparison: [ColumnSide: String] = [.before: ">", .atOrAfter: "<=", .after: "<"]
        func select(_ bound: CardCursor, _ side: ColumnSide) -> (String, StatementArguments) {
            var arguments = base
            arguments += [bound.rank, bound.id.rawValue]
            return ("\(condition) AND (\(key), id) \(comparison[side] ?? "<") (?, ?)", arguments)
        }
        return try WindowAssembly.window(at: anchor, limit: limit, cursor: { $0.cursor(in: query.order) },
                                         fillingNearAnEnd: false, fetch: { bound, side, limit in
            var (sql, arguments) = bound.map { select($0, side) } ?? (condition, base)
            sql += " ORDER BY " + (side == .before ? "\(key), id" : "\(key) DESC, id DESC") + " LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(sql)"),
                                    arguments: arguments).map(Rows.opportunity)
        }, exists: { bound, side in
            let (sql, arguments) = select(bound, side)
            return try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM opportunity WHERE \(sql))"),
                                     arguments: arguments) ?? false
        })
    }

    /// Every lead the query selects, one at a time (memory does not grow with the database).
    func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws {
        let (sql, arguments) = Self.leadCondition(query)
        let (_, order) = Self.leadSortKey(query.order)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order)"),
                                       arguments: arguments)
        while let row = try rows.next() { try body(Rows.opportunity(row)) }
    }

    static func leadCondition(_ query: LeadQuery) -> (String, StatementArguments) {
        var sql = "type = 'lead'"
        var arguments: StatementArguments = []
        if let team = query.team { sql += " AND team_id = ?"; arguments += [team.rawValue] }
        if !query.includeLost { sql += " AND active = 1" }
        if let match = ftsQuery(query.filter) {
            sql += " AND id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)"
            arguments += [match]
        }
        return (sql, arguments)
    }

    /// The column a lead order sorts on, and its ORDER BY (descending: newest, most, largest first).
    static func leadSortKey(_ order: LeadOrder) -> (key: String, orderBy: String) {
        switch order {
        case .date: return ("created_at", "created_at DESC, id DESC")
        case .priority:
            let key = "(priority * 10000000000000 + created_at / 1000)"
            return (key, "\(key) DESC, id DESC")
        case .revenue: return ("expected_revenue", "expected_revenue DESC, id DESC")
        }
    }

    // MARK: - The filter

    /// The WHERE clause of one board column, with the filter.
    ///
    /// Two ways to filter, chosen per column by a cheap probe: when the words are common,
    /// walking the column's index in order and testing each card's folded text finds a
    /// window of matches after a few rows; when they are rare, the FTS index finds the few
    /// matches at once. Either way the cost follows the window, not the pipeline.
    func columnCondition(_ column: ColumnQuery, knownSparse: Bool = false) throws
        -> (sql: String, arguments: StatementArguments) {
        var sql = "type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ?"
        var arguments: StatementArguments = [column.team.rawValue, column.stage.rawValue]
        if let salesperson = column.salesperson {
            // By hand, "my" index serves the window; in another order the order's index does,
            // and `+` keeps SQLite from taking "my" index and sorting its cards instead.
            sql += column.order == .hand ? " AND salesperson = ? COLLATE NOCASE" : " AND +salesperson = ? COLLATE NOCASE"
            arguments += [salesperson]
        }
        if let day = column.rotting {
            // A stage where nothing rots shows nothing.
            let bound = try catalog().stage(column.stage)?.rottingBound(on: day)
            sql += " AND " + Self.rottingCondition(bound.map { [column.stage: $0] } ?? [:], alias: "")
        }
        let words = Self.filterWords(column.filter)
        guard !words.isEmpty else { return (sql, arguments) }
        let scan = words.map { _ in "(' ' || search_text) LIKE ?" }.joined(separator: " AND ")
        let patterns = StatementArguments(words.map { "% \($0)%" })
        var probeArguments = arguments
        probeArguments += [Self.scanProbeRows]
        probeArguments += patterns
        let found = knownSparse ? 0 : try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM (SELECT search_text FROM opportunity WHERE \(sql) ORDER BY rank, id LIMIT ?) WHERE \(scan)
            """), arguments: probeArguments) ?? 0
        if found >= Self.scanProbeMatches {
            sql += " AND " + scan
            arguments += patterns
        } else if let match = Self.ftsQuery(column.filter) {
            sql += " AND id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)"
            arguments += [match]
        }
        return (sql, arguments)
    }

    /// The first window of a filtered column when the column's first `Self.scanProbeRows` cards
    /// hold more matches than the window shows; `nil` otherwise (the filter index decides).
    func denseFilterWindow(_ column: ColumnQuery, limit: Int) throws -> CardWindow? {
        let words = Self.filterWords(column.filter)
        guard !words.isEmpty else { return nil }
        let scan = words.map { _ in "(' ' || search_text) LIKE ?" }.joined(separator: " AND ")
        var arguments: StatementArguments = [column.team.rawValue, column.stage.rawValue, Self.scanProbeRows]
        arguments += StatementArguments(words.map { "% \($0)%" })
        arguments += [limit + 1]
        // No ORDER BY outside: the inner rows come in column order, and the LIMIT then stops
        // the scan at the first full window instead of reading all the first rows.
        let cards = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Rows.opportunityColumns) FROM (
                SELECT \(Rows.opportunityColumns), search_text FROM opportunity
                WHERE type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ?
                ORDER BY rank, id LIMIT ?)
            WHERE \(scan) LIMIT ?
            """), arguments: arguments).map(Rows.opportunity)
            .sorted { ($0.rank, $0.id.rawValue) < ($1.rank, $1.id.rawValue) }
        guard cards.count > limit else { return nil }
        return CardWindow(cards: Array(cards.prefix(limit)), hasMoreAbove: false, hasMoreBelow: true)
    }

    /// How many rows the probe reads, and how many matches among them make the scan worth it.
    static let scanProbeRows = 400
    static let scanProbeMatches = 20

    /// The filter's words, folded like `search_text`.
    static func filterWords(_ filter: String) -> [String] {
        TextInput.searchWords(filter).split(separator: " ").map(String.init)
    }

    /// Typed filter text as an FTS5 query: every word, folded, as a quoted prefix
    /// (`chot duoc` → `"chot"* "duoc"*`), so nothing typed is read as FTS syntax.
    static func ftsQuery(_ filter: String) -> String? {
        let words = filterWords(filter).map { "\"" + $0 + "\"*" }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    // MARK: - "Mine" and rotting (issue 13)

    /// The core's rotting rule as column tests, per stage (their bounds are numbers and ISO
    /// dates the core computed, written into the statement); no stage: nothing rots.
    static func rottingCondition(_ bounds: [Stage.ID: RottingBound], alias: String) -> String {
        guard let today = bounds.values.first?.today else { return "0" }
        let cases = bounds.sorted { $0.key < $1.key }
            .map { "WHEN \($0.key.rawValue) THEN \($0.value.enteredBefore.millisecondsSince1970)" }.joined(separator: " ")
        return "\(alias)stage_changed_at < (CASE \(alias)stage_id \(cases) ELSE NULL END)"
            + " AND (\(alias)latest_open_due IS NULL OR \(alias)latest_open_due < '\(today.iso8601)')"
    }

    func figures(_ query: FigureQuery) throws -> [Stage.ID: Figures] {
        var result: [Stage.ID: Figures] = [:]
        func add(_ rows: [Row]) { for row in rows { result[Stage.ID(row["stage_id"]), default: Figures()].add(Self.figures(row)) } }
        let words = Self.filterWords(query.filter)
        if let salesperson = query.salesperson, words.isEmpty, query.rotting == nil {
            // The totals kept per salesperson (its column compares ignoring case): a few rows
            // per stage, never the deals.
            var sql = """
                SELECT stage_id, currency, sum(count) AS count,
                       sum(expected_high) AS expected_high, sum(expected_low) AS expected_low,
                       sum(weighted_high) AS weighted_high, sum(weighted_low) AS weighted_low
                FROM salesperson_total WHERE active = 1 AND salesperson = ?
                """
            var arguments: StatementArguments = [salesperson]
            if let team = query.team { sql += " AND team_id = ?"; arguments += [team.rawValue] }
            add(try Row.fetchAll(db.cachedStatement(sql: sql + " GROUP BY stage_id, currency HAVING sum(count) > 0"), arguments: arguments))
            return result
        }
        var sql = "type = 'opportunity' AND active = 1"
        var arguments: StatementArguments = []
        if let team = query.team { sql += " AND team_id = ?"; arguments += [team.rawValue] }
        if let salesperson = query.salesperson { sql += " AND salesperson = ? COLLATE NOCASE"; arguments += [salesperson] }
        if let match = Self.ftsQuery(query.filter) {
            sql += " AND id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)"
            arguments += [match]
        }
        let sums = """
            SELECT stage_id, currency, count(*) AS count,
                   sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
                   sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
            FROM opportunity WHERE
            """
        guard let bounds = query.rotting else {
            add(try Row.fetchAll(db, sql: "\(sums) \(sql) GROUP BY stage_id, currency", arguments: arguments))
            return result
        }
        // One stage at a time, each a range over the time its deals entered it.
        for (stage, bound) in bounds.sorted(by: { $0.key < $1.key }) {
            var stageArguments = arguments
            stageArguments += [stage.rawValue, bound.enteredBefore.millisecondsSince1970, bound.today.iso8601]
            add(try Row.fetchAll(db, sql: """
                \(sums) \(sql) AND stage_id = ? AND stage_changed_at < ? AND (latest_open_due IS NULL OR latest_open_due < ?)
                GROUP BY stage_id, currency
                """, arguments: stageArguments))
        }
        return result
    }

    /// A sum over the dates before today in the counts the triggers keep (`due_count`, per
    /// salesperson `salesperson_due_count`, schema version 7): its cost follows the number of
    /// overdue dates in the column, not the number of overdue deals.
    func overdueCounts(team: Team.ID, stages: [Stage.ID], today: CalendarDate, salesperson: String?) throws -> [Stage.ID: Int] {
        let statement = try db.cachedStatement(sql: salesperson == nil
            ? "SELECT sum(count) FROM due_count WHERE team_id = ? AND stage_id = ? AND due < ?"
            : "SELECT sum(count) FROM salesperson_due_count WHERE team_id = ? AND stage_id = ? AND salesperson = ? AND due < ?")
        var counts: [Stage.ID: Int] = [:]
        for stage in stages {
            var arguments: StatementArguments = [team.rawValue, stage.rawValue]
            if let salesperson { arguments += [salesperson] }
            arguments += [today.iso8601]
            counts[stage] = try Int.fetchOne(statement, arguments: arguments) ?? 0
        }
        return counts
    }

    func rottingCounts(team: Team.ID, bounds: [Stage.ID: RottingBound], salesperson: String?) throws -> [Stage.ID: Int] {
        let statement = try db.cachedStatement(sql: """
            SELECT count(*) FROM opportunity
            WHERE type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ? AND stage_changed_at < ?
              AND (latest_open_due IS NULL OR latest_open_due < ?)
            """ + (salesperson == nil ? "" : " AND salesperson = ? COLLATE NOCASE"))
        var counts: [Stage.ID: Int] = [:]
        for (stage, bound) in bounds {
            var arguments: StatementArguments = [team.rawValue, stage.rawValue, bound.enteredBefore.millisecondsSince1970, bound.today.iso8601]
            if let salesperson { arguments += [salesperson] }
            counts[stage] = try Int.fetchOne(statement, arguments: arguments) ?? 0
        }
        return counts
    }
}
