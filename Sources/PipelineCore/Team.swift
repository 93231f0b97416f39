/// A sales team. Every team has a pipeline: the shared stages plus its own.
public struct Team: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<Team>

    public var id: ID
    public var name: String
    /// Incremented by every change; an update made from an older version is refused.
    public var version: Int
    /// The team setting "own deals only": its salespeople see and change only the deals and
    /// leads they are the salesperson of (plus unassigned leads to take). Only a team server
    /// keeps it; a SQLite file is one person's, and reads it as off.
    public var ownDealsOnly: Bool

    public init(id: ID, name: String, version: Int = 1, ownDealsOnly: Bool = false) {
        self.id = id
        self.name = name
        self.version = version
        self.ownDealsOnly = ownDealsOnly
    }
}
