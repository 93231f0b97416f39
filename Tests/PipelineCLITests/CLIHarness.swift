import Foundation
import Testing

/// Runs the real `pipeline` binary against a database in a fresh temporary folder, or, given
/// a `server` database, against that (`CLI(engine:)` in CLIEngines.swift makes either).
/// Immutable after `init`, so concurrent runs from several tasks are safe.
final class CLI: @unchecked Sendable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let folder: URL
    /// What `--db` says: the SQLite file in `folder`, or the server database's location.
    let database: String
    /// The database on the PostgreSQL test server, dropped when the CLI goes; `nil` for SQLite.
    let server: ServerDatabase?
    /// The environment every run gets: no locale (English), no COLUMNS (80-column tables), a
    /// fixed user, nothing else of ours.
    let environment: [String: String]

    /// The binary SwiftPM built next to the test bundle.
    static let binary: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("pipeline").path
    }()

    init(language: String? = nil, server: ServerDatabase? = nil) {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = server?.location ?? folder.appendingPathComponent("pipeline.sqlite").path
        self.server = server
        var environment = ProcessInfo.processInfo.environment
        for name in ["LANG", "LC_ALL", "LC_MESSAGES", "PIPELINE_DB", "XDG_DATA_HOME", "COLUMNS"] { environment[name] = nil }
        environment["USER"] = "tester"
        environment["HOME"] = folder.path
        if let language { environment["LANG"] = language }
        self.environment = environment
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Runs `pipeline ARGS --db <database>` (the database goes last unless `database: false`).
    @discardableResult
    func run(_ arguments: [String], database: Bool = true, environment extra: [String: String] = [:]) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + (database ? ["--db", self.database] : [])
        process.environment = environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Result(status: -1, stdout: "", stderr: "\(error)") }
        // Read both pipes before waiting, so a large output cannot fill a pipe and block.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a command that must succeed, recording its stderr when it does not.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        let result = run(arguments)
        #expect(result.status == 0, "pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs a `--json` command and parses its output.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Any? {
        let result = ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func objects(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        json(arguments, sourceLocation: sourceLocation) as? [[String: Any]] ?? []
    }

    func object(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        json(arguments, sourceLocation: sourceLocation) as? [String: Any] ?? [:]
    }

    /// What a user could see of the whole database, to prove a refused command changed nothing.
    func everything() -> String {
        [["team", "list"], ["stage", "list"], ["opp", "list", "--archived"], ["settings", "list"], ["forecast"]]
            .map { run($0 + ["--json"]).stdout }.joined(separator: "\n")
            + String(describing: opportunityIDs().map { run(["opp", "show", $0, "--json"]).stdout })
    }

    func opportunityIDs() -> [String] {
        objects(["opp", "list", "--archived"]).compactMap { ($0["id"] as? Int).map(String.init) }
    }
}
