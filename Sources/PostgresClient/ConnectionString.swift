import CLibpq
import CLibpqLoader
import Glibc

/// What libpq reads from a connection string, checked before connecting so that a string it
/// cannot read is refused without echoing it (libpq's parse errors quote the string, password
/// included).
enum ConnectionString {
    struct Parsed {
        /// Every password the string holds, to keep out of messages.
        var passwords: [String]
    }

    static func parse(_ text: String) throws(PostgresError) -> Parsed {
        if text.utf8.contains(0) { throw PostgresError(.invalidConnectionString) }
        try Libpq.load()
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &message) else {
            if let message { PQfreemem(message) }
            throw PostgresError(.invalidConnectionString)
        }
        defer { PQconninfoFree(options) }
        var passwords: [String] = []
        var index = 0
        while let keyword = options[index].keyword {
            if String(cString: keyword) == "password", let value = options[index].val {
                let password = String(cString: value)
                if !password.isEmpty { passwords.append(password) }
            }
            index += 1
        }
        return Parsed(passwords: passwords)
    }
}

extension PostgresConnection {
    /// Whether `text` is written as a PostgreSQL connection string rather than a file path:
    /// it starts with `postgresql://` or `postgres://` (any case), or its first word is one
    /// of libpq's connection keywords followed by `=` (`service=sales`, `host=db.lan dbname=crm`,
    /// ` dbname = crm`). Anything else — `pipeline.sqlite`, `data=2026.sqlite`, `./host=x` —
    /// is not. Whether the string then connects, or even parses, is for `init` to say.
    public static func isConnectionString(_ text: String) -> Bool {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") { return true }
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        let word = trimmed.prefix { $0.isASCII && ($0.isLetter || $0 == "_") }
        guard !word.isEmpty, trimmed.dropFirst(word.count).drop(while: { $0 == " " || $0 == "\t" }).first == "=" else {
            return false
        }
        return connectionKeywords.contains(String(word))
    }

    /// Every keyword this libpq reads in a connection string (`host`, `dbname`, `service`…).
    static let connectionKeywords: Set<String> = {
        guard (try? Libpq.load()) != nil, let options = PQconndefaults() else { return ["host", "hostaddr", "port", "dbname", "user", "password", "service"] }
        defer { PQconninfoFree(options) }
        var keywords: Set<String> = []
        var index = 0
        while let keyword = options[index].keyword {
            keywords.insert(String(cString: keyword))
            index += 1
        }
        return keywords
    }()
}

/// libpq is loaded on first use, not at start-up (see Sources/CLibpqLoader/cpq_loader.c):
/// every way into the client passes here before its first libpq call.
enum Libpq {
    static func load() throws(PostgresError) {
        guard cpq_load() == 0 else { return }
        let reason = cpq_load_error().map { String(cString: $0) } ?? "libpq.so.5"
        throw PostgresError(.clientLibraryMissing, serverMessage: reason)
    }
}
