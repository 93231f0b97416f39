import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

@Suite("Board: leads and teams")
struct BoardLeadsTests {
    static func leadsOn(_ board: BoardHarness) throws {
        try BoardHarness.standardSeed(board)
        try board.database.setSetting(.leads, to: "on")
    }

    func addLead(_ board: BoardHarness, _ title: String, company: String = "", email: String = "", revenue: String = "0",
                 priority: String = "0") throws {
        let changes = try OpportunityForm(title: title, customer: company, email: email, expectedRevenue: revenue, priority: priority)
            .validated(language: .english, currency: .usd)
        _ = try board.database.addLead(changes, team: try board.database.currentTeam().id,
                                       context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }

    @Test func theLeadsTabShowsOnlyWhileLeadsAreOn() throws {
        let off = try BoardHarness()
        #expect(!off.grid.lines[0].contains("Leads"))
        off.press(.character("2"))
        #expect(off.state.view == .pipeline)
        #expect(off.screen.contains("pipeline settings set leads on"))
        let on = try BoardHarness(seed: Self.leadsOn)
        #expect(on.grid.lines[0].contains("1 Pipeline   2 Leads   3 Forecast"))
        on.press(.tab)
        #expect(on.state.view == .leads)
        on.press(.tab, .tab)
        #expect(on.state.view == .activities)
        on.press(.tab)
        #expect(on.state.view == .pipeline)
    }

    @Test func theLeadsViewListsSortsFiltersAddsEditsAndLoses() throws {
        let board = try BoardHarness(seed: Self.leadsOn)
        try addLead(board, "Acme website", company: "Acme Corporation", revenue: "5,000")
        try addLead(board, "Chất lượng kho", company: "Công ty Sữa", revenue: "9,000", priority: "1")
        try addLead(board, "Globex app", revenue: "1,000", priority: "3")
        board.press(.character("2"))
        #expect(board.state.leads.window.cards.map(\.title) == ["Globex app", "Chất lượng kho", "Acme website"])
        #expect(board.screen.contains("Leads of Sales, by date"))
        board.press(.character("s"))
        #expect(board.state.leads.order == .priority)
        #expect(board.state.leads.window.cards.map(\.title) == ["Globex app", "Chất lượng kho", "Acme website"])
        board.press(.character("s"))
        #expect(board.state.leads.window.cards.map(\.title) == ["Chất lượng kho", "Acme website", "Globex app"])
        board.press(.down, .character("j"))
        #expect(board.state.leads.selectedLead?.title == "Globex app")
        board.press(.character("k"), .up)
        #expect(board.state.leads.selectedLead?.title == "Chất lượng kho")
        board.press(.character("/"))
        board.type("chat luong")
        #expect(board.state.leads.window.cards.map(\.title) == ["Chất lượng kho"])
        board.press(.escape)
        #expect(board.state.leads.window.cards.count == 3)
        // n: a new lead; Enter: edit it.
        board.press(.character("n"))
        board.type("Initech intro")
        board.press(.tab)
        board.type("Initech")
        board.press(.enter)
        #expect(try board.database.lead("Initech intro").customer.name == "Initech")
        #expect(board.state.leads.selectedLead?.title == "Initech intro")
        board.press(.enter, .end)
        board.type(" call")
        board.press(.control("s"))
        #expect((try? board.database.lead("Initech intro call")) != nil)
        // x: lost, with a reason.
        board.press(.character("x"))
        board.type("No budget")
        board.press(.enter)
        #expect(try board.database.lead("Initech intro call").lostReason == "No budget")
        #expect(!board.state.leads.window.cards.contains { $0.title == "Initech intro call" })
        // u takes lead changes back one by one, newest first; Ctrl-R does them again.
        board.press(.character("u"))
        #expect(try board.database.lead("Initech intro call").isActive)
        #expect(try board.database.lead("Initech intro call").lostReason == nil)
        #expect(board.state.leads.window.cards.contains { $0.title == "Initech intro call" })
        board.press(.control("r"))
        #expect(try board.database.lead("Initech intro call").lostReason == "No budget")
        board.press(.character("u"), .character("u"))
        #expect(try board.database.lead("Initech intro").customer.name == "Initech")
        #expect((try? board.database.lead("Initech intro call")) == nil)
        board.press(.character("u"))
        #expect((try? board.database.lead("Initech intro")) == nil, "\(board.state.status?.text ?? "")")
        #expect(board.state.status?.text.contains("Undone: Removed 'Initech intro'") == true)
        board.press(.control("r"))
        #expect(try board.database.lead("Initech intro").customer.name == "Initech")
    }

    @Test func theWizardMergesDuplicatesIntoOneOpportunityOnTheBoard() throws {
        let board = try BoardHarness(seed: Self.leadsOn)
        try addLead(board, "Acme website", company: "Acme Corporation", email: "ana@acme.com", revenue: "5,000")
        try addLead(board, "Acme app", email: "ANA@acme.com", revenue: "2,000")
        board.press(.character("2"))
        #expect(board.state.leads.selectedLead?.title == "Acme app")
        board.press(.character("c"))
        guard case .convertLead(let wizard) = board.state.mode else { Issue.record("no wizard"); return }
        #expect(wizard.duplicates.map(\.title) == ["Acme website"])
        #expect(board.screen.contains("merge with the ticked") && board.screen.contains("Merge #"))
        board.press(.enter)
        #expect(board.state.leads.window.cards.isEmpty)
        let converted = try board.card("Acme app")
        #expect(converted.stage == (try board.stage("New").id) && converted.probability == Probability(percent: 5))
        #expect(converted.customer.name == "Acme Corporation")
        board.press(.character("1"))
        #expect(board.screen.contains("Acme app"))
    }

    @Test func theWizardCanConvertAloneAndEscCancels() throws {
        let board = try BoardHarness(seed: Self.leadsOn)
        try addLead(board, "Acme website", company: "Acme Corporation", email: "ana@acme.com")
        try addLead(board, "Acme app", email: "ana@acme.com")
        board.press(.character("2"), .character("c"), .escape)
        guard case .browsing = board.state.mode else { Issue.record("Esc did not close"); return }
        #expect(board.state.leads.window.cards.count == 2)
        board.press(.character("c"), .right, .enter)  // Action: new opportunity
        #expect(board.state.leads.window.cards.map(\.title) == ["Acme website"])
        #expect((try? board.card("Acme app")) != nil)
        // A conversion is not undone, and nothing before it is either.
        #expect(board.state.status?.text.contains("a conversion cannot be undone") == true)
        board.press(.character("u"))
        #expect(board.state.status?.text == "Nothing to undo")
        #expect((try? board.card("Acme app")) != nil)
    }

    @Test func anEditBeforeAConversionIsNoLongerUndone() throws {
        let board = try BoardHarness(seed: Self.leadsOn)
        try addLead(board, "Acme app", email: "ana@acme.com")
        board.press(.character("2"), .enter, .end)
        board.type(" v2")
        board.press(.control("s"))
        #expect((try? board.database.lead("Acme app v2")) != nil)
        #expect(!board.state.history.undo.isEmpty)
        board.press(.character("c"), .enter)
        #expect(board.state.history.undo.isEmpty)
        #expect((try? board.card("Acme app v2")) != nil)
    }

    @Test func theTeamPickerCreatesATeamWhenNothingMatches() throws {
        let board = try BoardHarness()
        board.press(.character("t"))
        board.type("Xuất khẩu")
        #expect(board.screen.contains("Create team ‘Xuất khẩu’"))
        board.press(.enter)
        #expect(board.state.team.name == "Xuất khẩu")
        #expect(try board.database.currentTeam().name == "Xuất khẩu")
        #expect(board.screen.hasPrefix(" Xuất khẩu"))
        #expect(board.state.stages.count == 6)  // the shared stages
        board.press(.character("t"))
        board.type("sales")
        board.press(.enter)
        #expect(board.state.team.name == "Sales")
    }
}
