import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// The export's row loops read columns straight from the statement (`StatementColumns`);
/// the board reads GRDB rows. Both must read every stored value alike, and refuse every
/// damaged one alike, naming the same row and column (issue 15).
@Suite("SQLite: columns read straight from the statement")
struct StatementColumnsTests {
    /// What another tool may leave in a column: each storage class, the ends of Int64,
    /// text with a NUL, blobs that are and are not UTF-8.
    static let storedValues = [
        "NULL", "0", "1", "2", "-1", "9223372036854775807", "-9223372036854775808", "2.9", "-2.9", "0.0", "1e300", "-1e300",
        "'abc'", "'12x'", "''", "x''", "x'4142'", "x'41ff42'", "'a' || char(0) || 'b'", "'2026-02-30'", "'2026-03-01'", "'EUR'",
        "'Đồng'", "'lead'",
    ]

    static let columns = Rows.OpportunityColumn.allCases.map(\.sqlName)

    /// Both readings of one row: the record or the unreadable column's name.
    static func readings(_ db: Database) throws -> (row: String, statement: String) {
        let sql = "SELECT \(Rows.opportunityColumns), external_id FROM opportunity"
        func described(_ read: () throws -> Opportunity) -> String {
            do { return "\(try read())" } catch let error as UnreadableValue {
                return "unreadable \(error.table) \(error.id) \(error.column)"
            } catch { return "other \(error)" }
        }
        let row = try #require(try Row.fetchOne(db, sql: sql))
        let byRow = described { try Rows.opportunity(row) }
        var byStatement = "no row"
        try SQLiteTransaction(db, path: "test").forEachStatementRow(sql) { columns in
            byStatement = described { try Rows.opportunity(columns) }
        }
        return (byRow, byStatement)
    }

    @Test(arguments: columns)
    func everyStoredValueReadsAsAGRDBRowReadsIt(_ column: String) throws {
        let file = try TemporaryDatabase()
        try file.add("Acme")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: file.path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            // Triggers keep totals and the search index; what is read here is the row alone.
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'opportunity'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            for value in Self.storedValues {
                // NOT NULL, and an id that is not an integer, SQLite itself refuses.
                do { try db.execute(sql: "UPDATE opportunity SET \(column) = \(value)") } catch { continue }
                let (byRow, byStatement) = try Self.readings(db)
                #expect(byRow == byStatement, "\(column) = \(value)")
            }
        }
    }

    /// Activities, notes and history lines: a damaged value is the same damage either way.
    @Test func activitiesNotesAndHistoryReadAsGRDBRowsReadThem() throws {
        let file = try TemporaryDatabase()
        let record = try file.add("Acme")
        _ = try file.database.addNote(to: record.id, text: "Called", context: file.context())
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: file.path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: """
                INSERT INTO activity (record_id, type_id, summary, due, due_time, assigned_to, notes, created_at, created_by, updated_at, version)
                VALUES (1, (SELECT min(id) FROM activity_type), 'Call', '2026-03-01', 600, 'lan', '', 0, 'lan', 0, 1)
                """)
            let cases: [(table: String, columns: String, read: (any CheckedColumns) throws -> String, set: [String])] = [
                ("activity", Rows.activityColumns, { "\(try Rows.activity($0))" },
                 ["due = 'soon'", "due_time = 'x'", "due_time = 1.5", "summary = x'ff'", "done_at = 'x'", "version = 'v'", "created_by = x'ff'"]),
                ("deal_note", Rows.noteColumns, { "\(try Rows.note($0))" }, ["text = x'ff'", "created_at = 'x'", "author = x'41ff'"]),
                ("stage_history", "opportunity_id, \(Rows.historyColumns)", { "\(try Rows.historyLine($0, record: Opportunity.ID(1), from: 1))" },
                 ["amount = 'x'", "currency = 5", "event = x'ff'", "changed_at = 2.5", "reason = x'ff'", "from_stage_name = x'4142'"]),
            ]
            for (table, columns, read, settings) in cases {
                for setting in settings {
                    try db.execute(sql: "UPDATE \(table) SET \(setting)")
                    let sql = "SELECT \(columns) FROM \(table) ORDER BY id LIMIT 1"
                    func described(_ columns: any CheckedColumns) -> String {
                        do { return try read(columns) } catch let error as UnreadableValue {
                            return "unreadable \(error.table) \(error.id) \(error.column)"
                        } catch { return "other \(error)" }
                    }
                    let byRow = described(try #require(try Row.fetchOne(db, sql: sql)))
                    var byStatement = "no row"
                    try SQLiteTransaction(db, path: "test").forEachStatementRow(sql) { byStatement = described($0) }
                    #expect(byRow == byStatement, "\(table): \(setting)")
                }
            }
        }
    }
}
