import Testing
@testable import PipelineCore

/// Rules the issue-13 new-user trial asked for.
@Suite struct ActivityTrialRulesTests {
    static let now = Timestamp(millisecondsSince1970: 1_796_000_000_000)
    static let due = CalendarDate(iso8601: "2026-12-20")!

    /// A won or lost stage never rots: days given to one are refused in one sentence, and a
    /// stage that becomes won loses the ones it had.
    @Test func closedStagesDoNotRot() throws {
        let world = World()
        #expect(throws: PipelineError.closedStageDoesNotRot(stage: "Won")) {
            try world.catalog.applying(StageEdit(rottingDays: .some(5)), to: world.stage("Won"), occupyingTeams: [])
        }
        #expect(PipelineError.closedStageDoesNotRot(stage: "Won").message(in: .english)
                == "rotting days: 'Won' is a won or lost stage, and closed deals never rot")
        var rotting = world.stage("Proposition")
        rotting.rottingDays = 10
        #expect(try world.catalog.applying(StageEdit(outcome: .won), to: rotting, occupyingTeams: []).rottingDays == nil)
    }

    /// What was done is history: changing it needs reopening it first.
    @Test func aDoneActivityIsNotEditedOrRescheduled() throws {
        var activity = Activity(id: Activity.ID(7), record: Opportunity.ID(1), type: ActivityType.ID(1), summary: "Ring", due: Self.due,
                                createdAt: Self.now)
        #expect(try activity.edited(ActivityChanges(due: Self.due.adding(days: 1)), at: Self.now).due == Self.due.adding(days: 1))
        activity.completion = ActivityCompletion(at: Self.now, by: "lan", feedback: "Agreed")
        #expect(throws: PipelineError.activityAlreadyDone(Activity.ID(7))) {
            try activity.edited(ActivityChanges(due: Self.due.adding(days: 1)), at: Self.now)
        }
    }
}

/// The loose ends of issue 13 the core decides.
@Suite struct Issue13FinishRulesTests {
    /// Open, won: work to do. Lost into a lost stage (still active) or archived: not any more.
    @Test func closedRecordsHaveNoActivitiesToDo() {
        var deal = Opportunity(id: Opportunity.ID(1), title: "Acme", expectedRevenue: .zero(.usd), probability: nil, team: Team.ID(1),
                               stage: Stage.ID(1), createdAt: ActivityTrialRulesTests.now)
        #expect(deal.hasActivitiesToDo(stageOutcome: .open))
        #expect(deal.hasActivitiesToDo(stageOutcome: .won))
        #expect(!deal.hasActivitiesToDo(stageOutcome: .lost))
        deal.isActive = false
        #expect(!deal.hasActivitiesToDo(stageOutcome: .open), "archived, or a lost lead")
        #expect(!deal.hasActivitiesToDo(stageOutcome: nil))
    }

    /// 20:30 UTC on 5 December is the 6th at +7 h and still the 5th at −5 h.
    @Test func anInstantIsWrittenInTheUsersTimeAcrossADayBoundary() throws {
        let at = try #require(Timestamp(iso8601: "2026-12-05T20:30:00.000Z"))
        #expect(at.localDisplay(in: .english, utcOffsetSeconds: 7 * 3600) == "2026-12-06 03:30")
        #expect(at.localDisplay(in: .vietnamese, utcOffsetSeconds: 7 * 3600) == "06/12/2026 03:30")
        #expect(at.localDisplay(in: .english, utcOffsetSeconds: -5 * 3600) == "2026-12-05 15:30")
        #expect(at.localDisplay(in: .english, utcOffsetSeconds: 0) == "2026-12-05 20:30")
    }
}
