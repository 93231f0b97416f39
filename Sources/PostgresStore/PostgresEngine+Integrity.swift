import PipelineCore
import PipelineStorage
import PostgresClient

extension PostgresEngine {
    /// What is wrong with the stored data, if anything (empty means sound), read in one
    /// snapshot: the stage totals against the deals (counts, amounts and weighted amounts),
    /// each deal's stage against its last history line, and each deal's weighted amount
    /// against its amount and probability. PostgreSQL checks its own pages and keeps its
    /// indexes (the trigram index included) itself.
    public func integrityProblems() throws -> [String] {
        try reading { transaction in
            var problems: [String] = []
            for row in try transaction.rows("""
                SELECT team_id, stage_id, currency, coalesce(o.n, 0), coalesce(t.count, 0)
                FROM (SELECT team_id, stage_id, currency, active, count(*) AS n,
                             sum(expected_revenue) AS expected, sum(weighted_revenue) AS weighted
                      FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                      GROUP BY team_id, stage_id, currency, active) AS o
                FULL OUTER JOIN stage_total AS t USING (team_id, stage_id, currency, active)
                WHERE coalesce(o.n, 0) <> coalesce(t.count, 0)
                   OR coalesce(o.expected, 0) <> coalesce(t.expected_sum, 0)
                   OR coalesce(o.weighted, 0) <> coalesce(t.weighted_sum, 0)
                ORDER BY team_id, stage_id, currency
                """) {
                problems.append("stage total of team \(try row.int64(0)), stage \(try row.int64(1)), \(try row.string(2)): "
                                + "\(try row.int64(4)) kept, \(try row.int64(3)) counted, or their sums differ")
            }
            // Every stage change writes a history line in the same transaction: a deal's stage
            // is where its last line says it went.
            for row in try transaction.rows("""
                SELECT o.id FROM opportunity o
                WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL
                  AND o.stage_id IS DISTINCT FROM (SELECT h.to_stage_id FROM stage_history h
                                                   WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1)
                ORDER BY o.id LIMIT 20
                """) {
                problems.append("opportunity \(try row.int64(0)): its stage is not where its history last took it")
            }
            for row in try transaction.rows("""
                SELECT id FROM opportunity
                WHERE type = 'opportunity'
                  AND weighted_revenue <> \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                ORDER BY id LIMIT 20
                """) {
                problems.append("opportunity \(try row.int64(0)): its weighted revenue is not its revenue at its probability")
            }
            return problems
        }
    }

    /// Recomputes the stage totals from the deals (and any weighted amount that does not
    /// follow its deal's amount and probability) in one transaction. The trigram index needs
    /// no rebuilding: PostgreSQL keeps it.
    public func repair() throws -> [String] {
        try writing { transaction in
            try transaction.script("SET LOCAL \(PostgresSchema.importingSetting) = 'on'")
            let reweighted = try transaction.run("""
                UPDATE opportunity
                SET weighted_revenue = \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                WHERE type = 'opportunity'
                  AND weighted_revenue <> \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                """).affectedRows
            try transaction.script("""
                DELETE FROM stage_total;
                INSERT INTO stage_total (team_id, stage_id, currency, active, count, expected_sum, weighted_sum)
                SELECT team_id, stage_id, currency, active, count(*), sum(expected_revenue), sum(weighted_revenue)
                FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                GROUP BY team_id, stage_id, currency, active
                ORDER BY team_id, stage_id, currency, active
                """)
            try transaction.run("SELECT pg_notify($1, $2)",
                                [PostgresSchema.changeChannel, #"{"table":"opportunity","op":"update","ids":null,"teams":null}"#])
            return (reweighted > 0 ? ["weighted revenue recomputed for \(reweighted) opportunities"] : [])
                + ["stage totals recomputed", "filter index: kept by PostgreSQL, nothing to rebuild"]
        }
    }
}
