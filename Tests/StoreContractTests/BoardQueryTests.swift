import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

@Suite("Store: what the board reads")
struct BoardQueryTests {
    /// A column of `count` cards, top to bottom "Card 0", "Card 1", …
    func column(_ count: Int, _ engine: EngineKind) throws -> (StoreFixture, ColumnQuery, [Opportunity]) {
        let temporary = try StoreFixture(engine)
        var cards: [Opportunity] = []
        for index in (0..<count).reversed() { cards.insert(try temporary.add("Card \(index)"), at: 0) }
        return (temporary, ColumnQuery(team: try temporary.sales.id, stage: try temporary.stage("New").id), cards)
    }

    @Test(arguments: EngineKind.allCases) func windowsPageThroughAColumnFromEitherEnd(_ engine: EngineKind) throws {
        let (temporary, query, cards) = try column(12, engine)
        let db = temporary.store
        let top = try db.cardWindow(query, anchor: .top, limit: 5)
        #expect(top.cards.map(\.title) == (0..<5).map { "Card \($0)" })
        #expect(!top.hasMoreAbove && top.hasMoreBelow)
        let next = try db.cardWindow(query, anchor: .after(top.cards.last!.cursor), limit: 5)
        #expect(next.cards.map(\.title) == (5..<10).map { "Card \($0)" })
        #expect(next.hasMoreAbove && next.hasMoreBelow)
        let bottom = try db.cardWindow(query, anchor: .bottom, limit: 5)
        #expect(bottom.cards.map(\.title) == (7..<12).map { "Card \($0)" })
        #expect(bottom.hasMoreAbove && !bottom.hasMoreBelow)
        let before = try db.cardWindow(query, anchor: .before(bottom.cards.first!.cursor), limit: 5)
        #expect(before.cards.map(\.title) == (2..<7).map { "Card \($0)" })
        // Near the end a window is filled from the other side.
        let late = try db.cardWindow(query, anchor: .startingAt(cards[10].cursor), limit: 5)
        #expect(late.cards.map(\.title) == (7..<12).map { "Card \($0)" })
        let early = try db.cardWindow(query, anchor: .before(cards[1].cursor), limit: 5)
        #expect(early.cards.map(\.title) == (0..<5).map { "Card \($0)" })
        let whole = try db.cardWindow(query, anchor: .top, limit: 20)
        #expect(whole.cards.count == 12 && !whole.hasMoreAbove && !whole.hasMoreBelow)
    }

    /// A dense filter fills the first window from the column's first rows; a sparse one goes
    /// to the full-text index. Both give the same cards, in column order, paging on alike.
    @Test(arguments: EngineKind.allCases) func denseAndSparseFiltersGiveTheSameWindows(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        var expected: [String] = []
        for index in (0..<60).reversed() {
            let title = index % 2 == 0 ? "Hợp đồng \(index)" : "Other \(index)"
            try temporary.add(title)
            if index % 2 == 0 { expected.insert(title, at: 0) }
        }
        try temporary.add("Đơn hàng hiếm")
        let query = ColumnQuery(team: try temporary.sales.id, stage: try temporary.stage("New").id, filter: "hop dong")
        // Dense: 30 matches among 61 cards.
        let top = try db.cardWindow(query, anchor: .top, limit: 5)
        #expect(top.cards.map(\.title) == Array(expected.prefix(5)))
        #expect(!top.hasMoreAbove && top.hasMoreBelow)
        let next = try db.cardWindow(query, anchor: .after(top.cards.last!.cursor), limit: 5)
        #expect(next.cards.map(\.title) == Array(expected[5..<10]))
        // The whole column through the other path gives the same cards in the same order.
        let all = try db.cardWindow(query, anchor: .top, limit: 100)
        #expect(all.cards.map(\.title) == expected && !all.hasMoreBelow)
        // Sparse: one match; and none.
        let rare = ColumnQuery(team: query.team, stage: query.stage, filter: "hiem")
        #expect(try db.cardWindow(rare, anchor: .top, limit: 5).cards.map(\.title) == ["Đơn hàng hiếm"])
        let none = ColumnQuery(team: query.team, stage: query.stage, filter: "zzz")
        #expect(try db.cardWindow(none, anchor: .top, limit: 5).cards.isEmpty)
    }

    @Test(arguments: EngineKind.allCases) func theFilterMatchesTitleCustomerAndSalespersonIgnoringCaseAndAccents(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        // Unassigned (a new deal would otherwise be its creator's, "lan", and match "lan" below).
        try temporary.add("Chốt được cơ hội Vinamilk", salesperson: "")
        try temporary.add("Đàm phán giá", salesperson: "Lan")
        let other = try temporary.add("Something else", stage: "Proposition", salesperson: "Nguyễn Văn Đức")
        let team = try temporary.sales.id, new = try temporary.stage("New").id
        func titles(_ filter: String) throws -> [String] {
            try db.cardWindow(ColumnQuery(team: team, stage: new, filter: filter), anchor: .top, limit: 10).cards.map(\.title)
        }
        #expect(try titles("chot duoc") == ["Chốt được cơ hội Vinamilk"])
        #expect(try titles("DAM PH") == ["Đàm phán giá"])
        #expect(try titles("lan") == ["Đàm phán giá"])
        #expect(try titles("") .count == 2)
        #expect(try titles("\"; DROP TABLE opportunity; --").isEmpty)
        #expect(try db.matchingCounts(team: team, filter: "duc") == [try temporary.stage("Proposition").id: 1])
        // Edits reach the index.
        _ = try db.editOpportunity(other.id, try OpportunityForm(salesperson: "Lan").validated(language: .english, currency: .usd), context: temporary.context())
        #expect(try db.matchingCounts(team: team, filter: "lan").values.reduce(0, +) == 2)
        try db.deleteOpportunity(other.id)
        #expect(try db.matchingCounts(team: team, filter: "lan").values.reduce(0, +) == 1)
    }

    @Test(arguments: EngineKind.allCases) func revertingRestoresFieldsStageAndProbability(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let before = try temporary.add("Deal", stage: "Qualified", probability: "42")
        let moved = try db.moveOpportunity(before.id, to: try temporary.stage("Won").id, context: temporary.context())
        let reverted = try db.revertOpportunity(to: before, placement: .top, expectedVersion: moved.version, context: temporary.context())
        #expect(reverted.stage == before.stage)
        #expect(reverted.probability == Probability(percent: 42) && reverted.probabilitySetByHand)
        #expect(try db.history(of: before.id).map(\.toName) == ["Qualified", "Won", "Qualified"])
        #expect(throws: PipelineError.changedSinceLoaded(kind: "opportunity", id: before.id.rawValue)) {
            try db.revertOpportunity(to: before, placement: .top, expectedVersion: moved.version, context: temporary.context())
        }
    }

    @Test(arguments: EngineKind.allCases) func anotherConnectionsCommitChangesTheToken(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let token = try temporary.store.changeToken()
        try temporary.add("Own write")
        #expect(try temporary.store.changeToken() == token)
        _ = try temporary.reopen().addTeam(named: "Export", context: temporary.context())
        #expect(try temporary.store.changeToken() != token)
    }
}

/// What the board reads for one screen, in one transaction (`readingTogether`).
@Suite("Store: reads taken together")
struct ReadingTogetherTests {
    /// A colleague's deal committed between two reads taken together is in neither: the
    /// screen's totals and windows come from one snapshot. Outside, it is seen.
    @Test(arguments: EngineKind.allCases) func readsTakenTogetherSeeOneSnapshot(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        try fixture.add("Acme renewal")
        let store = fixture.store, colleague = try fixture.reopen()
        let team = try fixture.sales.id, new = try fixture.stage("New").id
        let form = try OpportunityForm(title: "Globex", expectedRevenue: "500").validated(language: .english, currency: .usd)
        let (before, window, after) = try store.readingTogether {
            let before = try store.stageFigures(team: team)[new]
            _ = try colleague.addOpportunity(form, team: team, stage: new, context: fixture.context("minh"))
            let window = try store.cardWindow(ColumnQuery(team: team, stage: new, filter: ""), anchor: .top, limit: 10)
            return (before, window, try store.stageFigures(team: team)[new])
        }
        #expect(before?.count == 1 && after == before, "\(String(describing: before)) then \(String(describing: after))")
        #expect(window.cards.map(\.title) == ["Acme renewal"])
        #expect(try store.stageFigures(team: team)[new]?.count == 2)
    }

    /// A change asked for inside reads taken together is refused in a sentence, changes
    /// nothing, and leaves the store usable.
    @Test(arguments: EngineKind.allCases) func aChangeInsideReadsTakenTogetherIsRefused(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let store = fixture.store
        let team = try fixture.sales.id
        let form = try OpportunityForm(title: "Globex").validated(language: .english, currency: .usd)
        let refused = try #require(throws: StoreError.self) {
            try store.readingTogether { try store.addOpportunity(form, team: team, stage: nil, context: fixture.context()) }
        }
        #expect(refused.message.hasSuffix("a change was asked for while reading"), "\(refused)")
        #expect(try fixture.records().isEmpty)
        try fixture.add("Afterwards")
        #expect(try fixture.records().map(\.title) == ["Afterwards"])
    }
}
