import PipelineCore

/// What a database engine provides: transactions, and inside them the reads and writes the
/// store's operations are made of. Nothing here knows a rule: the operations (`StoreOperations`)
/// ask the core what a change is and hand the engine exactly that to persist.
///
/// An engine implements these protocols once (SQLite through GRDB, PostgreSQL through libpq);
/// the contract test suite is what "an engine works" means.
public protocol StorageEngine: AnyObject, Sendable {
    /// Where the data lives, as messages name it (a path, or a server address without secrets).
    var location: String { get }
    /// The file the data lives in, when it lives in one on this machine (SQLite's), else
    /// `nil` (a server's): what an export must never overwrite.
    var localFile: String? { get }
    /// Who the database itself knows this connection as, when it has users of its own (a
    /// server's session user, `SELECT session_user`), else `nil` (a file has none). Each user's
    /// preferences are keyed by it when there is one, never by what the environment claims.
    var sessionUser: String? { get }

    /// Runs `body` in one reading transaction: a consistent snapshot that never writes.
    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T

    /// Runs `body` in one writing transaction: everything it writes is kept if it returns,
    /// nothing if it throws. Writers wait for each other (up to the engine's busy timeout);
    /// an engine may also run `body` again from the start after a conflict with another
    /// writer (PostgreSQL does), so `body` must decide only from what it reads and have no
    /// effect outside the transaction (no output, no counters).
    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T

    /// Runs an import in one writing transaction, with the engine's bulk speed-ups on; kept
    /// only if `body` returns and this is not a dry run. `progress` hears of the phases after
    /// the rows (`RowProgress.phase`), and may stop the work in them.
    func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T

    /// Empties the database and runs `body` to fill it with a backup's rows, exactly as given
    /// (ids and versions included), in one transaction. Refused with
    /// `PipelineError.backupNeedsFreshDatabase` unless the database is untouched
    /// (`StoreReader.isUntouched`, checked inside that transaction), and refused if the rows
    /// do not hold together (a record of a missing stage, say). `progress` as for `importing`.
    func restoring(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws

    /// An opaque token that changes whenever another connection commits a change.
    func changeToken() throws -> ChangeToken

    /// A file descriptor that becomes readable when another connection may have committed a
    /// change (PostgreSQL's notification socket), or `nil` when the token must be polled.
    var changeSignal: Int32? { get }

    /// Reads what arrived on `changeSignal`; whether any change was announced.
    func drainChangeSignal() throws -> Bool

    /// What is wrong with the stored data, if anything (empty means sound): the engine's own
    /// checks of its files or pages, the filter index, the totals against the deals, each
    /// deal's stage against its history. `progress` hears how many checks are done after
    /// each one (and may stop the report by throwing).
    func integrityReport(progress: RowProgress) throws -> IntegrityReport

    /// Rebuilds what can be rebuilt from the deals themselves — the filter index and the
    /// stage totals — in one transaction.
    func repair() throws

    /// Managing who may use the database (users, roles, team memberships), when the engine
    /// has users of its own (a server's); `nil` for a file, which is one person's.
    var accessAdministration: (any AccessAdministration)? { get }
}

extension StorageEngine {
    public var accessAdministration: (any AccessAdministration)? { nil }
}

/// Users, roles and memberships of a team server (issue 12). Each call is one transaction;
/// the server's own checks (grants, row-level security) refuse what the session's role may
/// not do, and the operations here refuse it first with `PipelineError.notPermitted`.
public protocol AccessAdministration: AnyObject, Sendable {
    /// Every user of the database, in login order.
    func users() throws -> [UserAccount]
    /// Makes `login` a user: creates the server login (without a password when `password`
    /// is nil) or adopts an existing one, grants it what the tables need, and records its
    /// role and teams.
    func addUser(_ login: String, role: AccessRole, teams: [Team.ID], password: String?) throws -> UserAccount
    /// Changes what is given (nil: unchanged). `teams` replaces the memberships.
    func editUser(_ login: String, role: AccessRole?, teams: [Team.ID]?, password: String?) throws -> UserAccount
    /// Takes every access away from `login` at once (its deals and their history stay).
    func removeUser(_ login: String) throws
    /// The team setting "own deals only".
    func setOwnDealsOnly(_ team: Team.ID, _ on: Bool) throws -> Team
}

/// What one reading transaction can ask.
public protocol StoreReader {
    /// What the person acting may see and change: a server's session user's role and teams;
    /// everything for a file's owner (`Access.fileOwner`).
    func access() throws -> Access
    /// Every team and every stage, in order.
    func catalog() throws -> StageCatalog
    /// A team's creation time (a backup keeps it).
    func teamsWithCreation() throws -> [BackupTeam]
    /// The pipeline's own value of a setting (everyone's), if one is stored.
    func storedSetting(_ key: SettingKey) throws -> String?
    /// `user`'s own value of a personal setting, if they stored one.
    func storedPreference(_ key: SettingKey, user: String) throws -> String?
    /// Every user's preferences, by user then key (what a backup or a copy carries).
    func storedPreferences() throws -> [Preference]

    func record(_ id: Opportunity.ID) throws -> Opportunity?
    /// Records whose title folds to `titleKey` (`TextInput.nameKey`), in id order.
    func records(titleKey: String, kind: RecordKind, limit: Int) throws -> [Opportunity]
    func history(of id: Opportunity.ID) throws -> [StageHistoryEntry]
    /// Opportunities in pipeline order (stage order, team, rank), one at a time.
    func forEachOpportunity(_ filter: OpportunityFilter, _ body: (Opportunity) throws -> Void) throws
    /// Every lead and/or opportunity, archived ones included, in id order, with the External ID
    /// it was imported with.
    func forEachRecord(kind: RecordKind?, _ body: (Opportunity, String?) throws -> Void) throws
    func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws
    /// The External IDs stages were imported with.
    func stageExternalIDs() throws -> [Stage.ID: String]
    /// How many records and history lines are stored in all.
    func storedCounts() throws -> (records: Int, history: Int)
    /// How many leads, opportunities, history lines, activities and notes are stored: what a
    /// long export or copy counts first, for its progress line's share done and time left.
    func rowCounts() throws -> StoredRowCounts

    /// Count and sums of active opportunities per stage, from the totals kept current.
    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures]
    /// Open active opportunities summed by closing month (`YYYY-MM`) or salesperson, per
    /// currency, in key order with the empty key last; only `salesperson`'s when given
    /// (exactly, ignoring case).
    func forecastRows(team: Team.ID?, grouping: Forecast.Grouping, salesperson: String?) throws -> [Forecast.Row]

    /// The open active deals (not leads; in an open stage, without a lost reason) of `team`
    /// (all when `nil`), of `salesperson` when given (exactly, ignoring case), in id order, as
    /// the forecast range (issue 14) reads them: one narrow statement, streamed.
    func forEachRangeRow(team: Team.ID?, salesperson: String?, _ body: (RangeRow) throws -> Void) throws

    /// Every closed deal (won or lost, archived ones included) of `team` (all when `nil`),
    /// in id order, each with its history lines oldest first: one row per line, or one row
    /// with `line == nil` for a deal without lines. One ordered statement over the history's
    /// index by deal, streamed: the seen rates (issue 14) never read a deal at a time.
    func forEachClosedDealLine(team: Team.ID?, _ body: (ClosedDealLine) throws -> Void) throws

    /// Every deal (not lead) of `team` (all when `nil`), of `salesperson` when given (exactly,
    /// ignoring case), that has a history line at or after `since`: one call per line of its
    /// whole history, deals in id order, lines oldest first. One statement: the lines since
    /// `since` through the history's index by time pick the deals, whose lines come through the
    /// index by deal — the weekly digest (issue 14) reads what changed, never the whole table.
    func forEachDealHistory(since: Timestamp, team: Team.ID?, salesperson: String?,
                            _ body: (Opportunity, StageHistoryEntry) throws -> Void) throws
    /// The open activities due before `today` of the active deals (not leads) of `team` (all
    /// when `nil`), of `salesperson`'s deals when given, not in a lost stage, each with its
    /// deal's title, in (due, time with none last, id) order: one statement.
    func forEachOverdueActivity(team: Team.ID?, salesperson: String?, today: CalendarDate,
                                _ body: (Activity, String) throws -> Void) throws

    /// One window of a board column (an engine chooses how to filter fast).
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    /// Per stage, the count and sums of the active cards of `team` that match `filter`: what
    /// the board's headers and status line show while filtering.
    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures]
    /// Leads after `cursor`, in the query's order.
    func leads(_ query: LeadQuery, after cursor: Opportunity?, limit: Int) throws -> [Opportunity]
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws
    /// Records sharing `record`'s e-mail key, company key or contact key (the core's
    /// `DuplicateRule` decides which of them are duplicates).
    func duplicateCandidates(of record: Opportunity, limit: Int) throws -> [Opportunity]

    /// The teams whose records sit in `stage`.
    func teamsWithRecords(inStage stage: Stage.ID) throws -> Set<Team.ID>
    /// How many records (archived included) sit in `stage`.
    func recordCount(inStage stage: Stage.ID) throws -> Int
    /// The records of one team in one stage (archived included), in column order.
    func records(team: Team.ID, stage: Stage.ID) throws -> [Opportunity]
    func recordCounts(team: Team.ID) throws -> (opportunities: Int, leads: Int)

    /// Cards of a column (active opportunities of one team in one stage), by rank then id,
    /// leaving out `excluding`: those on `side` of `bound` (all when `nil`), nearest first.
    func columnKeys(_ column: ColumnKey, excluding: Opportunity.ID, from bound: CardCursor?, side: ColumnSide,
                    limit: Int) throws -> [CardCursor]

    // MARK: Activities and notes (issue 13)

    /// Every activity type, in `sortOrder` then id order.
    func activityTypes() throws -> [ActivityType]
    /// How many activities (open or done) have `type`; `nil` when some of them are out of the
    /// reader's sight (another team's, on a server), whose number is not the reader's to know.
    func activityCount(ofType type: ActivityType.ID) throws -> Int?
    func activity(_ id: Activity.ID) throws -> Activity?
    /// A record's activities: the open ones by (due, time nulls last, id), then the done ones
    /// newest first.
    func activities(of record: Opportunity.ID) throws -> [Activity]
    /// Activities the query selects, in its order (due, time nulls last, id: overdue first),
    /// after `cursor` (the last one of the previous page).
    func activities(_ query: ActivityQuery, after cursor: ActivityCursor?, limit: Int) throws -> [Activity]
    func note(_ id: DealNote.ID) throws -> DealNote?
    /// A record's notes, oldest first.
    func notes(of record: Opportunity.ID) throws -> [DealNote]
    /// Every activity, in id order (a backup, a copy).
    func forEachActivity(_ body: (Activity) throws -> Void) throws
    /// Every note, in id order (a backup, a copy).
    func forEachNote(_ body: (DealNote) throws -> Void) throws
    /// Per stage, the count and sums of the active cards the query selects: from the totals
    /// kept per salesperson when it names only a salesperson, else summed over the matching
    /// cards (a rotting query one stage at a time, by its bound).
    func figures(_ query: FigureQuery) throws -> [Stage.ID: Figures]
    /// Per stage of `stages`, how many active cards of `team` (of `salesperson`, if given)
    /// have an open activity due before `today`: a range count on the index of next due dates,
    /// whose cost grows with the overdue cards, not with the column.
    func overdueCounts(team: Team.ID, stages: [Stage.ID], today: CalendarDate, salesperson: String?) throws -> [Stage.ID: Int]
    /// Per stage, how many active cards of `team` (of `salesperson`) rot by the stage's bound:
    /// a range over the index of stage-entry times.
    func rottingCounts(team: Team.ID, bounds: [Stage.ID: RottingBound], salesperson: String?) throws -> [Stage.ID: Int]

    /// The logins of `team`'s members, when the store has users (a server's), else `nil`
    /// (a file is one person's, who gives activities to anyone).
    func memberLogins(of team: Team.ID) throws -> Set<String>?
    /// The activity glance each record should have, computed from its activity rows, where it
    /// differs from the one stored (what the check compares).
    func staleActivityGlances(limit: Int) throws -> [Opportunity.ID]
    /// Each currency code the deals and the history lines hold, with the first row holding
    /// it and how many do (what the check holds against ISO 4217).
    func storedCurrencies() throws -> [StoredCurrency]
}

/// A currency code as rows of a table hold it (`StoreReader.storedCurrencies`).
public struct StoredCurrency: Equatable, Sendable {
    public var table: String
    public var code: String
    public var firstID: Int64
    public var rows: Int

    public init(table: String, code: String, firstID: Int64, rows: Int) {
        self.table = table
        self.code = code
        self.firstID = firstID
        self.rows = rows
    }

    public static let sql = """
        SELECT 'opportunity', currency, min(id), count(*) FROM opportunity GROUP BY currency
        UNION ALL
        SELECT 'stage_history', currency, min(id), count(*) FROM stage_history WHERE currency IS NOT NULL GROUP BY currency
        ORDER BY 1, 2
        """
}

/// Which way from a bound `StoreReader.columnKeys` reads.
public enum ColumnSide: Sendable {
    /// Before the bound, nearest first (descending).
    case before
    /// At or after the bound, nearest first (ascending).
    case atOrAfter
    /// Strictly after the bound (ascending).
    case after
}

/// One board column: a team's active opportunities in a stage.
public struct ColumnKey: Hashable, Sendable {
    public var team: Team.ID
    public var stage: Stage.ID

    public init(team: Team.ID, stage: Stage.ID) {
        self.team = team
        self.stage = stage
    }
}

/// What one writing transaction can do besides reading.
public protocol StoreWriter: StoreReader {
    func insertTeam(name: String, createdAt: Timestamp) throws -> Team.ID
    /// Writes a team's name and bumps its version.
    func updateTeam(_ team: Team) throws
    func deleteTeam(_ id: Team.ID) throws

    /// Inserts a stage at its `sortOrder`; returns its id.
    func insertStage(_ stage: Stage, externalID: String?) throws -> Stage.ID
    /// Writes a stage's settings if it still has `expectedVersion`, bumping it; whether it did.
    func updateStage(_ stage: Stage, expectedVersion: Int) throws -> Bool
    func setStageExternalID(_ id: Stage.ID, _ externalID: String) throws
    /// Writes each stage's `sort_order` where it changed.
    func storeSortOrders(_ orders: [(Stage.ID, Int)]) throws
    func deleteStage(_ id: Stage.ID) throws

    /// Inserts a record (its id is assigned) and returns the id.
    func insertRecord(_ record: Opportunity, externalID: String?) throws -> Opportunity.ID
    /// Writes a record if it still has `expectedVersion`, bumping it; whether it did.
    func updateRecord(_ record: Opportunity, expectedVersion: Int) throws -> Bool
    /// Deletes a record (and its history) if it still has `expectedVersion`; whether it did.
    func deleteRecord(_ id: Opportunity.ID, expectedVersion: Int) throws -> Bool
    /// Merges `from` (at `expectedVersion`) into `to`: its history lines, activities and notes
    /// become `to`'s and `from` is removed, in one step — the only way they leave a record.
    /// `false` when `from` is no longer at that version (nothing changed).
    func mergeRecord(_ from: Opportunity.ID, into to: Opportunity.ID, expectedVersion: Int) throws -> Bool
    func insertHistory(_ entry: StageHistoryEntry) throws
    /// Sets cards' ranks without touching their versions (order is not content).
    func setRanks(_ ranks: [(Opportunity.ID, Int64)]) throws

    /// Applies a probability (if any) to the active opportunities of a stage in one statement:
    /// followers only (those whose probability follows the stage) or everyone; each deal it
    /// changes gets a `stageProbability` history line (one set-based statement too), with the
    /// stage's outcome as stored. When the stage's outcome changed, every deal of the stage
    /// (archived ones included) gets that line, so that the history records the new outcome.
    func applyStageProbability(_ stage: Stage.ID, _ probability: Probability?, followersOnly: Bool, outcomeChanged: Bool,
                               context: ChangeContext) throws
    /// Moves every record of one team from one stage to another in a few statements (a plan
    /// from `StageRemoval` or a team removal): history lines, ranks below the destination's
    /// cards in their old order, the destination's entry probability when it has one.
    func moveAll(_ move: BulkMove) throws
    /// Gives every record of one team to another.
    func reassignRecords(from team: Team.ID, to destination: Team.ID, at now: Timestamp) throws

    // MARK: Activities and notes (issue 13)

    /// Inserts an activity type (its id assigned) at its `sortOrder`.
    func insertActivityType(_ type: ActivityType) throws -> ActivityType.ID
    /// Writes a type's name and next step if it still has `expectedVersion`, bumping it.
    func updateActivityType(_ type: ActivityType, expectedVersion: Int) throws -> Bool
    func deleteActivityType(_ id: ActivityType.ID, expectedVersion: Int) throws -> Bool
    /// Inserts an activity (its id assigned); `refreshActivityGlance` of its record follows.
    func insertActivity(_ activity: Activity) throws -> Activity.ID
    func updateActivity(_ activity: Activity, expectedVersion: Int) throws -> Bool
    func deleteActivity(_ id: Activity.ID, expectedVersion: Int) throws -> Bool
    func insertNote(_ note: DealNote) throws -> DealNote.ID
    func deleteNote(_ id: DealNote.ID) throws -> Bool
    /// Recomputes `record`'s activity glance from its activity rows, in SQL, without touching
    /// its version: every activity write calls it in the same transaction.
    func refreshActivityGlance(of record: Opportunity.ID) throws

    /// Stores the pipeline's own value of a setting (everyone's).
    func storeSetting(_ key: SettingKey, _ value: String) throws
    /// Stores `user`'s own value of a personal setting; nobody else's changes.
    func storePreference(_ key: SettingKey, _ value: String, user: String) throws
    /// Removes `user`'s own value of a personal setting: they follow the pipeline's again.
    func removePreference(_ key: SettingKey, user: String) throws
}

/// Every record of one team in one stage moving to another stage (and maybe team).
public struct BulkMove: Sendable {
    public var from: Stage
    public var to: Stage
    public var team: Team.ID
    public var newTeam: Team.ID?
    public var context: ChangeContext

    public init(from: Stage, to: Stage, team: Team.ID, newTeam: Team.ID? = nil, context: ChangeContext) {
        self.from = from
        self.to = to
        self.team = team
        self.newTeam = newTeam
        self.context = context
    }

    /// The probability the records take on entering `to` (the core's rule), if it sets one.
    public var entryProbability: Probability? { to.entryProbability }

    /// Whether active (and archived) records keep their lost reason on this move (the core's
    /// rule, ``Opportunity/keepsLostReason(entering:leaving:isActive:)``).
    public func keepsLostReason(active: Bool) -> Bool {
        Opportunity.keepsLostReason(entering: to.outcome, leaving: from.outcome, isActive: active)
    }

    /// What the history line of a record moved in bulk records (the core's rule,
    /// `HistoryEvent.moveEvent`), by whether it is active and had a lost reason: the engines
    /// write it with a CASE over those two columns.
    public func historyEvent(active: Bool, lost: Bool) -> HistoryEvent {
        let wasOpen = active && !lost && from.outcome == .open
        let lostAfter = lost && keepsLostReason(active: active)
        return HistoryEvent.moveEvent(into: to.outcome, closedAs: lost ? .lost : from.outcome, wasOpen: wasOpen, isActive: active,
                                      lostReason: lostAfter ? "" : nil)
    }

    /// `historyEvent` as an SQL CASE over a row's `active` test and `lost_reason`.
    public func historyEventSQL(activeTest: String) -> String {
        func event(_ active: Bool, _ lost: Bool) -> String { "'" + historyEvent(active: active, lost: lost).rawValue + "'" }
        return "CASE WHEN \(activeTest) AND lost_reason IS NULL THEN \(event(true, false)) WHEN \(activeTest) THEN \(event(true, true)) "
            + "WHEN lost_reason IS NULL THEN \(event(false, false)) ELSE \(event(false, true)) END"
    }
}

/// An import's transaction: writing, plus External IDs.
///
/// An engine may hold the records and history lines an import inserts and write them
/// together (PostgreSQL does, by COPY), as long as every other statement of the transaction
/// — a read above all — sees them as if each had been written at once.
public protocol ImportTransaction: StoreWriter {
    /// The record imported with this External ID.
    func recordID(externalID: String) throws -> Opportunity.ID?
    /// The External ID a record was imported with, if any.
    func externalID(ofRecord id: Opportunity.ID) throws -> String?
    /// The stage imported with this External ID.
    func stageID(externalID: String) throws -> Stage.ID?
    /// What a chunk of an import's rows may name, in one read instead of one per row: the
    /// record stored with each of `externalIDs`, and which of `ids` are records stored
    /// without an External ID (those that one of ours, `pipeline.crm_lead_N`, names).
    func recordsNamed(externalIDs: [String], ids: [Opportunity.ID]) throws -> ImportNames
}

/// What `ImportTransaction.recordsNamed` found.
public struct ImportNames: Sendable, Equatable {
    /// External ID → the record stored with it.
    public var byExternalID: [String: Opportunity.ID]
    /// The ids asked about that are records stored without an External ID.
    public var withoutExternalID: Set<Opportunity.ID>

    public init(byExternalID: [String: Opportunity.ID] = [:], withoutExternalID: Set<Opportunity.ID> = []) {
        self.byExternalID = byExternalID
        self.withoutExternalID = withoutExternalID
    }
}

/// A restore's transaction: rows written exactly as the backup has them (and read back, to
/// check they hold together).
public protocol RestoreTransaction: StoreReader {
    func insert(_ team: BackupTeam) throws
    func insert(_ stage: Stage, externalID: String?) throws
    /// The record with its id, version and External ID.
    func insert(_ record: Opportunity, externalID: String?) throws
    func insert(_ entry: BackupHistoryEntry) throws
    /// An activity type, activity or note with its id and version (a record's glance is
    /// computed from its restored activities at the end).
    func insert(_ type: ActivityType) throws
    func insert(_ activity: Activity) throws
    func insert(_ note: DealNote) throws
    func storeSetting(_ key: SettingKey, _ value: String) throws
    func storePreference(_ key: SettingKey, _ value: String, user: String) throws
}

/// Changes whenever another connection commits; compare two to know whether to reload.
public struct ChangeToken: Hashable, Sendable {
    public let rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

extension StorageEngine {
    /// What is wrong with the stored data, told to no one as it goes.
    public func integrityReport() throws -> IntegrityReport { try integrityReport(progress: .none) }
}

extension StorageEngine {
    /// An import nobody watches.
    public func importing<T>(dryRun: Bool, _ body: (any ImportTransaction) throws -> T) throws -> T {
        try importing(dryRun: dryRun, progress: .none, body)
    }

    /// A restore nobody watches.
    public func restoring(_ body: (any RestoreTransaction) throws -> Void) throws {
        try restoring(progress: .none, body)
    }
}
