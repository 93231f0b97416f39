/// Removing a stage: which records go where. A plan any store applies in one transaction.
public struct StageRemovalPlan: Sendable, Equatable {
    /// The stage removed.
    public var stage: Stage
    /// Where its records go (`nil` when it holds none).
    public var destination: Stage?
    /// The teams whose records it holds: each team's records move to `destination`.
    public var teams: [Team.ID]
}

/// What a stage removal did: the stage as it was, and every record it moved as it was
/// before, with its version just after the move — what undoing the removal puts back,
/// whichever team's pipeline the records were in.
public struct StageRemoval: Sendable, Equatable {
    public var stage: Stage
    public var moved: [MovedCard]

    public init(stage: Stage, moved: [MovedCard]) {
        self.stage = stage
        self.moved = moved
    }
}

/// A record a stage removal moved: how it was, and its version just after the move.
public struct MovedCard: Sendable, Equatable {
    public var before: Opportunity
    public var versionAfterMove: Int

    public init(before: Opportunity, versionAfterMove: Int) {
        self.before = before
        self.versionAfterMove = versionAfterMove
    }
}

extension StageCatalog {
    /// Plans removing stage `id`. Refused, with the count, while any record (archived ones
    /// included) is in it — unless `destination` takes them all; each team's records must
    /// be able to enter the destination (it must be in that team's pipeline).
    ///
    /// - Parameters:
    ///   - recordCount: how many records the stage holds, archived included.
    ///   - occupyingTeams: the teams those records belong to.
    public func removal(of id: Stage.ID, movingTo destination: Stage.ID?, recordCount: Int,
                        occupyingTeams: Set<Team.ID>) throws(PipelineError) -> StageRemovalPlan {
        guard let stage = stage(id) else { throw .unknownStage(String(id.rawValue), pipeline: nil) }
        guard recordCount > 0 else { return StageRemovalPlan(stage: stage, destination: nil, teams: []) }
        guard let destination else { throw .stageNotEmpty(stage: stage.name, count: recordCount) }
        guard destination != id else { throw .moveTargetIsRemovedStage }
        guard let target = self.stage(destination) else { throw .unknownStage(String(destination.rawValue), pipeline: nil) }
        let teams = occupyingTeams.sorted { $0.rawValue < $1.rawValue }
        for team in teams where !target.belongs(to: team) {
            throw .stageNotInPipeline(stage: target.name, pipeline: self.team(team)?.name ?? "?")
        }
        return StageRemovalPlan(stage: stage, destination: target, teams: teams)
    }
}

extension Pipeline {
    /// The stage offered first to take a removed stage's records: its neighbour in the
    /// process, the next stage, else the previous one. A neighbour of the same kind (open,
    /// won or lost) comes before a nearer one of another kind, so that removing Negotiation
    /// does not offer to mark its deals won; a won or lost stage without a twin offers the
    /// nearest open stage before the opposite outcome. `nil` when the stage is alone.
    public func removalDestination(for id: Stage.ID) -> Stage? {
        guard let index = stages.firstIndex(where: { $0.id == id }) else { return nil }
        let removed = stages[index]
        let nearestFirst = Array(stages[(index + 1)...]) + stages[..<index].reversed()
        return nearestFirst.first { $0.outcome == removed.outcome }
            ?? nearestFirst.first { $0.outcome == .open }
            ?? nearestFirst.first
    }
}
