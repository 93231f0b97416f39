import PipelineCore

/// How a keyset window of a column (or of the Leads view) is put together from an engine's
/// two queries — every engine's windows behave alike: which cards an anchor asks for, a
/// window near an end filled from the other side so that it stays full, and whether more
/// lie beyond either end. The engine only says how to fetch cards on one side of a cursor
/// and whether any lie there (its own SQL, its own filter).
public enum WindowAssembly {
    /// A window of `limit` cards at `anchor`.
    ///
    /// - Parameters:
    ///   - fetch: at most `limit` cards on `side` of `bound` (the whole column's end when
    ///     `nil`: its bottom for `.before`, its top otherwise), nearest first.
    ///   - exists: whether any card lies on `side` (`.before` or `.after`) of a cursor.
    ///   - cursor: where a card stands in the order: its rank in a column, its sort value
    ///     in the Leads view (`Opportunity.cursor(in:)`).
    ///   - fillingNearAnEnd: whether a window near an end is filled from the other side
    ///     (a column's), or ends there (the Leads view's pages, as it has always paged).
    public static func window(at anchor: WindowAnchor, limit: Int,
                              cursor: (Opportunity) -> CardCursor = \.cursor, fillingNearAnEnd: Bool = true,
                              fetch: (_ bound: CardCursor?, _ side: ColumnSide, _ limit: Int) throws -> [Opportunity],
                              exists: (_ bound: CardCursor, _ side: ColumnSide) throws -> Bool) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        /// Cards in column order.
        func cards(_ bound: CardCursor?, _ side: ColumnSide, _ limit: Int) throws -> [Opportunity] {
            let found = try fetch(bound, side, limit)
            return side == .before ? found.reversed() : found
        }
        var window: [Opportunity]
        switch anchor {
        case .top:
            let first = try cards(nil, .atOrAfter, limit + 1)
            return CardWindow(cards: Array(first.prefix(limit)), hasMoreAbove: false, hasMoreBelow: first.count > limit)
        case .bottom: window = try cards(nil, .before, limit)
        case .startingAt(let cursor): window = try cards(cursor, .atOrAfter, limit)
        case .after(let cursor): window = try cards(cursor, .after, limit)
        case .before(let cursor): window = try cards(cursor, .before, limit)
        }
        // Near an end, fill the window from the other side so it stays full.
        if fillingNearAnEnd, window.count < limit {
            switch anchor {
            case .startingAt, .after:
                window = try cards(window.first.map(cursor), .before, limit - window.count) + window
            case .before, .bottom:
                window += try cards(window.last.map(cursor), .after, limit - window.count)
            case .top:
                break
            }
        }
        guard let first = window.first, let last = window.last else { return .empty }
        return CardWindow(cards: window, hasMoreAbove: try exists(cursor(first), .before),
                          hasMoreBelow: try exists(cursor(last), .after))
    }
}
