import Testing
@testable import PipelineCore

/// Where a stage added without a position goes (issue 10): where the guide's process puts it,
/// never after the won and lost stages that close deals.
@Suite("Stages: where a new one goes")
struct StagePlacementTests {
    /// The pipeline's names once `draft` is added where the process puts it.
    func names(adding draft: StageDraft, to world: World) throws -> [String] {
        let addition = try world.catalog.addition(of: draft, in: World.sales, at: nil)
        var global = world.stages.map(\.name)
        global.insert(addition.stage.name, at: addition.globalIndex)
        return global
    }

    @Test func anOpenStageGoesBeforeTheFirstClosedOne() throws {
        #expect(try names(adding: StageDraft(name: "Demo"), to: World())
            == ["New", "Qualified", "Proposition", "Negotiation", "Demo", "Won", "Lost"])
    }

    @Test func aClosedStageOfItsOwnGoesAtTheEnd() throws {
        #expect(try names(adding: StageDraft(name: "Cancelled", outcome: .lost), to: World())
            == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost", "Cancelled"])
    }

    @Test(arguments: [
        ("Negotiation", ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"]),
        ("New", ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"]),
        ("Lost", ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"]),
        ("Thương lượng", ["New", "Qualified", "Proposition", "Thương lượng", "Won", "Lost"]),
    ])
    func aStepOfTheGuideGoesWhereTheProcessPutsIt(_ name: String, _ expected: [String]) throws {
        // The pipeline lacks the step: it goes after the present stage playing the step before
        // it, or before the one playing the step after it.
        var world = World()
        let missing = StageTemplate.steps.first { $0.matches(name) }!
        world.stages.removeAll { missing.matches($0.name) }
        let step = missing
        #expect(try names(adding: StageDraft(name: name, probability: step.outcome == .open ? step.probability : nil,
                                             outcome: step.outcome), to: world) == expected)
    }

    @Test func aStepGoesAfterItsPredecessorEvenWithCustomStagesAround() throws {
        var world = World()
        world.stages.removeAll { $0.name == "Negotiation" }
        world.stages.insert(Stage(id: Stage.ID(20), name: "Demo", sortOrder: 3, probability: probability(30)), at: 3)
        #expect(try names(adding: StageDraft(name: "Negotiation"), to: world)
            == ["New", "Qualified", "Proposition", "Negotiation", "Demo", "Won", "Lost"])
    }

    @Test func aGivenPositionStillWins() throws {
        let addition = try World().catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: 7)
        #expect(addition.globalIndex == 6)
    }
}

/// Issue 10: an amount error's example is one the currency accepts.
@Suite("Money: the example an amount error gives")
struct AmountExampleTests {
    @Test(arguments: [(Language.english, CurrencyCode.usd), (.english, .vnd), (.vietnamese, .usd), (.vietnamese, .vnd)])
    func theExampleIsAnAmountTheCurrencyTakes(_ language: Language, _ currency: CurrencyCode) throws {
        var message = ""
        do {
            _ = try Money(typed: "1,5 tỷ", currency: currency, language: language)
        } catch {
            message = error.message(in: language)
        }
        let write = language == .english ? " write " : " viết "
        let example = try #require(message.components(separatedBy: write).last?.split(separator: " ").first.map(String.init), "\(message)")
        #expect(throws: Never.self, "\(message)") { try Money(typed: example, currency: currency, language: language) }
        if currency == .vnd { #expect(!example.contains(language == .english ? "." : ",")) }
    }
}
