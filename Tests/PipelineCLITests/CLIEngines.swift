import Foundation
import PostgresClient
import Testing

/// The engines the CLI's end-to-end tests run on. A test about behaviour takes one as its
/// argument (`@Test(arguments: StoreEngine.allCases)`), as the contract suite does, so that
/// the real binary is proved to behave the same on each; a test about what only a file has
/// (its place, its permissions, WAL, a corrupt page) stays on SQLite and says why.
enum StoreEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }
}

extension CLI {
    /// A CLI on a new, empty store of `engine`: a file in a fresh folder, or a fresh database
    /// on the test server `make test` starts (dropped when the CLI goes). Without the server
    /// it throws the reason, so the test fails saying why; it never skips.
    convenience init(engine: StoreEngine, language: String? = nil) throws {
        self.init(language: language, server: engine == .postgresql ? try ServerDatabase() : nil)
    }

    /// A CLI on a fresh database of a server of the test's own (`PrivateServer`).
    convenience init(on server: PrivateServer, language: String? = nil) throws {
        self.init(language: language, server: try ServerDatabase(socketFolder: server.socketFolder, port: server.port))
    }

    var engine: StoreEngine { server == nil ? .sqlite : .postgresql }

    /// Another new, empty store of the same engine (for a copy, a restore, an import), gone
    /// with the value returned.
    func newStore(_ name: String) throws -> NewStore {
        if let server { return NewStore(server: try ServerDatabase(socketFolder: server.socketFolder, port: server.port)) }
        return NewStore(path: folder.appendingPathComponent(name + ".sqlite").path)
    }

    /// Whether `pipeline check` finds the store sound (this CLI's own, or the one at
    /// `location`): exit 0 (a problem is 65), one line saying so in the CLI's language,
    /// nothing on standard error.
    func checksSound(_ location: String? = nil) -> Bool {
        let result = location.map { run(["check", "--db", $0], database: false) } ?? run(["check"])
        return result.status == 0 && result.stdout.split(separator: "\n").count == 1 && result.stderr.isEmpty
    }

    /// `--db` and the database, quoted for a shell command line (tmux runs the board through
    /// one, and a server's `key=value` location holds spaces).
    var databaseOption: String { "--db " + shellQuoted(database) }
}

/// A new, empty store besides a CLI's own: a file path, or a server database dropped with it.
final class NewStore {
    let location: String
    private let server: ServerDatabase?

    init(path: String) {
        location = path
        server = nil
    }

    init(server: ServerDatabase) {
        location = server.location
        self.server = server
    }
}

/// `text` as one word for `sh`.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

struct CLIServerUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// A fresh database on a PostgreSQL server (the test server `make test` starts, unless a
/// private one is named), created empty — the first command migrates and seeds it as it
/// would a new file — and dropped when the value goes away. Without the server it throws
/// the reason; it never skips.
final class ServerDatabase {
    let name: String
    let socketFolder: String
    let port: String
    /// What `--db` says to reach it (the superuser over the socket).
    let location: String

    convenience init() throws {
        let environment = ProcessInfo.processInfo.environment
        if let error = environment["PIPELINE_TEST_PG_ERROR"] {
            throw CLIServerUnavailable(description: "the PostgreSQL test server could not be started: \(error)")
        }
        guard let socket = environment["PIPELINE_TEST_PG_SOCKET_DIR"], !socket.isEmpty,
              let port = environment["PIPELINE_TEST_PG_PORT"], !port.isEmpty else {
            throw CLIServerUnavailable(description: "PIPELINE_TEST_PG_SOCKET_DIR is not set: run these tests through `make test` or `make pg-shell`")
        }
        try self.init(socketFolder: socket, port: port)
    }

    init(socketFolder: String, port: String) throws {
        self.socketFolder = socketFolder
        self.port = port
        name = "pipeline_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        location = "host=\(socketFolder) port=\(port) user=postgres dbname=\(name)"
        try Self.superuser(socketFolder: socketFolder, port: port).executeScript("CREATE DATABASE \(name)")
    }

    deinit {
        _ = try? Self.superuser(socketFolder: socketFolder, port: port).executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The superuser on the server's `postgres` database.
    static func superuser(socketFolder: String, port: String) throws -> PostgresConnection {
        try PostgresConnection("host=\(socketFolder) port=\(port) user=postgres dbname=postgres", connectTimeout: 10)
    }

    /// The superuser of the shared test server.
    static func superuser() throws -> PostgresConnection {
        let environment = ProcessInfo.processInfo.environment
        return try superuser(socketFolder: environment["PIPELINE_TEST_PG_SOCKET_DIR"] ?? "", port: environment["PIPELINE_TEST_PG_PORT"] ?? "")
    }

    /// The superuser in this database (for what only another program would do to it).
    func connect() throws -> PostgresConnection {
        try PostgresConnection(location, connectTimeout: 10)
    }
}

/// A PostgreSQL server of the test's own, which it may stop and start while the others keep
/// the shared one (`Scripts/test-postgres.sh new|stop|start NAME`, a copy of the template
/// cluster on its own port); stopped when the value goes, removed with everything else at
/// the end of the run.
final class PrivateServer {
    let name: String
    let socketFolder: String
    let port: String

    init() throws {
        name = "cli-" + UUID().uuidString.lowercased().prefix(8)
        let conninfo = try Self.control("new", name)
        let settings = Dictionary(conninfo.split(separator: " ").compactMap { pair -> (String, String)? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }, uniquingKeysWith: { $1 })
        guard let host = settings["host"], let port = settings["port"] else {
            throw CLIServerUnavailable(description: "test-postgres.sh new printed no host and port: \(conninfo)")
        }
        socketFolder = host
        self.port = port
    }

    deinit { _ = try? Self.control("stop", name) }

    func stop() throws { try Self.control("stop", name) }
    func start() throws { try Self.control("start", name) }

    /// Runs the test server's control script (`$PIPELINE_TEST_PG_CONTROL`).
    @discardableResult
    static func control(_ arguments: String...) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let error = environment["PIPELINE_TEST_PG_ERROR"] {
            throw CLIServerUnavailable(description: "the PostgreSQL test server could not be started: \(error)")
        }
        guard let script = environment["PIPELINE_TEST_PG_CONTROL"], !script.isEmpty else {
            throw CLIServerUnavailable(description: "PIPELINE_TEST_PG_CONTROL is not set: run these tests through `make test` or `make pg-shell`")
        }
        // Files, not pipes: a server the script starts outlives it, and a pipe end it (or a
        // script run by a concurrent test) inherited would keep a reader waiting for ever.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-control-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputFile = folder.appendingPathComponent("out"), errorFile = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? output.close(); try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let problem = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw CLIServerUnavailable(description: "test-postgres.sh \(arguments.joined(separator: " ")) failed: \(problem)")
        }
        return ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
