import Foundation
@testable import BoardUI
@testable import PipelineCore
@testable import PipelineStore
import PipelineEngines
import PipelineStorage
import Testing
import TerminalCore

/// Every view and pane of the board, as a salesperson sees it: each rendered through the
/// pure renderer on a real temporary database holding `GallerySeed`'s small pipeline, at
/// three sizes and in both languages, into `Docs/screens/<name>.txt`.
enum ScreenGallery {
    struct Screen: Sendable {
        var name: String
        /// What the screen shows and how to get there, for the file's heading.
        var about: String
        var direction: BoardDirection = .rightToLeft
        /// Sizes other than the gallery's three (the too-small screen).
        var sizes: [Size]? = nil
        /// A change to the seeded pipeline before the board opens.
        var prepare: (@Sendable (BoardHarness) throws -> Void)? = nil
        /// Who the board acts for, as a team server would say; `nil`: the file's owner.
        var access: (@Sendable (BoardHarness) throws -> Access)? = nil
        var script: @Sendable (BoardHarness) throws -> Void
    }

    static let sizes = [Size(columns: 80, rows: 24), Size(columns: 120, rows: 30), Size(columns: 200, rows: 50)]
    static let languages: [Language] = [.english, .vietnamese]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs/screens")

    static let screens: [Screen] = [
        Screen(name: "board", about: "The board as it opens: the first stage on the right, focus on its first card.") { _ in },
        Screen(name: "board-ltr", about: "The board with the first stage on the left (`settings set direction ltr`).",
               direction: .leftToRight) { _ in },
        Screen(name: "header-tooltip", about: "↑ from the first card: the column's header, its requirements and its seen rate as a tooltip.") { board in
            board.press(.up)
        },
        Screen(name: "header-tooltip-seen", about: "↑ on a stage whose closed deals were won 3 times in 10: the seen rate under the requirements.",
               prepare: GallerySeed.closedThroughEntry) { board in
            board.press(.up)
        },
        Screen(name: "card-carried", about: "Space then ←: the focused card carried over the next stage, not yet dropped.") { board in
            board.press(.character(" "), .left)
        },
        Screen(name: "column-carried", about: "↑ Space ←: a whole column carried one place.") { board in
            board.press(.up, .character(" "), .left)
        },
        Screen(name: "filter-typing", about: "/ and a word: the board narrows while typing.") { board in
            board.press(.character("/"))
            board.type("acme")
        },
        Screen(name: "filtered", about: "/ acme Enter: the filter in force; the headers and the status line count what matches.") { board in
            board.press(.character("/"))
            board.type("acme")
            board.session.catchUp()
            board.press(.enter)
        },
        Screen(name: "new-deal", about: "n: a new deal in the focused column (title, then expected revenue).") { board in
            board.press(.character("n"))
        },
        Screen(name: "new-deal-typed", about: "n, a long title, Enter, an amount: the cursor in the revenue field.") { board in
            board.press(.character("n"))
            board.type("Hợp đồng bảo trì hệ thống Vinamilk giai đoạn ba cho các nhà máy miền Bắc")
            board.press(.enter)
            board.type(board.language == .vietnamese ? "2.000.000.000" : "20,000")
        },
        Screen(name: "new-deal-error-title", about: "n Enter Enter: a deal needs a title; the error beside the field.") { board in
            board.press(.character("n"), .enter, .enter)
        },
        Screen(name: "new-deal-error-amount", about: "n, a title, Enter, an amount written wrong: the example it gives is one the currency takes.") { board in
            board.press(.character("n"))
            board.type("Test")
            board.press(.enter)
            board.type(board.language == .vietnamese ? "1,5 tỷ" : "1,5,00")
            board.press(.enter)
        },
        Screen(name: "deal-page", about: "Enter on a card: the deal's page, its fields in place with the keys (the card editor's form).") { board in
            board.press(.enter)
        },
        Screen(name: "deal-page-error-email", about: "Enter, Tab to E-mail, a wrong address, Enter: the error beside the field, on the page.") { board in
            board.press(.enter, .tab, .tab, .tab, .control("u"))
            board.type("not an address")
            board.press(.enter)
        },
        Screen(name: "deal-page-error-date", about: "Enter, Tab to the closing date, a day that does not exist, Enter.") { board in
            board.press(.enter)
            for _ in 0..<9 { board.press(.tab) }
            board.press(.control("u"))
            board.type(board.language == .vietnamese ? "31/02/2027" : "2027-02-31")
            board.press(.enter)
        },
        Screen(name: "deal-page-timeline", about: "Enter on a deal with a history, Shift+Tab to its activities: the planned one, the one done with its feedback, then the timeline newest first.",
               prepare: GallerySeed.dealHistory) { board in
            try GallerySeed.openHistoryDeal(board)
            board.press(.backTab, .backTab, .backTab)
        },
        Screen(name: "deal-page-scrolled", about: "The same page, Shift+Tab to the timeline, then End: the page scrolled to its bottom.",
               prepare: GallerySeed.dealHistory) { board in
            try GallerySeed.openHistoryDeal(board)
            board.press(.backTab, .backTab, .end)
        },
        Screen(name: "deal-page-note-error", about: "The page, Shift+Tab to the note box, Enter with nothing typed: the error under the box.",
               prepare: GallerySeed.dealHistory) { board in
            try GallerySeed.openHistoryDeal(board)
            board.press(.backTab, .enter)
        },
        Screen(name: "stage-editor", about: "e: the focused stage's settings.") { board in
            board.press(.character("e"))
        },
        Screen(name: "stage-editor-seen", about: "e on a stage whose closed deals were won 3 times in 10: its probability beside the seen rate, with the 90 % interval.",
               prepare: GallerySeed.closedThroughEntry) { board in
            board.press(.character("e"))
        },
        Screen(name: "stage-editor-adopted", about: "The same, then Ctrl-O: the seen rate, to a whole percent, in the probability field (saved with Enter, gone with Esc).",
               prepare: GallerySeed.closedThroughEntry) { board in
            board.press(.character("e"), .control("o"))
        },
        Screen(name: "stage-editor-no-closed", about: "← e: a stage no closed deal has been in: no seen rate yet.") { board in
            board.press(.left, .character("e"))
        },
        Screen(name: "stage-editor-error-probability", about: "e, Tab, 150, Enter: not a percentage.") { board in
            board.press(.character("e"), .tab, .control("u"))
            board.type("150")
            board.press(.enter)
        },
        Screen(name: "stage-editor-error-name", about: "e, the lost stage's name, Enter: two stages cannot share a name.") { board in
            board.press(.character("e"), .control("u"))
            board.type(try board.database.pipeline(for: board.state.team.id).stages[5].name)
            board.press(.enter)
        },
        Screen(name: "new-column", about: "N on a pipeline missing the guide's Negotiation: the suggestions.",
               prepare: GallerySeed.removeNegotiation) { board in
            board.press(.character("N"))
        },
        Screen(name: "new-column-suggestion", about: "N ↓: a suggestion fills the name and its probability.",
               prepare: GallerySeed.removeNegotiation) { board in
            board.press(.character("N"), .down)
        },
        Screen(name: "new-column-typed", about: "N and a name of one of the guide's steps: its probability is filled in.",
               prepare: GallerySeed.removeNegotiation) { board in
            board.press(.character("N"))
            board.type(board.language == .vietnamese ? "Thương lượng" : "Negotiation")
        },
        Screen(name: "new-column-error", about: "N, the won stage's name, Enter: the name is taken.",
               prepare: GallerySeed.removeNegotiation) { board in
            board.press(.character("N"))
            board.type(try board.database.pipeline(for: board.state.team.id).stages[3].name)
            board.press(.enter)
        },
        Screen(name: "delete-column", about: "D on a column with deals: where they go.") { board in
            board.press(.character("D"))
        },
        Screen(name: "lost-reason", about: "x: why the focused deal is lost.") { board in
            board.press(.character("x"))
        },
        Screen(name: "lost-reason-error", about: "x Enter: a reason is required.") { board in
            board.press(.character("x"), .enter)
        },
        Screen(name: "undone-lost", about: "x, a reason, Enter, then u: the status line says what came back.") { board in
            board.press(.character("x"))
            board.type(board.language == .vietnamese ? "Khách chọn đối thủ" : "Chose a competitor")
            board.press(.enter, .character("u"))
        },
        Screen(name: "status-long", about: "A colleague renamed the focused deal, then Shift-←: a refusal too long for the status line wraps above it, whole.") { board in
            let colleague = try StoreOpener.open(board.folder.appendingPathComponent("board.sqlite").path, seedLanguage: board.language,
                                                 now: BoardHarness.now, busyTimeout: 5)
            guard case .card(_, let id)? = board.state.focus else { return }
            _ = try colleague.editOpportunity(id, try OpportunityForm(title: "Renamed by a colleague").validated(language: .english, currency: .usd),
                                              context: ChangeContext(now: BoardHarness.now, user: "colleague"))
            board.press(.shiftLeft)
        },
        Screen(name: "leads", about: "2: the Leads view (the `leads` setting is on).") { board in
            board.press(.character("2"))
        },
        Screen(name: "new-lead", about: "2 n: a new lead.") { board in
            board.press(.character("2"), .character("n"))
        },
        Screen(name: "lead-editor", about: "2 Enter: a lead's fields.") { board in
            board.press(.character("2"), .enter)
        },
        Screen(name: "lead-editor-error", about: "2 Enter, Tab to E-mail, a wrong address, Enter.") { board in
            board.press(.character("2"), .enter, .tab, .tab, .tab, .control("u"))
            board.type("khanh@")
            board.press(.enter)
        },
        Screen(name: "convert-lead", about: "2, ↓ to 'Acme app', c: the conversion wizard with its duplicates (strong ones ticked).") { board in
            board.press(.character("2"))
            for _ in 0..<5 where board.state.leads.selectedLead?.title != "Acme app" { board.press(.down) }
            board.press(.character("c"))
        },
        Screen(name: "team-picker", about: "t: the teams, a search field.") { board in
            board.press(.character("t"))
        },
        Screen(name: "settings", about: "S: the settings the CLI's `settings set` changes.") { board in
            board.press(.character("S"))
        },
        Screen(name: "settings-error", about: "S, Tab to the currency, a wrong code, Enter.") { board in
            board.press(.character("S"), .tab, .tab, .tab, .control("u"))
            board.type("DONG")
            board.press(.enter)
        },
        Screen(name: "help", about: "?: every key, at the top.") { board in
            board.press(.character("?"))
        },
        Screen(name: "help-scrolled", about: "? End: the help scrolled to its end.") { board in
            board.press(.character("?"), .end)
        },
        Screen(name: "forecast", about: "f: the forecast by stage, per currency: expected and weighted amounts as bars beside the exact figures, then the revenue won this month and last (the range per closing month is further down at 80×24).",
               prepare: GallerySeed.forecastFigures) { board in
            board.press(.character("f"))
        },
        Screen(name: "forecast-month", about: "f b: the forecast by expected closing month.", prepare: GallerySeed.forecastFigures) { board in
            board.press(.character("f"), .character("b"))
        },
        Screen(name: "forecast-salesperson", about: "f b b: the forecast by salesperson.", prepare: GallerySeed.forecastFigures) { board in
            board.press(.character("f"), .character("b"), .character("b"))
        },
        Screen(name: "forecast-range", about: "f End: the forecast scrolled to its end: the open pipeline's range per closing month, P10 ├ to P90 ┤ with P50 ●, per currency.",
               prepare: GallerySeed.forecastFigures) { board in
            board.press(.character("f"), .end)
        },
        Screen(name: "refused-stage", about: "As Lan, a salesperson, on a team server: ↑ e on New's header. The board says why in the status line instead of opening the editor (New is every team's stage).",
               access: GallerySeed.salesperson) { board in
            board.press(.up, .character("e"))
        },
        Screen(name: "refused-card", about: "As Lan: Shift-← on a colleague's deal. Refused, in a sentence that wraps above the status line where it is long.",
               access: GallerySeed.salesperson) { board in
            board.press(.shiftLeft)
        },
        Screen(name: "refused-new-team", about: "As Lan: t, a team that is not hers, Enter. The picker offers only her teams, and only an administrator adds one.",
               access: GallerySeed.salesperson) { board in
            board.press(.character("t"))
            board.type("Hà Nội")
            board.press(.enter)
        },
        Screen(name: "new-deal-server", about: "As Lan: n. On a server a new deal's salesperson starts as the login.",
               access: GallerySeed.salesperson) { board in
            board.press(.character("n"))
        },
        Screen(name: "help-salesperson", about: "As Lan: ? — the keys her role cannot use on this team say why, under their text.",
               access: GallerySeed.salesperson) { board in
            board.press(.character("?"))
            for _ in 0..<12 { board.press(.down) }
        },
        Screen(name: "activity-marks", about: "The entry stage's cards with a next step overdue (! and its date) and due today (● and its time); its header counts the overdue deal (!1).",
               prepare: GallerySeed.activities) { _ in },
        Screen(name: "my-pipeline", about: "m: only the user's own deals (three of them), the headers' sums and the status line's totals theirs.",
               prepare: GallerySeed.myDeals) { board in
            board.press(.character("m"))
        },
        Screen(name: "board-order", about: "o o o: every column ordered by expected revenue, largest first; the tab bar's right end says the order.",
               prepare: GallerySeed.activities) { board in
            board.press(.character("o"), .character("o"), .character("o"))
        },
        Screen(name: "activities", about: "4: my activities by due date, overdue first.", prepare: GallerySeed.activities) { board in
            board.press(.character("4"))
        },
        Screen(name: "activities-team", about: "4 m: the team's activities.", prepare: GallerySeed.activities) { board in
            board.press(.character("4"), .character("m"))
        },
        Screen(name: "activity-done", about: "4 d: done — its feedback, and the next activity its type suggests.", prepare: GallerySeed.activities) { board in
            board.press(.character("4"), .character("d"))
        },
        Screen(name: "activity-reschedule-error", about: "4 r, a word that is no date, Enter: the error beside the field.",
               prepare: GallerySeed.activities) { board in
            board.press(.character("4"), .character("r"))
            board.type("soon")
            board.press(.enter)
        },
        Screen(name: "activity-new", about: "a on a card: a new activity (type, summary, due date, time, assigned to).") { board in
            board.press(.character("a"))
        },
        Screen(name: "activity-new-error", about: "a Enter: an activity needs a summary; the error beside the field.") { board in
            board.press(.character("a"), .enter)
        },
        Screen(name: "too-small", about: "A terminal smaller than 40×12.",
               sizes: [Size(columns: 39, rows: 11), Size(columns: 30, rows: 20), Size(columns: 79, rows: 8)]) { _ in },
    ]

    /// Docs/screens/README.md: what the gallery is and the screens it holds.
    static var index: String {
        var text = """
            # Screens

            Every view and pane of the board as a salesperson sees it, written by `make screens`
            (`Tests/BoardUITests/ScreenGallery.swift`): each screen at 80×24, 120×30 and 200×50, in
            English and Vietnamese, on one small pipeline (long Vietnamese names, đồng and dollar
            deals, a CJK title, a won and a lost deal, leads with duplicates, a second team), drawn
            through the board's own renderer on a real temporary database. Each file frames a
            screen's cells with `+`, `-` and `|`, and says what has focus and where the cursor is.

            `make test` draws them again: a screen that differs from its file fails until it is
            re-recorded on purpose (`make screens`) and the diff reviewed like code. Every screen is
            also checked (`ScreenRules.swift`): each field of a form shows its label and its value
            (at 80×24 a form may scroll, but the focused field, its label and the cursor always
            show); no text is clipped without `…`, nor cut with `…` while its line has room for it;
            text wraps between words; nothing is drawn over a box's frame or a column's rule.

            | Screen | What it shows |
            |---|---|

            """
        for screen in screens { text += "| [\(screen.name)](\(screen.name).txt) | \(screen.about) |\n" }
        return text
    }

    /// One screen in one language and size: the grid, and what the rules say of it.
    static func render(_ screen: Screen, _ language: Language, _ size: Size) throws -> (grid: Grid, state: BoardState) {
        let board = try BoardHarness(size: size, language: language, direction: screen.direction, seed: { board in
            try GallerySeed.seed(board)
            try screen.prepare?(board)
        }, access: screen.access)
        try screen.script(board)
        return (board.grid, board.state)
    }

    /// What has focus, and where the cursor is: what the text of a screen cannot show.
    static func focus(_ state: BoardState, _ grid: Grid) -> String {
        var parts: [String] = []
        if let form = ScreenRules.openForm(state), form.fields.indices.contains(form.focused) {
            parts.append("focus on the field '\(form.fields[form.focused].label)'")
        } else if state.view == .leads, let lead = state.leads.selectedLead {
            parts.append("focus on the lead '\(lead.title)'")
        } else if state.view == .pipeline, let focus = state.focus, let stage = state.stage(focus.stage) {
            if let card = state.focusedCard {
                parts.append("focus on the card '\(card.title)' in \(stage.name)")
            } else {
                parts.append("focus on the header of \(stage.name)")
            }
        }
        if let cursor = grid.log.cursor { parts.append("cursor at column \(cursor.x + 1), row \(cursor.y + 1)") }
        return parts.joined(separator: "; ")
    }

    /// The file of a screen: its six renderings, each framed so that its size shows.
    static func file(_ screen: Screen, renderings: [(language: Language, size: Size, grid: Grid, focus: String)]) -> String {
        var text = "\(screen.name) — \(screen.about)\n"
        for (language, size, grid, focus) in renderings {
            let name = language == .english ? "English" : "Tiếng Việt"
            text += "\n\(name), \(size.columns)×\(size.rows)\(focus.isEmpty ? "" : " — " + focus)\n"
            let edge = "+" + String(repeating: "-", count: size.columns) + "+\n"
            text += edge
            for y in 0..<size.rows {
                var line = "|"
                for x in 0..<size.columns where !grid[x, y].isContinuation { line.append(grid[x, y].grapheme) }
                text += line + "|\n"
            }
            text += edge
        }
        return text
    }
}

/// The gallery's pipeline: long Vietnamese names, đồng and dollar deals, a CJK title, a won
/// and a lost deal, leads with duplicates of each strength, a second team.
enum GallerySeed {
    /// Activities on the entry stage's deals (one overdue, one today at 14:30, one planned,
    /// the user's and a colleague's), and rotting after 2 days there.
    @Sendable static func activities(_ board: BoardHarness) throws {
        let team = try board.database.currentTeam()
        let entry = try #require(try board.database.pipeline(for: team.id).stages.first { $0.outcome == .open })
        _ = try board.database.editStage(entry.id, StageEdit(rottingDays: .some(2)), context: ChangeContext(now: BoardHarness.now, user: "seed"))
        var deals: [Opportunity] = []
        try board.database.forEachOpportunity(OpportunityFilter(team: team.id, stage: entry.id)) { deals.append($0) }
        let types = try board.database.activityTypes()
        let day = { (offset: Int) in BoardHarness.now.utcDate.adding(days: offset) }
        let plans: [(Int, MinuteOfDay?, String, String)] = [
            (-2, nil, board.language == .vietnamese ? "Gọi lại xác nhận báo giá" : "Call back about the quote", "tester"),
            (0, MinuteOfDay(hour: 14, minute: 30), board.language == .vietnamese ? "Họp với phòng mua hàng" : "Meeting with purchasing", "tester"),
            (5, nil, board.language == .vietnamese ? "Gửi hợp đồng" : "Send the contract", "Lan"),
        ]
        for (deal, plan) in zip(deals, plans) {
            _ = try board.database.addActivity(to: deal.id, ActivityChanges(type: types[0].id, summary: plan.2, due: day(plan.0), time: .some(plan.1),
                                                                          assignedTo: plan.3), context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
    }

    /// The activities, and three deals of the gallery's user ("tester", who the board acts
    /// for): the two entry-stage deals with the user's activities and one further on, so that
    /// "my pipeline" shows real sums.
    @Sendable static func myDeals(_ board: BoardHarness) throws {
        try activities(board)
        let team = try board.database.currentTeam()
        let stages = try board.database.pipeline(for: team.id).stages.filter { $0.outcome == .open }
        var deals: [Opportunity] = []
        try board.database.forEachOpportunity(OpportunityFilter(team: team.id, stage: stages[0].id)) { deals.append($0) }
        var further: [Opportunity] = []
        try board.database.forEachOpportunity(OpportunityFilter(team: team.id, stage: stages[2].id)) { further.append($0) }
        let mine = try OpportunityForm(salesperson: "tester").validated(language: board.language, currency: try board.database.defaultCurrency())
        // A dollar deal further on, so its column's sum is in the header's currency.
        let dollars = further.first { $0.expectedRevenue.currency == .usd } ?? further.first
        for deal in Array(deals.prefix(2)) + (dollars.map { [$0] } ?? []) {
            _ = try board.database.editOpportunity(deal.id, mine, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
    }

    struct Deal {
        var title: String, customer: String, contact = "", email = ""
        var minor: Int64, currency: CurrencyCode
        var stage: Int, salesperson: String, stars = 0, daysAgo: Int64
        var closing: CalendarDate? = nil
    }

    static let deals: [Deal] = [
        Deal(title: "Acme renewal", customer: "Acme Corporation", contact: "Ana Smith", minor: 1_200_000, currency: .usd, stage: 0,
             salesperson: "Lan", stars: 2, daysAgo: 3),
        Deal(title: "Hợp đồng bảo trì hệ thống Vinamilk giai đoạn hai", customer: "Công ty Cổ phần Sữa Việt Nam",
             contact: "Nguyễn Thị Hương", email: "huong.nguyen@vinamilk.com.vn", minor: 1_500_000_000, currency: .vnd, stage: 0,
             salesperson: "Nguyễn Thị Hương", stars: 1, daysAgo: 1),
        Deal(title: "Initech pilot", customer: "Initech", contact: "Ana Smith", minor: 450_050, currency: .usd, stage: 1,
             salesperson: "Lan", daysAgo: 8),
        Deal(title: "北京办公室扩展项目", customer: "北京科技有限公司", minor: 25_000_000, currency: .usd, stage: 1,
             salesperson: "王小明", daysAgo: 5),
        Deal(title: "Umbrella audit", customer: "Umbrella", minor: 2_000_000, currency: .usd, stage: 2, salesperson: "Hoa", stars: 2,
             daysAgo: 2),
        Deal(title: "Phần mềm kế toán Ánh Dương", customer: "Công ty TNHH Ánh Dương", minor: 85_500_000, currency: .vnd, stage: 2,
             salesperson: "Trần Minh", stars: 3, daysAgo: 12, closing: CalendarDate(year: 2026, month: 12, day: 31)),
        Deal(title: "Stark tower", customer: "Stark Industries", minor: 5_000_000, currency: .usd, stage: 3, salesperson: "Minh",
             stars: 1, daysAgo: 1),
        Deal(title: "Wayne deal", customer: "Wayne Ent.", minor: 1_500_000, currency: .usd, stage: 4, salesperson: "Hoa", daysAgo: 30),
        Deal(title: "Acme expansion", customer: "Acme Corporation", contact: "Ana Smith", minor: 800_000, currency: .usd, stage: 0,
             salesperson: "Minh", daysAgo: 20),
    ]

    static func seed(_ board: BoardHarness) throws {
        let database = board.database
        let team = try database.currentTeam().id
        let stages = try database.pipeline(for: team).stages
        for deal in deals {
            var changes = OpportunityChanges()
            changes.title = deal.title
            changes.customerName = deal.customer
            changes.contactName = deal.contact
            changes.email = deal.email
            changes.expectedRevenue = Money(minorUnits: deal.minor, currency: deal.currency)
            changes.salesperson = deal.salesperson
            changes.priority = Priority(stars: deal.stars)
            if let closing = deal.closing { changes.expectedClosing = .some(closing) }
            let at = Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - deal.daysAgo * 86_400_000)
            _ = try database.addOpportunity(changes, team: team, stage: stages[deal.stage].id, context: ChangeContext(now: at, user: "seed"))
        }
        let lost = try database.opportunity("Acme expansion")
        _ = try database.markLost(lost.id, reason: board.language == .vietnamese ? "Khách chọn đối thủ" : "Chose a competitor",
                                  context: ChangeContext(now: BoardHarness.now, user: "seed"))
        try database.setSetting(.leads, to: "on")
        let leads: [(String, String, String, String, Int64, CurrencyCode, String, Int)] = [
            ("Acme website", "Acme Corporation", "", "ANA@acme.com", 500_000, .usd, "Lan", 0),
            ("Acme app", "Acme Corporation", "Ana Smith", "ana@acme.com", 200_000, .usd, "Lan", 1),
            ("Mở rộng kho lạnh miền Trung", "Công ty TNHH Thương mại Dịch vụ Hoàng Gia", "Trần Văn Khánh", "khanh.tran@hoanggia.vn",
             320_000_000, .vnd, "Nguyễn Thị Hương", 2),
        ]
        for (title, company, contact, email, minor, currency, salesperson, stars) in leads {
            var changes = OpportunityChanges()
            changes.title = title
            changes.customerName = company
            changes.contactName = contact
            changes.email = email
            changes.expectedRevenue = Money(minorUnits: minor, currency: currency)
            changes.salesperson = salesperson
            changes.priority = Priority(stars: stars)
            _ = try database.addLead(changes, team: team, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        _ = try database.addTeam(named: "Xuất khẩu Đà Nẵng", context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }

    /// Expected closing dates in three months (both currencies), and a deal won this month
    /// beside the seed's Wayne deal won last month: what the forecast screen's groupings,
    /// won months and ranges show.
    @Sendable static func forecastFigures(_ board: BoardHarness) throws {
        let database = board.database
        let closings: [(String, CalendarDate?)] = [
            ("Acme renewal", CalendarDate(year: 2026, month: 12, day: 15)), ("Initech pilot", CalendarDate(year: 2027, month: 1, day: 10)),
            ("Umbrella audit", CalendarDate(year: 2027, month: 1, day: 20)), ("Stark tower", CalendarDate(year: 2026, month: 12, day: 5)),
            (historyDeal, CalendarDate(year: 2027, month: 2, day: 28)),
        ]
        for (title, closing) in closings {
            var changes = OpportunityChanges()
            changes.expectedClosing = .some(closing)
            _ = try database.editOpportunity(try database.opportunity(title).id, changes, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        }
        let team = try database.currentTeam().id
        let won = try #require(try database.pipeline(for: team).stages.first { $0.outcome == .won })
        var changes = OpportunityChanges()
        changes.title = board.language == .vietnamese ? "Gia hạn bảo trì Globex" : "Globex support renewal"
        changes.customerName = "Globex"
        changes.expectedRevenue = Money(minorUnits: 900_000, currency: .usd)
        changes.salesperson = "Lan"
        let fiveDaysAgo = Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - 5 * 86_400_000)
        _ = try database.addOpportunity(changes, team: team, stage: won.id, context: ChangeContext(now: fiveDaysAgo, user: "seed"))
    }

    /// Nine deals created in the entry stage and closed from there, three won and six lost:
    /// with the seed's lost deal, its seen rate is 3 won of 10.
    @Sendable static func closedThroughEntry(_ board: BoardHarness) throws {
        let database = board.database
        let team = try database.currentTeam().id
        let entry = try #require(try database.pipeline(for: team).stages.first { $0.outcome == .open })
        let context = ChangeContext(now: BoardHarness.now, user: "seed")
        for index in 1...9 {
            var changes = OpportunityChanges()
            changes.title = (board.language == .vietnamese ? "Cơ hội cũ " : "Earlier deal ") + String(index)
            changes.expectedRevenue = Money(minorUnits: Int64(index) * 100_000, currency: .usd)
            let deal = try database.addOpportunity(changes, team: team, stage: entry.id,
                                                   context: ChangeContext(now: Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - 40 * 86_400_000), user: "seed"))
            if index <= 3 {
                _ = try database.markWon(deal.id, context: context)
            } else {
                _ = try database.markLost(deal.id, reason: board.language == .vietnamese ? "Giá cao" : "Price", context: context)
            }
        }
    }

    /// Lan, a salesperson of the first team, as a team server would say of her login.
    @Sendable static func salesperson(_ board: BoardHarness) throws -> Access {
        Access(login: "Lan", role: .salesperson, teams: [try board.database.currentTeam().id])
    }

    static let historyDeal = "Hợp đồng bảo trì hệ thống Vinamilk giai đoạn hai"

    /// The Vinamilk deal's life (created a day ago in New): moved to Qualified (its stage's
    /// probability with it), its amount and then its probability changed by hand, a call done
    /// with feedback, a meeting planned, two notes.
    @Sendable static func dealHistory(_ board: BoardHarness) throws {
        let database = board.database
        let vietnamese = board.language == .vietnamese
        let deal = try database.opportunity(historyDeal)
        let stages = try database.pipeline(for: database.currentTeam().id).stages
        let hoursAgo = { (hours: Int64) in
            ChangeContext(now: Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - hours * 3_600_000), user: "Lan")
        }
        try database.moveOpportunity(deal.id, to: stages[1].id, placement: .top, expectedVersion: nil, context: hoursAgo(6))
        var amount = OpportunityChanges()
        amount.expectedRevenue = Money(minorUnits: 1_800_000_000, currency: .vnd)
        _ = try database.editOpportunity(deal.id, amount, expectedVersion: nil, context: hoursAgo(5))
        var probability = OpportunityChanges()
        probability.probability = Probability(percent: 30)
        _ = try database.editOpportunity(deal.id, probability, expectedVersion: nil, context: hoursAgo(4))
        let call = try database.activityTypes()[0].id
        let done = try database.addActivity(to: deal.id, ActivityChanges(type: call, summary: vietnamese ? "Gọi chị Hương" : "Call Ms Hương",
                                                                         due: BoardHarness.now.utcDate, assignedTo: "Lan"), context: hoursAgo(5))
        _ = try database.completeActivity(done.id, feedback: vietnamese ? "Chị Hương muốn xem bản demo\ntrước Tết" : "She wants a demo\nbefore Tết",
                                          next: nil, expectedVersion: nil, context: hoursAgo(3))
        _ = try database.addActivity(to: deal.id, ActivityChanges(type: call, summary: vietnamese ? "Họp demo tại nhà máy" : "Demo at the plant",
                                                                  due: BoardHarness.now.utcDate.adding(days: 3), assignedTo: "Lan"),
                                     context: hoursAgo(3))
        _ = try database.addNote(to: deal.id, text: vietnamese ? "Ngân sách đã được duyệt" : "Budget approved", context: hoursAgo(2))
        _ = try database.addNote(to: deal.id, text: vietnamese ? "Xin bản PO đã ký trước ngày 20" : "Ask for the signed PO before the 20th",
                                 context: ChangeContext(now: Timestamp(millisecondsSince1970: BoardHarness.now.millisecondsSince1970 - 3_600_000),
                                                        user: "tester"))
    }

    /// Focus on the Vinamilk deal (now in Qualified) and open its page.
    static func openHistoryDeal(_ board: BoardHarness) throws {
        for key in [Key.left, .right] {
            for _ in 0..<6 where board.state.focusedCard?.title != historyDeal { board.press(key) }
        }
        try #require(board.state.focusedCard?.title == historyDeal)
        board.press(.enter)
    }

    /// Takes the guide's Negotiation out (its deal to Proposition), so `N` has a step to suggest.
    @Sendable static func removeNegotiation(_ board: BoardHarness) throws {
        let stages = try board.database.pipeline(for: board.database.currentTeam().id).stages
        _ = try board.database.removeStage(stages[3].id, movingTo: stages[2].id, context: ChangeContext(now: BoardHarness.now, user: "seed"))
    }
}
