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
    /// The acting login may not create the login `login` (it lacks CREATEROLE).
    case cannotCreateLogin(target: PostgresTarget, login: String)
    /// The acting login may not set the password of `login` (it lacks CREATEROLE).
    case cannotSetPassword(target: PostgresTarget, login: String)
    /// The login may not read the database's tables at all: it is not one of its users.
    case notAUser(target: PostgresTarget)
    /// The schema must be upgraded, and only `owner`, who owns the tables, may.
    case upgradeNeedsOwner(target: PostgresTarget, owner: String)
    /// Only `owner` may restore a backup (or copy a store) into the database: for anyone
    /// else the server writes their own name as every history line's author.
    case restoreNeedsOwner(target: PostgresTarget, owner: String)

    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .notAPipelineDatabase(let target): return t("postgres.notAPipelineDatabase", target.databaseOnServer(t))
        case .createdByNewerVersion(let target): return t("postgres.newerVersion", target.databaseOnServer(t))
        case .commitOutcomeUnknown(let target): return t("postgres.commitOutcomeUnknown", target.address)
        case .notUnicode(let target, let encoding): return t("postgres.notUnicode", target.databaseOnServer(t), encoding)
        case .cannotCreateLogin(let target, let login): return t("postgres.cannotCreateLogin", target.user, target.address, login)
        case .cannotSetPassword(let target, let login): return t("postgres.cannotSetPassword", target.user, login, target.address)
        case .notAUser(let target): return t("postgres.notAUser", target.user, target.databaseOnServer(t))
        case .upgradeNeedsOwner(let target, let owner): return t("postgres.upgradeNeedsOwner", target.databaseOnServer(t), owner)
        case .restoreNeedsOwner(let target, let owner): return t("postgres.restoreNeedsOwner", target.databaseOnServer(t), owner)
        }
    }

    /// Whether the server refused what the login asked (a privilege it lacks), rather than
    /// the database being unusable.
    public var isPermission: Bool {
        switch self {
        case .cannotCreateLogin, .cannotSetPassword, .notAUser, .upgradeNeedsOwner, .restoreNeedsOwner: return true
        case .notAPipelineDatabase, .createdByNewerVersion, .commitOutcomeUnknown, .notUnicode: return false
        }
    }

    /// sysexits(3): not allowed (77), or the database cannot be used (74).
    public var exitStatus: Int32 { isPermission ? 77 : 74 }
}

extension PostgresStoreError: UserFacingError {}

extension PostgresTarget {
    /// `sales on db.lan:5432`: what messages call a database (never the connection string).
    func databaseOnServer(_ t: Localizer) -> String { t("postgres.databaseOnServer", database, address) }
}
