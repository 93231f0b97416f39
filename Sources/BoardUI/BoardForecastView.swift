import PipelineCore
import TerminalCore

/// View 3: the forecast of the team's pipeline, per stage and per currency.
enum BoardForecastView {
    struct Row {
        var cells: [String]
        var style: Style
        /// A blank line before it.
        var gap = false
    }

    /// The table's rows: a stage per row (a row per currency where deals are in several),
    /// then the open pipeline and the won deals.
    static func rows(_ forecast: Forecast, _ state: BoardState) -> [Row] {
        var rows: [Row] = []
        func figures(_ label: String, _ probability: String, _ figures: Figures, style: Style, gap: Bool = false) {
            let currencies = figures.expected.currencies(preferring: state.defaultCurrency)
            let shown = currencies.isEmpty ? [state.defaultCurrency] : currencies
            for (index, currency) in shown.enumerated() {
                let count = figures.countByCurrency.isEmpty ? (index == 0 ? String(figures.count) : "") : String(figures.countByCurrency[currency] ?? 0)
                rows.append(Row(cells: [index == 0 ? label : "", index == 0 ? probability : "", count,
                                        BoardRenderer.money(figures.expected[currency], currency, state),
                                        BoardRenderer.money(figures.weighted[currency], currency, state)],
                                style: style, gap: gap && index == 0))
            }
        }
        for entry in forecast.rows {
            figures(entry.key ?? "", entry.stage?.probability.description ?? "", entry.figures,
                    style: entry.stage?.outcome == .open ? .normal : .dim)
        }
        figures(state.t("forecast.open"), "", forecast.open, style: .money, gap: true)
        figures(state.t("forecast.won"), "", forecast.won, style: .header)
        return rows
    }

    static func draw(_ grid: inout Grid, _ state: BoardState) {
        guard let forecast = state.forecast else {
            grid.write(state.t("forecast.loading"), x: 2, y: 2, style: .dim)
            return
        }
        let width = state.size.columns
        let headers = [state.t("forecast.column.stage"), state.t("forecast.column.probability"), state.t("forecast.column.deals"),
                       state.t("forecast.column.expected"), state.t("forecast.column.weighted")]
        let rows = rows(forecast, state)
        // Each column as wide as its widest cell; the names give way when the screen is narrow.
        var widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0.cells[column] }).map { DisplayWidth.of($0) }.max() ?? 0
        }
        let room = width - 4 - 2 * (widths.count - 1)
        widths[0] = max(8, min(widths[0], room - widths.dropFirst().reduce(0, +)))
        var y = 1
        y += grid.write(wrapping: state.t("forecast.title", state.team.name), x: 2, y: y, width: width - 4, maxRows: 2, style: .header)
        func row(_ cells: [String], style: Style) {
            guard y < state.size.rows - 1 else { return }
            var x = 2
            for (index, cell) in cells.enumerated() {
                grid.write(fitting: cell, x: x, y: y, width: widths[index], alignRight: index > 0, style: style)
                x += widths[index] + 2
            }
            y += 1
        }
        row(headers, style: .header)
        for entry in rows {
            if entry.gap { y += 1 }
            row(entry.cells, style: entry.style)
        }
        y += 1
        if y < state.size.rows - 1 {
            grid.write(wrapping: state.t("forecast.footnote"), x: 2, y: y, width: width - 4, maxRows: state.size.rows - 1 - y, style: .dim)
        }
    }
}
