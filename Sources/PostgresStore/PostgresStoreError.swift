import PipelineCore
import PostgresClient

/// Why a PostgreSQL database cannot be used as a pipeline store, beyond what the server
/// itself refused (`PostgresError`). Each case reads as one sentence.
public enum PostgresStoreError: Error, Equatable, Sendable {
    /// The schema holds tables that are not ours: another program's database.
    case notAPipelineDatabase(target: PostgresTarget)
    /// Set up by a newer version of pipeline.
    case createdByNewerVersion(target: PostgresTarget)
    /// The connection broke after a COMMIT was sent, and the server could not say whether
    /// it committed.
    case commitOutcomeUnknown(target: PostgresTarget)
    /// A new database whose encoding cannot hold every character (LATIN1, SQL_ASCII).
    case notUnicode(target: PostgresTarget, encoding: String)

    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .notAPipelineDatabase(let target): return t("postgres.notAPipelineDatabase", target.databaseOnServer(t))
        case .createdByNewerVersion(let target): return t("postgres.newerVersion", target.databaseOnServer(t))
        case .commitOutcomeUnknown(let target): return t("postgres.commitOutcomeUnknown", target.address)
        case .notUnicode(let target, let encoding): return t("postgres.notUnicode", target.databaseOnServer(t), encoding)
        }
    }

    /// sysexits(3): the database cannot be used (74).
    public var exitStatus: Int32 { 74 }
}

extension PostgresStoreError: UserFacingError {}

extension PostgresTarget {
    /// `sales on db.lan:5432`: what messages call a database (never the connection string).
    func databaseOnServer(_ t: Localizer) -> String { t("postgres.databaseOnServer", database, address) }
}
