import PipelineCore

/// Card order inside a column: sparse ranks, so a move writes one row; when two neighbours
/// touch, only a window around the spot is respaced, never the whole column. Engine-neutral:
/// it reads cards' keys and writes ranks through the transaction.
enum ColumnOrder {
    /// A rank that puts `card` at `placement` in its (team, stage) column.
    static func rank(for card: Opportunity, placement: CardPlacement, in store: any StoreWriter) throws -> Int64 {
        guard let stage = card.stage else { return 0 }
        switch placement {
        case .before(card.id), .after(card.id): throw PipelineError.opportunityRelativeToItself
        default: break
        }
        let column = ColumnKey(team: card.team, stage: stage)
        for attempt in 0..<2 {
            let (before, after) = try neighbours(of: card.id, at: placement, in: column, store)
            if let rank = CardRank.between(before?.rank, after?.rank) { return rank }
            guard attempt == 0, let pivot = after ?? before else { break }
            try respace(column, excluding: card.id, around: pivot, store)
        }
        throw StoreError.failed(path: "the database", reason: "no room to order the cards of a column")
    }

    /// The cards the placed card goes between.
    private static func neighbours(of card: Opportunity.ID, at placement: CardPlacement, in column: ColumnKey,
                                   _ store: any StoreWriter) throws -> (CardCursor?, CardCursor?) {
        func first(_ bound: CardCursor?, _ side: ColumnSide) throws -> CardCursor? {
            try store.columnKeys(column, excluding: card, from: bound, side: side, limit: 1).first
        }
        switch placement {
        case .top:
            return (nil, try first(nil, .atOrAfter))
        case .bottom:
            return (try first(nil, .before), nil)
        case .before(let other), .after(let other):
            guard let found = try store.record(other), found.kind == .opportunity, found.isActive,
                  found.team == column.team, found.stage == column.stage else {
                throw PipelineError.anchorNotInColumn(other)
            }
            let anchor = found.cursor
            if case .before = placement { return (try first(anchor, .before), anchor) }
            return (anchor, try first(anchor, .after))
        }
    }

    /// Spreads the ranks of the cards around `pivot` evenly between the window's outer
    /// neighbours, widening the window until there is room.
    private static func respace(_ column: ColumnKey, excluding card: Opportunity.ID, around pivot: CardCursor,
                                _ store: any StoreWriter) throws {
        var radius = 16
        while true {
            let below = try store.columnKeys(column, excluding: card, from: pivot, side: .before, limit: radius + 1)
            let above = try store.columnKeys(column, excluding: card, from: pivot, side: .atOrAfter, limit: radius + 1)
            let window = Array(below.prefix(radius).reversed()) + Array(above.prefix(radius))
            guard let first = window.first, let last = window.last else { return }
            let slots = Int128(window.count + 1)
            let spacing = Int128(CardRank.spacing)
            let floor = Int128(Int64.min / 2), ceiling = Int128(Int64.max / 2)
            let lower = below.count > radius ? Int128(below[radius].rank) : max(floor, Int128(first.rank) - spacing * slots)
            let upper = above.count > radius ? Int128(above[radius].rank) : min(ceiling, Int128(last.rank) + spacing * slots)
            let wholeColumn = below.count <= radius && above.count <= radius
            if (upper - lower) / slots >= 2 || wholeColumn {
                let (start, step) = (upper - lower) / slots >= 2 ? (lower, (upper - lower) / slots) : (Int128(0), spacing)
                try store.setRanks(window.enumerated().map { index, key in (key.id, Int64(start + step * Int128(index + 1))) })
                return
            }
            radius *= 4
        }
    }
}
