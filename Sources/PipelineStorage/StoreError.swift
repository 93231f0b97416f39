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

    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .notAPipelineDatabase(let path): return t("store.notAPipelineDatabase", path)
        case .notADatabase(let path): return t("store.notADatabase", path)
        case .corrupt(let path): return t("store.corrupt", path)
        case .cannotOpen(let path, let reason): return t("store.cannotOpen", path, reason)
        case .readOnly(let path): return t("store.readOnly", path)
        case .diskFull(let path): return t("store.diskFull", path)
        case .locked(let path): return t("store.locked", path)
        case .createdByNewerVersion(let path): return t("store.newerVersion", path)
        case .failed(let path, let reason): return t("store.failed", path, reason)
        }
    }

    /// Whether trying again later may succeed (the database was locked).
    public var isTemporary: Bool {
        if case .locked = self { return true }
        return false
    }
}

extension StoreError: UserFacingError {}
