import Foundation
import Testing

/// Issue 10: `stage add` without `--position` puts the stage where the board's `N` does.
@Suite("CLI: where stage add puts a stage")
struct CLIStageAddTests {
    @Test(arguments: StoreEngine.allCases) func aStageWithoutAPositionGoesBeforeTheWonAndLostStages(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["stage", "add", "Demo", "--probability", "30"])
        #expect(cli.objects(["stage", "list"]).map { $0["name"] as? String }
            == ["New", "Qualified", "Proposition", "Negotiation", "Demo", "Won", "Lost"])
        cli.ok(["stage", "remove", "Negotiation", "--move-to", "Proposition"])
        cli.ok(["stage", "add", "Negotiation", "--probability", "75"])
        #expect(cli.objects(["stage", "list"]).map { $0["name"] as? String }
            == ["New", "Qualified", "Proposition", "Negotiation", "Demo", "Won", "Lost"])
        cli.ok(["stage", "add", "Cancelled", "--lost"])
        #expect(cli.objects(["stage", "list"]).last?["name"] as? String == "Cancelled")
        cli.ok(["stage", "add", "First", "--probability", "1", "--position", "1"])
        #expect(cli.objects(["stage", "list"]).first?["name"] as? String == "First")
    }

    /// A name the guide's process knows takes that step's probability, requirements and
    /// outcome, as the board's `N` suggestions do; an option given wins.
    @Test(arguments: StoreEngine.allCases) func aStepOfTheGuideTakesItsProbabilityAndRequirements(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        func stage(_ name: String) -> [String: Any]? {
            cli.objects(["stage", "list"]).first { ($0["name"] as? String) == name }
        }
        func percent(_ stage: [String: Any]?) -> Double? { (stage?["probability"] as? NSNumber)?.doubleValue }
        cli.ok(["stage", "remove", "Qualified"])
        cli.ok(["stage", "add", "qualified"])
        #expect(percent(stage("qualified")) == 15)
        #expect(stage("qualified")?["requirements"] as? String == "Business needs, system flows, budget and expected timing are understood.")
        cli.ok(["stage", "remove", "Negotiation"])
        cli.ok(["stage", "add", "Negotiation", "--probability", "70", "--requirements", "Our own words."])
        #expect(percent(stage("Negotiation")) == 70)
        #expect(stage("Negotiation")?["requirements"] as? String == "Our own words.")
        cli.ok(["stage", "remove", "Won"])
        cli.ok(["stage", "add", "Won"])
        #expect(stage("Won")?["outcome"] as? String == "won" && percent(stage("Won")) == 100)
        // A name the guide does not know, or one given another outcome, takes nothing.
        cli.ok(["stage", "add", "Demo"])
        #expect(percent(stage("Demo")) == 0 && stage("Demo")?["requirements"] as? String == "")
        cli.ok(["stage", "remove", "Proposition"])
        cli.ok(["stage", "add", "Proposition", "--lost"])
        #expect(percent(stage("Proposition")) == 0 && stage("Proposition")?["requirements"] as? String == "")
    }

    /// In Vietnamese, the step's Vietnamese name and requirements.
    @Test func aStepOfTheGuideInVietnamese() throws {
        let cli = CLI(language: "vi_VN.UTF-8")
        cli.ok(["stage", "remove", "Chất lượng"])
        cli.ok(["stage", "add", "chất lượng"])
        let added = cli.objects(["stage", "list"]).first { ($0["name"] as? String) == "chất lượng" }
        #expect((added?["probability"] as? NSNumber)?.doubleValue == 15)
        #expect(added?["requirements"] as? String == "Đã nắm rõ nghiệp vụ, luồng hệ thống, ngân sách và thời gian triển khai dự kiến.")
    }
}
