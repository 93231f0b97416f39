import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineStorage
import TerminalCore

/// The board for someone with a role (issue 12): where a key would act but the role may
/// not, the board says why in the status line — the core's sentence, the one the CLI says —
/// and changes nothing; what the role may do, it does. The store is a real file behind a
/// `RoleStore` that says what a team server would say of the login; the real server's part
/// is `BoardOnServerTests` (PipelineCLITests), through tmux.
@Suite("Board: who may do what")
struct BoardAccessTests {
    // MARK: - People

    /// The standard seed (Lan's, Minh's and Hoa's deals in Sales) and a second team.
    static func twoTeams(_ board: BoardHarness) throws {
        try BoardHarness.standardSeed(board)
        _ = try board.database.addTeam(named: "Đà Nẵng", context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }

    static func sales(_ board: BoardHarness) throws -> Team.ID { try board.database.team("Sales").id }

    /// Lan, a salesperson of Sales.
    static func salesperson(_ board: BoardHarness) throws -> Access {
        Access(login: "Lan", role: .salesperson, teams: [try sales(board)])
    }

    /// Hoa, a manager of Sales (of Sales alone, when there are two teams).
    static func manager(_ board: BoardHarness) throws -> Access {
        Access(login: "Hoa", role: .manager, teams: [try sales(board)])
    }

    static func administrator(_ board: BoardHarness) throws -> Access {
        Access(login: "boss", role: .admin, teams: [])
    }

    static let stagesSentence = "only a manager of Sales can edit its stages"

    static func sharedSentence(_ stage: String) -> String {
        "stage \(stage) is shared by every team: only an administrator, or a manager of every team, can change it"
    }

    /// The standard seed and a stage of Sales's own, Demo, third in its pipeline.
    static func withTeamStage(_ board: BoardHarness) throws {
        try BoardHarness.standardSeed(board)
        _ = try board.database.addStage(StageDraft(name: "Demo", probability: Probability(percent: 30), scope: .team(try sales(board))),
                                        in: try sales(board), at: 3)
    }

    static func othersSentence(_ card: Opportunity, _ owner: String) -> String {
        "deal \(card.id.rawValue) is \(owner)'s: only they or a manager of Sales can change it"
    }

    // MARK: - Helpers

    /// Presses `keys` and checks that nothing changed — no pane opened, focus, stages and
    /// windows as they were, nothing written — and that the status line says `sentence`.
    func expectRefused(_ board: BoardHarness, _ keys: [Key], saying sentence: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let focus = board.state.focus, stages = board.state.stages.map(\.id), view = board.state.view
        let columns = board.state.columns.mapValues { $0.cards.map { "\($0.id):\($0.version)" } }
        let writes = board.roles?.writes
        for key in keys { board.press(key) }
        guard case .browsing = board.state.mode else {
            Issue.record("\(keys) opened \(board.state.mode)", sourceLocation: sourceLocation)
            return
        }
        #expect(board.state.focus == focus, "\(keys)", sourceLocation: sourceLocation)
        #expect(board.state.view == view, "\(keys)", sourceLocation: sourceLocation)
        #expect(board.state.stages.map(\.id) == stages, "\(keys)", sourceLocation: sourceLocation)
        #expect(board.state.columns.mapValues { $0.cards.map { "\($0.id):\($0.version)" } } == columns, "\(keys)",
                sourceLocation: sourceLocation)
        #expect(board.roles?.writes == writes, "\(keys) wrote", sourceLocation: sourceLocation)
        #expect(board.state.status == .error(sentence), "\(keys): \(String(describing: board.state.status))", sourceLocation: sourceLocation)
        #expect(statusLine(board).contains(sentence), "\(keys)", sourceLocation: sourceLocation)
    }

    func statusLine(_ board: BoardHarness) -> String { board.grid.lines.last ?? "" }

    /// Focus on `name`'s header, moving across the board.
    func focusHeader(_ board: BoardHarness, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for key in [Key.right, .left] {
            for _ in 0..<12 where board.state.focusedStage?.name != name { board.press(key) }
        }
        #expect(board.state.focusedStage?.name == name, sourceLocation: sourceLocation)
        for _ in 0..<12 where board.state.focus?.card != nil { board.press(.up) }
    }

    func focusCard(_ board: BoardHarness, _ title: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let card = try board.card(title)
        let id = try #require(card.stage, sourceLocation: sourceLocation)
        let stage = try #require(board.state.stage(id), sourceLocation: sourceLocation)
        focusHeader(board, stage.name, sourceLocation: sourceLocation)
        for _ in 0..<12 where board.state.focus?.card != card.id { board.press(.down) }
        #expect(board.state.focus?.card == card.id, sourceLocation: sourceLocation)
    }

    /// Whether no pane or prompt is open (a Bool, so that a failure does not print the state).
    func isBrowsing(_ board: BoardHarness) -> Bool {
        if case .browsing = board.state.mode { return true }
        return false
    }

    // MARK: - A salesperson

    @Test func aSalespersonsStageKeysSayWhyAndChangeNothing() throws {
        let board = try BoardHarness(seed: Self.withTeamStage, access: Self.salesperson)
        // Sales's own stage, and a new one: its manager's.
        focusHeader(board, "Demo")
        for key: Key in [.character("e"), .enter, .character("N"), .character("D"), .character("<"), .character(">"), .character(" ")] {
            expectRefused(board, [key], saying: Self.stagesSentence)
        }
        // A stage every team shares: whoever manages every team's.
        focusHeader(board, "Qualified")
        for key: Key in [.character("e"), .enter, .character("D"), .character("<"), .character(">"), .character(" ")] {
            expectRefused(board, [key], saying: Self.sharedSentence("Qualified"))
        }
        expectRefused(board, [.character("N")], saying: Self.stagesSentence)
        // Dragging the header with the mouse is refused as it starts to move.
        let slot = try #require(BoardLayout.columns(of: board.state).slots.first { $0.stage == (try? board.stage("Qualified").id) })
        board.mouse(.press(Point(x: slot.x + 2, y: 1)))
        board.mouse(.move(Point(x: slot.x - 10, y: 1)))
        #expect(isBrowsing(board))
        board.mouse(.release(Point(x: slot.x - 10, y: 1)))
        #expect(board.state.status == .error(Self.sharedSentence("Qualified")))
        #expect(board.roles?.writes == 0)
        #expect(try board.database.pipeline(for: Self.sales(board)).stages.map(\.name)
            == ["New", "Qualified", "Demo", "Proposition", "Negotiation", "Won", "Lost"])
    }

    @Test func aSalespersonMovesTheirOwnCardsButNotAColleagues() throws {
        let board = try BoardHarness(access: Self.salesperson)
        let globex = try board.card("Globex expansion")  // Minh's, second in New
        try focusCard(board, "Globex expansion")
        for keys: [Key] in [[.shiftLeft], [.character("H")], [.shiftUp], [.character(" ")], [.character("w")], [.character("x")]] {
            expectRefused(board, keys, saying: Self.othersSentence(globex, "Minh"))
        }
        // Enter opens Minh's deal to read: its page, with no field to type in, the reason on
        // the status line; typing and Tab change nothing, and Esc comes back to the card.
        let writes = board.roles?.writes
        board.press(.enter)
        #expect(board.state.page?.record == globex.id)
        #expect(isBrowsing(board))
        #expect(board.state.status == .error(Self.othersSentence(globex, "Minh")))
        #expect(statusLine(board).contains(Self.othersSentence(globex, "Minh")))
        for _ in 0..<4 {
            board.press(.tab)
            #expect(!board.state.mode.isCardEditor)
        }
        board.type("Hacked")
        board.press(.enter, .control("s"), .escape)
        #expect(board.state.page == nil)
        #expect(board.state.focus?.card == globex.id)
        #expect(board.roles?.writes == writes)
        #expect(try board.card("Globex expansion").version == globex.version)
        #expect(try board.card("Globex expansion").version == globex.version)
        // A mouse drag of Minh's card stops as it starts.
        let new = try #require(BoardLayout.columns(of: board.state).slots.first { $0.stage == (try? board.stage("New").id) })
        let qualified = try #require(BoardLayout.columns(of: board.state).slots.first { $0.stage == (try? board.stage("Qualified").id) })
        let second = BoardLayout.cardsTop + BoardLayout.cardHeight + BoardLayout.cardGap
        board.mouse(.press(Point(x: new.x + 3, y: second)))
        board.mouse(.move(Point(x: qualified.x + 3, y: second)))
        board.mouse(.release(Point(x: qualified.x + 3, y: second)))
        #expect(board.state.status == .error(Self.othersSentence(globex, "Minh")))
        #expect(try board.card("Globex expansion").stage == (try board.stage("New").id))
        // Her own card moves, and opens in the editor.
        try focusCard(board, "Acme renewal")
        board.press(.shiftLeft)
        #expect(try board.card("Acme renewal").stage == (try board.stage("Qualified").id))
        #expect(board.state.status?.text.hasPrefix("Moved 'Acme renewal'") == true)
        board.press(.enter)
        guard case .cardEditor = board.state.mode else { Issue.record("her own card's editor did not open"); return }
        // An unassigned deal is hers to take as well.
        board.press(.escape)
        let board2 = try BoardHarness(seed: { board in try board.add("Hooli lead", stage: "Qualified") }, access: Self.salesperson)
        try focusCard(board2, "Hooli lead")
        board2.press(.character("w"))
        #expect(board2.state.status?.kind != .error, "\(String(describing: board2.state.status))")
    }

    @Test func aNewDealOnAServerIsTheLoginsAndNobodyElses() throws {
        let board = try BoardHarness(access: Self.salesperson)
        board.press(.character("n"))
        guard case .newCard(let editor) = board.state.mode else { Issue.record("no new-card prompt"); return }
        #expect(editor.form.value("cardEditor.salesperson") == "Lan")
        #expect(board.screen.contains("Salesperson"))
        board.type("Hooli")
        board.press(.tab, .tab, .control("u"))
        board.type("Minh")
        board.press(.enter)
        guard case .newCard(let refused) = board.state.mode else { Issue.record("the prompt closed"); return }
        let sentence = "a salesperson gives deals only to themselves: ask a manager of Sales to give it to Minh"
        #expect(refused.form.fields[2].error == sentence)
        #expect(refused.form.focused == 2)
        #expect(board.roles?.writes == 0)
        board.press(.control("u"))
        board.type("Lan")
        board.press(.enter)
        #expect(try board.card("Hooli").salesperson == "Lan")
        // Her own deal cannot be given away either.
        try focusCard(board, "Acme renewal")
        board.press(.enter)
        for _ in 0..<8 { board.press(.tab) }
        board.press(.control("u"))
        board.type("Minh")
        board.press(.enter)
        guard case .cardEditor(let editing) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(editing.form.fields[editing.form.focused].id == "cardEditor.salesperson")
        #expect(editing.form.fields[editing.form.focused].error == sentence)
        #expect(try board.card("Acme renewal").salesperson == "Lan")
        // On a file the creator is the name the board acts as ($USER): the same third field, theirs.
        let file = try BoardHarness()
        file.press(.character("n"))
        guard case .newCard(let plain) = file.state.mode else { Issue.record("no new-card prompt"); return }
        #expect(plain.form.fields.count == 3)
        #expect(plain.form.value("cardEditor.salesperson") == "tester")
    }

    @Test func theTeamPickerOffersOnlyTheUsersTeamsAndAddsNone() throws {
        let board = try BoardHarness(seed: Self.twoTeams, access: Self.salesperson)
        board.press(.character("t"))
        #expect(board.screen.contains("Sales"))
        #expect(!board.screen.contains("Đà Nẵng"))
        // Her teams only, whatever she types: another team's name is not one to switch to.
        board.type("Đà")
        board.press(.enter)
        #expect(board.state.team.name == "Sales")
        board.press(.control("u"))
        board.type("Hà Nội")
        #expect(board.screen.contains("No team of yours matches ‘Hà Nội’"))
        #expect(!board.screen.contains("Create team"))
        board.press(.enter)
        guard case .teamPicker = board.state.mode else { Issue.record("the picker closed"); return }
        #expect(board.state.status == .error("only an administrator can add or remove teams"))
        #expect(statusLine(board).contains("only an administrator can add or remove teams"))
        #expect(board.roles?.writes == 0)
        #expect(try board.database.teams().count == 2)
        // An administrator sees every team and may add one.
        let admin = try BoardHarness(seed: Self.twoTeams, access: Self.administrator)
        admin.press(.character("t"))
        #expect(admin.screen.contains("Đà Nẵng"))
        admin.type("Hà Nội")
        admin.press(.enter)
        #expect(admin.state.team.name == "Hà Nội")
    }

    @Test func settingsForEveryoneAreRefusedAndOnesOwnAreSaved() throws {
        let board = try BoardHarness(access: Self.salesperson)
        board.press(.character("S"), .character(" "), .enter)
        guard case .settings(let editor) = board.state.mode else { Issue.record("the pane closed"); return }
        #expect(editor.form.fields[0].error == "only an administrator can change the setting leads: it is the same for everyone")
        #expect(board.roles?.writes == 0)
        #expect(try board.database.setting(.leads) == "off")
        board.press(.character(" "), .tab, .right, .enter)
        #expect(isBrowsing(board))
        #expect(board.state.direction == .leftToRight)
        #expect(try board.database.setting(.direction) == "ltr")
    }

    @Test func theLeadsOfColleaguesAreTheirsAndANewLeadIsTheLogins() throws {
        let board = try BoardHarness(seed: { board in
            try BoardHarness.standardSeed(board)
            try board.database.setSetting(.leads, to: "on")
            let team = try board.database.currentTeam().id
            for (title, salesperson) in [("Minh's lead", "Minh"), ("Lan's lead", "Lan")] {
                var changes = OpportunityChanges()
                changes.title = title
                changes.salesperson = salesperson
                _ = try board.database.addLead(changes, team: team, context: ChangeContext(now: BoardHarness.now, user: "seed"))
            }
        }, access: Self.salesperson)
        board.press(.character("2"))
        for _ in 0..<3 where board.state.leads.selectedLead?.title != "Minh's lead" { board.press(.down) }
        let minhs = try #require(board.state.leads.selectedLead)
        for key: Key in [.enter, .character("x"), .character("c")] {
            board.press(key)
            #expect(isBrowsing(board), "\(key)")
            #expect(board.state.status == .error(Self.othersSentence(minhs, "Minh")), "\(key)")
        }
        #expect(board.roles?.writes == 0)
        for _ in 0..<3 where board.state.leads.selectedLead?.title != "Lan's lead" { board.press(.up) }
        board.press(.enter)
        guard case .leadEditor = board.state.mode else { Issue.record("her own lead's editor did not open"); return }
        board.press(.escape, .character("n"))
        guard case .leadEditor(let new) = board.state.mode else { Issue.record("no new lead"); return }
        #expect(new.form.value("cardEditor.salesperson") == "Lan")
    }

    // MARK: - Managers and administrators

    @Test func aManagerOfOneTeamOfTwoChangesItsStagesButNotTheSharedOnes() throws {
        let board = try BoardHarness(seed: { board in
            try Self.twoTeams(board)
            _ = try board.database.addStage(StageDraft(name: "Demo", probability: Probability(percent: 30), scope: .team(try Self.sales(board))),
                                            in: try Self.sales(board), at: 3)
        }, access: Self.manager)
        focusHeader(board, "Qualified")
        let shared = Self.sharedSentence("Qualified")
        for key: Key in [.character("e"), .enter, .character("D"), .character("<"), .character(">"), .character(" ")] {
            expectRefused(board, [key], saying: shared)
        }
        // Sales's own stage is hers to edit, but not to share with the other team.
        focusHeader(board, "Demo")
        board.press(.character("e"))
        guard case .stageEditor = board.state.mode else { Issue.record("the editor of Sales's own stage did not open"); return }
        for _ in 0..<5 { board.press(.tab) }
        board.press(.left, .enter)
        guard case .stageEditor(let editor) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(editor.form.fields[5].error == Self.sharedSentence("Demo"))
        #expect(board.roles?.writes == 0)
        board.press(.right, .backTab, .backTab, .backTab, .backTab, .control("u"))
        board.type("35")
        board.press(.enter)
        #expect(try board.stage("Demo").probability == Probability(percent: 35))
        // A new column is Sales's own.
        board.press(.character("N"))
        board.type("Trial")
        board.press(.tab)
        board.type("40")
        board.press(.enter)
        #expect(try board.stage("Trial").scope == .team(try Self.sales(board)))
        board.press(.escape)
        // Anyone's deal of her team is hers to move.
        try focusCard(board, "Globex expansion")
        board.press(.shiftLeft)
        #expect(try board.card("Globex expansion").stage == (try board.stage("Qualified").id))
    }

    @Test func theManagerOfTheOnlyTeamAndAnAdministratorMayDoEverything() throws {
        let manager = try BoardHarness(access: Self.manager)
        focusHeader(manager, "Qualified")
        manager.press(.character("e"))
        guard case .stageEditor = manager.state.mode else { Issue.record("a manager of every team cannot edit a shared stage"); return }
        manager.press(.escape, .character("N"))
        guard case .addColumn = manager.state.mode else { Issue.record("no add-column prompt"); return }
        manager.press(.escape)

        let admin = try BoardHarness(seed: Self.twoTeams, access: Self.administrator)
        focusHeader(admin, "Qualified")
        for key: Key in [.character("e"), .character("D"), .character("N")] {
            admin.press(key)
            #expect(!isBrowsing(admin), "\(key)")
            admin.press(.escape)
        }
        admin.press(.character(">"))
        #expect(try admin.database.pipeline(for: Self.sales(admin)).stages.first?.name == "Qualified")
        try focusCard(admin, "Globex expansion")
        admin.press(.character(" "))
        guard case .carryingCard = admin.state.mode else { Issue.record("an administrator cannot carry Minh's card"); return }
        // Nothing is marked in the help for them.
        #expect(!BoardOverlays.helpLines(admin.state).contains { $0.isRefusal })
    }

    // MARK: - The store's word, and a role that changes

    @Test func whenTheStoreStillRefusesTheBoardSaysSoAndReadsTheRoleAgain() throws {
        let board = try BoardHarness(access: Self.administrator)
        let roles = try #require(board.roles)
        let probability = try board.stage("Qualified").probability
        // Demoted meanwhile: the board still thinks administrator; the store knows better.
        roles.refusal = PipelineError.notPermitted(.stages(team: "Sales"))
        roles.accessAfterRefusal = try Self.salesperson(board)
        focusHeader(board, "Qualified")
        board.press(.character("e"), .tab, .control("u"))
        board.type("17")
        board.press(.enter)
        #expect(isBrowsing(board), "the pane stays open though no field can change a role")
        #expect(board.state.status == .error(Self.stagesSentence))
        #expect(board.state.access.role == .salesperson, "the board did not read the role again")
        #expect(try board.stage("Qualified").probability == probability)
        // Now the board knows: the key is refused before anything is asked of the store.
        expectRefused(board, [.character("e")], saying: Self.sharedSentence("Qualified"))
        #expect(roles.writes == 1)
    }

    @Test func aServersPermissionDeniedIsSaidAndTheBoardReadAgain() throws {
        let board = try BoardHarness(access: Self.administrator)
        let roles = try #require(board.roles)
        let sentence = "the PostgreSQL user lan is not allowed to do this in sales"
        roles.refusal = StoreError.permissionDenied(EngineSentence { _ in sentence })
        roles.accessAfterRefusal = try Self.salesperson(board)
        try focusCard(board, "Globex expansion")
        board.press(.shiftLeft)
        #expect(board.state.status == .error(sentence))
        #expect(board.state.access.role == .salesperson)
        #expect(try board.card("Globex expansion").stage == (try board.stage("New").id))
        // In a pane: it closes, the sentence on the status line.
        roles.acting = try Self.administrator(board)
        roles.announce = true
        board.session.catchUp()
        board.press(.enter)
        guard case .cardEditor = board.state.mode else { Issue.record("no editor"); return }
        board.press(.control("u"))
        board.type("Globex renewal")
        board.press(.enter)
        #expect(isBrowsing(board))
        #expect(board.state.status == .error(sentence))
        #expect(try board.card("Globex expansion").title == "Globex expansion")
        // The deal's page stays open on the deal as stored; Esc goes back to the board.
        #expect(board.state.page != nil)
        board.press(.escape)
        #expect(board.state.page == nil)
        // Undo of a change the role no longer allows: said, not crashed.
        roles.acting = try Self.administrator(board)
        roles.refusal = nil
        roles.announce = true
        board.session.catchUp()
        board.press(.shiftLeft)
        roles.refusal = PipelineError.notPermitted(.othersRecord(id: try board.card("Globex expansion").id.rawValue, owner: "Minh", team: "Sales"))
        board.press(.character("u"))
        #expect(board.state.status == .error("Cannot undo: " + Self.othersSentence(try board.card("Globex expansion"), "Minh")))
    }

    @Test func aRefusalToGiveADealAwayStaysBesideTheSalespersonField() throws {
        let board = try BoardHarness(access: Self.administrator)
        let roles = try #require(board.roles)
        roles.refusal = PipelineError.notPermitted(.assignToOthers(salesperson: "Minh", team: "Sales"))
        try focusCard(board, "Acme renewal")
        board.press(.enter)
        for _ in 0..<8 { board.press(.tab) }
        board.press(.control("u"))
        board.type("Minh")
        board.press(.enter)
        guard case .cardEditor(let editor) = board.state.mode else { Issue.record("the editor closed"); return }
        #expect(editor.form.fields[editor.form.focused].id == "cardEditor.salesperson")
        #expect(editor.form.fields[editor.form.focused].error
            == "a salesperson gives deals only to themselves: ask a manager of Sales to give it to Minh")
        #expect(editor.form.value("cardEditor.salesperson") == "Minh")
        #expect(try board.card("Acme renewal").salesperson == "Lan")
    }

    @Test func aRoleChangedMeanwhileCountsFromTheNextChange() throws {
        let board = try BoardHarness(access: Self.salesperson)
        let roles = try #require(board.roles)
        focusHeader(board, "Qualified")
        expectRefused(board, [.character("e")], saying: Self.sharedSentence("Qualified"))
        roles.acting = try Self.manager(board)
        roles.announce = true
        board.session.catchUp()
        #expect(board.state.access.role == .manager)
        board.press(.character("e"))
        guard case .stageEditor = board.state.mode else { Issue.record("the new manager's editor did not open"); return }
        // A role taken away is met by the store's refusal; one given, without any change
        // announced (a server does not announce roles), by the next refused key, which asks
        // the store again: pressed once more, the key acts.
        board.press(.escape)
        roles.acting = try Self.salesperson(board)
        roles.announce = true
        board.session.catchUp()
        expectRefused(board, [.character("e")], saying: Self.sharedSentence("Qualified"))
        roles.acting = try Self.manager(board)
        expectRefused(board, [.character("e")], saying: Self.sharedSentence("Qualified"))
        #expect(board.state.access.role == .manager)
        board.press(.character("e"))
        guard case .stageEditor = board.state.mode else { Issue.record("the key still refused after the role was read again"); return }
    }

    @Test func aLoginInNoTeamIsToldWhyAndABoardOpensOnATeamOfTheUsers() throws {
        let outsider = try BoardHarness(access: { _ in Access(login: "guest", role: .salesperson, teams: []) })
        let sentence = "you are in no team of this database: ask an administrator to add you to one (pipeline user edit LOGIN --team TEAM)"
        #expect(outsider.state.status == .error(sentence))
        outsider.press(.character("n"))
        #expect(isBrowsing(outsider))
        #expect(outsider.state.status == .error(sentence))

        let board = try BoardHarness(seed: Self.twoTeams, access: { board in
            Access(login: "Lan", role: .salesperson, teams: [try board.database.team("Đà Nẵng").id])
        })
        #expect(board.state.team.name == "Đà Nẵng")
        #expect(board.state.status == nil)
    }

    // MARK: - What the board shows

    @Test func theHeaderSumsAreTheStoresNeverASumOfTheCardsShown() throws {
        let board = try BoardHarness(access: Self.salesperson)
        let roles = try #require(board.roles)
        // A server summing only what the user may see: one deal of $1.00 in New, nothing elsewhere.
        roles.figures = [try board.stage("New").id: Figures(currency: .usd, count: 1, expected: 100, weighted: 10)]
        roles.announce = true
        board.session.catchUp()
        #expect(board.state.columns[try board.stage("New").id]?.cards.count == 2)
        #expect(board.grid.lines[2].contains("1 · $1.00"), "\(board.grid.lines[2])")
        #expect(statusLine(board).contains("Open $1.00 · weighted $0.10"), "\(statusLine(board))")
        // The forecast is the store's too, and is read again when a change arrives.
        board.press(.character("f"))
        let before = try #require(board.state.forecast)
        try board.add("Late deal", revenue: "3,000", stage: "New")
        roles.announce = true
        board.session.catchUp()
        #expect(board.state.forecast?.open.count == before.open.count + 1)
    }

    @Test func ownDealsOnlyIsSaidOnTheTopLine() throws {
        let board = try BoardHarness(access: Self.salesperson)
        let roles = try #require(board.roles)
        #expect(!board.grid.lines[0].contains("your deals only"))
        roles.ownDealsOnly = [try Self.sales(board)]
        roles.announce = true
        board.session.catchUp()
        #expect(board.state.team.ownDealsOnly)
        #expect(board.grid.lines[0].hasSuffix(" your deals only"), "\(board.grid.lines[0])")
        // A manager sees every deal of the team: nothing to say.
        roles.acting = try Self.manager(board)
        roles.announce = true
        board.session.catchUp()
        #expect(!board.grid.lines[0].contains("your deals only"))
    }

    @Test func theHelpMarksTheKeysTheRoleCannotUse() throws {
        let board = try BoardHarness(size: Size(columns: 120, rows: 60), access: Self.salesperson)
        board.press(.character("?"))
        let lines = BoardOverlays.helpLines(board.state)
        let marked = lines.indices.filter { lines[$0].isRefusal }
        #expect(marked.count == 5, "\(marked.map { lines[$0].text })")
        for index in marked {
            #expect(lines[index].text == "✗ " + Self.stagesSentence)
            // Under the text of one of the stage keys.
            let key = lines[..<index].last { !$0.keys.isEmpty }?.keys
            #expect(["<", ">", "e", "N", "D"].contains(key ?? ""), "\(String(describing: key))")
        }
        #expect(board.screen.contains("✗ " + Self.stagesSentence))
        let file = try BoardHarness()
        #expect(!BoardOverlays.helpLines(file.state).contains { $0.isRefusal })
    }

    // MARK: - Snapshots

    @Test(arguments: [Language.english, .vietnamese])
    func aRefusalOnTheStatusLineAt80x24(_ language: Language) throws {
        let board = try BoardHarness(size: Size(columns: 80, rows: 24), language: language, seed: GallerySeed.seed, access: { board in
            Access(login: "Lan", role: .salesperson, teams: [try board.database.currentTeam().id])
        })
        let team = try board.database.currentTeam().name
        board.press(.up, .character("e"))
        // The gallery has two teams, and New is every team's.
        let stage = try #require(board.state.focusedStage)
        #expect(board.state.status == .error(AccessRefusal.sharedStage(stage: stage.name).message(in: language)))
        assertSnapshot(board.grid, named: "refused-stage-80x24-\(language.rawValue)")
        // New's first card is Hương's: too long a sentence for the line, it wraps above it.
        board.press(.down, .shiftLeft)
        let card = try #require(board.state.focusedCard)
        #expect(card.salesperson == "Nguyễn Thị Hương")
        #expect(board.state.status == .error(AccessRefusal.othersRecord(id: card.id.rawValue, owner: card.salesperson, team: team)
            .message(in: language)))
        assertSnapshot(board.grid, named: "refused-card-80x24-\(language.rawValue)")
    }
}
