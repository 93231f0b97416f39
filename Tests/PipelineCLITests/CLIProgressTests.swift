import Foundation
import Testing

/// The progress line of the data commands and Ctrl-C, on the real binary (issue 15): in a
/// terminal (tmux, every byte the pane receives logged by `pipe-pane`), through a pipe, and
/// with `--quiet`.
@Suite("CLI: progress and Ctrl-C", .enabled(if: tmuxAvailable))
struct CLIProgressTests {
    /// A file of `count` opportunities by title alone: enough rows that an import runs for
    /// well over the tenth of a second before the first progress line.
    static func file(_ cli: CLI, rows count: Int) -> String {
        let path = cli.path("deals-\(count).csv")
        var text = "name\n"
        text.reserveCapacity(count * 14)
        for index in 1...count { text += "Deal \(index)\n" }
        text += "\n"  // a blank line, which imports nothing
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A tmux pane that runs `command` once Enter is sent, so that `pipe-pane` logs all of
    /// it; then `EXIT=<status>`.
    static func pane(_ cli: CLI, _ command: String, log: String) -> Tmux {
        let tmux = Tmux(columns: 100, rows: 20, command:
            "read go; env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester \(command); echo EXIT=$?; sleep 120")
        spawn(["tmux", "-L", tmux.socket, "pipe-pane", "-t", "board", "-o", "cat >> \(log)"])
        tmux.send("Enter")
        return tmux
    }

    static func exitLine(_ tmux: Tmux, within seconds: Double = 300) -> String {
        let screen = tmux.waitFor("the exit status", within: seconds) { $0.split(separator: "\n").contains { $0.hasPrefix("EXIT=") } }
        return screen.split(separator: "\n").first { $0.hasPrefix("EXIT=") }.map(String.init) ?? ""
    }

    @Test func ctrlCDuringAnImportCancelsItWithNothingImportedAndExit130() throws {
        let cli = CLI()
        cli.ok(["stage", "list"])  // the database exists, empty, before the import
        let before = cli.everything()
        let csv = Self.file(cli, rows: 400_000)
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "\(CLI.binary) import \(csv) \(cli.databaseOption)", log: log)
        // Ctrl-C once the progress line shows: the import is in its row loop by then.
        tmux.waitFor("the progress line", within: 120) { $0.contains("Importing: ") && $0.contains(" rows") }
        tmux.send("C-c")
        #expect(Self.exitLine(tmux) == "EXIT=130")
        #expect(tmux.screen.contains("Cancelled: nothing was imported, the database is as it was."))
        // Drawn in place: a carriage return, the line, erase to its end.
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(bytes.contains("\rImporting: ") && bytes.contains("\u{1B}[K"), "\(bytes.prefix(400).debugDescription)")
        #expect(cli.everything() == before)
        #expect(cli.run(["check"]).status == 0)
    }

    @Test func aFinishedImportSaysWhatItDidAndHowLongItTook() throws {
        let cli = CLI()
        let csv = Self.file(cli, rows: 20_000)
        // Piped: the summary, and no progress on standard error at all.
        let result = cli.ok(["import", csv])
        #expect(result.stdout.hasPrefix("Imported 20000 records in "))
        #expect(result.stdout.contains(": 20000 created, 0 updated, 1 skipped (blank lines)."), "\(result.stdout)")
        #expect(!result.stderr.contains("Importing") && !result.stderr.contains("\r") && !result.stderr.contains("\u{1B}"))
        let vietnamese = cli.ok(["import", csv, "--lang", "vi"])
        #expect(vietnamese.stdout.hasPrefix("Đã nhập 20000 bản ghi trong "), "\(vietnamese.stdout)")
        #expect(vietnamese.stdout.contains(": tạo 20000, cập nhật 0, bỏ qua 1 (dòng trống)."), "\(vietnamese.stdout)")
    }

    @Test func quietShowsNoProgressInATerminal() throws {
        let cli = CLI()
        let csv = Self.file(cli, rows: 20_000)
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "\(CLI.binary) import --quiet \(csv) \(cli.databaseOption)", log: log)
        #expect(Self.exitLine(tmux) == "EXIT=0")
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(bytes.contains("Imported 20000 records"))
        #expect(!bytes.contains("Importing: "))
    }
}
