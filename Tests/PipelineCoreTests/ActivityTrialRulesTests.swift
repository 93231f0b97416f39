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
