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
        if let page = state.page {
            BoardDealPageView.draw(&grid, state, page)
            drawStatus(&grid, state)
            BoardOverlays.draw(&grid, state)
            return grid
        }
        switch state.view {
        case .pipeline: drawPipeline(&grid, state)
        case .leads: BoardLeadsView.draw(&grid, state)
        case .forecast: BoardForecastView.draw(&grid, state)
        case .activities: BoardActivitiesView.draw(&grid, state)
        }
        drawStatus(&grid, state)
        BoardOverlays.draw(&grid, state)
        return grid
    }

    static func drawTooSmall(_ grid: inout Grid, _ size: Size, _ language: Language) {
        let t = Localizer(language)
        let lines = [t("board.tooSmall", size.columns, size.rows),
                     t("board.enlarge", BoardLayout.minimumSize.columns, BoardLayout.minimumSize.rows)]
            .flatMap { TextWrap.lines($0, width: max(1, size.columns)) }
        for (index, line) in lines.enumerated() {
            let y = max(0, (size.rows - lines.count) / 2) + index
            let x = max(0, (size.columns - DisplayWidth.of(line)) / 2)
            grid.write(fitting: line, x: x, y: y, width: max(1, size.columns - x), style: .message)
        }
    }

    // MARK: - Top line

    static func drawTabs(_ grid: inout Grid, _ state: BoardState) {
        grid.fill(Rect(x: 0, y: 0, width: state.size.columns, height: 1), style: .tab)
        let right = tabBarMarker(state)
        let rightWidth = right.isEmpty ? 0 : DisplayWidth.of(right) + 1
        let teamWidth = min(24, DisplayWidth.of(" \(state.team.name) ")) + 1
        // Every view's name when they fit beside what the right end says; else the views
        // other than the one shown give way to their numbers (the keys that show them).
        func tab(_ view: BoardView, named: Bool) -> String {
            named || view == state.view ? " \(view.rawValue) \(view.title(in: state.language)) " : " \(view.rawValue) "
        }
        let named = teamWidth + state.views.reduce(0) { $0 + DisplayWidth.of(tab($1, named: true)) + 1 } + rightWidth <= state.size.columns
        var x = grid.write(" \(state.team.name) ", x: 0, y: 0, width: 24, style: .activeTab) + 1
        for view in state.views {
            x += grid.write(tab(view, named: named), x: x, y: 0, style: state.view == view ? .activeTab : .tab) + 1
        }
        if !right.isEmpty {
            let width = DisplayWidth.of(right)
            grid.write(right, x: max(x, state.size.columns - width), y: 0, style: .marker)
        }
    }

    private static func isFiltering(_ mode: Mode) -> Bool {
        if case .filtering = mode { return true }
        return false
    }

    /// What the tab bar's right end says: the column order when not by hand, the filter in
    /// force, or "own deals only".
    static func tabBarMarker(_ state: BoardState) -> String {
        var right = ""
        let filter = state.view == .leads ? state.leads.filter : state.filter
        if case .filtering = state.mode {
            right = ""
        } else if !filter.isEmpty, state.view != .forecast {
            right = state.t("board.filterShown", filter)
        } else if state.mine, state.view == .pipeline || state.view == .forecast {
            right = state.t("board.myPipeline", state.me)
        } else if state.access.seesOnlyOwnDeals(in: state.team) {
            // The team's "own deals only": the columns and their sums are the user's deals alone.
            right = state.t("board.ownDealsOnly")
        }
        // An order other than by hand is always said on the pipeline, beside any other marker.
        if state.order != .hand, state.view == .pipeline, !isFiltering(state.mode) {
            let order = state.t("board.orderShown", state.order.name(in: state.language))
            right = right.isEmpty ? order : order + " · " + right
        }
        return right
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
        // How many columns are out of sight, on the rule (beside a header's figures, a
        // count would read as part of them).
        if layout.hiddenLeft > 0 {
            grid.write("◀", x: 0, y: 1, style: .marker)
            grid.write(fitting: String(layout.hiddenLeft), x: 0, y: BoardLayout.headerRule, width: 1, style: .marker)
        }
        if layout.hiddenRight > 0 {
            grid.write("▶", x: state.size.columns - 1, y: 1, style: .marker)
            grid.write(fitting: String(layout.hiddenRight), x: state.size.columns - 1, y: BoardLayout.headerRule, width: 1, style: .marker)
        }
    }

    static func isCarried(_ stage: Stage.ID, _ state: BoardState) -> Bool {
        if case .carryingColumn(let carried) = state.mode { return carried.stage == stage }
        return false
    }

    /// The short mark of a closed stage's outcome, beside its probability (`✓ 100%`, `✗ 0%`).
    public static func outcomeMark(_ outcome: StageOutcome) -> String {
        switch outcome {
        case .open: return ""
        case .won: return "✓"
        case .lost: return "✗"
        }
    }

    /// A column's header on three lines: the stage's name with its probability (and a closed
    /// stage's mark); the count and the sum; the weighted sum and the deals in other
    /// currencies. The name and the sums are never cut while a shorter form of the rest fits.
    static func drawHeader(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState) {
        let focused = state.focus == .header(stage.id)
        let style: Style = isCarried(stage.id, state) ? .carried : focused ? .focusedHeader : .header
        grid.fill(Rect(x: slot.x, y: 1, width: slot.width, height: 3), style: style)
        let lines = headerLines(stage, slot.contentWidth, state)
        let x = slot.contentX, width = slot.contentWidth
        for (index, line) in [lines.first, lines.second, lines.third].enumerated() {
            let rightWidth = DisplayWidth.of(line.right)
            let leftWidth = line.right.isEmpty ? width : max(1, width - rightWidth - 1)
            grid.write(fitting: line.left, x: x, y: 1 + index, width: leftWidth, style: style)
            if !line.right.isEmpty { grid.write(line.right, x: x + width - rightWidth, y: 1 + index, style: style) }
        }
        drawRule(&grid, stage, slot, state, note: lines.ruleNote, counts: lines.ruleCounts)
    }

    struct HeaderLine: Equatable { var left = "", right = "" }

    struct HeaderLines: Equatable {
        var first = HeaderLine(), second = HeaderLine(), third = HeaderLine()
        /// The other-currency note when no header line had room for it.
        var ruleNote: String?
        /// The overdue and rotting counts when no header line had room for them.
        var ruleCounts: String?
    }

    static func headerLines(_ stage: Stage, _ width: Int, _ state: BoardState) -> HeaderLines {
        let fits = { (text: String) in DisplayWidth.of(text) <= width }
        var lines = HeaderLines()
        // The name first, whole; the probability beside it, else on the third line.
        let mark = outcomeMark(stage.outcome)
        let probability = mark.isEmpty ? stage.probability.description : "\(mark) \(stage.probability)"
        var displaced = ""
        if fits(stage.name + " " + probability) {
            lines.first = HeaderLine(left: stage.name, right: probability)
        } else if !mark.isEmpty, fits(stage.name + " " + mark) {
            lines.first = HeaderLine(left: stage.name, right: mark)
        } else {
            lines.first = HeaderLine(left: stage.name)
            displaced = probability
        }
        let figures = state.figures[stage.id] ?? Figures()
        if !state.filter.isEmpty {
            // While filtering, how many of the column's cards match; the counts follow a moment
            // after typing stops (the first window comes first).
            let matching = state.matchingFigures.map { state.t("board.matching", $0[stage.id]?.count ?? 0, figures.count) }
                ?? state.t("board.counting")
            lines.second = HeaderLine(left: matching)
            lines.third = HeaderLine(right: displaced)
            return lines
        }
        let currency = state.defaultCurrency
        let count = String(figures.count)
        let amount = money(figures.expected[currency], currency, state)
        let weighted = "≈" + money(figures.weighted[currency], currency, state)
        let suffix = displaced.isEmpty ? "" : " " + displaced
        // The count goes with the sum — tight (`4·15.000,00 USD`) when the spaced form is a
        // character or two too wide, as the narrower last column often is — or with the
        // weighted sum when the sum fills the line (a column of đồng deals at 80 columns), or,
        // with no room anywhere, it gives way. (With the weighted sum, `4 · ≈750,00 USD` read
        // as if 4 went with the weighted sum: the tight form keeps it with the sum.)
        var third = weighted
        if fits("\(count) · \(amount)") {
            lines.second = HeaderLine(left: "\(count) · \(amount)")
        } else if fits("\(count)·\(amount)") {
            lines.second = HeaderLine(left: "\(count)·\(amount)")
        } else {
            lines.second = HeaderLine(left: amount)
            if fits("\(count) · \(weighted)" + suffix) { third = "\(count) · \(weighted)" }
        }
        // Deals in other currencies are counted as deals (`+1 VND deal`), never as a bare
        // `+1 VND` that reads like an amount: beside the weighted sum, else on the rule.
        let note = otherCurrencies(figures, state)
        if fits(third + note + suffix) {
            lines.third = HeaderLine(left: third + note, right: displaced)
        } else {
            lines.third = HeaderLine(left: third, right: displaced)
            if !note.isEmpty { lines.ruleNote = String(note.dropFirst()) }
        }
        placeCounts(activityCounts(stage.id, state), in: &lines, fits: fits)
        return lines
    }

    /// A header's count of its deals with an overdue activity and of its rotting deals, in
    /// the marks' glyphs (`!2 ▼1`); empty when it has neither.
    static func activityCounts(_ stage: Stage.ID, _ state: BoardState) -> String {
        var parts: [String] = []
        if let overdue = state.overdueCounts[stage], overdue > 0 { parts.append(activityGlyph(.overdue) + String(overdue)) }
        if let rotting = state.rottingCounts[stage], rotting > 0 { parts.append(rottingGlyph + String(rotting)) }
        return parts.joined(separator: " ")
    }

    /// The counts at the right of the header's second line, else of its third, never over
    /// the figures; tight (`!2▼1`) when the spaced form is too wide; with no room on either
    /// line, on the rule under the header. They are a manager's first warning: a wide sum
    /// (a probability raised to 80 %) must not make them vanish.
    static func placeCounts(_ counts: String, in lines: inout HeaderLines, fits: (String) -> Bool) {
        guard !counts.isEmpty else { return }
        for form in [counts, counts.replacingOccurrences(of: " ", with: "")] {
            if lines.second.right.isEmpty, fits(lines.second.left + " " + form) {
                lines.second.right = form
                return
            }
            if lines.third.right.isEmpty, fits(lines.third.left + " " + form) {
                lines.third.right = form
                return
            }
        }
        lines.ruleCounts = counts
    }

    /// The rule under a header, marked when cards are scrolled out above, and carrying the
    /// other-currency note when the header had no room for it.
    static func drawRule(_ grid: inout Grid, _ stage: Stage, _ slot: BoardLayout.Slot, _ state: BoardState, note: String? = nil,
                         counts: String? = nil) {
        let y = BoardLayout.headerRule
        grid.write(String(repeating: "─", count: slot.width), x: slot.x, y: y, style: .border)
        if let note {
            let text = " \(note) "
            let width = DisplayWidth.of(text)
            grid.write(fitting: text, x: slot.x + max(0, slot.width - width - 1), y: y, width: slot.width, style: .marker)
        }
        // The counts at the left, drawn over the note if the column is that narrow: they
        // are the warning; the note is said again on the cards' amounts.
        var after = slot.x + 1
        if let counts {
            let text = " \(counts) "
            grid.write(fitting: text, x: slot.x + 1, y: y, width: max(0, slot.width - 1), style: .overdue)
            after = slot.x + 1 + DisplayWidth.of(text)
        }
        if state.columns[stage.id]?.hasMoreAbove == true {
            let more = state.t("board.moreAbove")
            let x = counts != nil ? after : note == nil ? slot.x + max(0, (slot.width - DisplayWidth.of(more)) / 2) : slot.x + 1
            if x < slot.x + slot.width { grid.write(fitting: more, x: x, y: y, width: slot.width - (x - slot.x), style: .marker) }
        }
    }

    static func money(_ minor: Int128, _ currency: CurrencyCode, _ state: BoardState) -> String {
        MoneyFormat.display(minor, currency: currency, language: state.language)
    }

    /// ` +2 USD deals`: the deals a sum in the default currency leaves out.
    static func otherCurrencies(_ figures: Figures, _ state: BoardState) -> String {
        figures.dealsOutside(state.defaultCurrency).map { entry in
            " " + state.t(entry.count == 1 ? "board.otherCurrency.one" : "board.otherCurrency.many", entry.count, entry.currency.code)
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
        // The next step's mark (and its date when there is room) on the customer's line, at its end.
        let marks = activityMarks(card, width: contentWidth, state)
        let marksWidth = marks.reduce(0) { $0 + DisplayWidth.of($1.text) } + max(0, marks.count - 1)
        grid.write(fitting: card.customer.name.isEmpty ? "—" : card.customer.name, x: contentX, y: y + 1,
                   width: max(1, contentWidth - (marksWidth > 0 ? marksWidth + 1 : 0)), style: plain ? .dim : style)
        var markX = contentX + contentWidth - marksWidth
        for mark in marks {
            markX += grid.write(mark.text, x: markX, y: y + 1, style: plain ? mark.style : style) + 1
        }
        let stars = String(repeating: "★", count: card.priority.stars) + String(repeating: "☆", count: 3 - card.priority.stars)
        let amount = MoneyFormat.display(card.expectedRevenue, language: state.language)
        // Stars give way to the amount when both do not fit.
        let amountWidth = DisplayWidth.of(amount)
        let showStars = amountWidth + 4 <= contentWidth
        // An amount is never cut while the card's right margin can take its last cell.
        let room = showStars ? contentWidth - 4 : amountWidth > contentWidth ? contentWidth + 1 : contentWidth
        grid.write(fitting: amount, x: contentX, y: y + 2, width: room, style: plain ? .money : style)
        if showStars { grid.write(stars, x: contentX + contentWidth - 3, y: y + 2, style: plain ? .stars : style) }
        let days = state.t("board.days", card.stageChangedAt.wholeDays(until: state.now))
        let daysWidth = DisplayWidth.of(days)
        // A lost deal says why where its salesperson stands (the editor still names them).
        let owner = card.lostReason.map { "✗ " + $0 } ?? card.salesperson
        grid.write(fitting: owner, x: contentX, y: y + 3, width: max(1, contentWidth - daysWidth - 1),
                   style: plain ? (card.lostReason == nil ? .dim : .error) : style)
        grid.write(days, x: contentX + contentWidth - daysWidth, y: y + 3, style: plain ? .dim : style)
    }

    /// The glyph of a next step's state: each its own, so that they tell the states apart
    /// without colour (`NO_COLOR`); a deal with no open activity has none.
    public static func activityGlyph(_ timing: ActivityTiming) -> String {
        switch timing {
        case .overdue: return "!"
        case .dueToday: return "●"
        case .planned: return "○"
        case .none: return ""
        }
    }

    /// A rotting deal's mark (in its stage too long with nothing planned).
    public static let rottingGlyph = "▼"

    public static func activityStyle(_ timing: ActivityTiming) -> Style {
        switch timing {
        case .overdue: return .overdue
        case .dueToday: return .dueToday
        case .planned: return .planned
        case .none: return .dim
        }
    }

    /// A next step's date, short: its time when it is today, else the day and month in
    /// the language's order (`Dec 3`, `3/12`), with the year when it is not this year's.
    public static func shortDue(_ date: CalendarDate, time: MinuteOfDay?, today: CalendarDate, language: Language) -> String {
        if date == today, let time { return time.description }
        let t = Localizer(language)
        let dayMonth = language == .vietnamese ? "\(date.day)/\(date.month)" : t("month.short.\(date.month)") + " \(date.day)"
        return date.year == today.year ? dayMonth : dayMonth + (language == .vietnamese ? "/\(date.year)" : " \(date.year)")
    }

    /// A card's marks, right to left as drawn: rotting, then the next step's glyph with its
    /// date when the card is wide enough to keep six cells of the customer's name beside it.
    static func activityMarks(_ card: Opportunity, width: Int, _ state: BoardState) -> [(text: String, style: Style)] {
        var marks: [(text: String, style: Style)] = []
        if let stage = card.stage.flatMap(state.stage),
           card.isRotting(in: stage, today: state.today, utcOffsetSeconds: state.utcOffsetSeconds) {
            marks.append((rottingGlyph, .rotting))
        }
        // A lost deal's open activities are no longer work to do (they stay on its page).
        guard card.hasActivitiesToDo(stageOutcome: card.stage.flatMap(state.stage)?.outcome) else { return marks }
        let timing = card.activityTiming(on: state.today)
        guard timing != .none, let due = card.activityGlance.nextDue else { return marks }
        let glyph = activityGlyph(timing)
        let dated = glyph + " " + shortDue(due, time: card.activityGlance.nextTime, today: state.today, language: state.language)
        let used = marks.isEmpty ? 0 : 2
        marks.append((width - used - DisplayWidth.of(dated) - 1 >= 6 ? dated : glyph, activityStyle(timing)))
        return marks
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

    /// What the status line sums: the open pipeline, or, while a filter is in force, the open
    /// deals that match it (saying so). Longest first: the shorter forms give way to the keys.
    static func totals(_ state: BoardState) -> [String] {
        var open = Figures()
        let filtering = !state.filter.isEmpty
        for stage in state.stages where stage.outcome == .open {
            let figures = filtering ? state.matchingFigures?[stage.id] : state.figures[stage.id]
            open.add(figures ?? Figures())
        }
        let currency = state.defaultCurrency
        let expected = money(open.expected[currency], currency, state), weighted = money(open.weighted[currency], currency, state)
        let note = otherCurrencies(open, state) + " "
        guard filtering else {
            return [state.t("board.totals", expected, weighted) + note, state.t("board.totals.short", expected, weighted) + note]
        }
        guard state.matchingFigures != nil else { return [state.t("board.filtered.counting") + " "] }
        let one = open.count == 1
        return [state.t(one ? "board.filtered.one" : "board.filtered.many", open.count, expected, weighted) + note,
                state.t(one ? "board.filtered.short.one" : "board.filtered.short.many", open.count, expected, weighted) + note]
    }

    /// The key hints of the footer that fit in `room` cells: `? help` stays to the last, the
    /// others give way in `KeyMap.footerDropOrder`.
    static func footer(_ state: BoardState, room: Int) -> String {
        var hints: [KeyMap.FooterHint]
        var order = state.leads.order.name(in: state.language)
        switch state.view {
        case .leads: hints = KeyMap.leadsFooterHints
        case .activities: hints = KeyMap.activitiesFooterHints
        case .forecast:
            hints = KeyMap.forecastFooterHints
            order = state.t("forecast.by.\(state.forecastGrouping.rawValue)")
        case .pipeline: hints = KeyMap.footerHints
        }
        while true {
            let text = " " + KeyMap.footer(hints, in: state.language, order: order)
            guard DisplayWidth.of(text) > room,
                  let drop = KeyMap.footerDropOrder.first(where: { key in hints.contains { $0.key == key } }) else { return text }
            hints.removeAll { $0.key == drop }
        }
    }

    /// A status message too long for the status line, wrapped between words into the rows
    /// it takes: they rise above the status line over the bottom of the view, so that the
    /// whole sentence can be read (the totals and keys give way until the next key clears
    /// it). At most a third of the screen; `nil` when the message fits on the line, or when
    /// the line shows something else (a carried card, the filter being typed).
    static func wrappedStatus(_ state: BoardState) -> [String]? {
        switch state.mode {
        case .carryingCard, .carryingColumn, .filtering: return nil
        default: break
        }
        guard let status = state.status, DisplayWidth.of(" " + status.text) > state.size.columns else { return nil }
        return Array(TextWrap.lines(status.text, width: max(1, state.size.columns - 2)).prefix(max(1, state.size.rows / 3)))
    }

    /// The rows the status takes at the bottom of the screen: one, or a long message's.
    static func statusHeight(_ state: BoardState) -> Int { wrappedStatus(state)?.count ?? 1 }

    static func drawStatus(_ grid: inout Grid, _ state: BoardState) {
        let y = state.size.rows - 1
        let columns = state.size.columns
        if let rows = wrappedStatus(state), let status = state.status {
            let top = state.size.rows - rows.count
            grid.fill(Rect(x: 0, y: top, width: columns, height: rows.count), style: .status)
            grid.write(wrapping: status.text, x: 1, y: top, width: max(1, columns - 2), maxRows: rows.count,
                       style: status.kind == .error ? .error : .message)
            return
        }
        grid.fill(Rect(x: 0, y: y, width: columns, height: 1), style: .status)
        // The deal's page: its section's keys, or what the status has to say.
        if let page = state.page, state.mode.isBrowsing || state.mode.isCardEditor {
            if let status = state.status {
                grid.write(fitting: " " + status.text, x: 0, y: y, width: columns, style: status.kind == .error ? .error : .message)
            } else {
                grid.write(fitting: " " + KeyMap.footer(BoardDealPageView.footerHints(page), in: state.language), x: 0, y: y,
                           width: columns, style: .status)
            }
            return
        }
        let candidates = totals(state)
        var totals = candidates[0]
        var style = Style.status
        // A message outranks the totals; the key hints give way to them, all but `? help`,
        // and the totals shorten before `? help` would be cut.
        let left: String
        switch state.mode {
        case .carryingCard(let carried):
            // The keys matter more than the whole title: the title gives way.
            let keys = DisplayWidth.of(state.t("board.carryingCard", ""))
            left = " " + state.t("board.carryingCard", DisplayWidth.truncate(carried.card.title, to: max(8, columns - 2 - keys)))
        case .carryingColumn:
            left = " " + state.t("board.carryingColumn")
        case .filtering(let field):
            let room = columns - DisplayWidth.of(totals) - 2
            let (rows, _, cursor) = field.visualRows(width: 10_000)
            let prompt = " " + state.t("board.filterPrompt") + " "
            grid.write(prompt, x: 0, y: y, style: .status)
            let x = DisplayWidth.of(prompt)
            grid.write(fitting: rows.first ?? "", x: x, y: y, width: max(1, room - x), style: .field)
            if x + cursor < room {
                grid.write(cursorGrapheme(field), x: x + cursor, y: y, width: 2, style: .focusedField)
                grid.log.cursor = Point(x: x + cursor, y: y)
            }
            left = ""
        default:
            if let status = state.status {
                left = " " + status.text
                style = status.kind == .error ? .error : .message
            } else {
                let least = footer(state, room: 0)
                totals = candidates.first { DisplayWidth.of(least) <= columns - DisplayWidth.of($0) - 2 } ?? candidates[candidates.count - 1]
                left = footer(state, room: columns - DisplayWidth.of(totals) - 2)
            }
        }
        // The Leads and activities views' keys take the whole line: the pipeline's totals
        // are not about them.
        if state.view == .leads || state.view == .activities, state.status == nil, case .browsing = state.mode {
            grid.write(fitting: footer(state, room: columns), x: 0, y: y, width: columns, style: style)
            return
        }
        let room = columns - DisplayWidth.of(totals) - 2
        let showTotals = DisplayWidth.of(left) <= room
        if !left.isEmpty {
            grid.write(fitting: left, x: 0, y: y, width: max(1, showTotals ? room : columns), style: style)
        }
        if showTotals { grid.write(totals, x: columns - DisplayWidth.of(totals), y: y, style: .status) }
    }

    /// The character under a field's cursor (a space at the end), drawn highlighted.
    static func cursorGrapheme(_ field: TextField) -> String {
        field.cursor < field.characters.count && field.characters[field.cursor] != "\n" ? String(field.characters[field.cursor]) : " "
    }
}
