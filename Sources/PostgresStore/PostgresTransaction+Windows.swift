import PipelineCore
import PipelineStorage
import PostgresClient

/// What the board and the Leads view read: keyset windows, and the filter. The same windows
/// as the SQLite engine's, near an end filled from the other side.
extension PostgresTransaction {
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        // While typing, most words match many cards: the first window is found among the
        // column's first rows, in one query that stops as soon as it is full.
        if case .top = anchor, column.salesperson == nil, column.rotting == nil, column.order == .hand,
           let window = try denseFilterWindow(column, limit: limit) { return window }
        var base = Self.columnCondition(column)
        if let day = column.rotting {
            // A stage where nothing rots shows nothing.
            let bound = try catalog().stage(column.stage)?.rottingBound(on: day)
            base.sql += " AND " + Self.rottingCondition(bound.map { [column.stage: $0] } ?? [:], alias: "")
        }
        // Past the team and the stage, the parameters are the filter's patterns.
        let filtered = base.parameters.count > 2
        let key = Self.cardSortKey(column.order)
        let comparison = Self.keysetComparison(descending: column.order.isDescending)
        // Down the column is ascending, or descending for the largest-first orders.
        let down = column.order.isDescending ? "\(key) DESC, id DESC" : "\(key), id"
        let up = column.order.isDescending ? "\(key), id" : "\(key) DESC, id DESC"
        return try WindowAssembly.window(at: anchor, limit: limit, cursor: { $0.cursor(in: column.order) }, fetch: { bound, side, limit in
            var parameters = base.parameters
            var condition = ""
            if let bound {
                let first = parameters.count + 1
                condition = "AND (\(key), id) \(comparison[side] ?? ">=") ($\(first), $\(first + 1))"
                parameters += [bound.rank, bound.id.rawValue]
            }
            parameters.append(limit)
            let sql = "SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE \(base.sql) \(condition) ORDER BY \(side == .before ? up : down) LIMIT $\(parameters.count)"
            return try (filtered ? runPlannedEachTime(sql, parameters) : run(sql, parameters)).rows.map(PostgresRows.opportunity)
        }, exists: { bound, side in
            var parameters = base.parameters
            let first = parameters.count + 1
            parameters += [bound.rank, bound.id.rawValue]
            let sql = "SELECT EXISTS (SELECT 1 FROM opportunity WHERE \(base.sql) AND (\(key), id) \(comparison[side] ?? ">") ($\(first), $\(first + 1)))"
            return try (filtered ? runPlannedEachTime(sql, parameters) : run(sql, parameters)).first?.bool(0) ?? false
        })
    }

    /// The keyset comparison of each side of a card, on `(rank, id)`.
    static let keysetOperator: [ColumnSide: String] = [.before: "<", .atOrAfter: ">=", .after: ">"]

    /// The comparison of `(sort value, id)` with a card's for each side of it in the column
    /// (a descending order lists larger values first: "after" is smaller).
    static func keysetComparison(descending: Bool) -> [ColumnSide: String] {
        descending ? [.before: ">", .atOrAfter: "<=", .after: "<"] : keysetOperator
    }

    /// The value a column order sorts on in SQL: exactly `CardOrder.sortValue(of:)`, and
    /// exactly the expressions of the order indexes (version 6), so that the planner reads
    /// the window through them.
    static func cardSortKey(_ order: CardOrder) -> String {
        switch order {
        case .hand: return "rank"
        case .nextActivity:
            return "((CASE WHEN next_activity_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN replace(next_activity_date, '-', '')::bigint ELSE 99999999 END) * 10000 + coalesce(next_activity_time, 1440))"
        case .closingDate:
            return "(CASE WHEN expected_closing ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN replace(expected_closing, '-', '')::bigint ELSE 99999999 END)"
        case .revenue: return "expected_revenue"
        case .priority: return "priority"
        }
    }

    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        let words = Self.filterWords(filter)
        guard !words.isEmpty else { return try stageFigures(team: team) }
        var parameters: PostgresParameters = [team.rawValue]
        let match = Self.wordCondition(words, parameters: &parameters)
        var figures: [Stage.ID: Figures] = [:]
        for row in try runPlannedEachTime("""
            SELECT stage_id, currency, count(*), sum(expected_revenue), sum(weighted_revenue)
            FROM opportunity
            WHERE type = 'opportunity' AND active AND team_id = $1 AND \(match)
            GROUP BY stage_id, currency
            """, parameters).rows {
            figures[Stage.ID(try row.int64(0)), default: Figures()].add(try PostgresRows.figures(row, currencyColumn: 1, countColumn: 2))
        }
        return figures
    }

    /// One window of leads after `cursor` (the last lead of the previous window), in the
    /// query's order.
    func leads(_ query: LeadQuery, after cursor: Opportunity?, limit: Int) throws -> [Opportunity] {
        var (sql, parameters) = Self.leadCondition(query)
        let (key, order) = Self.leadSortKey(query.order)
        if let cursor {
            parameters += [query.order.sortValue(of: cursor), cursor.id.rawValue]
            sql += " AND (\(key), id) < ($\(parameters.count - 1), $\(parameters.count))"
        }
        parameters.append(limit)
        return try runPlannedEachTime("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order) LIMIT $\(parameters.count)",
                                      parameters).rows.map(PostgresRows.opportunity)
    }

    /// A window of leads for the Leads view, paged like a board column (the cursor's `rank`
    /// is the lead's sort value).
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        let (condition, base) = Self.leadCondition(query)
        let (key, _) = Self.leadSortKey(query.order)
        // Leads are listed with the sort value descending: "after" is further down the list.
        let comparison: [ColumnSide: String] = [.before: ">", .atOrAfter: "<=", .after: "<"]
        func select(_ bound: CardCursor, _ side: ColumnSide) -> (String, PostgresParameters) {
            var parameters = base
            let first = parameters.count + 1
            parameters += [bound.rank, bound.id.rawValue]
            return ("\(condition) AND (\(key), id) \(comparison[side] ?? "<") ($\(first), $\(first + 1))", parameters)
        }
        return try WindowAssembly.window(at: anchor, limit: limit, cursor: { $0.cursor(in: query.order) },
                                         fillingNearAnEnd: false, fetch: { bound, side, limit in
            var (sql, parameters) = bound.map { select($0, side) } ?? (condition, base)
            parameters.append(limit)
            sql += " ORDER BY " + (side == .before ? "\(key), id" : "\(key) DESC, id DESC") + " LIMIT $\(parameters.count)"
            return try runPlannedEachTime("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE \(sql)", parameters)
                .rows.map(PostgresRows.opportunity)
        }, exists: { bound, side in
            let (sql, parameters) = select(bound, side)
            return try runPlannedEachTime("SELECT EXISTS (SELECT 1 FROM opportunity WHERE \(sql))", parameters).first?.bool(0) ?? false
        })
    }

    /// Every lead the query selects, one at a time (memory does not grow with the database).
    func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws {
        let (sql, parameters) = Self.leadCondition(query)
        let (_, order) = Self.leadSortKey(query.order)
        try forEachRow("SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order)", parameters) { row in
            try body(try PostgresRows.opportunity(row))
        }
    }

    static func leadCondition(_ query: LeadQuery) -> (String, PostgresParameters) {
        var sql = "type = 'lead'"
        var parameters: PostgresParameters = []
        if let team = query.team { parameters.append(team.rawValue); sql += " AND team_id = $\(parameters.count)" }
        if !query.includeLost { sql += " AND active" }
        let words = filterWords(query.filter)
        if !words.isEmpty { sql += " AND " + wordCondition(words, parameters: &parameters) }
        return (sql, parameters)
    }

    /// The value a lead order sorts on, and its ORDER BY (descending: newest, most, largest
    /// first), as the SQLite engine computes it (`LeadOrder.sortValue`).
    static func leadSortKey(_ order: LeadOrder) -> (key: String, orderBy: String) {
        switch order {
        case .date: return ("created_at", "created_at DESC, id DESC")
        case .priority:
            let key = "(priority::bigint * 10000000000000 + created_at / 1000)"
            return (key, "\(key) DESC, id DESC")
        case .revenue: return ("expected_revenue", "expected_revenue DESC, id DESC")
        }
    }

    // MARK: - The filter

    /// The WHERE clause of one board column, with the filter: its parameters are the team,
    /// the stage, then the filter's patterns.
    static func columnCondition(_ column: ColumnQuery) -> (sql: String, parameters: PostgresParameters) {
        var parameters: PostgresParameters = [column.team.rawValue, column.stage.rawValue]
        var sql = "type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2"
        if let salesperson = column.salesperson {
            parameters.append(salesperson)
            sql += " AND lower(salesperson) = lower($\(parameters.count))"
        }
        let words = filterWords(column.filter)
        if !words.isEmpty { sql += " AND " + wordCondition(words, parameters: &parameters) }
        return (sql, parameters)
    }

    /// Every typed word is the start of a word of the folded text — what SQLite's
    /// `(' ' || search_text) LIKE '% word%'` and its FTS prefix query both mean. The first
    /// `LIKE` of each word (`search_text LIKE '%word%'`, implied by the second) is the one the
    /// pg_trgm index can serve; the second decides. Words hold letters and digits only
    /// (`TextInput.searchWords`), so no typed character is a LIKE wildcard.
    static func wordCondition(_ words: [String], parameters: inout PostgresParameters) -> String {
        words.map { word in
            parameters.append("%" + word + "%")
            parameters.append("% " + word + "%")
            return "search_text LIKE $\(parameters.count - 1) AND (' ' || search_text) LIKE $\(parameters.count)"
        }.joined(separator: " AND ")
    }

    /// The first window of a filtered column when the column's first `scanProbeRows` cards
    /// hold more matches than the window shows; `nil` otherwise (the general query decides).
    func denseFilterWindow(_ column: ColumnQuery, limit: Int) throws -> CardWindow? {
        let words = Self.filterWords(column.filter)
        guard !words.isEmpty else { return nil }
        var parameters: PostgresParameters = [column.team.rawValue, column.stage.rawValue, Self.scanProbeRows]
        let match = Self.wordCondition(words, parameters: &parameters)
        parameters.append(limit + 1)
        // No ORDER BY outside: the inner rows come in column order, and the LIMIT then stops
        // the scan at the first full window instead of reading all the first rows.
        let cards = try runPlannedEachTime("""
            SELECT \(PostgresRows.opportunityColumns) FROM (
                SELECT \(PostgresRows.opportunityColumns), search_text FROM opportunity
                WHERE type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2
                ORDER BY rank, id LIMIT $3) AS first_rows
            WHERE \(match) LIMIT $\(parameters.count)
            """, parameters).rows.map(PostgresRows.opportunity)
            .sorted { ($0.rank, $0.id.rawValue) < ($1.rank, $1.id.rawValue) }
        guard cards.count > limit else { return nil }
        return CardWindow(cards: Array(cards.prefix(limit)), hasMoreAbove: false, hasMoreBelow: true)
    }

    /// How many rows the dense probe reads (as on SQLite).
    static let scanProbeRows = 400

    /// The filter's words, folded like `search_text`.
    static func filterWords(_ filter: String) -> [String] {
        TextInput.searchWords(filter).split(separator: " ").map(String.init)
    }

    // MARK: - "Mine" and rotting (issue 13)

    /// The core's rotting rule as column tests, per stage, as the SQLite engine writes it (the
    /// bounds are numbers and ISO dates the core computed); no stage: nothing rots.
    static func rottingCondition(_ bounds: [Stage.ID: RottingBound], alias: String) -> String {
        guard let today = bounds.values.first?.today else { return "false" }
        let cases = bounds.sorted { $0.key < $1.key }
            .map { "WHEN \($0.key.rawValue) THEN \($0.value.enteredBefore.millisecondsSince1970)::bigint" }.joined(separator: " ")
        return "\(alias)stage_changed_at < (CASE \(alias)stage_id \(cases) ELSE NULL END)"
            + " AND (\(alias)latest_open_due IS NULL OR \(alias)latest_open_due < '\(today.iso8601)')"
    }

    func figures(_ query: FigureQuery) throws -> [Stage.ID: Figures] {
        var result: [Stage.ID: Figures] = [:]
        func add(_ rows: [PostgresRow]) throws {
            for row in rows {
                result[Stage.ID(try row.int64(0)), default: Figures()].add(try PostgresRows.figures(row, currencyColumn: 1, countColumn: 2))
            }
        }
        let words = Self.filterWords(query.filter)
        var parameters: PostgresParameters = []
        if let salesperson = query.salesperson, words.isEmpty, query.rotting == nil {
            // The totals are kept per salesperson since version 3: a few rows per stage.
            parameters.append(salesperson)
            var sql = """
                SELECT stage_id, currency, sum(count), sum(expected_sum), sum(weighted_sum)
                FROM stage_total WHERE active AND lower(salesperson) = lower($1)
                """
            if let team = query.team { parameters.append(team.rawValue); sql += " AND team_id = $2" }
            try add(try rows(sql + " GROUP BY stage_id, currency HAVING sum(count) > 0", parameters))
            return result
        }
        var sql = "type = 'opportunity' AND active"
        if let team = query.team { parameters.append(team.rawValue); sql += " AND team_id = $\(parameters.count)" }
        if let salesperson = query.salesperson {
            parameters.append(salesperson)
            sql += " AND lower(salesperson) = lower($\(parameters.count))"
        }
        if !words.isEmpty { sql += " AND " + Self.wordCondition(words, parameters: &parameters) }
        let sums = "SELECT stage_id, currency, count(*), sum(expected_revenue), sum(weighted_revenue) FROM opportunity WHERE"
        guard let bounds = query.rotting else {
            try add(try runPlannedEachTime("\(sums) \(sql) GROUP BY stage_id, currency", parameters).rows)
            return result
        }
        // One stage at a time, each a range over the time its deals entered it.
        for (stage, bound) in bounds.sorted(by: { $0.key < $1.key }) {
            let first = parameters.count + 1
            try add(try runPlannedEachTime("""
                \(sums) \(sql) AND stage_id = $\(first) AND stage_changed_at < $\(first + 1)
                  AND (latest_open_due IS NULL OR latest_open_due < $\(first + 2))
                GROUP BY stage_id, currency
                """, parameters + [stage.rawValue, bound.enteredBefore.millisecondsSince1970, bound.today.iso8601]).rows)
        }
        return result
    }

    /// A sum over the dates before today in the counts the triggers keep (`due_count`, schema
    /// version 7): its cost follows the overdue dates (and salespeople) of the column, not
    /// its overdue deals.
    func overdueCounts(team: Team.ID, stages: [Stage.ID], today: CalendarDate, salesperson: String?) throws -> [Stage.ID: Int] {
        var counts: [Stage.ID: Int] = [:]
        for stage in stages {
            var parameters: PostgresParameters = [team.rawValue, stage.rawValue, today.iso8601]
            var sql = "SELECT coalesce(sum(count), 0)::bigint FROM due_count WHERE team_id = $1 AND stage_id = $2 AND due < $3"
            if let salesperson { parameters.append(salesperson); sql += " AND lower(salesperson) = lower($4)" }
            counts[stage] = try rows(sql, parameters).first?.int(0) ?? 0
        }
        return counts
    }

    func rottingCounts(team: Team.ID, bounds: [Stage.ID: RottingBound], salesperson: String?) throws -> [Stage.ID: Int] {
        var counts: [Stage.ID: Int] = [:]
        for (stage, bound) in bounds {
            var parameters: PostgresParameters = [team.rawValue, stage.rawValue, bound.enteredBefore.millisecondsSince1970, bound.today.iso8601]
            var sql = """
                SELECT count(*) FROM opportunity
                WHERE type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2 AND stage_changed_at < $3
                  AND (latest_open_due IS NULL OR latest_open_due < $4)
                """
            if let salesperson { parameters.append(salesperson); sql += " AND lower(salesperson) = lower($5)" }
            counts[stage] = try rows(sql, parameters).first?.int(0) ?? 0
        }
        return counts
    }
}
