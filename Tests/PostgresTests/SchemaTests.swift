import Foundation
import PipelineCore
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// The frozen schema: created once under the advisory lock, refused where it is not ours or
/// newer, usable by a database owner without superuser rights, with or without pg_trgm.
@Suite("PostgreSQL schema")
struct SchemaTests {
    /// A shipped migration never changes: a new schema is a new migration.
    @Test func version1IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 1) == "294f403c7c0788f0")
    }

    /// Version 2 (preferences) is pinned as version 1 is, now that it ships.
    @Test func version2IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 2) == "9343871130f6511f")
    }

    /// Version 3 (roles enforced by the server, issue 12).
    @Test func version3IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 3) == "14cf44dc5b45f66")
    }

    /// Version 4 (activities, notes and the history of figures, issue 13).
    @Test func version4IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 4) == "9ed5c27907de2bba")
    }

    /// Version 5 (the server's checks of activities and notes, issue 13).
    @Test func version5IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 5) == "ac3cb84eadc7c829")
    }

    /// A version 4 server — released — gets version 5 keeping what it holds: text beyond
    /// today's limits stays whole (and its row still changes otherwise), the two functions
    /// that moved lines between records are gone for the merge, and the program works on it.
    @Test func aVersion4ServerIsUpgradedKeepingItsLongerText() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.transaction {
                for version in PostgresSchema.migrations.prefix(4) {
                    try connection.executeScript(version)
                }
                try connection.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 4);
                    INSERT INTO team (id, name, name_key, created_at) VALUES (1, 'Sales', 'sales', 0);
                    INSERT INTO stage (id, name, name_key, sort_order, probability) VALUES (1, 'New', 'new', 1, 1000);
                    INSERT INTO setting (key, value) VALUES ('currency', 'USD');
                    INSERT INTO activity_type (id, name, name_key, sort_order) VALUES (1, 'Call', 'call', 1);
                    INSERT INTO opportunity (id, title, title_key, currency, probability, team_id, stage_id, created_at, updated_at,
                                             stage_changed_at, notes)
                    VALUES (1, 'Acme', 'acme', 'USD', 1000, 1, 1, 0, 0, 0, repeat('n', 20000));
                    INSERT INTO stage_history (opportunity_id, to_stage_id, to_stage_name, changed_at, changed_by, event)
                    VALUES (1, 1, 'New', 0, 'lan', 'created');
                    INSERT INTO activity (id, record_id, type_id, summary, due, created_at, updated_at, notes)
                    VALUES (1, 1, 1, 'Call', '2026-12-03', 5, 5, repeat('a', 20000));
                    """)
            }
            #expect(try PostgresSchema.migrate(connection) == .upgraded(from: 4))
            #expect(try connection.execute("""
                SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc
                WHERE proname IN ('pipeline_move_history', 'pipeline_move_activities', 'pipeline_merge_record')
                """).first?.string(0) == "pipeline_merge_record")
            #expect(try connection.execute("SELECT char_length(notes) FROM activity").first?.int(0) == 20000)
            let engine = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(), seedLanguage: .english, now: testNow))
            let context = ChangeContext(now: testNow, user: "lan")
            _ = try engine.completeActivity(Activity.ID(1), context: context)
            var edit = OpportunityChanges()
            edit.priority = Priority(stars: 2)
            _ = try engine.editOpportunity(Opportunity.ID(1), edit, context: context)
            #expect(try engine.opportunity(Opportunity.ID(1))?.notes.count == 20000)
            #expect(try engine.activity(Activity.ID(1))?.notes.count == 20000)
            #expect(try engine.integrityProblems().isEmpty)
        }
    }

    /// Version 6 (the column orders' indexes, issue 13). Not yet released: pinned so that a
    /// change to it is deliberate.
    @Test func version6IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 6) == "37fcf0b9e2288827")
    }

    /// Version 7 (the counts per next activity date, issue 13). Not yet released: pinned so
    /// that a change to it is deliberate.
    @Test func version7IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 7) == "4b8cdf34673984b3")
    }

    /// Version 8 (the history's index on time, for the weekly digest, issue 14). Not yet
    /// released: pinned so that a change to it is deliberate.
    @Test func version8IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 8) == "1413a6f831d3db10")
    }

    /// Version 9 (each history line's stage outcome, issue 14). Not yet released: pinned so
    /// that a change to it is deliberate.
    @Test func version9IsFrozen() {
        #expect(PostgresSchema.checksum(ofVersion: 9) == "6097af7bd97a2cc6")
    }

    /// Version 10 (the CHECK functions the planner inlines, issue 15). Not yet released:
    /// pinned so that a change to it is deliberate.
    @Test func version10IsFrozen() {
        #expect(PostgresSchema.currentVersion == 10)
        #expect(PostgresSchema.checksum(ofVersion: 10) == "c33417115ce14208")
    }

    /// A version 8 server keeps every history line through version 9, each with no recorded
    /// outcome (read with its stage's outcome now, as before); the lines written after it
    /// record theirs.
    @Test func aVersion8ServerKeepsEveryLineWithNoRecordedOutcome() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.transaction {
                for version in PostgresSchema.migrations.prefix(8) { try connection.executeScript(version) }
                try connection.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 8);
                    INSERT INTO team (id, name, name_key, created_at) VALUES (1, 'Sales', 'sales', 0);
                    INSERT INTO stage (id, name, name_key, sort_order, probability, outcome)
                    VALUES (1, 'New', 'new', 1, 500, 'open'), (2, 'Won', 'won', 2, 10000, 'won');
                    INSERT INTO setting (key, value) VALUES ('currency', 'USD');
                    INSERT INTO opportunity (id, title, title_key, currency, probability, team_id, stage_id, created_at, updated_at, stage_changed_at)
                    VALUES (1, 'Acme', 'acme', 'USD', 10000, 1, 2, 0, 0, 0);
                    INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                               event, probability, amount, currency)
                    VALUES (1, NULL, 1, NULL, 'New', 0, 'lan', 'created', 500, 0, 'USD'), (1, 1, 2, 'New', 'Won', 1, 'lan', 'won', 10000, 0, 'USD');
                    """)
            }
            #expect(try PostgresSchema.migrate(connection) == .upgraded(from: 8))
            #expect(try connection.execute("SELECT string_agg(event || ':' || coalesce(stage_outcome, '?'), ',' ORDER BY id) FROM stage_history")
                .first?.string(0) == "created:?,won:?")
            let engine = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(), seedLanguage: .english, now: testNow))
            _ = try engine.restore(Opportunity.ID(1), context: ChangeContext(now: testNow, user: "lan"))
            #expect(try engine.history(of: Opportunity.ID(1)).map(\.change.stageOutcome) == [nil, nil, .open])
        }
    }

    /// A database of version 1 — a team server from before preferences — is brought to
    /// the current version once, under the lock, with everything it held: the pipeline's
    /// settings, and no one's preferences yet.
    @Test func aVersion1DatabaseIsUpgradedKeepingItsSettings() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.transaction {
                try connection.executeScript(PostgresSchema.version1)
                try connection.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 1);
                    INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0), ('Export', 'export', 0);
                    INSERT INTO setting (key, value) VALUES ('team', '2'), ('language', 'vi'), ('currency', 'VND');
                    """)
            }
            #expect(try PostgresSchema.migrate(connection) == .upgraded(from: 1))
            #expect(try PostgresSchema.migrate(connection) == .current)
            #expect(try connection.execute("SELECT schema_version FROM pipeline_meta").first?.int(0) == PostgresSchema.currentVersion)
            #expect(try connection.execute("SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM setting").first?.string(0)
                    == "currency=VND,language=vi,team=2")
            #expect(try connection.execute("SELECT count(*) FROM preference").first?.int(0) == 0)
        }
    }

    /// A version 3 server — from before activities — with a Vietnamese pipeline and history:
    /// its old lines say "created" or "moved" with no figures (unknown, never 0), it gets the
    /// activity types in Vietnamese, and the program then works on it as on a new one.
    @Test func aVersion3ServerWithHistoryIsUpgradedWithoutInventingFigures() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.transaction {
                for version in [PostgresSchema.version1, PostgresSchema.version2, PostgresSchema.version3] {
                    try connection.executeScript(version)
                }
                try connection.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 3);
                    INSERT INTO team (id, name, name_key, created_at) VALUES (1, 'Bán hàng', 'bán hàng', 0);
                    INSERT INTO stage (id, name, name_key, sort_order, probability) VALUES (1, 'Mới', 'mới', 1, 500), (2, 'Đề xuất', 'đề xuất', 2, 5000);
                    INSERT INTO setting (key, value) VALUES ('currency', 'VND');
                    INSERT INTO opportunity (id, title, title_key, currency, probability, team_id, stage_id, created_at, updated_at, stage_changed_at)
                    VALUES (1, 'Acme', 'acme', 'VND', 5000, 1, 2, 0, 0, 0);
                    INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by)
                    VALUES (1, NULL, 1, NULL, 'Mới', 0, 'lan'), (1, 1, 2, 'Mới', 'Đề xuất', 1, 'lan');
                    """)
            }
            #expect(try PostgresSchema.migrate(connection) == .upgraded(from: 3))
            #expect(try connection.execute("SELECT string_agg(event || ':' || coalesce(probability::text, '?') || ':' || coalesce(amount::text, '?'), ',' ORDER BY id) FROM stage_history")
                .first?.string(0) == "created:?:?,moved:?:?")
            #expect(try connection.execute("SELECT string_agg(name, ',' ORDER BY sort_order) FROM activity_type").first?.string(0)
                    == "Gọi điện,Cuộc họp,E-mail,Việc cần làm")
            let engine = EngineStore(engine: try PostgresEngine(connectionString: try database.connectionString(), seedLanguage: .english, now: testNow))
            let call = try #require(try engine.activityTypes().first)
            #expect(call.nextType == call.id)
            let due = try #require(CalendarDate(iso8601: "2026-12-03"))
            _ = try engine.addActivity(to: Opportunity.ID(1), ActivityChanges(type: call.id, summary: "Gọi", due: due),
                                       context: ChangeContext(now: testNow, user: "lan"))
            #expect(try engine.opportunity(Opportunity.ID(1))?.activityGlance.nextDue == due)
            #expect(try engine.integrityProblems().isEmpty)
        }
    }

    @Test func aNewDatabaseIsCreatedAndSeededOnceThenCurrent() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            var seeded = 0
            let seed: (PostgresConnection) throws -> Void = { connection in
                seeded += 1
                try connection.execute("INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0)")
            }
            #expect(try PostgresSchema.migrate(connection, seedNewDatabase: seed) == .created)
            #expect(try PostgresSchema.migrate(connection, seedNewDatabase: seed) == .current)
            #expect(seeded == 1)
            let meta = try #require(try connection.execute("SELECT application_id, schema_version FROM pipeline_meta").first)
            #expect(try meta.string(0) == "pipeline" && meta.int(1) == PostgresSchema.currentVersion)
            let tables = try connection.execute("""
                SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'
                """).first?.string(0)
            #expect(tables == "activity,activity_type,app_user,deal_note,due_count,opportunity,pipeline_meta,preference,setting,stage,stage_history,stage_total,team,team_member")
        }
    }

    @Test func aFailedSeedLeavesTheDatabaseEmpty() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            struct SeedFailed: Error {}
            #expect(throws: SeedFailed.self) { try PostgresSchema.migrate(connection) { _ in throw SeedFailed() } }
            #expect(try connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").first?.int(0) == 0)
        }
    }

    /// Several clients opening a new database at the same moment: one creates, the others
    /// wait on the advisory lock and find it current.
    @Test func clientsStartingTogetherMigrateOnce() throws {
        try withTestDatabase { database in
            let connectionString = try database.connectionString()
            let clients = 6
            let ready = Barrier(parties: clients)
            let outcomes = onThreads(Array(0..<clients)) { _ -> Result<PostgresSchema.MigrationOutcome, any Error> in
                Result {
                    let connection = try PostgresConnection(connectionString)
                    ready.arriveAndWait()
                    return try PostgresSchema.migrate(connection) { connection in
                        try connection.execute("INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0)")
                    }
                }
            }
            let results = try outcomes.map { try $0.get() }
            #expect(results.filter { $0 == .created }.count == 1)
            #expect(results.filter { $0 == .current }.count == clients - 1)
            let connection = try database.connect()
            #expect(try connection.execute("SELECT count(*) FROM team").first?.int(0) == 1)
            #expect(try connection.execute("SELECT count(*) FROM pipeline_meta").first?.int(0) == 1)
        }
    }

    @Test func anotherProgramsDatabaseIsRefusedAndLeftAlone() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE invoice (id bigint PRIMARY KEY)")
            let error = try #require(throws: PostgresStoreError.self) { try PostgresSchema.migrate(connection) }
            #expect(error == .notAPipelineDatabase(target: connection.target))
            #expect(error.message == "\(database.name) on \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port) is a PostgreSQL database of another program, not a pipeline database")
            #expect(error.message(in: .vietnamese) == "\(database.name) trên \(try TestServer.socketFolder)/.s.PGSQL.\(try TestServer.port) là cơ sở dữ liệu PostgreSQL của chương trình khác, không phải của pipeline")
            #expect(error.exitStatus == 74)
            #expect(try connection.execute("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'").first?.string(0) == "invoice")

            // A meta table of someone else's, too.
            try connection.executeScript("""
                DROP TABLE invoice;
                CREATE TABLE pipeline_meta (application_id text, schema_version int);
                INSERT INTO pipeline_meta VALUES ('another-app', 1);
                """)
            #expect(throws: PostgresStoreError.notAPipelineDatabase(target: connection.target)) { try PostgresSchema.migrate(connection) }
        }
    }

    @Test func aDatabaseOfANewerVersionIsRefused() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try PostgresSchema.migrate(connection)
            try connection.execute("UPDATE pipeline_meta SET schema_version = 99")
            let error = try #require(throws: PostgresStoreError.self) { try PostgresSchema.migrate(connection) }
            #expect(error == .createdByNewerVersion(target: connection.target))
            #expect(error.message(in: .vietnamese).contains("phiên bản pipeline mới hơn"))
            #expect(try connection.execute("SELECT schema_version FROM pipeline_meta").first?.int(0) == 99)
        }
    }

    /// As on the managed services: the login owns its database and is no superuser. pg_trgm
    /// is a trusted extension, so the owner gets the trigram index.
    @Test func aDatabaseOwnerWithoutSuperuserRightsMigratesWithTheTrigramIndex() throws {
        try withTestRole { role in
            try withTestDatabase(owner: role) { database in
                let connection = try database.connect(user: role)
                #expect(try connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").first?.bool(0) == false)
                #expect(try PostgresSchema.migrate(connection) == .created)
                #expect(try Self.hasTrigramIndex(connection))
                try Self.expectTheFilterFindsFoldedText(connection, throughIndex: true)
            }
        }
    }

    /// A login that may create tables but not extensions: the migration still succeeds, and
    /// the same filter query scans instead.
    @Test func withoutPgTrgmTheFilterScansAndFindsTheSameRows() throws {
        try withTestRole { role in
            try withTestDatabase { database in
                let superuser = try database.connect()
                try superuser.executeScript("GRANT CREATE ON SCHEMA public TO \(role)")
                defer { _ = try? superuser.executeScript("DROP OWNED BY \(role)") }
                let connection = try database.connect(user: role)
                #expect(try PostgresSchema.migrate(connection) == .created)
                #expect(try !Self.hasTrigramIndex(connection))
                #expect(try connection.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'").first?.int(0) == 0)
                try Self.expectTheFilterFindsFoldedText(connection, throughIndex: false)
            }
        }
    }

    static func hasTrigramIndex(_ connection: PostgresConnection) throws -> Bool {
        try connection.execute("SELECT to_regclass('opportunity_search') IS NOT NULL").first?.bool(0) == true
    }

    /// `chat luong` finds `Chất lượng` (folded by the application into search_text).
    static func expectTheFilterFindsFoldedText(_ connection: PostgresConnection, throughIndex: Bool) throws {
        let team = try #require(try connection.execute(
            "INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0) RETURNING id").first?.int64(0))
        let stage = try #require(try connection.execute(
            "INSERT INTO stage (name, name_key, sort_order, probability) VALUES ('New', 'new', 1, 1000) RETURNING id").first?.int64(0))
        for title in ["Chất lượng cao", "Quality audit", "Chạy thử"] {
            try connection.execute("""
                INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, created_at,
                                         updated_at, stage_changed_at, search_text)
                VALUES ($1, lower($1), 'VND', 1000, $2, $3, 0, 0, 0, $4)
                """, [title, team, stage, TextInput.searchWords(title)])
        }
        let filter = "SELECT title FROM opportunity WHERE search_text LIKE '%' || $1 || '%' ORDER BY id"
        #expect(try connection.execute(filter, [TextInput.searchWords("chat LUONG")]).rows.map { $0[0] } == ["Chất lượng cao"])
        #expect(try connection.execute(filter, ["ch"]).rows.count == 2)
        try connection.begin()
        try connection.executeScript("SET LOCAL enable_seqscan = off")
        let plan = try connection.execute("EXPLAIN " + filter, ["chat luong"]).rows.compactMap { $0[0] }.joined(separator: "\n")
        try connection.rollback()
        #expect(plan.contains("opportunity_search") == throughIndex, "\(plan)")
    }
}

extension SchemaTests {
    /// Every column order (issue 13) reads its windows through its own index (version 5), in
    /// both directions, entering it at the card (`ROW(key, id)` in the index condition), and
    /// never sorts — the statements the engine runs, with its own sort keys.
    @Test(arguments: CardOrder.allCases) func everyOrderIsAnIndexScanWithoutASort(_ order: CardOrder) throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            #expect(try PostgresSchema.migrate(connection) == .created)
            let team = try #require(try connection.execute(
                "INSERT INTO team (name, name_key, created_at) VALUES ('Sales', 'sales', 0) RETURNING id").first?.int64(0))
            let stage = try #require(try connection.execute(
                "INSERT INTO stage (name, name_key, sort_order, probability) VALUES ('New', 'new', 1, 1000) RETURNING id").first?.int64(0))
            try connection.execute("""
                INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, rank, priority,
                                         expected_revenue, expected_closing, next_activity_date, next_activity_time,
                                         created_at, updated_at, stage_changed_at)
                SELECT 'Deal ' || g, 'deal', 'USD', 1000, $1, $2, g, g % 4, (g % 500) * 100,
                       CASE WHEN g % 3 = 0 THEN NULL ELSE '2027-0' || (1 + g % 9) || '-1' || (g % 10) END,
                       CASE WHEN g % 4 = 0 THEN NULL ELSE '2026-12-0' || (1 + g % 9) END,
                       CASE WHEN g % 2 = 0 THEN NULL ELSE g % 1440 END, 0, 0, 0
                FROM generate_series(1, 20000) AS g
                """, [team, stage])
            try connection.executeScript("ANALYZE opportunity")
            let index = [CardOrder.hand: "opportunity_column", .nextActivity: "opportunity_column_by_next_activity",
                         .closingDate: "opportunity_column_by_closing", .revenue: "opportunity_column_by_revenue",
                         .priority: "opportunity_column_by_priority"][order] ?? ""
            let key = PostgresTransaction.cardSortKey(order)
            let down = order.isDescending ? "\(key) DESC, id DESC" : "\(key), id"
            let up = order.isDescending ? "\(key), id" : "\(key) DESC, id DESC"
            let comparison = PostgresTransaction.keysetComparison(descending: order.isDescending)
            let middle = try #require(try connection.execute("SELECT \(key), id FROM opportunity ORDER BY id OFFSET 10000 LIMIT 1").first)
            let (value, id) = (try middle.int64(0), try middle.int64(1))
            let base = "SELECT \(PostgresRows.opportunityColumns) FROM opportunity WHERE type = 'opportunity' AND active AND team_id = $1 AND stage_id = $2"
            var statements: [(String, PostgresParameters)] = [("\(base) ORDER BY \(down) LIMIT 40", [team, stage])]
            for side in [ColumnSide.before, .atOrAfter, .after] {
                let order = side == .before ? up : down
                statements.append(("\(base) AND (\(key), id) \(comparison[side] ?? "") ($3, $4) ORDER BY \(order) LIMIT 40", [team, stage, value, id]))
            }
            for (sql, parameters) in statements {
                let plan = try connection.execute("EXPLAIN " + sql, parameters).rows.compactMap { $0[0] }.joined(separator: "\n")
                #expect(plan.contains("Index Scan") && plan.contains("using \(index) on opportunity"), "\(sql)\n\(plan)")
                #expect(!plan.contains("Sort"), "\(sql)\n\(plan)")
                if parameters.count > 2 { #expect(plan.contains("ROW("), "\(sql)\n\(plan)") }
            }
        }
    }
}
