/// A team's pipeline: the shared stages plus the team's own, in order.
///
/// A stage's position as users see it is its 1-based rank here.
public struct Pipeline: Sendable {
    public let team: Team
    public let stages: [Stage]

    /// Picks and orders `team`'s stages out of every stage in the database.
    public init(team: Team, allStages: [Stage]) {
        self.team = team
        self.stages = allStages.filter { $0.belongs(to: team.id) }.sorted { $0.sortOrder < $1.sortOrder }
    }

    public func stage(_ id: Stage.ID) -> Stage? { stages.first { $0.id == id } }

    /// The 1-based position users see, or `nil` when the stage is not in this pipeline.
    public func rank(of id: Stage.ID) -> Int? {
        stages.firstIndex { $0.id == id }.map { $0 + 1 }
    }

    /// Where a new opportunity without a stage goes: the first open, unfolded stage (the
    /// guide's "appears first at the right").
    public var entryStage: Stage? {
        stages.first { $0.outcome == .open && !$0.isFolded }
    }

    public var firstWonStage: Stage? { stages.first { $0.outcome == .won } }
    public var firstLostStage: Stage? { stages.first { $0.outcome == .lost } }

    /// Finds a stage by what a user typed: a number is always an id; anything else is a
    /// name, matched ignoring case but not accents (Mới and Môi are different stages).
    public func resolveStage(_ reference: String) throws(PipelineError) -> Stage {
        let trimmed = reference.trimmingWhitespace()
        if let number = Int64(trimmed) {
            guard let stage = stage(Stage.ID(number)) else {
                throw .unknownStage(reference, pipeline: team.name)
            }
            return stage
        }
        let key = TextInput.nameKey(trimmed)
        guard let stage = stages.first(where: { TextInput.nameKey($0.name) == key }) else {
            throw .unknownStage(reference, pipeline: team.name)
        }
        return stage
    }

    /// The stage a closed opportunity of this pipeline goes back to when restored: the last
    /// open stage `history` (newest last) shows it in that is still here — however many won
    /// or lost stages it went through since (Negotiation → Won → Lost restores to Negotiation).
    public func lastOpenStage(in history: [StageChange]) -> Stage? {
        for change in history.reversed() {
            for id in [change.to, change.from].compactMap({ $0 }) {
                if let stage = stage(id), stage.outcome == .open { return stage }
            }
        }
        return nil
    }
}
