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
