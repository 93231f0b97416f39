import PipelineCore
import TerminalCore

/// View 4: the activities to do, by due date, overdue first — whose the title says (`m`
/// changes it) — each with its mark, when, what, for which deal, and for whom.
enum BoardActivitiesView {
    struct Column {
        var header: String
        var width: Int
    }

    /// Mark, due, time and type keep their width; the summary and the deal share the rest;
    /// the assignee shows when there is room for it.
    static func columns(_ state: BoardState, width: Int) -> [Column] {
        let t = state.t
        let due = max(DisplayWidth.of(t("activities.column.due")), DisplayWidth.of(CalendarDate(year: 2026, month: 12, day: 31)?
            .display(in: state.language) ?? "2026-12-31"))
        let typeWidth = min(12, max(DisplayWidth.of(t("activities.column.type")), state.activityTypes.map { DisplayWidth.of($0.name) }.max() ?? 6))
        var columns = [Column(header: "", width: 1), Column(header: t("activities.column.due"), width: due),
                       Column(header: t("activities.column.time"), width: max(5, DisplayWidth.of(t("activities.column.time")))),
                       Column(header: t("activities.column.type"), width: typeWidth)]
        let showAssignee = width >= 110
        let fixed = columns.reduce(0) { $0 + $1.width + 1 } + (showAssignee ? 15 : 0) + 4
        let rest = max(16, width - fixed - 2)
        columns.append(Column(header: t("activities.column.summary"), width: rest - rest * 2 / 5 - 1))
        columns.append(Column(header: t("activities.column.deal"), width: rest * 2 / 5))
        if showAssignee { columns.append(Column(header: t("activities.column.assignedTo"), width: 14)) }
        return columns
    }

    static func title(_ state: BoardState) -> String {
        switch state.activities.scope {
        case .mine: return state.t("activities.title.mine", state.me)
        case .team: return state.t("activities.title.team", state.team.name)
        case .everyone: return state.t("activities.title.everyone")
        }
    }

    static func draw(_ grid: inout Grid, _ state: BoardState) {
        let width = state.size.columns
        let list = state.activities
        let scopeHint = state.t("activities.scopeHint")
        let hintWidth = DisplayWidth.of(scopeHint)
        let showHint = width - 4 - hintWidth - 2 >= DisplayWidth.of(title(state))
        grid.write(fitting: title(state), x: 2, y: 1, width: showHint ? width - 6 - hintWidth : width - 4, style: .header)
        if showHint { grid.write(scopeHint, x: width - 2 - hintWidth, y: 1, style: .dim) }
        let columns = columns(state, width: width)
        func row(_ cells: [(text: String, style: Style?)], y: Int, style: Style) {
            var x = 2
            for (column, cell) in zip(columns, cells) {
                grid.write(fitting: cell.text, x: x, y: y, width: column.width, style: cell.style ?? style)
                x += column.width + 1
            }
        }
        row(columns.map { ($0.header, nil) }, y: 2, style: .header)
        guard list.loaded else {
            grid.write(fitting: state.t("activities.loading"), x: 2, y: 4, width: width - 4, style: .dim)
            return
        }
        if list.rows.isEmpty {
            grid.write(fitting: state.t(list.pagesBefore.isEmpty ? "activities.empty" : "activities.noMore"), x: 2, y: 4, width: width - 4,
                       style: .dim)
            grid.write(fitting: state.t("activities.emptyHint"), x: 2, y: 5, width: width - 4, style: .dim)
            return
        }
        if !list.pagesBefore.isEmpty {
            let more = state.t("board.moreAbove")
            grid.write(more, x: max(0, (width - DisplayWidth.of(more)) / 2), y: 3, style: .marker)
        }
        let today = state.today
        for (index, entry) in list.rows.enumerated() {
            let y = 4 + index
            guard y < state.size.rows - 2 else { break }
            let activity = entry.activity
            let selected = activity.id == list.selected
            let style: Style = selected ? .focusedCard : .card
            if selected { grid.fill(Rect(x: 1, y: y, width: width - 2, height: 1), style: style) }
            let timing = activity.timing(on: today)
            let mark = activity.isDone ? "✓" : BoardRenderer.activityGlyph(timing)
            let markStyle: Style? = selected ? nil : activity.isDone ? .dim : BoardRenderer.activityStyle(timing)
            let dueStyle: Style? = selected || timing != .overdue ? nil : .overdue
            row([(mark, markStyle), (activity.due.display(in: state.language), dueStyle), (activity.time?.description ?? "", nil),
                 (state.activityTypeName(activity.type), nil), (activity.summary, nil),
                 (entry.deal?.title ?? "#\(activity.record.rawValue)", selected ? nil : .dim),
                 (activity.assignedTo, selected ? nil : .dim)],
                y: y, style: style)
        }
        if list.hasMore {
            let more = state.t("board.moreBelow")
            grid.write(more, x: max(0, (width - DisplayWidth.of(more)) / 2), y: state.size.rows - 2, style: .marker)
        }
    }
}
