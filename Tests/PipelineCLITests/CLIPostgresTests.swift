import Foundation
import PostgresClient
import Testing

@Suite("CLI: a PostgreSQL server")
struct CLIPostgresTests {
    /// A team moves its file to a server and back: `db copy` both ways, and every listing
    /// (`--json`) reads the same from the file, the server and the copy back, ids and times
    /// included (a copy keeps them). A change made on the server is there, checked, in the
    /// copy back.
    @Test func aFileCopiedToAServerAndBackReadsTheSame() throws {
        let cli = CLI()
        cli.ok(["team", "add", "Export"])
        cli.ok(["stage", "add", "Customs", "--team", "Export", "--scope", "team", "--probability", "40"])
        cli.ok(["opp", "add", "Acme renewal", "--revenue", "12,000.50", "--stage", "Proposition", "--salesperson", "Lan"])
        cli.ok(["opp", "add", "Export deal", "--team", "Export", "--stage", "Customs", "--revenue", "800"])
        cli.ok(["opp", "move", "Acme renewal", "--to", "Negotiation"])
        cli.ok(["opp", "add", "Gone", "--revenue", "5"])
        cli.ok(["opp", "lost", "Gone", "--reason", "No budget"])
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website", "--company", "Acme Corporation", "--email", "ana@acme.com"])
        let server = try ServerDatabase()
        let listings = [["opp", "list", "--json", "--archived"], ["stage", "list", "--json"], ["lead", "list", "--json", "--lost"],
                        ["forecast", "--json"], ["forecast", "--json", "--by", "salesperson"], ["forecast", "--json", "--by", "month"],
                        ["team", "list", "--json"], ["opp", "show", "Acme renewal", "--json"], ["settings", "list", "--json"]]
        func expectSame(_ first: String, _ second: String) {
            for listing in listings {
                let one = cli.run(listing + ["--db", first], database: false), other = cli.run(listing + ["--db", second], database: false)
                #expect(one.status == 0 && one.stdout == other.stdout, "\(listing): \(one.stderr)\(other.stderr)")
            }
        }

        let there = cli.run(["db", "copy", "--from", cli.database, "--to", server.location], database: false)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("Copied 2 teams, 7 stages, 4 leads and opportunities"), "\(there.stdout)")
        expectSame(cli.database, server.location)
        #expect(cli.run(["dev", "check", "--db", server.location], database: false).stdout == "ok\n")

        cli.run(["opp", "move", "Acme renewal", "--to", "Won", "--db", server.location], database: false)
        let back = cli.folder.appendingPathComponent("back.sqlite").path
        #expect(cli.run(["db", "copy", "--from", server.location, "--to", back], database: false).status == 0)
        expectSame(server.location, back)
        #expect(cli.run(["opp", "show", "Acme renewal", "--json", "--db", back], database: false).stdout.contains("\"Won\""))
        #expect(cli.run(["dev", "check", "--db", back], database: false).stdout == "ok\n")
        // A server holding data is refused, as a file is.
        let again = cli.run(["db", "copy", "--from", cli.database, "--to", server.location], database: false)
        #expect(again.status == 65 && again.stderr.contains("already holds data"), "\(again.stderr)")
    }

    /// Not getting in: one line on standard error, exit 77 for a refused login and 74 for a
    /// server that is not there; never the password.
    @Test func aRefusedLoginExits77AndAMissingServer74WithoutThePassword() throws {
        let cli = CLI()
        let port = ProcessInfo.processInfo.environment["PIPELINE_TEST_PG_PORT"] ?? "5432"
        let refused = cli.run(["team", "list", "--db", "postgresql://postgres:Wr0ng-s3cret@127.0.0.1:\(port)/postgres"], database: false)
        #expect(refused.status == 77, "\(refused.stderr)")
        #expect(refused.stderr.contains("PostgreSQL refused the login of postgres") && !refused.stderr.contains("Wr0ng-s3cret"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        let missing = cli.run(["team", "list", "--db", "host=/nonexistent-folder port=1 user=lan password=Wr0ng-s3cret dbname=sales"],
                              database: false)
        #expect(missing.status == 74, "\(missing.stderr)")
        #expect(missing.stderr.contains("cannot reach the PostgreSQL server") && !missing.stderr.contains("Wr0ng-s3cret"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }
}
