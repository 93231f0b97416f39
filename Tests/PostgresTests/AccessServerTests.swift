import Foundation
@testable import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// The server's own rules, checked through raw SQL as each login — what `psql` would be in
/// their hands, with no program in the way: row-level security and grants refuse, not the
/// program. The hostile client's attempts (read other teams' deals, change a stage, rewrite
/// history, take a colleague's deal, read the password hashes) are each refused.
@Suite("PostgreSQL access: the server refuses (raw SQL as each login)")
struct AccessServerTests {
    /// The fixture's pipelines with a deal or lead of each kind a rule tells apart.
    struct Deals {
        let salesDeal, exportMine, exportColleagues, exportUnassigned, exportLead: Opportunity
        let retailOwn, retailOthers, retailUnassigned, retailFreeLead, retailOthersLead: Opportunity
        let salesOnlyStage, exportOnlyStage: Int64

        init(_ fixture: AccessFixture) throws {
            salesDeal = try fixture.deal("Sales deal", team: fixture.sales, revenue: "100.00")
            exportMine = try fixture.deal("Export mine", team: fixture.export, salesperson: fixture.salesperson, revenue: "200.00")
            exportColleagues = try fixture.deal("Export colleague's", team: fixture.export, salesperson: "pl_colleague", revenue: "300.00")
            exportUnassigned = try fixture.deal("Export unassigned", team: fixture.export, revenue: "400.00")
            exportLead = try fixture.lead("Export lead", team: fixture.export)
            retailOwn = try fixture.deal("Retail own", team: fixture.retail, salesperson: fixture.ownDealsSalesperson, revenue: "10.00")
            retailOthers = try fixture.deal("Retail other's", team: fixture.retail, salesperson: "pl_colleague", revenue: "20.00")
            retailUnassigned = try fixture.deal("Retail unassigned", team: fixture.retail, revenue: "40.00")
            retailFreeLead = try fixture.lead("Retail free lead", team: fixture.retail)
            retailOthersLead = try fixture.lead("Retail other's lead", team: fixture.retail, salesperson: "pl_colleague")
            let owner = try fixture.database.connect()
            func ownStage(_ name: String, _ team: Team.ID) throws -> Int64 {
                try #require(try owner.execute("""
                    INSERT INTO stage (name, name_key, sort_order, probability, team_id) VALUES ($1, lower($1), 100, 5000, $2) RETURNING id
                    """, [name, team.rawValue]).first?.int64(0))
            }
            salesOnlyStage = try ownStage("Sales only", fixture.sales)
            exportOnlyStage = try ownStage("Export only", fixture.export)
        }
    }

    static let titles = "SELECT title FROM opportunity ORDER BY id"

    @Test func eachLoginSeesOnlyWhatItMay() throws {
        try AccessFixture.with { fixture throws in
            _ = try Deals(fixture)
            let everything = ["Sales deal", "Export mine", "Export colleague's", "Export unassigned", "Export lead", "Retail own",
                              "Retail other's", "Retail unassigned", "Retail free lead", "Retail other's lead"]
            #expect(try fixture.raw(as: fixture.admin).column(Self.titles) == everything)
            #expect(try fixture.raw(as: fixture.manager).column(Self.titles) == ["Sales deal"])
            #expect(try fixture.raw(as: fixture.salesperson).column(Self.titles)
                    == ["Export mine", "Export colleague's", "Export unassigned", "Export lead"])
            // "Own deals only": their own deals and leads, and the unassigned leads to take.
            #expect(try fixture.raw(as: fixture.ownDealsSalesperson).column(Self.titles) == ["Retail own", "Retail free lead"])
            // Teams and stages: their own and the shared ones.
            #expect(try fixture.raw(as: fixture.salesperson).column("SELECT name FROM team ORDER BY id") == ["Export"])
            let stages = try fixture.raw(as: fixture.salesperson).column("SELECT name FROM stage WHERE team_id IS NOT NULL ORDER BY id")
            #expect(stages == ["Export only"])
            #expect(try fixture.raw(as: fixture.manager).column("SELECT name FROM team ORDER BY id") == ["Sales"])
            // Users: their own row only.
            #expect(try fixture.raw(as: fixture.salesperson).column("SELECT login FROM app_user") == [fixture.salesperson])
        }
    }

    /// The maintained totals leak nothing: an "own deals only" salesperson's column totals
    /// are sums of their own deals; a salesperson of a whole team sees the team's.
    @Test func stageTotalsSumOnlyWhatTheLoginSees() throws {
        try AccessFixture.with { fixture throws in
            _ = try Deals(fixture)
            let sums = "SELECT sum(count)::text || ' ' || sum(expected_sum)::text FROM stage_total WHERE active"
            #expect(try fixture.raw(as: fixture.ownDealsSalesperson).column(sums) == ["1 1000"])
            #expect(try fixture.raw(as: fixture.salesperson).column(sums) == ["3 90000"])
            #expect(try fixture.raw(as: fixture.manager).column(sums) == ["1 10000"])
            #expect(try fixture.raw(as: fixture.admin).column(sums) == ["7 107000"])
            // And through the program: the board's header figures.
            let own = try fixture.store(as: fixture.ownDealsSalesperson)
            #expect(try own.stageFigures(team: fixture.retail).values.map(\.count).reduce(0, +) == 1)
            #expect(try fixture.store(as: fixture.salesperson).stageFigures(team: fixture.export).values.map(\.count).reduce(0, +) == 3)
            #expect(try own.forecast(team: fixture.retail, groupedBy: .salesperson).rows.map(\.key) == [fixture.ownDealsSalesperson])
        }
    }

    @Test func anotherTeamsDealCannotBeChangedOrDeleted() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let salesperson = try fixture.raw(as: fixture.salesperson)
            #expect(try salesperson.execute("UPDATE opportunity SET title = 'Mine now' WHERE id = $1", [deals.salesDeal.id.rawValue]).affectedRows == 0)
            #expect(try salesperson.execute("DELETE FROM opportunity WHERE id = $1", [deals.salesDeal.id.rawValue]).affectedRows == 0)
            let manager = try fixture.raw(as: fixture.manager)
            #expect(try manager.execute("UPDATE opportunity SET notes = 'x' WHERE team_id <> $1", [fixture.sales.rawValue]).affectedRows == 0)
            // Moving one's own deal into a team one is not in is refused.
            #expect(try salesperson.isRefused("UPDATE opportunity SET team_id = $1 WHERE id = $2",
                                              [fixture.sales.rawValue, deals.exportMine.id.rawValue]))
            // Into another team's stage, too, even keeping the team.
            #expect(try salesperson.isRefused("UPDATE opportunity SET stage_id = $1 WHERE id = $2",
                                              [deals.salesOnlyStage, deals.exportMine.id.rawValue]))
            #expect(try fixture.owner.store.opportunity(deals.salesDeal.id)?.title == "Sales deal")
            #expect(try fixture.owner.store.opportunity(deals.exportMine.id)?.team == fixture.export)
        }
    }

    /// A salesperson changes their own and unassigned deals: takes an unassigned one for
    /// themselves, never a colleague's, and gives a deal to nobody else.
    @Test func aSalespersonTakesOnlyUnassignedDealsAndGivesToNobodyElse() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.salesperson)
            #expect(try raw.execute("UPDATE opportunity SET salesperson = session_user::text WHERE id = $1",
                                    [deals.exportColleagues.id.rawValue]).affectedRows == 0)
            #expect(try raw.execute("UPDATE opportunity SET notes = 'mine' WHERE id = $1", [deals.exportColleagues.id.rawValue]).affectedRows == 0)
            #expect(try raw.execute("UPDATE opportunity SET salesperson = session_user::text WHERE id = $1",
                                    [deals.exportUnassigned.id.rawValue]).affectedRows == 1)
            #expect(try raw.isRefused("UPDATE opportunity SET salesperson = 'pl_colleague' WHERE id = $1", [deals.exportMine.id.rawValue]))
            #expect(try raw.execute("UPDATE opportunity SET salesperson = '' WHERE id = $1", [deals.exportMine.id.rawValue]).affectedRows == 1)
            let owner = fixture.owner.store
            #expect(try owner.opportunity(deals.exportColleagues.id)?.salesperson == "pl_colleague")
            #expect(try owner.opportunity(deals.exportUnassigned.id)?.salesperson == fixture.salesperson)
            #expect(try owner.opportunity(deals.exportMine.id)?.salesperson == "")
        }
    }

    @Test func nobodyAddsADealForSomeoneElseOrOutsideTheirTeams() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.salesperson)
            let stage = try #require(fixture.stages(of: fixture.export).first?.id.rawValue)
            let insert = """
                INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, salesperson,
                                         created_at, updated_at, stage_changed_at)
                VALUES ($1, lower($1), 'USD', 1000, $2, $3, $4, 0, 0, 0)
                """
            #expect(try raw.isRefused(insert, ["For a colleague", fixture.export.rawValue, stage, "pl_colleague"]))
            #expect(try raw.isRefused(insert, ["In Sales", fixture.sales.rawValue, stage, fixture.salesperson]))
            #expect(try raw.isRefused(insert, ["In Sales' stage", fixture.export.rawValue, deals.salesOnlyStage, fixture.salesperson]))
            try raw.execute(insert, ["For me", fixture.export.rawValue, stage, fixture.salesperson])
            try raw.execute(insert, ["For nobody", fixture.export.rawValue, stage, ""])
            // A manager gives a deal of their team to anyone.
            try fixture.raw(as: fixture.manager).execute(insert, ["For Lan", fixture.sales.rawValue, stage, "lan"])
            #expect(try fixture.raw(as: fixture.admin).column("SELECT title FROM opportunity WHERE title LIKE 'For%' ORDER BY id")
                    == ["For me", "For nobody", "For Lan"])
        }
    }

    @Test func stagesAreRefusedToSalespeopleAndSharedOnesToAManagerOfOneTeam() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let shared = try #require(fixture.stages(of: fixture.sales).first { $0.scope == .shared })
            let salesperson = try fixture.raw(as: fixture.salesperson)
            #expect(try salesperson.isRefused("UPDATE stage SET probability = 0 WHERE id = $1", [shared.id.rawValue]))
            #expect(try salesperson.isRefused("UPDATE stage SET probability = 0 WHERE id = $1", [deals.exportOnlyStage]))
            #expect(try salesperson.isRefused("INSERT INTO stage (name, name_key, sort_order, probability, team_id) VALUES ('X', 'x', 1, 0, $1)",
                                              [fixture.export.rawValue]))
            #expect(try salesperson.isRefused("DELETE FROM stage WHERE id = $1", [deals.exportOnlyStage]))
            #expect(try salesperson.isRefused("SELECT pipeline_store_sort_orders($1::bigint[], $2::bigint[])",
                                              ["{\(deals.exportOnlyStage)}", "{1}"]))

            // Three teams: the manager of Sales alone changes Sales' stages, not the shared ones.
            let manager = try fixture.raw(as: fixture.manager)
            #expect(try manager.execute("UPDATE stage SET probability = 100 WHERE id = $1", [shared.id.rawValue]).affectedRows == 0)
            #expect(try manager.execute("UPDATE stage SET probability = 100 WHERE id = $1", [deals.exportOnlyStage]).affectedRows == 0)
            #expect(try manager.execute("UPDATE stage SET probability = 100 WHERE id = $1", [deals.salesOnlyStage]).affectedRows == 1)
            #expect(try manager.isRefused("INSERT INTO stage (name, name_key, sort_order, probability) VALUES ('Shared', 'shared', 1, 0)"))
            #expect(try manager.isRefused("UPDATE stage SET team_id = NULL WHERE id = $1", [deals.salesOnlyStage]))
            // Renumbering that reorders the shared stages among themselves is refused.
            let sharedIDs = try fixture.stages(of: fixture.sales).filter { $0.scope == .shared }.map(\.id.rawValue)
            #expect(try manager.isRefused("SELECT pipeline_store_sort_orders($1::bigint[], $2::bigint[])",
                                          [PostgresRows.array(Array(sharedIDs.prefix(2))), "{2,1}"]))
            #expect(try fixture.owner.store.catalog().stages.first { $0.id == shared.id }?.probability == shared.probability)

            // Through the program, as the manager: their own stage edits; the shared one is a
            // permission refusal (77) in one sentence, not "changed by someone else".
            let store = try fixture.store(as: fixture.manager)
            _ = try store.editStage(Stage.ID(deals.salesOnlyStage), StageEdit(probability: try Probability(parsing: "55")),
                                    context: fixture.owner.context)
            #expect(throws: PipelineError.notPermitted(.sharedStage(stage: shared.name))) {
                try store.editStage(shared.id, StageEdit(probability: try Probability(parsing: "1")), context: fixture.owner.context)
            }
            // The program's check bypassed (the engine asked directly), the server refuses:
            // a permission refusal (77), not "changed by someone else".
            var edited = shared
            edited.probability = try Probability(parsing: "1")
            let refused = try #require(throws: StoreError.self) {
                try fixture.engine(as: fixture.manager).write { try $0.updateStage(edited, expectedVersion: shared.version) }
            }
            #expect(refused.exitStatus == 77)
            #expect(refused.message.hasPrefix("the PostgreSQL server refused the change: the user \(fixture.manager) may not change this record"))

            // Their own stage turned won with a deal in it: the deal's line recording the new
            // outcome (schema 9) is written under row security, as the manager.
            _ = try store.moveOpportunity(deals.salesDeal.id, to: Stage.ID(deals.salesOnlyStage), context: fixture.owner.context)
            _ = try store.editStage(Stage.ID(deals.salesOnlyStage), StageEdit(outcome: .won), context: fixture.owner.context)
            let last = try #require(try store.history(of: deals.salesDeal.id).last)
            #expect(last.change.event == .stageProbability && last.change.stageOutcome == .won && last.change.by == fixture.manager)
        }
    }

    /// With a single team, its manager manages every team: the shared stages are theirs.
    @Test func theManagerOfTheOnlyTeamChangesSharedStages() throws {
        try withTestDatabase { database in
            let owner = try EngineHarness(database)
            let login = "pl_only_" + UUID().uuidString.lowercased().prefix(8)
            try TestServer.superuser().executeScript("CREATE ROLE \(login) LOGIN")
            defer {
                _ = try? database.connect().executeScript("DROP OWNED BY \(login) CASCADE")
                _ = try? TestServer.superuser().executeScript("DROP ROLE IF EXISTS \(login)")
            }
            _ = try owner.engine.accessAdministration?.addUser(login, role: .manager, teams: [try owner.team], password: nil)
            let raw = try database.connect(user: login)
            #expect(try raw.execute("UPDATE stage SET probability = 100 WHERE team_id IS NULL AND name = 'New'").affectedRows == 1)
            let store = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(user: login),
                                                               seedLanguage: .english, now: testNow))
            let moved = try store.moveStage(try owner.stage("Won"), in: try owner.team, to: .position(1))
            #expect(moved.stages.first?.name == "Won")
            _ = try store.addStage(StageDraft.named("Demo", probability: nil, requirements: nil, outcome: nil, language: .english),
                                   in: try owner.team, at: 2)
            #expect(try owner.store.pipeline(for: try owner.team).stages.map(\.name).prefix(3) == ["Won", "Demo", "New"])
        }
    }

    /// History is written with a change, read with its deal, and never rewritten: not by a
    /// salesperson, not even by an administrator's login (only the tables' owner). A deal's
    /// deletion still takes its history with it.
    @Test func historyCannotBeRewrittenButGoesWithItsDeal() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            _ = try fixture.owner.store.moveOpportunity(deals.exportMine.id, to: try #require(fixture.stages(of: fixture.export).dropFirst().first?.id),
                                                         context: fixture.owner.context)
            for login in [fixture.salesperson, fixture.admin] {
                let raw = try fixture.raw(as: login)
                #expect(try raw.isRefused("UPDATE stage_history SET changed_by = 'somebody else'"), "\(login)")
                #expect(try raw.isRefused("DELETE FROM stage_history"), "\(login)")
                #expect(try raw.isRefused("TRUNCATE stage_history"), "\(login)")
            }
            let raw = try fixture.raw(as: fixture.salesperson)
            // Lines for a deal they may not change, or moved onto one of theirs, are refused.
            let insert = "INSERT INTO stage_history (opportunity_id, changed_at, changed_by) VALUES ($1, 0, 'x')"
            #expect(try raw.isRefused(insert, [deals.exportColleagues.id.rawValue]))
            #expect(try raw.isRefused(insert, [deals.salesDeal.id.rawValue]))
            #expect(try raw.isRefused("SELECT pipeline_merge_record($1, $2, 1)", [deals.exportColleagues.id.rawValue, deals.exportMine.id.rawValue]))
            #expect(try raw.column("SELECT count(*) FROM stage_history WHERE opportunity_id = $1", [deals.salesDeal.id.rawValue]) == ["0"])
            let ownLines = try fixture.owner.store.history(of: deals.exportMine.id).count
            #expect(ownLines == 2)
            // Deleting their own deal takes its history (the cascade acts as the owner).
            #expect(try raw.execute("DELETE FROM opportunity WHERE id = $1", [deals.exportMine.id.rawValue]).affectedRows == 1)
            #expect(try fixture.database.connect().column("SELECT count(*) FROM stage_history WHERE opportunity_id = $1",
                                                          [deals.exportMine.id.rawValue]) == ["0"])
            // And through the program.
            let store = try fixture.store(as: fixture.salesperson)
            try store.deleteOpportunity(deals.exportUnassigned.id)
            #expect(try fixture.owner.store.opportunity(deals.exportUnassigned.id) == nil)
        }
    }

    /// "By whom" is the server's session user, whatever name the client writes; the tables'
    /// owner (a restore, a copy) keeps the name given.
    @Test func changedByIsTheSessionUserWhateverTheClientWrites() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.salesperson)
            try raw.execute("INSERT INTO stage_history (opportunity_id, changed_at, changed_by) VALUES ($1, 0, 'the boss')",
                            [deals.exportMine.id.rawValue])
            #expect(try raw.column("SELECT changed_by FROM stage_history WHERE opportunity_id = $1 ORDER BY id DESC LIMIT 1",
                                   [deals.exportMine.id.rawValue]) == [fixture.salesperson])
            let store = try fixture.store(as: fixture.salesperson)
            let won = try #require(fixture.stages(of: fixture.export).first { $0.outcome == .won })
            _ = try store.moveOpportunity(deals.exportMine.id, to: won.id, context: ChangeContext(now: testNow, user: "$USER says lan"))
            #expect(try store.history(of: deals.exportMine.id).last?.change.by == fixture.salesperson)
            try fixture.database.connect().execute("INSERT INTO stage_history (opportunity_id, changed_at, changed_by) VALUES ($1, 0, 'from a backup')",
                                                   [deals.exportMine.id.rawValue])
            #expect(try fixture.owner.store.history(of: deals.exportMine.id).last?.change.by == "from a backup")
        }
    }

    /// A hostile salesperson at psql: every way around the rules is refused or changes nothing.
    @Test func aHostileSalespersonGetsNowhere() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.salesperson)
            let before = try fixture.database.connect().column("""
                SELECT string_agg(format('%s %s %s %s', id, title, salesperson, rank), ',' ORDER BY id) FROM opportunity
                """)
            // Read another team's deals, or everyone's passwords.
            #expect(try raw.column("SELECT count(*) FROM opportunity WHERE team_id <> $1", [fixture.export.rawValue]) == ["0"])
            #expect(try raw.isRefused("SELECT rolpassword FROM pg_authid"))
            #expect(try raw.isRefused("SELECT passwd FROM pg_shadow"))
            // Change a stage's probability, the totals, the schema's version, their own role.
            #expect(try raw.isRefused("UPDATE stage SET probability = 10000"))
            #expect(try raw.isRefused("UPDATE stage_total SET count = 0"))
            #expect(try raw.isRefused("INSERT INTO stage_total (team_id, stage_id, currency, active, count) VALUES ($1, $2, 'USD', true, 99)",
                                      [fixture.export.rawValue, deals.exportOnlyStage]))
            #expect(try raw.execute("UPDATE pipeline_meta SET schema_version = 99").affectedRows == 0)
            #expect(try raw.isRefused("UPDATE app_user SET role = 'admin'"))
            #expect(try raw.isRefused("INSERT INTO team_member (login, team_id) VALUES (session_user::text, $1)", [fixture.sales.rawValue]))
            #expect(try raw.isRefused("SET ROLE \(fixture.admin)"))
            #expect(try raw.isRefused("SELECT pipeline_apply_grants(session_user::text)"))
            #expect(try raw.isRefused("SELECT pipeline_rebuild_stage_totals()"))
            // Take a colleague's deal; reorder cards of another team through the ranks function.
            #expect(try raw.execute("UPDATE opportunity SET salesperson = session_user::text WHERE salesperson <> session_user::text AND salesperson <> ''")
                        .affectedRows == 0)
            try raw.execute("SELECT pipeline_store_ranks($1::bigint[], $2::bigint[])", ["{\(deals.salesDeal.id.rawValue)}", "{-5}"])
            // Another user's preferences.
            try raw.execute("INSERT INTO preference (user_name, key, value) VALUES (session_user::text, 'language', 'vi')")
            #expect(try raw.isRefused("INSERT INTO preference (user_name, key, value) VALUES ($1, 'language', 'vi')", [fixture.manager]))
            #expect(try fixture.database.connect().column("""
                SELECT string_agg(format('%s %s %s %s', id, title, salesperson, rank), ',' ORDER BY id) FROM opportunity
                """) == before)
            #expect(try fixture.database.connect().column("SELECT schema_version FROM pipeline_meta") == [String(PostgresSchema.currentVersion)])
            #expect(try fixture.database.connect().column("SELECT string_agg(probability::text, ',' ORDER BY id) FROM stage")
                    == [try fixture.owner.store.catalog().stages.sorted { $0.id.rawValue < $1.id.rawValue }
                            .map { String($0.probability.basisPoints) }.joined(separator: ",")])
        }
    }

    /// The board's window query stays an index scan on the column's index under row
    /// security: the policy is a filter on the rows the index finds, and its helpers run
    /// once per statement (initplans), not once per row.
    @Test func theBoardsWindowIsAnIndexScanForASalesperson() throws {
        try AccessFixture.with { fixture throws in
            let stage = try #require(fixture.stages(of: fixture.retail).first?.id.rawValue)
            try fixture.database.connect().execute("""
                INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, salesperson, rank,
                                         created_at, updated_at, stage_changed_at)
                SELECT 'Deal ' || g, 'deal', 'USD', 1000, $1, $2, CASE WHEN g % 4 = 0 THEN $3 ELSE 'someone' END, g, 0, 0, 0
                FROM generate_series(1, 5000) AS g
                """, [fixture.retail.rawValue, stage, fixture.ownDealsSalesperson])
            try fixture.database.connect().executeScript("ANALYZE opportunity")
            let raw = try fixture.raw(as: fixture.ownDealsSalesperson)
            let plan = try raw.column("""
                EXPLAIN SELECT \(PostgresRows.opportunityColumns) FROM opportunity
                WHERE type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2 AND (rank, id) >= ($3, $4)
                ORDER BY rank, id LIMIT 40
                """, [fixture.retail.rawValue, stage, 100, 0]).joined(separator: "\n")
            #expect(plan.contains("Index Scan using opportunity_column on opportunity"), "\(plan)")
            #expect(plan.contains("Index Cond: ((team_id = "), "\(plan)")
            #expect(plan.contains("InitPlan"), "\(plan)")
            #expect(!plan.contains("SubPlan"), "\(plan)")
            let window = try fixture.store(as: fixture.ownDealsSalesperson)
                .cardWindow(ColumnQuery(team: fixture.retail, stage: Stage.ID(stage)), anchor: .top, limit: 40)
            #expect(window.cards.count == 40 && window.cards.allSatisfy { $0.salesperson == fixture.ownDealsSalesperson })
        }
    }
}

extension AccessServerTests {
    /// An UPDATE or DELETE without WHERE reads no column, so PostgreSQL does not apply the
    /// read policy to it: the change policies must repeat what may be seen. An own-deals-only
    /// salesperson's bare UPDATE and DELETE reach their own records and the unassigned leads,
    /// never the unassigned deals hidden from them.
    @Test func aBareUpdateOrDeleteReachesNothingHidden() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.ownDealsSalesperson)
            try raw.executeScript("BEGIN")
            let taken = try raw.execute("UPDATE opportunity SET salesperson = session_user::text").affectedRows
            let visible = try raw.column("SELECT id::text FROM opportunity ORDER BY id")
            try raw.executeScript("ROLLBACK")
            #expect(!visible.contains(String(deals.retailUnassigned.id.rawValue)))
            #expect(taken == visible.count)
            try raw.executeScript("BEGIN")
            let deleted = try raw.execute("DELETE FROM opportunity").affectedRows
            try raw.executeScript("ROLLBACK")
            #expect(deleted == visible.count)
            #expect(try fixture.owner.store.opportunity(deals.retailUnassigned.id)?.salesperson == "")
        }
    }

    /// The schema's SECURITY DEFINER functions run as the tables' owner with this schema's
    /// search path and pg_temp last: a temporary table, view or trigger named like one of
    /// ours is never what they read, so no login — not even one that is no user — can make
    /// itself an administrator or run code as the owner through them.
    @Test func temporaryObjectsNamedLikeOursChangeNothing() throws {
        try AccessFixture.with { fixture throws in
            _ = try Deals(fixture)
            let raw = try fixture.raw(as: fixture.salesperson)
            try raw.executeScript("""
                CREATE TEMP TABLE pipeline_meta (x int);
                CREATE TEMP VIEW team_member AS SELECT session_user::text AS login, id AS team_id FROM team;
                CREATE TEMP VIEW app_user AS SELECT session_user::text AS login, 'admin'::text AS role, 0::bigint AS created_at;
                """)
            #expect(try raw.column("SELECT pipeline_role()") == ["salesperson"])
            #expect(try raw.column("SELECT pipeline_is_admin()::text") == ["false"])
            #expect(try raw.column("SELECT pipeline_member_teams()::text") == ["{\(fixture.export.rawValue)}"])
            #expect(try raw.column("SELECT count(*) FROM opportunity WHERE team_id <> $1", [fixture.export.rawValue]) == ["0"])
            // A trigger on a temporary `opportunity` would run as the owner inside the ranks
            // function if the function found it.
            try raw.executeScript("""
                CREATE TEMP TABLE opportunity (id bigint, rank bigint, team_id bigint, salesperson text);
                INSERT INTO pg_temp.opportunity VALUES (1, 0, 1, '');
                CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN EXECUTE format('GRANT ALL ON TABLE public.app_user TO %I', session_user); RETURN NEW; END $$;
                CREATE TRIGGER escalate BEFORE UPDATE ON pg_temp.opportunity FOR EACH ROW EXECUTE FUNCTION pg_temp.escalate();
                """)
            _ = try? raw.execute("SELECT pipeline_store_ranks('{1}'::bigint[], '{5}'::bigint[])")
            #expect(try fixture.database.connect().column("SELECT has_table_privilege($1, 'app_user', 'INSERT')::text",
                                                          [fixture.salesperson]) == ["false"])
            #expect(try fixture.raw(as: fixture.salesperson).column("SELECT pipeline_role()") == ["salesperson"])
        }
    }

    /// The trigger functions that are not definers keep this schema's search path too: a
    /// temporary `opportunity` does not let an administrator (not the owner) move a team's
    /// occupied stage out of its pipeline; and the grants function refuses PostgreSQL's own
    /// roles and the roles the owner belongs to (revoking from pg_database_owner took the
    /// schema from the owner).
    @Test func triggersAndTheGrantsFunctionIgnoreTemporaryObjectsAndOwnersGroups() throws {
        try AccessFixture.with { fixture throws in
            let deals = try Deals(fixture)
            try fixture.database.connect().execute("UPDATE opportunity SET stage_id = $1 WHERE id = $2",
                                                   [deals.salesOnlyStage, deals.salesDeal.id.rawValue])
            let raw = try fixture.raw(as: fixture.admin)
            try raw.executeScript("SET search_path = pg_temp, public; CREATE TEMP TABLE opportunity (id bigint, stage_id bigint, team_id bigint)")
            let refused = try #require(throws: PostgresError.self) {
                try raw.execute("UPDATE stage SET team_id = $1 WHERE id = $2", [fixture.export.rawValue, deals.salesOnlyStage])
            }
            #expect(refused.serverMessage?.contains("stage holds opportunities of other teams") == true)
            #expect(try fixture.database.connect().column("SELECT team_id::text FROM stage WHERE id = $1", [deals.salesOnlyStage])
                    == [String(fixture.sales.rawValue)])
            let admin = try fixture.raw(as: fixture.admin)
            #expect(try admin.isRefused("SELECT pipeline_apply_grants('pg_database_owner')"))
            #expect(try admin.isRefused("SELECT pipeline_apply_grants('pg_monitor')"))
        }
    }
}
