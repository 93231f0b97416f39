import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// What schema version 5 makes the server check of activities, notes and history (issue 13),
/// through raw SQL as each login — what `psql` would be in their hands — and the program's
/// sentences where it meets them.
@Suite("PostgreSQL access: the server's checks of activities and notes")
struct ServerChecksTests {
    typealias Plan = AccessActivityTests.Plan

    static let insertActivity = """
        INSERT INTO activity (record_id, type_id, summary, due, assigned_to, created_at, updated_at)
        VALUES ($1, (SELECT min(id) FROM activity_type), $3, '2026-12-03', $2, 0, 0)
        """

    /// A salesperson's psql dates nothing: activities, their completion, notes and history
    /// lines get the server's time (the transaction's start), whatever was sent; an update
    /// keeps when it was created and when it was first done. The owner's writes keep theirs.
    @Test func theServerChoosesTheTimesForEveryoneButTheOwner() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            let deal = plan.exportMine.id.rawValue
            let created = testNow.millisecondsSince1970
            var firstDone = ""
            try salesperson.transaction {
                let now = try #require(try salesperson.column("SELECT pipeline_now_ms()::text").first)
                try salesperson.execute("""
                    INSERT INTO activity (record_id, type_id, summary, due, created_at, updated_at, done_at, done_by)
                    VALUES ($1, (SELECT min(id) FROM activity_type), 'Backdated', '2026-12-03', 0, 0, 0, 'x')
                    """, [deal])
                #expect(try salesperson.column("SELECT concat_ws(' ', created_at, updated_at, done_at) FROM activity WHERE summary = 'Backdated'")
                        == ["\(now) \(now) \(now)"])
                try salesperson.execute("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, 'Backdated note', 0)", [deal])
                #expect(try salesperson.column("SELECT created_at::text FROM deal_note WHERE text = 'Backdated note'") == [now])
                try salesperson.execute("INSERT INTO stage_history (opportunity_id, changed_at, changed_by) VALUES ($1, 0, 'x')", [deal])
                #expect(try salesperson.column("SELECT changed_at::text FROM stage_history WHERE opportunity_id = $1 ORDER BY id DESC LIMIT 1",
                                               [deal]) == [now])
                // Done now, created when it was: an update cannot move either.
                try salesperson.execute("UPDATE activity SET created_at = 0, updated_at = 0, done_at = 5, done_by = 'x' WHERE id = $1",
                                        [plan.exportCall.id.rawValue])
                #expect(try salesperson.column("SELECT concat_ws(' ', created_at, updated_at, done_at) FROM activity WHERE id = $1",
                                               [plan.exportCall.id.rawValue]) == ["\(created) \(now) \(now)"])
                firstDone = now
            }
            // Done once: a later update keeps when.
            try salesperson.execute("UPDATE activity SET done_at = 7 WHERE id = $1", [plan.exportCall.id.rawValue])
            #expect(try salesperson.column("SELECT done_at::text FROM activity WHERE id = $1", [plan.exportCall.id.rawValue]) == [firstDone])
            // The owner (a restore, a copy, the program run by them) keeps the times given.
            #expect(try fixture.owner.store.activity(plan.salesCall.id)?.createdAt == testNow)
            #expect(try fixture.owner.store.notes(of: plan.salesDeal.id).map(\.at) == [testNow])
        }
    }

    /// `pipeline_move_history` and `pipeline_move_activities` let a member move lines between
    /// two records they may change, both staying. The merge is what the program needs: the
    /// lines leave a record only when it is removed into another, both the user's to change.
    @Test func historyActivitiesAndNotesLeaveARecordOnlyWhenItIsMergedAway() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            for gone in ["pipeline_move_history", "pipeline_move_activities"] {
                #expect(try salesperson.column("SELECT count(*)::text FROM pg_proc WHERE proname = $1", [gone]) == ["0"])
            }
            let merge = "SELECT pipeline_merge_record($1, $2, $3)::text"
            let mine = plan.exportMine
            #expect(try salesperson.isRefused(merge, [plan.salesDeal.id.rawValue, mine.id.rawValue, 1]))
            #expect(try salesperson.isRefused(merge, [plan.exportColleagues.id.rawValue, mine.id.rawValue, 1]))
            #expect(try salesperson.isRefused(merge, [mine.id.rawValue, plan.exportColleagues.id.rawValue, 1]))
            #expect(try salesperson.isRefused(merge, [mine.id.rawValue, mine.id.rawValue, 1]))
            #expect(try fixture.owner.store.activities(of: mine.id).count == 1)
            // Nor by a plain UPDATE between two of their own records that both stay (row
            // security allowed it: the hostile trial moved activities and notes this way).
            let second = try fixture.deal("Second of mine", team: fixture.export, salesperson: fixture.salesperson).id.rawValue
            for (table, column) in [("activity", "record_id"), ("deal_note", "record_id"), ("stage_history", "opportunity_id")] {
                #expect(try salesperson.isRefused("UPDATE \(table) SET \(column) = $2 WHERE \(column) = $1", [mine.id.rawValue, second]), "\(table)")
            }
            #expect(try fixture.owner.store.activities(of: mine.id).count == 1)
            #expect(try fixture.owner.store.notes(of: mine.id).count == 1)
            // Their own lead into their deal: its history, activities and notes go with it, and
            // it is gone; a version that is not the lead's changes nothing.
            let lead = try fixture.lead("My lead", team: fixture.export, salesperson: fixture.salesperson)
            _ = try fixture.owner.store.addNote(to: lead.id, text: "On the lead", context: fixture.owner.context)
            #expect(try salesperson.column(merge, [lead.id.rawValue, mine.id.rawValue, 99]) == ["false"])
            #expect(try fixture.owner.store.notes(of: lead.id).count == 1)
            #expect(try salesperson.column(merge, [lead.id.rawValue, mine.id.rawValue, Int64(lead.version)]) == ["true"])
            #expect(try fixture.owner.store.opportunity(lead.id) == nil)
            #expect(try fixture.owner.store.notes(of: mine.id).map(\.text) == ["Colleague's note", "On the lead"])
        }
    }

    /// An activity goes to nobody, the record's salesperson, the person acting, or a member
    /// of the record's team — on the server too; an administrator (in no team) gives one to
    /// themselves. An activity already given to someone else keeps them through other changes.
    @Test func anActivityGoesOnlyToSomeoneTheRuleAllows() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            let mine = plan.exportMine.id.rawValue
            for outsider in [fixture.manager, fixture.admin, "nobody_at_all"] {
                #expect(try salesperson.isRefused(Self.insertActivity, [mine, outsider, "Given away"]), "\(outsider)")
            }
            for allowed in ["", fixture.salesperson] { try salesperson.execute(Self.insertActivity, [mine, allowed, "Kept"]) }
            // A manager: the deal's salesperson (not a member) and themselves, not another team's member.
            let salesDeal = try fixture.deal("Sales deal of pl_colleague", team: fixture.sales, salesperson: "pl_colleague").id.rawValue
            let manager = try fixture.raw(as: fixture.manager)
            for allowed in ["pl_colleague", fixture.manager] { try manager.execute(Self.insertActivity, [salesDeal, allowed, "Kept"]) }
            #expect(try manager.isRefused(Self.insertActivity, [salesDeal, fixture.salesperson, "Given away"]))
            // An administrator, in no team: themselves, or a member of the deal's team.
            let admin = try fixture.raw(as: fixture.admin)
            for allowed in [fixture.admin, fixture.manager] { try admin.execute(Self.insertActivity, [salesDeal, allowed, "Kept"]) }
            #expect(try admin.isRefused(Self.insertActivity, [salesDeal, fixture.salesperson, "Given away"]))
            #expect(try fixture.database.connect().column("SELECT count(*)::text FROM activity WHERE summary = 'Given away'") == ["0"])
            // Changing the assignee is asked; an assignee who is no longer allowed stays through other changes.
            let call = plan.exportCall.id.rawValue
            #expect(try salesperson.isRefused("UPDATE activity SET assigned_to = $2 WHERE id = $1", [call, fixture.admin]))
            try fixture.database.connect().execute("UPDATE activity SET assigned_to = $2 WHERE id = $1", [call, fixture.manager])
            #expect(try salesperson.execute("UPDATE activity SET summary = 'Still theirs' WHERE id = $1", [call]).affectedRows == 1)
            #expect(try fixture.owner.store.activity(plan.exportCall.id)?.assignedTo == fixture.manager)
            // A merge into a record of another team asks again: a member of both teams merged a
            // deal whose activity was an Export member's into a Sales deal, which that member
            // does not see. Their own activity goes with the merge.
            let duo = "pl_duo_merge"
            try fixture.register(duo, role: .salesperson, teams: [fixture.sales, fixture.export])
            let duoSQL = try fixture.raw(as: duo)
            let owner = try fixture.database.connect()
            let merge = "SELECT pipeline_merge_record($1, $2, $3)::text"
            let exportDeal = try fixture.deal("Duo's export deal", team: fixture.export, salesperson: duo)
            let duoSalesDeal = try fixture.deal("Duo's sales deal", team: fixture.sales, salesperson: duo)
            try owner.execute(Self.insertActivity, [exportDeal.id.rawValue, fixture.salesperson, "For an Export member"])
            let version = Int64(try #require(try fixture.owner.store.opportunity(exportDeal.id)).version)
            #expect(try duoSQL.isRefused(merge, [exportDeal.id.rawValue, duoSalesDeal.id.rawValue, version]))
            #expect(try fixture.owner.store.opportunity(exportDeal.id) != nil)
            try owner.execute("UPDATE activity SET assigned_to = $1 WHERE record_id = $2", [duo, exportDeal.id.rawValue])
            #expect(try duoSQL.column(merge, [exportDeal.id.rawValue, duoSalesDeal.id.rawValue, version]) == ["true"])
            #expect(try fixture.owner.store.activities(of: duoSalesDeal.id).map(\.summary) == ["For an Export member"])
            // The program's sentence for what the server refuses.
            #expect(PostgresError(.permissionDenied, sqlState: "42501", constraint: "pipeline.assignActivity").message
                    == "the PostgreSQL server refused: an activity goes to nobody, the deal's salesperson, you, or a member of the deal's team")
        }
    }

    /// A manager removing a type another team's activity has gets the program's sentence,
    /// without that team's count (the server says only that some are out of sight); an
    /// administrator, who sees them all, gets the count. Nothing changes.
    @Test func aTypeAnotherTeamUsesIsRefusedInTheProgramsSentence() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let manager = try fixture.store(as: fixture.manager)
            let visit = try manager.addActivityType(name: "Visit", nextType: nil, nextDelayDays: 0)
            let due = try #require(CalendarDate(iso8601: "2026-12-03"))
            _ = try fixture.owner.store.addActivity(to: plan.exportMine.id, ActivityChanges(type: visit.id, summary: "Visit", due: due),
                                                    context: fixture.owner.context)
            let before = try fixture.owner.store.activityTypes()
            #expect(throws: PipelineError.activityTypeInUse(name: "Visit", count: nil)) { try manager.removeActivityType(visit.id) }
            #expect(throws: PipelineError.activityTypeInUse(name: "Visit", count: 1)) { try fixture.store(as: fixture.admin).removeActivityType(visit.id) }
            #expect(try fixture.owner.store.activityTypes() == before)
            #expect(PipelineError.activityTypeInUse(name: "Visit", count: nil).message
                    == "activity type 'Visit' is still used by activities, some of them in teams you do not see: their type must be changed first")
            // What the function tells: yes or no, for the caller's sight.
            let question = "SELECT pipeline_activity_type_used_out_of_sight($1)::text"
            #expect(try fixture.raw(as: fixture.manager).column(question, [visit.id.rawValue]) == ["true"])
            #expect(try fixture.raw(as: fixture.admin).column(question, [visit.id.rawValue]) == ["false"])
        }
    }

    /// Text beyond its `TextLimit` is refused by the server as by the program; a row already
    /// longer (restored by the owner from an older store) is kept, and changes of its other
    /// values — a colleague's edit, the glance, a merge — still work; only its own text, when
    /// changed, must fit.
    @Test func textBeyondItsLimitIsRefusedAndOlderLongTextIsKept() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            let mine = plan.exportMine.id.rawValue
            let line = String(repeating: "é", count: TextLimit.line), text = String(repeating: "x", count: TextLimit.text)
            #expect(try salesperson.breaksACheck(Self.insertActivity, [mine, "", line + "é"]))
            try salesperson.execute(Self.insertActivity, [mine, "", line])
            #expect(try salesperson.breaksACheck("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, $2, 0)", [mine, text + "x"]))
            try salesperson.execute("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, $2, 0)", [mine, text])
            #expect(try salesperson.breaksACheck("UPDATE opportunity SET title = $2 WHERE id = $1", [mine, line + "x"]))
            #expect(try salesperson.breaksACheck("UPDATE opportunity SET notes = $2 WHERE id = $1", [mine, text + "x"]))
            let manager = try fixture.raw(as: fixture.manager)
            #expect(try manager.breaksACheck("UPDATE activity_type SET name = $1 WHERE sort_order = 1", [line + "x"]))
            #expect(try manager.breaksACheck("""
                INSERT INTO stage (name, name_key, sort_order, probability, team_id, requirements) VALUES ('Long', 'long', 99, 0, $1, $2)
                """, [fixture.sales.rawValue, text + "x"]))
            // What an older store held, the owner's restore keeps…
            let owner = try fixture.database.connect()
            try owner.transaction {
                try owner.execute("SET LOCAL pipeline.importing = 'on'")
                try owner.execute("UPDATE activity SET notes = $2 WHERE id = $1", [plan.exportCall.id.rawValue, text + "older"])
                try owner.execute("UPDATE opportunity SET notes = $2 WHERE id = $1", [mine, text + "older"])
            }
            // …and the rest of the row still changes, through the program too.
            #expect(try salesperson.execute("UPDATE activity SET summary = 'Shorter' WHERE id = $1", [plan.exportCall.id.rawValue]).affectedRows == 1)
            #expect(try salesperson.execute("UPDATE opportunity SET rank = rank + 1, priority = 2 WHERE id = $1", [mine]).affectedRows == 1)
            #expect(try salesperson.breaksACheck("UPDATE activity SET notes = notes || 'more' WHERE id = $1", [plan.exportCall.id.rawValue]))
            let store = try fixture.store(as: fixture.salesperson)
            _ = try store.completeActivity(plan.exportCall.id, context: fixture.owner.context)
            #expect(try fixture.owner.store.activity(plan.exportCall.id)?.notes.unicodeScalars.count == TextLimit.text + 5)
            // The program says it first, in one sentence naming the field and the limit.
            #expect(throws: PipelineError.textTooLong(.noteText, length: TextLimit.text + 1, limit: TextLimit.text)) {
                try store.addNote(to: plan.exportMine.id, text: text + "x", context: fixture.owner.context)
            }
        }
    }
}
