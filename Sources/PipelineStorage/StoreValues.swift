import PipelineCore

/// One line of an opportunity's stage history, with the stage names as they were.
public struct StageHistoryEntry: Sendable, Equatable {
    public var change: StageChange
    public var fromName: String?
    public var toName: String?

    public init(change: StageChange, fromName: String?, toName: String?) {
        self.change = change
        self.fromName = fromName
        self.toName = toName
    }

    /// The line with its names, as the core's timeline takes it.
    public var named: NamedHistoryLine { NamedHistoryLine(change: change, fromName: fromName, toName: toName) }

    /// The entry for `change`, naming its stages as `catalog` names them now.
    public init(_ change: StageChange, names catalog: StageCatalog) {
        self.init(change: change, fromName: change.from.flatMap { catalog.stage($0)?.name },
                  toName: change.to.flatMap { catalog.stage($0)?.name })
    }
}

/// Which opportunities a listing shows.
public struct OpportunityFilter: Sendable {
    public var team: Team.ID?
    public var stage: Stage.ID?
    public var includeArchived: Bool
    /// Only this salesperson's ("mine", `--user`): exactly, ignoring case.
    public var salesperson: String?
    /// Only the deals that rot on this day (`opp list --rotting`).
    public var rotting: RottingDay?
    /// A pass over many pages read once (a figure over every won deal, say), not pages the board
    /// reads again at its next key: an engine with a page cache reads them through a small one,
    /// so the pass does not grow the long-lived process it runs in.
    public var readsOnce: Bool

    public init(team: Team.ID? = nil, stage: Stage.ID? = nil, includeArchived: Bool = false, salesperson: String? = nil,
                rotting: RottingDay? = nil, readsOnce: Bool = false) {
        self.team = team
        self.stage = stage
        self.includeArchived = includeArchived
        self.salesperson = salesperson
        self.rotting = rotting
        self.readsOnce = readsOnce
    }
}

/// Which active cards a board's figures sum: those a filter matches, of one salesperson,
/// rotting ones (per stage, the bound each rots by; a stage absent rots none).
public struct FigureQuery: Sendable {
    /// `nil`: every team's (a forecast of all teams).
    public var team: Team.ID?
    public var filter: String
    public var salesperson: String?
    /// `nil`: every card; else only rotting ones.
    public var rotting: [Stage.ID: RottingBound]?

    public init(team: Team.ID?, filter: String = "", salesperson: String? = nil, rotting: [Stage.ID: RottingBound]? = nil) {
        self.team = team
        self.filter = filter
        self.salesperson = salesperson
        self.rotting = rotting
    }
}

/// A record as files carry it: the domain value plus what only files need.
public struct ExchangeRecord: Sendable {
    public var record: Opportunity
    /// The External ID files identify it by: the one it was imported with, else ours.
    public var externalID: String
    /// The one it was imported with, if any (what a backup keeps).
    public var storedExternalID: String?
    public var stageName: String?
    public var teamName: String

    public init(record: Opportunity, externalID: String, storedExternalID: String?, stageName: String?, teamName: String) {
        self.record = record
        self.externalID = externalID
        self.storedExternalID = storedExternalID
        self.stageName = stageName
        self.teamName = teamName
    }
}

/// A stage as files carry it.
public struct ExchangeStage: Sendable {
    public var stage: Stage
    public var externalID: String
    public var storedExternalID: String?
    public var teamName: String?

    public init(stage: Stage, externalID: String, storedExternalID: String?, teamName: String?) {
        self.stage = stage
        self.externalID = externalID
        self.storedExternalID = storedExternalID
        self.teamName = teamName
    }
}

/// Our External IDs, for records and stages that came with none: stable, and recognised on
/// re-import. They name our ids, which are the same on every engine.
public enum ExternalID {
    public static let recordPrefix = "pipeline.crm_lead_"
    public static let stagePrefix = "pipeline.crm_stage_"

    public static func of(_ record: Opportunity.ID) -> String { recordPrefix + String(record.rawValue) }
    public static func of(_ stage: Stage.ID) -> String { stagePrefix + String(stage.rawValue) }

    /// The record id one of our External IDs names.
    public static func record(in externalID: String) -> Opportunity.ID? {
        guard externalID.hasPrefix(recordPrefix), let number = Int64(externalID.dropFirst(recordPrefix.count)) else { return nil }
        return Opportunity.ID(number)
    }

    /// The stage id one of our External IDs names.
    public static func stage(in externalID: String) -> Stage.ID? {
        guard externalID.hasPrefix(stagePrefix), let number = Int64(externalID.dropFirst(stagePrefix.count)) else { return nil }
        return Stage.ID(number)
    }
}

/// One line of a stage history, as a backup carries it.
public struct BackupHistoryEntry: Sendable, Equatable {
    public var id: Int64
    public var opportunity: Opportunity.ID
    public var from: Stage.ID?
    public var to: Stage.ID?
    public var fromName: String?
    public var toName: String?
    public var at: Timestamp
    public var by: String
    /// What the line records (lines of backups written before issue 13: a move, or the
    /// creation when it has no `from`).
    public var event: HistoryEvent
    /// The figures after the change; `nil`: unknown (lines written before issue 13).
    public var probability: Probability?
    public var amount: Money?
    public var reason: String?
    /// The outcome the stage had when the line was written; `nil`: not recorded (lines
    /// written before schema 9, backups without it).
    public var stageOutcome: StageOutcome?

    public init(id: Int64, opportunity: Opportunity.ID, from: Stage.ID?, to: Stage.ID?, fromName: String?, toName: String?,
                at: Timestamp, by: String, event: HistoryEvent? = nil, probability: Probability? = nil, amount: Money? = nil,
                reason: String? = nil, stageOutcome: StageOutcome? = nil) {
        self.stageOutcome = stageOutcome
        self.event = event ?? (from == nil ? .created : .moved)
        self.probability = probability
        self.amount = amount
        self.reason = reason
        self.id = id
        self.opportunity = opportunity
        self.from = from
        self.to = to
        self.fromName = fromName
        self.toName = toName
        self.at = at
        self.by = by
    }
}

/// A team as a backup carries it.
public struct BackupTeam: Sendable, Equatable {
    public var team: Team
    public var createdAt: Timestamp

    public init(team: Team, createdAt: Timestamp) {
        self.team = team
        self.createdAt = createdAt
    }
}

/// What removing a team moved.
public struct TeamRemoval: Sendable, Equatable {
    public var opportunitiesMoved: Int
    public var leadsMoved: Int

    public init(opportunitiesMoved: Int, leadsMoved: Int) {
        self.opportunitiesMoved = opportunitiesMoved
        self.leadsMoved = leadsMoved
    }
}

extension Opportunity {
    /// What the live filter matches, as every engine stores it: title, customer, contact and
    /// salesperson, folded to words (punctuation becomes a space), so that an engine's index
    /// and a scan of the rows agree on what a word is.
    public var searchText: String {
        TextInput.searchWords([title, customer.name, customer.contactName, salesperson].joined(separator: " "))
    }
}

/// One user's own value of a personal setting (`SettingKey.isPersonal`), as stored: the team
/// by id, the others normalised as `SettingKey.normalized` gives them.
public struct Preference: Hashable, Sendable {
    /// Who set it: the name the stage history records for them (`$USER`, else `$LOGNAME`).
    public var user: String
    public var key: SettingKey
    public var value: String

    public init(user: String, key: SettingKey, value: String) {
        self.user = user
        self.key = key
        self.value = value
    }
}

/// Where the value of a setting, as one user sees it, comes from.
public enum SettingSource: String, Sendable {
    /// The user's own preference (a personal key they set).
    case personal
    /// The pipeline's value, everyone's: a shared key's, or a personal key's that the user
    /// has not set for themselves.
    case shared
    /// Nothing stored: the default (`--lang` or the locale for the language).
    case `default`
}

/// A setting as one user sees it: its value and where that comes from.
public struct SettingValue: Sendable, Equatable {
    public var key: SettingKey
    /// `nil` for the language when neither the user nor the pipeline chose one.
    public var value: String?
    public var source: SettingSource

    public init(key: SettingKey, value: String?, source: SettingSource) {
        self.key = key
        self.value = value
        self.source = source
    }
}

/// Which activities an activity list shows (issue 13).
public struct ActivityQuery: Hashable, Sendable {
    /// Whose activities.
    public enum Scope: Hashable, Sendable {
        /// Those assigned to this login or name (exactly, as stored): "mine", on an index.
        case assignee(String)
        /// Those assigned to this name ignoring case, as `opp list --user` matches a
        /// salesperson (ASCII case on a file, Unicode on a server). The assignee indexes are
        /// by exact name, so this walks the due-date index, testing each activity.
        case assigneeIgnoringCase(String)
        /// Every activity of the team's records.
        case team(Team.ID)
        /// Every activity the person may see.
        case everyone
    }

    /// Which due dates, relative to `today` (the user's local date).
    public enum DueRange: Hashable, Sendable {
        /// Every due date.
        case any
        /// Due before today.
        case overdue
        /// Due today.
        case today
        /// Due today or in the six days after (overdue ones not included).
        case week
        /// Due on or before the end of the week: overdue, today and the next six days.
        case upToWeekEnd
    }

    public var scope: Scope
    /// Done activities too (they sort by their due date like the open ones).
    public var includeDone: Bool
    /// Activities of closed records too: lost deals (in a lost stage or archived) and lost
    /// leads, whose activities are no longer work to do (`Opportunity.hasActivitiesToDo`).
    public var includeClosed: Bool
    public var range: DueRange
    /// The user's local date the range is relative to.
    public var today: CalendarDate

    public init(scope: Scope, includeDone: Bool = false, includeClosed: Bool = false, range: DueRange = .any, today: CalendarDate) {
        self.scope = scope
        self.includeDone = includeDone
        self.includeClosed = includeClosed
        self.range = range
        self.today = today
    }

    /// The due dates the range selects: `(from, through)`, either end open (`nil`).
    public var dueBounds: (from: CalendarDate?, through: CalendarDate?) {
        switch range {
        case .any: return (nil, nil)
        case .overdue: return (nil, today.adding(days: -1))
        case .today: return (today, today)
        case .week: return (today, today.adding(days: 6))
        case .upToWeekEnd: return (nil, today.adding(days: 6))
        }
    }
}

/// An activity's place in an activity list's order: (due, time with no time last, id).
public struct ActivityCursor: Hashable, Sendable {
    public var due: CalendarDate
    /// Minutes since midnight, 1440 for no time (after every timed one that day).
    public var timeKey: Int
    public var id: Activity.ID

    public init(due: CalendarDate, timeKey: Int, id: Activity.ID) {
        self.due = due
        self.timeKey = timeKey
        self.id = id
    }

    /// The sort key of "no time": after 23:59.
    public static let noTime = 1440
}

extension Activity {
    public var cursor: ActivityCursor { ActivityCursor(due: due, timeKey: time?.minutes ?? ActivityCursor.noTime, id: id) }
}

/// One deal's page (issue 13): the record, its activities (open first, by due date, then the
/// done ones, newest first), its notes and its timeline, read together in one transaction.
public struct DealPage: Sendable {
    public var record: Opportunity
    public var activities: [Activity]
    public var notes: [DealNote]
    public var history: [StageHistoryEntry]
    public var timeline: [TimelineEntry]
    /// The activity types, to name the activities' types.
    public var activityTypes: [ActivityType]

    public init(record: Opportunity, activities: [Activity], notes: [DealNote], history: [StageHistoryEntry],
                timeline: [TimelineEntry], activityTypes: [ActivityType]) {
        self.record = record
        self.activities = activities
        self.notes = notes
        self.history = history
        self.timeline = timeline
        self.activityTypes = activityTypes
    }
}

/// An activity marked done, and the next one scheduled with it, if any.
public struct ActivityCompletionResult: Sendable {
    public var done: Activity
    public var next: Activity?

    public init(done: Activity, next: Activity?) {
        self.done = done
        self.next = next
    }
}

/// One history line of a closed deal, with what the deal is now (see
/// `StoreReader.forEachClosedDealLine`).
public struct ClosedDealLine: Sendable {
    public var deal: Opportunity.ID
    public var stage: Stage.ID?
    public var stageOutcome: StageOutcome
    public var hasLostReason: Bool
    public var stageChangedAt: Timestamp
    /// The line: stages before and after, time and event (figures and names left out).
    public var line: StageChange?

    public init(deal: Opportunity.ID, stage: Stage.ID?, stageOutcome: StageOutcome, hasLostReason: Bool, stageChangedAt: Timestamp,
                line: StageChange?) {
        self.deal = deal
        self.stage = stage
        self.stageOutcome = stageOutcome
        self.hasLostReason = hasLostReason
        self.stageChangedAt = stageChangedAt
        self.line = line
    }
}

/// One open deal as the forecast range reads it from a store: its figures and no more (a
/// million whole records cost more than their distribution). Values as stored; the shared
/// `StoreReader.forecastRange` reads them as `Rows.opportunity` would.
public struct RangeRow: Sendable {
    public var id: Int64
    /// Minor units.
    public var amount: Int64
    public var currency: String
    public var basisPoints: Int?
    /// `YYYY-MM-DD` as stored.
    public var closing: String?

    public init(id: Int64, amount: Int64, currency: String, basisPoints: Int?, closing: String?) {
        self.id = id
        self.amount = amount
        self.currency = currency
        self.basisPoints = basisPoints
        self.closing = closing
    }
}
