import Foundation
import PipelineCore
import PipelineStorage
import PipelineStore
import PostgresClient
import PostgresStore

/// Opens "a store" from what the user gave (`--db`, `$PIPELINE_DB`): the only place outside
/// the engines that knows which engines there are.
///
/// What the user gave is a PostgreSQL connection string when it starts with
/// `postgresql://` or `postgres://`, or when its first word is one of libpq's connection
/// keywords followed by `=` (`service=sales`, `host=db.lan dbname=crm user=lan`); anything
/// else is the path of an SQLite file. A file whose name starts like a connection string
/// (`host=x`) is given as `./host=x`.
public enum StoreOpener {
    /// Which engine `location` names.
    public enum Engine: Sendable, Equatable {
        case sqlite
        case postgresql
    }

    public static func engine(for location: String) -> Engine {
        PostgresConnection.isConnectionString(location) ? .postgresql : .sqlite
    }

    /// Opens the store at `location`: a server's database, or a file.
    ///
    /// - Parameters:
    ///   - seedLanguage: names the default team and stages when the database is new.
    ///   - forWriting: `false` lets a command that only reads work on a file the user may
    ///     not write to, or one that looks damaged (a server's privileges decide for themselves).
    ///   - acceptingDamage: opens for writing a file that looks damaged (`pipeline check --repair`).
    ///   - busyTimeout: how long a write waits for others' before it gives up as busy.
    ///   - user: who acts on a file — whose preferences (team, language, direction) the store
    ///     reads and writes; `nil` for nobody in particular (the pipeline's own values). A
    ///     server's store acts for the role the server authenticated (`session_user`), whatever
    ///     this says.
    ///   - warn: told what is worth saying about a store opened anyway (a damaged file, read).
    public static func open(_ location: String, seedLanguage: Language, now: Timestamp, busyTimeout: TimeInterval,
                            forWriting: Bool = true, acceptingDamage: Bool = false, user: String? = nil,
                            warn: (StoreError) -> Void = { _ in }) throws -> any PipelineStore {
        if engine(for: location) == .postgresql {
            return EngineStore(engine: try PostgresEngine(connectionString: location, seedLanguage: seedLanguage, now: now,
                                                          busyTimeout: busyTimeout), user: user)
        }
        let engine: SQLiteEngine
        do {
            engine = try SQLiteEngine(path: location, seedLanguage: seedLanguage, now: now, busyTimeout: busyTimeout,
                                      acceptingDamage: acceptingDamage)
        } catch let error as StoreError where !forWriting && FileManager.default.fileExists(atPath: location) {
            switch error {
            case .readOnly, .cannotOpen, .looksDamaged, .companionNotWritable:
                if case .looksDamaged = error { warn(error) }
                do {
                    engine = try SQLiteEngine(path: location, seedLanguage: seedLanguage, now: now, busyTimeout: busyTimeout, readOnly: true)
                } catch StoreError.readOnly {
                    // Reading a WAL database needs its shared-memory file, which a read-only
                    // folder cannot take: say so, rather than "cannot save".
                    throw StoreError.cannotReadHere(path: location)
                }
            default:
                throw error
            }
        }
        return EngineStore(engine: engine, user: user)
    }

    /// How long a write waits for another's to finish, unless the user says otherwise.
    public static let defaultBusyTimeout: TimeInterval = SQLiteEngine.defaultBusyTimeout

    /// The language `user` reads the store at `location` in (on a server: its session user) —
    /// their own preference, else the pipeline's `language` setting — read without creating,
    /// migrating or locking anything;
    /// `nil` when there is none or it cannot be read (a server that does not answer within
    /// two seconds). The CLI needs the language before it parses its arguments.
    public static func storedLanguage(at location: String, user: String?) -> Language? {
        if engine(for: location) == .postgresql { return PostgresEngine.storedLanguage(connectionString: location) }
        return SQLiteEngine.storedLanguage(atPath: location, user: user)
    }
}
