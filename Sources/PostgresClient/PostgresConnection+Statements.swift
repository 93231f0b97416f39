import CLibpq
import Glibc

/// A statement parsed and planned once by the server, executed many times with different
/// parameters. It survives a reconnect: the connection prepares it again on first use.
public struct PostgresStatement: Sendable, Hashable {
    public let name: String
    public let sql: String
}

extension PostgresConnection {
    /// Runs one statement with `$1, $2…` parameters, sent apart from the SQL text (never
    /// spliced into it). Returns its rows, or throws the server's refusal.
    ///
    /// ```swift
    /// try connection.execute("UPDATE opportunity SET title = $1, version = version + 1 WHERE id = $2 AND version = $3",
    ///                        [title, id, version])
    /// ```
    @discardableResult
    public func execute(_ sql: String, _ parameters: PostgresParameters = []) throws(PostgresError) -> PostgresResult {
        let texts = try Self.texts(sql, parameters)
        roundTrips += 1
        let result = Self.withOptionalCStrings(texts.parameters) { values in
            PQexecParams(rawHandle, texts.sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try finish(result)
    }

    /// Runs several statements separated by semicolons, without parameters (PostgreSQL's
    /// simple protocol): schema migrations, `SET`, `LISTEN`. Unless the text has its own
    /// `BEGIN`/`COMMIT`, its statements run as one transaction.
    @discardableResult
    public func executeScript(_ sql: String) throws(PostgresError) -> PostgresResult {
        guard !sql.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        roundTrips += 1
        return try finish(PQexec(rawHandle, sql))
    }

    /// Runs several statements separated by semicolons, as `executeScript`, in one round trip,
    /// and returns every statement's result in order (a script whose last statements are
    /// queries: a transaction's start and what it reads first). The first refusal is thrown
    /// once the server has answered the whole script.
    public func executeScriptReturningAll(_ sql: String) throws(PostgresError) -> [PostgresResult] {
        guard !sql.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        roundTrips += 1
        guard PQsendQuery(rawHandle, sql) == 1 else { throw error(from: nil) }
        return try answers()
    }

    /// Every result of what was sent last, in order; the first refusal is thrown once all
    /// have come. No result at all means the connection broke before any answer.
    func answers() throws(PostgresError) -> [PostgresResult] {
        var results: [PostgresResult] = []
        var failure: PostgresError?
        while let result = PQgetResult(rawHandle) {
            do {
                results.append(try finish(result))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        guard !results.isEmpty else { throw error(from: nil) }
        return results
    }

    /// Prepares `sql` under a name of its own; see `execute(_:_:)` with a statement.
    public func prepare(_ sql: String) throws(PostgresError) -> PostgresStatement {
        let statement = PostgresStatement(name: "pipeline_\(Self.stableHash(sql))", sql: sql)
        try ensurePrepared(statement)
        return statement
    }

    /// Runs a prepared statement (prepared again first if this session does not know it, as
    /// after a reconnect).
    @discardableResult
    public func execute(_ statement: PostgresStatement, _ parameters: PostgresParameters = []) throws(PostgresError) -> PostgresResult {
        try ensurePrepared(statement)
        let texts = try Self.texts("", parameters)
        roundTrips += 1
        let result = Self.withOptionalCStrings(texts.parameters) { values in
            PQexecPrepared(rawHandle, statement.name, Int32(parameters.count), values, nil, nil, 0)
        }
        return try finish(result)
    }

    private func ensurePrepared(_ statement: PostgresStatement) throws(PostgresError) {
        guard !preparedNames.contains(statement.name) else { return }
        guard !statement.sql.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        roundTrips += 1
        let result = PQprepare(rawHandle, statement.name, statement.sql, 0, nil)
        do {
            _ = try finish(result)
        } catch where error.sqlState == "42P05" {
            // Already prepared in this session (by an equal statement): nothing to do.
        }
        preparedNames.insert(statement.name)
    }

    /// Turns a libpq result into rows or an error, and frees it.
    func finish(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else { throw error(from: nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(copying: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // A COPY sent through `execute`: end it so the session stays usable.
            abandonCopy()
            throw PostgresError(.failed, serverMessage: "COPY goes through copyIn(_:rows:)", target: target)
        default:
            throw error(from: result)
        }
    }

    private func abandonCopy() {
        _ = PQputCopyEnd(rawHandle, "not supported here")
        while let pending = PQgetResult(rawHandle) { PQclear(pending) }
    }

    /// The SQL and parameter texts, refusing NUL characters (PostgreSQL text cannot hold
    /// them, and C strings would cut the value short silently).
    static func texts(_ sql: String, _ parameters: PostgresParameters) throws(PostgresError) -> (sql: String, parameters: [String?]) {
        guard !sql.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        var texts: [String?] = []
        texts.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let parameter else { texts.append(nil); continue }
            let text = parameter.postgresText
            guard !text.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
            texts.append(text)
        }
        return (sql, texts)
    }

    /// Calls `body` with a C array of C strings (NULL for `nil`) that live for the call.
    static func withOptionalCStrings<Result>(_ strings: [String?],
                                             _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result) -> Result {
        let pointers = strings.map { string in string.flatMap { strdup($0) }.map { UnsafePointer($0) } }
        defer { for pointer in pointers { free(UnsafeMutablePointer(mutating: pointer)) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// FNV-1a of the SQL text: the same statement gets the same name in every process.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
