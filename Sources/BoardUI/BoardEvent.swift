import PipelineCore
import PipelineStorage
import TerminalCore

/// Everything that can happen to the board: input, and data arriving from the store.
public enum BoardEvent: Sendable {
    case input(InputEvent)
    case loaded(BoardData)
    case windowLoaded(Stage.ID, CardWindow, focus: WindowFocus)
    /// View 3's figures; `range` and `won` are `nil` when only the grouping was read again.
    case forecastLoaded(Forecast, range: ForecastRange?, won: WonByMonth?)
    /// The seen rate of each stage of the team's pipeline.
    case observationsLoaded([StageObservation])
    /// A page of view 4's activities, with their deals' titles.
    case activitiesLoaded(ActivityPage)
    /// The deal view 4's Enter asked for, read as it is now: shown on its view, focused.
    case dealFound(Opportunity)
    /// The deal's page, read in one go (opened, or read again after a change).
    case dealPageLoaded(DealPage)
    /// Something to say on the status line, nothing else changing.
    case notice(StatusMessage)
    /// Per stage, the count and sums of the cards that match the filter (computed once typing pauses).
    case matchesLoaded(filter: String, [Stage.ID: Figures])
    case leadsLoaded(CardWindow, focus: WindowFocus)
    /// A lead's possible duplicates, for the conversion wizard.
    case duplicatesLoaded(Opportunity, [Opportunity])
    case commandSucceeded(CommandResult, origin: CommandOrigin)
    /// The settings pane's changes were saved (each normalised as stored).
    case settingsSaved([(key: SettingKey, value: String)])
    case commandFailed(PipelineError?, message: String, origin: CommandOrigin)
    /// The store's server refused the command for the user's role (permission denied; the
    /// program's own `PipelineError.notPermitted` comes as `commandFailed`): `message` is its
    /// sentence.
    case commandRefused(message: String, origin: CommandOrigin)
    /// Reading the board from the store failed (its server is away): said in the status line,
    /// and nothing else changes — what is on screen stays, and so does what a pane holds.
    case readFailed(message: String)
    /// The store's change feed lost its server (`message` says so) or, with `nil`, has it
    /// back; the session reloads the whole board then.
    case connectionChanged(lost: String?)
    /// What the user may do now, read after a key was refused.
    case accessChecked(Access)
    case tick(Timestamp)
}

/// Where focus goes once a new window of a column arrives.
public enum WindowFocus: Hashable, Sendable {
    case firstCard, lastCard
    case card(Opportunity.ID)
    case unchanged
}

/// What the board reads from the store in one go: small (stages, totals, one window per
/// column), whatever the size of the pipeline.
public struct BoardData: Sendable {
    public var team: Team
    public var teams: [Team]
    public var catalog: StageCatalog
    public var figures: [Stage.ID: Figures]
    public var matchingFigures: [Stage.ID: Figures]?
    public var columns: [Stage.ID: CardWindow]
    public var defaultCurrency: CurrencyCode
    /// Where focus should go (a moved or new card, a new stage).
    public var focus: Focus?
    public var leadsEnabled: Bool
    /// The Leads view's window (empty while leads are off).
    public var leads: CardWindow
    /// What the user may see and change, read in the same snapshot as the rest.
    public var access: Access
    /// The activity types (what the activity forms offer).
    public var activityTypes: [ActivityType] = []
    /// Per stage, the deals shown with an overdue activity, and the rotting ones.
    public var overdueCounts: [Stage.ID: Int] = [:]
    public var rottingCounts: [Stage.ID: Int] = [:]

    public init(team: Team, teams: [Team], catalog: StageCatalog, figures: [Stage.ID: Figures],
                matchingFigures: [Stage.ID: Figures]?, columns: [Stage.ID: CardWindow], defaultCurrency: CurrencyCode, focus: Focus?,
                leadsEnabled: Bool = false, leads: CardWindow = .empty, access: Access = .fileOwner, activityTypes: [ActivityType] = []) {
        self.access = access
        self.activityTypes = activityTypes
        self.leadsEnabled = leadsEnabled
        self.leads = leads
        self.team = team
        self.teams = teams
        self.catalog = catalog
        self.figures = figures
        self.matchingFigures = matchingFigures
        self.columns = columns
        self.defaultCurrency = defaultCurrency
        self.focus = focus
    }
}

/// What the reducer asks the session to do.
public enum BoardEffect: Sendable {
    /// Read the board again (stages, totals, windows), keeping each column where it was
    /// scrolled, then put focus on `focus`. With `only`, just those columns' windows and the
    /// totals are read: what a card moved between two columns changes.
    case reload(focus: Focus?, only: Set<Stage.ID>? = nil)
    /// Read one window of a column.
    case loadWindow(Stage.ID, WindowAnchor, focus: WindowFocus)
    case run(BoardCommand, origin: CommandOrigin)
    case loadForecast
    /// Read view 3's rows again in the grouping now chosen (the range and the won months stay).
    case loadForecastRows
    /// Read the seen rates of the team's stages.
    case loadObservations
    /// Read a page of view 4 (`after`: the last activity of the page before; `nil`: the first).
    case loadActivities(after: ActivityCursor?)
    /// Show the deal on the pipeline view, focus on its card.
    case jumpToDeal(Opportunity.ID)
    /// Read the deal's page: the deal, its activities, notes and timeline (one deal, never a column).
    case loadDealPage(Opportunity.ID)
    /// Read a window of the Leads view.
    case loadLeads(WindowAnchor, focus: WindowFocus)
    /// Find a lead's duplicates and open the conversion wizard.
    case loadDuplicates(Opportunity)
    /// Create a team (from the team picker) and show its pipeline.
    case createTeam(String)
    /// Save settings, as `pipeline settings set` does.
    case saveSettings([(key: SettingKey, value: String)])
    /// Make `team` the current team (remembered for the next start) and show its pipeline.
    case switchTeam(Team.ID)
    /// Read what the user may do now (after a refusal); the board is read again if it changed.
    case checkAccess
    case quit
}
