/// Count and money sums (one per currency) of a group of opportunities.
public struct Figures: Hashable, Sendable {
    public var count: Int
    public var expected: MoneyTotals
    public var weighted: MoneyTotals

    public init(count: Int = 0, expected: MoneyTotals = MoneyTotals(), weighted: MoneyTotals = MoneyTotals()) {
        self.count = count
        self.expected = expected
        self.weighted = weighted
    }

    public mutating func add(_ other: Figures) {
        count += other.count
        expected.add(other.expected)
        weighted.add(other.weighted)
    }

    public mutating func add(_ opportunity: Opportunity) {
        count += 1
        expected.add(opportunity.expectedRevenue)
        weighted.add(opportunity.weightedRevenue)
    }
}

/// Expected revenue of a pipeline, as the guide's stage probabilities estimate it.
///
/// The open pipeline counts active opportunities in open stages; won revenue is reported
/// apart; lost and archived opportunities count nowhere.
public struct Forecast: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        case stage, month, salesperson
    }

    public struct Row: Sendable {
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
