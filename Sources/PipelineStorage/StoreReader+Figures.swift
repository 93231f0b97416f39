import PipelineCore

// The figures of issue 14, written once for every engine: the engine streams rows, the core
// decides what they mean.
extension StoreReader {
    /// The stages the figures of `team` (every stage when `nil`) are shown for, in order.
    func figureStages(team: Team.ID?) throws -> [Stage] {
        let catalog = try catalog()
        guard let team else { return catalog.stages }
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        return catalog.pipeline(for: owner).stages
    }

    /// See `PipelineFigures.stageObservations`. Closed deals arrive one at a time with their
    /// lines; each becomes a path the tally adds, so memory holds one deal's lines and the
    /// per-stage counts (and each stage's durations, for its median).
    public func stageObservations(team: Team.ID?, since: Timestamp?) throws -> [StageObservation] {
        let stages = try figureStages(team: team)
        let outcomes = Dictionary(try catalog().stages.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        var tally = StageObservationTally(stages: try catalog().stages, since: since)
        var current: ClosedDealLine?
        var lines: [StageChange] = []
        func finish() {
            guard let deal = current,
                  let outcome = DealOutcome.of(stageOutcome: deal.stageOutcome, lostReason: deal.hasLostReason ? "" : nil) else { return }
            tally.add(ClosedDealPath.from(lines: lines, outcome: outcome, currentStage: deal.stage, stageChangedAt: deal.stageChangedAt,
                                          stageOutcome: { outcomes[$0] }))
        }
        try forEachClosedDealLine(team: team) { row in
            if current?.deal != row.deal {
                finish()
                current = row
                lines.removeAll(keepingCapacity: true)
            }
            if let line = row.line { lines.append(line) }
        }
        finish()
        return tally.observations(for: stages)
    }

    /// See `PipelineFigures.forecastRange`, in memory that follows the number of currencies
    /// and closing months, not of deals: the store streams the open deals' figures alone
    /// (`forEachRangeRow`, in id order) into the core's `BoundedBuilder`, which keeps only what
    /// each group's method can still need; the drivers' titles are read last, by id.
    public func forecastRange(team: Team.ID?, salesperson: String?) throws -> ForecastRange {
        var currencies: [String: CurrencyCode] = [:]
        var builder = ForecastRange.BoundedBuilder()
        try forEachRangeRow(team: team, salesperson: salesperson) { row in
            builder.add(Self.rangeDeal(row, currencies: &currencies))
        }
        var range = builder.range(preferring: try defaultCurrency())
        for currency in range.currencies.indices {
            for driver in range.currencies[currency].drivers.indices {
                let id = range.currencies[currency].drivers[driver].id
                range.currencies[currency].drivers[driver].title = try record(id)?.title ?? ""
            }
        }
        return range
    }

    /// A range row as the deal it is: the currency, amount, probability and closing date read
    /// as `Rows.opportunity` reads them (a value out of range as its default), without a title.
    static func rangeDeal(_ row: RangeRow, currencies: inout [String: CurrencyCode]) -> RangeDeal {
        let currency: CurrencyCode
        if let known = currencies[row.currency] {
            currency = known
        } else {
            let code = row.currency
            currency = code == "VND" ? .vnd : code == "USD" ? .usd : (try? CurrencyCode(stored: code)) ?? .usd
            currencies[code] = currency
        }
        let month = row.closing.flatMap(CalendarDate.init(iso8601:)).map { String($0.description.prefix(7)) }
        return RangeDeal(id: Opportunity.ID(row.id), title: "", amount: Money(minorUnits: row.amount, currency: currency) ?? .zero(currency),
                         probability: row.basisPoints.flatMap(Probability.init(basisPoints:)) ?? .zero, closingMonth: month)
    }

    /// See `PipelineFigures.wonByMonth`: the active deals of each won stage, streamed a stage
    /// at a time (the store's order by stage), summed by the month they entered it.
    public func wonByMonth(team: Team.ID?, salesperson: String?, months: [MonthWindow]) throws -> WonByMonth {
        var figures = months.map { _ in Figures() }
        for stage in try figureStages(team: team) where stage.outcome == .won {
            // Every won deal, read once: through the small scan cache (1M deals: see Docs/benchmarks.md).
            try forEachOpportunity(OpportunityFilter(team: team, stage: stage.id, salesperson: salesperson, readsOnce: true)) { deal in
                guard deal.kind == .opportunity, deal.lostReason == nil,
                      let index = months.firstIndex(where: { $0.contains(deal.stageChangedAt) }) else { return }
                figures[index].add(deal)
            }
        }
        return WonByMonth(months: months, figures: figures)
    }

    /// See `PipelineFigures.digest`. Today's weighted open pipeline is the forecast's own sum;
    /// the deals changed since `start` arrive with their whole history, one deal at a time
    /// kept until its lines end; the core walks back from today through their lines.
    public func digest(start: Timestamp, end: Timestamp, team: Team.ID?, salesperson: String?, day: RottingDay) throws -> Digest {
        let catalog = try catalog()
        if let team, catalog.team(team) == nil { throw PipelineError.unknownTeam(String(team.rawValue)) }
        let outcomes = Dictionary(catalog.stages.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        let openNow = try forecast(team: team, groupedBy: .stage, salesperson: salesperson).open.weighted
        var deals: [DigestDeal] = []
        try forEachDealHistory(since: start, team: team, salesperson: salesperson) { deal, line in
            if deals.last?.deal.id != deal.id { deals.append(DigestDeal(deal: deal, lines: [])) }
            deals[deals.count - 1].lines.append(line.named)
        }
        var digest = Digest.explain(start: start, end: end, deals: deals, openNow: openNow, preferring: try defaultCurrency(),
                                    outcome: { outcomes[$0] })
        try forEachOpportunity(OpportunityFilter(team: team, salesperson: salesperson, rotting: day)) { digest.rotting.append($0) }
        try forEachOverdueActivity(team: team, salesperson: salesperson, today: day.today) { activity, title in
            digest.overdue.append(DigestActivity(activity: activity, dealTitle: title))
        }
        return digest
    }
}
