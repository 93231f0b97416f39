import Testing
@testable import PipelineCore
import PipelineStorage

/// The figures of issue 14 read from every engine: the closed deals' history streamed into
/// seen rates, the open deals into the range.
@Suite("Store: seen rates and the forecast range")
struct FiguresStoreTests {
    static let day: Int64 = 86_400_000

    @Test(arguments: EngineKind.allCases) func seenRatesComeFromTheHistory(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let db = fixture.store
        // A: New, two days later Qualified, three days later won. B: created in Qualified,
        // lost a day later. C: open, archived (never closed). D: open in Proposition.
        let a = try fixture.add("A", stage: "New")
        let b = try fixture.add("B", stage: "Qualified")
        let c = try fixture.add("C", stage: "Qualified")
        try fixture.add("D", stage: "Proposition")
        fixture.clock += 2 * Self.day
        _ = try db.moveOpportunity(a.id, to: try fixture.stage("Qualified").id, context: fixture.context())
        _ = try db.archive(c.id, context: fixture.context())
        fixture.clock += Self.day
        _ = try db.markLost(b.id, reason: "price", context: fixture.context())
        let bClosed = Timestamp(millisecondsSince1970: fixture.clock)
        fixture.clock += 2 * Self.day
        _ = try db.markWon(a.id, context: fixture.context())
        let observed = Dictionary(uniqueKeysWithValues: try db.stageObservations(team: try fixture.sales.id, since: nil).map { ($0.stage, $0) })
        let new = try #require(observed[try fixture.stage("New").id])
        let qualified = try #require(observed[try fixture.stage("Qualified").id])
        #expect((new.won, new.lost) == (1, 0))
        #expect((qualified.won, qualified.lost) == (1, 1))
        let proposition = try fixture.stage("Proposition").id, won = try fixture.stage("Won").id, lost = try fixture.stage("Lost").id
        #expect(observed[proposition]?.n == 0)
        #expect(observed[won]?.won == 1 && observed[lost]?.lost == 1)
        // New: A's two days (and the minutes between the fixture's steps).
        #expect(abs((new.medianDays ?? 0) - 2) < 0.01)
        // Qualified: A three days, B about three days (created at the start, lost on day 3).
        #expect(abs((qualified.medianDays ?? 0) - 3) < 0.01)
        #expect(qualified.exits == [.won: 1, .lost: 1])
        // Only deals closed after B: A alone.
        let since = Timestamp(millisecondsSince1970: bClosed.millisecondsSince1970 + 1)
        let later = try db.stageObservations(team: nil, since: since)
        #expect(later.first { $0.stage == qualified.stage }.map { ($0.won, $0.lost) } ?? (0, 0) == (1, 0))
    }

    @Test(arguments: EngineKind.allCases) func theRangeTakesOpenActiveDealsOnly(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let db = fixture.store
        try fixture.add("X", revenue: "1,000.00", stage: "Qualified", probability: "50", salesperson: "lan", closing: "2027-01-10")
        try fixture.add("Y", revenue: "3,000.00", stage: "Qualified", probability: "20", salesperson: "lan", closing: "2027-01-20")
        try fixture.add("Z", revenue: "500.00", stage: "Proposition", probability: "90", salesperson: "Lan")
        try fixture.add("Someone else's", revenue: "7,000.00", stage: "Proposition", salesperson: "minh")
        try fixture.add("Won", revenue: "9,000.00", stage: "Won")
        _ = try db.markLost(try fixture.add("Lost", revenue: "9,000.00", stage: "Proposition").id, reason: "price", context: fixture.context())
        _ = try db.archive(try fixture.add("Archived", revenue: "9,000.00", stage: "Proposition").id, context: fixture.context())
        let mine = try #require(try db.forecastRange(team: try fixture.sales.id, salesperson: "LAN").currencies.first)
        #expect(mine.whole.count == 3 && mine.whole.weighted == 155_000)
        #expect([mine.whole.p10, mine.whole.p50, mine.whole.p90] == [50_000, 150_000, 350_000])
        #expect(mine.months.map(\.key) == ["2027-01", nil])
        #expect(mine.drivers.map(\.title) == ["Y", "X", "Z"])
        let everyone = try #require(try db.forecastRange(team: nil, salesperson: nil).currencies.first)
        #expect(everyone.whole.count == 4)
    }

    /// The range a store reads in bounded memory (two narrow statements, `BoundedBuilder`)
    /// against the core's `Builder` over the same deals read whole, in id order: the same
    /// figures exactly, drivers' titles included, for groups of every method — listed (≤ 16
    /// uncertain deals), convolved on a grid (amounts of whole thousands), bucketed (amounts
    /// from $1 to $10,000,000: total ÷ smallest × count passes 20 million) — in two
    /// currencies, three months and none, with deals at 0 % and 100 %, and a closing date
    /// stored malformed (SQL's month is not the core's: the deals stream once more).
    @Test(arguments: EngineKind.allCases) func theStoresRangeIsTheBuildersOverItsDeals(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let db = fixture.store
        var generator = SeededGenerator(seed: 14)
        let months = ["2027-01-15", "2027-02-03", "2027-03-30", nil]
        for index in 0..<150 {
            let group = index % 5
            let probability = ["0", "100", "10", "35", "50", "75", "90", "37.5"].randomElement(using: &generator)!
            let revenue: String, currency: String?
            switch group {
            case 0, 1: // bucketed: USD, amounts far apart
                revenue = index % 7 == 0 ? "10,000,000.00" : String(Int.random(in: 1...5_000, using: &generator))
                currency = nil
            case 2: // convolved: VND on a grid of 1,000
                revenue = String(Int.random(in: 1...200, using: &generator) * 1_000)
                currency = "VND"
            default: // listed: a few deals per month
                revenue = String(Int.random(in: 1...90_000, using: &generator))
                currency = index < 60 ? "EUR" : nil
            }
            try fixture.add("Deal \(index)", revenue: revenue, stage: ["New", "Qualified", "Proposition"][index % 3], currency: currency,
                            probability: probability, salesperson: index % 2 == 0 ? "lan" : "minh",
                            closing: group == 4 && index > 60 ? nil : months[index % 4])
        }
        try fixture.add("Closed", revenue: "9,000.00", stage: "Won")
        try fixture.executeAsOwner("UPDATE opportunity SET expected_closing = '2027-13-01' WHERE title = 'Deal 5'")
        func reference(salesperson: String?) throws -> ForecastRange {
            let open = Set(try db.catalog().stages.filter { $0.outcome == .open }.map(\.id))
            var deals: [RangeDeal] = []
            try db.forEachOpportunity(OpportunityFilter(salesperson: salesperson)) { deal in
                if let stage = deal.stage, open.contains(stage), deal.lostReason == nil { deals.append(RangeDeal(deal)) }
            }
            return ForecastRange.of(deals.sorted { $0.id.rawValue < $1.id.rawValue }, preferring: try db.defaultCurrency())
        }
        for salesperson in [nil, "LAN"] {
            let found = try db.forecastRange(team: nil, salesperson: salesperson)
            let expected = try reference(salesperson: salesperson)
            #expect(found.currencies.map(\.currency) == expected.currencies.map(\.currency))
            for (mine, theirs) in zip(found.currencies, expected.currencies) {
                #expect(mine.whole == theirs.whole, "\(mine.currency)")
                #expect(mine.months == theirs.months, "\(mine.currency)")
                #expect(mine.drivers == theirs.drivers, "\(mine.currency)")
            }
            let methods = Set(found.currencies.flatMap { [$0.whole] + $0.months.map(\.range) }.map { !$0.exact ? "bucketed" : $0.count > 16 ? "convolved" : "listed" })
            #expect(salesperson != nil || methods == ["bucketed", "convolved", "listed"], "\(methods)")
        }
    }

    /// The board's "won this month beside last month" (issue 14): active deals in a won stage,
    /// by the instant they entered it, in the months of the user's time (UTC+7 here), of one
    /// salesperson when asked; lost, archived and open deals count nowhere.
    @Test(arguments: EngineKind.allCases) func wonRevenueByTheMonthItWasWon(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let db = fixture.store
        let vietnam = 7 * 3600
        let today = try #require(CalendarDate(year: 2026, month: 12, day: 6))
        let months = [0, 1].map { MonthWindow.of(today, monthsBack: $0, utcOffsetSeconds: vietnam) }
        func at(_ iso: String) throws -> Int64 { try #require(Timestamp(iso8601: iso)).millisecondsSince1970 }
        func won(_ title: String, _ revenue: String, at instant: String, salesperson: String = "lan") throws {
            let deal = try fixture.add(title, revenue: revenue, stage: "Proposition", salesperson: salesperson)
            fixture.clock = try at(instant) - 60_000  // context() moves the clock a minute on
            _ = try db.markWon(deal.id, context: fixture.context())
        }
        // 2026-11-30 17:00 UTC is already 1 December in Vietnam: this month's.
        try won("December in Vietnam", "1,000.00", at: "2026-11-30T17:00:00Z")
        // 16:59 UTC that day is still 30 November there: last month's.
        try won("November's last minute", "200.00", at: "2026-11-30T16:59:00Z")
        try won("Early November", "30.00", at: "2026-11-01T00:00:00Z", salesperson: "minh")
        // 31 October 16:59 UTC is 23:59 in Vietnam: October, neither month.
        try won("October", "4,000.00", at: "2026-10-31T16:59:00Z")
        let archived = try fixture.add("Archived win", revenue: "5,000.00", stage: "Proposition")
        fixture.clock = try at("2026-12-02T00:00:00Z") - 60_000
        _ = try db.markWon(archived.id, context: fixture.context())
        _ = try db.archive(archived.id, context: fixture.context())
        try fixture.add("Open", revenue: "6,000.00", stage: "Proposition")
        _ = try db.markLost(try fixture.add("Lost", revenue: "7,000.00", stage: "Proposition").id, reason: "price", context: fixture.context())

        let figures = try db.wonByMonth(team: try fixture.sales.id, salesperson: nil, months: months)
        #expect(figures.months.map(\.key) == ["2026-12", "2026-11"])
        #expect(figures.figures.map(\.count) == [1, 2])
        #expect(figures.figures.map { $0.expected[.usd] } == [100_000, 23_000])
        let lan = try db.wonByMonth(team: nil, salesperson: "LAN", months: months)
        #expect(lan.figures.map { $0.expected[.usd] } == [100_000, 20_000])
    }
}

