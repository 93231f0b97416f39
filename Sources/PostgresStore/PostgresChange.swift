import Foundation
import PostgresClient

/// What one committed statement changed, as the schema's triggers announce it on
/// `PostgresSchema.changeChannel`. From schema version 3 (issue 12) a notification names no
/// row and no team — `{"table":"opportunity","op":"update","ids":null,"teams":null}` —
/// since anyone who may connect may listen; versions 1 and 2 gave ids and teams.
public struct PostgresChange: Sendable, Equatable, Decodable {
    public enum Operation: String, Sendable, Decodable { case insert, update, delete }

    /// `team`, `stage`, `opportunity`, `setting` or `preference`.
    public let table: String
    public let op: Operation
    /// The rows' ids (setting keys for `setting` and `preference`); `nil` when there were too
    /// many to list: reload everything.
    public let ids: [ChangedID]?
    /// The teams concerned (their own id for `team`); `nil` when too many, or for `setting`
    /// and `preference`.
    public let teams: [Int64]?

    /// An id, or a setting's key.
    public enum ChangedID: Sendable, Equatable, Decodable {
        case id(Int64)
        case key(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let id = try? container.decode(Int64.self) { self = .id(id) } else { self = .key(try container.decode(String.self)) }
        }
    }

    public init(table: String, op: Operation, ids: [ChangedID]?, teams: [Int64]?) {
        self.table = table
        self.op = op
        self.ids = ids
        self.teams = teams
    }

    /// The change a notification announces, or `nil` for a payload that is not one (another
    /// program's NOTIFY on the same channel).
    public init?(_ notification: PostgresNotification) {
        guard notification.channel == PostgresSchema.changeChannel,
              let decoded = try? JSONDecoder().decode(PostgresChange.self, from: Data(notification.payload.utf8)) else { return nil }
        self = decoded
    }
}
