/// Why a PostgreSQL operation failed, as data: a `kind` that callers switch on, the
/// `category` that decides what a user can do about it (and the exit status), and the
/// server's own words with every secret removed.
///
/// Nothing in it holds a password or the connection string the user gave: the target is
/// only host, port, database and user, and a server message that would contain the
/// password is dropped. Sentences for users are written from it through the catalogue
/// (`PostgresError.message(in:)` in PostgresStore); `description` is for logs and tests.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        // The server cannot be used now (exit 74).
        /// Nothing answered at the address: the server is not running there, refused the
        /// connection, or the network did not reach it. `serverMessage` says which, in
        /// libpq's words (without the connection string).
        case unreachable
        /// The host name does not resolve.
        case unknownHost
        /// The connection was not made within the connect timeout.
        case timedOut
        /// The connection broke under an open session: the server stopped or restarted, the
        /// network dropped; or the server ended it, saying why (57P01 an administrator's
        /// command or a shutdown, 57P02 another server process crashed), which the message says. A statement sent then may or may not have been applied if it was
        /// a COMMIT; any other statement was not.
        case connectionLost
        /// The server is starting up, shutting down or in recovery (57P03).
        case serverNotReady
        /// The server cancelled the statement (57014): an administrator's `pg_cancel_backend`,
        /// or the statement ran past `statement_timeout`. Not "busy": nothing else was in the
        /// way, and running it again is for the user to decide, not the client.
        case statementCancelled
        /// The database named in the connection does not exist (3D000).
        case databaseMissing
        /// The server's disk is full (53100).
        case diskFull

        // Not allowed (exit 77).
        /// Wrong or missing password, or `pg_hba.conf` rejects this user from here (28xxx).
        case authenticationFailed
        /// The role may not do this (42501).
        case permissionDenied

        // Try again (exit 75).
        /// A concurrent transaction got in the way (40001): run the whole transaction again.
        case serializationFailure
        /// Two transactions waited for each other and this one was chosen to fail (40P01).
        case deadlock
        /// A lock was not granted in time (55P03).
        case lockTimeout
        /// The server has no free connection slots (53300).
        case tooManyConnections

        // The data was refused (exit 65).
        /// A unique index refused a duplicate (23505); `constraint` names the index.
        case uniqueViolation
        /// A CHECK constraint refused the row (23514).
        case checkViolation
        /// A foreign key refused the row (23503).
        case foreignKeyViolation
        /// A NOT NULL column got no value (23502); `column` names it.
        case notNullViolation
        /// A value the server cannot take (22xxx: out of range, bad syntax for its type…).
        case invalidValue
        /// A trigger or function refused the change (`RAISE EXCEPTION`, P0001).
        case refusedByRule

        // Anything else (exit 74).
        /// What the user gave is not a connection string libpq can read.
        case invalidConnectionString
        /// libpq itself could not be loaded (not installed, or too old for a function the
        /// client calls); `serverMessage` holds the dynamic loader's words.
        case clientLibraryMissing
        /// A COMMIT found the transaction already failed, and the server rolled it back.
        case transactionAborted
        /// A column held something the caller did not expect (NULL, not a number).
        case unexpectedValue
        /// Text with a NUL character, which PostgreSQL text cannot hold.
        case nulCharacter
        /// Any other error the server or libpq reported.
        case failed
    }

    /// What a user can do about an error; also its sysexits(3) status.
    public enum Category: Sendable, Equatable {
        /// The server cannot be reached or used now (EX_IOERR, 74).
        case unavailable
        /// Not allowed: credentials or privileges (EX_NOPERM, 77).
        case permission
        /// A concurrent change or a lock: trying again may succeed (EX_TEMPFAIL, 75).
        case busy
        /// The data was refused by a rule of the schema (EX_DATAERR, 65).
        case invalidData
        /// Anything else (EX_IOERR, 74).
        case failed

        public var exitStatus: Int32 {
            switch self {
            case .unavailable, .failed: return 74
            case .permission: return 77
            case .busy: return 75
            case .invalidData: return 65
            }
        }
    }

    public var kind: Kind
    /// The five-character SQLSTATE the server sent, when it sent one.
    public var sqlState: String?
    /// The server's (or libpq's) primary message, one line, never holding the password.
    public var serverMessage: String?
    /// The constraint (unique, check, foreign key) or column (not null) concerned.
    public var constraint: String?
    /// Where the connection goes, without secrets: host, port, database, user.
    public var target: PostgresTarget?

    public init(_ kind: Kind, sqlState: String? = nil, serverMessage: String? = nil,
                constraint: String? = nil, target: PostgresTarget? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.serverMessage = serverMessage
        self.constraint = constraint
        self.target = target
    }

    public var category: Category {
        switch kind {
        case .unreachable, .unknownHost, .timedOut, .connectionLost, .serverNotReady, .statementCancelled, .databaseMissing, .diskFull:
            return .unavailable
        case .authenticationFailed, .permissionDenied:
            return .permission
        case .serializationFailure, .deadlock, .lockTimeout, .tooManyConnections:
            return .busy
        case .uniqueViolation, .checkViolation, .foreignKeyViolation, .notNullViolation, .invalidValue, .refusedByRule,
             .nulCharacter:
            return .invalidData
        case .invalidConnectionString, .clientLibraryMissing, .transactionAborted, .unexpectedValue, .failed:
            return .failed
        }
    }

    /// Whether running the same transaction again may succeed.
    public var isTemporary: Bool { category == .busy }

    /// Whether the session is gone and `reconnect()` is the way on.
    public var isConnectionLost: Bool { kind == .connectionLost }

    public var description: String {
        var parts = ["PostgreSQL \(kind)"]
        if let sqlState { parts.append("SQLSTATE \(sqlState)") }
        if let target { parts.append("at \(target)") }
        if let constraint { parts.append("on \(constraint)") }
        if let serverMessage { parts.append("— \(serverMessage)") }
        return parts.joined(separator: " ")
    }

    /// The kind an SQLSTATE stands for (`nil`: no SQLSTATE, decided by the caller).
    static func kind(forSQLState state: String) -> Kind {
        switch state {
        case "3D000": return .databaseMissing
        case "28P01", "28000": return .authenticationFailed
        case "42501": return .permissionDenied
        // "cannot execute … in a read-only transaction": a login, a database or a standby
        // that only reads (default_transaction_read_only, a hot standby).
        case "25006": return .permissionDenied
        case "40001": return .serializationFailure
        case "40P01": return .deadlock
        case "55P03": return .lockTimeout
        case "57014": return .statementCancelled
        case "53300": return .tooManyConnections
        case "53100": return .diskFull
        case "57P01", "57P02": return .connectionLost
        case "57P03": return .serverNotReady
        case "23505": return .uniqueViolation
        case "23514": return .checkViolation
        case "23503": return .foreignKeyViolation
        case "23502": return .notNullViolation
        case "P0001": return .refusedByRule
        case "25P02": return .transactionAborted
        default: break
        }
        if state.hasPrefix("08") { return .connectionLost }
        if state.hasPrefix("22") { return .invalidValue }
        if state.hasPrefix("28") { return .authenticationFailed }
        return .failed
    }
}

/// Where a connection goes, as libpq resolved it — the parts a message may show.
public struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
    /// A host name, an address, or a unix-socket folder (starting with `/`).
    public var host: String
    public var port: String
    public var database: String
    public var user: String

    public init(host: String, port: String, database: String, user: String) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
    }

    /// `sales on db.lan:5432 as lan` (for logs and test output; users read the catalogue's).
    public var description: String { "\(database) on \(address) as \(user)" }

    /// `db.lan:5432`, or for a socket folder the socket itself, as psql names it:
    /// `/run/postgresql/.s.PGSQL.5432`. The same in every language.
    public var address: String {
        if host.hasPrefix("/") { return "\(host)/.s.PGSQL.\(port)" }
        if host.hasPrefix("@") { return "\(host)/.s.PGSQL.\(port)" }  // Linux abstract namespace
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
