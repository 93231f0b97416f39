import Foundation
import Testing

/// Odd environments: bad variables, a database that is a FIFO, a file once read-only, a
/// folder that cannot be written, a trace file left on.
/// On SQLite only but for the one-shot commands beside two writers: the others are about the
/// environment read before any store opens, and the database file's own permissions and kind.
@Suite("CLI: the environment")
struct CLIEnvironmentTests {
    @Test(arguments: ["1e9", "NaN", "inf", "-1", "abc", "", "5 s", "86401"])
    func aBusyTimeoutThatIsNotSecondsInRangeIsAConfigurationError(_ value: String) {
        let cli = CLI()
        let result = cli.run(["team", "list"], environment: ["PIPELINE_BUSY_TIMEOUT": value])
        #expect(result.status == 78, "'\(value)': \(result.stderr)")
        #expect(result.stderr == "error: PIPELINE_BUSY_TIMEOUT: '\(value)' is not a number of seconds from 0 to 86400\n")
        #expect(cli.run(["team", "list"], environment: ["PIPELINE_BUSY_TIMEOUT": "0.5"]).status == 0)
    }

    /// libpq is loaded when a connection string is first used (CLibpqLoader), so a run on a
    /// file does not map it and its TLS and Kerberos libraries: the binary does not link it.
    @Test func theBinaryDoesNotLinkLibpq() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [CLI.binary]
        let output = Pipe()
        ldd.standardOutput = output
        try ldd.run()
        let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(ldd.terminationStatus == 0 && listing.contains("libsqlite3"), "\(listing)")
        #expect(!listing.contains("libpq"), "\(listing)")
    }

    /// A PostgreSQL client library that cannot be loaded is one sentence naming the package,
    /// exit 74, and the connection string (its password) is not echoed.
    @Test func aMissingPostgreSQLClientLibraryIsOneSentence() {
        let cli = CLI()
        let result = cli.run(["team", "list", "--db", "postgresql://sales:secret-word@localhost/crm"], database: false,
                             environment: ["PIPELINE_LIBPQ": "/nonexistent/libpq.so.5"])
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("PostgreSQL's client library could not be loaded"), "\(result.stderr)")
        #expect(result.stderr.contains("libpq5"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret-word"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        // A file needs no libpq at all.
        #expect(cli.run(["team", "list"], environment: ["PIPELINE_LIBPQ": "/nonexistent/libpq.so.5"]).status == 0)
    }

    /// A blank path ("   ") is refused as the empty one: it would make a file named by spaces.
    @Test func aBlankDatabasePathIsAUsageError() {
        let cli = CLI()
        for blank in ["   ", "\t "] {
            let flag = cli.run(["team", "list", "--db", blank], database: false)
            #expect(flag.status == 64 && flag.stderr.contains("--db: the path is empty or blank"), "\(flag.stderr)")
            let variable = cli.run(["team", "list"], database: false, environment: ["PIPELINE_DB": blank])
            #expect(variable.status == 64 && variable.stderr.contains("PIPELINE_DB is set but empty or blank"), "\(variable.stderr)")
        }
    }

    /// The trace appends lines: into the database, or a file SQLite keeps beside it, they
    /// would damage it. Refused as an export onto the database is (65), through a link too;
    /// a trace elsewhere still works.
    @Test(arguments: ["", "-wal", "-shm", "-journal"])
    func aTraceThatIsTheDatabaseIsRefused(_ suffix: String) throws {
        let cli = try CLI(engine: .sqlite)
        cli.ok(["opp", "add", "Deal"])
        let link = cli.path("trace-link")
        #expect(symlink(cli.database + suffix, link) == 0)
        for trace in [cli.database + suffix, link] {
            let result = cli.run(["opp", "list"], environment: ["PIPELINE_TRACE": trace])
            #expect(result.status == 65, "\(trace): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("database"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(cli.run(["check"]).status == 0)
        let trace = cli.path("trace.txt")
        #expect(cli.run(["opp", "list"], environment: ["PIPELINE_TRACE": trace]).status == 0)
        #expect((try String(contentsOfFile: trace, encoding: .utf8)).contains("peak-rss-kb"))
    }

    /// An unset variable in a script must not send its writes to the user's real pipeline.
    @Test func anEmptyDatabasePathIsAUsageError() {
        let cli = CLI()
        let flag = cli.run(["opp", "add", "Deal", "--db", ""], database: false)
        #expect(flag.status == 64 && flag.stderr.contains("--db: the path is empty"), "\(flag.stderr)")
        let variable = cli.run(["opp", "add", "Deal"], database: false, environment: ["PIPELINE_DB": ""])
        #expect(variable.status == 64 && variable.stderr.contains("PIPELINE_DB is set but empty"), "\(variable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.folder.path + "/.local/share/pipeline/pipeline.sqlite"))
        // --db wins over an empty variable.
        #expect(cli.run(["team", "list"], environment: ["PIPELINE_DB": ""]).status == 0)
    }

    /// SQLite would wait for ever for a FIFO's writer; a device is no database either.
    @Test func aDatabaseThatIsAFIFOOrADeviceIsRefusedAtOnce() throws {
        let cli = CLI()
        let fifo = cli.path("fifo.sqlite"), device = cli.path("null.sqlite")
        #expect(mkfifo(fifo, 0o600) == 0)
        try #require(shell(["mknod", "-m", "666", device, "c", "1", "3"]) == 0, "cannot make a device node: this test needs root, as CI runs it")
        for (path, kind) in [(fifo, "a FIFO (a named pipe)"), (device, "a device")] {
            for command in [["opp", "list"], ["opp", "add", "Deal"]] {
                let result = cli.run(command + ["--db", path], database: false, timeout: 30)
                #expect(result.status == 74, "\(path): \(result.stderr)")
                #expect(result.stderr == "error: \(path) is \(kind), not a database file\n")
            }
        }
        #expect(fileType(device) == .typeCharacterSpecial)
    }

    /// A database made read-only, then writable again: SQLite left its -wal and -shm
    /// read-only, and every later write failed until someone removed them by hand.
    @Test func aDatabaseReadOnlyThenWritableAgainWorksAgain() throws {
        let cli = CLI()
        let folder = try AnotherUser.folder(in: cli)
        let database = folder + "/pipeline.sqlite"
        #expect(AnotherUser.run(cli, ["opp", "add", "First", "--db", database]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: database)
        let refused = AnotherUser.run(cli, ["opp", "add", "Refused", "--db", database])
        #expect(refused.status == 74, "\(refused.stderr)")
        #expect(refused.stderr == "error: cannot save to \(database): the database is read-only\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: database)
        let again = AnotherUser.run(cli, ["opp", "add", "Second", "--db", database])
        #expect(again.status == 0, "\(again.stderr)")
        let titles = AnotherUser.run(cli, ["opp", "list", "--json", "--db", database]).stdout
        #expect(titles.contains("\"First\"") && titles.contains("\"Second\"") && !titles.contains("Refused"))
    }

    /// When the read-only -shm belongs to someone else, the message names it and the fix.
    @Test func aSharedMemoryFileThatCannotBeMadeWritableIsNamed() throws {
        let cli = CLI()
        let folder = try AnotherUser.folder(in: cli)
        let database = folder + "/pipeline.sqlite"
        #expect(AnotherUser.run(cli, ["opp", "add", "First", "--db", database]).status == 0)
        let shm = database + "-shm"
        FileManager.default.createFile(atPath: shm, contents: Data(count: 32_768), attributes: [.posixPermissions: 0o444])
        let result = AnotherUser.run(cli, ["opp", "add", "Second", "--db", database])
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr == "error: cannot save to \(database): \(shm) is read-only (left so while the database was) and you cannot make it writable; make it writable (chmod u+w \(shm)) or remove it while no program has the database open\n")
    }

    /// Reading a database in a folder one cannot write: SQLite cannot make its
    /// shared-memory file. The sentence says so; it is not a failure to save.
    @Test func readingInAReadOnlyFolderSaysWhatIsWrong() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Deal"])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cli.database)
        let result = AnotherUser.run(cli, ["opp", "list", "--db", cli.database])
        #expect(result.status == 74)
        #expect(result.stderr == "error: cannot read \(cli.database): SQLite needs to create its shared-memory file (\(cli.database)-shm) beside it, and that folder cannot be written; copy the database to a folder you can write to\n")
    }

    /// A trace left on is no keylogger: private, and only the kind of each key.
    @Test(.enabled(if: tmuxAvailable)) func aTraceFileIsPrivateAndHoldsNoTypedCharacter() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Acme renewal"])
        let trace = cli.path("keys.trace")
        let tmux = Tmux(command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester PIPELINE_TRACE=\(trace) \(CLI.binary) --db \(cli.database); echo EXIT=$?; sleep 60")
        tmux.waitFor("Acme renewal")
        tmux.send("/")
        for letter in "secretXQ" { tmux.send(String(letter)) }
        tmux.waitFor("secretXQ")
        tmux.send("Escape")
        tmux.send("q")
        tmux.waitFor("EXIT=0")
        #expect(try FileManager.default.attributesOfItem(atPath: trace)[.posixPermissions] as? Int == 0o600)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let keys = lines.filter { $0.hasPrefix("key ") }.map { $0.split(separator: " ") }
        #expect(keys.count >= 10)
        #expect(keys.allSatisfy { $0.count == 3 }, "\(keys)")
        #expect(keys.filter { $0[2] == "character" }.count >= 9)
        #expect(keys.allSatisfy { ["character", "escape", "enter", "up", "down", "left", "right", "mouse", "resize", "control"].contains(String($0[2])) }, "\(keys)")
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("X") && !text.contains("Q") && !text.contains("secret"))
        #expect(lines.contains { $0.hasPrefix("peak-rss-kb ") })
    }

    /// A one-shot command given no version reads and writes in one transaction: two
    /// writers changing the same deals can make it wait, never fail it as "changed by
    /// someone else" (the board, which shows data and writes later, keeps that check).
    @Test(arguments: StoreEngine.allCases)
    func oneShotCommandsBesideTwoWritersNeverSeeAStaleVersion(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for index in 1...2 { cli.ok(["opp", "add", "Deal \(index)", "--revenue", "100"]) }
        let writers = try (1...2).map { seed in
            try Spawned(CLI.binary, ["dev", "churn", "--actions", "1000000", "--seed", String(seed), "--db", cli.database],
                        environment: cli.environment)
        }
        defer { writers.forEach { $0.kill() } }
        var statuses: [Int32: Int] = [:]
        let stages = ["New", "Qualified", "Proposition", "Negotiation"]
        for round in 0..<60 {
            let deal = String(1 + round % 2)
            let command = round % 3 == 0 ? ["opp", "edit", deal, "--revenue", String(round)]
                : ["opp", "move", deal, "--to", stages[round % stages.count]]
            let result = cli.run(command, environment: ["PIPELINE_BUSY_TIMEOUT": "10"])
            statuses[result.status, default: 0] += 1
            #expect(result.status == 0 || result.status == 75, "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("changed by someone else"), "\(command): \(result.stderr)")
        }
        #expect(statuses[0, default: 0] > 0, "\(statuses)")
        #expect(writers.allSatisfy { $0.process.isRunning }, "the writers ran the whole time")
    }
}

/// Runs the binary as another user (nobody), for what permissions do to a user: root, who
/// runs CI, is not bound by them.
enum AnotherUser {
    static let uid: UInt32 = 65_534

    /// A folder of the test's that nobody owns.
    static func folder(in cli: CLI) throws -> String {
        let folder = cli.path("nobody")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.ownerAccountID: uid, .groupOwnerAccountID: uid], ofItemAtPath: folder)
        return folder
    }

    static func run(_ cli: CLI, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv), getuid() == 0 else {
            Issue.record("running as another user needs root and setpriv (util-linux), as CI has", sourceLocation: sourceLocation)
            return CLI.Result(status: -1, stdout: "", stderr: "", signal: nil, stdoutBytes: [])
        }
        let outcome = ChildProcess(executable: setpriv, arguments: ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", CLI.binary] + arguments,
                                   environment: cli.environment).run(timeout: 60)
        return CLI.Result(status: outcome.status, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                          stderr: String(decoding: outcome.stderr, as: UTF8.self), signal: outcome.signal, stdoutBytes: outcome.stdout)
    }
}
