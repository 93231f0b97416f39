/// What a store's first read says of one group of open deals before they stream: one
/// currency's expected-closing month (`nil`: no closing date), and of its uncertain deals (an
/// amount, neither 0 % nor 100 %) how many there are, their total and the smallest amount.
/// It tells the bounded builder, before the deals come, which method each group's range
/// will take, and so which deals it must keep.
public struct RangeGroupTotals: Hashable, Sendable {
    public var currency: CurrencyCode
    public var month: String?
    public var uncertainCount: Int
    public var uncertainTotal: Int128
    /// The smallest uncertain amount (0 when there is none).
    public var smallestUncertain: Int64

    public init(currency: CurrencyCode, month: String?, uncertainCount: Int = 0, uncertainTotal: Int128 = 0, smallestUncertain: Int64 = 0) {
        self.currency = currency
        self.month = month
        self.uncertainCount = uncertainCount
        self.uncertainTotal = uncertainTotal
        self.smallestUncertain = smallestUncertain
    }

    /// Counts one deal in (only an uncertain one changes anything).
    mutating func add(amount: Int64, basisPoints: Int) {
        guard RevenueDistribution.isUncertain(amount: amount, basisPoints: basisPoints) else { return }
        smallestUncertain = uncertainCount == 0 ? amount : min(smallestUncertain, amount)
        uncertainCount += 1
        uncertainTotal += Int128(amount)
    }

    /// Two groups' deals together (a currency's whole pipeline from its months).
    mutating func merge(_ other: RangeGroupTotals) {
        guard other.uncertainCount > 0 else { return }
        smallestUncertain = uncertainCount == 0 ? other.smallestUncertain : min(smallestUncertain, other.smallestUncertain)
        uncertainCount += other.uncertainCount
        uncertainTotal += other.uncertainTotal
    }

    /// Whether the group's range may be exact (listed outcomes, or a convolution on the grid
    /// of the amounts' gcd), so that every uncertain deal must be kept until the gcd is known.
    /// The gcd is at most the smallest amount, so when even total ÷ smallest × count passes
    /// `exactCellWork` the range is bucketed whatever the amounts: that group keeps only its
    /// large deals. A group that may be exact has at most √`exactCellWork` (4,472) uncertain
    /// deals, since total ÷ smallest ≥ count.
    var mayBeExact: Bool {
        if uncertainCount <= RevenueDistribution.enumerationLimit { return true }
        guard smallestUncertain > 0 else { return true }
        return (uncertainTotal / Int128(smallestUncertain)) * Int128(uncertainCount) <= Int128(RevenueDistribution.exactCellWork)
    }
}

extension ForecastRange {
    struct GroupKey: Hashable {
        var currency: CurrencyCode
        var month: String?
    }

    /// Tallies open deals into `RangeGroupTotals`, per currency and month: the first read of
    /// a store that streams the deals twice instead of summing them in SQL.
    public struct Survey: Sendable {
        var groups: [GroupKey: RangeGroupTotals] = [:]

        public init() {}

        public mutating func add(_ deal: RangeDeal) {
            let key = GroupKey(currency: deal.amount.currency, month: deal.closingMonth)
            groups[key, default: RangeGroupTotals(currency: key.currency, month: key.month)]
                .add(amount: deal.amount.minorUnits, basisPoints: deal.probability.basisPoints)
        }

        public var totals: [RangeGroupTotals] { Array(groups.values) }
    }

    /// The bounded-memory form of `Builder`: given each group's totals first, it takes the open
    /// deals one at a time and keeps, per group, only what its method needs — every uncertain
    /// deal of a group that may be exact (at most 4,472), the large deals (at most 2,000) and
    /// the small ones' running mean and variance of a bucketed group — and the drivers. So its
    /// memory follows the number of groups (currencies × closing months), never the number of
    /// deals, and its figures are `Builder`'s for deals added in the same order.
    ///
    /// It checks the totals it was given against the deals it saw: when they differ (a store
    /// whose SQL reads a value otherwise than the core does), `range` says so with the totals
    /// seen, and the store streams the deals once more with those.
    public struct BoundedBuilder: Sendable {
        struct Group: Sendable {
            let planned: RangeGroupTotals
            var seen: RangeGroupTotals
            var count = 0
            var weighted: Int128 = 0
            var certain: Int128 = 0
            /// Every uncertain deal, in order, for a group that may be exact.
            var kept: [(amount: Int64, p: Double)]?
            /// A bucketed group's large deals and the small ones' moments.
            var summed: RevenueDistribution.BucketedSum?

            init(planned: RangeGroupTotals) {
                self.planned = planned
                seen = RangeGroupTotals(currency: planned.currency, month: planned.month)
                if planned.mayBeExact {
                    kept = []
                    kept?.reserveCapacity(planned.uncertainCount)
                } else {
                    summed = RevenueDistribution.BucketedSum(total: planned.uncertainTotal, buckets: RevenueDistribution.bucketCount)
                }
            }

            mutating func add(amount: Int64, basisPoints: Int) {
                count += 1
                weighted += Int128(Money.weightedMinorUnits(amount, basisPoints: basisPoints))
                guard amount > 0, basisPoints > 0 else { return }
                guard basisPoints < 10_000 else { certain += Int128(amount); return }
                seen.add(amount: amount, basisPoints: basisPoints)
                let p = RevenueDistribution.chance(basisPoints)
                if summed != nil {
                    summed?.add(amount, p: p)
                } else if seen.uncertainCount <= planned.uncertainCount {
                    // More deals than planned: the totals were wrong and this pass is read
                    // again; keeping them would unbound the memory.
                    kept?.append((amount, p))
                }
            }

            var matchesPlan: Bool { seen == planned }

            func range() -> RevenueRange {
                let levels = [0.1, 0.5, 0.9]
                let outcome: (values: [Int128], exact: Bool)
                if let summed {
                    outcome = summed.total == 0 ? (levels.map { _ in certain }, true) : (summed.quantiles(levels).map { $0 + certain }, false)
                } else {
                    outcome = RevenueDistribution.quantiles(uncertain: kept ?? [], certain: certain, levels)
                }
                return RevenueRange(count: count, weighted: weighted, p10: outcome.values[0], p50: outcome.values[1],
                                    p90: outcome.values[2], exact: outcome.exact)
            }
        }

        var groups: [Group] = []
        /// A (currency, month) key's group, and its currency's whole group.
        var index: [GroupKey: (month: Int, whole: Int)] = [:]
        var wholeIndex: [CurrencyCode: Int] = [:]
        var drivers: [CurrencyCode: [(spread: Double, deal: RangeDeal)]] = [:]
        /// The last key's groups: deals come in id order, not by group, but a lookup is saved
        /// whenever two in a row share one.
        var last: (key: GroupKey, month: Int, whole: Int)?

        public init(totals: [RangeGroupTotals]) {
            var wholes: [CurrencyCode: RangeGroupTotals] = [:]
            for group in totals {
                wholes[group.currency, default: RangeGroupTotals(currency: group.currency, month: nil)].merge(group)
            }
            for (currency, whole) in wholes {
                wholeIndex[currency] = groups.count
                groups.append(Group(planned: whole))
            }
            for group in totals {
                let key = GroupKey(currency: group.currency, month: group.month)
                guard index[key] == nil, let whole = wholeIndex[group.currency] else { continue }
                index[key] = (groups.count, whole)
                groups.append(Group(planned: group))
            }
        }

        /// The deal's title is not needed (pass ""): the store reads the drivers' titles after.
        public mutating func add(_ deal: RangeDeal) {
            let key = GroupKey(currency: deal.amount.currency, month: deal.closingMonth)
            let month: Int, whole: Int
            if let last, last.key == key {
                (month, whole) = (last.month, last.whole)
            } else if let found = index[key] {
                (month, whole) = found
                last = (key, month, whole)
            } else {
                // A group the totals did not name: its deals are counted (so that the check
                // fails) but kept nowhere.
                if wholeIndex[key.currency] == nil {
                    wholeIndex[key.currency] = groups.count
                    groups.append(Group(planned: RangeGroupTotals(currency: key.currency, month: nil)))
                }
                (month, whole) = (groups.count, wholeIndex[key.currency] ?? 0)
                index[key] = (month, whole)
                groups.append(Group(planned: RangeGroupTotals(currency: key.currency, month: key.month)))
                last = (key, month, whole)
            }
            let amount = deal.amount.minorUnits, basisPoints = deal.probability.basisPoints
            groups[month].add(amount: amount, basisPoints: basisPoints)
            groups[whole].add(amount: amount, basisPoints: basisPoints)
            ForecastRange.keepDriver(deal, in: &drivers[key.currency, default: []])
        }

        /// What the deals gave: the range, or — when the totals given did not match the deals
        /// seen — the totals seen, to stream the deals again with.
        public enum Outcome: Sendable {
            case range(ForecastRange)
            case totalsDiffered(seen: [RangeGroupTotals])
        }

        public func range(preferring preferred: CurrencyCode? = nil) -> Outcome {
            guard groups.allSatisfy(\.matchesPlan) else {
                return .totalsDiffered(seen: index.values.map { groups[$0.month].seen })
            }
            var totals = MoneyTotals()
            // A currency whose deals the totals named but none came (a changed store) shows nothing.
            let present = Set(wholeIndex.filter { groups[$0.value].count > 0 }.keys)
            for currency in present { totals.add(0, currency: currency) }
            let currencies = totals.currencies(preferring: preferred).map { currency -> Currency in
                let keys = index.keys.filter { $0.currency == currency && groups[index[$0]?.month ?? 0].count > 0 }
                    .map(\.month).sorted { a, b in
                        switch (a, b) {
                        case let (a?, b?): return a < b
                        case (nil, _): return false
                        case (_, nil): return true
                        }
                    }
                let months = keys.compactMap { key in
                    index[GroupKey(currency: currency, month: key)].map { Month(key: key, range: groups[$0.month].range()) }
                }
                let whole = wholeIndex[currency].map { groups[$0].range() } ?? RevenueRange(count: 0, weighted: 0, p10: 0, p50: 0, p90: 0, exact: true)
                return Currency(currency: currency, whole: whole, months: months, drivers: (drivers[currency] ?? []).map(\.deal))
            }
            return .range(ForecastRange(currencies: currencies))
        }
    }
}
