import Foundation
import PipelineCore
import PostgresClient
import PostgresStore
import Testing

/// What a user reads when PostgreSQL cannot be used: one sentence, in their language, with
/// the exit status of its category, and never the password or the connection string.
@Suite("PostgreSQL messages")
struct MessageTests {
    /// The error of connecting with `connectionString`; `environmentPassword` is set in
    /// PGPASSWORD meanwhile, which only the serialized `PasswordTests` may do.
    static func failure(_ connectionString: String, environmentPassword: String? = nil) throws -> PostgresError {
        if let environmentPassword { setenv("PGPASSWORD", environmentPassword, 1) }
        defer { if environmentPassword != nil { setenv("PGPASSWORD", "", 1) } }
        return try #require(throws: PostgresError.self) { try PostgresConnection(connectionString) }
    }

    static func expectOneSentence(_ error: PostgresError, without secrets: [String], _ comment: Comment) {
        for language in [Language.english, .vietnamese] {
            let sentence = error.message(in: language)
            #expect(!sentence.isEmpty && !sentence.contains("\n"), comment)
            for secret in secrets { #expect(!sentence.contains(secret), comment) }
            #expect(!sentence.contains("{0}") && !sentence.contains("{1}"), comment)
        }
    }

    @Test func eachWayOfNotReachingTheServerHasItsSentence() throws {
        let port = try TestServer.unusedPort()
        let refused = try Self.failure("postgresql://lan:s3cret-r@127.0.0.1:\(port)/sales")
        #expect(refused.message.hasPrefix("cannot reach the PostgreSQL server at 127.0.0.1:\(port)"))
        let unknown = try Self.failure("host=no-such-host.invalid user=lan password=s3cret-u dbname=sales")
        #expect(unknown.message == "cannot connect to PostgreSQL: the host no-such-host.invalid is unknown")
        #expect(unknown.message(in: .vietnamese) == "không kết nối được tới PostgreSQL: không tìm thấy máy chủ no-such-host.invalid")
        let missing = try Self.failure("postgresql://postgres:\(try TestServer.password)@127.0.0.1:\(try TestServer.port)/no_such_db")
        #expect(missing.message == "there is no PostgreSQL database no_such_db on 127.0.0.1:\(try TestServer.port)")
        let garbled = try Self.failure("postgresql://lan:s3cret-g@[::1/sales")
        #expect(garbled.message.hasPrefix("this is not a PostgreSQL connection string"))
        for (error, secret) in [(refused, "s3cret-r"), (unknown, "s3cret-u"), (missing, try TestServer.password), (garbled, "s3cret-g")] {
            #expect(error.category.exitStatus == 74)
            Self.expectOneSentence(error, without: [secret], "\(error)")
        }
    }

    @Test func refusalsOfASessionHaveTheirSentences() throws {
        let target = PostgresTarget(host: "db.lan", port: "5432", database: "sales", user: "lan")
        let cases: [(PostgresError, String, Int32)] = [
            (PostgresError(.connectionLost, target: target),
             "the connection to the PostgreSQL server at db.lan:5432 was lost; try again once it is back", 74),
            (PostgresError(.serializationFailure, sqlState: "40001", target: target),
             "sales on db.lan:5432 is busy with another change; try again", 75),
            (PostgresError(.permissionDenied, sqlState: "42501", target: target),
             "the PostgreSQL user lan is not allowed to do this in sales on db.lan:5432", 77),
            (PostgresError(.uniqueViolation, sqlState: "23505", constraint: "team_name_key_key", target: target),
             "the change would duplicate an existing record (team_name_key_key); nothing was changed", 65),
            (PostgresError(.nulCharacter), "text holding a NUL character cannot be stored", 65),
        ]
        #expect(cases[1].0.message(in: .vietnamese) == "sales trên db.lan:5432 đang bận với một thay đổi khác; hãy thử lại")
        let overSocket = PostgresError(.connectionLost, target: PostgresTarget(host: "/run/postgresql", port: "5432",
                                                                               database: "sales", user: "lan"))
        #expect(overSocket.message.contains("at /run/postgresql/.s.PGSQL.5432 was lost"))
        for (error, sentence, status) in cases {
            #expect(error.message == sentence)
            #expect(error.category.exitStatus == status)
            Self.expectOneSentence(error, without: [], "\(error)")
        }
    }
}

/// Sets PGPASSWORD, so it runs with the other password tests, one at a time.
extension PasswordTests {
    @Test func aWrongPasswordReadsAsARefusedLoginWhereverThePasswordWasGiven() throws {
        let port = try TestServer.port
        let secret = "Sup3r-s3cret"
        let attempts = [
            try MessageTests.failure("postgresql://postgres:\(secret)@127.0.0.1:\(port)/postgres"),
            try MessageTests.failure("host=127.0.0.1 port=\(port) user=postgres password=\(secret) dbname=postgres"),
            try MessageTests.failure("host=127.0.0.1 port=\(port) user=postgres dbname=postgres", environmentPassword: secret),
        ]
        for error in attempts {
            #expect(error.message == "PostgreSQL refused the login of postgres to postgres on 127.0.0.1:\(port): wrong or missing password, or no access from here")
            #expect(error.category.exitStatus == 77)
            MessageTests.expectOneSentence(error, without: [secret, "postgresql://", "password="], "\(error)")
        }
    }
}
