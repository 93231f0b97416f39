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
    public func integrityReport(progress: RowProgress) throws -> IntegrityReport {
        var problems = Self.damage(atPath: path).map { [IntegrityProblem.file($0)] } ?? []
        var filterIndexChecked = true
        var moreProblems = false
        var longTexts = LongTexts()
        var done = 0
        /// The first `bound` of `items`, which were read with one more than that to know.
        func listed<T>(_ items: [T], bound: Int) -> ArraySlice<T> {
            if items.count > bound { moreProblems = true }
            return items.prefix(bound)
        }
        func checked() throws { done += 1; try progress.step(done, nil) }
        problems += try withReadTransaction { db in
            // SQLite's own check of every page: most of a check's time on a large file.
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }.map(IntegrityProblem.pages)
            try checked()
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
            try checked()
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
            // "My pipeline"'s header sums read these: compared as the stage totals are (found
            // by a hostile trial: a changed salesperson total passed the check).
            let salespersonTotals = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, salesperson, currency, coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (\(Self.salespersonTotalsQuery)) AS o
                FULL OUTER JOIN salesperson_total AS t USING (team_id, stage_id, salesperson, currency, active)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                   OR coalesce(o.expected_high, 0) != coalesce(t.expected_high, 0) OR coalesce(o.expected_low, 0) != coalesce(t.expected_low, 0)
                   OR coalesce(o.weighted_high, 0) != coalesce(t.weighted_high, 0) OR coalesce(o.weighted_low, 0) != coalesce(t.weighted_low, 0)
                LIMIT \(Self.reportedInvalidValues + 1)
                """)
            problems += listed(salespersonTotals, bound: Self.reportedInvalidValues).map { row in
                .salespersonTotal(team: row["team_id"], stage: row["stage_id"], salesperson: row["salesperson"] as String? ?? "",
                                  currency: row["currency"], kept: row["kept"], counted: row["counted"])
            }
            // Each deal's weighted amount against its amount and probability, as on a server.
            let weighted = try Int64.fetchAll(db, sql: """
                SELECT id FROM opportunity
                WHERE type = 'opportunity' AND typeof(expected_revenue) = 'integer' AND typeof(probability) = 'integer'
                  AND weighted_revenue IS NOT pipeline_weighted(expected_revenue, probability)
                ORDER BY id LIMIT 21
                """)
            problems += listed(weighted, bound: 20).map(IntegrityProblem.weightedAmount)
            try checked()
            // The header's overdue counts sum these; they are compared with a plain count.
            let dueCounts = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, due, coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (\(Self.dueCountsQuery)) AS o
                FULL OUTER JOIN due_count AS t USING (team_id, stage_id, due)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                ORDER BY team_id, stage_id, due LIMIT \(Self.reportedInvalidValues + 1)
                """)
            problems += listed(dueCounts, bound: Self.reportedInvalidValues).map { row in
                .dueCount(team: row["team_id"], stage: row["stage_id"], salesperson: nil, due: row["due"], kept: row["kept"], counted: row["counted"])
            }
            let salespersonDueCounts = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, salesperson, due, coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (\(Self.salespersonDueCountsQuery)) AS o
                FULL OUTER JOIN salesperson_due_count AS t USING (team_id, stage_id, salesperson, due)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                ORDER BY team_id, stage_id, salesperson, due LIMIT \(Self.reportedInvalidValues + 1)
                """)
            problems += listed(salespersonDueCounts, bound: Self.reportedInvalidValues).map { row in
                .dueCount(team: row["team_id"], stage: row["stage_id"], salesperson: row["salesperson"], due: row["due"],
                          kept: row["kept"], counted: row["counted"])
            }
            try checked()
            // Every stage change writes a history line in the same transaction: a deal's
            // stage is where its last line says it went.
            let strays = try Row.fetchAll(db, sql: """
                SELECT o.id, o.stage_id, EXISTS (SELECT 1 FROM stage_history h WHERE h.opportunity_id = o.id) FROM opportunity o
                WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL
                  AND o.stage_id IS NOT (SELECT h.to_stage_id FROM stage_history h
                                         WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1)
                LIMIT 21
                """)
            try checked()
            // A deal without any line is said so, as a restore says it.
            problems += listed(strays, bound: 20).map { row -> IntegrityProblem in
                row[2] as Bool ? .stageNotInHistory(opportunity: row[0]) : .noHistory(opportunity: row[0], stage: row[1])
            }
            problems += listed(try Self.unreadableValues(db), bound: 20)
            try checked()
            problems += listed(try Self.invalidValues(db), bound: Self.reportedInvalidValues)
            longTexts = try Self.longTexts(db)
            try checked()
            return problems
        }
        return IntegrityReport(problems: problems, filterIndexChecked: filterIndexChecked, moreProblems: moreProblems,
                               longTexts: longTexts)
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
    /// passes the commands can read. At most 21 are returned (20 are named; the 21st says
    /// there are more).
    static func unreadableValues(_ db: Database) throws -> [IntegrityProblem] {
        var problems: [IntegrityProblem] = []
        func scan(_ sql: String, _ read: (Row) throws -> Void) throws {
            let rows = try Row.fetchCursor(db, sql: sql)
            while problems.count < 21, let row = try rows.next() {
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

    /// Activity, note and type rows holding what the program never writes, as a PostgreSQL
    /// server's constraints refuse it (schema versions 4 and 5): one problem per value, at
    /// most one more than `reportedInvalidValues` (which says there are more). Values are read
    /// as stored, whatever their type, so that a row another program wrote cannot stop the
    /// check. Text beyond its `TextLimit` is not among them (`longTexts`).
    static func invalidValues(_ db: Database) throws -> [IntegrityProblem] {
        var problems: [IntegrityProblem] = []
        var full: Bool { problems.count > reportedInvalidValues }
        func report(_ table: String, _ id: Int64, _ column: String, _ rule: ValueRule) {
            if !full { problems.append(.invalidValue(table: table, id: id, column: column, rule: rule)) }
        }
        // Never inlined: Swift 6.3's release build stops with "Found ownership error" in this
        // function when the two pattern matches on `DatabaseValue.storage` below are inlined.
        @inline(never) func text(_ value: DatabaseValue) -> String? {
            if case .string(let text) = value.storage { return text }
            return nil
        }
        @inline(never) func integer(_ value: DatabaseValue) -> Int64? {
            if case .int64(let number) = value.storage { return number }
            return nil
        }
        /// A text column: present where required, clean (its length is `longTexts`' to tell).
        func checkText(_ table: String, _ id: Int64, _ column: String, _ value: DatabaseValue, field: Field,
                       required: Bool = false, optional: Bool = false) {
            if value.isNull, optional { return }
            guard let string = text(value) else { return report(table, id, column, .empty) }
            let multiLine = field.maximumLength > TextLimit.line
            if required, string.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\n" }) { return report(table, id, column, .empty) }
            if !TextInput.isStorable(string, multiLine: multiLine) { return report(table, id, column, .controlCharacters) }
        }
        func checkInstant(_ table: String, _ id: Int64, _ column: String, _ value: DatabaseValue, optional: Bool = false) {
            if value.isNull, optional { return }
            guard let instant = integer(value), Timestamp.range.contains(instant) else { return report(table, id, column, .instant) }
        }
        let types = Set(try Int64.fetchAll(db, sql: "SELECT id FROM activity_type"))

        let typeRows = try Row.fetchCursor(db, sql: "SELECT id, name, next_type_id, next_delay_days FROM activity_type ORDER BY id")
        while !full, let row = try typeRows.next() {
            let id: Int64 = row[0]
            checkText("activity_type", id, "name", row[1], field: .activityTypeName, required: true)
            if let next = integer(row[2]), !types.contains(next) { report("activity_type", id, "next_type_id", .missing("activity_type")) }
            if !(integer(row[3]).map { (0...365).contains($0) } ?? false) { report("activity_type", id, "next_delay_days", .outOfRange(0...365)) }
        }

        let activities = try Row.fetchCursor(db, sql: """
            SELECT a.id, a.type_id, a.summary, a.due, a.due_time, a.assigned_to, a.notes, a.done_at, a.done_by, a.feedback,
                   a.created_at, a.created_by, a.updated_at, o.id IS NOT NULL
            FROM activity a LEFT JOIN opportunity o ON o.id = a.record_id ORDER BY a.id
            """)
        while !full, let row = try activities.next() {
            let id: Int64 = row[0]
            if !(row[13] as Bool) { report("activity", id, "record_id", .missing("opportunity")) }
            if !(integer(row[1]).map(types.contains) ?? false) { report("activity", id, "type_id", .missing("activity_type")) }
            checkText("activity", id, "summary", row[2], field: .summary, required: true)
            if !(text(row[3]).map { CalendarDate(iso8601: $0)?.iso8601 == $0 } ?? false) { report("activity", id, "due", .date) }
            let time: DatabaseValue = row[4]
            if !time.isNull, !(integer(time).map { (0...1439).contains($0) } ?? false) { report("activity", id, "due_time", .timeOfDay) }
            checkText("activity", id, "assigned_to", row[5], field: .assignedTo)
            checkText("activity", id, "notes", row[6], field: .activityNotes)
            checkInstant("activity", id, "done_at", row[7], optional: true)
            if (row[7] as DatabaseValue).isNull != (row[8] as DatabaseValue).isNull { report("activity", id, "done_by", .doneWithoutWho) }
            checkText("activity", id, "done_by", row[8], field: .salesperson, optional: true)
            checkText("activity", id, "feedback", row[9], field: .feedback, optional: true)
            checkInstant("activity", id, "created_at", row[10])
            checkText("activity", id, "created_by", row[11], field: .salesperson)
            checkInstant("activity", id, "updated_at", row[12])
        }

        let notes = try Row.fetchCursor(db, sql: """
            SELECT n.id, n.text, n.author, n.created_at, o.id IS NOT NULL
            FROM deal_note n LEFT JOIN opportunity o ON o.id = n.record_id ORDER BY n.id
            """)
        while !full, let row = try notes.next() {
            let id: Int64 = row[0]
            if !(row[4] as Bool) { report("deal_note", id, "record_id", .missing("opportunity")) }
            checkText("deal_note", id, "text", row[1], field: .noteText, required: true)
            checkText("deal_note", id, "author", row[2], field: .salesperson)
            checkInstant("deal_note", id, "created_at", row[3])
        }

        // Amounts beyond what an amount can be (the deal then showed as 0).
        for (table, column) in IntegrityProblem.amountColumns where !full {
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM \(table) WHERE typeof(\(column)) = 'integer' AND (\(column) > ? OR \(column) < 0) ORDER BY id LIMIT ?
                """, arguments: [Money.maximumMinorUnits, reportedInvalidValues + 1])
            for id in ids { report(table, id, column, .amount) }
        }
        // Times after now (a restore took them before it refused them); one past the calendar's
        // end is already named as a time pipeline cannot hold, once.
        let latest = IntegrityClock.latestTime()
        for (table, column) in IntegrityClock.recordedTimes where !full {
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM \(table) WHERE typeof(\(column)) = 'integer' AND \(column) > ? AND \(column) <= ? ORDER BY id LIMIT ?
                """, arguments: [latest, Timestamp.range.upperBound, reportedInvalidValues + 1])
            for id in ids { report(table, id, column, .future) }
        }
        return problems
    }

    /// How many invalid values a check names at most (the count is what matters after that).
    static let reportedInvalidValues = 100

    /// Text longer than its `TextLimit`, as a restore keeps it from an older version: all of
    /// it counted by SQLite's own character count (Unicode scalars, as `TextLimit` counts),
    /// the first `LongText.named` named. Each table is read once for all its columns.
    static func longTexts(_ db: Database) throws -> LongTexts {
        var found = LongTexts()
        for (table, columns) in LongText.columns {
            let over = columns.map { "(typeof(\($0.column)) = 'text' AND length(\($0.column)) > \($0.field.maximumLength))" }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, \(over.joined(separator: ", ")) FROM \(table) WHERE \(over.joined(separator: " OR ")) ORDER BY id
                """)
            while let row = try rows.next() {
                let id: Int64 = row[0]
                for (index, (column, field)) in columns.enumerated() where row[index + 1] as Bool {
                    found.add(LongText(table: table, id: id, column: column, limit: field.maximumLength))
                }
            }
        }
        return found
    }

    /// The per-stage totals of the deals as they are, split as `stage_total` keeps them.
    static let stageTotalsQuery = """
        SELECT team_id, stage_id, currency, active, count(*) AS n,
               sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
               sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
        FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
        GROUP BY team_id, stage_id, currency, active
        """

    /// The same per salesperson (ignoring ASCII case), as `salesperson_total` keeps them.
    static let salespersonTotalsQuery = """
        SELECT team_id, stage_id, salesperson COLLATE NOCASE AS salesperson, currency, active, count(*) AS n,
               sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
               sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
        FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
        GROUP BY team_id, stage_id, salesperson COLLATE NOCASE, currency, active
        """

    /// How many active deals of each column have their next activity due on each date, as
    /// `due_count` keeps them (schema version 7).
    static let dueCountsQuery = """
        SELECT team_id, stage_id, next_activity_date AS due, count(*) AS n FROM opportunity
        WHERE type = 'opportunity' AND active = 1 AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
        GROUP BY team_id, stage_id, next_activity_date
        """

    /// The same per salesperson (ignoring ASCII case), as `salesperson_due_count` keeps them.
    static let salespersonDueCountsQuery = """
        SELECT team_id, stage_id, salesperson COLLATE NOCASE AS salesperson, next_activity_date AS due, count(*) AS n FROM opportunity
        WHERE type = 'opportunity' AND active = 1 AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
        GROUP BY team_id, stage_id, salesperson COLLATE NOCASE, next_activity_date
        """

    /// Rebuilds what can be rebuilt from the deals themselves, in one transaction: the
    /// filter index and the per-stage totals. A file whose size is not whole pages is then
    /// rewritten whole (`VACUUM`, itself all or nothing). Pages SQLite finds broken, and
    /// deals whose history disagrees, are reported by the check, not guessed at.
    public func repair() throws {
        try withDatabase { db in
            // A dropped totals or counts table is made again (its rows come from the deals below).
            for table in IntegrityProblem.rebuiltTables.sorted() where try !db.tableExists(table) {
                for statement in Self.expectedShape.statements[table] ?? [] { try db.execute(sql: statement) }
            }
            // Anything else missing is not guessed at: the check names it.
            guard try Self.missingSchema(db).isEmpty else { return }
            try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')")
            // A weighted amount that does not follow its deal's amount and probability, first:
            // the totals below are then summed from the right ones.
            try db.execute(sql: """
                UPDATE opportunity SET weighted_revenue = pipeline_weighted(expected_revenue, probability)
                WHERE type = 'opportunity' AND typeof(expected_revenue) = 'integer' AND typeof(probability) = 'integer'
                  AND weighted_revenue IS NOT pipeline_weighted(expected_revenue, probability)
                """)
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
            try db.execute(sql: "DELETE FROM due_count")
            try db.execute(sql: "INSERT INTO due_count (team_id, stage_id, due, count) SELECT team_id, stage_id, due, n FROM (\(Self.dueCountsQuery))")
            try db.execute(sql: "DELETE FROM salesperson_due_count")
            try db.execute(sql: """
                INSERT INTO salesperson_due_count (team_id, stage_id, salesperson, due, count)
                SELECT team_id, stage_id, salesperson, due, n FROM (\(Self.salespersonDueCountsQuery))
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
