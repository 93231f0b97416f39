import PipelineCore

// The storage boundary, by role. The board, every CLI command, the CSV import and export and
// the JSON backup use only these; `StoreOpener` (in `PipelineStores`) opens one from what the
// user gave (`--db`), and nothing outside the engines names a concrete engine.
//
// Every action is one transaction, validated by the core's rules; errors are `PipelineError`
// (input, rules, stale versions) or `StoreError` (the database).

/// Reading the pipeline.
public protocol PipelineReading: AnyObject, Sendable {
    /// Who acts: whose preferences — current team, language, direction
    /// (`SettingKey.isPersonal`) — this store reads and writes (on a server its session
    /// user). `nil`: nobody in particular, who sees and sets the pipeline's own values.
    var user: String? { get }
    /// The same store acting for nobody in particular: it reads and sets the pipeline's own
    /// values, the ones everyone without a preference of their own sees
    /// (`settings set --for-everyone`).
    func forEveryone() -> any PipelineStore
    /// Runs `body`, whose reads of this store on this thread all share one transaction: one
    /// snapshot, so that what a screen shows together agrees (a column's window and its
    /// total), and a server is asked once to begin and once to end rather than for each
    /// read. `body` must only read: a write inside it is refused.
    func readingTogether<T>(_ body: () throws -> T) throws -> T

    /// What the person acting may see and change (their role and teams on a server).
    func access() throws -> Access
    func teams() throws -> [Team]
    func team(_ reference: String) throws -> Team
    /// The user's current team: their own choice, else the pipeline's, else the first team.
    func currentTeam() throws -> Team
    func catalog() throws -> StageCatalog
    func pipeline(for team: Team.ID) throws -> Pipeline
    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures]
    /// A setting as the user sees it: a personal key's own value, else the pipeline's, else
    /// the default.
    func setting(_ key: SettingKey) throws -> String?
    /// Every setting as the user sees it, with where its value comes from.
    func settings() throws -> [SettingValue]
    func defaultCurrency() throws -> CurrencyCode
    func opportunity(_ id: Opportunity.ID) throws -> Opportunity?
    func opportunity(_ reference: String) throws -> Opportunity
    func history(of id: Opportunity.ID) throws -> [StageHistoryEntry]
    func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws
    func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast
    /// One window of a board column, `limit` cards long at most, in rank order.
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    /// Per stage, the count and sums of the active cards of `team` that match `filter`: what
    /// the board's headers and status line show while filtering.
    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures]
}

/// Writing the pipeline: teams, stages, opportunities, settings.
public protocol PipelineWriting: AnyObject, Sendable {
    /// Sets a personal key for the user alone, a shared key for everyone.
    @discardableResult func setSetting(_ key: SettingKey, to value: String) throws -> String
    func addTeam(named name: String, context: ChangeContext) throws -> Team
    func renameTeam(_ id: Team.ID, to name: String) throws -> Team
    func removeTeam(_ id: Team.ID, movingTo destination: Team.ID?, context: ChangeContext) throws -> TeamRemoval
    func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?)
    func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int?, context: ChangeContext) throws -> Stage
    func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline
    func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> StageRemoval
    func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity
    func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, stage: Stage.ID?,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func markWon(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    /// Marks a deal lost with `reason`: into `stage` when it is a lost stage of its pipeline
    /// (a card carried there on the board), else into the pipeline's first lost stage.
    func markLost(_ id: Opportunity.ID, reason: String, into stage: Stage.ID?, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func restore(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func archive(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func deleteOpportunity(_ id: Opportunity.ID, expectedVersion: Int?) throws
    /// Runs several of these actions — and the reads that decide them — as one transaction:
    /// what a one-shot command does, so that a colleague's change can only make it wait.
    /// `body` may run more than once (see `StorageEngine.write`): print its outcome after it
    /// returns, not inside it.
    func inOneTransaction<T>(_ body: (any StoreWriter) throws -> T) throws -> T
}

/// The qualification step before the pipeline.
public protocol LeadWorkflow: AnyObject, Sendable {
    func lead(_ reference: String) throws -> Opportunity
    /// Leads after `cursor` (the last lead of the previous window), in the query's order.
    func leads(_ query: LeadQuery, after cursor: Opportunity?, limit: Int) throws -> [Opportunity]
    /// One window of the Leads view; cursors are `Opportunity.cursor(in:)`.
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws
    func duplicates(of id: Opportunity.ID) throws -> [Opportunity]
    func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity
    func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, expectedVersion: Int?,
                  context: ChangeContext) throws -> Opportunity
    func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func revertLead(to snapshot: Opportunity, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func restoreLead(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func deleteLead(_ id: Opportunity.ID, expectedVersion: Int?) throws
    func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
}

/// Telling that someone else changed the pipeline.
public protocol ChangeFeed: AnyObject, Sendable {
    /// An opaque token that changes whenever another connection commits.
    func changeToken() throws -> ChangeToken
    /// A descriptor to wait on beside the terminal: readable when a change may have been
    /// announced (then call `drainChangeSignal`). `nil`: poll `changeToken` instead.
    var changeSignal: Int32? { get }
    /// Consumes what arrived on `changeSignal`; whether a change was announced.
    func drainChangeSignal() throws -> Bool
}

/// Where an import writes: one transaction for the whole file.
public protocol ImportSink: AnyObject, Sendable {
    /// Runs `body` in one transaction with the engine's bulk speed-ups; kept only if it
    /// returns and this is not a dry run. `progress` hears of the phases after the rows.
    func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T
    func defaultCurrency() throws -> CurrencyCode
    /// What the person importing may do (a salesperson may not import).
    func access() throws -> Access
}

/// What a backup and an export read.
public protocol BackupSource: AnyObject, Sendable {
    /// Where the data lives, as messages name it.
    var location: String { get }
    /// Runs `body` on one consistent snapshot (one reading transaction): what a whole
    /// backup or copy reads, so that a colleague's change cannot land in the middle of it.
    func readingSnapshot<T>(_ body: (any StoreReader) throws -> T) throws -> T
    func storedSettings() throws -> [(SettingKey, String)]
    /// Every user's preferences, by user then key.
    func storedPreferences() throws -> [Preference]
    func backupTeams() throws -> [BackupTeam]
    func exchangeStages() throws -> [ExchangeStage]
    func forEachExchangeRecord(kind: RecordKind?, _ body: (ExchangeRecord) throws -> Void) throws
    func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws
    /// Every activity type, activity and note (issue 13), activities and notes in id order.
    func activityTypes() throws -> [ActivityType]
    func forEachActivity(_ body: (Activity) throws -> Void) throws
    func forEachNote(_ body: (DealNote) throws -> Void) throws
}

/// Where a backup is restored.
public protocol BackupSink: AnyObject, Sendable {
    /// Where the data lives, as messages name it.
    var location: String { get }
    /// Whether the database holds only what a new one holds (only such a one takes a backup).
    func isUntouched() throws -> Bool
    /// What the person restoring may do (only an administrator restores).
    func access() throws -> Access
    /// Replaces an untouched database's content with a backup's, in one transaction; the
    /// body feeds it. A database with other data is refused. `progress` hears of the phases
    /// after the rows.
    func restore(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws
}

extension ImportSink {
    public func importing<T>(dryRun: Bool, _ body: (any ImportTransaction) throws -> T) throws -> T {
        try importing(dryRun: dryRun, progress: .none, body)
    }
}

extension BackupSink {
    public func restore(_ body: (any RestoreTransaction) throws -> Void) throws {
        try restore(progress: .none, body)
    }
}

/// Checking and repairing the stored data.
public protocol StoreMaintenance: AnyObject, Sendable {
    /// Where the data lives, as messages name it.
    var location: String { get }
    /// The file the data lives in on this machine, if it does (`nil` for a server).
    var localFile: String? { get }
    /// What is wrong with the stored data (empty problems: sound); `progress` as the engine's.
    func integrityReport(progress: RowProgress) throws -> IntegrityReport
    /// Rebuilds what can be rebuilt from the deals themselves, in one transaction.
    func repair() throws
}

/// Who may use the store: users, their roles and teams, and the team setting "own deals
/// only" (issue 12). Only a team server has users: on a file every call is refused with
/// `AccessRefusal.fileHasNoUsers`. Each call asks the person's access first and refuses
/// with `PipelineError.notPermitted`; the server's grants and policies are the guarantee.
public protocol AccessManagement: AnyObject, Sendable {
    /// Refuses, as adding, changing or removing a user would, without changing anything: what
    /// a command asks before it asks for a password.
    func checkMayManageUsers() throws
    /// The users the person may see (an administrator: every one), in login order.
    func users() throws -> [UserAccount]
    func addUser(_ login: String, role: AccessRole, teams: [Team.ID], password: String?) throws -> UserAccount
    /// `nil`: unchanged; `teams` replaces the memberships.
    func editUser(_ login: String, role: AccessRole?, teams: [Team.ID]?, password: String?) throws -> UserAccount
    func removeUser(_ login: String) throws
    func setOwnDealsOnly(_ team: Team.ID, _ on: Bool) throws -> Team
}

/// Activities, notes and a deal's page (issue 13). Each action is one transaction with the
/// usual version checks and refusals; a record's activities and notes follow its access.
public protocol ActivityWorkflow: AnyObject, Sendable {
    /// The activity types, in their order.
    func activityTypes() throws -> [ActivityType]
    func activity(_ id: Activity.ID) throws -> Activity?
    /// An activity as typed (`12` or `#12`).
    func activity(_ reference: String) throws -> Activity
    /// A record's activities: open ones by due date (time, then id), then done ones newest first.
    func activities(of record: Opportunity.ID) throws -> [Activity]
    /// One page of an activity list (overdue first, then by due date, time, id), after `cursor`.
    func activityList(_ query: ActivityQuery, after cursor: ActivityCursor?, limit: Int) throws -> [Activity]
    /// A record's page: the record, its activities, notes and timeline, in one read.
    func dealPage(of record: Opportunity.ID) throws -> DealPage
    /// A record's timeline, newest first.
    func timeline(of record: Opportunity.ID) throws -> [TimelineEntry]
    func notes(of record: Opportunity.ID) throws -> [DealNote]

    func addActivity(to record: Opportunity.ID, _ changes: ActivityChanges, context: ChangeContext) throws -> Activity
    func editActivity(_ id: Activity.ID, _ changes: ActivityChanges, expectedVersion: Int?, context: ChangeContext) throws -> Activity
    /// `time`: `nil` keeps it, `.some(nil)` clears it.
    func rescheduleActivity(_ id: Activity.ID, to due: CalendarDate, time: MinuteOfDay??, expectedVersion: Int?,
                            context: ChangeContext) throws -> Activity
    /// Done, with its feedback, and the next one scheduled in the same transaction.
    func completeActivity(_ id: Activity.ID, feedback: String, next: ActivityChanges?, expectedVersion: Int?,
                          context: ChangeContext) throws -> ActivityCompletionResult
    func reopenActivity(_ id: Activity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Activity
    func removeActivity(_ id: Activity.ID, expectedVersion: Int?) throws
    func addNote(to record: Opportunity.ID, text: String, context: ChangeContext) throws -> DealNote
    func removeNote(_ id: DealNote.ID) throws
    func addActivityType(name: String, nextType: ActivityType.ID?, nextDelayDays: Int) throws -> ActivityType
    func editActivityType(_ id: ActivityType.ID, name: String?, nextType: ActivityType.ID?, nextDelayDays: Int?,
                          expectedVersion: Int?) throws -> ActivityType
    func removeActivityType(_ id: ActivityType.ID, expectedVersion: Int?) throws
}

/// "My pipeline" and rotting (issue 13): what the board's headers and status line show while
/// it shows one salesperson's cards or rotting ones, the counts of overdue and rotting deals
/// per column, and a forecast of one salesperson's deals. Windows take the same through
/// `ColumnQuery.salesperson` / `.rotting`, listings through `OpportunityFilter`.
public protocol PipelineFocus: AnyObject, Sendable {
    func columnFigures(team: Team.ID, filter: String, salesperson: String?, rotting: RottingDay?) throws -> [Stage.ID: Figures]
    /// Stages with no overdue deal are absent.
    func overdueCounts(team: Team.ID, today: CalendarDate, salesperson: String?) throws -> [Stage.ID: Int]
    /// Stages with no rotting deal are absent.
    func rottingCounts(team: Team.ID, on day: RottingDay, salesperson: String?) throws -> [Stage.ID: Int]
    func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping, salesperson: String?) throws -> Forecast
}

/// The figures of issue 14: what the stages' deals actually reached, and the forecast as a
/// range.
public protocol PipelineFigures: AnyObject, Sendable {
    /// Per stage of `team`'s pipeline (every stage when `nil`), in order: the seen rate and
    /// flow among closed deals that were in it, closed at or after `since` when given.
    func stageObservations(team: Team.ID?, since: Timestamp?) throws -> [StageObservation]
    /// The open pipeline's range (active deals in open stages) of `team` (all when `nil`),
    /// of `salesperson`'s deals when given (exactly, ignoring case), the default currency first.
    func forecastRange(team: Team.ID?, salesperson: String?) throws -> ForecastRange
    /// The weekly digest of `[start, end]` for `team` (all when `nil`) and `salesperson` (when
    /// given): the period's events, the weighted open pipeline at both ends explained, and
    /// the deals rotting and activities overdue on `day` (now). One reading transaction.
    func digest(start: Timestamp, end: Timestamp, team: Team.ID?, salesperson: String?, day: RottingDay) throws -> Digest

    /// For each of `months`, the active deals of `team` (all when `nil`) in a won stage that
    /// entered it (`stageChangedAt`) within the month: the revenue won that month, per currency;
    /// of `salesperson`'s deals when given (exactly, ignoring case).
    func wonByMonth(team: Team.ID?, salesperson: String?, months: [MonthWindow]) throws -> WonByMonth
}

/// Everything a store is.
public typealias PipelineStore = PipelineReading & PipelineWriting & LeadWorkflow & ChangeFeed & ImportSink & BackupSource
    & BackupSink & StoreMaintenance & AccessManagement & ActivityWorkflow & PipelineFocus & PipelineFigures

/// What the board needs.
public typealias BoardStore = PipelineReading & PipelineWriting & LeadWorkflow & ChangeFeed & ActivityWorkflow & PipelineFocus
    & PipelineFigures

extension StoreMaintenance {
    /// What is wrong with the stored data, told to no one as it goes.
    public func integrityReport() throws -> IntegrityReport { try integrityReport(progress: .none) }

    /// What is wrong with the stored data; empty means sound.
    public func integrityProblems() throws -> [IntegrityProblem] { try integrityReport().problems }
}

extension PipelineReading {
    /// Per stage, how many active cards of `team` match `filter`.
    public func matchingCounts(team: Team.ID, filter: String) throws -> [Stage.ID: Int] {
        try matchingFigures(team: team, filter: filter).mapValues(\.count)
    }
}

// The common defaults, which protocol requirements cannot declare.
extension PipelineWriting {
    public func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil, stage: Stage.ID? = nil,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try editOpportunity(id, changes, team: team, stage: stage, expectedVersion: expectedVersion, context: context)
    }

    public func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement = .top,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try moveOpportunity(id, to: stage, placement: placement, expectedVersion: expectedVersion, context: context)
    }

    public func editStage(_ id: Stage.ID, _ edit: StageEdit, context: ChangeContext) throws -> Stage {
        try editStage(id, edit, expectedVersion: nil, context: context)
    }

    public func markWon(_ id: Opportunity.ID, context: ChangeContext) throws -> Opportunity {
        try markWon(id, expectedVersion: nil, context: context)
    }

    public func markLost(_ id: Opportunity.ID, reason: String, context: ChangeContext) throws -> Opportunity {
        try markLost(id, reason: reason, into: nil, expectedVersion: nil, context: context)
    }

    public func restore(_ id: Opportunity.ID, context: ChangeContext) throws -> Opportunity {
        try restore(id, expectedVersion: nil, context: context)
    }

    public func archive(_ id: Opportunity.ID, context: ChangeContext) throws -> Opportunity {
        try archive(id, expectedVersion: nil, context: context)
    }

    public func deleteOpportunity(_ id: Opportunity.ID) throws { try deleteOpportunity(id, expectedVersion: nil) }
}

extension LeadWorkflow {
    public func leads(_ query: LeadQuery, limit: Int) throws -> [Opportunity] { try leads(query, after: nil, limit: limit) }

    public func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil,
                         expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try editLead(id, changes, team: team, expectedVersion: expectedVersion, context: context)
    }

    public func markLeadLost(_ id: Opportunity.ID, reason: String, context: ChangeContext) throws -> Opportunity {
        try markLeadLost(id, reason: reason, expectedVersion: nil, context: context)
    }

    public func restoreLead(_ id: Opportunity.ID, context: ChangeContext) throws -> Opportunity {
        try restoreLead(id, expectedVersion: nil, context: context)
    }

    public func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, context: ChangeContext) throws -> Opportunity {
        try convertLead(id, conversion, expectedVersion: nil, context: context)
    }

    public func deleteLead(_ id: Opportunity.ID) throws { try deleteLead(id, expectedVersion: nil) }
}

extension ActivityWorkflow {
    public func editActivity(_ id: Activity.ID, _ changes: ActivityChanges, context: ChangeContext) throws -> Activity {
        try editActivity(id, changes, expectedVersion: nil, context: context)
    }

    public func completeActivity(_ id: Activity.ID, feedback: String = "", next: ActivityChanges? = nil,
                                 context: ChangeContext) throws -> ActivityCompletionResult {
        try completeActivity(id, feedback: feedback, next: next, expectedVersion: nil, context: context)
    }

    public func removeActivity(_ id: Activity.ID) throws { try removeActivity(id, expectedVersion: nil) }
}
