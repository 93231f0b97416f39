/// Everything that happened to a record, newest first (issue 13): what `opp show --json`
/// lists as "timeline" and the deal's page shows. Assembled from the history lines, the
/// done activities and the notes; pure, so every engine and every screen shows the same.
public struct TimelineEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// The deal was created (added, imported, converted) in `stage`.
        case created(stage: String?, probability: Probability?, amount: Money?)
        /// It went from one stage to another after `timeInFrom` milliseconds in the first
        /// (`nil`: unknown, the first line of its history being later than its entry).
        case stageChanged(from: String?, to: String?, timeInFrom: Int64?)
        /// Its probability changed: typed by hand, or given by a stage (on entering it, or
        /// when the stage's own changed).
        case probabilityChanged(from: Probability, to: Probability, byHand: Bool)
        case amountChanged(from: Money, to: Money)
        case won
        case lost(reason: String?)
        case restored
        case archived
        case activityDone(activity: Activity.ID, type: String, summary: String, feedback: String)
        case note(DealNote.ID, text: String)
    }

    public var kind: Kind
    public var at: Timestamp
    public var by: String

    public init(kind: Kind, at: Timestamp, by: String) {
        self.kind = kind
        self.at = at
        self.by = by
    }
}

/// A history line with its stages' names as they were when it was written.
public struct NamedHistoryLine: Hashable, Sendable {
    public var change: StageChange
    public var fromName: String?
    public var toName: String?

    public init(change: StageChange, fromName: String?, toName: String?) {
        self.change = change
        self.fromName = fromName
        self.toName = toName
    }
}

public enum Timeline {
    /// The timeline of one record: `history` oldest first (as stored), its activities and
    /// notes in any order; `types` name the activities' types. Newest first; entries at the
    /// same instant keep the order they happened in, reversed (the later one first).
    ///
    /// A figure is said to change only when both it and the one before are known: lines
    /// written before the history kept figures have none, and unknown is never shown as 0.
    public static func entries(history: [NamedHistoryLine], activities: [Activity], types: [ActivityType],
                               notes: [DealNote]) -> [TimelineEntry] {
        var entries: [TimelineEntry] = []
        var previous: StageChange?
        var enteredStageAt: Timestamp?
        for line in history {
            let change = line.change
            switch change.event {
            case .created:
                entries.append(TimelineEntry(kind: .created(stage: line.toName, probability: change.probability, amount: change.amount),
                                             at: change.at, by: change.by))
            default:
                if change.from != change.to {
                    let spent = enteredStageAt.map { change.at.millisecondsSince1970 - $0.millisecondsSince1970 }
                    entries.append(TimelineEntry(kind: .stageChanged(from: line.fromName, to: line.toName, timeInFrom: spent),
                                                 at: change.at, by: change.by))
                }
                if let before = previous?.probability, let after = change.probability, before != after {
                    entries.append(TimelineEntry(kind: .probabilityChanged(from: before, to: after, byHand: change.event == .edited),
                                                 at: change.at, by: change.by))
                }
                if let before = previous?.amount, let after = change.amount, before != after {
                    entries.append(TimelineEntry(kind: .amountChanged(from: before, to: after), at: change.at, by: change.by))
                }
                switch change.event {
                case .won: entries.append(TimelineEntry(kind: .won, at: change.at, by: change.by))
                case .lost: entries.append(TimelineEntry(kind: .lost(reason: change.reason), at: change.at, by: change.by))
                case .restored: entries.append(TimelineEntry(kind: .restored, at: change.at, by: change.by))
                case .archived: entries.append(TimelineEntry(kind: .archived, at: change.at, by: change.by))
                case .created, .moved, .edited, .stageProbability: break
                }
            }
            if change.changesStage { enteredStageAt = change.at }
            // A line without figures (an old one) leaves the last known ones as they were.
            var known = change
            if known.probability == nil { known.probability = previous?.probability }
            if known.amount == nil { known.amount = previous?.amount }
            previous = known
        }
        // Notes before the activities done: at the same instant (a clock that stood still, a
        // script) nothing says which came first, and an activity is most often marked done
        // after the notes that led to it, so it shows above them, newest first.
        for note in notes.sorted(by: { $0.id < $1.id }) {
            entries.append(TimelineEntry(kind: .note(note.id, text: note.text), at: note.at, by: note.author))
        }
        let typeNames = Dictionary(types.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for activity in activities.sorted(by: { $0.id < $1.id }) {
            guard let done = activity.completion else { continue }
            entries.append(TimelineEntry(kind: .activityDone(activity: activity.id, type: typeNames[activity.type] ?? "",
                                                             summary: activity.summary, feedback: done.feedback),
                                         at: done.at, by: done.by))
        }
        // Stable: equal instants keep their order of happening, then the whole is reversed.
        let ordered = entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        return ordered.reversed().map(\.element)
    }
}
