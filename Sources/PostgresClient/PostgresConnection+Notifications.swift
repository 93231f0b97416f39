import CLibpq
import Glibc

/// A `NOTIFY` delivered to this session: sent by a committed transaction of any session
/// (ours included) to a channel this session listens on.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process of the session that sent it (`backendProcessID` of the sender).
    public let senderProcessID: Int32

    public init(channel: String, payload: String, senderProcessID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderProcessID = senderProcessID
    }
}

extension PostgresConnection {
    /// Starts receiving the notifications sent to `channel`. After a reconnect, listen again:
    /// the new session listens to nothing, and nothing sent meanwhile is delivered.
    public func listen(_ channel: String) throws(PostgresError) {
        try executeScript("LISTEN \(try Self.quotedIdentifier(channel))")
    }

    public func unlisten(_ channel: String) throws(PostgresError) {
        try executeScript("UNLISTEN \(try Self.quotedIdentifier(channel))")
    }

    /// Sends a notification, delivered when the current transaction commits (at once outside one).
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try execute("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Reads what the server has sent without blocking, and returns the notifications that
    /// arrived (possibly none). Throws `connectionLost` when the socket says the server is gone.
    public func pendingNotifications() throws(PostgresError) -> [PostgresNotification] {
        guard PQconsumeInput(rawHandle) == 1 else {
            throw PostgresError(.connectionLost, serverMessage: redacted(Self.string(PQerrorMessage(rawHandle))), target: target)
        }
        var notifications: [PostgresNotification] = []
        while let notification = PQnotifies(rawHandle) {
            let channel = notification.pointee.relname.map { String(cString: $0) } ?? ""
            let payload = notification.pointee.extra.map { String(cString: $0) } ?? ""
            notifications.append(PostgresNotification(channel: channel, payload: payload,
                                                      senderProcessID: notification.pointee.be_pid))
            PQfreemem(notification)
        }
        return notifications
    }

    /// Waits on the socket until at least one notification arrives or `milliseconds` pass
    /// (`nil`: no limit), and returns them. Programs with other inputs (the board's terminal)
    /// poll `socket` beside them instead and call `pendingNotifications()`.
    public func waitForNotifications(milliseconds: Int?) throws(PostgresError) -> [PostgresNotification] {
        let deadline = milliseconds.map { Deadline(milliseconds: $0) }
        while true {
            let arrived = try pendingNotifications()
            if !arrived.isEmpty { return arrived }
            guard let descriptor = socket else {
                throw PostgresError(.connectionLost, target: target)
            }
            switch Self.wait(for: Int16(POLLIN), on: descriptor, until: deadline) {
            case .ready: continue
            case .timedOut: return []
            case .failed: throw PostgresError(.connectionLost, target: target)
            }
        }
    }

    /// `name` as a quoted SQL identifier (channels and the like cannot be parameters).
    static func quotedIdentifier(_ name: String) throws(PostgresError) -> String {
        guard !name.isEmpty, !name.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        return "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
