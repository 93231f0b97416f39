import Foundation
import PipelineExchange
import TerminalCore

/// `PIPELINE_TRACE=FILE`: what `make bench` and the tests read, appended to FILE as lines.
///
/// - `key <microseconds> <kind>`: from reading a key to its frame being flushed; the kind of
///   key only (`character`, `enter`, `mouse`…), never what was typed: a trace left on must
///   not record customers' data;
/// - `first-frame-us <microseconds>`: from `PIPELINE_T0` (nanoseconds since the epoch, taken
///   by whoever started the process) to the first whole frame being flushed;
/// - `peak-rss-kb <kilobytes>`: the most memory the process held, written on exit by every
///   command (read from /proc: `getrusage` would count the memory of the parent that
///   started the process, which the kernel carries over at exec).
///
/// The file is created readable by the user alone (0600).
final class Trace: @unchecked Sendable {
    private let descriptor: Int32
    private let startNanoseconds: Int?

    /// The trace the environment asks for, opened once for the whole process.
    static let shared: Trace? = Trace(environment: ProcessInfo.processInfo.environment)

    /// Why the trace the environment names was not opened: it is the database (or a file
    /// SQLite keeps beside it), which the trace's lines would damage. Said before any command runs.
    nonisolated(unsafe) static var refusal: FileError?

    private init?(environment: [String: String]) {
        guard let path = environment["PIPELINE_TRACE"], !path.isEmpty else { return nil }
        // The database the arguments name, as the command will open it (links followed, as an export's target).
        let database = GlobalOptions.databasePath(option: Self.databaseOption(CommandLine.arguments), environment: environment)
        let target: String
        do {
            target = try OutputFile.notTheDatabase(path, database: database)
        } catch {
            Self.refusal = error
            return nil
        }
        let descriptor = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        startNanoseconds = environment["PIPELINE_T0"].flatMap(Int.init)
    }

    /// The value of `--db` among the arguments, if given.
    static func databaseOption(_ arguments: [String]) -> String? {
        var value: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--db", index + 1 < arguments.count { value = arguments[index + 1] }
            if argument.hasPrefix("--db=") { value = String(argument.dropFirst("--db=".count)) }
            if argument == "--" { break }
        }
        return value
    }

    /// Starts tracing if asked: the peak memory is written when the process exits.
    static func start() {
        guard shared != nil else { return }
        atexit { Trace.shared?.peakMemory() }
    }

    func key(_ event: InputEvent, microseconds: Int) {
        write("key \(microseconds) \(Self.kind(of: event))")
    }

    /// What kind of input an event was, without what it carried.
    static func kind(of event: InputEvent) -> String {
        switch event {
        case .key(.character): return "character"
        case .key(.control): return "control"
        case .key(.function): return "function"
        case .key(let key): return String(describing: key)
        case .mouse: return "mouse"
        case .resize: return "resize"
        case .paste: return "paste"
        }
    }

    func firstFrame() {
        guard let startNanoseconds else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        write("first-frame-us \((now.tv_sec * 1_000_000_000 + now.tv_nsec - startNanoseconds) / 1_000)")
    }

    /// `VmHWM` of /proc/self/status: the peak resident memory of this program since exec.
    private func peakMemory() {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(whereSeparator: { !$0.isNumber }).first.flatMap({ Int($0) }) else { return }
        write("peak-rss-kb \(kilobytes)")
    }

    private func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}
