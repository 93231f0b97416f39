import Foundation
import PipelineCore
import Testing

/// Tables as wide as the reader's screen: the terminal's width, else `COLUMNS` when the
/// output is piped, else 80; headings whole in both languages.
@Suite("CLI: tables")
struct CLITableTests {
    static let longTitle = "Hợp đồng Vinamilk giai đoạn hai với nhiều hạng mục"
    static let longCustomer = "Công ty cổ phần sữa Việt Nam chi nhánh Hà Nội"

    static func seeded(_ engine: StoreEngine, language: String? = nil) throws -> CLI {
        let cli = try CLI(engine: engine, language: language)
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["opp", "add", longTitle, "--customer", longCustomer, "--salesperson", "Lan", "--close-date", "2027-01-31"])
        cli.ok(["opp", "add", "Acme renewal", "--customer", "Acme", "--stage", "2"])
        cli.ok(["lead", "add", "Acme app", "--company", longCustomer, "--contact", "Ana Smith", "--email", "ana@acme.example"])
        cli.ok(["stage", "remove", "4"])  // so that `stage suggest` has a step to suggest
        return cli
    }

    static let tableCommands = [["opp", "list"], ["stage", "list"], ["lead", "list"], ["lead", "duplicates", "3"], ["team", "list"],
                                ["settings", "list"], ["stage", "suggest"], ["forecast"], ["forecast", "--by", "month"],
                                ["forecast", "--by", "salesperson"]]

    @Test(arguments: StoreEngine.allCases) func pipedTablesTakeTheWidthCOLUMNSGivesElse80(_ engine: StoreEngine) throws {
        let cli = try Self.seeded(engine)
        let wide = cli.run(["opp", "list"], environment: ["COLUMNS": "200"])
        #expect(wide.status == 0)
        #expect(wide.stdout.contains(Self.longTitle) && wide.stdout.contains(Self.longCustomer), "\(wide.stdout)")
        for line in wide.stdout.split(separator: "\n") { #expect(displayWidth(line) <= 200) }
        for (columns, environment) in [(80, [String: String]()), (100, ["COLUMNS": "100"]), (80, ["COLUMNS": "not a number"])] {
            let result = cli.run(["opp", "list"], environment: environment)
            #expect(result.status == 0)
            #expect(!result.stdout.contains(Self.longTitle), "\(environment): the title fitted anyway")
            for line in result.stdout.split(separator: "\n") { #expect(displayWidth(line) <= columns, "\(environment): \(line)") }
        }
    }

    @Test(.enabled(if: tmuxAvailable), arguments: StoreEngine.allCases)
    func onATerminalTablesTakeItsWidthWhateverCOLUMNSSays(_ engine: StoreEngine) throws {
        let cli = try Self.seeded(engine)
        let command = "env COLUMNS=60 HOME=\(cli.folder.path) \(CLI.binary) opp list \(cli.databaseOption); echo EXIT=$?; sleep 60"
        let tmux = Tmux(columns: 160, rows: 10, command: command)
        let screen = tmux.waitFor("EXIT=")
        #expect(screen.contains("EXIT=0"))
        #expect(screen.contains(Self.longTitle) && screen.contains(Self.longCustomer), "\(screen)")
    }

    /// No heading is cut (`TỰ …`, `THU…`): at 80 columns a heading wider than its column wraps
    /// between words onto a second header line; given room, it stands on one line.
    @Test(arguments: StoreEngine.allCases, [Language.vietnamese, .english])
    func headingsAreWholeAtEveryWidth(_ engine: StoreEngine, _ language: Language) throws {
        let cli = try Self.seeded(engine, language: language == .vietnamese ? "vi_VN.UTF-8" : nil)
        let headings = Catalogue.table(language).filter { $0.key.hasPrefix("cli.column.") }.map(\.value)
            + ["stage", "month", "salesperson"].map { Catalogue.text("cli.forecast.by.\($0)", language).uppercased() }
        for columns in ["80", "200"] {
            var seen = ""
            for command in Self.tableCommands {
                let result = cli.run(command, environment: ["COLUMNS": columns])
                #expect(result.status == 0, "\(command): \(result.stderr)")
                seen += result.stdout
                for heading in headings {
                    for length in 2..<heading.count {
                        let cut = heading.prefix(length).trimmingCharacters(in: .whitespaces) + "…"
                        #expect(!result.stdout.contains(cut), "\(command) at \(columns): '\(heading)' cut to '\(cut)'\n\(result.stdout)")
                    }
                }
                if columns == "200" {
                    // With room, every heading of the table stands whole on its one header line.
                    let header = result.stdout.split(separator: "\n").first { line in headings.contains { line.contains($0) } }
                    #expect(header != nil, "\(command): no header line\n\(result.stdout)")
                }
            }
            // Every heading word the tables use is there whole.
            let words = Set(seen.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            for heading in headings {
                let used = heading.split(separator: " ").contains { words.contains(String($0)) }
                guard used else { continue }
                for word in heading.split(separator: " ") { #expect(words.contains(String(word)), "'\(word)' of '\(heading)' at \(columns)") }
            }
        }
    }

    /// Only stages have a probability: grouped by month or salesperson there is no PROB column.
    @Test(arguments: StoreEngine.allCases, [Language.english, .vietnamese])
    func forecastsByMonthOrSalespersonHaveNoProbabilityColumn(_ engine: StoreEngine, _ language: Language) throws {
        let cli = try Self.seeded(engine, language: language == .vietnamese ? "vi_VN.UTF-8" : nil)
        let heading = Catalogue.text("cli.column.probability", language)
        // "THEO XÁC SUẤT" (weighted) holds "XÁC SUẤT" (probability).
        let weighted = Catalogue.text("cli.column.weighted", language)
        #expect(cli.ok(["forecast"]).stdout.replacingOccurrences(of: weighted, with: "").contains(heading))
        for grouping in ["month", "salesperson"] {
            let output = cli.ok(["forecast", "--by", grouping]).stdout.replacingOccurrences(of: weighted, with: "")
            #expect(!output.contains(heading), "\(grouping):\n\(output)")
            #expect(!output.contains("%"), "\(grouping):\n\(output)")
        }
        let byMonth = cli.run(["forecast", "--by", "month"], environment: ["COLUMNS": "200"]).stdout
        #expect(byMonth.contains("2027-01"))
    }
}
