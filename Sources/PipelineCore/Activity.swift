/// Activities (issue 13): the next call, the meeting tomorrow, the quotation to send. Each
/// belongs to one record (a deal or a lead), has a type from an editable list, a due date and
/// maybe a time, and is done once with an optional feedback.

/// A time of day to the minute, 00:00 to 23:59, without a zone (the user's own).
public struct MinuteOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes since midnight, 0 to 1439.
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// Parses `14:30` or `9:05` (the hour may have one digit, the minutes two).
    public init(parsing text: String) throws(PipelineError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), let time = MinuteOfDay(hour: hour, minute: minute) else {
            throw .invalidTime(text)
        }
        self = time
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// `14:30`.
    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.minutes < rhs.minutes }
}

/// "Now" as the user lives it: the date and the time of day in their time zone. The core
/// never reads a clock or a zone: the caller gives the instant and the zone's offset from UTC
/// at that instant (the executable asks `TimeZone.current`).
public struct LocalNow: Hashable, Sendable {
    public var date: CalendarDate
    public var minuteOfDay: MinuteOfDay

    public init(date: CalendarDate, minuteOfDay: MinuteOfDay) {
        self.date = date
        self.minuteOfDay = minuteOfDay
    }
}

extension Timestamp {
    /// The calendar day this instant falls on where the clock is `utcOffsetSeconds` ahead of
    /// UTC (+25,200 in Vietnam, −18,000 in New York in winter).
    public func localDate(utcOffsetSeconds: Int) -> CalendarDate {
        localNow(utcOffsetSeconds: utcOffsetSeconds).date
    }

    /// To the minute, in the user's time (`utcOffsetSeconds` from UTC), as the language
    /// writes dates: `2026-11-28 01:45` in English, `28/11/2026 01:45` in Vietnamese. No zone
    /// is written: the user's own clock, as the board's page shows it (`display(in:)` says UTC).
    public func localDisplay(in language: Language, utcOffsetSeconds: Int) -> String {
        let local = localNow(utcOffsetSeconds: utcOffsetSeconds)
        return local.date.display(in: language) + " " + local.minuteOfDay.description
    }

    /// The date and time of day of this instant at `utcOffsetSeconds` from UTC.
    public func localNow(utcOffsetSeconds: Int) -> LocalNow {
        // Saturating: an instant at the end of the range (a damaged row) stays at the calendar's end.
        let (shifted, overflow) = millisecondsSince1970.addingReportingOverflow(Int64(utcOffsetSeconds) * 1000)
        let local = Timestamp(millisecondsSince1970: overflow ? millisecondsSince1970 : shifted)
        let millisOfDay = local.millisecondsSince1970 - Timestamp.floorDivide(local.millisecondsSince1970, 86_400_000) * 86_400_000
        return LocalNow(date: local.utcDate, minuteOfDay: MinuteOfDay(minutes: Int(millisOfDay / 60_000)) ?? MinuteOfDay(uncheckedMinutes: 0))
    }
}

extension MinuteOfDay {
    init(uncheckedMinutes: Int) { self.minutes = uncheckedMinutes }
}

extension CalendarDate {
    /// The date `days` later (earlier when negative), clamped to the calendar's range.
    public func adding(days: Int) -> CalendarDate {
        let lowest = CalendarDate(year: 1, month: 1, day: 1).map(\.daysSince1970) ?? Int.min
        let highest = CalendarDate(year: 9999, month: 12, day: 31).map(\.daysSince1970) ?? Int.max
        return CalendarDate(daysSince1970: Int64(min(max(daysSince1970 + days, lowest), highest)))
    }
}

/// One kind of activity (call, meeting, e-mail, to-do): data, a table a manager edits. Its
/// name is written once in the language that created it, like a stage's.
public struct ActivityType: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<ActivityType>

    public var id: ID
    public var name: String
    /// What "done & schedule next" offers after an activity of this type: this type…
    public var nextType: ID?
    /// …due this many days after the day it was done.
    public var nextDelayDays: Int
    public var sortOrder: Int
    public var version: Int

    public init(id: ID, name: String, nextType: ID? = nil, nextDelayDays: Int = 0, sortOrder: Int = 0, version: Int = 1) {
        self.id = id
        self.name = name
        self.nextType = nextType
        self.nextDelayDays = nextDelayDays
        self.sortOrder = sortOrder
        self.version = version
    }

    /// The longest delay a type may pre-fill: a year.
    public static let nextDelayRange = 0...365
}

/// The activity types a new database starts with, in both languages (the reference CRM's
/// four), and what each pre-fills as the next step.
public enum ActivityTypeTemplate {
    public struct Seed: Hashable, Sendable {
        public let english: String
        public let vietnamese: String
        /// Index in `seeds` of the next type.
        public let next: Int
        public let delayDays: Int

        public func name(in language: Language) -> String { language == .vietnamese ? vietnamese : english }
    }

    public static let seeds: [Seed] = [
        Seed(english: "Call", vietnamese: "Gọi điện", next: 0, delayDays: 3),
        Seed(english: "Meeting", vietnamese: "Cuộc họp", next: 2, delayDays: 1),
        Seed(english: "E-mail", vietnamese: "E-mail", next: 0, delayDays: 3),
        Seed(english: "To-do", vietnamese: "Việc cần làm", next: 3, delayDays: 7),
    ]
}

/// That an activity was done: when, by whom, and what came of it.
public struct ActivityCompletion: Hashable, Sendable {
    public var at: Timestamp
    public var by: String
    /// What came of it (may be empty, may hold several lines).
    public var feedback: String

    public init(at: Timestamp, by: String, feedback: String = "") {
        self.at = at
        self.by = by
        self.feedback = feedback
    }
}

/// One activity of a record.
public struct Activity: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<Activity>

    public var id: ID
    public var record: Opportunity.ID
    public var type: ActivityType.ID
    /// One line, required.
    public var summary: String
    public var due: CalendarDate
    public var time: MinuteOfDay?
    /// Who does it (a login or a name, as salespeople are named); empty: nobody.
    public var assignedTo: String
    public var notes: String
    /// `nil` while open.
    public var completion: ActivityCompletion?
    public var createdAt: Timestamp
    public var createdBy: String
    public var updatedAt: Timestamp
    public var version: Int

    public init(id: ID, record: Opportunity.ID, type: ActivityType.ID, summary: String, due: CalendarDate,
                time: MinuteOfDay? = nil, assignedTo: String = "", notes: String = "", completion: ActivityCompletion? = nil,
                createdAt: Timestamp, createdBy: String = "", updatedAt: Timestamp? = nil, version: Int = 1) {
        self.id = id
        self.record = record
        self.type = type
        self.summary = summary
        self.due = due
        self.time = time
        self.assignedTo = assignedTo
        self.notes = notes
        self.completion = completion
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt ?? createdAt
        self.version = version
    }

    public var isDone: Bool { completion != nil }

    /// Overdue, due today or planned, on `today` (the user's local date). By the date alone,
    /// as the reference CRM does: a call at 09:00 today is "due today" all day, not overdue
    /// at 09:01 — a salesperson's day is planned by days, and a time is a reminder.
    public func timing(on today: CalendarDate) -> ActivityTiming {
        guard !isDone else { return .none }
        return ActivityTiming(due: due, today: today)
    }
}

/// Where a record's next step stands, as the card's mark shows it.
public enum ActivityTiming: String, Hashable, Sendable, CaseIterable {
    /// An open activity was due before today.
    case overdue
    /// The earliest open activity is due today.
    case dueToday
    /// The earliest open activity is due after today.
    case planned
    /// No open activity.
    case none

    /// The timing of an open activity due on `due`, on `today`.
    public init(due: CalendarDate, today: CalendarDate) {
        self = due < today ? .overdue : due == today ? .dueToday : .planned
    }
}

/// What a card needs to know of its record's activities without loading them: kept by the
/// engines beside the record's row (outside its version, like its rank), recomputed from the
/// activity rows in the same transaction as every activity write.
public struct ActivityGlance: Hashable, Sendable {
    /// The earliest open activity's due date and time (the card's next step).
    public var nextDue: CalendarDate?
    public var nextTime: MinuteOfDay?
    /// The latest open activity's due date: whether anything is planned from today on.
    public var latestOpenDue: CalendarDate?

    public init(nextDue: CalendarDate? = nil, nextTime: MinuteOfDay? = nil, latestOpenDue: CalendarDate? = nil) {
        self.nextDue = nextDue
        self.nextTime = nextTime
        self.latestOpenDue = latestOpenDue
    }

    public static let empty = ActivityGlance()

    /// The glance of these activities (what an engine computes in SQL; tests and checks
    /// compare against this): the open ones' earliest by (due, time, nulls last, id) and latest due.
    public init(of activities: [Activity]) {
        let open = activities.filter { !$0.isDone }
        let next = open.min { Activity.comesBefore($0, $1) }
        self.init(nextDue: next?.due, nextTime: next?.time, latestOpenDue: open.map(\.due).max())
    }
}

extension Activity {
    /// The order of activities by when they are due: date, then time (an activity without a
    /// time after those with one that day), then id.
    public static func comesBefore(_ a: Activity, _ b: Activity) -> Bool {
        if a.due != b.due { return a.due < b.due }
        switch (a.time, b.time) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.id < b.id
        }
    }
}

extension Opportunity {
    /// The state of the record's next step on `today` (the user's local date): overdue when
    /// any open activity is overdue (the earliest one is), else due today, planned, or none.
    public func activityTiming(on today: CalendarDate) -> ActivityTiming {
        guard let next = activityGlance.nextDue else { return .none }
        return ActivityTiming(due: next, today: today)
    }

    /// Whether the record's open activities are work to do: shown in activity lists (view 4,
    /// `activity list`), counted and marked on its card. Not once the deal is closed as lost
    /// (in a lost stage, `stageOutcome`) or archived (lost without a lost stage, a lost lead):
    /// the reference CRM deletes a record's activities when it is archived; we never delete,
    /// so they stay on the record's page and come back with it on restore. A won deal keeps
    /// them: an onboarding call after a win is real work.
    public func hasActivitiesToDo(stageOutcome: StageOutcome?) -> Bool {
        isActive && stageOutcome != .lost
    }

    /// Whether the deal rots in `stage` on `today` (the user's local date, with
    /// `utcOffsetSeconds` the offset that turns its stage-change instant into a local date):
    /// active, in an open stage with rotting on, in it for more than the stage's days, and
    /// with no open activity due today or later. Unlike Pipedrive's timer, a planned call
    /// keeps a deal fresh.
    public func isRotting(in stage: Stage, today: CalendarDate, utcOffsetSeconds: Int) -> Bool {
        guard kind == .opportunity, isActive, self.stage == stage.id, stage.outcome == .open,
              let days = stage.rottingDays else { return false }
        let entered = stageChangedAt.localDate(utcOffsetSeconds: utcOffsetSeconds)
        guard today.daysSince1970 - entered.daysSince1970 > days else { return false }
        if let planned = activityGlance.latestOpenDue, planned >= today { return false }
        return true
    }

    /// The latest instant a deal may have entered its stage and rot on `today` under
    /// `rottingDays`: entered on a local date before `today − days`, i.e. before the first
    /// instant of `today − days` in the user's zone. What the engines' rotting filter compares
    /// `stage_changed_at` against (it equals `isRotting`'s day count for every instant).
    public static func rottingThreshold(today: CalendarDate, rottingDays: Int, utcOffsetSeconds: Int) -> Timestamp {
        let firstLocalDay = today.adding(days: -rottingDays)
        return Timestamp(millisecondsSince1970: Int64(firstLocalDay.daysSince1970) * 86_400_000 - Int64(utcOffsetSeconds) * 1000)
    }
}

/// A note on a record's timeline: written once, never edited, deletable by its author or a
/// manager of the record's team.
public struct DealNote: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<DealNote>

    public var id: ID
    public var record: Opportunity.ID
    /// Several lines allowed; never empty.
    public var text: String
    public var author: String
    public var at: Timestamp

    public init(id: ID, record: Opportunity.ID, text: String, author: String, at: Timestamp) {
        self.id = id
        self.record = record
        self.text = text
        self.author = author
        self.at = at
    }

    /// A note's text as typed: several lines, required, no control characters.
    public static func validText(_ text: String) throws(PipelineError) -> String {
        let cleaned = try TextInput.multiLine(text, field: .noteText)
        guard !cleaned.isEmpty else { throw .emptyText(.noteText) }
        return cleaned
    }
}
