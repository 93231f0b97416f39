import Foundation
import PostgresClient
@testable import PostgresStore
import Testing

/// Schema version 10 (issue 15): the CHECK functions of activities and notes, replaced by
/// expressions the planner inlines, answer exactly as version 4's did, and a CHECK no longer
/// calls them per row.
@Suite("PostgreSQL schema version 10: inlined CHECK functions")
struct InlinedCheckTests {
    static let checkFunctions = ["pipeline_is_clean_line", "pipeline_is_clean_text", "pipeline_is_iso_date", "pipeline_is_timestamp"]

    /// Version 4's four functions exactly as shipped (its frozen text), renamed `version4_is_…`.
    static func version4Functions() throws -> String {
        let text = PostgresSchema.version4
        let start = try #require(text.range(of: "CREATE FUNCTION pipeline_is_clean_line")).lowerBound
        let end = try #require(text.range(of: "CREATE TABLE activity_type")).lowerBound
        return String(text[start..<end]).replacingOccurrences(of: "pipeline_is_", with: "version4_is_")
    }

    /// Text the program never writes but a login's psql may: shapes near an ISO date, digits
    /// of other scripts, line ends, control characters, bidirectional marks.
    static let awkwardText = [
        "", "2024-1-01", "2024-01-1", " 2024-01-01", "2024-01-01 ", "2024-01-01\n", "\n2024-01-01", "2024-01-01\r",
        "２０２４-01-01", "２０２４-０１-０１", "٢٠٢٤-01-01", "2024/01/01", "20240101", "2024-001-01", "+2024-01-01",
        "-2024-01-01", "12024-01-01", "2024-01-010", "abcd-ef-gh", "2024-0a-01", "2024-02-2a", "2024-02-29\u{200F}",
        "\u{202E}2024-01-01", "2024-01-01T00:00", "2024-01-01 BC", "epoch", "today", "infinity",
        "plain", "Việt Nam", "line\nbreak", "line\r\nbreak", "tab\there", "\u{7F}", "\u{85}", "\u{9F}", "\u{A0}",
        "\u{2028}", "\u{2029}", "\u{2066}isolate\u{2069}", "\u{2065}", "\u{206A}", "\u{2029}\u{202A}", "\u{FEFF}",
    ]

    /// Every date of several years (0000, leap and not, centuries, 9999) with months 00–13 and
    /// days 00–32, every code point up to U+2FFF in a word, the awkward text, and NULL: version 4's
    /// and version 10's functions give the same answer for each, under both collations the
    /// checked columns use; the timestamps at, inside and beyond both bounds, and NULL, too.
    @Test func theInlinedFunctionsAnswerAsVersion4sDid() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            #expect(try PostgresSchema.migrate(connection) == .created)
            try connection.executeScript(try Self.version4Functions())
            try connection.executeScript("""
                CREATE TABLE sample_text (value text);
                INSERT INTO sample_text
                SELECT lpad(y::text, 4, '0') || '-' || lpad(m::text, 2, '0') || '-' || lpad(d::text, 2, '0')
                FROM unnest(ARRAY[0, 1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999]) AS y,
                     generate_series(0, 13) AS m, generate_series(0, 32) AS d;
                INSERT INTO sample_text SELECT 'a' || chr(c) || 'b' FROM generate_series(1, 12287) AS c;
                INSERT INTO sample_text SELECT chr(c) FROM unnest(ARRAY[65296, 65279, 917505, 1114111]) AS c;
                INSERT INTO sample_text VALUES (NULL);
                CREATE TABLE sample_time (value bigint);
                INSERT INTO sample_time VALUES (-9223372036854775808), (-62135596800001), (-62135596800000), (-62135596799999),
                    (-1), (0), (1), (1764979200000), (253402300799998), (253402300799999), (253402300800000),
                    (9223372036854775807), (NULL);
                """)
            for value in Self.awkwardText {
                try connection.execute("INSERT INTO sample_text VALUES ($1)", [value])
            }
            for collation in ["default", "C"] {
                let differing = try connection.execute("""
                    SELECT string_agg(coalesce(quote_literal(value), 'NULL'), ', ') FROM sample_text
                    WHERE version4_is_iso_date(value COLLATE "\(collation)") IS DISTINCT FROM pipeline_is_iso_date(value COLLATE "\(collation)")
                       OR version4_is_clean_line(value COLLATE "\(collation)") IS DISTINCT FROM pipeline_is_clean_line(value COLLATE "\(collation)")
                       OR version4_is_clean_text(value COLLATE "\(collation)") IS DISTINCT FROM pipeline_is_clean_text(value COLLATE "\(collation)")
                    """).first?.optionalString(0)
                #expect(differing == nil, "collation \(collation)")
            }
            #expect(try connection.execute("""
                SELECT string_agg(coalesce(value::text, 'NULL'), ', ') FROM sample_time
                WHERE version4_is_timestamp(value) IS DISTINCT FROM pipeline_is_timestamp(value)
                """).first?.optionalString(0) == nil)

            // Not a vacuous comparison: each answer (true, false, NULL) occurs. The valid dates
            // are those of the ten years other than 0000, four of them leap years.
            let answers = try #require(try connection.execute("""
                SELECT concat_ws(' ',
                    count(*) FILTER (WHERE pipeline_is_iso_date(value)), count(*) FILTER (WHERE NOT pipeline_is_iso_date(value)),
                    count(*) FILTER (WHERE pipeline_is_iso_date(value) IS NULL),
                    count(*) FILTER (WHERE NOT pipeline_is_clean_line(value)), count(*) FILTER (WHERE NOT pipeline_is_clean_text(value)))
                FROM sample_text
                """).first?.string(0)).split(separator: " ").compactMap { Int($0) }
            #expect(answers.count == 5 && answers[0] == 4 * 366 + 6 * 365 && answers[1] > 0 && answers[2] == 1)
            #expect(answers.count == 5 && answers[3] > answers[4] && answers[4] > 0, "\(answers)")
            #expect(try connection.execute("SELECT string_agg(pipeline_is_timestamp(value)::text, ',' ORDER BY value) FROM sample_time WHERE value IS NOT NULL")
                .first?.string(0) == "false,false,true,true,true,true,true,true,true,true,false,false")

            // A literal is folded by the planner: the casts inside must not run on text that is
            // not a date (they would fail the statement instead of answering false).
            #expect(try connection.execute("""
                SELECT concat_ws(',', pipeline_is_iso_date('２０２４-01-01'), pipeline_is_iso_date('abcd-ef-gh'),
                                 pipeline_is_iso_date('2024-02-30'), pipeline_is_iso_date('2024-02-29'), pipeline_is_iso_date('0000-01-01'))
                """).first?.string(0) == "f,f,f,t,f")
        }
    }

    /// A fresh database gets version 10's functions: SQL expressions without a SET clause,
    /// which the planner inlines (seen in the plan of a query that names one).
    @Test func aNewDatabaseIsAtVersion10WithFunctionsThePlannerInlines() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            #expect(try PostgresSchema.migrate(connection) == .created)
            #expect(try connection.column("SELECT schema_version::text FROM pipeline_meta") == ["10"])
            #expect(try Self.definitions(connection) == Self.inlinable)
            let plan = try connection.execute("EXPLAIN VERBOSE SELECT pipeline_is_iso_date(due), pipeline_is_clean_text(notes) FROM activity")
                .rows.compactMap { $0[0] }.joined(separator: "\n")
            #expect(!plan.contains("pipeline_is_") && plan.contains("CASE WHEN"), "\(plan)")
        }
    }

    /// A version 9 server, with activities and notes, is upgraded to 10 keeping them; its
    /// CHECKs then refuse what they refused, without calling a function per row (counted by
    /// `track_functions` within one statement's transaction: every one of them was called at
    /// version 9).
    @Test func aVersion9ServerIsUpgradedToChecksThatCallNoFunction() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.transaction {
                for version in PostgresSchema.migrations.prefix(9) { try connection.executeScript(version) }
                try connection.executeScript("""
                    INSERT INTO pipeline_meta (application_id, schema_version) VALUES ('pipeline', 9);
                    INSERT INTO team (id, name, name_key, created_at) VALUES (1, 'Sales', 'sales', 0);
                    INSERT INTO stage (id, name, name_key, sort_order, probability) VALUES (1, 'New', 'new', 1, 1000);
                    INSERT INTO setting (key, value) VALUES ('currency', 'USD');
                    INSERT INTO activity_type (id, name, name_key, sort_order) VALUES (1, 'Call', 'call', 1);
                    INSERT INTO opportunity (id, title, title_key, currency, probability, team_id, stage_id, created_at, updated_at, stage_changed_at)
                    VALUES (1, 'Acme', 'acme', 'USD', 1000, 1, 1, 0, 0, 0);
                    INSERT INTO activity (record_id, type_id, summary, due, created_at, updated_at, notes, done_at, done_by, feedback)
                    VALUES (1, 1, 'Call', '2024-02-29', 5, 5, E'first\\nsecond', 6, 'lan', 'ok');
                    INSERT INTO deal_note (record_id, text, author, created_at) VALUES (1, E'met\\nagain', 'lan', 7);
                    """)
            }
            #expect(try Self.definitions(connection) != Self.inlinable)
            #expect(try Self.callsOfOneActivityAndNote(database) == Self.checkFunctions.joined(separator: ","))

            #expect(try PostgresSchema.migrate(connection) == .upgraded(from: 9))
            #expect(try connection.column("SELECT schema_version::text FROM pipeline_meta") == ["10"])
            #expect(try Self.definitions(connection) == Self.inlinable)
            #expect(try connection.column("SELECT concat_ws('|', summary, due, notes, done_at, done_by, feedback) FROM activity")
                    == ["Call|2024-02-29|first\nsecond|6|lan|ok"])
            #expect(try connection.column("SELECT text FROM deal_note") == ["met\nagain"])
            #expect(try Self.callsOfOneActivityAndNote(database) == "")

            // Still refused, each by its CHECK.
            let activity = """
                INSERT INTO activity (record_id, type_id, summary, due, created_at, updated_at, notes)
                VALUES (1, 1, $1, $2, $3, 0, $4)
                """
            let refused: [(String, PostgresParameters)] = [
                (activity, ["Call", "2023-02-29", 0, ""]),
                (activity, ["Call", "0000-01-01", 0, ""]),
                (activity, ["Call", "2024-04-31", 0, ""]),
                (activity, ["Call\n", "2024-01-01", 0, ""]),
                (activity, ["\u{202E}llaC", "2024-01-01", 0, ""]),
                (activity, ["Call", "2024-01-01", 0, "bell\u{7}"]),
                (activity, ["Call", "2024-01-01", 253_402_300_800_000, ""]),
                ("INSERT INTO deal_note (record_id, text, created_at) VALUES (1, $1, 0)", ["tab\there"]),
            ]
            for (sql, parameters) in refused {
                let error = try #require(throws: PostgresError.self) { try connection.execute(sql, parameters) }
                #expect(error.kind == .checkViolation, "\(parameters)")
            }
            try connection.execute(activity, ["Call", "2000-02-29", -62_135_596_800_000, "a\nb"])
            #expect(try connection.column("SELECT count(*)::text FROM activity") == ["2"])
        }
    }

    /// Why version 10 dropped `SET search_path FROM CURRENT`: an SQL-standard body is parsed
    /// when the function is created, so a session's search path cannot change what a CHECK
    /// means — here a `!~` of the session's own, found first in its path, would call every text
    /// clean, and the CHECKs still refuse.
    @Test func aSessionsSearchPathCannotChangeWhatTheChecksMean() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            #expect(try PostgresSchema.migrate(connection) == .created)
            try connection.executeScript("""
                INSERT INTO team (id, name, name_key, created_at) VALUES (1, 'Sales', 'sales', 0);
                INSERT INTO stage (id, name, name_key, sort_order, probability) VALUES (1, 'New', 'new', 1, 1000);
                INSERT INTO activity_type (id, name, name_key, sort_order) VALUES (1, 'Call', 'call', 1);
                INSERT INTO opportunity (id, title, title_key, currency, probability, team_id, stage_id, created_at, updated_at, stage_changed_at)
                VALUES (1, 'Acme', 'acme', 'USD', 1000, 1, 1, 0, 0, 0);
                CREATE FUNCTION public.anything_is_clean(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN true;
                CREATE OPERATOR public.!~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.anything_is_clean);
                SET search_path = public, pg_catalog;
                """)
            #expect(try connection.column("SELECT (E'bell\\x07' !~ '[\\x01-\\x1f]')::text") == ["true"])
            let error = try #require(throws: PostgresError.self) {
                try connection.execute("""
                    INSERT INTO activity (record_id, type_id, summary, due, created_at, updated_at)
                    VALUES (1, 1, E'bell\\x07', '2024-01-01', 0, 0)
                    """)
            }
            #expect(error.kind == .checkViolation)
        }
    }

    /// Each of the four: its language and SET clause (`proconfig`).
    static func definitions(_ connection: PostgresConnection) throws -> [String] {
        try connection.column("""
            SELECT p.proname || ' ' || l.lanname || ' ' || coalesce(array_to_string(p.proconfig, ';'), 'no SET')
            FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.proname IN ('pipeline_is_clean_line', 'pipeline_is_clean_text', 'pipeline_is_iso_date', 'pipeline_is_timestamp')
            ORDER BY p.proname
            """)
    }

    static let inlinable = checkFunctions.map { "\($0) sql no SET" }

    /// Which of the four the CHECKs called (by name, comma-separated) while one activity (every
    /// checked column given) and one note were inserted, in a transaction rolled back — on a
    /// session of its own: a session's counts not yet sent to the statistics (at most once a
    /// second) show in `pg_stat_xact_user_functions` with its next transaction's.
    static func callsOfOneActivityAndNote(_ database: TestDatabase) throws -> String {
        let connection = try database.connect()
        try connection.begin()
        defer { _ = try? connection.rollback() }
        try connection.executeScript("SET LOCAL track_functions = 'all'")
        try connection.execute("""
            INSERT INTO activity (record_id, type_id, summary, due, assigned_to, created_at, updated_at, notes, done_at, done_by,
                                  feedback, created_by)
            VALUES (1, 1, 'Meet', '2024-03-01', 'lan', 8, 8, 'x', 9, 'lan', 'y', 'lan')
            """)
        try connection.execute("INSERT INTO deal_note (record_id, text, author, created_at) VALUES (1, 'z', 'lan', 8)")
        return try connection.execute("""
            SELECT coalesce(string_agg(funcname, ',' ORDER BY funcname), '') FROM pg_stat_xact_user_functions
            WHERE funcname IN ('pipeline_is_clean_line', 'pipeline_is_clean_text', 'pipeline_is_iso_date', 'pipeline_is_timestamp')
            """).first?.string(0) ?? "?"
    }
}
