import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// Issue 13: Enter on a card opens the deal's page — fields edited in place, activities,
/// the timeline newest first, a note box — and Esc goes back to the same card.
@Suite("Deal page")
struct BoardDealPageTests {
    static func at(daysAgo: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - daysAgo * 86_400_000)
    }

    /// Acme renewal (added 3 days ago in New): moved to Qualified 2 days later, its amount
    /// changed, a call done with feedback, a meeting planned, two notes.
    static func seed(_ board: BoardHarness) throws {
        try BoardHarness.standardSeed(board)
        let database = board.database
        let acme = try board.card("Acme renewal")
        let call = try database.activityTypes()[0].id
        try database.moveOpportunity(acme.id, to: try board.stage("Qualified").id, placement: .top, expectedVersion: nil,
                                     context: ChangeContext(now: at(daysAgo: 1), user: "Lan"))
        let amount = try OpportunityForm(expectedRevenue: "14,000").validated(language: .english, currency: try database.defaultCurrency())
        _ = try database.editOpportunity(acme.id, amount, expectedVersion: nil, context: ChangeContext(now: at(daysAgo: 1), user: "Lan"))
        let done = try database.addActivity(to: acme.id, ActivityChanges(type: call, summary: "First call", due: BoardActivityTests.date(18),
                                                                         assignedTo: "Lan"), context: ChangeContext(now: at(daysAgo: 2), user: "Lan"))
        _ = try database.completeActivity(done.id, feedback: "They want a demo\nbefore Christmas", next: nil,
                                          context: ChangeContext(now: at(daysAgo: 1), user: "Lan"))
        _ = try database.addActivity(to: acme.id, ActivityChanges(type: call, summary: "Demo meeting", due: BoardActivityTests.date(25),
                                                                  assignedTo: "Lan"), context: ChangeContext(now: at(daysAgo: 1), user: "Lan"))
        _ = try database.addNote(to: acme.id, text: "Budget approved", context: ChangeContext(now: at(daysAgo: 1), user: "Lan"))
        _ = try database.addNote(to: acme.id, text: "Ask for the signed PO", context: ChangeContext(now: at(daysAgo: 0), user: "tester"))
    }

    /// The board with Acme's card focused and its page open.
    static func openAcme(size: Size = Size(columns: 120, rows: 30), language: Language = .english,
                         seed: @escaping (BoardHarness) throws -> Void = seed) throws -> BoardHarness {
        let board = try BoardHarness(size: size, language: language, seed: seed)
        let acme = try board.card("Acme renewal")
        for _ in 0..<6 where board.state.focus?.card != acme.id { board.press(.left) }
        for _ in 0..<6 where board.state.focus?.card != acme.id { board.press(.right) }
        try #require(board.state.focus?.card == acme.id, "\(board.screen)")
        board.press(.enter)
        try #require(board.state.page?.data != nil, "\(board.screen)")
        return board
    }

    @Test func enterOpensThePageWithItsTimelineNewestFirstAndEscReturnsToTheSameCard() throws {
        let board = try Self.openAcme(size: Size(columns: 120, rows: 60))
        let acme = try board.card("Acme renewal")
        let screen = board.screen
        #expect(screen.contains("Acme renewal"))
        #expect(screen.contains("Moved New → Qualified after 2 d in New"), "\(screen)")
        #expect(screen.contains("Amount"), "\(screen)")
        #expect(screen.contains("Demo meeting"))
        #expect(screen.contains("Call done: First call"), "\(screen)")
        #expect(screen.contains("They want a demo"))
        // Newest first: today's note above yesterday's move.
        let lines = board.grid.lines
        let note = try #require(lines.firstIndex { $0.contains("Ask for the signed PO") }, "\(screen)")
        let move = try #require(lines.firstIndex { $0.contains("Moved New → Qualified") })
        #expect(note < move)
        // The fields are the card editor's, in place, with the keys.
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("the fields have no keys"); return }
        #expect(editor.card?.id == acme.id)
        board.press(.escape)
        #expect(board.state.page == nil)
        #expect(board.state.focus?.card == acme.id)
        #expect(!board.screen.contains("Timeline"))
    }

    @Test func aFieldEditedInPlaceIsSavedLikeTheCardEditorAndUndoable() throws {
        let board = try Self.openAcme()
        board.type(" 2")
        board.press(.enter)
        #expect(try board.card("Acme renewal 2").id == board.state.page?.record)
        // Still on the page, the fields showing the deal as saved.
        #expect(board.state.page != nil)
        #expect(board.screen.contains("Acme renewal 2"))
        board.press(.escape)
        board.press(.character("u"))
        #expect(throws: (any Error).self) { try board.card("Acme renewal 2") }
        #expect(try board.card("Acme renewal").title == "Acme renewal")
    }

    /// Tab goes field by field as the old card editor did and leaves the fields only after
    /// the last one; Shift+Tab before the first goes back round to the note box, and coming
    /// back into the fields with Shift+Tab lands on their last field.
    @Test func tabGoesFieldByFieldAndLeavesTheFieldsAfterTheLast() throws {
        let board = try Self.openAcme()
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("the fields have no keys"); return }
        let count = editor.form.fields.count
        for expected in 1..<count {
            board.press(.tab)
            guard case .cardEditor(let now) = board.state.mode else { Issue.record("Tab left the fields early"); return }
            #expect(now.form.focused == expected)
            #expect(board.state.page?.section == .fields)
        }
        board.press(.tab)
        #expect(board.state.page?.section == .activities)
        board.press(.backTab)
        guard case .cardEditor(let back) = board.state.mode else { Issue.record("Shift+Tab did not come back to the fields"); return }
        #expect(back.form.focused == count - 1)
        for _ in 1..<count { board.press(.backTab) }
        #expect(board.state.page?.section == .fields)
        board.press(.backTab)
        #expect(board.state.page?.section == .note)
        board.press(.tab)
        guard case .cardEditor(let first) = board.state.mode else { Issue.record("Tab did not come round to the fields"); return }
        #expect(first.form.focused == 0)
    }

    @Test func aNoteIsAddedFromTheNoteBoxWithItsAuthorAndAnEmptyOneIsRefused() throws {
        let board = try Self.openAcme()
        let acme = try board.card("Acme renewal")
        board.press(.backTab)  // Shift+Tab before the first field: the note box
        #expect(board.state.page?.section == .note)
        board.press(.enter)
        #expect(board.screen.contains("Type the note first."), "\(board.screen)")
        #expect(try board.database.notes(of: acme.id).count == 2)
        board.type("Sent the quote")
        board.press(.enter)
        board.press(.backTab)  // the timeline
        let notes = try board.database.notes(of: acme.id)
        #expect(notes.count == 3)
        let added = try #require(notes.first { $0.text == "Sent the quote" })
        #expect(added.author == "tester")
        #expect(added.at == BoardHarness.now)
        #expect(board.state.page?.noteBox.value(DealPageState.noteField) == "")
        #expect(board.screen.contains("Sent the quote"))
        // Esc from the note box goes back to the board, on the same card.
        board.press(.tab, .escape)
        #expect(board.state.page == nil)
        #expect(board.state.focus?.card == acme.id)
    }

    @Test func aSelectedNoteIsDeletedAndAnythingElseSaysOnlyNotes() throws {
        let board = try Self.openAcme()
        let acme = try board.card("Acme renewal")
        board.press(.backTab, .backTab)
        #expect(board.state.page?.section == .timeline)
        // The newest entry is the user's own note.
        board.press(.character("x"))
        #expect(try board.database.notes(of: acme.id).map(\.text) == ["Budget approved"])
        // Down to an entry that is not a note.
        while let page = board.state.page, page.selectedNote != nil { board.press(.down) }
        board.press(.character("x"))
        #expect(board.screen.contains("Only a note can be deleted"), "\(board.screen)")
        #expect(try board.database.notes(of: acme.id).count == 1)
    }

    @Test func anotherAuthorsNoteIsRefusedToASalespersonInOneSentence() throws {
        // Lan, a salesperson, on her own deal: the newest note is the tester's.
        let board = try BoardHarness(seed: Self.seed, access: BoardAccessTests.salesperson)
        let acme = try board.card("Acme renewal")
        for _ in 0..<6 where board.state.focus?.card != acme.id { board.press(.right) }
        for _ in 0..<6 where board.state.focus?.card != acme.id { board.press(.left) }
        board.press(.enter)
        board.press(.backTab, .backTab)
        #expect(board.state.page?.selectedNote?.author == "tester")
        board.press(.character("x"))
        #expect(try board.database.notes(of: acme.id).count == 2)
        #expect(board.state.status?.kind == .error)
        #expect(board.state.page != nil)
    }

    @Test func dMarksTheSelectedActivityDoneAndTheTimelineShowsIt() throws {
        let board = try Self.openAcme()
        board.press(.backTab, .backTab, .backTab)
        #expect(board.state.page?.section == .activities)
        #expect(board.state.page?.selectedActivityValue?.summary == "Demo meeting")
        board.press(.character("d"))
        guard case .completeActivity = board.state.mode else { Issue.record("no completion pane"); return }
        board.type("Went well")
        board.press(.control("d"))  // done only (Esc closes the pane with no change)
        #expect(board.state.page != nil)
        #expect(board.state.page?.data?.timeline.contains { if case .activityDone(_, _, "Demo meeting", "Went well") = $0.kind { true } else { false } } == true)
        // `a` plans one, with the same form as from a card.
        board.press(.character("a"))
        guard case .activityEditor(let editor) = board.state.mode else { Issue.record("no activity form"); return }
        #expect(editor.record.title == "Acme renewal")
        board.press(.escape)
        #expect(board.screen.contains("✓ Call: Demo meeting · done 2026-11-20 09:00 by tester"), "\(board.screen)")
        // Done at the same instant as the newest note was written, after it: above it.
        let lines = board.grid.lines
        let doneEntry = try #require(lines.firstIndex { $0.contains("Call done: Demo meeting") }, "\(board.screen)")
        let note = try #require(lines.firstIndex { $0.contains("Ask for the signed PO") }, "\(board.screen)")
        #expect(doneEntry < note)
    }

    @Test func thePageScrollsAndKeepsItsPlaceWhenSomeoneElseChangesTheDeal() throws {
        let board = try Self.openAcme(size: Size(columns: 80, rows: 24))
        let acme = try board.card("Acme renewal")
        board.press(.backTab, .backTab)
        board.press(.pageDown)
        let scroll = try #require(board.state.page?.scroll)
        #expect(scroll > 0)
        #expect(board.screen.contains("▲"))
        // A colleague, on another connection.
        let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english,
                                             now: BoardHarness.now, busyTimeout: 5, user: "Hoa")
        _ = try colleague.addNote(to: acme.id, text: "From a colleague", context: ChangeContext(now: BoardHarness.now, user: "Hoa"))
        _ = board.session.catchUp()
        #expect(board.state.page?.scroll == scroll)
        #expect(try #require(board.state.page?.data).notes.contains { $0.text == "From a colleague" })
        board.press(.home)
        #expect(board.state.page?.scroll == 0)
    }

    /// A Notes field of several lines whose first row is scrolled off the top still shows
    /// its other lines in the rows left in sight, typed in or read only.
    @Test func aMultiLineNotesFieldHalfScrolledOffTheTopShowsItsOtherLines() throws {
        let board = try Self.openAcme(size: Size(columns: 80, rows: 18)) { board in
            try Self.seed(board)
            var changes = OpportunityChanges()
            changes.notes = "First line\nSecond line\nThird line"
            _ = try board.database.editOpportunity(try board.card("Acme renewal").id, changes, expectedVersion: nil,
                                                   context: ChangeContext(now: BoardHarness.now, user: "Hoa"))
        }
        for keys: [Key] in [[], [.backTab]] {  // the fields with the keys, then the note box's
            for key in keys { board.press(key) }
            var state = board.state
            let page = try #require(state.page)
            let rows = BoardDealPageView.rows(state, page)
            let first = try #require(rows.firstIndex { if case .field(_, 0) = $0.content, case .field(let index) = $0.anchor {
                BoardDealPageView.fieldsForm(state, page).fields[index].isMultiline } else { false } })
            #expect(BoardDealPageView.fieldsForm(state, page).fields.contains { $0.text == "First line\nSecond line\nThird line" })
            state.page?.scroll = first + 1
            let lines = BoardRenderer.render(state).lines
            #expect(lines[2].contains("Second line"), "\(keys)\n\(lines.joined(separator: "\n"))")
            #expect(lines[3].contains("Third line"), "\(keys)\n\(lines.joined(separator: "\n"))")
        }
    }

    @Test func userTextIsSanitisedAndWrappedOnThePage() throws {
        let board = try Self.openAcme(size: Size(columns: 80, rows: 24))
        let acme = try board.card("Acme renewal")
        // The store refuses control characters in a note; the page sanitises what it shows all the same.
        #expect(throws: PipelineError.self) {
            try board.database.addNote(to: acme.id, text: "Evil \u{1B}[2J", context: ChangeContext(now: BoardHarness.now, user: "Hoa"))
        }
        _ = try board.database.addNote(to: acme.id, text: "Evil note with a very long line that must wrap between its words on the page",
                                       context: ChangeContext(now: BoardHarness.now, user: "Hoa"))
        board.press(.escape, .enter)
        board.press(.backTab, .backTab)
        let screen = board.screen
        #expect(screen.contains("Evil"), "\(screen)")
        #expect(screen.contains("between its words"), "\(screen)")
    }
}
