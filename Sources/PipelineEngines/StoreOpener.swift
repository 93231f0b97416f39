import Foundation
import PipelineCore
import PipelineStorage
import PipelineStore

/// Opens "a store" from what the user gave (`--db`, `$PIPELINE_DB`): the only place outside
/// the engines that knows which engines there are.
public enum StoreOpener {
    /// Opens the store at `location` (a file path: SQLite).
    ///
    /// - Parameters:
    ///   - seedLanguage: names the default team and stages when the database is new.
    ///   - forWriting: `false` lets a command that only reads work on a database the user may
    ///     not write to.
    public static func open(_ location: String, seedLanguage: Language, now: Timestamp, busyTimeout: TimeInterval,
                            forWriting: Bool = true) throws -> any PipelineStore {
        let engine: SQLiteEngine
        do {
            engine = try SQLiteEngine(path: location, seedLanguage: seedLanguage, now: now, busyTimeout: busyTimeout)
        } catch let error as StoreError where !forWriting && FileManager.default.fileExists(atPath: location) {
            switch error {
            case .readOnly, .cannotOpen:
                engine = try SQLiteEngine(path: location, seedLanguage: seedLanguage, now: now, busyTimeout: busyTimeout, readOnly: true)
            default:
                throw error
            }
        }
        return EngineStore(engine: engine)
    }

    /// How long a write waits for another's to finish, unless the user says otherwise.
    public static let defaultBusyTimeout: TimeInterval = SQLiteEngine.defaultBusyTimeout

    /// The `language` setting of the store at `location`, read without creating, migrating or
    /// locking anything; `nil` when there is none. (The CLI needs the language before it
    /// parses its arguments.)
    public static func storedLanguage(at location: String) -> Language? {
        SQLiteEngine.storedLanguage(atPath: location)
    }
}
