import PipelineCore
import TerminalCore

/// Keys in the modal panes and prompts. Every pane follows the same conventions: Tab and
/// Shift+Tab between fields, the usual text keys, Ctrl-U clears, Enter saves (a new line in
/// a multi-line field), Ctrl-S saves from anywhere, Esc closes with nothing changed.
enum BoardEditing {
    enum FormOutcome { case save, close, handled }

    static func formKey(_ key: Key, _ form: inout Form) -> FormOutcome {
        switch key {
        case .escape: return .close
        case .control("s"): return .save
        case .enter:
            if form.fields[form.focused].isMultiline { form.edit(.newline); return .handled }
            return .save
        case .tab: form.focusNext()
        case .backTab: form.focusPrevious()
        case .up: if !form.edit(.up) { form.focusPrevious() }
        case .down: if !form.edit(.down) { form.focusNext() }
        default: if let edit = textEdit(for: key) { form.edit(edit) }
        }
        return .handled
    }

    /// The keys of a form pane: Esc closes it, the editing keys change its fields; `true`
    /// when the key asks to save (Enter, Ctrl-S), which the pane then does its own way.
    static func savesForm(_ key: Key, _ form: inout Form, _ state: inout BoardState) -> Bool {
        switch formKey(key, &form) {
        case .close:
            state.mode = .browsing
            return false
        case .handled:
            return false
        case .save:
            return true
        }
    }

    /// The text keys every field and prompt shares.
    static func textEdit(for key: Key) -> TextField.Edit? {
        switch key {
        case .left: return .left
        case .right: return .right
        case .home: return .home
        case .end: return .end
        case .backspace: return .backspace
        case .delete: return .delete
        case .control("u"): return .clear
        case .character(let character): return .insert(character)
        default: return nil
        }
    }

    /// Text keys for a one-line prompt; returns false for keys it does not take.
    static func lineKey(_ key: Key, _ field: inout TextField) -> Bool {
        guard let edit = textEdit(for: key) else { return false }
        field.apply(edit)
        return true
    }

    static func stageEditor(_ key: Key, _ editor: inout StageEditor, _ state: inout BoardState) -> [BoardEffect] {
        if key == StageEditor.adoptKey {
            if !editor.adoptSeenRate() {
                editor.form.show(message: state.t("stageEditor.seen.nothingToAdopt"), at: StageEditor.probabilityField)
            }
            return []
        }
        defer { editor.refreshNote() }
        guard savesForm(key, &editor.form, &state) else { return [] }
        guard let edit = editor.edit(for: state.team.id) else { return [] }
        if edit.isEmpty {
            state.mode = .browsing
            return []
        }
        do {
            // Validate here so that errors show next to their field before anything is written.
            _ = try state.catalog.applying(edit, to: editor.stage, occupyingTeams: [])
        } catch {
            editor.form.show(error, language: state.language)
            return []
        }
        // Opening the editor asked about the stage as it is; a stage made shared would change
        // every team's pipeline, which asks more of a manager.
        if let scope = edit.scope {
            var after = editor.stage
            after.scope = scope
            if let refusal = state.refusalToChangeStage(after) {
                editor.form.show(message: refusal.message(in: state.language), at: "stageEditor.scope")
                return []
            }
        }
        return [.run(.editStage(editor.stage.id, edit, expectedVersion: editor.stage.version), origin: .user)]
    }

    static func cardEditor(_ key: Key, _ editor: inout CardEditor, _ state: inout BoardState, isNew: Bool) -> [BoardEffect] {
        // In the new-card prompt Enter on the title goes on to the revenue.
        if isNew, key == .enter, editor.form.focused == 0 {
            editor.form.focusNext()
            return []
        }
        guard savesForm(key, &editor.form, &state) else { return [] }
        guard let changes = validated(editor.opportunityForm(language: state.language),
                                      currency: editor.card?.expectedRevenue.currency ?? state.defaultCurrency,
                                      showingErrorsIn: &editor.form, state) else { return [] }
        let team = editor.card.map { state.team(of: $0) } ?? state.team
        if let refusal = state.refusalToAssign(changes.salesperson, in: team, kind: .opportunity) {
            editor.form.show(message: refusal.message(in: state.language), at: "cardEditor.salesperson")
            return []
        }
        if let card = editor.card {
            return [.run(.editCard(card.id, changes, expectedVersion: card.version), origin: .user)]
        }
        return [.run(.addCard(changes, stage: editor.stage), origin: .user)]
    }

    /// `N`: Tab between the name and the probability, ↑↓ through the suggestions (each fills
    /// both fields), Enter adds the column where the process puts it and leaves the prompt
    /// open, emptied, for the next one.
    static func addColumn(_ key: Key, _ prompt: inout ColumnPrompt, _ state: inout BoardState) -> [BoardEffect] {
        switch key {
        case .escape:
            state.mode = .browsing
            return []
        case .up:
            guard let selected = prompt.selected else { return [] }
            prompt.choose(selected == 0 ? nil : selected - 1)
            return []
        case .down:
            guard !prompt.suggestions.isEmpty else { return [] }
            prompt.choose(min(prompt.suggestions.count - 1, (prompt.selected ?? -1) + 1))
            return []
        case .tab:
            prompt.form.focusNext()
            return []
        case .backTab:
            prompt.form.focusPrevious()
            return []
        case .enter, .control("s"):
            guard var draft = prompt.draft() else { return [] }
            draft.scope = state.newStageScope
            do {
                _ = try state.catalog.addition(of: draft, in: state.team, at: nil)
            } catch {
                prompt.form.show(error, language: state.language)
                return []
            }
            return [.run(.addStage(draft, position: nil), origin: .user)]
        default:
            if let edit = textEdit(for: key) { prompt.edit(edit) }
            return []
        }
    }

    static func deleteColumn(_ key: Key, _ prompt: inout DeleteColumnPrompt, _ state: inout BoardState) -> [BoardEffect] {
        switch key {
        case .escape:
            state.mode = .browsing
        case .up:
            prompt.selected = max(0, prompt.selected - 1)
            state.mode = .deleteColumn(prompt)
        case .down:
            prompt.selected = min(max(0, prompt.destinations.count - 1), prompt.selected + 1)
            state.mode = .deleteColumn(prompt)
        case .enter:
            let destination = prompt.destinations.indices.contains(prompt.selected) ? prompt.destinations[prompt.selected].id : nil
            state.mode = .browsing
            return [.run(.removeStage(prompt.stage.id, moveTo: destination), origin: .user)]
        default:
            break
        }
        return []
    }

    /// The card and lead editors' fields as the domain's changes; a refusal goes next to
    /// its field and gives `nil`.
    static func validated(_ input: OpportunityForm, currency: CurrencyCode, showingErrorsIn form: inout Form,
                          _ state: BoardState) -> OpportunityChanges? {
        form.clearErrors()
        do {
            return try input.validated(language: state.language, currency: currency)
        } catch {
            form.show(error, language: state.language)
            return nil
        }
    }

    static func lostReason(_ key: Key, _ prompt: inout ReasonPrompt, _ state: inout BoardState) -> [BoardEffect] {
        let card = prompt.record
        let stage = prompt.stage
        let record = state.focusedCard.flatMap { $0.id == card ? $0 : nil }
            ?? state.columns.values.lazy.flatMap(\.cards).first { $0.id == card }
        return reasonPrompt(key, &prompt, record: record, &state, reopen: { .lostReason($0) }) { reason, opportunity in
            .markLost(card, reason: reason, into: stage, expectedVersion: opportunity.version)
        }
    }

    /// The lost-reason prompt of a card or a lead: Enter runs `command` once the reason is
    /// a valid one-line text, else says why beside the field; Esc, or a record no longer
    /// there, closes it.
    static func reasonPrompt(_ key: Key, _ prompt: inout ReasonPrompt, record: Opportunity?, _ state: inout BoardState,
                             reopen: (ReasonPrompt) -> Mode, command: (String, Opportunity) -> BoardCommand) -> [BoardEffect] {
        switch key {
        case .escape:
            state.mode = .browsing
            return []
        case .enter, .control("s"):
            guard let record else { state.mode = .browsing; return [] }
            prompt.form.clearErrors()
            do {
                _ = try TextInput.requiredName(prompt.reason, field: .lostReason)
            } catch {
                prompt.form.show(error, language: state.language)
                // An empty reason is asked for in plain words.
                if case .emptyText = error { prompt.form.fields[0].error = state.t("overlay.lost.required") }
                state.mode = reopen(prompt)
                return []
            }
            state.mode = .browsing
            return [.run(command(prompt.reason, record), origin: .user)]
        default:
            if let edit = textEdit(for: key) { prompt.form.edit(edit) }
            state.mode = reopen(prompt)
            return []
        }
    }

    /// `S`: the settings pane. Enter saves what changed, as `pipeline settings set` would.
    static func settings(_ key: Key, _ editor: inout SettingsEditor, _ state: inout BoardState) -> [BoardEffect] {
        guard savesForm(key, &editor.form, &state) else { return [] }
        guard let changes = editor.changes(language: state.language) else { return [] }
        if changes.isEmpty {
            state.mode = .browsing
            return []
        }
        // The pane's personal settings are the user's own; the others are everyone's.
        for (key, _) in changes {
            if let refusal = state.access.refusalToChange(key, forEveryone: false), let field = SettingsEditor.fieldID(of: key) {
                editor.form.show(message: refusal.message(in: state.language), at: field)
                return []
            }
        }
        return [.saveSettings(changes)]
    }

    /// The live filter: every keystroke narrows the board at once.
    static func filter(_ key: Key, _ field: inout TextField, _ state: inout BoardState) -> [BoardEffect] {
        if state.view == .leads { return leadFilter(key, &field, &state) }
        switch key {
        case .escape:
            state.mode = .browsing
            let hadFilter = !state.filter.isEmpty
            state.filter = ""
            return hadFilter ? [.reload(focus: state.focusBeforeFilter ?? state.focus)] : []
        case .enter:
            state.mode = .browsing
            return []
        default:
            guard lineKey(key, &field) else { return [] }
            state.mode = .filtering(field)
            guard field.text != state.filter else { return [] }
            state.filter = field.text
            // Only the columns' windows change with the filter.
            return [.reload(focus: state.focus, only: Set(state.stages.map(\.id)))]
        }
    }

    /// The same live filter over the Leads view.
    static func leadFilter(_ key: Key, _ field: inout TextField, _ state: inout BoardState) -> [BoardEffect] {
        switch key {
        case .escape:
            state.mode = .browsing
            let hadFilter = !state.leads.filter.isEmpty
            state.leads.filter = ""
            return hadFilter ? [.loadLeads(.top, focus: .firstCard)] : []
        case .enter:
            state.mode = .browsing
            return []
        default:
            guard lineKey(key, &field) else { return [] }
            state.mode = .filtering(field)
            guard field.text != state.leads.filter else { return [] }
            state.leads.filter = field.text
            return [.loadLeads(.top, focus: .firstCard)]
        }
    }

    static func teamPicker(_ key: Key, _ picker: inout TeamPicker, _ state: inout BoardState) -> [BoardEffect] {
        let matches = picker.matches(in: state.memberTeams)
        switch key {
        case .escape:
            state.mode = .browsing
            return []
        case .up:
            picker.selected = max(0, picker.selected - 1)
        case .down:
            picker.selected = min(max(0, matches.count - 1), picker.selected + 1)
        case .enter:
            let name = picker.search.text.trimmingCharacters(in: " ")
            if matches.isEmpty, !name.isEmpty {
                // Nothing matches: the guide's "create the team first", for whoever may.
                if let refusal = state.access.refusalToManageTeams() {
                    state.mode = .teamPicker(picker)
                    return state.refuse(refusal)
                }
                state.mode = .browsing
                state.view = .pipeline
                state.filter = ""
                return [.createTeam(name)]
            }
            guard matches.indices.contains(picker.selected) else { return [] }
            state.mode = .browsing
            state.view = .pipeline
            state.filter = ""
            return [.switchTeam(matches[picker.selected].id)]
        default:
            if lineKey(key, &picker.search) { picker.selected = 0 }
        }
        state.mode = .teamPicker(picker)
        return []
    }
}
