import PipelineCore
import PipelineStorage
import PostgresClient

extension PostgresEngine {
    /// What is wrong with the stored data, if anything (empty means sound), read in one
    /// snapshot: the stage totals (per salesperson) against the deals (counts, amounts and weighted amounts),
    /// each deal's stage against its last history line, and each deal's weighted amount
    /// against its amount and probability. PostgreSQL checks its own pages and keeps its
    /// indexes (the trigram index included) itself.
    public func integrityReport(progress: RowProgress) throws -> IntegrityReport {
        var done = 0
        func checked() throws { done += 1; try progress.step(done, nil) }
        return try reading { transaction in
            var problems: [IntegrityProblem] = []
            var moreProblems = false
            /// Each kind is listed up to a bound, read with one more row to know there are more.
            func listed(_ found: [IntegrityProblem], bound: Int) {
                if found.count > bound { moreProblems = true }
                problems += found.prefix(bound)
            }
            var dueCounts: [IntegrityProblem] = []
            for row in try transaction.rows("""
                SELECT team_id, stage_id, currency, coalesce(o.n, 0), coalesce(t.count, 0)
                FROM (SELECT team_id, stage_id, currency, active, salesperson, count(*) AS n,
                             sum(expected_revenue) AS expected, sum(weighted_revenue) AS weighted
                      FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                      GROUP BY team_id, stage_id, currency, active, salesperson) AS o
                FULL OUTER JOIN stage_total AS t USING (team_id, stage_id, currency, active, salesperson)
                WHERE coalesce(o.n, 0) <> coalesce(t.count, 0)
                   OR coalesce(o.expected, 0) <> coalesce(t.expected_sum, 0)
                   OR coalesce(o.weighted, 0) <> coalesce(t.weighted_sum, 0)
                ORDER BY team_id, stage_id, currency, salesperson
                """) {
                problems.append(.stageTotal(team: try row.int64(0), stage: try row.int64(1), currency: try row.string(2),
                                            kept: Int(try row.int64(4)), counted: Int(try row.int64(3))))
            }
            try checked()
            // The header's overdue counts sum these; they are compared with a plain count.
            for row in try transaction.rows("""
                SELECT team_id, stage_id, salesperson, due, coalesce(o.n, 0), coalesce(t.count, 0)
                FROM (SELECT team_id, stage_id, salesperson, next_activity_date AS due, count(*) AS n
                      FROM opportunity
                      WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
                      GROUP BY team_id, stage_id, salesperson, next_activity_date) AS o
                FULL OUTER JOIN due_count AS t USING (team_id, stage_id, salesperson, due)
                WHERE coalesce(o.n, 0) <> coalesce(t.count, 0)
                ORDER BY team_id, stage_id, salesperson, due LIMIT 101
                """) {
                dueCounts.append(.dueCount(team: try row.int64(0), stage: try row.int64(1), salesperson: try row.string(2),
                                          due: try row.string(3), kept: Int(try row.int64(5)), counted: Int(try row.int64(4))))
            }
            listed(dueCounts, bound: 100)
            try checked()
            var strays: [IntegrityProblem] = []
            // Every stage change writes a history line in the same transaction: a deal's stage
            // is where its last line says it went.
            for row in try transaction.rows("""
                SELECT o.id, o.stage_id, EXISTS (SELECT 1 FROM stage_history h WHERE h.opportunity_id = o.id) FROM opportunity o
                WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL
                  AND o.stage_id IS DISTINCT FROM (SELECT h.to_stage_id FROM stage_history h
                                                   WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1)
                ORDER BY o.id LIMIT 21
                """) {
                // A deal without any line is said so, as a restore says it.
                strays.append(try row.bool(2) ? .stageNotInHistory(opportunity: try row.int64(0))
                                                : .noHistory(opportunity: try row.int64(0), stage: try row.int64(1)))
            }
            listed(strays, bound: 20)
            try checked()
            var weighted: [IntegrityProblem] = []
            for row in try transaction.rows("""
                SELECT id FROM opportunity
                WHERE type = 'opportunity'
                  AND weighted_revenue <> \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                ORDER BY id LIMIT 21
                """) {
                weighted.append(.weightedAmount(opportunity: try row.int64(0)))
            }
            listed(weighted, bound: 20)
            try checked()
            // Amounts beyond what an amount can be (the deal then showed as 0).
            var invalid: [IntegrityProblem] = []
            for (table, column) in IntegrityProblem.amountColumns where invalid.count <= 100 {
                for row in try transaction.rows("""
                    SELECT id FROM \(table) WHERE \(column) > \(Money.maximumMinorUnits) OR \(column) < 0 ORDER BY id LIMIT 101
                    """) {
                    invalid.append(.invalidValue(table: table, id: try row.int64(0), column: column, rule: .amount))
                }
            }
            // Times after now (a restore took them before it refused them).
            let latest = IntegrityClock.latestTime()
            for (table, column) in IntegrityClock.recordedTimes where invalid.count <= 100 {
                for row in try transaction.rows("SELECT id FROM \(table) WHERE \(column) > \(latest) ORDER BY id LIMIT 101") {
                    invalid.append(.invalidValue(table: table, id: try row.int64(0), column: column, rule: .future))
                }
            }
            listed(invalid, bound: 100)
            let longTexts = try Self.longTexts(transaction)
            try checked()
            return IntegrityReport(problems: problems, moreProblems: moreProblems, longTexts: longTexts)
        }
    }

    /// Text longer than its `TextLimit`, as a restore (or `db copy`) keeps it from an older
    /// version: counted by `char_length` (Unicode scalars, as `TextLimit` counts), the first
    /// `LongText.named` named. Not a problem (see `LongText`); each table is read once.
    static func longTexts(_ transaction: PostgresTransaction) throws -> LongTexts {
        var found = LongTexts()
        for (table, columns) in LongText.columns {
            let over = columns.map { "coalesce(char_length(\($0.column)) > \($0.field.maximumLength), false)" }
            for row in try transaction.rows("""
                SELECT id, \(over.joined(separator: ", ")) FROM \(table) WHERE \(over.joined(separator: " OR ")) ORDER BY id
                """) {
                let id = try row.int64(0)
                for (index, (column, field)) in columns.enumerated() where try row.bool(index + 1) {
                    found.add(LongText(table: table, id: id, column: column, limit: field.maximumLength))
                }
            }
        }
        return found
    }

    /// Recomputes the stage totals from the deals (and any weighted amount that does not
    /// follow its deal's amount and probability) in one transaction. The trigram index needs
    /// no rebuilding: PostgreSQL keeps it.
    public func repair() throws {
        try writing { transaction in
            try transaction.script("SET LOCAL \(PostgresSchema.importingSetting) = 'on'")
            try transaction.run("""
                UPDATE opportunity
                SET weighted_revenue = \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                WHERE type = 'opportunity'
                  AND weighted_revenue <> \(Self.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "probability"))
                """)
            // No user writes stage_total: the schema's function rebuilds it, for an administrator.
            try transaction.run("SELECT pipeline_rebuild_stage_totals()")
            try transaction.run("SELECT pipeline_rebuild_due_counts()")
            try transaction.run("SELECT pg_notify($1, $2)",
                                [PostgresSchema.changeChannel, #"{"table":"opportunity","op":"update","ids":null,"teams":null}"#])
        }
    }
}
