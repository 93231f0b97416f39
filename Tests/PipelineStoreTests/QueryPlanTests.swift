import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

@Suite("SQLite engine: query plans")
struct QueryPlanTests {
    /// The plans of the statements the store itself runs to read a column, as SQLite traced
    /// them (with their values): every one walks the column's index, none sorts.
    @Test func readingAColumnUsesItsIndexAndNeverSorts() throws {
        let temporary = try TemporaryDatabase()
        for index in 0..<25 { try temporary.add("Deal \(index)") }
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        let team = try temporary.sales.id, new = try temporary.stage("New").id
        var anchor = WindowAnchor.top
        while true {
            let page = try traced.cardWindow(ColumnQuery(team: team, stage: new), anchor: anchor, limit: 10)
            guard page.hasMoreBelow, let last = page.cards.last else { break }
            anchor = .after(last.cursor)
        }
        let window = try traced.cardWindow(ColumnQuery(team: team, stage: new), anchor: .top, limit: 10)
        let last = try #require(window.cards.last)
        _ = try traced.cardWindow(ColumnQuery(team: team, stage: new), anchor: .after(last.cursor), limit: 10)
        _ = try traced.cardWindow(ColumnQuery(team: team, stage: new), anchor: .bottom, limit: 10)
        let columnReads = statements.all.filter { $0.contains("FROM opportunity WHERE type = 'opportunity' AND active = 1 AND team_id") }
        // The pages after the first go by keyset; the board's windows test what lies above and below.
        #expect(columnReads.contains { $0.contains("(rank, id) > (") && $0.contains("ORDER BY rank, id") })
        #expect(columnReads.contains { $0.contains("ORDER BY rank DESC, id DESC") })
        #expect(columnReads.contains { $0.hasPrefix("SELECT EXISTS") })
        for sql in Set(columnReads) {
            let plan = try temporary.sql { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "\n")
            }
            #expect(plan.contains("INDEX opportunity_column"), "\(sql)\n\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(sql)\n\(plan)")
        }
    }
}

extension QueryPlanTests {
    /// "My pipeline" pages by keyset on its own index without sorting, and the column headers'
    /// overdue counts sum the counts kept per date (their cost follows the overdue dates),
    /// and rotting counts are a range on their index read alone (issue 13).
    @Test func mineAndTheHeaderCountsReadTheirIndexes() throws {
        let temporary = try TemporaryDatabase()
        for index in 0..<25 {
            let deal = try temporary.add("Deal \(index)")
            _ = try temporary.database.editOpportunity(deal.id, try OpportunityForm(salesperson: index % 2 == 0 ? "lan" : "minh")
                .validated(language: .english, currency: .usd), context: temporary.context())
        }
        let new = try temporary.stage("New")
        _ = try temporary.database.editStage(new.id, StageEdit(rottingDays: .some(3)), context: temporary.context())
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        let team = try temporary.sales.id
        let page = try traced.cardWindow(ColumnQuery(team: team, stage: new.id, salesperson: "LAN"), anchor: .top, limit: 5)
        #expect(page.cards.count == 5)
        _ = try traced.cardWindow(ColumnQuery(team: team, stage: new.id, salesperson: "lan"), anchor: .after(try #require(page.cards.last).cursor), limit: 5)
        let today = try #require(CalendarDate(iso8601: "2027-06-01"))
        _ = try traced.overdueCounts(team: team, today: today, salesperson: nil)
        _ = try traced.overdueCounts(team: team, today: today, salesperson: "lan")
        _ = try traced.rottingCounts(team: team, on: RottingDay(today: today, utcOffsetSeconds: 0), salesperson: nil)
        func plan(_ sql: String) throws -> String {
            try temporary.sql { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "\n") }
        }
        let mine = statements.all.filter { $0.contains("salesperson = ") && $0.contains("ORDER BY rank") }
        #expect(!mine.isEmpty)
        for sql in Set(mine) {
            let detail = try plan(sql)
            #expect(detail.contains("INDEX opportunity_column_by_salesperson"), "\(sql)\n\(detail)")
            #expect(!detail.contains("TEMP B-TREE"), "\(sql)\n\(detail)")
        }
        // The headers' overdue counts sum the kept counts of the dates before today (schema 7),
        // through their primary keys: never the deals.
        let overdue = statements.all.filter { $0.contains("due_count") && $0.contains("due <") }
        #expect(overdue.contains { $0.contains("FROM due_count") } && overdue.contains { $0.contains("FROM salesperson_due_count") })
        for sql in Set(overdue) {
            let detail = try plan(sql)
            #expect(detail.contains("USING PRIMARY KEY") && detail.contains("due<?") && !detail.contains("opportunity"), "\(sql)\n\(detail)")
        }
        // Rotting counts test the deals' next step in the index, before reading a row (schema 7).
        let rotting = statements.all.filter { $0.contains("stage_changed_at <") && $0.hasPrefix("SELECT count(*)") }
        #expect(!rotting.isEmpty)
        for sql in Set(rotting) { #expect(try plan(sql).contains("INDEX opportunity_by_stage_entry"), "\(sql)") }
        let entryIndex = try temporary.sql { db in
            try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('opportunity_by_stage_entry') ORDER BY seqno")
        }
        #expect(entryIndex == ["team_id", "stage_id", "stage_changed_at", "latest_open_due"])
    }
}

extension QueryPlanTests {
    /// Activity lists leave closed deals' activities out with a look-up per activity, inside
    /// the walk of the same keyset index, in its order: never a sort (issue 13).
    @Test func activityListsWalkTheirIndexesWithClosedDealsLeftOut() throws {
        let temporary = try TemporaryDatabase()
        let types = try temporary.database.activityTypes()
        for index in 0..<12 {
            let deal = try temporary.add("Deal \(index)")
            _ = try temporary.database.addActivity(to: deal.id, ActivityChanges(type: types[0].id, summary: "Call \(index)",
                                                                                due: CalendarDate(iso8601: "2027-06-0\(index % 9 + 1)"),
                                                                                assignedTo: "lan"), context: temporary.context())
            if index % 3 == 0 { _ = try temporary.database.archive(deal.id, context: temporary.context()) }
        }
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        let today = try #require(CalendarDate(iso8601: "2027-06-04"))
        let first = try traced.activityList(ActivityQuery(scope: .assignee("lan"), today: today), after: nil, limit: 3)
        #expect(first.count == 3)
        _ = try traced.activityList(ActivityQuery(scope: .assignee("lan"), today: today), after: try #require(first.last).cursor, limit: 3)
        _ = try traced.activityList(ActivityQuery(scope: .everyone, range: .overdue, today: today), after: nil, limit: 3)
        let lists = statements.all.filter { $0.contains("FROM activity") && $0.contains("EXISTS") && $0.contains("ORDER BY due") }
        #expect(lists.count == 3)
        for sql in Set(lists) {
            let plan = try temporary.sql { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "\n")
            }
            let index = sql.contains("assigned_to = ") ? "INDEX activity_by_assignee" : "INDEX activity_by_due"
            #expect(plan.contains(index), "\(sql)\n\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(sql)\n\(plan)")
        }
    }
}

/// The SQL a traced connection ran, in order.
final class StatementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var statements: [String] = []

    func append(_ sql: String) { lock.withLock { statements.append(sql) } }
    var all: [String] { lock.withLock { statements } }
}

extension QueryPlanTests {
    /// Every column order (issue 13) reads its windows through its own index — the column's
    /// condition, the order's sort value, the id — in both directions, and never sorts.
    @Test(arguments: CardOrder.allCases) func everyOrderReadsItsIndexAndNeverSorts(_ order: CardOrder) throws {
        let temporary = try TemporaryDatabase()
        for index in 0..<25 { try temporary.add("Deal \(index)") }
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        let query = ColumnQuery(team: try temporary.sales.id, stage: try temporary.stage("New").id, order: order)
        let top = try traced.cardWindow(query, anchor: .top, limit: 10)
        _ = try traced.cardWindow(query, anchor: .after(try #require(top.cards.last).cursor(in: order)), limit: 10)
        let bottom = try traced.cardWindow(query, anchor: .bottom, limit: 10)
        _ = try traced.cardWindow(query, anchor: .before(try #require(bottom.cards.first).cursor(in: order)), limit: 10)
        if order != .hand {
            // "My" cards in this order walk the order's index too ("my" index serves hand order).
            var mine = query
            mine.salesperson = "lan"
            _ = try traced.cardWindow(mine, anchor: .top, limit: 10)
            _ = try traced.cardWindow(mine, anchor: .after(try #require(top.cards.last).cursor(in: order)), limit: 10)
        }
        let index = [CardOrder.hand: "opportunity_column", .nextActivity: "opportunity_column_by_next_activity",
                     .closingDate: "opportunity_column_by_closing", .revenue: "opportunity_column_by_revenue",
                     .priority: "opportunity_column_by_priority"][order] ?? ""
        let columnReads = Set(statements.all.filter { $0.contains("FROM opportunity WHERE type = 'opportunity' AND active = 1 AND team_id") })
        #expect(columnReads.contains { $0.contains("ORDER BY \(SQLiteTransaction.cardSortKey(order)) DESC") })
        #expect(columnReads.contains { $0.contains("ORDER BY \(SQLiteTransaction.cardSortKey(order)), id") })
        #expect(columnReads.count >= 4)
        for sql in columnReads {
            let plan = try temporary.sql { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "\n")
            }
            #expect(plan.contains("INDEX \(index) ("), "\(sql)\n\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(sql)\n\(plan)")
            // Past a card, the index is entered at the card, not read from the column's top.
            if sql.contains("id >") || sql.contains("id <") || sql.contains("(rank, id)") {
                #expect(plan.contains("(team_id=? AND stage_id=? AND "), "\(sql)\n\(plan)")
            }
        }
    }
}

extension QueryPlanTests {
    /// The weekly digest (issue 14) picks the deals changed since the period began through the
    /// history's index on time (migration 8), and reads their lines by deal: never a scan of
    /// the whole history.
    @Test func theDigestReadsThePeriodsLinesByTheirIndex() throws {
        let temporary = try TemporaryDatabase()
        for index in 0..<25 { try temporary.add("Deal \(index)") }
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        _ = try traced.digest(start: Timestamp(millisecondsSince1970: 0), end: Timestamp(millisecondsSince1970: 1), team: nil,
                              salesperson: nil, day: RottingDay(today: CalendarDate(year: 2026, month: 12, day: 6)!, utcOffsetSeconds: 0))
        let reads = statements.all.filter { $0.contains("JOIN stage_history h") }
        #expect(reads.count == 1)
        for sql in reads {
            let plan = try temporary.sql { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "\n")
            }
            #expect(plan.contains("INDEX stage_history_by_time"), "\(sql)\n\(plan)")
            #expect(plan.contains("INDEX stage_history_by_opportunity"), "\(sql)\n\(plan)")
            #expect(!plan.contains("SCAN stage_history"), "\(sql)\n\(plan)")
        }
    }
}

extension QueryPlanTests {
    /// The figures view 3 and the stage editor read over every won, closed or open deal are
    /// passes over pages read once: each goes through the small scan cache and puts the board's
    /// page cache back after, so the board's memory does not grow by the pages of a pass (at
    /// 1,000,000 deals the won months alone added 6.7 MB to the board's peak; Docs/benchmarks.md).
    @Test func passesOverManyDealsReadThroughTheSmallCache() throws {
        let temporary = try TemporaryDatabase()
        let won = try #require(try temporary.database.pipeline(for: temporary.sales.id).stages.first { $0.outcome == .won })
        try temporary.add("Won deal", stage: won.name)
        try temporary.add("Open deal")
        let statements = StatementLog()
        let traced = try temporary.reopen { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { statements.append(statement.expandedSQL) }
            }
        }
        let team = try temporary.sales.id
        let today = try #require(CalendarDate(iso8601: "2026-11-20"))
        let months = [MonthWindow.of(today, utcOffsetSeconds: 0), MonthWindow.of(today, monthsBack: 1, utcOffsetSeconds: 0)]
        let passes: [(String, () throws -> Void, String)] = [
            ("won months", { _ = try traced.wonByMonth(team: team, salesperson: nil, months: months) }, "FROM opportunity o JOIN stage s"),
            ("seen rates", { _ = try traced.stageObservations(team: team, since: nil) }, "LEFT JOIN stage_history h"),
            ("range", { _ = try traced.forecastRange(team: team, salesperson: nil) }, "o.expected_closing"),
        ]
        for (name, pass, marker) in passes {
            let before = statements.all.count
            try pass()
            let run = Array(statements.all[before...])
            let small = run.firstIndex { $0.contains("cache_size = -\(SQLiteEngine.scanCacheKiB)") }
            let read = run.firstIndex { $0.hasPrefix("SELECT") && $0.contains(marker) }
            let restored = run.lastIndex { $0.contains("cache_size = -\(SQLiteEngine.pageCacheKiB)") }
            #expect(small != nil && read != nil && restored != nil, "\(name): \(run)")
            if let small, let read, let restored { #expect(small < read && read < restored, "\(name): \(run)") }
        }
    }
}
