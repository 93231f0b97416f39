import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

/// Every column order (issue 13) pages a column forward and backward through keyset windows
/// and agrees with a plain in-memory sort of the same cards, ties and missing values included.
@Suite("Store: column orders")
struct ColumnOrderTests {
    /// A column of 40 deals with ties in every sort value and deals without a closing date or
    /// an open activity; returns its query and the cards as the store holds them.
    static func column(_ engine: EngineKind) throws -> (StoreFixture, ColumnQuery, [Opportunity]) {
        let fixture = try StoreFixture(engine)
        let store = fixture.store
        let type = try #require(try store.activityTypes().first).id
        for index in 0..<40 {
            // Revenues repeat every 7 deals, closing dates every 5 (every third deal has none),
            // priorities every 4.
            let form = OpportunityForm(title: "Deal \(index)", expectedRevenue: String(100 * (index % 7)),
                                       expectedClosing: index % 3 == 0 ? nil : "2027-0\(1 + index % 5)-1\(index % 2)",
                                       priority: String(index % 4))
            let deal = try store.addOpportunity(try form.validated(language: .english, currency: try store.defaultCurrency()),
                                                team: try fixture.sales.id, stage: try fixture.stage("New").id, context: fixture.context())
            // Next activities: none for every fourth deal; dates repeat, some with a time, some
            // a day with a timed and an untimed one; one done activity that must not count.
            guard index % 4 != 0 else { continue }
            let due = try #require(CalendarDate(iso8601: "2026-12-0\(1 + index % 3)"))
            let time: MinuteOfDay? = index % 2 == 0 ? MinuteOfDay(minutes: 60 * (8 + index % 5)) : nil
            _ = try store.addActivity(to: deal.id, ActivityChanges(type: type, summary: "Call", due: due, time: .some(time)),
                                      context: fixture.context())
            if index % 5 == 0 {
                let earlier = try store.addActivity(to: deal.id, ActivityChanges(type: type, summary: "Done",
                                                                                 due: try #require(CalendarDate(iso8601: "2026-11-01"))),
                                                    context: fixture.context())
                _ = try store.completeActivity(earlier.id, context: fixture.context())
            }
        }
        let query = ColumnQuery(team: try fixture.sales.id, stage: try fixture.stage("New").id)
        let cards = try store.cardWindow(query, anchor: .top, limit: 100).cards
        #expect(cards.count == 40)
        return (fixture, query, cards)
    }

    /// The order by the record's own fields, written apart from `CardOrder.sortValue`: what the
    /// user expects to see.
    static func expected(_ cards: [Opportunity], _ order: CardOrder) -> [Opportunity.ID] {
        func key(_ card: Opportunity) -> [Int64] {
            switch order {
            case .hand: return [card.rank]
            case .nextActivity:
                guard let date = card.activityGlance.nextDue else { return [1, 0, 0, 0, 0] }
                return [0, Int64(date.year), Int64(date.month), Int64(date.day), Int64(card.activityGlance.nextTime?.minutes ?? 24 * 60)]
            case .closingDate:
                guard let date = card.expectedClosing else { return [1, 0, 0, 0] }
                return [0, Int64(date.year), Int64(date.month), Int64(date.day)]
            case .revenue: return [card.expectedRevenue.minorUnits]
            case .priority: return [Int64(card.priority.stars)]
            }
        }
        let ascending = cards.sorted { a, b in
            let (ka, kb) = (key(a), key(b))
            return ka != kb ? ka.lexicographicallyPrecedes(kb) : a.id.rawValue < b.id.rawValue
        }
        return (order.isDescending ? ascending.reversed() : ascending).map(\.id)
    }

    @Test(arguments: EngineKind.allCases) func everyOrderPagesForwardAndBackwardAsASortWould(_ engine: EngineKind) throws {
        let (fixture, base, cards) = try Self.column(engine)
        let store = fixture.store
        // The glance the rows carry is the activities' (the done one left out).
        #expect(cards.contains { $0.activityGlance.nextDue == nil } && cards.contains { $0.activityGlance.nextTime != nil })
        for order in CardOrder.allCases {
            var query = base
            query.order = order
            let expected = Self.expected(cards, order)
            // Forward, a window of 6 at a time.
            var forward: [Opportunity.ID] = []
            var window = try store.cardWindow(query, anchor: .top, limit: 6)
            #expect(!window.hasMoreAbove, "\(order)")
            forward += window.cards.map(\.id)
            while window.hasMoreBelow, let last = window.cards.last {
                window = try store.cardWindow(query, anchor: .after(last.cursor(in: order)), limit: 6)
                #expect(window.hasMoreAbove, "\(order)")
                // Near the end a window is filled from above: only what follows is new.
                forward += window.cards.map(\.id).filter { !forward.contains($0) }
            }
            #expect(forward == expected, "\(order) forward")
            // Backward from the bottom.
            var backward: [Opportunity.ID] = []
            window = try store.cardWindow(query, anchor: .bottom, limit: 6)
            #expect(!window.hasMoreBelow, "\(order)")
            backward = window.cards.map(\.id)
            while window.hasMoreAbove, let first = window.cards.first {
                window = try store.cardWindow(query, anchor: .before(first.cursor(in: order)), limit: 6)
                backward = window.cards.map(\.id).filter { !backward.contains($0) } + backward
            }
            #expect(backward == expected, "\(order) backward")
            // A window starting at a card in the middle starts with it.
            let middle = try #require(cards.first { $0.id == expected[17] })
            let started = try store.cardWindow(query, anchor: .startingAt(middle.cursor(in: order)), limit: 6)
            #expect(started.cards.map(\.id) == Array(expected[17..<23]), "\(order) starting at")
        }
    }

    /// The filter and a salesperson narrow every order alike. (The cards are the fixture
    /// user's by default, so the narrowed salesperson is someone else.)
    @Test(arguments: EngineKind.allCases) func theFilterAndASalespersonNarrowEveryOrder(_ engine: EngineKind) throws {
        let (fixture, base, cards) = try Self.column(engine)
        let store = fixture.store
        for (index, card) in cards.enumerated() where index % 3 == 0 {
            _ = try store.editOpportunity(card.id, try OpportunityForm(title: "Renewal \(index)", salesperson: "hoa")
                .validated(language: .english, currency: try store.defaultCurrency()), context: fixture.context())
        }
        let edited = try store.cardWindow(base, anchor: .top, limit: 100).cards
        for order in CardOrder.allCases {
            for narrowed in [ColumnQuery(team: base.team, stage: base.stage, filter: "renewal", order: order),
                             ColumnQuery(team: base.team, stage: base.stage, salesperson: "HOA", order: order)] {
                let expected = Self.expected(edited.filter { $0.title.hasPrefix("Renewal") }, order)
                var seen: [Opportunity.ID] = []
                var window = try store.cardWindow(narrowed, anchor: .top, limit: 4)
                seen += window.cards.map(\.id)
                while window.hasMoreBelow, let last = window.cards.last {
                    window = try store.cardWindow(narrowed, anchor: .after(last.cursor(in: order)), limit: 4)
                    seen += window.cards.map(\.id).filter { !seen.contains($0) }
                }
                #expect(seen == expected, "\(order) \(narrowed)")
            }
        }
    }
}
