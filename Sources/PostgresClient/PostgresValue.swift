/// A Swift value sent to PostgreSQL as a statement parameter, in PostgreSQL's text format.
///
/// Only exact types conform: integers (money is `Int64` minor units, sums `Int128`), text
/// and booleans. There is deliberately no `Double`: nothing the application stores is a
/// binary floating-point number. The server reads the text as the type the statement gives
/// the parameter (`$1::bigint`, or the column it is compared with or stored into).
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int128: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}

/// The parameters of one statement: `nil` is SQL NULL.
public typealias PostgresParameters = [(any PostgresEncodable)?]
