import PipelineCore
import TerminalCore

/// View 2: the team's leads, one a row, in the chosen order; only the rows on screen are read.
enum BoardLeadsView {
    /// A column of the table: as wide as its header and its widest value need, the flexible
    /// ones sharing the room left; the optional ones (e-mail, then salesperson) go first
    /// when the screen is narrow, so that no header is cut.
    struct Column {
        var header: String
        var minimum: Int
        var weight = 0
        var optional = false
        var alignRight = false
        var width = 0
    }

    static func columns(_ state: BoardState, width: Int) -> [Column] {
        let t = state.t
        let leads = state.leads.window.cards
        func widest(_ texts: [String]) -> Int { texts.map { DisplayWidth.of($0) }.max() ?? 0 }
        func header(_ key: String) -> String { t(key) }
        var columns = [
            Column(header: header("leads.column.title"), minimum: max(12, DisplayWidth.of(header("leads.column.title"))), weight: 4),
            Column(header: header("leads.column.company"), minimum: max(12, DisplayWidth.of(header("leads.column.company"))), weight: 3),
            Column(header: header("leads.column.email"), minimum: max(10, DisplayWidth.of(header("leads.column.email"))), weight: 3, optional: true),
            Column(header: header("leads.column.revenue"),
                   minimum: max(DisplayWidth.of(header("leads.column.revenue")),
                                widest(leads.map { MoneyFormat.display($0.expectedRevenue, language: state.language) })), alignRight: true),
            Column(header: header("leads.column.salesperson"), minimum: DisplayWidth.of(header("leads.column.salesperson")), weight: 1,
                   optional: true),
            Column(header: "★", minimum: 3),
            Column(header: header("leads.column.age"),
                   minimum: max(DisplayWidth.of(header("leads.column.age")), widest(leads.map { age($0, state) })), alignRight: true),
        ]
        let available = width - 4
        func needed(_ columns: [Column]) -> Int { columns.reduce(0) { $0 + $1.minimum } + 2 * (columns.count - 1) }
        while needed(columns) > available, let drop = columns.firstIndex(where: \.optional) { columns.remove(at: drop) }
        // Narrower still (below 80 columns): the title and the company give way.
        while needed(columns) > available, let widest = columns.indices.filter({ columns[$0].weight > 0 && columns[$0].minimum > 4 })
            .max(by: { columns[$0].minimum < columns[$1].minimum }) {
            columns[widest].minimum -= 1
        }
        let spare = max(0, available - needed(columns))
        let weights = columns.reduce(0) { $0 + $1.weight }
        var given = 0
        for index in columns.indices {
            let share = weights == 0 ? 0 : spare * columns[index].weight / weights
            columns[index].width = columns[index].minimum + share
            given += share
        }
        if let first = columns.firstIndex(where: { $0.weight > 0 }) { columns[first].width += spare - given }
        return columns
    }

    static func age(_ lead: Opportunity, _ state: BoardState) -> String {
        state.t("board.days", lead.createdAt.wholeDays(until: state.now))
    }

    static func draw(_ grid: inout Grid, _ state: BoardState) {
        let width = state.size.columns
        let order = state.leads.order
        grid.write(fitting: state.t("leads.title", state.team.name, order.name(in: state.language)), x: 2, y: 1, width: width - 4, style: .header)
        let columns = columns(state, width: width)
        func row(_ cells: [(header: String, text: String)], y: Int, style: Style) {
            var x = 2
            for column in columns {
                let text = cells.first { $0.header == column.header }?.text ?? ""
                grid.write(fitting: text, x: x, y: y, width: column.width, alignRight: column.alignRight, style: style)
                x += column.width + 2
            }
        }
        row(columns.map { ($0.header, $0.header) }, y: 2, style: .header)
        let window = state.leads.window
        if window.cards.isEmpty {
            let text = state.t(state.leads.filter.isEmpty ? "leads.empty" : "leads.noMatch")
            grid.write(fitting: text, x: 2, y: 4, width: width - 4, style: .dim)
            return
        }
        if window.hasMoreAbove { grid.write(state.t("board.moreAbove"), x: width / 2 - 4, y: 3, style: .marker) }
        let t = state.t
        for (index, lead) in window.cards.enumerated() {
            let y = 4 + index
            guard y < state.size.rows - 2 else { break }
            let selected = lead.id == state.leads.selected
            let style: Style = selected ? .focusedCard : .card
            if selected { grid.fill(Rect(x: 1, y: y, width: width - 2, height: 1), style: style) }
            let company = [lead.customer.name, lead.customer.contactName].filter { !$0.isEmpty }.joined(separator: " / ")
            row([(t("leads.column.title"), lead.title), (t("leads.column.company"), company),
                 (t("leads.column.email"), lead.customer.email),
                 (t("leads.column.revenue"), MoneyFormat.display(lead.expectedRevenue, language: state.language)),
                 (t("leads.column.salesperson"), lead.salesperson), ("★", String(repeating: "★", count: lead.priority.stars)),
                 (t("leads.column.age"), age(lead, state))],
                y: y, style: style)
        }
        if window.hasMoreBelow { grid.write(state.t("board.moreBelow"), x: width / 2 - 4, y: state.size.rows - 2, style: .marker) }
    }
}
