import GRDB
import PipelineCore

extension PipelineDatabase: PipelineRepository {
    public func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        return try read { db in
            // While typing, most words match many cards: the first window is found among
            // the column's first rows, in one query that stops as soon as it is full.
            var sparse = false
            if case .top = anchor {
                if let window = try Self.denseFilterWindow(db, column, limit: limit) { return window }
                // Fewer matches than a window among the first rows: the index, without probing
                // those rows a second time.
                sparse = true
            }
            let base = try Self.columnCondition(column, in: db, knownSparse: sparse)
            func fetch(_ condition: String, _ extra: StatementArguments, descending: Bool, limit: Int) throws -> [Opportunity] {
                var arguments = base.arguments
                arguments += extra
                arguments += [limit]
                let order = descending ? "rank DESC, id DESC" : "rank, id"
                let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(base.sql) \(condition) ORDER BY \(order) LIMIT ?"),
                                            arguments: arguments).map(Rows.opportunity)
                return descending ? rows.reversed() : rows
            }
            func exists(_ condition: String, _ extra: StatementArguments) throws -> Bool {
                var arguments = base.arguments
                arguments += extra
                return try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM opportunity WHERE \(base.sql) \(condition))"), arguments: arguments) ?? false
            }
            var cards: [Opportunity]
            switch anchor {
            case .top:
                cards = try fetch("", [], descending: false, limit: limit + 1)
            case .bottom:
                cards = try fetch("", [], descending: true, limit: limit)
            case .startingAt(let cursor):
                cards = try fetch("AND (rank, id) >= (?, ?)", [cursor.rank, cursor.id.rawValue], descending: false, limit: limit)
            case .after(let cursor):
                cards = try fetch("AND (rank, id) > (?, ?)", [cursor.rank, cursor.id.rawValue], descending: false, limit: limit)
            case .before(let cursor):
                cards = try fetch("AND (rank, id) < (?, ?)", [cursor.rank, cursor.id.rawValue], descending: true, limit: limit)
            }
            if case .top = anchor {
                let more = cards.count > limit
                return CardWindow(cards: Array(cards.prefix(limit)), hasMoreAbove: false, hasMoreBelow: more)
            }
            // Near an end, fill the window from the other side so it stays full.
            if cards.count < limit {
                switch anchor {
                case .startingAt, .after:
                    if let first = cards.first {
                        cards = try fetch("AND (rank, id) < (?, ?)", [first.rank, first.id.rawValue], descending: true, limit: limit - cards.count) + cards
                    } else {
                        cards = try fetch("", [], descending: true, limit: limit)
                    }
                case .before, .bottom:
                    if let last = cards.last {
                        cards += try fetch("AND (rank, id) > (?, ?)", [last.rank, last.id.rawValue], descending: false, limit: limit - cards.count)
                    } else {
                        cards = try fetch("", [], descending: false, limit: limit)
                    }
                case .top:
                    break
                }
            }
            guard let first = cards.first, let last = cards.last else { return .empty }
            return CardWindow(
                cards: cards,
                hasMoreAbove: try exists("AND (rank, id) < (?, ?)", [first.rank, first.id.rawValue]),
                hasMoreBelow: try exists("AND (rank, id) > (?, ?)", [last.rank, last.id.rawValue]))
        }
    }

    public func matchingCounts(team: Team.ID, filter: String) throws -> [Stage.ID: Int] {
        try matchingFigures(team: team, filter: filter).mapValues(\.count)
    }

    public func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        guard let match = Self.ftsQuery(filter) else { return try stageFigures(team: team) }
        return try read { db in
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
    }

    public func changeToken() throws -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
    }

    public func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?,
                                  context: ChangeContext) throws -> Opportunity {
        try update(snapshot.id, expectedVersion: expectedVersion, context: context, placement: placement) { db, opportunity in
            let pipeline = try Self.pipeline(db, snapshot.team)
            return try opportunity.reverted(to: snapshot, in: pipeline, at: context.now, by: context.user)
        }
    }

    // MARK: - Inside a transaction

    /// The WHERE clause of one board column, with the filter.
    ///
    /// Two ways to filter, chosen per column by a cheap probe: when the words are common,
    /// walking the column's index in order and testing each card's folded text finds a
    /// window of matches after a few rows; when they are rare, the FTS index finds the few
    /// matches at once. Either way the cost follows the window, not the pipeline.
    static func columnCondition(_ column: ColumnQuery, in db: Database, knownSparse: Bool = false) throws
        -> (sql: String, arguments: StatementArguments) {
        var sql = "type = 'opportunity' AND active = 1 AND team_id = ? AND stage_id = ?"
        var arguments: StatementArguments = [column.team.rawValue, column.stage.rawValue]
        let words = filterWords(column.filter)
        guard !words.isEmpty else { return (sql, arguments) }
        let scan = words.map { _ in "(' ' || search_text) LIKE ?" }.joined(separator: " AND ")
        let patterns = StatementArguments(words.map { "% \($0)%" })
        var probeArguments = arguments
        probeArguments += [scanProbeRows]
        probeArguments += patterns
        let found = knownSparse ? 0 : try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM (SELECT search_text FROM opportunity WHERE \(sql) ORDER BY rank, id LIMIT ?) WHERE \(scan)
            """), arguments: probeArguments) ?? 0
        if found >= scanProbeMatches {
            sql += " AND " + scan
            arguments += patterns
        } else if let match = ftsQuery(column.filter) {
            sql += " AND id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)"
            arguments += [match]
        }
        return (sql, arguments)
    }

    /// The first window of a filtered column when the column's first `scanProbeRows` cards
    /// hold more matches than the window shows; `nil` otherwise (the filter index decides).
    static func denseFilterWindow(_ db: Database, _ column: ColumnQuery, limit: Int) throws -> CardWindow? {
        let words = filterWords(column.filter)
        guard !words.isEmpty else { return nil }
        let scan = words.map { _ in "(' ' || search_text) LIKE ?" }.joined(separator: " AND ")
        var arguments: StatementArguments = [column.team.rawValue, column.stage.rawValue, scanProbeRows]
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
}
