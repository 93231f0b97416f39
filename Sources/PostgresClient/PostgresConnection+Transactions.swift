import CLibpq

/// PostgreSQL's isolation levels, weakest first.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// What became of a transaction, as the server says (`pg_xact_status`).
public enum PostgresTransactionOutcome: Sendable, Equatable {
    case committed, aborted, inProgress
}

/// Where the session stands with respect to transactions (`PQtransactionStatus`).
public enum PostgresTransactionStatus: Sendable, Equatable {
    case idle, busy, inTransaction, failedTransaction, unknown
}

extension PostgresConnection {
    public var transactionStatus: PostgresTransactionStatus {
        switch PQtransactionStatus(rawHandle) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .busy
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        default: return .unknown
        }
    }

    public func begin(_ isolation: PostgresIsolation = .readCommitted) throws(PostgresError) {
        try executeScript(isolation == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
    }

    /// Commits, or throws. A transaction that had already failed is rolled back by the server
    /// even when asked to COMMIT; that is reported as `transactionAborted`, never as success.
    /// A `connectionLost` here leaves the outcome unknown: the server may have committed
    /// before the connection broke.
    public func commit() throws(PostgresError) {
        roundTrips += 1
        guard PQsendQuery(rawHandle, "COMMIT") == 1 else { throw error(from: nil) }
        afterSendingCommit?(self)
        let result = try answers().last
        if result?.commandTag == "ROLLBACK" { throw PostgresError(.transactionAborted, target: target) }
    }

    /// What became of a transaction whose COMMIT was sent but whose answer was lost (`id`:
    /// its `pg_current_xact_id()` as text):
    /// `committed`, `aborted` (nothing of it was kept), or `inProgress` (its session has not
    /// finished yet). `nil` when the server no longer knows (a transaction id far older
    /// than any in use).
    public func outcome(ofTransaction id: String) throws(PostgresError) -> PostgresTransactionOutcome? {
        switch try execute("SELECT pg_xact_status($1::xid8)", [id]).first?.optionalString(0) {
        case "committed": return .committed
        case "aborted": return .aborted
        case "in progress": return .inProgress
        default: return nil
        }
    }

    /// Rolls back; on a lost connection there is nothing to roll back (the server already did).
    public func rollback() throws(PostgresError) {
        do {
            try executeScript("ROLLBACK")
        } catch where error.isConnectionLost {
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws
    /// (its error is rethrown, not the rollback's). `busy` errors (serialization failure,
    /// deadlock, lock timeout) are not retried here: the caller decides, since it knows
    /// whether the work may be repeated.
    public func transaction<Result>(_ isolation: PostgresIsolation = .readCommitted,
                                    _ body: () throws -> Result) throws -> Result {
        try begin(isolation)
        let result: Result
        do {
            result = try body()
        } catch {
            try? rollback()
            throw error
        }
        do {
            try commit()
        } catch {
            if transactionStatus != .idle { try? rollback() }
            throw error
        }
        return result
    }
}
