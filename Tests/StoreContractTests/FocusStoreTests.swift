import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

/// "My pipeline" and rotting (issue 13), on every engine: windows, header figures, column
/// counts, listings and forecasts of one salesperson's deals or of rotting ones.
@Suite("Store: my pipeline, rotting and overdue")
struct FocusStoreTests {
    struct Board {
        let fixture: StoreFixture
        let qualified: Stage, proposition: Stage
        let future, overdue, neglected, elsewhere: Opportunity
        let day: RottingDay

        init(_ engine: EngineKind) throws {
            fixture = try StoreFixture(engine)
            let db = fixture.store
            qualified = try fixture.stage("Qualified")
            proposition = try fixture.stage("Proposition")
            _ = try db.editStage(qualified.id, StageEdit(rottingDays: .some(3)), context: fixture.context())
            future = try fixture.add("Planned", revenue: "1,000.00", stage: "Qualified", salesperson: "lan")
            overdue = try fixture.add("Overdue", revenue: "2,000.00", stage: "Qualified", salesperson: "LAN")
            neglected = try fixture.add("Neglected", revenue: "4,000.00", stage: "Qualified", salesperson: "minh")
            elsewhere = try fixture.add("Elsewhere", revenue: "500.00", stage: "Proposition", salesperson: "lan")
            // Ten days after they entered, in Vietnam.
            let offset = 7 * 3600
            let today = Timestamp(millisecondsSince1970: fixture.clock).localDate(utcOffsetSeconds: offset).adding(days: 10)
            day = RottingDay(today: today, utcOffsetSeconds: offset)
            let call = try #require(try db.activityTypes().first)
            _ = try db.addActivity(to: future.id, ActivityChanges(type: call.id, summary: "Tomorrow", due: today.adding(days: 1)),
                                   context: fixture.context())
            _ = try db.addActivity(to: overdue.id, ActivityChanges(type: call.id, summary: "Yesterday", due: today.adding(days: -1)),
                                   context: fixture.context())
            _ = try db.addActivity(to: elsewhere.id, ActivityChanges(type: call.id, summary: "Last week", due: today.adding(days: -7)),
                                   context: fixture.context())
        }

        func window(salesperson: String? = nil, rotting: Bool = false, filter: String = "", stage: Stage? = nil) throws -> [String] {
            try fixture.store.cardWindow(ColumnQuery(team: try fixture.sales.id, stage: (stage ?? qualified).id, filter: filter,
                                                     salesperson: salesperson, rotting: rotting ? day : nil),
                                         anchor: .top, limit: 10).cards.map(\.title)
        }
    }

    @Test(arguments: EngineKind.allCases) func mineIsOneSalespersonsCardsIgnoringCase(_ engine: EngineKind) throws {
        let board = try Board(engine)
        let db = board.fixture.store
        let team = try board.fixture.sales.id
        #expect(try board.window() == ["Neglected", "Overdue", "Planned"])
        #expect(try board.window(salesperson: "lan") == ["Overdue", "Planned"])
        #expect(try board.window(salesperson: "Lan", filter: "plan") == ["Planned"])
        #expect(try board.window(salesperson: "nobody") == [])
        let mine = try db.columnFigures(team: team, filter: "", salesperson: "lan", rotting: nil)
        #expect(mine[board.qualified.id]?.count == 2)
        #expect(mine[board.qualified.id]?.expected[.usd] == 300_000)
        #expect(mine[board.proposition.id]?.count == 1)
        #expect(try db.columnFigures(team: team, filter: "over", salesperson: "lan", rotting: nil)[board.qualified.id]?.count == 1)
        // The kept totals follow a deal given to someone else.
        _ = try db.editOpportunity(board.neglected.id, try OpportunityForm(salesperson: "lan").validated(language: .english, currency: .usd),
                                   context: board.fixture.context())
        #expect(try db.columnFigures(team: team, filter: "", salesperson: "LAN", rotting: nil)[board.qualified.id]?.count == 3)
        var listed: [String] = []
        try db.forEachOpportunity(OpportunityFilter(team: team, salesperson: "lan")) { listed.append($0.title) }
        #expect(Set(listed) == ["Planned", "Overdue", "Neglected", "Elsewhere"])
        let forecast = try db.forecast(team: team, groupedBy: .stage, salesperson: "minh")
        #expect(forecast.open.count == 0)
        #expect(try db.forecast(team: team, groupedBy: .salesperson, salesperson: "lan").rows.map(\.figures.count).reduce(0, +) == 4)
        #expect(try db.integrityProblems().isEmpty)
    }

    /// A deal rots after its stage's days unless an activity is planned from today on; the
    /// column header counts the rotting and the overdue deals.
    @Test(arguments: EngineKind.allCases) func rottingRespectsThePlannedNextStep(_ engine: EngineKind) throws {
        let board = try Board(engine)
        let db = board.fixture.store
        let team = try board.fixture.sales.id
        #expect(try board.window(rotting: true) == ["Neglected", "Overdue"])
        #expect(try board.window(salesperson: "lan", rotting: true) == ["Overdue"])
        // A stage without rotting days shows none, whatever its deals' age.
        #expect(try board.window(rotting: true, stage: board.proposition) == [])
        #expect(try db.rottingCounts(team: team, on: board.day, salesperson: nil) == [board.qualified.id: 2])
        #expect(try db.rottingCounts(team: team, on: board.day, salesperson: "minh") == [board.qualified.id: 1])
        #expect(try db.overdueCounts(team: team, today: board.day.today, salesperson: nil)
                == [board.qualified.id: 1, board.proposition.id: 1])
        #expect(try db.overdueCounts(team: team, today: board.day.today, salesperson: "minh") == [:])
        let rotting = try db.columnFigures(team: team, filter: "", salesperson: nil, rotting: board.day)
        #expect(rotting[board.qualified.id]?.count == 2)
        #expect(rotting[board.qualified.id]?.expected[.usd] == 600_000)
        #expect(rotting[board.proposition.id] == nil)
        var listed: [String] = []
        try db.forEachOpportunity(OpportunityFilter(team: team, rotting: board.day)) { listed.append($0.title) }
        #expect(Set(listed) == ["Overdue", "Neglected"])
        // Within the days nothing rots; planning a call rescues a deal; and each card agrees
        // with the core's rule.
        let early = RottingDay(today: board.day.today.adding(days: -7), utcOffsetSeconds: board.day.utcOffsetSeconds)
        #expect(try db.rottingCounts(team: team, on: early, salesperson: nil) == [:])
        let call = try #require(try db.activityTypes().first)
        _ = try db.addActivity(to: board.neglected.id, ActivityChanges(type: call.id, summary: "Today", due: board.day.today),
                               context: board.fixture.context())
        #expect(try board.window(rotting: true) == ["Overdue"])
        for card in try db.cardWindow(ColumnQuery(team: team, stage: board.qualified.id), anchor: .top, limit: 10).cards {
            let stage = try #require(try db.catalog().stage(board.qualified.id))
            let rots = card.isRotting(in: stage, today: board.day.today, utcOffsetSeconds: board.day.utcOffsetSeconds)
            #expect(rots == (card.title == "Overdue"), "\(card.title)")
        }
        // Marking the overdue call done leaves nothing planned: still rotting, no longer overdue.
        let overdueCall = try #require(try db.activities(of: board.overdue.id).first)
        _ = try db.completeActivity(overdueCall.id, context: board.fixture.context())
        #expect(try db.overdueCounts(team: team, today: board.day.today, salesperson: nil) == [board.proposition.id: 1])
        #expect(try db.rottingCounts(team: team, on: board.day, salesperson: nil) == [board.qualified.id: 1])
    }
}
