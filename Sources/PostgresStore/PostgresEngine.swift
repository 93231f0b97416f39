import Foundation
import PipelineCore
import PipelineStorage
import PostgresClient

/// The server engine: one PostgreSQL database through libpq, for a team. Opening (migrating
/// and seeding a new database), one transaction per action, errors as `StoreError`
/// sentences, reconnecting after a lost connection, and a change feed over LISTEN/NOTIFY
/// (`PostgresEngine+ChangeFeed`). The operations themselves are the storage module's,
/// shared with every engine.
///
/// Transactions, as users see them, behave like the SQLite engine's:
/// - a read is one snapshot (`REPEATABLE READ READ ONLY`) and never waits for a writer;
/// - writes queue, one at a time per database, as SQLite's IMMEDIATE transactions do (a
///   lock taken before the snapshot, see `writingScript`), for at most `busyTimeout`
///   (then `StoreError.locked`, exit 75). An action therefore only ever waits for a
///   colleague's: one that gave no version sees the colleague's change and applies to it,
///   one that gave a version is refused as `changedSinceLoaded` exactly when the record
///   changed.
/// - a write is also `SERIALIZABLE`, and when PostgreSQL reports that a writer that did not
///   queue got in the way (another program: a serialization failure, a deadlock) the whole
///   action runs again on a new snapshot, within the same `busyTimeout`. Its body may
///   therefore run more than once, and must have no effect outside the transaction;
/// - imports and restores queue too, but are not run again: they report busy.
///
/// One engine serves one thread at a time (calls from several threads wait for each other).
public final class PostgresEngine: StorageEngine, @unchecked Sendable {
    /// Where the data lives, without secrets: `postgresql://lan@db.lan:5432/sales`.
    public let location: String
    /// A server keeps its data in no file of this machine.
    public var localFile: String? { nil }
    /// The role the server authenticated this connection as (`SELECT session_user`): whose
    /// preferences the store reads and writes, whatever `$USER` says. `SET ROLE` does not
    /// change it, and the server's privileges (issue 12) are granted to the same name.
    public let sessionUser: String?
    let connectionString: String
    let busyTimeout: TimeInterval
    /// Serialises every use of the connections (the engine is shared like SQLite's queue).
    let lock = NSRecursiveLock()
    /// The session every action runs on.
    let connection: PostgresConnection
    /// Whether an action is running (an action started inside another one is refused: a
    /// nested BEGIN would only warn, and its COMMIT would end the outer transaction).
    private var acting = false

    // The change feed (see PostgresEngine+ChangeFeed), guarded by `lock`.
    var listener: PostgresConnection?
    var listenerState = ListenerState.neverOpened
    /// Bumped when another session announced a change, or a session was opened again.
    var generation: Int64 = 0
    /// When the listener was last tried, on the monotonic clock (milliseconds).
    var lastListenerAttempt: Int64 = 0

    /// How many write transactions ran again after a serialization failure or a deadlock
    /// (for tests and measurements).
    public private(set) var reruns = 0

    /// How long a write waits for others before giving up, unless the user says otherwise.
    public static let defaultBusyTimeout: TimeInterval = 5

    /// Connects to the database `connectionString` names, creates the schema when the
    /// database is empty (and seeds it in `seedLanguage`), and refuses one that is another
    /// program's or a newer version's.
    public init(connectionString: String, seedLanguage: Language, now: Timestamp,
                busyTimeout: TimeInterval = PostgresEngine.defaultBusyTimeout) throws {
        self.connectionString = connectionString
        self.busyTimeout = busyTimeout
        do {
            connection = try PostgresConnection(connectionString)
        } catch {
            throw Self.storeError(error, location: "")
        }
        location = Self.location(of: connection.target)
        do {
            sessionUser = try connection.execute("SELECT session_user::text").first?.string(0)
            try boundWaitsForLocks()
            try PostgresSchema.migrate(connection) { connection in
                try Self.seedDefaults(connection, language: seedLanguage, now: now)
            }
        } catch {
            throw Self.storeError(error, location: location)
        }
    }

    /// A fresh database: one team, the guide's six shared stages, the default currency, as
    /// the SQLite engine seeds a new file (`Schema.seedDefaults`). Names are data written once
    /// in the creating language, never re-translated.
    static func seedDefaults(_ connection: PostgresConnection, language: Language, now: Timestamp) throws {
        let teamName = StageTemplate.defaultTeamName(in: language)
        try connection.execute("INSERT INTO team (name, name_key, created_at) VALUES ($1, $2, $3)",
                               [teamName, TextInput.nameKey(teamName), now.millisecondsSince1970])
        for (index, step) in StageTemplate.steps.enumerated() {
            let name = step.name(in: language)
            try connection.execute("""
                INSERT INTO stage (name, name_key, sort_order, probability, requirements, outcome)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [name, TextInput.nameKey(name), index + 1, step.probability.basisPoints,
                 step.requirements(in: language), step.outcome.rawValue])
        }
        try connection.execute("INSERT INTO setting (key, value) VALUES ('currency', $1)",
                               [StageTemplate.defaultCurrency(in: language).code])
        // Version 4 seeds the activity types only where a team exists already; a new
        // database gets them here, in its language.
        for (index, seed) in ActivityTypeTemplate.seeds.enumerated() {
            let name = seed.name(in: language)
            try connection.execute("INSERT INTO activity_type (name, name_key, next_delay_days, sort_order) VALUES ($1, $2, $3, $4)",
                                   [name, TextInput.nameKey(name), seed.delayDays, index + 1])
        }
        for (index, seed) in ActivityTypeTemplate.seeds.enumerated() {
            try connection.execute("""
                UPDATE activity_type SET next_type_id = (SELECT id FROM activity_type WHERE sort_order = $1) WHERE sort_order = $2
                """, [seed.next + 1, index + 1])
        }
    }

    /// `weighted_revenue` from an amount and a probability in basis points, in SQL, rounding
    /// exactly as `Money.weightedMinorUnits` does: half up, per record (`div` truncates as
    /// Swift's integer division does, and `numeric` cannot overflow on the way).
    static func weightedRevenueSQL(amount: String, basisPoints: String) -> String {
        "div(\(amount)::numeric * \(basisPoints) + 5000, 10000)::bigint"
    }

    // MARK: - Transactions

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try reading(body)
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try writing(body)
    }

    /// One reading transaction: a snapshot that never waits for a writer.
    func reading<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try act { connection in
            try begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let transaction = PostgresTransaction(connection)
            do {
                let result = try body(transaction)
                try connection.executeScript("COMMIT")
                return result
            } catch {
                rollBack()
                throw error
            }
        }
    }

    /// One writing transaction, queued behind other writers and run again after a conflict
    /// with a writer that does not queue.
    func writing<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try act { connection in
            let started = Self.monotonicMilliseconds()
            var attempt = 0
            while true {
                attempt += 1
                // The catalogue comes back in the same round trip as the lock: nearly every
                // write reads it, and each round trip made while holding the queue's lock
                // is one every writer behind waits for.
                // So does who acts: every operation asks before it writes.
                let begun = try begin(writingScript(startedAt: started)
                                      + "; \(PostgresTransaction.stagesSQL); \(PostgresTransaction.teamsSQL); \(PostgresTransaction.accessSQL)")
                let transaction = PostgresTransaction(connection)
                do {
                    try refuseANewerSchema(begun)
                    if begun.count >= 3 {
                        transaction.knownCatalog = try PostgresTransaction.catalog(stages: begun[begun.count - 3].rows,
                                                                                   teams: begun[begun.count - 2].rows)
                        if let row = begun[begun.count - 1].first {
                            transaction.knownAccess = try PostgresTransaction.access(row)
                        }
                    }
                    let result = try body(transaction)
                    try commit(begun)
                    return result
                } catch {
                    rollBack()
                    guard Self.isWorthRunningAgain(error) || transaction.failedRetryably else { throw error }
                    guard remainingMilliseconds(since: started) > 0 else { throw StoreError.locked(path: location) }
                    reruns += 1
                    Self.pause(beforeAttempt: attempt + 1)
                }
            }
        }
    }

    /// The server's phases after the rows are told to `progress` between statements: a Ctrl-C
    /// there is answered at the end of the statement running (the server is not asked to
    /// cancel it), and the transaction rolls back.
    public func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T {
        try act { connection in
            let begun = try begin(writingScript(startedAt: Self.monotonicMilliseconds()) + "; SET LOCAL \(PostgresSchema.importingSetting) = 'on'")
            let transaction = PostgresTransaction(connection)
            transaction.pendingRows = PendingRows(.importing)
            do {
                try refuseANewerSchema(begun)
                let result = try body(transaction)
                // A dry run writes its rows too, so that it meets every refusal a real run would.
                try transaction.flushPendingRows()
                if dryRun {
                    rollBack()
                } else {
                    try announceEverything(transaction)
                    try progress.phase(.saving)
                    try commit(begun)
                }
                return result
            } catch {
                rollBack()
                if Self.isWorthRunningAgain(error) || transaction.failedRetryably { throw StoreError.locked(path: location) }
                throw error
            }
        }
    }

    public func restoring(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws {
        try act { connection in
            let begun = try begin(writingScript(startedAt: Self.monotonicMilliseconds()) + "; SET LOCAL \(PostgresSchema.importingSetting) = 'on'")
            let transaction = PostgresTransaction(connection)
            do {
                try refuseANewerSchema(begun)
                // The server writes anyone else's own name as the author of every history line
                // they insert: a restore would lose the backup's, so only the owner restores.
                guard try transaction.rows("SELECT pipeline_is_owner()").first?.bool(0) == true else {
                    let owner = (try? PostgresSchema.tablesOwner(connection)) ?? nil
                    throw PostgresStoreError.restoreNeedsOwner(target: connection.target, owner: owner ?? "?")
                }
                guard try transaction.isUntouched() else { throw PipelineError.backupNeedsFreshDatabase }
                // Activity types stay until the backup gives its own (see `insert(_: ActivityType)`).
                try transaction.script("""
                    DELETE FROM deal_note; DELETE FROM activity;
                    DELETE FROM stage_history; DELETE FROM opportunity; DELETE FROM stage; DELETE FROM team;
                    DELETE FROM setting; DELETE FROM preference; DELETE FROM stage_total; DELETE FROM due_count;
                    \(PostgresTransaction.disableRowTriggersScript)
                    """)
                transaction.pendingRows = PendingRows(.restoring)
                try body(transaction)
                try transaction.flushPendingRows()
                try progress.phase(.indexing)
                try transaction.refreshAllActivityGlances()
                try progress.phase(.checking)
                // What `check` asks of every deal, asked before the commit: a restore never
                // keeps what `check` would then call damaged.
                if let row = try transaction.rows(Self.firstStageNotInHistoryQuery).first {
                    throw PipelineError.backupInconsistent(.stageNotInHistory(record: try row.int64(0), stage: try row.int64(1),
                                                                              line: try row.optionalInt64(2)))
                }
                // The triggers turned off with the deletes above (the owner's restore fills four
                // tables without their per-row triggers, issue 15; see
                // `PostgresTransaction+RestoreTriggers`): what they check, checked once; what
                // they keep, rebuilt once; on again. Then, as rows came with their ids: the next
                // record made must not take one of them.
                try progress.phase(.indexing)
                try transaction.script("""
                    \(PostgresTransaction.finishRestoreWithoutRowTriggersScript);
                    SELECT setval(pg_get_serial_sequence('team', 'id'), coalesce((SELECT max(id) FROM team), 0) + 1, false),
                           setval(pg_get_serial_sequence('stage', 'id'), coalesce((SELECT max(id) FROM stage), 0) + 1, false),
                           setval(pg_get_serial_sequence('opportunity', 'id'), coalesce((SELECT max(id) FROM opportunity), 0) + 1, false),
                           setval(pg_get_serial_sequence('stage_history', 'id'), coalesce((SELECT max(id) FROM stage_history), 0) + 1, false),
                           setval(pg_get_serial_sequence('activity_type', 'id'), coalesce((SELECT max(id) FROM activity_type), 0) + 1, false),
                           setval(pg_get_serial_sequence('activity', 'id'), coalesce((SELECT max(id) FROM activity), 0) + 1, false),
                           setval(pg_get_serial_sequence('deal_note', 'id'), coalesce((SELECT max(id) FROM deal_note), 0) + 1, false)
                    """)
                try announceEverything(transaction)
                try progress.phase(.saving)
                try commit(begun)
            } catch {
                rollBack()
                if let error = error as? PostgresError, error.kind == .foreignKeyViolation {
                    // A record of a missing stage or team, a history line of a missing record.
                    throw PipelineError.backupInconsistent(BackupFault("backup.danglingReferences"))
                }
                if Self.isWorthRunningAgain(error) || transaction.failedRetryably { throw StoreError.locked(path: location) }
                throw error
            }
        }
    }

    /// The first deal whose stage is not where its last history line took it (as `check`
    /// finds them), with that line's id (NULL when it has none). Each deal's last line is
    /// found in one pass over the history (DISTINCT ON, a sort), not by a look-up per deal:
    /// the owner's restore asks this while the history's plain indexes are dropped (issue 15),
    /// and a look-up per deal then read the whole history once per deal — a 1,000,000-deal
    /// `db copy` was still in this query after 38 minutes.
    static let firstStageNotInHistoryQuery = """
        SELECT o.id, o.stage_id, h.id FROM opportunity o
        LEFT JOIN (SELECT DISTINCT ON (opportunity_id) opportunity_id, id, to_stage_id FROM stage_history
                   ORDER BY opportunity_id, id DESC) h ON h.opportunity_id = o.id
        WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL AND o.stage_id IS DISTINCT FROM h.to_stage_id
        ORDER BY o.id LIMIT 1
        """

    /// One notification for a whole import or restore (its statements were silent): every
    /// listening board reloads everything.
    private func announceEverything(_ transaction: PostgresTransaction) throws {
        try transaction.run("SELECT pg_notify($1, $2)",
                            [PostgresSchema.changeChannel, #"{"table":"opportunity","op":"insert","ids":null,"teams":null}"#])
    }

    // MARK: - Running an action

    /// Runs one action on the session under the lock, reopening the session first when it
    /// was lost, and turns every failure into a `StoreError` (domain errors pass through).
    func act<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !acting else {
            throw StoreError.failed(path: location, reason: "an action began inside another one")
        }
        acting = true
        defer { acting = false }
        do {
            if !connection.isOpen { try reopenSession() }
            return try body(connection)
        } catch {
            throw Self.storeError(error, location: location)
        }
    }

    /// Begins a transaction. A session found lost at this point (the server restarted
    /// since the last action) is opened again and the transaction begun there: nothing had
    /// been sent, so nothing can be half-applied.
    ///
    /// A script refused part-way (a login that may read but not take the writers' lock)
    /// leaves its transaction aborted: it is rolled back here, or every later action of the
    /// session would be refused as "current transaction is aborted" and a board would stop.
    @discardableResult
    private func begin(_ script: String) throws -> [PostgresResult] {
        do {
            return try beginOnce(script)
        } catch {
            rollBack()
            throw error
        }
    }

    private func beginOnce(_ script: String) throws -> [PostgresResult] {
        do {
            return try connection.executeScriptReturningAll(script)
        } catch where error.isConnectionLost {
            try reopenSession()
            return try connection.executeScriptReturningAll(script)
        }
    }

    /// Opens the session again; the board reloads everything (the change token changes), as
    /// notifications sent meanwhile are lost.
    private func reopenSession() throws {
        try connection.reconnect()
        generation += 1
        try boundWaitsForLocks()
    }

    /// Every statement of the session waits at most the busy timeout for a lock another
    /// session holds (a colleague's `LOCK TABLE` in psql, a schema change), then is refused
    /// as busy (75): PostgreSQL waits for ever by default, and a board reading behind such a
    /// lock would stop answering keys. Writes set their own, shorter, what is left of it.
    private func boundWaitsForLocks() throws {
        try connection.executeScript("SET lock_timeout = \(max(Int64(busyTimeout * 1000), 1))")
    }

    private func rollBack() {
        if connection.transactionStatus != .idle { try? connection.rollback() }
    }

    /// `BEGIN … SERIALIZABLE` with a lock timeout of what is left of the busy timeout, so
    /// that waiting for a colleague's lock is bounded as SQLite's busy timeout bounds it.
    ///
    /// Writers of the database then queue, one at a time, as SQLite's IMMEDIATE transactions
    /// do: `LOCK TABLE pipeline_meta IN EXCLUSIVE MODE` waits for the writer before, and —
    /// taken before the transaction's first query — lets the snapshot begin after that
    /// writer committed. Readers never wait for it (they take no lock on that table but
    /// ACCESS SHARE, which EXCLUSIVE lets through). Every stage change updates the same few
    /// stage totals, so concurrent writers collide anyway; queueing them costs less than
    /// letting them collide and run again (measured: Docs/decisions.md). SERIALIZABLE and
    /// running again stay for writers that do not queue (another program, psql).
    /// The transaction's id comes back in the same round trip (after the lock, so that the
    /// snapshot is still taken after it): a COMMIT whose answer is lost is then looked up.
    private func writingScript(startedAt started: Int64) -> String {
        "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL lock_timeout = \(max(remainingMilliseconds(since: started), 1)); "
            + "LOCK TABLE pipeline_meta IN EXCLUSIVE MODE; "
            + "SELECT pg_current_xact_id()::text AS transaction_id, schema_version FROM pipeline_meta"
    }

    /// What `writingScript`'s last statement read: the transaction's id and the schema version.
    private static func writeStart(_ begun: [PostgresResult]) -> PostgresRow? {
        begun.lazy.compactMap { $0.first }.first { $0.optionalString("transaction_id") != nil }
    }

    /// A write of this version of pipeline into a database a newer one has since upgraded
    /// (while a board stayed open) would write what the newer schema may no longer mean:
    /// refused, as opening it is. The version comes back in the lock's round trip.
    private func refuseANewerSchema(_ begun: [PostgresResult]) throws {
        if let text = Self.writeStart(begun)?.optionalString("schema_version"), Int(text) != PostgresSchema.currentVersion {
            throw PostgresStoreError.createdByNewerVersion(target: connection.target)
        }
    }

    /// Commits a write begun by `begun` (the results of its `writingScript`). When the
    /// connection breaks after the COMMIT was sent, the server may have committed or not:
    /// answering "try again" after a commit that happened is how a deal gets added twice.
    /// So the engine asks the server, on a new session, what became of the transaction:
    /// committed is success; aborted is the lost connection it was (nothing was kept, trying
    /// again is right); a server that cannot be asked, or still finishing it when the busy
    /// timeout ends, leaves the outcome unknown, and the sentence says to look first.
    private func commit(_ begun: [PostgresResult]) throws {
        do {
            try connection.commit()
        } catch where error.isConnectionLost {
            guard let transactionID = Self.writeStart(begun)?.optionalString("transaction_id") else { throw error }
            let started = Self.monotonicMilliseconds()
            while true {
                let outcome: PostgresTransactionOutcome?
                do {
                    try reopenSession()
                    outcome = try connection.outcome(ofTransaction: transactionID)
                } catch {
                    throw PostgresStoreError.commitOutcomeUnknown(target: connection.target)
                }
                switch outcome {
                case .committed: return
                case .aborted, nil: throw error
                case .inProgress:
                    guard remainingMilliseconds(since: started) > 0 else {
                        throw PostgresStoreError.commitOutcomeUnknown(target: connection.target)
                    }
                    usleep(20_000)
                }
            }
        }
    }

    private func remainingMilliseconds(since started: Int64) -> Int64 {
        Int64(busyTimeout * 1000) - (Self.monotonicMilliseconds() - started)
    }

    /// A serialization failure or a deadlock: the same action, run again on a new snapshot,
    /// may well succeed.
    static func isWorthRunningAgain(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        return error.kind == .serializationFailure || error.kind == .deadlock
    }

    /// A short random pause before running an action again, growing with the attempts, so
    /// that two writers that collided do not collide again at once.
    private static func pause(beforeAttempt attempt: Int) {
        let ceiling = min(1_000 << min(attempt, 5), 20_000)
        usleep(UInt32.random(in: 0...UInt32(ceiling)))
    }

    static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    // MARK: - Errors

    /// Turns the client's errors into the sentences users get; domain errors pass through.
    /// None holds a password: the client's errors never do, and `location` is built from
    /// the connection's target.
    static func storeError(_ error: any Error, location: String) -> any Error {
        if let error = error as? PostgresStoreError {
            let sentence = EngineSentence { error.message(in: $0) }
            return error.isPermission ? StoreError.permissionDenied(sentence) : StoreError.unavailable(sentence)
        }
        guard let error = error as? PostgresError else { return error }
        let sentence = EngineSentence { error.message(in: $0) }
        switch error.kind {
        case .serializationFailure, .deadlock, .lockTimeout:
            return StoreError.locked(path: location)
        case .authenticationFailed, .permissionDenied:
            return StoreError.permissionDenied(sentence)
        case .diskFull:
            return StoreError.diskFull(path: location)
        case .unreachable, .unknownHost, .timedOut, .connectionLost, .serverNotReady, .statementCancelled, .databaseMissing,
             .tooManyConnections, .invalidConnectionString, .clientLibraryMissing:
            return StoreError.unavailable(sentence)
        case .uniqueViolation, .checkViolation, .foreignKeyViolation, .notNullViolation, .invalidValue, .refusedByRule,
             .nulCharacter, .transactionAborted, .unexpectedValue, .failed:
            // As the SQLite engine reports a constraint or a trigger's refusal: the
            // database's own words (`pipeline: opportunity stage is not in its team pipeline`).
            return StoreError.failed(path: location, reason: error.serverMessage ?? error.constraint ?? error.sqlState ?? "\(error.kind)")
        }
    }

    /// `postgresql://user@host:port/database`, or for a socket folder
    /// `postgresql://user@/database?host=/run/postgresql&port=5432`: where the data lives, as
    /// a URI libpq reads, without a password.
    static func location(of target: PostgresTarget) -> String {
        let user = percentEncoded(target.user), database = percentEncoded(target.database)
        if target.host.isEmpty || target.host.hasPrefix("/") || target.host.hasPrefix("@") {
            return "postgresql://\(user)@/\(database)?host=\(percentEncoded(target.host, keeping: "/"))&port=\(target.port)"
        }
        let host = target.host.contains(":") ? "[\(target.host)]" : percentEncoded(target.host)
        return "postgresql://\(user)@\(host):\(target.port)/\(database)"
    }

    private static func percentEncoded(_ text: String, keeping extra: String = "") -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80, character.isLetter || character.isNumber || "-._~".contains(character) || extra.contains(character) {
                result.append(character)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}

extension PostgresEngine {
    /// The language the session user reads the pipeline database `connectionString` names in
    /// — their own preference, else the pipeline's `language` setting — read without creating or
    /// migrating anything, over a connection that gives up after two seconds; `nil` on any
    /// failure (no server, not ours, unset). The CLI needs the language before it parses its
    /// arguments. A database from before preferences existed has only the pipeline's.
    public static func storedLanguage(connectionString: String) -> Language? {
        guard let connection = try? PostgresConnection(connectionString, connectTimeout: 2),
              let tables = try? connection.execute("""
                SELECT to_regclass('pipeline_meta') IS NOT NULL AND to_regclass('setting') IS NOT NULL,
                       to_regclass('preference') IS NOT NULL
                """).first,
              (try? tables.bool(0)) == true else { return nil }
        if (try? tables.bool(1)) == true,
           let row = try? connection.execute("""
                SELECT (SELECT value FROM preference WHERE user_name = session_user::text AND key = $1)
                FROM pipeline_meta WHERE application_id = $2
                """, [SettingKey.language.rawValue, PostgresSchema.applicationID]).first,
           let own = row.optionalString(0) {
            return Language(code: own)
        }
        guard let row = try? connection.execute("""
                SELECT (SELECT value FROM setting WHERE key = $1)
                FROM pipeline_meta WHERE application_id = $2
                """, [SettingKey.language.rawValue, PostgresSchema.applicationID]).first,
              let value = row.optionalString(0) else { return nil }
        return Language(code: value)
    }
}
