import ArgumentParser
import Foundation
import PipelineCore
import PipelineEngines
import PipelineStorage

/// `pipeline dev …`: tools for the torture tests and benchmarks; not in the help.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Tools for tests and benchmarks: churn a database with random changes.",
        shouldDisplay: false,
        subcommands: [Churn.self, RangeBench.self, RangeRead.self])

    /// `dev churn`: random moves, edits and stage reorders, as a salesperson at a board
    /// makes them: each one reads a record, may hold it a while, then writes it back with
    /// the version it read. One line per action, written before the next begins:
    /// `ok move 12 1 3` (deal, from stage, to stage), `ok edit 12`, `ok reorder 4`,
    /// `refused move` when another process changed the record in between (the board's
    /// stale-update refusal), `busy` when the write waited past the busy timeout, or `skip`
    /// when the deal drawn is archived or gone. With
    /// `--announce`, `writing move 12` (or `writing edit 12`, `writing reorder 4`) comes just
    /// before each write begins, so that whoever kills it can tell a kill in the middle of a
    /// write from one between writes. With `--pause-ms 100-500`, a pause drawn from that range
    /// comes before each action (a person at a board between two keys); with `--latency`,
    /// each result line ends with how long its write took, in microseconds (`ok edit 12
    /// 1834us`): what `make bench` reads for a team under load.
    struct Churn: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make random changes; one line per change.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many changes to make.") var actions = 1000
        @Option(help: "Seed of the random choices.") var seed: UInt64 = 1
        @Option(name: .customLong("hold-ms"), help: "Milliseconds between reading a record and writing it back.")
        var holdMilliseconds = 0
        @Flag(help: "Print a line just before each write begins.") var announce = false
        @Option(name: .customLong("pause-ms"), help: "Milliseconds to pause before each action: N, or a range N-M drawn from at random.")
        var pause: PauseRange = PauseRange(minimum: 0, maximum: 0)
        @Flag(help: "End each result line with how long its write took, in microseconds.") var latency = false

        func run() throws {
            let session = try global.open()
            let database = session.database
            var random = SeededGenerator(seed: seed)
            var ids: [Opportunity.ID] = []
            try database.forEachOpportunity(OpportunityFilter(team: nil, stage: nil, includeArchived: false)) { ids.append($0.id) }
            guard !ids.isEmpty else { throw ValidationError("the database holds no opportunity to churn") }
            let context = ChangeContext(now: .now, user: "churn-\(seed)")
            // When the write under way began (monotonic nanoseconds), for `--latency`.
            var writeStarted: UInt64?
            func startWrite() {
                if latency { writeStarted = DispatchTime.now().uptimeNanoseconds }
            }
            /// A line that ends a write says, with `--latency`, how long the write took.
            func result(_ line: String) {
                if let started = writeStarted {
                    report(line + " \((DispatchTime.now().uptimeNanoseconds - started) / 1000)us")
                } else {
                    report(line)
                }
                writeStarted = nil
            }
            for number in 0..<actions {
                let choice = random.next(below: 10)
                if pause.maximum > 0 {
                    usleep(useconds_t((pause.minimum + random.next(below: pause.maximum - pause.minimum + 1)) * 1000))
                }
                do {
                    if choice < 7 {
                        let id = ids[random.next(below: ids.count)]
                        guard let card = try database.opportunity(id), card.isActive else { report("skip"); continue }
                        let pipeline = try database.pipeline(for: card.team)
                        let open = pipeline.stages.filter { $0.outcome == .open }
                        guard !open.isEmpty else { report("skip"); continue }
                        let target = open[random.next(below: open.count)]
                        hold()
                        announce("move \(id.rawValue)")
                        startWrite()
                        _ = try database.moveOpportunity(id, to: target.id, placement: random.next(below: 2) == 0 ? .top : .bottom,
                                                         expectedVersion: card.version, context: context)
                        result("ok move \(id.rawValue) \(card.stage?.rawValue ?? 0) \(target.id.rawValue)")
                    } else if choice < 9 {
                        let id = ids[random.next(below: ids.count)]
                        guard let card = try database.opportunity(id) else { report("skip"); continue }
                        var changes = OpportunityChanges()
                        changes.title = "Deal \(id.rawValue) · \(seed)-\(number)"
                        changes.expectedRevenue = Money(minorUnits: Int64(random.next(below: 1_000_000)) * 100, currency: card.expectedRevenue.currency)
                        hold()
                        announce("edit \(id.rawValue)")
                        startWrite()
                        _ = try database.editOpportunity(id, changes, expectedVersion: card.version, context: context)
                        result("ok edit \(id.rawValue)")
                    } else {
                        let team = try database.currentTeam()
                        let stages = try database.pipeline(for: team.id).stages
                        let stage = stages[random.next(below: stages.count)]
                        announce("reorder \(stage.id.rawValue)")
                        startWrite()
                        _ = try database.moveStage(stage.id, in: team.id, to: .position(1 + random.next(below: stages.count)))
                        result("ok reorder \(stage.id.rawValue)")
                    }
                } catch let error as PipelineError {
                    guard case .changedSinceLoaded = error else { throw error }
                    result("refused \(choice < 7 ? "move" : "edit")")
                } catch StoreError.locked {
                    result("busy")
                }
            }
            report("done")
        }

        private func announce(_ action: String) {
            if announce { report("writing " + action) }
        }

        private func hold() {
            if holdMilliseconds > 0 { usleep(useconds_t(holdMilliseconds * 1000)) }
        }

        /// Written through at once: what a killed process reported, it did.
        private func report(_ line: String) {
            Console.out(line)
            Console.finish()
        }
    }
}

/// `--pause-ms`: `N` or `N-M` milliseconds.
struct PauseRange: ExpressibleByArgument {
    var minimum: Int
    var maximum: Int

    init(minimum: Int, maximum: Int) {
        self.minimum = minimum
        self.maximum = maximum
    }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), let first = parts.first ?? nil, let last = parts.last ?? nil,
              first >= 0, last >= first, last <= 60_000 else { return nil }
        minimum = first
        maximum = last
    }
}

/// `dev range-bench --deals N`: the forecast range of N seeded open deals (amounts from 100 to
/// 10,000,000.00 USD, spread over 12 months and the guide's probabilities), computed in
/// memory; prints `range N deals: M ms` and the whole pipeline's P10/P50/P90. What
/// `make bench` reads for the range's cost at 1,000,000 deals, with no database in the way.
struct RangeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "range-bench", abstract: "Time the forecast range of N generated deals.")
    @Option var deals: Int = 1_000_000
    @Option var seed: UInt64 = 14

    func run() throws {
        var random = SeededGenerator(seed: seed)
        let probabilities = [500, 1500, 5000, 7500, 3000, 9000]
        var generated: [RangeDeal] = []
        generated.reserveCapacity(max(0, deals))
        for index in 0..<max(0, deals) {
            // Mostly small deals, a few large ones: a sales pipeline's usual shape.
            let size = random.next(below: 1000) == 0 ? 1_000_000_000 : 1_000_000
            guard let amount = Money(minorUnits: Int64(100 + random.next(below: size)), currency: .usd),
                  let probability = Probability(basisPoints: probabilities[random.next(below: probabilities.count)]) else { continue }
            generated.append(RangeDeal(id: Opportunity.ID(Int64(index + 1)), title: "Deal \(index + 1)", amount: amount, probability: probability,
                                       closingMonth: "2027-" + ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"][random.next(below: 12)]))
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let range = ForecastRange.of(generated, preferring: .usd)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        print("range \(generated.count) deals: \(Int(elapsed.rounded())) ms")
        // The bounded builder a store feeds, on the same deals.
        let boundedStart = DispatchTime.now().uptimeNanoseconds
        var bounded = ForecastRange.BoundedBuilder()
        for deal in generated { bounded.add(deal) }
        let figures = bounded.range(preferring: .usd)
        let boundedElapsed = Double(DispatchTime.now().uptimeNanoseconds - boundedStart) / 1_000_000
        if figures.currencies.map(\.whole) == range.currencies.map(\.whole), figures.currencies.map(\.months) == range.currencies.map(\.months) {
            print("bounded \(generated.count) deals: \(Int(boundedElapsed.rounded())) ms, the same figures")
        } else {
            print("bounded \(generated.count) deals: \(Int(boundedElapsed.rounded())) ms, OTHER FIGURES")
        }
        if let whole = range.currencies.first?.whole {
            print("p10 \(MoneyFormat.plain(whole.p10, currency: .usd)) p50 \(MoneyFormat.plain(whole.p50, currency: .usd)) "
                  + "p90 \(MoneyFormat.plain(whole.p90, currency: .usd)) weighted \(MoneyFormat.plain(whole.weighted, currency: .usd)) exact \(whole.exact)")
        }
    }
}

/// `dev range-read`: `forecast --range`'s store read, timed inside the binary (`read N ms`); with
/// `--whole-records`, the read as it was before it was bounded (every open deal as a whole
/// record into `ForecastRange.Builder`), so that both are compared in one binary on one file.
struct RangeRead: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "range-read", abstract: "Time the forecast range's store read.")
    @OptionGroup var global: GlobalOptions
    @Option var team: String?
    @Flag var wholeRecords = false

    func run() throws {
        let session = try global.open(forWriting: false)
        let database = session.database
        let team = try team.map { try database.team($0).id }
        let started = DispatchTime.now().uptimeNanoseconds
        let range: ForecastRange
        if wholeRecords {
            range = try database.readingTogether {
                let open = Set(try database.catalog().stages.filter { $0.outcome == .open }.map(\.id))
                var builder = ForecastRange.Builder()
                try database.forEachOpportunity(OpportunityFilter(team: team)) { deal in
                    if let stage = deal.stage, open.contains(stage), deal.lostReason == nil { builder.add(RangeDeal(deal)) }
                }
                return builder.range(preferring: try database.defaultCurrency())
            }
        } else {
            range = try database.forecastRange(team: team, salesperson: nil)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        print("read \(Int(elapsed.rounded())) ms")
        for currency in range.currencies {
            let whole = currency.whole, code = currency.currency
            print("\(code) count \(whole.count) p10 \(MoneyFormat.plain(whole.p10, currency: code)) p50 \(MoneyFormat.plain(whole.p50, currency: code)) "
                  + "p90 \(MoneyFormat.plain(whole.p90, currency: code)) weighted \(MoneyFormat.plain(whole.weighted, currency: code)) "
                  + "months \(currency.months.count) drivers \(currency.drivers.map(\.id.rawValue))")
        }
    }
}

