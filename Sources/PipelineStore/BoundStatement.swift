import Foundation
import GRDB
import GRDBSQLite

/// One value of a column as SQLite stores it: what `Rows` hands out for a record, to bind
/// through the C API (`BoundStatement`) or as GRDB's `DatabaseValue` alike.
enum ColumnValue {
    case text(String)
    case integer(Int64)
    case null

    static func text(_ value: String?) -> ColumnValue { value.map(ColumnValue.text) ?? .null }
    static func integer(_ value: Int64?) -> ColumnValue { value.map(ColumnValue.integer) ?? .null }
    static func integer(_ value: Int?) -> ColumnValue { value.map { .integer(Int64($0)) } ?? .null }
    static func integer(_ value: Int) -> ColumnValue { .integer(Int64(value)) }
    static func integer(_ value: Bool) -> ColumnValue { .integer(value ? 1 : 0) }

    var databaseValue: DatabaseValue {
        switch self {
        case .text(let text): return text.databaseValue
        case .integer(let value): return value.databaseValue
        case .null: return .null
        }
    }
}

/// A statement whose values are bound through SQLite's C API, for the statements an import
/// or restore runs once per row (kept compiled on the connection by GRDB's statement cache).
/// Building GRDB's `StatementArguments` for each row — an array of boxed values, checked
/// against the statement, then bound one by one — cost an import more than SQLite's own
/// insert did (Docs/benchmarks.md). GRDB still runs the statement: its checks before a
/// statement, its errors (a constraint, a full disk) and its view of the transaction stay
/// as for any other; only the binding is done here.
///
/// Use: `var insert = try BoundStatement(db.cachedStatement(sql: …))`, one `bind` per
/// parameter in order, `execute()`.
struct BoundStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    /// The parameter the last `bind` filled (1-based, as SQLite counts).
    private var bound: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
        // Resets the statement (SQLite binds only between a reset and a step; the last step's
        // failure, if any, was reported when it happened) and clears what was bound before;
        // with no arguments of GRDB's marked as set, `execute()` runs with what `bind` puts in place.
        statement.setUncheckedArguments([])
    }

    mutating func bind(_ value: ColumnValue) throws {
        switch value {
        case .text(let text): try bind(text)
        case .integer(let integer): try bind(integer)
        case .null: try bindNull()
        }
    }

    /// A value GRDB holds (a restored activity's columns come as such).
    mutating func bind(_ value: DatabaseValue) throws {
        switch value.storage {
        case .null: try bindNull()
        case .int64(let integer): try bind(integer)
        case .string(let text): try bind(text)
        case .double(let double):
            bound += 1
            try check(sqlite3_bind_double(handle, bound, double))
        case .blob(let data):
            bound += 1
            try check(data.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(handle, bound, bytes.baseAddress ?? UnsafeRawPointer(Self.empty.utf8Start),
                                    sqlite3_uint64(bytes.count), Self.transient)
            })
        }
    }

    mutating func bind(_ value: Int64) throws {
        bound += 1
        try check(sqlite3_bind_int64(handle, bound, value))
    }

    mutating func bind(_ value: Int64?) throws {
        if let value { try bind(value) } else { try bindNull() }
    }

    mutating func bind(_ value: Int) throws { try bind(Int64(value)) }

    mutating func bind(_ value: Int?) throws { try bind(value.map(Int64.init)) }

    mutating func bind(_ text: String) throws {
        bound += 1
        var text = text  // `withUTF8` may make a bridged string contiguous; ours already are
        let code = text.withUTF8 { bytes in
            // SQLite copies the text (`SQLITE_TRANSIENT`): the string may go before the step.
            // An empty string still needs a pointer: a null one would bind NULL.
            sqlite3_bind_text64(handle, bound, UnsafeRawPointer(bytes.baseAddress ?? Self.empty.utf8Start).assumingMemoryBound(to: CChar.self),
                                sqlite3_uint64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
        }
        try check(code)
    }

    mutating func bind(_ text: String?) throws {
        if let text { try bind(text) } else { try bindNull() }
    }

    mutating func bindNull() throws {
        bound += 1
        try check(sqlite3_bind_null(handle, bound))
    }

    /// Runs the statement with the values bound, which must be one per parameter.
    func execute() throws {
        let parameterCount = sqlite3_bind_parameter_count(handle)
        guard bound == parameterCount else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE,
                                message: "\(bound) values bound for \(parameterCount) parameters", sql: statement.sql)
        }
        try statement.execute()
    }

    private func check(_ code: CInt) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errstr(code)), sql: statement.sql)
        }
    }

    /// SQLite's `SQLITE_TRANSIENT` (a destructor of -1: copy the value now), which Swift
    /// cannot import as it is a cast in a macro.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    private static let empty: StaticString = ""
}
