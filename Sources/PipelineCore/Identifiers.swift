/// A typed database id: a `Stage.ID` can never be passed where an `Opportunity.ID` is expected.
///
/// Ids are SQLite row ids, so they are positive 64-bit integers that are never reused
/// (the store declares its tables `AUTOINCREMENT`).
public struct RecordID<Record>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
