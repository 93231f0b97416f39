import PipelineCore
import TerminalCore

/// Where things go on the screen: pure geometry from the terminal size and the stages.
public enum BoardLayout {
    /// Below this the board shows only "terminal too small".
    public static let minimumSize = Size(columns: 40, rows: 12)
    public static let minimumColumnWidth = 18
    public static let maximumColumnWidth = 40
    /// A folded stage is a narrow strip.
    public static let foldedColumnWidth = 3
    /// Rows of one card, and the blank row between cards.
    public static let cardHeight = 4
    public static let cardGap = 1
    /// Tab bar, three header lines (name and probability; count and sum; weighted sum), the
    /// header rule.
    public static let cardsTop = 5
    /// The rule under the headers.
    public static let headerRule = cardsTop - 1

    public static func isTooSmall(_ size: Size) -> Bool {
        size.columns < minimumSize.columns || size.rows < minimumSize.rows
    }

    /// How many cards a column shows at once.
    public static func cardCapacity(_ size: Size) -> Int {
        // Rows between the header rule and the "more below" row above the status line.
        let rows = size.rows - cardsTop - 2
        return max(1, (rows + cardGap) / (cardHeight + cardGap))
    }

    /// The top row of the card at `index` in the visible window.
    public static func cardTop(_ index: Int) -> Int {
        cardsTop + index * (cardHeight + cardGap)
    }

    /// One column on screen.
    public struct Slot: Hashable, Sendable {
        public var stage: Stage.ID
        public var x: Int
        public var width: Int
        public var folded: Bool

        public var contentX: Int { x + 1 }
        public var contentWidth: Int { max(0, width - 2) }
    }

    public struct Columns: Hashable, Sendable {
        public var slots: [Slot]
        /// Columns hidden to the left and right of the screen.
        public var hiddenLeft: Int
        public var hiddenRight: Int
        /// The first visible column, in screen order, after keeping focus in view.
        public var offset: Int
    }

    /// Lays out `stages` (in screen order) from `offset`, scrolling so that the column at
    /// `focusIndex` is visible. A one-cell gutter on each side holds the "more" markers,
    /// and a one-cell rule separates columns.
    public static func columns(_ stages: [Stage], width: Int, offset requested: Int, focusIndex: Int?) -> Columns {
        guard !stages.isEmpty else { return Columns(slots: [], hiddenLeft: 0, hiddenRight: 0, offset: 0) }
        let available = width - 2
        func naturalWidth(_ stage: Stage) -> Int { stage.isFolded ? foldedColumnWidth : minimumColumnWidth }
        func lastFitting(from start: Int) -> Int {
            var used = 0
            var last = start - 1
            for index in start..<stages.count {
                let needed = naturalWidth(stages[index]) + (index > start ? 1 : 0)
                if used + needed > available, index > start { break }
                used += needed
                last = index
            }
            return last
        }
        var offset = min(max(0, requested), stages.count - 1)
        if let focusIndex {
            if focusIndex < offset { offset = focusIndex }
            while lastFitting(from: offset) < focusIndex, offset < focusIndex { offset += 1 }
        }
        // Use the room on the right when scrolled too far.
        while offset > 0, lastFitting(from: offset - 1) >= stages.count - 1 { offset -= 1 }
        let last = max(offset, lastFitting(from: offset))
        let visible = Array(stages[offset...last])
        let folded = visible.filter(\.isFolded).count
        let open = visible.count - folded
        let separators = visible.count - 1
        let spare = available - separators - folded * foldedColumnWidth
        let openWidth = open > 0 ? min(maximumColumnWidth, max(minimumColumnWidth, spare / open)) : 0
        var extra = open > 0 && openWidth < maximumColumnWidth ? max(0, spare - openWidth * open) : 0
        var x = 1
        var slots: [Slot] = []
        for stage in visible {
            var columnWidth = stage.isFolded ? foldedColumnWidth : openWidth
            if !stage.isFolded, extra > 0 { columnWidth += 1; extra -= 1 }
            columnWidth = min(columnWidth, width - 1 - x)
            slots.append(Slot(stage: stage.id, x: x, width: columnWidth, folded: stage.isFolded))
            x += columnWidth + 1
        }
        return Columns(slots: slots, hiddenLeft: offset, hiddenRight: stages.count - 1 - last, offset: offset)
    }

    /// The layout of `state`'s pipeline view.
    public static func columns(of state: BoardState) -> Columns {
        let screen = state.screenStages
        let focusIndex = state.focus.flatMap { focus in screen.firstIndex { $0.id == focus.stage } }
        return columns(screen, width: state.size.columns, offset: state.horizontalOffset, focusIndex: focusIndex)
    }
}
