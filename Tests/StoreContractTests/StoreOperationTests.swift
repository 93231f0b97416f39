import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

@Suite("Store: stages and teams")
struct StageStoreTests {
    @Test(arguments: EngineKind.allCases) func addingStagesAtAPositionAndTheSeventhHint(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let team = try temporary.sales
        let (demo, hint) = try db.addStage(StageDraft(name: "Demo", probability: Probability(percent: 30)), in: team.id, at: 3)
        #expect(hint?.message.contains("7 stages") == true)
        #expect(try db.pipeline(for: team.id).stages.map(\.name) == ["New", "Qualified", "Demo", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(try db.pipeline(for: team.id).rank(of: demo.id) == 3)
        #expect(throws: PipelineError.duplicateStageName("demo", pipeline: nil)) {
            try db.addStage(StageDraft(name: "demo"), in: team.id, at: nil)
        }
    }

    @Test(arguments: EngineKind.allCases) func reorderingASharedStageReordersItForEveryTeam(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let sales = try temporary.sales
        let export = try db.addTeam(named: "Export", context: temporary.context())
        let (customs, _) = try db.addStage(StageDraft(name: "Customs", scope: .team(export.id)), in: export.id, at: 2)
        let won = try temporary.stage("Won")
        _ = try db.moveStage(won.id, in: sales.id, to: .position(1))
        #expect(try db.pipeline(for: sales.id).stages.map(\.name) == ["Won", "New", "Qualified", "Proposition", "Negotiation", "Lost"])
        #expect(try db.pipeline(for: export.id).stages.map(\.name) == ["Won", "New", "Customs", "Qualified", "Proposition", "Negotiation", "Lost"])
        _ = try db.moveStage(customs.id, in: export.id, to: .after(try temporary.stage("Lost").id))
        #expect(try db.pipeline(for: export.id).stages.last?.name == "Customs")
        #expect(try db.pipeline(for: sales.id).stages.count == 6)
    }

    @Test(arguments: EngineKind.allCases) func editingAStageProbabilityReachesFollowersOnly(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let follower = try temporary.add("Follower", revenue: "1,000.00", stage: "Proposition")
        let byHand = try temporary.add("By hand", revenue: "1,000.00", stage: "Proposition", probability: "42")
        let archived = try db.archive(try temporary.add("Archived", stage: "Proposition").id, context: temporary.context())
        let proposition = try temporary.stage("Proposition")
        _ = try db.editStage(proposition.id, StageEdit(probability: Probability(percent: 60)), context: temporary.context())
        #expect(try db.opportunity(follower.id)?.probability == Probability(percent: 60))
        #expect(try db.opportunity(follower.id)?.weightedRevenue.minorUnits == 60_000)
        #expect(try db.opportunity(byHand.id)?.probability == Probability(percent: 42))
        #expect(try db.opportunity(archived.id)?.probability == Probability(percent: 50))
        // The stored weighted revenue and the maintained totals follow.
        let figures = try db.stageFigures(team: nil)[proposition.id]
        #expect(figures?.count == 2)
        #expect(figures?.weighted[.usd] == Int128(60_000 + 42_000))
    }

    @Test(arguments: EngineKind.allCases) func aStageBecomingWonForcesAHundredPercent(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let deal = try temporary.add("Deal", stage: "Negotiation", probability: "80")
        _ = try temporary.store.editStage(try temporary.stage("Negotiation").id, StageEdit(outcome: .won), context: temporary.context())
        let reloaded = try #require(try temporary.store.opportunity(deal.id))
        #expect(reloaded.probability == .certain)
        #expect(!reloaded.probabilitySetByHand)
    }

    @Test(arguments: EngineKind.allCases) func staleStageEditsAreRefused(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let loaded = try temporary.stage("New")
        let other = try temporary.reopen()
        _ = try other.editStage(loaded.id, StageEdit(requirements: "Call within a day"), context: temporary.context())
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.changedSinceLoaded(kind: "stage", id: loaded.id.rawValue)) {
            try temporary.store.editStage(loaded.id, StageEdit(probability: Probability(percent: 9)),
                                             expectedVersion: loaded.version, context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test(arguments: EngineKind.allCases) func removingAStageIsRefusedWhileItHoldsDealsArchivedIncluded(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let deal = try temporary.add("Deal", stage: "Qualified")
        _ = try db.archive(deal.id, context: temporary.context())
        let qualified = try temporary.stage("Qualified")
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.stageNotEmpty(stage: "Qualified", count: 1)) {
            try db.removeStage(qualified.id, movingTo: nil, context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
        let removal = try db.removeStage(qualified.id, movingTo: try temporary.stage("Negotiation").id, context: temporary.context())
        // What moved, as it was and with its version after the move: what undo puts back.
        #expect(removal.moved.map(\.before.id) == [deal.id])
        #expect(removal.moved.first?.before.stage == qualified.id)
        #expect(removal.moved.first?.versionAfterMove == (try db.opportunity(deal.id))?.version)
        let reloaded = try #require(try db.opportunity(deal.id))
        #expect(reloaded.stage == (try temporary.stage("Negotiation").id))
        #expect(reloaded.probability == Probability(percent: 75))
        // Created, archived where it stood, then moved by the removal.
        #expect(try db.history(of: deal.id).map(\.toName) == ["Qualified", "Qualified", "Negotiation"])
        #expect(try db.history(of: deal.id).map(\.change.event) == [.created, .archived, .moved])
        #expect(try db.pipeline(for: temporary.sales.id).stages.count == 5)
    }

    @Test(arguments: EngineKind.allCases) func aFailedActionRollsBackCompletely(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let export = try db.addTeam(named: "Export", context: temporary.context())
        let (exportOnly, _) = try db.addStage(StageDraft(name: "Export only", scope: .team(export.id)), in: export.id, at: nil)
        try temporary.add("Sales deal", stage: "New")
        try temporary.add("Export deal", stage: "New", team: export.id)
        let before = try temporary.snapshot()
        // Export's deal could move to its own stage, Sales' cannot: the whole removal is undone.
        #expect(throws: PipelineError.self) {
            try db.removeStage(try temporary.stage("New").id, movingTo: exportOnly.id, context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test(arguments: EngineKind.allCases) func teamsAreUniqueIgnoringCaseAndRemovalIsGuarded(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        #expect(throws: PipelineError.duplicateTeamName("SALES")) { try db.addTeam(named: "SALES", context: temporary.context()) }
        #expect(throws: PipelineError.lastTeam("Sales")) { try db.removeTeam(try temporary.sales.id, movingTo: nil, context: temporary.context()) }
        let export = try db.addTeam(named: "  Export ", context: temporary.context())
        #expect(export.name == "Export")
        let (customs, _) = try db.addStage(StageDraft(name: "Customs", scope: .team(export.id)), in: export.id, at: nil)
        let shared = try temporary.add("Shared-stage deal", stage: "Proposition", team: export.id)
        let own = try db.addOpportunity(try OpportunityForm(title: "Own-stage deal").validated(language: .english, currency: .usd),
                                        team: export.id, stage: customs.id, context: temporary.context())
        #expect(throws: PipelineError.teamNotEmpty("Export", opportunities: 2, leads: 0)) {
            try db.removeTeam(export.id, movingTo: nil, context: temporary.context())
        }
        let removal = try db.removeTeam(export.id, movingTo: try temporary.sales.id, context: temporary.context())
        #expect(removal.opportunitiesMoved == 2)
        #expect(try db.opportunity(shared.id)?.stage == (try temporary.stage("Proposition").id))
        let movedOwn = try #require(try db.opportunity(own.id))
        #expect(movedOwn.team == (try temporary.sales.id))
        #expect(movedOwn.stage == (try temporary.stage("New").id))   // the entry stage: Sales has no "Customs"
        #expect(movedOwn.probability == Probability(percent: 5))
        #expect(try db.catalog().stages.contains { $0.name == "Customs" } == false)
        #expect(try db.teams().map(\.name) == ["Sales"])
    }

    @Test(arguments: EngineKind.allCases) func anEmptyTeamGoesWithItsOwnStages(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let export = try db.addTeam(named: "Export", context: temporary.context())
        _ = try db.addStage(StageDraft(name: "Customs", scope: .team(export.id)), in: export.id, at: nil)
        try db.setSetting(.team, to: "export")
        #expect(try db.currentTeam().name == "Export")
        _ = try db.removeTeam(export.id, movingTo: nil, context: temporary.context())
        #expect(try db.catalog().stages.count == 6)
        #expect(try db.currentTeam().name == "Sales")
    }
}

@Suite("Store: opportunities")
struct OpportunityStoreTests {
    @Test(arguments: EngineKind.allCases) func movingAppliesTheRuleRecordsHistoryAndUpdatesTotals(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let deal = try temporary.add("Acme", revenue: "1,000.00")
        #expect(deal.stage == (try temporary.stage("New").id))
        #expect(deal.probability == Probability(percent: 5))
        let moved = try db.moveOpportunity(deal.id, to: try temporary.stage("Proposition").id, context: temporary.context("minh"))
        #expect(moved.probability == Probability(percent: 50))
        #expect(moved.version == deal.version + 1)
        let history = try db.history(of: deal.id)
        #expect(history.map(\.toName) == ["New", "Proposition"])
        #expect(history.map(\.fromName) == [nil, "New"])
        #expect(history.last?.change.by == "minh")
        let figures = try db.stageFigures(team: nil)
        #expect(figures[try temporary.stage("New").id]?.count ?? 0 == 0)
        #expect(figures[try temporary.stage("Proposition").id]?.weighted[.usd] == 50_000)
    }

    @Test(arguments: EngineKind.allCases) func aStaleUpdateIsRefusedAndChangesNothing(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let loaded = try temporary.add("Acme")
        let colleague = try temporary.reopen()
        _ = try colleague.moveOpportunity(loaded.id, to: try temporary.stage("Qualified").id, context: temporary.context("minh"))
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.changedSinceLoaded(kind: "opportunity", id: loaded.id.rawValue)) {
            try temporary.store.moveOpportunity(loaded.id, to: try temporary.stage("Won").id,
                                                   expectedVersion: loaded.version, context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
        #expect(PipelineError.changedSinceLoaded(kind: "opportunity", id: 1).message.contains("changed by someone else meanwhile, so this was not saved"))
    }

    @Test(arguments: EngineKind.allCases) func wonLostRestoreArchiveDelete(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let deal = try temporary.add("Acme", stage: "Negotiation")
        #expect(try db.markLost(deal.id, reason: "Budget cut", context: temporary.context()).stage == (try temporary.stage("Lost").id))
        let restored = try db.restore(deal.id, context: temporary.context())
        #expect(restored.stage == (try temporary.stage("Negotiation").id))
        #expect(restored.probability == Probability(percent: 75))
        #expect(restored.lostReason == nil)
        let won = try db.markWon(deal.id, context: temporary.context())
        #expect(won.stage == (try temporary.stage("Won").id) && won.probability == .certain)
        #expect(!(try db.archive(deal.id, context: temporary.context()).isActive))
        try db.deleteOpportunity(deal.id)
        #expect(try db.opportunity(deal.id) == nil)
        #expect(try temporary.historyLines().isEmpty)
        #expect(throws: PipelineError.unknownOpportunity(String(deal.id.rawValue))) {
            try db.markWon(deal.id, context: temporary.context())
        }
    }

    @Test(arguments: EngineKind.allCases) func aDealMovedOutOfTheLostStageIsNoLongerLostWhateverMovesIt(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let lost = { (title: String) throws -> Opportunity in
            let deal = try temporary.add(title, stage: "Negotiation")
            return try db.markLost(deal.id, reason: "Too expensive", context: temporary.context())
        }
        // One card moved.
        let moved = try db.moveOpportunity(try lost("Moved").id, to: try temporary.stage("Proposition").id, context: temporary.context())
        #expect(moved.lostReason == nil && moved.isActive && moved.probability == Probability(percent: 50))
        #expect(try db.opportunity(moved.id)?.lostReason == nil)
        // Into the won stage.
        let won = try db.moveOpportunity(try lost("Won").id, to: try temporary.stage("Won").id, context: temporary.context())
        #expect(try db.opportunity(won.id)?.lostReason == nil)
        // An edit naming another stage.
        let edited = try db.editOpportunity(try lost("Edited").id, OpportunityChanges(), stage: try temporary.stage("New").id,
                                            context: temporary.context())
        #expect(try db.opportunity(edited.id)?.lostReason == nil)
        // The whole lost column moved at once, as removing it does; archived deals included.
        let stillActive = try lost("Column, active")
        let archived = try db.archive(try lost("Column, archived").id, context: temporary.context())
        _ = try db.removeStage(try temporary.stage("Lost").id, movingTo: try temporary.stage("Qualified").id, context: temporary.context())
        #expect(try db.opportunity(stillActive.id)?.lostReason == nil)
        #expect(try db.opportunity(archived.id)?.lostReason == nil)
        #expect(try db.opportunity(archived.id)?.isActive == false)
    }

    @Test(arguments: EngineKind.allCases) func aColumnMovedToAnotherLostStageOrAnArchivedLossInAnOpenOneKeepsItsReasons(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let (rival, _) = try db.addStage(StageDraft(name: "Lost to a rival", outcome: .lost), in: try temporary.sales.id, at: nil)
        let inLost = try db.markLost(try temporary.add("In Lost", stage: "Proposition").id, reason: "Too expensive", context: temporary.context())
        _ = try db.removeStage(try temporary.stage("Lost").id, movingTo: rival.id, context: temporary.context())
        #expect(try db.opportunity(inLost.id)?.lostReason == "Too expensive")
        // Without a lost stage, a loss archives the deal where it is; its column removed, it is still lost.
        _ = try db.removeStage(rival.id, movingTo: try temporary.stage("Won").id, context: temporary.context())
        let archivedLoss = try db.markLost(try temporary.add("Archived loss", stage: "Qualified").id, reason: "No budget", context: temporary.context())
        #expect(!archivedLoss.isActive)
        _ = try db.removeStage(try temporary.stage("Qualified").id, movingTo: try temporary.stage("Proposition").id, context: temporary.context())
        #expect(try db.opportunity(archivedLoss.id)?.lostReason == "No budget")
    }

    @Test(arguments: EngineKind.allCases) func namesResolveIgnoringCaseAndAmbiguityListsTheMatches(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let acme = try temporary.add("Acme renewal")
        #expect(try temporary.store.opportunity("ACME RENEWAL").id == acme.id)
        #expect(try temporary.store.opportunity(String(acme.id.rawValue)).id == acme.id)
        let twin = try temporary.add("acme renewal")
        #expect(throws: PipelineError.ambiguousName(kind: "opportunity", name: "Acme Renewal",
                                                    matches: ["\(acme.id) Acme renewal", "\(twin.id) acme renewal"])) {
            try temporary.store.opportunity("Acme Renewal")
        }
        #expect(throws: PipelineError.unknownOpportunity("Globex")) { try temporary.store.opportunity("Globex") }
    }

    @Test(arguments: EngineKind.allCases) func columnsArePagedByKeysetInRankOrder(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        var added: [Opportunity] = []
        for index in 0..<25 { added.append(try temporary.add("Deal \(index)")) }
        // New cards go on top, so the column reads newest first.
        let team = try temporary.sales.id, new = try temporary.stage("New").id
        var seen: [Opportunity.ID] = []
        var anchor = WindowAnchor.top
        var pages = 0
        while true {
            let page = try db.cardWindow(ColumnQuery(team: team, stage: new), anchor: anchor, limit: 10)
            pages += 1
            #expect(page.cards.count == 10)  // near the end a window is filled from above
            seen += page.cards.map(\.id).filter { !seen.contains($0) }
            guard page.hasMoreBelow, let last = page.cards.last else { break }
            anchor = .after(last.cursor)
        }
        #expect(pages == 3)
        #expect(seen == added.reversed().map(\.id))
    }

    @Test(arguments: EngineKind.allCases) func reorderingInsideAColumnMatchesAReferenceModelAndRespacesLocally(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let new = try temporary.stage("New").id
        var model: [Opportunity.ID] = []
        for index in 0..<40 { model.insert(try temporary.add("Card \(index)").id, at: 0) }
        // Always insert right after the first card: the gap halves each time until the
        // neighbours touch and the store must respace.
        var generator = SystemRandomNumberGenerator()
        for step in 0..<120 {
            let moving = model[Int.random(in: 2..<model.count, using: &generator)]
            let anchor = model[step % 3 == 0 ? 0 : 1]
            guard moving != anchor else { continue }
            let placement: CardPlacement = step % 5 == 4 ? .before(anchor) : .after(anchor)
            _ = try db.moveOpportunity(moving, to: new, placement: placement, context: temporary.context())
            model.removeAll { $0 == moving }
            let index = model.firstIndex(of: anchor)! + (placement == .after(anchor) ? 1 : 0)
            model.insert(moving, at: index)
            let column = try db.cardWindow(ColumnQuery(team: try temporary.sales.id, stage: new), anchor: .top, limit: 100).cards.map(\.id)
            #expect(column == model, "after step \(step)")
        }
        let ranks = try temporary.records().map(\.rank)
        #expect(Set(ranks).count == ranks.count)
    }

    @Test(arguments: EngineKind.allCases) func twoConnectionsWritingOneFileLoseNothing(_ engine: EngineKind) async throws {
        let temporary = try StoreFixture(engine)
        let team = try temporary.sales.id
        let first = try temporary.reopen(), second = try temporary.reopen()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (writer, name) in [(first, "first"), (second, "second")] {
                group.addTask {
                    for index in 0..<150 {
                        let changes = try OpportunityForm(title: "\(name) \(index)", expectedRevenue: "10").validated(language: .english, currency: .usd)
                        let deal = try writer.addOpportunity(changes, team: team, stage: nil,
                                                             context: ChangeContext(now: testNow, user: name))
                        if index % 3 == 0 {
                            _ = try writer.moveOpportunity(deal.id, to: Stage.ID(3), context: ChangeContext(now: testNow, user: name))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try temporary.records().count == 300)
        #expect(try temporary.store.integrityProblems() == [])
        #expect(try temporary.historyLines().count == 300 + 100)
        #expect(try temporary.store.stageFigures(team: nil).values.reduce(0) { $0 + $1.count } == 300)
    }

    @Test(arguments: EngineKind.allCases) func maintainedTotalsMatchTheOpportunitiesAfterManyChanges(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let export = try db.addTeam(named: "Export", context: temporary.context())
        var generator = SystemRandomNumberGenerator()
        let stages = try db.pipeline(for: temporary.sales.id).stages
        var ids: [Opportunity.ID] = []
        for index in 0..<60 {
            let team = index % 2 == 0 ? try temporary.sales.id : export.id
            let vnd = index % 3 == 0
            let revenue = "\(Int.random(in: 0...99_999_999, using: &generator))" + (vnd ? "" : ".\(Int.random(in: 10...99, using: &generator))")
            ids.append(try temporary.add("Deal \(index)", revenue: revenue, currency: vnd ? "VND" : "USD", team: team).id)
        }
        for _ in 0..<200 {
            let id = ids.randomElement(using: &generator)!
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: _ = try db.moveOpportunity(id, to: stages.randomElement(using: &generator)!.id, context: temporary.context())
            case 1: _ = try? db.markLost(id, reason: "No", context: temporary.context())
            case 2: _ = try? db.restore(id, context: temporary.context())
            case 3: _ = try db.archive(id, context: temporary.context())
            case 4: _ = try? db.editOpportunity(id, try OpportunityForm(expectedRevenue: "\(Int.random(in: 0...5_000_000, using: &generator))", probability: "\(Int.random(in: 0...100, using: &generator))").validated(language: .english, currency: .usd), context: temporary.context())
            default: _ = try db.editStage(stages.randomElement(using: &generator)!.id, StageEdit(isFolded: Bool.random(using: &generator)), context: temporary.context())
            }
        }
        // The kept totals equal the truth: the engine's own check compares every kept row
        // (active and archived) with the records, and each team's board figures — the kept
        // counts and sums, weighted ones included — are those of its active records.
        #expect(try temporary.store.integrityProblems() == [])
        let records = try temporary.records().filter { $0.kind == .opportunity }
        for team in try db.teams() {
            var truth: [Stage.ID: Figures] = [:]
            for record in records where record.team == team.id && record.isActive {
                if let stage = record.stage { truth[stage, default: Figures()].add(record) }
            }
            #expect(try db.stageFigures(team: team.id) == truth)
        }

    }

    @Test(arguments: EngineKind.allCases) func forecastSumsAreExactPerCurrencyAndGrouping(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        try temporary.add("A", revenue: "1,000.01", stage: "New", salesperson: "Lan", closing: "2026-12-05")        // 5%: 50.0005 -> 50.00
        try temporary.add("B", revenue: "333.33", stage: "Proposition", salesperson: "Minh", closing: "2026-12-20") // 50%: 166.665 -> 166.67
        try temporary.add("C", revenue: "1500000", stage: "Negotiation", currency: "VND", salesperson: "Lan")       // 75%: 1,125,000
        try temporary.add("D", revenue: "2,000.00", stage: "Won")
        let lost = try temporary.add("E", revenue: "9,999.00", stage: "Proposition")
        _ = try db.markLost(lost.id, reason: "Gone", context: temporary.context())
        let forecast = try db.forecast(team: nil, groupedBy: .stage)
        #expect(forecast.open.count == 3)
        #expect(forecast.open.expected[.usd] == 133_334)
        #expect(forecast.open.weighted[.usd] == 5_000 + 16_667)
        #expect(forecast.open.expected[.vnd] == 1_500_000)
        #expect(forecast.open.weighted[.vnd] == 1_125_000)
        #expect(forecast.won.count == 1 && forecast.won.expected[.usd] == 200_000)
        let byMonth = try db.forecast(team: try temporary.sales.id, groupedBy: .month)
        #expect(byMonth.rows.map(\.key) == ["2026-12", nil])
        #expect(byMonth.rows[0].figures.count == 2)
        #expect(byMonth.rows[0].figures.weighted[.usd] == 21_667)
        let bySalesperson = try db.forecast(team: nil, groupedBy: .salesperson)
        #expect(bySalesperson.rows.map(\.key) == ["Lan", "Minh"])
        #expect(bySalesperson.rows[0].figures.expected[.vnd] == 1_500_000)
        #expect(bySalesperson.rows[0].figures.expected[.usd] == 100_001)
    }
}
