import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// The engine under row-level security: what users do through the program that a policy
/// alone would get wrong (card ranks around colleagues' cards, the shared order of stages,
/// a manager's import, a merge's history, the totals' rebuild, a restore), and the upgrade
/// of a version 2 team server.
@Suite("PostgreSQL access: the engine under row security")
struct AccessEngineTests {
    /// Placing a card between two colleagues' cards whose ranks touch respaces them (order is
    /// not content: the schema's function moves ranks of the cards the user sees), and the
    /// column reads in the order asked for — no error, no "changed by someone else".
    @Test func aSalespersonsCardGoesBetweenTwoColleaguesCards() throws {
        try AccessFixture.with { fixture throws in
            let first = try fixture.deal("Colleague 1", team: fixture.export, salesperson: "pl_colleague")
            let second = try fixture.deal("Colleague 2", team: fixture.export, salesperson: "pl_colleague")
            let mine = try fixture.deal("Mine", team: fixture.export, salesperson: fixture.salesperson)
            let stage = try #require(first.stage)
            try fixture.database.connect().execute("UPDATE opportunity SET rank = CASE id WHEN $1 THEN 10 WHEN $2 THEN 11 ELSE 500 END",
                                                   [first.id.rawValue, second.id.rawValue])
            let store = try fixture.store(as: fixture.salesperson)
            let versions = try [first.id, second.id].map { try fixture.owner.store.opportunity($0)?.version }
            _ = try store.moveOpportunity(mine.id, to: stage, placement: .after(first.id), context: fixture.owner.context)
            let column = try fixture.owner.store.cardWindow(ColumnQuery(team: fixture.export, stage: stage), anchor: .top, limit: 10)
            #expect(column.cards.map(\.title) == ["Colleague 1", "Mine", "Colleague 2"])
            #expect(try [first.id, second.id].map { try fixture.owner.store.opportunity($0)?.version } == versions)
            // With "own deals only", colleagues' cards are not even seen: their own order holds.
            let own = try fixture.deal("Own A", team: fixture.retail, salesperson: fixture.ownDealsSalesperson)
            try fixture.deal("Other's", team: fixture.retail, salesperson: "pl_colleague")
            let ownB = try fixture.deal("Own B", team: fixture.retail, salesperson: fixture.ownDealsSalesperson)
            let ownStore = try fixture.store(as: fixture.ownDealsSalesperson)
            _ = try ownStore.moveOpportunity(own.id, to: try #require(own.stage), placement: .after(ownB.id), context: fixture.owner.context)
            let ownColumn = try ownStore.cardWindow(ColumnQuery(team: fixture.retail, stage: try #require(own.stage)), anchor: .top, limit: 10)
            #expect(ownColumn.cards.map(\.title) == ["Own B", "Own A"])
        }
    }

    /// A manager of one team of three adds and moves their team's stages: the others'
    /// order is renumbered through the schema's function and stays as it was, so the other
    /// teams' pipelines do not change.
    @Test func aManagerReordersTheirTeamsStagesAndNoOneElsesPipelineChanges() throws {
        try AccessFixture.with { fixture throws in
            func names(_ team: Team.ID) throws -> [String] { try fixture.stages(of: team).map(\.name) }
            _ = try fixture.owner.store.addStage(StageDraft.named("Export check", probability: nil, requirements: nil, outcome: nil,
                                                                  language: .english, scope: .team(fixture.export)),
                                                 in: fixture.export, at: 3)
            let export = try names(fixture.export), retail = try names(fixture.retail)
            let manager = try fixture.store(as: fixture.manager)
            let (added, _) = try manager.addStage(StageDraft.named("Demo", probability: nil, requirements: nil, outcome: nil,
                                                                   language: .english, scope: .team(fixture.sales)),
                                                  in: fixture.sales, at: 2)
            #expect(try names(fixture.sales)[1] == "Demo")
            _ = try manager.moveStage(added.id, in: fixture.sales, to: .position(4))
            #expect(try names(fixture.sales)[3] == "Demo")
            #expect(try names(fixture.export) == export)
            #expect(try names(fixture.retail) == retail)
            // A shared stage moved by them is refused by the program in its sentence, and —
            // the program's check bypassed, the engine asked to renumber directly — by the
            // server in one sentence.
            let shared = try #require(fixture.stages(of: fixture.sales).first { $0.scope == .shared })
            #expect(throws: PipelineError.notPermitted(.sharedStage(stage: shared.name))) {
                try manager.moveStage(shared.id, in: fixture.sales, to: .position(5))
            }
            let sharedOrder = try fixture.stages(of: fixture.sales).filter { $0.scope == .shared }
            let swapped = [(sharedOrder[0].id, sharedOrder[1].sortOrder), (sharedOrder[1].id, sharedOrder[0].sortOrder)]
            let refused = try #require(throws: StoreError.self) {
                try fixture.engine(as: fixture.manager).write { try $0.storeSortOrders(swapped) }
            }
            #expect(refused.exitStatus == 77)
            #expect(refused.message(in: .english) == "the PostgreSQL server refused: only an administrator or a manager of every team can reorder the shared stages or other teams' stages")
            #expect(refused.message(in: .vietnamese).hasPrefix("máy chủ PostgreSQL từ chối: chỉ quản trị viên"))
            #expect(try names(fixture.export) == export)
        }
    }

    /// A manager imports into their team (COPY FROM is refused under row security: the rows
    /// go through a temporary table and one INSERT the policies check); the history names
    /// them. An import into a team they do not manage is refused whole.
    @Test func aManagerImportsIntoTheirTeamOnly() throws {
        try AccessFixture.with { fixture throws in
            let stage = try #require(fixture.stages(of: fixture.sales).first)
            func record(_ title: String, team: Team.ID) throws -> Opportunity {
                Opportunity(id: Opportunity.ID(0), title: title, expectedRevenue: try #require(Money(minorUnits: 1_000, currency: .usd)),
                            probability: stage.probability, salesperson: "lan", team: team, stage: stage.id, createdAt: testNow)
            }
            let engine = try fixture.engine(as: fixture.manager)
            try engine.importing(dryRun: false) { transaction in
                for index in 0..<3 {
                    let id = try transaction.insertRecord(try record("Imported \(index)", team: fixture.sales), externalID: "ext-\(index)")
                    try transaction.insertHistory(StageHistoryEntry(change: StageChange(opportunity: id, from: nil, to: stage.id, at: testNow,
                                                                                        by: "the file says"),
                                                                    fromName: nil, toName: stage.name))
                }
            }
            let imported = try fixture.owner.store.forEachOpportunityTitles()
            #expect(imported == ["Imported 0", "Imported 1", "Imported 2"])
            let deal = try fixture.owner.store.opportunity("Imported 1")
            #expect(try fixture.owner.store.history(of: deal.id).map(\.change.by) == [fixture.manager])
            #expect(try fixture.owner.store.integrityProblems() == [])
            let refused = try #require(throws: StoreError.self) {
                try engine.importing(dryRun: false) { transaction in
                    _ = try transaction.insertRecord(try record("Into Export", team: fixture.export), externalID: nil)
                }
            }
            #expect(refused.exitStatus == 77, "\(refused)")
            #expect(try fixture.owner.store.forEachOpportunityTitles().count == 3)
        }
    }

    /// Only the tables' owner restores (the server would make anyone else the author of
    /// every history line); an administrator's login is told so, and nothing changes.
    @Test func onlyTheTablesOwnerRestores() throws {
        try AccessFixture.with { fixture throws in
            let store = try fixture.store(as: fixture.admin)
            let refused = try #require(throws: StoreError.self) { try store.restore { _ in } }
            #expect(refused.exitStatus == 77)
            #expect(refused.message == "only the owner of the tables of \(fixture.database.name) on \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port), postgres, can restore a backup or copy a store into it: the stage history keeps the backup's names only for them")
            #expect(try fixture.owner.store.teams().count == 3)
        }
    }

    /// The totals' rebuild is an administrator's; a merge's history moves only between
    /// records the user may change.
    @Test func repairIsAnAdministratorsAndHistoryMovesOnlyBetweenOwnRecords() throws {
        try AccessFixture.with { fixture throws in
            let mine = try fixture.deal("Mine", team: fixture.export, salesperson: fixture.salesperson)
            let unassigned = try fixture.lead("Unassigned lead", team: fixture.export)
            let colleagues = try fixture.deal("Colleague's", team: fixture.export, salesperson: "pl_colleague")
            try fixture.database.connect().execute("UPDATE stage_total SET count = count + 5")
            #expect(try !fixture.owner.store.integrityProblems().isEmpty)
            let refused = try #require(throws: StoreError.self) { try fixture.store(as: fixture.manager).repair() }
            // The function is not even theirs to call (EXECUTE is granted to administrators).
            #expect(refused.exitStatus == 77)
            #expect(refused.message.hasPrefix("the PostgreSQL user \(fixture.manager) is not allowed to do this"))
            #expect(PostgresError(.permissionDenied, sqlState: "42501", constraint: "pipeline.rebuildTotals").message
                    == "the PostgreSQL server refused: only an administrator can rebuild the stage totals")
            try fixture.store(as: fixture.admin).repair()
            #expect(try fixture.owner.store.integrityProblems() == [])

            let engine = try fixture.engine(as: fixture.salesperson)
            #expect(try engine.write { try $0.mergeRecord(unassigned.id, into: mine.id, expectedVersion: unassigned.version) })
            let moved = try #require(throws: StoreError.self) {
                try engine.write { try $0.mergeRecord(colleagues.id, into: mine.id, expectedVersion: colleagues.version) }
            }
            #expect(moved.exitStatus == 77)
            #expect(moved.message(in: .vietnamese) == "máy chủ PostgreSQL từ chối: lịch sử, hoạt động và ghi chú của một bản ghi chỉ được chuyển khi gộp nó vào một bản ghi khác, và cả hai đều là bản ghi bạn được sửa")
            #expect(try fixture.owner.store.history(of: colleagues.id).count == 1)
        }
    }

    /// A team server of version 2: every login that could write deals (itself or through a
    /// group role) becomes an administrator and keeps working; a login that could only read
    /// gets no row; privileges not granted by the new rules go (history updates, group and
    /// PUBLIC grants); the totals are kept per salesperson, equal to the deals. A writer who
    /// opens it first with this version is told that only the tables' owner may upgrade it.
    @Test func aVersion2TeamServerIsUpgradedAndItsWritersKeepWorking() throws {
        try withTestDatabase { database in
            let suffix = UUID().uuidString.lowercased().prefix(8)
            let writer = "pl_v2_writer_\(suffix)", member = "pl_v2_member_\(suffix)", reader = "pl_v2_reader_\(suffix)"
            let group = "pl_v2_group_\(suffix)"
            let superuser = try TestServer.superuser()
            try superuser.executeScript("""
                CREATE ROLE \(writer) LOGIN; CREATE ROLE \(member) LOGIN; CREATE ROLE \(reader) LOGIN; CREATE ROLE \(group) NOLOGIN;
                GRANT \(group) TO \(member)
                """)
            defer {
                for role in [writer, member, reader, group] {
                    _ = try? database.connect().executeScript("DROP OWNED BY \(role) CASCADE")
                }
                _ = try? superuser.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                           [database.name])
                _ = try? superuser.executeScript("DROP ROLE IF EXISTS \(writer); DROP ROLE IF EXISTS \(member); DROP ROLE IF EXISTS \(reader); DROP ROLE IF EXISTS \(group)")
            }
            let owner = try database.connect()
            try owner.transaction {
                try owner.executeScript(PostgresSchema.version1)
                try owner.executeScript(PostgresSchema.version2)
                try owner.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 2);
                    INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0);
                    INSERT INTO stage (name, name_key, sort_order, probability) VALUES ('New', 'new', 1, 1000), ('Won', 'won', 2, 10000);
                    INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, salesperson, expected_revenue,
                                             weighted_revenue, created_at, updated_at, stage_changed_at)
                    VALUES ('A', 'a', 'USD', 1000, 1, 1, 'lan', 1000, 100, 0, 0, 0), ('B', 'b', 'USD', 1000, 1, 1, 'minh', 2000, 200, 0, 0, 0),
                           ('C', 'c', 'USD', 1000, 1, 1, '', 4000, 400, 0, 0, 0);
                    INSERT INTO stage_history (opportunity_id, to_stage_id, changed_at, changed_by) SELECT id, 1, 0, salesperson FROM opportunity;
                    GRANT USAGE ON SCHEMA public TO \(writer), \(group), \(reader);
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(writer), \(group);
                    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO \(writer), \(group);
                    GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(reader), PUBLIC;
                    """)
            }
            // The writer opens it first: only the owner may upgrade it.
            let early = try #require(throws: StoreError.self) {
                try PostgresEngine(connectionString: try database.connectionString(user: writer), seedLanguage: .english, now: testNow)
            }
            #expect(early.exitStatus == 77)
            #expect(early.message == "\(database.name) on \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port) must be upgraded for this version of pipeline by the owner of its tables, postgres: open it once as postgres")
            #expect(try owner.column("SELECT schema_version FROM pipeline_meta") == ["2"])

            let upgraded = try EngineHarness(database)
            #expect(try owner.column("SELECT schema_version FROM pipeline_meta") == [String(PostgresSchema.currentVersion)])
            #expect(try owner.column("SELECT login || ' ' || role FROM app_user ORDER BY login") == ["\(member) admin", "\(writer) admin"])
            #expect(try owner.column("SELECT has_table_privilege($1, 'stage_history', 'UPDATE')::text", [writer]) == ["false"])
            #expect(try owner.column("SELECT has_table_privilege($1, 'opportunity', 'SELECT')::text", [reader]) == ["false"])
            #expect(try owner.column("""
                SELECT count(*) FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
                WHERE c.relname IN ('opportunity', 'stage_history', 'team') AND a.grantee IN (0, $1::regrole)
                """, [group]) == ["0"])
            #expect(try owner.column("""
                SELECT string_agg(salesperson || '=' || count || '/' || expected_sum, ',' ORDER BY salesperson) FROM stage_total
                """) == ["=1/4000,lan=1/1000,minh=1/2000"])
            #expect(try upgraded.store.integrityProblems() == [])

            // The writers keep working, as administrators, and the history now names them.
            for login in [writer, member] {
                let store = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(user: login),
                                                                   seedLanguage: .english, now: testNow))
                #expect(try store.access() == Access(login: login, role: .admin, teams: [], managesEveryTeam: true))
                let deal = try store.addOpportunity(try OpportunityForm(title: "By \(login)").validated(language: .english, currency: .usd),
                                                    team: Team.ID(1), stage: nil, context: ChangeContext(now: testNow, user: "lan"))
                let moved = try store.moveOpportunity(deal.id, to: Stage.ID(2), context: ChangeContext(now: testNow, user: "lan"))
                #expect(try store.history(of: moved.id).map(\.change.by) == [login, login])
                #expect(try store.forEachOpportunityTitles().count >= 4)
            }
            #expect(try upgraded.store.integrityProblems() == [])
        }
    }
}

extension PipelineReading {
    /// Every active opportunity's title, in pipeline order.
    func forEachOpportunityTitles() throws -> [String] {
        var titles: [String] = []
        try forEachOpportunity(OpportunityFilter()) { titles.append($0.title) }
        return titles
    }
}

extension AccessEngineTests {
    /// A delete row security skips is a refusal, never a success: the engine asked alone
    /// (the program's own check bypassed) to remove a shared stage as the manager of one
    /// team of three, or a team as a manager, keeps them and says why (77).
    @Test func aDeleteRowSecuritySkipsIsRefusedNotReportedDone() throws {
        try AccessFixture.with { fixture throws in
            let shared = try #require(fixture.stages(of: fixture.sales).first { $0.scope == .shared })
            let manager = try fixture.engine(as: fixture.manager)
            let stageRefusal = try #require(throws: StoreError.self) { try manager.write { try $0.deleteStage(shared.id) } }
            #expect(stageRefusal.exitStatus == 77)
            #expect(try fixture.stages(of: fixture.sales).contains { $0.id == shared.id })
            let teamRefusal = try #require(throws: StoreError.self) { try manager.write { try $0.deleteTeam(fixture.sales) } }
            #expect(teamRefusal.exitStatus == 77)
            #expect(try fixture.owner.store.teams().contains { $0.id == fixture.sales })
        }
    }

    /// The server shows a manager only their own teams, so whether they manage every team
    /// comes from the server: false for the manager of one team of three, true once they
    /// manage them all; and a write reads it in the round trip that takes the queue.
    @Test func whetherAManagerManagesEveryTeamComesFromTheServer() throws {
        try AccessFixture.with { fixture throws in
            let manager = try fixture.engine(as: fixture.manager)
            #expect(try manager.read { try $0.access() }.managesEveryTeam == false)
            #expect(try manager.write { try $0.access() }.managesEveryTeam == false)
            _ = try fixture.administration.editUser(fixture.manager, role: nil, teams: [fixture.sales, fixture.export, fixture.retail], password: nil)
            #expect(try manager.read { try $0.access() }.managesEveryTeam == true)
            #expect(try manager.write { try $0.access() }.managesEveryTeam == true)
        }
    }

    /// A role given or taken is announced like any change, so an open board reads its access
    /// again at once.
    @Test func aChangeOfAccessWakesOpenBoards() throws {
        try AccessFixture.with { fixture throws in
            let board = try fixture.engine(as: fixture.salesperson)
            let socket = try #require(board.changeSignal)
            _ = try board.drainChangeSignal()
            _ = try fixture.administration.editUser(fixture.salesperson, role: .manager, teams: nil, password: nil)
            #expect(try EngineChangeFeedTests.announced(on: socket, within: 10) { try board.drainChangeSignal() })
            #expect(try board.read { try $0.access() }.role == .manager)
        }
    }
}
