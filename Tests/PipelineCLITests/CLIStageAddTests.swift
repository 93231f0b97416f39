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
}
