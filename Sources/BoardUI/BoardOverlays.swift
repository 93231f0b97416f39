import PipelineCore
import TerminalCore

/// What is drawn over the board: the requirements tooltip, the modal panes, the prompts
/// and the help.
enum BoardOverlays {
    static func draw(_ grid: inout Grid, _ state: BoardState) {
        switch state.mode {
        case .browsing, .carryingCard, .carryingColumn:
            if state.view == .pipeline { drawTooltip(&grid, state) }
        case .filtering:
            break
        case .stageEditor(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.stageEditor.hint"))
        case .cardEditor(let editor), .newCard(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.form.hint"))
        case .addColumn(let prompt):
            drawAddColumn(&grid, prompt, state)
        case .deleteColumn(let prompt):
            drawDeleteColumn(&grid, prompt, state)
        case .lostReason(_, let field):
            let box = centeredBox(grid.size, width: 60, height: 5)
            drawReason(&grid, field, box: box, title: state.t("overlay.lost.title"), state)
        case .teamPicker(let picker):
            drawTeamPicker(&grid, picker, state)
        case .help(let scroll):
            drawHelp(&grid, state, scroll: scroll)
        case .leadEditor(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.form.hint"))
        case .leadLostReason(_, let field):
            let box = centeredBox(grid.size, width: 60, height: 5)
            drawReason(&grid, field, box: box, title: state.t("overlay.leadLost.title"), state)
        case .convertLead(let wizard):
            let hint = wizard.duplicates.isEmpty ? state.t("overlay.convert.hint")
                : state.t("overlay.convert.hintDuplicates")
            drawForm(&grid, wizard.form, state, hint: hint)
        }
    }

    /// The lost-reason prompt of a card or a lead.
    static func drawReason(_ grid: inout Grid, _ field: TextField, box: Rect, title: String, _ state: BoardState) {
        frame(&grid, box, title: title, style: .modal)
        let label = state.t("overlay.lost.reason")
        let labelWidth = grid.write(label, x: box.x + 2, y: box.y + 2, style: .modal)
        drawLine(&grid, field, x: box.x + 3 + labelWidth, y: box.y + 2, width: box.width - 5 - labelWidth, focused: true)
        grid.write(fitting: state.t("overlay.lost.hint"), x: box.x + 2, y: box.y + 3, width: box.width - 4, style: .dim)
    }

    // MARK: - Tooltip

    /// The stage whose requirements show: the focused header, the hovered one, or where a
    /// carried card or column is.
    static func tooltipStage(_ state: BoardState) -> Stage? {
        switch state.mode {
        case .carryingCard(let carried): return state.stage(carried.target)
        case .carryingColumn(let carried): return state.stage(carried.stage)
        default:
            if let hovered = state.hoveredStage { return state.stage(hovered) }
            if case .header(let stage)? = state.focus, stage != state.dismissedTooltip { return state.stage(stage) }
            return nil
        }
    }

    /// A bordered box under the header, wrapped to a readable width, never off-screen.
    static func drawTooltip(_ grid: inout Grid, _ state: BoardState) {
        guard let stage = tooltipStage(state), !stage.requirements.isEmpty else { return }
        let stages = BoardRenderer.displayedStages(state)
        let focusIndex = stages.firstIndex { $0.id == stage.id }
        let layout = BoardLayout.columns(stages, width: state.size.columns, offset: state.horizontalOffset, focusIndex: focusIndex)
        guard let slot = layout.slots.first(where: { $0.stage == stage.id }) else { return }
        let width = min(grid.size.columns - 2, max(30, min(48, slot.width + 8)))
        let lines = TextWrap.lines(stage.requirements, width: width - 4)
        let maxHeight = grid.size.rows - 1 - BoardLayout.cardsTop
        let height = min(maxHeight, lines.count + 2)
        guard height >= 3 else { return }
        let x = max(0, min(slot.x, grid.size.columns - width))
        // While carrying, the box sits at the foot of the column so the landing place stays in view.
        var carrying = false
        switch state.mode {
        case .carryingCard, .carryingColumn: carrying = true
        default: break
        }
        let top = carrying ? max(BoardLayout.cardsTop, grid.size.rows - 2 - height) : BoardLayout.cardsTop
        let box = Rect(x: x, y: top, width: width, height: height)
        frame(&grid, box, title: state.t("overlay.requirements"), style: .tooltip)
        for (index, line) in lines.prefix(height - 2).enumerated() {
            let text = index == height - 3 && lines.count > height - 2 ? line + "…" : line
            grid.write(fitting: text, x: box.x + 2, y: box.y + 1 + index, width: box.width - 4, style: .tooltip)
        }
    }

    // MARK: - Boxes

    static func centeredBox(_ size: Size, width: Int, height: Int) -> Rect {
        let width = min(width, size.columns - 2)
        let height = min(height, size.rows - 2)
        return Rect(x: (size.columns - width) / 2, y: max(1, (size.rows - height) / 2), width: width, height: height)
    }

    /// A filled box with a border and a title on the top edge.
    static func frame(_ grid: inout Grid, _ box: Rect, title: String, style: Style) {
        grid.fill(box, style: style)
        guard box.width >= 2, box.height >= 2 else { return }
        grid.write("┌" + String(repeating: "─", count: box.width - 2) + "┐", x: box.x, y: box.y, style: style)
        grid.write("└" + String(repeating: "─", count: box.width - 2) + "┘", x: box.x, y: box.maxY - 1, style: style)
        for y in (box.y + 1)..<(box.maxY - 1) {
            grid.write("│", x: box.x, y: y, style: style)
            grid.write("│", x: box.maxX - 1, y: y, style: style)
        }
        grid.write(" \(title) ", x: box.x + 2, y: box.y, width: box.width - 4, style: style)
    }

    /// A one-line field, scrolled so the cursor shows; the cursor cell is highlighted.
    static func drawLine(_ grid: inout Grid, _ field: TextField, x: Int, y: Int, width: Int, focused: Bool) {
        guard width > 0 else { return }
        grid.fill(Rect(x: x, y: y, width: width, height: 1), style: focused ? .focusedField : .field)
        let (rows, _, cursor) = field.visualRows(width: 100_000)
        let text = rows.first ?? ""
        var skip = max(0, cursor - width + 1)
        var shown = Substring(text)
        while skip > 0, let first = shown.first { skip -= DisplayWidth.of(first); shown = shown.dropFirst() }
        grid.write(shown, x: x, y: y, width: width, style: focused ? .focusedField : .field)
        if focused {
            let cursorX = x + min(width - 1, cursor - (DisplayWidth.of(text) - DisplayWidth.of(shown)))
            grid.write(BoardRenderer.cursorGrapheme(field), x: cursorX, y: y, width: 2, style: .field)
        }
    }

    /// A multi-line field: wrapped rows, scrolled to keep the cursor in view.
    static func drawArea(_ grid: inout Grid, _ field: TextField, x: Int, y: Int, width: Int, height: Int, focused: Bool) {
        let style: Style = focused ? .focusedField : .field
        grid.fill(Rect(x: x, y: y, width: width, height: height), style: style)
        let (rows, cursorRow, cursorColumn) = field.visualRows(width: width)
        let first = max(0, cursorRow - height + 1)
        for (index, row) in rows.dropFirst(first).prefix(height).enumerated() {
            grid.write(fitting: row, x: x, y: y + index, width: width, style: style)
        }
        if focused, cursorRow - first < height {
            grid.write(BoardRenderer.cursorGrapheme(field), x: x + min(width - 1, cursorColumn), y: y + cursorRow - first, width: 2, style: .field)
        }
    }

    // MARK: - Forms

    static let areaHeight = 4

    static func drawForm(_ grid: inout Grid, _ form: Form, _ state: BoardState, hint: String) {
        let labelWidth = min(22, form.fields.map { DisplayWidth.of($0.label) }.max() ?? 10) + 1
        var height = 4
        let box0 = centeredBox(grid.size, width: 72, height: 1)
        let valueWidth0 = box0.maxX - 2 - (box0.x + 2 + labelWidth + 1)
        func errorLines(_ field: FormField) -> [String] {
            field.error.map { TextWrap.lines("⚠ " + $0, width: max(10, valueWidth0)) } ?? []
        }
        for field in form.fields { height += (field.isMultiline ? areaHeight : 1) + errorLines(field).count }
        let box = centeredBox(grid.size, width: 72, height: height)
        frame(&grid, box, title: form.title, style: .modal)
        let valueX = box.x + 2 + labelWidth + 1
        let valueWidth = box.maxX - 2 - valueX
        var y = box.y + 1
        // When the pane is shorter than the form, start where the focused field shows.
        var skip = 0
        var rowsBeforeFocus = 0
        for field in form.fields.prefix(form.focused) { rowsBeforeFocus += (field.isMultiline ? areaHeight : 1) + errorLines(field).count }
        let room = box.height - 3
        if rowsBeforeFocus + areaHeight + 1 > room { skip = rowsBeforeFocus + areaHeight + 1 - room }
        for (index, field) in form.fields.enumerated() {
            let rows = field.isMultiline ? areaHeight : 1
            let focused = index == form.focused
            if skip > 0 {
                skip -= rows + errorLines(field).count
                continue
            }
            guard y + rows < box.maxY - 1 else { break }
            grid.write(fitting: field.label, x: box.x + 2, y: y, width: labelWidth, style: focused ? .focusedHeader : .modal)
            switch field.kind {
            case .text(let text):
                if text.multiline {
                    drawArea(&grid, text, x: valueX, y: y, width: valueWidth, height: rows, focused: focused)
                } else {
                    drawLine(&grid, text, x: valueX, y: y, width: valueWidth, focused: focused)
                }
            case .choice(let values, let selected):
                var x = valueX
                for (choice, value) in values.enumerated() {
                    let label = choice == selected ? "◉ \(value)" : "○ \(value)"
                    x += grid.write(label, x: x, y: y, width: max(0, box.maxX - 2 - x), style: choice == selected && focused ? .focusedField : .field) + 2
                }
            case .toggle(let on):
                let text = (on ? "[x] " : "[ ] ") + (field.caption ?? state.t(on ? "overlay.yes" : "overlay.no"))
                grid.write(fitting: text, x: valueX, y: y, width: valueWidth, style: focused ? .focusedField : .field)
            }
            y += rows
            for line in errorLines(field) where y < box.maxY - 2 {
                grid.write(fitting: line, x: valueX, y: y, width: valueWidth, style: .error)
                y += 1
            }
        }
        grid.write(fitting: hint, x: box.x + 2, y: box.maxY - 2, width: box.width - 4, style: .dim)
    }

    static func drawAddColumn(_ grid: inout Grid, _ prompt: ColumnPrompt, _ state: BoardState) {
        let box = centeredBox(grid.size, width: 60, height: 7 + max(1, prompt.suggestions.count) + (prompt.error == nil ? 0 : 1))
        frame(&grid, box, title: state.t("overlay.addColumn.title"), style: .modal)
        let labelWidth = grid.write(state.t("overlay.addColumn.name"), x: box.x + 2, y: box.y + 1, style: .modal)
        drawLine(&grid, prompt.name, x: box.x + 3 + labelWidth, y: box.y + 1, width: box.width - 5 - labelWidth, focused: prompt.selected == nil)
        var y = box.y + 2
        if let error = prompt.error {
            grid.write("⚠ " + error, x: box.x + 2, y: y, width: box.width - 4, style: .error)
            y += 1
        }
        grid.write(state.t(prompt.suggestions.isEmpty ? "overlay.addColumn.complete" : "overlay.addColumn.suggested"),
                   x: box.x + 2, y: y, width: box.width - 4, style: .dim)
        y += 1
        for (index, step) in prompt.suggestions.enumerated() where y < box.maxY - 2 {
            let label = "\(step.name(in: state.language))  \(step.probability)\(step.outcome == .open ? "" : " (\(step.outcome.name(in: state.language)))")"
            grid.write(fitting: label, x: box.x + 4, y: y, width: box.width - 6, style: index == prompt.selected ? .focusedField : .modal)
            y += 1
        }
        let added = prompt.added > 0 ? state.t("overlay.addColumn.added", prompt.added) : ""
        grid.write(added + state.t("overlay.addColumn.hint"), x: box.x + 2, y: box.maxY - 2, width: box.width - 4, style: .dim)
    }

    static func drawDeleteColumn(_ grid: inout Grid, _ prompt: DeleteColumnPrompt, _ state: BoardState) {
        let listed = prompt.cardCount > 0 ? prompt.destinations.count : 0
        let box = centeredBox(grid.size, width: 60, height: 6 + listed)
        frame(&grid, box, title: state.t("overlay.delete.title"), style: .modal)
        grid.write(state.t("overlay.delete.question", prompt.stage.name), x: box.x + 2, y: box.y + 1, width: box.width - 4, style: .modal)
        if prompt.cardCount > 0 {
            let count = prompt.cardCount == 1 ? state.t("overlay.delete.one") : state.t("overlay.delete.many", prompt.cardCount)
            grid.write(fitting: count, x: box.x + 2, y: box.y + 2, width: box.width - 4, style: .modal)
            for (index, stage) in prompt.destinations.enumerated() where box.y + 3 + index < box.maxY - 2 {
                grid.write(fitting: stage.name, x: box.x + 4, y: box.y + 3 + index, width: box.width - 6,
                           style: index == prompt.selected ? .focusedField : .modal)
            }
        } else {
            grid.write(state.t("overlay.delete.empty"), x: box.x + 2, y: box.y + 2, width: box.width - 4, style: .dim)
        }
        grid.write(state.t(prompt.cardCount > 0 ? "overlay.delete.hintChoose" : "overlay.delete.hint"),
                   x: box.x + 2, y: box.maxY - 2, width: box.width - 4, style: .dim)
    }

    static func drawTeamPicker(_ grid: inout Grid, _ picker: TeamPicker, _ state: BoardState) {
        let matches = picker.matches(in: state.teams)
        let box = centeredBox(grid.size, width: 50, height: 5 + max(1, min(matches.count, 12)))
        frame(&grid, box, title: state.t("overlay.teams.title"), style: .modal)
        let labelWidth = grid.write(state.t("overlay.teams.search"), x: box.x + 2, y: box.y + 1, style: .modal)
        drawLine(&grid, picker.search, x: box.x + 3 + labelWidth, y: box.y + 1, width: box.width - 5 - labelWidth, focused: true)
        if matches.isEmpty {
            let name = picker.search.text.trimmingCharacters(in: " ")
            let offer = name.isEmpty ? state.t("overlay.teams.none") : state.t("overlay.teams.create", name)
            grid.write(fitting: offer, x: box.x + 4, y: box.y + 2, width: box.width - 6, style: name.isEmpty ? .dim : .focusedField)
        }
        for (index, team) in matches.prefix(12).enumerated() {
            let current = team.id == state.team.id ? state.t("overlay.teams.shown") : ""
            grid.write(fitting: team.name + current, x: box.x + 4, y: box.y + 2 + index, width: box.width - 6,
                       style: index == picker.selected ? .focusedField : .modal)
        }
        grid.write(state.t("overlay.teams.hint"), x: box.x + 2, y: box.maxY - 2, width: box.width - 4, style: .dim)
    }

    // MARK: - Help

    /// One line of the help: a context's title, or a binding's keys with (a line of) its text.
    struct HelpLine: Equatable {
        var keys: String
        var text: String
        var isTitle: Bool
    }

    static func helpBox(_ size: Size) -> Rect {
        Rect(x: 1, y: 1, width: max(0, size.columns - 2), height: max(0, size.rows - 2))
    }

    /// The rows the help shows at once.
    static func helpRows(_ size: Size) -> Int { max(1, helpBox(size).height - 2) }

    /// The widest keys of the table (`Backspace Delete`): no key name is ever cut.
    static let helpKeyWidth = KeyMap.bindings.map { DisplayWidth.of($0.label) }.max() ?? 14

    /// Every binding of the key table, its text wrapped to the box: nothing is cut, the
    /// overlay scrolls instead.
    static func helpLines(_ state: BoardState) -> [HelpLine] {
        let textWidth = max(8, helpBox(state.size).width - 4 - helpKeyWidth - 1)
        var lines: [HelpLine] = []
        for context in KeyBinding.Context.allCases {
            if !lines.isEmpty { lines.append(HelpLine(keys: "", text: "", isTitle: false)) }
            lines.append(HelpLine(keys: context.title(in: state.language), text: "", isTitle: true))
            for binding in KeyMap.bindings where binding.context == context {
                for (index, text) in TextWrap.lines(binding.help(in: state.language), width: textWidth).enumerated() {
                    lines.append(HelpLine(keys: index == 0 ? binding.label : "", text: text, isTitle: false))
                }
            }
        }
        return lines
    }

    static func drawHelp(_ grid: inout Grid, _ state: BoardState, scroll: Int) {
        let box = helpBox(grid.size)
        frame(&grid, box, title: state.t("overlay.help.title"), style: .modal)
        let lines = helpLines(state)
        let rows = helpRows(grid.size)
        let first = min(max(0, scroll), max(0, lines.count - rows))
        for (offset, line) in lines.dropFirst(first).prefix(rows).enumerated() {
            let y = box.y + 1 + offset, x = box.x + 2
            if line.isTitle {
                grid.write(fitting: line.keys, x: x, y: y, width: box.width - 4, style: .focusedHeader)
            } else {
                grid.write(fitting: line.keys, x: x, y: y, width: helpKeyWidth, style: .header)
                grid.write(fitting: line.text, x: x + helpKeyWidth + 1, y: y, width: max(1, box.width - 5 - helpKeyWidth), style: .modal)
            }
        }
        if first > 0 { grid.write("▲", x: box.maxX - 2, y: box.y + 1, style: .marker) }
        if first + rows < lines.count { grid.write("▼", x: box.maxX - 2, y: box.maxY - 2, style: .marker) }
    }
}
