import PipelineCore
import PipelineStorage
import PostgresClient

/// The change feed: a second session, opened when first asked for, LISTENs on
/// `PostgresSchema.changeChannel`. Every committed change of another session sends a
/// notification there (the schema's triggers; an import or restore sends one for all); the
/// board waits on this session's socket beside the terminal, so a colleague's move wakes it
/// at once. Notifications sent by this engine's own session are not news to it.
///
/// Notifications sent while a session was lost are lost by design: after any reconnect the
/// token changes, and the board reloads everything.
extension PostgresEngine {
    enum ListenerState {
        case neverOpened, open, lost
    }

    /// How long the listener waits between two attempts to reconnect, so that a board
    /// polling a server that is away does not try a connection on every pass of its loop.
    static let listenerRetryMilliseconds: Int64 = 1_000

    /// Changes when another session committed a change since the last call (the listener is
    /// asked once to be sure: notifications committed before this call are in), or after a
    /// session was opened again. While the listener is lost it does not throw (that is
    /// `drainChangeSignal`'s to say): it answers what it knows, and changes once the
    /// listener is back.
    public func changeToken() throws -> ChangeToken {
        lock.lock()
        defer { lock.unlock() }
        if listenerState == .lost {
            guard (try? drainChangeSignal()) != nil else { return ChangeToken(generation) }
        }
        return try withListener { listener in
            do {
                // A round trip: the server delivers what was committed before it answers.
                try listener.execute("SELECT 1")
                try absorb(listener.pendingNotifications())
            } catch {
                listenerLost()
                return ChangeToken(generation)
            }
            return ChangeToken(generation)
        }
    }

    /// The listening session's socket, opened when first asked for; `nil` while it is lost
    /// (the board then asks `drainChangeSignal` between keys, which reconnects).
    public var changeSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if listenerState == .neverOpened { try? openListener() }
        return listenerState == .open ? listener?.socket : nil
    }

    /// Reads what arrived on the listening socket without waiting; whether another session
    /// announced a change. When the listening session was lost it throws the reason (the
    /// board shows it), and the next call tries to reconnect — at most once a second.
    public func drainChangeSignal() throws -> Bool {
        try withListener { listener in
            do {
                let before = generation
                try absorb(listener.pendingNotifications())
                return generation != before
            } catch {
                listenerLost()
                throw error
            }
        }
    }

    /// Runs `body` with the listening session, opening it (again) first when needed, under
    /// the engine's lock; errors become `StoreError`s.
    private func withListener<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            switch listenerState {
            case .neverOpened:
                try openListener()
            case .lost:
                guard Self.monotonicMilliseconds() - lastListenerAttempt >= Self.listenerRetryMilliseconds else {
                    throw PostgresError(.connectionLost, target: connection.target)
                }
                try openListener()
                // Whatever was announced while it was away is lost: everything may have changed.
                generation += 1
            case .open:
                break
            }
            guard let listener else { throw PostgresError(.connectionLost, target: connection.target) }
            return try body(listener)
        } catch {
            throw Self.storeError(error, location: location)
        }
    }

    private func openListener() throws {
        lastListenerAttempt = Self.monotonicMilliseconds()
        listener = nil
        do {
            // A board must not freeze for long on a server that does not answer.
            let session = try PostgresConnection(connectionString, connectTimeout: 2)
            try session.listen(PostgresSchema.changeChannel)
            listener = session
            listenerState = .open
        } catch {
            listenerState = .lost
            throw error
        }
    }

    private func listenerLost() {
        listener = nil
        listenerState = .lost
    }

    /// Counts the notifications that come from another session than this engine's own.
    private func absorb(_ notifications: [PostgresNotification]) {
        let own = connection.backendProcessID
        if notifications.contains(where: { $0.channel == PostgresSchema.changeChannel && $0.senderProcessID != own }) {
            generation += 1
        }
    }
}
