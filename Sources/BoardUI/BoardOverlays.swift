import PipelineCore
import TerminalCore

/// What is drawn over the board: the requirements tooltip, the modal panes, the prompts
/// and the help.
enum BoardOverlays {
    static func draw(_ grid: inout Grid, _ state: BoardState) {
        switch state.mode {
        case .browsing, .carryingCard, .carryingColumn:
            if state.view == .pipeline, state.page == nil { drawTooltip(&grid, state) }
        case .filtering:
            break
        case .stageEditor(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.stageEditor.hint"))
        case .cardEditor(let editor):
            // On the deal's page the form is drawn in place, in its fields section.
            guard state.page == nil else { break }
            drawForm(&grid, editor.form, state, hint: state.t("overlay.form.hint"))
        case .newCard(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.newCard.hint"))
        case .addColumn(let prompt):
            drawAddColumn(&grid, prompt, state)
        case .deleteColumn(let prompt):
            drawDeleteColumn(&grid, prompt, state)
        case .lostReason(let prompt), .leadLostReason(let prompt):
            drawForm(&grid, prompt.form, state, hint: state.t("overlay.lost.hint"))
        case .teamPicker(let picker):
            drawTeamPicker(&grid, picker, state)
        case .help(let scroll):
            drawHelp(&grid, state, scroll: scroll)
        case .leadEditor(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.form.hint"))
        case .convertLead(let wizard):
            let hint = wizard.duplicates.isEmpty ? state.t("overlay.convert.hint")
                : state.t("overlay.convert.hintDuplicates")
            drawForm(&grid, wizard.form, state, hint: hint)
        case .settings(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.settings.hint"))
        case .activityEditor(let editor):
            drawForm(&grid, editor.form, state, hint: state.t("overlay.activity.hint"))
        case .completeActivity(let pane):
            drawForm(&grid, pane.form, state, hint: state.t("overlay.completion.hint"))
        case .reschedule(let prompt):
            drawForm(&grid, prompt.form, state, hint: state.t("overlay.reschedule.hint"))
        }
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

    /// The stage's seen rate as the tooltip says it, once the board has read it.
    static func seenLine(_ stage: Stage, _ state: BoardState) -> String? {
        guard let observations = state.observations else { return nil }
        return StageEditor.note(observations[stage.id] ?? StageObservation(stage: stage.id), probability: stage.probability,
                                language: state.language)
    }

    /// A bordered box under the header, wrapped to a readable width, never off-screen: the
    /// stage's requirements, then its probability beside its seen rate.
    static func drawTooltip(_ grid: inout Grid, _ state: BoardState) {
        guard let stage = tooltipStage(state) else { return }
        let seen = seenLine(stage, state) ?? ""
        let paragraphs = [stage.requirements, seen].filter { !$0.isEmpty }
        guard !paragraphs.isEmpty else { return }
        let stages = BoardRenderer.displayedStages(state)
        let focusIndex = stages.firstIndex { $0.id == stage.id }
        let layout = BoardLayout.columns(stages, width: state.size.columns, offset: state.horizontalOffset, focusIndex: focusIndex)
        guard let slot = layout.slots.first(where: { $0.stage == stage.id }) else { return }
        let width = min(grid.size.columns - 2, max(30, min(48, slot.width + 8)))
        // The seen line's "(n 42, 24–39 %)" moves to the next line whole rather than breaking.
        let wrapped = paragraphs.map { TextWrap.lines($0, width: width - 4, keepingParenthesesWhole: $0 == seen) }
        let lines = wrapped.flatMap { $0 }
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
        frame(&grid, box, title: state.t(stage.requirements.isEmpty ? "overlay.seenRate" : "overlay.requirements"), style: .tooltip)
        for (paragraph, rows) in zip(paragraphs, wrapped) {
            grid.log.wraps.append(DrawingLog.Wrap(text: paragraph, rows: rows, width: width - 4))
        }
        for (index, line) in lines.prefix(height - 2).enumerated() {
            // The last row that fits says "…" when more was cut.
            let cut = index == height - 3 && lines.count > height - 2
            grid.write(fitting: cut ? line + " " + lines[index + 1] : line, x: box.x + 2, y: box.y + 1 + index, width: box.width - 4,
                       style: .tooltip)
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
        grid.log.frames.append(box)
        guard box.width >= 2, box.height >= 2 else { return }
        grid.write("┌" + String(repeating: "─", count: box.width - 2) + "┐", x: box.x, y: box.y, style: style)
        grid.write("└" + String(repeating: "─", count: box.width - 2) + "┘", x: box.x, y: box.maxY - 1, style: style)
        for y in (box.y + 1)..<(box.maxY - 1) {
            grid.write("│", x: box.x, y: y, style: style)
            grid.write("│", x: box.maxX - 1, y: y, style: style)
        }
        grid.write(fitting: " \(title) ", x: box.x + 2, y: box.y, width: box.width - 4, style: style)
    }

    // MARK: - Forms

    /// Rows of a multi-line field (requirements, notes).
    static let areaHeight = 4
    /// A one-line field's value wraps onto at most this many rows (then scrolls).
    static let lineRows = 3
    static let formWidth = 72

    /// One field as laid out in a form: its label (wrapped when longer than the label
    /// column), its value's rows, its error (wrapped beside the value).
    struct FieldBlock: Equatable {
        var index: Int
        var labelRows: [String]
        var valueRows: Int
        var noteRows: [String] = []
        var errorRows: [String]
        var height: Int { max(labelRows.count, valueRows) + noteRows.count + errorRows.count }
    }

    /// The label column: as wide as the longest label, but never more than two fifths of
    /// the form (a longer label wraps onto a second row).
    static func labelWidth(_ form: Form, innerWidth: Int) -> Int {
        min(max(4, innerWidth * 2 / 5), form.fields.map { DisplayWidth.of($0.label) }.max() ?? 10)
    }

    /// The choices of a choice field packed into rows of `width` cells (`◉ value  ○ value`).
    static func choiceRows(_ values: [String], selected: Int, width: Int) -> [[(index: Int, text: String)]] {
        var rows: [[(index: Int, text: String)]] = [[]]
        var used = 0
        for (index, value) in values.enumerated() {
            let text = (index == selected ? "◉ " : "○ ") + value
            let cells = DisplayWidth.of(text)
            if used > 0, used + 2 + cells > width {
                rows.append([])
                used = 0
            }
            used += (used > 0 ? 2 : 0) + cells
            rows[rows.count - 1].append((index, text))
        }
        return rows
    }

    static func blocks(_ form: Form, labelWidth: Int, valueWidth: Int) -> [FieldBlock] {
        form.fields.enumerated().map { index, field in
            let valueRows: Int
            switch field.kind {
            case .text(let text):
                valueRows = text.multiline ? areaHeight : min(lineRows, text.visualRows(width: valueWidth).rows.count)
            case .choice(let values, let selected):
                valueRows = choiceRows(values, selected: selected, width: valueWidth).count
            case .toggle:
                valueRows = 1
            }
            return FieldBlock(index: index, labelRows: TextWrap.lines(field.label, width: labelWidth), valueRows: valueRows,
                              noteRows: field.note.map { TextWrap.lines($0, width: valueWidth, keepingParenthesesWhole: true) } ?? [],
                              errorRows: field.error.map { TextWrap.lines("⚠ " + $0, width: valueWidth) } ?? [])
        }
    }

    /// The rows a form's fields need inside a box `width` cells wide.
    static func fieldRows(_ form: Form, width: Int) -> Int {
        let inner = width - 4
        let labels = labelWidth(form, innerWidth: inner)
        return blocks(form, labelWidth: labels, valueWidth: inner - labels - 1).reduce(0) { $0 + $1.height }
    }

    /// A modal form: its fields, then its key hint, in a box centred on the screen.
    static func drawForm(_ grid: inout Grid, _ form: Form, _ state: BoardState, hint: String) {
        let width = min(formWidth, grid.size.columns - 2)
        let hintLines = hintLines(hint, width: width - 4).count
        let box = centeredBox(grid.size, width: width, height: fieldRows(form, width: width) + hintLines + 2)
        frame(&grid, box, title: fittedTitle(form, width: box.width - 6), style: .modal)
        drawFields(&grid, form, in: Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2 - hintLines), state)
        drawHint(&grid, hint, box: box)
    }

    /// A form's title in `width` cells: when it is longer, the record it names is cut, not the
    /// words around it.
    static func fittedTitle(_ form: Form, width: Int) -> String {
        let excess = DisplayWidth.of(form.title) - width
        guard excess > 0, let subject = form.titleSubject, let range = form.title.firstRange(of: subject) else { return form.title }
        var title = form.title
        title.replaceSubrange(range, with: DisplayWidth.truncate(subject, to: max(8, DisplayWidth.of(subject) - excess)))
        return title
    }

    /// A key hint (`Tab next field · Enter save · …`) in lines of `width` cells, broken between
    /// its parts, each line but the last ending in `·` (a part longer than a line wraps by words).
    static func hintLines(_ hint: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for part in hint.split(separator: " · ", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty {
                line = part
            } else if DisplayWidth.of(line) + 3 + DisplayWidth.of(part) + 2 <= width {
                line += " · " + part
            } else {
                lines.append(DisplayWidth.of(line) + 2 <= width ? line + " ·" : line)
                line = part
            }
            if DisplayWidth.of(line) > width {
                let wrapped = TextWrap.lines(line, width: width)
                lines += wrapped.dropLast()
                line = wrapped.last ?? ""
            }
        }
        return lines + [line]
    }

    /// The key hint on the last rows inside a box.
    static func drawHint(_ grid: inout Grid, _ hint: String, box: Rect) {
        let width = box.width - 4
        let lines = hintLines(hint, width: width)
        grid.log.wraps.append(DrawingLog.Wrap(text: hint, rows: lines, width: width))
        for (index, line) in lines.enumerated() {
            grid.write(fitting: line, x: box.x + 2, y: box.maxY - 1 - lines.count + index, width: width, style: .dim)
        }
    }

    /// A form's fields inside `region`: label on the left, value on the right, an error under
    /// its value. When the region is shorter than the fields, it shows the focused field and
    /// as many before it as fit, with ▲ ▼ where fields are out of sight; a field is drawn
    /// whole or not at all.
    static func drawFields(_ grid: inout Grid, _ form: Form, in region: Rect, _ state: BoardState) {
        guard region.width > 8, region.height > 0 else { return }
        let labels = labelWidth(form, innerWidth: region.width)
        let valueX = region.x + labels + 1, valueWidth = region.width - labels - 1
        let blocks = blocks(form, labelWidth: labels, valueWidth: valueWidth)
        var first = 0
        while first < form.focused, blocks[first...form.focused].reduce(0, { $0 + $1.height }) > region.height { first += 1 }
        var y = region.y
        var last = first - 1
        for block in blocks[first...] {
            guard y + block.height <= region.maxY || block.index == form.focused else { break }
            drawField(&grid, form.fields[block.index], block, labelX: region.x, valueX: valueX, valueWidth: valueWidth,
                      y: y, bottom: region.maxY, focused: block.index == form.focused, state)
            y += block.height
            last = block.index
        }
        if first > 0 { grid.write("▲", x: region.maxX, y: region.y, style: .marker) }
        if last < blocks.count - 1 { grid.write("▼", x: region.maxX, y: region.maxY - 1, style: .marker) }
    }

    static func drawField(_ grid: inout Grid, _ field: FormField, _ block: FieldBlock, labelX: Int, valueX: Int, valueWidth: Int,
                          y: Int, bottom: Int, focused: Bool, _ state: BoardState) {
        for (row, line) in block.labelRows.enumerated() where y + row < bottom {
            grid.write(fitting: line, x: labelX, y: y + row, width: valueX - 1 - labelX, style: focused ? .focusedHeader : .modal)
        }
        grid.log.wraps.append(DrawingLog.Wrap(text: field.label, rows: block.labelRows, width: valueX - 1 - labelX))
        let rows = min(block.valueRows, max(1, bottom - y))
        switch field.kind {
        case .text(let text):
            drawText(&grid, text, x: valueX, y: y, width: valueWidth, rows: rows, focused: focused)
        case .choice(let values, let selected):
            for (row, choices) in choiceRows(values, selected: selected, width: valueWidth).prefix(rows).enumerated() {
                var x = valueX
                for choice in choices {
                    let style: Style = choice.index == selected && focused ? .focusedField : .field
                    x += grid.write(fitting: choice.text, x: x, y: y + row, width: valueX + valueWidth - x, style: style) + 2
                }
            }
        case .toggle(let on):
            let text = (on ? "[x] " : "[ ] ") + (field.caption ?? state.t(on ? "overlay.yes" : "overlay.no"))
            grid.write(fitting: text, x: valueX, y: y, width: valueWidth, style: focused ? .focusedField : .field)
        }
        let noteTop = y + max(block.labelRows.count, block.valueRows)
        for (row, line) in block.noteRows.enumerated() where noteTop + row < bottom {
            grid.write(fitting: line, x: valueX, y: noteTop + row, width: valueWidth, style: .modal)
        }
        if let note = field.note {
            grid.log.wraps.append(DrawingLog.Wrap(text: note, rows: block.noteRows, width: valueWidth))
        }
        let errorTop = noteTop + block.noteRows.count
        for (row, line) in block.errorRows.enumerated() where errorTop + row < bottom {
            grid.write(fitting: line, x: valueX, y: errorTop + row, width: valueWidth, style: .error)
        }
        if let error = field.error {
            grid.log.wraps.append(DrawingLog.Wrap(text: "⚠ " + error, rows: block.errorRows, width: valueWidth))
        }
    }

    /// A text field's value wrapped between words into `rows` rows; the focused one scrolls
    /// to keep its cursor in sight (and notes where it is), another ends in `…` when cut.
    static func drawText(_ grid: inout Grid, _ field: TextField, x: Int, y: Int, width: Int, rows: Int, focused: Bool) {
        guard width > 0, rows > 0 else { return }
        let style: Style = focused ? .focusedField : .field
        grid.fill(Rect(x: x, y: y, width: width, height: rows), style: style)
        let (visual, cursorRow, cursorColumn) = field.visualRows(width: width)
        grid.log.wraps.append(DrawingLog.Wrap(text: field.text, rows: visual, width: width))
        let first = focused ? max(0, cursorRow - rows + 1) : 0
        let shown = Array(visual.dropFirst(first).prefix(rows))
        for (index, row) in shown.enumerated() {
            let more = !focused && index == shown.count - 1 && first + shown.count < visual.count
            grid.write(fitting: more ? row + " " + visual[first + index + 1] : row, x: x, y: y + index, width: width, style: style)
        }
        if focused, cursorRow - first < rows {
            let point = Point(x: x + min(width - 1, cursorColumn), y: y + cursorRow - first)
            grid.write(BoardRenderer.cursorGrapheme(field), x: point.x, y: point.y, width: 2, style: .field)
            grid.log.cursor = point
        }
    }

    /// A one-line prompt field (search), scrolled sideways so the cursor shows.
    static func drawLine(_ grid: inout Grid, _ field: TextField, x: Int, y: Int, width: Int, focused: Bool) {
        guard width > 0 else { return }
        grid.fill(Rect(x: x, y: y, width: width, height: 1), style: focused ? .focusedField : .field)
        let (rows, _, cursor) = field.visualRows(width: 100_000)
        let text = rows.first ?? ""
        var skip = max(0, cursor - width + 1)
        var shown = Substring(text)
        while skip > 0, let first = shown.first { skip -= DisplayWidth.of(first); shown = shown.dropFirst() }
        if focused {
            grid.write(fitting: shown, x: x, y: y, width: width, style: .focusedField)
            let point = Point(x: x + min(width - 1, cursor - (DisplayWidth.of(text) - DisplayWidth.of(shown))), y: y)
            grid.write(BoardRenderer.cursorGrapheme(field), x: point.x, y: y, width: 2, style: .field)
            grid.log.cursor = point
        } else {
            grid.write(fitting: text, x: x, y: y, width: width, style: .field)
        }
    }

    /// `N`: the new column's name and probability, then the steps of the guide's process the
    /// pipeline lacks (↑↓ takes one into the fields).
    static func drawAddColumn(_ grid: inout Grid, _ prompt: ColumnPrompt, _ state: BoardState) {
        let width = min(formWidth, grid.size.columns - 2)
        let hint = (prompt.added > 0 ? state.t("overlay.addColumn.added", prompt.added) : "") + state.t("overlay.addColumn.hint")
        let hintLines = hintLines(hint, width: width - 4).count
        let fields = fieldRows(prompt.form, width: width)
        let box = centeredBox(grid.size, width: width, height: 3 + fields + max(1, prompt.suggestions.count) + hintLines)
        frame(&grid, box, title: state.t("overlay.addColumn.title"), style: .modal)
        let region = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: min(fields, box.height - 2 - hintLines))
        drawFields(&grid, prompt.form, in: region, state)
        var y = region.maxY
        let bottom = box.maxY - 1 - hintLines
        if y < bottom {
            let title = state.t(prompt.suggestions.isEmpty ? "overlay.addColumn.complete" : "overlay.addColumn.suggested")
            grid.write(fitting: title, x: box.x + 2, y: y, width: box.width - 4, style: .dim)
            y += 1
        }
        for (index, step) in prompt.suggestions.enumerated() where y < bottom {
            let outcome = step.outcome == .open ? "" : " " + BoardRenderer.outcomeMark(step.outcome)
            let label = "\(step.name(in: state.language))  \(step.probability)\(outcome)"
            grid.write(fitting: label, x: box.x + 4, y: y, width: box.width - 6, style: index == prompt.selected ? .focusedField : .modal)
            y += 1
        }
        drawHint(&grid, hint, box: box)
    }

    static func drawDeleteColumn(_ grid: inout Grid, _ prompt: DeleteColumnPrompt, _ state: BoardState) {
        let width = min(60, grid.size.columns - 2)
        // A shared stage is every team's column: deleting it here deletes it on their boards
        // too, with their deals in it (the new-user trial did not expect that).
        let question = prompt.stage.scope == .shared && state.teams.count > 1
            ? state.t("overlay.delete.questionShared", prompt.stage.name, state.teams.map(\.name).joined(separator: ", "))
            : state.t("overlay.delete.question", prompt.stage.name)
        let questionLines = TextWrap.lines(question, width: width - 4).count
        let hint = state.t(prompt.cardCount > 0 ? "overlay.delete.hintChoose" : "overlay.delete.hint")
        let hintLines = hintLines(hint, width: width - 4).count
        let listed = prompt.cardCount > 0 ? prompt.destinations.count : 0
        let box = centeredBox(grid.size, width: width, height: 3 + questionLines + listed + hintLines)
        frame(&grid, box, title: state.t("overlay.delete.title"), style: .modal)
        grid.write(wrapping: question, x: box.x + 2, y: box.y + 1, width: box.width - 4, style: .modal)
        let y = box.y + 1 + questionLines
        let bottom = box.maxY - 1 - hintLines
        if prompt.cardCount > 0 {
            let count = prompt.cardCount == 1 ? state.t("overlay.delete.one") : state.t("overlay.delete.many", prompt.cardCount)
            grid.write(fitting: count, x: box.x + 2, y: y, width: box.width - 4, style: .modal)
            // The list scrolls to keep the highlighted stage in sight.
            let room = max(1, bottom - y - 1)
            let first = max(0, prompt.selected - room + 1)
            for (offset, stage) in prompt.destinations.dropFirst(first).prefix(room).enumerated() {
                grid.write(fitting: stage.name, x: box.x + 4, y: y + 1 + offset, width: box.width - 6,
                           style: first + offset == prompt.selected ? .focusedField : .modal)
            }
        } else {
            grid.write(fitting: state.t("overlay.delete.empty"), x: box.x + 2, y: y, width: box.width - 4, style: .dim)
        }
        drawHint(&grid, hint, box: box)
    }

    static func drawTeamPicker(_ grid: inout Grid, _ picker: TeamPicker, _ state: BoardState) {
        let matches = picker.matches(in: state.memberTeams)
        let width = min(50, grid.size.columns - 2)
        let hint = state.t("overlay.teams.hint")
        let hintLines = hintLines(hint, width: width - 4).count
        let box = centeredBox(grid.size, width: width, height: 3 + max(1, min(matches.count, 12)) + hintLines)
        frame(&grid, box, title: state.t("overlay.teams.title"), style: .modal)
        let labelWidth = grid.write(state.t("overlay.teams.search"), x: box.x + 2, y: box.y + 1, style: .modal)
        drawLine(&grid, picker.search, x: box.x + 3 + labelWidth, y: box.y + 1, width: box.width - 5 - labelWidth, focused: true)
        let bottom = box.maxY - 1 - hintLines
        if matches.isEmpty {
            let name = picker.search.text.trimmingCharacters(in: " ")
            // Only whoever may add a team is offered to; the others are told none of theirs matches.
            let offer = name.isEmpty ? state.t("overlay.teams.none")
                : state.access.refusalToManageTeams() == nil ? state.t("overlay.teams.create", name) : state.t("overlay.teams.noMatch", name)
            grid.write(fitting: offer, x: box.x + 4, y: box.y + 2, width: box.width - 6, style: name.isEmpty ? .dim : .focusedField)
        }
        for (index, team) in matches.prefix(12).enumerated() where box.y + 2 + index < bottom {
            let current = team.id == state.team.id ? state.t("overlay.teams.shown") : ""
            grid.write(fitting: team.name + current, x: box.x + 4, y: box.y + 2 + index, width: box.width - 6,
                       style: index == picker.selected ? .focusedField : .modal)
        }
        drawHint(&grid, hint, box: box)
    }

    // MARK: - Help

    /// One line of the help: a context's title, or a binding's keys with (a line of) its text.
    struct HelpLine: Equatable {
        var keys: String
        var text: String
        var isTitle: Bool
        /// Says why the key above cannot act for this user (drawn dim).
        var isRefusal = false
    }

    /// The whole screen between the tabs and the status line: the board's edge markers would
    /// otherwise show beside it and read as part of it.
    static func helpBox(_ size: Size) -> Rect {
        Rect(x: 0, y: 1, width: max(0, size.columns), height: max(0, size.rows - 2))
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
                // A key the user's role can never use on this team says so under its text.
                if let refusal = refusalNote(binding, state) {
                    for text in TextWrap.lines(refusal, width: textWidth) {
                        lines.append(HelpLine(keys: "", text: text, isTitle: false, isRefusal: true))
                    }
                }
            }
        }
        return lines
    }

    /// The help's note under a key the user's role can never use here: why, in the sentence
    /// the key itself would show.
    static func refusalNote(_ binding: KeyBinding, _ state: BoardState) -> String? {
        guard binding.context == .board, let action = binding.action, let refusal = state.refusal(forKey: action) else { return nil }
        return state.t("help.refused", refusal.message(in: state.language))
    }

    static func drawHelp(_ grid: inout Grid, _ state: BoardState, scroll: Int) {
        let box = helpBox(grid.size)
        frame(&grid, box, title: state.t("overlay.help.title"), style: .modal)
        let lines = helpLines(state)
        let textWidth = max(8, box.width - 4 - helpKeyWidth - 1)
        for binding in KeyMap.bindings {
            for text in [binding.help(in: state.language), refusalNote(binding, state)].compactMap({ $0 }) {
                grid.log.wraps.append(DrawingLog.Wrap(text: text, rows: TextWrap.lines(text, width: textWidth), width: textWidth))
            }
        }
        let rows = helpRows(grid.size)
        let first = min(max(0, scroll), max(0, lines.count - rows))
        for (offset, line) in lines.dropFirst(first).prefix(rows).enumerated() {
            let y = box.y + 1 + offset, x = box.x + 2
            if line.isTitle {
                grid.write(fitting: line.keys, x: x, y: y, width: box.width - 4, style: .focusedHeader)
            } else {
                grid.write(fitting: line.keys, x: x, y: y, width: helpKeyWidth, style: .header)
                grid.write(fitting: line.text, x: x + helpKeyWidth + 1, y: y, width: max(1, box.width - 5 - helpKeyWidth),
                           style: line.isRefusal ? .dim : .modal)
            }
        }
        if first > 0 { grid.write("▲", x: box.maxX - 2, y: box.y + 1, style: .marker) }
        if first + rows < lines.count { grid.write("▼", x: box.maxX - 2, y: box.maxY - 2, style: .marker) }
    }
}
