import GRDB
import PipelineCore

/// Card order inside a column: sparse ranks, so a move writes one row; when two
/// neighbours touch, only a window around the spot is respaced, never the whole column.
extension PipelineDatabase {
    private struct RankKey {
        var rank: Int64
        var id: Int64
    }

    private static let columnCondition = "type = 'opportunity' AND active = 1 AND team_id = :team AND stage_id = :stage AND id <> :card"

    /// A rank that puts `card` at `placement` in its (team, stage) column.
    static func rank(_ db: Database, for card: Opportunity, placement: CardPlacement) throws -> Int64 {
        guard let stage = card.stage else { return 0 }
        switch placement {
        case .before(card.id), .after(card.id): throw PipelineError.opportunityRelativeToItself
        default: break
        }
        let column: StatementArguments = ["team": card.team.rawValue, "stage": stage.rawValue, "card": card.id.rawValue]
        for attempt in 0..<2 {
            let (before, after) = try neighbours(db, column: column, placement: placement)
            if let rank = CardRank.between(before?.rank, after?.rank) { return rank }
            guard attempt == 0, let pivot = after ?? before else { break }
            try respace(db, column: column, around: pivot)
        }
        throw StoreError.failed(path: "the database", reason: "no room to order the cards of a column")
    }

    /// The cards the placed card goes between.
    private static func neighbours(_ db: Database, column: StatementArguments, placement: CardPlacement) throws -> (RankKey?, RankKey?) {
        func key(_ sql: String, _ extra: StatementArguments = [:]) throws -> RankKey? {
            var arguments = column
            arguments += extra
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT rank, id FROM opportunity WHERE \(columnCondition) \(sql)"), arguments: arguments)
                .map { RankKey(rank: $0["rank"], id: $0["id"]) }
        }
        switch placement {
        case .top:
            return (nil, try key("ORDER BY rank, id LIMIT 1"))
        case .bottom:
            return (try key("ORDER BY rank DESC, id DESC LIMIT 1"), nil)
        case .before(let other), .after(let other):
            guard let anchor = try key("AND id = :other", ["other": other.rawValue]) else {
                throw PipelineError.anchorNotInColumn(other)
            }
            let anchorArguments: StatementArguments = ["rank": anchor.rank, "id": anchor.id]
            if case .before = placement {
                return (try key("AND (rank, id) < (:rank, :id) ORDER BY rank DESC, id DESC LIMIT 1", anchorArguments), anchor)
            }
            return (anchor, try key("AND (rank, id) > (:rank, :id) ORDER BY rank, id LIMIT 1", anchorArguments))
        }
    }

    /// Spreads the ranks of the cards around `pivot` evenly between the window's outer
    /// neighbours, widening the window until there is room.
    private static func respace(_ db: Database, column: StatementArguments, around pivot: RankKey) throws {
        var radius = 16
        while true {
            var arguments = column
            arguments += ["rank": pivot.rank, "id": pivot.id, "limit": radius + 1]
            let below = try Row.fetchAll(db.cachedStatement(sql: "SELECT rank, id FROM opportunity WHERE \(columnCondition) AND (rank, id) < (:rank, :id) ORDER BY rank DESC, id DESC LIMIT :limit"), arguments: arguments)
                .map { RankKey(rank: $0["rank"], id: $0["id"]) }
            let above = try Row.fetchAll(db.cachedStatement(sql: "SELECT rank, id FROM opportunity WHERE \(columnCondition) AND (rank, id) >= (:rank, :id) ORDER BY rank, id LIMIT :limit"), arguments: arguments)
                .map { RankKey(rank: $0["rank"], id: $0["id"]) }
            let window = Array(below.prefix(radius).reversed()) + Array(above.prefix(radius))
            guard let first = window.first, let last = window.last else { return }
            let slots = Int128(window.count + 1)
            let spacing = Int128(CardRank.spacing)
            let floor = Int128(Int64.min / 2), ceiling = Int128(Int64.max / 2)
            let lower = below.count > radius ? Int128(below[radius].rank) : max(floor, Int128(first.rank) - spacing * slots)
            let upper = above.count > radius ? Int128(above[radius].rank) : min(ceiling, Int128(last.rank) + spacing * slots)
            let wholeColumn = below.count <= radius && above.count <= radius
            if (upper - lower) / slots >= 2 || wholeColumn {
                let (start, step) = (upper - lower) / slots >= 2 ? (lower, (upper - lower) / slots) : (Int128(0), spacing)
                let statement = try db.cachedStatement(sql: "UPDATE opportunity SET rank = ? WHERE id = ?")
                for (index, card) in window.enumerated() {
                    try statement.execute(arguments: [Int64(start + step * Int128(index + 1)), card.id])
                }
                return
            }
            radius *= 4
        }
    }
}
