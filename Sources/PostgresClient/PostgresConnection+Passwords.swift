import CLibpq

extension PostgresConnection {
    /// `password` as the server stores it for the role `user` (a SCRAM-SHA-256 verifier),
    /// computed here by libpq (`PQencryptPasswordConn`), so that `ALTER ROLE … PASSWORD`
    /// can be sent the verifier and the clear password never travels to the server, its
    /// logs or `pg_stat_activity`.
    public func encryptedPassword(_ password: String, user: String) throws(PostgresError) -> String {
        guard !password.utf8.contains(0), !user.utf8.contains(0) else { throw PostgresError(.nulCharacter, target: target) }
        guard let verifier = PQencryptPasswordConn(rawHandle, password, user, "scram-sha-256") else {
            // libpq's message never holds the password (it says what failed, such as memory).
            throw PostgresError(.failed, serverMessage: redacted(Self.string(PQerrorMessage(rawHandle))), target: target)
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }
}
