import Foundation
import PipelineCore
import PipelineStorage

/// Why a file the user named (an export's target, an import's source) or standard output
/// could not be used. Each case reads as one sentence naming the file and what happened to
/// it; none leaves a half-written file behind.
public enum FileError: Error, Equatable, Sendable {
    /// The target is the open database or one of SQLite's files beside it.
    case isTheDatabase(path: String, database: String)
    /// The path exists and is not a regular file.
    case notARegularFile(path: String, kind: FileKind)
    /// The folder a file would go in does not exist.
    case noSuchFolder(path: String)
    /// An input file does not exist.
    case noSuchFile(path: String)
    /// A command that only reads was pointed (`--db`, `PIPELINE_DB`) at a database file that
    /// does not exist: said, and nothing is created.
    case noDatabase(path: String)
    /// The operating system refused: `path` may not be read or written by this user.
    case notPermitted(path: String, writing: Bool, reason: String)
    /// Writing failed (full disk, input/output error); a previous file is untouched.
    case cannotWrite(path: String, reason: String)
    /// Reading failed after the file was opened.
    case cannotRead(path: String, reason: String)
    /// Standard output could not be written (a full disk, a device that refuses).
    case cannotWriteOutput(reason: String)
    /// Whoever read standard output stopped reading (`pipeline opp list | head -1`):
    /// not an error to report, only a reason to stop.
    case outputClosed

    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .isTheDatabase(let path, let database): return t("file.isTheDatabase", path, database)
        case .notARegularFile(let path, let kind): return t("file.notARegularFile", path, t("file.kind.\(kind.rawValue)"))
        case .noSuchFolder(let path): return t("file.noSuchFolder", path, (path as NSString).deletingLastPathComponent)
        case .noSuchFile(let path): return t("file.noSuchFile", path)
        case .noDatabase(let path): return t("file.noDatabase", path)
        case .notPermitted(let path, let writing, let reason):
            return t(writing ? "file.notPermitted.write" : "file.notPermitted.read", path, reason)
        case .cannotWrite(let path, let reason): return t("file.cannotWrite", path, reason)
        case .cannotRead(let path, let reason): return t("file.cannotRead", path, reason)
        case .cannotWriteOutput(let reason): return t("file.cannotWriteOutput", reason)
        case .outputClosed: return ""
        }
    }

    /// The error for a failed call on `path`, from `errno`.
    static func fromErrno(_ code: Int32, path: String, writing: Bool) -> FileError {
        let reason = String(cString: strerror(code))
        switch code {
        case EACCES, EPERM: return .notPermitted(path: path, writing: writing, reason: reason)
        case ENOENT: return writing ? .noSuchFolder(path: path) : .noSuchFile(path: path)
        default: return writing ? .cannotWrite(path: path, reason: reason) : .cannotRead(path: path, reason: reason)
        }
    }
}

extension FileError: UserFacingError {}
