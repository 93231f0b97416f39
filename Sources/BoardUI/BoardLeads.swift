import PipelineCore
import TerminalCore

/// Keys of the Leads view: ↑ ↓ through the list, `s` sorts, `/` filters, `n` adds, Enter
/// edits, `x` loses, `c` converts.
enum BoardLeads {
    /// Rows of leads that fit on screen.
    static func capacity(_ size: Size) -> Int { max(1, size.rows - 5) }

    static func key(_ key: Key, _ state: inout BoardState) -> [BoardEffect] {
        if let action = KeyMap.action(for: key, in: .leads) { return leads(action, &state) }
        guard let action = KeyMap.action(for: key, in: .board) else { return [] }
        return leads(action, &state)
    }

    static func leads(_ action: BoardAction, _ state: inout BoardState) -> [BoardEffect] {
        if state.status?.kind != .error || action != .back { state.status = nil }
        let window = state.leads.window
        let index = window.cards.firstIndex { $0.id == state.leads.selected }
        let order = state.leads.order
        switch action {
        case .focusUp:
            guard let index else { return [] }
            if index > 0 { state.leads.selected = window.cards[index - 1].id; return [] }
            guard window.hasMoreAbove, let last = window.cards.last else { return [] }
            return [.loadLeads(.before(last.cursor(in: order)), focus: .firstCard)]
        case .focusDown:
            guard let index else { return [] }
            if index + 1 < window.cards.count { state.leads.selected = window.cards[index + 1].id; return [] }
            guard window.hasMoreBelow, let first = window.cards.first else { return [] }
            return [.loadLeads(.after(first.cursor(in: order)), focus: .lastCard)]
        case .focusFirst: return [.loadLeads(.top, focus: .firstCard)]
        case .focusLast: return [.loadLeads(.bottom, focus: .lastCard)]
        case .pageDown:
            guard window.hasMoreBelow, let last = window.cards.last else { return [] }
            return [.loadLeads(.after(last.cursor(in: order)), focus: .firstCard)]
        case .pageUp:
            guard window.hasMoreAbove, let first = window.cards.first else { return [] }
            return [.loadLeads(.before(first.cursor(in: order)), focus: .firstCard)]
        case .sortLeads:
            state.leads.order = order.next
            state.status = .info(state.t("leads.sorted", state.leads.order.name(in: state.language)))
            return [.loadLeads(.top, focus: .firstCard)]
        case .newCard:
            if let refusal = state.refusalToUseTeam { return state.refuse(refusal) }
            state.mode = .leadEditor(LeadEditor(new: state.language, salesperson: state.defaultSalesperson ?? ""))
            return []
        case .activate:
            guard let lead = state.leads.selectedLead else { return [] }
            if let refusal = state.refusalToChange(lead) { return state.refuse(refusal) }
            state.mode = .leadEditor(LeadEditor(editing: lead, language: state.language))
            return []
        case .markLost:
            guard let lead = state.leads.selectedLead else { return [] }
            if let refusal = state.refusalToChange(lead) { return state.refuse(refusal) }
            state.mode = .leadLostReason(ReasonPrompt(lead, lead: true, language: state.language))
            return []
        case .convertLead:
            guard let lead = state.leads.selectedLead else { return [] }
            if let refusal = state.refusalToChange(lead) { return state.refuse(refusal) }
            return [.loadDuplicates(lead)]
        case .filter:
            state.mode = .filtering(TextField(state.leads.filter))
            return []
        case .back:
            guard !state.leads.filter.isEmpty else { return [] }
            state.leads.filter = ""
            return [.loadLeads(.top, focus: .firstCard)]
        case .showPipeline, .showForecast, .showActivities, .nextView, .showLeads, .quit, .help, .teamPicker, .settings, .undo, .redo:
            return BoardReducer.browse(action, &state)
        default:
            return []
        }
    }

    static func leadsLoaded(_ window: CardWindow, focus: WindowFocus, _ state: inout BoardState) {
        state.leads.window = window
        switch focus {
        case .firstCard: state.leads.selected = window.cards.first?.id
        case .lastCard: state.leads.selected = window.cards.last?.id
        case .card(let id): state.leads.selected = id
        case .unchanged: break
        }
        if !window.cards.contains(where: { $0.id == state.leads.selected }) { state.leads.selected = window.cards.first?.id }
    }

    // MARK: - Panes

    static func editor(_ key: Key, _ editor: inout LeadEditor, _ state: inout BoardState) -> [BoardEffect] {
        guard BoardEditing.savesForm(key, &editor.form, &state) else { return [] }
        guard let changes = BoardEditing.validated(editor.opportunityForm(language: state.language),
                                                   currency: editor.lead?.expectedRevenue.currency ?? state.defaultCurrency,
                                                   showingErrorsIn: &editor.form, state) else { return [] }
        let team = editor.lead.map { state.team(of: $0) } ?? state.team
        if let refusal = state.refusalToAssign(changes.salesperson, in: team, kind: .lead) {
            editor.form.show(message: refusal.message(in: state.language), at: "cardEditor.salesperson")
            return []
        }
        if let lead = editor.lead {
            return [.run(.editLead(lead.id, changes, expectedVersion: lead.version), origin: .user)]
        }
        return [.run(.addLead(changes), origin: .user)]
    }

    static func wizard(_ key: Key, _ wizard: inout ConversionWizard, _ state: inout BoardState) -> [BoardEffect] {
        guard BoardEditing.savesForm(key, &wizard.form, &state) else { return [] }
        wizard.form.clearErrors()
        if let (refusal, field) = refusal(toConvert: wizard, state) {
            wizard.form.show(message: refusal.message(in: state.language), at: field)
            return []
        }
        return [.run(.convertLead(wizard.lead.id, wizard.conversion, expectedVersion: wizard.lead.version), origin: .user)]
    }

    /// Why the user may not convert as the wizard says, and the field to say it beside: the
    /// team the deal goes to must be theirs, its salesperson themselves or nobody (unless
    /// they manage that team), and each record merged into it one they may change.
    static func refusal(toConvert wizard: ConversionWizard, _ state: BoardState) -> (AccessRefusal, String)? {
        let conversion = wizard.conversion
        let team = state.teams.first { $0.id == conversion.team } ?? state.team(of: wizard.lead)
        if let refusal = state.access.refusalToUse(team) { return (refusal, "convert.team") }
        if let refusal = state.refusalToAssign(conversion.salesperson, in: team, kind: .opportunity) { return (refusal, "cardEditor.salesperson") }
        for duplicate in wizard.duplicates where conversion.mergeWith.contains(duplicate.id) {
            if let refusal = state.refusalToChange(duplicate) { return (refusal, "convert.merge.\(duplicate.id)") }
        }
        return nil
    }

    static func lostReason(_ key: Key, _ prompt: inout ReasonPrompt, _ state: inout BoardState) -> [BoardEffect] {
        let id = prompt.record
        let lead = state.leads.window.cards.first { $0.id == id }
        return BoardEditing.reasonPrompt(key, &prompt, record: lead, &state, reopen: { .leadLostReason($0) }) { reason, lead in
            .markLeadLost(id, reason: reason, expectedVersion: lead.version)
        }
    }
}
