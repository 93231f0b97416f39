import CLibpq
import Glibc

/// One session with a PostgreSQL server, through libpq. Synchronous, like the board's loop:
/// every call returns when the server has answered.
///
/// The connection string is handed to libpq as it is, so everything psql accepts works:
/// `postgresql://` and `postgres://` URIs, `key=value` strings, `service=NAME` (from
/// `~/.pg_service.conf` or `PGSERVICEFILE`), the `PG*` environment variables for whatever the
/// string leaves out, and `~/.pgpass`. An empty string means "everything from the environment".
///
/// ```swift
/// let connection = try PostgresConnection("postgresql://lan@db.lan/sales")
/// let rows = try connection.execute("SELECT id, name FROM team WHERE id = $1", [7]).rows
/// ```
///
/// Not thread-safe: use one connection per thread. Every failure is a `PostgresError`.
public final class PostgresConnection {
    /// Seconds allowed for connecting when neither the string nor `PGCONNECT_TIMEOUT` says.
    public static let defaultConnectTimeout = 10

    private let handle: OpaquePointer
    private let passwords: [String]
    /// Prepared statement names this session knows (a reconnect forgets them).
    var preparedNames: Set<String> = []
    /// How many times this session has sent something and waited for the server's answer
    /// (a statement, a preparation, a script; a COPY counts two): what tests and
    /// measurements count when the point is to make fewer of them.
    public internal(set) var roundTrips = 0
    /// For tests: runs once a COMMIT has been sent, before its answer is read (a test cuts
    /// the connection there, as a network that fails at that moment would).
    public var afterSendingCommit: ((PostgresConnection) -> Void)?

    /// Connects, or throws what went wrong in one `PostgresError` (never holding the password).
    ///
    /// - Parameter connectTimeout: seconds allowed for connecting unless the string or
    ///   `PGCONNECT_TIMEOUT` says otherwise (a quick probe wants less than the default).
    public init(_ connectionString: String, connectTimeout: Int? = nil) throws(PostgresError) {
        let given = try ConnectionString.parse(connectionString)
        // `expand_dbname` reads the user's string as a URI or key=value string in place of
        // dbname; what comes after it in the list overrides it, what comes before is a default.
        var keywords = ["fallback_application_name", "dbname", "client_encoding"]
        var values = ["pipeline", connectionString, "UTF8"]
        if let connectTimeout, getenv("PGCONNECT_TIMEOUT") == nil {
            keywords.insert("connect_timeout", at: 0)
            values.insert(String(max(connectTimeout, 1)), at: 0)
        }
        guard let connection = Self.withCStrings(keywords, { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                PQconnectStartParams(keywordPointers, valuePointers, 1)
            }
        }) else {
            throw PostgresError(.failed, serverMessage: "libpq could not allocate a connection")
        }
        handle = connection
        var known = given.passwords
        if let environment = getenv("PGPASSWORD").map({ String(cString: $0) }), !environment.isEmpty {
            known.append(environment)
        }
        passwords = known
        // VERBOSE puts the SQLSTATE of a refusal during start-up into the message, the only
        // place libpq reports it before a session exists.
        PQsetErrorVerbosity(handle, PQERRORS_VERBOSE)
        // Every stored property is set: if this throws, deinit runs and frees the handle.
        try drivePolling(reset: false)
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
        silenceNotices()
    }

    /// libpq prints the server's notices (`NOTICE: extension already exists`) on standard
    /// error by default, which would land in the middle of the board: they are dropped.
    private func silenceNotices() {
        _ = PQsetNoticeReceiver(handle, { _, _ in }, nil)
    }

    /// The session ends when the connection is released.
    deinit { PQfinish(handle) }

    /// Where this connection goes (host, port, database, user), for messages.
    public var target: PostgresTarget {
        PostgresTarget(host: Self.string(PQhost(handle)) ?? "", port: Self.string(PQport(handle)) ?? "",
                       database: Self.string(PQdb(handle)) ?? "", user: Self.string(PQuser(handle)) ?? "")
    }

    /// Whether the session is usable as far as libpq knows. A server that went away is only
    /// noticed at the next exchange (`execute`, `pendingNotifications`).
    public var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version as a number (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The descriptor to wait on with `poll()` beside others (the terminal's input): readable
    /// means notifications or a closed connection; then call `pendingNotifications()`.
    public var socket: Int32? {
        let descriptor = PQsocket(handle)
        return descriptor >= 0 ? descriptor : nil
    }

    /// The server process serving this session (`pg_backend_pid()`); notifications this
    /// session sends carry it.
    public var backendProcessID: Int32 { PQbackendPID(handle) }

    /// Opens the session again with the same parameters after a loss. Everything bound to
    /// the old session is gone: an open transaction (rolled back by the server), prepared
    /// statements, `LISTEN`s (the caller listens again, and reloads what it shows: nothing
    /// sent while it was away is delivered), session settings and advisory locks.
    public func reconnect() throws(PostgresError) {
        preparedNames = []
        guard PQresetStart(handle) == 1 else { throw connectionError(deadlineExpired: false) }
        PQsetErrorVerbosity(handle, PQERRORS_VERBOSE)
        try drivePolling(reset: true)
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
        silenceNotices()
    }

    // MARK: - Connecting

    /// Runs libpq's non-blocking connect to its end, waiting on the socket with `poll`, so
    /// the whole attempt is bounded even where libpq's own `connect_timeout` is not applied.
    private func drivePolling(reset: Bool) throws(PostgresError) {
        guard PQstatus(handle) != CONNECTION_BAD else { throw connectionError(deadlineExpired: false) }
        let deadline = Deadline(seconds: connectTimeout())
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                return
            case PGRES_POLLING_FAILED:
                throw connectionError(deadlineExpired: false)
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let events = state == PGRES_POLLING_READING ? Int16(POLLIN) : Int16(POLLOUT)
                guard let descriptor = socket else { throw connectionError(deadlineExpired: false) }
                switch Self.wait(for: events, on: descriptor, until: deadline) {
                case .ready: break
                case .timedOut: throw connectionError(deadlineExpired: true)
                case .failed: throw connectionError(deadlineExpired: false)
                }
            default:
                break
            }
            state = reset ? PQresetPoll(handle) : PQconnectPoll(handle)
        }
    }

    /// `connect_timeout` as libpq resolved it (string, then environment), else the default.
    private func connectTimeout() -> Int {
        guard let options = PQconninfo(handle) else { return Self.defaultConnectTimeout }
        defer { PQconninfoFree(options) }
        var index = 0
        while let keyword = options[index].keyword {
            if String(cString: keyword) == "connect_timeout", let value = options[index].val,
               let seconds = Int(String(cString: value).trimmingSpaces), seconds > 0 {
                return max(seconds, 2)
            }
            index += 1
        }
        return Self.defaultConnectTimeout
    }

    /// The error of a failed connection attempt. libpq gives no SQLSTATE field before a
    /// session exists; with VERBOSE messages the server's code is in the text
    /// (`FATAL:  28P01: password authentication failed…`), which is language-independent.
    private func connectionError(deadlineExpired: Bool) -> PostgresError {
        let target = self.target
        let text = Self.string(PQerrorMessage(handle)) ?? ""
        if let (state, primary) = Self.serverRefusal(in: text) {
            return PostgresError(PostgresError.kind(forSQLState: state), sqlState: state,
                                 serverMessage: redacted(primary), target: target)
        }
        if deadlineExpired {
            return PostgresError(.timedOut, target: target)
        }
        if PQconnectionNeedsPassword(handle) == 1 {
            return PostgresError(.authenticationFailed, serverMessage: "no password supplied", target: target)
        }
        if !target.host.isEmpty, !target.host.hasPrefix("/"), !target.host.hasPrefix("@"),
           !Self.resolves(target.host) {
            return PostgresError(.unknownHost, target: target)
        }
        return PostgresError(.unreachable, serverMessage: redacted(Self.libpqReason(in: text)), target: target)
    }

    /// `(SQLSTATE, primary message)` from a VERBOSE start-up refusal, if the text holds one.
    static func serverRefusal(in text: String) -> (String, String)? {
        // The severity word is translated by the server; the shape ":  XXXXX: " is not.
        for line in text.split(separator: "\n") {
            guard let marker = line.firstRange(of: ":  ") else { continue }
            let rest = line[marker.upperBound...]
            let code = rest.prefix(5)
            guard code.count == 5, code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }),
                  rest.dropFirst(5).hasPrefix(": ") else { continue }
            return (String(code), String(rest.dropFirst(7)))
        }
        return nil
    }

    /// The last line's reason after libpq's `connection to server … failed: `, without the
    /// address part (which the target already names).
    static func libpqReason(in text: String) -> String? {
        let lines = text.split(separator: "\n").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        guard let line = lines.last(where: { $0.contains("failed: ") }) ?? lines.first else { return nil }
        if let range = line.ranges(of: "failed: ").last {
            return String(line[range.upperBound...])
        }
        return line
    }

    private static func resolves(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        return status == 0
    }

    // MARK: - Errors of a session

    /// The error a failed result stands for; a lost session becomes `connectionLost`.
    func error(from result: OpaquePointer?) -> PostgresError {
        let target = self.target
        if let result {
            let state = Self.string(PQresultErrorField(result, CPQ_DIAG_SQLSTATE))
            let primary = Self.string(PQresultErrorField(result, CPQ_DIAG_MESSAGE_PRIMARY))
                ?? Self.string(PQresultErrorMessage(result))?.trimmingSpaces
            let constraint = Self.string(PQresultErrorField(result, CPQ_DIAG_CONSTRAINT_NAME))
                ?? Self.string(PQresultErrorField(result, CPQ_DIAG_COLUMN_NAME))
            if let state {
                var kind = PostgresError.kind(forSQLState: state)
                if kind == .failed, PQstatus(handle) == CONNECTION_BAD { kind = .connectionLost }
                return PostgresError(kind, sqlState: state, serverMessage: redacted(primary),
                                     constraint: constraint, target: target)
            }
        }
        let text = Self.string(PQerrorMessage(handle))?.trimmingSpaces
        if PQstatus(handle) == CONNECTION_BAD {
            return PostgresError(.connectionLost, serverMessage: redacted(text), target: target)
        }
        return PostgresError(.failed, serverMessage: redacted(text), target: target)
    }

    /// A message that contains a password is dropped whole: replacing a short password
    /// inside it could leave it recognisable, or garble every word.
    func redacted(_ message: String?) -> String? {
        guard let message else { return nil }
        let line = message.split(separator: "\n").first.map { String($0).trimmingSpaces } ?? ""
        if line.isEmpty { return nil }
        let secrets = passwords + [Self.string(PQpass(handle))].compactMap { $0 }.filter { !$0.isEmpty }
        if secrets.contains(where: { message.contains($0) }) { return nil }
        return line
    }

    // MARK: - Helpers

    var rawHandle: OpaquePointer { handle }

    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Calls `body` with a C array of C strings that live for the call.
    static func withCStrings<Result>(_ strings: [String],
                                     _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result) -> Result {
        var pointers = strings.map { strdup($0).map { UnsafePointer($0) } }
        pointers.append(nil)
        defer { for pointer in pointers { free(UnsafeMutablePointer(mutating: pointer)) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    enum WaitOutcome { case ready, timedOut, failed }

    /// Waits until `descriptor` is ready for `events` or the deadline passes; retries on EINTR.
    static func wait(for events: Int16, on descriptor: Int32, until deadline: Deadline?) -> WaitOutcome {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let timeout = deadline.map { Int32(clamping: $0.remainingMilliseconds) } ?? -1
            let result = poll(&entry, 1, timeout)
            if result > 0 { return .ready }
            if result == 0 { return .timedOut }
            if errno != EINTR { return .failed }
        }
    }
}

/// A point in time on the monotonic clock, for bounded waits.
struct Deadline {
    private let end: UInt64

    init(seconds: Int) { self.init(milliseconds: seconds * 1000) }

    init(milliseconds: Int) {
        end = Self.nowNanoseconds() &+ UInt64(max(milliseconds, 0)) &* 1_000_000
    }

    var remainingMilliseconds: Int {
        let now = Self.nowNanoseconds()
        return now >= end ? 0 : Int((end - now) / 1_000_000) + 1
    }

    private static func nowNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let characters = Array(self)
        var start = 0, end = characters.count
        while start < end, characters[start].isWhitespace { start += 1 }
        while end > start, characters[end - 1].isWhitespace { end -= 1 }
        return String(characters[start..<end])
    }
}
