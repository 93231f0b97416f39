/// Count and money sums (one per currency) of a group of opportunities.
public struct Figures: Hashable, Sendable {
    public var count: Int
    /// How many of the `count` deals are in each currency.
    public var countByCurrency: [CurrencyCode: Int]
    public var expected: MoneyTotals
    public var weighted: MoneyTotals

    public init(count: Int = 0, countByCurrency: [CurrencyCode: Int] = [:],
                expected: MoneyTotals = MoneyTotals(), weighted: MoneyTotals = MoneyTotals()) {
        self.count = count
        self.countByCurrency = countByCurrency
        self.expected = expected
        self.weighted = weighted
    }

    /// One currency's share: `count` deals summing to `expected` and `weighted` minor units.
    public init(currency: CurrencyCode, count: Int, expected: Int128, weighted: Int128) {
        self.init(count: count, countByCurrency: [currency: count])
        self.expected.add(expected, currency: currency)
        self.weighted.add(weighted, currency: currency)
    }

    public mutating func add(_ other: Figures) {
        count += other.count
        countByCurrency.merge(other.countByCurrency, uniquingKeysWith: +)
        expected.add(other.expected)
        weighted.add(other.weighted)
    }

    public mutating func add(_ opportunity: Opportunity) {
        count += 1
        countByCurrency[opportunity.expectedRevenue.currency, default: 0] += 1
        expected.add(opportunity.expectedRevenue)
        weighted.add(opportunity.weightedRevenue)
    }

    /// The deals whose amounts a sum in `currency` leaves out, per other currency in
    /// alphabetical order: what `+2 USD deals` says beside a sum, since sums never mix currencies.
    public func dealsOutside(_ currency: CurrencyCode) -> [(currency: CurrencyCode, count: Int)] {
        countByCurrency.filter { $0.key != currency && $0.value > 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Expected revenue of a pipeline, as the guide's stage probabilities estimate it.
///
/// The open pipeline counts active opportunities in open stages; won revenue is reported
/// apart; lost and archived opportunities count nowhere.
public struct Forecast: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable {
        case stage, month, salesperson
    }

    public struct Row: Sendable, Equatable {
        /// The stage's name, `YYYY-MM` (or `nil`: no closing date), or the salesperson (or
        /// `nil`: unassigned).
        public var key: String?
        /// Set when grouping by stage.
        public var stage: Stage?
        public var figures: Figures

        public init(key: String?, stage: Stage? = nil, figures: Figures) {
            self.key = key
            self.stage = stage
            self.figures = figures
        }
    }

    public var grouping: Grouping
    public var rows: [Row]
    public var open: Figures
    public var won: Figures

    public init(grouping: Grouping, rows: [Row], open: Figures, won: Figures) {
        self.grouping = grouping
        self.rows = rows
        self.open = open
        self.won = won
    }

    /// Builds the by-stage forecast from per-stage figures of active opportunities.
    public static func byStage(stages: [Stage], figures: [Stage.ID: Figures]) -> Forecast {
        var open = Figures()
        var won = Figures()
        var rows: [Row] = []
        for stage in stages {
            let stageFigures = figures[stage.id] ?? Figures()
            rows.append(Row(key: stage.name, stage: stage, figures: stageFigures))
            switch stage.outcome {
            case .open: open.add(stageFigures)
            case .won: won.add(stageFigures)
            case .lost: break
            }
        }
        return Forecast(grouping: .stage, rows: rows, open: open, won: won)
    }
}

/// A calendar month in the user's time: from the first instant of its first day to the first
/// instant of the next month's (exclusive), where the clock is `utcOffsetSeconds` ahead of UTC.
public struct MonthWindow: Hashable, Sendable {
    /// `YYYY-MM`.
    public var key: String
    public var start: Timestamp
    public var end: Timestamp

    /// The month `monthsBack` months before the one `day` falls in (0: that month).
    public static func of(_ day: CalendarDate, monthsBack: Int = 0, utcOffsetSeconds: Int) -> MonthWindow {
        let index = day.year * 12 + (day.month - 1) - monthsBack
        let year = index / 12, month = index % 12 + 1
        let first = CalendarDate(year: year, month: month, day: 1) ?? day
        let next = CalendarDate(year: (index + 1) / 12, month: (index + 1) % 12 + 1, day: 1) ?? day
        func firstInstant(_ date: CalendarDate) -> Timestamp {
            Timestamp(millisecondsSince1970: (Int64(date.daysSince1970) * 86_400 - Int64(utcOffsetSeconds)) * 1000)
        }
        return MonthWindow(key: first.yearMonth, start: firstInstant(first), end: firstInstant(next))
    }

    public func contains(_ instant: Timestamp) -> Bool { start <= instant && instant < end }
}

/// The won revenue of some months: deals won in each (per currency), months in the order asked.
public struct WonByMonth: Hashable, Sendable {
    public var months: [MonthWindow]
    public var figures: [Figures]

    public init(months: [MonthWindow], figures: [Figures]) {
        self.months = months
        self.figures = figures
    }
}
