import Foundation
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// A team server as issue 12 describes it: a database whose owner is the superuser
/// `postgres`, three teams — Sales (A), Export (B) and Retail (C, "own deals only" on) — and
/// four logins of their own: an administrator, the manager of Sales, a salesperson of
/// Export, and a salesperson of Retail who therefore sees only their own deals.
///
/// Every login is a real server role (dropped afterwards, with its rights in the database),
/// so that what is checked through `raw(as:)` is the server's refusal, never the program's.
final class AccessFixture {
    let database: TestDatabase
    let owner: EngineHarness
    let admin: String, manager: String, salesperson: String, ownDealsSalesperson: String
    private(set) var sales = Team.ID(0), export = Team.ID(0), retail = Team.ID(0)
    private var roles: [String] = []

    /// Runs `body` with the four users set up by `setUp` (the default: the rows and grants
    /// the schema's own function gives, through the superuser).
    static func with<Result>(_ body: (AccessFixture) throws -> Result) throws -> Result {
        try withTestDatabase { database in
            let fixture = try AccessFixture(database)
            defer { fixture.dropRoles() }
            try fixture.makeTeams()
            try fixture.register(fixture.admin, role: .admin, teams: [])
            try fixture.register(fixture.manager, role: .manager, teams: [fixture.sales])
            try fixture.register(fixture.salesperson, role: .salesperson, teams: [fixture.export])
            try fixture.register(fixture.ownDealsSalesperson, role: .salesperson, teams: [fixture.retail])
            return try body(fixture)
        }
    }

    private init(_ database: TestDatabase) throws {
        self.database = database
        owner = try EngineHarness(database)
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
        admin = "pl_admin_\(suffix)"
        manager = "pl_manager_\(suffix)"
        salesperson = "pl_sales_\(suffix)"
        ownDealsSalesperson = "pl_own_\(suffix)"
    }

    private func makeTeams() throws {
        let context = owner.context
        sales = try owner.team
        export = try owner.store.addTeam(named: "Export", context: context).id
        retail = try owner.store.addTeam(named: "Retail", context: context).id
        try database.connect().execute("UPDATE team SET own_deals_only = true WHERE id = $1", [retail.rawValue])
    }

    /// Creates the login (dropped at the end) and makes it a user through the engine's
    /// `AccessAdministration`, as `pipeline user add` does (adopting the login).
    func register(_ login: String, role: AccessRole, teams: [Team.ID]) throws {
        try createLogin(login)
        _ = try administration.addUser(login, role: role, teams: teams, password: nil)
    }

    /// The owner's user administration.
    var administration: any AccessAdministration {
        get throws {
            guard let administration = owner.engine.accessAdministration else {
                throw TestServer.Unavailable(description: "the PostgreSQL engine has no user administration")
            }
            return administration
        }
    }

    /// Remembers a login a test made some other way (`addUser` creating it), to drop it at the end.
    func willDrop(_ login: String) {
        roles.append(login)
    }

    /// A login role of the server, dropped (with its rights in this database) at the end.
    func createLogin(_ login: String, attributes: String = "LOGIN") throws {
        try TestServer.superuser().executeScript("CREATE ROLE \(Self.quoted(login)) \(attributes)")
        roles.append(login)
    }

    private func dropRoles() {
        for role in roles {
            _ = try? database.connect().executeScript("DROP OWNED BY \(Self.quoted(role)) CASCADE")
        }
        // Every session of the database ends with it (withTestDatabase drops it after this),
        // but a role in use by a session cannot be dropped: close them first.
        _ = try? TestServer.superuser().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                                [database.name])
        for role in roles {
            _ = try? TestServer.superuser().executeScript("DROP ROLE IF EXISTS \(Self.quoted(role))")
        }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A conninfo for `login` over the socket; the value quoted as libpq reads it.
    func connectionString(as login: String) throws -> String {
        let value = "'" + login.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        return "host=\(try TestServer.socketFolder) port=\(try TestServer.port) user=\(value) dbname=\(database.name)"
    }

    /// A raw session as `login`: what psql would be for them.
    func raw(as login: String) throws -> PostgresConnection {
        try PostgresConnection(connectionString(as: login))
    }

    /// The program's store as `login`.
    func store(as login: String) throws -> EngineStore {
        EngineStore(engine: try engine(as: login))
    }

    func engine(as login: String) throws -> PostgresEngine {
        try PostgresEngine(connectionString: try connectionString(as: login), seedLanguage: .english, now: testNow)
    }

    /// A deal of `team` in its first stage, assigned to `salesperson`, added by the owner.
    @discardableResult
    func deal(_ title: String, team: Team.ID, salesperson: String = "", revenue: String = "1,000.00") throws -> Opportunity {
        let form = OpportunityForm(title: title, expectedRevenue: revenue, salesperson: salesperson)
        return try owner.store.addOpportunity(try form.validated(language: .english, currency: .usd), team: team, stage: nil,
                                              context: owner.context)
    }

    /// A lead of `team`, added by the owner.
    @discardableResult
    func lead(_ title: String, team: Team.ID, salesperson: String = "") throws -> Opportunity {
        let form = OpportunityForm(title: title, salesperson: salesperson)
        return try owner.store.addLead(try form.validated(language: .english, currency: .usd), team: team, context: owner.context)
    }

    /// `team`'s pipeline, in order.
    func stages(of team: Team.ID) throws -> [Stage] {
        try owner.store.pipeline(for: team).stages
    }
}

extension PostgresConnection {
    /// The first column of every row, as text (`NULL` as "NULL").
    func column(_ sql: String, _ parameters: PostgresParameters = []) throws -> [String] {
        try execute(sql, parameters).rows.map { $0[0] ?? "NULL" }
    }

    /// Whether running `sql` is refused with SQLSTATE 42501 (a privilege or a row-level
    /// security policy); anything else that fails is thrown.
    func isRefused(_ sql: String, _ parameters: PostgresParameters = []) throws -> Bool {
        do {
            try execute(sql, parameters)
            return false
        } catch where error.sqlState == "42501" {
            return true
        }
    }

    /// Whether the server refuses `sql` as breaking a CHECK constraint (23514), the rest as
    /// `execute` does.
    func breaksACheck(_ sql: String, _ parameters: PostgresParameters = []) throws -> Bool {
        do {
            try execute(sql, parameters)
            return false
        } catch where error.sqlState == "23514" {
            return true
        }
    }
}
