import PipelineCore
import TerminalCore

/// View 3: the forecast of the team's pipeline grouped by stage, closing month or salesperson
/// (`b`), expected and weighted amounts as bars beside their exact figures, the revenue won
/// this month and last, and the open pipeline's range (P10–P90, P50 marked) per closing month.
/// Laid out as lines for the screen's width; the view scrolls when they are more than fit.
enum BoardForecastView {
    /// A piece of a line: text in `width` cells from `x` (relative to the view's left margin).
    struct Cell {
        var x: Int
        var width: Int
        var text: String
        var alignRight = false
        var style: Style
    }

    typealias Line = [Cell]

    /// The rows between the tab bar and the status line.
    static func height(_ state: BoardState) -> Int { max(1, state.size.rows - 2) }

    /// How far view 3 scrolls: its last line at the bottom of the screen.
    static func maxScroll(_ state: BoardState) -> Int {
        max(0, lines(state).count - height(state))
    }

    static func draw(_ grid: inout Grid, _ state: BoardState) {
        guard state.forecast != nil else {
            grid.write(state.t("forecast.loading"), x: 2, y: 2, style: .dim)
            return
        }
        let all = lines(state)
        let height = height(state)
        let first = max(0, min(state.forecastScroll, all.count - height))
        for (row, line) in all.dropFirst(first).prefix(height).enumerated() {
            for cell in line {
                grid.write(fitting: cell.text, x: 2 + cell.x, y: 1 + row, width: cell.width, alignRight: cell.alignRight, style: cell.style)
            }
        }
        let right = state.size.columns - 1
        if first > 0 { grid.write("▲", x: right, y: 1, style: .marker) }
        if first + height < all.count { grid.write("▼", x: right, y: height, style: .marker) }
    }

    // MARK: - Bars

    /// The glyph of a bar's last, partial cell: ▏ (one eighth) to ▉ (seven eighths).
    static func partialBlock(eighths: Int) -> String {
        String(Character(Unicode.Scalar(0x2590 - eighths) ?? "█"))
    }

    /// How many eighths of a cell a bar of `amount` takes when `largest` fills `width` cells,
    /// to the nearest eighth; a positive amount shows at least one eighth.
    static func eighths(_ amount: Int128, largest: Int128, width: Int) -> Int {
        guard amount > 0, largest > 0, width > 0 else { return 0 }
        let full = Int128(width) * 8
        let rounded = (min(amount, largest) * full * 2 + largest) / (largest * 2)
        return Int(max(1, min(full, rounded)))
    }

    /// A horizontal bar of block characters with eighth-cell steps (U+2588–U+258F).
    static func bar(_ amount: Int128, largest: Int128, width: Int) -> String {
        let length = eighths(amount, largest: largest, width: width)
        return String(repeating: "█", count: length / 8) + (length % 8 > 0 ? partialBlock(eighths: length % 8) : "")
    }

    /// The cell of `width` cells that `amount` falls in when `scale` is the last cell.
    static func rangeCell(_ amount: Int128, scale: Int128, width: Int) -> Int {
        guard scale > 0, width > 1 else { return 0 }
        let cell = (max(0, min(amount, scale)) * Int128(width - 1) * 2 + scale) / (scale * 2)
        return Int(cell)
    }

    /// P10–P90 as `├───●──┤` on a scale where `scale` is the last cell; P50 is the `●`.
    static func rangeBar(_ range: RevenueRange, scale: Int128, width: Int) -> String {
        guard width > 0 else { return "" }
        let low = rangeCell(range.p10, scale: scale, width: width), high = rangeCell(range.p90, scale: scale, width: width)
        let middle = rangeCell(range.p50, scale: scale, width: width)
        var cells = Array(repeating: " ", count: high + 1)
        if low < high {
            cells[low] = "├"
            cells[high] = "┤"
            for index in (low + 1)..<high { cells[index] = "─" }
        }
        cells[middle] = "●"
        return cells.joined()
    }

    // MARK: - Lines

    /// A row of the table: its label, the deals, expected and weighted amounts (`nil`: no
    /// amount in that column) with bars where `bars` (group rows, not totals).
    struct TableRow {
        var label: String
        var probability = ""
        var count: String
        var expected: Int128?
        var weighted: Int128?
        var currency: CurrencyCode
        var bars: Bool
        var style: Style
        var gap = false
    }

    static func groupLabel(_ row: Forecast.Row, _ grouping: Forecast.Grouping, _ state: BoardState) -> String {
        switch grouping {
        case .stage: return row.key ?? ""
        case .month: return row.key ?? state.t("forecast.noClosingDate")
        case .salesperson: return row.key ?? state.t("forecast.unassigned")
        }
    }

    /// The table's rows: a group per row (a row per currency where its deals are in several),
    /// the open pipeline and the won deals, then the revenue won this month and last.
    static func tableRows(_ forecast: Forecast, _ state: BoardState) -> [TableRow] {
        var rows: [TableRow] = []
        func add(_ label: String, probability: String = "", _ figures: Figures, bars: Bool, weighted: Bool = true, style: Style,
                 gap: Bool = false) {
            let currencies = figures.expected.currencies(preferring: state.defaultCurrency)
            for (index, currency) in (currencies.isEmpty ? [state.defaultCurrency] : currencies).enumerated() {
                let count = figures.countByCurrency.isEmpty ? (index == 0 ? figures.count : 0) : figures.countByCurrency[currency] ?? 0
                rows.append(TableRow(label: index == 0 ? label : "", probability: index == 0 ? probability : "", count: String(count),
                                     expected: figures.expected[currency], weighted: weighted ? figures.weighted[currency] : nil,
                                     currency: currency, bars: bars, style: style, gap: gap && index == 0))
            }
        }
        for entry in forecast.rows {
            add(groupLabel(entry, forecast.grouping, state), probability: entry.stage.map { "\($0.probability)" } ?? "", entry.figures,
                bars: true, style: entry.stage.map { $0.outcome == .open ? .normal : .dim } ?? .normal)
        }
        add(state.t("forecast.open"), forecast.open, bars: false, style: .money, gap: true)
        add(state.t("forecast.won"), forecast.won, bars: false, style: .header)
        if let won = state.wonByMonth, won.figures.count == 2 {
            // One line per currency won in either month, so that the two months sit side by side.
            var totals = MoneyTotals()
            for figures in won.figures { totals.add(figures.expected) }
            let currencies = totals.currencies(preferring: state.defaultCurrency)
            for (index, key) in ["forecast.won.thisMonth", "forecast.won.lastMonth"].enumerated() {
                let figures = won.figures[index]
                for (line, currency) in (currencies.isEmpty ? [state.defaultCurrency] : currencies).enumerated() {
                    rows.append(TableRow(label: line == 0 ? state.t(key) : "", count: String(figures.countByCurrency[currency] ?? 0),
                                         expected: figures.expected[currency], weighted: nil, currency: currency, bars: true,
                                         style: .header, gap: index == 0 && line == 0))
                }
            }
        }
        return rows
    }

    /// Every line of the view at the screen's width.
    static func lines(_ state: BoardState) -> [Line] {
        guard let forecast = state.forecast else { return [] }
        let width = state.size.columns - 4
        var lines: [Line] = []
        func text(_ text: String, style: Style, indent: Int = 0) {
            // Wrapped only when longer than the line (wrapping folds the spaces that set choices apart).
            let rows = DisplayWidth.of(text) <= width - indent ? [text] : TextWrap.lines(text, width: width - indent)
            for line in rows {
                lines.append([Cell(x: indent, width: width - indent, text: line, style: style)])
            }
        }
        text(state.t("forecast.title", state.team.name), style: .header)
        text(groupingLine(state), style: .normal)
        lines.append([])
        lines += table(forecast, state, width: width)
        lines.append([])
        lines += rangeLines(state, width: width)
        lines.append([])
        text(state.t("forecast.footnote"), style: .dim)
        return lines
    }

    /// `Grouped by ◉ stage ○ month ○ salesperson · b changes it`: the choice in force marked
    /// by a glyph, not only by colour.
    static func groupingLine(_ state: BoardState) -> String {
        let choices = Forecast.Grouping.allCases.map { grouping in
            (grouping == state.forecastGrouping ? "◉ " : "○ ") + state.t("forecast.by.\(grouping.rawValue)")
        }
        return state.t("forecast.by.line", choices.joined(separator: "  "))
    }

    static func money(_ amount: Int128, _ currency: CurrencyCode, _ state: BoardState) -> String {
        BoardRenderer.money(amount, currency, state)
    }

    /// The fewest cells a label is cut to when the amounts need the room.
    static let shortestLabel = 6

    /// The table: label, deals, then expected and weighted as bars with their exact amounts.
    /// Bars are proportional within the screen, per currency (amounts in different
    /// currencies are never compared): the largest amount of a currency fills the bar.
    static func table(_ forecast: Forecast, _ state: BoardState, width: Int) -> [Line] {
        let rows = tableRows(forecast, state)
        let labelHeader = state.t("forecast.column.\(forecast.grouping.rawValue)")
        let countHeader = state.t("forecast.column.deals")
        let expectedHeader = state.t("forecast.column.expected"), weightedHeader = state.t("forecast.column.weighted")
        func widest(_ texts: [String]) -> Int { texts.map { DisplayWidth.of($0) }.max() ?? 0 }
        let labels = rows.map { $0.probability.isEmpty ? $0.label : $0.label + " " + $0.probability }
        var labelWidth = widest([labelHeader] + labels)
        let countWidth = widest([countHeader] + rows.map(\.count))
        let expectedAmounts = rows.map { row in row.expected.map { money($0, row.currency, state) } ?? "" }
        let weightedAmounts = rows.map { row in row.weighted.map { money($0, row.currency, state) } ?? "" }
        let expectedWidth = widest(expectedAmounts), weightedWidth = widest(weightedAmounts)
        // label ␣␣ deals ␣␣ bar ␣ expected ␣␣ bar ␣ weighted. An amount is never cut: room
        // comes from the bars first (the amounts beside them say the same exactly), down to
        // none, then from the labels (cut with "…", down to `shortestLabel`).
        let amountsWidth = countWidth + expectedWidth + weightedWidth + 8
        labelWidth = max(min(labelWidth, shortestLabel), min(labelWidth, width - amountsWidth))
        let barWidth = max(0, (width - labelWidth - amountsWidth) / 2)
        let countX = labelWidth + 2
        let expectedX = countX + countWidth + 2
        let expectedColumn = barWidth + 1 + expectedWidth
        let weightedX = expectedX + expectedColumn + 2
        let weightedColumn = max(0, min(barWidth + 1 + weightedWidth, width - weightedX))
        var largest: [CurrencyCode: Int128] = [:]
        for row in rows where row.bars {
            largest[row.currency] = max(largest[row.currency] ?? 0, row.expected ?? 0, row.weighted ?? 0)
        }
        var lines: [Line] = [[
            Cell(x: 0, width: labelWidth, text: labelHeader, style: .header),
            Cell(x: countX, width: countWidth, text: countHeader, alignRight: true, style: .header),
            Cell(x: expectedX, width: expectedColumn, text: expectedHeader, alignRight: true, style: .header),
            Cell(x: weightedX, width: weightedColumn, text: weightedHeader, alignRight: true, style: .header),
        ]]
        for (index, row) in rows.enumerated() {
            if row.gap { lines.append([]) }
            var line: Line = [Cell(x: 0, width: labelWidth, text: row.label, style: row.style)]
            if !row.probability.isEmpty {
                let room = max(0, labelWidth - DisplayWidth.of(row.probability) - 1)
                line = [Cell(x: 0, width: room, text: row.label, style: row.style),
                        Cell(x: room + 1, width: labelWidth - room - 1, text: row.probability, alignRight: true, style: row.style)]
            }
            line.append(Cell(x: countX, width: countWidth, text: row.count, alignRight: true, style: row.style))
            let scale = largest[row.currency] ?? 0
            if let expected = row.expected {
                if row.bars { line.append(Cell(x: expectedX, width: barWidth, text: bar(expected, largest: scale, width: barWidth), style: .money)) }
                line.append(Cell(x: expectedX + barWidth + 1, width: expectedWidth, text: expectedAmounts[index], alignRight: true, style: row.style))
            }
            if let weighted = row.weighted, weightedColumn > 0 {
                if row.bars { line.append(Cell(x: weightedX, width: min(barWidth, weightedColumn), text: bar(weighted, largest: scale, width: barWidth), style: .stars)) }
                line.append(Cell(x: weightedX + barWidth + 1, width: max(0, weightedColumn - barWidth - 1), text: weightedAmounts[index],
                                 alignRight: true, style: row.style))
            }
            lines.append(line)
        }
        return lines
    }

    /// The range of the open pipeline's won revenue: per currency, the whole pipeline, then
    /// each closing month as a P10–P90 bar with P50 marked, the exact amounts beside it (or
    /// under it when the screen is too narrow for both).
    static func rangeLines(_ state: BoardState, width: Int) -> [Line] {
        var lines: [Line] = []
        for line in TextWrap.lines(state.t("forecast.range.title"), width: width) {
            lines.append([Cell(x: 0, width: width, text: line, style: .header)])
        }
        // The legend: each glyph with its words, broken between them, never inside one.
        for line in BoardOverlays.hintLines(["forecast.range.p10", "forecast.range.p50", "forecast.range.p90"].map { state.t($0) }
                                                .joined(separator: " · "), width: width) {
            lines.append([Cell(x: 0, width: width, text: line, style: .dim)])
        }
        guard let range = state.forecastRange else {
            lines.append([Cell(x: 0, width: width, text: state.t("forecast.loading"), style: .dim)])
            return lines
        }
        if range.currencies.isEmpty {
            lines.append([Cell(x: 0, width: width, text: state.t("forecast.range.none"), style: .dim)])
            return lines
        }
        func amounts(_ figures: RevenueRange, _ currency: CurrencyCode) -> String {
            state.t("forecast.range.amounts", money(figures.p10, currency, state), money(figures.p50, currency, state),
                    money(figures.p90, currency, state))
        }
        let labels = [state.t("forecast.open")] + range.currencies.flatMap { $0.months.map { $0.key ?? state.t("forecast.noClosingDate") } }
        let labelWidth = min(labels.map { DisplayWidth.of($0) }.max() ?? 0, max(10, width / 4))
        let countWidth = max(2, range.currencies.flatMap { [$0.whole.count] + $0.months.map(\.range.count) }.map { String($0).count }.max() ?? 0)
        let barX = labelWidth + 2 + countWidth + 2
        let texts = range.currencies.flatMap { group in [amounts(group.whole, group.currency)] + group.months.map { amounts($0.range, group.currency) } }
        let textWidth = texts.map { DisplayWidth.of($0) }.max() ?? 0
        // One line per month when a bar of at least 12 cells fits beside the amounts, else
        // the amounts go on a line of their own under the bar.
        let oneLine = width - barX - 1 - textWidth >= 12
        let barWidth = oneLine ? width - barX - 1 - textWidth : width - barX
        for (index, group) in range.currencies.enumerated() {
            if index > 0 { lines.append([]) }
            let scale = group.months.map(\.range.p90).max() ?? 0
            func row(_ label: String, _ figures: RevenueRange, bar: Bool, style: Style) {
                var line: Line = [Cell(x: 0, width: labelWidth, text: label, style: style),
                                  Cell(x: labelWidth + 2, width: countWidth, text: String(figures.count), alignRight: true, style: style)]
                if bar { line.append(Cell(x: barX, width: barWidth, text: rangeBar(figures, scale: scale, width: barWidth), style: .money)) }
                let text = amounts(figures, group.currency)
                if oneLine || !bar && DisplayWidth.of(text) <= width - barX {
                    let x = oneLine ? barX + barWidth + 1 : barX
                    line.append(Cell(x: x, width: width - x, text: text, alignRight: oneLine, style: style))
                    lines.append(line)
                } else {
                    lines.append(line)
                    // Broken between P10, P50 and P90 when even a line of its own is too
                    // narrow: an amount is never cut.
                    for part in BoardOverlays.hintLines(text, width: width - 2) {
                        lines.append([Cell(x: 2, width: width - 2, text: part, style: .dim)])
                    }
                }
            }
            row(state.t("forecast.open"), group.whole, bar: false, style: .money)
            for month in group.months { row(month.key ?? state.t("forecast.noClosingDate"), month.range, bar: true, style: .normal) }
        }
        return lines
    }
}
