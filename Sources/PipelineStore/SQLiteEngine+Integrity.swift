import GRDB
import PipelineCore
import PipelineStorage

extension SQLiteEngine {
    /// What is wrong with the file, if anything: its size against its header, SQLite's own
    /// check of pages and indexes, the filter index against the deals, the stage totals
    /// against the deals, and each deal's stage against its history. Empty means sound.
    ///
    /// FTS5 checks its index through an `INSERT` command that changes nothing; it runs in a
    /// transaction that is rolled back. SQLite refuses it on a connection opened read-only:
    /// the report then says the filter index went unchecked.
    public func integrityReport() throws -> IntegrityReport {
        var problems = Self.damage(atPath: path).map { [IntegrityProblem.file($0)] } ?? []
        var filterIndexChecked = true
        problems += try withReadTransaction { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }.map(IntegrityProblem.pages)
            // Without the tables and columns the checks below read, they could only fail in
            // SQLite's words: the schema is said first, and alone.
            let missing = try Self.missingSchema(db)
            guard missing.isEmpty else { return problems + missing }
            do {
                try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
                filterIndexChecked = false
            } catch let error as DatabaseError {
                problems.append(.filterIndex(error.message ?? "\(error.resultCode)"))
            }
            // Sums are compared split as the table keeps them (see Schema), so that a million
            // large deals cannot overflow the check itself.
            let totals = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, currency, coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (\(Self.stageTotalsQuery)) AS o
                FULL OUTER JOIN stage_total AS t USING (team_id, stage_id, currency, active)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                   OR coalesce(o.expected_high, 0) != coalesce(t.expected_high, 0) OR coalesce(o.expected_low, 0) != coalesce(t.expected_low, 0)
                   OR coalesce(o.weighted_high, 0) != coalesce(t.weighted_high, 0) OR coalesce(o.weighted_low, 0) != coalesce(t.weighted_low, 0)
                """)
            problems += totals.map { row in
                .stageTotal(team: row["team_id"], stage: row["stage_id"], currency: row["currency"], kept: row["kept"], counted: row["counted"])
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
            return problems + strays.map(IntegrityProblem.stageNotInHistory) + (try Self.unreadableValues(db))
        }
        return IntegrityReport(problems: problems, filterIndexChecked: filterIndexChecked)
    }

    /// The tables and columns a database of this version has, and the statements that make
    /// them: read from one made afresh in memory by the same migrations, so the check can
    /// never disagree with the schema.
    struct Shape {
        var columns: [String: [String]] = [:]
        var statements: [String: [String]] = [:]
    }

    static let expectedShape: Shape = {
        guard let queue = try? DatabaseQueue() else { return Shape() }
        return (try? queue.write { db -> Shape in
            try Schema.migrate(db, seedLanguage: .english, now: Timestamp(millisecondsSince1970: 0), path: ":memory:")
            return try shape(db)
        }) ?? Shape()
    }()

    static func shape(_ db: Database) throws -> Shape {
        var shape = Shape()
        for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
            let name: String = row["name"]
            shape.columns[name] = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
            let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                                              arguments: [name])
            shape.statements[name] = [row["sql"] as String? ?? ""] + indexes
        }
        return shape
    }

    /// The expected tables and columns the file lacks.
    static func missingSchema(_ db: Database) throws -> [IntegrityProblem] {
        let actual = try shape(db)
        var problems: [IntegrityProblem] = []
        for (table, columns) in expectedShape.columns.sorted(by: { $0.key < $1.key }) {
            guard let present = actual.columns[table] else {
                problems.append(.missingTable(table))
                continue
            }
            problems += columns.filter { !present.contains($0) }.map { .missingColumn(table: table, column: $0) }
        }
        return problems
    }

    /// Rows holding a value their column cannot (text that is not UTF-8, an amount that is
    /// not a number): each row is read as every command reads it, so that what the check
    /// passes the commands can read. At most 20 are named.
    static func unreadableValues(_ db: Database) throws -> [IntegrityProblem] {
        var problems: [IntegrityProblem] = []
        func scan(_ sql: String, _ read: (Row) throws -> Void) throws {
            let rows = try Row.fetchCursor(db, sql: sql)
            while problems.count < 20, let row = try rows.next() {
                do { try read(row) } catch let error as UnreadableValue {
                    problems.append(.unreadableValue(table: error.table, id: error.id, column: error.column))
                }
            }
        }
        try scan("SELECT id, name, version, created_at FROM team ORDER BY id") { row in
            _ = try Rows.team(row)
            let _: Int64 = try row.checked(3, table: "team")
        }
        try scan("SELECT \(Rows.stageColumns) FROM stage ORDER BY id") { _ = try Rows.stage($0) }
        try scan("SELECT \(Rows.opportunityColumns) FROM opportunity ORDER BY id") { _ = try Rows.opportunity($0) }
        return problems
    }

    /// The per-stage totals of the deals as they are, split as `stage_total` keeps them.
    static let stageTotalsQuery = """
        SELECT team_id, stage_id, currency, active, count(*) AS n,
               sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
               sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
        FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
        GROUP BY team_id, stage_id, currency, active
        """

    /// Rebuilds what can be rebuilt from the deals themselves, in one transaction: the
    /// filter index and the per-stage totals. A file whose size is not whole pages is then
    /// rewritten whole (`VACUUM`, itself all or nothing). Pages SQLite finds broken, and
    /// deals whose history disagrees, are reported by the check, not guessed at.
    public func repair() throws {
        try withDatabase { db in
            // A dropped totals table is made again (its rows come from the deals below).
            if try !db.tableExists("stage_total") {
                for statement in Self.expectedShape.statements["stage_total"] ?? [] { try db.execute(sql: statement) }
            }
            // Anything else missing is not guessed at: the check names it.
            guard try Self.missingSchema(db).isEmpty else { return }
            try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')")
            try db.execute(sql: "DELETE FROM stage_total")
            try db.execute(sql: """
                INSERT INTO stage_total (team_id, stage_id, currency, active, count, expected_high, expected_low, weighted_high, weighted_low)
                SELECT team_id, stage_id, currency, active, n, expected_high, expected_low, weighted_high, weighted_low
                FROM (\(Self.stageTotalsQuery))
                """)
            try db.execute(sql: "DELETE FROM salesperson_total")
            try db.execute(sql: """
                INSERT INTO salesperson_total (team_id, stage_id, salesperson, currency, active, count,
                                               expected_high, expected_low, weighted_high, weighted_low)
                SELECT team_id, stage_id, salesperson, currency, active, count(*),
                       sum(expected_revenue / 1000000000), sum(expected_revenue % 1000000000),
                       sum(weighted_revenue / 1000000000), sum(weighted_revenue % 1000000000)
                FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
                GROUP BY team_id, stage_id, salesperson COLLATE NOCASE, currency, active
                """)
        }
        guard Self.damage(atPath: path) != nil else { return }
        do {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw Self.storeError(error, path: path)
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
