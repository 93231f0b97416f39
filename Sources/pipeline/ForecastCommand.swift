import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineStore

/// `pipeline forecast`: expected and weighted revenue, as the stage probabilities estimate it.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Expected and weighted revenue of the open pipeline, per stage, closing month or salesperson.",
        discussion: """
            Weighted revenue is expected revenue × probability, rounded to the currency's minor unit per \
            opportunity. The open pipeline counts active opportunities in open stages; won revenue is shown \
            apart; lost and archived opportunities are left out. Sums never mix currencies. Covers every \
            team unless --team.
            """)

    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case stage, month, salesperson
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this team's pipeline.", valueName: "team")) var team: String?
    @Option(help: ArgumentHelp("Group by stage (default), expected-closing month, or salesperson.", valueName: "stage|month|salesperson"))
    var by: Grouping = .stage
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let session = try global.open(forWriting: false)
        let team = try team.map { try session.database.team($0) }
        let forecast = try session.database.forecast(team: team?.id, groupedBy: Forecast.Grouping(rawValue: by.rawValue) ?? .stage)
        let currency = try session.database.defaultCurrency()
        let catalog = try session.database.catalog()
        if json {
            Console.out(JSONValue.object([
                ("team", .optional(team?.name)),
                ("group_by", .string(by.rawValue)),
                ("currency", .string(currency.code)),
                ("rows", .array(forecast.rows.map { row in
                    var members: [(String, JSONValue)] = [("key", .optional(row.key))]
                    if let stage = row.stage {
                        members += [("stage_id", .int(stage.id.rawValue)), ("probability", .number(stage.probability.decimalString)),
                                    ("outcome", .string(stage.outcome.rawValue)),
                                    ("team", .optional(stage.scope.team.flatMap { catalog.team($0)?.name }))]
                    }
                    if case .object(let figures) = Present.figures(row.figures, preferring: currency) { members += figures }
                    return .object(members)
                })),
                ("open", Present.figures(forecast.open, preferring: currency)),
                ("won", Present.figures(forecast.won, preferring: currency)),
            ]).rendered())
            return
        }
        let scope = team.map { "the \($0.name) pipeline" } ?? "all teams"
        Console.out("Forecast of \(scope), by \(by.rawValue):")
        var table = Table([
            .init(by.rawValue.uppercased(), max: 24, min: 8), .init("PROB", max: 7, right: true), .init("DEALS", max: 8, right: true),
            .init("EXPECTED", max: 30, right: true), .init("WEIGHTED", max: 30, right: true),
        ])
        func add(_ label: String, _ probability: String, _ figures: Figures) {
            let expected = Present.sums(figures.expected, preferring: currency, session: session)
            let weighted = Present.sums(figures.weighted, preferring: currency, session: session)
            for index in expected.indices {
                table.add(index == 0 ? [label, probability, String(figures.count), expected[index], weighted[index]]
                                     : ["", "", "", expected[index], weighted[index]])
            }
        }
        for row in forecast.rows {
            let label = row.key ?? (by == .month ? "(no closing date)" : "(unassigned)")
            add(label, row.stage?.probability.description ?? "", row.figures)
        }
        add("Open pipeline", "", forecast.open)
        add("Won", "", forecast.won)
        table.finish()
    }
}
