import Testing
@testable import BoardUI
@testable import PipelineCore
import TerminalCore

@Suite("Board snapshots")
struct BoardSnapshotTests {
    /// Moving focus to a column already in sight leaves the board where it is; a column out
    /// of sight scrolls it, by as little as it takes.
    @Test(arguments: [BoardDirection.leftToRight, .rightToLeft])
    func focusOnAColumnInSightDoesNotScrollTheBoard(_ direction: BoardDirection) throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24), direction: direction)
        let towardsLost: Key = direction == .leftToRight ? .right : .left
        let towardsNew: Key = direction == .leftToRight ? .left : .right
        func shown() -> [String] {
            BoardLayout.columns(of: board.state).slots.compactMap { board.state.stage($0.stage)?.name }
        }
        // The board opens on New: at the left edge left to right, scrolled to the right edge
        // right to left. Qualified, Proposition and Negotiation are in sight.
        let start = shown()
        #expect(start.count == 4 && start.contains("New"), "\(start)")
        let startHeaders = board.grid.lines[1]
        for _ in 0..<3 {
            board.press(towardsLost)
            #expect(shown() == start)
            #expect(board.grid.lines[1] == startHeaders)
        }
        for _ in 0..<2 { board.press(towardsLost) }
        let scrolled = shown()
        #expect(scrolled.contains("Lost") && !scrolled.contains("New") && !scrolled.contains("Qualified"), "\(scrolled)")
        let headers = board.grid.lines[1]
        for _ in 0..<3 {
            board.press(towardsNew)  // Won, Negotiation, Proposition: all in sight
            #expect(shown() == scrolled)
            #expect(board.grid.lines[1] == headers)
        }
        board.press(towardsNew)  // Qualified was out of sight: one column's scroll
        #expect(board.state.focusedStage?.name == "Qualified")
        #expect(shown() == ["Qualified", "Proposition", "Negotiation", "Won"].reversed(if: direction == .rightToLeft), "\(shown())")
    }

    @Test func defaultBoardRightToLeft() throws {
        let board = try BoardHarness()
        assertSnapshot(board.grid, named: "default-rtl-120x30")
        // The first stage is on the right, the closed ones on the left.
        let header = board.grid.lines[1]
        #expect(header.hasPrefix("  Lost"))
        #expect(header.contains("New") && header.range(of: "New")!.lowerBound > header.range(of: "Won")!.lowerBound)
    }

    @Test func defaultBoardLeftToRight() throws {
        let board = try BoardHarness(direction: .leftToRight)
        assertSnapshot(board.grid, named: "default-ltr-120x30")
        #expect(board.grid.lines[1].hasPrefix("  New"))
    }

    @Test func aFocusedHeaderShowsItsRequirements() throws {
        let board = try BoardHarness()
        board.press(.up)  // from the first card of New to its header
        #expect(board.state.focus == .header(try board.stage("New").id))
        assertSnapshot(board.grid, named: "header-tooltip")
        #expect(board.screen.contains("Requirements"))
        #expect(board.screen.contains("Received from lead"))
        // Esc hides it; moving away and back shows it again; a stage without requirements shows none.
        board.press(.escape)
        #expect(!board.screen.contains("Requirements"))
        board.press(.left, .right)
        #expect(board.screen.contains("Requirements"))
        board.press(.character("e"), .tab, .tab, .control("u"), .control("s"))
        #expect(board.state.stage(try board.stage("New").id)?.requirements == "")
        #expect(!board.screen.contains("Requirements"))
    }

    @Test func aCardCarriedHalfWay() throws {
        let board = try BoardHarness()
        board.press(.character(" "), .left)
        assertSnapshot(board.grid, named: "card-carried")
        guard case .carryingCard(let carried) = board.state.mode else { Issue.record("not carrying"); return }
        #expect(carried.target == (try board.stage("Qualified").id))
    }

    @Test func theStageEditorShowsAValidationError() throws {
        let board = try BoardHarness()
        board.press(.character("e"), .tab, .control("u"))
        board.type("150")
        board.press(.enter)
        assertSnapshot(board.grid, named: "stage-editor-error")
        #expect(board.screen.contains("'150' is not a percentage"))
    }

    @Test func aFoldedColumnIsANarrowStrip() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            _ = try board.database.editStage(try board.stage("Qualified").id, StageEdit(isFolded: true),
                                             context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        assertSnapshot(board.grid, named: "folded-column")
        #expect(!board.screen.contains("Initech"))
    }

    @Test func aTooSmallTerminalSaysSo() throws {
        let board = try BoardHarness()
        board.resize(Size(columns: 39, rows: 11))
        assertSnapshot(board.grid, named: "too-small")
        #expect(board.screen.contains("Terminal too small"))
        board.resize(Size(columns: 80, rows: 24))
        #expect(board.screen.contains("Acme renewal"))
    }

    @Test func vietnameseAndCJKTextAtColumnEdges() throws {
        let board = try BoardHarness(size: Size(columns: 100, rows: 24), language: .vietnamese) { board in
            try board.add("Hợp đồng bảo trì hệ thống Vinamilk giai đoạn hai", customer: "Công ty Cổ phần Sữa Việt Nam",
                          revenue: "1.500.000.000", stage: "Mới", salesperson: "Nguyễn Thị Hương")
            try board.add("北京办公室商机商机商机", customer: "北京科技有限公司", revenue: "250.000.000", stage: "Chất lượng", salesperson: "王小明")
            try board.add("Mo\u{31B}\u{301}i deal 😀👍🏽 emoji", customer: "Ｆｕｌｌｗｉｄｔｈ", revenue: "75.000.000", stage: "Đề xuất")
        }
        assertSnapshot(board.grid, named: "vietnamese-cjk-edges")
        #expect(board.screen.contains("1.500.000.000 ₫"))
        // Every column rule sits at the same display column on every row.
        let grid = board.grid
        let rules = (0..<grid.size.columns).filter { grid[$0, 5].grapheme == "│" }
        #expect(!rules.isEmpty)
        for y in 1..<(grid.size.rows - 1) {
            for x in rules { #expect(grid[x, y].grapheme == "│", "row \(y), column \(x)") }
        }
    }
}

@Suite("Board in Vietnamese: snapshots")
struct VietnameseBoardSnapshotTests {
    /// A team in Hà Nội: đồng amounts, one deal in dollars, a closing date.
    static func seed(_ board: BoardHarness) throws {
        try board.add("Bảo trì hệ thống Vinamilk", customer: "Công ty Sữa Việt Nam", revenue: "1.500.000.000", stage: "Mới",
                      salesperson: "Nguyễn Thị Hương", priority: "2", daysAgo: 3)
        try board.add("Phần mềm kế toán", customer: "Cty Ánh Dương", revenue: "85.500.000", stage: "Đề xuất", salesperson: "Trần Minh", daysAgo: 12)
        try board.add("Hợp đồng xuất khẩu", customer: "Acme Corp", revenue: "12.000,50", stage: "Đề xuất", salesperson: "Lê Hoa",
                      currency: "USD")
        let deal = try board.card("Phần mềm kế toán")
        var changes = OpportunityChanges()
        changes.expectedClosing = .some(CalendarDate(year: 2026, month: 12, day: 31))
        _ = try board.database.editOpportunity(deal.id, changes, team: nil, stage: nil, expectedVersion: deal.version,
                                               context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }

    @Test func theBoardSpeaksVietnameseWithDongAmountsAndMarksOtherCurrencies() throws {
        let board = try BoardHarness(size: Size(columns: 100, rows: 24), language: .vietnamese, seed: Self.seed)
        assertSnapshot(board.grid, named: "vietnamese-board")
        let screen = board.screen
        #expect(screen.contains("1 Quy trình") && screen.contains("3 Dự báo"))
        #expect(screen.contains("1.500.000.000 ₫"))
        // The proposal column sums its đồng deal; the dollar one is counted, as a deal, on the
        // rule below, the header having no room left beside the weighted sum.
        #expect(screen.contains("2 · 85.500.000 ₫"))
        #expect(screen.contains("─ +1 cơ hội USD ─"))
        #expect(screen.contains("Đang mở 1.585.500.000 ₫"))
        #expect(screen.contains("+1 cơ hội USD"))
        #expect(!screen.contains("$"))
    }

    @Test func theCardEditorWritesDatesDayFirstAndReadsThemBack() throws {
        let board = try BoardHarness(size: Size(columns: 100, rows: 24), language: .vietnamese, seed: Self.seed)
        board.press(.left, .left)  // from Mới (rightmost) to Đề xuất
        for _ in 0..<3 where board.state.focusedCard?.title != "Phần mềm kế toán" { board.press(.down) }
        #expect(board.state.focusedCard?.title == "Phần mềm kế toán")
        board.press(.enter)
        assertSnapshot(board.grid, named: "vietnamese-card-editor")
        #expect(board.screen.contains("31/12/2026"))
        #expect(board.screen.contains("Ngày chốt (DD/MM/YYYY)"))
        #expect(board.screen.contains("85.500.000"))
        for _ in 0..<9 { board.press(.tab) }
        board.press(.control("u"))
        board.type("15/1/2027")
        board.press(.enter)
        #expect(try board.card("Phần mềm kế toán").expectedClosing == CalendarDate(year: 2027, month: 1, day: 15))
    }
}

extension Array {
    func reversed(if condition: Bool) -> [Element] { condition ? Array(reversed()) : self }
}
