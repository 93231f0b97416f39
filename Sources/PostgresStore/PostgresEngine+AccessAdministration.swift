import PipelineCore
import PipelineStorage
import PostgresClient

extension PostgresEngine {
    /// A team server has users of its own: `pipeline user …` manages them here.
    public var accessAdministration: (any AccessAdministration)? { PostgresAccessAdministration(self) }
}

/// Users, roles and memberships of a team server (issue 12), each call one of the engine's
/// write transactions (`users()` a read).
///
/// A user is a server login with a row in `app_user`, its teams in `team_member`, and the
/// privileges its role needs, granted to the login itself by the schema's
/// `pipeline_apply_grants` (which revokes everything first). `addUser` creates the login
/// (the acting login needs CREATEROLE) or adopts one that exists; a password is sent as the
/// SCRAM verifier libpq computes here, never in clear. Identifiers reach SQL only through
/// the server's `format('%I')`. `removeUser` deletes the row and revokes every privilege in
/// this database at once (the login's next statement is refused); the login itself stays on
/// the server, which other databases may share (Docs/decisions.md).
final class PostgresAccessAdministration: AccessAdministration, @unchecked Sendable {
    let engine: PostgresEngine

    init(_ engine: PostgresEngine) {
        self.engine = engine
    }

    /// The longest name a PostgreSQL identifier keeps (NAMEDATALEN - 1); a longer one would
    /// be cut silently, creating a login of another name than the user's row.
    static let longestLogin = 63

    func users() throws -> [UserAccount] {
        try engine.reading { try $0.userAccounts() }
    }

    func addUser(_ login: String, role: AccessRole, teams: [Team.ID], password: String?) throws -> UserAccount {
        let login = try Self.validated(login)
        return try engine.writing { transaction in
            try transaction.refuseUnlessAdministrator()
            try transaction.refuseToManage(login, removing: false, newRole: nil)
            guard try transaction.userAccounts(login: login).isEmpty else { throw PipelineError.userExists(login) }
            try transaction.checkTeamsExist(teams)
            if try !transaction.loginExists(login) {
                try transaction.createLogin(login)
            }
            if let password { try transaction.setPassword(password, of: login) }
            try transaction.run("""
                INSERT INTO app_user (login, role, created_at)
                VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                """, [login, role.rawValue])
            try transaction.setMemberships(of: login, teams)
            try transaction.run("SELECT pipeline_apply_grants($1)", [login])
            return try transaction.account(login)
        }
    }

    func editUser(_ login: String, role: AccessRole?, teams: [Team.ID]?, password: String?) throws -> UserAccount {
        try engine.writing { transaction in
            try transaction.refuseUnlessAdministrator()
            try transaction.refuseToManage(login, removing: false, newRole: role)
            guard try !transaction.userAccounts(login: login).isEmpty else { throw PipelineError.unknownUser(login) }
            if let role {
                try transaction.run("UPDATE app_user SET role = $2 WHERE login = $1", [login, role.rawValue])
            }
            if let teams {
                try transaction.checkTeamsExist(teams)
                try transaction.setMemberships(of: login, teams)
            }
            if let password { try transaction.setPassword(password, of: login) }
            try transaction.run("SELECT pipeline_apply_grants($1)", [login])
            return try transaction.account(login)
        }
    }

    func removeUser(_ login: String) throws {
        try engine.writing { transaction in
            try transaction.refuseUnlessAdministrator()
            try transaction.refuseToManage(login, removing: true, newRole: nil)
            guard try !transaction.userAccounts(login: login).isEmpty else { throw PipelineError.unknownUser(login) }
            // The memberships go with the row; without a row the function revokes everything.
            try transaction.run("DELETE FROM app_user WHERE login = $1", [login])
            try transaction.run("SELECT pipeline_apply_grants($1)", [login])
        }
    }

    func setOwnDealsOnly(_ id: Team.ID, _ on: Bool) throws -> Team {
        try engine.writing { transaction in
            guard var team = try transaction.catalog().team(id) else { throw PipelineError.unknownTeam(String(id.rawValue)) }
            if let refusal = try transaction.access().refusalToChangeSettings(of: team) { throw PipelineError.notPermitted(refusal) }
            guard team.ownDealsOnly != on else { return team }
            try transaction.setOwnDealsOnly(team, on)
            team.ownDealsOnly = on
            team.version += 1
            return team
        }
    }

    /// `login` if it can be a server login as the user typed it: 1 to 63 bytes, one line, no
    /// control or invisible formatting characters (which would make two logins look alike).
    static func validated(_ login: String) throws -> String {
        let refused = login.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: return true
            default: return false
            }
        }
        // PostgreSQL reserves `public`, `none` and names beginning `pg_` for itself: refused
        // here in the sentence for a bad login, not in the server's words with exit 74.
        let reserved = login == "public" || login == "none" || login.hasPrefix("pg_")
        guard !login.isEmpty, login.utf8.count <= longestLogin, !refused, !reserved else { throw PipelineError.invalidLogin(login) }
        return login
    }
}

extension PostgresTransaction {
    /// Refuses a `user` command on the tables' owner or a superuser (administrators whatever
    /// a row says: adding one as a salesperson would revoke the owner's own privileges and
    /// lock everyone out of administering), and an administrator's removing or demoting
    /// themselves.
    func refuseToManage(_ login: String, removing: Bool, newRole: AccessRole?) throws {
        let isOwner = try rows("""
            SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = $1
                           AND (r.rolsuper OR pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'pipeline_meta'::regclass), 'USAGE')))
            """, [login]).first?.optionalString(0) == "t"
        try access().refusalToManage(user: login, removing: removing, newRole: newRole, targetIsOwner: isOwner).enforce()
    }

    /// Every user (or the one `login` names), in login order, as the session may see them:
    /// an administrator sees everyone, anyone else their own row.
    func userAccounts(login: String? = nil) throws -> [UserAccount] {
        try rows("""
            SELECT a.login, a.role,
                   ARRAY(SELECT m.team_id FROM team_member m JOIN team t ON t.id = m.team_id
                         WHERE m.login = a.login ORDER BY t.name_key, t.id)::text,
                   coalesce(r.rolcanlogin, false)
            FROM app_user a LEFT JOIN pg_roles r ON r.rolname = a.login
            WHERE $1::text IS NULL OR a.login = $1::text
            ORDER BY a.login
            """, [login]).map { row in
            UserAccount(login: try row.string(0), role: AccessRole(rawValue: try row.string(1)) ?? .salesperson,
                        teams: try PostgresRows.int64Array(row.string(2)).map(Team.ID.init), canLogIn: try row.bool(3))
        }
    }

    func account(_ login: String) throws -> UserAccount {
        guard let account = try userAccounts(login: login).first else { throw PipelineError.unknownUser(login) }
        return account
    }

    /// Users are an administrator's to manage; the server's grants would refuse anyone else
    /// too, in a less helpful sentence.
    func refuseUnlessAdministrator() throws {
        guard try rows("SELECT pipeline_is_admin()").first?.bool(0) == true else { throw PipelineError.notPermitted(.users) }
    }

    func checkTeamsExist(_ teams: [Team.ID]) throws {
        let known = Set(try catalog().teams.map(\.id))
        if let unknown = teams.first(where: { !known.contains($0) }) { throw PipelineError.unknownTeam(String(unknown.rawValue)) }
    }

    func loginExists(_ login: String) throws -> Bool {
        try rows("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", [login]).first?.bool(0) == true
    }

    /// `CREATE ROLE "login" LOGIN`, quoted by the server. Without CREATEROLE, one sentence
    /// saying so and what to do instead.
    func createLogin(_ login: String) throws {
        do {
            try script(try statement("SELECT format('CREATE ROLE %I LOGIN', $1::text)", [login]))
        } catch let error as PostgresError where error.kind == .permissionDenied {
            throw PostgresStoreError.cannotCreateLogin(target: connection.target, login: login)
        }
    }

    /// `ALTER ROLE "login" PASSWORD '<SCRAM verifier>'`: the verifier is computed by libpq on
    /// this machine, so the clear password never reaches the server.
    func setPassword(_ password: String, of login: String) throws {
        let verifier = try connection.encryptedPassword(password, user: login)
        do {
            try script(try statement("SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)", [login, verifier]))
        } catch let error as PostgresError where error.kind == .permissionDenied {
            throw PostgresStoreError.cannotSetPassword(target: connection.target, login: login)
        }
    }

    /// A statement the server wrote (`format` with `%I` and `%L`), to run as a script: DDL
    /// takes no parameters, and this way no identifier is ever quoted by hand.
    private func statement(_ sql: String, _ parameters: PostgresParameters) throws -> String {
        guard let text = try rows(sql, parameters).first?.optionalString(0) else {
            throw PostgresError(.unexpectedValue, serverMessage: "format() returned nothing", target: connection.target)
        }
        return text
    }

    /// Replaces `login`'s teams.
    func setMemberships(of login: String, _ teams: [Team.ID]) throws {
        try run("DELETE FROM team_member WHERE login = $1", [login])
        try run("INSERT INTO team_member (login, team_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
                [login, PostgresRows.array(Array(Set(teams.map(\.rawValue))).sorted())])
    }

    func setOwnDealsOnly(_ team: Team, _ on: Bool) throws {
        knownCatalog = nil
        let changed = try run("UPDATE team SET own_deals_only = $2, version = version + 1 WHERE id = $1", [team.id.rawValue, on]).affectedRows
        if changed == 0 {
            throw PostgresError(.permissionDenied, sqlState: "42501", serverMessage: "row-level security kept the team \(team.id) unchanged",
                                constraint: "pipeline.rowSecurity", target: connection.target)
        }
    }
}
