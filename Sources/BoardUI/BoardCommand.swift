import PipelineCore

/// A change the board asks the store to make. Each is one transaction; each has an
/// inverse (computed when it runs) that undo runs as a new recorded change.
public enum BoardCommand: Sendable {
    case moveCard(Opportunity.ID, to: Stage.ID, placement: CardPlacement, expectedVersion: Int?)
    case revertCard(Opportunity, placement: CardPlacement, expectedVersion: Int?)
    case editCard(Opportunity.ID, OpportunityChanges, expectedVersion: Int?)
    case addCard(OpportunityChanges, stage: Stage.ID)
    case deleteCard(Opportunity.ID, expectedVersion: Int?)
    case markWon(Opportunity.ID, expectedVersion: Int?)
    /// Into `into` when it is a lost stage (a card carried there), else the first lost stage.
    case markLost(Opportunity.ID, reason: String, into: Stage.ID?, expectedVersion: Int?)
    case moveStage(Stage.ID, to: StagePlacement)
    case editStage(Stage.ID, StageEdit, expectedVersion: Int?)
    /// Undoes `editStage`: the stage's settings as `snapshot` had them.
    case revertStage(Stage, expectedVersion: Int?)
    case addStage(StageDraft, position: Int?)
    case removeStage(Stage.ID, moveTo: Stage.ID?)
    /// Undoes `removeStage`: the stage again at its place, its cards moved back as they
    /// were (refused for a card changed since it was moved away).
    case recreateStage(Stage, position: Int, cards: [MovedCard], movedTo: Stage.ID?)
    // Leads
    case addLead(OpportunityChanges)
    case editLead(Opportunity.ID, OpportunityChanges, expectedVersion: Int?)
    case markLeadLost(Opportunity.ID, reason: String, expectedVersion: Int?)
    /// Undoes `editLead` and `markLeadLost`: the lead as `snapshot` had it.
    case revertLead(Opportunity, expectedVersion: Int?)
    /// Undoes `addLead`.
    case deleteLead(Opportunity.ID, expectedVersion: Int?)
    /// Has no inverse: a conversion may merge and delete records, and what would undo it is
    /// a new set of records with other ids.
    case convertLead(Opportunity.ID, Conversion, expectedVersion: Int?)
    // Activities (issue 13)
    case addActivity(Opportunity.ID, ActivityChanges)
    /// Undoes `addActivity`.
    case removeActivity(Activity.ID, expectedVersion: Int?)
    /// Done with `feedback`; `next` scheduled in the same transaction.
    case completeActivity(Activity.ID, feedback: String, next: ActivityChanges?, expectedVersion: Int?)
    /// Undoes `completeActivity`: open again, and the next one it scheduled removed.
    case reopenActivity(Activity.ID, expectedVersion: Int?, removingNext: Activity.ID?, nextVersion: Int?)
    case rescheduleActivity(Activity.ID, to: CalendarDate, expectedVersion: Int?)
    /// A note on the deal's page, with its author and time.
    case addNote(Opportunity.ID, text: String)
    /// Has no inverse: a note is never written again under another's name or time.
    case removeNote(DealNote)
}

/// Why a command runs: a user action is recorded for undo; undo and redo move entries
/// between the two stacks.
public enum CommandOrigin: Sendable {
    case user, undo, redo
}

/// What a command did, for the board to show and to remember.
public struct CommandResult: Sendable {
    /// One line for the status bar.
    public var message: String
    public var hint: PipelineHint?
    /// Where focus goes afterwards (the moved card, the new stage…).
    public var focus: Focus?
    /// The command that takes this one back, when there is one.
    public var inverse: BoardCommand?
    /// The lead to select in the Leads view afterwards.
    public var lead: Opportunity.ID?
    /// The columns whose cards the command changed, when it changed nothing else (stages,
    /// teams, settings); `nil` when anything may have changed.
    public var changedStages: Set<Stage.ID>?
    /// The command cannot be undone and the changes before it no longer can either (a
    /// conversion: the records those inverses name may be merged away).
    public var endsUndoHistory = false
    /// An undo or redo that put a record back as it was at an earlier version: the entries
    /// still waiting for that version now wait for the record's new one.
    public var rebase: VersionRebase?
    /// A note was added: the page's note box empties.
    public var noteAdded = false

    public init(message: String, hint: PipelineHint? = nil, focus: Focus? = nil, inverse: BoardCommand? = nil, lead: Opportunity.ID? = nil,
                changedStages: Set<Stage.ID>? = nil) {
        self.lead = lead
        self.changedStages = changedStages
        self.message = message
        self.hint = hint
        self.focus = focus
        self.inverse = inverse
    }
}

/// A record undo entries check the version of.
public enum VersionedRecord: Hashable, Sendable {
    case opportunity(Opportunity.ID)
    case stage(Stage.ID)
}

/// A record brought back to the state it had at version `from`, now at version `to`.
///
/// Undo checks each entry's expected version, so that a change by someone else is never
/// overwritten; but undoing a record's newest change gives it a new version, and the older
/// entry for the same record, expecting the version it had then, would be refused. The state
/// is the one that entry expects, so its expectation moves to the new version.
public struct VersionRebase: Sendable, Equatable {
    public var record: VersionedRecord
    public var from: Int
    public var to: Int
}

extension BoardCommand {
    /// The command, expecting `rebase.to` where it expected `rebase.from` of that record.
    func rebased(_ rebase: VersionRebase) -> BoardCommand {
        func version(_ record: VersionedRecord, _ expected: Int?) -> Int? {
            record == rebase.record && expected == rebase.from ? rebase.to : expected
        }
        switch self {
        case .moveCard(let id, let stage, let placement, let expected):
            return .moveCard(id, to: stage, placement: placement, expectedVersion: version(.opportunity(id), expected))
        case .revertCard(let snapshot, let placement, let expected):
            return .revertCard(snapshot, placement: placement, expectedVersion: version(.opportunity(snapshot.id), expected))
        case .editCard(let id, let changes, let expected):
            return .editCard(id, changes, expectedVersion: version(.opportunity(id), expected))
        case .deleteCard(let id, let expected):
            return .deleteCard(id, expectedVersion: version(.opportunity(id), expected))
        case .markWon(let id, let expected):
            return .markWon(id, expectedVersion: version(.opportunity(id), expected))
        case .markLost(let id, let reason, let stage, let expected):
            return .markLost(id, reason: reason, into: stage, expectedVersion: version(.opportunity(id), expected))
        case .editStage(let id, let edit, let expected):
            return .editStage(id, edit, expectedVersion: version(.stage(id), expected))
        case .revertStage(let snapshot, let expected):
            return .revertStage(snapshot, expectedVersion: version(.stage(snapshot.id), expected))
        case .editLead(let id, let changes, let expected):
            return .editLead(id, changes, expectedVersion: version(.opportunity(id), expected))
        case .markLeadLost(let id, let reason, let expected):
            return .markLeadLost(id, reason: reason, expectedVersion: version(.opportunity(id), expected))
        case .revertLead(let snapshot, let expected):
            return .revertLead(snapshot, expectedVersion: version(.opportunity(snapshot.id), expected))
        case .deleteLead(let id, let expected):
            return .deleteLead(id, expectedVersion: version(.opportunity(id), expected))
        case .convertLead(let id, let conversion, let expected):
            return .convertLead(id, conversion, expectedVersion: version(.opportunity(id), expected))
        case .addCard, .moveStage, .addStage, .removeStage, .recreateStage, .addLead,
             .addActivity, .removeActivity, .completeActivity, .reopenActivity, .rescheduleActivity, .addNote, .removeNote:
            // An activity's version is its own, not its deal's.
            return self
        }
    }
}

/// The session's undo and redo stacks: inverse commands, newest last.
public struct UndoHistory: Sendable {
    public var undo: [BoardCommand] = []
    public var redo: [BoardCommand] = []

    /// Each stack keeps the newest this many steps, as editors do: a day at the board stays
    /// undoable far back, and memory and each undo's rebasing stay bounded.
    public static let limit = 1_000

    public init() {}

    mutating func pushUndo(_ command: BoardCommand) { Self.push(command, onto: &undo) }
    mutating func pushRedo(_ command: BoardCommand) { Self.push(command, onto: &redo) }

    private static func push(_ command: BoardCommand, onto stack: inout [BoardCommand]) {
        stack.append(command)
        if stack.count > limit { stack.removeFirst(stack.count - limit) }
    }
}
