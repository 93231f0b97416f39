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
}
