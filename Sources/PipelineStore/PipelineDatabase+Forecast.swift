import GRDB
import PipelineCore

extension PipelineDatabase {
    /// Count, expected and weighted sums of active opportunities per stage, read from the
    /// totals the store keeps current (never aggregated over the opportunities).
    public func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures] {
        try read { db in try Self.stageFigures(db, team: team) }
    }

    /// The forecast of one team's pipeline, or of all teams (`team == nil`).
    public func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast {
        try read { db in
            let catalog = try Self.fetchCatalog(db)
            let stages: [Stage]
            if let team {
                guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
                stages = catalog.pipeline(for: owner).stages
            } else {
                stages = catalog.stages
            }
            let byStage = Forecast.byStage(stages: stages, figures: try Self.stageFigures(db, team: team))
            guard grouping != .stage else { return byStage }
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
            sql += " GROUP BY key, o.currency ORDER BY key IS NULL, key"
            var rows: [Forecast.Row] = []
            for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
                let key: String? = row["key"]
                if rows.last.map({ $0.key != key }) ?? true { rows.append(Forecast.Row(key: key, figures: Figures())) }
                rows[rows.count - 1].figures.add(Self.figures(row))
            }
            return Forecast(grouping: grouping, rows: rows, open: byStage.open, won: byStage.won)
        }
    }

    static func stageFigures(_ db: Database, team: Team.ID?) throws -> [Stage.ID: Figures] {
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
            result[Stage.ID(row["stage_id"]), default: Figures()].add(figures(row))
        }
        return result
    }

    /// One row of split sums (see `Schema.sumSplit`) as exact figures.
    static func figures(_ row: Row) -> Figures {
        let currency = (try? CurrencyCode(parsing: row["currency"])) ?? .usd
        return Figures(currency: currency, count: row["count"],
                       expected: Rows.joinSplit(high: row["expected_high"], low: row["expected_low"]),
                       weighted: Rows.joinSplit(high: row["weighted_high"], low: row["weighted_low"]))
    }
}
