import Foundation
import PipelineCore
@testable import PostgresClient
import PostgresStore
import Testing

/// A statement the server itself stops: an administrator's `pg_cancel_backend`, a
/// `statement_timeout`, `pg_terminate_backend` (issue 15's edges). Each is said as what it
/// is; before, a cancelled statement (57014) read as "busy: another program is writing to it".
@Suite("PostgreSQL: statements the server ends")
struct ServerEndsTests {
    /// Runs `statement` on `connection` on its own thread, waits until the server shows it
    /// running (pg_stat_activity: active, this statement — a condition, not a time), then
    /// has a second session run `stop` on its backend; returns what the first one got.
    static func stopped(_ database: TestDatabase, statement: String, by stop: String) throws -> PostgresError? {
        let connectionString = try database.connectionString()
        let pid = Locked<Int?>(nil)
        let outcome = Locked<Result<Void, any Error>?>(nil)
        let connected = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Thread {
            let result = Result<Void, any Error> {
                let running = try PostgresConnection(connectionString)
                let own = try running.execute("SELECT pg_backend_pid()").first?.int(0)
                pid.update { $0 = own }
                connected.signal()
                _ = try running.execute(statement)
            }
            outcome.update { $0 = result }
            if pid.value == nil { connected.signal() }
            done.signal()
        }.start()
        connected.wait()
        let backend = try #require(pid.value, "\(String(describing: outcome.value))")
        let administrator = try database.connect()
        let deadline = Date().addingTimeInterval(60)
        var seen = false
        while !seen, Date() < deadline {
            seen = try administrator.execute("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query = $2",
                                             [backend, statement]).first != nil
            if !seen { usleep(10_000) }
        }
        #expect(seen, "the statement never showed as running")
        _ = try administrator.execute("SELECT \(stop)($1)", [backend])
        done.wait()
        guard case .failure(let error) = outcome.value else { return nil }
        return error as? PostgresError
    }

    @Test func aStatementAnAdministratorCancelsSaysSoNotBusy() throws {
        try withTestDatabase { database in
            let error = try #require(try Self.stopped(database, statement: "SELECT pg_sleep(60)", by: "pg_cancel_backend"))
            #expect(error.sqlState == "57014")
            #expect(error.kind == .statementCancelled)
            #expect(error.category != .busy && !error.isTemporary && error.category.exitStatus == 74)
            let server = try #require(error.target?.address)
            #expect(error.message == "the PostgreSQL server at \(server) cancelled the statement (canceling statement due to user request): "
                    + "an administrator stopped it, or it ran past the server's time limit; nothing was changed", "\(error)")
            #expect(error.message(in: .vietnamese).hasPrefix("máy chủ PostgreSQL tại \(server) đã hủy câu lệnh ("))
            MessageTests.expectOneSentence(error, without: [], "\(error)")
        }
    }

    @Test func aStatementPastTheServersTimeLimitSaysSo() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("SET statement_timeout = '50ms'")
            let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT pg_sleep(60)") }
            #expect(error.kind == .statementCancelled && error.sqlState == "57014")
            #expect(error.message.contains("cancelled the statement (canceling statement due to statement timeout)"), "\(error.message)")
            // A lock not granted in time stays "busy": another session is in the way.
            #expect(PostgresError(.lockTimeout, sqlState: "55P03").category == .busy)
        }
    }

    /// `pg_terminate_backend` during a statement: the session is gone, said as a lost
    /// connection. libpq hands the server's FATAL (57P01) over as text only when the socket
    /// closes with it (no SQLSTATE to go by, and the text is in the server's language), so the
    /// administrator's sentence is for when the code does come (`theServersReasonsHaveTheirSentences`).
    @Test func aSessionAnAdministratorEndsIsALostConnection() throws {
        try withTestDatabase { database in
            let error = try #require(try Self.stopped(database, statement: "SELECT pg_sleep(60)", by: "pg_terminate_backend"))
            #expect(error.kind == .connectionLost && error.isConnectionLost && error.category.exitStatus == 74, "\(error)")
            let server = try #require(error.target?.address)
            #expect(error.message == "the connection to the PostgreSQL server at \(server) was lost; try again once it is back", "\(error)")
        }
    }

    /// 57P01, 57P02 and 57P03, from the codes the server sends (a crash of another backend or
    /// a server still starting cannot be caused on the shared test server).
    @Test func theServersReasonsHaveTheirSentences() {
        let target = PostgresTarget(host: "db.lan", port: "5432", database: "sales", user: "lan")
        let ended = PostgresError(PostgresError.kind(forSQLState: "57P01"), sqlState: "57P01", target: target)
        #expect(ended.kind == .connectionLost && ended.category.exitStatus == 74)
        #expect(ended.message == "the PostgreSQL server at db.lan:5432 ended this session (an administrator's command, or the server "
                + "shutting down); nothing unsaved was kept; try again once it is back")
        #expect(ended.message(in: .vietnamese).hasPrefix("máy chủ PostgreSQL tại db.lan:5432 đã kết thúc phiên làm việc này"))
        MessageTests.expectOneSentence(ended, without: [], "\(ended)")
        let crash = PostgresError(PostgresError.kind(forSQLState: "57P02"), sqlState: "57P02", target: target)
        #expect(crash.kind == .connectionLost)
        #expect(crash.message == "the PostgreSQL server at db.lan:5432 ended this session because another of its processes crashed, "
                + "and is recovering; nothing unsaved was kept; try again in a moment")
        let notNow = PostgresError(PostgresError.kind(forSQLState: "57P03"), sqlState: "57P03", target: target)
        #expect(notNow.kind == .serverNotReady && notNow.category.exitStatus == 74)
        #expect(notNow.message == "the PostgreSQL server at db.lan:5432 is starting or shutting down; try again in a moment")
        for error in [crash, notNow] { MessageTests.expectOneSentence(error, without: [], "\(error)") }
    }
}
