/// How a board column orders its cards (`o` on the board, `opp list --order`).
public enum CardOrder: String, Sendable, CaseIterable {
    /// By hand: the rank users set by moving cards (the default).
    case hand
    /// By the next open activity's due date, then its time (an activity without a time after
    /// the timed ones that day); deals with none last.
    case nextActivity
    /// By the expected closing date; deals without one last.
    case closingDate
    /// Largest expected revenue first (in minor units: amounts of different currencies are
    /// not converted, as in the Leads view).
    case revenue
    /// Most stars first.
    case priority

    public func name(in language: Language) -> String { Catalogue.text("cardOrder.\(rawValue)", language) }

    /// Whether the column lists the sort value from largest to smallest (ties: largest id first).
    public var isDescending: Bool { self == .revenue || self == .priority }

    /// The next order `o` switches to: hand → next activity → closing date → revenue → priority → hand.
    public var next: CardOrder {
        let all = CardOrder.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + 1) % all.count]
    }

    /// The value a date sorts by: `YYYYMMDD` as a number; `noDate` (after every date) when none.
    public static func dateKey(_ date: CalendarDate?) -> Int64 {
        guard let date else { return noDate }
        return Int64(date.year * 10_000 + date.month * 100 + date.day)
    }

    /// After `99991231`, the last date there is: "none" sorts last in an ascending order.
    public static let noDate: Int64 = 99_999_999
    /// A time of day's place: minutes after midnight; no time after every time (as the glance).
    public static let noTime: Int64 = 1440

    /// The single number a column is sorted on in this order, ties broken by id, in the
    /// direction `isDescending` says: what the engines' keyset paging compares, and what
    /// their index expressions compute (the contract tests hold them to it).
    public func sortValue(of card: Opportunity) -> Int64 {
        switch self {
        case .hand: return card.rank
        case .nextActivity:
            let glance = card.activityGlance
            let time = glance.nextDue == nil ? Self.noTime : glance.nextTime.map { Int64($0.minutes) } ?? Self.noTime
            return Self.dateKey(glance.nextDue) * 10_000 + time
        case .closingDate: return Self.dateKey(card.expectedClosing)
        case .revenue: return card.expectedRevenue.minorUnits
        case .priority: return Int64(card.priority.stars)
        }
    }
}

extension Opportunity {
    /// Where a card sits in its column in `order`, for paging a column.
    public func cursor(in order: CardOrder) -> CardCursor {
        CardCursor(rank: order.sortValue(of: self), id: id)
    }
}
