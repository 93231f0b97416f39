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
    /// "Rotting after N days" (issue 13): an active deal that has stayed longer than this in
    /// the stage, with no open activity due today or later, rots. `nil`: off.
    public var rottingDays: Int?
    public var version: Int

    public init(
        id: ID, name: String, sortOrder: Int, probability: Probability,
        changesProbabilityAutomatically: Bool = true, requirements: String = "",
        isFolded: Bool = false, outcome: StageOutcome = .open, scope: StageScope = .shared,
        rottingDays: Int? = nil, version: Int = 1
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
        self.rottingDays = rottingDays
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

extension Stage {
    /// The days a stage may hold a deal before it rots: 1 to 3650 (ten years).
    public static let rottingDaysRange = 1...3650

    /// Reads "rotting after N days" as typed: a whole number in `rottingDaysRange`, or
    /// `off` (also `0`, `none` and the language's word for off) for never; `nil` means off.
    public static func rottingDays(parsing text: String, language: Language = .english) throws(PipelineError) -> Int? {
        let trimmed = text.trimmingWhitespace().lowercased()
        // The word for off in either language: the docs name both, whatever --lang says.
        let offWords: Set<String> = Set(["off", "none", "0", ""] + Language.allCases.map { Catalogue.text("value.off", $0).lowercased() })
        if offWords.contains(trimmed) { return nil }
        guard let days = Int(trimmed), rottingDaysRange.contains(days) else { throw .invalidRottingDays(text) }
        return days
    }
}

extension Stage {
    /// `days` if it is a number of days a stage may rot after (`nil`: off), else the error.
    static func validRottingDays(_ days: Int?) throws(PipelineError) -> Int? {
        guard let days else { return nil }
        guard rottingDaysRange.contains(days) else { throw .invalidRottingDays(String(days)) }
        return days
    }
}
