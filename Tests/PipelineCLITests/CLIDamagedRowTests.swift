import Foundation
import Testing

/// A SQLite file edited by hand (or damaged): values a column cannot hold, numbers at the
/// ends of Int64. One sentence and an exit status, or the command works; never a trap.
@Suite("CLI: damaged rows")
struct CLIDamagedRowTests {
    func three() throws -> CLI {
        let cli = try CLI(engine: .sqlite)
        for title in ["Acme", "Globex", "Initech"] { cli.ok(["opp", "add", title]) }
        return cli
    }

    static let unreadable: [(column: String, value: String)] = [("title", "x'41ff42'"), ("expected_revenue", "'abc'")]

    @Test(arguments: 0..<unreadable.count)
    func aValueItsColumnCannotHoldIsSaidAsDamage(_ number: Int) throws {
        let cli = try three()
        let (column, value) = Self.unreadable[number]
        try SQLiteFile.execute("UPDATE opportunity SET \(column) = \(value) WHERE id = 2", on: cli.database)
        let copy = cli.path("copy.sqlite")
        for arguments in [["opp", "list"], ["opp", "list", "--json"], ["opp", "show", "2"],
                          ["export", "--format", "json"], ["db", "copy", "--from", cli.database, "--to", copy]] {
            let result = cli.run(arguments, database: arguments[0] != "db")
            #expect(result.signal == nil && result.status == 74, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            // A listing that fails writes nothing a script could take for its result.
            if arguments[0] == "opp" { #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)") }
            // The file named is the one damaged (a copy reads it inside the target's transaction).
            #expect(result.stderr.contains("\(cli.database) looks damaged: row 2 of opportunity holds a value its \(column) column cannot hold"),
                    "\(arguments): \(result.stderr)")
        }
        let check = cli.run(["check"])
        #expect(check.signal == nil && check.status != 0)
        #expect((check.stdout + check.stderr).contains("opportunity row 2: its \(column) is not a value that column can hold"), "\(check.stdout)\(check.stderr)")
    }

    /// The CSV export and the backup read their columns straight from the statement (issue
    /// 15): a damaged value is said in the same sentence, and the file asked for is not left.
    @Test(arguments: 0..<unreadable.count)
    func anExportToAFileSaysTheDamageAndLeavesNoFile(_ number: Int) throws {
        let cli = try three()
        let (column, value) = Self.unreadable[number]
        try SQLiteFile.execute("UPDATE opportunity SET \(column) = \(value) WHERE id = 2", on: cli.database)
        for format in ["csv", "json"] {
            let out = cli.path("deals.\(format)")
            let result = cli.run(["export", "--format", format, "--what", format == "csv" ? "opportunities" : "all", "--out", out])
            #expect(result.signal == nil && result.status == 74, "\(format): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(format): \(result.stderr)")
            #expect(result.stderr.contains("\(cli.database) looks damaged: row 2 of opportunity holds a value its \(column) column cannot hold"),
                    "\(format): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(format)")
        }
    }

    /// Instants at the ends of Int64 are shown at the ends of the calendar and exported; a
    /// restore refuses the one at the far end, a time more than a day after now, in one
    /// sentence naming its line and field (the hostile trial: a future time then misled the
    /// digest), and restores nothing.
    @Test func instantsAtTheEndsOfInt64AreShownAndExported() throws {
        let cli = try three()
        try SQLiteFile.execute("UPDATE opportunity SET created_at = -9223372036854775808, stage_changed_at = 9223372036854775807 WHERE id = 2",
                                   on: cli.database)
        let shown = cli.run(["opp", "show", "2"])
        #expect(shown.signal == nil && shown.status == 0, "\(shown.stderr)")
        // The page writes times in the user's zone (no "UTC"); the end of the range stays the calendar's first day.
        #expect(shown.stdout.contains("Created:        0001-01-01"), "\(shown.stdout)")
        let backup = cli.path("backup.json")
        cli.ok(["export", "--format", "json", "--out", backup])
        let restored = cli.run(["import", backup, "--db", cli.path("restored.sqlite")], database: false)
        #expect(restored.status == 65, "\(restored.stderr)")
        #expect(restored.stderr.contains("stage_changed_at") && restored.stderr.contains("more than a day after now"), "\(restored.stderr)")
        #expect(restored.stderr.split(separator: "\n").count <= 2, "\(restored.stderr)")
    }

    /// Ranks at the ends of Int64 (the board's order): placing between them, or moving a
    /// whole column below them, neither traps nor loses a card.
    @Test func ranksAtTheEndsOfInt64DoNotOverflow() throws {
        let cli = try three()
        try SQLiteFile.execute("UPDATE opportunity SET rank = -9223372036854775808 WHERE id = 2; UPDATE opportunity SET rank = 9223372036854775807 WHERE id = 3",
                                   on: cli.database)
        let moved = cli.run(["opp", "move", "1", "--to", "New", "--before", "3"])
        #expect(moved.signal == nil && moved.status == 0, "\(moved.stderr)")
        #expect(cli.objects(["opp", "list", "--stage", "New"]).compactMap { $0["title"] as? String } == ["Globex", "Acme", "Initech"])
        // Qualified's cards shifted below New's last (at Int64.max): refused in one sentence.
        cli.ok(["opp", "add", "Hooli", "--stage", "Qualified"])
        try SQLiteFile.execute("UPDATE opportunity SET rank = -9223372036854775808 WHERE title = 'Hooli'", on: cli.database)
        let removed = cli.run(["stage", "remove", "Qualified", "--move-to", "New"])
        #expect(removed.signal == nil, "\(removed.stderr)")
        #expect(removed.stderr.split(separator: "\n").count == 1, "\(removed.stderr)")
        #expect(cli.objects(["opp", "list"]).count == 4)
    }
}
