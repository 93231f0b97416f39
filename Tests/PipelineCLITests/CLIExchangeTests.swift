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
