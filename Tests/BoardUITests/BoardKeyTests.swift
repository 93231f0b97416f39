import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// Key scripts on a real database: the keys a salesperson presses, then what the board
/// shows and what was saved.
@Suite("Board keys")
struct BoardKeyTests {
    @Test func focusStartsOnTheEntryStageAndMovesOnScreen() throws {
        let board = try BoardHarness()
        #expect(board.state.focus == .card(try board.stage("New").id, try board.card("Acme renewal").id))
        // Right to left: the stage on the left of New is Qualified.
        board.press(.left)
        #expect(board.state.focus == .card(try board.stage("Qualified").id, try board.card("Initech pilot").id))
        board.press(.character("h"))
        #expect(board.state.focus?.stage == (try board.stage("Proposition").id))
        board.press(.right, .character("l"))
        #expect(board.state.focus?.stage == (try board.stage("New").id))
        board.press(.right)  // nothing further right
        #expect(board.state.focus?.stage == (try board.stage("New").id))
        let ltr = try BoardHarness(direction: .leftToRight)
        ltr.press(.right)
        #expect(ltr.state.focus?.stage == (try ltr.stage("Qualified").id))
    }

    @Test func upFromTheFirstCardFocusesTheHeaderAndDownComesBack() throws {
        let board = try BoardHarness()
        board.press(.down)
        #expect(board.state.focus?.card == (try board.card("Globex expansion").id))
        board.press(.character("k"), .up)
        #expect(board.state.focus == .header(try board.stage("New").id))
        board.press(.character("j"))
        #expect(board.state.focus?.card == (try board.card("Acme renewal").id))
    }

    @Test func longColumnsScrollAndPage() throws {
        let board = try BoardHarness { board in
            for index in 0..<30 { try board.add("Deal \(index)", stage: "New") }
        }
        let capacity = BoardLayout.cardCapacity(board.state.size)
        #expect(board.state.columns[try board.stage("New").id]?.cards.count == capacity)
        #expect(board.screen.contains("▼ more"))
        board.press(.end)
        #expect(board.state.focus?.card == (try board.card("Deal 0").id))
        board.press(.character("g"))
        #expect(board.state.focus?.card == (try board.card("Deal 29").id))
        for _ in 0..<capacity { board.press(.down) }
        // One past the window: the column scrolled by one card.
        #expect(board.state.focus?.card == (try board.card("Deal \(29 - capacity)").id))
        #expect(board.screen.contains("▲ more"))
        board.press(.pageDown)
        #expect(board.state.columns[try board.stage("New").id]?.cards.first?.title == "Deal \(28 - capacity)")
        board.press(.pageUp, .home)
        #expect(board.state.focus?.card == (try board.card("Deal 29").id))
        board.press(.character("G"))
        #expect(board.state.focus?.card == (try board.card("Deal 0").id))
    }

    @Test func spaceArrowEnterMovesACardWithTheStageRule() throws {
        let board = try BoardHarness()
        let acme = try board.card("Acme renewal")
        board.press(.character(" "), .left, .left, .down)
        // Live preview: drawn in Proposition, below Umbrella, not yet saved.
        #expect(board.screen.split(separator: "\n").contains { $0.contains("Umbrella audit") })
        #expect(try board.card("Acme renewal").stage == (try board.stage("New").id))
        board.press(.enter)
        let moved = try board.card("Acme renewal")
        #expect(moved.stage == (try board.stage("Proposition").id))
        #expect(moved.probability == Probability(percent: 50))
        #expect(board.state.focus == .card(try board.stage("Proposition").id, acme.id))
        let column = board.state.columns[try board.stage("Proposition").id]?.cards.map(\.title)
        #expect(column == ["Umbrella audit", "Acme renewal"])
        // Header sums follow in the same frame.
        #expect(board.grid.lines[2].contains("2 · $32,000.00"))
    }

    @Test func escPutsACarriedCardBackUnchanged() throws {
        let board = try BoardHarness()
        let before = try board.card("Acme renewal")
        board.press(.character(" "), .left, .left, .escape)
        guard case .browsing = board.state.mode else { Issue.record("still carrying"); return }
        #expect(try board.card("Acme renewal") == before)
        #expect(board.state.focus == .card(try board.stage("New").id, before.id))
    }

    @Test func shiftArrowsAndLettersMoveCardsOneStep() throws {
        let board = try BoardHarness()
        board.press(.shiftLeft)
        #expect(try board.card("Acme renewal").stage == (try board.stage("Qualified").id))
        #expect(try board.card("Acme renewal").probability == Probability(percent: 15))
        board.press(.character("H"))
        #expect(try board.card("Acme renewal").stage == (try board.stage("Proposition").id))
        board.press(.shiftRight, .character("L"))
        #expect(try board.card("Acme renewal").stage == (try board.stage("New").id))
        // Within a column: Shift+↓ / J and Shift+↑ / K.
        board.press(.shiftDown)
        #expect(board.state.columns[try board.stage("New").id]?.cards.map(\.title) == ["Globex expansion", "Acme renewal"])
        board.press(.character("K"))
        #expect(board.state.columns[try board.stage("New").id]?.cards.map(\.title) == ["Acme renewal", "Globex expansion"])
        board.press(.character("J"))
        #expect(board.state.columns[try board.stage("New").id]?.cards.map(\.title) == ["Globex expansion", "Acme renewal"])
        #expect(board.state.focus?.card == (try board.card("Acme renewal").id))
    }

    @Test func angleBracketsReorderColumnsOnScreen() throws {
        let board = try BoardHarness()
        board.press(.up)  // New's header
        board.press(.character("<"))
        // Right to left: one place left on screen is one place later in the pipeline.
        #expect(try board.database.pipeline(for: board.state.team.id).stages.map(\.name).prefix(2) == ["Qualified", "New"])
        board.press(.character(">"))
        #expect(try board.database.pipeline(for: board.state.team.id).stages.first?.name == "New")
    }

    @Test func spaceOnAHeaderCarriesTheColumn() throws {
        let board = try BoardHarness()
        board.press(.up, .character(" "), .left, .left)
        guard case .carryingColumn = board.state.mode else { Issue.record("not carrying a column"); return }
        #expect(board.grid.lines[1].contains("New"))
        #expect(try board.database.pipeline(for: board.state.team.id).stages.first?.name == "New")  // not saved yet
        board.press(.character(" "))
        #expect(try board.database.pipeline(for: board.state.team.id).stages.map(\.name) == ["Qualified", "Proposition", "New", "Negotiation", "Won", "Lost"])
        board.press(.character(" "), .right, .escape)
        #expect(try board.database.pipeline(for: board.state.team.id).stages.map(\.name)[2] == "New")
    }

    @Test func theStageEditorSavesAndItsProbabilityReachesTheCards() throws {
        let board = try BoardHarness()
        board.press(.up, .enter)  // Enter on a header opens the stage editor
        guard case .stageEditor = board.state.mode else { Issue.record("no editor"); return }
        board.press(.tab, .control("u"))
        board.type("12.5")
        board.press(.tab)
        board.type(" Call back.")
        board.press(.enter)  // a new line in Requirements
        board.type("Then qualify.")
        board.press(.control("s"))
        let new = try board.stage("New")
        #expect(new.probability == Probability(basisPoints: 1_250))
        #expect(new.requirements.hasSuffix("yet. Call back.\nThen qualify."))
        #expect(try board.card("Acme renewal").probability == Probability(basisPoints: 1_250))
        guard case .browsing = board.state.mode else { Issue.record("editor still open"); return }
        #expect(board.grid.lines[1].contains("12.5%"))
    }

    @Test(arguments: [
        ([Key.tab, .control("u")], "abc", "is not a percentage"),
        ([.tab, .control("u")], "150", "is not a percentage"),
        ([.tab, .control("u")], "-1", "is not a percentage"),
        ([.control("u")], "", "must not be empty"),
        ([.control("u")], "qualified", "stage named 'qualified'"),
    ])
    func invalidStageValuesShowInThePaneAndSaveNothing(_ keys: [Key], _ text: String, _ message: String) throws {
        let board = try BoardHarness()
        let before = try board.stage("New")
        board.press(.character("e"))
        for key in keys { board.press(key) }
        board.type(text)
        board.press(.enter)
        guard case .stageEditor(let editor) = board.state.mode else { Issue.record("pane closed"); return }
        #expect(editor.form.fields.contains { $0.error?.contains(message) == true })
        #expect(board.screen.contains(message))
        #expect(try board.stage("New") == before)
        board.press(.escape)
        guard case .browsing = board.state.mode else { Issue.record("Esc did not close"); return }
        #expect(try board.stage("New") == before)
    }

    @Test func enterOnACardEditsIt() throws {
        let board = try BoardHarness()
        board.press(.enter)
        guard case .cardEditor = board.state.mode else { Issue.record("no card editor"); return }
        board.press(.end)
        board.type(" 2027")
        for _ in 0..<5 { board.press(.tab) }
        board.press(.control("u"))
        board.type("13,000")
        board.press(.enter)
        let acme = try board.card("Acme renewal 2027")
        #expect(acme.expectedRevenue.minorUnits == 1_300_000)
        #expect(acme.customer.name == "Acme Corp")  // untouched fields stay
        #expect(!acme.probabilitySetByHand)
    }

    @Test func invalidCardValuesStayInThePane() throws {
        let board = try BoardHarness()
        board.press(.enter)
        for _ in 0..<3 { board.press(.tab) }  // E-mail
        board.type("not an address")
        board.press(.enter)
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("pane closed"); return }
        #expect(editor.form.fields[3].error != nil)
        #expect(try board.card("Acme renewal").customer.email.isEmpty)
    }

    @Test func addingColumnsSuggestsTheRestOfTheProcessAndStaysOpen() throws {
        let board = try BoardHarness()
        board.press(.up, .character("D"), .enter)  // remove Lost? no: New's header; New holds cards → moves them
        // Delete asked where New's cards go; Enter took the first choice.
        #expect(try board.database.pipeline(for: board.state.team.id).stages.map(\.name) == ["Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(try board.card("Acme renewal").stage == (try board.stage("Qualified").id))
        board.press(.character("N"))
        guard case .addColumn(let prompt) = board.state.mode else { Issue.record("no prompt"); return }
        #expect(prompt.suggestions.map(\.english) == ["New"])
        #expect(board.screen.contains("Suggested to complete the process"))
        board.press(.down, .enter)
        #expect(try board.stage("New").probability == Probability(percent: 5))
        // The guide's first step goes first again.
        #expect(try board.database.pipeline(for: board.state.team.id).stages.first?.name == "New")
        guard case .addColumn(let after) = board.state.mode else { Issue.record("prompt closed"); return }
        #expect(after.name.isEmpty && after.added == 1)
        board.type("Demo")
        board.press(.tab)
        board.type("30")
        board.press(.enter)
        // Seven columns now: the hint shows.
        #expect(board.state.status?.text.contains("more than 6 columns") == true)
        board.type("demo")
        board.press(.tab)
        board.type("30")
        board.press(.enter)
        #expect(board.screen.contains("stage named 'demo'"))
        board.press(.escape)
        guard case .browsing = board.state.mode else { Issue.record("Esc did not close"); return }
        #expect(try board.database.pipeline(for: board.state.team.id).stages.count == 7)
    }

    @Test func deletingAColumnAsksWhereItsCardsGo() throws {
        let board = try BoardHarness()
        board.press(.left, .up, .character("D"))
        guard case .deleteColumn(let prompt) = board.state.mode else { Issue.record("no prompt"); return }
        #expect(prompt.cardCount == 1)
        #expect(board.screen.contains("Delete the stage Qualified?"))
        board.press(.escape)
        #expect(try board.database.pipeline(for: board.state.team.id).stages.count == 6)
        board.press(.character("D"), .down, .down, .enter)
        #expect(try board.card("Initech pilot").stage == (try board.stage(prompt.destinations[prompt.selected + 2].name).id))
    }

    /// The cards of a deleted column go, unless the user picks another stage, to its
    /// neighbour in the process (the next stage, else the previous), never to the first
    /// stage as such, nor from an open stage to a won or lost one.
    @Test func deletingAColumnOffersItsNeighbourInTheProcess() throws {
        let board = try BoardHarness(direction: .leftToRight)
        let names = ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"]
        func offered(deleting name: String) throws -> String? {
            board.press(.escape)
            for _ in names { board.press(.left) }
            for _ in 0..<(names.firstIndex(of: name) ?? 0) { board.press(.right) }
            board.press(.up, .up, .character("D"))
            guard case .deleteColumn(let prompt) = board.state.mode, prompt.stage.name == name else { return nil }
            return prompt.destinations[prompt.selected].name
        }
        #expect(try offered(deleting: "New") == "Qualified")
        #expect(try offered(deleting: "Qualified") == "Proposition")
        #expect(try offered(deleting: "Proposition") == "Negotiation")
        // Won and Lost follow Negotiation: its open neighbour before it takes its deals.
        #expect(try offered(deleting: "Negotiation") == "Proposition")
        #expect(try offered(deleting: "Won") == "Negotiation")
        #expect(try offered(deleting: "Lost") == "Negotiation")
        // Enter takes the neighbour: Qualified's deal goes to Proposition.
        _ = try offered(deleting: "Qualified")
        board.press(.enter)
        #expect(try board.card("Initech pilot").stage == (try board.stage("Proposition").id))
    }

    /// Deleting a shared stage deletes it on every team's board: the question says so and
    /// names the teams; a stage of this team alone, or a board with one team, asks plainly.
    @Test func deletingASharedColumnSaysItGoesFromEveryTeam() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            _ = try board.database.addTeam(named: "Export", context: ChangeContext(now: BoardHarness.now, user: "colleague"))
        }
        board.press(.left, .up, .character("D"))
        guard case .deleteColumn(let prompt) = board.state.mode else { Issue.record("no prompt"); return }
        // The question wraps between words over two rows of the box.
        #expect(prompt.stage.name == "Qualified")
        #expect(board.screen.contains("Delete the stage Qualified from every team that shares") && board.screen.contains("it (Sales, Export)? Their deals in it move too."),
                "\(board.screen)")
        board.press(.escape)
        let single = try BoardHarness()
        single.press(.left, .up, .character("D"))
        #expect(single.screen.contains("Delete the stage Qualified?") && !single.screen.contains("every team"), "\(single.screen)")
    }

    /// A shared stage holds deals of several teams, archived ones too: deleting its column
    /// moves them all, and undo puts back exactly what moved, whichever pipeline it was in.
    @Test func undoingAColumnDeletionRestoresEveryTeamsCards() throws {
        let board = try BoardHarness()
        let context = ChangeContext(now: BoardHarness.now, user: "colleague")
        let export = try board.database.addTeam(named: "Export", context: context)
        let qualified = try board.stage("Qualified")
        let exportDeal = try board.database.addOpportunity(
            try OpportunityForm(title: "Export deal", expectedRevenue: "3,000").validated(language: .english, currency: .usd),
            team: export.id, stage: qualified.id, context: context)
        let archived = try board.add("Archived deal", stage: "Qualified")
        _ = try board.database.archive(archived.id, context: context)
        board.press(.left, .up, .character("D"))
        guard case .deleteColumn(let prompt) = board.state.mode else { Issue.record("no prompt"); return }
        board.press(.down, .enter)
        let destination = try board.stage(prompt.destinations[prompt.selected + 1].name)
        #expect(try board.card("Export deal").stage == destination.id)
        #expect(try board.card("Initech pilot").stage == destination.id)
        board.press(.character("u"))
        #expect(board.state.status?.kind != .error, "\(board.state.status?.text ?? "")")
        let recreated = try board.stage("Qualified")
        for title in ["Initech pilot", "Export deal", "Archived deal"] {
            #expect(try board.card(title).stage == recreated.id, "\(title)")
        }
        #expect(try board.card("Export deal").team == export.id)
        #expect(try board.card("Archived deal").isActive == false)
        #expect(try board.card("Export deal").version > exportDeal.version)
    }

    @Test func newCardWinAndLose() throws {
        let board = try BoardHarness()
        board.press(.character("n"))
        board.type("Hooli cloud")
        board.press(.enter)
        board.type("7,500")
        board.press(.enter)
        let hooli = try board.card("Hooli cloud")
        #expect(hooli.stage == (try board.stage("New").id) && hooli.expectedRevenue.minorUnits == 750_000)
        #expect(board.state.focus?.card == hooli.id)
        board.press(.character("w"))
        #expect(try board.card("Hooli cloud").stage == (try board.stage("Won").id))
        board.press(.right)  // back to New (rtl: Won is left of everything open)
        let focusedTitle = board.state.focusedCard?.title
        board.press(.character("x"), .enter)
        #expect(board.screen.contains("say why it was lost"))  // a reason is required, said beside its field
        board.type("No budget")
        board.press(.enter)
        if let focusedTitle {
            #expect(try board.card(focusedTitle).lostReason == "No budget")
        }
    }

    /// Carried, Shift-moved or dragged out of the lost column, a deal is open again: its lost
    /// reason goes (undo brings it back with the card's place).
    @Test func aCardMovedOutOfTheLostColumnByAnyMoveIsNoLongerLost() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            for title in ["Carried", "Shifted", "Dragged"] {
                let deal = try board.add(title, stage: "Negotiation")
                _ = try board.database.markLost(deal.id, reason: "Too expensive", context: ChangeContext(now: BoardHarness.now, user: "seed"))
            }
        }
        let lost = try board.stage("Lost").id
        // Right to left: Lost is the leftmost column, Won on its right, then Negotiation.
        board.press(.left, .left, .left, .left, .left)
        let carried = try #require(board.state.focusedCard)
        #expect(board.state.focus?.stage == lost && carried.lostReason == "Too expensive")
        board.press(.character(" "), .right, .right, .enter)
        #expect(try board.database.opportunity(carried.id)?.stage == (try board.stage("Negotiation").id))
        #expect(try board.database.opportunity(carried.id)?.lostReason == nil)
        board.press(.character("u"))
        #expect(try board.database.opportunity(carried.id)?.lostReason == "Too expensive")
        board.press(.control("r"))
        #expect(try board.database.opportunity(carried.id)?.lostReason == nil)

        board.press(.left, .left)
        let shifted = try #require(board.state.focusedCard)
        #expect(board.state.focus?.stage == lost && shifted.lostReason == "Too expensive")
        board.press(.shiftRight)  // into Won
        #expect(try board.database.opportunity(shifted.id)?.stage == (try board.stage("Won").id))
        #expect(try board.database.opportunity(shifted.id)?.lostReason == nil)

        let layout = BoardLayout.columns(of: board.state)
        let lostSlot = try #require(layout.slots.first { $0.stage == lost })
        let proposition = try #require(layout.slots.first { $0.stage == (try? board.stage("Proposition").id) })
        let dragged = try #require(board.state.columns[lost]?.cards.first)
        board.mouse(.press(Point(x: lostSlot.x + 3, y: BoardLayout.cardsTop)))
        board.mouse(.move(Point(x: proposition.x + 3, y: BoardLayout.cardsTop + 6)))
        board.mouse(.release(Point(x: proposition.x + 3, y: BoardLayout.cardsTop + 6)))
        let afterDrag = try #require(try board.database.opportunity(dragged.id))
        #expect(afterDrag.stage == (try board.stage("Proposition").id))
        #expect(afterDrag.lostReason == nil && afterDrag.probability == Probability(percent: 50))
    }

    @Test func undoAndRedoEveryKindOfChangeRestoringFocus() throws {
        let board = try BoardHarness()
        let acme = try board.card("Acme renewal")
        board.press(.shiftLeft)  // move
        board.press(.character("u"))
        #expect(try board.card("Acme renewal").stage == acme.stage)
        #expect(try board.card("Acme renewal").probability == acme.probability)
        #expect(board.state.focus == .card(try board.stage("New").id, acme.id))
        board.press(.control("r"))
        #expect(try board.card("Acme renewal").stage == (try board.stage("Qualified").id))
        #expect(board.state.focus == .card(try board.stage("Qualified").id, acme.id))
        board.press(.character("u"))
        // A new card: undo deletes it, redo brings it back.
        board.press(.character("n"))
        board.type("Temp")
        board.press(.control("s"))
        #expect((try? board.card("Temp")) != nil)
        board.press(.character("u"))
        #expect((try? board.card("Temp")) == nil)
        board.press(.control("r"))
        #expect((try? board.card("Temp")) != nil)
        // A stage edit, a column move, a column add and delete.
        board.press(.up, .character("e"), .tab, .control("u"))
        board.type("9")
        board.press(.enter)
        #expect(try board.stage("New").probability == Probability(percent: 9))
        board.press(.character("u"))
        #expect(try board.stage("New").probability == Probability(percent: 5))
        board.press(.character("<"), .character("u"))
        #expect(try board.database.pipeline(for: board.state.team.id).stages.first?.name == "New")
        board.press(.character("D"), .enter)  // New goes; its cards to its neighbour, Qualified
        #expect((try? board.stage("New")) == nil)
        board.press(.character("u"))
        let back = try board.stage("New")
        #expect(try board.database.pipeline(for: board.state.team.id).rank(of: back.id) == 1)
        #expect(try board.card("Acme renewal").stage == back.id)
        #expect(try board.card("Acme renewal").probability == Probability(percent: 5))
        #expect(board.state.status?.text.hasPrefix("Undone") == true)
    }

    @Test func undoIsRefusedWhenTheRecordChangedSince() throws {
        let board = try BoardHarness()
        board.press(.shiftLeft)
        let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english, now: BoardHarness.now, busyTimeout: 5)
        _ = try colleague.moveOpportunity(try board.card("Acme renewal").id, to: try board.stage("Won").id,
                                          context: ChangeContext(now: BoardHarness.now, user: "colleague"))
        board.press(.character("u"))
        #expect(board.state.status?.kind == .error)
        #expect(board.state.status?.text.contains("changed by someone else") == true)
        #expect(try board.card("Acme renewal").stage == (try board.stage("Won").id))
    }

    @Test func aStaleMoveIsRefusedAndTheFreshDataShown() throws {
        let board = try BoardHarness()
        let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english, now: BoardHarness.now, busyTimeout: 5)
        _ = try colleague.editOpportunity(try board.card("Acme renewal").id, try OpportunityForm(title: "Acme renewal (signed)")
            .validated(language: .english, currency: .usd), context: ChangeContext(now: BoardHarness.now, user: "colleague"))
        board.press(.shiftLeft)
        // The board's words: it shows the record again by itself; nothing to reload.
        #expect(board.state.status?.text.contains("changed by someone else meanwhile, so this was not saved; the board now shows it as it is") == true,
                "\(board.state.status?.text ?? "")")
        #expect(board.state.status?.text.contains("reload") == false)
        #expect(try board.card("Acme renewal (signed)").stage == (try board.stage("New").id))
        #expect(board.screen.contains("Acme renewal (s"))
    }

    /// A colleague changes the deal while its editor is open: the save is refused with a
    /// sentence that says what to do (the editor holds the old version, so saving it again
    /// can only be refused again), what was typed stays in sight, and after Esc the deal
    /// opens again as the colleague left it.
    @Test func anEditorWhoseDealChangedMeanwhileSaysToOpenItAgain() throws {
        let board = try BoardHarness()
        board.press(.enter)
        guard case .cardEditor = board.state.mode else { Issue.record("no editor: \(board.state.mode)"); return }
        board.type(" typed")
        let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english, now: BoardHarness.now, busyTimeout: 5)
        _ = try colleague.editOpportunity(try board.card("Acme renewal").id, try OpportunityForm(title: "Acme renewal (signed)")
            .validated(language: .english, currency: .usd), context: ChangeContext(now: BoardHarness.now, user: "colleague"))
        for _ in 0..<2 {
            board.press(.enter)
            guard case .cardEditor(let editor) = board.state.mode else { Issue.record("the editor closed"); return }
            #expect(editor.form.fields.contains { $0.error?.hasSuffix("was changed by someone else while this form was open, so it was not saved; "
                                                                     + "press Esc, open it again to see the latest version, and make your changes there") == true })
            #expect(board.screen.contains("opportunity 2 was changed by someone else"), "\(board.screen)")
            #expect(board.screen.contains("Acme renewal typed"))
        }
        #expect(try board.card("Acme renewal (signed)").title == "Acme renewal (signed)")
        board.press(.escape)
        board.press(.enter)
        guard case .cardEditor(let reopened) = board.state.mode else { Issue.record("not reopened"); return }
        #expect(reopened.card?.title == "Acme renewal (signed)")
    }

    @Test func theLiveFilterIgnoresCaseAndAccents() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            try board.add("Chất lượng cao", stage: "Qualified")
        }
        board.press(.character("/"))
        board.type("chat luong")
        #expect(board.screen.contains("Chất lượng cao"))
        #expect(!board.screen.contains("Initech pilot"))
        #expect(board.grid.lines[2].contains("counting…"))  // the window first, the counts at the next pause
        board.session.catchUp()
        #expect(board.grid.lines[2].contains("1 of 2 match"))
        board.press(.enter)
        #expect(board.screen.contains("filter: chat luong"))
        board.press(.escape)
        #expect(board.state.filter.isEmpty)
        #expect(board.screen.contains("Initech pilot"))
        board.press(.character("/"))
        board.type("lan")  // the salesperson
        #expect(board.screen.contains("Acme renewal") && !board.screen.contains("Globex expansion"))
        board.press(.escape)
        #expect(board.screen.contains("Globex expansion"))
    }

    @Test func theTeamPickerSwitchesPipelines() throws {
        let board = try BoardHarness { board in
            try BoardHarness.standardSeed(board)
            _ = try board.database.addTeam(named: "Xuất khẩu", context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        board.press(.character("t"))
        board.type("xuat")
        #expect(board.screen.contains("Xuất khẩu"))
        board.press(.enter)
        #expect(board.state.team.name == "Xuất khẩu")
        #expect(try board.database.currentTeam().name == "Xuất khẩu")
        #expect(!board.screen.contains("Acme renewal"))
    }

    @Test func viewsHelpAndQuit() throws {
        let board = try BoardHarness()
        board.press(.character("f"))
        #expect(board.state.view == .forecast)
        #expect(board.screen.contains("Open pipeline"))
        board.press(.tab)
        #expect(board.state.view == .activities)
        board.press(.tab)
        #expect(board.state.view == .pipeline)
        board.press(.character("3"))
        #expect(board.state.view == .forecast)
        board.press(.character("1"), .character("2"))
        #expect(board.state.status?.text.contains("pipeline settings set leads on") == true)
        board.press(.character("?"))
        var pages = board.screen
        for _ in 0..<6 { board.press(.pageDown); pages += board.screen }
        for binding in KeyMap.bindings {
            #expect(pages.contains(binding.label), "\(binding.label) missing from the help")
        }
        board.press(.escape)
        board.terminal.events = [.key(.character("j")), .key(.character("q")), .key(.character("k"))]
        board.session.run()
        #expect(board.terminal.events == [.key(.character("k"))])  // stopped at q
    }

    @Test func theMouseFocusesDragsScrollsAndHovers() throws {
        let board = try BoardHarness()
        let layout = BoardLayout.columns(of: board.state)
        let qualified = try #require(layout.slots.first { $0.stage == (try? board.stage("Qualified").id) })
        let new = try #require(layout.slots.first { $0.stage == (try? board.stage("New").id) })
        board.mouse(.press(Point(x: qualified.x + 3, y: BoardLayout.cardsTop + 1)))
        board.mouse(.release(Point(x: qualified.x + 3, y: BoardLayout.cardsTop + 1)))
        #expect(board.state.focus?.card == (try board.card("Initech pilot").id))
        // Drag Acme from New to Qualified.
        board.mouse(.press(Point(x: new.x + 3, y: BoardLayout.cardsTop)))
        board.mouse(.move(Point(x: qualified.x + 3, y: BoardLayout.cardsTop + 6)))
        guard case .carryingCard = board.state.mode else { Issue.record("no drag preview"); return }
        board.mouse(.release(Point(x: qualified.x + 3, y: BoardLayout.cardsTop + 6)))
        #expect(try board.card("Acme renewal").stage == (try board.stage("Qualified").id))
        #expect(board.state.columns[try board.stage("Qualified").id]?.cards.map(\.title) == ["Initech pilot", "Acme renewal"])
        // Drag New's header onto Qualified's: the columns swap.
        board.mouse(.press(Point(x: new.x + 2, y: 1)))
        board.mouse(.move(Point(x: qualified.x + 2, y: 1)))
        board.mouse(.release(Point(x: qualified.x + 2, y: 1)))
        #expect(try board.database.pipeline(for: board.state.team.id).stages.first?.name == "Qualified")
        // Hovering a header shows its requirements.
        board.press(.down)
        #expect(!board.screen.contains("Requirements"))
        board.mouse(.move(Point(x: 3, y: 1)))
        #expect(board.screen.contains("Requirements"))
        board.mouse(.move(Point(x: 3, y: 20)))
        #expect(!board.screen.contains("Requirements"))
    }

    @Test func theWheelScrollsTheColumnUnderThePointer() throws {
        let board = try BoardHarness { board in
            for index in 0..<20 { try board.add("Deal \(index)", stage: "Qualified") }
        }
        let slot = try #require(BoardLayout.columns(of: board.state).slots.first { $0.stage == (try? board.stage("Qualified").id) })
        board.mouse(.wheelDown(Point(x: slot.x + 2, y: 10)))
        #expect(board.state.columns[try board.stage("Qualified").id]?.cards.first?.title == "Deal 18")
        board.mouse(.wheelUp(Point(x: slot.x + 2, y: 10)))
        #expect(board.state.columns[try board.stage("Qualified").id]?.cards.first?.title == "Deal 19")
    }

    /// Found by `make torture`'s fuzzing: a resize read the carried card's own column again,
    /// with room for fewer cards, and Esc focused a card the column no longer showed.
    @Test func escPutsTheCardBackInSightAfterItsColumnWasReadAgain() throws {
        let board = try BoardHarness { board in
            for index in 0..<20 { try board.add("Deal \(index)", stage: "Qualified") }
        }
        let qualified = try board.stage("Qualified").id
        let slot = try #require(BoardLayout.columns(of: board.state).slots.first { $0.stage == qualified })
        board.mouse(.press(Point(x: slot.x + 2, y: 5)))
        board.mouse(.release(Point(x: slot.x + 2, y: 5)))
        let shown = board.state.columns[qualified]?.cards.count ?? 0
        for _ in 1..<shown { board.press(.down) }
        guard case .card(qualified, let carried)? = board.state.focus else { Issue.record("no card focused"); return }
        board.press(.character(" "), .left)  // carried over the next column
        board.session.send(.input(.resize(Size(columns: 120, rows: 14))))
        #expect(board.state.columns[qualified]?.cards.contains { $0.id == carried } == false)
        board.press(.escape)
        #expect(board.state.focus == .card(qualified, carried))
        #expect(board.state.columns[qualified]?.cards.contains { $0.id == carried } == true)
    }

    @Test func anotherProcesssChangeAppearsWithoutAKey() throws {
        let board = try BoardHarness()
        let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: .english, now: BoardHarness.now, busyTimeout: 5)
        // A board that idles once (no key: it polls the database), then quits.
        let terminal = IdleThenQuitTerminal(size: board.terminal.size)
        let session = try BoardSession(repository: board.database, terminal: terminal, team: nil, direction: .rightToLeft,
                                       language: .english, user: "tester", clock: { BoardHarness.now })
        _ = try colleague.addOpportunity(try OpportunityForm(title: "From the CLI").validated(language: .english, currency: .usd),
                                         team: board.state.team.id, stage: nil, context: ChangeContext(now: BoardHarness.now, user: "cli"))
        #expect(terminal.frames.isEmpty)
        session.run()
        #expect(terminal.frames.count >= 2)
        #expect(terminal.frames.first?.text.contains("From the CLI") == false)
        #expect(terminal.frames[1].text.contains("From the CLI"))
    }

    @Test func resizingReLaysOutWithoutLeftovers() throws {
        let board = try BoardHarness()
        for size in [Size(columns: 60, rows: 15), Size(columns: 200, rows: 50), Size(columns: 1, rows: 1), Size(columns: 120, rows: 30)] {
            board.resize(size)
            let grid = board.grid
            #expect(grid.size == size)
            #expect(grid.lines.allSatisfy { $0.count <= size.columns })
        }
        #expect(board.screen.contains("Acme renewal"))
    }

    @Test(arguments: [(Language.english, "Docs/keys.md"), (Language.vietnamese, "Docs/keys.vi.md")])
    func docsKeysIsGeneratedFromTheKeyTable(_ language: Language, _ path: String) throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try KeyMap.markdown(in: language).write(to: docs, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: docs, encoding: .utf8) == KeyMap.markdown(in: language))
    }

    @Test func theHelpOverlayShowsEveryBindingWholeAndScrolls() throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24)) { _ in }
        board.press(.character("?"))
        // Nothing is cut: the longest texts wrap onto a second line.
        #expect(board.screen.contains("Pick up the focused card (or the column, on its header)"))
        #expect(board.screen.contains("                  carry it"))
        #expect(!board.screen.contains("Close without any change"))
        #expect(board.screen.contains("▼"))
        board.press(.end)
        #expect(board.screen.contains("Close without any change"))
        #expect(board.screen.contains("▲") && !board.screen.contains("▼"))
        board.press(.pageUp, .home)
        #expect(board.screen.contains("Focus the column to the left on screen"))
        // Every binding's keys appear on some page.
        var seen = ""
        for _ in 0..<10 { seen += board.screen; board.press(.pageDown) }
        for binding in KeyMap.bindings { #expect(seen.contains(binding.label), "\(binding.label)") }
        board.press(.escape)
        #expect(!board.screen.contains("Close without any change"))
    }

    @Test func theHelpOverlaySpeaksTheBoardsLanguage() throws {
        let board = try BoardHarness(language: .vietnamese) { _ in }
        board.press(.character("?"))
        let screen = board.screen
        #expect(screen.contains("Phím tắt  (↑↓ PgUp PgDn cuộn · Esc, ? hoặc q để đóng)"))
        #expect(screen.contains("Chọn cột bên trái trên màn hình"))
        board.press(.end)
        #expect(board.screen.contains("Khi mang thẻ hoặc cột"))
        #expect(board.screen.contains("Đóng mà không thay đổi gì"))
        board.press(.escape)
        #expect(board.screen.contains("di chuyển") && board.screen.contains("thoát"))
    }
}

/// Idles once (the board polls for other processes' changes), then quits.
final class IdleThenQuitTerminal: TerminalDevice {
    let size: Size
    private var calls = 0
    private(set) var frames: [Grid] = []

    init(size: Size) { self.size = size }

    func present(_ grid: Grid) { frames.append(grid) }

    func nextEvent(timeout: Double) -> InputEvent? {
        calls += 1
        return calls == 1 ? nil : .key(.character("q"))
    }
}

@Suite("Board in Vietnamese")
struct BoardVietnameseTests {
    @Test func theCardEditorWritesAndReadsAmountsTheVietnameseWay() throws {
        let board = try BoardHarness(language: .vietnamese) { board in
            try board.add("Hợp đồng", revenue: "1.500.000", stage: "Mới")
        }
        board.press(.enter)
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("no editor"); return }
        #expect(editor.form.value("cardEditor.expectedRevenue") == "1.500.000")
        for _ in 0..<5 { board.press(.tab) }
        board.press(.end)
        board.type(".000")
        board.press(.enter)
        #expect(try board.card("Hợp đồng").expectedRevenue.minorUnits == 1_500_000_000)
    }
}

@Suite("Undo: the same record changed twice")
struct UndoChainTests {
    @Test func twoChangesOfOneCardAreUndoneAndRedoneInTurn() throws {
        let board = try BoardHarness()
        let acme = try board.card("Acme renewal")
        board.press(.shiftLeft)  // moved to Qualified
        board.press(.enter, .end)
        board.type(" 2027")
        board.press(.control("s"))
        #expect(try board.card("Acme renewal 2027").stage == (try board.stage("Qualified").id))
        // Saving keeps the deal's page open; undo is the board's key.
        board.press(.escape)
        board.press(.character("u"))
        #expect((try? board.card("Acme renewal")) != nil)
        board.press(.character("u"))
        #expect(board.state.status?.kind != .error, "\(board.state.status?.text ?? "")")
        #expect(try board.card("Acme renewal").stage == acme.stage)
        board.press(.control("r"), .control("r"))
        #expect(board.state.status?.kind != .error, "\(board.state.status?.text ?? "")")
        #expect(try board.card("Acme renewal 2027").stage == (try board.stage("Qualified").id))
    }

    @Test func twoEditsOfOneStageAreUndoneInTurn() throws {
        let board = try BoardHarness()
        for percent in ["9", "12"] {
            board.press(.up, .character("e"), .tab, .control("u"))
            board.type(percent)
            board.press(.enter)
        }
        #expect(try board.stage("New").probability == Probability(percent: 12))
        board.press(.character("u"))
        #expect(try board.stage("New").probability == Probability(percent: 9))
        board.press(.character("u"))
        #expect(board.state.status?.kind != .error, "\(board.state.status?.text ?? "")")
        #expect(try board.stage("New").probability == Probability(percent: 5))
        board.press(.control("r"), .control("r"))
        #expect(try board.stage("New").probability == Probability(percent: 12))
    }

    @Test func theHistoryKeepsTheNewestThousandSteps() {
        var history = UndoHistory()
        for index in 0..<(UndoHistory.limit + 5) { history.pushUndo(.markWon(Opportunity.ID(Int64(index)), expectedVersion: nil)) }
        #expect(history.undo.count == UndoHistory.limit)
        guard case .markWon(let oldest, _) = history.undo.first, case .markWon(let newest, _) = history.undo.last else {
            Issue.record("unexpected entries"); return
        }
        #expect(oldest == Opportunity.ID(5) && newest == Opportunity.ID(Int64(UndoHistory.limit + 4)))
    }

    /// Rebasing moves only the expectation of the record that was put back, and only from the
    /// version it was put back to: a colleague's change in between is still caught.
    @Test func rebasingTouchesOnlyTheRecordAndVersionPutBack() {
        let card = Opportunity.ID(7), other = Opportunity.ID(8)
        let rebase = VersionRebase(record: .opportunity(card), from: 3, to: 5)
        guard case .markWon(_, let moved) = BoardCommand.markWon(card, expectedVersion: 3).rebased(rebase),
              case .markWon(_, let stale) = BoardCommand.markWon(card, expectedVersion: 2).rebased(rebase),
              case .markWon(_, let elsewhere) = BoardCommand.markWon(other, expectedVersion: 3).rebased(rebase),
              case .editStage(_, _, let stage) = BoardCommand.editStage(Stage.ID(7), StageEdit(), expectedVersion: 3).rebased(rebase)
        else { Issue.record("rebasing changed the command"); return }
        #expect(moved == 5 && stale == 2 && elsewhere == 3 && stage == 3)
    }
}
