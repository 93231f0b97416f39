import Foundation
import PipelineExchange
import TerminalCore

/// Where the CLI writes: results to standard output, errors and hints to standard error.
///
/// A failed write to standard output (a full disk, `> /dev/full`) ends the command with one
/// sentence and exit 74, so that a script never takes an empty file for a result; a reader
/// that stopped reading (`| head -1`) ends it quietly, as it ends other Unix tools.
enum Console {
    /// Standard output, written a block at a time (a line at a time to a terminal).
    nonisolated(unsafe) private static let output = ByteWriter(.standardOutput)
    private static let toTerminal = isatty(STDOUT_FILENO) == 1

    /// Writes to standard output. Stored text cannot hold control characters, but a file
    /// edited by another program could: they are replaced, never sent to the terminal.
    static func out(_ line: String, terminator: String = "\n") {
        output.write(TerminalText.sanitized(line, singleLine: false) + terminator)
        if toTerminal || output.failure != nil { finish() }
    }

    static func error(_ line: String) {
        // What was written to standard output comes first, where both go to one terminal.
        finish()
        writeStandardError(TerminalText.sanitized(line) + "\n")
    }

    /// Writes our own text (a progress line and its control sequences) to standard error as
    /// it is: never text a user typed or a file held.
    static func standardError(_ text: String) {
        writeStandardError(text)
    }

    /// Standard error, written through; a failure there has nowhere left to be told, and
    /// is not a reason to stop (FileHandle's `write(_:)` would end the process with a trap).
    private static func writeStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Writes out what standard output still holds; called before the process exits, and
    /// before an export writes to standard output itself.
    static func finish() {
        do { try output.flush() } catch { exitForOutputFailure(error) }
    }

    /// One sentence and 74, or a quiet end when the reader has gone.
    static func exitForOutputFailure(_ failure: FileError) -> Never {
        if case .outputClosed = failure { exit(ExitStatus.outputClosed) }
        writeStandardError(localized("cli.error", failure.message(in: CLILanguage.current)) + "\n")
        exit(ExitStatus.ioError)
    }

    /// The width tables fit: the terminal's when standard output is one, else `COLUMNS`
    /// (what a shell or a pager says the reader's screen has), else 80.
    static var width: Int {
        var size = winsize()
        let terminal = isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : nil
        return width(terminalColumns: terminal, environment: ProcessInfo.processInfo.environment)
    }

    static func width(terminalColumns: Int?, environment: [String: String]) -> Int {
        if let terminalColumns, terminalColumns > 0 { return terminalColumns }
        if let columns = environment["COLUMNS"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), columns > 0 {
            return columns
        }
        return 80
    }
}
