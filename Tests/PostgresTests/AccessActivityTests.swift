import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// Activities, notes and activity types on a team server (issue 13): the server's own rules,
/// through raw SQL as each login (what `psql` would be in their hands), and the program's
/// sentences before them.
@Suite("PostgreSQL access: activities and notes")
struct AccessActivityTests {
    /// An activity and a note on a Sales deal (the manager's team) and on an Export deal of the
    /// salesperson, added by the owner.
    struct Plan {
        let salesDeal, exportMine, exportColleagues: Opportunity
        let salesCall, exportCall: Activity
        let salesNote, colleaguesNote: DealNote

        init(_ fixture: AccessFixture) throws {
            salesDeal = try fixture.deal("Sales deal", team: fixture.sales)
            exportMine = try fixture.deal("Export mine", team: fixture.export, salesperson: fixture.salesperson)
            exportColleagues = try fixture.deal("Export colleague's", team: fixture.export, salesperson: "pl_colleague")
            let call = try #require(try fixture.owner.store.activityTypes().first)
            let due = try #require(CalendarDate(iso8601: "2026-12-03"))
            salesCall = try fixture.owner.store.addActivity(to: salesDeal.id, ActivityChanges(type: call.id, summary: "Sales call", due: due),
                                                            context: fixture.owner.context)
            exportCall = try fixture.owner.store.addActivity(to: exportMine.id, ActivityChanges(type: call.id, summary: "Export call", due: due),
                                                             context: fixture.owner.context)
            salesNote = try fixture.owner.store.addNote(to: salesDeal.id, text: "Sales secret", context: fixture.owner.context)
            // A colleague's note on a deal the salesperson may change (written by the owner
            // in the colleague's name: the owner's names are kept).
            colleaguesNote = try fixture.owner.store.addNote(to: exportMine.id, text: "Colleague's note",
                                                             context: ChangeContext(now: testNow, user: "pl_colleague"))
        }
    }

    @Test func aSalespersonReadsOnlyTheActivitiesAndNotesOfDealsTheySee() throws {
        try AccessFixture.with { fixture throws in
            _ = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            #expect(try salesperson.column("SELECT summary FROM activity ORDER BY id") == ["Export call"])
            #expect(try salesperson.column("SELECT text FROM deal_note ORDER BY id") == ["Colleague's note"])
            #expect(try fixture.raw(as: fixture.manager).column("SELECT summary FROM activity ORDER BY id") == ["Sales call"])
            #expect(try fixture.raw(as: fixture.manager).column("SELECT text FROM deal_note ORDER BY id") == ["Sales secret"])
            #expect(try fixture.raw(as: fixture.admin).column("SELECT summary FROM activity ORDER BY id") == ["Sales call", "Export call"])
            // Every user reads the types.
            #expect(try salesperson.column("SELECT name FROM activity_type ORDER BY sort_order") == ["Call", "Meeting", "E-mail", "To-do"])
            // And through the program: the activity list shows what the server shows.
            let today = try #require(CalendarDate(iso8601: "2026-12-04"))
            let listed = try fixture.store(as: fixture.salesperson).activityList(ActivityQuery(scope: .everyone, today: today), after: nil, limit: 10)
            #expect(listed.map(\.summary) == ["Export call"])
        }
    }

    @Test func theServerRefusesActivitiesOnDealsTheLoginMayNotChange() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            let insert = """
                INSERT INTO activity (record_id, type_id, summary, due, created_at, updated_at)
                VALUES ($1, (SELECT min(id) FROM activity_type), 'Sneaky', '2026-12-03', 0, 0)
                """
            // Another team's deal, and a colleague's in their own team.
            #expect(try salesperson.isRefused(insert, [plan.salesDeal.id.rawValue]))
            #expect(try salesperson.isRefused(insert, [plan.exportColleagues.id.rawValue]))
            #expect(try salesperson.isRefused("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, 'x', 0)",
                                              [plan.exportColleagues.id.rawValue]))
            // Another team's activity cannot even be found to change or remove.
            #expect(try salesperson.execute("UPDATE activity SET summary = 'x' WHERE id = $1", [plan.salesCall.id.rawValue]).affectedRows == 0)
            #expect(try salesperson.execute("DELETE FROM activity WHERE id = $1", [plan.salesCall.id.rawValue]).affectedRows == 0)
            // Their own deal: allowed, and "by whom" is the server's word.
            try salesperson.execute("""
                INSERT INTO activity (record_id, type_id, summary, due, created_at, created_by, updated_at, done_at, done_by)
                VALUES ($1, (SELECT min(id) FROM activity_type), 'Mine', '2026-12-03', 0, 'pl_colleague', 0, 0, 'pl_colleague')
                """, [plan.exportMine.id.rawValue])
            #expect(try salesperson.column("SELECT created_by || ' ' || done_by FROM activity WHERE summary = 'Mine'")
                    == ["\(fixture.salesperson) \(fixture.salesperson)"])
            // Marking one done in someone else's name, or rewriting who did it, is not kept.
            try salesperson.execute("UPDATE activity SET done_at = 1, done_by = 'pl_colleague', created_by = 'pl_colleague' WHERE id = $1",
                                    [plan.exportCall.id.rawValue])
            #expect(try salesperson.column("SELECT done_by || ' ' || created_by FROM activity WHERE id = $1", [plan.exportCall.id.rawValue])
                    == ["\(fixture.salesperson) \(try fixture.owner.store.activity(plan.exportCall.id)?.createdBy ?? "?")"])
            try salesperson.execute("UPDATE activity SET done_by = 'pl_colleague' WHERE id = $1", [plan.exportCall.id.rawValue])
            #expect(try salesperson.column("SELECT done_by FROM activity WHERE id = $1", [plan.exportCall.id.rawValue]) == [fixture.salesperson])
            // A note's author is the session user too.
            try salesperson.execute("INSERT INTO deal_note (record_id, text, author, created_at) VALUES ($1, 'Forged', 'pl_colleague', 0)",
                                    [plan.exportMine.id.rawValue])
            #expect(try salesperson.column("SELECT author FROM deal_note WHERE text = 'Forged'") == [fixture.salesperson])
            // The types are the managers'.
            #expect(try salesperson.isRefused("INSERT INTO activity_type (name, name_key, sort_order) VALUES ('Lunch', 'lunch', 9)"))
            #expect(try salesperson.isRefused("UPDATE activity_type SET name = 'x'"))
        }
    }

    /// What the program would refuse, the server refuses from any login's own psql: the
    /// hostile trial stored a due date that was not a date (every reader of the team then
    /// failed) and control characters (the backup then could not be restored).
    @Test func theServerKeepsTheProgramsRulesForWhatIsStored() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            let deal = plan.exportMine.id.rawValue
            func activity(summary: String = "'Fine'", due: String = "'2026-12-03'", notes: String = "''", createdAt: String = "0") -> String {
                """
                INSERT INTO activity (record_id, type_id, summary, due, notes, created_at, updated_at)
                VALUES ($1, (SELECT min(id) FROM activity_type), \(summary), \(due), \(notes), \(createdAt), 0)
                """
            }
            for due in ["'2026-02-30'", "'not-a-date'", "'0000-01-01'", "'10000-01-01'", "'2026-1-3'"] {
                #expect(try salesperson.breaksACheck(activity(due: due), [deal]), "\(due)")
            }
            for summary in ["''", "'  '", "E'line1\\nline2'", "E'\\x1b[31mred'", "E'\\u202Eevil'"] {
                #expect(try salesperson.breaksACheck(activity(summary: summary), [deal]), "\(summary)")
            }
            #expect(try salesperson.breaksACheck(activity(notes: "E'bell\\x07'"), [deal]))
            // A time out of range: the owner's (a restore) is checked; anyone else's is the
            // server's own since schema version 5 (ServerChecksTests).
            #expect(try fixture.database.connect().breaksACheck(activity(createdAt: "9223372036854775807"), [deal]))
            #expect(try salesperson.breaksACheck("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, E' \\n ', 0)", [deal]))
            #expect(try salesperson.breaksACheck("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, E'\\x1b]0;x\\x07', 0)", [deal]))
            // A note of several lines, and an activity as the program writes it, are kept.
            try salesperson.execute("INSERT INTO deal_note (record_id, text, created_at) VALUES ($1, E'two\\nlines', 0)", [deal])
            try salesperson.execute(activity(notes: "E'first\\nsecond'"), [deal])
            #expect(try salesperson.column("SELECT count(*)::text FROM activity WHERE summary = 'Fine'") == ["1"])
            // Everything stored still reads, for everyone.
            #expect(try fixture.owner.store.activities(of: plan.exportMine.id).count == 2)
        }
    }

    @Test func aColleaguesNoteIsTheirsOrTheManagers() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            // Notes are never edited, and a colleague's is not the salesperson's to remove.
            #expect(try salesperson.isRefused("UPDATE deal_note SET text = 'x' WHERE id = $1", [plan.colleaguesNote.id.rawValue]))
            #expect(try salesperson.execute("DELETE FROM deal_note WHERE id = $1", [plan.colleaguesNote.id.rawValue]).affectedRows == 0)
            #expect(try fixture.owner.store.notes(of: plan.exportMine.id).count == 1)
            // The program says why in its own sentence, and nothing changes.
            let store = try fixture.store(as: fixture.salesperson)
            #expect(throws: PipelineError.notPermitted(.othersNote(id: plan.colleaguesNote.id.rawValue, author: "pl_colleague", team: "Export"))) {
                try store.removeNote(plan.colleaguesNote.id)
            }
            // Their own note they remove; the manager removes any of their team's.
            let own = try store.addNote(to: plan.exportMine.id, text: "Mine", context: fixture.owner.context)
            #expect(try fixture.owner.store.notes(of: plan.exportMine.id).last?.author == fixture.salesperson)
            try store.removeNote(own.id)
            try fixture.store(as: fixture.manager).removeNote(plan.salesNote.id)
            #expect(try fixture.owner.store.notes(of: plan.salesDeal.id).isEmpty)
        }
    }

    @Test func theProgramRefusesFirstInItsOwnSentences() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let store = try fixture.store(as: fixture.salesperson)
            let call = try #require(try store.activityTypes().first)
            let due = try #require(CalendarDate(iso8601: "2026-12-05"))
            let before = try fixture.owner.store.activities(of: plan.exportColleagues.id)
            #expect(throws: PipelineError.notPermitted(.othersRecord(id: plan.exportColleagues.id.rawValue, owner: "pl_colleague", team: "Export"))) {
                try store.addActivity(to: plan.exportColleagues.id, ActivityChanges(type: call.id, summary: "x", due: due),
                                      context: fixture.owner.context)
            }
            // Another team's deal is not even there for them.
            #expect(throws: PipelineError.unknownOpportunity(String(plan.salesDeal.id.rawValue))) {
                try store.addActivity(to: plan.salesDeal.id, ActivityChanges(type: call.id, summary: "x", due: due), context: fixture.owner.context)
            }
            // An activity goes to a member of the deal's team.
            #expect(throws: PipelineError.notPermitted(.assignActivityOutsideTeam(assignee: fixture.manager, team: "Export"))) {
                try store.addActivity(to: plan.exportMine.id, ActivityChanges(type: call.id, summary: "x", due: due, assignedTo: fixture.manager),
                                      context: fixture.owner.context)
            }
            #expect(throws: PipelineError.notPermitted(.activityTypes)) { try store.addActivityType(name: "Lunch", nextType: nil, nextDelayDays: 0) }
            #expect(try fixture.owner.store.activities(of: plan.exportColleagues.id) == before)
            // What they may: their own deal's activity, done and next, by them.
            let done = try store.completeActivity(plan.exportCall.id, feedback: "ok",
                                                  next: ActivityChanges(type: call.id, summary: "Again", due: due), context: fixture.owner.context)
            #expect(try fixture.owner.store.activity(plan.exportCall.id)?.completion?.by == fixture.salesperson)
            #expect(try fixture.owner.store.activity(try #require(done.next).id)?.createdBy == fixture.salesperson)
            #expect(try fixture.owner.store.opportunity(plan.exportMine.id)?.activityGlance.nextDue == due)
            // A manager edits the types.
            let demo = try fixture.store(as: fixture.manager).addActivityType(name: "Demo", nextType: nil, nextDelayDays: 1)
            #expect(demo.nextType == demo.id)
        }
    }

    /// Merging a lead into a deal moves its activities and notes through the schema's
    /// function, which checks both records are the user's to change.
    @Test func aMergeMovesActivitiesAndNotesOnlyBetweenRecordsTheUserMayChange() throws {
        try AccessFixture.with { fixture throws in
            let plan = try Plan(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            #expect(try salesperson.isRefused("SELECT pipeline_merge_record($1, $2, 1)",
                                              [plan.exportColleagues.id.rawValue, plan.exportMine.id.rawValue]))
            #expect(try salesperson.isRefused("SELECT pipeline_merge_record($1, $2, 1)", [plan.salesDeal.id.rawValue, plan.exportMine.id.rawValue]))
            #expect(try fixture.owner.store.activities(of: plan.salesDeal.id).count == 1)
        }
    }
}
