import Foundation
import Testing

/// A zero-width joiner in a stage name, on a real terminal: the board looks exactly as it
/// does without it, separators and colours included.
/// SQLite only: how the terminal draws a name, which no engine changes.
@Suite("Board: a joiner in a name", .enabled(if: tmuxAvailable))
struct BoardJoinerTests {
    @Test func aZeroWidthJoinerShiftsNothing() throws {
        let boards = ["New", "Ne\u{200D}w"].map { name -> (CLI, Tmux) in
            let cli = CLI()
            cli.ok(["stage", "edit", "New", "--name", name])
            cli.ok(["opp", "add", "Acme renewal", "--revenue", "12,000"])
            cli.ok(["opp", "add", "Globex", "--stage", "Qualified"])
            let tmux = Tmux(command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester PIPELINE_TRACE=\(cli.path("trace")) "
                + "\(CLI.binary) --db \(cli.database); sleep 60")
            tmux.waitFor("Acme renewal")
            return (cli, tmux)
        }
        // Each key redraws the header of the stage with the joiner (focus comes and goes):
        // where the terminal puts the joiner depends on how a frame's bytes fall, so many
        // frames are compared, every one with its colours.
        let first = boards.map { Self.settled($0.1) }
        #expect(first[0] == first[1])
        for (number, key) in ["Up", "Left", "Right", "Down", "Left", "Up", "Right", "Right", "Down", "Left", "Up", "Right"].enumerated() {
            for (_, tmux) in boards { tmux.send(key) }
            // The binary's trace says when the key's frame was flushed.
            for (cli, _) in boards { Self.waitForKeys(number + 1, in: cli.path("trace")) }
            let screens = boards.map { Self.settled($0.1) }
            #expect(!screens[1].unicodeScalars.contains { $0.value == 0x200D }, "after \(key)")
            #expect(screens[0] == screens[1], "after \(key)")
        }
        for (_, tmux) in boards { tmux.send("q") }
    }

    /// The pane with its styles (tmux's escape sequences for each cell's attributes).
    static func styledScreen(_ tmux: Tmux) -> String {
        spawn(["tmux", "-L", tmux.socket, "capture-pane", "-p", "-e", "-t", "board"], capture: true).output
    }

    /// The styled screen once two captures 30 ms apart agree (tmux may still be taking in
    /// the last bytes of a frame).
    static func settled(_ tmux: Tmux) -> String {
        var last = styledScreen(tmux)
        for _ in 0..<300 {
            usleep(30_000)
            let now = styledScreen(tmux)
            if now == last { return now }
            last = now
        }
        Issue.record("the board's screen did not settle")
        return last
    }

    /// Polls the trace until it records `count` keys handled and drawn.
    static func waitForKeys(_ count: Int, in trace: String) {
        for _ in 0..<1_000 {
            let keys = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("key ") }
            if keys.count >= count { return }
            usleep(10_000)
        }
        Issue.record("the board did not handle key \(count) within 10 s")
    }
}
