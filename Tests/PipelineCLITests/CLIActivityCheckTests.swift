import Foundation
import Testing

/// `pipeline check` on a file whose activity and note rows another program edited (issue 13):
/// what a PostgreSQL server's constraints refuse, the file's check reports, one line a value;
/// `--repair` recomputes what is derived (the card's glance) and names what it cannot mend.
@Suite("CLI: check of activities and notes")
struct CLIActivityCheckTests {
    static let line = "(the file was edited by another program); change or remove the row"

    @Test func rowsAnotherProgramBrokeAreReportedOneLineEachAndTheGlanceIsRepaired() throws {
        let cli = try CLI(engine: .sqlite)
        cli.ok(["opp", "add", "Acme"])
        for summary in ["One", "Two", "Three", "Four"] {
            cli.ok(["activity", "add", "Acme", "--type", "call", "--due", "2027-01-05", "--summary", summary])
        }
        cli.ok(["opp", "note", "Acme", "A note"])
        #expect(cli.ok(["check"]).status == 0)
        try SQLiteFile.executeUnchecked("""
            UPDATE activity SET due = '2027-02-30' WHERE id = 1;
            UPDATE activity SET summary = 'Ring' || char(27) || '[2J', due_time = 1500 WHERE id = 2;
            UPDATE activity SET type_id = 99, done_at = 5 WHERE id = 3;
            UPDATE activity SET created_at = 9223372036854775807, notes = replace(hex(zeroblob(10001)), '00', 'n') WHERE id = 4;
            UPDATE deal_note SET text = replace(hex(zeroblob(10001)), '00', 'x'), record_id = 42 WHERE id = 1;
            UPDATE activity_type SET name = '', next_delay_days = 400 WHERE id = 4;
            UPDATE opportunity SET title = replace(hex(zeroblob(201)), '00', 't'), next_activity_date = '1999-01-01' WHERE id = 1;
            """, on: cli.database)
        let expected = [
            "activity_type row 4: its name is empty",
            "activity_type row 4: its next_delay_days is not a number from 0 to 365",
            "activity row 1: its due is not a date that exists, written YYYY-MM-DD",
            "activity row 2: its summary holds control characters or a line break where there may be none",
            "activity row 2: its due_time is not a time of day",
            "activity row 3: its type_id names a row of activity_type that does not exist",
            "activity row 3: its done_by says it was done without saying by whom, or by whom without when",
            "activity row 4: its created_at is not a time pipeline can hold",
            "deal_note row 1: its record_id names a row of opportunity that does not exist",
        ].map { "\($0) \(Self.line)" }
        let check = cli.run(["check"])
        #expect(check.status == 65)
        let reported = check.stdout.split(separator: "\n").map(String.init)
        // SQLite's own check adds a line for each table whose CHECK constraints a row breaks.
        // Text beyond its limit is no damage (a restore keeps it): a note after the problems.
        let note = "note: 3 texts are longer than today's limits (kept as an older version stored them); each must be shortened when it is next edited: opportunity row 1, title (over 200 characters); activity row 4, notes (over 10000 characters); deal_note row 1, text (over 10000 characters)"
        #expect(reported.last == note, "\(check.stdout)")
        #expect(reported.dropLast().filter { !$0.hasPrefix("record ") && !$0.hasPrefix("the pages: ") } == expected, "\(check.stdout)")
        #expect(reported.contains("the pages: CHECK constraint failed in activity"), "\(check.stdout)")
        #expect(reported.contains("record 1: the next activity its card shows disagrees with its activities"), "\(check.stdout)")
        // The glance is rebuilt from the activities; the rest is named, not guessed at.
        let repaired = cli.run(["check", "--repair"])
        #expect(repaired.status == 65)
        #expect(repaired.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("the pages: ") } == expected + [note],
                "\(repaired.stdout)")
        #expect(repaired.stderr.contains("problems, some of which rebuilding cannot fix"), "\(repaired.stderr)")
        // In Vietnamese too, one line each.
        let vietnamese = cli.run(["check", "--lang", "vi"])
        #expect(vietnamese.stdout.contains("bảng activity, dòng 1: giá trị ở cột due không phải một ngày có thật, viết theo dạng YYYY-MM-DD"), "\(vietnamese.stdout)")
    }
}
