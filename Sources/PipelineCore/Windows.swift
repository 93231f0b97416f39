/// Which cards a board column shows.
public struct ColumnQuery: Hashable, Sendable {
    public var team: Team.ID
    public var stage: Stage.ID
    /// Typed filter text (matched ignoring case and accents); empty shows every card.
    public var filter: String
    /// Only this salesperson's cards ("my pipeline", a `@name` word): exactly, ignoring case.
    public var salesperson: String?
    /// Only the cards that rot on this day (the filter's `rotting` word).
    public var rotting: RottingDay?
    /// How the column is ordered; windows page by `Opportunity.cursor(in: order)`.
    public var order: CardOrder

    public init(team: Team.ID, stage: Stage.ID, filter: String = "", salesperson: String? = nil, rotting: RottingDay? = nil,
                order: CardOrder = .hand) {
        self.team = team
        self.stage = stage
        self.filter = filter
        self.salesperson = salesperson
        self.rotting = rotting
        self.order = order
    }
}

/// "Today" for the rotting rule: the user's local date and their zone's offset from UTC (the
/// offset turns the instant a deal entered its stage into their local date).
public struct RottingDay: Hashable, Sendable {
    public var today: CalendarDate
    public var utcOffsetSeconds: Int

    public init(today: CalendarDate, utcOffsetSeconds: Int) {
        self.today = today
        self.utcOffsetSeconds = utcOffsetSeconds
    }
}

/// What an engine compares to find a stage's rotting deals (`Opportunity.isRotting` as two
/// column tests): entered the stage before `enteredBefore`, and no open activity due on or
/// after `today`.
public struct RottingBound: Hashable, Sendable {
    public var enteredBefore: Timestamp
    public var today: CalendarDate

    public init(enteredBefore: Timestamp, today: CalendarDate) {
        self.enteredBefore = enteredBefore
        self.today = today
    }
}

extension Stage {
    /// The bound this stage's deals rot by on `day`; `nil` when none can rot here (rotting
    /// off, or a won or lost stage).
    public func rottingBound(on day: RottingDay) -> RottingBound? {
        guard outcome == .open, let days = rottingDays else { return nil }
        return RottingBound(enteredBefore: Opportunity.rottingThreshold(today: day.today, rottingDays: days,
                                                                        utcOffsetSeconds: day.utcOffsetSeconds),
                            today: day.today)
    }
}

/// A card's place in its column's order: the key windows are paged by.
public struct CardCursor: Hashable, Sendable {
    /// The card's rank in hand order, else its sort value in the column's order
    /// (`CardOrder.sortValue(of:)`, `LeadOrder.sortValue(of:)`).
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
