/// PostgreSQL's advisory locks: named by a 64-bit key the application chooses, held by a
/// session (until released or the session ends) or by a transaction (until it ends).
extension PostgresConnection {
    /// Waits for the transaction-level lock `key`; released by COMMIT or ROLLBACK. Call it
    /// inside a transaction (outside one it is released at once).
    public func lockForTransaction(_ key: Int64) throws(PostgresError) {
        try execute("SELECT pg_advisory_xact_lock($1::bigint)", [key])
    }

    /// Takes the session-level lock `key` if it is free, without waiting.
    public func tryLock(_ key: Int64) throws(PostgresError) -> Bool {
        let row = try execute("SELECT pg_try_advisory_lock($1::bigint)", [key]).first
        guard let row else { throw PostgresError(.unexpectedValue, target: target) }
        return try row.bool(0)
    }

    /// Waits for the session-level lock `key`.
    public func lock(_ key: Int64) throws(PostgresError) {
        try execute("SELECT pg_advisory_lock($1::bigint)", [key])
    }

    /// Releases the session-level lock `key`; `false` when this session did not hold it.
    @discardableResult
    public func unlock(_ key: Int64) throws(PostgresError) -> Bool {
        let row = try execute("SELECT pg_advisory_unlock($1::bigint)", [key]).first
        guard let row else { throw PostgresError(.unexpectedValue, target: target) }
        return try row.bool(0)
    }
}
