import Foundation
import PipelineEngines
import Testing

/// Issue 13 on the real binary and a real terminal (tmux, a SQLite file): an overdue activity
/// made with the CLI shows on its card, view 4 marks it done with the next one suggested, the
/// deal's page shows it in its timeline with an earlier move, and `m` narrows the sums.
@Suite("Board end to end: activities", .enabled(if: tmuxAvailable))
struct BoardActivitiesEndToEndTests {
    @Test func anOverdueCallIsDoneFromViewFourAndShowsOnTheDealsPage() throws {
        let cli = try CLI(engine: .sqlite)
        cli.ok(["opp", "add", "Acme renewal", "--revenue", "12,000", "--salesperson", "tester"])
        cli.ok(["opp", "add", "Globex expansion", "--revenue", "8,000", "--salesperson", "lan"])
        cli.ok(["opp", "move", "Acme renewal", "--to", "Qualified"])
        cli.ok(["activity", "add", "Acme renewal", "--type", "CALL", "--due", CLIActivityTests.localDate(-1), "--summary", "Ring Ana"])
        let command = "env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester \(CLI.binary) \(cli.databaseOption); echo EXIT=$?; sleep 60"
        let tmux = Tmux(columns: 120, rows: 30, command: command)
        func line(_ screen: String, with text: String) -> String? { screen.split(separator: "\n").map(String.init).first { $0.contains(text) } }
        let board = tmux.waitFor("Acme renewal")
        // The card's mark: overdue (!) with the call's short date ("! Dec 5").
        #expect(board.contains(/! [A-Z][a-z]{2} \d{1,2}/), "\(board)")
        #expect(board.contains("Open $20,000.00"), "\(board)")
        // View 4 lists it; d then Enter marks it done and plans the suggested next one.
        tmux.send("4")
        let list = tmux.waitFor("Ring Ana")
        #expect(line(list, with: "Ring Ana")?.trimmingCharacters(in: .whitespaces).hasPrefix("!") == true, "\(list)")
        tmux.send("d")
        tmux.waitFor("pane asking for feedback") { $0.contains("Feedback") }
        tmux.send("Enter")
        let done = tmux.waitFor("Done: Ring Ana; next:")
        #expect(!done.contains("Feedback") && line(done, with: "Acme renewal")?.contains("○") == true, "\(done)")
        // Back on view 1 the card's mark is the next one's, planned.
        tmux.send("1")
        let after = tmux.waitFor("the board again") { $0.contains("Globex expansion") && $0.contains("Acme renewal") }
        #expect(after.contains(/○ [A-Z][a-z]{2} \d{1,2}/), "\(after)")
        #expect(!after.contains(/! [A-Z][a-z]{2} \d{1,2}/), "\(after)")
        // Enter on Acme (Qualified, left of New): its page, the timeline with the call done and the move.
        tmux.send("Left")
        tmux.send("Enter")
        tmux.waitFor("Timeline")
        tmux.send("BTab", "BTab")
        let page = tmux.waitFor("the timeline") { $0.contains("Call done: Ring Ana") && $0.contains("Moved New → Qualified after") }
        #expect(line(page, with: "Moved New → Qualified after")?.contains("in New") == true, "\(page)")
        // m: my pipeline; Lan's Globex drops out of the sums.
        tmux.send("Escape")
        tmux.waitFor("the board") { !$0.contains("Timeline") }
        tmux.send("m")
        let mine = tmux.waitFor("my pipeline's sums") { $0.contains("Open $12,000.00") }
        #expect(!mine.contains("Globex expansion"), "\(mine)")
        tmux.send("q")
        let final = tmux.waitFor("^EXIT=") { $0.split(separator: "\n").contains { $0.hasPrefix("EXIT=") } }
        #expect(final.contains("EXIT=0"))
    }
}
