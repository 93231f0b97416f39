import Testing
@testable import PipelineCore

/// The rules of issue 13: when an activity is overdue in the user's zone, when a deal rots,
/// what "done & schedule next" offers, what the history records and how the timeline reads.
@Suite struct ActivityRulesTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(iso8601: text)! }
    static func instant(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
    static let vietnam = 7 * 3600
    static let newYork = -5 * 3600

    // MARK: - Days in the user's zone

    @Test func theLocalDateTurnsAtTheUsersMidnight() {
        // 16:59:59 UTC is 23:59:59 in Vietnam; a second later it is the next day there.
        #expect(Self.instant("2026-12-03T16:59:59Z").localDate(utcOffsetSeconds: Self.vietnam) == Self.date("2026-12-03"))
        #expect(Self.instant("2026-12-03T17:00:00Z").localDate(utcOffsetSeconds: Self.vietnam) == Self.date("2026-12-04"))
        // 04:59 UTC is still yesterday in New York.
        #expect(Self.instant("2026-12-04T04:59:00Z").localDate(utcOffsetSeconds: Self.newYork) == Self.date("2026-12-03"))
        #expect(Self.instant("2026-12-04T05:00:00Z").localDate(utcOffsetSeconds: Self.newYork) == Self.date("2026-12-04"))
        let now = Self.instant("2026-12-04T07:30:00Z").localNow(utcOffsetSeconds: Self.vietnam)
        #expect(now == LocalNow(date: Self.date("2026-12-04"), minuteOfDay: MinuteOfDay(hour: 14, minute: 30)!))
        // Before 1970, and at the calendar's first instant, nothing traps.
        #expect(Timestamp(millisecondsSince1970: Timestamp.range.lowerBound).localDate(utcOffsetSeconds: Self.newYork).year == 1)
    }

    /// By date only, as the reference CRM: a call at 09:00 is "due today" all day; the same
    /// instant is overdue in one zone and due today in another.
    @Test func timingIsByTheLocalDate() {
        let activity = Activity(id: Activity.ID(1), record: Opportunity.ID(1), type: ActivityType.ID(1), summary: "Call",
                                due: Self.date("2026-12-04"), time: MinuteOfDay(hour: 9, minute: 0), createdAt: World.now)
        let instant = Self.instant("2026-12-04T20:00:00Z")   // 03:00 on the 5th in Vietnam, 15:00 on the 4th in New York
        #expect(activity.timing(on: instant.localDate(utcOffsetSeconds: Self.vietnam)) == .overdue)
        #expect(activity.timing(on: instant.localDate(utcOffsetSeconds: Self.newYork)) == .dueToday)
        #expect(activity.timing(on: Self.date("2026-12-03")) == .planned)
        var done = activity
        done.completion = ActivityCompletion(at: instant, by: "lan")
        #expect(done.timing(on: Self.date("2026-12-10")) == .none)
        var deal = World().opportunity()
        #expect(deal.activityTiming(on: Self.date("2026-12-04")) == .none)
        deal.activityGlance = ActivityGlance(nextDue: Self.date("2026-12-04"), latestOpenDue: Self.date("2026-12-09"))
        #expect(deal.activityTiming(on: Self.date("2026-12-04")) == .dueToday)
        #expect(deal.activityTiming(on: Self.date("2026-12-05")) == .overdue)
        #expect(deal.activityTiming(on: Self.date("2026-12-03")) == .planned)
    }

    @Test func theGlanceIsTheEarliestOpenActivityAndTheLatestDue() {
        func activity(_ id: Int64, _ due: String, _ time: MinuteOfDay? = nil, done: Bool = false) -> Activity {
            Activity(id: Activity.ID(id), record: Opportunity.ID(1), type: ActivityType.ID(1), summary: "x", due: Self.date(due), time: time,
                     completion: done ? ActivityCompletion(at: World.now, by: "lan") : nil, createdAt: World.now)
        }
        let nine = MinuteOfDay(hour: 9, minute: 0)
        let glance = ActivityGlance(of: [activity(1, "2026-12-05"), activity(2, "2026-12-05", nine), activity(3, "2026-12-01", done: true),
                                         activity(4, "2026-12-20")])
        #expect(glance == ActivityGlance(nextDue: Self.date("2026-12-05"), nextTime: nine, latestOpenDue: Self.date("2026-12-20")))
        #expect(ActivityGlance(of: [activity(3, "2026-12-01", done: true)]) == .empty)
    }

    // MARK: - Rotting

    @Test func aDealRotsAfterItsStagesDaysUnlessSomethingIsPlanned() {
        let world = World()
        var stage = world.stage("Proposition")
        stage.rottingDays = 3
        var deal = world.opportunity(in: "Proposition")
        // Entered at 23:00 on 1 December in Vietnam (16:00 UTC).
        deal.stageChangedAt = Self.instant("2026-12-01T16:00:00Z")
        let offset = Self.vietnam
        #expect(!deal.isRotting(in: stage, today: Self.date("2026-12-04"), utcOffsetSeconds: offset))   // 3 days: not more
        #expect(deal.isRotting(in: stage, today: Self.date("2026-12-05"), utcOffsetSeconds: offset))
        // In New York the same instant is 1 December at 11:00: the same days.
        #expect(deal.isRotting(in: stage, today: Self.date("2026-12-05"), utcOffsetSeconds: Self.newYork))
        // A call planned today or later keeps it fresh; an overdue one does not.
        deal.activityGlance = ActivityGlance(nextDue: Self.date("2026-12-05"), latestOpenDue: Self.date("2026-12-05"))
        #expect(!deal.isRotting(in: stage, today: Self.date("2026-12-05"), utcOffsetSeconds: offset))
        deal.activityGlance = ActivityGlance(nextDue: Self.date("2026-12-02"), latestOpenDue: Self.date("2026-12-04"))
        #expect(deal.isRotting(in: stage, today: Self.date("2026-12-05"), utcOffsetSeconds: offset))
        // Off, archived, or in a closed stage: never.
        var off = stage
        off.rottingDays = nil
        #expect(!deal.isRotting(in: off, today: Self.date("2027-01-01"), utcOffsetSeconds: offset))
        var archived = deal
        archived.isActive = false
        #expect(!archived.isRotting(in: stage, today: Self.date("2027-01-01"), utcOffsetSeconds: offset))
        var won = world.stage("Won")
        won.rottingDays = 1
        var closed = deal
        closed.stage = won.id
        #expect(!closed.isRotting(in: won, today: Self.date("2027-01-01"), utcOffsetSeconds: offset))
    }

    /// The engines' rotting filter compares the instant a deal entered its stage with a
    /// threshold: it must agree with `isRotting` at every instant around the boundary.
    @Test func theRottingThresholdAgreesWithTheRule() {
        var stage = World().stage("Qualified")
        stage.rottingDays = 2
        let today = Self.date("2026-12-04")
        for offset in [Self.vietnam, Self.newYork, 0] {
            let threshold = Opportunity.rottingThreshold(today: today, rottingDays: 2, utcOffsetSeconds: offset)
            for delta in [-60_001, -1, 0, 1, 60_000] as [Int64] {
                var deal = World().opportunity(in: "Qualified")
                deal.stageChangedAt = Timestamp(millisecondsSince1970: threshold.millisecondsSince1970 + delta)
                let rots = deal.isRotting(in: stage, today: today, utcOffsetSeconds: offset)
                #expect(rots == (deal.stageChangedAt < threshold), "offset \(offset), delta \(delta)")
            }
        }
    }

    @Test func rottingDaysAreReadAsTypedAndChecked() throws {
        #expect(try Stage.rottingDays(parsing: "14") == 14)
        #expect(try Stage.rottingDays(parsing: "off") == nil)
        #expect(try Stage.rottingDays(parsing: "tắt", language: .vietnamese) == nil)
        #expect(throws: PipelineError.invalidRottingDays("3651")) { try Stage.rottingDays(parsing: "3651") }
        #expect(throws: PipelineError.invalidRottingDays("-1")) { try Stage.rottingDays(parsing: "-1") }
        let world = World()
        #expect(throws: PipelineError.invalidRottingDays("0")) {
            try world.catalog.applying(StageEdit(rottingDays: .some(0)), to: world.stage("New"), occupyingTeams: [])
        }
        #expect(try world.catalog.applying(StageEdit(rottingDays: .some(30)), to: world.stage("New"), occupyingTeams: []).rottingDays == 30)
        var rotting = world.stage("New")
        rotting.rottingDays = 30
        #expect(try world.catalog.applying(StageEdit(rottingDays: .some(nil)), to: rotting, occupyingTeams: []).rottingDays == nil)
    }

    // MARK: - Forms and done & next

    @Test func aFormIsValidatedFieldByField() throws {
        let types = [ActivityType(id: ActivityType.ID(1), name: "Call"), ActivityType(id: ActivityType.ID(2), name: "Gọi điện")]
        let changes = try ActivityForm(type: "call", summary: "  Call Ana ", due: "03/12/2026", time: "9:05", assignedTo: "lan",
                                       notes: "a\r\nb").validated(language: .vietnamese, types: types)
        #expect(changes == ActivityChanges(type: ActivityType.ID(1), summary: "Call Ana", due: Self.date("2026-12-03"),
                                           time: .some(MinuteOfDay(hour: 9, minute: 5)), assignedTo: "lan", notes: "a\nb"))
        #expect(try ActivityForm(type: "GỌI ĐIỆN").validated(language: .english, types: types).type == ActivityType.ID(2))
        #expect(try ActivityForm(time: "").validated(language: .english, types: types).time == .some(nil))
        #expect(throws: PipelineError.emptyText(.summary)) { try ActivityForm(summary: "  ").validated(language: .english, types: types) }
        #expect(throws: PipelineError.lineBreakNotAllowed(.summary)) { try ActivityForm(summary: "a\nb").validated(language: .english, types: types) }
        #expect(throws: PipelineError.controlCharacter(.summary, codePoint: 0x1B)) {
            try ActivityForm(summary: "\u{1B}[2J").validated(language: .english, types: types)
        }
        for bad in ["24:00", "12:60", "12", "1230", "12:5", "-1:00", "１２:００"] {
            #expect(throws: PipelineError.invalidTime(bad)) { try ActivityForm(time: bad).validated(language: .english, types: types) }
        }
        #expect(throws: PipelineError.invalidDueDate("03/12/2026", dayFirst: false)) {
            try ActivityForm(due: "03/12/2026").validated(language: .english, types: types)
        }
        #expect(throws: PipelineError.unknownActivityType("Lunch", known: ["Call", "Gọi điện"])) {
            try ActivityForm(type: "Lunch").validated(language: .english, types: types)
        }
        // The sentences name the field, in both languages.
        #expect(PipelineError.invalidTime("25:00").message(in: .english).hasPrefix("time: '25:00'"))
        #expect(PipelineError.invalidTime("25:00").message(in: .vietnamese).hasPrefix("giờ: '25:00'"))
        #expect(PipelineError.invalidDueDate("x", dayFirst: true).message(in: .vietnamese).contains("DD/MM/YYYY"))
        #expect(PipelineError.activityTypeInUse(name: "Call", count: 2).message(in: .english).contains("2 activities"))
    }

    @Test func doneAndNextOffersTheTypesNextStep() throws {
        let call = ActivityType(id: ActivityType.ID(1), name: "Call", nextType: ActivityType.ID(1), nextDelayDays: 3)
        let meeting = ActivityType(id: ActivityType.ID(2), name: "Meeting", nextType: ActivityType.ID(3), nextDelayDays: 1)
        let email = ActivityType(id: ActivityType.ID(3), name: "E-mail", nextType: ActivityType.ID(1), nextDelayDays: 3)
        let types = [call, meeting, email]
        let activity = Activity(id: Activity.ID(5), record: Opportunity.ID(1), type: meeting.id, summary: "Demo", due: Self.date("2026-12-01"),
                                time: MinuteOfDay(hour: 10, minute: 0), assignedTo: "lan", createdAt: World.now)
        let next = activity.nextSuggestion(types: types, today: Self.date("2026-12-04"))
        #expect(next == ActivityChanges(type: email.id, summary: "E-mail", due: Self.date("2026-12-05"), time: .some(nil),
                                        assignedTo: "lan", notes: ""))
        // Across the end of a month and a year.
        var late = activity
        late.type = call.id
        #expect(late.nextSuggestion(types: types, today: Self.date("2026-12-30")).due == Self.date("2027-01-02"))
        // Done once only; reopening clears the completion.
        let done = try activity.completed(feedback: "  Liked it\n", at: World.now, by: "lan")
        #expect(done.completion == ActivityCompletion(at: World.now, by: "lan", feedback: "Liked it"))
        #expect(throws: PipelineError.activityAlreadyDone(activity.id)) { try done.completed(feedback: "", at: World.now, by: "lan") }
        #expect(try done.reopened(at: later(1)).completion == nil)
        #expect(throws: PipelineError.activityNotDone(activity.id)) { try activity.reopened(at: World.now) }
        #expect(throws: PipelineError.nothingToChange) { try activity.edited(ActivityChanges(), at: World.now) }
    }

    @Test func aNewActivityGoesToTheRecordsSalespersonAndNeedsItsThreeFields() throws {
        var deal = World().opportunity()
        deal.salesperson = "minh"
        let created = try Activity.create(ActivityChanges(type: ActivityType.ID(1), summary: "Call", due: Self.date("2026-12-03")),
                                          for: deal, at: World.now, by: "lan")
        #expect(created.assignedTo == "minh")
        #expect(created.createdBy == "lan")
        #expect(throws: PipelineError.emptyText(.activityType)) {
            try Activity.create(ActivityChanges(summary: "x", due: Self.date("2026-12-03")), for: deal, at: World.now, by: "lan")
        }
        #expect(throws: PipelineError.emptyText(.dueDate)) {
            try Activity.create(ActivityChanges(type: ActivityType.ID(1), summary: "x"), for: deal, at: World.now, by: "lan")
        }
    }

    // MARK: - History and timeline

    @Test func eachChangeIsRecordedWithItsEventAndFigures() throws {
        let world = World()
        let pipeline = world.sales
        let outcome = { (id: Stage.ID) in world.catalog.stage(id)?.outcome }
        let deal = world.opportunity(in: "Qualified")
        func line(_ before: Opportunity?, _ after: Opportunity) -> StageChange? {
            StageChange.recording(from: before, to: after, outcome: outcome, at: later(1), by: "lan")
        }
        let created = try #require(line(nil, deal))
        #expect(created.event == .created && created.from == nil && created.probability == probability(15))
        let moved = try deal.moved(to: world.stage("Proposition"), in: pipeline, at: later(1), by: "lan").opportunity
        #expect(line(deal, moved)?.event == .moved)
        #expect(line(deal, moved)?.probability == probability(50))
        var richer = moved
        richer.expectedRevenue = Money(minorUnits: 500_000, currency: .usd)!
        #expect(line(moved, richer)?.event == .edited)
        #expect(line(moved, richer)?.from == line(moved, richer)?.to)
        var renamed = moved
        renamed.title = "Other"
        #expect(line(moved, renamed) == nil)
        let won = try moved.markedWon(in: pipeline, at: later(2), by: "lan").opportunity
        #expect(line(moved, won)?.event == .won)
        let lost = try moved.markedLost(reason: "Price", in: pipeline, at: later(2), by: "lan").opportunity
        #expect(line(moved, lost)?.event == .lost)
        #expect(line(moved, lost)?.reason == "Price")
        let restored = try lost.restored(in: pipeline, history: [created, line(deal, moved)!, line(moved, lost)!], at: later(3), by: "lan").opportunity
        #expect(line(lost, restored)?.event == .restored)
        #expect(line(moved, moved.archived(at: later(4)))?.event == .archived)
        // A lead has no history until it becomes a deal.
        var lead = deal
        lead.kind = .lead
        var leadEdited = lead
        leadEdited.expectedRevenue = Money(minorUnits: 1, currency: .usd)!
        #expect(line(lead, leadEdited) == nil)
        #expect(line(lead, deal)?.event == .created)
    }

    @Test func theTimelineReadsTheHistoryActivitiesAndNotesNewestFirst() {
        func at(_ minutes: Int64) -> Timestamp { later(minutes) }
        let usd = { (minor: Int64) in Money(minorUnits: minor, currency: .usd)! }
        let id = Opportunity.ID(1)
        let new = Stage.ID(1), proposition = Stage.ID(3), won = Stage.ID(5)
        let history = [
            // Written before figures were kept: unknown, never shown as a change from 0.
            NamedHistoryLine(change: StageChange(opportunity: id, from: nil, to: new, at: at(0), by: "lan", event: .created),
                             fromName: nil, toName: "New"),
            NamedHistoryLine(change: StageChange(opportunity: id, from: new, to: proposition, at: at(90), by: "lan", event: .moved,
                                                 probability: probability(50), amount: usd(1000)), fromName: "New", toName: "Proposition"),
            NamedHistoryLine(change: StageChange(opportunity: id, from: proposition, to: proposition, at: at(100), by: "minh", event: .edited,
                                                 probability: probability(60), amount: usd(2000)), fromName: "Proposition", toName: "Proposition"),
            NamedHistoryLine(change: StageChange(opportunity: id, from: proposition, to: proposition, at: at(110), by: "boss",
                                                 event: .stageProbability, probability: probability(70), amount: usd(2000)),
                             fromName: "Proposition", toName: "Proposition"),
            NamedHistoryLine(change: StageChange(opportunity: id, from: proposition, to: won, at: at(200), by: "lan", event: .won,
                                                 probability: .certain, amount: usd(2000)), fromName: "Proposition", toName: "Won"),
        ]
        let call = ActivityType(id: ActivityType.ID(1), name: "Call")
        let done = Activity(id: Activity.ID(9), record: id, type: call.id, summary: "Call Ana", due: Self.date("2026-12-01"),
                            completion: ActivityCompletion(at: at(150), by: "lan", feedback: "Yes"), createdAt: at(0))
        let open = Activity(id: Activity.ID(10), record: id, type: call.id, summary: "Later", due: Self.date("2026-12-09"), createdAt: at(0))
        let note = DealNote(id: DealNote.ID(3), record: id, text: "Prefers e-mail", author: "minh", at: at(120))
        let timeline = Timeline.entries(history: history, activities: [open, done], types: [call], notes: [note])
        let expected: [TimelineEntry.Kind] = [
            .won,
            .probabilityChanged(from: probability(70), to: .certain, byHand: false),
            .stageChanged(from: "Proposition", to: "Won", timeInFrom: Int64(110 * 60_000)),
            .activityDone(activity: done.id, type: "Call", summary: "Call Ana", feedback: "Yes"),
            .note(note.id, text: "Prefers e-mail"),
            .probabilityChanged(from: probability(60), to: probability(70), byHand: false),
            .amountChanged(from: usd(1000), to: usd(2000)),
            .probabilityChanged(from: probability(50), to: probability(60), byHand: true),
            .stageChanged(from: "New", to: "Proposition", timeInFrom: Int64(90 * 60_000)),
            .created(stage: "New", probability: nil, amount: nil),
        ]
        #expect(timeline.map(\.kind) == expected)
        #expect(timeline.first?.by == "lan")
        #expect(timeline.map(\.at) == timeline.map(\.at).sorted(by: >))
    }

    /// At one instant (a clock standing still, a script) a note and an activity done: the
    /// activity, marked done after the notes that led to it, shows above them.
    @Test func atTheSameInstantAnActivityDoneShowsAboveTheNotes() {
        let id = Opportunity.ID(1)
        let call = ActivityType(id: ActivityType.ID(1), name: "Call")
        let instant = Timestamp(millisecondsSince1970: 1_000_000)
        let done = Activity(id: Activity.ID(4), record: id, type: call.id, summary: "Call Ana", due: Self.date("2026-12-01"),
                            completion: ActivityCompletion(at: instant, by: "lan", feedback: ""), createdAt: instant)
        let first = DealNote(id: DealNote.ID(1), record: id, text: "First", author: "lan", at: instant)
        let second = DealNote(id: DealNote.ID(2), record: id, text: "Second", author: "lan", at: instant)
        let timeline = Timeline.entries(history: [], activities: [done], types: [call], notes: [second, first])
        #expect(timeline.map(\.kind) == [.activityDone(activity: done.id, type: "Call", summary: "Call Ana", feedback: ""),
                                          .note(second.id, text: "Second"), .note(first.id, text: "First")])
    }

    // MARK: - Access

    @Test func activitiesAndNotesFollowTheRecordsAccess() {
        let sales = World.sales
        var deal = World().opportunity()
        deal.salesperson = "minh"
        let lan = Access(login: "lan", role: .salesperson, teams: [sales.id])
        let boss = Access(login: "boss", role: .manager, teams: [sales.id])
        let outsider = Access(login: "eve", role: .salesperson, teams: [World.export.id])
        #expect(lan.refusalToChangeActivities(of: deal, in: sales) == .othersRecord(id: deal.id.rawValue, owner: "minh", team: "Sales"))
        #expect(boss.refusalToChangeActivities(of: deal, in: sales) == nil)
        #expect(outsider.refusalToChangeActivities(of: deal, in: sales) == .notMember(team: "Sales"))
        // Assigning: nobody, the record's salesperson, oneself, a member; not an outsider.
        let members: Set<String> = ["lan", "minh", "boss"]
        #expect(boss.refusalToAssignActivity(to: "lan", of: deal, in: sales, members: members) == nil)
        #expect(boss.refusalToAssignActivity(to: "", of: deal, in: sales, members: members) == nil)
        #expect(boss.refusalToAssignActivity(to: "eve", of: deal, in: sales, members: members)
                == .assignActivityOutsideTeam(assignee: "eve", team: "Sales"))
        #expect(Access.fileOwner.refusalToAssignActivity(to: "anyone", of: deal, in: sales, members: nil) == nil)
        // Notes: the author, or a manager of the team.
        let note = DealNote(id: DealNote.ID(1), record: deal.id, text: "x", author: "minh", at: World.now)
        #expect(lan.refusalToRemove(note, in: sales) == .othersNote(id: 1, author: "minh", team: "Sales"))
        #expect(Access(login: "minh", role: .salesperson, teams: [sales.id]).refusalToRemove(note, in: sales) == nil)
        #expect(boss.refusalToRemove(note, in: sales) == nil)
        #expect(Access.fileOwner.refusalToRemove(note, in: sales) == nil)
        // Types: managers and administrators.
        #expect(lan.refusalToManageActivityTypes() == .activityTypes)
        #expect(boss.refusalToManageActivityTypes() == nil)
        for refusal in [AccessRefusal.activityTypes, .othersNote(id: 1, author: "minh", team: "Sales"),
                        .assignActivityOutsideTeam(assignee: "eve", team: "Sales")] {
            for language in Language.allCases { #expect(!refusal.message(in: language).isEmpty) }
        }
    }
}
