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

    /// Ctrl-C during an export (found by the trial: the process died by the signal, its
    /// progress line left on the screen without a word): the line is taken away, one sentence
    /// says what became of the target, exit 130. Into a file the target is as it was and the
    /// temporary file is gone; to standard output, blocked on a reader that does not read, it
    /// ends at once and says the output is incomplete.
    @Test func ctrlCDuringAnExportClearsItsLineAndSaysTheTargetIsAsItWas() throws {
        let cli = CLI()
        cli.ok(["import", Self.file(cli, rows: 60_000), "--quiet"])
        let target = cli.path("deals.csv")
        try "the export before\n".write(toFile: target, atomically: true, encoding: .utf8)
        let log = cli.path("pane.log")
        // Drawn at its usual pace: a line redrawn at every row never lets the screen settle.
        let tmux = Self.pane(cli, "\(CLI.binary) export --out \(target) \(cli.databaseOption)", log: log)
        tmux.waitFor("the progress line", within: 120) { $0.contains("Exporting: ") && $0.contains(" rows") }
        tmux.send("C-c")
        #expect(Self.exitLine(tmux) == "EXIT=130")
        // The sentence is wider than the pane: read with the pane's line breaks taken out.
        #expect(tmux.screen.replacingOccurrences(of: "\n", with: "").contains("Cancelled: nothing was exported, \(target) is as it was."),
                "\(tmux.screen)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "the export before\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: cli.folder.path).filter { $0.contains(".pipeline-") }
        #expect(left.isEmpty, "\(left)")
        // The line taken away (a carriage return and erase to the end) before the sentence.
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let sentence = try #require(bytes.range(of: "Cancelled: "), "\(bytes.suffix(400).debugDescription)")
        let lastLine = try #require(bytes[..<sentence.lowerBound].range(of: "\rExporting: ", options: .backwards))
        #expect(bytes[lastLine.upperBound..<sentence.lowerBound].contains("\r\u{1B}[K"), "\(bytes[lastLine.lowerBound...].prefix(300).debugDescription)")

        let piped = cli.path("piped.log")
        // A reader that never reads (in the background, so Ctrl-C reaches the export alone).
        let fifo = cli.path("reader.fifo")
        let reader = Self.pane(cli, "mkfifo \(fifo); sleep 300 < \(fifo) & PIPELINE_PROGRESS_EVERY=0 \(CLI.binary) export \(cli.databaseOption) > \(fifo); "
                               + "status=$?; kill $!; (exit $status)", log: piped)
        reader.waitFor("the progress line", within: 120) { $0.contains("Exporting: ") && $0.contains(" rows") }
        reader.send("C-c")
        #expect(Self.exitLine(reader) == "EXIT=130")
        #expect(reader.screen.contains("Cancelled: the export stopped part way, so what standard output received is incomplete."),
                "\(reader.screen)")
    }

    /// `kill -9` during an export into a file (issue 15's edges): the file being written has no
    /// name (O_TMPFILE), so the folder is as it was. Before, its `.deals.csv.pipeline-XXXXXX`
    /// stayed for ever, since no handler runs on SIGKILL. Killed once the export has written
    /// bytes into its file (seen through /proc: a deleted file in the target's folder).
    @Test func anExportKilledPartWayLeavesTheFolderAsItWas() throws {
        let cli = CLI()
        cli.ok(["import", Self.file(cli, rows: 60_000), "--quiet"])
        let folder = cli.path("out")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let target = folder + "/deals.json"
        try "the export before\n".write(toFile: target, atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: folder)
        let tmux = Self.pane(cli, "\(CLI.binary) export --format json --out \(target) \(cli.databaseOption)", log: cli.path("pane.log"))
        var written: (pid: Int32, size: Int)?
        let deadline = Date().addingTimeInterval(120)
        while written == nil, Date() < deadline {
            if let pid = Self.childOfPane(tmux) {
                let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
                for descriptor in descriptors {
                    let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")) ?? ""
                    var status = stat()
                    if link.hasPrefix(folder + "/"), link.hasSuffix(" (deleted)"), stat("/proc/\(pid)/fd/\(descriptor)", &status) == 0,
                       status.st_size > 0 {
                        written = (pid, Int(status.st_size))
                    }
                }
            }
            if written == nil { usleep(5_000) }
        }
        let export = try #require(written, "the export never wrote into an unnamed file: \(tmux.screen)")
        #expect(kill(export.pid, SIGKILL) == 0)
        #expect(Self.exitLine(tmux) == "EXIT=137")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == before)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "the export before\n")
    }

    /// After its rows an import builds its indexes and commits: seconds at this size, spent at
    /// 100 % without a word while Ctrl-C went unanswered (issue 15). The line now says so, and
    /// Ctrl-C there cancels: nothing imported, no file left, exit 130. (The commit, with the
    /// log's checkpoint, lasts about a second here: the screen is read every 20 ms.)
    @Test func theLastSecondsOfAnImportAreSaidAndCtrlCStillCancels() throws {
        let cli = CLI()
        let fresh = cli.path("fresh.sqlite")
        let csv = Self.file(cli, rows: 150_000)
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "\(CLI.binary) import \(csv) --db \(fresh)", log: log)
        tmux.waitFor("the indexes being built", within: 300) { $0.contains("Importing: 150,001 rows · building indexes…") }
        tmux.send("C-c")
        #expect(Self.exitLine(tmux) == "EXIT=130", "\(tmux.screen)")
        #expect(tmux.screen.contains("Cancelled: nothing was imported, the database is as it was."), "\(tmux.screen)")
        for suffix in ["", "-wal", "-shm", "-journal"] { #expect(!FileManager.default.fileExists(atPath: fresh + suffix), "\(suffix)") }
        // The same line redrawn: a carriage return before it, erase to its end after.
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(bytes.contains("\rImporting: 150,001 rows · building indexes… · "), "\(bytes.suffix(400).debugDescription)")

        // Again, in Vietnamese: each phase is said; Ctrl-C once the commit began (the line says
        // it can no longer stop it) lets the import finish, and one sentence says so.
        let whole = Self.pane(cli, "\(CLI.binary) import \(csv) --db \(fresh) --lang vi", log: cli.path("whole.log"))
        whole.waitFor("the commit", within: 300) { $0.contains("đang lưu… (Ctrl-C không dừng được nữa)") }
        whole.send("C-c")
        #expect(Self.exitLine(whole, within: 600) == "EXIT=0", "\(whole.screen)")
        #expect(Self.unwrapped(whole.screen).contains(Self.unwrapped("Ctrl-C đến khi dữ liệu đang được lưu, quá muộn để dừng: công việc đã hoàn tất.")),
                "\(whole.screen)")
        #expect(Self.unwrapped(whole.screen).contains(Self.unwrapped("Đã nhập 150.000 bản ghi")), "\(whole.screen)")
        let drawn = (try? String(contentsOfFile: cli.path("whole.log"), encoding: .utf8)) ?? ""
        #expect(drawn.contains("\rĐang nhập: 150.001 dòng · đang tạo chỉ mục… · "), "\(drawn.suffix(400).debugDescription)")
        #expect(drawn.contains("\rĐang nhập: 150.001 dòng · đang lưu… (Ctrl-C không dừng được nữa) · "), "\(drawn.suffix(400).debugDescription)")
        let piped = cli.run(["import", Self.file(cli, rows: 2_000), "--db", cli.path("piped.sqlite")], database: false)
        #expect(piped.status == 0 && !piped.stderr.contains("\r") && !piped.stderr.contains("…"), "\(piped.stderr)")
    }

    /// The pid of the program the pane's shell runs (its only child), once it has one.
    static func childOfPane(_ tmux: Tmux) -> Int32? {
        guard let shell = Int32(tmux.display("#{pane_pid}")) else { return nil }
        // The shell's children, through its tasks' lists (no pgrep: one process, our own).
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(shell)/task")) ?? []
        for task in tasks {
            let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(task)/children", encoding: .utf8)) ?? ""
            if let pid = children.split(separator: " ").compactMap({ Int32($0) }).first { return pid }
        }
        return nil
    }

    /// Whether process `pid` (named `name`) now catches SIGINT: its handler is installed, so a
    /// Ctrl-C from here on is the program's to handle (before, it would simply end it).
    static func catchesInterrupt(_ pid: Int32, named name: String) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let lines = status.split(separator: "\n")
        guard lines.contains(where: { $0 == "Name:\t\(name)" }),
              let caught = lines.first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(caught.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << (UInt64(SIGINT) - 1)) != 0
    }

    /// Runs `script` (sh) in a pane, waits until the import it starts catches Ctrl-C, presses
    /// Ctrl-C, and returns the pane's exit line and screen.
    static func interruptImport(_ cli: CLI, script: String, file: String) -> (exit: String, screen: String) {
        let path = cli.path(file)
        FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        let tmux = pane(cli, "sh \(path)", log: cli.path("pane.log"))
        var importer: Int32?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // The shell runs the pipeline's stages as its children; the import is the one named so.
            if let shell = childOfPane(tmux) {
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(shell)/task")) ?? []
                let children = tasks.flatMap { task in
                    ((try? String(contentsOfFile: "/proc/\(shell)/task/\(task)/children", encoding: .utf8)) ?? "")
                        .split(separator: " ").compactMap { Int32($0) }
                }
                importer = ([shell] + children).first { catchesInterrupt($0, named: "pipeline") }
                if importer != nil { break }
            }
            usleep(20_000)
        }
        #expect(importer != nil, "the import never caught SIGINT: \(tmux.screen)")
        tmux.send("C-c")
        return (exitLine(tmux), tmux.screen)
    }

    @Test func ctrlCEndsAnImportWaitingForTypedLines() throws {
        let cli = CLI()
        cli.ok(["stage", "list"])
        let before = cli.everything()
        // Standard input is the terminal: the import waits for the next line typed. Before,
        // Ctrl-C only set a flag and the read went on waiting (SA_RESTART).
        let result = Self.interruptImport(cli, script: "exec \(CLI.binary) import - --format csv \(cli.databaseOption)\n", file: "typed.sh")
        #expect(result.exit == "EXIT=130")
        #expect(result.screen.contains("Cancelled: nothing was imported, the database is as it was."), "\(result.screen)")
        #expect(cli.everything() == before)
    }

    /// Found by the trial: a cancelled import into a file that did not exist left a new,
    /// empty database behind while saying the database "is as it was". Now it is gone again.
    @Test func aCancelledImportIntoANewFileLeavesNoFile() throws {
        let cli = CLI()
        let fresh = cli.path("fresh.sqlite")
        let csv = Self.file(cli, rows: 400_000)
        let tmux = Self.pane(cli, "\(CLI.binary) import \(csv) --db \(fresh)", log: cli.path("pane.log"))
        tmux.waitFor("the progress line", within: 120) { $0.contains("Importing: ") && $0.contains(" rows") }
        #expect(FileManager.default.fileExists(atPath: fresh))
        tmux.send("C-c")
        #expect(Self.exitLine(tmux) == "EXIT=130")
        #expect(tmux.screen.contains("Cancelled: nothing was imported, the database is as it was."))
        for suffix in ["", "-wal", "-shm", "-journal"] { #expect(!FileManager.default.fileExists(atPath: fresh + suffix), "\(suffix)") }
    }

    @Test func ctrlCEndsAnImportFedBySlowPipeWithNothingImported() throws {
        let cli = CLI()
        cli.ok(["stage", "list"])
        let before = cli.everything()
        // Rows arrive, then the program feeding the pipe waits: Ctrl-C reaches both. Before,
        // the import took the pipe's end (its writer died of the same Ctrl-C) for the end of
        // a whole file and committed the rows it had read.
        // The script's own shell waits it out (its trap), as an interactive shell would, so that
        // the pane reads the import's status; the feeder's `sleep` dies of the Ctrl-C.
        let script = "trap : INT\n(printf 'name\\nDeal 1\\nDeal 2\\n'; sleep 600) | \(CLI.binary) import - --format csv \(cli.databaseOption)\n"
        let result = Self.interruptImport(cli, script: script, file: "piped.sh")
        #expect(result.exit == "EXIT=130")
        #expect(result.screen.contains("Cancelled: nothing was imported, the database is as it was."), "\(result.screen)")
        #expect(cli.everything() == before)
        #expect(cli.run(["check"]).status == 0)
    }

    /// `check` names the step it is on and how long it has run, in place, then says its
    /// verdict on a clean line; piped, it shows nothing of it.
    @Test func aCheckShowsTheStepItIsOnInATerminal() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Alpha", "--revenue", "100"])
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "PIPELINE_PROGRESS_EVERY=0 \(CLI.binary) check \(cli.databaseOption)", log: log)
        #expect(Self.exitLine(tmux) == "EXIT=0")
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(bytes.contains("\rChecking: step 2 · 0 s\u{1B}[K"), "\(bytes.prefix(400).debugDescription)")
        // The line is taken away before the verdict.
        #expect(bytes.contains("\r\u{1B}[K"))
        #expect(tmux.screen.contains(" is sound"))
        #expect(!tmux.screen.contains("Checking:"))
        let piped = cli.run(["check"], environment: ["PIPELINE_PROGRESS_EVERY": "0"])
        #expect(piped.status == 0 && !piped.stderr.contains("Checking"), "\(piped.stderr)")
        let quiet = Self.pane(cli, "PIPELINE_PROGRESS_EVERY=0 \(CLI.binary) check --quiet \(cli.databaseOption)", log: cli.path("quiet.log"))
        #expect(Self.exitLine(quiet) == "EXIT=0")
        #expect(!((try? String(contentsOfFile: cli.path("quiet.log"), encoding: .utf8)) ?? "").contains("Checking"))
    }

    @Test func aFinishedImportSaysWhatItDidAndHowLongItTook() throws {
        let cli = CLI()
        let csv = Self.file(cli, rows: 20_000)
        // Piped: the summary, and no progress on standard error at all.
        let result = cli.ok(["import", csv])
        #expect(result.stdout.hasPrefix("Imported 20,000 records in "))
        #expect(result.stdout.contains(": 20,000 created, 0 updated, 1 skipped (blank lines)."), "\(result.stdout)")
        #expect(!result.stderr.contains("Importing") && !result.stderr.contains("\r") && !result.stderr.contains("\u{1B}"))
        let vietnamese = cli.ok(["import", csv, "--lang", "vi"])
        #expect(vietnamese.stdout.hasPrefix("Đã nhập 20.000 bản ghi trong "), "\(vietnamese.stdout)")
        #expect(vietnamese.stdout.contains(": tạo 20.000, cập nhật 0, bỏ qua 1 (dòng trống)."), "\(vietnamese.stdout)")
    }

    /// An export and a copy count their rows first (issue 15): their line says the share done
    /// (and, once it has run half a second, the time left, as `ProgressTests` shows), in both
    /// languages. Before, a copy and an export said only rows and a rate.
    @Test func anExportAndACopySayTheShareDone() throws {
        let cli = CLI()
        cli.ok(["import", Self.file(cli, rows: 3_000), "--quiet"])
        let every = "PIPELINE_PROGRESS_EVERY=0 \(CLI.binary)"
        let runs: [(command: String, line: String)] = [
            ("\(every) export --out \(cli.path("deals.csv")) \(cli.databaseOption)", "\rExporting: 1,500 rows · "),
            ("\(every) export --format json --out \(cli.path("all.json")) \(cli.databaseOption)", "\rExporting: "),
            ("\(every) db copy --from \(cli.database) --to \(cli.path("copy.sqlite"))", "\rCopying: 1,500 rows · "),
            ("\(every) db copy --lang vi --from \(cli.database) --to \(cli.path("vi.sqlite"))", "\rĐang sao chép: 1.500 dòng · "),
        ]
        for (index, run) in runs.enumerated() {
            let log = cli.path("pane-\(index).log")
            let tmux = Self.pane(cli, run.command, log: log)
            #expect(Self.exitLine(tmux) == "EXIT=0", "\(run.command): \(tmux.screen)")
            let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(bytes.contains(run.line), "\(run.command): \(bytes.prefix(300).debugDescription)")
            // Halfway and done: every row is drawn here, so every whole percentage shows.
            #expect(bytes.contains("50%") && bytes.contains("100%"), "\(run.command): \(bytes.suffix(300).debugDescription)")
        }
    }

    /// A terminal made narrower during an import: the lines drawn after it fit the new width.
    /// Before, the width was read once, and every later line wrapped at the old one (a
    /// new-user trial saw the pane fill with halves of lines). The rows come through a pipe
    /// whose feeder, after its first 5,000 rows (several of the reader's 64 KiB blocks), waits
    /// for a file the test makes after the resize (a condition, not a time).
    @Test func theProgressLineFollowsATerminalMadeNarrower() throws {
        let cli = CLI()
        cli.ok(["stage", "list"])
        let resized = cli.path("resized")
        let title = String(repeating: "x", count: 40)
        let script = "(echo name; seq -f 'Deal %g \(title)' 1 5000; while [ ! -e \(resized) ]; do sleep 0.05; done; "
            + "seq -f 'Deal %g \(title)' 5001 9000) | "
            + "PIPELINE_PROGRESS_EVERY=0 \(CLI.binary) import - --format csv \(cli.databaseOption)\n"
        let path = cli.path("narrower.sh")
        FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "sh \(path)", log: log)
        tmux.waitFor("the first rows' line", within: 120) { $0.contains("Importing: ") && $0.contains(" rows") }
        tmux.resize(columns: 30, rows: 20)
        _ = tmux.waitFor("the narrower pane", within: 30) { _ in tmux.display("#{pane_width}") == "30" }
        let before = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").count
        FileManager.default.createFile(atPath: resized, contents: Data())
        #expect(Self.exitLine(tmux) == "EXIT=0", "\(tmux.screen)")
        let drawn = String(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").dropFirst(before))
        let lines = drawn.split(separator: "\r").map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
            .filter { $0.hasPrefix("Importing") && !$0.contains("\n") }
        #expect(lines.contains { $0.contains("9,000 rows") }, "\(drawn.suffix(400).debugDescription)")
        for line in lines {
            #expect(line.count <= 29, "wider than the 30-column pane: \(line.debugDescription)")
        }
    }

    /// Text without its spaces and line breaks: a sentence wider than the pane, read across
    /// the pane's wrapping.
    static func unwrapped(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    /// Ctrl-C during a restore (a JSON backup into a new file) and during a copy to a file
    /// (issue 15): one sentence, exit 130, and no file left behind.
    @Test func ctrlCDuringARestoreOrACopyLeavesNoFileAndExit130() throws {
        let cli = CLI()
        cli.ok(["import", Self.file(cli, rows: 60_000), "--quiet"])
        let backup = cli.path("backup.json")
        cli.ok(["export", "--format", "json", "--out", backup, "--quiet"])
        let restored = cli.path("restored.sqlite"), copied = cli.path("copied.sqlite")
        let runs: [(command: String, line: String, sentence: String, target: String)] = [
            ("\(CLI.binary) import \(backup) --db \(restored)", "Restoring: ", "Cancelled: nothing was imported, the database is as it was.", restored),
            ("\(CLI.binary) db copy --from \(cli.database) --to \(copied)", "Copying: ", "Cancelled: nothing was copied, \(copied) is as it was.", copied),
        ]
        for run in runs {
            let tmux = Self.pane(cli, run.command, log: cli.path("pane.log"))
            tmux.waitFor("the progress line", within: 120) { $0.contains(run.line) && $0.contains(" rows") }
            tmux.send("C-c")
            #expect(Self.exitLine(tmux) == "EXIT=130", "\(run.command)")
            // Read without the pane's line breaks (and the space a break may take).
            #expect(Self.unwrapped(tmux.screen).contains(Self.unwrapped(run.sentence)), "\(tmux.screen)")
            for suffix in ["", "-wal", "-shm", "-journal"] {
                #expect(!FileManager.default.fileExists(atPath: run.target + suffix), "\(run.target)\(suffix)")
            }
        }
    }

    /// Ctrl-C during a copy to a server (issue 15): the server's database is as it was — a
    /// new one, with no deal (`aCancelledCopyLeavesTheTargetEmpty` shows it takes the copy again).
    @Test func ctrlCDuringACopyToAServerLeavesItEmpty() throws {
        let cli = CLI()
        let server = try ServerDatabase()
        cli.ok(["import", Self.file(cli, rows: 60_000), "--quiet"])
        let command = "\(CLI.binary) db copy --from \(cli.database) --to \(shellQuoted(server.location))"
        let tmux = Self.pane(cli, command, log: cli.path("pane.log"))
        tmux.waitFor("the progress line", within: 120) { $0.contains("Copying: ") && $0.contains(" rows") }
        tmux.send("C-c")
        #expect(Self.exitLine(tmux) == "EXIT=130")
        #expect(Self.unwrapped(tmux.screen).contains(Self.unwrapped("Cancelled: nothing was copied, ")), "\(tmux.screen)")
        let listed = cli.run(["opp", "list", "--json", "--db", server.location], database: false)
        #expect(listed.status == 0 && Self.unwrapped(listed.stdout) == "[]", "\(listed.stdout.prefix(200))\(listed.stderr)")
        let teams = cli.run(["team", "list", "--json", "--db", server.location], database: false)
        #expect(teams.status == 0 && teams.stdout.components(separatedBy: "\"name\"").count == 2, "\(teams.stdout)\(teams.stderr)")
    }

    @Test func quietShowsNoProgressInATerminal() throws {
        let cli = CLI()
        let csv = Self.file(cli, rows: 20_000)
        let log = cli.path("pane.log")
        let tmux = Self.pane(cli, "\(CLI.binary) import --quiet \(csv) \(cli.databaseOption)", log: log)
        #expect(Self.exitLine(tmux) == "EXIT=0")
        let bytes = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(bytes.contains("Imported 20,000 records"))
        #expect(!bytes.contains("Importing: "))
    }
}
