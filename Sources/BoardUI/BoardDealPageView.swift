import PipelineCore
import PipelineStorage
import TerminalCore

/// Draws the deal's page: a title line, then a body that scrolls — the fields, the
/// activities, the timeline, the note box — laid out as rows, so that the reducer can
/// scroll to what has the keys with the same layout the screen shows.
enum BoardDealPageView {
    enum Anchor: Hashable {
        case heading(DealPageState.Section)
        case field(Int)
        case activity(Activity.ID)
        case entry(Int)
        case noteBox
        case none
    }

    enum Content {
        case heading(String, focused: Bool)
        case text(String, x: Int, style: Style)
        /// A field of the card editor's form, its label and value (its `line`-th row).
        case field(index: Int, line: Int)
        case noteBox
        case blank
    }

    struct Row {
        var anchor: Anchor
        var content: Content
    }

    static let fieldRowsMultiline = 3

    /// The page's body as rows, for the page's width.
    static func rows(_ state: BoardState, _ page: DealPageState) -> [Row] {
        let t = state.t
        let width = max(10, state.size.columns - 4)
        guard let data = page.data else { return [Row(anchor: .none, content: .text(t("page.loading"), x: 2, style: .dim))] }
        var rows: [Row] = []
        func heading(_ section: DealPageState.Section, _ text: String) {
            if !rows.isEmpty { rows.append(Row(anchor: .none, content: .blank)) }
            rows.append(Row(anchor: .heading(section), content: .heading(text, focused: page.section == section)))
        }
        func wrapped(_ text: String, anchor: Anchor, x: Int, style: Style) {
            for line in TextWrap.lines(TerminalText.sanitized(text, singleLine: false), width: max(4, width - (x - 2))) {
                rows.append(Row(anchor: anchor, content: .text(line, x: x, style: style)))
            }
        }
        // Fields: the card editor's form, read only when another section has the keys.
        heading(.fields, t("page.section.fields"))
        let form = fieldsForm(state, page)
        let labels = labelWidth(form, width: width)
        for (index, field) in form.fields.enumerated() {
            let count = field.isMultiline ? fieldRowsMultiline : 1
            for line in 0..<count { rows.append(Row(anchor: .field(index), content: .field(index: index, line: line))) }
            if let error = field.error {
                for line in TextWrap.lines("⚠ " + error, width: max(4, width - labels - 1)) {
                    rows.append(Row(anchor: .field(index), content: .text(line, x: 2 + labels + 1, style: .error)))
                }
            }
        }
        // Activities: planned by due, then done with their feedback.
        let activities = page.activities
        heading(.activities, t("page.section.activities", activities.count))
        if activities.isEmpty {
            rows.append(Row(anchor: .none, content: .text(t("page.activities.none"), x: 4, style: .dim)))
        }
        let names = Dictionary(data.activityTypes.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for activity in activities {
            let anchor = Anchor.activity(activity.id)
            let selected = page.section == .activities && page.selectedActivity == activity.id
            let type = names[activity.type] ?? state.activityTypeName(activity.type)
            let line: String
            if let done = activity.completion {
                line = "✓ " + t("page.activity.done", type, activity.summary, when(done.at, state), done.by)
            } else {
                let due = activity.due.display(in: state.language) + (activity.time.map { " " + $0.description } ?? "")
                line = BoardRenderer.activityGlyph(activity.timing(on: state.today)) + " " + t("page.activity.planned", due, type, activity.summary,
                                                                                              activity.assignedTo)
            }
            wrapped(line, anchor: anchor, x: 4, style: selected ? .focusedCard : activity.isDone ? .dim : .normal)
            if let feedback = activity.completion?.feedback, !feedback.isEmpty {
                wrapped(feedback, anchor: anchor, x: 8, style: selected ? .focusedCard : .normal)
            }
        }
        // The timeline, newest first.
        heading(.timeline, t("page.section.timeline"))
        if data.timeline.isEmpty {
            rows.append(Row(anchor: .none, content: .text(t("page.timeline.none"), x: 4, style: .dim)))
        }
        for (index, entry) in data.timeline.enumerated() {
            let selected = page.section == .timeline && page.selectedEntry == index
            wrapped(when(entry.at, state) + " · " + entry.by, anchor: .entry(index), x: 4, style: selected ? .focusedCard : .dim)
            for (line, style) in describe(entry, state) {
                wrapped(line, anchor: .entry(index), x: 6, style: selected ? .focusedCard : style)
            }
        }
        // The note box.
        heading(.note, t("page.section.note"))
        rows.append(Row(anchor: .noteBox, content: .noteBox))
        if let error = page.noteBox.fields.first?.error {
            for line in TextWrap.lines("⚠ " + error, width: width - 2) {
                rows.append(Row(anchor: .noteBox, content: .text(line, x: 4, style: .error)))
            }
        }
        return rows
    }

    /// The form the fields section shows: the one being typed in, else the deal's.
    static func fieldsForm(_ state: BoardState, _ page: DealPageState) -> Form {
        if page.section == .fields, case .cardEditor(let editor) = state.mode { return editor.form }
        if let editor = page.editor { return editor.form }
        guard let record = page.data?.record else { return Form(title: "", fields: []) }
        return CardEditor(editing: record, language: state.language).form
    }

    static func labelWidth(_ form: Form, width: Int) -> Int {
        min(max(4, width * 2 / 5), (form.fields.map { DisplayWidth.of($0.label) }.max() ?? 10) + 1)
    }

    /// An instant as the user reads it: their day and time.
    static func when(_ at: Timestamp, _ state: BoardState) -> String {
        at.localDisplay(in: state.language, utcOffsetSeconds: state.utcOffsetSeconds)
    }

    /// How long, in the largest whole unit: "3 d", "5 h", "12 min".
    static func duration(_ milliseconds: Int64, _ state: BoardState) -> String {
        let minutes = max(0, milliseconds / 60_000)
        if minutes >= 24 * 60 { return state.t("page.duration.days", minutes / (24 * 60)) }
        if minutes >= 60 { return state.t("page.duration.hours", minutes / 60) }
        return state.t("page.duration.minutes", minutes)
    }

    /// What a timeline entry says, in lines (a note's or a feedback's text after its title).
    static func describe(_ entry: TimelineEntry, _ state: BoardState) -> [(String, Style)] {
        let t = state.t
        func money(_ value: Money) -> String { MoneyFormat.display(value, language: state.language) }
        switch entry.kind {
        case .created(let stage, let probability, let amount):
            var parts = [t("page.timeline.created", stage ?? "—")]
            if let probability { parts.append(probability.description) }
            if let amount { parts.append(money(amount)) }
            return [(parts.joined(separator: " · "), .normal)]
        case .stageChanged(let from, let to, let spent):
            let from = from ?? "—", to = to ?? "—"
            if let spent { return [(t("page.timeline.movedAfter", from, to, duration(spent, state)), .normal)] }
            return [(t("page.timeline.moved", from, to), .normal)]
        case .probabilityChanged(let from, let to, let byHand):
            return [(t(byHand ? "page.timeline.probabilityByHand" : "page.timeline.probabilityByStage", from.description, to.description), .normal)]
        case .amountChanged(let from, let to):
            return [(t("page.timeline.amount", money(from), money(to)), .normal)]
        case .won:
            return [(t("page.timeline.won"), .normal)]
        case .lost(let reason):
            return [(reason.map { t("page.timeline.lostBecause", $0) } ?? t("page.timeline.lost"), .normal)]
        case .restored:
            return [(t("page.timeline.restored"), .normal)]
        case .archived:
            return [(t("page.timeline.archived"), .normal)]
        case .activityDone(_, let type, let summary, let feedback):
            let title = (t("page.timeline.activityDone", type, summary), Style.normal)
            return feedback.isEmpty ? [title] : [title, (feedback, .normal)]
        case .note(_, let text):
            return [(t("page.timeline.note"), .dim), (text, .normal)]
        }
    }

    static func draw(_ grid: inout Grid, _ state: BoardState, _ page: DealPageState) {
        let columns = state.size.columns
        let title = page.data.map { data in
            let record = data.record
            let stage = record.stage.flatMap { state.catalog.stage($0)?.name } ?? ""
            return state.t("page.title", String(describing: record.id), record.title, stage)
        } ?? state.t("page.loading")
        grid.write(fitting: TerminalText.sanitized(title), x: 2, y: 1, width: columns - 4, style: .header)
        let rows = rows(state, page)
        let height = BoardDealPage.bodyHeight(state.size)
        let top = 2
        let form = fieldsForm(state, page)
        let width = max(10, columns - 4)
        let labels = labelWidth(form, width: width)
        let editing: Bool
        if page.section == .fields, case .cardEditor = state.mode { editing = true } else { editing = false }
        for (offset, row) in rows.dropFirst(page.scroll).prefix(height).enumerated() {
            let y = top + offset
            switch row.content {
            case .blank:
                break
            case .heading(let text, let focused):
                grid.write(fitting: (focused ? "▸ " : "  ") + text, x: 0, y: y, width: columns, style: focused ? .focusedHeader : .header)
            case .text(let text, let x, let style):
                if style == .focusedCard { grid.fill(Rect(x: 2, y: y, width: columns - 4, height: 1), style: style) }
                grid.write(fitting: text, x: x, y: y, width: max(1, columns - 2 - x), style: style)
            case .field(let index, let line):
                guard form.fields.indices.contains(index) else { break }
                let field = form.fields[index]
                let focused = editing && form.focused == index
                let valueX = 2 + labels + 1, valueWidth = max(4, width - labels - 1)
                if line == 0 {
                    grid.write(fitting: field.label, x: 2, y: y, width: labels, style: focused ? .focusedHeader : .dim)
                }
                guard case .text(let text) = field.kind else { break }
                if field.isMultiline {
                    // Drawn whole from its first row; when that row is scrolled off the top,
                    // from the first row in sight, with the rows it still has below.
                    guard line == 0 || offset == 0 else { break }
                    var whole = Grid(size: Size(columns: columns, rows: fieldRowsMultiline))
                    if editing {
                        BoardOverlays.drawText(&whole, text, x: valueX, y: 0, width: valueWidth, rows: fieldRowsMultiline, focused: focused)
                    } else {
                        let lines = TextWrap.lines(TerminalText.sanitized(text.text, singleLine: false), width: valueWidth)
                        for (row, value) in lines.prefix(fieldRowsMultiline).enumerated() {
                            whole.write(fitting: value, x: valueX, y: row, width: valueWidth, style: .normal)
                        }
                    }
                    let shown = min(fieldRowsMultiline - line, top + height - y)
                    for row in 0..<max(0, shown) {
                        for column in valueX..<min(columns, valueX + valueWidth) { grid[column, y + row] = whole[column, line + row] }
                    }
                    grid.log.wraps += whole.log.wraps
                    if let cursor = whole.log.cursor, cursor.y >= line, cursor.y < line + shown {
                        grid.log.cursor = Point(x: cursor.x, y: y + cursor.y - line)
                    }
                } else if editing {
                    BoardOverlays.drawLine(&grid, text, x: valueX, y: y, width: valueWidth, focused: focused)
                } else {
                    grid.write(fitting: TerminalText.sanitized(text.text), x: valueX, y: y, width: valueWidth, style: .normal)
                }
            case .noteBox:
                guard case .text(let text)? = page.noteBox.fields.first?.kind else { break }
                BoardOverlays.drawLine(&grid, text, x: 4, y: y, width: max(4, columns - 8), focused: page.section == .note && state.mode.isBrowsing)
            }
        }
        if page.scroll > 0 { grid.write("▲", x: columns - 2, y: top, style: .marker) }
        if page.scroll + height < rows.count { grid.write("▼", x: columns - 2, y: top + height - 1, style: .marker) }
    }

    /// The page's key hints, for the section that has the keys.
    static func footerHints(_ page: DealPageState) -> [KeyMap.FooterHint] {
        switch page.section {
        case .fields: return [("Tab ↑↓", "footer.field"), ("Enter", "footer.save"), ("PgUp PgDn", "footer.scroll"),
                              ("Esc", "footer.back")]
        case .activities: return [("Tab", "footer.section"), ("↑↓", "footer.move"), ("a", "footer.plan"), ("d", "footer.done"),
                                  ("PgUp PgDn", "footer.scroll"), ("Esc", "footer.back")]
        case .timeline: return [("Tab", "footer.section"), ("↑↓", "footer.move"), ("x", "footer.deleteNote"), ("PgUp PgDn", "footer.scroll"),
                                ("Esc", "footer.back")]
        case .note: return [("Tab", "footer.section"), ("Enter", "footer.addNote"), ("PgUp PgDn", "footer.scroll"), ("Esc", "footer.back")]
        }
    }
}

extension Mode {
    var isBrowsing: Bool {
        if case .browsing = self { return true }
        return false
    }

    var isCardEditor: Bool {
        if case .cardEditor = self { return true }
        return false
    }
}
