import Foundation
import Testing

@Suite("CLI: export and import")
struct CLIExchangeTests {
    @Test(arguments: StoreEngine.allCases) func csvGoesOutAndComesBackIntoAnotherDatabase(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme renewal", "--customer", "Acme, Inc.", "--revenue", "12,000.50", "--stage", "Proposition", "--tag", "vip"])
        cli.ok(["opp", "add", "Hợp đồng", "--revenue", "1,500,000", "--currency", "VND"])
        let csv = cli.ok(["export"]).stdout
        #expect(csv.hasPrefix("id,name,type,stage_id,probability,expected_revenue,"))
        #expect(csv.contains("\"Acme, Inc.\"") && csv.contains("12000.50") && csv.contains("1500000,VND"))
        #expect(cli.ok(["export", "--odoo", "12"]).stdout.contains("planned_revenue"))
        let file = cli.folder.appendingPathComponent("deals.csv").path
        cli.ok(["export", "--out", file])
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let other = try cli.newStore("other")
        let dry = cli.run(["import", file, "--dry-run", "--db", other.location], database: false)
        #expect(dry.status == 0 && dry.stdout.contains("would create 2"))
        // A dry run changes nothing: a server's database stays empty, and a file it was pointed
        // at that did not exist is not made.
        if engine == .sqlite {
            #expect(!FileManager.default.fileExists(atPath: other.location))
        } else {
            #expect(cli.run(["opp", "list", "--json", "--db", other.location], database: false).stdout == "[\n]\n")
        }
        let real = cli.run(["import", file, "--db", other.location], database: false)
        #expect(real.status == 0 && real.stdout.contains("2 created"))
        let again = cli.run(["export", "--db", other.location], database: false)
        #expect(again.stdout == csv)
    }

    /// An import stops reading at 50 problems: its last line says so (the rest of the file
    /// was not read), not a count that reads as all of them; below the limit it counts them.
    @Test(arguments: [49, 80])
    func anImportStoppedAtItsProblemLimitSaysSo(_ bad: Int) throws {
        let cli = CLI()
        let csv = cli.path("bad.csv")
        try ("name,probability\n" + (1...bad).map { "Deal \($0),many\n" }.joined()).write(toFile: csv, atomically: true, encoding: .utf8)
        let english = cli.run(["import", csv])
        #expect(english.status == 65)
        let lines = english.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == min(bad, 50) + 1, "\(english.stderr)")
        if bad > 50 {
            #expect(lines.last == "error: nothing was imported (the first 50 problems are listed, and reading stopped there: the rest of the file was not checked and may hold more)")
            #expect(cli.run(["import", csv, "--lang", "vi"]).stderr.contains("50 vấn đề đầu tiên được liệt kê, và việc đọc dừng ở đó"))
        } else {
            #expect(lines.last == "error: nothing was imported (49 problems)")
        }
    }

    /// A value too long for its field is one problem of the file: "nothing was imported" is
    /// said once, after the problems, not also at the end of the problem ("…; nothing was
    /// changed", a typed value's ending), in either language.
    @Test func aTooLongValueSaysNothingWasImportedOnce() throws {
        let cli = CLI()
        let csv = cli.path("long.csv")
        try "name\n\(String(repeating: "x", count: 300))\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let english = cli.run(["import", csv])
        #expect(english.status == 65)
        #expect(english.stderr == "error: line 2, column name: at most 200 characters (300 given)\nerror: nothing was imported (1 problem)\n",
                "\(english.stderr)")
        let vietnamese = cli.run(["import", csv, "--lang", "vi"])
        #expect(vietnamese.status == 65)
        #expect(vietnamese.stderr.contains("tối đa 200 ký tự (có 300)\n") && !vietnamese.stderr.contains("chưa có gì thay đổi"), "\(vietnamese.stderr)")
        // A typed value keeps its own ending.
        #expect(cli.run(["opp", "add", String(repeating: "x", count: 300)]).stderr.contains("; nothing was changed"))
    }

    /// `--encoding ''` was taken (iconv's name for the locale's own encoding): an empty or
    /// blank name is refused in one sentence, as an unknown one is (64), before anything is read.
    @Test func anEmptyEncodingIsRefused() throws {
        let cli = CLI()
        let csv = cli.path("one.csv")
        try "name\nAcme\n".write(toFile: csv, atomically: true, encoding: .utf8)
        for name in ["", "  "] {
            let result = cli.run(["import", csv, "--encoding", name])
            #expect(result.status == 64, "'\(name)': \(result.stderr)")
            #expect(result.stderr.contains("--encoding: the name is empty; give one such as windows-1258"), "\(result.stderr)")
        }
        #expect(cli.objects(["opp", "list", "--json"]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases) func aBadFileImportsNothingAndSaysWhere(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let file = cli.folder.appendingPathComponent("bad.csv")
        try Data("name,probability,mobile\nGood,10,1\nBad,150,2\n".utf8).write(to: file)
        let result = cli.run(["import", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("warning: ignored columns we do not keep: mobile"))
        #expect(result.stderr.contains("error: line 3, column probability: '150' is not a percentage"))
        #expect(result.stderr.contains("nothing was imported"))
        #expect(cli.objects(["opp", "list"]).isEmpty)
    }

    /// The same id twice in a file: the later row updates what the earlier made (rows apply
    /// in order), and the import says so instead of replacing it silently.
    @Test(arguments: StoreEngine.allCases) func aRepeatedIDUpdatesTheEarlierRowAndSaysSo(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let file = cli.path("repeated.csv")
        try Data("id,name\nx1,first\nx2,other\nx1,second\n".utf8).write(to: URL(fileURLWithPath: file))
        let result = cli.run(["import", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: line 4: id 'x1' names a record an earlier row of this file made or changed; the later row updates it (rows repeating an earlier id: 1)"),
                "\(result.stderr)")
        #expect(Set(cli.objects(["opp", "list"]).compactMap { $0["title"] as? String }) == ["second", "other"])
        // A record that was there before, named twice: the second row is the repeat.
        let again = cli.path("again.csv")
        try Data("id,name\nx2,changed\nx1,third\nx2,changed again\n".utf8).write(to: URL(fileURLWithPath: again))
        let second = cli.run(["import", again])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("warning: line 4: id 'x2' names a record an earlier row of this file made or changed; the later row updates it (rows repeating an earlier id: 1)"),
                "\(second.stderr)")
        #expect(Set(cli.objects(["opp", "list"]).compactMap { $0["title"] as? String }) == ["third", "changed again"])
        // Each id once: no warning.
        let once = cli.path("once.csv")
        try Data("id,name\nx1,fourth\nx3,new\n".utf8).write(to: URL(fileURLWithPath: once))
        let third = cli.run(["import", once])
        #expect(third.status == 0 && !third.stderr.contains("repeating"), "\(third.stderr)")
    }

    static let refusedFiles: [(csv: String, error: String)] = [
        // A quote left open at the end of the file: not a note running to the end.
        ("name,description\nok,\"never closed\n", "error: line 2, column 4: this quote is never closed: the file ends inside the quoted field"),
        ("name,description\nfirst,x\nsecond,\"a\"\"b\n", "error: line 3, column 8: this quote is never closed"),
        // The column named is the one holding the refused text.
        ("name,stage_id\na,Evil\u{1B}[2J\n", "error: line 2, column stage_id: control character U+001B is not allowed"),
        ("name,team_id\na,East\u{1B}[2J\n", "error: line 2, column team_id: control character U+001B is not allowed"),
    ]

    @Test(arguments: StoreEngine.allCases, 0..<refusedFiles.count)
    func aFileWithAProblemTheReaderWouldPassIsRefusedWithItsLine(_ engine: StoreEngine, _ number: Int) throws {
        let cli = try CLI(engine: engine)
        let file = cli.path("refused.csv")
        try Data(Self.refusedFiles[number].csv.utf8).write(to: URL(fileURLWithPath: file))
        let result = cli.run(["import", file])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(Self.refusedFiles[number].error), "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(cli.objects(["opp", "list"]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases) func theJSONBackupRestoresIntoAFreshDatabaseOnly(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["opp", "add", "Acme", "--revenue", "100"])
        cli.ok(["lead", "add", "Globex", "--email", "a@globex.com"])
        let backup = cli.folder.appendingPathComponent("backup.json").path
        cli.ok(["export", "--format", "json", "--out", backup])
        let fresh = try cli.newStore("fresh")
        let restored = cli.run(["import", backup, "--db", fresh.location], database: false)
        #expect(restored.status == 0 && restored.stdout.contains("Restored 1 team, 6 stages, 2 leads and opportunities, "))
        #expect(cli.run(["export", "--format", "json", "--db", fresh.location], database: false).stdout == cli.ok(["export", "--format", "json"]).stdout)
        let refused = cli.run(["import", backup])
        #expect(refused.status == 65 && refused.stderr.contains("fresh database"))
        #expect(cli.run(["export", "--format", "csv", "--what", "all"]).status == 64)
        #expect(cli.run(["export", "--odoo", "15"]).status == 64)
    }
}

@Suite("CLI: db copy")
struct CLICopyTests {
    /// The copy's summary counts in words the language's plural rule picks: "1 team, 1
    /// stage, 1 lead or opportunity and 1 stage change", "2 … and 2 stage changes", and
    /// Vietnamese nouns that do not change with the number.
    @Test func theCopySummaryCountsInTheLanguagesPluralForms() throws {
        let cli = CLI()
        for stage in ["Qualified", "Proposition", "Negotiation", "Won", "Lost"] { cli.ok(["stage", "remove", stage]) }
        cli.ok(["opp", "add", "Acme"])
        let one = cli.run(["db", "copy", "--from", cli.database, "--to", cli.path("one.sqlite")], database: false)
        #expect(one.stdout == "Copied 1 team, 1 stage, 1 lead or opportunity and 1 stage change from \(cli.database) to \(cli.path("one.sqlite")).\n")
        cli.ok(["opp", "add", "Beta"])
        cli.ok(["stage", "add", "Qualified"])
        let two = cli.run(["db", "copy", "--from", cli.database, "--to", cli.path("two.sqlite")], database: false)
        #expect(two.stdout == "Copied 1 team, 2 stages, 2 leads and opportunities and 2 stage changes from \(cli.database) to \(cli.path("two.sqlite")).\n")
        let vietnamese = cli.run(["db", "copy", "--lang", "vi", "--from", cli.database, "--to", cli.path("vi.sqlite")], database: false)
        #expect(vietnamese.stdout == "Đã sao chép 1 nhóm, 2 giai đoạn, 2 tiềm năng và cơ hội cùng 2 lần đổi giai đoạn từ \(cli.database) sang \(cli.path("vi.sqlite")).\n")
    }

    /// Everything goes over to a new store, which then lists, checks and forecasts alike;
    /// a store that holds data, or the source itself, is refused and left as it was.
    @Test(arguments: StoreEngine.allCases) func aStoreCopiedToANewOneReadsTheSame(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["stage", "add", "Customs", "--team", "Export", "--scope", "team", "--probability", "40"])
        cli.ok(["opp", "add", "Acme renewal", "--revenue", "12,000.50", "--stage", "Proposition", "--salesperson", "Lan"])
        cli.ok(["opp", "add", "Export deal", "--team", "Export", "--stage", "Customs", "--revenue", "800"])
        cli.ok(["opp", "move", "Acme renewal", "--to", "Negotiation"])
        cli.ok(["opp", "add", "Gone", "--revenue", "5"])
        cli.ok(["opp", "lost", "Gone", "--reason", "No budget"])
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website", "--company", "Acme Corporation", "--email", "ana@acme.com"])
        let copy = try cli.newStore("copy")
        let copied = cli.run(["db", "copy", "--from", cli.database, "--to", copy.location], database: false)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("Copied 2 teams, 7 stages, 4 leads and opportunities"), "\(copied.stdout)")
        for listing in [["opp", "list", "--json", "--archived"], ["stage", "list", "--json"], ["lead", "list", "--json", "--lost"],
                        ["forecast", "--json"], ["forecast", "--json", "--by", "salesperson"], ["team", "list", "--json"],
                        ["opp", "show", "Acme renewal", "--json"], ["settings", "list", "--json"]] {
            let original = cli.run(listing)
            let other = cli.run(listing + ["--db", copy.location], database: false)
            #expect(original.status == 0 && original.stdout == other.stdout, "\(listing): \(original.stderr)\(other.stderr)")
        }
        #expect(cli.checksSound(copy.location))
        let before = cli.run(["export", "--format", "json", "--db", copy.location], database: false).stdout
        let again = cli.run(["db", "copy", "--from", cli.database, "--to", copy.location], database: false)
        #expect(again.status == 65 && again.stderr.contains("already holds data"), "\(again.stderr)")
        #expect(cli.run(["db", "copy", "--from", copy.location, "--to", copy.location], database: false).status == 65)
        #expect(cli.run(["export", "--format", "json", "--db", copy.location], database: false).stdout == before)

        // A source that is not there (a typo) is refused, and no file is made in its place
        // nor the target touched; a source that holds nothing yet has nothing to copy.
        let typo = cli.folder.appendingPathComponent("typo.sqlite").path
        let target = try cli.newStore("target")
        let missing = cli.run(["db", "copy", "--from", typo, "--to", target.location], database: false)
        #expect(missing.status == 66 && missing.stderr.contains("typo.sqlite") && missing.stderr.split(separator: "\n").count == 1,
                "\(missing.status) \(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: typo))
        let empty = try cli.newStore("empty")
        // Made as a new store is (a command that only reads makes no file): an import of no row.
        #expect(cli.run(["import", "-", "--format", "csv", "--quiet", "--db", empty.location], database: false,
                        input: .bytes(Data("name\n".utf8))).status == 0)
        let nothing = cli.run(["db", "copy", "--from", empty.location, "--to", target.location], database: false)
        #expect(nothing.status == 65 && nothing.stderr.contains("nothing to copy"), "\(nothing.status) \(nothing.stderr)")
        #expect(cli.run(["db", "copy", "--from", cli.database, "--to", target.location], database: false).status == 0)
    }
}
