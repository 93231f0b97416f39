import Testing
@testable import PipelineCore

@Suite("Opportunities")
struct OpportunityRulesTests {
    let world = World()

    @Test func newOpportunitiesGoToTheFirstOpenUnfoldedStageWithItsProbability() throws {
        var world = World()
        world.stages[0].isFolded = true
        var changes = OpportunityChanges()
        changes.title = "Acme"
        let update = try Opportunity.create(changes, in: world.sales, stage: nil, currency: .usd, at: World.now, by: "lan")
        #expect(update.opportunity.stage == world.stage("Qualified").id)
        #expect(update.opportunity.probability == probability(15))
        #expect(update.opportunity.probabilitySetByHand == false)
        #expect(update.stageChange == StageChange(opportunity: Opportunity.ID(0), from: nil, to: world.stage("Qualified").id, at: World.now, by: "lan"))
    }

    @Test func aProbabilityGivenOnCreationIsSetByHand() throws {
        var changes = OpportunityChanges()
        changes.title = "Acme"
        changes.probability = probability(33)
        let update = try Opportunity.create(changes, in: world.sales, stage: nil, currency: .usd, at: World.now, by: "lan")
        #expect(update.opportunity.probability == probability(33))
        #expect(update.opportunity.probabilitySetByHand)
    }

    @Test func movingIntoAnAutomaticStageTakesItsProbability() throws {
        let deal = world.opportunity(in: "New")
        let update = try deal.moved(to: world.stage("Proposition"), in: world.sales, at: later(5), by: "lan")
        #expect(update.opportunity.probability == probability(50))
        #expect(update.opportunity.stageChangedAt == later(5))
        #expect(update.opportunity.weightedRevenue.minorUnits == 50_000)
        #expect(update.stageChange?.from == world.stage("New").id)
        #expect(update.stageChange?.to == world.stage("Proposition").id)
    }

    @Test func aHandSetProbabilityStaysUntilTheNextAutomaticStage() throws {
        var world = World()
        world.stages[1].changesProbabilityAutomatically = false  // Qualified keeps what it gets
        var deal = world.opportunity(in: "New")
        try deal.setProbabilityByHand(probability(40), in: world.stage("New"))
        let intoManual = try deal.moved(to: world.stage("Qualified"), in: world.sales, at: later(1), by: "lan").opportunity
        #expect(intoManual.probability == probability(40))
        #expect(intoManual.probabilitySetByHand)
        let intoAutomatic = try intoManual.moved(to: world.stage("Proposition"), in: world.sales, at: later(2), by: "lan").opportunity
        #expect(intoAutomatic.probability == probability(50))
        #expect(!intoAutomatic.probabilitySetByHand)
    }

    @Test func wonAndLostStagesForceTheirProbabilityEvenWithoutTheAutomaticFlag() throws {
        var world = World()
        world.stages[4].changesProbabilityAutomatically = false
        world.stages[5].changesProbabilityAutomatically = false
        var deal = world.opportunity(in: "New")
        try deal.setProbabilityByHand(probability(40), in: world.stage("New"))
        #expect(try deal.moved(to: world.stage("Won"), in: world.sales, at: later(1), by: "lan").opportunity.probability == .certain)
        #expect(try deal.moved(to: world.stage("Lost"), in: world.sales, at: later(1), by: "lan").opportunity.probability == .zero)
        var won = try deal.moved(to: world.stage("Won"), in: world.sales, at: later(1), by: "lan").opportunity
        #expect(throws: PipelineError.probabilityFixedByOutcome(stage: "Won", outcome: .won)) {
            try won.setProbabilityByHand(probability(80), in: world.stage("Won"))
        }
    }

    @Test func movingToTheSameStageChangesNothing() throws {
        let deal = world.opportunity(in: "New")
        let update = try deal.moved(to: world.stage("New"), in: world.sales, at: later(1), by: "lan")
        #expect(update.stageChange == nil)
        #expect(update.opportunity == deal)
    }

    @Test func anOpportunityOnlyEverMovesInsideItsOwnTeamsPipeline() {
        var world = World()
        world.stages.append(Stage(id: Stage.ID(70), name: "Export check", sortOrder: 70, probability: probability(20), scope: .team(World.export.id)))
        let deal = world.opportunity(in: "New")
        #expect(throws: PipelineError.stageNotInPipeline(stage: "Export check", pipeline: "Sales")) {
            try deal.moved(to: world.stage("Export check"), in: world.sales, at: later(1), by: "lan")
        }
    }

    @Test func markWonGoesToTheFirstWonStage() throws {
        var world = World()
        world.stages.insert(Stage(id: Stage.ID(80), name: "Signed", sortOrder: 0, probability: .certain, outcome: .won), at: 0)
        let update = try world.opportunity(in: "Negotiation").markedWon(in: world.sales, at: later(1), by: "lan")
        #expect(update.opportunity.stage == Stage.ID(80))
        #expect(update.opportunity.probability == .certain)

        var noWon = World()
        noWon.stages.remove(at: 4)
        #expect(throws: PipelineError.noWonStage(pipeline: "Sales")) {
            try noWon.opportunity(in: "New").markedWon(in: noWon.sales, at: later(1), by: "lan")
        }
    }

    @Test func markLostNeedsAReasonAndGoesToTheLostStage() throws {
        let deal = world.opportunity(in: "Proposition")
        #expect(throws: PipelineError.emptyText(.lostReason)) {
            try deal.markedLost(reason: " ", in: world.sales, at: later(1), by: "lan")
        }
        let lost = try deal.markedLost(reason: "Too expensive", in: world.sales, at: later(1), by: "lan").opportunity
        #expect(lost.stage == world.stage("Lost").id)
        #expect(lost.isActive)
        #expect(lost.probability == .zero)
        #expect(lost.lostReason == "Too expensive")
    }

    @Test func markLostWithoutALostStageArchivesInPlace() throws {
        var world = World()
        world.stages.removeLast()
        let update = try world.opportunity(in: "Proposition").markedLost(reason: "No budget", in: world.sales, at: later(1), by: "lan")
        #expect(update.stageChange == nil)
        #expect(update.opportunity.stage == world.stage("Proposition").id)
        #expect(!update.opportunity.isActive)
        #expect(update.opportunity.probability == .zero)
    }

    @Test func aDealMovedOutOfALostStageOrIntoAWonOneIsNoLongerLost() throws {
        var world = World()
        world.stages.append(Stage(id: Stage.ID(7), name: "Lost to a rival", sortOrder: 7, probability: .zero, outcome: .lost))
        let lost = try world.opportunity(in: "Proposition").markedLost(reason: "Too expensive", in: world.sales, at: later(1), by: "lan").opportunity
        #expect(lost.lostReason == "Too expensive")
        let reopened = try lost.moved(to: world.stage("Proposition"), in: world.sales, at: later(2), by: "lan").opportunity
        #expect(reopened.lostReason == nil)
        #expect(reopened.probability == probability(50))
        #expect(try lost.moved(to: world.stage("Won"), in: world.sales, at: later(2), by: "lan").opportunity.lostReason == nil)
        // From one lost stage to another it is still lost, for the same reason.
        #expect(try lost.moved(to: world.stage("Lost to a rival"), in: world.sales, at: later(2), by: "lan").opportunity.lostReason == "Too expensive")
        // An edit that moves it is a move like any other.
        let edited = try lost.edited(OpportunityChanges(), stage: world.stage("Negotiation"), in: world.sales, at: later(2), by: "lan").opportunity
        #expect(edited.lostReason == nil)
    }

    @Test func anArchivedDealLostWithoutALostStageKeepsItsReasonWhenItsStageChanges() throws {
        var world = World()
        world.stages.removeLast()
        let lost = try world.opportunity(in: "Proposition").markedLost(reason: "No budget", in: world.sales, at: later(1), by: "lan").opportunity
        let moved = try lost.moved(to: world.stage("Negotiation"), in: world.sales, at: later(2), by: "lan").opportunity
        #expect(!moved.isActive)
        #expect(moved.lostReason == "No budget")
        // Into a won stage, though, it is won, not lost.
        #expect(try lost.moved(to: world.stage("Won"), in: world.sales, at: later(2), by: "lan").opportunity.lostReason == nil)
    }

    @Test(arguments: [
        (StageOutcome.lost, StageOutcome?.some(.lost), true, true), (.lost, .some(.open), true, true), (.lost, nil, false, true),
        (.won, .some(.lost), true, false), (.won, .some(.lost), false, false), (.won, .some(.open), false, false),
        (.open, .some(.lost), true, false), (.open, .some(.lost), false, false), (.open, .some(.won), true, false),
        (.open, .some(.open), true, false), (.open, .some(.open), false, true), (.open, nil, false, true), (.open, nil, true, false),
    ])
    func theLostReasonRuleEveryPathAsks(destination: StageOutcome, source: StageOutcome?, isActive: Bool, keeps: Bool) {
        #expect(Opportunity.keepsLostReason(entering: destination, leaving: source, isActive: isActive) == keeps)
    }

    @Test func restoreReturnsToThePreviousStageFromHistory() throws {
        let deal = world.opportunity(in: "New")
        let toNegotiation = try deal.moved(to: world.stage("Negotiation"), in: world.sales, at: later(1), by: "lan")
        let lost = try toNegotiation.opportunity.markedLost(reason: "Silent", in: world.sales, at: later(2), by: "lan")
        let history = [
            StageChange(opportunity: deal.id, from: nil, to: world.stage("New").id, at: World.now, by: "lan"),
            toNegotiation.stageChange!, lost.stageChange!,
        ]
        let restored = try lost.opportunity.restored(in: world.sales, history: history, at: later(3), by: "lan").opportunity
        #expect(restored.stage == world.stage("Negotiation").id)
        #expect(restored.probability == probability(75))
        #expect(restored.lostReason == nil)
        #expect(restored.isActive)
    }

    /// Won, then lost (or lost, then won): restoring goes back to the last open stage the
    /// history shows, not to the pipeline's first stage.
    @Test func restoreSkipsEveryClosedStageOnTheWayBack() throws {
        let deal = world.opportunity(in: "New")
        let toNegotiation = try deal.moved(to: world.stage("Negotiation"), in: world.sales, at: later(1), by: "lan")
        let won = try toNegotiation.opportunity.markedWon(in: world.sales, at: later(2), by: "lan")
        let lost = try won.opportunity.markedLost(reason: "Cancelled", in: world.sales, at: later(3), by: "lan")
        let history = [
            StageChange(opportunity: deal.id, from: nil, to: world.stage("New").id, at: World.now, by: "lan"),
            toNegotiation.stageChange!, won.stageChange!, lost.stageChange!,
        ]
        let restored = try lost.opportunity.restored(in: world.sales, history: history, at: later(4), by: "lan").opportunity
        #expect(restored.stage == world.stage("Negotiation").id)
        #expect(restored.probability == probability(75))
        // Created straight in a closed stage, with no open stage in its history: the first stage.
        let closedFromTheStart = [StageChange(opportunity: deal.id, from: nil, to: world.stage("Won").id, at: World.now, by: "lan")]
        let direct = try won.opportunity.restored(in: world.sales, history: closedFromTheStart, at: later(4), by: "lan").opportunity
        #expect(direct.stage == world.stage("New").id)
    }

    @Test func restoreUnarchivesInPlaceAndRefusesOpenDeals() throws {
        var world = World()
        world.stages.removeLast()
        let lost = try world.opportunity(in: "Proposition").markedLost(reason: "No budget", in: world.sales, at: later(1), by: "lan").opportunity
        let restored = try lost.restored(in: world.sales, history: [], at: later(2), by: "lan").opportunity
        #expect(restored.isActive)
        #expect(restored.probability == probability(50))

        let archived = world.opportunity(in: "Qualified").archived(at: later(1))
        #expect(try archived.restored(in: world.sales, history: [], at: later(2), by: "lan").opportunity.isActive)

        #expect(throws: PipelineError.nothingToRestore(Opportunity.ID(10))) {
            try world.opportunity(in: "New").restored(in: world.sales, history: [], at: later(1), by: "lan")
        }
    }

    @Test func editingChangesFieldsAndMovesWhenAskedTo() throws {
        var form = OpportunityForm(title: "Acme 2", expectedRevenue: "2,000.50", probability: "12.5", priority: "3", tags: ["vip", "VIP", "q4"])
        form.expectedClosing = "2026-12-31"
        let changes = try form.validated(language: .english, currency: .usd)
        let update = try world.opportunity(in: "New").edited(changes, stage: world.stage("Qualified"), in: world.sales, at: later(1), by: "lan")
        let edited = update.opportunity
        #expect(edited.title == "Acme 2")
        #expect(edited.expectedRevenue.minorUnits == 200_050)
        #expect(edited.stage == world.stage("Qualified").id)
        #expect(edited.probability == Probability(basisPoints: 1_250))  // hand-set after entering
        #expect(edited.probabilitySetByHand)
        #expect(edited.tags == ["vip", "q4"])
        #expect(edited.priority.stars == 3)
        #expect(edited.expectedClosing == CalendarDate(year: 2026, month: 12, day: 31))
        #expect(update.stageChange != nil)
    }

    @Test func changingOnlyTheCurrencyKeepsTheFigureOrRefusesToRound() throws {
        let deal = world.opportunity(in: "New", revenue: 150_050, currency: .usd)  // 1500.50 USD
        var changes = OpportunityChanges()
        changes.currency = .vnd
        #expect(throws: PipelineError.tooManyDecimals("1500.50", currency: .vnd)) {
            try deal.edited(changes, stage: nil, in: world.sales, at: later(1), by: "lan")
        }
        let whole = world.opportunity(in: "New", revenue: 150_000, currency: .usd)
        #expect(try whole.edited(changes, stage: nil, in: world.sales, at: later(1), by: "lan").opportunity.expectedRevenue
                == Money(minorUnits: 1_500, currency: .vnd))
    }

    @Test(arguments: [
        (OpportunityForm(title: ""), PipelineError.emptyText(.title)),
        (OpportunityForm(email: "not-an-email"), .invalidEmail("not-an-email")),
        (OpportunityForm(phone: "call me"), .invalidPhone("call me")),
        (OpportunityForm(priority: "4"), .invalidPriority("4")),
        (OpportunityForm(expectedClosing: "31/12/2026"), .invalidDate("31/12/2026")),
        (OpportunityForm(tags: ["a,b"]), .invalidTag("a,b")),
        (OpportunityForm(currency: "dollars"), .invalidCurrency("dollars")),
        (OpportunityForm(probability: "150"), .invalidProbability("150")),
        (OpportunityForm(title: "\u{1B}]0;pwned\u{07}"), .controlCharacter(.title, codePoint: 0x1B)),
    ])
    func formValidationNamesTheField(_ form: OpportunityForm, _ error: PipelineError) {
        #expect(throws: error) { try form.validated(language: .english, currency: .usd) }
        #expect(error.field != nil)
    }
}

@Suite("Forecast and ranks")
struct ForecastTests {
    @Test func byStageSeparatesOpenWonAndLost() {
        let world = World()
        func figures(_ count: Int, _ expected: Int64, _ weighted: Int64) -> Figures {
            var figures = Figures(count: count)
            figures.expected.add(Money(minorUnits: expected, currency: .usd)!)
            figures.weighted.add(Money(minorUnits: weighted, currency: .usd)!)
            return figures
        }
        let forecast = Forecast.byStage(stages: world.sales.stages, figures: [
            world.stage("New").id: figures(2, 1_000, 50),
            world.stage("Proposition").id: figures(1, 500, 250),
            world.stage("Won").id: figures(1, 700, 700),
            world.stage("Lost").id: figures(3, 900, 0),
        ])
        #expect(forecast.rows.count == 6)
        #expect(forecast.open.count == 3)
        #expect(forecast.open.expected[.usd] == 1_500)
        #expect(forecast.open.weighted[.usd] == 300)
        #expect(forecast.won.count == 1)
        #expect(forecast.won.expected[.usd] == 700)
    }

    @Test func ranksLeaveGapsAndReportWhenNeighboursTouch() {
        #expect(CardRank.between(nil, nil) == 0)
        #expect(CardRank.between(0, nil) == CardRank.spacing)
        #expect(CardRank.between(nil, 0) == -CardRank.spacing)
        #expect(CardRank.between(0, 10) == 5)
        #expect(CardRank.between(4, 5) == nil)
        #expect(CardRank.between(Int64.max - 1, nil) == nil)
    }

    /// Ranks at either end of Int64 (a backup can hold them) neither trap nor leave the gap.
    @Test func ranksAtTheEndsOfInt64DoNotOverflow() {
        #expect(CardRank.between(-5, Int64.max) == Int64.max / 2 - 2)
        #expect(CardRank.between(Int64.min, Int64.max) == -1)
        #expect(CardRank.between(Int64.min, Int64.min + 2) == Int64.min + 1)
        #expect(CardRank.between(Int64.max - 1, Int64.max) == nil)
        #expect(CardRank.between(-3, -1) == -2)
        #expect(CardRank.between(-4, -1) == -3)
        // A whole column shifted below another: refused when it would not fit, else exact.
        #expect(CardRank.shift(column: Int64.min, 0, below: Int64.max) == nil)
        #expect(CardRank.shift(column: 0, Int64.max, below: 10) == nil)
        #expect(CardRank.shift(column: -10, 10, below: 100) == 110 + CardRank.spacing)
        #expect(CardRank.shift(column: 5, 9, below: nil) == 0)
    }
}
