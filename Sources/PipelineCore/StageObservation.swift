/// How a closed deal ended.
public enum DealOutcome: String, Hashable, Sendable {
    case won, lost

    /// A deal's outcome as it stands: won in a won stage, lost when it has a lost reason or
    /// sits in a lost stage, else `nil` (open, or archived without being won or lost).
    public static func of(stageOutcome: StageOutcome?, lostReason: String?) -> DealOutcome? {
        if lostReason != nil || stageOutcome == .lost { return .lost }
        return stageOutcome == .won ? .won : nil
    }
}

/// One stay of a deal in a stage: from the line that put it there to the next line that moved
/// it (or, for its last stay in an open stage, to when it was won or lost there).
public struct StageVisit: Hashable, Sendable {
    /// `nil`: a stage removed since (its lines point at no stage).
    public var stage: Stage.ID?
    public var entered: Timestamp
    /// `nil`: it is still there (its last stay, in a won or lost stage).
    public var left: Timestamp?
    /// The stage's outcome during the stay, as the history recorded it (the last line of the
    /// stay that recorded one: a stage made won while the deal was in it says won); `nil`:
    /// not recorded (lines written before schema 9), read as the stage's outcome now.
    public var outcome: StageOutcome?
    /// The stage's outcome when the deal entered it, as the line that put it there recorded
    /// it: what the stay before it led to. A deal that went from New into Qualified while
    /// Qualified was open moved on from New, even if Qualified was made won later (found by
    /// the trials: New showed "won 100 %").
    public var enteredAs: StageOutcome?

    public init(stage: Stage.ID?, entered: Timestamp, left: Timestamp?, outcome: StageOutcome? = nil, enteredAs: StageOutcome? = nil) {
        self.stage = stage
        self.entered = entered
        self.left = left
        self.outcome = outcome
        self.enteredAs = enteredAs ?? outcome
    }
}

/// A closed deal's way through the stages: what the seen rates are computed from.
public struct ClosedDealPath: Hashable, Sendable {
    public var visits: [StageVisit]
    public var outcome: DealOutcome
    /// When it was (last) won or lost.
    public var closedAt: Timestamp

    public init(visits: [StageVisit], outcome: DealOutcome, closedAt: Timestamp) {
        self.visits = visits
        self.outcome = outcome
        self.closedAt = closedAt
    }

    /// The path a deal's history lines describe (oldest first). Only lines that change stage
    /// (`StageChange.changesStage`: a creation enters its first stage) start a visit; each
    /// ends the one before. The closing time is the last `won` or `lost` line's; a last stay
    /// in an open stage (lost where it stood) ends then. A deal without lines (stored before
    /// histories were kept) was in its current stage since `stageChangedAt`, and closed then.
    /// A line whose stage was removed since (`to == nil`) starts a stay in no stage, which
    /// counts for no stage but says where the stay before it led: with its recorded outcome,
    /// on (open), won or lost; without one (written before schema 9), nowhere. A stay that
    /// began in an open stage made won or lost under the deal ended when that happened: the
    /// deal closed there.
    public static func from(lines: [StageChange], outcome: DealOutcome, currentStage: Stage.ID?, stageChangedAt: Timestamp,
                            stageOutcome: (Stage.ID) -> StageOutcome?) -> ClosedDealPath {
        var visits: [StageVisit] = []
        var open: StageVisit?
        var closedAt: Timestamp?
        for line in lines {
            if line.event == .won || line.event == .lost { closedAt = line.at }
            guard line.changesStage else {
                // The stage's outcome changed under the deal (or a later line restates it).
                if let recorded = line.stageOutcome, open != nil, open?.stage == line.to { open?.outcome = recorded }
                continue
            }
            if var last = open { last.left = line.at; visits.append(last) }
            open = line.to != nil || line.stageOutcome != nil
                ? StageVisit(stage: line.to, entered: line.at, left: nil, outcome: line.stageOutcome, enteredAs: line.stageOutcome) : nil
        }
        if lines.isEmpty, let currentStage { open = StageVisit(stage: currentStage, entered: stageChangedAt, left: nil) }
        let closed = closedAt ?? lines.last?.at ?? stageChangedAt
        if var last = open {
            // Lost (or won) where it stood, or in a stage made won or lost under it: its stay,
            // begun in an open stage, ended when it closed.
            if (last.enteredAs ?? last.stage.flatMap(stageOutcome) ?? .open) == .open { last.left = max(closed, last.entered) }
            visits.append(last)
        }
        return ClosedDealPath(visits: visits, outcome: outcome, closedAt: closed)
    }
}

/// What became of a deal after its (last) stay in a stage.
public enum StageExit: String, Hashable, Sendable, CaseIterable {
    /// To an open stage later in the stage order.
    case movedOn = "moved_on"
    /// Into a won stage.
    case won
    /// Into a lost stage, or lost where it stood.
    case lost
    /// To an open stage earlier in the stage order (it went back).
    case back
}

/// Seen rate and flow of one stage, among closed deals that were ever in it.
public struct StageObservation: Hashable, Sendable {
    public var stage: Stage.ID
    public var won: Int
    public var lost: Int
    public var n: Int { won + lost }
    /// Median of the days each deal spent in the stage (all its stays added), `nil` when
    /// no deal left it.
    public var medianDays: Double?
    /// What each deal did after its last stay in the stage; deals still in it (a won or
    /// lost stage) count nowhere.
    public var exits: [StageExit: Int]

    public init(stage: Stage.ID, won: Int = 0, lost: Int = 0, medianDays: Double? = nil, exits: [StageExit: Int] = [:]) {
        self.stage = stage
        self.won = won
        self.lost = lost
        self.medianDays = medianDays
        self.exits = exits
    }

    /// How many deals left the stage (the shares' denominator).
    public var exited: Int { exits.values.reduce(0, +) }

    /// `won / n`, `nil` when no closed deal was in the stage.
    public var rate: Double? { n == 0 ? nil : Double(won) / Double(n) }

    /// The 90 % Wilson score interval of the rate.
    public var interval: (low: Double, high: Double)? { WilsonInterval.of(successes: won, trials: n) }

    /// The share of exits that were `exit`, `nil` when none left.
    public func share(_ exit: StageExit) -> Double? { exited == 0 ? nil : Double(exits[exit] ?? 0) / Double(exited) }
}

/// The Wilson score interval for a binomial proportion: it stays inside 0–1 and is wide when
/// few deals are known, which is what a manager needs to see.
public enum WilsonInterval {
    /// The two-sided 90 % normal quantile.
    public static let z90 = 1.6448536

    public static func of(successes: Int, trials: Int, z: Double = z90) -> (low: Double, high: Double)? {
        guard trials > 0, (0...trials).contains(successes) else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }
}

/// Adds up closed deals' paths into per-stage observations, one deal at a time (a store
/// streams them: nothing holds every path at once).
public struct StageObservationTally: Sendable {
    /// Each stage's place in the stage order (`Stage.sortOrder`) and outcome.
    private let order: [Stage.ID: (sortOrder: Int, outcome: StageOutcome)]
    /// Only deals closed at or after this instant count.
    public let since: Timestamp?
    private var won: [Stage.ID: Int] = [:]
    private var lost: [Stage.ID: Int] = [:]
    private var days: [Stage.ID: [Double]] = [:]
    private var exits: [Stage.ID: [StageExit: Int]] = [:]

    public init(stages: [Stage], since: Timestamp? = nil) {
        order = Dictionary(stages.map { ($0.id, ($0.sortOrder, $0.outcome)) }, uniquingKeysWith: { first, _ in first })
        self.since = since
    }

    public mutating func add(_ path: ClosedDealPath) {
        if let since, path.closedAt < since { return }
        var seen: Set<Stage.ID> = []
        var spent: [Stage.ID: Int64] = [:]
        var lastExit: [Stage.ID: StageExit] = [:]
        for (index, visit) in path.visits.enumerated() {
            // A stay in a stage removed since counts for no stage (it only says where the
            // stay before it led).
            guard let stage = visit.stage else { continue }
            seen.insert(stage)
            if let left = visit.left { spent[stage, default: 0] += left.millisecondsSince1970 - visit.entered.millisecondsSince1970 }
            if index + 1 < path.visits.count {
                lastExit[stage] = exit(from: stage, to: path.visits[index + 1])
            } else if entryOutcome(of: visit) == .open {
                // Its last stay, begun in an open stage: it closed there (lost where it stood,
                // or the stage was made won or lost under it).
                lastExit[stage] = path.outcome == .won ? .won : .lost
            } else {
                lastExit[stage] = nil
            }
        }
        for stage in seen {
            if path.outcome == .won { won[stage, default: 0] += 1 } else { lost[stage, default: 0] += 1 }
            if let milliseconds = spent[stage] { days[stage, default: []].append(Double(milliseconds) / 86_400_000) }
            if let exit = lastExit[stage] { exits[stage, default: [:]][exit, default: 0] += 1 }
        }
    }

    /// A stay's outcome when it began: as recorded, else the stage's now.
    private func entryOutcome(of visit: StageVisit) -> StageOutcome {
        visit.enteredAs ?? visit.stage.flatMap { order[$0]?.outcome } ?? .open
    }

    private func exit(from stage: Stage.ID, to next: StageVisit) -> StageExit {
        switch entryOutcome(of: next) {
        case .won: return .won
        case .lost: return .lost
        case .open:
            // An open stage removed since has no place in the order: the deal moved on to it
            // (a stage is removed after the deals passed through it, not before).
            guard let nextStage = next.stage, let there = order[nextStage]?.sortOrder else { return .movedOn }
            let here = order[stage]?.sortOrder ?? 0
            return there > here ? .movedOn : .back
        }
    }

    /// One observation per stage in `stages`' order (empty ones included).
    public func observations(for stages: [Stage]) -> [StageObservation] {
        stages.map { stage in
            StageObservation(stage: stage.id, won: won[stage.id] ?? 0, lost: lost[stage.id] ?? 0,
                             medianDays: Self.median(days[stage.id] ?? []), exits: exits[stage.id] ?? [:])
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
