/// The weekly digest (issue 14): what happened in a period, and the weighted open pipeline at
/// its start and its end with the difference explained, per currency, exactly.
///
/// The history records, at each change, the deal's stage, probability and amount after it,
/// and what happened (`HistoryEvent`). The start and end figures are reconstructed by walking
/// *backwards* from today's weighted open pipeline (the forecast's own sum) through the
/// recorded changes: each change moves a deal's weighted amount from what it was after the
/// previous line to what it is after this one, so the parts add up to the difference by
/// construction, and the end figure is the forecast's when the period ends today.

/// One deal the digest reads: as it stands now, with every line of its history, oldest first.
public struct DigestDeal: Sendable {
    public var deal: Opportunity
    public var lines: [NamedHistoryLine]

    public init(deal: Opportunity, lines: [NamedHistoryLine]) {
        self.deal = deal
        self.lines = lines
    }
}

/// What moved the weighted open pipeline between the start and the end of a period.
public enum DigestCause: String, Sendable, CaseIterable {
    /// Deals created (added, imported, converted from a lead) in the period.
    case created = "new"
    /// Deals moved between open stages: the new stage's probability.
    case moved
    /// Deals won: they leave the open pipeline (their revenue is won, no longer weighted).
    case won
    /// Deals lost.
    case lost
    /// Deals reopened after being won, lost or archived.
    case restored
    /// Deals archived.
    case archived
    /// Expected revenue (or its currency) edited.
    case amount
    /// A probability typed by hand.
    case probability
    /// A stage's probability changed, and its deals with it.
    case stageProbability = "stage_probability"
    /// A stage turned won, lost or open again: its deals left the open pipeline or came back.
    case stageOutcome = "stage_outcome"
    /// What the deal is now differs from its last history line: a change the history does not
    /// record (a stage's outcome changed before schema 9 recorded it, data restored from an
    /// older backup). Normally zero.
    case unrecorded

    public func name(in language: Language) -> String { Catalogue.text("digest.cause.\(rawValue)", language) }
}

/// One currency's weighted open pipeline at the start and the end of the period, and the
/// parts of the difference, in minor units: `start + Σ parts == end`, always.
public struct DigestBridge: Sendable, Equatable {
    public var currency: CurrencyCode
    public var start: Int128
    public var end: Int128
    /// Every cause, zero included, in `DigestCause.allCases` order.
    public var parts: [(cause: DigestCause, amount: Int128)]
    /// What made each part, largest change first: the items of a part add up to it exactly.
    /// A change of zero in this currency is no item.
    public var items: [DigestCause: [DigestPartItem]] = [:]

    public var difference: Int128 { end - start }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.currency == rhs.currency && lhs.start == rhs.start && lhs.end == rhs.end
            && lhs.parts.map(\.cause) == rhs.parts.map(\.cause) && lhs.parts.map(\.amount) == rhs.parts.map(\.amount)
            && lhs.items == rhs.items
    }

    public func part(_ cause: DigestCause) -> Int128 { parts.first { $0.cause == cause }?.amount ?? 0 }

    public func items(_ cause: DigestCause) -> [DigestPartItem] { items[cause] ?? [] }
}

/// One change that made a part of the difference, in one currency: a deal's history line (a
/// deal made new, moved, won, edited…), a deal's difference from its last line ("not in the
/// history"), or one change of a stage's probability with the deals it moved.
public struct DigestPartItem: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case deal(Opportunity.ID, title: String)
        /// A stage's probability set to `probability` (the stage's name as the history line
        /// gives it), which changed the weighted amount of `deals` deals.
        case stage(Stage.ID?, name: String?, probability: Probability?, deals: Int)
        /// A stage made `outcome` (open, won or lost), which took `deals` deals out of the open
        /// pipeline or back into it (the new-user trial: each deal alone said nothing of why).
        case stageOutcome(Stage.ID?, name: String?, outcome: StageOutcome?, deals: Int)
    }

    public var subject: Subject
    /// The change of the weighted open pipeline, in the bridge's currency's minor units.
    public var amount: Int128
    /// When and by whom; `nil` for what is not in the history.
    public var at: Timestamp?
    public var by: String?

    public init(subject: Subject, amount: Int128, at: Timestamp?, by: String?) {
        self.subject = subject
        self.amount = amount
        self.at = at
        self.by = by
    }

    /// Largest change first; then oldest, then by deal or stage: the same order on every run.
    static func precedes(_ a: Self, _ b: Self) -> Bool {
        let sizeA = a.amount < 0 ? -a.amount : a.amount, sizeB = b.amount < 0 ? -b.amount : b.amount
        if sizeA != sizeB { return sizeA > sizeB }
        let atA = a.at?.millisecondsSince1970 ?? .max, atB = b.at?.millisecondsSince1970 ?? .max
        if atA != atB { return atA < atB }
        return a.subject.order < b.subject.order
    }
}

private extension DigestPartItem.Subject {
    var order: Int64 {
        switch self {
        case .deal(let id, _): id.rawValue
        case .stage(let id, _, _, _), .stageOutcome(let id, _, _, _): id?.rawValue ?? 0
        }
    }
}

/// One event of the period, as the digest's lists show it.
public struct DigestEvent: Sendable, Equatable {
    public var deal: Opportunity.ID
    public var title: String
    public var event: HistoryEvent
    public var fromStage: String?
    public var toStage: String?
    public var at: Timestamp
    public var by: String
    /// The amount after the change (`nil`: not recorded).
    public var amount: Money?
    public var probability: Probability?
    /// A lost line's reason.
    public var reason: String?
}

/// An overdue activity with the title of its deal.
public struct DigestActivity: Sendable, Equatable {
    public var activity: Activity
    public var dealTitle: String

    public init(activity: Activity, dealTitle: String) {
        self.activity = activity
        self.dealTitle = dealTitle
    }
}

/// The period's lists and the explained pipeline.
public struct Digest: Sendable {
    /// The first and last instant of the period (both in it).
    public var start: Timestamp
    public var end: Timestamp
    public var created: [DigestEvent] = []
    public var moved: [DigestEvent] = []
    public var won: [DigestEvent] = []
    public var lost: [DigestEvent] = []
    /// Deals rotting now, and activities overdue now (not as they were in the period).
    public var rotting: [Opportunity] = []
    public var overdue: [DigestActivity] = []
    /// Per currency, the preferred currency first, then alphabetical.
    public var bridges: [DigestBridge] = []

    public init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }
}

extension Digest {
    /// The digest of `[start, end]` from `deals` (every deal with a history line at or after
    /// `start`, as it is now, with all its lines) and `openNow` (today's weighted open
    /// pipeline of the same deals' scope, as the forecast sums it). `outcome` gives a stage's
    /// outcome as it is now (a stage it cannot name counts as open).
    public static func explain(start: Timestamp, end: Timestamp, deals: [DigestDeal], openNow: MoneyTotals,
                               preferring preferred: CurrencyCode, outcome: (Stage.ID) -> StageOutcome?) -> Digest {
        var digest = Digest(start: start, end: end)
        var parts: [DigestCause: MoneyTotals] = [:]
        // What made each part, per currency; a stage's probability change gathers the lines
        // it wrote (one per deal) into one item.
        var items: [CurrencyCode: [DigestCause: [DigestPartItem]]] = [:]
        var stageChanges: [StageProbabilityChange: DigestPartItem] = [:]
        func note(_ cause: DigestCause, _ totals: MoneyTotals, _ line: NamedHistoryLine?, title: String, deal: Opportunity.ID) {
            for (currency, amount) in totals.minorUnits where amount != 0 {
                guard let line, cause == .stageProbability || cause == .stageOutcome else {
                    items[currency, default: [:]][cause, default: []].append(DigestPartItem(
                        subject: .deal(deal, title: title), amount: amount, at: line?.change.at, by: line?.change.by))
                    continue
                }
                let key = StageProbabilityChange(currency: currency, cause: cause, stage: line.change.to, at: line.change.at, by: line.change.by)
                let subject: DigestPartItem.Subject = cause == .stageOutcome
                    ? .stageOutcome(line.change.to, name: line.toName, outcome: line.change.stageOutcome, deals: 0)
                    : .stage(line.change.to, name: line.toName, probability: line.change.probability, deals: 0)
                var item = stageChanges[key] ?? DigestPartItem(subject: subject, amount: 0, at: line.change.at, by: line.change.by)
                switch item.subject {
                case .stage(let stage, let name, let probability, let deals):
                    item.subject = .stage(stage, name: name, probability: probability, deals: deals + 1)
                case .stageOutcome(let stage, let name, let outcome, let deals):
                    item.subject = .stageOutcome(stage, name: name, outcome: outcome, deals: deals + 1)
                case .deal: break
                }
                item.amount += amount
                stageChanges[key] = item
            }
        }
        // What changed after the end: taken off today's figure to find the end's.
        var afterEnd = MoneyTotals()
        var currencies = Set(openNow.minorUnits.keys)
        for item in deals {
            let states = DealState.walk(item.lines, outcome: outcome, current: item.deal)
            let now = DealState.now(item.deal, outcome: outcome)
            guard let first = item.lines.firstIndex(where: { $0.change.at >= start }) else { continue }
            var previous = first == 0 ? states.beforeFirst : states.after[first - 1]
            var index = first
            while index < item.lines.count, item.lines[index].change.at <= end {
                let line = item.lines[index]
                let next = states.after[index]
                for (cause, totals) in DealState.causes(of: line.change.event, from: previous, to: next) {
                    parts[cause, default: MoneyTotals()].add(totals)
                    currencies.formUnion(totals.minorUnits.keys)
                    note(cause, totals, line, title: item.deal.title, deal: item.deal.id)
                }
                digest.record(line, title: item.deal.title)
                previous = next
                index += 1
            }
            let change = DealState.difference(from: previous, to: now)
            currencies.formUnion(change.minorUnits.keys)
            if index < item.lines.count {
                afterEnd.add(change)
            } else {
                parts[.unrecorded, default: MoneyTotals()].add(change)
                note(.unrecorded, change, nil, title: item.deal.title, deal: item.deal.id)
            }
        }
        for (key, item) in stageChanges where item.amount != 0 {
            items[key.currency, default: [:]][key.cause, default: []].append(item)
        }
        let byTime = { (a: DigestEvent, b: DigestEvent) in (a.at, a.deal.rawValue) < (b.at, b.deal.rawValue) }
        digest.created.sort(by: byTime)
        digest.moved.sort(by: byTime)
        digest.won.sort(by: byTime)
        digest.lost.sort(by: byTime)
        var order = MoneyTotals()
        for currency in currencies { order.add(0, currency: currency) }
        for currency in order.currencies(preferring: preferred) {
            let end = openNow[currency] - afterEnd[currency]
            let causes = DigestCause.allCases.map { (cause: $0, amount: parts[$0]?[currency] ?? 0) }
            let start = end - causes.reduce(0) { $0 + $1.amount }
            // A currency no deal of the scope had in the period or has now says nothing.
            if start == 0, end == 0, causes.allSatisfy({ $0.amount == 0 }) { continue }
            var bridge = DigestBridge(currency: currency, start: start, end: end, parts: causes)
            bridge.items = (items[currency] ?? [:]).mapValues { $0.sorted(by: DigestPartItem.precedes) }
            digest.bridges.append(bridge)
        }
        return digest
    }

    /// One change of a stage's probability in one currency: the lines it wrote share the
    /// stage, the instant and who made it.
    /// One change of a stage (its probability, or its outcome) by one person at one instant,
    /// in one currency: the lines it wrote, one per deal, make one item.
    private struct StageProbabilityChange: Hashable {
        var currency: CurrencyCode
        var cause: DigestCause
        var stage: Stage.ID?
        var at: Timestamp
        var by: String
    }

    private mutating func record(_ line: NamedHistoryLine, title: String) {
        let change = line.change
        let event = DigestEvent(deal: change.opportunity, title: title, event: change.event, fromStage: line.fromName,
                                toStage: line.toName, at: change.at, by: change.by, amount: change.amount,
                                probability: change.probability, reason: change.reason)
        switch change.event {
        case .created: created.append(event)
        case .moved: moved.append(event)
        case .won: won.append(event)
        case .lost: lost.append(event)
        case .edited, .stageProbability, .restored, .archived: break
        }
    }
}

/// A deal as one history line leaves it, or as it is now: whether it counts in the open
/// pipeline, and with which figures.
struct DealState: Equatable {
    var isOpen: Bool
    var amount: Money
    var probability: Probability

    /// Its weighted amount in the open pipeline (nothing when not open).
    var weighted: MoneyTotals {
        var totals = MoneyTotals()
        if isOpen { totals.add(amount.weighted(by: probability)) }
        return totals
    }

    static let absent = DealState(isOpen: false, amount: Money(uncheckedMinorUnits: 0, currency: .usd), probability: .zero)

    /// As the forecast counts it now: active in an open stage.
    static func now(_ deal: Opportunity, outcome: (Stage.ID) -> StageOutcome?) -> DealState {
        let open = deal.kind == .opportunity && deal.isActive && (deal.stage.flatMap(outcome) ?? .open) == .open
        return DealState(isOpen: open, amount: deal.expectedRevenue, probability: deal.probability ?? .zero)
    }

    /// The state after each line, and before the first. A line says whether its stage was
    /// open when it was written (`StageChange.stageOutcome`); one written before schema 9 does
    /// not, and is read with the stage's outcome now. Lines written before the history
    /// recorded figures have none: they take the figures of the next line that has them (or of
    /// the deal now, for the last), as if those figures had not changed.
    static func walk(_ lines: [NamedHistoryLine], outcome: (Stage.ID) -> StageOutcome?,
                     current: Opportunity? = nil) -> (beforeFirst: DealState, after: [DealState]) {
        var amounts: [Money?] = lines.map(\.change.amount)
        var probabilities: [Probability?] = lines.map(\.change.probability)
        var laterAmount = current?.expectedRevenue, laterProbability = current?.probability
        for index in lines.indices.reversed() {
            if amounts[index] == nil { amounts[index] = laterAmount } else { laterAmount = amounts[index] }
            if probabilities[index] == nil { probabilities[index] = laterProbability } else { laterProbability = probabilities[index] }
        }
        var active = true, lost = false
        var after: [DealState] = []
        for (index, line) in lines.enumerated() {
            let change = line.change
            switch change.event {
            case .created: active = true; lost = false
            case .moved, .won: lost = false
            case .lost: lost = true
            case .restored: active = true; lost = false
            case .archived: active = false
            case .edited, .stageProbability: break
            }
            // The outcome the stage had then (schema 9); older lines read today's.
            let stageOpen = (change.stageOutcome ?? change.to.flatMap(outcome) ?? .open) == .open
            after.append(DealState(isOpen: active && !lost && stageOpen,
                                   amount: amounts[index] ?? DealState.absent.amount, probability: probabilities[index] ?? .zero))
        }
        // Before a `created` line the deal did not exist. A history that begins otherwise (lines
        // moved in by a merge) had the deal in the line's first stage with the same figures.
        var beforeFirst = DealState.absent
        if let first = lines.first, first.change.event != .created, let state = after.first {
            beforeFirst = DealState(isOpen: (first.change.from.flatMap(outcome) ?? .open) == .open,
                                    amount: state.amount, probability: state.probability)
        }
        return (beforeFirst, after)
    }

    static func difference(from before: DealState, to after: DealState) -> MoneyTotals {
        var totals = after.weighted
        for (currency, minor) in before.weighted.minorUnits { totals.add(-minor, currency: currency) }
        return totals
    }

    /// The change one line made, by cause. An edit that changed both the amount and the
    /// probability is split: the amount first (at the old probability), then the probability.
    static func causes(of event: HistoryEvent, from before: DealState, to after: DealState) -> [(DigestCause, MoneyTotals)] {
        switch event {
        case .created: return [(.created, difference(from: before, to: after))]
        case .moved: return [(.moved, difference(from: before, to: after))]
        case .won: return [(.won, difference(from: before, to: after))]
        case .lost: return [(.lost, difference(from: before, to: after))]
        case .restored: return [(.restored, difference(from: before, to: after))]
        case .archived: return [(.archived, difference(from: before, to: after))]
        case .stageProbability:
            // The same event records a stage's new probability and its new outcome: which one
            // moved the figure is whether the deal left (or re-entered) the open pipeline.
            return [(before.isOpen != after.isOpen ? .stageOutcome : .stageProbability, difference(from: before, to: after))]
        case .edited:
            var middle = after
            middle.probability = before.probability
            if before.isOpen != after.isOpen { middle = after }
            return [(.amount, difference(from: before, to: middle)), (.probability, difference(from: middle, to: after))]
        }
    }
}
