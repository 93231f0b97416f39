/// A sales team. Every team has a pipeline: the shared stages plus its own.
public struct Team: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<Team>

    public var id: ID
    public var name: String
    /// Incremented by every change; an update made from an older version is refused.
    public var version: Int

    public init(id: ID, name: String, version: Int = 1) {
        self.id = id
        self.name = name
        self.version = version
    }
}
