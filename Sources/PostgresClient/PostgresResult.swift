import CLibpq

/// What a statement returned, copied out of libpq (the `PGresult` is freed at once): column
/// names, rows of text values (`nil` is NULL), and the number of rows the command touched.
public struct PostgresResult: Sendable {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted, copied or selected, as the command tag says (0 when
    /// the command does not count rows).
    public let affectedRows: Int
    /// The command tag (`INSERT 0 1`, `UPDATE 3`, `COMMIT`…).
    public let commandTag: String

    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { column in
            PQfname(result, Int32(column)).map { String(cString: $0) } ?? ""
        }
        let index = PostgresRow.ColumnIndex(names: names)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(PQgetvalue(result, Int32(row), Int32(column)).map { String(cString: $0) } ?? "")
                }
            }
            rows.append(PostgresRow(values: values, columns: index))
        }
        columns = names
        self.rows = rows
        affectedRows = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        commandTag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    /// The only row, or `nil` when there is none.
    public var first: PostgresRow? { rows.first }
}

/// One row of a result. Values are read by position or by column name, as the Swift type the
/// caller expects; a NULL or a text that is not that type throws `unexpectedValue` naming
/// the column, never traps.
public struct PostgresRow: Sendable {
    /// The raw text of each column, `nil` for NULL.
    public let values: [String?]
    let columns: ColumnIndex

    final class ColumnIndex: Sendable {
        let names: [String]
        let positions: [String: Int]

        init(names: [String]) {
            self.names = names
            var positions: [String: Int] = [:]
            for (position, name) in names.enumerated() where positions[name] == nil {
                positions[name] = position
            }
            self.positions = positions
        }
    }

    /// The text of column `position`, `nil` for NULL or a position past the end.
    public subscript(_ position: Int) -> String? {
        values.indices.contains(position) ? values[position] : nil
    }

    /// The text of the column named `name`, `nil` for NULL or an unknown name.
    public subscript(_ name: String) -> String? {
        columns.positions[name].flatMap { self[$0] }
    }

    public func string(_ position: Int) throws(PostgresError) -> String {
        try required(position)
    }

    public func string(_ name: String) throws(PostgresError) -> String {
        try string(position(of: name))
    }

    public func optionalString(_ position: Int) -> String? { self[position] }

    public func optionalString(_ name: String) -> String? { self[name] }

    public func int64(_ position: Int) throws(PostgresError) -> Int64 {
        try decode(position) { Int64($0) }
    }

    public func int64(_ name: String) throws(PostgresError) -> Int64 {
        try int64(position(of: name))
    }

    public func optionalInt64(_ position: Int) throws(PostgresError) -> Int64? {
        self[position] == nil ? nil : try int64(position)
    }

    public func optionalInt64(_ name: String) throws(PostgresError) -> Int64? {
        try optionalInt64(position(of: name))
    }

    public func int(_ position: Int) throws(PostgresError) -> Int {
        try decode(position) { Int($0) }
    }

    public func int(_ name: String) throws(PostgresError) -> Int {
        try int(position(of: name))
    }

    /// An integer NUMERIC (sums of money: `NUMERIC` never overflows, `Int128` holds any sum
    /// of `Int64` amounts). A fractional or larger value throws rather than rounds.
    public func int128(_ position: Int) throws(PostgresError) -> Int128 {
        try decode(position) { text in
            // NUMERIC prints integers without a fraction; `1.0` would be a fraction.
            Int128(text)
        }
    }

    public func int128(_ name: String) throws(PostgresError) -> Int128 {
        try int128(position(of: name))
    }

    /// A boolean, as PostgreSQL prints it (`t` / `f`).
    public func bool(_ position: Int) throws(PostgresError) -> Bool {
        try decode(position) { text in
            switch text {
            case "t", "true": return true
            case "f", "false": return false
            default: return nil
            }
        }
    }

    public func bool(_ name: String) throws(PostgresError) -> Bool {
        try bool(position(of: name))
    }

    private func position(of name: String) throws(PostgresError) -> Int {
        guard let position = columns.positions[name] else {
            throw PostgresError(.unexpectedValue, serverMessage: "no column \(name) in the result", constraint: name)
        }
        return position
    }

    private func required(_ position: Int) throws(PostgresError) -> String {
        guard let text = self[position] else {
            throw PostgresError(.unexpectedValue, serverMessage: "NULL or missing value", constraint: columnName(position))
        }
        return text
    }

    private func decode<Value>(_ position: Int, _ parse: (String) -> Value?) throws(PostgresError) -> Value {
        let text = try required(position)
        guard let value = parse(text) else {
            throw PostgresError(.unexpectedValue, serverMessage: "unexpected value for its type", constraint: columnName(position))
        }
        return value
    }

    private func columnName(_ position: Int) -> String {
        columns.names.indices.contains(position) ? columns.names[position] : "#\(position)"
    }
}
