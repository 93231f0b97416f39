import Foundation
import PipelineCore

/// A store over any engine: each action is one of the engine's transactions running the
/// operations every engine shares (`StoreReader`'s and `StoreWriter`'s extensions).
///
/// A store acts for one user: their preferences (team, language, direction) are the ones
/// it reads and writes; `nil` is nobody in particular, who reads and writes the pipeline's
/// own values, everyone's (`forEveryone()`, a tool, a test).
public final class EngineStore: PipelineStore {
    public let engine: any StorageEngine
    public let user: String?

    /// A store over `engine` acting for the engine's own session user when it has one (a
    /// server's: `user` is then ignored, so that nobody can act as someone else by changing
    /// an environment variable), else for `user`.
    public convenience init(engine: any StorageEngine, user: String? = nil) {
        self.init(engine: engine, acting: engine.sessionUser ?? user)
    }

    private init(engine: any StorageEngine, acting user: String?) {
        self.engine = engine
        self.user = user
    }

    public func forEveryone() -> any PipelineStore {
        user == nil ? self : EngineStore(engine: engine, acting: nil)
    }

    public var location: String { engine.location }
    public var localFile: String? { engine.localFile }

    /// A read joins the transaction of `readingTogether` under way on this thread, if any.
    private func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        if let shared = sharedReader { return try body(shared.reader) }
        return try engine.read(body)
    }

    private func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        // An engine's write inside its own read would be refused by a server and would
        // stop SQLite's queue dead: refused here in a sentence instead.
        guard sharedReader == nil else { throw StoreError.failed(path: location, reason: "a change was asked for while reading") }
        return try engine.write(body)
    }

    public func readingTogether<T>(_ body: () throws -> T) throws -> T {
        if sharedReader != nil { return try body() }
        return try engine.read { reader in
            let key = sharedReaderKey
            Thread.current.threadDictionary[key] = SharedReader(reader)
            defer { Thread.current.threadDictionary.removeObject(forKey: key) }
            return try body()
        }
    }

    /// The transaction `readingTogether` holds open on this thread for this store. Kept per
    /// thread, so that another thread using the same store never reads through it.
    private var sharedReader: SharedReader? { Thread.current.threadDictionary[sharedReaderKey] as? SharedReader }
    /// Made once: every read looks it up, and a board reads on each key.
    private let sharedReaderKey = "pipeline.sharedReader." + UUID().uuidString

    private final class SharedReader {
        let reader: any StoreReader
        init(_ reader: any StoreReader) { self.reader = reader }
    }

    // MARK: - PipelineReading

    public func access() throws -> Access { try read { try $0.access() } }
    /// The teams the person is in (a server shows an administrator every one).
    public func teams() throws -> [Team] { try read { try $0.memberTeams() } }
    public func team(_ reference: String) throws -> Team { try read { try $0.team(reference) } }
    public func currentTeam() throws -> Team { try read { try $0.currentTeam(for: user) } }
    public func catalog() throws -> StageCatalog { try read { try $0.catalog() } }
    public func pipeline(for team: Team.ID) throws -> Pipeline { try read { try $0.pipeline(for: team) } }
    public func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures] { try read { try $0.stageFigures(team: team) } }
    public func setting(_ key: SettingKey) throws -> String? { try read { try $0.setting(key, for: user) } }
    public func settings() throws -> [SettingValue] { try read { try $0.settings(for: user) } }
    public func defaultCurrency() throws -> CurrencyCode { try read { try $0.defaultCurrency() } }
    public func opportunity(_ id: Opportunity.ID) throws -> Opportunity? { try read { try $0.record(id) } }
    public func opportunity(_ reference: String) throws -> Opportunity { try read { try $0.opportunity(reference) } }
    public func history(of id: Opportunity.ID) throws -> [StageHistoryEntry] { try read { try $0.history(of: id) } }

    public func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws {
        try read { try $0.forEachOpportunity(filter, body) }
    }

    public func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast {
        try read { try $0.forecast(team: team, groupedBy: grouping) }
    }

    public func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        return try read { try $0.cardWindow(column, anchor: anchor, limit: limit) }
    }

    public func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        try read { try $0.matchingFigures(team: team, filter: filter) }
    }

    // MARK: - PipelineWriting

    @discardableResult
    public func setSetting(_ key: SettingKey, to value: String) throws -> String {
        try write { try $0.setSetting(key, to: value, for: user) }
    }

    public func addTeam(named name: String, context: ChangeContext) throws -> Team {
        try write { try $0.addTeam(named: name, context: context) }
    }

    public func renameTeam(_ id: Team.ID, to name: String) throws -> Team { try write { try $0.renameTeam(id, to: name) } }

    public func removeTeam(_ id: Team.ID, movingTo destination: Team.ID?, context: ChangeContext) throws -> TeamRemoval {
        try write { try $0.removeTeam(id, movingTo: destination, context: context) }
    }

    public func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?) {
        try write { try $0.addStage(draft, in: team, at: position) }
    }

    public func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int? = nil, context: ChangeContext) throws -> Stage {
        try write { try $0.editStage(id, edit, expectedVersion: expectedVersion, context: context) }
    }

    public func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline {
        try write { try $0.moveStage(id, in: team, to: placement) }
    }

    public func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> StageRemoval {
        try write { try $0.removeStage(id, movingTo: destination, context: context) }
    }

    public func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity {
        try write { try $0.addOpportunity(changes, team: team, stage: stage, context: context) }
    }

    public func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil, stage: Stage.ID? = nil,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.editOpportunity(id, changes, team: team, stage: stage, expectedVersion: expectedVersion, context: context) }
    }

    public func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement = .top,
                                expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.moveOpportunity(id, to: stage, placement: placement, expectedVersion: expectedVersion, context: context) }
    }

    public func markWon(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.markWon(id, expectedVersion: expectedVersion, context: context) }
    }

    public func markLost(_ id: Opportunity.ID, reason: String, into stage: Stage.ID? = nil, expectedVersion: Int? = nil,
                         context: ChangeContext) throws -> Opportunity {
        try write { try $0.markLost(id, reason: reason, into: stage, expectedVersion: expectedVersion, context: context) }
    }

    public func restore(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.restore(id, expectedVersion: expectedVersion, context: context) }
    }

    public func archive(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.archive(id, expectedVersion: expectedVersion, context: context) }
    }

    public func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?,
                                  context: ChangeContext) throws -> Opportunity {
        try write { try $0.revertOpportunity(to: snapshot, placement: placement, expectedVersion: expectedVersion, context: context) }
    }

    public func deleteOpportunity(_ id: Opportunity.ID, expectedVersion: Int? = nil) throws {
        try write { try $0.deleteOpportunity(id, expectedVersion: expectedVersion) }
    }

    public func inOneTransaction<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try write(body) }

    // MARK: - LeadWorkflow

    public func lead(_ reference: String) throws -> Opportunity { try read { try $0.lead(reference) } }

    public func leads(_ query: LeadQuery, after cursor: Opportunity? = nil, limit: Int) throws -> [Opportunity] {
        try read { try $0.leads(query, after: cursor, limit: limit) }
    }

    public func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        return try read { try $0.leadWindow(query, anchor: anchor, limit: limit) }
    }

    public func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws {
        try read { try $0.forEachLead(query, body) }
    }

    public func duplicates(of id: Opportunity.ID) throws -> [Opportunity] { try read { try $0.duplicates(of: id) } }

    public func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity {
        try write { try $0.addLead(changes, team: team, context: context) }
    }

    public func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil, expectedVersion: Int? = nil,
                         context: ChangeContext) throws -> Opportunity {
        try write { try $0.editLead(id, changes, team: team, expectedVersion: expectedVersion, context: context) }
    }

    public func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.markLeadLost(id, reason: reason, expectedVersion: expectedVersion, context: context) }
    }

    public func revertLead(to snapshot: Opportunity, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.revertLead(to: snapshot, expectedVersion: expectedVersion, context: context) }
    }

    public func restoreLead(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try write { try $0.restoreLead(id, expectedVersion: expectedVersion, context: context) }
    }

    public func deleteLead(_ id: Opportunity.ID, expectedVersion: Int? = nil) throws {
        try write { try $0.deleteLead(id, expectedVersion: expectedVersion) }
    }

    public func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int? = nil,
                            context: ChangeContext) throws -> Opportunity {
        try write { try $0.convertLead(id, conversion, expectedVersion: expectedVersion, context: context) }
    }

    // MARK: - ActivityWorkflow

    public func activityTypes() throws -> [ActivityType] { try read { try $0.activityTypes() } }
    public func activity(_ id: Activity.ID) throws -> Activity? { try read { try $0.activity(id) } }
    public func activity(_ reference: String) throws -> Activity { try read { try $0.activity(reference) } }
    public func activities(of record: Opportunity.ID) throws -> [Activity] { try read { try $0.activities(of: record) } }

    public func activityList(_ query: ActivityQuery, after cursor: ActivityCursor? = nil, limit: Int) throws -> [Activity] {
        guard limit > 0 else { return [] }
        return try read { try $0.activities(query, after: cursor, limit: limit) }
    }

    public func dealPage(of record: Opportunity.ID) throws -> DealPage { try read { try $0.dealPage(of: record) } }
    public func timeline(of record: Opportunity.ID) throws -> [TimelineEntry] { try dealPage(of: record).timeline }
    public func notes(of record: Opportunity.ID) throws -> [DealNote] { try read { try $0.notes(of: record) } }

    public func forEachActivity(_ body: (Activity) throws -> Void) throws { try read { try $0.forEachActivity(body) } }
    public func forEachNote(_ body: (DealNote) throws -> Void) throws { try read { try $0.forEachNote(body) } }

    public func addActivity(to record: Opportunity.ID, _ changes: ActivityChanges, context: ChangeContext) throws -> Activity {
        try write { try $0.addActivity(to: record, changes, context: context) }
    }

    public func editActivity(_ id: Activity.ID, _ changes: ActivityChanges, expectedVersion: Int?, context: ChangeContext) throws -> Activity {
        try write { try $0.editActivity(id, changes, expectedVersion: expectedVersion, context: context) }
    }

    public func rescheduleActivity(_ id: Activity.ID, to due: CalendarDate, time: MinuteOfDay?? = nil, expectedVersion: Int? = nil,
                                   context: ChangeContext) throws -> Activity {
        try write { try $0.rescheduleActivity(id, to: due, time: time, expectedVersion: expectedVersion, context: context) }
    }

    public func completeActivity(_ id: Activity.ID, feedback: String, next: ActivityChanges?, expectedVersion: Int?,
                                 context: ChangeContext) throws -> ActivityCompletionResult {
        try write { try $0.completeActivity(id, feedback: feedback, next: next, expectedVersion: expectedVersion, context: context) }
    }

    public func reopenActivity(_ id: Activity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Activity {
        try write { try $0.reopenActivity(id, expectedVersion: expectedVersion, context: context) }
    }

    public func removeActivity(_ id: Activity.ID, expectedVersion: Int?) throws {
        try write { try $0.removeActivity(id, expectedVersion: expectedVersion) }
    }

    public func addNote(to record: Opportunity.ID, text: String, context: ChangeContext) throws -> DealNote {
        try write { try $0.addNote(to: record, text: text, context: context) }
    }

    public func removeNote(_ id: DealNote.ID) throws { try write { try $0.removeNote(id) } }

    public func addActivityType(name: String, nextType: ActivityType.ID? = nil, nextDelayDays: Int = 0) throws -> ActivityType {
        try write { try $0.addActivityType(name: name, nextType: nextType, nextDelayDays: nextDelayDays) }
    }

    public func editActivityType(_ id: ActivityType.ID, name: String? = nil, nextType: ActivityType.ID? = nil, nextDelayDays: Int? = nil,
                                 expectedVersion: Int? = nil) throws -> ActivityType {
        try write { try $0.editActivityType(id, name: name, nextType: nextType, nextDelayDays: nextDelayDays, expectedVersion: expectedVersion) }
    }

    public func removeActivityType(_ id: ActivityType.ID, expectedVersion: Int? = nil) throws {
        try write { try $0.removeActivityType(id, expectedVersion: expectedVersion) }
    }

    // MARK: - PipelineFocus

    public func columnFigures(team: Team.ID, filter: String = "", salesperson: String? = nil,
                              rotting: RottingDay? = nil) throws -> [Stage.ID: Figures] {
        try read { try $0.columnFigures(team: team, filter: filter, salesperson: salesperson, rotting: rotting) }
    }

    public func overdueCounts(team: Team.ID, today: CalendarDate, salesperson: String? = nil) throws -> [Stage.ID: Int] {
        try read { try $0.overdueCounts(team: team, today: today, salesperson: salesperson) }
    }

    public func rottingCounts(team: Team.ID, on day: RottingDay, salesperson: String? = nil) throws -> [Stage.ID: Int] {
        try read { try $0.rottingCounts(team: team, on: day, salesperson: salesperson) }
    }

    public func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping, salesperson: String?) throws -> Forecast {
        try read { try $0.forecast(team: team, groupedBy: grouping, salesperson: salesperson) }
    }

    // MARK: - PipelineFigures

    public func stageObservations(team: Team.ID?, since: Timestamp?) throws -> [StageObservation] {
        try read { try $0.stageObservations(team: team, since: since) }
    }

    public func forecastRange(team: Team.ID?, salesperson: String?) throws -> ForecastRange {
        try read { try $0.forecastRange(team: team, salesperson: salesperson) }
    }

    public func digest(start: Timestamp, end: Timestamp, team: Team.ID?, salesperson: String?, day: RottingDay) throws -> Digest {
        try read { try $0.digest(start: start, end: end, team: team, salesperson: salesperson, day: day) }
    }

    public func wonByMonth(team: Team.ID?, salesperson: String?, months: [MonthWindow]) throws -> WonByMonth {
        try read { try $0.wonByMonth(team: team, salesperson: salesperson, months: months) }
    }

    // MARK: - ChangeFeed

    public func changeToken() throws -> ChangeToken { try engine.changeToken() }
    public var changeSignal: Int32? { engine.changeSignal }
    public func drainChangeSignal() throws -> Bool { try engine.drainChangeSignal() }

    // MARK: - ImportSink

    public func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T {
        try engine.importing(dryRun: dryRun, progress: progress, body)
    }

    // MARK: - BackupSource

    public func readingSnapshot<T>(_ body: (any StoreReader) throws -> T) throws -> T { try read(body) }

    public func storedSettings() throws -> [(SettingKey, String)] { try read { try $0.storedSettings() } }
    public func storedPreferences() throws -> [Preference] { try read { try $0.storedPreferences() } }
    public func backupTeams() throws -> [BackupTeam] { try read { try $0.teamsWithCreation() } }
    public func exchangeStages() throws -> [ExchangeStage] { try read { try $0.exchangeStages() } }

    public func forEachExchangeRecord(kind: RecordKind?, _ body: (ExchangeRecord) throws -> Void) throws {
        try read { try $0.forEachExchangeRecord(kind: kind, body) }
    }

    public func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws {
        try read { try $0.forEachHistoryEntry(body) }
    }

    // MARK: - BackupSink

    public func isUntouched() throws -> Bool { try read { try $0.isUntouched() } }

    public func restore(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws {
        try engine.restoring(progress: progress) { transaction in
            // Before a row is written. An engine may refuse earlier and more narrowly: a
            // server lets only its tables' owner restore (its history trigger would put
            // anyone else's name on every restored line).
            try transaction.access().refusalToRestore().enforce()
            try body(transaction)
            try Self.checkRestored(transaction)
        }
    }

    /// What a restored store needs besides rows that reference each other: a team, and
    /// current teams (kept by id) — the pipeline's and each user's — that are among them.
    static func checkRestored(_ store: any RestoreTransaction) throws {
        let teams = try store.teams()
        guard !teams.isEmpty else { throw PipelineError.backupInconsistent(BackupFault("backup.noTeam")) }
        func isTeam(_ id: String) -> Bool { teams.contains { String($0.id.rawValue) == id } }
        if let team = try store.storedSetting(.team), !isTeam(team) {
            throw PipelineError.backupInconsistent(BackupFault("backup.unknownTeamSetting", team, path: ["settings", SettingKey.team.rawValue].joined(separator: ".")))
        }
        for preference in try store.storedPreferences() where preference.key == .team && !isTeam(preference.value) {
            throw PipelineError.backupInconsistent(BackupFault("backup.unknownTeamPreference", preference.value, preference.user,
                                                               path: "preferences"))
        }
    }

    // MARK: - AccessManagement

    /// The engine's users, or the one sentence a file has for it.
    private func administration() throws -> any AccessAdministration {
        guard let administration = engine.accessAdministration else { throw PipelineError.notPermitted(.fileHasNoUsers) }
        return administration
    }

    public func checkMayManageUsers() throws {
        _ = try administration()
        try access().refusalToManageUsers().enforce()
    }

    public func users() throws -> [UserAccount] { try administration().users() }

    public func addUser(_ login: String, role: AccessRole, teams: [Team.ID], password: String?) throws -> UserAccount {
        let administration = try administration()
        try access().refusalToManageUsers().enforce()
        return try administration.addUser(login, role: role, teams: teams, password: password)
    }

    public func editUser(_ login: String, role: AccessRole?, teams: [Team.ID]?, password: String?) throws -> UserAccount {
        let administration = try administration()
        try access().refusalToManageUsers().enforce()
        return try administration.editUser(login, role: role, teams: teams, password: password)
    }

    public func removeUser(_ login: String) throws {
        let administration = try administration()
        try access().refusalToManageUsers().enforce()
        try administration.removeUser(login)
    }

    public func setOwnDealsOnly(_ team: Team.ID, _ on: Bool) throws -> Team {
        let administration = try administration()
        let (access, catalog) = try readingTogether { (try self.access(), try self.catalog()) }
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        try access.refusalToChangeSettings(of: owner).enforce()
        return try administration.setOwnDealsOnly(team, on)
    }

    // MARK: - StoreMaintenance

    /// How many records with a wrong activity glance a check names (a repair fixes them all).
    static let reportedGlances = 100

    /// The engine's checks, then the rows every engine keeps alike: preferences no one can use.
    public func integrityReport(progress: RowProgress) throws -> IntegrityReport {
        var steps = 0
        var report = try engine.integrityReport(progress: RowProgress { done, _ in
            steps = done
            try progress.step(done, nil)
        })
        report.problems += try read { try $0.unusablePreferences() }.map { preference in
            IntegrityProblem.preference(user: preference.user, key: preference.key.rawValue, value: preference.value)
        }
        steps += 1
        try progress.step(steps, nil)
        report.problems += try read { try $0.staleActivityGlances(limit: Self.reportedGlances) }.map { IntegrityProblem.activityGlance(record: $0.rawValue) }
        try progress.step(steps + 1, nil)
        // A code ISO 4217 never listed ("ZZZ": an older version, a restore or another program
        // let it in) is a currency no amount can be in; a withdrawn one (HRK) was right when stored.
        report.problems += try read { try $0.storedCurrencies() }.filter { stored in
            !((try? CurrencyCode(stored: stored.code))?.isListedByISO4217 ?? false)
        }.map { IntegrityProblem.unknownCurrency(table: $0.table, id: $0.firstID, code: $0.code, rows: $0.rows) }
        try progress.step(steps + 2, nil)
        return report
    }

    /// The engine's repairs, then removes the preferences no one can use (their users follow
    /// the pipeline's values, as they already did when reading).
    public func repair() throws {
        try engine.repair()
        try write { store in
            for preference in try store.unusablePreferences() { try store.removePreference(preference.key, user: preference.user) }
            for record in try store.staleActivityGlances(limit: Int.max) { try store.refreshActivityGlance(of: record) }
        }
    }
}
