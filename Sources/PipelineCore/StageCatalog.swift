/// Every team and every stage of a database: what stage changes are validated against.
///
/// Stages are few (a handful per team), so the whole catalogue is loaded for each change,
/// unlike opportunities, which are never loaded all at once.
public struct StageCatalog: Sendable {
    public let teams: [Team]
    /// Every stage, in the global order shared by all teams.
    public let stages: [Stage]

    public init(teams: [Team], stages: [Stage]) {
        self.teams = teams
        self.stages = stages.sorted { $0.sortOrder < $1.sortOrder }
    }

    public func team(_ id: Team.ID) -> Team? { teams.first { $0.id == id } }

    public func stage(_ id: Stage.ID) -> Stage? { stages.first { $0.id == id } }

    public func pipeline(for team: Team) -> Pipeline { Pipeline(team: team, allStages: stages) }

    /// The teams whose pipelines show a stage of this scope.
    public func teams(seeing scope: StageScope) -> [Team] {
        switch scope {
        case .shared: return teams
        case .team(let id): return teams.filter { $0.id == id }
        }
    }

    // MARK: - Validation

    /// Refuses `name` when it would repeat, ignoring case, a stage name in any pipeline that
    /// shows a stage of `scope`. `excluding` is the stage being renamed.
    public func checkNameIsFree(_ name: String, scope: StageScope, excluding: Stage.ID? = nil) throws(PipelineError) {
        let key = TextInput.nameKey(name)
        for other in stages where other.id != excluding && TextInput.nameKey(other.name) == key {
            let overlaps: Bool
            switch (scope, other.scope) {
            case (.shared, _), (_, .shared): overlaps = true
            case (.team(let a), .team(let b)): overlaps = a == b
            }
            if overlaps {
                let where_ = scope.team.flatMap { team($0)?.name } ?? other.scope.team.flatMap { team($0)?.name }
                throw .duplicateStageName(name, pipeline: where_)
            }
        }
    }

    /// Validates a new stage and works out the global order with it inserted at `rank`
    /// (1-based, in `team`'s pipeline; `nil`: where the process puts it, see `processRank`).
    public func addition(of draft: StageDraft, in team: Team, at rank: Int?) throws(PipelineError) -> StageAddition {
        let stage = try draft.validated()
        try checkNameIsFree(stage.name, scope: stage.scope)
        if case .team(let owner) = stage.scope, self.team(owner) == nil {
            throw .unknownTeam(String(owner.rawValue))
        }
        let view = pipeline(for: team).stages
        let target = try rank.map { r throws(PipelineError) in
            guard (1...view.count + 1).contains(r) else { throw .positionOutOfRange(r, maximum: view.count + 1) }
            return r
        } ?? Self.processRank(of: stage, in: view)
        let index = Self.globalInsertionIndex(global: stages.map(\.id), view: view.map(\.id), rank: target)
        var crowded: [(team: String, stageCount: Int)] = []
        for viewer in teams(seeing: stage.scope) {
            let count = pipeline(for: viewer).stages.count + 1
            if count > Self.readableColumnCount { crowded.append((viewer.name, count)) }
        }
        let hint: PipelineHint? = crowded.isEmpty ? nil : .tooManyColumns(pipelines: crowded.map(\.team), stageCount: crowded.map(\.stageCount).max() ?? 0)
        return StageAddition(stage: stage, globalIndex: index, hint: hint)
    }

    /// Where a new stage goes in a pipeline (`view`) when no position is asked for: one of the
    /// guide's steps goes right after the present stage that plays the step before it in the
    /// process (else before the one that plays the step after it); any other open stage goes
    /// before the first closed (won or lost) stage, so that deals still reach it before they
    /// close; a closed stage goes at the end.
    public static func processRank(of stage: Stage, in view: [Stage]) -> Int {
        let steps = StageTemplate.steps
        if let step = steps.firstIndex(where: { $0.matches(stage.name) }) {
            for earlier in steps[..<step].reversed() {
                if let index = view.lastIndex(where: { earlier.matches($0.name) }) { return index + 2 }
            }
            for later in steps[(step + 1)...] {
                if let index = view.firstIndex(where: { later.matches($0.name) }) { return index + 1 }
            }
        }
        if stage.outcome == .open, let closed = view.firstIndex(where: { $0.outcome != .open }) { return closed + 1 }
        return view.count + 1
    }

    /// The guide's advice: more than six columns make a pipeline hard to read.
    public static let readableColumnCount = 6

    /// The new global order after moving `stage` within `team`'s pipeline.
    public func reorder(_ stageID: Stage.ID, in team: Team, to placement: StagePlacement) throws(PipelineError) -> [Stage.ID] {
        let pipeline = pipeline(for: team)
        guard pipeline.stage(stageID) != nil else {
            throw .unknownStage(String(stageID.rawValue), pipeline: team.name)
        }
        let view = pipeline.stages.map(\.id).filter { $0 != stageID }
        let rank: Int
        switch placement {
        case .position(let n):
            guard (1...view.count + 1).contains(n) else { throw .positionOutOfRange(n, maximum: view.count + 1) }
            rank = n
        case .before(let other), .after(let other):
            guard let index = view.firstIndex(of: other) else {
                if other == stageID { throw .stageRelativeToItself }
                throw .unknownStage(String(other.rawValue), pipeline: team.name)
            }
            if case .before = placement { rank = index + 1 } else { rank = index + 2 }
        }
        var global = stages.map(\.id).filter { $0 != stageID }
        let index = Self.globalInsertionIndex(global: global, view: view, rank: rank)
        global.insert(stageID, at: index)
        return global
    }

    /// Where in the global order a stage lands so that it has `rank` in a pipeline whose
    /// other stages are `view`: just before the stage now at that rank, or just after the
    /// pipeline's last stage. Other teams' own stages keep their order relative to all else.
    static func globalInsertionIndex(global: [Stage.ID], view: [Stage.ID], rank: Int) -> Int {
        if rank <= view.count, let index = global.firstIndex(of: view[rank - 1]) {
            return index
        }
        if let last = view.last, let index = global.firstIndex(of: last) {
            return index + 1
        }
        return global.count
    }

    /// Validates an edit of `stage`. `occupyingTeams` are the teams whose opportunities
    /// (archived ones included) are in the stage, which limits scope changes.
    public func applying(_ edit: StageEdit, to stage: Stage, occupyingTeams: Set<Team.ID>) throws(PipelineError) -> Stage {
        var result = stage
        if let name = edit.name { result.name = try TextInput.requiredName(name, field: .stageName) }
        if let scope = edit.scope {
            if case .team(let owner) = scope {
                guard team(owner) != nil else { throw .unknownTeam(String(owner.rawValue)) }
                let others = occupyingTeams.subtracting([owner])
                if !others.isEmpty {
                    throw .scopeExcludesOccupants(stage: stage.name, teams: others.compactMap { team($0)?.name }.sorted())
                }
            }
            result.scope = scope
        }
        if edit.name != nil || edit.scope != nil {
            try checkNameIsFree(result.name, scope: result.scope, excluding: stage.id)
        }
        if let requirements = edit.requirements {
            result.requirements = try TextInput.multiLine(requirements, field: .requirements)
        }
        if let folded = edit.isFolded { result.isFolded = folded }
        if let rotting = edit.rottingDays { result.rottingDays = try Stage.validRottingDays(rotting) }
        if let automatic = edit.changesProbabilityAutomatically { result.changesProbabilityAutomatically = automatic }
        if let outcome = edit.outcome {
            result.outcome = outcome
            if let forced = outcome.forcedProbability { result.probability = forced }
        }
        // Closed deals never rot: rotting days given to a won or lost stage are refused, and a
        // stage that becomes won or lost loses the ones it had.
        if result.outcome != .open, result.rottingDays != nil {
            if case .some(.some) = edit.rottingDays { throw .closedStageDoesNotRot(stage: result.name) }
            result.rottingDays = nil
        }
        if let probability = edit.probability {
            if let forced = result.outcome.forcedProbability, forced != probability {
                throw .probabilityFixedByOutcome(stage: result.name, outcome: result.outcome)
            }
            result.probability = probability
        }
        return result
    }
}

/// Where to put a stage in a pipeline.
public enum StagePlacement: Hashable, Sendable {
    /// A 1-based position in the team's pipeline.
    case position(Int)
    case before(Stage.ID)
    case after(Stage.ID)
}

/// What a user asks a new stage to be.
public struct StageDraft: Sendable {
    public var name: String
    public var probability: Probability?
    public var requirements: String
    public var changesProbabilityAutomatically: Bool
    public var isFolded: Bool
    public var outcome: StageOutcome
    public var scope: StageScope
    /// "Rotting after N days"; `nil`: off.
    public var rottingDays: Int?

    public init(name: String, probability: Probability? = nil, requirements: String = "",
                changesProbabilityAutomatically: Bool = true, isFolded: Bool = false,
                outcome: StageOutcome = .open, scope: StageScope = .shared, rottingDays: Int? = nil) {
        self.rottingDays = rottingDays
        self.name = name
        self.probability = probability
        self.requirements = requirements
        self.changesProbabilityAutomatically = changesProbabilityAutomatically
        self.isFolded = isFolded
        self.outcome = outcome
        self.scope = scope
    }

    /// A new stage called `name`, as the board's `N` and `stage add` make it: when the name
    /// is a step of the guide ("qualified", "Thương lượng"), what the user left out (`nil`)
    /// is that step's — its probability, its requirements in `language`, its outcome. A step
    /// whose outcome is not the one given lends nothing (a lost stage called "Qualified"
    /// does not take 15 %).
    public static func named(_ name: String, probability: Probability?, requirements: String?, outcome: StageOutcome?,
                             language: Language, changesProbabilityAutomatically: Bool = true, isFolded: Bool = false,
                             scope: StageScope = .shared) -> StageDraft {
        let step = StageTemplate.step(named: name).flatMap { step in outcome == nil || outcome == step.outcome ? step : nil }
        return StageDraft(name: name, probability: probability ?? step?.probability,
                          requirements: requirements ?? step?.requirements(in: language) ?? "",
                          changesProbabilityAutomatically: changesProbabilityAutomatically, isFolded: isFolded,
                          outcome: outcome ?? step?.outcome ?? .open, scope: scope)
    }

    /// The stage this draft describes, not yet stored (id 0, order 0).
    func validated() throws(PipelineError) -> Stage {
        let name = try TextInput.requiredName(self.name, field: .stageName)
        let probability: Probability
        if let forced = outcome.forcedProbability {
            if let given = self.probability, given != forced {
                throw .probabilityFixedByOutcome(stage: name, outcome: outcome)
            }
            probability = forced
        } else {
            probability = self.probability ?? .zero
        }
        return Stage(
            id: Stage.ID(0), name: name, sortOrder: 0, probability: probability,
            changesProbabilityAutomatically: changesProbabilityAutomatically,
            requirements: try TextInput.multiLine(requirements, field: .requirements),
            isFolded: isFolded, outcome: outcome, scope: scope, rottingDays: try Stage.validRottingDays(rottingDays))
    }
}

/// A validated new stage and where it goes.
public struct StageAddition: Sendable {
    /// The stage to insert (its id and order are assigned when stored).
    public let stage: Stage
    /// Its index in the global order of all stages.
    public let globalIndex: Int
    /// Set when a pipeline now has more than six stages.
    public let hint: PipelineHint?
}

/// A change to a stage's settings; `nil` fields stay as they are.
public struct StageEdit: Sendable {
    public var name: String?
    public var probability: Probability?
    public var requirements: String?
    public var isFolded: Bool?
    public var outcome: StageOutcome?
    public var changesProbabilityAutomatically: Bool?
    public var scope: StageScope?
    /// `.some(nil)` turns rotting off.
    public var rottingDays: Int??

    public init(name: String? = nil, probability: Probability? = nil, requirements: String? = nil,
                isFolded: Bool? = nil, outcome: StageOutcome? = nil,
                changesProbabilityAutomatically: Bool? = nil, scope: StageScope? = nil, rottingDays: Int?? = nil) {
        self.rottingDays = rottingDays
        self.name = name
        self.probability = probability
        self.requirements = requirements
        self.isFolded = isFolded
        self.outcome = outcome
        self.changesProbabilityAutomatically = changesProbabilityAutomatically
        self.scope = scope
    }

    public var isEmpty: Bool {
        name == nil && probability == nil && requirements == nil && isFolded == nil && outcome == nil
            && changesProbabilityAutomatically == nil && scope == nil && rottingDays == nil
    }
}

/// Advice that does not block an action.
public enum PipelineHint: Hashable, Sendable {
    /// The guide's tip: more than six columns make a pipeline hard to read.
    case tooManyColumns(pipelines: [String], stageCount: Int)
}

extension StageCatalog {
    /// Finds a stage among all pipelines: a number is an id, else a name (ignoring case,
    /// not accents). A name that several teams' own stages share is refused with the list.
    public func resolveStage(_ reference: String) throws(PipelineError) -> Stage {
        let trimmed = reference.trimmingWhitespace()
        if let number = Int64(trimmed) {
            guard let found = stage(Stage.ID(number)) else { throw .unknownStage(reference, pipeline: nil) }
            return found
        }
        let key = TextInput.nameKey(trimmed)
        let matches = stages.filter { TextInput.nameKey($0.name) == key }
        guard let first = matches.first else { throw .unknownStage(reference, pipeline: nil) }
        if matches.count > 1 {
            throw .ambiguousName(kind: "stage", name: reference, matches: matches.map { stage in
                "\(stage.id) \(stage.name) (\(stage.scope.team.flatMap { team($0)?.name } ?? "shared"))"
            })
        }
        return first
    }
}
