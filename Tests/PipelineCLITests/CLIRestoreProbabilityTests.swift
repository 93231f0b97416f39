import Foundation
import Testing

/// What probability a deal has when it comes back (issue 14's trials: an archived deal kept its
/// own while won and lost ones took their stage's). One rule, on both engines: `opp restore`
/// keeps the deal's probability unless closing replaced it. Archiving replaces nothing, so an
/// archived deal comes back with its own (70 % typed by hand); winning and losing replace it
/// with 100 % and 0 %, so a won or lost deal comes back into its open stage with the stage's,
/// as any deal entering a stage does. A backup restores what it holds: 100 %, 0 % and 70 %.
@Suite("CLI: the probability a restored deal comes back with")
struct CLIRestoreProbabilityTests {
    static func probabilities(_ cli: CLI) -> [String: Double] {
        let deals = cli.objects(["opp", "list", "--json"]) + cli.objects(["opp", "list", "--archived", "--json"])
        var result: [String: Double] = [:]
        for deal in deals {
            if let title = deal["title"] as? String { result[title] = (deal["probability"] as? NSNumber)?.doubleValue ?? -1 }
        }
        return result
    }

    @Test(arguments: StoreEngine.allCases) func closingReplacesTheProbabilityAndArchivingDoesNot(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for title in ["Archived", "Lost", "Won"] {
            cli.ok(["opp", "add", title, "--revenue", "1,000", "--stage", "Proposition"])
            cli.ok(["opp", "edit", title, "--probability", "70"])
        }
        cli.ok(["opp", "archive", "Archived"])
        cli.ok(["opp", "lost", "Lost", "--reason", "price"])
        cli.ok(["opp", "won", "Won"])
        #expect(Self.probabilities(cli) == ["Archived": 70, "Lost": 0, "Won": 100])
        // A backup holds them as they are, and restores them so.
        let backup = cli.path("closed.json")
        cli.ok(["export", "--format", "json", "--what", "all", "--out", backup])
        let restored = try CLI(engine: engine)
        restored.ok(["team", "list"])
        restored.ok(["import", backup])
        #expect(Self.probabilities(restored) == ["Archived": 70, "Lost": 0, "Won": 100])
        // Brought back: the archived deal with its own, the lost and won ones with Proposition's.
        for title in ["Archived", "Lost", "Won"] { restored.ok(["opp", "restore", title]) }
        #expect(Self.probabilities(restored) == ["Archived": 70, "Lost": 50, "Won": 50])
    }
}
