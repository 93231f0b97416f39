import Foundation
import TerminalCore

/// Where the CLI writes: results to standard output, errors and hints to standard error.
enum Console {
    /// Writes to standard output. Stored text cannot hold control characters, but a file
    /// edited by another program could: they are replaced, never sent to the terminal.
    static func out(_ line: String, terminator: String = "\n") {
        print(TerminalText.sanitized(line, singleLine: false), terminator: terminator)
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.sanitized(line) + "\n").utf8))
    }

    /// The width tables fit: the terminal's when standard output is one, else 80.
    static var width: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 {
            return Int(size.ws_col)
        }
        return 80
    }
}
