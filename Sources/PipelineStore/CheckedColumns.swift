import Foundation
import GRDB
import GRDBSQLite

/// A row's values by position, each checked against the type its column must hold: a value
/// that cannot be one (text in an integer column, a blob that is not UTF-8) is
/// `UnreadableValue`, never a silent zero. Two sources give them: a GRDB `Row` (the board's
/// few rows) and `StatementColumns` (the row loops of exports, backups and `db copy`).
protocol CheckedColumns {
    func int64(_ index: Int, table: String) throws -> Int64
    func optionalInt64(_ index: Int, table: String) throws -> Int64?
    func bool(_ index: Int, table: String) throws -> Bool
    func string(_ index: Int, table: String) throws -> String
    func optionalString(_ index: Int, table: String) throws -> String?
}

extension CheckedColumns {
    func int(_ index: Int, table: String) throws -> Int {
        // 64-bit platforms only: Int is Int64 (as GRDB's conversion, `Int(exactly:)`, has it).
        Int(try int64(index, table: table))
    }

    func optionalInt(_ index: Int, table: String) throws -> Int? {
        try optionalInt64(index, table: table).map { Int($0) }
    }
}

extension Row: CheckedColumns {
    func int64(_ index: Int, table: String) throws -> Int64 { try checked(index, table: table) }
    func optionalInt64(_ index: Int, table: String) throws -> Int64? { try checked(index, table: table) }
    func bool(_ index: Int, table: String) throws -> Bool { try checked(index, table: table) }
    func string(_ index: Int, table: String) throws -> String { try checked(index, table: table) }
    func optionalString(_ index: Int, table: String) throws -> String? { try checked(index, table: table) }
}

/// The current row of a statement a cursor is stepping, read with `sqlite3_column_*` (issue 15).
///
/// GRDB's `Row.decode` goes through a `DatabaseValue` and generic conversions: a quarter of a
/// CSV export's time at 1,000,000 deals, and an eighth more in Swift's generic-metadata
/// lookups under it. GRDB's fast path (`StatementColumnConvertible`) skips the checks: text in
/// an integer column reads as 0. This reads the storage class and converts exactly as GRDB's
/// `DatabaseValueConvertible` types do, so that every value reads as it did and every damaged
/// one is refused as it was:
/// - an integer: INTEGER, or REAL in Int64's range (rounded toward zero); else damaged;
/// - a Bool: INTEGER or REAL, non-zero; else damaged;
/// - a String: TEXT (up to its first NUL, invalid UTF-8 repaired, as `String(cString:)`
///   reads it), or a BLOB that is valid UTF-8; else damaged;
/// - NULL only where the value is optional.
struct StatementColumns: CheckedColumns {
    let statement: SQLiteStatement

    init(_ statement: Statement) {
        self.statement = statement.sqliteStatement
    }

    private func type(_ index: Int) -> CInt { sqlite3_column_type(statement, CInt(index)) }

    func optionalInt64(_ index: Int, table: String) throws -> Int64? {
        switch type(index) {
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, CInt(index))
        case SQLITE_NULL: return nil
        case SQLITE_FLOAT:
            let double = sqlite3_column_double(statement, CInt(index))
            guard double >= Double(Int64.min), double < Double(Int64.max) else { throw unreadable(index, table: table) }
            return Int64(double)
        default: throw unreadable(index, table: table)
        }
    }

    func int64(_ index: Int, table: String) throws -> Int64 {
        guard let value = try optionalInt64(index, table: table) else { throw unreadable(index, table: table) }
        return value
    }

    func bool(_ index: Int, table: String) throws -> Bool {
        switch type(index) {
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, CInt(index)) != 0
        case SQLITE_FLOAT: return sqlite3_column_double(statement, CInt(index)) != 0
        default: throw unreadable(index, table: table)
        }
    }

    func optionalString(_ index: Int, table: String) throws -> String? {
        switch type(index) {
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, CInt(index)) else { return "" }
            return String(cString: text)
        case SQLITE_NULL: return nil
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, CInt(index)))
            guard let start = sqlite3_column_blob(statement, CInt(index)) else { return "" }
            // Exactly as GRDB reads a blob (a rare, damaged case): nil when it is not UTF-8.
            guard let text = String(data: Data(bytes: start, count: count), encoding: .utf8) else { throw unreadable(index, table: table) }
            return text
        default: throw unreadable(index, table: table)
        }
    }

    func string(_ index: Int, table: String) throws -> String {
        guard let value = try optionalString(index, table: table) else { throw unreadable(index, table: table) }
        return value
    }

    /// What `Row.checked` throws: the row's id is its first column.
    private func unreadable(_ index: Int, table: String) -> UnreadableValue {
        let id: String
        switch sqlite3_column_type(statement, 0) {
        case SQLITE_INTEGER: id = String(sqlite3_column_int64(statement, 0))
        case SQLITE_FLOAT:
            let double = sqlite3_column_double(statement, 0)
            id = double >= Double(Int64.min) && double < Double(Int64.max) ? String(Int64(double)) : "?"
        default: id = "?"
        }
        let name = index < Int(sqlite3_column_count(statement)) ? sqlite3_column_name(statement, CInt(index)).map { String(cString: $0) } : nil
        return UnreadableValue(table: table, id: id, column: name ?? "column \(index + 1)")
    }
}

extension SQLiteTransaction {
    /// Steps `sql` and hands each row to `body` as `StatementColumns`, with a value the file
    /// cannot hold said as this file's damage.
    func forEachStatementRow(_ sql: String, _ arguments: StatementArguments = [],
                             _ body: (StatementColumns) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let columns = StatementColumns(statement)
        while try cursor.next() != nil { try body(columns) }
    }
}
