import GRDB
import PipelineCore
import PipelineStorage

extension SQLiteEngine {
    /// What is wrong with the file, if anything: SQLite's own check of pages and indexes,
    /// the filter index against the records, the stage totals against the records, and each
    /// deal's stage against its history. Empty means sound.
    ///
    /// FTS5 checks its index only through an `INSERT` command, which changes nothing but takes
    /// the write lock: the check is therefore a write transaction, not a read. On a read-only
    /// connection the filter index goes unchecked, and the answer says so.
    public func integrityProblems() throws -> [String] {
        if queue.configuration.readonly {
            return try withReadTransaction { db in try Self.integrityProblems(db) } + ["filter index: not checked (the file is open read-only)"]
        }
        return try withDatabase { db in
            var problems = try Self.integrityProblems(db)
            do {
                try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)")
            } catch {
                problems.append("filter index: \(error)")
            }
            return problems
        }
    }

    /// Everything `integrityProblems()` checks but the filter index, which a read can check.
    private static func integrityProblems(_ db: Database) throws -> [String] {
        var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            // Sums are compared split as the table keeps them (see Schema.sumSplit), so that
            // a million large deals cannot overflow the check itself.
            let totals = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, currency, active,
                       coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (SELECT team_id, stage_id, currency, active, count(*) AS n,
                             sum(expected_revenue / 1000000000) AS high, sum(expected_revenue % 1000000000) AS low
                      FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                      GROUP BY team_id, stage_id, currency, active) AS o
                FULL OUTER JOIN stage_total AS t USING (team_id, stage_id, currency, active)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                   OR coalesce(o.high, 0) != coalesce(t.expected_high, 0) OR coalesce(o.low, 0) != coalesce(t.expected_low, 0)
                """)
            problems += totals.map { row in
                "stage total of team \(row["team_id"] as Int64), stage \(row["stage_id"] as Int64), \(row["currency"] as String): "
                    + "\(row["kept"] as Int) kept, \(row["counted"] as Int) counted, or their sums differ"
            }
            // Every stage change writes a history line in the same transaction: a deal's
            // stage is where its last line says it went.
            let strays = try Int64.fetchAll(db, sql: """
                SELECT o.id FROM opportunity o
                WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL
                  AND o.stage_id IS NOT (SELECT h.to_stage_id FROM stage_history h
                                         WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1)
                LIMIT 20
                """)
            problems += strays.map { "opportunity \($0): its stage is not where its history last took it" }
            return problems
    }

    /// Rebuilds the filter index and the stage totals from the records, in one transaction.
    public func repair() throws -> [String] {
        try withDatabase { db in
            try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')")
            try db.execute(sql: "DELETE FROM stage_total")
            try db.execute(sql: """
                INSERT INTO stage_total (team_id, stage_id, currency, active, count,
                                         expected_high, expected_low, weighted_high, weighted_low)
                SELECT team_id, stage_id, currency, active, count(*),
                       sum(expected_revenue / 1000000000), sum(expected_revenue % 1000000000),
                       sum(weighted_revenue / 1000000000), sum(weighted_revenue % 1000000000)
                FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                GROUP BY team_id, stage_id, currency, active
                """)
            return ["filter index rebuilt", "stage totals recomputed"]
        }
    }

    /// A DEFERRED transaction for checks that may need to try a statement (rolled back).
    func withReadTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.unsafeRead { db in
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(db)
                    return .rollback
                }
                guard let result else { throw StoreError.failed(path: path, reason: "a check produced nothing") }
                return result
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}
