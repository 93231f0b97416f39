import Foundation
import Testing

@Suite("CLI: leads")
struct CLILeadTests {
    @Test(arguments: StoreEngine.allCases) func leadCommandsAnswerThatLeadsAreOffUntilTurnedOn(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for command in [["lead", "add", "X"], ["lead", "list"], ["lead", "show", "1"], ["lead", "convert", "1"]] {
            let result = cli.run(command)
            #expect(result.status == 65)
            #expect(result.stderr.contains("pipeline settings set leads on"))
        }
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website"])
        cli.ok(["settings", "set", "leads", "off"])
        #expect(cli.run(["lead", "list"]).status == 65)
        cli.ok(["settings", "set", "leads", "on"])
        #expect(cli.objects(["lead", "list"]).map { $0["title"] as? String } == ["Acme website"])  // nothing was deleted
    }

    @Test(arguments: StoreEngine.allCases) func leadsAreAddedListedShownEditedLostAndRestored(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website", "--company", "Acme Corporation", "--contact", "Ana Smith", "--email", "ana@acme.com",
                "--phone", "+84 90 123 4567", "--revenue", "5,000", "--salesperson", "Lan", "--priority", "2"])
        let lead = cli.object(["lead", "show", "Acme website"])
        for key in ["id", "title", "contact", "company", "email", "phone", "expected_revenue", "currency", "salesperson", "team", "priority", "active"] {
            #expect(lead[key] != nil, "\(key) missing")
        }
        #expect(lead["company"] as? String == "Acme Corporation")
        #expect(lead["expected_revenue"] as? String == "5000.00")
        #expect(lead["type"] as? String == "lead")
        #expect(cli.objects(["opp", "list"]).isEmpty)  // leads never show among opportunities
        cli.ok(["lead", "edit", "1", "--title", "Acme web shop", "--priority", "3"])
        #expect(cli.object(["lead", "show", "1"])["priority"] as? Int == 3)
        cli.ok(["lead", "lost", "1", "--reason", "No budget"])
        #expect(cli.objects(["lead", "list"]).isEmpty)
        #expect(cli.objects(["lead", "list", "--lost"]).first?["lost_reason"] as? String == "No budget")
        let refused = cli.run(["lead", "convert", "1", "--no-merge"])
        #expect(refused.status == 65 && refused.stderr.contains("restore it first"))
        cli.ok(["lead", "restore", "1"])
        #expect(cli.objects(["lead", "list"]).count == 1)
        #expect(cli.run(["lead", "add", "Bad", "--priority", "9"]).status == 65)
        #expect(cli.run(["lead", "show", "42"]).status == 65)
    }

    @Test(arguments: StoreEngine.allCases) func conversionWithDuplicatesNeedsADecisionThenMerges(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website", "--company", "Acme Corporation", "--email", "ana@acme.com", "--revenue", "5,000"])
        cli.ok(["lead", "add", "Acme app", "--email", "ANA@ACME.COM", "--revenue", "2,000"])
        let duplicates = cli.objects(["lead", "duplicates", "2"])
        #expect(duplicates.map { $0["id"] as? Int } == [1])
        let undecided = cli.run(["lead", "convert", "2"])
        #expect(undecided.status == 65)
        #expect(undecided.stderr.contains("--merge-with") && undecided.stderr.contains("(1 lead 'Acme website')"))
        #expect(cli.objects(["lead", "list"]).count == 2)  // nothing happened
        cli.ok(["lead", "convert", "2", "--merge-with", "1"])
        #expect(cli.objects(["lead", "list"]).isEmpty)
        let opportunity = try #require(cli.objects(["opp", "list"]).first)
        #expect(opportunity["id"] as? Int == 2)  // converting keeps the id
        #expect(opportunity["stage"] as? String == "New")
        #expect(opportunity["probability"] as? Int == 5)
        #expect(opportunity["customer"] as? String == "Acme Corporation")
        #expect(opportunity["expected_revenue"] as? String == "2000.00")
        #expect(opportunity["converted_at"] is String)
    }

    @Test(arguments: StoreEngine.allCases) func aPlainConversionOptionsAndTheTeamsPipeline(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["team", "add", "Export"])
        cli.ok(["stage", "edit", "New", "--fold"])
        cli.ok(["lead", "add", "Solo", "--company", "Solo Trading", "--salesperson", "Lan"])
        cli.ok(["lead", "convert", "Solo", "--team", "Export", "--salesperson", "Minh", "--customer", "none"])
        let deal = cli.object(["opp", "show", "1"])
        #expect(deal["team"] as? String == "Export")
        #expect(deal["stage"] as? String == "Qualified")  // New is folded: the first open, unfolded stage
        #expect(deal["probability"] as? Int == 15)
        #expect(deal["salesperson"] as? String == "Minh")
        #expect(deal["customer"] as? String == "")
        #expect(cli.run(["lead", "convert", "2", "--no-merge", "--merge-with", "1"]).status == 64)
    }
}
