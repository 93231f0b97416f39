import Foundation
import Testing

/// Runs the real `pipeline` binary against a database in a fresh temporary folder, or, given
/// a `server` database, against that (`CLI(engine:)` in CLIEngines.swift makes either).
/// Immutable after `init`, so concurrent runs from several tasks are safe.
final class CLI: @unchecked Sendable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did (`status` is then 128 + it).
        var signal: Int32?
        /// Standard output as bytes, for checks of what exactly was written.
        var stdoutBytes: [UInt8]
    }

    /// Where the child's standard input comes from.
    enum Input {
        case nothing
        case bytes(Data)
        case file(String)
    }

    let folder: URL
    /// What `--db` says: the SQLite file in `folder`, or the server database's location.
    let database: String
    /// The database on the PostgreSQL test server, dropped when the CLI goes; `nil` for SQLite.
    let server: ServerDatabase?
    /// The environment every run gets: no locale (English), no COLUMNS (80-column tables), a
    /// fixed user, nothing else of ours.
    let environment: [String: String]

    /// The binary SwiftPM built next to the test bundle, or the one `PIPELINE_TEST_BINARY`
    /// names (the release build: `PIPELINE_TEST_BINARY=$PWD/.build/release/pipeline`, to run
    /// these tests against what users run).
    static let binary: String = {
        if let chosen = ProcessInfo.processInfo.environment["PIPELINE_TEST_BINARY"], !chosen.isEmpty { return chosen }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("pipeline").path
    }()

    init(language: String? = nil, server: ServerDatabase? = nil) {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = server?.location ?? folder.appendingPathComponent("pipeline.sqlite").path
        self.server = server
        var environment = ProcessInfo.processInfo.environment
        for name in ["LANG", "LC_ALL", "LC_MESSAGES", "PIPELINE_DB", "XDG_DATA_HOME", "COLUMNS", "PIPELINE_TRACE", "PIPELINE_BUSY_TIMEOUT", "PIPELINE_NOW"] {
            environment[name] = nil
        }
        environment["USER"] = "tester"
        environment["HOME"] = folder.path
        if let language { environment["LANG"] = language }
        self.environment = environment
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Runs `pipeline ARGS --db <database>` (the database goes last unless `database: false`).
    ///
    /// - Parameters:
    ///   - input: standard input (default: nothing, as `< /dev/null`).
    ///   - output: a file to open as standard output instead of a pipe (`> FILE`).
    ///   - timeout: seconds after which the child is killed and the run fails; no test
    ///     waits on a hung binary forever.
    @discardableResult
    func run(_ arguments: [String], database: Bool = true, environment extra: [String: String] = [:],
             input: Input = .nothing, output: String? = nil, timeout: Double = 120,
             sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        let child = ChildProcess(executable: Self.binary, arguments: arguments + (database ? ["--db", self.database] : []),
                                 environment: environment.merging(extra) { $1 })
        var result = child.run(input: input, output: output, timeout: timeout)
        if database, server == nil, result.status == 66, !FileManager.default.fileExists(atPath: self.database),
           ["error: there is no database at ", "lỗi: không có cơ sở dữ liệu nào ở "].contains(where: { String(decoding: result.stderr, as: UTF8.self).hasPrefix($0) }) {
            // A command that only reads makes no database (`--db` names one that is not
            // there): the test's database is made first, as its first command used to make
            // it — in the same language — by a command that writes nothing of its own (an
            // import of a file with a header and no row).
            let language = zip(arguments, arguments.dropFirst()).first { $0.0 == "--lang" }.map { ["--lang", $0.1] }
                ?? arguments.first { $0.hasPrefix("--lang=") }.map { [$0] } ?? []
            _ = ChildProcess(executable: Self.binary, arguments: ["import", "-", "--format", "csv", "--quiet", "--db", self.database] + language,
                             environment: environment.merging(extra) { $1 }).run(input: .bytes(Data("name\n".utf8)), output: nil, timeout: timeout)
            result = child.run(input: input, output: output, timeout: timeout)
        }
        if result.timedOut {
            Issue.record("pipeline \(arguments.joined(separator: " ")) did not end within \(timeout) s", sourceLocation: sourceLocation)
        }
        return Result(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                      stderr: String(decoding: result.stderr, as: UTF8.self), signal: result.signal, stdoutBytes: result.stdout)
    }

    /// Runs a command that must succeed, recording its stderr when it does not.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        let result = run(arguments, sourceLocation: sourceLocation)
        #expect(result.status == 0, "pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs a `--json` command and parses its output.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Any? {
        let result = ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func objects(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        json(arguments, sourceLocation: sourceLocation) as? [[String: Any]] ?? []
    }

    func object(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        json(arguments, sourceLocation: sourceLocation) as? [String: Any] ?? [:]
    }

    /// What a user could see of the whole database, to prove a refused command changed nothing.
    func everything() -> String {
        [["team", "list"], ["stage", "list"], ["opp", "list", "--archived"], ["settings", "list"], ["forecast"]]
            .map { run($0 + ["--json"]).stdout }.joined(separator: "\n")
            + String(describing: opportunityIDs().map { run(["opp", "show", $0, "--json"]).stdout })
    }

    func opportunityIDs() -> [String] {
        objects(["opp", "list", "--archived"]).compactMap { ($0["id"] as? Int).map(String.init) }
    }

    /// A path in the test's folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs a command with `PIPELINE_TRACE` and returns it with the peak memory the binary
    /// wrote there on exit, in kilobytes. (The kernel carries the parent's peak over to a
    /// child at exec, so the child's own rusage would report this test process's memory.)
    func runMeasuringMemory(_ arguments: [String], input: Input = .nothing, timeout: Double = 120,
                            sourceLocation: SourceLocation = #_sourceLocation) -> (Result, peakKilobytes: Int?) {
        let trace = path("trace-\(UUID().uuidString)")
        let result = run(arguments, environment: ["PIPELINE_TRACE": trace], input: input, timeout: timeout, sourceLocation: sourceLocation)
        let peak = (try? String(contentsOfFile: trace, encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("peak-rss-kb ") }.flatMap { Int($0.dropFirst("peak-rss-kb ".count)) }
        return (result, peak)
    }
}

/// One child process started with `posix_spawn`: an empty signal mask and default signal
/// handlers, as a shell starts it (Swift Testing's threads block signals, and
/// Foundation.Process would pass that mask on), standard output and error read together
/// (a child that fills one pipe while we wait on the other would block for ever), and a
/// watchdog.
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
    }

    let executable: String
    let arguments: [String]
    let environment: [String: String]

    func run(input: CLI.Input = .nothing, output: String? = nil, timeout: Double = 120) -> Outcome {
        // A child that stops reading its input must not take this process down with SIGPIPE
        // (the children get default handlers back, below).
        signal(SIGPIPE, SIG_IGN)
        var attributes = ChildProcess.shellLikeAttributes()
        defer { posix_spawnattr_destroy(&attributes) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        _ = pipe(&errPipe)
        switch input {
        case .nothing: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .bytes:
            _ = pipe(&inPipe)
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        }
        if let output {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            _ = pipe(&outPipe)
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        }
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for descriptor in outPipe + errPipe + inPipe where descriptor >= 0 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for descriptor in [outPipe[1], errPipe[1], inPipe[0]] where descriptor >= 0 { close(descriptor) }
        guard spawned == 0 else {
            for descriptor in [outPipe[0], errPipe[0], inPipe[1]] where descriptor >= 0 { close(descriptor) }
            return Outcome(status: -1, signal: nil, stdout: [], stderr: Array("cannot start \(executable): \(spawned)".utf8),
                           timedOut: false)
        }
        let group = DispatchGroup()
        let collected = Collected()
        if case .bytes(let data) = input {
            let descriptor = inPipe[1]
            DispatchQueue.global().async(group: group) {
                data.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                        if written <= 0 { break }  // the child stopped reading: what it read decides
                        offset += written
                    }
                }
                close(descriptor)
            }
        }
        if outPipe[0] >= 0 {
            let descriptor = outPipe[0]
            DispatchQueue.global().async(group: group) { collected.set(stdout: Self.readAll(descriptor)) }
        }
        let errDescriptor = errPipe[0]
        DispatchQueue.global().async(group: group) { collected.set(stderr: Self.readAll(errDescriptor)) }

        // A watchdog: a child still running after `timeout` is killed, and the run fails.
        let finished = DispatchSemaphore(value: 0)
        let timedOut = Flag()
        let child = pid
        DispatchQueue.global().async {
            if finished.wait(timeout: .now() + timeout) == .timedOut {
                timedOut.set()
                kill(child, SIGKILL)
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        finished.signal()
        group.wait()
        let signal = (status & 0x7F) != 0 ? status & 0x7F : nil
        let exitStatus = signal.map { 128 + $0 } ?? (status >> 8) & 0xFF
        return Outcome(status: exitStatus, signal: signal, stdout: collected.stdout, stderr: collected.stderr, timedOut: timedOut.isSet)
    }

    /// Spawn attributes that start a child as a shell does: no signal blocked, every signal
    /// at its default (Swift Testing's threads block signals, and a child inherits the mask).
    static func shellLikeAttributes() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return attributes
    }

    private static func readAll(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        close(descriptor)
        return bytes
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var stdout: [UInt8] = []
        private(set) var stderr: [UInt8] = []
        func set(stdout: [UInt8]) { lock.withLock { self.stdout = stdout } }
        func set(stderr: [UInt8]) { lock.withLock { self.stderr = stderr } }
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
