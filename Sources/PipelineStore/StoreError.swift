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
    /// The path exists and is a folder, a FIFO or a device, not a database file.
    case notAFile(path: String, kind: FileKind)
    /// SQLite's `-wal` or `-shm` file beside the database cannot be written (left read-only
    /// while the database was) and could not be made writable again.
    case companionNotWritable(path: String, file: String)
    /// A cheap look at the file found it damaged (see `PipelineDatabase.damage(atPath:)`).
    case looksDamaged(path: String, damage: FileDamage)
    /// A read that needs SQLite's shared-memory file, which cannot be created beside it.
    case cannotReadHere(path: String)

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
        case .notAFile(let path, let kind): return t("store.notAFile", path, t("file.kind.\(kind.rawValue)"))
        case .companionNotWritable(let path, let file): return t("store.companionNotWritable", path, file)
        case .looksDamaged(let path, let damage): return t("store.looksDamaged", path, damage.message(in: language))
        case .cannotReadHere(let path): return t("store.cannotReadHere", path)
        }
    }

    /// Whether the operating system refused this user, rather than the file being unusable.
    public var isPermission: Bool {
        if case .companionNotWritable = self { return true }
        return false
    }

    /// Whether trying again later may succeed (the database was locked).
    public var isTemporary: Bool {
        if case .locked = self { return true }
        return false
    }
}

extension StoreError: UserFacingError {}

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
