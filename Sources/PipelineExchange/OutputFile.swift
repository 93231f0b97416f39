import Foundation
import PipelineStorage

/// A file the program writes, complete or not at all: the bytes go to a temporary file in
/// the target's folder (private, 0600), which is flushed to the disk and renamed over the
/// target only once it is whole. On any failure the temporary file is removed and a
/// previous file at the target is left as it was.
///
/// On Linux the temporary file has no name while it is written (`O_TMPFILE`): a process
/// killed part way (`kill -9`, the machine losing power) leaves nothing in the folder, where
/// a named file would stay behind for ever. It is given a hidden name only at the commit, just
/// before the rename. A filesystem that refuses unnamed files gets today's named one
/// (`mkstemp`), removed on every failure and signal the program sees.
///
/// Refused before anything is written: the open database or one of SQLite's files beside
/// it (`-wal`, `-shm`, `-journal`), and a path that exists and is not a regular file (a
/// folder, a FIFO, a device such as `/dev/full`). A symbolic link is written through: the
/// file it points to is replaced and the link stays (as a shell's `>` does); a device or a
/// link is never replaced by a regular file.
public final class OutputFile {
    /// The path as the user gave it, for messages.
    public let path: String
    /// Where the bytes end up, links followed.
    let target: String
    /// The folder the temporary file is in (the target's).
    private let folder: String
    /// The named temporary file, or nil while the file written has no name (`O_TMPFILE`).
    private var temporary: String?
    private var descriptor: Int32
    private var finished = false
    public let writer: ByteWriter

    /// Checks the target and creates the temporary file beside it.
    ///
    /// - Parameter database: the open database's path, which no export may overwrite.
    public convenience init(_ path: String, protecting database: String?) throws(FileError) {
        try self.init(path, protecting: database, openUnnamed: Self.openUnnamed)
    }

    /// - Parameter openUnnamed: opens an unnamed file in a folder, or returns -1 with `errno`
    ///   set; tests give one that refuses, as a filesystem without `O_TMPFILE` does.
    init(_ path: String, protecting database: String?, openUnnamed: (String) -> Int32) throws(FileError) {
        self.path = path
        target = try Self.checkedTarget(path, protecting: database)
        let parent = (target as NSString).deletingLastPathComponent
        folder = parent.isEmpty ? "." : parent
        let unnamed = openUnnamed(folder)
        if unnamed >= 0 {
            descriptor = unnamed
        } else if Self.refusesUnnamedFiles(errno) {
            let named = try Self.namedTemporaryFile(in: folder, for: target, path: path)
            descriptor = named.descriptor
            temporary = named.path
        } else {
            throw FileError.fromErrno(errno, path: path, writing: true)
        }
        // O_TMPFILE and mkstemp make the file 0600 already (less by the umask); said here
        // because exports hold customers' data.
        fchmod(descriptor, 0o600)
        writer = ByteWriter(.file(descriptor: descriptor, path: path))
        if let temporary { TemporaryFiles.shared.add(temporary) }
    }

    deinit { if !finished { discard() } }

    /// Flushes, syncs and renames the temporary file over the target (an unnamed one is
    /// first linked into the folder under a hidden name).
    public func commit() throws {
        guard !finished else { return }
        do {
            try writer.flush()
            guard fsync(descriptor) == 0 else { throw FileError.fromErrno(errno, path: path, writing: true) }
            if temporary == nil { try nameTheUnnamedFile() }
            let closed = close(descriptor)
            descriptor = -1
            guard closed == 0 else { throw FileError.fromErrno(errno, path: path, writing: true) }
            guard let temporary, rename(temporary, target) == 0 else { throw FileError.fromErrno(errno, path: path, writing: true) }
        } catch {
            discard()
            throw error
        }
        finished = true
        if let temporary { TemporaryFiles.shared.remove(temporary) }
        // The rename itself reaches the disk with its folder.
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Removes the temporary file; the target stays as it was. An unnamed one goes with its
    /// descriptor.
    public func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        if let temporary {
            unlink(temporary)
            TemporaryFiles.shared.remove(temporary)
        }
    }

    // MARK: - The temporary file

    /// An unnamed file in `folder`, 0600, or -1 with `errno` set.
    static func openUnnamed(_ folder: String) -> Int32 {
        #if os(Linux)
        // O_TMPFILE is a macro Swift does not import: __O_TMPFILE with O_DIRECTORY.
        let descriptor = open(folder, __O_TMPFILE | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return -1 }
        // Named at the commit through /proc (`linkat`): without /proc mounted, a named file
        // from the start rather than a finished file that cannot be given a name.
        guard access("/proc/self/fd/\(descriptor)", F_OK) == 0 else {
            close(descriptor)
            errno = EOPNOTSUPP
            return -1
        }
        return descriptor
        #else
        errno = EOPNOTSUPP
        return -1
        #endif
    }

    /// What `open` says when the folder's filesystem (or an older kernel) has no unnamed
    /// files: these get a named temporary file instead; any other failure (no permission,
    /// a full disk) is the user's to know.
    static func refusesUnnamedFiles(_ code: Int32) -> Bool {
        [EOPNOTSUPP, EISDIR, EINVAL, ENOTSUP, ENOSYS].contains(code)
    }

    /// `.NAME.pipeline-XXXXXX` beside the target, made by `mkstemp`.
    private static func namedTemporaryFile(in folder: String, for target: String, path: String) throws(FileError)
        -> (descriptor: Int32, path: String) {
        let name = (target as NSString).lastPathComponent
        var template = Array((folder + "/.\(name).pipeline-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FileError.fromErrno(errno, path: path, writing: true) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return (descriptor, String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Gives the finished unnamed file a fresh hidden name beside the target (what the
    /// rename then moves over it); from here to the rename it is an ordinary temporary file.
    private func nameTheUnnamedFile() throws(FileError) {
        let name = (target as NSString).lastPathComponent
        for _ in 0..<100 {
            let suffix = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
            let candidate = folder + "/.\(name).pipeline-\(suffix)"
            if linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 {
                temporary = candidate
                TemporaryFiles.shared.add(candidate)
                return
            }
            guard errno == EEXIST else { throw FileError.fromErrno(errno, path: path, writing: true) }
        }
        throw FileError.fromErrno(EEXIST, path: path, writing: true)
    }

    // MARK: - The target

    /// Follows links, then refuses what must not be written over.
    static func checkedTarget(_ path: String, protecting database: String?) throws(FileError) -> String {
        let target = try followingLinks(path)
        var status = stat()
        if lstat(target, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw FileError.notARegularFile(path: path, kind: FileKind(mode: status.st_mode))
            }
        } else if errno == ENOENT {
            let folder = (target as NSString).deletingLastPathComponent
            var folderStatus = stat()
            guard stat(folder.isEmpty ? "." : folder, &folderStatus) == 0, folderStatus.st_mode & S_IFMT == S_IFDIR else {
                throw FileError.noSuchFolder(path: path)
            }
        } else {
            throw FileError.fromErrno(errno, path: path, writing: true)
        }
        if let database, DatabaseFiles(database).contains(target) {
            throw FileError.isTheDatabase(path: path, database: database)
        }
        return target
    }

    /// `path` with its links followed (as an export follows them), or `isTheDatabase` when
    /// that is the database or a file SQLite keeps beside it: for files written by appending,
    /// such as the trace.
    public static func notTheDatabase(_ path: String, database: String) throws(FileError) -> String {
        let target = try followingLinks(path)
        if DatabaseFiles(database).contains(target) { throw FileError.isTheDatabase(path: path, database: database) }
        return target
    }

    /// The path with every symbolic link along the chain followed (40 at most, as the
    /// kernel allows). A link to nowhere gives the path it names, which is then created.
    static func followingLinks(_ path: String) throws(FileError) -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw FileError.fromErrno(errno, path: path, writing: true) }
            let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination
                : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        throw FileError.cannotWrite(path: path, reason: String(cString: strerror(ELOOP)))
    }
}

/// The database file and SQLite's files beside it, known by their real paths and, for
/// those that exist, by device and inode (a hard link is the same file under another name).
struct DatabaseFiles {
    private var paths: Set<String> = []
    private var identities: Set<FileIdentity> = []

    init(_ database: String) {
        let base = Self.canonical((try? OutputFile.followingLinks(database)) ?? database)
        for suffix in ["", "-wal", "-shm", "-journal"] {
            paths.insert(base + suffix)
            if let identity = FileIdentity(base + suffix) { identities.insert(identity) }
        }
    }

    func contains(_ path: String) -> Bool {
        if paths.contains(Self.canonical(path)) { return true }
        return FileIdentity(path).map(identities.contains) ?? false
    }

    /// The absolute path with the folder's links resolved (the file itself may not exist).
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let folder = (absolute as NSString).deletingLastPathComponent
        let name = (absolute as NSString).lastPathComponent
        guard let resolved = realpath(folder, nil) else { return (absolute as NSString).standardizingPath }
        defer { free(resolved) }
        return (String(cString: resolved) as NSString).appendingPathComponent(name)
    }
}

/// A file's device and inode.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}

extension OutputFile {
    /// Whether standard output is the database or one of its files (`pipeline export >
    /// pipeline.sqlite`): writing there would put a CSV where the database is.
    public static func standardOutputIsDatabase(_ database: String) -> Bool {
        guard let output = FileIdentity(descriptor: STDOUT_FILENO) else { return false }
        return ["", "-wal", "-shm", "-journal"].contains { FileIdentity(database + $0) == output }
    }
}

/// Temporary files being written, removed if the process is interrupted (Ctrl-C, SIGTERM,
/// SIGHUP) before they are complete.
final class TemporaryFiles: @unchecked Sendable {
    static let shared = TemporaryFiles()
    /// One path at a time is enough (an export writes one file); kept as a C string so that
    /// the signal handler only reads memory and calls `unlink`.
    private var pending: UnsafeMutablePointer<CChar>?
    private var installed = false

    func add(_ path: String) {
        pending.map { free($0) }
        pending = strdup(path)
        TemporaryFiles.current = pending
        if !installed {
            installed = true
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                Glibc.signal(signal) { number in
                    if let path = TemporaryFiles.current { unlink(path) }
                    Glibc.signal(number, SIG_DFL)
                    raise(number)
                }
            }
        }
    }

    func remove(_ path: String) {
        guard let pending, String(cString: pending) == path else { return }
        TemporaryFiles.current = nil
        free(pending)
        self.pending = nil
    }

    nonisolated(unsafe) static var current: UnsafeMutablePointer<CChar>?
}
