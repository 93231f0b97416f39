import Foundation
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
    /// The path exists and is a folder, a FIFO or a device, not a database file.
    case notAFile(path: String, kind: FileKind)
    /// SQLite's `-wal` or `-shm` file beside the database cannot be written (left read-only
    /// while the database was) and could not be made writable again.
    case companionNotWritable(path: String, file: String)
    /// A cheap look at the file found it damaged (see `SQLiteEngine.damage(atPath:)`).
    case looksDamaged(path: String, damage: FileDamage)
    /// A read that needs SQLite's shared-memory file, which cannot be created beside it.
    case cannotReadHere(path: String)
    /// A row holds a value its column cannot hold (text that is not UTF-8, an amount that is
    /// not a number): a damaged or hand-edited file, read without trapping.
    case unreadableValue(path: String, table: String, id: String, column: String)

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
        case .notAFile(let path, let kind): return t("store.notAFile", path, t("file.kind.\(kind.rawValue)"))
        case .companionNotWritable(let path, let file): return t("store.companionNotWritable", path, file)
        case .looksDamaged(let path, let damage): return t("store.looksDamaged", path, damage.message(in: language))
        case .cannotReadHere(let path): return t("store.cannotReadHere", path)
        case .unreadableValue(let path, let table, let id, let column): return t("store.unreadableValue", path, table, id, column)
        }
    }

    /// Whether the operating system or the server refused this user, rather than the
    /// database being unusable.
    public var isPermission: Bool {
        switch self {
        case .companionNotWritable, .permissionDenied: return true
        default: return false
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
        case .permissionDenied, .companionNotWritable: return 77
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

/// What kind of thing a path that is not a regular file is.
public enum FileKind: String, Sendable {
    case folder, fifo, device, socket, other

    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFDIR: self = .folder
        case S_IFIFO: self = .fifo
        case S_IFCHR, S_IFBLK: self = .device
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    /// The kind of thing at `path` (links followed) when it exists and is not a regular file.
    public static func ofNonRegularFile(atPath path: String) -> FileKind? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG else { return nil }
        return FileKind(mode: status.st_mode)
    }
}

/// What a look at a database file's size and header, without SQLite, finds wrong.
public enum FileDamage: Equatable, Sendable {
    /// The size is not a whole number of pages: bytes were cut off or added.
    case partialPage(size: Int64, pageSize: Int)
    /// Shorter than its header says, with no write-ahead log holding the rest.
    case shorterThanHeader(size: Int64, expected: Int64)

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .partialPage(let size, let pageSize): return t("store.damage.partialPage", size, pageSize)
        case .shorterThanHeader(let size, let expected): return t("store.damage.shorterThanHeader", size, expected)
        }
    }
}
