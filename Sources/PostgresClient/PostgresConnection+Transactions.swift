import CLibpq

/// PostgreSQL's isolation levels, weakest first.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
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
        let result = try executeScript("COMMIT")
        if result.commandTag == "ROLLBACK" { throw PostgresError(.transactionAborted, target: target) }
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
