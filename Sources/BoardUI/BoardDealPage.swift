import PipelineCore
import PipelineStorage
import TerminalCore

/// Enter on a card: the deal's page (issue 13) — its fields, editable in place with the card
/// editor's own form, its activities, its timeline newest first, and a note box. One read
/// of one deal (`dealPage(of:)`), never a column. Tab goes from section to section; the
/// page scrolls; Esc returns to the board with the same card focused.
public struct DealPageState: Sendable {
    /// The parts of the page Tab goes through, top to bottom.
    public enum Section: Int, Sendable, CaseIterable {
        case fields, activities, timeline, note

        var next: Section { Section(rawValue: (rawValue + 1) % Self.allCases.count) ?? .fields }
        var previous: Section { Section(rawValue: (rawValue + Self.allCases.count - 1) % Self.allCases.count) ?? .fields }
    }

    public var record: Opportunity.ID
    /// Where focus goes back to on the board.
    public var returnFocus: Focus?
    /// The deal as last read; `nil` until the first read arrives.
    public var data: DealPage?
    public var section: Section = .fields
    /// The first row of the page's body in sight.
    public var scroll = 0
    /// The fields as typed while another section has the keys (the card editor's form; while
    /// the fields have the keys it is the mode's `.cardEditor`).
    public var editor: CardEditor?
    public var selectedActivity: Activity.ID?
    /// The timeline entry selected (its index, newest first).
    public var selectedEntry = 0
    public var noteBox: Form

    static let noteField = "page.noteBox"

    public init(record: Opportunity.ID, returnFocus: Focus?, language: Language) {
        self.record = record
        self.returnFocus = returnFocus
        noteBox = Form(title: "", fields: [FormField(Self.noteField, language, .text(TextField()), domainField: .noteText)])
    }

    public var selectedNote: DealNote? {
        guard let data, data.timeline.indices.contains(selectedEntry),
              case .note(let id, _) = data.timeline[selectedEntry].kind else { return nil }
        return data.notes.first { $0.id == id }
    }

    /// The activities as the page lists them: planned by due, then done, newest first.
    public var activities: [Activity] {
        guard let data else { return [] }
        let open = data.activities.filter { !$0.isDone }.sorted(by: Activity.comesBefore)
        let done = data.activities.filter(\.isDone).sorted { ($0.completion?.at ?? $0.updatedAt) > ($1.completion?.at ?? $1.updatedAt) }
        return open + done
    }

    public var selectedActivityValue: Activity? { activities.first { $0.id == selectedActivity } }
}

/// The page's keys and the arrival of its data.
enum BoardDealPage {
    /// Enter on a card: the page opens on its fields (read only, with the reason on the
    /// status line, for a deal the user may not change) and its data is read.
    static func open(_ card: Opportunity, _ state: inout BoardState) -> [BoardEffect] {
        var page = DealPageState(record: card.id, returnFocus: state.focus, language: state.language)
        var effects: [BoardEffect] = [.loadDealPage(card.id)]
        if let refusal = state.refusalToChange(card) {
            page.section = .timeline
            effects += state.refuse(refusal)
            state.mode = .browsing
        } else {
            state.mode = .cardEditor(CardEditor(editing: card, language: state.language))
        }
        state.page = page
        return effects
    }

    static func close(_ state: inout BoardState) -> [BoardEffect] {
        guard let page = state.page else { return [] }
        state.page = nil
        state.mode = .browsing
        state.focus = page.returnFocus
        return [.reload(focus: page.returnFocus)]
    }

    /// Rows of the page's body in sight: the tab bar, the title and the status line take three.
    static func bodyHeight(_ size: Size) -> Int { max(1, size.rows - 3) }

    /// A key while the page is open and no pane is over it (`.browsing`, or the fields'
    /// `.cardEditor`).
    static func key(_ key: Key, _ state: inout BoardState) -> [BoardEffect] {
        guard var page = state.page else { return [] }
        let height = bodyHeight(state.size)
        let last = max(0, BoardDealPageView.rows(state, page).count - height)
        switch key {
        case .tab, .backTab:
            // In the fields, Tab goes field by field as the card editor did, and leaves them
            // only after the last field (Shift+Tab before the first).
            if page.section == .fields, case .cardEditor(var editor) = state.mode {
                let last = editor.form.fields.count - 1
                if key == .tab, editor.form.focused < last {
                    editor.form.focusNext()
                } else if key == .backTab, editor.form.focused > 0 {
                    editor.form.focusPrevious()
                } else {
                    editor.form.focused = key == .tab ? 0 : last
                    state.mode = .cardEditor(editor)
                    return moveSection(key, &page, &state)
                }
                state.mode = .cardEditor(editor)
                reveal(&page, state)
                state.page = page
                return []
            }
            return moveSection(key, &page, &state)
        case .pageDown:
            page.scroll = min(last, page.scroll + max(1, height - 1))
            state.page = page
            return []
        case .pageUp:
            page.scroll = max(0, page.scroll - max(1, height - 1))
            state.page = page
            return []
        default:
            break
        }
        switch page.section {
        case .fields:
            return fieldsKey(key, &page, &state)
        case .note:
            let effects = noteKey(key, &page, &state)
            // An error under the box comes into sight with it.
            if state.page != nil {
                reveal(&page, state)
                state.page = page
            }
            return effects
        case .activities, .timeline:
            if key == .escape { return close(&state) }
            if key == .home || key == .end {
                page.scroll = key == .home ? 0 : last
                state.page = page
                return []
            }
            let effects = page.section == .activities ? activitiesKey(key, &page, &state) : timelineKey(key, &page, &state)
            reveal(&page, state)
            if state.page != nil { state.page = page }
            return effects
        }
    }

    /// The fields have the keys: the card editor's form, saved as the card editor saves.
    static func fieldsKey(_ key: Key, _ page: inout DealPageState, _ state: inout BoardState) -> [BoardEffect] {
        guard case .cardEditor(var editor) = state.mode else {
            // Read only (the deal is not the user's to change): Esc goes back, nothing else.
            return key == .escape ? close(&state) : []
        }
        if key == .escape { return close(&state) }
        let effects = BoardEditing.cardEditor(key, &editor, &state, isNew: false)
        state.mode = .cardEditor(editor)
        page.editor = nil
        reveal(&page, state)
        state.page = page
        return effects
    }

    static func noteKey(_ key: Key, _ page: inout DealPageState, _ state: inout BoardState) -> [BoardEffect] {
        if key == .escape { return close(&state) }
        defer { state.page = page }
        switch key {
        case .enter, .control("s"):
            page.noteBox.clearErrors()
            guard let record = page.data?.record else { return [] }
            if let refusal = state.access.refusalToChangeActivities(of: record, in: state.team(of: record)) {
                return state.refuse(refusal)
            }
            do {
                let text = try DealNote.validText(page.noteBox.value(DealPageState.noteField))
                return [.run(.addNote(record.id, text: text), origin: .user)]
            } catch {
                page.noteBox.show(error, language: state.language)
                if case .emptyText = error { page.noteBox.fields[0].error = state.t("page.note.required") }
                return []
            }
        default:
            if let edit = BoardEditing.textEdit(for: key) { page.noteBox.edit(edit) }
            return []
        }
    }

    static func activitiesKey(_ key: Key, _ page: inout DealPageState, _ state: inout BoardState) -> [BoardEffect] {
        let activities = page.activities
        let index = activities.firstIndex { $0.id == page.selectedActivity }
        switch key {
        case .up, .character("k"):
            if let index, index > 0 { page.selectedActivity = activities[index - 1].id }
            return []
        case .down, .character("j"):
            if let index, index + 1 < activities.count { page.selectedActivity = activities[index + 1].id }
            else if index == nil { page.selectedActivity = activities.first?.id }
            return []
        case .character("a"):
            guard let record = page.data?.record else { return [] }
            if let refusal = state.access.refusalToChangeActivities(of: record, in: state.team(of: record)) { return state.refuse(refusal) }
            guard !state.activityTypes.isEmpty else {
                state.status = .error(state.t("board.noActivityTypes"))
                return []
            }
            state.mode = .activityEditor(ActivityEditor(for: record, types: state.activityTypes, today: state.today, language: state.language))
            return []
        case .character("d"):
            guard let record = page.data?.record, let activity = page.selectedActivityValue else { return [] }
            if activity.isDone {
                state.status = .hint(state.t("page.activity.alreadyDone", activity.summary))
                return []
            }
            if let refusal = state.access.refusalToChangeActivities(of: record, in: state.team(of: record)) { return state.refuse(refusal) }
            state.mode = .completeActivity(CompletionPane(activity, types: state.activityTypes, today: state.today, language: state.language))
            return []
        default:
            return []
        }
    }

    static func timelineKey(_ key: Key, _ page: inout DealPageState, _ state: inout BoardState) -> [BoardEffect] {
        let count = page.data?.timeline.count ?? 0
        switch key {
        case .up, .character("k"):
            page.selectedEntry = max(0, page.selectedEntry - 1)
            return []
        case .down, .character("j"):
            page.selectedEntry = min(max(0, count - 1), page.selectedEntry + 1)
            return []
        case .character("x"), .delete:
            guard let note = page.selectedNote, let record = page.data?.record else {
                state.status = .hint(state.t("page.note.onlyNotes"))
                return []
            }
            if let refusal = state.access.refusalToRemove(note, in: state.team(of: record)) { return state.refuse(refusal) }
            return [.run(.removeNote(note), origin: .user)]
        default:
            return []
        }
    }

    /// Tab or Shift+Tab to the next or previous section; coming back to the fields with
    /// Shift+Tab lands on their last field, with Tab on their first.
    static func moveSection(_ key: Key, _ page: inout DealPageState, _ state: inout BoardState) -> [BoardEffect] {
        leave(&page, &state)
        page.section = key == .tab ? page.section.next : page.section.previous
        enter(&page, &state)
        if page.section == .fields, case .cardEditor(var editor) = state.mode {
            editor.form.focused = key == .tab ? 0 : editor.form.fields.count - 1
            state.mode = .cardEditor(editor)
        }
        reveal(&page, state)
        state.page = page
        return []
    }

    /// The fields keep what was typed while another section has the keys.
    static func leave(_ page: inout DealPageState, _ state: inout BoardState) {
        if page.section == .fields, case .cardEditor(let editor) = state.mode {
            page.editor = editor
            state.mode = .browsing
        }
    }

    static func enter(_ page: inout DealPageState, _ state: inout BoardState) {
        switch page.section {
        case .fields:
            guard let record = page.data?.record, state.refusalToChange(record) == nil else { return }
            state.mode = .cardEditor(page.editor ?? CardEditor(editing: record, language: state.language))
            page.editor = nil
        case .activities:
            if page.selectedActivity == nil { page.selectedActivity = page.activities.first?.id }
        case .timeline, .note:
            break
        }
    }

    /// Scrolls just enough for what has the keys to be in sight.
    static func reveal(_ page: inout DealPageState, _ state: BoardState) {
        let rows = BoardDealPageView.rows(state, page)
        let height = bodyHeight(state.size)
        let anchor: BoardDealPageView.Anchor
        switch page.section {
        case .fields:
            guard case .cardEditor(let editor) = state.mode else { anchor = .heading(.fields); break }
            anchor = .field(editor.form.focused)
        case .activities: anchor = page.selectedActivity.map { .activity($0) } ?? .heading(.activities)
        case .timeline: anchor = page.data?.timeline.isEmpty == false ? .entry(page.selectedEntry) : .heading(.timeline)
        case .note: anchor = .noteBox
        }
        let matching = rows.indices.filter { rows[$0].anchor == anchor }
        guard let first = matching.first, let lastRow = matching.last else { return }
        // The section's heading comes into sight with its first item.
        let top = rows.indices.contains(first - 1) && rows[first - 1].anchor == .heading(page.section) ? first - 1 : first
        if top < page.scroll { page.scroll = top }
        if lastRow >= page.scroll + height { page.scroll = min(top, lastRow - height + 1) }
        page.scroll = max(0, min(page.scroll, max(0, rows.count - height)))
    }

    /// The page's data arrived (opened, or read again after a change here or elsewhere):
    /// the scroll and selections stay; the fields follow the deal unless something was typed.
    static func loaded(_ data: DealPage, _ state: inout BoardState) {
        guard var page = state.page, page.record == data.record.id else { return }
        let before = page.data?.record
        page.data = data
        if state.activityTypes.isEmpty { state.activityTypes = data.activityTypes }
        if page.selectedActivity.map({ id in !data.activities.contains { $0.id == id } }) ?? true {
            page.selectedActivity = page.section == .activities ? page.activities.first?.id : nil
        }
        page.selectedEntry = min(page.selectedEntry, max(0, data.timeline.count - 1))
        if page.section == .fields {
            switch state.mode {
            case .cardEditor(let editor):
                state.mode = .cardEditor(refreshed(editor, before: before, after: data.record, state.language))
            case .browsing where state.refusalToChange(data.record) == nil:
                state.mode = .cardEditor(CardEditor(editing: data.record, language: state.language))
            default:
                break
            }
        } else if let editor = page.editor {
            page.editor = refreshed(editor, before: before, after: data.record, state.language)
        }
        page.scroll = max(0, min(page.scroll, max(0, BoardDealPageView.rows(state, page).count - bodyHeight(state.size))))
        state.page = page
    }

    /// The card editor's form for the deal as it is now: rebuilt when nothing was typed in it
    /// (or what was typed is what was just saved), else kept as typed, for saving to say the
    /// deal changed meanwhile.
    static func refreshed(_ editor: CardEditor, before: Opportunity?, after: Opportunity, _ language: Language) -> CardEditor {
        let typed = editor.form.fields.map(\.text)
        let untouched = before.map { CardEditor(editing: $0, language: language).form.fields.map(\.text) == typed } ?? true
        let saved = CardEditor(editing: after, language: language).form.fields.map(\.text) == typed
        guard untouched || saved else { return editor }
        var fresh = CardEditor(editing: after, language: language)
        fresh.form.focused = min(editor.form.focused, fresh.form.fields.count - 1)
        return fresh
    }
}
