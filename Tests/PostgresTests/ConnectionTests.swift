import Foundation
import PostgresClient
import Testing

/// Connecting the ways psql users do, and every way of failing to: one kind each, the right
/// category, and never the password in what is shown.
@Suite("PostgreSQL connections")
struct ConnectionTests {
    @Test func connectsWithAKeyValueString() throws {
        let connection = try PostgresConnection(TestServer.superuserConnectionString())
        #expect(try connection.execute("SELECT 1 + 1").first?.int(0) == 2)
        #expect(connection.target.database == "postgres")
        #expect(connection.target.user == "postgres")
        #expect(connection.serverVersion >= 150000)
        #expect(connection.isOpen)
    }

    @Test func connectsWithPostgresqlAndPostgresURIs() throws {
        let password = try TestServer.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let overTCP = try PostgresConnection("postgresql://postgres:\(password)@127.0.0.1:\(TestServer.port)/postgres")
        #expect(try overTCP.execute("SELECT current_user").first?.string(0) == "postgres")
        #expect(overTCP.target.host == "127.0.0.1")
        let socket = try TestServer.socketFolder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let overSocket = try PostgresConnection("postgres://postgres@\(socket):\(TestServer.port)/postgres?application_name=uri-test")
        #expect(try overSocket.execute("SELECT current_setting('application_name')").first?.string(0) == "uri-test")
    }

    @Test func connectsThroughAServiceFile() throws {
        // PGSERVICEFILE names the file the test script wrote; its services hold no password.
        let socket = try PostgresConnection("service=pipeline_test")
        #expect(try socket.execute("SELECT current_database()").first?.string(0) == "postgres")
        let tcp = try PostgresConnection("service=pipeline_test_tcp password=\(TestServer.password)")
        #expect(tcp.target.host == "127.0.0.1")
    }

    @Test func sessionsSpeakUTF8AndNameThemselves() throws {
        let connection = try TestServer.superuser()
        #expect(try connection.execute("SHOW client_encoding").first?.string(0) == "UTF8")
        #expect(try connection.execute("SELECT current_setting('application_name')").first?.string(0) == "pipeline")
        #expect(try connection.execute("SELECT $1::text", ["Chất lượng 🚀"]).first?.string(0) == "Chất lượng 🚀")
    }

    @Test func aPortNothingListensOnIsUnreachable() throws {
        let port = try TestServer.unusedPort()
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection("host=127.0.0.1 port=\(port) user=postgres password=s3cret-refused dbname=postgres")
        }
        #expect(error.kind == .unreachable)
        #expect(error.category == .unavailable && error.category.exitStatus == 74)
        #expect(error.target?.port == "\(port)")
        #expect(!error.description.contains("s3cret-refused"))
    }

    @Test func anUnknownHostIsNamedAsSuch() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection("postgresql://lan:s3cret-host@no-such-host.invalid/sales")
        }
        #expect(error.kind == .unknownHost)
        #expect(error.category == .unavailable)
        #expect(error.target?.host == "no-such-host.invalid")
        #expect(!error.description.contains("s3cret-host"))
    }

    @Test func aMissingDatabaseIsNamedAsSuch() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(TestServer.superuserConnectionString(database: "no_such_database"))
        }
        #expect(error.kind == .databaseMissing)
        #expect(error.sqlState == "3D000")
        #expect(error.category.exitStatus == 74)
        #expect(error.target?.database == "no_such_database")
    }

    @Test func aStringLibpqCannotReadIsRefusedWithoutBeingEchoed() throws {
        for text in ["postgresql://lan:s3cret-bad@[::1/sales", "host=db password=s3cret-bad sslmode", "sales s3cret-bad"] {
            let error = try #require(throws: PostgresError.self) { try PostgresConnection(text) }
            #expect(error.kind == .invalidConnectionString)
            #expect(!error.description.contains("s3cret-bad"))
            #expect(error.serverMessage == nil)
        }
    }

    @Test func aConnectionThatHangsIsGivenUpAfterItsTimeout() throws {
        // A listening socket that never answers the start-up packet.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, generic, &length) == 0
            }
        }
        try #require(listening)
        let port = UInt16(bigEndian: address.sin_port)
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection("host=127.0.0.1 port=\(port) user=postgres dbname=postgres connect_timeout=2 sslmode=disable")
        }
        #expect(error.kind == .timedOut)
        #expect(error.category == .unavailable)
    }
}

/// Tests that read or change libpq's environment (PGPASSWORD, PGPASSFILE): one at a time.
/// The script exports PGPASSWORD empty before the tests start, so setting it replaces a value
/// in place instead of growing the process environment under other threads' feet.
@Suite("PostgreSQL passwords", .serialized)
struct PasswordTests {
    /// Wrong passwords given three ways: one kind, permission (77), never the password.
    @Test func aWrongPasswordIsAPermissionRefusalThatNeverShowsThePassword() throws {
        let port = try TestServer.port
        let secret = "Wr0ng-s3cret-%41"
        let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let attempts: [(String, String?)] = [
            ("postgresql://postgres:\(encoded)@127.0.0.1:\(port)/postgres", nil),
            ("host=127.0.0.1 port=\(port) user=postgres password='\(secret)' dbname=postgres", nil),
            ("host=127.0.0.1 port=\(port) user=postgres dbname=postgres", secret),
        ]
        for (connectionString, environmentPassword) in attempts {
            setenv("PGPASSWORD", environmentPassword ?? "", 1)
            defer { setenv("PGPASSWORD", "", 1) }
            let error = try #require(throws: PostgresError.self) { try PostgresConnection(connectionString) }
            #expect(error.kind == .authenticationFailed, "\(connectionString)")
            #expect(error.sqlState == "28P01")
            #expect(error.category == .permission && error.category.exitStatus == 77)
            #expect(!error.description.contains(secret) && !error.description.contains(encoded))
            #expect(error.target?.user == "postgres")
        }
    }

    @Test func aMissingPasswordIsAPermissionRefusal() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection("host=127.0.0.1 port=\(TestServer.port) user=postgres dbname=postgres")
        }
        #expect(error.kind == .authenticationFailed)
        #expect(error.category == .permission)
    }

    @Test func thePasswordComesFromPGPASSWORD() throws {
        setenv("PGPASSWORD", try TestServer.password, 1)
        defer { setenv("PGPASSWORD", "", 1) }
        let connection = try PostgresConnection("host=127.0.0.1 port=\(TestServer.port) user=postgres dbname=postgres")
        #expect(connection.isOpen)
    }

    @Test func thePasswordComesFromThePasswordFile() throws {
        // PGPASSFILE (written by the script, mode 0600) holds pipeline_pgpass's password.
        let superuser = try TestServer.superuser()
        try superuser.executeScript("""
            DO $$ BEGIN
                CREATE ROLE pipeline_pgpass LOGIN PASSWORD 'pgpass-secret';
            EXCEPTION WHEN duplicate_object THEN NULL;
            END $$
            """)
        let connection = try PostgresConnection("host=127.0.0.1 port=\(TestServer.port) user=pipeline_pgpass dbname=postgres")
        #expect(try connection.execute("SELECT current_user").first?.string(0) == "pipeline_pgpass")
    }

    @Test func aServerMessageHoldingThePasswordIsDropped() throws {
        let password = try TestServer.password
        let connection = try PostgresConnection("host=127.0.0.1 port=\(TestServer.port) user=postgres password=\(password) dbname=postgres")
        // A value the server cannot read is quoted in its message: here, the password.
        let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT '\(password)'::integer") }
        #expect(error.sqlState == "22P02")
        #expect(!error.description.contains(password))
        #expect(error.serverMessage == nil)
    }
}
