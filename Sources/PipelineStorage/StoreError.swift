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
    /// A database server cannot be used now: it cannot be reached, the connection was lost,
    /// the database is missing or is not ours. The engine says which, in its own sentence.
    case unavailable(EngineSentence)
    /// The server refused who we are (a password) or what we asked (a privilege).
    case permissionDenied(EngineSentence)

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
        case .unavailable(let sentence), .permissionDenied(let sentence): return sentence(language)
        }
    }

    /// Whether trying again later may succeed (the database was locked).
    public var isTemporary: Bool {
        if case .locked = self { return true }
        return false
    }

    /// The sysexits(3) status a command ends with: 75 (try again) when locked, 77 when not
    /// allowed, 74 otherwise (the database cannot be used).
    public var exitStatus: Int32 {
        switch self {
        case .locked: return 75
        case .permissionDenied: return 77
        default: return 74
        }
    }
}

extension StoreError: UserFacingError {}

/// A sentence an engine writes about its own failure (a server's refusal, a lost
/// connection), said in whichever language the caller speaks. Engine-neutral: the storage
/// module does not know the engine's words, only how to ask for them.
public struct EngineSentence: Sendable, Equatable, CustomStringConvertible {
    private let say: @Sendable (Language) -> String

    public init(_ say: @escaping @Sendable (Language) -> String) {
        self.say = say
    }

    public func callAsFunction(_ language: Language) -> String { say(language) }

    public var description: String { say(.english) }

    /// Two sentences are the same when they say the same thing in every language.
    public static func == (left: EngineSentence, right: EngineSentence) -> Bool {
        Language.allCases.allSatisfy { left($0) == right($0) }
    }
}
