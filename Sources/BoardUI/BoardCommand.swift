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
    case markLost(Opportunity.ID, reason: String, expectedVersion: Int?)
    case moveStage(Stage.ID, to: StagePlacement)
    case editStage(Stage.ID, StageEdit, expectedVersion: Int?)
    case addStage(StageDraft, position: Int?)
    case removeStage(Stage.ID, moveTo: Stage.ID?)
    /// Undoes `removeStage`: the stage again at its place, its cards moved back as they
    /// were (refused for a card changed since it was moved away).
    case recreateStage(Stage, position: Int, cards: [MovedCard], movedTo: Stage.ID?)
    // Leads (not undone: a conversion may merge records)
    case addLead(OpportunityChanges)
    case editLead(Opportunity.ID, OpportunityChanges, expectedVersion: Int?)
    case markLeadLost(Opportunity.ID, reason: String, expectedVersion: Int?)
    case convertLead(Opportunity.ID, Conversion, expectedVersion: Int?)
}

/// A card a stage removal moved: how it was, and its version just after the move.
public struct MovedCard: Sendable {
    public var before: Opportunity
    public var versionAfterMove: Int
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

/// The session's undo and redo stacks: inverse commands, newest last.
public struct UndoHistory: Sendable {
    public var undo: [BoardCommand] = []
    public var redo: [BoardCommand] = []

    public init() {}
}
