import Foundation
import Testing

/// Starts a program with an empty signal mask and default handlers. Swift Testing runs on
/// threads with signals blocked, and Foundation.Process would pass that mask on: the board
/// would then never see SIGWINCH or SIGTERM, and tmux's server would ignore kill-server.
@discardableResult
func spawn(_ arguments: [String], capture: Bool = false) -> (status: Int32, output: String) {
    var attributes = ChildProcess.shellLikeAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var pipeEnds: [Int32] = [-1, -1]
    if capture {
        _ = pipe(&pipeEnds)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
    } else {
        // A server-starting tmux keeps its stdout: never hand it a pipe we wait on.
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ) == 0 else { return (-1, "") }
    var output = [UInt8]()
    if capture {
        close(pipeEnds[1])
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(pipeEnds[0])
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return (status, String(decoding: output, as: UTF8.self))
}

/// A private tmux server running one command in a fixed-size window.
final class Tmux: @unchecked Sendable {
    let socket = "pipeline-test-\(UUID().uuidString.prefix(8))"
    private var configurationFile: String?

    /// - Parameter remainOnExit: keep the pane when its command ends (set before it starts, so
    ///   that `#{pane_dead}` says whether the command is still running, however soon it ends).
    init(columns: Int = 120, rows: Int = 30, remainOnExit: Bool = false, command: String) {
        var configuration = "/dev/null"
        if remainOnExit {
            configuration = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).conf").path
            FileManager.default.createFile(atPath: configuration, contents: Data("set -g remain-on-exit on\n".utf8))
            configurationFile = configuration
        }
        spawn(["tmux", "-L", socket, "-f", configuration, "new-session", "-d", "-x", String(columns), "-y", String(rows), "-s", "board",
               "-e", "SWIFT_BACKTRACE=interactive=no", "-e", "TERM=tmux-256color", command])
    }

    deinit {
        spawn(["tmux", "-L", socket, "kill-server"])
        if let configurationFile { try? FileManager.default.removeItem(atPath: configurationFile) }
    }

    var screen: String { spawn(["tmux", "-L", socket, "capture-pane", "-p", "-t", "board"], capture: true).output }

    func send(_ keys: String...) {
        spawn(["tmux", "-L", socket, "send-keys", "-t", "board"] + keys)
    }

    /// Pastes `text` as a terminal does: bracketed (ESC [200~ … ESC [201~) when the program
    /// asked for bracketed paste, plainly otherwise.
    func paste(_ text: String) {
        spawn(["tmux", "-L", socket, "set-buffer", "-b", "test", "--", text])
        spawn(["tmux", "-L", socket, "paste-buffer", "-p", "-b", "test", "-t", "board"])
    }

    func display(_ format: String) -> String {
        spawn(["tmux", "-L", socket, "display", "-p", "-t", "board", format], capture: true).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(columns: Int, rows: Int) {
        spawn(["tmux", "-L", socket, "resize-window", "-t", "board", "-x", String(columns), "-y", String(rows)])
    }

    /// Polls the screen (never a fixed sleep) until `condition` holds or `seconds` (10) pass, and returns
    /// the screen once it has settled: a frame is written in several chunks, and on a loaded
    /// machine tmux can show the first rows of a frame before its status line, so a screen that
    /// merely matches may still be half drawn. Settled means two captures 30 ms apart agree.
    @discardableResult
    func waitFor(_ description: String, within seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen
            if condition(last) {
                usleep(30_000)
                let again = screen
                if again == last { return last }
                continue
            }
            usleep(20_000)
        }
        Issue.record(Comment(rawValue: "timed out waiting for \(description); the screen was:\n\(last)"), sourceLocation: sourceLocation)
        return last
    }

    @discardableResult
    func waitFor(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        waitFor("'\(text)'", sourceLocation: sourceLocation) { $0.contains(text) }
    }
}

/// tmux is installed by `make test`; without it these tests cannot run at all.
let tmuxAvailable = spawn(["tmux", "-V"]).status == 0
