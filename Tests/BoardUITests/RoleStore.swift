import Foundation
@testable import PipelineCore
import PipelineStorage

/// A board store acting for someone with a role: a real store (an SQLite file, whose own
/// `access()` is always its owner's) whose `access()` says what a team server would say of
/// a login — a salesperson, a manager of one team, an administrator. It counts the writes
/// asked of it, so that a test can tell a refused key wrote nothing, and it can be made to
/// refuse every write as a server does for a role changed since the board read it
/// (`refusal`), and to announce a change (`announce`), as a server's notification would.
final class RoleStore: BoardStore, @unchecked Sendable {
    let inner: any PipelineStore
    /// What `access()` says.
    var acting: Access
    /// Thrown by every write instead of writing (the server's refusal); `nil`: writes go through.
    var refusal: (any Error)?
    /// The role the server knows once it has refused (what the board reads after its refusal).
    var accessAfterRefusal: Access?
    /// Writes asked for, refused or not.
    private(set) var writes = 0
    /// Whether the next `drainChangeSignal` says a change was announced.
    var announce = false
    /// Teams whose "own deals only" is on (a file has no such setting).
    var ownDealsOnly: Set<Team.ID> = []
    /// Header figures a server would give (its sums through the user's permissions) in place
    /// of the file's.
    var figures: [Stage.ID: Figures]?

    init(_ inner: any PipelineStore, access: Access) {
        self.inner = inner
        acting = access
    }

    private func writing<T>(_ body: () throws -> T) throws -> T {
        writes += 1
        if let refusal {
            if let after = accessAfterRefusal { acting = after }
            throw refusal
        }
        return try body()
    }

    // MARK: - PipelineReading

    var user: String? { acting.login ?? inner.user }
    func forEveryone() -> any PipelineStore { inner.forEveryone() }
    func readingTogether<T>(_ body: () throws -> T) throws -> T { try inner.readingTogether(body) }
    func access() throws -> Access { acting }
    func teams() throws -> [Team] { try inner.teams().map(marked) }
    func team(_ reference: String) throws -> Team { marked(try inner.team(reference)) }
    func currentTeam() throws -> Team { marked(try inner.currentTeam()) }

    private func marked(_ team: Team) -> Team {
        var team = team
        team.ownDealsOnly = ownDealsOnly.contains(team.id)
        return team
    }

    func catalog() throws -> StageCatalog { try inner.catalog() }
    func pipeline(for team: Team.ID) throws -> Pipeline { try inner.pipeline(for: team) }
    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures] { try figures ?? inner.stageFigures(team: team) }
    func setting(_ key: SettingKey) throws -> String? { try inner.setting(key) }
    func settings() throws -> [SettingValue] { try inner.settings() }
    func defaultCurrency() throws -> CurrencyCode { try inner.defaultCurrency() }
    func opportunity(_ id: Opportunity.ID) throws -> Opportunity? { try inner.opportunity(id) }
    func opportunity(_ reference: String) throws -> Opportunity { try inner.opportunity(reference) }
    func history(of id: Opportunity.ID) throws -> [StageHistoryEntry] { try inner.history(of: id) }
    func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws {
        try inner.forEachOpportunity(filter, body)
    }
    func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast {
        try inner.forecast(team: team, groupedBy: grouping)
    }
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        try inner.cardWindow(column, anchor: anchor, limit: limit)
    }
    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        try inner.matchingFigures(team: team, filter: filter)
    }

    // MARK: - PipelineWriting

    @discardableResult
    func setSetting(_ key: SettingKey, to value: String) throws -> String { try writing { try inner.setSetting(key, to: value) } }
    func addTeam(named name: String, context: ChangeContext) throws -> Team { try writing { try inner.addTeam(named: name, context: context) } }
    func renameTeam(_ id: Team.ID, to name: String) throws -> Team { try writing { try inner.renameTeam(id, to: name) } }
    func removeTeam(_ id: Team.ID, movingTo destination: Team.ID?, context: ChangeContext) throws -> TeamRemoval {
        try writing { try inner.removeTeam(id, movingTo: destination, context: context) }
    }
    func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?) {
        try writing { try inner.addStage(draft, in: team, at: position) }
    }
    func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int?, context: ChangeContext) throws -> Stage {
        try writing { try inner.editStage(id, edit, expectedVersion: expectedVersion, context: context) }
    }
    func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline {
        try writing { try inner.moveStage(id, in: team, to: placement) }
    }
    func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> StageRemoval {
        try writing { try inner.removeStage(id, movingTo: destination, context: context) }
    }
    func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.addOpportunity(changes, team: team, stage: stage, context: context) }
    }
    func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, stage: Stage.ID?,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.editOpportunity(id, changes, team: team, stage: stage, expectedVersion: expectedVersion, context: context) }
    }
    func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.moveOpportunity(id, to: stage, placement: placement, expectedVersion: expectedVersion, context: context) }
    }
    func markWon(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.markWon(id, expectedVersion: expectedVersion, context: context) }
    }
    func markLost(_ id: Opportunity.ID, reason: String, into stage: Stage.ID?, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.markLost(id, reason: reason, into: stage, expectedVersion: expectedVersion, context: context) }
    }
    func restore(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.restore(id, expectedVersion: expectedVersion, context: context) }
    }
    func archive(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.archive(id, expectedVersion: expectedVersion, context: context) }
    }
    func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.revertOpportunity(to: snapshot, placement: placement, expectedVersion: expectedVersion, context: context) }
    }
    func deleteOpportunity(_ id: Opportunity.ID, expectedVersion: Int?) throws {
        try writing { try inner.deleteOpportunity(id, expectedVersion: expectedVersion) }
    }
    func inOneTransaction<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try writing { try inner.inOneTransaction(body) } }

    // MARK: - LeadWorkflow

    func lead(_ reference: String) throws -> Opportunity { try inner.lead(reference) }
    func leads(_ query: LeadQuery, after cursor: Opportunity?, limit: Int) throws -> [Opportunity] {
        try inner.leads(query, after: cursor, limit: limit)
    }
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        try inner.leadWindow(query, anchor: anchor, limit: limit)
    }
    func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws { try inner.forEachLead(query, body) }
    func duplicates(of id: Opportunity.ID) throws -> [Opportunity] { try inner.duplicates(of: id) }
    func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.addLead(changes, team: team, context: context) }
    }
    func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, expectedVersion: Int?,
                  context: ChangeContext) throws -> Opportunity {
        try writing { try inner.editLead(id, changes, team: team, expectedVersion: expectedVersion, context: context) }
    }
    func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.markLeadLost(id, reason: reason, expectedVersion: expectedVersion, context: context) }
    }
    func revertLead(to snapshot: Opportunity, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.revertLead(to: snapshot, expectedVersion: expectedVersion, context: context) }
    }
    func restoreLead(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.restoreLead(id, expectedVersion: expectedVersion, context: context) }
    }
    func deleteLead(_ id: Opportunity.ID, expectedVersion: Int?) throws {
        try writing { try inner.deleteLead(id, expectedVersion: expectedVersion) }
    }
    func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity {
        try writing { try inner.convertLead(id, conversion, expectedVersion: expectedVersion, context: context) }
    }

    // MARK: - ActivityWorkflow

    func activityTypes() throws -> [ActivityType] { try inner.activityTypes() }
    func activity(_ id: Activity.ID) throws -> Activity? { try inner.activity(id) }
    func activity(_ reference: String) throws -> Activity { try inner.activity(reference) }
    func activities(of record: Opportunity.ID) throws -> [Activity] { try inner.activities(of: record) }
    func activityList(_ query: ActivityQuery, after cursor: ActivityCursor?, limit: Int) throws -> [Activity] {
        try inner.activityList(query, after: cursor, limit: limit)
    }
    func dealPage(of record: Opportunity.ID) throws -> DealPage { try inner.dealPage(of: record) }
    func timeline(of record: Opportunity.ID) throws -> [TimelineEntry] { try inner.timeline(of: record) }
    func notes(of record: Opportunity.ID) throws -> [DealNote] { try inner.notes(of: record) }
    func addActivity(to record: Opportunity.ID, _ changes: ActivityChanges, context: ChangeContext) throws -> Activity {
        try writing { try inner.addActivity(to: record, changes, context: context) }
    }
    func editActivity(_ id: Activity.ID, _ changes: ActivityChanges, expectedVersion: Int?, context: ChangeContext) throws -> Activity {
        try writing { try inner.editActivity(id, changes, expectedVersion: expectedVersion, context: context) }
    }
    func rescheduleActivity(_ id: Activity.ID, to due: CalendarDate, time: MinuteOfDay??, expectedVersion: Int?,
                            context: ChangeContext) throws -> Activity {
        try writing { try inner.rescheduleActivity(id, to: due, time: time, expectedVersion: expectedVersion, context: context) }
    }
    func completeActivity(_ id: Activity.ID, feedback: String, next: ActivityChanges?, expectedVersion: Int?,
                          context: ChangeContext) throws -> ActivityCompletionResult {
        try writing { try inner.completeActivity(id, feedback: feedback, next: next, expectedVersion: expectedVersion, context: context) }
    }
    func reopenActivity(_ id: Activity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Activity {
        try writing { try inner.reopenActivity(id, expectedVersion: expectedVersion, context: context) }
    }
    func removeActivity(_ id: Activity.ID, expectedVersion: Int?) throws {
        try writing { try inner.removeActivity(id, expectedVersion: expectedVersion) }
    }
    func addNote(to record: Opportunity.ID, text: String, context: ChangeContext) throws -> DealNote {
        try writing { try inner.addNote(to: record, text: text, context: context) }
    }
    func removeNote(_ id: DealNote.ID) throws { try writing { try inner.removeNote(id) } }
    func addActivityType(name: String, nextType: ActivityType.ID?, nextDelayDays: Int) throws -> ActivityType {
        try writing { try inner.addActivityType(name: name, nextType: nextType, nextDelayDays: nextDelayDays) }
    }
    func editActivityType(_ id: ActivityType.ID, name: String?, nextType: ActivityType.ID?, nextDelayDays: Int?,
                          expectedVersion: Int?) throws -> ActivityType {
        try writing { try inner.editActivityType(id, name: name, nextType: nextType, nextDelayDays: nextDelayDays, expectedVersion: expectedVersion) }
    }
    func removeActivityType(_ id: ActivityType.ID, expectedVersion: Int?) throws {
        try writing { try inner.removeActivityType(id, expectedVersion: expectedVersion) }
    }

    // MARK: - PipelineFocus

    func columnFigures(team: Team.ID, filter: String, salesperson: String?, rotting: RottingDay?) throws -> [Stage.ID: Figures] {
        try inner.columnFigures(team: team, filter: filter, salesperson: salesperson, rotting: rotting)
    }
    func overdueCounts(team: Team.ID, today: CalendarDate, salesperson: String?) throws -> [Stage.ID: Int] {
        try inner.overdueCounts(team: team, today: today, salesperson: salesperson)
    }
    func rottingCounts(team: Team.ID, on day: RottingDay, salesperson: String?) throws -> [Stage.ID: Int] {
        try inner.rottingCounts(team: team, on: day, salesperson: salesperson)
    }
    func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping, salesperson: String?) throws -> Forecast {
        try inner.forecast(team: team, groupedBy: grouping, salesperson: salesperson)
    }

    // MARK: - PipelineFigures

    func stageObservations(team: Team.ID?, since: Timestamp?) throws -> [StageObservation] {
        try inner.stageObservations(team: team, since: since)
    }
    func forecastRange(team: Team.ID?, salesperson: String?) throws -> ForecastRange {
        try inner.forecastRange(team: team, salesperson: salesperson)
    }
    func wonByMonth(team: Team.ID?, salesperson: String?, months: [MonthWindow]) throws -> WonByMonth {
        try inner.wonByMonth(team: team, salesperson: salesperson, months: months)
    }
    func digest(start: Timestamp, end: Timestamp, team: Team.ID?, salesperson: String?, day: RottingDay) throws -> Digest {
        try inner.digest(start: start, end: end, team: team, salesperson: salesperson, day: day)
    }

    // MARK: - ChangeFeed

    func changeToken() throws -> ChangeToken { try inner.changeToken() }
    var changeSignal: Int32? { nil }
    func drainChangeSignal() throws -> Bool {
        defer { announce = false }
        return try inner.drainChangeSignal() || announce
    }
}
