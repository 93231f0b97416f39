@testable import BoardUI
@testable import PipelineCore
import TerminalCore

/// What a person would call broken on a screen, checked on the grid and its drawing log,
/// so that a blank pane or a cut word cannot pass:
///
/// - every field of a form shows its label and its value (at the smallest size a form may
///   scroll, but the focused field, its label and the cursor are always visible);
/// - no text is clipped without `…`, and none is cut with `…` while its line has free cells
///   to show it whole;
/// - text wraps between words, never inside one (a word longer than the line aside);
/// - nothing is drawn over a box's frame or the rules between columns.
enum ScreenRules {
    static func violations(_ grid: Grid, _ state: BoardState, mayScroll: Bool) -> [String] {
        cuts(grid) + wraps(grid) + frames(grid) + columnRules(grid, state) + form(grid, state, mayScroll: mayScroll)
    }

    /// A cut is hidden when a box drawn after it covers its first cell.
    static func covered(_ point: Point, after frameCount: Int, in grid: Grid) -> Bool {
        grid.log.frames.dropFirst(frameCount).contains { $0.contains(point) }
    }

    static func isFree(_ cell: Cell, like style: Style) -> Bool {
        cell.grapheme == " " && !cell.isContinuation && (cell.style == style || cell.style == .normal)
    }

    static func cuts(_ grid: Grid) -> [String] {
        var found: [String] = []
        for cut in grid.log.cuts where !covered(Point(x: cut.x, y: cut.y), after: cut.framesBefore, in: grid) {
            guard cut.marked else {
                found.append("'\(cut.text)' is clipped without … at column \(cut.x), row \(cut.y) (\(cut.width) of \(cut.needed) cells)")
                continue
            }
            var free = 0
            var x = cut.x + cut.width
            while x < grid.size.columns, isFree(grid[x, cut.y], like: cut.style) { free += 1; x += 1 }
            // One free cell stays as the space before whatever follows.
            if cut.needed - cut.width <= free - 1 {
                found.append("'\(cut.text)' is cut with … at row \(cut.y) although the line has \(free) free cells after it")
            }
        }
        return found
    }

    /// Each break between two rows of a wrapped text falls on a space or a line feed, unless
    /// the word it splits is wider than a row.
    static func wraps(_ grid: Grid) -> [String] {
        var found: [String] = []
        for wrap in grid.log.wraps {
            let text = Array(wrap.text)
            var position = 0
            var previousEndsInSpace = true
            for (index, row) in wrap.rows.enumerated() {
                let characters = Array(row)
                var skipped = false
                while position < text.count, text[position] == " " || text[position] == "\n", characters.first != text[position] {
                    position += 1
                    skipped = true
                }
                if index > 0, !skipped, !previousEndsInSpace, characters.first.map({ $0 != " " }) ?? false {
                    var start = position, end = position
                    while start > 0, text[start - 1] != " ", text[start - 1] != "\n" { start -= 1 }
                    while end < text.count, text[end] != " ", text[end] != "\n" { end += 1 }
                    let word = String(text[start..<end])
                    if DisplayWidth.of(word) <= wrap.width {
                        found.append("'\(word)' is broken across two lines although it fits in \(wrap.width) cells")
                    }
                }
                for character in characters {
                    guard position < text.count, text[position] == character else {
                        found.append("the rows \(wrap.rows) do not follow the text '\(wrap.text)'")
                        return found
                    }
                    position += 1
                }
                previousEndsInSpace = characters.last == " " || characters.isEmpty
            }
        }
        return found
    }

    /// A box's left, right and bottom edges and its corners are whole, unless a box drawn
    /// later covers them.
    static func frames(_ grid: Grid) -> [String] {
        var found: [String] = []
        for (index, box) in grid.log.frames.enumerated() where box.width >= 2 && box.height >= 2 {
            var expected: [(Point, Set<Character>)] = []
            for y in box.y..<box.maxY {
                let edge: Set<Character> = y == box.y ? ["┌", "┐"] : y == box.maxY - 1 ? ["└", "┘"] : ["│"]
                expected.append((Point(x: box.x, y: y), edge))
                expected.append((Point(x: box.maxX - 1, y: y), edge))
            }
            for x in (box.x + 1)..<(box.maxX - 1) { expected.append((Point(x: x, y: box.maxY - 1), ["─"])) }
            for (point, glyphs) in expected where point.x >= 0 && point.y >= 0 && point.x < grid.size.columns && point.y < grid.size.rows {
                if covered(point, after: index + 1, in: grid) { continue }
                if !glyphs.contains(grid[point.x, point.y].grapheme) {
                    found.append("'\(grid[point.x, point.y].grapheme)' is drawn over a box's frame at column \(point.x), row \(point.y)")
                }
            }
        }
        return found
    }

    /// The rules between the pipeline's columns run from the header to the status line (to
    /// the first row of a long message wrapped above it).
    static func columnRules(_ grid: Grid, _ state: BoardState) -> [String] {
        guard state.view == .pipeline, state.page == nil, !BoardLayout.isTooSmall(state.size) else { return [] }
        var found: [String] = []
        let layout = BoardLayout.columns(BoardRenderer.displayedStages(state), width: state.size.columns,
                                         offset: state.horizontalOffset,
                                         focusIndex: state.focus.flatMap { focus in BoardRenderer.displayedStages(state).firstIndex { $0.id == focus.stage } })
        for slot in layout.slots.dropFirst() {
            for y in 1..<(state.size.rows - BoardRenderer.statusHeight(state)) where !covered(Point(x: slot.x - 1, y: y), after: 0, in: grid) {
                if grid[slot.x - 1, y].grapheme != "│" {
                    found.append("the rule between columns is broken at column \(slot.x - 1), row \(y)")
                }
            }
        }
        return found
    }

    /// The form on screen, if any.
    static func openForm(_ state: BoardState) -> Form? {
        switch state.mode {
        case .stageEditor(let editor): return editor.form
        case .cardEditor(let editor), .newCard(let editor): return editor.form
        case .leadEditor(let editor): return editor.form
        case .convertLead(let wizard): return wizard.form
        case .settings(let editor): return editor.form
        case .lostReason(let prompt), .leadLostReason(let prompt): return prompt.form
        case .addColumn(let prompt): return prompt.form
        case .activityEditor(let editor): return editor.form
        case .completeActivity(let pane): return pane.form
        case .reschedule(let prompt): return prompt.form
        default: return nil
        }
    }

    static func form(_ grid: Grid, _ state: BoardState, mayScroll: Bool) -> [String] {
        guard let form = openForm(state) else { return [] }
        // The deal's page draws the card editor's form on the whole screen, no box, and
        // scrolls at any size (its timeline grows).
        let onPage = state.page != nil && state.mode.isCardEditor
        let box: Rect
        if onPage {
            box = Rect(x: 0, y: 0, width: grid.size.columns, height: grid.size.rows)
        } else {
            guard let last = grid.log.frames.last else { return [] }
            box = last
        }
        var found: [String] = []
        // The text inside the form's box, a line per row.
        let lines = (box.y..<box.maxY).map { y in
            String((box.x..<box.maxX).filter { !grid[$0, y].isContinuation }.map { grid[$0, y].grapheme })
        }
        let scrolled = lines.contains { $0.contains("▲") || $0.contains("▼") }
        if scrolled, !mayScroll, !onPage { found.append("the form scrolls although the screen is not the smallest") }
        for (index, field) in form.fields.enumerated() {
            let labelStart = String(TextWrap.lines(field.label, width: 1_000).first?.split(separator: " ").first ?? "")
            let rows = lines.indices.filter { lines[$0].contains(field.label) || (field.label.count > 8 && lines[$0].contains(labelStart)) }
            guard let row = rows.first else {
                if index == form.focused || !scrolled { found.append("the field '\(field.label)' shows no label") }
                continue
            }
            switch field.kind {
            case .text(let text):
                let start = String(text.text.prefix { $0 != " " && $0 != "\n" }.prefix(8))
                if !start.isEmpty, index != form.focused, !lines[row].contains(start) {
                    found.append("the field '\(field.label)' does not show its value '\(text.text)'")
                }
            case .choice(let values, let selected):
                if values.indices.contains(selected), !lines[row...].contains(where: { $0.contains("◉ " + values[selected].prefix(6)) }) {
                    found.append("the field '\(field.label)' does not show its choice '\(values[selected])'")
                }
            case .toggle:
                if !lines[row].contains("[x]") && !lines[row].contains("[ ]") { found.append("the field '\(field.label)' shows no box") }
            }
        }
        if case .text = form.fields[form.focused].kind {
            if let cursor = grid.log.cursor {
                if grid[cursor.x, cursor.y].style != .field { found.append("the cursor at \(cursor) is not drawn") }
            } else {
                found.append("the focused field '\(form.fields[form.focused].label)' shows no cursor")
            }
        }
        return found
    }
}
