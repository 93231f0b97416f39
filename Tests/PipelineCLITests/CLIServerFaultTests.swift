import Foundation
import PostgresClient
import Testing

/// The real binary against a PostgreSQL server that fails it: a server of the test's own
/// restarting under an open board, and every way of not getting in. Each against a real
/// server (`make test` starts it); without one the test fails with the reason.
@Suite("CLI and board: a PostgreSQL server that fails")
struct CLIServerFaultTests {
    // MARK: - The server restarts under an open board

    /// What the board says, in each language, when its server goes and when it is back.
    struct Words: Sendable, CustomTestStringConvertible {
        let language: String
        let lost: String
        let refused: String
        let back: String
        let added: String

        var testDescription: String { language }

        static let english = Words(language: "en", lost: "the connection to the PostgreSQL server at ",
                                   refused: "cannot reach the PostgreSQL server at ",
                                   back: "Connected again: the board shows the pipeline as it is now", added: "Added 'Typed while away'")
        static let vietnamese = Words(language: "vi", lost: "mất kết nối tới máy chủ PostgreSQL tại ",
                                      refused: "không kết nối được tới máy chủ PostgreSQL tại ",
                                      back: "Đã kết nối lại: bảng đang hiển thị quy trình như hiện tại", added: "Đã thêm 'Typed while away'")
    }

    /// The server stops while a board is open with a half-typed new deal: the board says it
    /// lost the connection (the store's own sentence, in the board's language) without a key
    /// press and keeps what was typed; saving then is refused in one sentence, applies
    /// nothing and keeps the pane; once the server is back the board reconnects by itself and
    /// reads the whole view again — a change that announced nothing (made while the board was
    /// still connected) shows then — and saving the pane again adds the deal once.
    @Test(.enabled(if: tmuxAvailable), arguments: [Words.english, .vietnamese])
    func aServerRestartUnderAnOpenBoardIsSaidSurvivedAndLosesNothing(_ words: Words) throws {
        let server = try PrivateServer()
        let cli = try CLI(on: server, language: words.language == "vi" ? "vi_VN.UTF-8" : nil)
        cli.ok(["opp", "add", "Globex expansion", "--customer", "Globex", "--revenue", "8000"])
        cli.ok(["opp", "add", "Acme renewal", "--customer", "Acme", "--revenue", "12000"])
        let trace = cli.folder.appendingPathComponent("board.trace").path
        // Wide enough for the store's sentence, which names the server in full.
        let tmux = Tmux(columns: 240, rows: 30, command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester "
                        + "PIPELINE_TRACE=\(trace) \(CLI.binary) \(cli.databaseOption) --lang \(words.language); echo EXIT=$?; sleep 60")
        tmux.waitFor("Globex expansion")

        // Another program renames a deal without announcing it (as an import's statements
        // are silent): the open board has no reason to read it again, until it reconnects.
        let other = try cli.server.map { try $0.connect() }
        try other?.executeScript("""
            BEGIN; SET LOCAL pipeline.importing = 'on';
            UPDATE opportunity SET title = 'Globex renamed quietly', version = version + 1 WHERE title = 'Globex expansion';
            COMMIT
            """)

        tmux.send("n")
        tmux.send("-l", "Typed while away")
        tmux.waitFor("Typed while away")
        let typed = 1 + "Typed while away".count  // n, then each character
        waitForKeys(in: trace, atLeast: typed)

        try server.stop()
        let lost = tmux.waitFor("the store's sentence on the status line") { Self.statusLine($0).contains(words.lost) }
        #expect(Self.statusLine(lost).contains(words.language == "vi" ? "; hãy thử lại khi máy chủ hoạt động trở lại" : " was lost; try again once it is back"),
                "\(Self.statusLine(lost))")
        #expect(lost.contains("Typed while away"), "the pane lost what was typed:\n\(lost)")
        #expect(lost.contains("Globex expansion") && !lost.contains("Globex renamed"), "\(lost)")

        // Enter goes to the amount, Enter again saves: refused while the server is away.
        tmux.send("Enter", "Enter")
        waitForKeys(in: trace, atLeast: typed + 2)
        let refused = tmux.waitFor("the refusal on the status line") { Self.statusLine($0).contains(words.refused) }
        #expect(refused.contains("Typed while away"), "the pane closed or lost its text:\n\(refused)")
        #expect(tmux.display("#{pane_dead}") == "0" && !refused.contains("EXIT="))

        try server.start()
        let back = tmux.waitFor("the board to reconnect by itself and read everything again", within: 30) { screen in
            Self.statusLine(screen).contains(words.back) && screen.contains("Globex renamed quietly")
        }
        #expect(back.contains("Typed while away"), "the pane lost what was typed:\n\(back)")
        #expect(waitForKeys(in: trace, atLeast: 0) == typed + 2, "the board reconnected after a key, not by itself")
        // Nothing of the refused save was applied.
        #expect(!cli.objects(["opp", "list"]).contains { $0["title"] as? String == "Typed while away" })

        // The pane saves now, once.
        tmux.send("Enter")
        tmux.waitFor("the deal added") { Self.statusLine($0).contains(words.added) }
        #expect(cli.objects(["opp", "list"]).filter { $0["title"] as? String == "Typed while away" }.count == 1)
        tmux.send("q")
        #expect(tmux.waitFor("EXIT=").contains("EXIT=0"))
        #expect(cli.checksSound())
    }

    /// The last row of a captured screen.
    static func statusLine(_ screen: String) -> String {
        screen.split(separator: "\n", omittingEmptySubsequences: false).last { !$0.isEmpty }.map(String.init) ?? ""
    }

    // MARK: - Not getting in

    struct Refusal {
        let name: String
        let location: String
        let environment: [String: String]
        let status: Int32
        let english: String
        let vietnamese: String
        let secret: String
    }

    /// Every way of not getting in, through the real binary: one sentence on standard error
    /// in the user's language, nothing on standard output, exit 74 (77 when the server
    /// refused the login or the privilege), never a trap, never the password — for a one-shot
    /// command, a JSON listing and the board alike.
    @Test func everyWayOfNotGettingInIsOneSentenceWithItsStatusAndNoPassword() throws {
        let server = try ServerDatabase()
        let port = server.port, password = try Self.serverPassword()
        let cli = try CLI(engine: .sqlite)
        let setUp = try CLI(engine: .postgresql)
        setUp.ok(["opp", "add", "Acme"])
        let foreign = try ServerDatabase()
        try foreign.connect().executeScript("CREATE TABLE invoices (id bigint)")
        let reader = "pipeline_reader_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
        let readerSecret = "R3ader-s3cret-\(UUID().uuidString.prefix(8))"
        let administrator = try ServerDatabase.superuser()
        try administrator.executeScript("CREATE ROLE \(reader) LOGIN PASSWORD '\(readerSecret)'")
        defer { _ = try? administrator.executeScript("DROP OWNED BY \(reader) CASCADE; DROP ROLE IF EXISTS \(reader)") }
        let setUpName = try #require(setUp.server?.name)
        try setUp.server?.connect().executeScript("""
            INSERT INTO app_user (login, role, created_at) VALUES ('\(reader)', 'admin', 0);
            GRANT CONNECT ON DATABASE \(setUpName) TO \(reader); GRANT USAGE ON SCHEMA public TO \(reader);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(reader)
            """)
        _ = server

        let refusals = [
            Refusal(name: "wrong password", location: "postgresql://postgres:Wr0ng-s3cret-1@127.0.0.1:\(port)/postgres", environment: [:],
                    status: 77, english: "PostgreSQL refused the login of postgres", vietnamese: "PostgreSQL từ chối đăng nhập của postgres",
                    secret: "Wr0ng-s3cret-1"),
            Refusal(name: "wrong PGPASSWORD", location: "host=127.0.0.1 port=\(port) user=postgres dbname=postgres",
                    environment: ["PGPASSWORD": "Wr0ng-s3cret-2"], status: 77, english: "PostgreSQL refused the login of postgres",
                    vietnamese: "PostgreSQL từ chối đăng nhập của postgres", secret: "Wr0ng-s3cret-2"),
            Refusal(name: "unknown host", location: "postgresql://lan:S3cret-host@no-such-host.invalid/sales", environment: [:], status: 74,
                    english: "cannot connect to PostgreSQL: the host no-such-host.invalid is unknown",
                    vietnamese: "không kết nối được tới PostgreSQL: không tìm thấy máy chủ no-such-host.invalid", secret: "S3cret-host"),
            Refusal(name: "refused connection", location: "postgresql://lan:S3cret-port@127.0.0.1:1/sales", environment: [:], status: 74,
                    english: "cannot reach the PostgreSQL server at 127.0.0.1:1", vietnamese: "không kết nối được tới máy chủ PostgreSQL tại 127.0.0.1:1",
                    secret: "S3cret-port"),
            Refusal(name: "missing database", location: "postgresql://postgres:\(password)@127.0.0.1:\(port)/no_such_db", environment: [:],
                    status: 74, english: "there is no PostgreSQL database no_such_db on 127.0.0.1:\(port)",
                    vietnamese: "không có cơ sở dữ liệu PostgreSQL no_such_db trên 127.0.0.1:\(port)", secret: password),
            Refusal(name: "another program's database", location: "postgresql://postgres:\(password)@127.0.0.1:\(port)/\(foreign.name)",
                    environment: [:], status: 74, english: "is a PostgreSQL database of another program",
                    vietnamese: "là cơ sở dữ liệu PostgreSQL của chương trình khác", secret: password),
        ]
        for refusal in refusals {
            for (language, sentence, prefix) in [("en", refusal.english, "error: "), ("vi", refusal.vietnamese, "lỗi: ")] {
                for command in [["team", "list"], ["opp", "add", "Refused"], ["opp", "list", "--json"], ["settings", "list", "--json"],
                                ["forecast", "--json"], ["export", "--format", "json"]] {
                    let result = cli.run(command + ["--lang", language, "--db", refusal.location], database: false,
                                         environment: refusal.environment)
                    let what = "\(refusal.name), \(language), pipeline \(command.joined(separator: " ")): \(result.stderr)"
                    #expect(result.status == refusal.status, "\(what) exited \(result.status)")
                    #expect(result.stdout.isEmpty, "\(what) wrote \(result.stdout)")
                    #expect(result.stderr.hasPrefix(prefix) && result.stderr.contains(sentence), "\(what)")
                    #expect(result.stderr.split(separator: "\n").count == 1, "\(what)")
                    #expect(!result.stderr.contains(refusal.secret) && !result.stdout.contains(refusal.secret), "\(what): the password shows")
                }
            }
        }
        #expect(try foreign.connect().execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").first?.int(0) == 1,
                "another program's database was changed")

        // A login that may read but not write: the listing works, the write is a permission
        // refusal (77) in one sentence, and neither shows the password.
        let readOnly = "postgresql://\(reader):\(readerSecret)@127.0.0.1:\(port)/\(setUpName)"
        let read = cli.run(["opp", "list", "--json", "--db", readOnly], database: false)
        #expect(read.status == 0 && read.stdout.contains("\"Acme\""), "\(read.stderr)")
        let write = cli.run(["opp", "add", "Not allowed", "--db", readOnly], database: false)
        #expect(write.status == 77, "\(write.stderr)")
        #expect(write.stderr.hasPrefix("error: the PostgreSQL user \(reader) is not allowed to do this in \(setUpName)"), "\(write.stderr)")
        #expect(write.stderr.split(separator: "\n").count == 1)
        for output in [read.stdout, read.stderr, write.stdout, write.stderr] { #expect(!output.contains(readerSecret)) }
        #expect(setUp.objects(["opp", "list"]).map { $0["title"] as? String } == ["Acme"])

        // The board: one sentence before any screen is drawn, the same statuses.
        guard tmuxAvailable else { Issue.record("tmux is missing: the board's half was not run (make deps installs it)"); return }
        // The board of a login that may only read: each refused write says so on the status
        // line, and the board goes on (the trial's board froze after the first refusal,
        // every later action failing as "current transaction is aborted").
        do {
            let tmux = Tmux(columns: 200, rows: 30, command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) \(CLI.binary) "
                            + "--db \(shellQuoted(readOnly)); echo EXIT=$?; sleep 60")
            tmux.waitFor("Acme")
            for key in ["H", "w", "H"] {
                tmux.send(key)
                let refused = tmux.waitFor("the refusal of \(key)") { Self.statusLine($0).contains("is not allowed to do this") }
                #expect(!refused.contains("aborted") && !refused.contains(readerSecret), "\(key):\n\(refused)")
                tmux.send("j")
                tmux.waitFor("the status line cleared after \(key)") { !Self.statusLine($0).contains("is not allowed") }
            }
            tmux.send("q")
            #expect(tmux.waitFor("EXIT=").contains("EXIT=0"))
        }
        #expect(setUp.objects(["opp", "list"]).map { $0["stage"] as? String } == ["New"])
        for refusal in refusals where ["wrong password", "refused connection"].contains(refusal.name) {
            let tmux = Tmux(command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) \(CLI.binary) --db \(shellQuoted(refusal.location)); "
                            + "echo EXIT=$?; sleep 60")
            let screen = tmux.waitFor("EXIT=")
            #expect(screen.contains("EXIT=\(refusal.status)") && screen.contains("error: " + refusal.english), "\(refusal.name):\n\(screen)")
            #expect(!screen.contains(refusal.secret), "\(refusal.name): the password shows:\n\(screen)")
            #expect(tmux.display("#{alternate_on}") == "0")
        }
    }

    /// A store reached with a password in `--db`: nothing the binary prints or records says
    /// it — not the messages that name the store, `settings list`, any `--json` listing, the
    /// exports, the board's screen or its trace.
    @Test func thePasswordInTheLocationIsNeverShown() throws {
        let cli = try CLI(engine: .postgresql)
        let server = try #require(cli.server)
        let password = try Self.serverPassword()
        let location = "postgresql://postgres:\(password)@127.0.0.1:\(server.port)/\(server.name)"
        let shown = "postgresql://postgres@127.0.0.1:\(server.port)/\(server.name)"
        var outputs: [(String, String)] = []
        func run(_ arguments: [String], _ status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) {
            let result = cli.run(arguments + ["--db", location], database: false)
            #expect(result.status == status, "pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
            outputs.append((arguments.joined(separator: " "), result.stdout + result.stderr))
        }
        run(["settings", "set", "leads", "on"])
        run(["opp", "add", "Acme renewal", "--revenue", "1,000"])
        run(["lead", "add", "Acme website", "--email", "ana@acme.com"])
        run(["opp", "move", "Acme renewal", "--to", "Proposition"])
        run(["opp", "add", "Globex expansion", "--revenue", "2,000"])
        for listing in [["settings", "list"], ["settings", "list", "--json"], ["team", "list", "--json"], ["stage", "list", "--json"],
                        ["opp", "list", "--json"], ["opp", "show", "Acme renewal", "--json"], ["lead", "list", "--json"],
                        ["forecast", "--json"], ["export"], ["export", "--format", "json"], ["settings", "get", "team"]] {
            run(listing)
        }
        run(["opp", "show", "999"], 65)
        let backup = cli.folder.appendingPathComponent("backup.json").path
        run(["export", "--format", "json", "--out", backup])
        run(["import", backup], 65)  // a backup goes into a fresh database only
        // Messages that name the store name it without the password.
        let copy = cli.folder.appendingPathComponent("copy.sqlite").path
        let copied = cli.run(["db", "copy", "--from", location, "--to", copy], database: false)
        #expect(copied.status == 0 && copied.stdout.contains(shown), "\(copied.stdout)\(copied.stderr)")
        let onto = cli.run(["db", "copy", "--from", copy, "--to", location], database: false)
        #expect(onto.status == 65 && onto.stderr.contains(shown), "\(onto.stderr)")
        outputs += [("db copy", copied.stdout + copied.stderr), ("db copy onto", onto.stdout + onto.stderr)]
        if let file = try? String(contentsOfFile: backup, encoding: .utf8) { outputs.append(("the backup file", file)) }
        for (what, output) in outputs {
            #expect(!output.contains(password), "\(what) shows the password:\n\(output)")
        }

        guard tmuxAvailable else { Issue.record("tmux is missing: the board's half was not run (make deps installs it)"); return }
        let trace = cli.folder.appendingPathComponent("board.trace").path
        let tmux = Tmux(command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) PIPELINE_TRACE=\(trace) \(CLI.binary) --db \(shellQuoted(location)); "
                        + "echo EXIT=$?; sleep 60")
        tmux.waitFor("Globex expansion")
        tmux.send("S-Left")  // focus starts on New's card
        tmux.waitFor("Moved 'Globex expansion'")
        tmux.send("S")  // the settings pane
        let settings = tmux.waitFor("the settings pane") { $0.contains("leads") || $0.contains("Leads") }
        tmux.send("Escape", "q")
        let end = tmux.waitFor("EXIT=")
        #expect(end.contains("EXIT=0"))
        for screen in [settings, end] { #expect(!screen.contains(password), "the board shows the password:\n\(screen)") }
        let traced = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        #expect(traced.contains("key "), "the board wrote no trace")
        #expect(!traced.contains(password), "the trace holds the password")
    }

    /// The password of `postgres` over TCP on the test server.
    static func serverPassword() throws -> String {
        guard let password = ProcessInfo.processInfo.environment["PIPELINE_TEST_PG_PASSWORD"], !password.isEmpty else {
            throw CLIServerUnavailable(description: "PIPELINE_TEST_PG_PASSWORD is not set: run these tests through `make test` or `make pg-shell`")
        }
        return password
    }
}

/// How many keys the board has handled so far, from its `PIPELINE_TRACE` (a `key …` line is
/// written once a key's frame is flushed), once it has handled at least `count` — polled,
/// never a fixed sleep, for 10 s at most.
@discardableResult
func waitForKeys(in trace: String, atLeast count: Int, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    let deadline = Date().addingTimeInterval(10)
    var handled = 0
    while Date() < deadline {
        let text = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        handled = text.split(separator: "\n").filter { $0.hasPrefix("key ") }.count
        if handled >= count { return handled }
        usleep(20_000)
    }
    Issue.record(Comment(rawValue: "timed out waiting for \(count) keys in \(trace); \(handled) were handled"), sourceLocation: sourceLocation)
    return handled
}
