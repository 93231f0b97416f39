import Foundation
import TerminalCore

/// `PIPELINE_TRACE=FILE`: what `make bench` reads, appended to FILE as lines.
///
/// - `key <microseconds> <event>`: from reading a key to its frame being flushed;
/// - `first-frame-us <microseconds>`: from `PIPELINE_T0` (nanoseconds since the epoch, taken
///   by whoever started the process) to the first whole frame being flushed;
/// - `peak-rss-kb <kilobytes>`: the most memory the process held, written on exit.
final class BoardTrace {
    private let handle: FileHandle
    private let startNanoseconds: Int?

    init?(environment: [String: String]) {
        guard let path = environment["PIPELINE_TRACE"], !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        self.handle = handle
        startNanoseconds = environment["PIPELINE_T0"].flatMap(Int.init)
    }

    func key(_ event: InputEvent, microseconds: Int) {
        write("key \(microseconds) \(event)")
    }

    func firstFrame() {
        guard let startNanoseconds else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        write("first-frame-us \((now.tv_sec * 1_000_000_000 + now.tv_nsec - startNanoseconds) / 1_000)")
    }

    func finish() {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        write("peak-rss-kb \(usage.ru_maxrss)")
    }

    private func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }
}
