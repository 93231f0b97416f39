import PipelineCore
import PipelineStorage
import TerminalCore

/// Runs the board: render → present → next event → reduce → perform effects, on one
/// thread. Synchronous on purpose: a local SQLite write takes milliseconds, and the
/// state machine stays free of concurrency.
public final class BoardSession {
    public let repository: any BoardStore
    public let terminal: any TerminalDevice
    public private(set) var state: BoardState
    let clock: () -> Timestamp
    let user: String
    private var changeToken: ChangeToken
    private var running = true
    /// Called after each key with the microseconds from reading it to flushing the frame.
    public var onKeyHandled: ((InputEvent, Int) -> Void)?
    /// Called once the first whole frame has been flushed.
    public var onFirstFrame: (() -> Void)?
    let monotonicMicroseconds: () -> Int

    /// Opens the board on `team` (else the current team of whoever `repository` acts for).
    /// The team picker and the settings pane change that user's own team, language and
    /// direction, never anyone else's (the store decides who that is: on a server, its
    /// session user); `user` is the name the stage history records.
    public init(repository: any BoardStore, terminal: any TerminalDevice, team: Team.ID?,
                direction: BoardDirection, language: Language, user: String,
                clock: @escaping () -> Timestamp, utcOffsetSeconds: Int = 0,
                monotonicMicroseconds: @escaping () -> Int = { 0 }) throws {
        self.repository = repository
        self.terminal = terminal
        self.clock = clock
        self.user = user
        self.monotonicMicroseconds = monotonicMicroseconds
        let current = try repository.currentTeam()
        let shown = try team.flatMap { id in try repository.teams().first { $0.id == id } } ?? current
        state = BoardState(size: terminal.size, language: language, direction: direction, team: shown,
                           catalog: try repository.catalog(), defaultCurrency: try repository.defaultCurrency(), now: clock())
        state.utcOffsetSeconds = utcOffsetSeconds
        state.me = repository.user ?? user
        changeToken = try repository.changeToken()
        try load(focus: nil)
    }

    /// Runs until the user quits.
    public func run() {
        terminal.present(BoardRenderer.render(state))
        onFirstFrame?()
        var lastTick = clock()
        while running {
            // A store that announces changes (PostgreSQL) wakes the loop at once; one that
            // does not (SQLite) is asked between keys.
            guard let event = terminal.nextEvent(timeout: 0.25, wakingOn: repository.changeSignal) else {
                idle(&lastTick)
                continue
            }
            let started = monotonicMicroseconds()
            send(.input(event))
            terminal.present(BoardRenderer.render(state))
            onKeyHandled?(event, monotonicMicroseconds() - started)
        }
    }

    /// Feeds one event through the reducer and performs what it asks, feeding results back.
    public func send(_ event: BoardEvent) {
        var queue = BoardReducer.reduce(&state, event)
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            for result in perform(effect) { queue += BoardReducer.reduce(&state, result) }
        }
    }

    /// When no key came for a moment: the clock for "days in stage", the filter's counts,
    /// and another process's changes (they show within a second without a key press).
    private func idle(_ lastTick: inout Timestamp) {
        let now = clock()
        if now.millisecondsSince1970 - lastTick.millisecondsSince1970 >= 60_000 {
            lastTick = now
            send(.tick(now))
            terminal.present(BoardRenderer.render(state))
        }
        if catchUp() { terminal.present(BoardRenderer.render(state)) }
    }

    /// Does the work left for a pause in typing; returns whether anything changed.
    @discardableResult
    public func catchUp() -> Bool {
        var changed = false
        if !state.filter.isEmpty, state.matchingFigures == nil,
           let figures = try? filteredFigures() {
            send(.matchesLoaded(filter: state.filter, figures))
            changed = true
        }
        let announced: Bool
        do {
            announced = try repository.drainChangeSignal()
        } catch {
            // The change feed lost its server. The store reconnects on a later call (a
            // server store tries at most once a second); meanwhile the board keeps what it
            // shows and what a pane holds, and says why nothing changes.
            let sentence = state.connectionLost ?? Self.message(error, in: state.language)
            let before = state.status
            send(.connectionChanged(lost: sentence))
            return changed || state.status != before
        }
        let cameBack = state.connectionLost != nil
        guard let token = try? repository.changeToken(), token != changeToken || announced || cameBack else { return changed }
        changeToken = token
        do {
            // Back after a loss: whatever was announced meanwhile is lost, so everything is read again.
            try load(focus: nil)
            if cameBack { send(.connectionChanged(lost: nil)) }
        } catch {
            send(.readFailed(message: Self.message(error, in: state.language)))
        }
        return true
    }

    private func perform(_ effect: BoardEffect) -> [BoardEvent] {
        do {
            return try performing(effect)
        } catch {
            let message = Self.message(error, in: state.language)
            // A server that refuses for the user's role: the reducer closes what was open and
            // reads the board again, with the role as it is now.
            let refusedByServer: Bool
            if case StoreError.permissionDenied? = error as? StoreError { refusedByServer = true } else { refusedByServer = false }
            switch effect {
            case .reload, .loadWindow, .loadForecast, .loadForecastRows, .loadObservations, .loadLeads, .loadDuplicates, .checkAccess, .loadActivities, .jumpToDeal, .loadDealPage:
                // A read that failed is not retried at once: it would fail the same way (a
                // server that is away) and ask again for ever. The change feed brings the
                // board back when the store is.
                return [.readFailed(message: message)]
            case .run(_, let origin):
                if refusedByServer { return [.commandRefused(message: message, origin: origin)] }
                return [.commandFailed(nil, message: message, origin: origin)]
            case .saveSettings, .createTeam, .switchTeam, .quit:
                if refusedByServer { return [.commandRefused(message: message, origin: .user)] }
                return [.commandFailed(nil, message: message, origin: .user)]
            }
        }
    }

    private func performing(_ effect: BoardEffect) throws -> [BoardEvent] {
        switch effect {
        case .quit:
            running = false
            return []
        case .reload(let focus, let only):
            return [.loaded(try data(focus: focus, only: only))]
        case .loadWindow(let stage, let anchor, let focus):
            let window = try repository.cardWindow(query(stage), anchor: anchor, limit: BoardLayout.cardCapacity(state.size))
            return [.windowLoaded(stage, window, focus: focus)]
        case .checkAccess:
            return [.accessChecked(try repository.access())]
        case .loadForecast:
            // With `m`, the user's deals alone, as the header and the title bar say. The same
            // store reads as `pipeline forecast [--range]`, in one snapshot.
            let salesperson = state.mine ? state.me : nil
            let months = [0, 1].map { MonthWindow.of(state.today, monthsBack: $0, utcOffsetSeconds: state.utcOffsetSeconds) }
            return try repository.readingTogether {
                [.forecastLoaded(try repository.forecast(team: state.team.id, groupedBy: state.forecastGrouping, salesperson: salesperson),
                                 range: try repository.forecastRange(team: state.team.id, salesperson: salesperson),
                                 won: try repository.wonByMonth(team: state.team.id, salesperson: salesperson, months: months))]
            }
        case .loadForecastRows:
            return [.forecastLoaded(try repository.forecast(team: state.team.id, groupedBy: state.forecastGrouping,
                                                            salesperson: state.mine ? state.me : nil), range: nil, won: nil)]
        case .loadObservations:
            // The same store read as `stats stages --team` and `stage list --json`.
            return [.observationsLoaded(try repository.stageObservations(team: state.team.id, since: nil))]
        case .loadActivities(let after):
            return [.activitiesLoaded(try activityPage(after: after))]
        case .jumpToDeal(let id):
            guard let deal = try repository.opportunity(id) else {
                return [.notice(.error(PipelineError.unknownOpportunity(String(id.rawValue)).message(in: state.language)))]
            }
            return [.dealFound(deal)]
        case .loadDealPage(let id):
            return [.dealPageLoaded(try repository.dealPage(of: id))]
        case .loadLeads(let anchor, let focus):
            return [.leadsLoaded(try repository.leadWindow(leadQuery, anchor: anchor, limit: BoardLeads.capacity(state.size)), focus: focus)]
        case .loadDuplicates(let lead):
            return [.duplicatesLoaded(lead, try repository.duplicates(of: lead.id))]
        case .saveSettings(let changes):
            do {
                for (key, value) in changes { try repository.setSetting(key, to: value) }
            } catch PipelineError.notPermitted(let refusal) {
                return [.commandFailed(.notPermitted(refusal), message: refusal.message(in: state.language), origin: .user)]
            }
            return [.settingsSaved(changes)]
        case .createTeam(let name):
            let team: Team
            do {
                team = try repository.addTeam(named: name, context: ChangeContext(now: clock(), user: user))
            } catch PipelineError.notPermitted(let refusal) {
                return [.commandFailed(.notPermitted(refusal), message: refusal.message(in: state.language), origin: .user)]
            }
            return perform(.switchTeam(team.id))
        case .switchTeam(let team):
            try repository.setSetting(.team, to: String(team.rawValue))
            state.team = try repository.currentTeam()
            state.columns = [:]
            state.focus = nil
            state.history = UndoHistory()
            return [.loaded(try data(focus: nil))]
        case .run(let command, let origin):
            let runner = CommandRunner(repository: repository, team: state.team, language: state.language, catalog: state.catalog)
            do {
                let result = try runner.run(command, context: ChangeContext(now: clock(), user: user))
                return [.commandSucceeded(result, origin: origin)]
            } catch let error as PipelineError {
                return [.commandFailed(error, message: error.message(in: state.language), origin: origin)]
            }
        }
    }

    static func message(_ error: any Error, in language: Language) -> String {
        (error as? any UserFacingError)?.message(in: language) ?? "\(error)"
    }

    private func load(focus: Focus?) throws {
        send(.loaded(try data(focus: focus)))
    }

    /// One page of view 4 and the deals of its activities, in one snapshot: as many rows as
    /// fit, and one more to know whether there are more.
    private func activityPage(after: ActivityCursor?) throws -> ActivityPage {
        let scope = state.activities.scope
        let whose: ActivityQuery.Scope
        switch scope {
        case .mine: whose = .assignee(state.me)
        case .team: whose = .team(state.team.id)
        case .everyone: whose = .everyone
        }
        let limit = BoardActivities.capacity(state.size)
        return try repository.readingTogether {
            let found = try repository.activityList(ActivityQuery(scope: whose, today: state.today), after: after, limit: limit + 1)
            var deals: [Opportunity.ID: Opportunity] = [:]
            for activity in found.prefix(limit) where deals[activity.record] == nil {
                deals[activity.record] = try repository.opportunity(activity.record)
            }
            return ActivityPage(rows: found.prefix(limit).map { ActivityRow(activity: $0, deal: deals[$0.record]) },
                                hasMore: found.count > limit, after: after, scope: scope)
        }
    }

    private var leadQuery: LeadQuery {
        LeadQuery(team: state.team.id, order: state.leads.order, filter: state.leads.filter)
    }

    private func query(_ stage: Stage.ID) -> ColumnQuery {
        let filter = BoardFilter(state.filter)
        return ColumnQuery(team: state.team.id, stage: stage, filter: filter.text, salesperson: state.shownSalesperson,
                           rotting: filter.rotting ? state.rottingDay : nil, order: state.order)
    }

    /// The filter's per-stage figures: its words, its `@name` (or `m`'s user) and `rotting`.
    private func filteredFigures() throws -> [Stage.ID: Figures] {
        let filter = BoardFilter(state.filter)
        return try repository.columnFigures(team: state.team.id, filter: filter.text, salesperson: state.shownSalesperson,
                                            rotting: filter.rotting ? state.rottingDay : nil)
    }

    /// The header figures: the team's, or with `m` the user's deals alone (the store's sums
    /// through the salesperson), with the overdue and rotting counts of the same deals.
    private func headerFigures(team: Team.ID) throws -> (figures: [Stage.ID: Figures], overdue: [Stage.ID: Int], rotting: [Stage.ID: Int]) {
        let salesperson = state.mine ? state.me : nil
        let figures = try salesperson.map { try repository.columnFigures(team: team, filter: "", salesperson: $0, rotting: nil) }
            ?? repository.stageFigures(team: team)
        return (figures, try repository.overdueCounts(team: team, today: state.today, salesperson: salesperson),
                try repository.rottingCounts(team: team, on: state.rottingDay, salesperson: salesperson))
    }

    /// Reads what the board shows: stages, totals, and one window per column — each kept
    /// where it was scrolled, and the column of `focus` scrolled to show its card.
    func data(focus: Focus?, only changed: Set<Stage.ID>? = nil) throws -> BoardData {
        // One snapshot for the whole screen: the totals agree with the windows, and a server
        // begins and ends one transaction rather than one per read.
        try repository.readingTogether {
            if let changed { return try data(focus: focus, changedColumns: changed) }
            return try wholeData(focus: focus)
        }
    }

    private func wholeData(focus: Focus?) throws -> BoardData {
        // Who the user is now: an administrator may have changed their role or teams since
        // the last read, and everything below is read through that.
        let access = try repository.access()
        let teams = try repository.teams()
        var team = try teams.first { $0.id == state.team.id } ?? repository.currentTeam()
        // A team the user is not in (the pipeline's default team, one they were taken out
        // of) gives way to one of theirs.
        if access.refusalToUse(team) != nil, let theirs = teams.first(where: { access.refusalToUse($0) == nil }) { team = theirs }
        let catalog = try repository.catalog()
        let stages = catalog.pipeline(for: team).stages
        var columns: [Stage.ID: CardWindow] = [:]
        for stage in stages { columns[stage.id] = try window(of: stage.id, focus: focus) }
        let leadsEnabled = try repository.setting(.leads) == "on"
        var leads = CardWindow.empty
        if leadsEnabled {
            let selected = state.leads.window.cards.first { $0.id == state.leads.selected }
            let anchor = state.leads.window.hasMoreAbove ? state.leads.window.cards.first.map { WindowAnchor.startingAt($0.cursor(in: state.leads.order)) } : nil
            leads = try repository.leadWindow(leadQuery, anchor: anchor ?? .top, limit: BoardLeads.capacity(state.size))
            if let selected, !leads.cards.contains(where: { $0.id == selected.id }), leads.hasMoreBelow || leads.hasMoreAbove {
                leads = try repository.leadWindow(leadQuery, anchor: .startingAt(selected.cursor(in: state.leads.order)), limit: BoardLeads.capacity(state.size))
            }
        }
        let header = try headerFigures(team: team.id)
        var data = BoardData(
            team: team, teams: teams, catalog: catalog, figures: header.figures,
            // Filtered counts cost a pass over every match: they wait for a pause (catchUp).
            matchingFigures: nil,
            columns: columns, defaultCurrency: try repository.defaultCurrency(), focus: focus,
            leadsEnabled: leadsEnabled, leads: leads, access: access, activityTypes: try repository.activityTypes())
        data.overdueCounts = header.overdue
        data.rottingCounts = header.rotting
        return data
    }

    /// After a command that only moved cards or reordered stages: the changed columns, the
    /// stages and the totals are read again; the other columns, teams and settings are as
    /// they were.
    private func data(focus: Focus?, changedColumns changed: Set<Stage.ID>) throws -> BoardData {
        let catalog = try repository.catalog()
        var columns = state.columns
        for stage in changed where catalog.stage(stage) != nil { columns[stage] = try window(of: stage, focus: focus) }
        let header = try headerFigures(team: state.team.id)
        var data = BoardData(
            team: state.team, teams: state.teams, catalog: catalog, figures: header.figures,
            matchingFigures: nil, columns: columns, defaultCurrency: state.defaultCurrency, focus: focus,
            leadsEnabled: state.leadsEnabled, leads: state.leads.window, access: state.access, activityTypes: state.activityTypes)
        data.overdueCounts = header.overdue
        data.rottingCounts = header.rotting
        return data
    }

    /// One column's window, kept where it was scrolled; scrolled to `focus` when that card
    /// is in this column and out of sight.
    private func window(of stage: Stage.ID, focus: Focus?) throws -> CardWindow {
        let capacity = BoardLayout.cardCapacity(state.size)
        // A column scrolled to its top stays at the top, so that cards added there show.
        let window = state.columns[stage]
        let anchor = window.flatMap { $0.hasMoreAbove ? $0.cards.first.map { WindowAnchor.startingAt($0.cursor(in: state.order)) } : nil } ?? .top
        var loaded = try repository.cardWindow(query(stage), anchor: anchor, limit: capacity)
        if case .card(let focusStage, let card)? = focus, focusStage == stage, !loaded.cards.contains(where: { $0.id == card }),
           let target = try repository.opportunity(card), target.stage == stage {
            loaded = try repository.cardWindow(query(stage), anchor: .startingAt(target.cursor(in: state.order)), limit: capacity)
        }
        return loaded
    }
}
