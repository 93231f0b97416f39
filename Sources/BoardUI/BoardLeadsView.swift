import PipelineCore
import TerminalCore

/// View 2: the team's leads, one a row, in the chosen order; only the rows on screen are read.
enum BoardLeadsView {
    static func draw(_ grid: inout Grid, _ state: BoardState) {
        let width = state.size.columns
        let order = state.leads.order
        grid.write(fitting: state.t("leads.title", state.team.name, order.name(in: state.language)), x: 2, y: 1, width: width - 4, style: .header)
        let revenueWidth = 18, salesWidth = 12, starsWidth = 3, ageWidth = 5
        let flexible = max(30, width - 4 - revenueWidth - salesWidth - starsWidth - ageWidth - 6 * 2)
        let titleWidth = flexible * 4 / 10, companyWidth = flexible * 3 / 10, emailWidth = flexible - titleWidth - companyWidth
        let widths = [titleWidth, companyWidth, emailWidth, revenueWidth, salesWidth, starsWidth, ageWidth]
        func row(_ cells: [String], y: Int, style: Style) {
            var x = 2
            for (index, cell) in cells.enumerated() {
                let right = index == 3 || index == 6
                grid.write(DisplayWidth.fit(cell, to: widths[index], alignRight: right), x: x, y: y, style: style)
                x += widths[index] + 2
            }
        }
        row([state.t("leads.column.title"), state.t("leads.column.company"), state.t("leads.column.email"), state.t("leads.column.revenue"),
             state.t("leads.column.salesperson"), "★", state.t("leads.column.age")], y: 2, style: .header)
        let window = state.leads.window
        if window.cards.isEmpty {
            let text = state.t(state.leads.filter.isEmpty ? "leads.empty" : "leads.noMatch")
            grid.write(fitting: text, x: 2, y: 4, width: width - 4, style: .dim)
            return
        }
        if window.hasMoreAbove { grid.write(state.t("board.moreAbove"), x: width / 2 - 4, y: 3, style: .marker) }
        for (index, lead) in window.cards.enumerated() {
            let y = 4 + index
            guard y < state.size.rows - 2 else { break }
            let selected = lead.id == state.leads.selected
            let style: Style = selected ? .focusedCard : .card
            if selected { grid.fill(Rect(x: 1, y: y, width: width - 2, height: 1), style: style) }
            let company = [lead.customer.name, lead.customer.contactName].filter { !$0.isEmpty }.joined(separator: " / ")
            row([lead.title, company, lead.customer.email, MoneyFormat.display(lead.expectedRevenue, language: state.language),
                 lead.salesperson, String(repeating: "★", count: lead.priority.stars), state.t("board.days", lead.createdAt.wholeDays(until: state.now))],
                y: y, style: style)
        }
        if window.hasMoreBelow { grid.write(state.t("board.moreBelow"), x: width / 2 - 4, y: state.size.rows - 2, style: .marker) }
    }
}
