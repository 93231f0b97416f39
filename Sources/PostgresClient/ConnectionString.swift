import CLibpq
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
