import PipelineCore
import TerminalCore

/// The board's state machine: `(state, event) → (new state, effects)`. Pure: it reads no
/// clock, no database and no terminal; the session performs the effects and feeds their
/// results back as events.
public enum BoardReducer {
    public static func reduce(_ state: inout BoardState, _ event: BoardEvent) -> [BoardEffect] {
        var effects = step(&state, event)
        keepScroll(&state)
        if needsObservations(state) {
            state.observationsRequested = true
            effects.append(.loadObservations)
        }
        return effects
    }

    /// What the seen rates depend on, as the header figures show it: the team, how many deals
    /// there are, and how many are in each closed stage.
    struct ClosedDealsSignature: Equatable {
        var team: Team.ID
        var deals: Int
        var closed: [Stage.ID: Int]
    }

    static func closedDealsSignature(_ state: BoardState) -> ClosedDealsSignature {
        var closed: [Stage.ID: Int] = [:]
        for stage in state.stages where stage.outcome != .open { closed[stage.id] = state.figures[stage.id]?.count ?? 0 }
        return ClosedDealsSignature(team: state.team.id, deals: state.figures.values.reduce(0) { $0 + $1.count }, closed: closed)
    }

    /// A header's tooltip shows the stage's seen rate: read once it shows, not with every reload.
    static func needsObservations(_ state: BoardState) -> Bool {
        guard state.observations == nil, !state.observationsRequested, state.view == .pipeline, state.page == nil else { return false }
        return BoardOverlays.tooltipStage(state) != nil
    }

    /// Keeps where the board is scrolled sideways from one event to the next: the layout
    /// scrolls only as far as the focused column needs, from where it was, so moving to a
    /// column already in sight does not move the board (laid out from the first column each
    /// time, it jumped to put the focused column at an edge).
    static func keepScroll(_ state: inout BoardState) {
        guard state.view == .pipeline else { return }
        let stages = BoardRenderer.displayedStages(state)
        guard !stages.isEmpty else { return }
        let focusIndex = state.focus.flatMap { focus in stages.firstIndex { $0.id == focus.stage } }
        state.horizontalOffset = BoardLayout.columns(stages, width: state.size.columns, offset: state.horizontalOffset,
                                                     focusIndex: focusIndex).offset
    }

    static func step(_ state: inout BoardState, _ event: BoardEvent) -> [BoardEffect] {
        switch event {
        case .input(.resize(let size)):
            let capacity = BoardLayout.cardCapacity(state.size)
            state.size = size
            // More or fewer cards fit: read windows of the new length.
            return BoardLayout.cardCapacity(size) == capacity ? [] : [.reload(focus: state.focus)]
        case .input(.key(.control("c"))):
            return [.quit]
        case .input(.key(let key)):
            return handle(key, &state)
        case .input(.mouse(let mouse)):
            return BoardMouse.handle(mouse, &state)
        case .input(.paste(let text)):
            return BoardPaste.paste(text, &state)
        case .loaded(let data):
            let closedBefore = closedDealsSignature(state)
            apply(data, to: &state)
            // The seen rates are read again when shown only once deals may have been closed,
            // reopened, added or removed: their read goes over every closed deal's history
            // (about 0.3 s at 1,000,000 deals), and a card or column moved among open stages
            // changes nothing in them.
            if closedDealsSignature(state) != closedBefore {
                state.observations = nil
                state.observationsRequested = false
            }
            // The deal's page follows every change, here or elsewhere, as the board does.
            if let page = state.page { return [.loadDealPage(page.record)] }
            // The forecast's sums are the store's, through the user's permissions as they are
            // now: read again with the board rather than kept from before the change; so is
            // view 4's page (an activity done, moved or added here or by a colleague).
            switch state.view {
            case .forecast: return [.loadForecast]
            case .activities: return [.loadActivities(after: state.activities.pageStart)]
            case .pipeline, .leads: return []
            }
        case .windowLoaded(let stage, let window, let focus):
            state.columns[stage] = window
            switch focus {
            case .firstCard: state.focus = window.cards.first.map { .card(stage, $0.id) } ?? .header(stage)
            case .lastCard: state.focus = window.cards.last.map { .card(stage, $0.id) } ?? .header(stage)
            case .card(let id): state.focus = .card(stage, id)
            case .unchanged: break
            }
            repairFocus(&state)
            return []
        case .forecastLoaded(let forecast, let range, let won):
            state.forecast = forecast
            if let range { state.forecastRange = range }
            if let won { state.wonByMonth = won }
            return []
        case .observationsLoaded(let observations):
            state.observations = Dictionary(observations.map { ($0.stage, $0) }, uniquingKeysWith: { first, _ in first })
            if case .stageEditor(var editor) = state.mode {
                editor.show(state.observations?[editor.stage.id] ?? StageObservation(stage: editor.stage.id))
                state.mode = .stageEditor(editor)
            }
            return []
        case .activitiesLoaded(let page):
            BoardActivities.loaded(page, &state)
            return []
        case .dealFound(let deal):
            return BoardActivities.show(deal, &state)
        case .dealPageLoaded(let data):
            BoardDealPage.loaded(data, &state)
            return []
        case .notice(let message):
            state.status = message
            return []
        case .matchesLoaded(let filter, let figures):
            if filter == state.filter, !filter.isEmpty { state.matchingFigures = figures }
            return []
        case .leadsLoaded(let window, let focus):
            BoardLeads.leadsLoaded(window, focus: focus, &state)
            return []
        case .duplicatesLoaded(let lead, let duplicates):
            state.mode = .convertLead(ConversionWizard(lead: lead, duplicates: duplicates, catalog: state.catalog, language: state.language,
                                                       teams: state.memberTeams))
            return []
        case .commandSucceeded(let result, let origin):
            return succeeded(result, origin: origin, &state)
        case .settingsSaved(let changes):
            return settingsSaved(changes, &state)
        case .commandFailed(let error, let message, let origin):
            return failed(error, message: message, origin: origin, &state)
        case .commandRefused(let message, let origin):
            return refused(nil, message: text(message, origin: origin, state), &state)
        case .readFailed(let message):
            // A refusal already on the status line says more than the reload that followed it.
            if state.status?.kind != .error { state.status = .error(message) }
            return []
        case .connectionChanged(let lost):
            return connectionChanged(lost: lost, &state)
        case .accessChecked(let access):
            // Changed since the board last read it: the teams and deals it may see may have too.
            guard access != state.access else { return [] }
            state.access = access
            return [.reload(focus: state.focus)]
        case .tick(let now):
            state.now = now
            return []
        }
    }

    // MARK: - Data

    static func apply(_ data: BoardData, to state: inout BoardState) {
        state.team = data.team
        state.teams = data.teams
        state.access = data.access
        state.catalog = data.catalog
        state.stages = data.catalog.pipeline(for: data.team).stages
        state.figures = data.figures
        state.matchingFigures = data.matchingFigures
        state.columns = data.columns
        state.defaultCurrency = data.defaultCurrency
        state.leadsEnabled = data.leadsEnabled
        state.activityTypes = data.activityTypes
        state.overdueCounts = data.overdueCounts
        state.rottingCounts = data.rottingCounts
        BoardLeads.leadsLoaded(data.leads, focus: .unchanged, &state)
        if state.view == .leads, !state.leadsEnabled { state.view = .pipeline }
        if let focus = data.focus { state.focus = focus }
        repairFocus(&state)
        // A login in none of the store's teams sees an empty board: it says why.
        if state.status == nil, let refusal = state.refusalToUseTeam { state.status = .error(refusal.message(in: state.language)) }
        if case .addColumn(var prompt) = state.mode {
            prompt.suggestions = StageTemplate.suggestions(completing: state.stages)
            if let selected = prompt.selected, !prompt.suggestions.indices.contains(selected) { prompt.selected = nil }
            state.mode = .addColumn(prompt)
        }
    }

    /// Focus by identity survives reloads; when its card or stage is gone, the nearest
    /// thing that still exists takes it.
    static func repairFocus(_ state: inout BoardState) {
        // With nothing focused yet, start where new deals arrive: the pipeline's entry stage.
        guard let start = state.stages.first(where: { $0.outcome == .open && !$0.isFolded }) ?? state.stages.first else {
            state.focus = nil
            return
        }
        guard let focus = state.focus, state.stage(focus.stage) != nil else {
            if let card = state.columns[start.id]?.cards.first {
                state.focus = .card(start.id, card.id)
            } else {
                // An empty entry column: its header, without the tooltip over the next column
                // until the salesperson focuses a header themselves.
                state.focus = .header(start.id)
                state.dismissedTooltip = start.id
            }
            return
        }
        if case .card(let stage, let card) = focus, !(state.columns[stage]?.cards.contains { $0.id == card } ?? false) {
            // The card left the window (filtered out, moved elsewhere): the column's first card.
            state.focus = state.columns[stage]?.cards.first.map { .card(stage, $0.id) } ?? .header(stage)
        }
    }

    // MARK: - Keys

    static func handle(_ key: Key, _ state: inout BoardState) -> [BoardEffect] {
        if state.page != nil {
            switch state.mode {
            case .browsing, .cardEditor: return BoardDealPage.key(key, &state)
            default: break
            }
        }
        switch state.mode {
        case .browsing:
            if state.view == .forecast { return forecastKey(key, &state) }
            if state.view == .leads { return BoardLeads.key(key, &state) }
            if state.view == .activities { return BoardActivities.key(key, &state) }
            guard let action = KeyMap.action(for: key, in: .board) else { return [] }
            let focus = state.focus
            let effects = browse(action, &state)
            if state.focus != focus { state.dismissedTooltip = nil }
            return effects
        case .carryingCard(let carried):
            return carry(key, carried, &state)
        case .carryingColumn(let carried):
            return carry(key, carried, &state)
        case .stageEditor(var editor):
            let effects = BoardEditing.stageEditor(key, &editor, &state)
            if case .stageEditor = state.mode { state.mode = .stageEditor(editor) }
            return effects
        case .cardEditor(var editor):
            let effects = BoardEditing.cardEditor(key, &editor, &state, isNew: false)
            if case .cardEditor = state.mode { state.mode = .cardEditor(editor) }
            return effects
        case .newCard(var editor):
            let effects = BoardEditing.cardEditor(key, &editor, &state, isNew: true)
            if case .newCard = state.mode { state.mode = .newCard(editor) }
            return effects
        case .addColumn(var prompt):
            let effects = BoardEditing.addColumn(key, &prompt, &state)
            if case .addColumn = state.mode { state.mode = .addColumn(prompt) }
            return effects
        case .deleteColumn(var prompt):
            return BoardEditing.deleteColumn(key, &prompt, &state)
        case .lostReason(var prompt):
            return BoardEditing.lostReason(key, &prompt, &state)
        case .settings(var editor):
            let effects = BoardEditing.settings(key, &editor, &state)
            if case .settings = state.mode { state.mode = .settings(editor) }
            return effects
        case .filtering(var field):
            return BoardEditing.filter(key, &field, &state)
        case .teamPicker(var picker):
            return BoardEditing.teamPicker(key, &picker, &state)
        case .help(let scroll):
            if key == .escape || key == .character("?") || key == .character("q") {
                state.mode = .browsing
                return []
            }
            let page = max(1, BoardOverlays.helpRows(state.size) - 1)
            let last = max(0, BoardOverlays.helpLines(state).count - BoardOverlays.helpRows(state.size))
            var next = scroll
            switch key {
            case .down, .character("j"): next += 1
            case .up, .character("k"): next -= 1
            case .pageDown, .character(" "): next += page
            case .pageUp: next -= page
            case .home, .character("g"): next = 0
            case .end, .character("G"): next = last
            default: break
            }
            state.mode = .help(scroll: min(max(0, next), last))
            return []
        case .leadEditor(var editor):
            let effects = BoardLeads.editor(key, &editor, &state)
            if case .leadEditor = state.mode { state.mode = .leadEditor(editor) }
            return effects
        case .leadLostReason(var prompt):
            return BoardLeads.lostReason(key, &prompt, &state)
        case .convertLead(var wizard):
            let effects = BoardLeads.wizard(key, &wizard, &state)
            if case .convertLead = state.mode { state.mode = .convertLead(wizard) }
            return effects
        case .activityEditor(var editor):
            let effects = BoardActivities.editor(key, &editor, &state)
            if case .activityEditor = state.mode { state.mode = .activityEditor(editor) }
            return effects
        case .completeActivity(var pane):
            let effects = BoardActivities.completion(key, &pane, &state)
            if case .completeActivity = state.mode { state.mode = .completeActivity(pane) }
            return effects
        case .reschedule(var prompt):
            let effects = BoardActivities.reschedule(key, &prompt, &state)
            if case .reschedule = state.mode { state.mode = .reschedule(prompt) }
            return effects
        }
    }

    static func forecastKey(_ key: Key, _ state: inout BoardState) -> [BoardEffect] {
        if KeyMap.action(for: key, in: .forecast) == .cycleForecastGrouping {
            // Stage → month → salesperson, as `forecast --by` names them; only the rows are read again.
            let all = Forecast.Grouping.allCases
            state.forecastGrouping = all[((all.firstIndex(of: state.forecastGrouping) ?? 0) + 1) % all.count]
            state.forecastScroll = 0
            state.status = .info(state.t("forecast.groupedBy", state.t("forecast.by.\(state.forecastGrouping.rawValue)")))
            return [.loadForecastRows]
        }
        switch KeyMap.action(for: key, in: .board) {
        case .showPipeline?, .back?: state.view = .pipeline; return []
        case .nextView?, .showLeads?, .showActivities?: return browse(KeyMap.action(for: key, in: .board) ?? .showPipeline, &state)
        case .quit?: return [.quit]
        case .help?: state.mode = .help(scroll: 0); return []
        case .showForecast?: return [.loadForecast]
        case .focusUp?: return scrollForecast(-1, &state)
        case .focusDown?: return scrollForecast(1, &state)
        case .pageUp?: return scrollForecast(-max(1, state.size.rows - 4), &state)
        case .pageDown?: return scrollForecast(max(1, state.size.rows - 4), &state)
        case .focusFirst?: state.forecastScroll = 0; return []
        case .focusLast?: return scrollForecast(Int.max / 2, &state)
        case .myPipeline?: return browse(.myPipeline, &state)
        case .teamPicker?: state.mode = .teamPicker(TeamPicker()); return []
        case .settings?: return browse(.settings, &state)
        default: return []
        }
    }

    /// `e`: the stage's editor, with the seen rate the board holds; read when it holds none
    /// (see `.loaded` for when they are read again).
    static func openStageEditor(_ stage: Stage, _ state: inout BoardState) -> [BoardEffect] {
        var editor = StageEditor(stage: stage, teamName: state.team.name, language: state.language)
        if let observation = state.observations?[stage.id] {
            editor.show(observation)
            state.mode = .stageEditor(editor)
            return []
        }
        state.mode = .stageEditor(editor)
        state.observationsRequested = true
        return [.loadObservations]
    }

    /// Scrolls view 3 by `lines`, never past its end (the renderer knows how long it is).
    static func scrollForecast(_ lines: Int, _ state: inout BoardState) -> [BoardEffect] {
        state.forecastScroll = max(0, min(state.forecastScroll + lines, BoardForecastView.maxScroll(state)))
        return []
    }

    static func browse(_ action: BoardAction, _ state: inout BoardState) -> [BoardEffect] {
        if state.status?.kind != .error || action != .back { state.status = nil }
        switch action {
        case .focusLeft: return focusSideways(-1, &state)
        case .focusRight: return focusSideways(1, &state)
        case .focusUp: return focusVertically(-1, &state)
        case .focusDown: return focusVertically(1, &state)
        case .focusFirst:
            guard let stage = state.focusedStage else { return [] }
            return [.loadWindow(stage.id, .top, focus: .firstCard)]
        case .focusLast:
            guard let stage = state.focusedStage else { return [] }
            return [.loadWindow(stage.id, .bottom, focus: .lastCard)]
        case .pageUp:
            guard let stage = state.focusedStage, let window = state.columns[stage.id], let first = window.cards.first else { return [] }
            if !window.hasMoreAbove { state.focus = .card(stage.id, first.id); return [] }
            return [.loadWindow(stage.id, .before(first.cursor(in: state.order)), focus: .firstCard)]
        case .pageDown:
            guard let stage = state.focusedStage, let window = state.columns[stage.id], let last = window.cards.last else { return [] }
            if !window.hasMoreBelow { state.focus = .card(stage.id, last.id); return [] }
            return [.loadWindow(stage.id, .after(last.cursor(in: state.order)), focus: .firstCard)]
        case .pickUp:
            guard let focus = state.focus else { return [] }
            if let card = state.focusedCard, let index = state.columns[focus.stage]?.cards.firstIndex(where: { $0.id == card.id }) {
                if let refusal = state.refusalToChange(card) { return state.refuse(refusal) }
                state.mode = .carryingCard(CarriedCard(card: card, origin: focus.stage, target: focus.stage, index: index))
            } else {
                if let refusal = state.refusalToChangeStage(state.stage(focus.stage)) { return state.refuse(refusal) }
                state.mode = .carryingColumn(CarriedColumn(stage: focus.stage, order: state.stages.map(\.id)))
            }
            return []
        case .drop:
            return []
        case .moveCardLeft, .moveCardRight:
            guard let card = state.focusedCard, let from = state.focusedStage,
                  let target = neighbour(of: from.id, onScreen: action == .moveCardLeft ? -1 : 1, in: state) else { return [] }
            if let refusal = state.refusalToChange(card) { return state.refuse(refusal) }
            if asksWhyLost(entering: target, leaving: from) {
                state.mode = .lostReason(ReasonPrompt(card, lead: false, into: target.id, language: state.language))
                return []
            }
            return [.run(.moveCard(card.id, to: target.id, placement: .top, expectedVersion: card.version), origin: .user)]
        case .moveCardUp, .moveCardDown:
            return moveCardVertically(action == .moveCardUp ? -1 : 1, &state)
        case .moveColumnLeft, .moveColumnRight:
            guard let stage = state.focusedStage, let rank = state.stages.firstIndex(where: { $0.id == stage.id }) else { return [] }
            let screenStep = action == .moveColumnLeft ? -1 : 1
            let step = state.direction == .rightToLeft ? -screenStep : screenStep
            let target = rank + step
            guard state.stages.indices.contains(target) else { return [] }
            if let refusal = state.refusalToChangeStage(stage) { return state.refuse(refusal) }
            return [.run(.moveStage(stage.id, to: .position(target + 1)), origin: .user)]
        case .editStage:
            guard let stage = state.focusedStage else { return [] }
            if let refusal = state.refusalToChangeStage(stage) { return state.refuse(refusal) }
            return openStageEditor(stage, &state)
        case .activate:
            if let card = state.focusedCard {
                return BoardDealPage.open(card, &state)
            } else if let stage = state.focusedStage {
                if let refusal = state.refusalToChangeStage(stage) { return state.refuse(refusal) }
                return openStageEditor(stage, &state)
            }
            return []
        case .addColumn:
            if let refusal = state.refusalToChangeStage(nil) { return state.refuse(refusal) }
            state.mode = .addColumn(ColumnPrompt(suggestions: StageTemplate.suggestions(completing: state.stages), language: state.language))
            return []
        case .deleteColumn:
            guard let stage = state.focusedStage else { return [] }
            if let refusal = state.refusalToChangeStage(stage) { return state.refuse(refusal) }
            var prompt = DeleteColumnPrompt(stage: stage, cardCount: state.figures[stage.id]?.count ?? 0,
                                            destinations: state.stages.filter { $0.id != stage.id })
            let neighbour = Pipeline(team: state.team, allStages: state.stages).removalDestination(for: stage.id)
            prompt.selected = prompt.destinations.firstIndex { $0.id == neighbour?.id } ?? 0
            state.mode = .deleteColumn(prompt)
            return []
        case .newCard:
            guard let stage = state.focusedStage else {
                state.status = .hint(state.t("board.noStageForCard"))
                return []
            }
            if let refusal = state.refusalToUseTeam { return state.refuse(refusal) }
            state.mode = .newCard(CardEditor(newIn: stage.id, stageName: stage.name, language: state.language,
                                             salesperson: state.defaultSalesperson))
            return []
        case .markWon:
            guard let card = state.focusedCard else { return [] }
            if let refusal = state.refusalToChange(card) { return state.refuse(refusal) }
            return [.run(.markWon(card.id, expectedVersion: card.version), origin: .user)]
        case .markLost:
            guard let card = state.focusedCard else { return [] }
            if let refusal = state.refusalToChange(card) { return state.refuse(refusal) }
            state.mode = .lostReason(ReasonPrompt(card, lead: false, language: state.language))
            return []
        case .undo:
            guard let command = state.history.undo.popLast() else {
                state.status = .info(state.t("board.nothingToUndo"))
                return []
            }
            return [.run(command, origin: .undo)]
        case .redo:
            guard let command = state.history.redo.popLast() else {
                state.status = .info(state.t("board.nothingToRedo"))
                return []
            }
            return [.run(command, origin: .redo)]
        case .filter:
            if state.filter.isEmpty { state.focusBeforeFilter = state.focus }
            state.mode = .filtering(TextField(state.filter))
            return []
        case .teamPicker:
            state.mode = .teamPicker(TeamPicker())
            return []
        case .settings:
            state.mode = .settings(SettingsEditor(leads: state.leadsEnabled, direction: state.direction, language: state.language,
                                                  currency: state.defaultCurrency))
            return []
        case .help:
            state.mode = .help(scroll: 0)
            return []
        case .quit:
            return [.quit]
        case .back:
            if !state.filter.isEmpty {
                state.filter = ""
                return [.reload(focus: state.focusBeforeFilter ?? state.focus)]
            }
            state.status = nil
            state.hoveredStage = nil
            state.dismissedTooltip = state.focus?.stage
            return []
        case .showPipeline:
            state.view = .pipeline
            return []
        case .showLeads:
            guard state.leadsEnabled else {
                state.status = .hint(state.t("board.leadsOff"))
                return []
            }
            state.view = .leads
            return [.loadLeads(.top, focus: .firstCard)]
        case .showForecast:
            state.view = .forecast
            return [.loadForecast]
        case .showActivities:
            state.view = .activities
            return [.loadActivities(after: state.activities.pageStart)]
        case .addActivity:
            return BoardActivities.addActivity(&state)
        case .myPipeline:
            state.mine.toggle()
            state.status = .info(state.t(state.mine ? "board.mine.on" : "board.mine.off"))
            // The forecast view's figures follow "mine" as the header's do.
            return state.view == .forecast ? [.reload(focus: state.focus), .loadForecast] : [.reload(focus: state.focus)]
        case .cycleOrder:
            state.order = state.order.next
            state.status = .info(state.t("board.order.changed", state.order.name(in: state.language)))
            // Every column is read again from its top in the new order (a window's first card
            // says nothing of where the new order starts); the focused card is scrolled to.
            for (stage, window) in state.columns {
                state.columns[stage] = CardWindow(cards: window.cards, hasMoreAbove: false, hasMoreBelow: window.hasMoreBelow)
            }
            return [.reload(focus: state.focus)]
        case .nextView:
            let views = state.views
            let next = views[((views.firstIndex(of: state.view) ?? 0) + 1) % views.count]
            state.view = next
            switch next {
            case .pipeline: return []
            case .leads: return [.loadLeads(.top, focus: .firstCard)]
            case .forecast: return [.loadForecast]
            case .activities: return [.loadActivities(after: state.activities.pageStart)]
            }
        case .sortLeads, .convertLead, .cycleForecastGrouping, .completeActivity, .rescheduleActivity, .postponeDay, .postponeWeek, .activityScope:
            return []
        }
    }

    /// The stage `step` columns away on screen (negative: left).
    static func neighbour(of stage: Stage.ID, onScreen step: Int, in state: BoardState) -> Stage? {
        let screen = state.screenStages
        guard let index = screen.firstIndex(where: { $0.id == stage }), screen.indices.contains(index + step) else { return nil }
        return screen[index + step]
    }

    static func focusSideways(_ step: Int, _ state: inout BoardState) -> [BoardEffect] {
        guard let focus = state.focus else {
            if let first = state.screenStages.first { state.focus = .header(first.id) }
            return []
        }
        guard let target = neighbour(of: focus.stage, onScreen: step, in: state) else { return [] }
        let row = focus.card.flatMap { card in state.columns[focus.stage]?.cards.firstIndex { $0.id == card } }
        let cards = state.columns[target.id]?.cards ?? []
        if let row, !cards.isEmpty, !target.isFolded {
            state.focus = .card(target.id, cards[min(row, cards.count - 1)].id)
        } else {
            state.focus = .header(target.id)
        }
        return []
    }

    static func focusVertically(_ step: Int, _ state: inout BoardState) -> [BoardEffect] {
        guard let focus = state.focus, let stage = state.stage(focus.stage) else { return [] }
        let window = state.columns[stage.id] ?? .empty
        let cards = window.cards
        guard let cardID = focus.card, let index = cards.firstIndex(where: { $0.id == cardID }) else {
            // On the header: ↓ enters the column.
            if step > 0, let first = cards.first, !stage.isFolded { state.focus = .card(stage.id, first.id) }
            return []
        }
        let target = index + step
        if cards.indices.contains(target) {
            state.focus = .card(stage.id, cards[target].id)
            return []
        }
        if step < 0 {
            // Scroll up by one card, or leave the column for its header.
            guard window.hasMoreAbove, let last = cards.last else { state.focus = .header(stage.id); return [] }
            return [.loadWindow(stage.id, .before(last.cursor(in: state.order)), focus: .firstCard)]
        }
        guard window.hasMoreBelow, let first = cards.first else { return [] }
        return [.loadWindow(stage.id, .after(first.cursor(in: state.order)), focus: .lastCard)]
    }

    static func moveCardVertically(_ step: Int, _ state: inout BoardState) -> [BoardEffect] {
        guard let card = state.focusedCard, let stage = state.focusedStage, let window = state.columns[stage.id],
              let index = window.cards.firstIndex(where: { $0.id == card.id }) else { return [] }
        if let refusal = refusalToMoveByHand(&state) { return refusal }
        let target = index + step
        if window.cards.indices.contains(target) {
            if let refusal = state.refusalToChange(card) { return state.refuse(refusal) }
            let placement: CardPlacement = step < 0 ? .before(window.cards[target].id) : .after(window.cards[target].id)
            return [.run(.moveCard(card.id, to: stage.id, placement: placement, expectedVersion: card.version), origin: .user)]
        }
        // At the window's edge: scroll first, keeping focus on the card, so the next press moves it.
        if step < 0, window.hasMoreAbove, let last = window.cards.last, last.id != card.id {
            return [.loadWindow(stage.id, .before(last.cursor(in: state.order)), focus: .card(card.id))]
        }
        if step > 0, window.hasMoreBelow, let first = window.cards.first, first.id != card.id {
            return [.loadWindow(stage.id, .after(first.cursor(in: state.order)), focus: .card(card.id))]
        }
        return []
    }

    /// In any order but by hand a card's place is its sort key's: moving it up or down by hand
    /// is said, and changes nothing.
    static func refusalToMoveByHand(_ state: inout BoardState) -> [BoardEffect]? {
        guard state.order != .hand else { return nil }
        state.status = .hint(state.t("board.order.handOnly", state.order.name(in: state.language)))
        return []
    }

    /// Whether a card entering `target` becomes lost and so needs its reason, as `x` asks:
    /// from an open or won stage into a lost one (between lost stages it stays lost, reason and all).
    static func asksWhyLost(entering target: Stage, leaving source: Stage?) -> Bool {
        target.outcome == .lost && source?.outcome != .lost
    }

    // MARK: - Carrying

    static func carry(_ key: Key, _ carried: CarriedCard, _ state: inout BoardState) -> [BoardEffect] {
        var carried = carried
        switch key {
        case .left, .right, .character("h"), .character("l"):
            let step = (key == .left || key == .character("h")) ? -1 : 1
            guard let target = neighbour(of: carried.target, onScreen: step, in: state) else { return [] }
            carried.target = target.id
            carried.index = min(carried.index, landingCards(in: target.id, carrying: carried.card.id, state).count)
        case .up, .character("k"):
            carried.index = max(0, carried.index - 1)
        case .down, .character("j"):
            carried.index = min(landingCards(in: carried.target, carrying: carried.card.id, state).count, carried.index + 1)
        case .character(" "), .enter:
            state.mode = .browsing
            let others = landingCards(in: carried.target, carrying: carried.card.id, state)
            if carried.target == carried.origin,
               let original = state.columns[carried.origin]?.cards.firstIndex(where: { $0.id == carried.card.id }),
               original == carried.index {
                return []
            }
            if state.order != .hand, carried.target == carried.origin {
                // Dropped elsewhere in its own column: only its sort key places it there.
                state.focus = .card(carried.origin, carried.card.id)
                return refusalToMoveByHand(&state) ?? []
            }
            if let target = state.stage(carried.target), asksWhyLost(entering: target, leaving: state.stage(carried.origin)) {
                // Dropped into a lost stage: the card stays where it was until the reason is given.
                state.focus = .card(carried.origin, carried.card.id)
                state.mode = .lostReason(ReasonPrompt(carried.card, lead: false, into: target.id, language: state.language))
                return []
            }
            // In an order other than by hand the card lands where its key puts it; its rank goes
            // to the top of the column, as Shift+←/→ puts it.
            let placement: CardPlacement = state.order != .hand ? .top
                : carried.index < others.count ? .before(others[carried.index].id)
                : others.last.map { .after($0.id) } ?? .top
            return [.run(.moveCard(carried.card.id, to: carried.target, placement: placement,
                                   expectedVersion: carried.card.version), origin: .user)]
        case .escape:
            state.mode = .browsing
            let card = carried.card
            if state.columns[carried.origin]?.cards.contains(where: { $0.id == card.id }) == true {
                state.focus = .card(carried.origin, card.id)
                return []
            }
            // The column was scrolled (wheel) or read again (resize) while the card was carried,
            // and its window no longer holds the card: scroll it back to the card.
            state.focus = .header(carried.origin)
            return [.loadWindow(carried.origin, .startingAt(card.cursor(in: state.order)), focus: .card(card.id))]
        default:
            return []
        }
        state.mode = .carryingCard(carried)
        state.focus = .card(carried.target, carried.card.id)
        return []
    }

    /// The cards of a column a carried card would land among (itself left out).
    static func landingCards(in stage: Stage.ID, carrying card: Opportunity.ID, _ state: BoardState) -> [Opportunity] {
        (state.columns[stage]?.cards ?? []).filter { $0.id != card }
    }

    static func carry(_ key: Key, _ carried: CarriedColumn, _ state: inout BoardState) -> [BoardEffect] {
        var carried = carried
        switch key {
        case .left, .right, .character("h"), .character("l"):
            let screenStep = (key == .left || key == .character("h")) ? -1 : 1
            let step = state.direction == .rightToLeft ? -screenStep : screenStep
            guard let index = carried.order.firstIndex(of: carried.stage), carried.order.indices.contains(index + step) else { return [] }
            carried.order.swapAt(index, index + step)
        case .character(" "), .enter:
            state.mode = .browsing
            guard let position = carried.order.firstIndex(of: carried.stage),
                  carried.order != state.stages.map(\.id) else { return [] }
            return [.run(.moveStage(carried.stage, to: .position(position + 1)), origin: .user)]
        case .escape:
            state.mode = .browsing
            return []
        default:
            return []
        }
        state.mode = .carryingColumn(carried)
        return []
    }

    // MARK: - Results

    static func succeeded(_ result: CommandResult, origin: CommandOrigin, _ state: inout BoardState) -> [BoardEffect] {
        if let rebase = result.rebase, origin != .user {
            state.history.undo = state.history.undo.map { $0.rebased(rebase) }
            state.history.redo = state.history.redo.map { $0.rebased(rebase) }
        }
        switch origin {
        case .user:
            if result.endsUndoHistory { state.history.undo.removeAll() }
            if let inverse = result.inverse { state.history.pushUndo(inverse) }
            state.history.redo.removeAll()
        case .undo:
            if let inverse = result.inverse { state.history.pushRedo(inverse) }
        case .redo:
            if let inverse = result.inverse { state.history.pushUndo(inverse) }
        }
        if let lead = result.lead { state.leads.selected = lead }
        if result.noteAdded, var page = state.page {
            page.noteBox = DealPageState(record: page.record, returnFocus: nil, language: state.language).noteBox
            state.page = page
        }
        switch state.mode {
        case .stageEditor, .cardEditor, .newCard, .deleteColumn, .lostReason, .leadEditor, .leadLostReason, .convertLead,
             .activityEditor, .completeActivity, .reschedule:
            state.mode = .browsing
        case .addColumn(var prompt):
            prompt.reset(suggestions: prompt.suggestions)
            prompt.added += 1
            state.mode = .addColumn(prompt)
        default:
            break
        }
        let prefix = origin == .undo ? state.t("board.undone") : origin == .redo ? state.t("board.redone") : ""
        state.status = result.hint.map { .hint($0.message(in: state.language)) } ?? .info(prefix + result.message)
        return [.reload(focus: result.focus, only: result.changedStages)]
    }

    /// The settings pane's changes are saved: the language and direction change at once, the
    /// rest (the Leads view, the default currency) with the reload.
    static func settingsSaved(_ changes: [(key: SettingKey, value: String)], _ state: inout BoardState) -> [BoardEffect] {
        for (key, value) in changes {
            switch key {
            case .language: state.language = Language(code: value) ?? state.language
            case .direction: state.direction = BoardDirection(rawValue: value) ?? state.direction
            case .leads, .currency, .team: break
            }
        }
        if case .settings = state.mode { state.mode = .browsing }
        state.status = .info(state.t("done.settingsSaved", changes.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: " · ")))
        return [.reload(focus: state.focus)]
    }

    /// The store's server went away (`lost` is the store's sentence) or came back (`nil`).
    /// Lost, the status line says so whenever it has nothing else to say; back, it says the
    /// board is current again (the session has reloaded it) in place of the loss or of any
    /// refusal met while away (they were about the server), but not of other news.
    static func connectionChanged(lost: String?, _ state: inout BoardState) -> [BoardEffect] {
        let previous = state.connectionLost
        state.connectionLost = lost
        if let lost {
            if state.status == nil || state.status?.text == previous { state.status = .error(lost) }
        } else if previous != nil, state.status == nil || state.status?.kind == .error {
            state.status = .info(state.t("board.reconnected"))
        }
        return []
    }

    /// What the status line says of a refusal: as it is for the user's own command, after
    /// "Cannot undo:" or "Cannot redo:" for theirs.
    static func text(_ message: String, origin: CommandOrigin, _ state: BoardState) -> String {
        origin == .user ? message : state.t(origin == .undo ? "board.cannotUndo" : "board.cannotRedo", message)
    }

    /// The store refused for the user's role: the program's own check (`notPermitted`, with
    /// its refusal) or the server's (permission denied, `nil`) — the role changed since the
    /// board last read it, or the server knows better. No field of a pane can change a role,
    /// so the pane closes and the status line says why; only giving a record to someone
    /// else is the salesperson field's to fix, and that pane stays with the sentence beside
    /// it. Either way the board is read again, with the user's access as it is now.
    static func refused(_ refusal: AccessRefusal?, message: String, _ state: inout BoardState) -> [BoardEffect] {
        if case .assignToOthers? = refusal {
            let field = "cardEditor.salesperson"
            switch state.mode {
            case .cardEditor(var editor):
                editor.form.show(message: message, at: field)
                state.mode = .cardEditor(editor)
                return [.reload(focus: state.focus)]
            case .newCard(var editor):
                editor.form.show(message: message, at: field)
                state.mode = .newCard(editor)
                return [.reload(focus: state.focus)]
            case .leadEditor(var editor):
                editor.form.show(message: message, at: field)
                state.mode = .leadEditor(editor)
                return [.reload(focus: state.focus)]
            case .convertLead(var wizard):
                wizard.form.show(message: message, at: field)
                state.mode = .convertLead(wizard)
                return [.reload(focus: state.focus)]
            default:
                break
            }
        }
        state.mode = .browsing
        state.status = .error(message)
        return [.reload(focus: state.focus)]
    }

    static func failed(_ error: PipelineError?, message: String, origin: CommandOrigin, _ state: inout BoardState) -> [BoardEffect] {
        let text = text(message, origin: origin, state)
        if case .notPermitted(let refusal)? = error { return refused(refusal, message: text, &state) }
        // An editor holds the record as it was when it opened: saving it again would meet the
        // same refusal for ever. It says so, and keeps what was typed in sight to type again.
        if case .changedSinceLoaded(let kind, let id)? = error {
            let stale = state.t("board.editorChangedMeanwhile", Catalogue.table(state.language)["kind.\(kind)"] ?? kind, id)
            switch state.mode {
            case .cardEditor(var editor):
                editor.form.show(message: stale)
                state.mode = .cardEditor(editor)
                return [.reload(focus: state.focus)]
            case .leadEditor(var editor):
                editor.form.show(message: stale)
                state.mode = .leadEditor(editor)
                return [.reload(focus: state.focus)]
            case .stageEditor(var editor):
                editor.form.show(message: stale)
                state.mode = .stageEditor(editor)
                return [.reload(focus: state.focus)]
            default:
                break
            }
        }
        // A refusal the pane can show stays in the pane, next to its field.
        switch (state.mode, error) {
        case (.stageEditor, nil), (.cardEditor, nil), (.newCard, nil), (.leadEditor, nil), (.addColumn, nil), (.settings, nil),
             (.lostReason, nil), (.leadLostReason, nil), (.deleteColumn, nil), (.convertLead, nil),
             (.activityEditor, nil), (.completeActivity, nil), (.reschedule, nil):
            // Not the pane's input but the store (its server away, busy): the pane stays with
            // what the user typed, to save again.
            state.status = .error(text)
        case (.stageEditor(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .stageEditor(editor)
        case (.cardEditor(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .cardEditor(editor)
        case (.newCard(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .newCard(editor)
        case (.leadEditor(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .leadEditor(editor)
        case (.convertLead, _):
            state.mode = .browsing
            state.status = .error(text)
        case (.addColumn(var prompt), let error?):
            prompt.form.show(error, language: state.language)
            state.mode = .addColumn(prompt)
        case (.settings(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .settings(editor)
        case (.activityEditor(var editor), let error?):
            editor.form.show(error, language: state.language)
            state.mode = .activityEditor(editor)
        case (.completeActivity(var pane), let error?):
            pane.form.show(error, language: state.language)
            state.mode = .completeActivity(pane)
        case (.reschedule(var prompt), let error?):
            prompt.form.show(error, language: state.language)
            state.mode = .reschedule(prompt)
        default:
            state.mode = .browsing
            state.status = .error(text)
        }
        // Show the fresh data: a refusal often means someone else changed it.
        return [.reload(focus: state.focus)]
    }
}
