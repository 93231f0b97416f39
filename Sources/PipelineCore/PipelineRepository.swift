/// What the board needs from a store, declared here so that the board never imports the
/// database library (and a second engine could stand beside SQLite).
///
/// Every mutation is one transaction, validated by this module's rules; errors are
/// ``PipelineError`` (input, rules, stale versions) or the store's own (the file).
public protocol PipelineRepository: AnyObject, Sendable {
    // Reading
    func teams() throws -> [Team]
    func currentTeam() throws -> Team
    func catalog() throws -> StageCatalog
    func stageFigures(team: Team.ID?) throws -> [Stage.ID: Figures]
    func setting(_ key: SettingKey) throws -> String?
    func defaultCurrency() throws -> CurrencyCode
    func opportunity(_ id: Opportunity.ID) throws -> Opportunity?
    func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast
    /// One window of a board column, `limit` cards long at most, in rank order.
    func cardWindow(_ column: ColumnQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    /// Per stage, how many active cards of `team` match `filter`.
    func matchingCounts(team: Team.ID, filter: String) throws -> [Stage.ID: Int]
    /// Per stage, the count and sums of the active cards of `team` that match `filter`: what
    /// the board's headers and status line show while filtering.
    func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures]
    /// Changes whenever another connection commits (SQLite's `data_version`): polling it
    /// tells the board that someone else changed the pipeline.
    func changeToken() throws -> Int

    // Writing
    @discardableResult func setSetting(_ key: SettingKey, to value: String) throws -> String
    func addTeam(named name: String, context: ChangeContext) throws -> Team
    func addStage(_ draft: StageDraft, in team: Team.ID, at position: Int?) throws -> (stage: Stage, hint: PipelineHint?)
    func editStage(_ id: Stage.ID, _ edit: StageEdit, expectedVersion: Int?, context: ChangeContext) throws -> Stage
    func moveStage(_ id: Stage.ID, in team: Team.ID, to placement: StagePlacement) throws -> Pipeline
    func removeStage(_ id: Stage.ID, movingTo destination: Stage.ID?, context: ChangeContext) throws -> Int
    func addOpportunity(_ changes: OpportunityChanges, team: Team.ID, stage: Stage.ID?, context: ChangeContext) throws -> Opportunity
    func editOpportunity(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, stage: Stage.ID?,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func moveOpportunity(_ id: Opportunity.ID, to stage: Stage.ID, placement: CardPlacement,
                         expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func markWon(_ id: Opportunity.ID, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func markLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func revertOpportunity(to snapshot: Opportunity, placement: CardPlacement, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func deleteOpportunity(_ id: Opportunity.ID, expectedVersion: Int?) throws

    // Leads
    /// One window of the Leads view; cursors are `Opportunity.cursor(in:)`.
    func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow
    func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity
    func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID?, expectedVersion: Int?,
                  context: ChangeContext) throws -> Opportunity
    func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func revertLead(to snapshot: Opportunity, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
    func deleteLead(_ id: Opportunity.ID, expectedVersion: Int?) throws
    func duplicates(of id: Opportunity.ID) throws -> [Opportunity]
    func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int?, context: ChangeContext) throws -> Opportunity
}

extension PipelineRepository {
    /// Reads every matching card, a window at a time: correct for any store; a store that
    /// can sum in a query does it there.
    public func matchingFigures(team: Team.ID, filter: String) throws -> [Stage.ID: Figures] {
        guard let owner = try teams().first(where: { $0.id == team }) else { return [:] }
        var result: [Stage.ID: Figures] = [:]
        for stage in try catalog().pipeline(for: owner).stages {
            let query = ColumnQuery(team: team, stage: stage.id, filter: filter)
            var window = try cardWindow(query, anchor: .top, limit: 500)
            var figures = Figures()
            while true {
                for card in window.cards { figures.add(card) }
                guard window.hasMoreBelow, let last = window.cards.last else { break }
                window = try cardWindow(query, anchor: .after(last.cursor), limit: 500)
            }
            if figures.count > 0 { result[stage.id] = figures }
        }
        return result
    }
}

/// Which cards a board column shows.
public struct ColumnQuery: Hashable, Sendable {
    public var team: Team.ID
    public var stage: Stage.ID
    /// Typed filter text (matched ignoring case and accents); empty shows every card.
    public var filter: String

    public init(team: Team.ID, stage: Stage.ID, filter: String = "") {
        self.team = team
        self.stage = stage
        self.filter = filter
    }
}

/// A card's place in its column's order: the key windows are paged by.
public struct CardCursor: Hashable, Sendable {
    public var rank: Int64
    public var id: Opportunity.ID

    public init(rank: Int64, id: Opportunity.ID) {
        self.rank = rank
        self.id = id
    }
}

extension Opportunity {
    public var cursor: CardCursor { CardCursor(rank: rank, id: id) }
}

/// Where a window of cards sits in its column.
public enum WindowAnchor: Hashable, Sendable {
    /// The first cards of the column.
    case top
    /// The last cards of the column.
    case bottom
    /// Starting with this card (or, if it is gone, the next one).
    case startingAt(CardCursor)
    /// The cards just after this one.
    case after(CardCursor)
    /// The cards just before this one (the window ends right above it).
    case before(CardCursor)
}

/// A window of a column's cards, and whether more lie beyond either end.
public struct CardWindow: Hashable, Sendable {
    public var cards: [Opportunity]
    public var hasMoreAbove: Bool
    public var hasMoreBelow: Bool

    public init(cards: [Opportunity], hasMoreAbove: Bool, hasMoreBelow: Bool) {
        self.cards = cards
        self.hasMoreAbove = hasMoreAbove
        self.hasMoreBelow = hasMoreBelow
    }

    public static let empty = CardWindow(cards: [], hasMoreAbove: false, hasMoreBelow: false)
}
