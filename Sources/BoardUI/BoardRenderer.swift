import PipelineCore
import TerminalCore

/// Draws the board into a grid of cells: `render(state) → Grid`. Knows only semantic
/// styles; the terminal backend decides what they look like.
public enum BoardRenderer {
    public static func render(_ state: BoardState) -> Grid {
        var grid = Grid(size: state.size)
        guard !BoardLayout.isTooSmall(state.size) else {
            drawTooSmall(&grid, state.size, state.language)
            return grid
        }
        drawTabs(&grid, state)
        switch state.view {
        case .pipeline: drawPipeline(&grid, state)
        case .leads: BoardLeadsView.draw(&grid, state)
        case .forecast: BoardForecastView.draw(&grid, state)
        }
        drawStatus(&grid, state)
        BoardOverlays.draw(&grid, state)
        return grid
    }

    static func drawTooSmall(_ grid: inout Grid, _ size: Size, _ language: Language) {
        let t = Localizer(language)
        let lines = [t("board.tooSmall", size.columns, size.rows),
                     t("board.enlarge", BoardLayout.minimumSize.columns, BoardLayout.minimumSize.rows)]
        for (index, line) in lines.enumerated() {
            let y = size.rows / 2 - 1 + index
            let x = max(0, (size.columns - DisplayWidth.of(line)) / 2)
            grid.write(line, x: x, y: y, style: .message)
        }
    }

    // MARK: - Top line

    static func drawTabs(_ grid: inout Grid, _ state: BoardState) {
        grid.fill(Rect(x: 0, y: 0, width: state.size.columns, height: 1), style: .tab)
        var x = grid.write(" \(state.team.name) ", x: 0, y: 0, width: 24, style: .activeTab) + 1
        for view in state.views {
            x += grid.write(" \(view.rawValue) \(view.title(in: state.language)) ", x: x, y: 0, style: state.view == view ? .activeTab : .tab) + 1
        }
        var right = ""
        let filter = state.view == .leads ? state.leads.filter : state.filter
        if case .filtering = state.mode {
            right = ""
        } else if !filter.isEmpty, state.view != .forecast {
            right = state.t("board.filterShown", filter)
        }
        if !right.isEmpty {
            let width = DisplayWidth.of(right)
            grid.write(right, x: max(x, state.size.columns - width), y: 0, style: .marker)
        }
    }

    // MARK: - Pipeline

    /// The stages as drawn: while a column is carried, in the order it would leave.
    static func displayedStages(_ state: BoardState) -> [Stage] {
        guard case .carryingColumn(let carried) = state.mode else { return state.screenStages }
        let ordered = carried.order.compactMap(state.stage)
        return state.direction == .rightToLeft ? ordered.reversed() : ordered
    }

    static func drawPipeline(_ grid: inout Grid, _ state: BoardState) {
        let stages = displayedStages(state)
        guard !stages.isEmpty else {
            grid.write(state.t("board.noStages"), x: 2, y: 3, style: .message)
            grid.write(state.t("board.noStagesHint"), x: 2, y: 4, style: .dim)
            return
        }
        let focusIndex = state.focus.flatMap { focus in stages.firstIndex { $0.id == focus.stage } }
        let layout = BoardLayout.columns(stages, width: state.size.columns, offset: state.horizontalOffset, focusIndex: focusIndex)
        let bottom = state.size.rows - 2
        for (index, slot) in layout.slots.enumerated() {
            guard let stage = state.stage(slot.stage) else { continue }
            if index > 0 {
                for y in 1...bottom { grid.write("│", x: slot.x - 1, y: y, style: .border) }
            }
            if slot.folded {
                drawFolded(&grid, stage, slot, state)
            } else {
                drawHeader(&grid, stage, slot, state)
                drawCards(&grid, stage, slot, state)
            }
        }
        if layout.hiddenLeft > 0 {
            grid.write("◀", x: 0, y: 1, style: .marker)
            grid.write(fitting: String(layout.hiddenLeft), x: 0, y: 2, width: 1, style: .marker)
        }
        if layout.hiddenRight > 0 {
            grid.write("▶", x: state.size.columns - 1, y: 1, style: .marker)
            grid.write(fitting: String(layout.hiddenRight), x: state.size.columns - 1, y: 2, width: 1, style: .marker)
        }
    }

    static func isCarried(_ stage: Stage.ID, _ state: BoardState) -> Bool {
        if case .carryingColumn(let carried) = state.mode { return carried.stage == stage }
        return false
    }

    static func drawHeader(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState) {
        let focused = state.focus == .header(stage.id)
        let style: Style = isCarried(stage.id, state) ? .carried : focused ? .focusedHeader : .header
        grid.fill(Rect(x: slot.x, y: 1, width: slot.width, height: 2), style: style)
        let probability = stage.outcome == .open ? stage.probability.description
            : "\(stage.outcome.name(in: state.language)) \(stage.probability)"
        let probabilityWidth = DisplayWidth.of(probability)
        grid.write(fitting: stage.name, x: slot.contentX, y: 1, width: max(1, slot.contentWidth - probabilityWidth - 1), style: style)
        grid.write(probability, x: slot.contentX + slot.contentWidth - probabilityWidth, y: 1, style: style)
        let figures = state.figures[stage.id] ?? Figures()
        let count = state.count(of: stage.id)
        let currency = state.defaultCurrency
        if !state.filter.isEmpty {
            // While filtering, the header says how many of the column's cards match; the
            // counts follow a moment after typing stops (the first window comes first).
            let matching = state.matchingCounts.map { state.t("board.matching", $0[stage.id] ?? 0, figures.count) } ?? state.t("board.counting")
            grid.write(fitting: matching, x: slot.contentX, y: 2, width: slot.contentWidth, style: style)
            drawRule(&grid, stage, slot, state)
            return
        }
        // The fullest line that fits: an amount is never cut while a shorter form exists.
        // Sums never mix currencies: deals in other currencies are counted beside the sum.
        let amount = money(figures.expected[currency], currency, state)
        let note = otherCurrencies(figures, state, short: false), shortNote = otherCurrencies(figures, state, short: true)
        let weighted = "≈\(money(figures.weighted[currency], currency, state))"
        let fits = { (line: String) in DisplayWidth.of(line) <= slot.contentWidth }
        let plain = ["\(count) · \(amount) \(weighted)", "\(count) · \(amount)", amount]
        let marked = ["\(count) · \(amount)\(note) \(weighted)", "\(count) · \(amount)\(note)", "\(count) · \(amount)\(shortNote)",
                      amount + shortNote]
        // Where the sum and its note do not fit on one line, the note goes on the rule below.
        let stats = (note.isEmpty ? nil : marked.first(where: fits)) ?? plain.first(where: fits) ?? amount
        let ruleNote = note.isEmpty || marked.contains(stats) ? nil : String(shortNote.dropFirst())
        grid.write(fitting: stats, x: slot.contentX, y: 2, width: slot.contentWidth, style: style)
        drawRule(&grid, stage, slot, state, note: ruleNote)
    }

    /// The rule under a header, marked when cards are scrolled out above, and carrying the
    /// other-currency note when the header had no room for it.
    static func drawRule(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState, note: String? = nil) {
        grid.write(String(repeating: "─", count: slot.width), x: slot.x, y: 3, style: .border)
        if let note {
            let text = " \(note) "
            let width = DisplayWidth.of(text)
            grid.write(text, x: slot.x + max(0, slot.width - width - 1), y: 3, width: slot.width, style: .marker)
        }
        if state.columns[stage.id]?.hasMoreAbove == true {
            let more = state.t("board.moreAbove")
            let x = note == nil ? slot.x + max(0, (slot.width - DisplayWidth.of(more)) / 2) : slot.x + 1
            grid.write(more, x: x, y: 3, width: slot.width, style: .marker)
        }
    }

    static func money(_ minor: Int128, _ currency: CurrencyCode, _ state: BoardState) -> String {
        MoneyFormat.display(minor, currency: currency, language: state.language)
    }

    /// ` +2 USD deals` (short: ` +2 USD`): the deals a sum in the default currency leaves out.
    static func otherCurrencies(_ figures: Figures, _ state: BoardState, short: Bool) -> String {
        figures.dealsOutside(state.defaultCurrency).map { entry in
            let key = short ? "board.otherCurrency.short" : entry.count == 1 ? "board.otherCurrency.one" : "board.otherCurrency.many"
            return " " + state.t(key, entry.count, entry.currency.code)
        }.joined()
    }

    /// The cards a column shows: while a card is carried, without it, or with it where it
    /// would land.
    static func displayedCards(_ stage: Stage.ID, _ state: BoardState) -> [(card: Opportunity, carried: Bool)] {
        let cards = state.columns[stage]?.cards ?? []
        guard case .carryingCard(let carried) = state.mode else { return cards.map { ($0, false) } }
        var shown = cards.filter { $0.id != carried.card.id }.map { (card: $0, carried: false) }
        if carried.target == stage { shown.insert((carried.card, true), at: min(carried.index, shown.count)) }
        return shown
    }

    static func drawCards(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState) {
        let cards = displayedCards(stage.id, state)
        let lastRow = state.size.rows - 2
        if cards.isEmpty {
            let empty = state.t(state.filter.isEmpty ? "board.emptyColumn" : "board.noMatch")
            grid.write(fitting: empty, x: slot.contentX, y: BoardLayout.cardsTop, width: slot.contentWidth, style: .dim)
            if state.filter.isEmpty {
                grid.write(state.t("board.emptyColumnHint"), x: slot.contentX, y: BoardLayout.cardsTop + 1, width: slot.contentWidth, style: .dim)
            }
            return
        }
        for (index, entry) in cards.enumerated() {
            let top = BoardLayout.cardTop(index)
            guard top + BoardLayout.cardHeight <= lastRow else { break }
            let focused = state.focus == .card(stage.id, entry.card.id)
            let style: Style = entry.carried ? .carried : focused ? .focusedCard : .card
            drawCard(&grid, entry.card, x: slot.x, y: top, width: slot.width, style: style, state)
        }
        if state.columns[stage.id]?.hasMoreBelow == true {
            let more = state.t("board.moreBelow")
            grid.write(more, x: slot.x + max(0, (slot.width - DisplayWidth.of(more)) / 2), y: lastRow, width: slot.width, style: .marker)
        }
    }

    static func drawCard(_ grid: inout Grid, _ card: Opportunity, x: Int, y: Int, width: Int, style: Style, _ state: BoardState) {
        grid.fill(Rect(x: x, y: y, width: width, height: BoardLayout.cardHeight), style: style)
        let contentX = x + 1, contentWidth = max(1, width - 2)
        let plain = style == .card
        grid.write(fitting: card.title, x: contentX, y: y, width: contentWidth, style: style)
        grid.write(fitting: card.customer.name.isEmpty ? "—" : card.customer.name, x: contentX, y: y + 1, width: contentWidth,
                   style: plain ? .dim : style)
        let stars = String(repeating: "★", count: card.priority.stars) + String(repeating: "☆", count: 3 - card.priority.stars)
        let amount = MoneyFormat.display(card.expectedRevenue, language: state.language)
        // Stars give way to the amount when both do not fit.
        let showStars = DisplayWidth.of(amount) + 4 <= contentWidth
        grid.write(fitting: amount, x: contentX, y: y + 2, width: showStars ? contentWidth - 4 : contentWidth, style: plain ? .money : style)
        if showStars { grid.write(stars, x: contentX + contentWidth - 3, y: y + 2, style: plain ? .stars : style) }
        let days = state.t("board.days", card.stageChangedAt.wholeDays(until: state.now))
        let daysWidth = DisplayWidth.of(days)
        grid.write(fitting: card.salesperson, x: contentX, y: y + 3, width: max(1, contentWidth - daysWidth - 1), style: plain ? .dim : style)
        grid.write(days, x: contentX + contentWidth - daysWidth, y: y + 3, style: plain ? .dim : style)
    }

    static func drawFolded(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState) {
        let focused = state.focus?.stage == stage.id
        let style: Style = isCarried(stage.id, state) ? .carried : focused ? .focusedHeader : .dim
        grid.fill(Rect(x: slot.x, y: 1, width: slot.width, height: state.size.rows - 2), style: style)
        grid.write(fitting: String(state.count(of: stage.id)), x: slot.x, y: 1, width: slot.width, style: style)
        var y = 3
        for character in stage.name where y < state.size.rows - 2 {
            if character == " " { y += 1; continue }
            grid.write(fitting: String(character), x: slot.x + 1, y: y, width: 2, style: style)
            y += 1
        }
    }

    // MARK: - Status line

    static func drawStatus(_ grid: inout Grid, _ state: BoardState) {
        let y = state.size.rows - 1
        grid.fill(Rect(x: 0, y: y, width: state.size.columns, height: 1), style: .status)
        var open = Figures()
        for stage in state.stages where stage.outcome == .open { open.add(state.figures[stage.id] ?? Figures()) }
        let currency = state.defaultCurrency
        var totals = state.t("board.totals", money(open.expected[currency], currency, state), money(open.weighted[currency], currency, state))
        totals += otherCurrencies(open, state, short: false) + " "
        let totalsWidth = DisplayWidth.of(totals)
        let room = state.size.columns - totalsWidth - 2
        let left: String
        var style = Style.status
        // A message outranks the totals; the key hints give way to them.
        var isMessage = false
        switch state.mode {
        case .carryingCard(let carried):
            left = " " + state.t("board.carryingCard", carried.card.title)
        case .carryingColumn:
            left = " " + state.t("board.carryingColumn")
        case .filtering(let field):
            let (rows, _, cursor) = field.visualRows(width: 10_000)
            let shown = rows.first ?? ""
            let prompt = " " + state.t("board.filterPrompt") + " "
            grid.write(prompt, x: 0, y: y, style: .status)
            let x = DisplayWidth.of(prompt)
            grid.write(shown, x: x, y: y, width: max(1, room - x), style: .field)
            if x + cursor < room { grid.write(cursorGrapheme(field), x: x + cursor, y: y, width: 2, style: .focusedField) }
            left = ""
        default:
            if let status = state.status {
                left = " " + status.text
                style = status.kind == .error ? .error : .message
                isMessage = true
            } else if state.view == .leads {
                left = " " + state.t("leads.footer", state.leads.order.name(in: state.language))
            } else {
                left = " " + KeyMap.footer(in: state.language)
            }
        }
        let showTotals = !isMessage || DisplayWidth.of(left) <= room
        if !left.isEmpty {
            grid.write(fitting: left, x: 0, y: y, width: max(1, showTotals ? room : state.size.columns), style: style)
        }
        if showTotals { grid.write(totals, x: state.size.columns - totalsWidth, y: y, style: .status) }
    }

    /// The character under a field's cursor (a space at the end), drawn highlighted.
    static func cursorGrapheme(_ field: TextField) -> String {
        field.cursor < field.characters.count && field.characters[field.cursor] != "\n" ? String(field.characters[field.cursor]) : " "
    }
}
