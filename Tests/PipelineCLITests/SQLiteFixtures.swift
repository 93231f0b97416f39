import GRDB

/// Direct SQLite access for setting up situations the CLI must cope with. Kept apart from
/// the test files: GRDB's names would shadow the ones Swift Testing's macros expand to.
enum SQLiteFile {
    /// An SQLite database made by some other program.
    static func createForeignDatabase(at path: String) throws {
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE contacts (name TEXT)") }
    }

    /// Runs `body` while another connection holds the database's write lock.
    static func whileHoldingTheWriteLock(on path: String, _ body: () throws -> Void) throws {
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            try body()
        }
    }

    /// Runs `sql` on the file behind the program's back, as another SQLite tool would.
    static func execute(_ sql: String, arguments: [String] = [], on path: String) throws {
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    /// Runs `sql` as another program that keeps neither the foreign keys nor the CHECK
    /// constraints (SQLite lets a connection turn both off).
    static func executeUnchecked(_ sql: String, on path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        try DatabaseQueue(path: path, configuration: configuration).write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql)
        }
    }

    /// The table whose page is the file's last one (after a checkpoint).
    static func ownerOfLastPage(_ path: String) throws -> String? {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            return try String.fetchOne(db, sql: "SELECT name FROM dbstat WHERE pageno = ?", arguments: [pages])
        }
    }
}
