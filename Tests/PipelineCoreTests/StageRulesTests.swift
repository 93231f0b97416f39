import Testing
@testable import PipelineCore

@Suite("Stages")
struct StageRulesTests {
    @Test func defaultTemplateIsTheGuidesSixStages() {
        #expect(StageTemplate.steps.map(\.english) == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(StageTemplate.steps.map(\.vietnamese) == ["Mới", "Chất lượng", "Đề xuất", "Thương lượng", "Chốt được cơ hội", "Không chốt được"])
        #expect(StageTemplate.steps.map(\.probability.basisPoints) == [500, 1_500, 5_000, 7_500, 10_000, 0])
        #expect(StageTemplate.steps.map(\.outcome) == [.open, .open, .open, .open, .won, .lost])
        #expect(StageTemplate.steps.allSatisfy { !$0.englishRequirements.isEmpty && !$0.vietnameseRequirements.isEmpty })
    }

    @Test func suggestionsCompleteAPipelineFromTheTemplate() {
        var world = World()
        world.stages = Array(world.stages.prefix(2))  // New, Qualified
        let names = StageTemplate.suggestions(completing: world.sales.stages).map(\.english)
        #expect(names == ["Proposition", "Negotiation", "Won", "Lost"])
    }

    @Test func suggestionsMatchEitherLanguageAndTheGuidesSynonymsIgnoringCaseAndAccents() {
        let stages = ["moi", "CHẤT LƯỢNG", "Đàm phán", "Chốt cơ hội kinh doanh", "dong co hoi kinh doanh vi khong thanh cong"]
            .enumerated().map { Stage(id: Stage.ID(Int64($0.offset + 1)), name: $0.element, sortOrder: $0.offset, probability: .zero) }
        let suggested = StageTemplate.suggestions(completing: stages)
        #expect(suggested.map(\.english) == ["Proposition"])
        #expect(suggested.first?.vietnamese == "Đề xuất")
        #expect(suggested.first?.probability == probability(50))
        #expect(StageTemplate.suggestions(completing: []).count == 6)
    }

    @Test func stageNamesAreUniquePerPipelineIgnoringCaseButNotAccents() throws {
        let world = World()
        #expect(throws: PipelineError.duplicateStageName("WON", pipeline: nil)) {
            try world.catalog.addition(of: StageDraft(name: "WON", probability: probability(90)), in: World.sales, at: nil)
        }
        // Mới and Môi are different names.
        var vietnamese = World()
        vietnamese.stages[0].name = "Mới"
        #expect(throws: Never.self) {
            try vietnamese.catalog.addition(of: StageDraft(name: "Môi"), in: World.sales, at: nil)
        }
        #expect(throws: PipelineError.self) {
            try vietnamese.catalog.addition(of: StageDraft(name: "MỚI"), in: World.sales, at: nil)
        }
    }

    @Test func teamOwnStagesMayRepeatNamesAcrossTeamsButNotClashWithSharedOnes() throws {
        var world = World()
        world.stages.append(Stage(id: Stage.ID(50), name: "Demo", sortOrder: 50, probability: probability(30), scope: .team(World.export.id)))
        // Another team may own a "Demo" too.
        #expect(throws: Never.self) {
            try world.catalog.addition(of: StageDraft(name: "demo", scope: .team(World.sales.id)), in: World.sales, at: nil)
        }
        // A shared "Demo" would appear beside Export's own.
        #expect(throws: PipelineError.self) {
            try world.catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: nil)
        }
    }

    @Test func addingTheSeventhStageReturnsTheReadabilityHint() throws {
        let world = World()
        let addition = try world.catalog.addition(of: StageDraft(name: "Demo", probability: probability(30)), in: World.sales, at: nil)
        guard case .tooManyColumns(let pipelines, let count)? = addition.hint else {
            Issue.record("expected a hint"); return
        }
        #expect(pipelines == ["Sales", "Export"])
        #expect(count == 7)
        #expect(addition.hint?.message.contains("more than 6 columns") == true)

        var five = World()
        five.stages.removeLast()
        #expect(try five.catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: nil).hint == nil)
    }

    @Test func addingAtAPositionInsertsThereAndValidatesTheRange() throws {
        let world = World()
        let addition = try world.catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: 2)
        #expect(addition.globalIndex == 1)
        #expect(throws: PipelineError.positionOutOfRange(8, maximum: 7)) {
            try world.catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: 8)
        }
        #expect(throws: PipelineError.positionOutOfRange(0, maximum: 7)) {
            try world.catalog.addition(of: StageDraft(name: "Demo"), in: World.sales, at: 0)
        }
    }

    @Test func wonAndLostStagesHaveFixedProbabilities() throws {
        let world = World()
        let won = try world.catalog.addition(of: StageDraft(name: "Signed", outcome: .won), in: World.sales, at: nil)
        #expect(won.stage.probability == .certain)
        #expect(throws: PipelineError.probabilityFixedByOutcome(stage: "Signed", outcome: .won)) {
            try world.catalog.addition(of: StageDraft(name: "Signed", probability: probability(80), outcome: .won), in: World.sales, at: nil)
        }
        let lost = world.stage("Lost")
        #expect(throws: PipelineError.probabilityFixedByOutcome(stage: "Lost", outcome: .lost)) {
            try world.catalog.applying(StageEdit(probability: probability(10)), to: lost, occupyingTeams: [])
        }
        let becameWon = try world.catalog.applying(StageEdit(outcome: .won), to: world.stage("Negotiation"), occupyingTeams: [])
        #expect(becameWon.probability == .certain)
        #expect(world.stage("Negotiation").occupantUpdate(after: becameWon) == .everyone(.certain))
    }

    @Test func editingProbabilityReachesOnlyFollowers() throws {
        let world = World()
        let proposition = world.stage("Proposition")
        let edited = try world.catalog.applying(StageEdit(probability: probability(45)), to: proposition, occupyingTeams: [])
        #expect(proposition.occupantUpdate(after: edited) == .followers(probability(45)))
        var manual = proposition
        manual.changesProbabilityAutomatically = false
        var manualEdited = manual
        manualEdited.probability = probability(45)
        #expect(manual.occupantUpdate(after: manualEdited) == .none)
    }

    @Test func editValidatesNameAndRequirements() throws {
        let world = World()
        let new = world.stage("New")
        #expect(throws: PipelineError.emptyText(.stageName)) {
            try world.catalog.applying(StageEdit(name: "  "), to: new, occupyingTeams: [])
        }
        #expect(throws: PipelineError.duplicateStageName("qualified", pipeline: nil)) {
            try world.catalog.applying(StageEdit(name: "qualified"), to: new, occupyingTeams: [])
        }
        let renamed = try world.catalog.applying(StageEdit(name: "NEW", requirements: "Call back\r\nwithin a day"), to: new, occupyingTeams: [])
        #expect(renamed.name == "NEW")
        #expect(renamed.requirements == "Call back\nwithin a day")
    }

    @Test func aStageCannotBeHiddenFromTeamsWhoseDealsAreInIt() {
        let world = World()
        #expect(throws: PipelineError.scopeExcludesOccupants(stage: "New", teams: ["Export"])) {
            try world.catalog.applying(StageEdit(scope: .team(World.sales.id)), to: world.stage("New"), occupyingTeams: [World.sales.id, World.export.id])
        }
    }
}

@Suite("Stage ordering")
struct StageOrderingTests {
    /// Every move of every stage to every position, on catalogues where one team's own
    /// stages are interleaved with the shared ones, checked against a naive model: the
    /// team's pipeline ends up with the stage at the asked position, and every other
    /// stage keeps its order relative to the rest.
    @Test(arguments: 0..<8)
    func reorderMatchesTheReferenceModel(_ layout: Int) throws {
        let teams = [World.sales, World.export]
        var stages: [Stage] = []
        for index in 0..<6 {
            // The bits of `layout` decide which of the first three slots belong to Export alone.
            let exportOnly = index < 3 && layout & (1 << index) != 0
            stages.append(Stage(id: Stage.ID(Int64(index + 1)), name: "S\(index + 1)", sortOrder: index + 1,
                                probability: .zero, scope: exportOnly ? .team(World.export.id) : .shared))
        }
        let catalog = StageCatalog(teams: teams, stages: stages)
        for team in teams {
            let view = catalog.pipeline(for: team).stages.map(\.id)
            for moving in view {
                for position in 1...view.count {
                    let order = try catalog.reorder(moving, in: team, to: .position(position))
                    var expectedView = view.filter { $0 != moving }
                    expectedView.insert(moving, at: position - 1)
                    let reordered = StageCatalog(teams: teams, stages: order.enumerated().map { index, id in
                        var stage = catalog.stage(id)!
                        stage.sortOrder = index + 1
                        return stage
                    })
                    #expect(reordered.pipeline(for: team).stages.map(\.id) == expectedView)
                    #expect(Set(order) == Set(stages.map(\.id)) && order.count == stages.count)
                    let others = stages.map(\.id).filter { $0 != moving }
                    #expect(order.filter { $0 != moving } == others)
                }
            }
        }
    }

    @Test func beforeAndAfterAnotherStage() throws {
        let world = World()
        let won = world.stage("Won").id, new = world.stage("New").id, lost = world.stage("Lost").id
        #expect(try world.catalog.reorder(won, in: World.sales, to: .before(new)).first == won)
        #expect(try world.catalog.reorder(new, in: World.sales, to: .after(lost)).last == new)
        #expect(throws: PipelineError.stageRelativeToItself) {
            try world.catalog.reorder(new, in: World.sales, to: .before(new))
        }
        #expect(throws: PipelineError.positionOutOfRange(7, maximum: 6)) {
            try world.catalog.reorder(new, in: World.sales, to: .position(7))
        }
    }
}

@Suite("Stage removal plans")
struct StageRemovalPlanTests {
    @Test func aPlanNamesEveryTeamWhoseRecordsMoveAndRefusesWhatCannot() throws {
        var world = World()
        let exportOnly = Stage(id: Stage.ID(7), name: "Customs", sortOrder: 7, probability: probability(40), scope: .team(World.export.id))
        world.stages.append(exportOnly)
        let catalog = world.catalog
        let sales = World.sales, export = World.export
        let new = world.stage("New"), won = world.stage("Won")
        #expect(try catalog.removal(of: new.id, movingTo: nil, recordCount: 0, occupyingTeams: []).destination == nil)
        #expect(throws: PipelineError.stageNotEmpty(stage: new.name, count: 3)) {
            try catalog.removal(of: new.id, movingTo: nil, recordCount: 3, occupyingTeams: [sales.id])
        }
        #expect(throws: PipelineError.moveTargetIsRemovedStage) {
            try catalog.removal(of: new.id, movingTo: new.id, recordCount: 3, occupyingTeams: [sales.id])
        }
        let plan = try catalog.removal(of: new.id, movingTo: won.id, recordCount: 3, occupyingTeams: [export.id, sales.id])
        #expect(plan.teams == [sales.id, export.id] && plan.destination?.id == won.id && plan.stage.id == new.id)
        // Sales' deals cannot enter Export's own stage: the whole removal is refused.
        #expect(throws: PipelineError.stageNotInPipeline(stage: exportOnly.name, pipeline: sales.name)) {
            try catalog.removal(of: new.id, movingTo: exportOnly.id, recordCount: 3, occupyingTeams: [sales.id, export.id])
        }
    }
}
