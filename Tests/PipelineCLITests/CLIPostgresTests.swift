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
        #expect(cli.checksSound(server.location))

        cli.run(["opp", "move", "Acme renewal", "--to", "Won", "--db", server.location], database: false)
        let back = cli.folder.appendingPathComponent("back.sqlite").path
        #expect(cli.run(["db", "copy", "--from", server.location, "--to", back], database: false).status == 0)
        expectSame(server.location, back)
        #expect(cli.run(["opp", "show", "Acme renewal", "--json", "--db", back], database: false).stdout.contains("\"Won\""))
        #expect(cli.checksSound(back))
        // A server holding data is refused, as a file is.
        let again = cli.run(["db", "copy", "--from", cli.database, "--to", server.location], database: false)
        #expect(again.status == 65 && again.stderr.contains("already holds data"), "\(again.stderr)")
    }

    /// `pipeline check` on a server: sound in words that fit a server, naming it as the store
    /// does (never with the password); a total another program made drift is found (65) and
    /// `--repair` mends it; a missing database is the server's refusal (74), not a missing file.
    @Test func checkOnAServerNamesItWithoutThePasswordAndRepairs() throws {
        let cli = try CLI(engine: .postgresql)
        let server = try #require(cli.server)
        let password = try CLIServerFaultTests.serverPassword()
        cli.ok(["opp", "add", "Acme renewal", "--revenue", "1,000"])
        let location = "postgresql://postgres:\(password)@127.0.0.1:\(server.port)/\(server.name)"
        let shown = "postgresql://postgres@127.0.0.1:\(server.port)/\(server.name)"
        let sound = cli.run(["check", "--db", location], database: false)
        #expect(sound.status == 0, "\(sound.stderr)")
        #expect(sound.stdout == "\(shown) is sound: the stage totals, the weighted amounts and the stage history agree with the deals.\n")
        #expect(cli.run(["check", "--lang", "vi", "--db", location], database: false).stdout.contains("\(shown) nguyên vẹn"))

        try server.connect().executeScript("UPDATE stage_total SET count = count + 1")
        let drifted = cli.run(["check", "--db", location], database: false)
        #expect(drifted.status == 65 && !drifted.stdout.isEmpty, "\(drifted.stdout)\(drifted.stderr)")
        #expect(drifted.stderr.contains("pipeline check --repair"), "\(drifted.stderr)")
        let repaired = cli.run(["check", "--repair", "--db", location], database: false)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout == "Repaired \(shown): the weighted amounts and the stage totals were recomputed from the deals; it is sound now.\n")
        #expect(cli.checksSound())
        for output in [sound, drifted, repaired].flatMap({ [$0.stdout, $0.stderr] }) { #expect(!output.contains(password)) }

        let missing = cli.run(["check", "--db", "postgresql://postgres:\(password)@127.0.0.1:\(server.port)/no_such_db"], database: false)
        #expect(missing.status == 74 && missing.stderr.contains("there is no PostgreSQL database no_such_db"), "\(missing.stderr)")
        #expect(!missing.stderr.contains(password))
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
