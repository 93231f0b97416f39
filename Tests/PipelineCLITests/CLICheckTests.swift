import Foundation
import Testing

/// `pipeline check [--repair]`, and what ordinary opening notices on its own.
/// SQLite only: a file's pages, size and companions (`check` on a server: CLIPostgresTests).
@Suite("CLI: check and repair")
struct CLICheckTests {
    @Test func aSoundFileIsSaidToBeSoundInEitherLanguage() {
        let cli = CLI()
        cli.ok(["opp", "add", "Deal"])
        #expect(cli.ok(["check"]).stdout == "\(cli.database) is sound: its pages, the filter index, the stage totals and the stage history agree.\n")
        #expect(cli.ok(["check", "--lang", "vi"]).stdout.contains("nguyên vẹn"))
        #expect(cli.run(["--help"], database: false).stdout.contains("check  "))
        #expect(cli.run(["--help"], database: false, environment: ["LANG": "vi_VN.UTF-8"]).stdout.contains("Kiểm tra tệp cơ sở dữ liệu"))
        let missing = cli.path("missing.sqlite")
        let result = cli.run(["check", "--db", missing], database: false)
        #expect(result.status == 66 && result.stderr == "error: cannot read \(missing): there is no such file\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// A file cut short by one byte passes SQLite's own check while its last page (here
    /// the filter index's) is broken: opening notices it from the size, refuses to write,
    /// lets reads go on with a warning, and points to `pipeline check`, whose repair
    /// rebuilds the index and rewrites the file whole.
    @Test func aFileTruncatedByOneByteIsNoticedAndRepaired() throws {
        let cli = CLI()
        var rows = "name,expected_revenue,partner_name\n"
        for index in 0..<3_000 { rows += "Deal \(index),\(index),Company number \(index)\n" }
        let csv = cli.path("deals.csv")
        try rows.write(toFile: csv, atomically: true, encoding: .utf8)
        cli.ok(["import", csv])
        #expect(try SQLiteFile.ownerOfLastPage(cli.database)?.hasPrefix("opportunity_search") == true)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: cli.database)[.size] as? Int)
        #expect(truncate(cli.database, off_t(size - 1)) == 0)

        let write = cli.run(["opp", "add", "After"])
        #expect(write.status == 74)
        #expect(write.stderr == "error: \(cli.database) looks damaged (its size, \(size - 1) bytes, is not a whole number of 4096-byte pages); nothing was changed: pipeline check shows what is wrong and pipeline check --repair rebuilds what can be rebuilt\n")
        let read = cli.run(["opp", "list", "--json"])
        #expect(read.status == 0 && read.stderr.hasPrefix("warning: \(cli.database) looks damaged"))
        let check = cli.run(["check"])
        #expect(check.status == 65)
        #expect(check.stdout.hasPrefix("the file: its size, \(size - 1) bytes, is not a whole number of 4096-byte pages\n"), "\(check.stdout)")
        #expect(check.stdout.contains("the filter index does not match the deals"))
        #expect(check.stderr.contains("pipeline check --repair rebuilds"))

        let repair = cli.run(["check", "--repair"])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(repair.stdout.hasPrefix("Repaired \(cli.database)"))
        cli.ok(["check"])
        cli.ok(["opp", "add", "After"])
        #expect(cli.objects(["opp", "list"]).count == 3_001)
    }

    /// Totals edited behind the program's back are found, and rebuilt in one transaction.
    @Test func wrongTotalsAreFoundAndRebuilt() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Deal", "--revenue", "1,000"])
        try SQLiteFile.execute("UPDATE stage_total SET count = count + 5, expected_low = expected_low + 1", on: cli.database)
        let check = cli.run(["check"])
        #expect(check.status == 65)
        // The counts stand alone ("6 deals kept where 1 are counted" said "1 are" before), and
        // "my pipeline"'s salesperson totals are named as such, with whose they are.
        #expect(check.stdout == "the totals of team 1, stage 1, USD do not match its deals: the count kept is 6 where the deals number 1, or their sums differ\n")
        #expect(check.stderr == "1 problem; pipeline check --repair rebuilds what it is about\n")
        cli.ok(["check", "--repair"])
        #expect(cli.ok(["check"]).stdout.contains("is sound"))
        #expect((cli.object(["forecast"])["open"] as? [String: Any])?["count"] as? Int == 1)
    }

    /// Found by a hostile trial: an amount beyond what an amount can be (the deal showed as
    /// $0.00) passed `check` and `check --repair`; a deal whose history lines were all deleted
    /// was said to be "not where its history last took it". Each is now named as what it is,
    /// and the repair says it cannot fix them.
    @Test func anAmountOutOfRangeAndADealWithoutHistoryAreNamed() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Deal", "--revenue", "1,000"])
        cli.ok(["opp", "add", "Other", "--revenue", "5"])
        try SQLiteFile.execute("UPDATE opportunity SET expected_revenue = 9223372036854775807 WHERE id = 1", on: cli.database)
        try SQLiteFile.execute("DELETE FROM stage_history WHERE opportunity_id = 2", on: cli.database)
        for arguments in [["check"], ["check", "--repair"]] {
            let check = cli.run(arguments)
            #expect(check.status == 65, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.contains("opportunity row 1: its expected_revenue is not an amount pipeline can hold"), "\(check.stdout)")
            #expect(check.stdout.contains("a repair cannot know the right one"), "\(check.stdout)")
            #expect(check.stdout.contains("opportunity 2 is in stage 1, but its stage history has no line"), "\(check.stdout)")
            #expect(!check.stdout.contains("opportunity 2: its stage is not where"), "\(check.stdout)")
            #expect(check.stderr.contains("cannot"), "\(check.stderr)")
        }
    }

    /// A column dropped by hand is named (the file used to be called sound), and nothing is
    /// guessed at by --repair; a dropped totals table is named and made again by --repair
    /// (the check and the repair used to fail in SQLite's words).
    @Test func aDroppedColumnIsNamedAndADroppedTotalsTableIsRebuilt() throws {
        let cli = CLI()
        cli.ok(["opp", "add", "Deal", "--revenue", "1,000"])
        let copy = cli.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: cli.database, toPath: copy)
        try SQLiteFile.execute("ALTER TABLE opportunity DROP COLUMN notes", on: cli.database)
        for arguments in [["check"], ["check", "--repair"]] {
            let check = cli.run(arguments)
            #expect(check.status == 65 && check.stdout == "the table opportunity has no column notes\n", "\(check.stdout)\(check.stderr)")
            #expect(check.stderr.contains("1 problem that rebuilding cannot fix"), "\(check.stderr)")
        }
        try SQLiteFile.execute("DROP TABLE stage_total", on: copy)
        let check = cli.run(["check", "--db", copy], database: false)
        #expect(check.status == 65 && check.stdout == "the table stage_total is missing\n", "\(check.stdout)\(check.stderr)")
        #expect(check.stderr == "1 problem; pipeline check --repair rebuilds what it is about\n")
        #expect(cli.run(["check", "--repair", "--db", copy], database: false).status == 0)
        #expect(cli.run(["check", "--db", copy], database: false).stdout.contains("is sound"))
        #expect(cli.run(["opp", "add", "Other", "--revenue", "5", "--db", copy], database: false).status == 0)
        let forecast = cli.run(["forecast", "--json", "--db", copy], database: false)
        #expect(forecast.status == 0 && forecast.stdout.contains("\"count\" : 2") || forecast.stdout.contains("\"count\": 2"), "\(forecast.stdout)")
    }

    /// On a database one may only read, FTS5's self-check (an insert) is refused: the check
    /// says it could not look at the index instead of calling it broken.
    @Test func aReadOnlyDatabaseIsCheckedAsFarAsItCanBe() throws {
        let cli = CLI()
        let folder = try AnotherUser.folder(in: cli)
        let database = folder + "/pipeline.sqlite"
        #expect(cli.run(["opp", "add", "Deal", "--db", database], database: false).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: database)
        let result = AnotherUser.run(cli, ["check", "--db", database])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "\(database) is sound as far as it can be read here: its pages, the stage totals and the stage history agree (the filter index can only be checked where the database can be written).\n")
        #expect(result.stderr.isEmpty)
    }

    /// Each kind of problem is listed up to a bound (20 weighted amounts): past it, the last
    /// line says there were more than those listed, not a count that reads as all of them; at
    /// the bound it counts them, in either language.
    @Test(arguments: [20, 21])
    func aCheckPastItsListingBoundSaysThereWereMore(_ deals: Int) throws {
        let cli = CLI()
        let csv = cli.path("deals.csv")
        try ("name,expected_revenue,probability\n" + (1...deals).map { "Deal \($0),1000,50\n" }.joined())
            .write(toFile: csv, atomically: true, encoding: .utf8)
        cli.ok(["import", csv])
        // Each deal's weighted amount changed, and the stage totals they sum with them.
        try SQLiteFile.execute("""
            UPDATE opportunity SET weighted_revenue = weighted_revenue + 1;
            UPDATE stage_total SET weighted_low = weighted_low + count;
            UPDATE salesperson_total SET weighted_low = weighted_low + count;
            """, on: cli.database)
        let result = cli.run(["check"])
        #expect(result.status == 65, "\(result.stdout) \(result.stderr)")
        let weighted = result.stdout.split(separator: "\n").filter { $0.contains("its weighted revenue") }
        #expect(weighted.count == 20, "\(result.stdout)")
        let listed = result.stdout.split(separator: "\n").count  // the weighted amounts and the two totals
        let vietnamese = cli.run(["check", "--lang", "vi"])
        if deals > 20 {
            #expect(result.stderr == "more than \(listed) problems: only the first of each kind are listed above; pipeline check --repair rebuilds the filter index and the stage totals they are about\n",
                    "\(result.stderr)")
            #expect(vietnamese.stderr.hasPrefix("hơn \(listed) lỗi: ở trên chỉ liệt kê những lỗi đầu tiên của mỗi loại"), "\(vietnamese.stderr)")
        } else {
            #expect(result.stderr == "\(listed) problems; pipeline check --repair rebuilds the filter index and the stage totals they are about\n",
                    "\(result.stderr)")
            #expect(vietnamese.stderr.hasPrefix("\(listed) lỗi;"), "\(vietnamese.stderr)")
        }
        #expect(cli.run(["check", "--repair"]).status == 0)
    }
}
