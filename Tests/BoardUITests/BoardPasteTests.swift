import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// Pasted text (bracketed paste) is text for the focused field, never keys.
@Suite("Board paste")
struct BoardPasteTests {
    func paste(_ board: BoardHarness, _ text: String) { board.session.send(.input(.paste(text))) }

    @Test func anEscapeInPastedTextNeitherClosesTheFormNorRunsCommands() throws {
        let board = try BoardHarness()
        let stagesBefore = board.state.stages.map(\.name)
        board.press(.character("n"))
        paste(board, "Acme \u{1B}RED deal\u{1B}[2J\u{7}\r\n")
        guard case .newCard(let editor) = board.state.mode else {
            Issue.record("the paste closed the new-card form: \(board.state.mode)")
            return
        }
        #expect(editor.form.value("cardEditor.title") == "Acme RED deal[2J ")
        #expect(!board.screen.contains("Delete the stage"))
        board.press(.enter)  // on to the revenue, as a typed title
        board.type("1,000")
        board.press(.enter)
        #expect(try board.card("Acme RED deal[2J").expectedRevenue.minorUnits == 100_000)
        #expect(board.state.stages.map(\.name) == stagesBefore)
    }

    @Test func aMultiLineFieldKeepsPastedLineBreaksAndTabsBecomeSpaces() throws {
        let board = try BoardHarness()
        board.press(.up, .character("e"), .tab, .tab, .control("u"))  // the stage editor's requirements, emptied
        paste(board, "Call\tthe buyer\r\nSend \u{202E}quote\u{9B}\nDone")
        guard case .stageEditor(let editor) = board.state.mode else {
            Issue.record("the paste closed the stage editor")
            return
        }
        #expect(editor.form.value("stageEditor.requirements") == "Call the buyer\nSend quote\nDone")
    }

    @Test func aPasteOnTheBoardOrOnAChoiceDoesNothing() throws {
        let board = try BoardHarness()
        let focus = board.state.focus
        // Letters that are board commands (d deletes, w wins, q quits) do nothing as a paste.
        paste(board, "dwxq\r")
        #expect(board.state.focus == focus)
        guard case .browsing = board.state.mode else {
            Issue.record("a paste on the board opened \(board.state.mode)")
            return
        }
        #expect(try board.card("Acme renewal").stage == (try board.stage("New").id))
        // The stage editor's folded switch is no text field: Space in a paste does not flip it.
        board.press(.up, .character("e"), .tab, .tab, .tab)
        guard case .stageEditor(let before) = board.state.mode else { Issue.record("no stage editor"); return }
        paste(board, "  ")
        guard case .stageEditor(let after) = board.state.mode else { Issue.record("the paste closed the stage editor"); return }
        #expect(after.form.fields.map(\.text) == before.form.fields.map(\.text))
    }

    @Test func thePastedFilterNarrowsTheBoardOnce() throws {
        let board = try BoardHarness()
        board.press(.character("/"))
        paste(board, "Acme\u{1B}")
        guard case .filtering(let field) = board.state.mode else { Issue.record("the paste ended the filter"); return }
        #expect(field.text == "Acme")
        #expect(board.state.filter == "Acme")
        #expect(board.screen.contains("Acme renewal") && !board.screen.contains("Globex expansion"))
    }
}
