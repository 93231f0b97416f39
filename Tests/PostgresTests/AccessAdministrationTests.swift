import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// `AccessAdministration` on a team server: users added (a login created or adopted, with a
/// password that never travels in clear), listed, edited and removed, with the grants of
/// their role; what an administrator without CREATEROLE, or a non-administrator, gets.
@Suite("PostgreSQL access: managing users")
struct AccessAdministrationTests {
    /// What the server grants `login` on `table` in the fixture's database.
    static func may(_ fixture: AccessFixture, _ login: String, _ privilege: String, on table: String) throws -> Bool {
        try fixture.database.connect().execute("SELECT has_table_privilege($1, $2, $3)", [login, table, privilege]).first?.bool(0) == true
    }

    @Test func aUserIsAddedListedEditedAndRemoved() throws {
        try AccessFixture.with { fixture throws in
            let administration = try fixture.administration
            let login = "pl_new_" + UUID().uuidString.lowercased().prefix(8)
            fixture.willDrop(login)
            let added = try administration.addUser(login, role: .manager, teams: [fixture.export, fixture.sales], password: nil)
            // Teams in name order: Export before Sales.
            #expect(added == UserAccount(login: login, role: .manager, teams: [fixture.export, fixture.sales], canLogIn: true))
            #expect(try fixture.database.connect().column("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", [login]) == ["true"])
            #expect(try administration.users().map(\.login) == [fixture.admin, fixture.manager, login, fixture.ownDealsSalesperson,
                                                                 fixture.salesperson].sorted())
            #expect(try Self.may(fixture, login, "INSERT", on: "stage"))
            #expect(try fixture.store(as: login).access() == Access(login: login, role: .manager, teams: [fixture.sales, fixture.export], managesEveryTeam: false))

            let edited = try administration.editUser(login, role: .salesperson, teams: [fixture.retail], password: nil)
            #expect(edited == UserAccount(login: login, role: .salesperson, teams: [fixture.retail], canLogIn: true))
            #expect(try !Self.may(fixture, login, "INSERT", on: "stage"), "a salesperson keeps a manager's grant")
            #expect(try Self.may(fixture, login, "UPDATE", on: "opportunity"))
            // Unchanged when not given.
            #expect(try administration.editUser(login, role: nil, teams: nil, password: nil) == edited)

            try administration.removeUser(login)
            #expect(try !administration.users().map(\.login).contains(login))
            for table in ["opportunity", "team", "stage", "pipeline_meta", "preference"] {
                #expect(try !Self.may(fixture, login, "SELECT", on: table), "\(table) still readable")
            }
            // The login stays on the server: other databases may use it.
            #expect(try fixture.database.connect().column("SELECT count(*) FROM pg_roles WHERE rolname = $1", [login]) == ["1"])
        }
    }

    /// A login the server already has (made by its administrator, or for another database)
    /// is adopted as it is, and one whose name needs quoting is quoted by the server, never
    /// by string concatenation: `o'brien "x"` connects and reads its team's deals.
    @Test func anExistingLoginIsAdoptedAndANameNeedingQuotesWorks() throws {
        try AccessFixture.with { fixture throws in
            let suffix = UUID().uuidString.lowercased().prefix(6)
            let existing = "pl_existing_\(suffix)"
            try fixture.createLogin(existing, attributes: "NOLOGIN")
            let adopted = try fixture.administration.addUser(existing, role: .salesperson, teams: [fixture.export], password: nil)
            #expect(adopted == UserAccount(login: existing, role: .salesperson, teams: [fixture.export], canLogIn: false))

            let quoted = "o'brien \"x\" \(suffix)"
            fixture.willDrop(quoted)
            try fixture.deal("Ship to Hải Phòng", team: fixture.export)
            try fixture.deal("Sales only", team: fixture.sales)
            let account = try fixture.administration.addUser(quoted, role: .salesperson, teams: [fixture.export], password: nil)
            #expect(account.login == quoted)
            #expect(try fixture.raw(as: quoted).column("SELECT session_user::text") == [quoted])
            #expect(try fixture.raw(as: quoted).column("SELECT title FROM opportunity ORDER BY id") == ["Ship to Hải Phòng"])
            #expect(try fixture.store(as: quoted).access() == Access(login: quoted, role: .salesperson, teams: [fixture.export], managesEveryTeam: false))
            try fixture.administration.removeUser(quoted)
            #expect(try fixture.raw(as: quoted).isRefused("SELECT title FROM opportunity"))
        }
    }

    /// A password is stored as a SCRAM verifier computed on this machine, and logging in
    /// over TCP with it works; changing it makes the old one fail.
    @Test func aPasswordIsSetAsAVerifierAndWorks() throws {
        try AccessFixture.with { fixture throws in
            let login = "pl_pw_" + UUID().uuidString.lowercased().prefix(8)
            fixture.willDrop(login)
            let secret = "S3cret with 'quotes' and \"more\" \(UUID().uuidString.prefix(4))"
            _ = try fixture.administration.addUser(login, role: .salesperson, teams: [fixture.export], password: secret)
            let stored = try TestServer.superuser().column("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [login])
            #expect(stored.first?.hasPrefix("SCRAM-SHA-256$") == true)
            #expect(stored.first?.contains(secret) == false)
            func overTCP(_ password: String) -> String {
                "host=127.0.0.1 port=\((try? TestServer.port) ?? "") user=\(login) dbname=\(fixture.database.name) sslmode=disable "
                    + "password='\(password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'"
            }
            #expect(try PostgresConnection(overTCP(secret)).column("SELECT session_user::text") == [login])
            _ = try fixture.administration.editUser(login, role: nil, teams: nil, password: "another one")
            #expect(throws: PostgresError.self) { try PostgresConnection(overTCP(secret)) }
            #expect(try PostgresConnection(overTCP("another one")).column("SELECT session_user::text") == [login])
        }
    }

    /// An administrator whose login may not create roles: adding a new login is one
    /// sentence with exit 77 and changes nothing; adopting an existing one needs no such
    /// right; setting a password does, and says so.
    @Test func anAdministratorWithoutCreateRoleIsToldWhatToDo() throws {
        try AccessFixture.with { fixture throws in
            let administration = try #require(try fixture.engine(as: fixture.admin).accessAdministration)
            let wanted = "pl_wanted_" + UUID().uuidString.lowercased().prefix(8)
            let refused = try #require(throws: StoreError.self) {
                try administration.addUser(wanted, role: .salesperson, teams: [fixture.export], password: nil)
            }
            #expect(refused.exitStatus == 77)
            #expect(refused.message == "the PostgreSQL user \(fixture.admin) may not create logins on \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port) (it lacks CREATEROLE): create the login \(wanted) with your own PostgreSQL tools, then add it again")
            #expect(refused.message(in: .vietnamese).hasPrefix("người dùng PostgreSQL \(fixture.admin) không được tạo tên đăng nhập"))
            #expect(try !administration.users().map(\.login).contains(wanted))
            #expect(try fixture.database.connect().column("SELECT count(*) FROM pg_roles WHERE rolname = $1", [wanted]) == ["0"])

            try fixture.createLogin(wanted)
            #expect(try administration.addUser(wanted, role: .salesperson, teams: [fixture.export], password: nil).login == wanted)
            let password = try #require(throws: StoreError.self) {
                try administration.editUser(wanted, role: nil, teams: nil, password: "secret")
            }
            #expect(password.exitStatus == 77)
            #expect(password.message.hasPrefix("the PostgreSQL user \(fixture.admin) may not set the password of \(wanted)"))
            #expect(!password.message.contains("secret"))
        }
    }

    /// Only an administrator manages users; a manager changes their own team's "own deals
    /// only" and no other; a salesperson neither. The server says the same through psql.
    @Test func whoMayManageUsersAndTeamSettings() throws {
        try AccessFixture.with { fixture throws in
            let manager = try #require(try fixture.engine(as: fixture.manager).accessAdministration)
            #expect(throws: PipelineError.notPermitted(.users)) {
                try manager.addUser("pl_nobody", role: .admin, teams: [], password: nil)
            }
            #expect(throws: PipelineError.notPermitted(.users)) { try manager.removeUser(fixture.salesperson) }
            #expect(throws: PipelineError.notPermitted(.users)) {
                try manager.editUser(fixture.manager, role: .admin, teams: nil, password: nil)
            }
            #expect(try manager.setOwnDealsOnly(fixture.sales, true).ownDealsOnly)
            #expect(try fixture.owner.store.teams().first { $0.id == fixture.sales }?.ownDealsOnly == true)
            // A team they are not in is one they do not see.
            #expect(throws: PipelineError.unknownTeam(String(fixture.retail.rawValue))) {
                try manager.setOwnDealsOnly(fixture.retail, false)
            }
            let salesperson = try #require(try fixture.engine(as: fixture.salesperson).accessAdministration)
            #expect(throws: PipelineError.notPermitted(.teamSettings(team: "Export"))) {
                try salesperson.setOwnDealsOnly(fixture.export, true)
            }
            // Through psql: the rows and grants refuse the same.
            let raw = try fixture.raw(as: fixture.manager)
            #expect(try raw.isRefused("INSERT INTO app_user (login, role, created_at) VALUES ('pl_x', 'admin', 0)"))
            #expect(try raw.isRefused("UPDATE app_user SET role = 'admin' WHERE login = session_user::text"))
            #expect(try raw.isRefused("SELECT pipeline_apply_grants(session_user::text)"))
            #expect(try raw.execute("UPDATE team SET own_deals_only = false WHERE id = $1", [fixture.retail.rawValue]).affectedRows == 0)
            #expect(try fixture.raw(as: fixture.salesperson).isRefused("UPDATE team SET own_deals_only = true"))
            #expect(try fixture.owner.store.teams().map(\.ownDealsOnly) == [true, false, true])
        }
    }

    @Test func badLoginsAndUnknownOrExistingUsersAreOneSentenceEach() throws {
        try AccessFixture.with { fixture throws in
            let administration = try fixture.administration
            for login in ["", String(repeating: "é", count: 32), "two\nlines", "tab\there", "bidi\u{202E}txet", "public", "none", "pg_monitor"] {
                #expect(throws: PipelineError.invalidLogin(login)) {
                    try administration.addUser(login, role: .salesperson, teams: [], password: nil)
                }
            }
            #expect(PipelineError.invalidLogin("").message(in: .vietnamese).contains("không thể là tên đăng nhập PostgreSQL"))
            // 63 bytes is the longest the server keeps.
            let longest = String(repeating: "a", count: 63)
            fixture.willDrop(longest)
            #expect(try administration.addUser(longest, role: .salesperson, teams: [], password: nil).login == longest)
            #expect(throws: PipelineError.userExists(fixture.manager)) {
                try administration.addUser(fixture.manager, role: .admin, teams: [], password: nil)
            }
            #expect(throws: PipelineError.unknownUser("pl_nobody")) { try administration.removeUser("pl_nobody") }
            #expect(throws: PipelineError.unknownUser("pl_nobody")) {
                try administration.editUser("pl_nobody", role: .admin, teams: nil, password: nil)
            }
            #expect(throws: PipelineError.unknownTeam("999")) {
                try administration.editUser(fixture.manager, role: nil, teams: [Team.ID(999)], password: nil)
            }
            #expect(try administration.users().first { $0.login == fixture.manager }?.teams == [fixture.sales])
        }
    }

    /// A removed user loses access at once: the next statement of a session they already
    /// had open is refused, through the program (77) and through psql.
    @Test func aRemovedUserLosesAccessAtTheirNextStatement() throws {
        try AccessFixture.with { fixture throws in
            try fixture.deal("Export deal", team: fixture.export)
            let store = try fixture.store(as: fixture.salesperson)
            let raw = try fixture.raw(as: fixture.salesperson)
            #expect(try store.opportunity("Export deal").title == "Export deal")
            #expect(try raw.column("SELECT title FROM opportunity") == ["Export deal"])
            try fixture.administration.removeUser(fixture.salesperson)
            #expect(try raw.isRefused("SELECT title FROM opportunity"))
            let refused = try #require(throws: StoreError.self) { try store.opportunity("Export deal") }
            #expect(refused.exitStatus == 77, "\(refused)")
            #expect(try store.engine.read { try $0.access() }.role == .salesperson && store.access().teams.isEmpty)
        }
    }
}

extension AccessAdministrationTests {
    /// The tables' owner and a superuser are administrators whatever a row says: a `user`
    /// command on them is refused in one sentence (adding the owner as a salesperson once
    /// revoked its own privileges and locked everyone out), and so is the schema's grants
    /// function called on the owner from psql; an administrator cannot remove or demote
    /// themselves.
    @Test func theOwnerAndYourselfAreNotManagedAway() throws {
        try withTestRole { ownerLogin in
            try withTestDatabase(owner: ownerLogin) { database in
                let owner = try PostgresEngine(connectionString: try database.connectionString(user: ownerLogin), seedLanguage: .english, now: testNow)
                let administration = try #require(owner.accessAdministration)
                #expect(throws: PipelineError.notPermitted(.ownerIsAdministrator(login: ownerLogin))) {
                    try administration.addUser(ownerLogin, role: .salesperson, teams: [Team.ID(1)], password: nil)
                }
                #expect(throws: PipelineError.notPermitted(.ownerIsAdministrator(login: "postgres"))) {
                    try administration.addUser("postgres", role: .salesperson, teams: [Team.ID(1)], password: nil)
                }
                // The owner still does everything.
                let store = EngineStore(engine: owner)
                _ = try store.addTeam(named: "Export", context: ChangeContext(now: testNow, user: ownerLogin))
                #expect(try store.access().isAdmin)

                // From psql, the grants function refuses the owner as target.
                let raw = try database.connect(user: ownerLogin)
                #expect(throws: PostgresError.self) { try raw.execute("SELECT pipeline_apply_grants($1)", [ownerLogin]) }
                #expect(try raw.execute("SELECT has_table_privilege($1, 'opportunity', 'INSERT')::text", [ownerLogin]).first?.string(0) == "true")

                // An administrator removing or demoting themselves.
                try withTestRole("LOGIN CREATEROLE") { adminLogin in
                    _ = try administration.addUser(adminLogin, role: .admin, teams: [], password: nil)
                    let admin = try #require(try PostgresEngine(connectionString: try database.connectionString(user: adminLogin),
                                                                seedLanguage: .english, now: testNow).accessAdministration)
                    #expect(throws: PipelineError.notPermitted(.ownAccess)) { try admin.removeUser(adminLogin) }
                    #expect(throws: PipelineError.notPermitted(.ownAccess)) {
                        try admin.editUser(adminLogin, role: .salesperson, teams: nil, password: nil)
                    }
                    #expect(try administration.users().first { $0.login == adminLogin }?.role == .admin)
                    try administration.removeUser(adminLogin)
                }
            }
        }
    }
}
