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

    static func bounded(_ deals: [RangeDeal]) -> ForecastRange.BoundedBuilder {
        var builder = ForecastRange.BoundedBuilder()
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
        Self.expectSame(Self.bounded(deals).range(preferring: .vnd), ForecastRange.of(deals, preferring: .vnd))
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

    /// What the builder holds never follows the number of deals: at every step, per group, at
    /// most every uncertain deal of a group that may be exact (√20,000,000 ≈ 4,472), else at
    /// most 4,000 deals that may be large (pruned to 2,000); the figures stay `Builder`'s.
    @Test(arguments: [UInt64(99), 100])
    func itKeepsNoMoreThanEachGroupsMethodNeeds(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var many: [RangeDeal] = []
        for _ in 0..<8 { many += Self.deals(.large, currency: .usd, month: "2027-01", using: &generator) }
        // Rising amounts: each deal is large when it comes, so the candidates fill and are pruned.
        many += (1...5_000).map { index in
            RangeDeal(id: Opportunity.ID(0), title: "", amount: Money(minorUnits: Int64(index) * 1_000_000, currency: .usd)!,
                      probability: Probability(basisPoints: 5_000)!, closingMonth: "2027-02")
        }
        for index in many.indices { many[index].id = Opportunity.ID(Int64(index + 1)) }
        var builder = ForecastRange.BoundedBuilder()
        var most = 0
        for deal in many {
            builder.add(deal)
            most = max(most, (builder.months.values.map(\.held) + builder.wholes.values.map(\.held)).max() ?? 0)
        }
        #expect(many.count > 25_000)
        #expect(most <= 4_472, "held \(most) deals")
        #expect(builder.wholes.values.allSatisfy { $0.kept == nil }, "the whole pipeline is bucketed")
        Self.expectSame(builder.range(), ForecastRange.of(many))
    }

    /// The small deals' moments are exact integers: the bucketed figures do not depend on the
    /// order the small deals come in (the large ones keep theirs).
    @Test func theBucketedFiguresDoNotDependOnTheSmallDealsOrder() {
        var generator = SeededGenerator(seed: 5)
        let deals = Self.deals(.large, currency: .usd, month: nil, using: &generator)
        let chances = deals.map { ($0.amount.minorUnits, $0.probability.basisPoints) }
        let total = chances.reduce(Int64(0)) { $0 + $1.0 }
        let large = chances.filter { $0.0 * RevenueDistribution.largeShare >= total }
        let small = chances.filter { $0.0 * RevenueDistribution.largeShare < total }
        let first = RevenueDistribution.quantiles(large + small, [0.1, 0.5, 0.9])
        let reversed = RevenueDistribution.quantiles(large + small.reversed(), [0.1, 0.5, 0.9])
        #expect(!first.exact && first.values == reversed.values)
    }

    /// The exact moments against floating-point sums, for amounts of every size up to the
    /// largest there is (their squares pass 64 bits, and the three 32-bit parts must add up).
    @Test func theSmallMomentsAreTheMeanAndVariance() {
        var generator = SeededGenerator(seed: 21)
        var moments = RevenueDistribution.SmallMoments()
        var mean = 0.0, variance = 0.0
        for _ in 0..<2_000 {
            let amount = Int64.random(in: 1...Money.maximumMinorUnits, using: &generator) >> Int64.random(in: 0...50, using: &generator)
            let basisPoints = Int.random(in: 1...9_999, using: &generator)
            moments.add((amount, basisPoints))
            let p = Double(basisPoints) / 10_000, a = Double(amount) / 1_000
            mean += p * a
            variance += p * (1 - p) * a * a
        }
        let normal = moments.normal(width: 1_000)
        #expect(abs(normal.mean - mean) <= mean * 1e-12)
        #expect(abs(normal.variance - variance) <= variance * 1e-12)
    }
}
