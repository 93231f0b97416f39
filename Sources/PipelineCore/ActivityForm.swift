/// What a user typed for an activity, field by field; `nil` means "not given". The CLI and
/// the board both fill one and let the core validate it, as `OpportunityForm`.
public struct ActivityForm: Sendable {
    /// An activity type named as typed: its id, or its name ignoring case.
    public var type: String?
    public var summary: String?
    /// The language's date form (ISO everywhere, DD/MM/YYYY too in Vietnamese).
    public var due: String?
    /// `14:30`; an empty string clears the time.
    public var time: String?
    /// A login or a name; an empty string leaves it to nobody.
    public var assignedTo: String?
    public var notes: String?

    public init(type: String? = nil, summary: String? = nil, due: String? = nil, time: String? = nil,
                assignedTo: String? = nil, notes: String? = nil) {
        self.type = type
        self.summary = summary
        self.due = due
        self.time = time
        self.assignedTo = assignedTo
        self.notes = notes
    }

    /// Validates every given field; `types` are the activity types a type is looked up in.
    /// With `today` (the user's local date), a due date may also be `today`, `tomorrow`,
    /// `+3d`, `+1w` (`CalendarDate(parsingDue:language:today:)`), as on the command line.
    public func validated(language: Language, types: [ActivityType], today: CalendarDate? = nil) throws(PipelineError) -> ActivityChanges {
        var changes = ActivityChanges()
        if let type { changes.type = try ActivityType.resolve(type, in: types).id }
        if let summary { changes.summary = try TextInput.requiredName(summary, field: .summary) }
        if let due {
            if let today {
                changes.due = try CalendarDate(parsingDue: due, language: language, today: today)
            } else {
                changes.due = try CalendarDate(parsing: due, language: language, field: .dueDate)
            }
        }
        if let time {
            let trimmed = time.trimmingWhitespace()
            changes.time = .some(trimmed.isEmpty ? nil : try MinuteOfDay(parsing: trimmed))
        }
        if let assignedTo { changes.assignedTo = try TextInput.singleLine(assignedTo, field: .assignedTo) }
        if let notes { changes.notes = try TextInput.multiLine(notes, field: .activityNotes) }
        return changes
    }
}

/// Validated changes to an activity; `nil` fields stay as they are.
public struct ActivityChanges: Hashable, Sendable {
    public var type: ActivityType.ID?
    public var summary: String?
    public var due: CalendarDate?
    /// `.some(nil)` clears the time.
    public var time: MinuteOfDay??
    public var assignedTo: String?
    public var notes: String?

    public init(type: ActivityType.ID? = nil, summary: String? = nil, due: CalendarDate? = nil, time: MinuteOfDay?? = nil,
                assignedTo: String? = nil, notes: String? = nil) {
        self.type = type
        self.summary = summary
        self.due = due
        self.time = time
        self.assignedTo = assignedTo
        self.notes = notes
    }

    public var isEmpty: Bool { self == ActivityChanges() }
}

extension CalendarDate {
    /// `init(parsing:language:)` with the error naming `field` (a due date, not a closing date).
    public init(parsing text: String, language: Language, field: Field) throws(PipelineError) {
        do {
            try self.init(parsing: text, language: language)
        } catch {
            guard field != .closingDate, case .invalidDate(let typed, let dayFirst) = error else { throw error }
            throw .invalidDueDate(typed, dayFirst: dayFirst)
        }
    }
}

extension ActivityType {
    /// Finds a type by what a user typed: a number is an id, anything else a name ignoring case.
    public static func resolve(_ reference: String, in types: [ActivityType]) throws(PipelineError) -> ActivityType {
        let trimmed = reference.trimmingWhitespace()
        if let number = Int64(trimmed), let found = types.first(where: { $0.id.rawValue == number }) { return found }
        let key = TextInput.nameKey(trimmed)
        guard let found = types.first(where: { TextInput.nameKey($0.name) == key }) else {
            throw .unknownActivityType(reference, known: types.map(\.name))
        }
        return found
    }

    /// A new type, validated: its name unique ignoring case among `others`.
    public static func validated(name: String, nextType: ID?, nextDelayDays: Int, among others: [ActivityType],
                                 excluding id: ID? = nil) throws(PipelineError) -> (name: String, nextType: ID?, nextDelayDays: Int) {
        let name = try TextInput.requiredName(name, field: .activityTypeName)
        let key = TextInput.nameKey(name)
        if others.contains(where: { $0.id != id && TextInput.nameKey($0.name) == key }) { throw .duplicateActivityTypeName(name) }
        guard nextDelayRange.contains(nextDelayDays) else { throw .invalidNextDelay(String(nextDelayDays)) }
        if let nextType, nextType != id, !others.contains(where: { $0.id == nextType }) {
            throw .unknownActivityType(String(nextType.rawValue), known: others.map(\.name))
        }
        return (name, nextType, nextDelayDays)
    }
}

extension Activity {
    /// A new activity of `record` from validated changes: type, summary and due date are
    /// required; it goes to `record`'s salesperson unless assigned.
    public static func create(_ changes: ActivityChanges, for record: Opportunity, at now: Timestamp,
                              by user: String) throws(PipelineError) -> Activity {
        guard let type = changes.type else { throw .emptyText(.activityType) }
        guard let summary = changes.summary else { throw .emptyText(.summary) }
        guard let due = changes.due else { throw .emptyText(.dueDate) }
        return Activity(id: ID(0), record: record.id, type: type, summary: summary, due: due, time: changes.time ?? nil,
                        assignedTo: changes.assignedTo ?? record.salesperson, notes: changes.notes ?? "",
                        createdAt: now, createdBy: user)
    }

    /// The activity with the given fields changed; `nothingToChange` when none is given.
    public func edited(_ changes: ActivityChanges, at now: Timestamp) throws(PipelineError) -> Activity {
        guard !changes.isEmpty else { throw .nothingToChange }
        // What was done is history (the timeline shows it): reopen it to change it.
        guard !isDone else { throw .activityAlreadyDone(id) }
        var result = self
        if let type = changes.type { result.type = type }
        if let summary = changes.summary { result.summary = summary }
        if let due = changes.due { result.due = due }
        if let time = changes.time { result.time = time }
        if let assignedTo = changes.assignedTo { result.assignedTo = assignedTo }
        if let notes = changes.notes { result.notes = notes }
        result.updatedAt = now
        return result
    }

    /// Marked done now by `user`, with what came of it. An activity done already is refused
    /// (its completion is history: reopen it first).
    public func completed(feedback: String, at now: Timestamp, by user: String) throws(PipelineError) -> Activity {
        guard !isDone else { throw .activityAlreadyDone(id) }
        var result = self
        result.completion = ActivityCompletion(at: now, by: user, feedback: try TextInput.multiLine(feedback, field: .feedback))
        result.updatedAt = now
        return result
    }

    /// Open again (a "done" pressed by mistake); its feedback goes with the completion.
    public func reopened(at now: Timestamp) throws(PipelineError) -> Activity {
        guard isDone else { throw .activityNotDone(id) }
        var result = self
        result.completion = nil
        result.updatedAt = now
        return result
    }

    /// What "done & schedule next" pre-fills after this activity is done on `today` (the
    /// user's local date): the type's next type, due its delay after today, for the same
    /// person; the summary is the next type's name, for the user to reword.
    public func nextSuggestion(types: [ActivityType], today: CalendarDate) -> ActivityChanges {
        let own = types.first { $0.id == type }
        let nextID = own?.nextType ?? type
        let next = types.first { $0.id == nextID } ?? own
        return ActivityChanges(type: next?.id ?? type, summary: next?.name ?? summary,
                               due: today.adding(days: own?.nextDelayDays ?? 0), time: .some(nil), assignedTo: assignedTo, notes: "")
    }
}
