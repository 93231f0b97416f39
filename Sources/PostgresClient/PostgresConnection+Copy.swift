import CLibpq

/// Rows for `COPY … FROM STDIN`, written in COPY's text format and sent in large chunks.
public struct PostgresCopyWriter {
    fileprivate var buffer: [UInt8] = []
    fileprivate var rowCount = 0
    fileprivate var failure: PostgresError?
    fileprivate let send: ([UInt8]) -> PostgresError?
    static let chunkSize = 256 * 1024

    /// Appends one row; `nil` is NULL. Text with a NUL character is refused (and the whole
    /// COPY with it).
    public mutating func append(_ row: PostgresParameters) throws(PostgresError) {
        if let failure { throw failure }
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let value else {
                buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                continue
            }
            for byte in value.postgresText.utf8 {
                switch byte {
                case 0x00: throw PostgresError(.nulCharacter)
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])  // \\
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])  // \n
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])  // \r
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])  // \t
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
        rowCount += 1
        if buffer.count >= Self.chunkSize { try flush() }
    }

    fileprivate mutating func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        if let error = send(buffer) {
            failure = error
            throw error
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Bulk-loads rows with `COPY table (columns) FROM STDIN`, the fast path for imports.
    /// `body` appends the rows; if it throws, the COPY is aborted (no row of it stays) and the
    /// error rethrown. Returns the number of rows the server copied. Runs inside the caller's
    /// transaction, if any.
    ///
    /// ```swift
    /// try connection.copyIn("COPY team (name, name_key, created_at) FROM STDIN") { rows in
    ///     for team in teams { try rows.append([team.name, team.key, now]) }
    /// }
    /// ```
    @discardableResult
    public func copyIn(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        guard !sql.utf8.contains(0) else { throw PostgresError(.nulCharacter) }
        guard let started = PQexec(rawHandle, sql) else { throw error(from: nil) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            // Not a COPY FROM STDIN (or refused): report what the server said.
            _ = try finish(started)
            throw PostgresError(.failed, serverMessage: "not a COPY … FROM STDIN statement", target: target)
        }
        PQclear(started)
        let handle = rawHandle
        var writer = PostgresCopyWriter { [self] bytes in
            let sent = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { PQputCopyData(handle, $0, Int32(buffer.count)) }
                } ?? 1
            }
            return sent == 1 ? nil : error(from: nil)
        }
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "cancelled by the client")
            while let pending = PQgetResult(handle) { PQclear(pending) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw error(from: nil) }
        var outcome: PostgresResult?
        var failure: PostgresError?
        while let pending = PQgetResult(handle) {
            do {
                outcome = try finish(pending)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return outcome?.affectedRows ?? writer.rowCount
    }
}
