/// What a line of a record's history records.
public enum HistoryEvent: String, Hashable, Sendable, CaseIterable {
    /// The record became a deal: added, imported, or converted from a lead.
    case created
    /// It changed stage (or team) and stays open.
    case moved
    /// Its probability or expected revenue changed in place, by hand.
    case edited
    /// Its stage changed under it: the stage's probability changed (its followers), or the
    /// stage's outcome did (every deal in it gets a line with the new outcome, schema 9).
    case stageProbability
    /// It entered a won stage.
    case won
    /// It entered a lost stage, or was lost where it stood.
    case lost
    /// It is open and active again after being won, lost or archived.
    case restored
    /// It was archived (hidden from the board, kept in its stage).
    case archived

    public func name(in language: Language) -> String { Catalogue.text("history.event.\(rawValue)", language) }
}

extension StageChange {
    /// The history line for a record going from `before` (`nil`: new) to `after`, or `nil`
    /// when nothing the history tracks changed: its stage or team, its probability, its
    /// expected revenue or currency, whether it is won, lost or active. Only deals have a
    /// history: a lead's begins when it is converted (`created`). `outcome` gives a stage's
    /// outcome (a stage it cannot name counts as open).
    ///
    /// Every shared operation that saves a deal asks this once, so that each change writes
    /// exactly one line.
    public static func recording(from before: Opportunity?, to after: Opportunity, outcome: (Stage.ID) -> StageOutcome?,
                                 at now: Timestamp, by user: String) -> StageChange? {
        guard after.kind == .opportunity, let event = HistoryEvent.between(before, after, outcome: outcome) else { return nil }
        return StageChange(opportunity: after.id, from: event == .created ? nil : before?.stage, to: after.stage, at: now, by: user,
                           event: event, probability: after.probability, amount: after.expectedRevenue,
                           reason: event == .lost ? after.lostReason : nil, stageOutcome: after.stage.flatMap(outcome))
    }
}

extension HistoryEvent {
    /// What changed between `before` and `after` (see `StageChange.recording`), if anything.
    static func between(_ before: Opportunity?, _ after: Opportunity, outcome: (Stage.ID) -> StageOutcome?) -> HistoryEvent? {
        guard let before, before.kind == .opportunity else { return .created }
        let wasOpen = Self.isOpen(active: before.isActive, lostReason: before.lostReason, outcome: before.stage.flatMap(outcome) ?? .open)
        let isOpen = Self.isOpen(active: after.isActive, lostReason: after.lostReason, outcome: after.stage.flatMap(outcome) ?? .open)
        let afterOutcome = after.stage.flatMap(outcome) ?? .open
        if before.stage != after.stage {
            let closedAs: StageOutcome = before.lostReason != nil ? .lost : (before.stage.flatMap(outcome) ?? .open)
            return moveEvent(into: afterOutcome, closedAs: closedAs, wasOpen: wasOpen, isActive: after.isActive, lostReason: after.lostReason)
        }
        if before.lostReason == nil, after.lostReason != nil { return .lost }
        if before.isActive, !after.isActive { return .archived }
        if !wasOpen, isOpen { return .restored }
        if before.probability != after.probability || before.expectedRevenue != after.expectedRevenue { return .edited }
        return nil
    }

    /// What a change of stage is: won or lost when the deal enters a won or lost stage (or is
    /// lost on its way), restored when a closed or archived deal becomes open and active, a
    /// move otherwise. `closedAs` is how the deal stood before (won in a won stage, lost with
    /// a reason or in a lost stage, else open): a deal already won that goes to another won
    /// stage (or a lost one to another lost stage) was not won (or lost) again — it moved, and
    /// the digest's lists and a deal's timeline count one win (found by the trial: a win moved
    /// from "Won" to "Won big" was listed twice). The bulk moves of the engines ask this with
    /// their rows' state.
    public static func moveEvent(into outcome: StageOutcome, closedAs: StageOutcome, wasOpen: Bool, isActive: Bool,
                                 lostReason: String?) -> HistoryEvent {
        switch outcome {
        case .won: return closedAs == .won ? .moved : .won
        case .lost: return closedAs == .lost ? .moved : .lost
        case .open:
            if lostReason != nil { return closedAs == .lost ? .moved : .lost }
            return !wasOpen && isActive ? .restored : .moved
        }
    }

    /// An open deal: active, not lost, in an open stage.
    static func isOpen(active: Bool, lostReason: String?, outcome: StageOutcome) -> Bool {
        active && lostReason == nil && outcome == .open
    }
}
