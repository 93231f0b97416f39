import Testing
@testable import PipelineCore

/// The digest's walk through a history, on lines built by hand: what the engines cannot
/// easily produce (lines written before the history recorded figures, a history that begins
/// with a move).
@Suite("Core: the weekly digest's explanation")
struct DigestTests {
    static let open = Stage.ID(1), proposition = Stage.ID(2), won = Stage.ID(3)
    static func outcome(_ stage: Stage.ID) -> StageOutcome? { stage == won ? .won : .open }

    static func deal(_ id: Int64, amount: Int64, percent: Int, stage: Stage.ID, active: Bool = true) -> Opportunity {
        Opportunity(id: Opportunity.ID(id), title: "Deal \(id)", expectedRevenue: Money(minorUnits: amount, currency: .usd)!,
                    probability: Probability(basisPoints: percent * 100), team: Team.ID(1), stage: stage,
                    createdAt: Timestamp(millisecondsSince1970: 0), isActive: active)
    }

    static func line(_ id: Int64, _ event: HistoryEvent, at: Int64, from: Stage.ID?, to: Stage.ID?, amount: Int64?, percent: Int?,
                     recorded: StageOutcome? = nil) -> NamedHistoryLine {
        NamedHistoryLine(change: StageChange(opportunity: Opportunity.ID(id), from: from, to: to, at: Timestamp(millisecondsSince1970: at),
                                             by: "lan", event: event, probability: percent.map { Probability(basisPoints: $0 * 100)! },
                                             amount: amount.map { Money(minorUnits: $0, currency: .usd)! }, stageOutcome: recorded),
                         fromName: nil, toName: nil)
    }

    /// A line reads with the outcome it recorded (schema 9), whatever its stage is now: won
    /// into a stage removed since (no stage), and open in a stage made won since. A line
    /// without one (older) reads its stage's outcome now, as before.
    @Test func aLineReadsWithTheOutcomeItRecorded() throws {
        // Deal 1: created open at 10 % ($100), won at 100 into a stage removed since, then moved
        // by the removal into Won at 200 (after the period).
        let wonThenRemoved = DigestDeal(deal: Self.deal(1, amount: 1_000_00, percent: 100, stage: Self.won), lines: [
            Self.line(1, .created, at: 0, from: nil, to: Self.open, amount: 1_000_00, percent: 10, recorded: .open),
            Self.line(1, .won, at: 100, from: Self.open, to: nil, amount: 1_000_00, percent: 100, recorded: .won),
            Self.line(1, .won, at: 200, from: nil, to: Self.won, amount: 1_000_00, percent: 100, recorded: .won),
        ])
        // Deal 2: open in a stage (`won` now) at 50 % ($250) when it was open; its stage's change
        // at 300 is a line too.
        let madeWon = DigestDeal(deal: Self.deal(2, amount: 500_00, percent: 100, stage: Self.won), lines: [
            Self.line(2, .created, at: 0, from: nil, to: Self.won, amount: 500_00, percent: 50, recorded: .open),
            Self.line(2, .stageProbability, at: 300, from: Self.won, to: Self.won, amount: 500_00, percent: 100, recorded: .won),
        ])
        let bridge = try #require(Self.explain([wonThenRemoved, madeWon], openNow: 0, start: 50, end: 150))
        #expect(bridge.start == 350_00 && bridge.end == 250_00 && bridge.part(.won) == -100_00)
        let later = try #require(Self.explain([wonThenRemoved, madeWon], openNow: 0, start: 250, end: 400))
        #expect(later.start == 250_00 && later.end == 0 && later.part(.stageOutcome) == -250_00 && later.part(.unrecorded) == 0)
        // Without recorded outcomes the won line into no stage reads as open (today's rule for
        // older lines): what the trial found, kept for lines written before schema 9.
        let older = DigestDeal(deal: wonThenRemoved.deal, lines: wonThenRemoved.lines.map { var line = $0; line.change.stageOutcome = nil; return line })
        #expect(try #require(Self.explain([older], openNow: 0, start: 50, end: 150)).part(.won) == 900_00)
    }

    static func explain(_ deals: [DigestDeal], openNow: Int128, start: Int64, end: Int64) -> DigestBridge? {
        var totals = MoneyTotals()
        totals.add(openNow, currency: .usd)
        return Digest.explain(start: Timestamp(millisecondsSince1970: start), end: Timestamp(millisecondsSince1970: end), deals: deals,
                              openNow: totals, preferring: .usd, outcome: outcome).bridges.first
    }

    /// Lines without figures (from before the history had them) take the next known ones:
    /// a move recorded without figures explains nothing beyond the stage's later probability.
    @Test func linesWithoutFiguresTakeTheNextKnownOnes() throws {
        // Created at 10 % (no figures), moved at 100 (no figures), edited to 30 % at 200.
        let deal = DigestDeal(deal: Self.deal(1, amount: 1_000_00, percent: 30, stage: Self.proposition), lines: [
            Self.line(1, .created, at: 0, from: nil, to: Self.open, amount: nil, percent: nil),
            Self.line(1, .moved, at: 100, from: Self.open, to: Self.proposition, amount: nil, percent: nil),
            Self.line(1, .edited, at: 200, from: Self.proposition, to: Self.proposition, amount: 1_000_00, percent: 30),
        ])
        let bridge = try #require(Self.explain([deal], openNow: 300_00, start: 50, end: 300))
        #expect(bridge.start == 300_00 && bridge.end == 300_00 && bridge.difference == 0)
    }

    /// A history that begins with a move (lines merged in from another record) had the deal in
    /// the move's first stage before; a reopened deal comes back; a change after the end is
    /// taken off today's figure.
    @Test func aHistoryWithoutCreationAndALaterChange() throws {
        let moved = DigestDeal(deal: Self.deal(1, amount: 1_000_00, percent: 50, stage: Self.proposition), lines: [
            Self.line(1, .moved, at: 100, from: Self.open, to: Self.proposition, amount: 1_000_00, percent: 50),
        ])
        let reopened = DigestDeal(deal: Self.deal(2, amount: 200_00, percent: 100, stage: Self.won), lines: [
            Self.line(2, .created, at: 0, from: nil, to: Self.open, amount: 200_00, percent: 10),
            Self.line(2, .won, at: 10, from: Self.open, to: Self.won, amount: 200_00, percent: 100),
            Self.line(2, .restored, at: 150, from: Self.won, to: Self.open, amount: 200_00, percent: 10),
            Self.line(2, .won, at: 400, from: Self.open, to: Self.won, amount: 200_00, percent: 100),
        ])
        // Now: deal 1 $500 open; deal 2 won again after the period (at 400).
        let bridge = try #require(Self.explain([moved, reopened], openNow: 500_00, start: 50, end: 300))
        #expect(bridge.start == 500_00 && bridge.end == 520_00)
        #expect(bridge.part(.moved) == 0 && bridge.part(.restored) == 20_00)
    }

    /// An edit of both the amount and the probability: the amount at the old probability, then
    /// the probability; together exactly the change, even with rounding at each step.
    @Test func anEditOfBothIsSplitExactly() throws {
        let deal = DigestDeal(deal: Self.deal(1, amount: 333_33, percent: 33, stage: Self.open), lines: [
            Self.line(1, .created, at: 0, from: nil, to: Self.open, amount: 100_01, percent: 15),
            Self.line(1, .edited, at: 100, from: Self.open, to: Self.open, amount: 333_33, percent: 33),
        ])
        let now = Int128(Money.weightedMinorUnits(333_33, basisPoints: 3300))
        let bridge = try #require(Self.explain([deal], openNow: now, start: 50, end: 200))
        let before = Int128(Money.weightedMinorUnits(100_01, basisPoints: 1500))
        let middle = Int128(Money.weightedMinorUnits(333_33, basisPoints: 1500))
        #expect(bridge.start == before && bridge.part(.amount) == middle - before && bridge.part(.probability) == now - middle)
    }

    /// On random histories (every event, two currencies, a currency changed by an edit, lines
    /// without figures, changes after the period, deals now unlike their last line): the items
    /// of each part add up to the part exactly, per currency; no item is zero; a stage's
    /// probability change is one item for all the deals it moved; the parts add up to the
    /// difference.
    @Test func eachPartsItemsAddUpToThePart() throws {
        let stages = [Self.open, Self.proposition, Self.won, Stage.ID(4)]
        func outcome(_ stage: Stage.ID) -> StageOutcome? { stage == Self.won ? .won : stage == Stage.ID(4) ? .lost : .open }
        let events: [HistoryEvent] = [.moved, .won, .lost, .restored, .archived, .edited, .stageProbability]
        let euro = try CurrencyCode(parsing: "EUR")
        for seed in UInt64(1)...200 {
            var random = SeededGenerator(seed: seed)
            var deals: [DigestDeal] = []
            var lines = 0, stageLines = 0
            for id in Int64(1)...Int64(1 + random.next(below: 12)) {
                var history: [NamedHistoryLine] = []
                var at = Int64(random.next(below: 50))
                var stage = stages[random.next(below: 2)]
                let count = 1 + random.next(below: 8)
                for index in 0..<count {
                    let event: HistoryEvent = index == 0 && random.next(below: 6) > 0 ? .created : events[random.next(below: events.count)]
                    let from = stage
                    if event == .moved || event == .won || event == .lost || event == .restored { stage = stages[random.next(below: stages.count)] }
                    // Several deals' stage lines share an instant and an author, as one stage change writes them.
                    if event == .stageProbability { at = 100 + 100 * Int64(random.next(below: 3)) } else { at += Int64(1 + random.next(below: 60)) }
                    let currency = random.next(below: 5) == 0 ? euro : .usd
                    let known = random.next(below: 7) > 0
                    history.append(NamedHistoryLine(change: StageChange(
                        opportunity: Opportunity.ID(id), from: index == 0 && event == .created ? nil : from, to: stage,
                        at: Timestamp(millisecondsSince1970: at), by: "lan", event: event,
                        probability: known ? Probability(basisPoints: 100 * random.next(below: 101)) : nil,
                        amount: known ? Money(minorUnits: Int64(random.next(below: 1_000_000)), currency: currency) : nil),
                        fromName: nil, toName: "S\(stage.rawValue)"))
                }
                history.sort { $0.change.at < $1.change.at }
                var deal = Self.deal(id, amount: Int64(random.next(below: 1_000_000)), percent: random.next(below: 101),
                                     stage: random.next(below: 5) == 0 ? stages[random.next(below: stages.count)] : stage,
                                     active: random.next(below: 6) > 0)
                if let last = history.last?.change, random.next(below: 4) > 0 {
                    deal.expectedRevenue = last.amount ?? deal.expectedRevenue
                    deal.probability = last.probability ?? deal.probability
                }
                lines += history.count
                stageLines += history.filter { $0.change.event == .stageProbability }.count
                deals.append(DigestDeal(deal: deal, lines: history))
            }
            var openNow = MoneyTotals()
            for item in deals { openNow.add(DealState.now(item.deal, outcome: outcome).weighted) }
            let start = Int64(random.next(below: 200)), end = start + Int64(random.next(below: 400))
            let digest = Digest.explain(start: Timestamp(millisecondsSince1970: start), end: Timestamp(millisecondsSince1970: end),
                                        deals: deals, openNow: openNow, preferring: .usd, outcome: outcome)
            for bridge in digest.bridges {
                #expect(bridge.start + bridge.parts.reduce(0) { $0 + $1.amount } == bridge.end, "seed \(seed)")
                for cause in DigestCause.allCases {
                    let items = bridge.items(cause)
                    #expect(items.reduce(0) { $0 + $1.amount } == bridge.part(cause), "seed \(seed), \(cause) in \(bridge.currency)")
                    #expect(items.allSatisfy { $0.amount != 0 }, "seed \(seed)")
                    #expect(items == items.sorted(by: DigestPartItem.precedes), "seed \(seed)")
                    for item in items {
                        switch item.subject {
                        case .stage(_, _, _, let count):
                            #expect(cause == .stageProbability && count >= 1 && count <= stageLines, "seed \(seed)")
                        case .stageOutcome(_, _, _, let count):
                            #expect(cause == .stageOutcome && count >= 1 && count <= stageLines, "seed \(seed)")
                        case .deal:
                            #expect(cause != .stageProbability && cause != .stageOutcome, "seed \(seed)")
                            // A change in the history is in the period; "not in the history" has no when.
                            if let at = item.at { #expect(cause != .unrecorded && at.millisecondsSince1970 >= start && at.millisecondsSince1970 <= end) }
                            else { #expect(cause == .unrecorded) }
                        }
                    }
                }
            }
            #expect(lines > 0)
        }
    }

    /// A stage's probability change is one item naming the stage, how many deals it moved and
    /// by how much; a deal lost and restored in the period is under Lost and under Reopened.
    @Test func aStageChangeIsOneItemAndALostDealRestoredIsUnderBoth() throws {
        func stageLine(_ id: Int64, percent: Int) -> NamedHistoryLine {
            var line = Self.line(id, .stageProbability, at: 100, from: Self.open, to: Self.open, amount: 1_000_00, percent: percent)
            line.toName = "New"
            return line
        }
        let one = DigestDeal(deal: Self.deal(1, amount: 1_000_00, percent: 30, stage: Self.open), lines: [
            Self.line(1, .created, at: 0, from: nil, to: Self.open, amount: 1_000_00, percent: 10), stageLine(1, percent: 30),
        ])
        let two = DigestDeal(deal: Self.deal(2, amount: 1_000_00, percent: 30, stage: Self.open), lines: [
            Self.line(2, .created, at: 0, from: nil, to: Self.open, amount: 1_000_00, percent: 10), stageLine(2, percent: 30),
            Self.line(2, .lost, at: 150, from: Self.open, to: Self.open, amount: 1_000_00, percent: 0),
            Self.line(2, .restored, at: 160, from: Self.open, to: Self.open, amount: 1_000_00, percent: 30),
        ])
        let bridge = try #require(Self.explain([one, two], openNow: 600_00, start: 50, end: 200))
        #expect(bridge.items(.stageProbability) == [DigestPartItem(
            subject: .stage(Self.open, name: "New", probability: Probability(basisPoints: 3000), deals: 2), amount: 400_00,
            at: Timestamp(millisecondsSince1970: 100), by: "lan")])
        #expect(bridge.items(.lost).map(\.subject) == [.deal(Opportunity.ID(2), title: "Deal 2")] && bridge.part(.lost) == -300_00)
        #expect(bridge.items(.restored).map(\.amount) == [300_00])
    }
}
