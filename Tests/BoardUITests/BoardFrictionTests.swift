import Testing
@testable import BoardUI
@testable import PipelineCore
@testable import PipelineStore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// What a salesperson named as friction in issue 10, each with a test of its own.
@Suite("Board: frictions a salesperson named")
struct BoardFrictionTests {
    // MARK: The settings pane

    @Test func theSettingsPaneSavesAsTheCLIDoesAndTheBoardFollowsAtOnce() throws {
        let board = try BoardHarness()
        #expect(!board.grid.lines[0].contains("Leads"))
        board.press(.character("S"))
        guard case .settings = board.state.mode else { Issue.record("no settings pane"); return }
        board.press(.character(" "))  // leads on
        board.press(.tab, .right)  // first stage on the left
        board.press(.tab, .right)  // Tiếng Việt
        board.press(.tab, .control("u"))
        board.type("eur")
        board.press(.enter)
        guard case .browsing = board.state.mode else { Issue.record("the pane stayed open"); return }
        #expect(try board.database.setting(.leads) == "on")
        #expect(try board.database.setting(.direction) == "ltr")
        #expect(try board.database.setting(.language) == "vi")
        #expect(try board.database.defaultCurrency() == CurrencyCode(parsing: "EUR"))
        // At once: the Leads view's tab, the direction, the language, the currency of the sums.
        #expect(board.grid.lines[0].contains("2 Tiềm năng"), "\(board.grid.lines[0])")
        #expect(board.state.direction == .leftToRight && board.grid.lines[1].hasPrefix("  New"))
        #expect(board.grid.lines.last?.contains("€") == true || board.grid.lines.last?.contains("EUR") == true, "\(board.grid.lines.last ?? "")")
        board.press(.character("2"))
        #expect(board.state.view == .leads)
        // Off again: the Leads view goes at once.
        board.press(.character("S"), .character(" "), .enter)
        #expect(try board.database.setting(.leads) == "off")
        #expect(board.state.view == .pipeline && !board.grid.lines[0].contains("Tiềm năng"))
    }

    /// Two salespeople on one file: the team the board's picker switches to and the language
    /// and direction its settings pane saves are its user's own — a colleague's board opens
    /// as it did, and the pipeline's own values are untouched — while the currency and the
    /// Leads step are everyone's.
    @Test func theTeamPickerAndTheSettingsPaneChangeOnlyTheirUsersOwn() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            _ = try board.database.addTeam(named: "Xuất khẩu", context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        let minh = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english,
                                        now: BoardHarness.now, busyTimeout: 5, user: "minh")
        board.press(.character("t"))
        board.type("xuat")
        board.press(.enter)
        board.press(.character("S"), .character(" "), .tab, .right, .tab, .right, .tab, .control("u"))  // leads, ltr, vi
        board.type("eur")
        board.press(.enter)
        #expect(try board.database.currentTeam().name == "Xuất khẩu")
        #expect(try board.database.setting(.language) == "vi" && board.database.setting(.direction) == "ltr")
        for other in [minh, minh.forEveryone()] {
            #expect(try other.currentTeam().name == "Sales")
            #expect(try other.setting(.language) == nil && other.setting(.direction) == "rtl")
            #expect(try other.setting(.leads) == "on" && other.defaultCurrency() == CurrencyCode(parsing: "EUR"))
        }
        // Minh's board, opened now, is his: his team, and no Vietnamese.
        let minhsBoard = try BoardSession(repository: minh, terminal: ScriptedTerminal(size: Size(columns: 120, rows: 30)), team: nil,
                                          direction: .rightToLeft, language: .english, user: "minh", clock: { BoardHarness.now })
        #expect(minhsBoard.state.team.name == "Sales")
        #expect(BoardRenderer.render(minhsBoard.state).text.contains("Acme renewal"))
    }

    @Test func aWrongCurrencyIsRefusedBesideItsFieldAndNothingIsSaved() throws {
        let board = try BoardHarness()
        board.press(.character("S"), .character(" "), .tab, .tab, .tab, .control("u"))
        board.type("DONG")
        board.press(.enter)
        guard case .settings(let editor) = board.state.mode else { Issue.record("the pane closed"); return }
        #expect(editor.form.fields[3].error?.contains("'DONG' is not an ISO 4217 code") == true)
        #expect(paneText(board.grid).contains("'DONG' is not an ISO 4217 code"))
        #expect(try board.database.setting(.leads) == "off")
        board.press(.escape)
        #expect(try board.database.defaultCurrency() == .usd)
    }

    /// Three letters are not enough: a code ISO 4217 does not list is refused beside its
    /// field in the settings pane and in the card editor, and nothing is saved.
    @Test func aCodeISO4217DoesNotListIsRefusedInThePaneAndTheEditor() throws {
        let board = try BoardHarness()
        board.press(.character("S"), .tab, .tab, .tab, .control("u"))
        board.type("USX")
        board.press(.enter)
        guard case .settings(let editor) = board.state.mode else { Issue.record("the pane closed"); return }
        #expect(editor.form.fields[3].error?.contains("'USX' is not an ISO 4217 code") == true)
        board.press(.escape)
        #expect(try board.database.defaultCurrency() == .usd)
        let before = try board.card("Acme renewal")
        board.press(.enter)  // the focused card: Acme renewal
        guard case .cardEditor = board.state.mode else { Issue.record("no card editor"); return }
        for _ in 0..<6 { board.press(.tab) }
        board.press(.control("u"))
        board.type("ABC")
        board.press(.enter)
        guard case .cardEditor(let card) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(card.form.fields[6].error?.contains("'ABC' is not an ISO 4217 code") == true, "\(card.form.fields[6].error ?? "")")
        board.press(.escape)
        #expect(try board.card("Acme renewal") == before)
    }

    /// A default currency stored before codes were checked does not stop the pane from
    /// saving the other settings.
    @Test func aStoredUnknownDefaultCurrencyDoesNotBlockTheOtherSettings() throws {
        let board = try BoardHarness(seed: { harness in
            try BoardHarness.standardSeed(harness)
            // Written as an older version would have: below the setting's check.
            try harness.database.inOneTransaction { try $0.storeSetting(.currency, "ZZZ") }
        })
        #expect(board.state.defaultCurrency.code == "ZZZ")
        board.press(.character("S"), .character(" "), .enter)
        guard case .browsing = board.state.mode else { Issue.record("the pane stayed open"); return }
        #expect(try board.database.setting(.leads) == "on")
        #expect(try board.database.defaultCurrency().code == "ZZZ")
    }

    // MARK: A lost deal's reason

    /// Shift-moving a card into a lost stage asks why, as `x` does; Esc leaves it where it
    /// was. The card then says why on its face, and its editor shows the reason, which can be
    /// reworded there.
    @Test func movingACardIntoALostStageAsksWhyAndTheCardAndEditorShowIt() throws {
        let board = try BoardHarness(direction: .leftToRight)
        for _ in 0..<4 { board.press(.right) }
        #expect(board.state.focusedCard?.title == "Wayne deal")
        board.press(.shiftRight)
        guard case .lostReason(let prompt) = board.state.mode else { Issue.record("no reason asked: \(board.state.mode)"); return }
        #expect(prompt.stage == (try board.stage("Lost").id))
        #expect(board.screen.contains("Mark 'Wayne deal' lost"))
        board.press(.escape)
        #expect(try board.card("Wayne deal").stage == (try board.stage("Won").id))
        board.press(.shiftRight)
        board.press(.enter)  // a reason is required
        guard case .lostReason = board.state.mode else { Issue.record("the prompt closed without a reason"); return }
        board.type("Budget cut")
        board.press(.enter)
        let lost = try board.card("Wayne deal")
        #expect(lost.stage == (try board.stage("Lost").id) && lost.lostReason == "Budget cut")
        // Focus stayed in Won (now empty): over to the lost card.
        board.press(.right)
        if board.state.focusedCard == nil { board.press(.down) }
        #expect(board.state.focusedCard?.title == "Wayne deal")
        #expect(board.screen.contains("✗ Budget cut"), "\(board.screen)")
        // Its editor shows the reason under the title, and rewords it.
        board.press(.enter)
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("no card editor"); return }
        #expect(editor.form.fields[1].id == "cardEditor.lostReason" && editor.form.fields[1].text == "Budget cut")
        #expect(board.screen.contains("Lost because") && board.screen.contains("Budget cut"))
        board.press(.tab, .control("u"))
        board.type("Budget frozen")
        board.press(.enter)
        #expect(try board.card("Wayne deal").lostReason == "Budget frozen")
        // Saving keeps the deal's page open: Esc goes back to the board.
        board.press(.escape)
        // An open deal's editor has no such field.
        board.press(.left, .left)
        if board.state.focusedCard == nil { board.press(.down) }
        #expect(board.state.focusedCard?.title == "Stark tower")
        board.press(.enter)
        guard case .cardEditor(let open) = board.state.mode else { Issue.record("no card editor"); return }
        #expect(!open.form.fields.contains { $0.id == "cardEditor.lostReason" })
    }

    /// A card carried and dropped into a lost stage — not the first one — goes there once
    /// the reason is given; undo puts it back open, without a reason.
    @Test func carryingACardIntoALostStageAsksWhyAndGoesToThatStage() throws {
        let board = try BoardHarness(direction: .leftToRight, seed: { harness in
            try BoardHarness.standardSeed(harness)
            _ = try harness.database.addStage(StageDraft(name: "Cancelled", outcome: .lost), in: try harness.database.currentTeam().id, at: nil)
        })
        for _ in 0..<3 { board.press(.right) }
        #expect(board.state.focusedCard?.title == "Stark tower")
        board.press(.character(" "), .right, .right, .right, .enter)
        guard case .lostReason(let prompt) = board.state.mode else { Issue.record("no reason asked: \(board.state.mode)"); return }
        #expect(prompt.stage == (try board.stage("Cancelled").id))
        #expect(try board.card("Stark tower").stage == (try board.stage("Negotiation").id))
        board.type("Project cancelled")
        board.press(.enter)
        let lost = try board.card("Stark tower")
        #expect(lost.stage == (try board.stage("Cancelled").id) && lost.lostReason == "Project cancelled")
        board.press(.character("u"))
        let back = try board.card("Stark tower")
        #expect(back.stage == (try board.stage("Negotiation").id) && back.lostReason == nil)
        // Carried into an open stage, nothing is asked.
        board.press(.character(" "), .left, .enter)
        guard case .browsing = board.state.mode else { Issue.record("asked on an open stage"); return }
        #expect(try board.card("Stark tower").stage == (try board.stage("Proposition").id))
    }

    // MARK: The filter's sums

    @Test func theFilterChangesWhatTheStatusLineSumsAndSaysSo() throws {
        let board = try BoardHarness()
        #expect(board.grid.lines.last?.contains("Open $94,500.50") == true, "\(board.grid.lines.last ?? "")")
        board.press(.character("/"))
        board.type("lan")  // Acme renewal and Initech pilot
        #expect(board.grid.lines.last?.contains("filtered: counting…") == true)
        board.session.catchUp()
        board.press(.enter)
        #expect(board.grid.lines.last?.contains("filtered: 2 deals · $16,500.50 · weighted $1,275.08") == true,
                "\(board.grid.lines.last ?? "")")
        board.press(.escape)
        #expect(board.grid.lines.last?.contains("Open $94,500.50") == true)
    }

    // MARK: Launch focus

    @Test func atLaunchNoTooltipCoversTheNextColumnUntilAHeaderIsFocused() throws {
        // A fresh pipeline: the first-contact column is empty, so its header takes the focus.
        let board = try BoardHarness(size: Size(columns: 80, rows: 24)) { _ in }
        #expect(board.state.focus == .header(try board.stage("New").id))
        #expect(!board.screen.contains("Requirements"), "\(board.screen)")
        board.press(.left, .right)
        #expect(board.screen.contains("Requirements"))
        // With deals, the first card of the first-contact column.
        let seeded = try BoardHarness()
        #expect(seeded.state.focus == .card(try seeded.stage("New").id, try seeded.card("Acme renewal").id))
    }

    // MARK: After w and x

    @Test func afterWinningOrLosingFocusStaysInTheColumnTheDealLeft() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            try board.add("Hooli cloud", stage: "New")
        }
        let new = try board.stage("New").id
        #expect(board.state.focusedCard?.title == "Hooli cloud")
        board.press(.character("w"))
        #expect(try board.card("Hooli cloud").stage == (try board.stage("Won").id))
        #expect(board.state.focus == .card(new, try board.card("Acme renewal").id))
        board.press(.down, .character("x"))  // the last card of the column: the one above takes focus
        board.type("No budget")
        board.press(.enter)
        #expect(try board.card("Globex expansion").lostReason == "No budget")
        #expect(board.state.focus == .card(new, try board.card("Acme renewal").id))
        let layout = BoardLayout.columns(of: board.state)
        #expect(layout.offset == 0 && layout.slots.contains { $0.stage == new }, "the board scrolled sideways")
        board.press(.character("x"))
        board.type("Too expensive")
        board.press(.enter)
        #expect(board.state.focus == .header(new))
    }

    // MARK: The conversion wizard's ticks

    @Test func theWizardTicksOnlyStrongDuplicatesStillInPlay() throws {
        let board = try BoardHarness(seed: GallerySeed.seed)
        board.press(.character("2"))
        for _ in 0..<5 where board.state.leads.selectedLead?.title != "Acme app" { board.press(.down) }
        board.press(.character("c"))
        guard case .convertLead(let wizard) = board.state.mode else { Issue.record("no wizard"); return }
        func ticked(_ title: String) throws -> Bool {
            let duplicate = try #require(wizard.duplicates.first { $0.title == title }, "\(title) is not offered")
            return wizard.form.isOn("convert.merge.\(duplicate.id)")
        }
        #expect(try ticked("Acme website"))  // the same e-mail
        #expect(try ticked("Acme renewal"))  // the same company and contact
        #expect(try !ticked("Initech pilot"))  // only the contact: weaker, listed unticked
        #expect(try !ticked("Acme expansion"))  // lost: never ticked
        board.press(.enter)
        // Merged with the ticked ones only: the weak and the lost duplicates are untouched.
        #expect((try? board.database.lead("Acme website")) == nil)
        #expect(try board.card("Initech pilot").isActive && board.card("Acme expansion").lostReason == "Chose a competitor")
    }

    @Test func withOnlyWeakDuplicatesTheWizardOffersANewOpportunity() throws {
        let board = try BoardHarness(seed: BoardLeadsTests.leadsOn)
        for (title, company, contact) in [("Acme website", "Acme Corporation", "Minh Tran"), ("Acme app", "Acme Corporation", "Ana Smith")] {
            _ = try board.database.addLead(try OpportunityForm(title: title, customer: company, contact: contact)
                .validated(language: .english, currency: .usd), team: board.state.team.id,
                                           context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        board.press(.character("2"), .character("c"))
        guard case .convertLead(let wizard) = board.state.mode else { Issue.record("no wizard"); return }
        #expect(wizard.duplicates.map(\.title) == ["Acme website"])
        #expect(!wizard.form.isOn("convert.merge.\(wizard.duplicates[0].id)"))
        #expect(wizard.form.selectedIndex("convert.action") == 1)  // new opportunity
    }
}
