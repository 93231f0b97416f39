import Testing
@testable import PipelineCore

/// The forecast range in bounded memory (issue 14): `BoundedBuilder`, told each group's totals
/// first, gives exactly `Builder`'s figures for the same deals in the same order, while keeping
/// only what each group's method needs.
@Suite("Forecast range in bounded memory")
struct BoundedRangeTests {
    static let months: [String?] = ["2026-12", "2027-01", "2027-02", nil]
    static let euro = try! CurrencyCode(stored: "EUR")

    enum Size: CaseIterable { case small, medium, large }

    /// Deals of one group whose range takes the method `size` names: ≤ 16 uncertain deals
    /// (listed outcomes), a few hundred on a grid of 1,000 minor units (exact convolution), or
    /// thousands of any amount with a few very large ones (bucketed).
    static func deals(_ size: Size, currency: CurrencyCode, month: String?, using generator: inout SeededGenerator) -> [RangeDeal] {
        let count: Int
        switch size {
        case .small: count = Int.random(in: 1...16, using: &generator)
        case .medium: count = Int.random(in: 30...120, using: &generator)
        case .large: count = Int.random(in: 2_500...4_000, using: &generator)
        }
        return (0..<count).map { _ in
            let basisPoints = [0, 500, 1500, 2500, 5000, 7500, 9000, 10_000, Int.random(in: 1...9999, using: &generator)]
                .randomElement(using: &generator)!
            let minor: Int64
            switch size {
            case .small: minor = Int64.random(in: 0...50_000_000, using: &generator)
            case .medium: minor = Int64.random(in: 1...300, using: &generator) * 1_000
            case .large:
                minor = Int.random(in: 0..<200, using: &generator) == 0
                    ? Int64.random(in: 100_000_000...2_000_000_000, using: &generator) : Int64.random(in: 1...10_000_000, using: &generator)
            }
            return RangeDeal(id: Opportunity.ID(0), title: "", amount: Money(minorUnits: minor, currency: currency)!,
                             probability: Probability(basisPoints: basisPoints)!, closingMonth: month)
        }
    }

    /// A pipeline of several currencies and months, each group of a random size, shuffled and
    /// numbered in the order a store streams them (by id).
    static func pipeline(seed: UInt64) -> [RangeDeal] {
        var generator = SeededGenerator(seed: seed)
        var deals: [RangeDeal] = []
        for currency in [CurrencyCode.usd, .vnd, euro] {
            for month in months where Int.random(in: 0..<4, using: &generator) > 0 {
                deals += Self.deals(Size.allCases.randomElement(using: &generator)!, currency: currency, month: month, using: &generator)
            }
        }
        deals.shuffle(using: &generator)
        for index in deals.indices { deals[index].id = Opportunity.ID(Int64(index + 1)) }
        return deals
    }

    static func totals(of deals: [RangeDeal]) -> [RangeGroupTotals] {
        var survey = ForecastRange.Survey()
        for deal in deals { survey.add(deal) }
        return survey.totals
    }

    static func bounded(_ deals: [RangeDeal], totals: [RangeGroupTotals]) -> ForecastRange.BoundedBuilder {
        var builder = ForecastRange.BoundedBuilder(totals: totals)
        for deal in deals { builder.add(deal) }
        return builder
    }

    static func expectSame(_ found: ForecastRange, _ reference: ForecastRange) {
        #expect(found.currencies.map(\.currency) == reference.currencies.map(\.currency))
        for (mine, theirs) in zip(found.currencies, reference.currencies) {
            #expect(mine.whole == theirs.whole, "\(mine.currency) whole")
            #expect(mine.months == theirs.months, "\(mine.currency) months")
            // The bounded builder leaves titles to the store.
            #expect(mine.drivers.map { [$0.id.rawValue, $0.amount.minorUnits, Int64($0.probability.basisPoints)] }
                    == theirs.drivers.map { [$0.id.rawValue, $0.amount.minorUnits, Int64($0.probability.basisPoints)] })
            #expect(mine.drivers.map(\.closingMonth) == theirs.drivers.map(\.closingMonth))
        }
    }

    @Test(arguments: 1...10)
    func theBoundedBuilderGivesTheBuildersFigures(seed: UInt64) throws {
        let deals = Self.pipeline(seed: seed)
        let reference = ForecastRange.of(deals, preferring: .vnd)
        let builder = Self.bounded(deals, totals: Self.totals(of: deals))
        guard case .range(let range) = builder.range(preferring: .vnd) else {
            Issue.record("the totals were the deals' own")
            return
        }
        Self.expectSame(range, reference)
    }

    /// The random pipelines above do reach every method: listed, convolved on a grid, bucketed.
    @Test func thePipelinesReachEveryMethod() {
        var methods: Set<String> = []
        for seed in UInt64(1)...10 {
            for currency in ForecastRange.of(Self.pipeline(seed: seed)).currencies {
                for range in [currency.whole] + currency.months.map(\.range) {
                    methods.insert(!range.exact ? "bucketed" : range.count > 40 ? "convolved" : "listed")
                }
            }
        }
        #expect(methods == ["bucketed", "convolved", "listed"])
    }

    /// What the builder holds never follows the number of deals: per group at most every
    /// uncertain deal of a group that may be exact (√20,000,000 ≈ 4,472), else at most 2,000
    /// large ones and two numbers.
    @Test func itKeepsNoMoreThanEachGroupsMethodNeeds() {
        var generator = SeededGenerator(seed: 99)
        let many = Self.deals(.large, currency: .usd, month: "2027-01", using: &generator)
            + Self.deals(.large, currency: .usd, month: "2027-01", using: &generator)
            + Self.deals(.large, currency: .usd, month: "2027-01", using: &generator)
        let builder = Self.bounded(many, totals: Self.totals(of: many))
        #expect(many.count > 7_500)
        for group in builder.groups {
            #expect(group.kept == nil)
            #expect((group.summed?.large.count ?? .max) <= Int(RevenueDistribution.largeShare))
        }
        guard case .range(let range) = builder.range() else { Issue.record("the totals were the deals' own"); return }
        #expect(range.currencies.first?.whole.count == many.count)
    }

    /// Totals that do not match the deals (a store's SQL reading a value otherwise) are said,
    /// with the totals the deals gave; with those the figures are the builder's.
    @Test(arguments: [UInt64(3), 7])
    func totalsThatDifferAreGivenBackAsSeen(seed: UInt64) throws {
        let deals = Self.pipeline(seed: seed)
        var wrong = Self.totals(of: deals)
        wrong[0].uncertainTotal += 1
        guard case .totalsDiffered(let seen) = Self.bounded(deals, totals: wrong).range() else {
            Issue.record("wrong totals went unnoticed")
            return
        }
        guard case .totalsDiffered = Self.bounded(deals, totals: []).range() else {
            Issue.record("no totals went unnoticed")
            return
        }
        #expect(Set(seen.filter { $0.uncertainCount > 0 }) == Set(Self.totals(of: deals).filter { $0.uncertainCount > 0 }))
        guard case .range(let range) = Self.bounded(deals, totals: seen).range(preferring: .vnd) else {
            Issue.record("the seen totals did not match")
            return
        }
        Self.expectSame(range, ForecastRange.of(deals, preferring: .vnd))
    }

    /// Groups of certain and hopeless deals alone need no totals (a store's sum leaves them out).
    @Test func groupsWithoutUncertainDealsNeedNoTotals() throws {
        let deals = [(1, Int64(500_000), 10_000, "2027-01"), (2, 0, 5_000, "2027-01"), (3, 700_000, 0, nil)].map {
            RangeDeal(id: Opportunity.ID(Int64($0.0)), title: "", amount: Money(minorUnits: $0.1, currency: .usd)!,
                      probability: Probability(basisPoints: $0.2)!, closingMonth: $0.3)
        }
        guard case .range(let range) = Self.bounded(deals, totals: []).range() else {
            Issue.record("certain deals asked for totals")
            return
        }
        Self.expectSame(range, ForecastRange.of(deals))
    }
}
