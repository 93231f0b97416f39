import CLibpq

/// Rows encoded in COPY's text format and held until they are sent (`copyIn(_:rows:)`):
/// what a caller buffers to write many rows in one statement. A row is appended whole or not
/// at all.
public struct PostgresCopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Appends one row; `nil` is NULL. Text with a NUL character is refused, and nothing of
    /// the row is kept.
    public mutating func append(_ row: PostgresParameters) throws(PostgresError) {
        let start = bytes.count
        for (index, value) in row.enumerated() {
            if index > 0 { bytes.append(0x09) }
            guard let value else {
                bytes.append(contentsOf: [0x5C, 0x4E])  // \N
                continue
            }
            for byte in value.postgresText.utf8 {
                switch byte {
                case 0x00:
                    bytes.removeSubrange(start...)
                    throw PostgresError(.nulCharacter)
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])  // \\
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])  // \n
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])  // \r
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])  // \t
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(0x0A)
        count += 1
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }
}

/// Rows for `COPY … FROM STDIN`, written in COPY's text format and sent in large chunks.
public struct PostgresCopyWriter {
    fileprivate var pending = PostgresCopyRows()
    fileprivate var rowCount = 0
    fileprivate var failure: PostgresError?
    fileprivate let send: ([UInt8]) -> PostgresError?
    static let chunkSize = 256 * 1024

    /// Appends one row; `nil` is NULL. Text with a NUL character is refused (and the whole
    /// COPY with it).
    public mutating func append(_ row: PostgresParameters) throws(PostgresError) {
        if let failure { throw failure }
        try pending.append(row)
        rowCount += 1
        if pending.bytes.count >= Self.chunkSize { try flush() }
    }

    /// Appends rows encoded beforehand.
    public mutating func append(_ rows: PostgresCopyRows) throws(PostgresError) {
        if let failure { throw failure }
        try flush()
        rowCount += rows.count
        try sendChecked(rows.bytes)
    }

    fileprivate mutating func flush() throws(PostgresError) {
        guard !pending.isEmpty else { return }
        try sendChecked(pending.bytes)
        pending.removeAll()
    }

    private mutating func sendChecked(_ bytes: [UInt8]) throws(PostgresError) {
        guard !bytes.isEmpty else { return }
        if let error = send(bytes) {
            failure = error
            throw error
        }
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
        roundTrips += 2  // the COPY's start, then its rows and end
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

    /// `COPY … FROM STDIN` of rows encoded beforehand (`PostgresCopyRows`); returns the number
    /// of rows the server copied.
    @discardableResult
    public func copyIn(_ sql: String, rows: PostgresCopyRows) throws -> Int {
        try copyIn(sql) { writer in try writer.append(rows) }
    }
}
