import Foundation
import Testing

/// What the program writes can neither run in a spreadsheet nor drive a terminal.
@Suite("CLI: safe output")
struct CLIOutputSafetyTests {
    /// Cells a spreadsheet would run as formulas get a leading `'`; numbers and phone
    /// numbers stay as they are; the import takes exactly that `'` away again.
    @Test(arguments: StoreEngine.allCases) func formulaCellsAreNeutralisedAndComeBackExactly(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "=HYPERLINK(\"http://evil.example\",\"Click\")", "--customer", "+cmd|' /C calc'!A0",
                "--contact", "@SUM(1+1)", "--phone", "+1 555 0100", "--salesperson=-2+3", "--notes", "'=already quoted"])
        cli.ok(["opp", "add", "=WEBSERVICE(\"http://evil.example\")", "--customer=-12.50", "--contact", "''=x",
                "--tag", "=1+1", "--tag", "plain", "--salesperson", "'plain"])
        let csv = cli.ok(["export"]).stdout
        for cell in ["\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\"", "'+cmd|' /C calc'!A0", "'@SUM(1+1)", ",+1 555 0100,",
                     ",'-2+3,", "''=already quoted", "\"'=WEBSERVICE(\"\"http://evil.example\"\")\"", ",-12.50,", ",'''=x,",
                     "\"'=1+1,plain\"", ",'plain,"] {
            #expect(csv.contains(cell), "\(cell) in:\n\(csv)")
        }
        // No cell of the file starts a formula.
        for line in csv.split(separator: "\n").dropFirst() {
            for cell in line.split(separator: ",", omittingEmptySubsequences: false) {
                let text = cell.hasPrefix("\"") ? cell.dropFirst() : cell
                #expect(!(text.first.map { "=@".contains($0) } ?? false), "\(cell)")
            }
        }
        let file = cli.path("deals.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let fresh = try cli.newStore("fresh")
        #expect(cli.run(["import", file, "--db", fresh.location], database: false).status == 0)
        #expect(cli.run(["export", "--db", fresh.location], database: false).stdout == csv)
        let titles = cli.run(["opp", "list", "--json", "--db", fresh.location], database: false).stdout
        let deals = try #require(try JSONSerialization.jsonObject(with: Data(titles.utf8)) as? [[String: Any]])
        let first = try #require(deals.first { ($0["title"] as? String)?.hasPrefix("=HYPERLINK") == true })
        #expect(first["customer"] as? String == "+cmd|' /C calc'!A0" && first["salesperson"] as? String == "-2+3")
        #expect(first["contact"] as? String == "@SUM(1+1)" && first["phone"] as? String == "+1 555 0100")
        #expect(first["notes"] as? String == "'=already quoted")
        let second = try #require(deals.first { ($0["title"] as? String)?.hasPrefix("=WEBSERVICE") == true })
        #expect(second["customer"] as? String == "-12.50" && second["contact"] as? String == "''=x")
        #expect(second["tags"] as? [String] == ["=1+1", "plain"] && second["salesperson"] as? String == "'plain")
    }

    /// SQLite only: the text is planted through SQLite, behind the program's back.
    /// Text planted by another SQLite tool behind the program's back (the program never
    /// stores it) shows inert on every output: no ESC, C0 or C1 control, no bidirectional
    /// override; JSON escapes it.
    @Test func controlCharactersPlantedInTheDatabaseNeverReachAnOutput() throws {
        let cli = CLI()
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["opp", "add", "Deal", "--tag", "vip", "--notes", "note"])
        cli.ok(["opp", "lost", "Deal", "--reason", "price"])
        cli.ok(["lead", "add", "Lead"])
        let escape = "char(27) || '[2J' || char(27) || ']0;owned' || char(7) || char(155) || '31m' || char(8238) || char(9) || char(13)"
        try SQLiteFile.execute("""
            UPDATE opportunity SET title = title || \(escape), customer_name = \(escape), contact_name = \(escape),
                email = \(escape), phone = \(escape), salesperson = \(escape), tags = tags || \(escape),
                notes = notes || \(escape), lost_reason = \(escape);
            UPDATE stage SET name = name || \(escape), requirements = \(escape) WHERE id = 1;
            UPDATE team SET name = name || \(escape);
            INSERT INTO setting (key, value) VALUES ('language', \(escape))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """, on: cli.database)
        let commands: [[String]] = [
            ["opp", "list", "--archived"], ["opp", "show", "1"], ["stage", "list"], ["team", "list"], ["forecast"],
            ["forecast", "--by", "salesperson"], ["settings", "list"], ["settings", "get", "language"], ["lead", "list"],
            ["lead", "show", "2"], ["export"], ["export", "--what", "leads"], ["export", "--what", "stages"],
            ["export", "--format", "json"], ["opp", "list", "--json", "--archived"], ["opp", "show", "1", "--json"],
            ["stage", "list", "--json"], ["opp", "show", "Nothing"],
        ]
        for command in commands {
            let result = cli.run(command)
            let bytes = result.stdoutBytes + Array(result.stderr.utf8)
            #expect(!bytes.isEmpty, "\(command)")
            #expect(Self.controls(in: bytes).isEmpty, "\(command): \(Self.controls(in: bytes)) in \(result.stdout)\(result.stderr)")
        }
        let file = cli.path("out.csv")
        cli.ok(["export", "--out", file])
        #expect(Self.controls(in: Array(try Data(contentsOf: URL(fileURLWithPath: file)))).isEmpty)
        // JSON says what is there, escaped.
        #expect(cli.run(["opp", "show", "1", "--json"]).stdout.contains("\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m\\u202e\\t\\r"))
    }

    /// Every byte of `bytes` that is a control (but the line feed the formats need), and
    /// every bidirectional override, in UTF-8.
    static func controls(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }.map { String(format: "U+%04X", $0.value) }
    }
}
