import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineStorage
import TerminalCore

/// Issue 13 on the board: the cards' next-step marks, view 4 (the activities to do), adding
/// one from a card, marking done with the next one suggested, rescheduling.
@Suite("Board activities")
struct BoardActivityTests {
    /// 2026-11-20, the harness's today.
    static let today = CalendarDate(year: 2026, month: 11, day: 20)!

    static func date(_ day: Int) -> CalendarDate { CalendarDate(year: 2026, month: 11, day: day)! }

    /// Three deals in New/Qualified with a next step overdue, today (at 14:30) and planned; the
    /// standard pipeline around them.
    static func seed(_ board: BoardHarness) throws {
        try BoardHarness.standardSeed(board)
        let types = try board.database.activityTypes()
        let call = types[0].id
        let context = ChangeContext(now: BoardHarness.now, user: "seed")
        try board.database.addActivity(to: board.card("Acme renewal").id,
                                       ActivityChanges(type: call, summary: "Call Acme back", due: date(18), assignedTo: "tester"), context: context)
        try board.database.addActivity(to: board.card("Globex expansion").id,
                                       ActivityChanges(type: call, summary: "Globex meeting", due: date(20), time: .some(MinuteOfDay(hour: 14, minute: 30)),
                                                       assignedTo: "tester"), context: context)
        try board.database.addActivity(to: board.card("Initech pilot").id,
                                       ActivityChanges(type: call, summary: "Send Initech quote", due: date(25), assignedTo: "Lan"), context: context)
    }

    /// The row of the screen holding `text`, and where.
    func find(_ text: String, in grid: Grid) -> (x: Int, y: Int)? {
        for (y, line) in grid.lines.enumerated() {
            if let range = line.range(of: text) { return (line.distance(from: line.startIndex, to: range.lowerBound), y) }
        }
        return nil
    }

    @Test func cardsShowTheirNextStepWithADistinctGlyphColourAndDate() throws {
        let board = try BoardHarness(seed: Self.seed)
        let grid = board.grid
        let overdue = try #require(find("! Nov 18", in: grid), "\(grid.text)")
        let today = try #require(find("● 14:30", in: grid), "\(grid.text)")
        let planned = try #require(find("○ Nov 25", in: grid), "\(grid.text)")
        // Colour for those who have it; the glyphs alone tell the states apart without (NO_COLOR).
        // Acme's card has focus: its mark takes the card's highlight.
        #expect(grid[overdue.x, overdue.y].style == .focusedCard)
        #expect(grid[today.x, today.y].style == .dueToday)
        #expect(grid[planned.x, planned.y].style == .planned)
        #expect(Set(ActivityTiming.allCases.map(BoardRenderer.activityGlyph)).count == ActivityTiming.allCases.count)
        // A deal with nothing planned has no mark.
        let stark = try #require(find("Stark", in: grid))
        #expect(!grid.lines[stark.y].contains("!") && !grid.lines[stark.y].contains("○"))
    }

    @Test func aNarrowCardKeepsTheGlyphAndDropsTheDate() throws {
        let board = try BoardHarness(seed: Self.seed)
        let acme = try board.card("Acme renewal")
        #expect(BoardRenderer.activityMarks(acme, width: 16, board.state).map(\.text) == ["! Nov 18"])
        #expect(BoardRenderer.activityMarks(acme, width: 12, board.state).map(\.text) == ["!"])
    }

    @Test func shortDatesFollowTheLanguage() {
        let today = Self.today
        #expect(BoardRenderer.shortDue(Self.date(3), time: nil, today: today, language: .english) == "Nov 3")
        #expect(BoardRenderer.shortDue(Self.date(3), time: nil, today: today, language: .vietnamese) == "3/11")
        #expect(BoardRenderer.shortDue(CalendarDate(year: 2027, month: 1, day: 2)!, time: nil, today: today, language: .vietnamese) == "2/1/2027")
        #expect(BoardRenderer.shortDue(today, time: MinuteOfDay(hour: 9, minute: 5), today: today, language: .english) == "09:05")
    }

    @Test func theCardMarkUsesTheUsersDayNotUTCs() throws {
        // 09:00 UTC on the 20th is already 02:00 on the 21st at UTC+17… use UTC−10: still the 19th.
        let board = try BoardHarness(seed: Self.seed)
        var state = board.state
        state.utcOffsetSeconds = -10 * 3600
        let grid = BoardRenderer.render(state)
        // The call due on the 18th is overdue either way; the meeting of the 20th is planned on the 19th.
        #expect(find("○ 14:30", in: grid) == nil)
        #expect(find("○ Nov 20", in: grid) != nil, "\(grid.text)")
    }

    @Test func view4ListsMyActivitiesOverdueFirstAndMCyclesWhose() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("4"))
        #expect(board.state.view == .activities)
        let lines = board.grid.lines
        let acme = try #require(lines.firstIndex { $0.contains("Call Acme back") })
        let globex = try #require(lines.firstIndex { $0.contains("Globex meeting") })
        #expect(acme < globex)
        #expect(lines[acme].contains("!") && lines[acme].contains("Acme renewal"))
        #expect(!board.screen.contains("Send Initech quote"))  // Lan's
        #expect(board.screen.contains("My activities (tester)"))
        board.press(.character("m"))
        #expect(board.screen.contains("Send Initech quote"))
        #expect(board.state.activities.scope == .team)
        board.press(.character("m"), .character("m"))
        #expect(board.state.activities.scope == .mine)
    }

    @Test func tabCyclesThroughView4() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.tab, .tab)
        #expect(board.state.view == .activities)
        board.press(.tab)
        #expect(board.state.view == .pipeline)
    }

    @Test func markingDoneOffersTheNextOneEnterSchedulesItAndTheCardsMarkChanges() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("4"))
        board.press(.character("d"))
        guard case .completeActivity(let pane) = board.state.mode else { Issue.record("no pane"); return }
        // Pre-filled from the type: a call's next is a call, three days on.
        #expect(pane.form.value(CompletionPane.due) == Self.date(23).display(in: .english))
        board.type("Left a message")
        board.press(.enter)
        let acme = try board.card("Acme renewal")
        let activities = try board.database.activities(of: acme.id)
        #expect(activities.count == 2)
        let done = try #require(activities.first { $0.isDone })
        #expect(done.completion?.feedback == "Left a message")
        #expect(activities.contains { !$0.isDone && $0.due == Self.date(23) })
        board.press(.character("1"))
        #expect(find("! Nov 18", in: board.grid) == nil)
        #expect(find("○ Nov 23", in: board.grid) != nil, "\(board.screen)")
        // u takes it back: open again, the next one gone.
        board.press(.character("u"))
        #expect(try board.database.activities(of: acme.id).map(\.isDone) == [false])
    }

    @Test func ctrlDInTheDonePaneMarksDoneOnlyAndEscChangesNothing() throws {
        let board = try BoardHarness(seed: Self.seed)
        let deal = try board.card("Acme renewal").id
        // Esc closes the pane as every pane's Esc does: nothing done (the new-user trial
        // pressed d by mistake, then Esc, and lost the activity to "done").
        board.press(.character("4"), .character("d"), .escape)
        guard case .browsing = board.state.mode else { Issue.record("pane still open"); return }
        #expect(try board.database.activities(of: deal).allSatisfy { !$0.isDone })
        board.press(.character("d"), .control("d"))
        let activities = try board.database.activities(of: deal)
        #expect(activities.count == 1 && activities[0].isDone)
        // View 4 lists what is open; the status line says what was done.
        #expect(board.state.activities.rows.map(\.activity.summary) == ["Globex meeting"])
        #expect(board.state.status?.text == "Done: Call Acme back")
    }

    @Test func choosingAnotherNextTypeBringsItsSummaryAndDueDateButKeepsWhatWasTyped() throws {
        let board = try BoardHarness(seed: Self.seed)
        let types = try board.database.activityTypes()
        board.press(.character("4"), .character("d"), .tab)
        guard case .completeActivity(let before) = board.state.mode else { Issue.record("no pane"); return }
        let first = before.form.selectedIndex(CompletionPane.type)
        board.press(.character(" "))
        guard case .completeActivity(let after) = board.state.mode else { Issue.record("pane closed"); return }
        let chosen = types[after.form.selectedIndex(CompletionPane.type)]
        #expect(after.form.selectedIndex(CompletionPane.type) != first)
        #expect(after.form.value(CompletionPane.summary) == chosen.name)
        #expect(after.form.value(CompletionPane.due) == board.state.today.adding(days: chosen.nextDelayDays).display(in: .english))
        // A summary typed by hand stays when the type changes again.
        board.press(.tab, .control("u"))
        board.type("Send the contract")
        board.press(.backTab, .character(" "))
        guard case .completeActivity(let typed) = board.state.mode else { Issue.record("pane closed"); return }
        #expect(typed.form.value(CompletionPane.summary) == "Send the contract")
    }

    @Test func theNewActivityFormTakesTheSameRelativeDatesAsTheCommandLine() throws {
        let board = try BoardHarness(seed: Self.seed)
        let focused = try #require(board.state.focusedCard)
        board.press(.character("a"))
        board.type("Lunch")
        board.press(.tab, .control("u"))
        board.type("+2d")
        board.press(.enter)
        let added = try #require(try board.database.activities(of: focused.id).first { $0.summary == "Lunch" })
        #expect(added.due == board.state.today.adding(days: 2))
    }

    @Test func aBadNextDateIsSaidBesideItsFieldAndNothingIsWritten() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("4"), .character("d"), .tab, .tab, .tab, .control("u"))
        board.type("soon")
        board.press(.enter)
        guard case .completeActivity(let pane) = board.state.mode else { Issue.record("pane closed"); return }
        #expect(pane.form.fields[pane.form.focused].id == CompletionPane.due)
        #expect(pane.form.fields[pane.form.focused].error != nil)
        #expect(try board.database.activities(of: try board.card("Acme renewal").id).allSatisfy { !$0.isDone })
    }

    @Test func plusAndWPutOffFromTodayWhenOverdue() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("4"), .character("+"))
        let id = try board.card("Acme renewal").id
        #expect(try board.database.activities(of: id).first?.due == Self.date(21))
        board.press(.character("w"))
        #expect(try board.database.activities(of: id).first?.due == Self.date(28))
    }

    @Test func rescheduleTakesAStepOrADateAndRefusesOtherText() throws {
        let board = try BoardHarness(seed: Self.seed)
        let id = try board.card("Acme renewal").id
        board.press(.character("4"), .character("r"))
        board.type("someday")
        board.press(.enter)
        guard case .reschedule(let prompt) = board.state.mode else { Issue.record("prompt closed"); return }
        #expect(prompt.form.fields[0].error != nil)
        #expect(try board.database.activities(of: id).first?.due == Self.date(18))
        board.press(.control("u"))
        board.type("+1w")
        board.press(.enter)
        #expect(try board.database.activities(of: id).first?.due == Self.date(27))
        board.press(.character("r"))
        board.type("2026-12-03")
        board.press(.enter)
        #expect(try board.database.activities(of: id).first?.due == CalendarDate(year: 2026, month: 12, day: 3))
    }

    @Test func rescheduleStepsInTheCore() throws {
        let today = Self.today
        #expect(try ActivityReschedule.dueDate("+1d", from: Self.date(18), today: today, language: .english) == Self.date(21))
        #expect(try ActivityReschedule.dueDate("+2", from: Self.date(25), today: today, language: .english) == Self.date(27))
        #expect(try ActivityReschedule.dueDate("+1t", from: Self.date(25), today: today, language: .vietnamese) == CalendarDate(year: 2026, month: 12, day: 2))
        #expect(try ActivityReschedule.dueDate("3/12/2026", from: Self.date(25), today: today, language: .vietnamese)
                == CalendarDate(year: 2026, month: 12, day: 3))
        for bad in ["+", "+0d", "+x", "+99999", "next week"] {
            #expect(throws: PipelineError.self) { try ActivityReschedule.dueDate(bad, from: today, today: today, language: .english) }
        }
    }

    @Test func enterInView4GoesToTheDealsCard() throws {
        let board = try BoardHarness(seed: Self.seed)
        board.press(.character("4"), .down, .enter)
        #expect(board.state.view == .pipeline)
        let globex = try board.card("Globex expansion")
        #expect(board.state.focus == .card(try #require(globex.stage), globex.id))
    }

    @Test func aOnACardAddsAnActivityValidatedByTheCore() throws {
        let board = try BoardHarness(seed: Self.seed)
        let focused = try #require(board.state.focusedCard)
        board.press(.character("a"))
        guard case .activityEditor = board.state.mode else { Issue.record("no form"); return }
        #expect(board.screen.contains("New activity for \(focused.title)"))
        // Without a summary: said beside it, nothing written.
        board.press(.enter)
        guard case .activityEditor(let editor) = board.state.mode else { Issue.record("form closed"); return }
        #expect(editor.form.fields[editor.form.focused].id == ActivityEditor.summary)
        #expect(editor.form.fields[editor.form.focused].error != nil)
        #expect(try board.database.activities(of: focused.id).count == 1)
        board.press(.backTab, .character(" "))  // the next type
        board.press(.tab)
        board.type("Lunch")
        board.press(.tab, .control("u"))
        board.type("2026-11-19")
        board.press(.enter)
        let added = try #require(try board.database.activities(of: focused.id).first { $0.summary == "Lunch" })
        #expect(added.type == (try board.database.activityTypes())[1].id)
        #expect(added.due == Self.date(19))
        #expect(added.assignedTo == focused.salesperson)
        // u removes it again.
        board.press(.character("u"))
        #expect(try board.database.activities(of: focused.id).allSatisfy { $0.summary != "Lunch" })
    }

    @Test func aSalespersonCannotPlanOnAColleaguesDeal() throws {
        let board = try BoardHarness(seed: Self.seed, access: { board in
            Access(login: "Minh", role: .salesperson, teams: [try board.database.currentTeam().id])
        })
        // Focus starts on Acme renewal, Lan's deal.
        board.press(.character("a"))
        if case .activityEditor = board.state.mode { Issue.record("the form opened") }
        #expect(board.state.status?.kind == .error)
    }
}

@Suite("Board: my pipeline, the filter's @name and rotting words, the headers' counts")
struct BoardMinePipelineTests {
    /// The standard pipeline, with Lan's Acme renewal overdue and New rotting after 2 days.
    static func seed(_ board: BoardHarness) throws {
        try BoardActivityTests.seed(board)
        let new = try board.stage("New")
        _ = try board.database.editStage(new.id, StageEdit(rottingDays: .some(2)), context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }

    /// The stage editor (`e`) sets "rotting after N days", as `stage edit --rotting-days`
    /// does: a number, or empty / off for never; anything else is said beside the field.
    @Test func theStageEditorSetsTheRottingDays() throws {
        let board = try BoardHarness(seed: Self.seed)
        let new = try board.stage("New")
        for _ in 0..<12 where board.state.focus?.card != nil { board.press(.up) }
        #expect(board.state.focusedStage?.id == new.id)
        board.press(.character("e"), .backTab)  // the last field: rotting days
        guard case .stageEditor(let opened) = board.state.mode else { Issue.record("no stage editor"); return }
        #expect(opened.form.fields[opened.form.focused].id == "stageEditor.rotting")
        #expect(opened.form.value("stageEditor.rotting") == "2")
        board.press(.control("u"))
        board.type("soon")
        board.press(.enter)
        guard case .stageEditor(let refused) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(refused.form.fields[refused.form.focused].error != nil)
        #expect(try board.stage("New").rottingDays == 2)
        board.press(.control("u"))
        board.type("14")
        board.press(.enter)
        #expect(try board.stage("New").rottingDays == 14)
        board.press(.character("e"), .backTab, .control("u"))
        board.type("off")
        board.press(.enter)
        #expect(try board.stage("New").rottingDays == nil)
    }

    @Test func theHeaderCountsOverdueAndRottingDeals() throws {
        let board = try BoardHarness(seed: Self.seed)
        let new = try board.stage("New")
        // Acme's call is overdue; Globex (9 days in New, its meeting today) does not rot; Acme
        // (3 days, nothing planned from today on) does.
        #expect(board.state.overdueCounts[new.id] == 1)
        #expect(board.state.rottingCounts[new.id] == 1)
        let header = board.grid.lines[1...3].joined(separator: "\n")
        #expect(header.contains("!1 ▼1"), "\(board.screen)")
        let acme = try #require(board.grid.lines.first { $0.contains("Acme Corp") })
        #expect(acme.contains("▼ !"))
    }

    /// Found by a trial: a stage raised to 80 % made its weighted sum a character too wide, and
    /// the header's `!2 ▼1` vanished from both lines while the cards still carried the marks.
    /// Tight first, then on the rule under the header: never gone.
    @Test func theHeaderKeepsItsCountsWhenItsSumsAreWide() throws {
        let fits = { (text: String) in DisplayWidth.of(text) <= 17 }
        var lines = BoardRenderer.HeaderLines()
        lines.second = .init(left: "2 · $166,000.00")
        lines.third = .init(left: "≈$132,800.00")
        BoardRenderer.placeCounts("!2 ▼1", in: &lines, fits: fits)
        #expect(lines.third.right == "!2▼1" && lines.ruleCounts == nil)
        var full = BoardRenderer.HeaderLines()
        full.second = .init(left: "2 · $1,166,000.00")
        full.third = .init(left: "≈$1,132,800.00")
        BoardRenderer.placeCounts("!2 ▼1", in: &full, fits: fits)
        #expect(full.second.right.isEmpty && full.third.right.isEmpty && full.ruleCounts == "!2 ▼1")
        // On the board: New's sums fill both lines at 80 columns, and its counts are on its rule.
        let board = try BoardHarness(size: Size(columns: 80, rows: 24), seed: { board in
            try Self.seed(board)
            try board.add("Huge", customer: "Big Co", revenue: "99,999,999", stage: "New", salesperson: "Lan")
        })
        let new = try board.stage("New")
        #expect(board.state.overdueCounts[new.id] == 1 && board.state.rottingCounts[new.id] == 1)
        let header = board.grid.lines[1...BoardLayout.headerRule].joined(separator: "\n")
        #expect(header.contains("$100,") && (header.contains("!1 ▼1") || header.contains("!1▼1")), "\(board.screen)")
    }

    @Test func mShowsMyDealsAloneWithTheirSumsAndSaysSo() throws {
        let board = try BoardHarness(seed: { board in
            try Self.seed(board)
            try board.add("Tester's own", customer: "Mine Ltd", revenue: "7,000", stage: "New", salesperson: "tester")
        })
        let everyone = BoardRenderer.totals(board.state)[0]
        board.press(.character("m"))
        #expect(board.state.mine)
        #expect(board.grid.lines[0].contains("My pipeline (tester)"))
        #expect(board.screen.contains("Tester's own"))
        #expect(!board.screen.contains("Acme renewal"))
        let mine = BoardRenderer.totals(board.state)[0]
        #expect(mine != everyone)
        #expect(mine.contains("$7,000.00"), "\(mine)")
        board.press(.character("m"))
        #expect(!board.state.mine)
        #expect(board.screen.contains("Acme renewal"))
        #expect(BoardRenderer.totals(board.state)[0] == everyone)
    }

    @Test func theFiltersAtNameAndRottingWords() throws {
        let parsed = BoardFilter("acme @Lan rotting")
        #expect(parsed.text == "acme" && parsed.salesperson == "Lan" && parsed.rotting)
        let board = try BoardHarness(seed: Self.seed)
        let new = try board.stage("New").id
        func shown() -> Set<String> { Set(board.state.columns.values.flatMap { $0.cards.map(\.title) }) }
        board.press(.character("/"))
        board.type("@Minh")
        board.press(.enter)
        #expect(shown() == ["Globex expansion", "Stark tower"])
        board.press(.escape, .character("/"))
        board.type("rotting")
        board.press(.enter)
        #expect(shown() == ["Acme renewal"])
        #expect(board.state.columns[new]?.cards.map(\.title) == ["Acme renewal"])
    }
}
