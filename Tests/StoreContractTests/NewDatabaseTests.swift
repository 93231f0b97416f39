import Foundation
import Testing
@testable import PipelineCore
import PipelineEngines
import PipelineStorage

@Suite("Store: a new database")
struct NewDatabaseTests {
    @Test(arguments: EngineKind.allCases) func aFreshDatabaseHoldsTheGuidesPipeline(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        #expect(try db.teams().map(\.name) == ["Sales"])
        let stages = try db.pipeline(for: temporary.sales.id).stages
        #expect(stages.map(\.name) == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(stages.map(\.probability.basisPoints) == [500, 1_500, 5_000, 7_500, 10_000, 0])
        #expect(stages.map(\.outcome) == [.open, .open, .open, .open, .won, .lost])
        #expect(stages.allSatisfy { $0.changesProbabilityAutomatically && $0.scope == .shared && !$0.requirements.isEmpty })
        #expect(try db.defaultCurrency() == .usd)
    }

    @Test(arguments: EngineKind.allCases) func aVietnameseDatabaseIsNamedInVietnameseOnce(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine, language: .vietnamese)
        #expect(try temporary.store.teams().map(\.name) == ["Bán hàng"])
        #expect(try temporary.store.pipeline(for: temporary.sales.id).stages.map(\.name)
                == ["Mới", "Chất lượng", "Đề xuất", "Thương lượng", "Chốt được cơ hội", "Không chốt được"])
        #expect(try temporary.store.defaultCurrency() == .vnd)
        // Reopening under another language never re-translates the data.
        let english = try StoreOpener.open(temporary.location, seedLanguage: .english, now: testNow, busyTimeout: 5)
        #expect(try english.teams().map(\.name) == ["Bán hàng"])
    }

    @Test(arguments: EngineKind.allCases) func dataSurvivesReopening(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let added = try temporary.add("Acme renewal", revenue: "2,000.50", stage: "Proposition")
        try temporary.store.setSetting(.direction, to: "LTR")
        let reopened = try temporary.reopen()
        let loaded = try #require(try reopened.opportunity(added.id))
        #expect(loaded == added)
        #expect(try reopened.setting(.direction) == "ltr")
        #expect(try reopened.history(of: added.id).map(\.toName) == ["Proposition"])
    }

    @Test(arguments: EngineKind.allCases) func openingTwiceMigratesOnce(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        _ = try temporary.reopen()
        _ = try temporary.reopen()
        #expect(try temporary.store.teams().count == 1)
        #expect(try temporary.store.catalog().stages.count == 6)
    }
}
