#if canImport(Glibc)
import Glibc  // erfc only: the normal distribution of the small deals.
#elseif canImport(Darwin)
import Darwin
#endif

/// One open deal as the forecast range sees it.
public struct RangeDeal: Hashable, Sendable {
    public var id: Opportunity.ID
    public var title: String
    public var amount: Money
    public var probability: Probability
    /// `YYYY-MM` of its expected closing, `nil` without one.
    public var closingMonth: String?

    public init(id: Opportunity.ID, title: String, amount: Money, probability: Probability, closingMonth: String?) {
        self.id = id
        self.title = title
        self.amount = amount
        self.probability = probability
        self.closingMonth = closingMonth
    }

    public init(_ opportunity: Opportunity) {
        let month = opportunity.expectedClosing.map { String($0.description.prefix(7)) }
        self.init(id: opportunity.id, title: opportunity.title, amount: opportunity.expectedRevenue,
                  probability: opportunity.probability ?? .zero, closingMonth: month)
    }

    /// How much the deal's outcome moves the range: the variance of its won revenue,
    /// amount² · p · (1 − p) (in minor units², as a floating-point rank only: never shown).
    public var spread: Double {
        let amount = Double(amount.minorUnits), basisPoints = probability.basisPoints
        return amount * amount * Double(basisPoints * (10_000 - basisPoints))
    }
}

/// The won revenue of a group of open deals as a range: each deal closes independently with
/// its probability, and the range gives that distribution's 10th, 50th and 90th percentiles
/// (the smallest amount x with P(won revenue ≤ x) ≥ q), in minor units, beside the weighted
/// sum (the distribution's mean, as the forecast rounds it) and the count.
public struct RevenueRange: Hashable, Sendable {
    public var count: Int
    public var weighted: Int128
    public var p10: Int128
    public var p50: Int128
    public var p90: Int128
    /// Whether the percentiles are exact (few deals, or amounts on a small grid) or from the
    /// bucketed convolution (within 0.1 % of the group's total of the exact ones).
    public var exact: Bool

    public init(count: Int, weighted: Int128, p10: Int128, p50: Int128, p90: Int128, exact: Bool) {
        self.count = count
        self.weighted = weighted
        self.p10 = p10
        self.p50 = p50
        self.p90 = p90
        self.exact = exact
    }
}

/// The forecast as a range, per currency: the whole open pipeline, each expected-closing
/// month (in order, no closing date last), and the five deals that drive the spread.
public struct ForecastRange: Sendable {
    public struct Month: Hashable, Sendable {
        /// `YYYY-MM`, `nil`: no closing date.
        public var key: String?
        public var range: RevenueRange
    }

    public struct Currency: Sendable {
        public var currency: CurrencyCode
        public var whole: RevenueRange
        public var months: [Month]
        /// The (at most) five deals with the largest amount² · p · (1 − p), largest first;
        /// deals at 0 % or 100 % move nothing and are never named.
        public var drivers: [RangeDeal]
    }

    /// Currencies in the order of `MoneyTotals.currencies(preferring:)`.
    public var currencies: [Currency]

    public static let driverCount = 5

    /// One deal as the distribution needs it: its amount in minor units and probability.
    typealias Chance = (amount: Int64, basisPoints: Int)

    /// The range of `deals` (open active deals), with `preferred` first among currencies.
    public static func of(_ deals: [RangeDeal], preferring preferred: CurrencyCode? = nil) -> ForecastRange {
        var builder = Builder()
        for deal in deals { builder.add(deal) }
        return builder.range(preferring: preferred)
    }

    /// Takes open deals one at a time (a store streams them) and keeps each as a compact
    /// (amount, probability) pair, never the deal: at a million deals the deals' strings
    /// would cost more than the distribution. Only the (at most five) drivers per currency
    /// are kept whole.
    public struct Builder: Sendable {
        var whole: [CurrencyCode: [Chance]] = [:]
        var months: [CurrencyCode: [String?: [Chance]]] = [:]
        var drivers: [CurrencyCode: [(spread: Double, deal: RangeDeal)]] = [:]

        public init() {}

        public mutating func add(_ deal: RangeDeal) {
            let chance = (deal.amount.minorUnits, deal.probability.basisPoints)
            let currency = deal.amount.currency
            whole[currency, default: []].append(chance)
            months[currency, default: [:]][deal.closingMonth, default: []].append(chance)
            ForecastRange.keepDriver(deal, in: &drivers[currency, default: []])
        }

        public func range(preferring preferred: CurrencyCode? = nil) -> ForecastRange {
            var totals = MoneyTotals()
            for currency in whole.keys { totals.add(0, currency: currency) }
            let currencies = totals.currencies(preferring: preferred).map { currency -> Currency in
                let byMonth = months[currency] ?? [:]
                let keys = byMonth.keys.sorted { a, b in
                    switch (a, b) {
                    case let (a?, b?): return a < b
                    case (nil, _): return false
                    case (_, nil): return true
                    }
                }
                let monthRanges = keys.map { Month(key: $0, range: ForecastRange.range(of: byMonth[$0] ?? [])) }
                return Currency(currency: currency, whole: ForecastRange.range(of: whole[currency] ?? []), months: monthRanges,
                                drivers: (drivers[currency] ?? []).map(\.deal))
            }
            return ForecastRange(currencies: currencies)
        }
    }

    /// The `driverCount` deals with the largest spread, largest first (ties: smaller id
    /// first), in one pass: a million deals are never sorted for five.
    static func drivers<Deals: Sequence>(of deals: Deals) -> [RangeDeal] where Deals.Element == RangeDeal {
        var top: [(spread: Double, deal: RangeDeal)] = []
        for deal in deals { keepDriver(deal, in: &top) }
        return top.map(\.deal)
    }

    /// Puts `deal` among `top` (largest spread first) if it is one of the `driverCount` largest.
    static func keepDriver(_ deal: RangeDeal, in top: inout [(spread: Double, deal: RangeDeal)]) {
        func before(_ a: (spread: Double, deal: RangeDeal), _ b: (spread: Double, deal: RangeDeal)) -> Bool {
            a.spread != b.spread ? a.spread > b.spread : a.deal.id.rawValue < b.deal.id.rawValue
        }
        let spread = deal.spread
        guard spread > 0 else { return }
        let candidate = (spread: spread, deal: deal)
        if top.count == driverCount, let last = top.last, !before(candidate, last) { return }
        let place = top.firstIndex { before(candidate, $0) } ?? top.count
        top.insert(candidate, at: place)
        if top.count > driverCount { top.removeLast() }
    }

    /// The range of one group of deals in one currency.
    public static func range(of deals: [RangeDeal]) -> RevenueRange {
        range(of: deals.map { ($0.amount.minorUnits, $0.probability.basisPoints) })
    }

    /// The range of (amount, probability) pairs; the weighted sum rounds each deal as
    /// `Money.weighted(by:)` does.
    static func range(of deals: [Chance]) -> RevenueRange {
        var weighted: Int64 = 0
        var overflow: Int128 = 0
        for deal in deals {
            let (sum, overflowed) = weighted.addingReportingOverflow(Money.weightedMinorUnits(deal.amount, basisPoints: deal.basisPoints))
            if overflowed { overflow += Int128(weighted); weighted = Money.weightedMinorUnits(deal.amount, basisPoints: deal.basisPoints) } else { weighted = sum }
        }
        let outcome = RevenueDistribution.quantiles(deals, [0.1, 0.5, 0.9])
        return RevenueRange(count: deals.count, weighted: overflow + Int128(weighted), p10: outcome.values[0], p50: outcome.values[1],
                            p90: outcome.values[2], exact: outcome.exact)
    }
}

/// The distribution of Σ amountᵢ · Bᵢ, with Bᵢ independent and 1 with probability pᵢ, and
/// its quantiles. Deterministic: the same deals give the same figures on every run.
public enum RevenueDistribution {
    /// Exact enumeration of every outcome up to this many uncertain deals (2¹⁶ outcomes).
    public static let enumerationLimit = 16
    /// Exact convolution over every sum when (total / gcd of the amounts) × deals is at most this.
    public static let exactCellWork = 20_000_000
    /// Buckets of the approximate convolution: a bucket is 1/100,000 of the total, within the
    /// 1/2,000 promised.
    public static let bucketCount: Int64 = 100_000
    /// A deal of at least 1/2,000 of the total is convolved; smaller ones are summed as a normal.
    public static let largeShare: Int64 = 2_000

    public enum Method: Sendable { case automatic, buckets }

    /// The smallest x with P(X ≤ x) ≥ q for each q, in minor units, and whether exactly.
    /// `buckets`: how many buckets the approximate convolution cuts the total into (tests
    /// hold the bound with the 2,000 promised, too).
    public static func quantiles(_ deals: [(amount: Int64, basisPoints: Int)], _ levels: [Double],
                                 method: Method = .automatic, buckets: Int64 = bucketCount) -> (values: [Int128], exact: Bool) {
        // Certain deals add their amount to every outcome; deals at 0 % or of no amount add nothing.
        var certain: Int128 = 0
        var uncertain: [Chance] = []
        for deal in deals where deal.amount > 0 && deal.basisPoints > 0 {
            if deal.basisPoints >= 10_000 { certain += Int128(deal.amount) } else { uncertain.append((deal.amount, deal.basisPoints)) }
        }
        return quantiles(uncertain: uncertain, certain: certain, levels, method: method, buckets: buckets)
    }

    /// One uncertain deal: its amount in minor units and probability in basis points.
    typealias Chance = (amount: Int64, basisPoints: Int)

    /// A probability in basis points as the distribution uses it.
    @inline(__always) static func chance(_ basisPoints: Int) -> Double { Double(basisPoints) / 10_000 }

    /// Whether a deal moves the distribution at all: an amount, and neither 0 % nor 100 %.
    @inline(__always) static func isUncertain(amount: Int64, basisPoints: Int) -> Bool {
        amount > 0 && basisPoints > 0 && basisPoints < 10_000
    }

    /// `quantiles` once the deals are sorted out: the uncertain ones in their order, the
    /// certain ones' sum.
    static func quantiles(uncertain: [Chance], certain: Int128, _ levels: [Double],
                          method: Method = .automatic, buckets: Int64 = bucketCount) -> (values: [Int128], exact: Bool) {
        guard !uncertain.isEmpty else { return (levels.map { _ in certain }, true) }
        if method == .automatic {
            if uncertain.count <= enumerationLimit {
                return (enumerated(uncertain.map { ($0.amount, chance($0.basisPoints)) }, levels).map { $0 + certain }, true)
            }
            var divisor: Int64 = 0
            var total: Int128 = 0
            for deal in uncertain { divisor = gcd(divisor, deal.amount); total += Int128(deal.amount) }
            let cells = total / Int128(divisor)
            if cells * Int128(uncertain.count) <= Int128(exactCellWork) {
                let values = convolved(uncertain.map { (Int(Int128($0.amount) / Int128(divisor)), chance($0.basisPoints)) }, cells: Int(cells) + 1, levels)
                return (values.map { Int128($0) * Int128(divisor) + certain }, true)
            }
        }
        return (bucketed(uncertain, levels, buckets: buckets).map { $0 + certain }, false)
    }

    /// Every one of the 2ⁿ outcomes, sorted by sum.
    static func enumerated(_ deals: [(amount: Int64, p: Double)], _ levels: [Double]) -> [Int128] {
        var outcomes: [(sum: Int128, probability: Double)] = [(0, 1)]
        for deal in deals {
            outcomes = outcomes.map { ($0.sum, $0.probability * (1 - deal.p)) } + outcomes.map { ($0.sum + Int128(deal.amount), $0.probability * deal.p) }
        }
        outcomes.sort { $0.sum < $1.sum }
        var cumulative: [(sum: Int128, probability: Double)] = []
        var running = 0.0
        for outcome in outcomes {
            running += outcome.probability
            if let last = cumulative.last, last.sum == outcome.sum { cumulative[cumulative.count - 1].probability = running } else { cumulative.append((outcome.sum, running)) }
        }
        return levels.map { level in (cumulative.first { $0.probability >= level - tolerance } ?? cumulative[cumulative.count - 1]).sum }
    }

    /// A probability a quantile's level is compared with leaves rounding noise of adding
    /// many small probabilities: P(X ≤ x) = 0.1 computed as 0.09999999999999998 must still
    /// count. The noise is of the order of 1e-15; a wider tolerance (it was 1e-9) took a sum
    /// whose P(X ≤ x) is 0.49999999909 for the median, a deal away from the exact one (found
    /// by a hostile trial on twelve KWD deals).
    static let tolerance = 1e-12

    /// Exact convolution over integer cells (each deal's amount in cells).
    static func convolved(_ deals: [(cells: Int, p: Double)], cells: Int, _ levels: [Double]) -> [Int] {
        var mass = [Double](repeating: 0, count: cells)
        mass[0] = 1
        var reach = 0
        for deal in deals.sorted(by: { $0.cells > $1.cells }) {
            let shift = deal.cells
            guard shift > 0 else { continue }
            mass.withUnsafeMutableBufferPointer { cell in
                var index = reach
                while index >= 0 {
                    let moved = cell[index] * deal.p
                    cell[index + shift] += moved
                    cell[index] -= moved
                    index -= 1
                }
            }
            reach += shift
        }
        return quantileCells(mass, upTo: reach, levels)
    }

    static func quantileCells(_ mass: [Double], upTo reach: Int, _ levels: [Double]) -> [Int] {
        var result: [Int] = []
        var running = 0.0
        var cell = 0
        for level in levels {
            while cell < reach, running + mass[cell] < level - tolerance { running += mass[cell]; cell += 1 }
            result.append(cell)
        }
        return result
    }

    /// The approximate convolution. A deal of at least 1/`largeShare` of the total is
    /// "large": there are at most that many, and they are convolved on `bucketCount` buckets
    /// (each 1/100,000 of the total, far under the 1/2,000 promised), each amount split
    /// between its two nearest buckets so that the mean stays exact (rounding every amount
    /// the same way would add up: 400 deals rounded up by half a bucket each move the range
    /// by 200). The many smaller deals together are a normal distribution with their exact
    /// mean and variance: each adds little, so their sum is what the central limit theorem
    /// says, and it is off by about one such deal at most (their mean and variance are exact
    /// integer sums, `SmallMoments`, so that they do not depend on the deals' order). A
    /// quantile is then found by bisection on the bucket boundaries of P(large + small ≤ x).
    static func bucketed(_ deals: [Chance], _ levels: [Double], buckets: Int64) -> [Int128] {
        var total: Int128 = 0
        for deal in deals { total += Int128(deal.amount) }
        var sum = BucketedSum(total: total, buckets: buckets)
        for deal in deals { sum.add(deal) }
        return sum.quantiles(levels)
    }

    /// The small deals' Σ bp · amount and Σ bp · (10,000 − bp) · amount², exactly, in
    /// integers (amount² in three parts of 32 bits so that a million deals of 10¹⁸ minor
    /// units stay far within Int128): the same whatever order the deals come in, so that a
    /// store's one pass can move a deal here as soon as it is known to be small.
    struct SmallMoments: Sendable {
        var weightedAmounts: Int128 = 0
        var high: Int128 = 0, cross: Int128 = 0, low: Int128 = 0

        @inline(__always) mutating func add(_ deal: Chance) {
            let amount = Int128(deal.amount), basisPoints = Int128(deal.basisPoints)
            weightedAmounts += basisPoints * amount
            let weight = basisPoints * (10_000 - basisPoints)
            let upper = amount >> 32, lower = amount & 0xFFFF_FFFF
            high += weight * upper * upper
            cross += weight * upper * lower
            low += weight * lower * lower
        }

        mutating func add(_ other: SmallMoments) {
            weightedAmounts += other.weightedAmounts
            high += other.high
            cross += other.cross
            low += other.low
        }

        /// Mean and variance of the small deals' won revenue in buckets of `width` minor units.
        func normal(width: Double) -> (mean: Double, variance: Double) {
            let squares = Double(high) * 0x1p64 + 2 * Double(cross) * 0x1p32 + Double(low)
            return (Double(weightedAmounts) / 10_000 / width, squares / 100_000_000 / (width * width))
        }
    }

    /// The approximate convolution's state, filled one deal at a time once the total of the
    /// uncertain deals is known: the large deals (at most `largeShare` of them) and the small
    /// ones' moments, so that a million deals are never held. The large deals are convolved
    /// in the order they came (largest first, ties in that order).
    struct BucketedSum {
        let total: Int128
        let width: Int128
        let largeFrom: Int64
        let widthInUnits: Double
        var large: [(cells: Int, fraction: Double, p: Double)] = []
        var small = SmallMoments()

        init(total: Int128, buckets: Int64) {
            self.total = total
            width = max(1, (total + Int128(buckets) - 1) / Int128(buckets))
            // The threshold and the width as Int64 when they fit (they do unless the total
            // passes 9.2e18 minor units): `add` runs once per deal.
            let threshold = (total + Int128(largeShare) - 1) / Int128(largeShare)
            largeFrom = threshold > Int128(Int64.max) ? Int64.max : Int64(threshold)
            widthInUnits = Double(Int64(clamping: width))
        }

        @inline(__always) mutating func add(_ deal: Chance) {
            if deal.amount >= largeFrom {
                let cells = Int128(deal.amount) / width
                large.append((Int(cells), Double(Int64(Int128(deal.amount) - cells * width)) / widthInUnits, chance(deal.basisPoints)))
            } else {
                small.add(deal)
            }
        }

        func quantiles(_ levels: [Double]) -> [Int128] {
            let normal = small.normal(width: widthInUnits)
            return RevenueDistribution.bucketedQuantiles(large: large, smallMean: normal.mean, smallVariance: normal.variance,
                                                         width: width, total: total, levels)
        }
    }

    static func bucketedQuantiles(large: [(cells: Int, fraction: Double, p: Double)], smallMean: Double, smallVariance: Double,
                                  width: Int128, total: Int128, _ levels: [Double]) -> [Int128] {
        // The large deals: 0 with 1 − p, the lower bucket with p (1 − f), the upper with p f.
        let reachable = large.reduce(0) { $0 + $1.cells + 1 }
        var mass = [Double](repeating: 0, count: reachable + 1)
        mass[0] = 1
        var reach = 0
        for deal in large.sorted(by: { $0.cells > $1.cells }) {
            let lower = deal.p * (1 - deal.fraction), upper = deal.p * deal.fraction, shift = deal.cells
            mass.withUnsafeMutableBufferPointer { cell in
                var index = reach
                while index >= 0 {
                    let here = cell[index]
                    if here != 0 {
                        cell[index + shift + 1] += here * upper
                        cell[index + shift] += here * lower
                        cell[index] -= here * (lower + upper)
                    }
                    index -= 1
                }
            }
            reach += shift + 1
        }
        let sigma = smallVariance.squareRoot()
        // below[i]: the large deals' mass in the buckets before i.
        var below = [Double](repeating: 0, count: reach + 2)
        for index in 0...reach { below[index + 1] = below[index] + mass[index] }
        /// P(large + small ≤ x), x in buckets (a bucket boundary: the small deals' sum is
        /// continuous, so x means "up to x + ½ bucket" of the large deals' discrete sum).
        /// Buckets more than 9σ under x count whole, those more than 9σ over not at all:
        /// only the window between needs the normal's distribution function.
        func cumulative(_ x: Int) -> Double {
            guard sigma > 0 else { return below[min(max(x + 1, 0), reach + 1)] }
            let centre = Double(x) + 0.5 - smallMean
            let first = min(max(Int((centre - 9 * sigma).rounded(.down)), 0), reach + 1)
            let last = min(max(Int((centre + 9 * sigma).rounded(.up)), -1), reach)
            var sum = below[first]
            if first <= last {
                for index in first...last where mass[index] > 0 {
                    sum += mass[index] * normalCDF((centre - Double(index)) / sigma)
                }
            }
            return sum
        }
        let top = reach + Int((smallMean + 9 * sigma).rounded(.up)) + 1
        return levels.map { level in
            var low = 0, high = top
            while low < high {
                let middle = (low + high) / 2
                if cumulative(middle) >= level - tolerance { high = middle } else { low = middle + 1 }
            }
            return min(Int128(low) * width, total)
        }
    }

    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
