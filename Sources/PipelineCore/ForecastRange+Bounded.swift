extension ForecastRange {
    struct GroupKey: Hashable {
        var currency: CurrencyCode
        var month: String?
    }

    /// The bounded-memory form of `Builder`: it takes the open deals one at a time, in one
    /// pass, and keeps per group (a currency's whole pipeline, each of its closing months) only
    /// what the group's method can still need:
    ///
    /// - while the group may still be exact (≤ 16 uncertain deals, or total ÷ smallest ×
    ///   count ≤ 20 million: the gcd of the amounts is at most the smallest, so once even that
    ///   passes the limit the exact convolution's test can only fail — and both only grow),
    ///   every uncertain deal, at most √20,000,000 ≈ 4,472 of them (total ÷ smallest ≥ count);
    /// - once it cannot be, the deals that may still be large (at least 1/2,000 of the total so
    ///   far: the total only grows, so a deal under that line stays small), pruned to at most
    ///   2,000 whenever they pass 4,000, and the small ones' exact moments (`SmallMoments`).
    ///
    /// So its memory follows the number of groups (currencies × closing months), never the
    /// number of deals, and its figures are `Builder`'s for the deals in the same order: the
    /// same methods on the same deals, the large ones in their order, the small ones' moments
    /// exact integers. The drivers are kept as `Builder` keeps them.
    public struct BoundedBuilder: Sendable {
        struct Group: Sendable {
            var count = 0
            var weighted: Int128 = 0
            var certain: Int128 = 0
            var uncertainCount = 0
            var total: Int128 = 0
            var smallest: Int64 = 0
            /// Every uncertain deal, in order, while the group may be exact; `nil` after.
            var kept: [RevenueDistribution.Chance]? = []
            /// Once it cannot be exact: the deals that may be large, in order, and the rest's moments.
            var candidates: [RevenueDistribution.Chance] = []
            var small = RevenueDistribution.SmallMoments()

            /// The line a large deal reaches: 1/`largeShare` of the total, rounded up (as `BucketedSum`).
            var largeLine: Int128 { (total + Int128(RevenueDistribution.largeShare) - 1) / Int128(RevenueDistribution.largeShare) }

            var mayBeExact: Bool {
                if uncertainCount <= RevenueDistribution.enumerationLimit { return true }
                return (total / Int128(max(1, smallest))) * Int128(uncertainCount) <= Int128(RevenueDistribution.exactCellWork)
            }

            mutating func add(amount: Int64, basisPoints: Int) {
                count += 1
                weighted += Int128(Money.weightedMinorUnits(amount, basisPoints: basisPoints))
                guard amount > 0, basisPoints > 0 else { return }
                guard basisPoints < 10_000 else { certain += Int128(amount); return }
                smallest = uncertainCount == 0 ? amount : min(smallest, amount)
                uncertainCount += 1
                total += Int128(amount)
                if kept != nil {
                    kept?.append((amount, basisPoints))
                    if !mayBeExact {
                        candidates = kept ?? []
                        kept = nil
                        prune()
                    }
                } else if Int128(amount) >= largeLine {
                    candidates.append((amount, basisPoints))
                    if candidates.count > 2 * Int(RevenueDistribution.largeShare) { prune() }
                } else {
                    small.add((amount, basisPoints))
                }
            }

            /// Moves the candidates under today's line to the moments, the others keep their order.
            mutating func prune() {
                let line = largeLine
                var large: [RevenueDistribution.Chance] = []
                large.reserveCapacity(Int(RevenueDistribution.largeShare))
                for deal in candidates {
                    if Int128(deal.amount) >= line { large.append(deal) } else { small.add(deal) }
                }
                candidates = large
            }

            func range() -> RevenueRange {
                let levels = [0.1, 0.5, 0.9]
                let outcome: (values: [Int128], exact: Bool)
                if let kept {
                    outcome = RevenueDistribution.quantiles(uncertain: kept, certain: certain, levels)
                } else {
                    var sum = RevenueDistribution.BucketedSum(total: total, buckets: RevenueDistribution.bucketCount)
                    for deal in candidates { sum.add(deal) }
                    sum.small.add(small)
                    outcome = (sum.quantiles(levels).map { $0 + certain }, false)
                }
                return RevenueRange(count: count, weighted: weighted, p10: outcome.values[0], p50: outcome.values[1],
                                    p90: outcome.values[2], exact: outcome.exact)
            }

            /// What the group holds, in deals: never more than 4,472 (a group that may be
            /// exact) or 4,000 (the large candidates).
            var held: Int { kept?.count ?? candidates.count }
        }

        var months: [GroupKey: Group] = [:]
        var wholes: [CurrencyCode: Group] = [:]
        var drivers: [CurrencyCode: [(spread: Double, deal: RangeDeal)]] = [:]

        public init() {}

        /// The deal's title is not needed (pass ""): a store reads the drivers' titles after.
        public mutating func add(_ deal: RangeDeal) {
            let currency = deal.amount.currency
            let amount = deal.amount.minorUnits, basisPoints = deal.probability.basisPoints
            months[GroupKey(currency: currency, month: deal.closingMonth), default: Group()].add(amount: amount, basisPoints: basisPoints)
            wholes[currency, default: Group()].add(amount: amount, basisPoints: basisPoints)
            ForecastRange.keepDriver(deal, in: &drivers[currency, default: []])
        }

        public func range(preferring preferred: CurrencyCode? = nil) -> ForecastRange {
            var totals = MoneyTotals()
            for currency in wholes.keys { totals.add(0, currency: currency) }
            let currencies = totals.currencies(preferring: preferred).map { currency -> Currency in
                let keys = months.keys.filter { $0.currency == currency }.map(\.month).sorted { a, b in
                    switch (a, b) {
                    case let (a?, b?): return a < b
                    case (nil, _): return false
                    case (_, nil): return true
                    }
                }
                let monthRanges = keys.compactMap { key in months[GroupKey(currency: currency, month: key)].map { Month(key: key, range: $0.range()) } }
                return Currency(currency: currency, whole: (wholes[currency] ?? Group()).range(), months: monthRanges,
                                drivers: (drivers[currency] ?? []).map(\.deal))
            }
            return ForecastRange(currencies: currencies)
        }
    }
}
