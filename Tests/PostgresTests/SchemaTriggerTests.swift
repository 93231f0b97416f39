import Foundation
import PipelineCore
import PostgresClient
import PostgresStore
import Testing

/// What the schema's triggers keep true: totals equal to the deals, one notification per
/// committed statement (none while importing), deals only in their team's stages.
@Suite("PostgreSQL schema triggers")
struct SchemaTriggerTests {
    /// A migrated database with two teams, a shared stage and one of each team's own.
    struct Pipeline {
        let connection: PostgresConnection
        let teams: [Int64]
        let sharedStages: [Int64]
        let ownStage: [Int64: Int64]

        init(_ database: TestDatabase) throws {
            connection = try database.connect()
            try PostgresSchema.migrate(connection)
            var teams: [Int64] = []
            for name in ["Sales", "Support"] {
                teams.append(try connection.execute(
                    "INSERT INTO team (name, name_key, created_at) VALUES ($1, lower($1), 0) RETURNING id", [name]).first?.int64(0) ?? 0)
            }
            var shared: [Int64] = []
            for (order, name) in ["New", "Won"].enumerated() {
                shared.append(try connection.execute(
                    "INSERT INTO stage (name, name_key, sort_order, probability) VALUES ($1, lower($1), $2, 1000) RETURNING id",
                    [name, order]).first?.int64(0) ?? 0)
            }
            var own: [Int64: Int64] = [:]
            for team in teams {
                own[team] = try connection.execute(
                    "INSERT INTO stage (name, name_key, sort_order, probability, team_id) VALUES ('Own', 'own', 9, 500, $1) RETURNING id",
                    [team]).first?.int64(0) ?? 0
            }
            self.teams = teams
            sharedStages = shared
            ownStage = own
        }

        @discardableResult
        func add(team: Int64, stage: Int64, amount: Int64, currency: String = "VND", active: Bool = true,
                 type: String = "opportunity") throws -> Int64 {
            try connection.execute("""
                INSERT INTO opportunity (type, title, title_key, currency, probability, team_id, stage_id, expected_revenue,
                                         weighted_revenue, active, created_at, updated_at, stage_changed_at)
                VALUES ($1, 'Deal', 'deal', $2, 1000, $3, $4, $5::bigint, $5::bigint / 10, $6, 0, 0, 0) RETURNING id
                """, [type, currency, team, stage, amount, active]).first?.int64(0) ?? 0
        }

        /// The maintained totals, and the same computed from the deals, as comparable text.
        func totalsAndTruth() throws -> (String, String) {
            let kept = try connection.execute("""
                SELECT coalesce(string_agg(format('%s/%s/%s/%s:%s,%s,%s', team_id, stage_id, currency, active, count,
                                                  expected_sum, weighted_sum), ' ' ORDER BY team_id, stage_id, currency, active), '')
                FROM stage_total WHERE count <> 0 OR expected_sum <> 0 OR weighted_sum <> 0
                """).first?.string(0) ?? ""
            let truth = try connection.execute("""
                SELECT coalesce(string_agg(format('%s/%s/%s/%s:%s,%s,%s', team_id, stage_id, currency, active, n, e, w),
                                           ' ' ORDER BY team_id, stage_id, currency, active), '')
                FROM (SELECT team_id, stage_id, currency, active, count(*) AS n, sum(expected_revenue) AS e,
                             sum(weighted_revenue) AS w
                      FROM opportunity WHERE type = 'opportunity' GROUP BY 1, 2, 3, 4) AS truth
                """).first?.string(0) ?? ""
            return (kept, truth)
        }
    }

    @Test func stageTotalsEqualTheDealsAfterRandomChanges() throws {
        try withTestDatabase { database in
            let pipeline = try Pipeline(database)
            let connection = pipeline.connection
            var generator = SeededGenerator(seed: 11)
            var ids: [Int64] = []
            for step in 0..<300 {
                let team = pipeline.teams.randomElement(using: &generator) ?? 0
                let stages = pipeline.sharedStages + [pipeline.ownStage[team] ?? 0]
                let stage = stages.randomElement(using: &generator) ?? 0
                switch Int.random(in: 0..<8, using: &generator) {
                case 0, 1, 2:
                    ids.append(try pipeline.add(team: team, stage: stage, amount: Int64.random(in: 0...Int64.max / 4, using: &generator),
                                                currency: ["VND", "USD"].randomElement(using: &generator) ?? "VND",
                                                type: step % 7 == 0 ? "lead" : "opportunity"))
                case 3:
                    // A move within the deal's own team (a shared stage, or its team's own).
                    guard let id = ids.randomElement(using: &generator) else { continue }
                    try connection.execute("""
                        UPDATE opportunity SET type = 'opportunity', probability = 1000,
                               stage_id = CASE WHEN $2 THEN $3 ELSE (SELECT id FROM stage WHERE team_id = opportunity.team_id) END
                        WHERE id = $1
                        """, [id, Bool.random(using: &generator), pipeline.sharedStages.randomElement(using: &generator) ?? 0])
                case 4:
                    guard let id = ids.randomElement(using: &generator) else { continue }
                    try connection.execute("UPDATE opportunity SET expected_revenue = $2::bigint, weighted_revenue = $2::bigint / 3 WHERE id = $1",
                                           [id, Int64.random(in: 0...Int64.max / 4, using: &generator)])
                case 5:
                    guard let id = ids.randomElement(using: &generator) else { continue }
                    try connection.execute("UPDATE opportunity SET active = NOT active, currency = $2 WHERE id = $1",
                                           [id, ["VND", "USD", "EUR"].randomElement(using: &generator) ?? "VND"])
                case 6:
                    // Many rows in one statement, moving between groups.
                    try connection.execute("UPDATE opportunity SET active = NOT active WHERE id % 5 = $1", [step % 5])
                default:
                    guard let id = ids.randomElement(using: &generator) else { continue }
                    try connection.execute("DELETE FROM opportunity WHERE id = $1", [id])
                    ids.removeAll { $0 == id }
                }
            }
            // A bulk load through COPY, and a failed statement that must leave no trace.
            let team = pipeline.teams[0], stage = pipeline.sharedStages[0]
            try connection.copyIn("""
                COPY opportunity (title, title_key, currency, probability, team_id, stage_id, expected_revenue,
                                  weighted_revenue, created_at, updated_at, stage_changed_at) FROM STDIN
                """) { writer in
                for amount in 1...2_000 {
                    try writer.append(["Bulk", "bulk", "VND", 1000, team, stage, Int64.max / 2_000, amount, 0, 0, 0])
                }
            }
            #expect(throws: PostgresError.self) {
                // Overflows on every amount past 1,000: the statement fails whole.
                try connection.execute("UPDATE opportunity SET expected_revenue = expected_revenue + $1::bigint WHERE true",
                                       [Int64.max - 1_000])
            }
            let (kept, truth) = try pipeline.totalsAndTruth()
            #expect(!truth.isEmpty)
            #expect(kept == truth)
            // The sums went past Int64 and are still exact.
            let largest = try #require(try connection.execute("SELECT max(expected_sum) FROM stage_total").first)
            #expect(try largest.int128(0) > Int128(Int64.max))
        }
    }

    @Test func aDealOnlyEntersAStageOfItsOwnTeam() throws {
        try withTestDatabase { database in
            let pipeline = try Pipeline(database)
            let sales = pipeline.teams[0], support = pipeline.teams[1]
            let error = try #require(throws: PostgresError.self) {
                try pipeline.add(team: sales, stage: pipeline.ownStage[support] ?? 0, amount: 1)
            }
            #expect(error.kind == .refusedByRule)
            #expect(error.serverMessage == "pipeline: opportunity stage is not in its team pipeline")
            let deal = try pipeline.add(team: sales, stage: pipeline.sharedStages[0], amount: 1)
            #expect(throws: PostgresError.self) {
                try pipeline.connection.execute("UPDATE stage SET team_id = $1 WHERE id = $2", [support, pipeline.sharedStages[0]])
            }
            // In a shared stage a deal may change team; in its team's own stage it may not.
            try pipeline.connection.execute("UPDATE opportunity SET team_id = $1 WHERE id = $2", [support, deal])
            try pipeline.connection.execute("UPDATE opportunity SET team_id = $1, stage_id = $2 WHERE id = $3",
                                            [sales, pipeline.ownStage[sales] ?? 0, deal])
            #expect(throws: PostgresError.self) {
                try pipeline.connection.execute("UPDATE opportunity SET team_id = $1 WHERE id = $2", [support, deal])
            }
        }
    }

    @Test func everyCommittedStatementIsAnnouncedOnceWithoutData() throws {
        try withTestDatabase { database in
            let pipeline = try Pipeline(database)
            let listener = try database.connect()
            try listener.listen(PostgresSchema.changeChannel)
            let connection = pipeline.connection
            let sales = pipeline.teams[0]

            let deal = try pipeline.add(team: sales, stage: pipeline.sharedStages[0], amount: 5)
            try connection.transaction {
                try connection.execute("UPDATE opportunity SET stage_id = $1 WHERE id = $2", [pipeline.sharedStages[1], deal])
                try connection.execute("INSERT INTO setting (key, value) VALUES ('currency', 'VND')")
            }
            let changes = try Self.changes(listener, count: 3)
            #expect(changes == [
                PostgresChange(table: "opportunity", op: .insert, ids: nil, teams: nil),
                PostgresChange(table: "opportunity", op: .update, ids: nil, teams: nil),
                PostgresChange(table: "setting", op: .insert, ids: nil, teams: nil),
            ])

            // Rolled back: nothing. Many rows: one notification. No notification names a row or
            // a team (anyone may LISTEN): each board reads again through its own permissions.
            try connection.begin()
            try connection.execute("DELETE FROM opportunity")
            try connection.rollback()
            try connection.execute("""
                INSERT INTO opportunity (title, title_key, currency, probability, team_id, stage_id, created_at, updated_at,
                                         stage_changed_at)
                SELECT 'Bulk', 'bulk', 'VND', 0, $1, $2, 0, 0, 0 FROM generate_series(1, 150)
                """, [sales, pipeline.sharedStages[0]])
            #expect(try Self.changes(listener, count: 1) == [PostgresChange(table: "opportunity", op: .insert, ids: nil, teams: nil)])

            // An import switches announcements off for its own transaction only.
            try connection.transaction {
                try connection.executeScript("SET LOCAL pipeline.importing = 'on'")
                try pipeline.add(team: sales, stage: pipeline.sharedStages[0], amount: 1)
                try connection.execute("DELETE FROM opportunity WHERE title = 'Bulk'")
                try connection.notify(PostgresSchema.changeChannel, payload: #"{"table":"opportunity","op":"insert","ids":null,"teams":null}"#)
            }
            #expect(try connection.execute("SELECT current_setting('pipeline.importing', true)").first?.string(0) == "")
            let support = pipeline.teams[1], supportStage = pipeline.ownStage[support] ?? 0
            try connection.execute("DELETE FROM team WHERE id = $1", [support])
            let afterImport = try Self.changes(listener, count: 4)
            #expect(afterImport.first == PostgresChange(table: "opportunity", op: .insert, ids: nil, teams: nil))
            // The team's own stage goes with it (a cascade is a statement of its own), and so do
            // its memberships (announced without ids: boards read their access again).
            #expect(Set(afterImport.dropFirst().map { "\($0)" }) == Set([
                PostgresChange(table: "team", op: .delete, ids: nil, teams: nil),
                PostgresChange(table: "stage", op: .delete, ids: nil, teams: nil),
                PostgresChange(table: "team_member", op: .delete, ids: nil, teams: nil),
            ].map { "\($0)" }))
        }
    }

    /// A user's preference is announced as a setting is, by its key (version 2's own
    /// function: version 1's would look for an id); silent while importing.
    @Test func preferenceChangesAreAnnouncedByKey() throws {
        try withTestDatabase { database in
            let pipeline = try Pipeline(database)
            let listener = try database.connect()
            try listener.listen(PostgresSchema.changeChannel)
            let connection = pipeline.connection
            try connection.execute("INSERT INTO preference (user_name, key, value) VALUES ('lan', 'team', '1'), ('lan', 'language', 'vi')")
            try connection.execute("UPDATE preference SET value = 'en' WHERE user_name = 'lan' AND key = 'language'")
            try connection.execute("UPDATE preference SET value = 'x' WHERE user_name = 'nobody'")   // no row: nothing
            try connection.transaction {
                try connection.executeScript("SET LOCAL pipeline.importing = 'on'")
                try connection.execute("INSERT INTO preference (user_name, key, value) VALUES ('minh', 'direction', 'ltr')")
            }
            try connection.execute("DELETE FROM preference WHERE user_name = 'lan' AND key = 'team'")
            #expect(try Self.changes(listener, count: 3) == [
                PostgresChange(table: "preference", op: .insert, ids: nil, teams: nil),
                PostgresChange(table: "preference", op: .update, ids: nil, teams: nil),
                PostgresChange(table: "preference", op: .delete, ids: nil, teams: nil),
            ])
        }
    }

    /// Waits for `count` notifications (bounded), decoded.
    static func changes(_ listener: PostgresConnection, count: Int) throws -> [PostgresChange] {
        var notifications: [PostgresNotification] = []
        while notifications.count < count {
            let arrived = try listener.waitForNotifications(milliseconds: 10_000)
            try #require(!arrived.isEmpty, "only \(notifications.count) of \(count) notifications within 10 s")
            notifications += arrived
        }
        #expect(try listener.pendingNotifications().isEmpty)
        return notifications.compactMap { PostgresChange($0) }
    }
}

