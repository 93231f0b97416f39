import Foundation
import GRDB
import GRDBSQLite
import PipelineCore
import PipelineStorage

/// The embedded engine: one SQLite file through GRDB. Opening, migrating, and one
/// transaction per action (an `IMMEDIATE` one when it writes); the operations themselves
/// are the storage module's, shared with every engine.
public final class SQLiteEngine: StorageEngine {
    /// The page cache of every connection, in KiB (see where it is set).
    static let pageCacheKiB = 8192
    /// The page cache during a pass over a whole table (`scanningWithSmallCache`), in KiB.
    static let scanCacheKiB = 1024

    let queue: DatabaseQueue
    /// The path shown in messages.
    public let path: String
    public var location: String { path }
    public var localFile: String? { path }
    /// A file has no users of its own: who acts is what the caller says (the name the stage
    /// history records).
    public var sessionUser: String? { nil }

    /// How long a write waits for another process's write to finish before giving up.
    public static let defaultBusyTimeout: TimeInterval = 5

    /// Opens (and creates, with private permissions, if missing) the database at `path`.
    ///
    /// - Parameters:
    ///   - seedLanguage: names the default team and stages when the file is new.
    ///   - now: the creation time recorded in a new file.
    ///   - readOnly: opens without writing, for commands that only read.
    ///   - acceptingDamage: opens for writing even a file that looks damaged (see
    ///     ``damage(atPath:)``): for `pipeline check --repair`, which rewrites it.
    public init(path: String, seedLanguage: Language, now: Timestamp,
                busyTimeout: TimeInterval = SQLiteEngine.defaultBusyTimeout,
                readOnly: Bool = false, acceptingDamage: Bool = false,
                prepare: (@Sendable (Database) throws -> Void)? = nil) throws {
        self.path = path
        // SQLite would wait for ever on a FIFO, and a device or a folder is no database.
        if let kind = FileKind.ofNonRegularFile(atPath: path) { throw StoreError.notAFile(path: path, kind: kind) }
        if !readOnly {
            if !acceptingDamage, let damage = Self.damage(atPath: path) { throw StoreError.looksDamaged(path: path, damage: damage) }
            try Self.createPrivately(path)
            try Self.makeCompanionsWritable(path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.readonly = readOnly
        configuration.label = "pipeline"
        configuration.prepareDatabase { db in
            if !readOnly {
                // WAL lets the board read while another process writes; FULL sync so that a
                // committed move survives a power cut, not only a crash.
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
                if mode.lowercased() != "wal" { try db.execute(sql: "PRAGMA journal_mode = WAL") }
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            // 8 MiB of page cache (SQLite's default is 2): the board's columns, totals and the
            // filter's first rows stay in memory between keys; the board stays under 40 MB.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.pageCacheKiB)")
            // Every write that can abort half-way (triggers, foreign keys) keeps a statement
            // journal, by default in a temporary file: one file write per changed page per
            // statement. In memory it costs a copy; an import of 100,000 rows took 1.5 s less.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            db.add(function: Self.weightedRevenueFunction)
            try prepare?(db)
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if readOnly {
                try queue.read { db in
                    try Self.checkOwnership(db, path: path)
                    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if version > Schema.currentVersion { throw StoreError.createdByNewerVersion(path: path) }
                    if version < Schema.currentVersion { throw StoreError.readOnly(path: path) }
                }
            } else {
                try queue.write { db in
                    try Self.checkOwnership(db, path: path)
                    try Schema.migrate(db, seedLanguage: seedLanguage, now: now, path: path)
                }
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// `pipeline_weighted(amount, basis_points)`: the domain's rounding rule, callable from
    /// SQL so that bulk updates round exactly as single ones do.
    static let weightedRevenueFunction = DatabaseFunction("pipeline_weighted", argumentCount: 2, pure: true) { values in
        guard let amount = Int64.fromDatabaseValue(values[0]),
              let basisPoints = Int.fromDatabaseValue(values[1]),
              let probability = Probability(basisPoints: basisPoints) else { return 0 }
        return Money.weightedMinorUnits(amount, probability: probability)
    }

    /// Creates the folder (0700) and the file (0600) when missing, so that no one else
    /// can read the pipeline.
    private static func createPrivately(_ path: String) throws {
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !manager.fileExists(atPath: folder) {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotOpen(path: path, reason: "cannot create the folder \(folder)")
            }
        }
        if !manager.fileExists(atPath: path) {
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                close(descriptor)
            } else if errno != EEXIST {
                let reason = String(cString: strerror(errno))
                if errno == EROFS || errno == EACCES { throw StoreError.cannotOpen(path: path, reason: reason) }
                if errno == ENOSPC { throw StoreError.diskFull(path: path) }
                throw StoreError.cannotOpen(path: path, reason: reason)
            }
        }
    }

    /// Gives SQLite's `-wal` and `-shm` files back the database file's permissions when the
    /// database can be written and they cannot: SQLite creates them with the database's mode,
    /// so a database once made read-only leaves them read-only, and every later write
    /// would fail until someone removed them by hand.
    static func makeCompanionsWritable(_ path: String) throws {
        var database = stat()
        guard access(path, W_OK) == 0, stat(path, &database) == 0 else { return }
        for suffix in ["-wal", "-shm"] {
            let file = path + suffix
            guard access(file, F_OK) == 0, access(file, W_OK) != 0 else { continue }
            guard chmod(file, database.st_mode & 0o666) == 0, access(file, W_OK) == 0 else {
                throw StoreError.companionNotWritable(path: path, file: file)
            }
        }
    }

    /// What a look at the file's size and header finds wrong, without SQLite and in
    /// constant time: a size that is not a whole number of pages, or a file shorter than
    /// its header says while no write-ahead log holds the rest. SQLite's own checks pass
    /// such a file (it reads the missing bytes as zeros) while the filter index or the data
    /// in its last page is broken. `nil` for a sound, empty, missing or foreign file.
    public static func damage(atPath path: String) -> FileDamage? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        var header = [UInt8](repeating: 0, count: 100)
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size >= 100,
              pread(descriptor, &header, 100, 0) == 100, header.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return nil }
        func integer(at offset: Int, bytes: Int) -> Int64 {
            header[offset..<offset + bytes].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
        let pageSize = integer(at: 16, bytes: 2) == 1 ? 65_536 : integer(at: 16, bytes: 2)
        guard pageSize >= 512 else { return nil }
        let size = Int64(status.st_size)
        if size % pageSize != 0 { return .partialPage(size: size, pageSize: Int(pageSize)) }
        // The page count in the header is valid when written with the change counter it
        // carries; pages the log holds may not be in the file yet.
        let pages = integer(at: 28, bytes: 4)
        var log = stat()
        let logIsEmpty = stat(path + "-wal", &log) != 0 || log.st_size == 0
        if integer(at: 92, bytes: 4) == integer(at: 24, bytes: 4), logIsEmpty, pages * pageSize > size {
            return .shorterThanHeader(size: size, expected: pages * pageSize)
        }
        return nil
    }

    /// Refuses a non-empty SQLite file that another program made.
    private static func checkOwnership(_ db: Database, path: String) throws {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if applicationID == Schema.applicationID { return }
        let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if objects > 0 { throw StoreError.notAPipelineDatabase(path: path) }
    }

    // MARK: - Transactions

    /// Runs one reading action in one DEFERRED transaction: a consistent snapshot.
    ///
    /// Not GRDB's `read`: its read-only guard toggles `PRAGMA query_only`, and every flag
    /// pragma expires all the connection's prepared statements, so each cached statement
    /// would be compiled again on every read (measured: a sixth of a card move's CPU time).
    /// The reading operations never write: `ReadsNeverWriteTests` runs every reading role on
    /// a read-only connection and on this one, watching the change count and the file's data
    /// version, and fails when a reading requirement is missing from its list.
    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        do {
            return try queue.unsafeRead { db in
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(SQLiteTransaction(db, path: path))
                    return .commit
                }
                guard let result else { throw StoreError.failed(path: path, reason: "a read produced nothing") }
                return result
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Runs one writing action in one IMMEDIATE transaction: all or nothing.
    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        do { return try queue.write { db in try body(SQLiteTransaction(db, path: path)) } } catch { throw Self.storeError(error, path: path) }
    }

    /// Raw access for the engine's own tests and tools.
    func withDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch { throw Self.storeError(error, path: path) }
    }

    public func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try Self.sortingOnDisk(db) {
                    try db.inTransaction(.immediate) {
                        let transaction = try SQLiteTransaction(importingInto: db, path: path)
                        result = try body(transaction)
                        try Self.inPhase(.indexing, of: progress, db) { try transaction.finishImport() }
                        if !dryRun { try progress.phase(.saving) }
                        return dryRun ? .rollback : .commit
                    }
                }
                guard let result else { throw StoreError.failed(path: path, reason: "the import produced nothing") }
                return result
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Runs a bulk load's transaction with SQLite's temporary storage in files: the indexes a
    /// load builds at its end are sorted there, and in memory (the connections' setting, kept
    /// for the statement journals of ordinary writes) one index over two million activities
    /// took 137.5 MB against 20.8 MB in files, which put a 1,000,000-deal restore at 181 MB
    /// (issue 15's bound is 64 MB at any size). The setting cannot change inside a transaction,
    /// so it changes around it, and is put back whatever happens.
    static func sortingOnDisk(_ db: Database, _ body: () throws -> Void) throws {
        try db.execute(sql: "PRAGMA temp_store = FILE")
        defer { try? db.execute(sql: "PRAGMA temp_store = MEMORY") }
        try body()
    }

    /// Runs `work` (statements after the rows: index builds, checks) as `phase` of `progress`:
    /// SQLite's progress handler calls `progress.phase` every few thousand steps of a
    /// statement, so that the line goes on during a statement that takes a minute, and a
    /// throw from it (Ctrl-C) interrupts the statement (SQLITE_INTERRUPT) and is rethrown
    /// here in its place; the transaction then rolls back. Before, a Ctrl-C there was not
    /// answered and the import was kept.
    static func inPhase(_ phase: ProgressLine.Phase, of progress: RowProgress, _ db: Database, _ work: () throws -> Void) throws {
        try progress.phase(phase)
        let watch = PhaseWatch { try progress.phase(phase) }
        let context = Unmanaged.passRetained(watch)
        sqlite3_progress_handler(db.sqliteConnection, Int32(PhaseWatch.steps), { pointer in
            guard let pointer else { return 0 }
            let watch = Unmanaged<PhaseWatch>.fromOpaque(pointer).takeUnretainedValue()
            do {
                try watch.call()
                return 0
            } catch {
                watch.stopped = error
                return 1
            }
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            context.release()
        }
        do {
            try work()
        } catch {
            if let stopped = watch.stopped { throw stopped }
            throw error
        }
        // A statement that ended on its own as the handler stopped it.
        if let stopped = watch.stopped { throw stopped }
    }

    /// What the progress handler calls, and what stopped the statement.
    private final class PhaseWatch {
        /// Virtual machine steps between two calls: a clock read each time, about a
        /// millisecond apart.
        static let steps = 20_000
        let call: () throws -> Void
        var stopped: (any Error)?
        init(_ call: @escaping () throws -> Void) { self.call = call }
    }

    public func restoring(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws {
        do {
            try queue.writeWithoutTransaction { db in try Self.sortingOnDisk(db) { try db.inTransaction(.immediate) {
                let transaction = SQLiteTransaction(db, path: path)
                guard try transaction.isUntouched() else { throw PipelineError.backupNeedsFreshDatabase }
                // Activity types stay until the backup gives its own (see `insert(_: ActivityType)`).
                for table in ["deal_note", "activity", "stage_history", "opportunity", "stage", "team", "setting", "preference",
                              "stage_total", "salesperson_total", "due_count", "salesperson_due_count"] {
                    try db.execute(sql: "DELETE FROM \(table)")
                }
                // As an import does: the filter index and the emptied tables' indexes are built
                // once at the end, in this transaction (see `ImportState`).
                try transaction.beginBulkWrite(settingAsideIndexesOf: SQLiteTransaction.indexesRebuiltAfterRestore)
                do {
                    try body(transaction)
                    try Self.inPhase(.indexing, of: progress, db) {
                        try transaction.finishImport(beforeIndexingRecords: { try transaction.refreshAllActivityGlances() })
                    }
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                    // Foreign keys are enforced row by row: a record of a stage the backup
                    // does not have stops here, before the check below.
                    throw PipelineError.backupInconsistent(BackupFault("backup.danglingReferences"))
                }
                try Self.inPhase(.checking, of: progress, db) {
                    let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                    if !broken.isEmpty {
                        throw PipelineError.backupInconsistent(BackupFault("backup.danglingReferences"))
                    }
                    // What `check` asks of every deal, asked before the commit: a restore never
                    // keeps what `check` would then call damaged.
                    if let row = try Row.fetchOne(db, sql: Self.firstStageNotInHistoryQuery) {
                        throw PipelineError.backupInconsistent(.stageNotInHistory(record: row["id"], stage: row["stage_id"], line: row["line_id"]))
                    }
                }
                try progress.phase(.saving)
                return .commit
            } } }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// The first deal whose stage is not where its last history line took it (as `check`
    /// finds them), with that line's id (NULL when it has none).
    static let firstStageNotInHistoryQuery = """
        SELECT o.id, o.stage_id, h.id AS line_id FROM opportunity o
        LEFT JOIN stage_history h ON h.id = (SELECT max(l.id) FROM stage_history l WHERE l.opportunity_id = o.id)
        WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL AND o.stage_id IS NOT h.to_stage_id
        ORDER BY o.id LIMIT 1
        """

    // MARK: - Change feed

    /// SQLite's `data_version`: it changes when another connection commits.
    public func changeToken() throws -> ChangeToken {
        do {
            return try queue.unsafeRead { db in
                ChangeToken(try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0)
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// SQLite announces nothing: the board polls the token between keys.
    public var changeSignal: Int32? { nil }
    public func drainChangeSignal() throws -> Bool { false }

    /// Turns SQLite's errors into the sentences users get; domain errors pass through.
    static func storeError(_ error: any Error, path: String) -> any Error {
        if let error = error as? UnreadableValue {
            return StoreError.unreadableValue(path: path, table: error.table, id: error.id, column: error.column)
        }
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_NOTADB: return StoreError.notADatabase(path: path)
        case .SQLITE_CORRUPT: return StoreError.corrupt(path: path)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError.cannotOpen(path: path, reason: error.message ?? "permission denied")
        case .SQLITE_IOERR:
            if error.extendedResultCode == .SQLITE_IOERR_WRITE || error.extendedResultCode == .SQLITE_IOERR_FSYNC {
                return StoreError.diskFull(path: path)
            }
            return StoreError.failed(path: path, reason: error.message ?? "input/output error")
        default:
            return StoreError.failed(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }
}

extension SQLiteEngine {
    /// The language `user` reads the pipeline database at `path` in — their own preference,
    /// else the pipeline's `language` setting — read without creating, migrating or locking
    /// anything; `nil` when there is no such file, it is not ours, or neither is set. (The
    /// CLI needs the language before it parses its arguments.) A file from before
    /// preferences existed has only the pipeline's.
    public static func storedLanguage(atPath path: String, user: String?) -> Language? {
        // A FIFO would keep SQLite waiting for a writer; only a regular file is read.
        guard FileManager.default.fileExists(atPath: path), FileKind.ofNonRegularFile(atPath: path) == nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        let value = try? queue.read { db -> String? in
            guard try Int32.fetchOne(db, sql: "PRAGMA application_id") == Schema.applicationID,
                  try db.tableExists("setting") else { return nil }
            if let user, try db.tableExists("preference"),
               let own = try String.fetchOne(db, sql: "SELECT value FROM preference WHERE user_name = ? AND key = ?",
                                             arguments: [user, SettingKey.language.rawValue]) {
                return own
            }
            return try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = ?"), arguments: [SettingKey.language.rawValue])
        }
        return value.flatMap { $0 }.flatMap(Language.init(code:))
    }
}
