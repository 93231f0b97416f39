import PipelineCore

/// The reading operations on activities and notes every engine shares (issue 13).
extension StoreReader {
    /// A record's page: the record, its activities, notes and timeline, in one read.
    public func dealPage(of id: Opportunity.ID) throws -> DealPage {
        guard let record = try record(id) else { throw PipelineError.unknownOpportunity(String(id.rawValue)) }
        let activities = try activities(of: id)
        let notes = try notes(of: id)
        let history = try history(of: id)
        let types = try activityTypes()
        let timeline = Timeline.entries(history: history.map(\.named), activities: activities, types: types, notes: notes)
        return DealPage(record: record, activities: activities, notes: notes, history: history, timeline: timeline,
                        activityTypes: types)
    }

    /// An activity by id as a user typed it (`#12` or `12`).
    public func activity(_ reference: String) throws -> Activity {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
        guard let number = Int64(digits), let found = try activity(Activity.ID(number)) else {
            throw PipelineError.unknownActivity(reference)
        }
        return found
    }
}

/// The writing operations on activities, notes and activity types every engine shares: load,
/// ask the core (rules and access), save with a version check, and keep the record's glance.
extension StoreWriter {
    // MARK: - Activities

    /// Adds an activity to `record` (a deal or a lead), assigned to its salesperson unless
    /// `changes` says otherwise.
    public func addActivity(to record: Opportunity.ID, _ changes: ActivityChanges, context: ChangeContext) throws -> Activity {
        let (owner, team) = try changeableRecord(record)
        var activity = try Activity.create(changes, for: owner, at: context.now, by: context.user)
        try checkActivityType(activity.type)
        try checkAssignee(activity.assignedTo, of: owner, in: team)
        activity.id = try insertActivity(activity)
        try refreshActivityGlance(of: record)
        return activity
    }

    /// Changes an activity's fields (type, summary, due date, time, assignee, notes).
    public func editActivity(_ id: Activity.ID, _ changes: ActivityChanges, expectedVersion: Int? = nil,
                             context: ChangeContext) throws -> Activity {
        try changeActivity(id, expectedVersion: expectedVersion) { current, record, team in
            let edited = try current.edited(changes, at: context.now)
            if changes.type != nil { try checkActivityType(edited.type) }
            if edited.assignedTo != current.assignedTo { try checkAssignee(edited.assignedTo, of: record, in: team) }
            return edited
        }
    }

    /// Moves an activity to another day (and time: `.some(nil)` clears it, `nil` keeps it).
    public func rescheduleActivity(_ id: Activity.ID, to due: CalendarDate, time: MinuteOfDay?? = nil, expectedVersion: Int? = nil,
                                   context: ChangeContext) throws -> Activity {
        try changeActivity(id, expectedVersion: expectedVersion) { current, _, _ in
            try current.edited(ActivityChanges(due: due, time: time), at: context.now)
        }
    }

    /// Marks an activity done with its feedback and, when `next` is given, schedules the next
    /// one on the same record, in one transaction: a next activity that is refused (no due
    /// date, a bad assignee) leaves the first one open.
    public func completeActivity(_ id: Activity.ID, feedback: String = "", next: ActivityChanges? = nil, expectedVersion: Int? = nil,
                                 context: ChangeContext) throws -> ActivityCompletionResult {
        let done = try changeActivity(id, expectedVersion: expectedVersion) { current, _, _ in
            try current.completed(feedback: feedback, at: context.now, by: context.user)
        }
        let following = try next.map { changes in try addActivity(to: done.record, changes, context: context) }
        return ActivityCompletionResult(done: done, next: following)
    }

    /// Opens a done activity again (its completion and feedback go).
    public func reopenActivity(_ id: Activity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Activity {
        try changeActivity(id, expectedVersion: expectedVersion) { current, _, _ in try current.reopened(at: context.now) }
    }

    /// Removes an activity for good.
    public func removeActivity(_ id: Activity.ID, expectedVersion: Int? = nil) throws {
        let current = try loadActivity(id, expectedVersion: expectedVersion)
        _ = try changeableRecord(current.record)
        guard try deleteActivity(id, expectedVersion: current.version) else {
            throw PipelineError.changedSinceLoaded(kind: "activity", id: id.rawValue)
        }
        try refreshActivityGlance(of: current.record)
    }

    /// Loads an activity, asks whether the person may change its record, lets `body` compute
    /// the change, and saves it with a version check and the record's glance.
    func changeActivity(_ id: Activity.ID, expectedVersion: Int?, _ body: (Activity, Opportunity, Team) throws -> Activity) throws -> Activity {
        let current = try loadActivity(id, expectedVersion: expectedVersion)
        let (record, team) = try changeableRecord(current.record)
        var changed = try body(current, record, team)
        guard try updateActivity(changed, expectedVersion: current.version) else {
            throw PipelineError.changedSinceLoaded(kind: "activity", id: id.rawValue)
        }
        changed.version = current.version + 1
        try refreshActivityGlance(of: current.record)
        return changed
    }

    func loadActivity(_ id: Activity.ID, expectedVersion: Int?) throws -> Activity {
        guard let current = try activity(id) else { throw PipelineError.unknownActivity(String(id.rawValue)) }
        if let expectedVersion, expectedVersion != current.version {
            throw PipelineError.changedSinceLoaded(kind: "activity", id: id.rawValue)
        }
        return current
    }

    /// The record and its team, if the person may change it (and so its activities and notes).
    func changeableRecord(_ id: Opportunity.ID) throws -> (Opportunity, Team) {
        guard let record = try record(id) else { throw PipelineError.unknownOpportunity(String(id.rawValue)) }
        let team = Self.team(record.team, in: try catalog())
        try access().refusalToChangeActivities(of: record, in: team).enforce()
        return (record, team)
    }

    func checkActivityType(_ id: ActivityType.ID) throws {
        let types = try activityTypes()
        guard types.contains(where: { $0.id == id }) else {
            throw PipelineError.unknownActivityType(String(id.rawValue), known: types.map(\.name))
        }
    }

    func checkAssignee(_ assignee: String, of record: Opportunity, in team: Team) throws {
        let members = try memberLogins(of: team.id)
        try access().refusalToAssignActivity(to: assignee, of: record, in: team, members: members).enforce()
    }

    // MARK: - Notes

    /// Adds a note to `record`'s timeline, written by the person acting, now.
    public func addNote(to record: Opportunity.ID, text: String, context: ChangeContext) throws -> DealNote {
        _ = try changeableRecord(record)
        var note = DealNote(id: DealNote.ID(0), record: record, text: try DealNote.validText(text), author: context.user, at: context.now)
        note.id = try insertNote(note)
        return note
    }

    /// Removes a note: its author's or a manager's of the record's team.
    public func removeNote(_ id: DealNote.ID) throws {
        guard let note = try note(id) else { throw PipelineError.unknownNote(String(id.rawValue)) }
        guard let record = try record(note.record) else { throw PipelineError.unknownOpportunity(String(note.record.rawValue)) }
        try access().refusalToRemove(note, in: Self.team(record.team, in: try catalog())).enforce()
        guard try deleteNote(id) else { throw PipelineError.unknownNote(String(id.rawValue)) }
    }

    // MARK: - Activity types

    /// Adds a type at the end of the list; `nextType` `nil` makes it its own next step.
    public func addActivityType(name: String, nextType: ActivityType.ID? = nil, nextDelayDays: Int = 0) throws -> ActivityType {
        try access().refusalToManageActivityTypes().enforce()
        let types = try activityTypes()
        let valid = try ActivityType.validated(name: name, nextType: nextType, nextDelayDays: nextDelayDays, among: types)
        var type = ActivityType(id: ActivityType.ID(0), name: valid.name, nextType: valid.nextType, nextDelayDays: valid.nextDelayDays,
                                sortOrder: (types.map(\.sortOrder).max() ?? 0) + 1)
        type.id = try insertActivityType(type)
        if type.nextType == nil {
            type.nextType = type.id
            guard try updateActivityType(type, expectedVersion: 1) else {
                throw PipelineError.changedSinceLoaded(kind: "activityType", id: type.id.rawValue)
            }
            type.version = 2
        }
        return type
    }

    /// Renames a type or changes what it pre-fills next (`nil`: unchanged).
    public func editActivityType(_ id: ActivityType.ID, name: String? = nil, nextType: ActivityType.ID? = nil, nextDelayDays: Int? = nil,
                                 expectedVersion: Int? = nil) throws -> ActivityType {
        try access().refusalToManageActivityTypes().enforce()
        let types = try activityTypes()
        guard var type = types.first(where: { $0.id == id }) else {
            throw PipelineError.unknownActivityType(String(id.rawValue), known: types.map(\.name))
        }
        if let expectedVersion, expectedVersion != type.version {
            throw PipelineError.changedSinceLoaded(kind: "activityType", id: id.rawValue)
        }
        guard name != nil || nextType != nil || nextDelayDays != nil else { throw PipelineError.nothingToChange }
        let valid = try ActivityType.validated(name: name ?? type.name, nextType: nextType ?? type.nextType,
                                               nextDelayDays: nextDelayDays ?? type.nextDelayDays, among: types, excluding: id)
        let current = type.version
        (type.name, type.nextType, type.nextDelayDays) = valid
        guard try updateActivityType(type, expectedVersion: current) else {
            throw PipelineError.changedSinceLoaded(kind: "activityType", id: id.rawValue)
        }
        type.version = current + 1
        return type
    }

    /// Removes a type no activity has (refused in one sentence while some do); types that
    /// offered it as their next step offer themselves instead.
    public func removeActivityType(_ id: ActivityType.ID, expectedVersion: Int? = nil) throws {
        try access().refusalToManageActivityTypes().enforce()
        let types = try activityTypes()
        guard let type = types.first(where: { $0.id == id }) else {
            throw PipelineError.unknownActivityType(String(id.rawValue), known: types.map(\.name))
        }
        if let expectedVersion, expectedVersion != type.version {
            throw PipelineError.changedSinceLoaded(kind: "activityType", id: id.rawValue)
        }
        // On a server another team's activities may have it: refused without their number.
        let used = try activityCount(ofType: id)
        guard used == 0 else { throw PipelineError.activityTypeInUse(name: type.name, count: used) }
        for var other in types where other.id != id && other.nextType == id {
            let version = other.version
            other.nextType = other.id
            guard try updateActivityType(other, expectedVersion: version) else {
                throw PipelineError.changedSinceLoaded(kind: "activityType", id: other.id.rawValue)
            }
        }
        guard try deleteActivityType(id, expectedVersion: type.version) else {
            throw PipelineError.changedSinceLoaded(kind: "activityType", id: id.rawValue)
        }
    }
}
