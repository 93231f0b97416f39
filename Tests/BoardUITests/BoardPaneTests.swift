import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
@testable import PipelineStore
import TerminalCore

/// The rows of the box drawn last (the open pane), as text.
func paneRows(_ grid: Grid) -> [String] {
    guard let box = grid.log.frames.last else { return [] }
    return (box.y..<box.maxY).map { y in
        String((box.x..<box.maxX).filter { x in x < grid.size.columns && !grid[x, y].isContinuation }.map { grid[$0, y].grapheme })
    }
}

/// The pane's text with its rows joined by spaces and its frame and runs of spaces taken out:
/// what a wrapped sentence reads as.
func paneText(_ grid: Grid) -> String {
    paneRows(grid).dropFirst().dropLast().map { $0.trimmingCharacters(in: "│").trimmingCharacters(in: " ") }.joined(separator: " ")
        .split(separator: " ").joined(separator: " ")
}

/// Each defect of issue 10 a salesperson saw on a pane or a header, with a test of its own.
@Suite("Board: panes a salesperson reads")
struct BoardPaneTests {
    /// Every sentence the status line may say — the board's, the domain's refusals, the
    /// stores' — is whole at 80×24 in both languages: one too long for the line wraps above
    /// it between words, never cut with "…", and the view above keeps its column rules.
    @Test(arguments: [Language.english, .vietnamese])
    func everyStatusMessageIsWholeAt80Columns(_ language: Language) throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24))
        let messages = Catalogue.table(language).filter { key, _ in
            ["board.", "error.", "store.", "postgres."].contains { key.hasPrefix($0) }
        }
        var longest = 0
        for (key, template) in messages.sorted(by: { $0.key < $1.key }) {
            let text = template.fillingPlaceholders(with: Array(repeating: "Acme renewal", count: 10))
            for status in [StatusMessage.error(text), .info(text)] {
                var state = board.state
                state.language = language
                state.status = status
                let grid = BoardRenderer.render(state)
                let rows = BoardRenderer.statusHeight(state)
                longest = max(longest, rows)
                let shown = grid.lines.suffix(rows).joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
                let expected = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                // A short one shares its line with the totals.
                #expect(rows == 1 ? shown.hasPrefix(expected) : shown == expected, "\(key): \(grid.lines.suffix(rows))")
                #expect(ScreenRules.violations(grid, state, mayScroll: false).isEmpty, "\(key): \(ScreenRules.violations(grid, state, mayScroll: false))")
            }
        }
        // The catalogue's longest sentences take more than one line: the test saw them wrap.
        #expect(longest >= 3)
    }

    static let small = Size(columns: 80, rows: 24)

    // MARK: 1. The new-deal form

    @Test func theNewDealFormShowsItsFieldsWithTheCursorInTheTitleAndEnterGoesOn() throws {
        let board = try BoardHarness(size: Self.small)
        board.press(.character("n"))
        let rows = paneRows(board.grid)
        let title = try #require(rows.firstIndex { $0.contains("Title") }, "no Title label:\n\(board.screen)")
        let revenue = try #require(rows.firstIndex { $0.contains("Expected revenue") }, "no revenue label:\n\(board.screen)")
        let box = try #require(board.grid.log.frames.last)
        #expect(board.grid.log.cursor?.y == box.y + title)
        board.type("Hooli cloud")
        #expect(paneRows(board.grid)[title].contains("Hooli cloud"))
        board.press(.enter)  // on to the revenue, nothing saved yet
        #expect((try? board.card("Hooli cloud")) == nil)
        #expect(board.grid.log.cursor?.y == box.y + revenue)
        board.type("7,500")
        #expect(paneRows(board.grid)[revenue].contains("7,500"))
        board.press(.enter)
        #expect(try board.card("Hooli cloud").expectedRevenue.minorUnits == 750_000)
        guard case .browsing = board.state.mode else { Issue.record("the form stayed open"); return }
    }

    @Test func escOnTheNewDealFormAsksNothingAndAddsNothing() throws {
        let board = try BoardHarness(size: Self.small)
        let before = try board.database.stageFigures(team: board.state.team.id)
        board.press(.character("n"))
        board.type("Temp")
        board.press(.enter)
        board.type("1,000")
        board.press(.escape)
        guard case .browsing = board.state.mode else { Issue.record("Esc asked something"); return }
        #expect(board.state.status == nil)
        #expect((try? board.card("Temp")) == nil)
        #expect(try board.database.stageFigures(team: board.state.team.id) == before)
    }

    @Test(arguments: [Language.english, .vietnamese])
    func theNewLeadFormShowsEveryFieldWithTheCursorInTheTitle(_ language: Language) throws {
        let board = try BoardHarness(size: Self.small, language: language) { board in try board.database.setSetting(.leads, to: "on") }
        board.press(.character("2"), .character("n"))
        guard case .leadEditor(let editor) = board.state.mode else { Issue.record("no lead form"); return }
        let rows = paneRows(board.grid)
        for field in editor.form.fields {
            #expect(rows.contains { $0.contains(field.label) }, "\(field.label) missing:\n\(board.screen)")
        }
        let box = try #require(board.grid.log.frames.last)
        #expect(board.grid.log.cursor.map { rows[$0.y - box.y].contains(editor.form.fields[0].label) } == true)
    }

    /// The deal's page at 60×14 holds its thirteen fields and a three-row Notes field on
    /// more rows than the screen has: it opens at the top with the title's field, and Tab
    /// to the last field scrolls it into sight, the cursor on the screen.
    @Test func aFormTallerThanTheScreenScrollsToItsFocusedField() throws {
        let board = try BoardHarness(size: Size(columns: 60, rows: 14))
        board.press(.enter)  // the deal's page: the card editor's fields in place
        var lines = board.grid.lines
        #expect(lines.contains { $0.contains("Title") && $0.contains("Acme renewal") })
        #expect(board.grid.log.cursor != nil)
        #expect(lines.contains { $0.contains("▼") } && !lines.contains { $0.contains("▲") })
        for _ in 0..<12 { board.press(.tab) }
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("Tab left the fields"); return }
        #expect(editor.form.fields[editor.form.focused].label == "Notes")
        lines = board.grid.lines
        let cursor = try #require(board.grid.log.cursor)
        #expect(cursor.y >= 2 && cursor.y < board.state.size.rows - 1, "\(board.screen)")
        let notes = try #require(lines.firstIndex { $0.contains("Notes") }, "\(board.screen)")
        #expect(cursor.y == notes)
        #expect(lines.contains { $0.contains("▲") })
        #expect(ScreenRules.violations(board.grid, board.state, mayScroll: true).isEmpty)
    }

    // MARK: 3. New columns where the process puts them

    @Test func aTypedColumnGoesBeforeTheClosedStagesWithTheProbabilityAsked() throws {
        let board = try BoardHarness(size: Self.small)
        board.press(.character("N"))
        board.type("Demo")
        board.press(.enter)
        // The probability is asked for: nothing is added without it.
        guard case .addColumn(let prompt) = board.state.mode else { Issue.record("prompt closed"); return }
        #expect(prompt.form.fields[1].error != nil)
        #expect(try board.database.pipeline(for: board.state.team.id).stages.count == 6)
        board.type("30")
        board.press(.enter)
        let names = try board.database.pipeline(for: board.state.team.id).stages.map(\.name)
        #expect(names == ["New", "Qualified", "Proposition", "Negotiation", "Demo", "Won", "Lost"])
        #expect(try board.stage("Demo").probability == Probability(percent: 30))
    }

    @Test func aSuggestionGoesAfterTheStepBeforeItWithItsProbabilityFilledIn() throws {
        let board = try BoardHarness(size: Self.small) { board in
            try BoardHarness.standardSeed(board)
            _ = try board.database.removeStage(try board.stage("Negotiation").id, movingTo: try board.stage("Proposition").id,
                                               context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        board.press(.character("N"))
        board.type("negotiation")
        guard case .addColumn(let typed) = board.state.mode else { Issue.record("no prompt"); return }
        #expect(typed.form.value("stageEditor.probability") == "75")
        // A probability typed by hand stays when the name changes.
        board.press(.tab, .control("u"))
        board.type("70")
        board.press(.backTab, .character("s"))
        guard case .addColumn(let kept) = board.state.mode else { Issue.record("no prompt"); return }
        #expect(kept.form.value("stageEditor.probability") == "70")
        board.press(.escape, .character("N"), .down)
        guard case .addColumn(let chosen) = board.state.mode else { Issue.record("no prompt"); return }
        #expect(chosen.form.value("stageEditor.name") == "Negotiation" && chosen.form.value("stageEditor.probability") == "75")
        board.press(.enter)
        #expect(try board.database.pipeline(for: board.state.team.id).stages.map(\.name)
            == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
    }

    // MARK: 5. Texts whole

    @Test(arguments: [Language.english, .vietnamese])
    func theKeyBarAt80ColumnsAlwaysShowsHelp(_ language: Language) throws {
        let board = try BoardHarness(size: Self.small, language: language, seed: GallerySeed.seed)
        let help = language == .english ? "? help" : "? trợ giúp"
        #expect(board.grid.lines.last?.contains(help) == true, "\(board.grid.lines.last ?? "")")
        board.press(.character("2"))
        #expect(board.grid.lines.last?.contains(help) == true, "\(board.grid.lines.last ?? "")")
    }

    @Test func columnHeadersKeepTheStageNameAndMarkTheOutcome() throws {
        let board = try BoardHarness(size: Size(columns: 120, rows: 30), language: .vietnamese, seed: GallerySeed.seed)
        let header = board.grid.lines[1]
        #expect(header.contains("Không chốt được ✗"), "\(header)")
        #expect(header.contains("Chốt được cơ hội"), "\(header)")
        #expect(!header.contains("…"))
        #expect(board.grid.lines[3].contains("✓ 100%"), "\(board.grid.lines[3])")
        let english = try BoardHarness(size: Size(columns: 120, rows: 30), seed: GallerySeed.seed)
        #expect(english.grid.lines[1].contains("✗ 0%") && english.grid.lines[1].contains("✓ 100%"))
    }

    @Test(arguments: [Language.english, .vietnamese])
    func everyColumnKeepsItsWeightedSum(_ language: Language) throws {
        let board = try BoardHarness(size: Self.small, language: language, seed: GallerySeed.seed)
        let grid = board.grid
        let slots = BoardLayout.columns(of: board.state).slots
        #expect(slots.count == 4)
        for slot in slots {
            let third = String((slot.x..<(slot.x + slot.width)).filter { !grid[$0, 3].isContinuation }.map { grid[$0, 3].grapheme })
            #expect(third.contains("≈") && !third.contains("…"), "column at \(slot.x): \(third)")
        }
    }

    @Test func anErrorWrapsBesideItsFieldInsteadOfEndingMidWord() throws {
        let board = try BoardHarness(size: Self.small)
        board.press(.character("N"))
        board.type("Lost")
        board.press(.enter)
        let text = paneText(board.grid)
        #expect(text.contains("a stage named 'Lost' already exists in a pipeline that would show this one"), "\(text)")
        #expect(!paneRows(board.grid).contains { $0.contains("…") })
    }

    @Test(arguments: [Language.english, .vietnamese])
    func theStagePanesHintIsWhole(_ language: Language) throws {
        let board = try BoardHarness(size: Self.small, language: language) { _ in }
        board.press(.character("e"))
        #expect(paneText(board.grid).hasSuffix(Catalogue.text("overlay.stageEditor.hint", language)), "\(paneText(board.grid))")
    }

    @Test func theVietnameseForecastAndLeadsHeadingsAreWhole() throws {
        let board = try BoardHarness(size: Self.small, language: .vietnamese, seed: GallerySeed.seed)
        board.press(.character("f"))
        for label in ["Quy trình đang mở", "Giai đoạn", "Số cơ hội", "Dự kiến", "Theo xác suất", "Đã chốt", "Chốt tháng trước"] {
            #expect(board.screen.contains(label), "\(label) is cut:\n\(board.screen)")
        }
        board.press(.character("2"))
        let headings = board.grid.lines[2]
        for label in ["Tiêu đề", "Công ty / liên hệ", "Doanh thu", "Số ngày"] {
            #expect(headings.contains(label), "\(label) is cut: \(headings)")
        }
        #expect(!headings.contains("…"))
    }

    // MARK: 6. The requirements tooltip

    @Test(arguments: [(Language.english, ["mass-calling", "campaign;", "interest"]), (.vietnamese, ["chiến", "dịch", "quan", "tâm."])])
    func theRequirementsTooltipWrapsBetweenWords(_ language: Language, _ words: [String]) throws {
        let board = try BoardHarness(size: Self.small, language: language) { _ in }
        board.press(.left, .right)
        let grid = board.grid
        let wrap = try #require(grid.log.wraps.first { $0.text == StageTemplate.steps[0].requirements(in: language) })
        for word in words { #expect(wrap.rows.contains { $0.split(separator: " ").contains(Substring(word)) }, "\(word): \(wrap.rows)") }
        #expect(ScreenRules.wraps(grid).isEmpty, "\(ScreenRules.wraps(grid))")
        for row in wrap.rows { #expect(board.screen.contains(row)) }
    }

    // MARK: 7. Other currencies counted as deals

    @Test func aColumnWithADealInAnotherCurrencySaysSoAsADeal() throws {
        let board = try BoardHarness(size: Self.small, seed: GallerySeed.seed)
        let screen = board.screen
        #expect(screen.contains("+1 VND deal"), "\(screen)")
        #expect(screen.matches(of: /\+\d+ VND(?! deal)/).isEmpty, "a bare '+1 VND' reads like an amount:\n\(screen)")
        let vietnamese = try BoardHarness(size: Self.small, language: .vietnamese, seed: GallerySeed.seed)
        #expect(vietnamese.screen.contains("+1 cơ hội USD"))
        #expect(vietnamese.screen.matches(of: /\+\d+ USD/).isEmpty, "\(vietnamese.screen)")
    }

    // MARK: 8. Undo and redo say what they did

    @Test func undoAndRedoSayWhatCameBack() throws {
        let board = try BoardHarness()
        board.press(.character("x"))
        board.type("No budget")
        board.press(.enter)
        board.press(.character("u"))
        #expect(board.state.status?.text == "Undone: 'Acme renewal' is open again in New (5%)")
        board.press(.control("r"))
        #expect(board.state.status?.text == "Redone: 'Acme renewal' is lost again: No budget")
        board.press(.character("u"))
        board.press(.character("w"))
        board.press(.character("u"))
        #expect(board.state.status?.text == "Undone: 'Acme renewal' is open again in New (5%)")
        board.press(.control("r"))
        #expect(board.state.status?.text == "Redone: 'Acme renewal' is won again")
        board.press(.character("u"))
        board.press(.shiftLeft, .character("u"))
        #expect(board.state.status?.text == "Undone: 'Acme renewal' is back in New (5%)")
        board.press(.enter, .end)
        board.type(" 2027")
        // Saving keeps the deal's page open; Esc goes back to the board, where u undoes.
        board.press(.enter, .escape, .character("u"))
        #expect(board.state.status?.text == "Undone: 'Acme renewal' has its title again")
        board.press(.up, .character("e"), .tab, .control("u"))
        board.type("9")
        board.press(.enter, .character("u"))
        #expect(board.state.status?.text == "Undone: stage New has its probability 5% again")
        board.press(.control("r"))
        #expect(board.state.status?.text == "Redone: stage New has its probability 9% again")
    }

    @Test func undoingALeadsLossSaysItIsOpenAgain() throws {
        let board = try BoardHarness(seed: BoardLeadsTests.leadsOn)
        _ = try board.database.addLead(try OpportunityForm(title: "Acme website").validated(language: .english, currency: .usd),
                                       team: board.state.team.id, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        board.press(.character("2"), .character("x"))
        board.type("No budget")
        board.press(.enter, .character("u"))
        #expect(board.state.status?.text == "Undone: lead 'Acme website' is open again")
        board.press(.control("r"))
        #expect(board.state.status?.text == "Redone: lead 'Acme website' is lost again: No budget")
    }

    // MARK: 9. The lost reason

    @Test(arguments: [Language.english, .vietnamese])
    func anEmptyLostReasonIsAskedForBesideTheFieldOfAPromptNamingTheDeal(_ language: Language) throws {
        let board = try BoardHarness(size: Self.small, language: language) { board in
            try board.add("Stark tower", revenue: language == .english ? "50,000" : "50.000", stage: language == .english ? "New" : "Mới")
        }
        board.press(.character("x"))
        let title = Catalogue.text("overlay.lost.title", language, ["Stark tower"])
        #expect(paneRows(board.grid).first?.contains(title) == true, "\(paneRows(board.grid).first ?? "")")
        board.press(.enter)
        guard case .lostReason(let prompt) = board.state.mode else { Issue.record("the prompt closed"); return }
        #expect(prompt.form.fields[0].error == Catalogue.text("overlay.lost.required", language))
        #expect(paneText(board.grid).contains(Catalogue.text("overlay.lost.required", language)))
        #expect(try board.card("Stark tower").lostReason == nil)
    }

    // MARK: 10. The amount error's example

    @Test func theAmountErrorOnTheFormGivesAnExampleTheCurrencyTakes() throws {
        let board = try BoardHarness(size: Self.small, language: .vietnamese) { _ in }
        board.press(.character("n"))
        board.type("Hợp đồng")
        board.press(.enter)
        board.type("1,5 tỷ")
        board.press(.enter)
        let text = paneText(board.grid)
        #expect(text.contains("viết 1.500.000 ("), "\(text)")
        #expect(!text.contains("1.500.000,50"))
    }
}
