import PipelineCore

/// Why the database could not be used. Each case reads as one sentence; none leaves a
/// half-written change behind (every action is one transaction).
public enum StoreError: Error, Equatable, Sendable {
    case notAPipelineDatabase(path: String)
    case notADatabase(path: String)
    case corrupt(path: String)
    case cannotOpen(path: String, reason: String)
    case readOnly(path: String)
    case diskFull(path: String)
    case locked(path: String)
    case createdByNewerVersion(path: String)
    case failed(path: String, reason: String)

    public var message: String {
        switch self {
        case .notAPipelineDatabase(let path):
            return "\(path) is an SQLite database of another program, not a pipeline database"
        case .notADatabase(let path):
            return "\(path) is not a pipeline database (it is not an SQLite file)"
        case .corrupt(let path):
            return "\(path) is damaged (the database file is corrupt); restore it from a backup"
        case .cannotOpen(let path, let reason):
            return "cannot open the database \(path): \(reason)"
        case .readOnly(let path):
            return "cannot save to \(path): the database is read-only"
        case .diskFull(let path):
            return "cannot save to \(path): the disk is full; nothing was changed"
        case .locked(let path):
            return "\(path) is busy: another program is writing to it; try again"
        case .createdByNewerVersion(let path):
            return "\(path) was written by a newer version of pipeline; upgrade pipeline to open it"
        case .failed(let path, let reason):
            return "the database \(path) failed: \(reason)"
        }
    }

    /// Whether trying again later may succeed (the database was locked).
    public var isTemporary: Bool {
        if case .locked = self { return true }
        return false
    }
}

extension StoreError: UserFacingError {}
