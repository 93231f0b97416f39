import Foundation
import PipelineCore
import PipelineStorage
import TerminalCore
import Testing
@testable import BoardUI

/// `o`: how the columns are ordered (issue 13) — one order for the whole board.
@Suite("Board: column orders")
struct BoardOrderTests {
    /// The entry stage holds three deals whose every order differs: by hand (newest on top)
    /// Medium, Large, Small; Small has the only activity.
    static func seed(_ board: BoardHarness) throws {
        let store = board.database
        let team = try store.currentTeam().id
        let new = try board.stage("New").id
        for (title, revenue, closing, priority) in [("Small", "100", "2027-03-01", "3"), ("Large", "9,000", nil, "0"),
                                                    ("Medium", "500", "2027-01-01", "1")] {
            let changes = try OpportunityForm(title: title, expectedRevenue: revenue, expectedClosing: closing, priority: priority)
                .validated(language: .english, currency: try store.defaultCurrency())
            _ = try store.addOpportunity(changes, team: team, stage: new, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        let type = try #require(try store.activityTypes().first).id
        _ = try store.addActivity(to: try board.card("Small").id,
                                  ActivityChanges(type: type, summary: "Call", due: CalendarDate(iso8601: "2026-11-25")),
                                  context: ChangeContext(now: BoardHarness.now, user: "seed"))
        try board.add("Initech pilot", stage: "Qualified")
    }

    func titles(_ board: BoardHarness, _ stage: String = "New") throws -> [String] {
        (board.state.columns[try board.stage(stage).id]?.cards ?? []).map(\.title)
    }

    @Test func oCyclesTheOrderOfEveryColumnKeepingFocusOnTheCard() throws {
        let board = try BoardHarness(seed: Self.seed)
        #expect(try titles(board) == ["Medium", "Large", "Small"])
        board.press(.down)
        let large = try board.card("Large").id
        #expect(board.state.focus?.card == large)
        let expected: [(CardOrder, [String], String)] = [
            (.nextActivity, ["Small", "Large", "Medium"], "next activity"),  // none last, then by id
            (.closingDate, ["Medium", "Small", "Large"], "closing date"),
            (.revenue, ["Large", "Medium", "Small"], "expected revenue"),
            (.priority, ["Small", "Medium", "Large"], "priority"),
            (.hand, ["Medium", "Large", "Small"], "by hand"),
        ]
        for (order, column, name) in expected {
            board.press(.character("o"))
            #expect(board.state.order == order)
            #expect(try titles(board) == column, "\(order)")
            #expect(board.state.status?.text == "Order of the cards: \(name)")
            #expect(board.state.focus?.card == large, "\(order)")
            // The tab bar says the order while it is not by hand.
            #expect(board.grid.lines[0].contains("Order: \(name)") == (order != .hand), "\(board.grid.lines[0])")
        }
    }

    /// In any order but by hand, moving a card up or down — by key or by carrying it — is
    /// one sentence and changes nothing.
    @Test func movingByHandIsRefusedInAnotherOrder() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("o"), .character("o"), .character("o"))
        #expect(board.state.order == .revenue)
        let ranks = try ["Small", "Large", "Medium"].map { try board.card($0).rank }
        let versions = try ["Small", "Large", "Medium"].map { try board.card($0).version }
        board.press(.down, .shiftDown)  // Small, the last
        #expect(board.state.focus?.card == (try board.card("Small").id))
        #expect(board.state.status?.text == "The cards are ordered by expected revenue; press o until 'by hand' to move them by hand")
        board.press(.shiftUp)
        #expect(board.state.status?.text.hasPrefix("The cards are ordered by") == true)
        // Carried up its own column and dropped.
        board.press(.character(" "), .up, .character(" "))
        #expect(board.state.status?.text.hasPrefix("The cards are ordered by") == true)
        #expect(try ["Small", "Large", "Medium"].map { try board.card($0).rank } == ranks)
        #expect(try ["Small", "Large", "Medium"].map { try board.card($0).version } == versions)
        #expect(try titles(board) == ["Large", "Medium", "Small"])
        #expect(board.state.history.undo.isEmpty)
        // Back by hand, the same key moves the card.
        board.press(.character("o"), .character("o"))
        #expect(board.state.order == .hand)
        board.press(.shiftUp)
        #expect(try titles(board) == ["Medium", "Small", "Large"])
    }

    /// Moving to another column works in every order: the card lands where its key puts it
    /// and focus follows it.
    @Test func aCardMovesToAnotherColumnInAnOrderAndFocusFollowsIt() throws {
        let board = try BoardHarness(seed: Self.seed)
        for _ in 0..<3 { board.press(.character("o")) }
        #expect(board.state.order == .revenue)
        board.press(.down, .down)  // Small, the smallest
        let small = try board.card("Small")
        #expect(board.state.focus?.card == small.id)
        let qualified = try board.stage("Qualified")
        let target = try #require(BoardReducer.neighbour(of: try board.stage("New").id, onScreen: -1, in: board.state))
        #expect(target.id == qualified.id)
        board.press(.shiftLeft)
        #expect(try board.card("Small").stage == qualified.id)
        #expect(board.state.focus == .card(qualified.id, small.id))
        // Initech pilot (1,000) is larger: Small lands below it, though a move puts its rank on top.
        #expect(try titles(board, "Qualified") == ["Initech pilot", "Small"])
        #expect(try titles(board) == ["Large", "Medium"])
    }
}
