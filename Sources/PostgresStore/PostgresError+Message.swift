import PipelineCore
import PostgresClient

/// One sentence per failure, through the catalogue. None holds the password or the
/// connection string: only the target's database, address and user, and a server message
/// from which the client already dropped anything holding a password.
extension PostgresError: UserFacingError {
    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        let database = target?.databaseOnServer(t) ?? t("postgres.theDatabase")
        let server = target?.address ?? t("postgres.theServer")
        let user = target?.user ?? ""
        switch kind {
        case .unreachable:
            if let serverMessage { return t("postgres.unreachableBecause", server, serverMessage) }
            return t("postgres.unreachable", server)
        case .unknownHost: return t("postgres.unknownHost", target?.host ?? server)
        case .timedOut: return t("postgres.timedOut", server)
        case .connectionLost:
            // The server said why it ended the session, before closing it.
            if sqlState == "57P01" { return t("postgres.administratorShutdown", server) }
            if sqlState == "57P02" { return t("postgres.crashShutdown", server) }
            return t("postgres.connectionLost", server)
        case .serverNotReady: return t("postgres.serverNotReady", server)
        case .statementCancelled: return t("postgres.statementCancelled", server, serverMessage ?? "57014")
        case .databaseMissing: return t("postgres.databaseMissing", target?.database ?? "", server)
        case .diskFull: return t("postgres.diskFull", server)
        case .authenticationFailed: return t("postgres.authenticationFailed", user, database)
        case .permissionDenied:
            // The schema's own functions name their refusal (RAISE … CONSTRAINT 'pipeline.…');
            // a row-level security policy refuses a row, a grant refuses the statement.
            if let constraint, constraint.hasPrefix("pipeline."),
               let sentence = Catalogue.table(language)["postgres.denied.\(constraint.dropFirst("pipeline.".count))"] {
                return sentence
            }
            if constraint == "pipeline.rowSecurity" || serverMessage?.hasPrefix("new row violates row-level security policy") == true {
                return t("postgres.rowSecurity", user, database)
            }
            return t("postgres.permissionDenied", user, database)
        case .serializationFailure, .deadlock, .lockTimeout: return t("postgres.busy", database)
        case .tooManyConnections: return t("postgres.tooManyConnections", server)
        case .uniqueViolation: return t("postgres.duplicate", constraint ?? "?")
        case .checkViolation, .foreignKeyViolation, .notNullViolation, .invalidValue, .refusedByRule:
            return t("postgres.refused", serverMessage ?? constraint ?? "?")
        case .invalidConnectionString: return t("postgres.invalidConnectionString")
        case .clientLibraryMissing: return t("postgres.clientLibraryMissing", serverMessage ?? "libpq.so.5")
        case .transactionAborted: return t("postgres.transactionAborted", database)
        case .nulCharacter: return t("postgres.nulCharacter")
        case .unexpectedValue, .failed: return t("postgres.failed", database, serverMessage ?? sqlState ?? "?")
        }
    }
}
