import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// What `access()` says on a team server: the session user's role and teams, read from the
/// server (the superuser and the tables' owner are administrators without a row).
@Suite("PostgreSQL access: who the server says you are")
struct AccessReadingTests {
    @Test func eachLoginReadsItsRoleAndTeams() throws {
        try AccessFixture.with { fixture throws in
            #expect(try fixture.owner.store.access() == Access(login: "postgres", role: .admin, teams: [], managesEveryTeam: true))
            #expect(try fixture.store(as: fixture.admin).access() == Access(login: fixture.admin, role: .admin, teams: [], managesEveryTeam: true))
            #expect(try fixture.store(as: fixture.manager).access()
                    == Access(login: fixture.manager, role: .manager, teams: [fixture.sales], managesEveryTeam: false))
            #expect(try fixture.store(as: fixture.salesperson).access()
                    == Access(login: fixture.salesperson, role: .salesperson, teams: [fixture.export], managesEveryTeam: false))
            #expect(try fixture.store(as: fixture.ownDealsSalesperson).access()
                    == Access(login: fixture.ownDealsSalesperson, role: .salesperson, teams: [fixture.retail], managesEveryTeam: false))
        }
    }

    /// A login that owns the tables without being a superuser (the usual managed-service
    /// set-up) is an administrator without a row; a login the database does not know as a
    /// user is a salesperson of no team: it sees nothing.
    @Test func theTablesOwnerIsAnAdministratorAndAStrangerIsNobody() throws {
        try withTestRole { role in
            try withTestDatabase(owner: role) { database in
                let owner = try PostgresEngine(connectionString: try database.connectionString(user: role), seedLanguage: .english, now: testNow)
                #expect(try EngineStore(engine: owner).access() == Access(login: role, role: .admin, teams: [], managesEveryTeam: true))
                try withTestRole { stranger in
                    try database.connect(user: role).executeScript("GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(stranger)")
                    defer { _ = try? database.connect(user: role).executeScript("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(stranger)") }
                    let store = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(user: stranger),
                                                                       seedLanguage: .english, now: testNow))
                    #expect(try store.access() == Access(login: stranger, role: .salesperson, teams: [], managesEveryTeam: false))
                    #expect(try database.connect(user: stranger).column("SELECT name FROM team").isEmpty)
                    #expect(try database.connect(user: stranger).column("SELECT name FROM stage").isEmpty)
                }
            }
        }
    }

    /// A login the database does not know as a user (never added, or removed) that opens
    /// it is told so in one sentence, exit 77 — not that it would need upgrading.
    @Test func aLoginThatIsNoUserIsToldSoOnOpening() throws {
        try AccessFixture.with { fixture throws in
            try fixture.administration.removeUser(fixture.salesperson)
            let refused = try #require(throws: StoreError.self) { try fixture.engine(as: fixture.salesperson) }
            #expect(refused.exitStatus == 77)
            let database = "\(fixture.database.name) on \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port)"
            #expect(refused.message == "the PostgreSQL user \(fixture.salesperson) is not a user of \(database): ask its administrator to add them (pipeline user add)")
            #expect(refused.message(in: .vietnamese).hasPrefix("người dùng PostgreSQL \(fixture.salesperson) không phải là người dùng của"))
        }
    }

    /// A team's "own deals only" setting is read with the teams, by everyone who sees them.
    @Test func ownDealsOnlyIsReadWithTheTeams() throws {
        try AccessFixture.with { fixture throws in
            let teams = try fixture.owner.store.teams()
            #expect(teams.map(\.name) == ["Sales", "Export", "Retail"])
            #expect(teams.map(\.ownDealsOnly) == [false, false, true])
            #expect(try fixture.store(as: fixture.ownDealsSalesperson).teams().map { "\($0.name) \($0.ownDealsOnly)" } == ["Retail true"])
            #expect(try fixture.owner.store.backupTeams().map(\.team.ownDealsOnly) == [false, false, true])
        }
    }
}
