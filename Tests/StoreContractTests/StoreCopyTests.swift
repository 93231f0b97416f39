import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

/// Every pair of engines, both ways: what a team moving from a file to a server does.
let enginePairs: [(EngineKind, EngineKind)] = EngineKind.allCases.flatMap { source in EngineKind.allCases.map { (source, $0) } }

@Suite("Store: copying a whole store")
struct StoreCopyTests {
    /// A pipeline with a bit of everything a store keeps.
    func populated(_ engine: EngineKind) throws -> StoreFixture {
        let fixture = try StoreFixture(engine, language: .vietnamese)
        let store = fixture.store
        let export = try store.addTeam(named: "Xuất khẩu", context: fixture.context())
        let (customs, _) = try store.addStage(StageDraft(name: "Hải quan", probability: Probability(percent: 40), scope: .team(export.id)),
                                              in: export.id, at: 2)
        let deal = try fixture.add("Hợp đồng Vinamilk", revenue: "1500000", stage: "Đề xuất", salesperson: "Lan", closing: "2026-12-31")
        _ = try store.moveOpportunity(deal.id, to: try fixture.stage("Thương lượng").id, context: fixture.context())
        // Activities (one done, with its next), a note, a type of the team's own, rotting days.
        let call = try #require(try store.activityTypes().first)
        let visit = try store.addActivityType(name: "Thăm khách hàng", nextType: call.id, nextDelayDays: 2)
        let first = try store.addActivity(to: deal.id, ActivityChanges(type: visit.id, summary: "Gặp chị Lan", due: CalendarDate(iso8601: "2026-12-01"),
                                                                       time: .some(MinuteOfDay(hour: 9, minute: 30))), context: fixture.context())
        _ = try store.completeActivity(first.id, feedback: "Cần báo giá\nvào thứ Hai",
                                       next: ActivityChanges(type: call.id, summary: "Gọi lại", due: CalendarDate(iso8601: "2026-12-04")),
                                       context: fixture.context())
        _ = try store.addNote(to: deal.id, text: "Khách thích thanh toán theo quý", context: fixture.context())
        _ = try store.editStage(try fixture.stage("Đề xuất").id, StageEdit(rottingDays: .some(10)), context: fixture.context())
        let lost = try fixture.add("Lost one", revenue: "20000")
        _ = try store.markLost(lost.id, reason: "Giá cao", context: fixture.context())
        let archived = try fixture.add("Archived one", revenue: "2000000", stage: "Chất lượng")
        _ = try store.archive(archived.id, context: fixture.context())
        _ = try store.addOpportunity(try OpportunityForm(title: "Export deal", expectedRevenue: "99", currency: "USD")
            .validated(language: .english, currency: .vnd), team: export.id, stage: customs.id, context: fixture.context())
        _ = try store.addLead(try OpportunityForm(title: "A lead", customer: "Acme", email: "ana@acme.com").validated(language: .english, currency: .vnd),
                              team: export.id, context: fixture.context())
        // A record with an External ID, as an import writes it.
        _ = try store.importing(dryRun: false) { transaction in
            let catalog = try transaction.catalog()
            var update = try Opportunity.create(try OpportunityForm(title: "Imported").validated(language: .english, currency: .vnd),
                                                in: try transaction.pipeline(for: try transaction.currentTeam(for: nil).id), stage: nil,
                                                currency: .vnd, at: fixture.context().now, by: "importer")
            update.opportunity.rank = try transaction.rank(for: update.opportunity, placement: .top)
            let id = try transaction.insertRecord(update.opportunity, externalID: "__import__.deal_1")
            if var change = update.stageChange {
                change.opportunity = id
                try transaction.insertHistory(StageHistoryEntry(change, names: catalog))
            }
        }
        try store.forEveryone().setSetting(.direction, to: "ltr")
        try store.forEveryone().setSetting(.team, to: "Xuất khẩu")
        // Two users' own choices beside the pipeline's.
        try fixture.reopen(as: "lan").setSetting(.team, to: "1")
        try fixture.reopen(as: "lan").setSetting(.language, to: "en")
        try fixture.reopen(as: "minh").setSetting(.direction, to: "rtl")
        return fixture
    }

    @Test(arguments: enginePairs) func aCopyIsTheSameStoreOnTheOtherSide(_ source: EngineKind, _ target: EngineKind) throws {
        let from = try populated(source)
        let to = try StoreFixture(target)
        let summary = try StoreCopy.copy(from: from.store, to: to.store)
        #expect(summary.teams == 2 && summary.stages == 7 && summary.records == 6 && summary.history > 4)
        #expect(summary.activityTypes == 5 && summary.activities == 2 && summary.notes == 1)
        // Through the same roles, both stores read alike: every row, the kept totals, the
        // checks and the forecast.
        #expect(try to.snapshot() == (try from.snapshot()))
        #expect(try to.store.storedPreferences().count == (try from.store.storedPreferences().count))
        #expect(try to.reopen(as: "lan").currentTeam().id.rawValue == 1)
        #expect(try to.reopen(as: "minh").currentTeam().name == "Xuất khẩu")
        let problems = try to.store.integrityProblems()
        #expect(problems == [], "\(problems)")
        #expect(try from.store.integrityProblems() == [])
        for team in try from.store.teams() {
            for grouping in [Forecast.Grouping.stage, .month, .salesperson] {
                #expect(try to.store.forecast(team: team.id, groupedBy: grouping) == (try from.store.forecast(team: team.id, groupedBy: grouping)))
            }
        }
        // The copy is a working store: new records get new ids, not ones the copy holds.
        let added = try to.add("After the copy", revenue: "5000000")
        #expect(try from.records().allSatisfy { $0.id != added.id })
        #expect(try to.store.matchingCounts(team: try to.store.team("1").id, filter: "vinamilk").values.reduce(0, +) == 1)
    }

    /// Ctrl-C during `db copy` (issue 15): the copy's progress report throws, and the target
    /// is as it was, empty, so that the copy can simply be run again.
    @Test(arguments: enginePairs) func aCancelledCopyLeavesTheTargetEmpty(_ source: EngineKind, _ target: EngineKind) throws {
        let from = try populated(source)
        let to = try StoreFixture(target)
        var reported: [Int] = []
        #expect(throws: DataCommandCancelled.self) {
            try StoreCopy.copy(from: from.store, to: to.store, progress: RowProgress { rows, _ in
                reported.append(rows)
                if rows == 7 { throw DataCommandCancelled() }
            })
        }
        #expect(reported == Array(1...7))
        #expect(try to.store.isUntouched())
        let summary = try StoreCopy.copy(from: from.store, to: to.store)
        #expect(summary.records == 6)
        #expect(try to.snapshot() == (try from.snapshot()))
    }

    /// What `db copy` and an export count first for their progress line's share done and time
    /// left (issue 15): the rows of each kind, which are exactly the rows a copy reports, so
    /// that the share reaches 100% with the last one and not before.
    @Test(arguments: EngineKind.allCases) func theRowCountsAreTheRowsACopyGoesThrough(_ engine: EngineKind) throws {
        let from = try populated(engine)
        let counts = try from.store.readingSnapshot { try $0.rowCounts() }
        let to = try StoreFixture(engine)
        var reports: [(rows: Int, fraction: Double?)] = []
        let summary = try StoreCopy.copy(from: from.store, to: to.store, progress: RowProgress { rows, fraction in
            reports.append((rows, fraction))
        }.counting(toward: counts.rowsOfAWholeCopy))
        #expect(counts == StoredRowCounts(leads: 1, opportunities: 5, history: summary.history, activities: 2, notes: 1))
        #expect(counts.rowsOfAWholeCopy == reports.count)
        #expect(reports.last?.fraction == 1)
        #expect(reports.dropLast().allSatisfy { ($0.fraction ?? 1) < 1 })
        #expect(reports.first?.fraction == 1 / Double(reports.count))
        // Nothing counted (a store without rows): the reports say no share, as before.
        var fractions: [Double?] = []
        try RowProgress { _, fraction in fractions.append(fraction) }.counting(toward: 0).step(3, nil)
        try RowProgress { _, fraction in fractions.append(fraction) }.counting(toward: nil).step(3, nil)
        // A share the work itself knows (bytes of a file) is kept.
        try RowProgress { _, fraction in fractions.append(fraction) }.counting(toward: 10).step(3, 0.5)
        #expect(fractions == [nil, nil, 0.5])
    }

    /// A copy into PostgreSQL fills the tables without their per-row triggers (issue 15): the
    /// one that refuses rows — a deal only in a stage of its own team's pipeline — is checked
    /// once over the loaded rows, and a source deal it would have refused refuses the whole
    /// copy, in the trigger's own words, on every target. Nothing is kept, and the target's
    /// triggers are on again.
    @Test(arguments: enginePairs) func aDealInAnotherTeamsStageRefusesTheWholeCopy(_ source: EngineKind, _ target: EngineKind) throws {
        let from = try populated(source)
        // "Export deal" is in the export team's own stage; put it in team 1 behind the program's back.
        let deal = try #require(try from.records().first { $0.title == "Export deal" })
        switch source {
        case .sqlite:
            try from.executeAsOwner("DROP TRIGGER opportunity_stage_in_pipeline_on_update; UPDATE opportunity SET team_id = 1 WHERE id = \(deal.id.rawValue)")
        case .postgresql:
            try from.executeAsOwner("""
                ALTER TABLE opportunity DISABLE TRIGGER opportunity_stage_in_pipeline;
                UPDATE opportunity SET team_id = 1 WHERE id = \(deal.id.rawValue);
                ALTER TABLE opportunity ENABLE TRIGGER opportunity_stage_in_pipeline
                """)
        }
        let to = try StoreFixture(target)
        let before = try to.snapshot()
        #expect {
            try StoreCopy.copy(from: from.store, to: to.store)
        } throws: { error in
            String(describing: error).contains("pipeline: opportunity stage is not in its team pipeline")
        }
        #expect(try to.snapshot() == before)
        #expect(try to.store.isUntouched())
        // Its triggers are on again (PostgreSQL's DDL rolled back with the rest).
        if target == .postgresql {
            try to.executeAsOwner("""
                DO $$ BEGIN
                    IF EXISTS (SELECT 1 FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O') THEN
                        RAISE EXCEPTION 'a trigger is off';
                    END IF;
                END $$
                """)
        }
    }

    @Test(arguments: enginePairs) func aTargetWithDataIsRefusedAndKeptAsItWas(_ source: EngineKind, _ target: EngineKind) throws {
        let from = try populated(source)
        let to = try StoreFixture(target)
        try to.add("Someone's deal")
        let before = try to.snapshot()
        #expect(throws: PipelineError.copyTargetNotEmpty(to.store.location)) { try StoreCopy.copy(from: from.store, to: to.store) }
        #expect(try to.snapshot() == before)
    }
}
