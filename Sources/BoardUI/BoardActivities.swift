import PipelineCore
import PipelineStorage
import TerminalCore

/// Whose activities view 4 lists; `m` there goes from one to the next.
public enum ActivityScope: String, Sendable, CaseIterable {
    /// Those assigned to the user (the default: a salesperson's day).
    case mine
    /// Every activity of the team shown.
    case team
    /// Every activity the user may see.
    case everyone

    public var next: ActivityScope {
        let all = Self.allCases
        return all[((all.firstIndex(of: self) ?? 0) + 1) % all.count]
    }
}

/// One line of view 4: the activity and the deal it belongs to (read with the page).
public struct ActivityRow: Sendable, Hashable {
    public var activity: Activity
    /// `nil` when the user may not see it (a server hides it) or it is gone.
    public var deal: Opportunity?

    public init(activity: Activity, deal: Opportunity?) {
        self.activity = activity
        self.deal = deal
    }
}

/// A page of view 4 as the store returned it.
public struct ActivityPage: Sendable {
    public var rows: [ActivityRow]
    public var hasMore: Bool
    /// The activity the page starts after (`nil`: the first page).
    public var after: ActivityCursor?
    public var scope: ActivityScope

    public init(rows: [ActivityRow], hasMore: Bool, after: ActivityCursor?, scope: ActivityScope) {
        self.rows = rows
        self.hasMore = hasMore
        self.after = after
        self.scope = scope
    }
}

/// View 4: one page of activities, by due date (overdue first), never the whole list.
public struct ActivityList: Sendable {
    public var scope: ActivityScope = .mine
    public var rows: [ActivityRow] = []
    public var selected: Activity.ID?
    public var hasMore = false
    /// Where this page starts (after that activity; `nil`: the first page).
    public var pageStart: ActivityCursor?
    /// Where the pages before this one start: PgUp goes back through them.
    public var pagesBefore: [ActivityCursor?] = []
    /// A page has arrived since the view opened.
    public var loaded = false

    public init() {}

    public var selectedRow: ActivityRow? { rows.first { $0.activity.id == selected } }
}

/// `a` on a card: a new activity of the deal — type (Space or ← → cycle them), summary,
/// due date, time, assigned to — validated by the core's `ActivityForm`.
public struct ActivityEditor: Sendable {
    public var record: Opportunity
    public var form: Form
    let types: [ActivityType]

    static let type = "activityEditor.type", summary = "activityEditor.summary", due = "activityEditor.due",
               time = "activityEditor.time", assignedTo = "activityEditor.assignedTo"

    public init(for record: Opportunity, types: [ActivityType], today: CalendarDate, language: Language) {
        self.record = record
        self.types = types
        form = Form(title: Catalogue.text("activityEditor.title", language, [record.title]), fields: [
            FormField(Self.type, language, .choice(types.map(\.name), selected: 0), domainField: .activityType),
            FormField(Self.summary, language, .text(TextField()), domainField: .summary),
            FormField(Self.due, language, .text(TextField(today.display(in: language))), domainField: .dueDate),
            FormField(Self.time, language, .text(TextField()), domainField: .time),
            FormField(Self.assignedTo, language, .text(TextField(record.salesperson)), domainField: .assignedTo),
        ])
        form.titleSubject = record.title
        form.focused = 1
    }

    /// The new activity, validated; `nil` with the errors beside their fields.
    mutating func changes(language: Language, today: CalendarDate) -> ActivityChanges? {
        form.clearErrors()
        let index = form.selectedIndex(Self.type)
        let type = types.indices.contains(index) ? String(types[index].id.rawValue) : ""
        do {
            return try ActivityForm(type: type, summary: form.value(Self.summary), due: form.value(Self.due),
                                    time: form.value(Self.time), assignedTo: form.value(Self.assignedTo))
                .validated(language: language, types: types, today: today)
        } catch {
            form.show(error, language: language)
            return nil
        }
    }
}

/// `d` in view 4: the activity done, what came of it, and the next one as its type
/// suggests (the reference CRM's "done & schedule next"). Enter marks it done and schedules
/// the next; Ctrl-D marks it done only; Esc closes it with no change (`u` takes either back).
public struct CompletionPane: Sendable {
    public var activity: Activity
    public var form: Form
    let types: [ActivityType]

    static let feedback = "completion.feedback", type = "completion.nextType", summary = "completion.nextSummary",
               due = "completion.nextDue", time = "completion.nextTime"

    public init(_ activity: Activity, types: [ActivityType], today: CalendarDate, language: Language) {
        self.activity = activity
        self.types = types
        let next = activity.nextSuggestion(types: types, today: today)
        let selected = types.firstIndex { $0.id == next.type } ?? 0
        form = Form(title: Catalogue.text("completion.title", language, [activity.summary]), fields: [
            FormField(Self.feedback, language, .text(TextField()), domainField: .feedback),
            FormField(Self.type, language, .choice(types.map(\.name), selected: selected), domainField: .activityType),
            FormField(Self.summary, language, .text(TextField(next.summary ?? "")), domainField: .summary),
            FormField(Self.due, language, .text(TextField((next.due ?? today).display(in: language))), domainField: .dueDate),
            FormField(Self.time, language, .text(TextField()), domainField: .time),
        ])
        form.titleSubject = activity.summary
    }

    public var feedbackText: String { form.value(Self.feedback) }

    /// The next type changed from the one at `previous`: the summary and the due date that
    /// still say what that type suggested say what the new one suggests (what was typed stays).
    mutating func followType(from previous: Int, today: CalendarDate, language: Language) {
        let index = form.selectedIndex(Self.type)
        guard types.indices.contains(previous), types.indices.contains(index) else { return }
        func suggestedDue(_ type: ActivityType) -> String { today.adding(days: type.nextDelayDays).display(in: language) }
        // The suggestion's due date is the done type's delay; a type chosen by hand brings its own.
        let suggestedBefore = [suggestedDue(types[previous]), activity.nextSuggestion(types: types, today: today).due?.display(in: language)]
        for i in form.fields.indices {
            guard case .text = form.fields[i].kind else { continue }
            if form.fields[i].id == Self.summary, form.value(Self.summary) == types[previous].name {
                form.fields[i].kind = .text(TextField(types[index].name))
            } else if form.fields[i].id == Self.due, suggestedBefore.contains(form.value(Self.due)) {
                form.fields[i].kind = .text(TextField(suggestedDue(types[index])))
            }
        }
    }

    /// The next activity the fields describe, validated; `nil` with the errors beside their fields.
    mutating func next(language: Language, today: CalendarDate) -> ActivityChanges? {
        form.clearErrors()
        let index = form.selectedIndex(Self.type)
        let type = types.indices.contains(index) ? String(types[index].id.rawValue) : ""
        do {
            return try ActivityForm(type: type, summary: form.value(Self.summary), due: form.value(Self.due),
                                    time: form.value(Self.time), assignedTo: activity.assignedTo)
                .validated(language: language, types: types, today: today)
        } catch {
            form.show(error, language: language)
            return nil
        }
    }
}

/// `r` in view 4: a new due date — `+1d`, `+1w`, `+3`, or a date.
public struct ReschedulePrompt: Sendable {
    public var activity: Activity
    public var form: Form

    static let due = "reschedule.due"

    public init(_ activity: Activity, language: Language) {
        self.activity = activity
        form = Form(title: Catalogue.text("reschedule.title", language, [activity.summary]), fields: [
            FormField(Self.due, language, .text(TextField()), domainField: .dueDate),
        ])
        form.titleSubject = activity.summary
    }
}

/// The keys of view 4 and of its panes.
enum BoardActivities {
    /// Rows of activities view 4 shows at once: the tab bar, the title, the column names, a
    /// row each for "more above" and "more below", and the status line take six.
    static func capacity(_ size: Size) -> Int { max(1, size.rows - 6) }

    static func key(_ key: Key, _ state: inout BoardState) -> [BoardEffect] {
        if let action = KeyMap.action(for: key, in: .activities) { return act(action, &state) }
        switch KeyMap.action(for: key, in: .board) {
        case .focusUp?: return select(-1, &state)
        case .focusDown?: return select(1, &state)
        case .pageDown?: return pageDown(&state)
        case .pageUp?: return pageUp(&state)
        case .focusFirst?:
            state.activities.pagesBefore = []
            return [.loadActivities(after: nil)]
        case .activate?:
            guard let row = state.activities.selectedRow else { return [] }
            return [.jumpToDeal(row.activity.record)]
        case .showPipeline?, .back?:
            state.status = nil
            state.view = .pipeline
            return []
        case .showActivities?:
            return [.loadActivities(after: state.activities.pageStart)]
        case let action? where [.nextView, .showLeads, .showForecast, .quit, .help, .teamPicker, .settings, .undo, .redo].contains(action):
            return BoardReducer.browse(action, &state)
        default:
            return []
        }
    }

    static func act(_ action: BoardAction, _ state: inout BoardState) -> [BoardEffect] {
        state.status = nil
        if action == .activityScope {
            state.activities.scope = state.activities.scope.next
            state.activities.pagesBefore = []
            state.activities.pageStart = nil
            state.activities.selected = nil
            return [.loadActivities(after: nil)]
        }
        guard let row = state.activities.selectedRow else { return [] }
        let activity = row.activity
        if let deal = row.deal, let refusal = state.access.refusalToChangeActivities(of: deal, in: state.team(of: deal)) {
            return state.refuse(refusal)
        }
        switch action {
        case .completeActivity:
            if activity.isDone { return [] }
            state.mode = .completeActivity(CompletionPane(activity, types: state.activityTypes, today: state.today, language: state.language))
            return []
        case .rescheduleActivity:
            state.mode = .reschedule(ReschedulePrompt(activity, language: state.language))
            return []
        case .postponeDay, .postponeWeek:
            let days = action == .postponeDay ? 1 : 7
            let due = max(activity.due, state.today).adding(days: days)
            return [.run(.rescheduleActivity(activity.id, to: due, expectedVersion: activity.version), origin: .user)]
        default:
            return []
        }
    }

    static func select(_ step: Int, _ state: inout BoardState) -> [BoardEffect] {
        let rows = state.activities.rows
        guard let index = rows.firstIndex(where: { $0.activity.id == state.activities.selected }) else {
            state.activities.selected = rows.first?.activity.id
            return []
        }
        let target = index + step
        if rows.indices.contains(target) {
            state.activities.selected = rows[target].activity.id
            return []
        }
        return step > 0 ? pageDown(&state) : pageUp(&state)
    }

    static func pageDown(_ state: inout BoardState) -> [BoardEffect] {
        guard state.activities.hasMore, let last = state.activities.rows.last else {
            state.activities.selected = state.activities.rows.last?.activity.id
            return []
        }
        state.activities.pagesBefore.append(state.activities.pageStart)
        state.activities.selected = nil
        return [.loadActivities(after: last.activity.cursor)]
    }

    static func pageUp(_ state: inout BoardState) -> [BoardEffect] {
        guard let start = state.activities.pagesBefore.popLast() else {
            state.activities.selected = state.activities.rows.first?.activity.id
            return []
        }
        state.activities.selected = nil
        return [.loadActivities(after: start)]
    }

    static func loaded(_ page: ActivityPage, _ state: inout BoardState) {
        guard page.scope == state.activities.scope else { return }
        state.activities.rows = page.rows
        state.activities.hasMore = page.hasMore
        state.activities.pageStart = page.after
        state.activities.loaded = true
        if !page.rows.contains(where: { $0.activity.id == state.activities.selected }) {
            state.activities.selected = page.rows.first?.activity.id
        }
    }

    /// Enter in view 4 found the activity's deal: its card on the pipeline, focused (a lead
    /// in the Leads view); a deal the board does not show here is said so.
    static func show(_ deal: Opportunity, _ state: inout BoardState) -> [BoardEffect] {
        if deal.kind == .lead, deal.isActive, state.leadsEnabled, deal.team == state.team.id {
            state.view = .leads
            return [.loadLeads(.startingAt(deal.cursor(in: state.leads.order)), focus: .card(deal.id))]
        }
        guard deal.kind == .opportunity, deal.isActive, deal.team == state.team.id, let stage = deal.stage, state.stage(stage) != nil else {
            let team = state.teams.first { $0.id == deal.team }?.name ?? ""
            state.status = .hint(deal.team == state.team.id || team.isEmpty ? state.t("activities.dealNotShown", deal.title)
                                     : state.t("activities.dealInTeam", deal.title, team))
            return []
        }
        state.view = .pipeline
        state.focus = .card(stage, deal.id)
        return [.reload(focus: .card(stage, deal.id))]
    }

    /// `a` on a card.
    static func addActivity(_ state: inout BoardState) -> [BoardEffect] {
        guard let card = state.focusedCard else { return [] }
        if let refusal = state.access.refusalToChangeActivities(of: card, in: state.team(of: card)) { return state.refuse(refusal) }
        guard !state.activityTypes.isEmpty else {
            state.status = .error(state.t("board.noActivityTypes"))
            return []
        }
        state.mode = .activityEditor(ActivityEditor(for: card, types: state.activityTypes, today: state.today, language: state.language))
        return []
    }

    // MARK: - Panes

    static func editor(_ key: Key, _ editor: inout ActivityEditor, _ state: inout BoardState) -> [BoardEffect] {
        guard BoardEditing.savesForm(key, &editor.form, &state) else { return [] }
        guard let changes = editor.changes(language: state.language, today: state.today) else { return [] }
        return [.run(.addActivity(editor.record.id, changes), origin: .user)]
    }

    static func completion(_ key: Key, _ pane: inout CompletionPane, _ state: inout BoardState) -> [BoardEffect] {
        let activity = pane.activity
        if key == .control("d") {
            // Done, without a next one. Esc closes without any change, as in every pane.
            return [.run(.completeActivity(activity.id, feedback: pane.feedbackText, next: nil, expectedVersion: activity.version),
                         origin: .user)]
        }
        let typeBefore = pane.form.selectedIndex(CompletionPane.type)
        switch BoardEditing.formKey(key, &pane.form) {
        case .handled:
            if pane.form.selectedIndex(CompletionPane.type) != typeBefore {
                pane.followType(from: typeBefore, today: state.today, language: state.language)
            }
            return []
        case .close:
            state.mode = .browsing
            return []
        case .save:
            guard let next = pane.next(language: state.language, today: state.today) else { return [] }
            return [.run(.completeActivity(activity.id, feedback: pane.feedbackText, next: next, expectedVersion: activity.version),
                         origin: .user)]
        }
    }

    static func reschedule(_ key: Key, _ prompt: inout ReschedulePrompt, _ state: inout BoardState) -> [BoardEffect] {
        guard BoardEditing.savesForm(key, &prompt.form, &state) else { return [] }
        prompt.form.clearErrors()
        do {
            let due = try ActivityReschedule.dueDate(prompt.form.value(ReschedulePrompt.due), from: prompt.activity.due,
                                                     today: state.today, language: state.language)
            return [.run(.rescheduleActivity(prompt.activity.id, to: due, expectedVersion: prompt.activity.version), origin: .user)]
        } catch {
            prompt.form.show(error, language: state.language)
            return []
        }
    }
}

/// The board's filter as typed, in its parts: the words matched against title, customer
/// and salesperson; an `@name` word, that salesperson's deals only (what `m` does for the
/// user); the word `rotting`, the rotting deals only.
public struct BoardFilter: Hashable, Sendable {
    public var text: String
    public var salesperson: String?
    public var rotting: Bool

    public static let rottingWord = "rotting"

    public init(_ typed: String) {
        var words: [Substring] = []
        var salesperson: String?
        var rotting = false
        for word in typed.split(separator: " ") {
            if word.hasPrefix("@"), word.count > 1 {
                salesperson = String(word.dropFirst())
            } else if word.lowercased() == Self.rottingWord {
                rotting = true
            } else {
                words.append(word)
            }
        }
        text = words.joined(separator: " ")
        self.salesperson = salesperson
        self.rotting = rotting
    }
}
