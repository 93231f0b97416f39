import PipelineCore
import PipelineStorage

/// Options of an import.
public struct ImportOptions: Sendable {
    public var createMissingStages: Bool
    public var createMissingTeams: Bool
    /// The team records without one go to (the pipeline's current team when `nil`; the CLI
    /// gives the importing user's own).
    public var defaultTeam: Team.ID?
    public var now: Timestamp
    /// Who imports: the stage history's name for them.
    public var user: String
    /// The language problems are reported in.
    public var language: Language

    public init(createMissingStages: Bool = false, createMissingTeams: Bool = false, defaultTeam: Team.ID? = nil,
                now: Timestamp, user: String, language: Language = .english) {
        self.createMissingStages = createMissingStages
        self.createMissingTeams = createMissingTeams
        self.defaultTeam = defaultTeam
        self.now = now
        self.user = user
        self.language = language
    }
}

/// How a file names a related stage or team: by name, or by External ID.
public enum ExchangeReference: Hashable, Sendable {
    case name(String)
    case externalID(String)
}

/// One lead or opportunity from a file, validated field by field.
public struct ImportedRecord: Sendable {
    public var externalID: String?
    public var kind: RecordKind?
    /// Fields the file gives (`nil`: the column is absent, keep what is there).
    public var changes: OpportunityChanges
    public var stage: ExchangeReference?
    public var team: ExchangeReference?
    public var active: Bool?
    public var lostReason: String?

    public init(externalID: String? = nil, kind: RecordKind? = nil, changes: OpportunityChanges = OpportunityChanges(),
                stage: ExchangeReference? = nil, team: ExchangeReference? = nil, active: Bool? = nil, lostReason: String? = nil) {
        self.externalID = externalID
        self.kind = kind
        self.changes = changes
        self.stage = stage
        self.team = team
        self.active = active
        self.lostReason = lostReason
    }
}

/// One stage from a file.
public struct ImportedStage: Sendable {
    public var externalID: String?
    public var name: String?
    public var sequence: Int?
    public var probability: Probability?
    public var changesProbabilityAutomatically: Bool?
    public var isWon: Bool?
    public var isFolded: Bool?
    public var requirements: String?
    public var team: ExchangeReference?

    public init(externalID: String? = nil, name: String? = nil, sequence: Int? = nil, probability: Probability? = nil,
                changesProbabilityAutomatically: Bool? = nil, isWon: Bool? = nil, isFolded: Bool? = nil,
                requirements: String? = nil, team: ExchangeReference? = nil) {
        self.externalID = externalID
        self.name = name
        self.sequence = sequence
        self.probability = probability
        self.changesProbabilityAutomatically = changesProbabilityAutomatically
        self.isWon = isWon
        self.isFolded = isFolded
        self.requirements = requirements
        self.team = team
    }
}

/// What an import did (or, in a dry run, would do).
public struct ImportSummary: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var stagesCreated: [String] = []
    public var teamsCreated: [String] = []

    public init() {}
}

/// Why one line of a file cannot be imported; the import then changes nothing.
public struct ImportProblem: Error, Sendable, Equatable {
    public var column: String?
    public var message: String

    public init(column: String?, message: String) {
        self.column = column
        self.message = message
    }
}
