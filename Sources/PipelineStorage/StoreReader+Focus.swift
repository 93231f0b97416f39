import PipelineCore

/// "My pipeline" and rotting (issue 13): the reads every engine shares, made of its figures
/// and counts. The board passes the user's local day; the core's rule decides each stage's
/// bound.
extension StoreReader {
    /// Each stage of `team`'s pipeline (every stage when `nil`) that can rot on `day`, with
    /// the bound its deals rot by.
    public func rottingBounds(on day: RottingDay, team: Team.ID?) throws -> [Stage.ID: RottingBound] {
        let catalog = try catalog()
        let stages = try team.map { try pipeline(for: $0).stages } ?? catalog.stages
        var bounds: [Stage.ID: RottingBound] = [:]
        for stage in stages { if let bound = stage.rottingBound(on: day) { bounds[stage.id] = bound } }
        return bounds
    }

    /// The board's header figures while it shows only some cards: those `filter` matches, of
    /// `salesperson`, rotting on `rotting`'s day (any combination; none: the kept totals).
    public func columnFigures(team: Team.ID, filter: String = "", salesperson: String? = nil,
                              rotting: RottingDay? = nil) throws -> [Stage.ID: Figures] {
        guard salesperson != nil || rotting != nil else { return try matchingFigures(team: team, filter: filter) }
        let bounds = try rotting.map { try rottingBounds(on: $0, team: team) }
        return try figures(FigureQuery(team: team, filter: filter, salesperson: salesperson, rotting: bounds))
    }

    /// Per stage of `team`'s pipeline, how many of its active deals (of `salesperson`) have
    /// an overdue activity on `today`: what a column header counts.
    public func overdueCounts(team: Team.ID, today: CalendarDate, salesperson: String? = nil) throws -> [Stage.ID: Int] {
        let stages = try pipeline(for: team).stages.filter { $0.outcome == .open }.map(\.id)
        return try overdueCounts(team: team, stages: stages, today: today, salesperson: salesperson).filter { $0.value > 0 }
    }

    /// Per stage of `team`'s pipeline, how many of its active deals (of `salesperson`) rot on `day`.
    public func rottingCounts(team: Team.ID, on day: RottingDay, salesperson: String? = nil) throws -> [Stage.ID: Int] {
        let bounds = try rottingBounds(on: day, team: team)
        guard !bounds.isEmpty else { return [:] }
        return try rottingCounts(team: team, bounds: bounds, salesperson: salesperson).filter { $0.value > 0 }
    }
}
