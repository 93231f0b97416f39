@testable import PipelineCore

/// A small world to run domain rules against: two teams, the guide's six shared stages,
/// and helpers to make opportunities.
struct World {
    static let now = Timestamp(millisecondsSince1970: 1_795_000_000_000)
    static let sales = Team(id: Team.ID(1), name: "Sales")
    static let export = Team(id: Team.ID(2), name: "Export")

    var teams = [World.sales, World.export]
    var stages: [Stage] = StageTemplate.steps.enumerated().map { index, step in
        Stage(id: Stage.ID(Int64(index + 1)), name: step.english, sortOrder: index + 1,
              probability: step.probability, requirements: step.englishRequirements, outcome: step.outcome)
    }

    var catalog: StageCatalog { StageCatalog(teams: teams, stages: stages) }
    var sales: Pipeline { catalog.pipeline(for: World.sales) }

    func stage(_ name: String) -> Stage {
        stages.first { $0.name == name }!
    }

    func opportunity(in stageName: String = "New", revenue: Int64 = 100_000, currency: CurrencyCode = .usd) -> Opportunity {
        let stage = stage(stageName)
        return Opportunity(
            id: Opportunity.ID(10), title: "Acme renewal",
            expectedRevenue: Money(minorUnits: revenue, currency: currency)!,
            probability: stage.probability, team: World.sales.id, stage: stage.id, createdAt: World.now)
    }
}

func later(_ minutes: Int64) -> Timestamp {
    Timestamp(millisecondsSince1970: World.now.millisecondsSince1970 + minutes * 60_000)
}

func probability(_ percent: Int) -> Probability { Probability(percent: percent)! }
