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
    case filter, teamPicker, help, quit, back
    case showPipeline, showLeads, showForecast, nextView
    case sortLeads, convertLead
}

/// One key binding: the keys, how the help writes them, what they do.
public struct KeyBinding: Sendable {
    public enum Context: String, Sendable, CaseIterable {
        case board = "Board"
        case leads = "Leads view"
        case carrying = "Carrying a card or column"
        case editing = "Editors and prompts"
    }

    public var keys: [Key]
    public var label: String
    public var action: BoardAction?
    public var help: String
    public var context: Context
}

/// The one table of keys: it handles the keys, writes the footer hints, the `?` overlay
/// and Docs/keys.md, so the three can never disagree.
public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        // Board: arrows first, the letters of terminal Kanban tools as the same-meaning alternative.
        KeyBinding(keys: [.left, .character("h")], label: "← h", action: .focusLeft, help: "Focus the column to the left on screen", context: .board),
        KeyBinding(keys: [.right, .character("l")], label: "→ l", action: .focusRight, help: "Focus the column to the right on screen", context: .board),
        KeyBinding(keys: [.up, .character("k")], label: "↑ k", action: .focusUp, help: "Focus the card above (from the first card: the column's header)", context: .board),
        KeyBinding(keys: [.down, .character("j")], label: "↓ j", action: .focusDown, help: "Focus the card below", context: .board),
        KeyBinding(keys: [.home, .character("g")], label: "Home g", action: .focusFirst, help: "First card of the column", context: .board),
        KeyBinding(keys: [.end, .character("G")], label: "End G", action: .focusLast, help: "Last card of the column", context: .board),
        KeyBinding(keys: [.pageUp], label: "PgUp", action: .pageUp, help: "A page of cards up", context: .board),
        KeyBinding(keys: [.pageDown], label: "PgDn", action: .pageDown, help: "A page of cards down", context: .board),
        KeyBinding(keys: [.character(" ")], label: "Space", action: .pickUp, help: "Pick up the focused card (or the column, on its header) to carry it", context: .board),
        KeyBinding(keys: [.shiftLeft, .character("H")], label: "Shift+← H", action: .moveCardLeft, help: "Move the card to the stage on its left on screen", context: .board),
        KeyBinding(keys: [.shiftRight, .character("L")], label: "Shift+→ L", action: .moveCardRight, help: "Move the card to the stage on its right on screen", context: .board),
        KeyBinding(keys: [.shiftUp, .character("K")], label: "Shift+↑ K", action: .moveCardUp, help: "Move the card up in its column", context: .board),
        KeyBinding(keys: [.shiftDown, .character("J")], label: "Shift+↓ J", action: .moveCardDown, help: "Move the card down in its column", context: .board),
        KeyBinding(keys: [.character("<")], label: "<", action: .moveColumnLeft, help: "Move the focused column one place left on screen", context: .board),
        KeyBinding(keys: [.character(">")], label: ">", action: .moveColumnRight, help: "Move the focused column one place right on screen", context: .board),
        KeyBinding(keys: [.character("e")], label: "e", action: .editStage, help: "Edit the focused stage: name, probability, requirements…", context: .board),
        KeyBinding(keys: [.enter], label: "Enter", action: .activate, help: "On a header: edit the stage; on a card: edit the card", context: .board),
        KeyBinding(keys: [.character("N")], label: "N", action: .addColumn, help: "Add a column (suggests the stages that complete the pipeline)", context: .board),
        KeyBinding(keys: [.character("D")], label: "D", action: .deleteColumn, help: "Delete the focused column (asks; its cards must go somewhere)", context: .board),
        KeyBinding(keys: [.character("n")], label: "n", action: .newCard, help: "New opportunity in the focused column", context: .board),
        KeyBinding(keys: [.character("w")], label: "w", action: .markWon, help: "Mark the card won", context: .board),
        KeyBinding(keys: [.character("x")], label: "x", action: .markLost, help: "Mark the card lost (asks the reason)", context: .board),
        KeyBinding(keys: [.character("u")], label: "u", action: .undo, help: "Undo the last change of this session", context: .board),
        KeyBinding(keys: [.control("r")], label: "Ctrl-R", action: .redo, help: "Redo what was undone", context: .board),
        KeyBinding(keys: [.character("/")], label: "/", action: .filter, help: "Filter cards by title, customer or salesperson (Esc clears)", context: .board),
        KeyBinding(keys: [.character("t")], label: "t", action: .teamPicker, help: "Pick the team whose pipeline to show", context: .board),
        KeyBinding(keys: [.character("1")], label: "1", action: .showPipeline, help: "The pipeline", context: .board),
        KeyBinding(keys: [.character("2")], label: "2", action: .showLeads, help: "Leads (when turned on)", context: .board),
        KeyBinding(keys: [.character("3"), .character("f")], label: "3 f", action: .showForecast, help: "The forecast", context: .board),
        KeyBinding(keys: [.tab], label: "Tab", action: .nextView, help: "The next view", context: .board),
        KeyBinding(keys: [.character("?")], label: "?", action: .help, help: "This help", context: .board),
        KeyBinding(keys: [.escape], label: "Esc", action: .back, help: "Back one level: close, cancel, clear the filter", context: .board),
        KeyBinding(keys: [.character("q"), .control("c")], label: "q Ctrl-C", action: .quit, help: "Quit", context: .board),
        // The Leads view (view 2, while leads are on); the board's keys keep their meaning there.
        KeyBinding(keys: [.up, .down, .character("k"), .character("j")], label: "↑ ↓", action: nil, help: "Move through the leads (Home End PgUp PgDn too)", context: .leads),
        KeyBinding(keys: [.character("s")], label: "s", action: .sortLeads, help: "Sort by date, priority or revenue (cycles)", context: .leads),
        KeyBinding(keys: [], label: "/", action: nil, help: "Filter leads by title, company, contact or salesperson", context: .leads),
        KeyBinding(keys: [], label: "n", action: nil, help: "New lead", context: .leads),
        KeyBinding(keys: [], label: "Enter", action: nil, help: "Edit the lead", context: .leads),
        KeyBinding(keys: [], label: "x", action: nil, help: "Mark the lead lost (asks the reason)", context: .leads),
        KeyBinding(keys: [.character("c")], label: "c", action: .convertLead, help: "Convert into an opportunity (offers to merge duplicates)", context: .leads),
        // Carrying.
        KeyBinding(keys: [.left, .right, .up, .down, .character("h"), .character("l"), .character("k"), .character("j")],
                   label: "← → ↑ ↓", action: nil, help: "Carry it: the board shows where it would land", context: .carrying),
        KeyBinding(keys: [.character(" "), .enter], label: "Space Enter", action: .drop, help: "Drop it there (one change)", context: .carrying),
        KeyBinding(keys: [.escape], label: "Esc", action: .back, help: "Put it back where it was", context: .carrying),
        // Editing (documented; the editors handle these keys themselves).
        KeyBinding(keys: [], label: "Tab Shift+Tab", action: nil, help: "Next / previous field", context: .editing),
        KeyBinding(keys: [], label: "← → Home End", action: nil, help: "Move in the text; change a choice", context: .editing),
        KeyBinding(keys: [], label: "Backspace Delete", action: nil, help: "Delete before / at the cursor", context: .editing),
        KeyBinding(keys: [], label: "Ctrl-U", action: nil, help: "Clear the field", context: .editing),
        KeyBinding(keys: [], label: "Space", action: nil, help: "Switch an on/off field", context: .editing),
        KeyBinding(keys: [], label: "Enter", action: nil, help: "Save (in a multi-line field: a new line)", context: .editing),
        KeyBinding(keys: [], label: "Ctrl-S", action: nil, help: "Save from any field", context: .editing),
        KeyBinding(keys: [], label: "↑ ↓", action: nil, help: "Lines of a multi-line field; suggestions and lists", context: .editing),
        KeyBinding(keys: [], label: "Esc", action: nil, help: "Close without any change", context: .editing),
    ]

    /// What `key` means on the board (`context` `.board` or `.carrying`).
    public static func action(for key: Key, in context: KeyBinding.Context) -> BoardAction? {
        bindings.first { $0.context == context && $0.keys.contains(key) }?.action
    }

    /// The footer's short hints.
    public static let footerHints: [(String, String)] = [
        ("←→↑↓", "move"), ("Space", "carry"), ("e", "stage"), ("n", "new"), ("/", "filter"), ("?", "help"), ("q", "quit"),
    ]

    /// Docs/keys.md, generated: a test keeps the file equal to this.
    public static func markdown() -> String {
        var text = "# Keys\n\nGenerated from the board's key table (`Sources/BoardUI/KeyMap.swift`), which also handles the keys\nand draws the `?` help, so the three always agree. Arrows come first; the letters are the same-meaning\nalternatives that terminal Kanban tools use.\n"
        for context in KeyBinding.Context.allCases {
            text += "\n## \(context.rawValue)\n\n| Keys | What they do |\n|---|---|\n"
            for binding in bindings where binding.context == context {
                text += "| `\(binding.label)` | \(binding.help) |\n"
            }
        }
        text += "\n## Mouse\n\nWhere the terminal reports it: a click focuses a card or a column; dragging a card to another column moves it; dragging a header reorders the columns; the wheel scrolls the column under the pointer; hovering over a header shows its requirements.\n"
        return text
    }
}
