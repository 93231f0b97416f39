/// Which cards a board column shows.
public struct ColumnQuery: Hashable, Sendable {
    public var team: Team.ID
    public var stage: Stage.ID
    /// Typed filter text (matched ignoring case and accents); empty shows every card.
    public var filter: String

    public init(team: Team.ID, stage: Stage.ID, filter: String = "") {
        self.team = team
        self.stage = stage
        self.filter = filter
    }
}

/// A card's place in its column's order: the key windows are paged by.
public struct CardCursor: Hashable, Sendable {
    public var rank: Int64
    public var id: Opportunity.ID

    public init(rank: Int64, id: Opportunity.ID) {
        self.rank = rank
        self.id = id
    }
}

extension Opportunity {
    public var cursor: CardCursor { CardCursor(rank: rank, id: id) }
}

/// Where a window of cards sits in its column.
public enum WindowAnchor: Hashable, Sendable {
    /// The first cards of the column.
    case top
    /// The last cards of the column.
    case bottom
    /// Starting with this card (or, if it is gone, the next one).
    case startingAt(CardCursor)
    /// The cards just after this one.
    case after(CardCursor)
    /// The cards just before this one (the window ends right above it).
    case before(CardCursor)
}

/// A window of a column's cards, and whether more lie beyond either end.
public struct CardWindow: Hashable, Sendable {
    public var cards: [Opportunity]
    public var hasMoreAbove: Bool
    public var hasMoreBelow: Bool

    public init(cards: [Opportunity], hasMoreAbove: Bool, hasMoreBelow: Bool) {
        self.cards = cards
        self.hasMoreAbove = hasMoreAbove
        self.hasMoreBelow = hasMoreBelow
    }

    public static let empty = CardWindow(cards: [], hasMoreAbove: false, hasMoreBelow: false)
}
