import Foundation
import PipelineCore
import PipelineEngines
import PipelineStorage
import Testing
import TerminalCore
@testable import BoardUI

/// Random keys, mouse events and resizes (down to 1×1) through the board's state machine
/// and renderer, on a real database: nothing crashes and the board's invariants hold
/// after every event. `PIPELINE_FUZZ_EVENTS` sets the count (`make torture`: a million).
@Suite("Fuzz: random input")
struct BoardFuzzTests {
    static let events = Int(ProcessInfo.processInfo.environment["PIPELINE_FUZZ_EVENTS"] ?? "") ?? 100_000

    /// Keys weighted towards what moves and edits; text keys feed the editors and filter.
    static let keys: [Key] = [
        .left, .right, .up, .down, .left, .right, .up, .down, .shiftLeft, .shiftRight, .shiftUp, .shiftDown,
        .home, .end, .pageUp, .pageDown, .enter, .escape, .escape, .tab, .backTab, .backspace, .delete,
        .character(" "), .character("n"), .character("N"), .character("D"), .character("e"), .character("x"),
        .character("w"), .character("u"), .control("r"), .character("/"), .character("t"), .character("1"),
        .character("2"), .character("3"), .character("f"), .character("?"), .character("<"), .character(">"),
        .character("h"), .character("j"), .character("k"), .character("l"), .character("H"), .character("L"),
        .character("g"), .character("G"), .control("s"), .control("u"), .character("a"), .character("5"),
        .character("ơ"), .character("đ"), .character("北"), .character("😀"), .character(","), .character("."),
        .function(1), .control("z"),
    ]

    @Test func randomInputNeverBreaksTheBoard() throws {
        var random = SeededGenerator(seed: 20261127)
        let board = try BoardHarness(size: Size(columns: 100, rows: 30), seed: BoardHarness.standardSeed)
        try board.database.setSetting(.leads, to: "on")
        var counts: [String: Int] = [:]
        for index in 0..<Self.events {
            let event: InputEvent
            switch random.next(below: 100) {
            case 0..<2:
                event = .resize(Size(columns: 1 + random.next(below: 160), rows: 1 + random.next(below: 50)))
            case 2..<6:
                let point = Point(x: random.next(below: 110) - 5, y: random.next(below: 40) - 5)
                let mice: [MouseEvent] = [.press(point), .release(point), .move(point), .wheelUp(point), .wheelDown(point)]
                event = .mouse(mice[random.next(below: mice.count)])
            default:
                event = .key(Self.keys[random.next(below: Self.keys.count)])
            }
            counts[String(describing: event).prefix(while: { $0 != "(" }).description, default: 0] += 1
            board.session.send(.input(event))
            if index % 50 == 0 { board.session.catchUp() }
            try Self.checkInvariants(board, after: event, index)
            // Now and then, the whole file: page, index and totals checks are too slow for
            // every event, and the board's own view is checked above.
            if index % 5_000 == 4_999 { #expect(try board.database.integrityProblems() == []) }
        }
        #expect(try board.database.integrityProblems() == [])
        let catalog = try board.database.catalog()
        var deals = 0
        try board.database.forEachOpportunity(OpportunityFilter(team: nil, stage: nil, includeArchived: true)) { _ in deals += 1 }
        print("fuzz: \(Self.events) events \(counts.sorted { $0.key < $1.key }); ended with \(catalog.teams.count) teams, "
              + "\(catalog.stages.count) stages, \(deals) opportunities")
    }

    static func checkInvariants(_ board: BoardHarness, after event: InputEvent, _ index: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let state = board.state
        func fail(_ what: String) {
            Issue.record("event \(index) (\(event)): \(what)", sourceLocation: sourceLocation)
        }
        // Rendering stays inside the screen, whatever its size.
        let grid = BoardRenderer.render(state)
        if grid.size != state.size { fail("grid \(grid.size) for a screen of \(state.size)") }
        if index % 20 == 0 {
            // The text layer, cell by cell (the grid clips; this checks it does).
            let lines = grid.lines
            if lines.count > state.size.rows { fail("\(lines.count) lines on \(state.size.rows) rows") }
            for line in lines where DisplayWidth.of(line) > state.size.columns {
                fail("a line of \(DisplayWidth.of(line)) cells on \(state.size.columns) columns: \(line)")
            }
        }
        // The pipeline ranks its stages 1…n with no gap and no repeat.
        let ids = state.stages.map(\.id)
        if Set(ids).count != ids.count { fail("a stage shown twice") }
        guard index % 10 == 0 else { return checkCards(state, fail) }
        let pipeline = try board.database.pipeline(for: state.team.id)
        if pipeline.stages.map(\.id) != ids, case .carryingColumn = state.mode {} else if pipeline.stages.map(\.id) != ids {
            fail("the board's stages \(ids) are not the pipeline's \(pipeline.stages.map(\.id))")
        }
        for (rank, stage) in pipeline.stages.enumerated() where pipeline.rank(of: stage.id) != rank + 1 {
            fail("stage \(stage.id) ranked \(String(describing: pipeline.rank(of: stage.id))), expected \(rank + 1)")
        }
        checkCards(state, fail)
    }

    static func checkCards(_ state: BoardState, _ fail: (String) -> Void) {
        // Every card is in exactly one column, the one its record names, with a probability in 0…100.
        var seen: Set<Opportunity.ID> = []
        for (stage, window) in state.columns {
            for card in window.cards {
                if !seen.insert(card.id).inserted { fail("card \(card.id) in two columns") }
                if card.stage != stage { fail("card \(card.id) of stage \(String(describing: card.stage)) shown in \(stage)") }
                if let probability = card.probability, !(0...10_000).contains(probability.basisPoints) {
                    fail("card \(card.id) at \(probability)")
                }
            }
        }
        // Focus is on something that is there.
        switch state.focus {
        case .header(let stage)?:
            if state.stage(stage) == nil { fail("focus on missing stage \(stage)") }
        case .card(let stage, let card)?:
            if state.stage(stage) == nil { fail("focus on a card of missing stage \(stage)") }
            if state.columns[stage]?.cards.contains(where: { $0.id == card }) != true, !isCarrying(state) {
                fail("focus on card \(card), not in its column's window")
            }
        case nil:
            if !state.stages.isEmpty, state.view == .pipeline, !isCarrying(state) { fail("no focus with stages on screen") }
        }
    }

    static func isCarrying(_ state: BoardState) -> Bool {
        switch state.mode {
        case .carryingCard, .carryingColumn: return true
        default: return false
        }
    }
}
