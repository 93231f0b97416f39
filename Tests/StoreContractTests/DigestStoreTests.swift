import Testing
@testable import PipelineCore
import PipelineStorage

/// The weekly digest (issue 14) read from every engine: the deals changed since the period
/// began, with their whole history, walked back from today's forecast.
@Suite("Store: the weekly digest")
struct DigestStoreTests {
    static let hour: Int64 = 3_600_000

    func openWeighted(_ store: any PipelineStore, team: Team.ID? = nil, salesperson: String? = nil) throws -> [CurrencyCode: Int128] {
        try store.forecast(team: team, groupedBy: .stage, salesperson: salesperson).open.weighted.minorUnits.filter { $0.value != 0 }
    }

    static func figures(_ digest: Digest, _ key: KeyPath<DigestBridge, Int128>) -> [CurrencyCode: Int128] {
        Dictionary(uniqueKeysWithValues: digest.bridges.map { ($0.currency, $0[keyPath: key]) }).filter { $0.value != 0 }
    }

    /// The forecast taken at the start and the end of the period equals the digest's two
    /// figures; a restore, an edit of amount and probability together, a deal in euros and one
    /// of another salesperson among the changes.
    @Test(arguments: EngineKind.allCases) func theDigestMeetsTheForecastAtBothEnds(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let db = fixture.store
        let a = try fixture.add("A", revenue: "1,000.00", stage: "New")
        let b = try fixture.add("B", revenue: "2,000.00", stage: "Qualified", salesperson: "minh")
        let c = try fixture.add("C", revenue: "300.00", stage: "Proposition", currency: "EUR")
        _ = try db.markLost(c.id, reason: "price", context: fixture.context())
        let startForecast = try openWeighted(db)
        let startForMinh = try openWeighted(db, salesperson: "minh")
        fixture.clock += Self.hour
        let start = Timestamp(millisecondsSince1970: fixture.clock)
        _ = try db.restore(c.id, context: fixture.context())
        _ = try db.editOpportunity(a.id, try OpportunityForm(expectedRevenue: "1,200.00", probability: "40")
            .validated(language: .english, currency: .usd), context: fixture.context())
        _ = try db.moveOpportunity(b.id, to: try fixture.stage("Proposition").id, context: fixture.context())
        let d = try fixture.add("D", revenue: "999.99", stage: "New")
        _ = try db.markWon(d.id, context: fixture.context())
        let endForecast = try openWeighted(db)
        let endForMinh = try openWeighted(db, salesperson: "minh")
        let end = Timestamp(millisecondsSince1970: fixture.clock)
        fixture.clock += Self.hour
        _ = try db.moveOpportunity(a.id, to: try fixture.stage("Qualified").id, context: fixture.context())
        let today = RottingDay(today: Timestamp(millisecondsSince1970: fixture.clock).utcDate, utcOffsetSeconds: 0)

        let digest = try db.digest(start: start, end: end, team: try fixture.sales.id, salesperson: nil, day: today)
        #expect(Self.figures(digest, \.start) == startForecast)
        #expect(Self.figures(digest, \.end) == endForecast)
        for bridge in digest.bridges { #expect(bridge.start + bridge.parts.reduce(0) { $0 + $1.amount } == bridge.end) }
        let usd = try #require(digest.bridges.first { $0.currency == .usd })
        // A: $1,000 at 5 % → $1,200 (+$10 at 5 %) → 40 % (+$420); B: 15 % → 50 % of $2,000.
        #expect(usd.part(.amount) == 10_00 && usd.part(.probability) == 420_00 && usd.part(.moved) == 700_00)
        #expect(digest.bridges.first { $0.currency.code == "EUR" }?.part(.restored) == 150_00)
        #expect(digest.created.map(\.title) == ["D"] && digest.won.map(\.title) == ["D"] && digest.moved.map(\.title) == ["B"])
        #expect(digest.won.first?.amount == Money(minorUnits: 999_99, currency: .usd))

        let minh = try db.digest(start: start, end: end, team: nil, salesperson: "MINH", day: today)
        #expect(Self.figures(minh, \.start) == startForMinh && Self.figures(minh, \.end) == endForMinh)
        #expect(minh.moved.map(\.title) == ["B"] && minh.created.isEmpty)
    }
}
