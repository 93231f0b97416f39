import Foundation
import PostgresClient

/// The throwaway server `make test` starts (Scripts/test-postgres.sh), as its environment
/// describes it. A test that needs it and cannot have it fails with the reason: these tests
/// never skip.
enum TestServer {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static let environment = ProcessInfo.processInfo.environment

    /// Why there is no server, when there is none.
    static var unavailableReason: String? {
        if let error = environment["PIPELINE_TEST_PG_ERROR"] {
            return "the PostgreSQL test server could not be started: \(error)"
        }
        if environment["PIPELINE_TEST_PG"] == nil {
            return "PIPELINE_TEST_PG is not set: run the PostgreSQL tests through `make test`, "
                + "or in the shell `make pg-shell` opens (it starts a throwaway server)"
        }
        return nil
    }

    private static func value(_ name: String) throws -> String {
        if let reason = unavailableReason { throw Unavailable(description: reason) }
        guard let value = environment[name], !value.isEmpty else {
            throw Unavailable(description: "\(name) is not set: run the tests through `make test` or `make pg-shell`")
        }
        return value
    }

    /// The superuser `postgres` over the unix socket (trust).
    static func superuserConnectionString(database: String = "postgres") throws -> String {
        "host=\(try socketFolder) port=\(try port) user=postgres dbname=\(database)"
    }

    static var socketFolder: String { get throws { try value("PIPELINE_TEST_PG_SOCKET_DIR") } }
    static var port: String { get throws { try value("PIPELINE_TEST_PG_PORT") } }
    /// The password of `postgres` over TCP on 127.0.0.1 (scram-sha-256).
    static var password: String { get throws { try value("PIPELINE_TEST_PG_PASSWORD") } }

    static func superuser(database: String = "postgres") throws -> PostgresConnection {
        try PostgresConnection(superuserConnectionString(database: database))
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Unavailable(description: "cannot open a socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw Unavailable(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs the control script (`new`, `stop`, `start`, `conninfo` a private server).
    @discardableResult
    static func control(_ arguments: String...) throws -> String {
        let script = try value("PIPELINE_TEST_PG_CONTROL")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
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
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let problem = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "test-postgres.sh \(arguments.joined(separator: " ")) failed: \(problem)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A database of its own for one test, created by the superuser, dropped when `body` ends
/// (closing every session still in it).
func withTestDatabase<Result>(owner: String = "postgres", _ body: (TestDatabase) throws -> Result) throws -> Result {
    let database = try TestDatabase.create(owner: owner)
    defer { database.drop() }
    return try body(database)
}

struct TestDatabase {
    let name: String
    let owner: String

    static func create(owner: String) throws -> TestDatabase {
        let database = TestDatabase(
            name: "pipeline_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16),
            owner: owner)
        try TestServer.superuser().executeScript("CREATE DATABASE \(database.name) OWNER \"\(owner)\"")
        return database
    }

    func drop() {
        _ = try? TestServer.superuser().executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Over the unix socket, as `user` (trust needs no password there).
    func connectionString(user: String? = nil) throws -> String {
        "host=\(try TestServer.socketFolder) port=\(try TestServer.port) user=\(user ?? owner) dbname=\(name)"
    }

    func connect(user: String? = nil) throws -> PostgresConnection {
        try PostgresConnection(connectionString(user: user))
    }
}

/// A server of its own that the test may stop and start (a copy of the template cluster),
/// stopped when `body` ends; the script removes it with everything else at the end of the run.
func withPrivateServer<Result>(_ body: (PrivateServer) throws -> Result) throws -> Result {
    let server = try PrivateServer()
    defer { _ = try? TestServer.control("stop", server.name) }
    return try body(server)
}

struct PrivateServer {
    let name: String
    let connectionString: String

    fileprivate init() throws {
        name = "private-" + UUID().uuidString.lowercased().prefix(8)
        connectionString = try TestServer.control("new", name)
    }

    func stop() throws { try TestServer.control("stop", name) }
    func start() throws { try TestServer.control("start", name) }
}

/// A login role of its own (no superuser), dropped when `body` ends.
func withTestRole<Result>(_ attributes: String = "LOGIN", _ body: (String) throws -> Result) throws -> Result {
    let name = "pipeline_role_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    try TestServer.superuser().executeScript("CREATE ROLE \(name) \(attributes)")
    defer { _ = try? TestServer.superuser().executeScript("DROP ROLE IF EXISTS \(name)") }
    return try body(name)
}
