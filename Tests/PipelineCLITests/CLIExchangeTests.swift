import Foundation
import Testing

@Suite("CLI: export and import")
struct CLIExchangeTests {
    @Test func csvGoesOutAndComesBackIntoAnotherDatabase() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Acme renewal", "--customer", "Acme, Inc.", "--revenue", "12,000.50", "--stage", "Proposition", "--tag", "vip"])
        cli.ok(["opp", "add", "Hợp đồng", "--revenue", "1,500,000", "--currency", "VND"])
        let csv = cli.ok(["export"]).stdout
        #expect(csv.hasPrefix("id,name,type,stage_id,probability,expected_revenue,"))
        #expect(csv.contains("\"Acme, Inc.\"") && csv.contains("12000.50") && csv.contains("1500000,VND"))
        #expect(cli.ok(["export", "--odoo", "12"]).stdout.contains("planned_revenue"))
        let file = cli.folder.appendingPathComponent("deals.csv").path
        cli.ok(["export", "--out", file])
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let other = cli.folder.appendingPathComponent("other.sqlite").path
        let dry = cli.run(["import", file, "--dry-run", "--db", other], database: false)
        #expect(dry.status == 0 && dry.stdout.contains("would create 2"))
        #expect(cli.run(["opp", "list", "--json", "--db", other], database: false).stdout == "[\n]\n")  // a dry run changes nothing
        let real = cli.run(["import", file, "--db", other], database: false)
        #expect(real.status == 0 && real.stdout.contains("2 created"))
        let again = cli.run(["export", "--db", other], database: false)
        #expect(again.stdout == csv)
    }

    @Test func aBadFileImportsNothingAndSaysWhere() throws {
        let cli = CLI()
        let file = cli.folder.appendingPathComponent("bad.csv")
        try Data("name,probability,mobile\nGood,10,1\nBad,150,2\n".utf8).write(to: file)
        let result = cli.run(["import", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("warning: ignored columns we do not keep: mobile"))
        #expect(result.stderr.contains("error: line 3, column probability: '150' is not a percentage"))
        #expect(result.stderr.contains("nothing was imported"))
        #expect(cli.objects(["opp", "list"]).isEmpty)
    }

    @Test func theJSONBackupRestoresIntoAFreshDatabaseOnly() throws {
        let cli = CLI()
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["opp", "add", "Acme", "--revenue", "100"])
        cli.ok(["lead", "add", "Globex", "--email", "a@globex.com"])
        let backup = cli.folder.appendingPathComponent("backup.json").path
        cli.ok(["export", "--format", "json", "--out", backup])
        let fresh = cli.folder.appendingPathComponent("fresh.sqlite").path
        let restored = cli.run(["import", backup, "--db", fresh], database: false)
        #expect(restored.status == 0 && restored.stdout.contains("Restored 1 team, 6 stages, 2 leads and opportunities, "))
        #expect(cli.run(["export", "--format", "json", "--db", fresh], database: false).stdout == cli.ok(["export", "--format", "json"]).stdout)
        let refused = cli.run(["import", backup])
        #expect(refused.status == 65 && refused.stderr.contains("fresh database"))
        #expect(cli.run(["export", "--format", "csv", "--what", "all"]).status == 64)
        #expect(cli.run(["export", "--odoo", "15"]).status == 64)
    }
}

@Suite("CLI: db copy")
struct CLICopyTests {
    /// Everything goes over to a new store, which then lists, checks and forecasts alike;
    /// a store that holds data, or the source itself, is refused and left as it was.
    @Test func aStoreCopiedToANewOneReadsTheSame() throws {
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
        let copy = cli.folder.appendingPathComponent("copy.sqlite").path
        let copied = cli.run(["db", "copy", "--from", cli.database, "--to", copy], database: false)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("Copied 2 teams, 7 stages, 4 leads and opportunities"), "\(copied.stdout)")
        for listing in [["opp", "list", "--json", "--archived"], ["stage", "list", "--json"], ["lead", "list", "--json", "--lost"],
                        ["forecast", "--json"], ["forecast", "--json", "--by", "salesperson"], ["team", "list", "--json"],
                        ["opp", "show", "Acme renewal", "--json"], ["settings", "list", "--json"]] {
            let original = cli.run(listing)
            let other = cli.run(listing + ["--db", copy], database: false)
            #expect(original.status == 0 && original.stdout == other.stdout, "\(listing): \(original.stderr)\(other.stderr)")
        }
        #expect(cli.run(["check", "--db", copy], database: false).status == 0)
        let before = cli.run(["export", "--format", "json", "--db", copy], database: false).stdout
        let again = cli.run(["db", "copy", "--from", cli.database, "--to", copy], database: false)
        #expect(again.status == 65 && again.stderr.contains("already holds data"), "\(again.stderr)")
        #expect(cli.run(["db", "copy", "--from", copy, "--to", copy], database: false).status == 65)
        #expect(cli.run(["export", "--format", "json", "--db", copy], database: false).stdout == before)
    }
}
