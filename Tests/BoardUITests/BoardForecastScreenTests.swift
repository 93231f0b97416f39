import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineStorage
import TerminalCore

/// Issue 14 on the board: view 3 grouped three ways with bars and the range, the revenue won
/// this month and last, and the seen rate in the stage editor and the header's tooltip.
@Suite("Board: the forecast screen and the seen rate")
struct BoardForecastScreenTests {
    static let seed = ChangeContext(now: BoardHarness.now, user: "seed")

    /// The standard pipeline, and `won` + `lost` deals created in New and closed from there.
    static func closedThroughNew(won: Int, lost: Int) -> (BoardHarness) throws -> Void {
        { board in
            try BoardHarness.standardSeed(board)
            for index in 0..<(won + lost) {
                let deal = try board.add("Closed \(index)", stage: "New", daysAgo: 20)
                if index < won {
                    _ = try board.database.markWon(deal.id, context: seed)
                } else {
                    _ = try board.database.markLost(deal.id, reason: "price", context: seed)
                }
            }
        }
    }

    /// The eighths of each run of block characters (U+2588–U+258F) in `line`, left to right.
    static func bars(in line: String) -> [(start: Int, eighths: Int)] {
        var runs: [(start: Int, eighths: Int)] = []
        var current: (start: Int, eighths: Int)?
        for (index, scalar) in line.unicodeScalars.enumerated() {
            if (0x2588...0x258F).contains(scalar.value) {
                let eighths = scalar.value == 0x2588 ? 8 : Int(0x2590 - scalar.value)
                current = (current?.start ?? index, (current?.eighths ?? 0) + eighths)
            } else if let run = current {
                runs.append(run)
                current = nil
            }
        }
        if let run = current { runs.append(run) }
        return runs
    }

    static func line(_ board: BoardHarness, startingWith label: String, containing: String = "") -> String? {
        board.grid.lines.first { $0.dropFirst(2).hasPrefix(label + " ") && (containing.isEmpty || $0.contains(containing)) }
    }

    // MARK: - Grouping

    @Test func bCyclesTheGroupingThroughStageMonthAndSalesperson() throws {
        let board = try BoardHarness()
        board.press(.character("3"))
        #expect(board.state.forecast?.grouping == .stage)
        #expect(board.screen.contains("◉ stage"))
        let range = try #require(board.state.forecastRange)
        board.press(.character("b"))
        #expect(board.state.forecastGrouping == .month && board.state.forecast?.grouping == .month)
        #expect(board.screen.contains("◉ closing month") && board.screen.contains("Month"))
        #expect(board.screen.contains("No closing date"), "the seed's deals have no closing date")
        #expect(board.state.forecastRange?.currencies.count == range.currencies.count, "the range stays while only the rows change")
        board.press(.character("b"))
        #expect(board.state.forecast?.grouping == .salesperson)
        #expect(board.screen.contains("Salesperson") && board.screen.contains("Minh") && board.screen.contains("The forecast grouped by salesperson"))
        board.press(.character("b"))
        #expect(board.state.forecast?.grouping == .stage)
        #expect(board.state.view == .forecast && board.state.mode.isBrowsing)
    }

    @Test func theGroupingKeyMeansNothingOnThePipelineView() throws {
        let board = try BoardHarness()
        board.press(.character("b"))
        #expect(board.state.forecastGrouping == .stage && board.state.view == .pipeline)
    }

    // MARK: - Bars

    /// Each bar is its amount's share of the screen's largest amount, to the nearest eighth
    /// of a cell, computed here apart from the renderer.
    @Test(arguments: [Size(columns: 80, rows: 24), Size(columns: 120, rows: 30), Size(columns: 200, rows: 50)])
    func barsAreProportionalToTheEighth(_ size: Size) throws {
        let board = try BoardHarness(size: size)
        board.press(.character("3"))
        // Largest: Negotiation's $50,000 expected; its bar fills the bar's width.
        let negotiation = try #require(Self.line(board, startingWith: "Negotiation", containing: "%"))
        let full = try #require(Self.bars(in: negotiation).first).eighths
        #expect(full > 0 && full % 8 == 0, "the largest amount fills whole cells: \(negotiation)")
        let rows: [(String, Double, Double)] = [("New", 20_000, 1_000), ("Qualified", 4_500.50, 675.075), ("Proposition", 20_000, 10_000),
                                                ("Negotiation", 50_000, 37_500), ("Won", 15_000, 15_000)]
        for (stage, expected, weighted) in rows {
            let line = try #require(Self.line(board, startingWith: stage, containing: "%"))
            let bars = Self.bars(in: line)
            func eighths(_ amount: Double) -> Int { max(1, Int((amount / 50_000 * Double(full)).rounded())) }
            #expect(bars.map(\.eighths) == [eighths(expected), eighths(weighted)], "\(stage) at \(size): \(line)")
        }
        // No deal, no bar: the Lost stage's row has none.
        #expect(Self.bars(in: try #require(Self.line(board, startingWith: "Lost", containing: "%"))).isEmpty)
    }

    @Test func theBarGlyphsStepByEighths() {
        #expect(BoardForecastView.bar(1, largest: 8, width: 1) == "▏")
        #expect(BoardForecastView.bar(7, largest: 8, width: 1) == "▉")
        #expect(BoardForecastView.bar(12, largest: 16, width: 2) == "█▌")
        #expect(BoardForecastView.bar(1, largest: 1_000_000, width: 10) == "▏", "a positive amount shows at least an eighth")
        #expect(BoardForecastView.bar(0, largest: 8, width: 4) == "")
    }

    /// Without colour the two bars are told apart by the column each sits under, and the
    /// grouping in force by its ◉.
    @Test func theForecastReadsWithoutColour() throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24))
        board.press(.character("3"))
        let lines = board.grid.lines
        let header = try #require(lines.first { $0.contains("Expected") && $0.contains("Weighted") })
        let expectedEnd = try #require(header.range(of: "Expected")).upperBound.utf16Offset(in: header)
        let weightedEnd = try #require(header.range(of: "Weighted")).upperBound.utf16Offset(in: header)
        for stage in ["New", "Proposition", "Negotiation"] {
            let bars = Self.bars(in: try #require(Self.line(board, startingWith: stage, containing: "%")))
            #expect(bars.count == 2)
            #expect(bars[0].start < expectedEnd && bars[1].start > expectedEnd && bars[1].start < weightedEnd, "\(stage)")
        }
        #expect(board.screen.contains("◉ stage  ○ closing month  ○ salesperson"))
    }

    // MARK: - The range

    static func rangeSeed(_ board: BoardHarness) throws {
        let team = try board.database.currentTeam().id
        for (title, revenue, probability, closing) in [("X", "1,000", "50", "2027-01-10"), ("Y", "3,000", "20", "2027-01-20"),
                                                       ("Z", "500", "90", nil)] {
            let changes = try OpportunityForm(title: title, expectedRevenue: revenue, probability: probability, expectedClosing: closing)
                .validated(language: .english, currency: .usd)
            _ = try board.database.addOpportunity(changes, team: team, stage: try board.stage("Qualified").id, context: seed)
        }
    }

    /// Docs/figures.md's example: January's P10 $0, P50 $1,000, P90 $3,000; January has the
    /// largest P90, so its bar spans the width and ● sits a third of the way along.
    @Test func theP50MarkSitsAtItsCell() throws {
        let board = try BoardHarness(seed: Self.rangeSeed)
        board.press(.character("3"), .end)
        let line = try #require(board.grid.lines.first { $0.contains("2027-01") && $0.contains("├") })
        let cells = Array(line)
        let low = try #require(cells.firstIndex(of: "├")), high = try #require(cells.firstIndex(of: "┤"))
        let middle = try #require(cells.firstIndex(of: "●"))
        #expect(middle - low == Int((Double(high - low) / 3).rounded()), "\(line)")
        #expect(line.contains("P10 $0.00 · P50 $1,000.00 · P90 $3,000.00"))
        #expect(board.screen.contains("P10 $500.00 · P50 $1,500.00 · P90 $3,500.00"), "the whole open pipeline")
    }

    @Test func aRangeBarMarksP10P50AndP90() {
        let range = RevenueRange(count: 3, weighted: 0, p10: 20, p50: 50, p90: 80, exact: true)
        #expect(BoardForecastView.rangeBar(range, scale: 100, width: 11) == "  ├──●──┤")
        let certain = RevenueRange(count: 1, weighted: 0, p10: 100, p50: 100, p90: 100, exact: true)
        #expect(BoardForecastView.rangeBar(certain, scale: 100, width: 5) == "    ●")
    }

    // MARK: - Amounts are never cut

    /// Found by the trial: at 80 columns the largest amounts were cut with "…". The bars give
    /// up their room first; every amount of the table and the range shows whole, in both
    /// languages.
    @Test(arguments: [Language.english, .vietnamese])
    func veryLargeAmountsAreNeverCutAt80Columns(_ language: Language) throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24), language: language) { board in
            let team = try board.database.currentTeam().id
            let stages = try board.database.pipeline(for: team).stages
            // Four deals of $9,999,999,999.99 closing in one month (P10–P90 of $20–40 billion:
            // in Vietnamese the amounts no longer fit one line), $999,999,999,999.99 twice (the
            // table's old layout cut their sum in Vietnamese), a VND deal of 85.5 billion.
            let deals: [(String, Int64, CurrencyCode, Int, String?)] = [
                ("Huge VND", 85_500_000_000, .vnd, 2, "2027-01-10"), ("Huge 1", 999_999_999_999, .usd, 3, "2027-02-10"),
                ("Huge 2", 999_999_999_999, .usd, 3, "2027-02-11"), ("Huge 3", 999_999_999_999, .usd, 3, "2027-02-12"),
                ("Huge 4", 999_999_999_999, .usd, 3, "2027-02-13"), ("Larger 1", 99_999_999_999_999, .usd, 1, nil), ("Larger 2", 99_999_999_999_999, .usd, 1, nil),
                ("Small", 120_000, .usd, 1, "2027-01-20"), ("Won", 250_000, .usd, 4, nil)]
            for (title, revenue, currency, stage, closing) in deals {
                var changes = OpportunityChanges()
                changes.title = title
                changes.expectedRevenue = Money(minorUnits: revenue, currency: currency)
                changes.expectedClosing = closing.flatMap(CalendarDate.init(iso8601:))
                _ = try board.database.addOpportunity(changes, team: team, stage: stages[stage].id, context: Self.seed)
            }
        }
        board.press(.character("3"))
        let lines = BoardForecastView.lines(board.state)
        for line in lines {
            for cell in line where cell.x > 0 && !cell.text.isEmpty {
                #expect(DisplayWidth.of(cell.text) <= cell.width, "cut: \(cell.text) in \(cell.width) cells")
            }
        }
        let open = try #require(board.state.forecast?.open)
        for amount in [open.expected[.usd], open.weighted[.usd]].map({ BoardForecastView.money($0, .usd, board.state) }) {
            #expect(lines.contains { line in line.contains { $0.text == amount } }, "\(amount)")
        }
        let screen = board.screen
        #expect(screen.contains(language == .english ? "85,500,000,000 VND" : "85.500.000.000 ₫"), "\(screen)")
        // A label may be cut (it gives room after the bars); an amount never. The range's
        // lines (below the fold) are among `lines` above.
        #expect(lines.contains { line in line.contains { $0.text.contains("P50") } })
    }

    // MARK: - Won this month and last

    @Test func thisMonthsWonRevenueSitsBesideLastMonths() throws {
        let board = try BoardHarness()
        // The seed's Wayne deal was won 30 days before 20 November: in October.
        _ = try board.database.markWon(try board.card("Stark tower").id, context: Self.seed)
        board.press(.character("3"))
        let this = try #require(Self.line(board, startingWith: "Won this month"), "\(board.screen)")
        let last = try #require(Self.line(board, startingWith: "Won last month"))
        #expect(this.contains("$50,000.00") && last.contains("$15,000.00"))
        #expect(Self.bars(in: this).first?.eighths ?? 0 > Self.bars(in: last).first?.eighths ?? 0)
    }

    // MARK: - Scrolling

    @Test func theForecastScrollsWhenLongerThanTheScreen() throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24), seed: Self.rangeSeed)
        board.press(.character("3"))
        let end = BoardForecastView.maxScroll(board.state)
        #expect(end > 0, "at 80×24 the range is below the fold")
        #expect(board.screen.contains("▼"))
        board.press(.down)
        #expect(board.state.forecastScroll == 1)
        board.press(.end)
        #expect(board.state.forecastScroll == end)
        #expect(board.screen.contains("P90 $3,500.00") && board.screen.contains("▲"))
        board.press(.down)
        #expect(board.state.forecastScroll == end, "never past the end")
        board.press(.home)
        #expect(board.state.forecastScroll == 0)
    }

    // MARK: - The seen rate

    /// The 90 % Wilson interval, computed here from its formula.
    static func wilson(won: Int, n: Int) -> (Int, Int) {
        let z = 1.6448536, p = Double(won) / Double(n), count = Double(n)
        let centre = (p + z * z / (2 * count)) / (1 + z * z / count)
        let half = z / (1 + z * z / count) * (p * (1 - p) / count + z * z / (4 * count * count)).squareRoot()
        return (Int(((centre - half) * 100).rounded()), Int(((centre + half) * 100).rounded()))
    }

    @Test func theStageEditorShowsTheSeenRateBesideTheProbability() throws {
        let board = try BoardHarness(seed: Self.closedThroughNew(won: 3, lost: 6))
        board.press(.character("e"))
        let (low, high) = Self.wilson(won: 3, n: 9)
        #expect(board.screen.contains("5 % · seen 33 % (n 9, \(low)–\(high) %)"), "\(board.screen)")
    }

    @Test func withoutClosedDealsTheEditorSaysSo() throws {
        let board = try BoardHarness()
        board.press(.character("e"))
        #expect(board.screen.contains("5 % · no closed deals yet"))
        board.press(.control("o"))
        #expect(board.screen.contains("there is no seen rate to adopt"))
        guard case .stageEditor(let editor) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(editor.form.value("stageEditor.probability") == "5")
    }

    /// Ctrl-O puts the seen rate, to a whole percent, into the field and nothing else; Esc
    /// throws it away, Enter saves it like any edit.
    @Test func ctrlOAdoptsTheSeenRateIntoTheFieldOnly() throws {
        let board = try BoardHarness(seed: Self.closedThroughNew(won: 2, lost: 1))
        let before = try board.stage("New")
        board.press(.character("e"), .tab, .tab, StageEditor.adoptKey)
        guard case .stageEditor(let editor) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(editor.form.value("stageEditor.probability") == "67", "2 of 3, 66.7 %, rounds up")
        #expect(editor.form.fields[editor.form.focused].id == "stageEditor.probability")
        #expect(editor.form.value("stageEditor.name") == before.name && editor.form.value("stageEditor.requirements") == before.requirements)
        #expect(board.screen.contains("67 % · seen 67 %"))
        #expect(try board.stage("New") == before, "nothing is saved before Enter")
        board.press(.escape)
        #expect(try board.stage("New").probability == before.probability, "Esc discards it")
        board.press(.character("e"), StageEditor.adoptKey, .enter)
        #expect(try board.stage("New").probability.basisPoints == 6_700)
        #expect(board.state.mode.isBrowsing)
    }

    @Test func theHeaderTooltipGainsTheSeenRate() throws {
        let board = try BoardHarness(seed: Self.closedThroughNew(won: 3, lost: 6))
        board.press(.up)
        #expect(board.screen.contains("Requirements") && board.screen.contains("seen 33 %"))
        // A stage without requirements shows its seen rate alone.
        let bare = try BoardHarness(seed: { board in
            try Self.closedThroughNew(won: 3, lost: 6)(board)
            _ = try board.database.editStage(try board.stage("New").id, StageEdit(requirements: ""), context: Self.seed)
        })
        bare.press(.up)
        #expect(bare.screen.contains("Seen rate") && bare.screen.contains("5 % · seen 33 %") && !bare.screen.contains("Requirements"),
                "\(bare.screen)")
    }

    /// The seen rates go over every closed deal's history (about 0.3 s at 1,000,000 deals):
    /// read once they show, kept while only open deals move, read again once a deal closes.
    @Test func theSeenRatesAreReadAgainOnlyWhenADealCloses() throws {
        let board = try BoardHarness(seed: Self.closedThroughNew(won: 3, lost: 6))
        board.press(.up)
        #expect(board.state.observations != nil && board.screen.contains("seen 33 %"))
        func asksForThem(_ effects: [BoardEffect]) -> Bool {
            effects.contains { if case .loadObservations = $0 { return true } else { return false } }
        }
        // A reload after a card moved among open stages keeps them.
        var state = board.state
        _ = try board.database.moveOpportunity(try board.card("Globex expansion").id, to: try board.stage("Qualified").id,
                                               context: Self.seed)
        var effects = BoardReducer.reduce(&state, .loaded(try board.session.data(focus: state.focus)))
        #expect(state.observations != nil && !asksForThem(effects))
        // The stage editor opens with them, without reading them again.
        var editing = state
        effects = BoardReducer.reduce(&editing, .input(.key(.character("e"))))
        #expect(!asksForThem(effects))
        #expect(BoardRenderer.render(editing).text.contains("seen 33 %"))
        // A deal won elsewhere: the next reload reads them again (the tooltip shows them).
        _ = try board.database.markWon(try board.card("Acme renewal").id, context: Self.seed)
        effects = BoardReducer.reduce(&state, .loaded(try board.session.data(focus: state.focus)))
        #expect(asksForThem(effects))
    }
}

