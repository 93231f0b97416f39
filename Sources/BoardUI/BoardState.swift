import PipelineCore
import TerminalCore

/// Everything the board shows, and nothing more: the stages of one team's pipeline, their
/// totals, and the visible window of each column — never the whole pipeline, so the board
/// costs what is on screen, not what is in the database.
public struct BoardState: Sendable {
    public var size: Size
    public var language: Language
    public var direction: BoardDirection
    public var view: BoardView = .pipeline
    public var team: Team
    /// Every team the store shows (a server shows only what the user may see): what a
    /// shared stage's change is weighed against. The team picker offers `memberTeams`.
    public var teams: [Team] = []
    /// What the person at the board may see and change (`PipelineReading.access()`), read
    /// again with every whole reload, so that a role an administrator changed meanwhile
    /// counts from the next change that arrives. A file's owner may do everything.
    public var access: Access = .fileOwner
    /// Every stage and team: what the stage editor validates against.
    public var catalog: StageCatalog
    /// The team's pipeline, in pipeline order.
    public var stages: [Stage] = []
    /// Header totals per stage (active cards), from the store's maintained totals.
    public var figures: [Stage.ID: Figures] = [:]
    /// Per stage, the count and sums of the cards that match the filter (only while filtering).
    public var matchingFigures: [Stage.ID: Figures]?
    public var columns: [Stage.ID: CardWindow] = [:]
    public var focus: Focus?
    /// The first column shown, in screen order (the board scrolls sideways).
    public var horizontalOffset = 0
    public var mode: Mode = .browsing
    /// The filter in force: cards whose title, customer or salesperson match.
    public var filter = ""
    /// Where focus was when filtering began; clearing the filter goes back there.
    public var focusBeforeFilter: Focus?
    public var status: StatusMessage?
    /// While the store's server is away: the store's sentence saying so (the status line
    /// shows it whenever it has nothing else to say); `nil` when connected.
    public var connectionLost: String?
    public var defaultCurrency: CurrencyCode
    /// For "days in stage"; the session refreshes it.
    public var now: Timestamp
    /// The user's offset from UTC (the executable asks `TimeZone.current`; tests fix one):
    /// what turns `now` into the user's "today" for the activity marks and rotting.
    public var utcOffsetSeconds = 0
    /// Who "mine" is: the store's user (a server's session user), else the name the board
    /// records changes under.
    public var me = ""
    /// The activity types, in their order (what the activity forms offer).
    public var activityTypes: [ActivityType] = []
    /// View 4: one page of activities.
    public var activities = ActivityList()
    /// Enter on a card: the deal's page, over the board until Esc.
    public var page: DealPageState?
    /// `m`: only the user's own deals (`me`) in the columns, the headers and the status line.
    public var mine = false
    /// `o`: how every column is ordered (one order for the whole board). Cards move up and
    /// down by hand only in `.hand`.
    public var order: CardOrder = .hand
    /// Per stage, how many deals (of those shown) have an overdue activity, and how many
    /// rot; stages with none are absent. From the store, never counted from the windows.
    public var overdueCounts: [Stage.ID: Int] = [:]
    public var rottingCounts: [Stage.ID: Int] = [:]
    public var history = UndoHistory()
    public var forecast: Forecast?
    /// View 3's grouping (`b` cycles it): the CLI's `forecast --by`.
    public var forecastGrouping: Forecast.Grouping = .stage
    /// View 3's range of the open pipeline per closing month, and the revenue won this month
    /// and last (read with the forecast; kept while only the grouping changes).
    public var forecastRange: ForecastRange?
    public var wonByMonth: WonByMonth?
    /// How many lines view 3 is scrolled down (it is longer than a small screen).
    public var forecastScroll = 0
    /// Per stage of the team's pipeline, its seen rate among closed deals (issue 14): read
    /// when the stage editor opens or a header's tooltip shows, dropped with every reload.
    public var observations: [Stage.ID: StageObservation]?
    /// Whether the observations were asked for since the last reload (a read that failed is
    /// not asked again until the board is read again).
    public var observationsRequested = false
    /// Whether the Leads step is on (the `leads` setting).
    public var leadsEnabled = false
    public var leads = LeadList()
    /// The header under the mouse pointer (its requirements show as a tooltip).
    public var hoveredStage: Stage.ID?
    /// The header whose tooltip Esc dismissed; it shows again once focus moves.
    public var dismissedTooltip: Stage.ID?
    /// A mouse drag in progress.
    public var mouseDrag: MouseDrag?

    public init(size: Size, language: Language, direction: BoardDirection, team: Team, catalog: StageCatalog,
                defaultCurrency: CurrencyCode, now: Timestamp) {
        self.size = size
        self.language = language
        self.direction = direction
        self.team = team
        self.catalog = catalog
        self.defaultCurrency = defaultCurrency
        self.now = now
    }

    /// "Today" for the rotting rule.
    public var rottingDay: RottingDay { RottingDay(today: today, utcOffsetSeconds: utcOffsetSeconds) }

    /// Whose deals the columns show: the user's with `m`, else a filter's `@name` word, else everyone's.
    public var shownSalesperson: String? { mine ? me : BoardFilter(filter).salesperson }

    /// The user's calendar day now.
    public var today: CalendarDate { now.localDate(utcOffsetSeconds: utcOffsetSeconds) }

    /// An activity type's name, as the lists show it.
    public func activityTypeName(_ id: ActivityType.ID) -> String {
        activityTypes.first { $0.id == id }?.name ?? "#\(id.rawValue)"
    }

    /// Looks up the board's words in its language: `state.t("board.noStages")`.
    public var t: Localizer { Localizer(language) }

    /// The views the tabs offer: Leads only while the setting is on.
    public var views: [BoardView] {
        BoardView.allCases.filter { $0 != .leads || leadsEnabled }
    }

    /// The stages in the order they appear from left to right.
    public var screenStages: [Stage] {
        direction == .rightToLeft ? stages.reversed() : stages
    }

    public func stage(_ id: Stage.ID) -> Stage? { stages.first { $0.id == id } }

    /// The stage that has focus (a header or one of its cards).
    public var focusedStage: Stage? {
        focus.flatMap { stage($0.stage) }
    }

    public var focusedCard: Opportunity? {
        guard case .card(let stageID, let cardID)? = focus else { return nil }
        return columns[stageID]?.cards.first { $0.id == cardID }
    }

    /// The count a header shows: matching cards while filtering, else all.
    public func count(of stage: Stage.ID) -> Int {
        if !filter.isEmpty, let matchingFigures { return matchingFigures[stage]?.count ?? 0 }
        return figures[stage]?.count ?? 0
    }
}

/// Where the first stage sits.
public enum BoardDirection: String, Sendable {
    /// The guide's way: first contact on the right, closed stages on the left.
    case rightToLeft = "rtl"
    case leftToRight = "ltr"
}

public enum BoardView: Int, Sendable, CaseIterable {
    case pipeline = 1
    /// Only while the `leads` setting is on.
    case leads = 2
    case forecast = 3
    /// The activities to do, by due date (issue 13).
    case activities = 4

    public func title(in language: Language) -> String {
        switch self {
        case .pipeline: return Catalogue.text("view.pipeline", language)
        case .leads: return Catalogue.text("view.leads", language)
        case .forecast: return Catalogue.text("view.forecast", language)
        case .activities: return Catalogue.text("view.activities", language)
        }
    }
}

/// The Leads view: one window of the team's leads, in the chosen order.
public struct LeadList: Sendable {
    public var window = CardWindow.empty
    public var selected: Opportunity.ID?
    public var order: LeadOrder = .date
    public var filter = ""

    public var selectedLead: Opportunity? { window.cards.first { $0.id == selected } }
}

/// What has focus, by identity, so it survives reorders, reloads and filters.
public enum Focus: Hashable, Sendable {
    case header(Stage.ID)
    case card(Stage.ID, Opportunity.ID)

    public var stage: Stage.ID {
        switch self {
        case .header(let stage), .card(let stage, _): return stage
        }
    }

    public var card: Opportunity.ID? {
        if case .card(_, let card) = self { return card }
        return nil
    }
}

/// A line for the status bar.
public struct StatusMessage: Hashable, Sendable {
    public enum Kind: Sendable { case info, hint, error }
    public var kind: Kind
    public var text: String

    public static func info(_ text: String) -> StatusMessage { StatusMessage(kind: .info, text: text) }
    public static func hint(_ text: String) -> StatusMessage { StatusMessage(kind: .hint, text: text) }
    public static func error(_ text: String) -> StatusMessage { StatusMessage(kind: .error, text: text) }
}

/// What the keys currently do.
public enum Mode: Sendable {
    case browsing
    /// A card picked up with Space, shown where it would land.
    case carryingCard(CarriedCard)
    /// A column picked up with Space on its header.
    case carryingColumn(CarriedColumn)
    case stageEditor(StageEditor)
    case cardEditor(CardEditor)
    case newCard(CardEditor)
    case addColumn(ColumnPrompt)
    case deleteColumn(DeleteColumnPrompt)
    case lostReason(ReasonPrompt)
    case leadEditor(LeadEditor)
    case leadLostReason(ReasonPrompt)
    case convertLead(ConversionWizard)
    case filtering(LineEditor)
    case teamPicker(TeamPicker)
    /// `S`: the settings pane.
    case settings(SettingsEditor)
    /// The `?` overlay, scrolled down by this many lines.
    case help(scroll: Int)
    /// `a` on a card: a new activity of its deal.
    case activityEditor(ActivityEditor)
    /// `d` in view 4: done, its feedback and the suggested next activity.
    case completeActivity(CompletionPane)
    /// `r` in view 4: a new due date (`+1d`, `+1w`, a date).
    case reschedule(ReschedulePrompt)
}

/// A card being carried: where it came from and where it would land.
public struct CarriedCard: Sendable {
    public var card: Opportunity
    public var origin: Stage.ID
    public var target: Stage.ID
    /// Index in the target column's visible cards (the carried card not counted).
    public var index: Int
}

public struct CarriedColumn: Sendable {
    public var stage: Stage.ID
    /// Pipeline order as it would be after the drop.
    public var order: [Stage.ID]
}

/// The header (or card) a mouse button went down on.
public struct MouseDrag: Sendable, Hashable {
    public var focus: Focus
    public var start: Point
    public var moved: Bool
}
