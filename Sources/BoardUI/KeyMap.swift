import PipelineCore
import TerminalCore

/// What the user means, whatever key said it.
public enum BoardAction: Hashable, Sendable {
    case focusLeft, focusRight, focusUp, focusDown, focusFirst, focusLast, pageUp, pageDown
    case pickUp, drop
    case moveCardLeft, moveCardRight, moveCardUp, moveCardDown
    case moveColumnLeft, moveColumnRight
    case editStage, activate
    case addColumn, deleteColumn
    case newCard, markWon, markLost
    case undo, redo
    case filter, teamPicker, settings, help, quit, back
    case showPipeline, showLeads, showForecast, showActivities, nextView
    case sortLeads, convertLead
    case addActivity, myPipeline, cycleOrder
    case completeActivity, rescheduleActivity, postponeDay, postponeWeek, activityScope
    case cycleForecastGrouping
}

/// One key binding: the keys, how the help writes them, what they do.
public struct KeyBinding: Sendable {
    public enum Context: String, Sendable, CaseIterable {
        case board, marks, leads, forecast, activities, page, carrying, editing

        public func title(in language: Language) -> String { Catalogue.text("keys.context.\(rawValue)", language) }
    }

    public var keys: [Key]
    /// Key names as printed on the keyboard: the same in every language.
    public var label: String
    public var action: BoardAction?
    /// The catalogue key of what the binding does.
    public var help: String
    public var context: Context

    public func help(in language: Language) -> String { Catalogue.text(help, language) }
}

/// The one table of keys: it handles the keys, writes the footer hints, the `?` overlay
/// and Docs/keys.md, so the three can never disagree.
public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        // Board: arrows first, the letters of terminal Kanban tools as the same-meaning alternative.
        KeyBinding(keys: [.left, .character("h")], label: "← h", action: .focusLeft, help: "key.board.focusLeft", context: .board),
        KeyBinding(keys: [.right, .character("l")], label: "→ l", action: .focusRight, help: "key.board.focusRight", context: .board),
        KeyBinding(keys: [.up, .character("k")], label: "↑ k", action: .focusUp, help: "key.board.focusUp", context: .board),
        KeyBinding(keys: [.down, .character("j")], label: "↓ j", action: .focusDown, help: "key.board.focusDown", context: .board),
        KeyBinding(keys: [.home, .character("g")], label: "Home g", action: .focusFirst, help: "key.board.focusFirst", context: .board),
        KeyBinding(keys: [.end, .character("G")], label: "End G", action: .focusLast, help: "key.board.focusLast", context: .board),
        KeyBinding(keys: [.pageUp], label: "PgUp", action: .pageUp, help: "key.board.pageUp", context: .board),
        KeyBinding(keys: [.pageDown], label: "PgDn", action: .pageDown, help: "key.board.pageDown", context: .board),
        KeyBinding(keys: [.character(" ")], label: "Space", action: .pickUp, help: "key.board.pickUp", context: .board),
        KeyBinding(keys: [.shiftLeft, .character("H")], label: "Shift+← H", action: .moveCardLeft, help: "key.board.moveCardLeft", context: .board),
        KeyBinding(keys: [.shiftRight, .character("L")], label: "Shift+→ L", action: .moveCardRight, help: "key.board.moveCardRight", context: .board),
        KeyBinding(keys: [.shiftUp, .character("K")], label: "Shift+↑ K", action: .moveCardUp, help: "key.board.moveCardUp", context: .board),
        KeyBinding(keys: [.shiftDown, .character("J")], label: "Shift+↓ J", action: .moveCardDown, help: "key.board.moveCardDown", context: .board),
        KeyBinding(keys: [.character("<")], label: "<", action: .moveColumnLeft, help: "key.board.moveColumnLeft", context: .board),
        KeyBinding(keys: [.character(">")], label: ">", action: .moveColumnRight, help: "key.board.moveColumnRight", context: .board),
        KeyBinding(keys: [.character("e")], label: "e", action: .editStage, help: "key.board.editStage", context: .board),
        KeyBinding(keys: [.enter], label: "Enter", action: .activate, help: "key.board.activate", context: .board),
        KeyBinding(keys: [.character("N")], label: "N", action: .addColumn, help: "key.board.addColumn", context: .board),
        KeyBinding(keys: [.character("D")], label: "D", action: .deleteColumn, help: "key.board.deleteColumn", context: .board),
        KeyBinding(keys: [.character("n")], label: "n", action: .newCard, help: "key.board.newCard", context: .board),
        KeyBinding(keys: [.character("w")], label: "w", action: .markWon, help: "key.board.markWon", context: .board),
        KeyBinding(keys: [.character("x")], label: "x", action: .markLost, help: "key.board.markLost", context: .board),
        KeyBinding(keys: [.character("u")], label: "u", action: .undo, help: "key.board.undo", context: .board),
        KeyBinding(keys: [.control("r")], label: "Ctrl-R", action: .redo, help: "key.board.redo", context: .board),
        KeyBinding(keys: [.character("/")], label: "/", action: .filter, help: "key.board.filter", context: .board),
        KeyBinding(keys: [.character("t")], label: "t", action: .teamPicker, help: "key.board.teamPicker", context: .board),
        KeyBinding(keys: [.character("S")], label: "S", action: .settings, help: "key.board.settings", context: .board),
        KeyBinding(keys: [.character("1")], label: "1", action: .showPipeline, help: "key.board.showPipeline", context: .board),
        KeyBinding(keys: [.character("2")], label: "2", action: .showLeads, help: "key.board.showLeads", context: .board),
        KeyBinding(keys: [.character("3"), .character("f")], label: "3 f", action: .showForecast, help: "key.board.showForecast", context: .board),
        KeyBinding(keys: [.character("4")], label: "4", action: .showActivities, help: "key.board.showActivities", context: .board),
        KeyBinding(keys: [.character("a")], label: "a", action: .addActivity, help: "key.board.addActivity", context: .board),
        KeyBinding(keys: [.character("m")], label: "m", action: .myPipeline, help: "key.board.myPipeline", context: .board),
        KeyBinding(keys: [.character("o")], label: "o", action: .cycleOrder, help: "key.board.cycleOrder", context: .board),
        KeyBinding(keys: [.tab], label: "Tab", action: .nextView, help: "key.board.nextView", context: .board),
        KeyBinding(keys: [.character("?")], label: "?", action: .help, help: "key.board.help", context: .board),
        KeyBinding(keys: [.escape], label: "Esc", action: .back, help: "key.board.back", context: .board),
        KeyBinding(keys: [.character("q"), .control("c")], label: "q Ctrl-C", action: .quit, help: "key.board.quit", context: .board),
        // Marks on cards and headers: no key, what each glyph means (colour is not needed to tell them apart).
        KeyBinding(keys: [], label: "!", action: nil, help: "key.marks.overdue", context: .marks),
        KeyBinding(keys: [], label: "●", action: nil, help: "key.marks.today", context: .marks),
        KeyBinding(keys: [], label: "○", action: nil, help: "key.marks.planned", context: .marks),
        KeyBinding(keys: [], label: "▼", action: nil, help: "key.marks.rotting", context: .marks),
        // The Leads view (view 2, while leads are on); the board's keys keep their meaning there.
        KeyBinding(keys: [.up, .down, .character("k"), .character("j")], label: "↑ ↓", action: nil, help: "key.leads.move", context: .leads),
        KeyBinding(keys: [.character("s")], label: "s", action: .sortLeads, help: "key.leads.sortLeads", context: .leads),
        KeyBinding(keys: [], label: "/", action: nil, help: "key.leads.filter", context: .leads),
        KeyBinding(keys: [], label: "n", action: nil, help: "key.leads.newLead", context: .leads),
        KeyBinding(keys: [], label: "Enter", action: nil, help: "key.leads.edit", context: .leads),
        KeyBinding(keys: [], label: "x", action: nil, help: "key.leads.markLost", context: .leads),
        KeyBinding(keys: [.character("c")], label: "c", action: .convertLead, help: "key.leads.convertLead", context: .leads),
        // The forecast view (view 3); the board's view keys keep their meaning there.
        KeyBinding(keys: [.character("b")], label: "b", action: .cycleForecastGrouping, help: "key.forecast.grouping", context: .forecast),
        KeyBinding(keys: [], label: "↑ ↓ PgUp PgDn", action: nil, help: "key.forecast.scroll", context: .forecast),
        // The activities view (view 4); the board's keys keep their meaning there.
        KeyBinding(keys: [], label: "↑ ↓ PgUp PgDn", action: nil, help: "key.activities.move", context: .activities),
        KeyBinding(keys: [], label: "Enter", action: nil, help: "key.activities.toDeal", context: .activities),
        KeyBinding(keys: [.character("d")], label: "d", action: .completeActivity, help: "key.activities.complete", context: .activities),
        KeyBinding(keys: [.character("r")], label: "r", action: .rescheduleActivity, help: "key.activities.reschedule", context: .activities),
        KeyBinding(keys: [.character("+")], label: "+", action: .postponeDay, help: "key.activities.postponeDay", context: .activities),
        KeyBinding(keys: [.character("w")], label: "w", action: .postponeWeek, help: "key.activities.postponeWeek", context: .activities),
        KeyBinding(keys: [.character("m")], label: "m", action: .activityScope, help: "key.activities.scope", context: .activities),
        // The deal's page (Enter on a card); it handles these keys itself.
        KeyBinding(keys: [], label: "Tab Shift+Tab", action: nil, help: "key.page.section", context: .page),
        KeyBinding(keys: [], label: "↑ ↓", action: nil, help: "key.page.move", context: .page),
        KeyBinding(keys: [], label: "PgUp PgDn", action: nil, help: "key.page.scroll", context: .page),
        KeyBinding(keys: [], label: "Home End", action: nil, help: "key.page.ends", context: .page),
        KeyBinding(keys: [], label: "Enter Ctrl-S", action: nil, help: "key.page.save", context: .page),
        KeyBinding(keys: [], label: "a", action: nil, help: "key.page.plan", context: .page),
        KeyBinding(keys: [], label: "d", action: nil, help: "key.page.done", context: .page),
        KeyBinding(keys: [], label: "x Delete", action: nil, help: "key.page.deleteNote", context: .page),
        KeyBinding(keys: [], label: "Esc", action: nil, help: "key.page.back", context: .page),
        // Carrying.
        KeyBinding(keys: [.left, .right, .up, .down, .character("h"), .character("l"), .character("k"), .character("j")],
                   label: "← → ↑ ↓", action: nil, help: "key.carrying.carry", context: .carrying),
        KeyBinding(keys: [.character(" "), .enter], label: "Space Enter", action: .drop, help: "key.carrying.drop", context: .carrying),
        KeyBinding(keys: [.escape], label: "Esc", action: .back, help: "key.carrying.back", context: .carrying),
        // Editing (documented; the editors handle these keys themselves).
        KeyBinding(keys: [], label: "Tab Shift+Tab", action: nil, help: "key.editing.nextField", context: .editing),
        KeyBinding(keys: [], label: "← → Home End", action: nil, help: "key.editing.moveInText", context: .editing),
        KeyBinding(keys: [], label: "Backspace Delete", action: nil, help: "key.editing.delete", context: .editing),
        KeyBinding(keys: [], label: "Ctrl-U", action: nil, help: "key.editing.clear", context: .editing),
        KeyBinding(keys: [], label: "Space", action: nil, help: "key.editing.toggle", context: .editing),
        KeyBinding(keys: [], label: "Enter", action: nil, help: "key.editing.enter", context: .editing),
        KeyBinding(keys: [], label: "Ctrl-S", action: nil, help: "key.editing.save", context: .editing),
        KeyBinding(keys: [], label: "Ctrl-O", action: nil, help: "key.editing.adoptSeenRate", context: .editing),
        KeyBinding(keys: [], label: "↑ ↓", action: nil, help: "key.editing.lines", context: .editing),
        KeyBinding(keys: [], label: "Esc", action: nil, help: "key.editing.close", context: .editing),
    ]

    /// What `key` means on the board (`context` `.board` or `.carrying`).
    public static func action(for key: Key, in context: KeyBinding.Context) -> BoardAction? {
        bindings.first { $0.context == context && $0.keys.contains(key) }?.action
    }

    /// A short hint of the footer: the key and the catalogue key of its word.
    public typealias FooterHint = (key: String, word: String)

    /// The board's footer hints, in the order they show.
    static let footerHints: [FooterHint] = [
        ("←→↑↓", "footer.move"), ("Space", "footer.carry"), ("e", "footer.stage"), ("n", "footer.new"),
        ("/", "footer.filter"), ("S", "footer.settings"), ("?", "footer.help"), ("q", "footer.quit"),
    ]

    /// The Leads view's footer hints; `s`'s word names the order in force.
    static let leadsFooterHints: [FooterHint] = [
        ("↑↓", "footer.move"), ("s", "footer.sort"), ("/", "footer.filter"), ("n", "footer.new"), ("Enter", "footer.edit"),
        ("x", "footer.lost"), ("c", "footer.convert"), ("?", "footer.help"),
    ]

    /// View 3's footer hints; `b`'s word names the grouping in force.
    static let forecastFooterHints: [FooterHint] = [
        ("b", "footer.by"), ("↑↓", "footer.scroll"), ("?", "footer.help"), ("q", "footer.quit"),
    ]

    /// View 4's footer hints.
    static let activitiesFooterHints: [FooterHint] = [
        ("↑↓", "footer.move"), ("Enter", "footer.toDeal"), ("d", "footer.done"), ("r", "footer.reschedule"),
        ("+ w", "footer.postpone"), ("m", "footer.whose"), ("?", "footer.help"),
    ]

    /// Which hints give way first when the footer is short of room; `? help` never does.
    static let footerDropOrder = ["S", "/", "e", "x", "Enter", "Space", "s", "m", "+ w", "←→↑↓", "↑↓", "r", "n", "c", "d", "q", "b"]

    public static func footer(_ hints: [FooterHint], in language: Language, order: String = "") -> String {
        hints.map { "\($0.key) \(Catalogue.text($0.word, language, [order]))" }.joined(separator: "  ")
    }

    /// Docs/keys.md (English) and Docs/keys.vi.md, generated: a test keeps the files equal to this.
    public static func markdown(in language: Language = .english) -> String {
        let t = Localizer(language)
        var text = t("keys.doc.intro")
        for context in KeyBinding.Context.allCases {
            text += "\n## \(context.title(in: language))\n\n| \(t("keys.doc.keys")) | \(t("keys.doc.what")) |\n|---|---|\n"
            for binding in bindings where binding.context == context {
                text += "| `\(binding.label)` | \(binding.help(in: language)) |\n"
            }
        }
        text += t("keys.doc.mouse")
        return text
    }
}
