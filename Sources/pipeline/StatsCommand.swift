import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineStorage

/// `pipeline stats`: figures measured on the pipeline's own history (issue 14).
struct StatsCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "stats", abstract: localized("cli.stats.abstract"), subcommands: [Stages.self]) }

    /// `pipeline stats stages`: each stage's probability beside the rate its deals reached.
    struct Stages: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stats.stages.abstract"), discussion: localized("cli.stats.stages.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.forecast.onlyThisTeamSPipeline"), valueName: "team")) var team: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.stats.option.since"), valueName: "date")) var since: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let team = try team.map { try session.team(option: $0) }
            let sinceDate = try since.map { try DateOption.day($0, option: "--since", end: .first, session: session) }
            let sinceInstant = sinceDate.map { Present.firstInstant(of: $0, utcOffsetSeconds: session.utcOffsetSeconds) }
            let catalog = try session.database.catalog()
            let stages = team.map { catalog.pipeline(for: $0).stages } ?? catalog.stages
            let observations = try session.database.stageObservations(team: team?.id, since: sinceInstant)
            let byStage = Dictionary(observations.map { ($0.stage, $0) }, uniquingKeysWith: { first, _ in first })
            if json {
                Console.out(JSONValue.object([
                    ("team", .optional(team?.name)),
                    ("since", .optional(sinceDate?.description)),
                    ("stages", .array(stages.map { stage in Self.json(stage, byStage[stage.id] ?? StageObservation(stage: stage.id)) })),
                ]).rendered())
                return
            }
            let scope = team.map { localized("cli.forecast.scope.team", $0.name) } ?? localized("cli.forecast.scope.all")
            Console.out(sinceDate.map { localized("cli.stats.stages.headingSince", scope, $0.display(in: session.language)) }
                        ?? localized("cli.stats.stages.heading", scope))
            var table = Table([
                .init(localized("cli.column.stage"), max: 20, min: 8), .init(localized("cli.column.probability"), max: 6, right: true),
                .init(localized("cli.column.seen"), max: 7, right: true), .init(localized("cli.column.interval90"), max: 10, right: true),
                .init("N", max: 6, right: true), .init(localized("cli.column.medianDays"), max: 8, right: true),
                .init(localized("cli.column.movedOn"), max: 7, right: true), .init(localized("cli.column.thenWon"), max: 6, right: true),
                .init(localized("cli.column.thenLost"), max: 6, right: true), .init(localized("cli.column.wentBack"), max: 6, right: true),
            ])
            for stage in stages {
                let observation = byStage[stage.id] ?? StageObservation(stage: stage.id)
                let interval = observation.interval.map { localized("cli.stats.interval", Present.wholePercent($0.low), Present.wholePercent($0.high)) }
                table.add([stage.name, stage.probability.description, observation.rate.map { Present.wholePercent($0) + "%" } ?? "–",
                           interval ?? "–", String(observation.n), observation.medianDays.map { Present.decimal($0, digits: 1, language: session.language) } ?? "–"]
                          + StageExit.allCases.map { exit in observation.share(exit).map { Present.wholePercent($0) + "%" } ?? "–" })
            }
            table.finish()
            Console.out(localized("cli.stats.stages.legend"))
        }
    }

}

extension StatsCommand.Stages {
    static func json(_ stage: Stage, _ observation: StageObservation) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .int(stage.id.rawValue)), ("name", .string(stage.name)),
            ("probability", .number(stage.probability.decimalString)), ("outcome", .string(stage.outcome.rawValue)),
            ("observed", Present.observed(observation)),
        ]
        let median: JSONValue = observation.medianDays.map { .number(Present.decimal($0, digits: 1)) } ?? .null
        members.append(("median_days", median))
        members.append(("exits", .int(observation.exited)))
        // Where deals went after their last stay, in percent of `exits`.
        let next: [(String, JSONValue)] = StageExit.allCases.map { exit in
            (exit.rawValue, observation.share(exit).map { .number(Present.decimal($0 * 100, digits: 1)) } ?? .null)
        }
        members.append(("next", .object(next)))
        return .object(members)
    }
}
