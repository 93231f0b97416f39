import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage
import TerminalCore

/// `pipeline forecast`: expected and weighted revenue, as the stage probabilities estimate it.
struct ForecastCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "forecast",
        abstract: localized("cli.forecast.expectedAndWeightedRevenueOf"),
        discussion: localized("cli.forecast.weightedRevenueIsExpectedRevenue")) }

    enum Grouping: String, CaseIterable {
        case stage, month, salesperson
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(localized("cli.forecast.onlyThisTeamSPipeline"), valueName: "team")) var team: String?
    @Option(name: .customLong("by"), help: ArgumentHelp(localized("cli.forecast.groupByStageDefaultExpected"), valueName: "stage|month|salesperson"))
    var grouping: String?
    @Flag(help: ArgumentHelp(localized("cli.forecast.option.mine"))) var mine = false
    @Flag(help: ArgumentHelp(localized("cli.forecast.option.range"))) var range = false
    @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

    func validate() throws {
        _ = try choice(grouping, of: "--by", as: Grouping.self)
        // The range is by closing month and for the whole pipeline: a grouping would not apply.
        if range, grouping != nil { throw ValidationError(localized("cli.forecast.rangeWithoutBy")) }
    }

    func run() throws {
        let by = try choice(grouping, of: "--by", as: Grouping.self) ?? .stage
        let session = try global.open(forWriting: false)
        let team = try team.map { try session.team(option: $0) }
        if range { return try showRange(session: session, team: team) }
        // "Mine": the deals whose salesperson is the person running it (the login on a server).
        let forecast = try session.database.forecast(team: team?.id, groupedBy: Forecast.Grouping(rawValue: by.rawValue) ?? .stage,
                                                     salesperson: mine ? session.user : nil)
        let currency = try session.database.defaultCurrency()
        let catalog = try session.database.catalog()
        if json {
            Console.out(JSONValue.object([
                ("team", .optional(team?.name)),
                ("group_by", .string(by.rawValue)),
                ("salesperson", .optional(mine ? session.user : nil)),
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
        var scope = team.map { localized("cli.forecast.scope.team", $0.name) } ?? localized("cli.forecast.scope.all")
        if mine { scope = localized("cli.forecast.scope.mine", scope, session.user) }
        Console.out(localized("cli.forecast.forecastOfBy", scope, localized("cli.forecast.by.\(by.rawValue)")))
        // Only stages have a probability: by month or salesperson the column would be empty.
        let byStage = by == .stage
        var table = Table([.init(localized("cli.forecast.by.\(by.rawValue)").uppercased(), max: 24, min: 8, wraps: true)]
            + (byStage ? [.init(localized("cli.column.probability"), max: 7, right: true)] : [])
            + [.init(localized("cli.column.deals"), max: 8, right: true),
               .init(localized("cli.column.expected"), max: 30, right: true), .init(localized("cli.column.weighted"), max: 30, right: true)])
        func add(_ label: String, _ probability: String, _ figures: Figures) {
            let expected = Present.sums(figures.expected, preferring: currency, session: session)
            let weighted = Present.sums(figures.weighted, preferring: currency, session: session)
            let currencies = figures.expected.currencies(preferring: currency)
            for index in expected.indices {
                // Sums never mix currencies: each currency has its own line, with its own
                // count (one count over USD and VND deals would belong to neither line).
                let first = index == 0
                let count = currencies.indices.contains(index) && currencies.count > 1
                    ? figures.countByCurrency[currencies[index]] ?? 0 : figures.count
                table.add([first ? label : ""] + (byStage ? [first ? probability : ""] : [])
                          + [String(count), expected[index], weighted[index]])
            }
        }
        for row in forecast.rows {
            let label = row.key ?? localized(by == .month ? "cli.forecast.noClosingDate" : "cli.forecast.unassigned")
            add(label, row.stage?.probability.description ?? "", row.figures)
        }
        add(localized("forecast.open"), "", forecast.open)
        add(localized("forecast.won"), "", forecast.won)
        table.finish()
    }

    /// `--range`: per currency, P10/P50/P90 of the open pipeline's won revenue, whole and per
    /// closing month, beside the weighted sum and count, and the deals that drive the spread.
    func showRange(session: Session, team: Team?) throws {
        let salesperson = mine ? session.user : nil
        let range = try session.database.forecastRange(team: team?.id, salesperson: salesperson)
        let currency = try session.database.defaultCurrency()
        if json {
            Console.out(JSONValue.object([
                ("team", .optional(team?.name)),
                ("salesperson", .optional(salesperson)),
                ("currency", .string(currency.code)),
                ("ranges", .array(range.currencies.map { group in
                    .object([
                        ("currency", .string(group.currency.code)),
                        ("open", .object(Present.range(group.whole, currency: group.currency))),
                        ("months", .array(group.months.map { month in
                            .object([("month", .optional(month.key))] + Present.range(month.range, currency: group.currency))
                        })),
                        ("drivers", .array(group.drivers.map { deal in
                            .object([("id", .int(deal.id.rawValue)), ("title", .string(deal.title)),
                                     ("amount", .string(deal.amount.plainString)),
                                     ("probability", .number(deal.probability.decimalString))])
                        })),
                    ])
                })),
            ]).rendered())
            return
        }
        var scope = team.map { localized("cli.forecast.scope.team", $0.name) } ?? localized("cli.forecast.scope.all")
        if mine { scope = localized("cli.forecast.scope.mine", scope, session.user) }
        // Sentences wrap within the width as the tables do: nothing is cut or runs past it.
        TextWrap.lines(localized("cli.forecast.rangeOf", scope), width: Console.width).forEach { Console.out($0) }
        if range.currencies.isEmpty { Console.out(localized("cli.forecast.rangeNoOpenDeals")) }
        for group in range.currencies {
            var table = Table([.init(localized("cli.forecast.by.month").uppercased(), max: 20, min: 8, wraps: true),
                               .init(localized("cli.column.deals"), max: 8, right: true),
                               .init(localized("cli.column.weighted"), max: 24, right: true),
                               .init("P10", max: 24, right: true), .init("P50", max: 24, right: true), .init("P90", max: 24, right: true)])
            func add(_ label: String, _ figures: RevenueRange) {
                table.add([label, String(figures.count)] + [figures.weighted, figures.p10, figures.p50, figures.p90].map { session.money($0, group.currency) })
            }
            add(localized("forecast.open"), group.whole)
            for month in group.months { add(month.key ?? localized("cli.forecast.noClosingDate"), month.range) }
            table.finish()
            guard !group.drivers.isEmpty else { continue }
            TextWrap.lines(localized("cli.forecast.drivers", group.currency.code), width: Console.width).forEach { Console.out($0) }
            for deal in group.drivers {
                let line = localized("cli.forecast.driver", String(deal.id.rawValue), deal.title,
                                     session.money(deal.amount), deal.probability.display(in: session.language))
                for (index, part) in TextWrap.lines(line, width: max(20, Console.width - 4)).enumerated() { Console.out((index == 0 ? "  " : "    ") + part) }
            }
        }
    }
}
