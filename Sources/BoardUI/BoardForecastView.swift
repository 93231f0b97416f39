import PipelineCore
import TerminalCore

/// View 3: the forecast of the team's pipeline, per stage and per currency.
enum BoardForecastView {
    static func draw(_ grid: inout Grid, _ state: BoardState) {
        guard let forecast = state.forecast else {
            grid.write(state.t("forecast.loading"), x: 2, y: 2, style: .dim)
            return
        }
        let width = state.size.columns
        let amountWidth = max(12, min(22, (width - 40) / 2))
        let nameWidth = max(8, width - 2 - 8 - 7 - 2 * amountWidth - 8)
        var y = 2
        func row(_ cells: [String], style: Style) {
            guard y < state.size.rows - 1 else { return }
            var x = 2
            let widths = [nameWidth, 7, 7, amountWidth, amountWidth]
            for (index, cell) in cells.enumerated() {
                let right = index > 0
                grid.write(DisplayWidth.fit(cell, to: widths[index], alignRight: right), x: x, y: y, style: style)
                x += widths[index] + 2
            }
            y += 1
        }
        grid.write(fitting: state.t("forecast.title", state.team.name), x: 2, y: 1, width: width - 4, style: .header)
        row([state.t("forecast.column.stage"), state.t("forecast.column.probability"), state.t("forecast.column.deals"),
             state.t("forecast.column.expected"), state.t("forecast.column.weighted")], style: .header)
        func figures(_ label: String, _ probability: String, _ figures: Figures, style: Style) {
            let currencies = figures.expected.currencies(preferring: state.defaultCurrency)
            let shown = currencies.isEmpty ? [state.defaultCurrency] : currencies
            for (index, currency) in shown.enumerated() {
                row([index == 0 ? label : "", index == 0 ? probability : "", figures.countByCurrency.isEmpty ? (index == 0 ? String(figures.count) : "") : String(figures.countByCurrency[currency] ?? 0),
                     BoardRenderer.money(figures.expected[currency], currency, state),
                     BoardRenderer.money(figures.weighted[currency], currency, state)], style: style)
            }
        }
        for entry in forecast.rows {
            figures(entry.key ?? "", entry.stage?.probability.description ?? "", entry.figures,
                    style: entry.stage?.outcome == .open ? .normal : .dim)
        }
        y += 1
        figures(state.t("forecast.open"), "", forecast.open, style: .money)
        figures(state.t("forecast.won"), "", forecast.won, style: .header)
        y += 1
        if y < state.size.rows - 1 {
            grid.write(fitting: state.t("forecast.footnote"), x: 2, y: y, width: width - 4, style: .dim)
        }
    }
}
