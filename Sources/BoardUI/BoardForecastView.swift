import PipelineCore
import TerminalCore

/// View 3: the forecast of the team's pipeline, per stage and per currency.
enum BoardForecastView {
    static func draw(_ grid: inout Grid, _ state: BoardState) {
        guard let forecast = state.forecast else {
            grid.write("Loading the forecast…", x: 2, y: 2, style: .dim)
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
        grid.write("Forecast of the \(state.team.name) pipeline: expected revenue × stage probability", x: 2, y: 1, style: .header)
        row(["Stage", "Prob", "Deals", "Expected", "Weighted"], style: .header)
        func figures(_ label: String, _ probability: String, _ figures: Figures, style: Style) {
            let currencies = figures.expected.currencies(preferring: state.defaultCurrency)
            let shown = currencies.isEmpty ? [state.defaultCurrency] : currencies
            for (index, currency) in shown.enumerated() {
                row([index == 0 ? label : "", index == 0 ? probability : "", index == 0 ? String(figures.count) : "",
                     BoardRenderer.money(figures.expected[currency], currency, state),
                     BoardRenderer.money(figures.weighted[currency], currency, state)], style: style)
            }
        }
        for entry in forecast.rows {
            figures(entry.key ?? "", entry.stage?.probability.description ?? "", entry.figures,
                    style: entry.stage?.outcome == .open ? .normal : .dim)
        }
        y += 1
        figures("Open pipeline", "", forecast.open, style: .money)
        figures("Won", "", forecast.won, style: .header)
        y += 1
        if y < state.size.rows - 1 {
            grid.write("Lost and archived opportunities are left out. 1 or Tab: back to the pipeline.", x: 2, y: y, style: .dim)
        }
    }
}
