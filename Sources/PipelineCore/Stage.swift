/// One column of a pipeline: a step of the sales cycle with its success probability.
public struct Stage: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<Stage>

    public var id: ID
    public var name: String
    /// The stage's place in the global order shared by every team. Users never see it:
    /// they see the stage's 1-based rank in the pipeline being shown.
    public var sortOrder: Int
    public var probability: Probability
    /// The guide's "change probability automatically": an opportunity entering the stage
    /// takes the stage's probability.
    public var changesProbabilityAutomatically: Bool
    /// Free text, possibly several lines, shown like a tooltip on the column.
    public var requirements: String
    public var isFolded: Bool
    public var outcome: StageOutcome
    public var scope: StageScope
    public var version: Int

    public init(
        id: ID, name: String, sortOrder: Int, probability: Probability,
        changesProbabilityAutomatically: Bool = true, requirements: String = "",
        isFolded: Bool = false, outcome: StageOutcome = .open, scope: StageScope = .shared,
        version: Int = 1
    ) {
        self.id = id
        self.name = name
        self.sortOrder = sortOrder
        self.probability = probability
        self.changesProbabilityAutomatically = changesProbabilityAutomatically
        self.requirements = requirements
        self.isFolded = isFolded
        self.outcome = outcome
        self.scope = scope
        self.version = version
    }

    /// Whether `team`'s pipeline shows this stage.
    public func belongs(to team: Team.ID) -> Bool {
        switch scope {
        case .shared: return true
        case .team(let owner): return owner == team
        }
    }
}

/// Whether a stage is still in play or closes the deal.
public enum StageOutcome: String, Sendable, CaseIterable {
    case open, won, lost

    /// Won and lost stages impose their probability on every opportunity in them.
    public var forcedProbability: Probability? {
        switch self {
        case .open: return nil
        case .won: return .certain
        case .lost: return .zero
        }
    }
}

/// Which pipelines show a stage.
public enum StageScope: Hashable, Sendable {
    /// Every team's pipeline (the reference CRM's default).
    case shared
    /// Only this team's pipeline.
    case team(Team.ID)

    public var team: Team.ID? {
        if case .team(let id) = self { return id }
        return nil
    }
}
