import Foundation
import PipelineCore
import TerminalCore

/// Asks for a password on the terminal, twice, without echo: the only way a password enters
/// the program (never an argument, which `ps` and shell histories show to everyone).
enum PasswordPrompt {
    /// The longest password taken, in bytes: far beyond any typed one, and a bound on what
    /// is read.
    static let maximumBytes = 1_024

    /// Whether there is a terminal to ask on: standard input is one.
    static var isAvailable: Bool { isatty(STDIN_FILENO) == 1 }

    /// The password typed twice for `login`; refused in one sentence when the two differ,
    /// when it is empty, too long or not text, or when the input ends first.
    static func ask(for login: String) throws -> String {
        guard isAvailable else { throw PasswordProblem.needsTerminal(login: login) }
        let first = try readHidden(prompt: localized("cli.user.password.prompt", TerminalText.sanitized(login)))
        let second = try readHidden(prompt: localized("cli.user.password.again"))
        guard first == second else { throw PasswordProblem.mismatch }
        guard !first.isEmpty else { throw PasswordProblem.empty }
        guard first.count <= maximumBytes else { throw PasswordProblem.tooLong }
        guard let text = String(validating: first, as: UTF8.self), !first.contains(0) else { throw PasswordProblem.notText }
        return text
    }

    // The terminal's settings while echo is off, for the signal handlers to put back: an
    // interrupted prompt must not leave the user typing blind.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var echoIsOff: sig_atomic_t = 0

    /// One line from standard input with echo off (the prompt and the line break after it
    /// on standard error); the bytes without the line feed.
    private static func readHidden(prompt: String) throws -> [UInt8] {
        var settings = termios()
        guard tcgetattr(STDIN_FILENO, &settings) == 0 else { throw PasswordProblem.needsTerminal(login: "") }
        saved = settings
        var hidden = settings
        hidden.c_lflag &= ~tcflag_t(ECHO)
        hidden.c_lflag |= tcflag_t(ECHONL)
        let previous = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { signalNumber in
            (signalNumber, signal(signalNumber) { received in
                if PasswordPrompt.echoIsOff != 0 { tcsetattr(STDIN_FILENO, TCSAFLUSH, &PasswordPrompt.saved) }
                signal(received, SIG_DFL)
                raise(received)
            })
        }
        echoIsOff = 1
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        // Asked once echo is off: what is typed as soon as the prompt shows is never shown.
        writeError(prompt)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            echoIsOff = 0
            for (signalNumber, handler) in previous { signal(signalNumber, handler) }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { throw PasswordProblem.inputEnded }
            if byte == UInt8(ascii: "\n") { break }
            // Kept whole up to the bound, then only counted: too long is said after the line.
            if line.count <= maximumBytes { line.append(byte) }
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    private static func writeError(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Why no password was taken (nothing was changed).
enum PasswordProblem: UserFacingError, Equatable {
    case needsTerminal(login: String)
    case mismatch
    case empty
    case tooLong
    case notText
    case inputEnded

    var message: String { message(in: .english) }

    func message(in language: Language) -> String {
        switch self {
        case .needsTerminal(let login):
            return Catalogue.text("cli.user.password.needsTerminal", language, [UserCommand.quotedIdentifier(login)])
        case .mismatch: return Catalogue.text("cli.user.password.mismatch", language, [])
        case .empty: return Catalogue.text("cli.user.password.empty", language, [])
        case .tooLong: return Catalogue.text("cli.user.password.tooLong", language, [String(PasswordPrompt.maximumBytes)])
        case .notText: return Catalogue.text("cli.user.password.notText", language, [])
        case .inputEnded: return Catalogue.text("cli.user.password.inputEnded", language, [])
        }
    }

    /// 64 when the option cannot be used here (no terminal), 65 for what was typed.
    var exitStatus: Int32 {
        if case .needsTerminal = self { return ExitStatus.usage }
        return ExitStatus.invalidData
    }
}
