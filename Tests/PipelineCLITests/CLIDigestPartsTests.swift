import Foundation
import PipelineCore
import Testing

/// Issue 14's findings, fixed: the digest names what made each part of the explained
/// difference; tables never cut a label or an amount at 80 columns; the small wordings.
@Suite("CLI: what made each part, whole tables, wordings")
struct CLIDigestPartsTests {
    static let now = "2026-12-03T12:00:00Z"

    /// Seven new deals (two more than text shows), a deal lost and restored in the period, a
    /// stage's probability change that moved two deals, an amount and a probability edited,
    /// an archive.
    static func history(_ cli: CLI) {
        let at = { (instant: String, arguments: [String]) in CLIDigestTests.at(cli, instant, arguments) }
        at("2026-11-30T10:00:00Z", ["opp", "add", "Alpha", "--revenue", "1,000", "--stage", "Qualified"])
        at("2026-11-30T10:01:00Z", ["opp", "add", "Beta", "--revenue", "2,000", "--stage", "Qualified"])
        at("2026-11-30T10:02:00Z", ["opp", "add", "Gamma", "--revenue", "3,000", "--stage", "Proposition"])
        for index in 1...7 { at("2026-12-01T09:0\(index):00Z", ["opp", "add", "N\(index)", "--revenue", "\(index)00", "--stage", "Proposition"]) }
        at("2026-12-01T10:00:00Z", ["opp", "lost", "Gamma", "--reason", "price"])
        at("2026-12-02T10:00:00Z", ["opp", "restore", "Gamma"])
        at("2026-12-02T11:00:00Z", ["stage", "edit", "Qualified", "--probability", "35"])
        at("2026-12-02T12:00:00Z", ["opp", "edit", "Alpha", "--revenue", "1,500"])
        at("2026-12-03T09:00:00Z", ["opp", "edit", "Beta", "--probability", "70"])
        at("2026-12-03T10:00:00Z", ["opp", "archive", "N1"])
    }

    /// Each part's items add up to the part, per currency (JSON has them all); a deal lost and
    /// restored is under Lost and under Reopened; a stage's change names the stage and the two
    /// deals; text shows the five largest and sums the rest, within 80 columns, in both
    /// languages, and Markdown the same.
    @Test(arguments: StoreEngine.allCases) func eachPartListsWhatMadeIt(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        Self.history(cli)
        let json = CLIDigestTests.object(cli, Self.now, ["digest", "--since", "2026-12-01", "--format", "json"])
        let usd = try #require((json["pipeline"] as? [[String: Any]])?.first { $0["currency"] as? String == "USD" })
        let parts = (usd["parts"] as? [String: Any] ?? [:]).compactMapValues(CLIDigestTests.minor)
        let items = usd["items"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(items.keys) == Set(parts.keys) && parts.count == DigestCause.allCases.count)
        for (cause, part) in parts {
            let listed = (items[cause] ?? []).compactMap { CLIDigestTests.minor($0["amount"]) }
            #expect(listed.count == items[cause]?.count && listed.reduce(0, +) == part, "\(cause): \(listed) ≠ \(part)")
        }
        #expect(items["new"]?.count == 7 && items["new"]?.first?["title"] as? String == "N7")
        let gamma = { (cause: String) in items[cause]?.contains { $0["title"] as? String == "Gamma" } == true }
        #expect(gamma("lost") && gamma("restored"))
        let stage = try #require(items["stage_probability"]?.first)
        #expect(stage["stage"] as? String == "Qualified" && stage["deals"] as? Int == 2 && stage["probability"] as? Int == 35)
        #expect(CLIDigestTests.minor(stage["amount"]) == 600_00)  // Alpha $1,000 and Beta $2,000: 15 % → 35 %

        let text = CLIDigestTests.at(cli, Self.now, ["digest", "--since", "2026-12-01"]).stdout
        #expect(text.contains("Qualified set to 35%: 2 deals, by "), "\(text)")
        #expect(text.contains("+$350.00  #10 N7, by ") && text.contains("and 2 more") && !text.contains("#5 N2,"), "\(text)")
        // The five largest new deals and the rest: +$350 +$300 +$250 +$200 +$150, and +$150 for N1 and N2.
        #expect(text.contains("+$150.00  and 2 more"), "\(text)")
        #expect(text.components(separatedBy: "#3 Gamma, by ").count == 3, "\(text)")  // under Lost and under Reopened
        for line in text.split(separator: "\n") { #expect(displayWidth(line) <= 80, "\(line)") }
        let vietnamese = CLIDigestTests.at(cli, Self.now, ["--lang", "vi", "digest", "--since", "2026-12-01"]).stdout
        #expect(vietnamese.contains("Qualified đổi thành 35%: 2 cơ hội") && vietnamese.contains("và 2 mục khác"), "\(vietnamese)")
        for line in vietnamese.split(separator: "\n") { #expect(displayWidth(line) <= 80, "\(line)") }
        let markdown = CLIDigestTests.at(cli, Self.now, ["digest", "--since", "2026-12-01", "--format", "markdown"]).stdout
        #expect(markdown.contains("### Lost (USD): -$1,500.00\n\n- -$1,500.00: #3 Gamma"), "\(markdown)")
        #expect(markdown.contains("### Reopened (USD): +$1,500.00\n\n- +$1,500.00: #3 Gamma") && markdown.contains("- +$150.00: and 2 more"), "\(markdown)")
    }

    /// Billions at 80 columns in both languages: `forecast --range`, `forecast` and `stage
    /// list` (a long team name and stage name) cut nothing — no `…`, every word of every
    /// label and every amount whole, no line longer than 80; at 50 columns the range stacks.
    @Test(arguments: StoreEngine.allCases, [Language.english, .vietnamese])
    func tablesNeverCutALabelOrAnAmount(_ engine: StoreEngine, _ language: Language) throws {
        let cli = try CLI(engine: engine, language: language == .vietnamese ? "vi_VN.UTF-8" : nil)
        let team = "Khách hàng doanh nghiệp lớn miền Bắc"
        cli.ok(["team", "add", team])
        cli.ok(["stage", "add", "Thương lượng hợp đồng khung", "--team", team, "--scope", "team", "--probability", "60"])
        cli.ok(["opp", "add", "Big", "--revenue", "3000000000", "--stage", "3", "--close-date", "2027-01-31"])
        cli.ok(["opp", "add", "Bigger", "--revenue", "9000000000", "--stage", "2"])
        cli.ok(["opp", "add", "Small", "--revenue", "2000", "--stage", "1"])
        let labels = [Catalogue.text("forecast.open", language), Catalogue.text("cli.forecast.noClosingDate", language), team,
                      "Thương lượng hợp đồng khung"]
        // The default currency is USD in English, VND in Vietnamese (grouped with ".").
        let amounts = ["3,000,000,000", "9,000,000,000", "12,000,002,000"].map {
            language == .vietnamese ? $0.replacingOccurrences(of: ",", with: ".") : $0
        }
        var seen = ""
        for command in [["forecast", "--range"], ["forecast"], ["forecast", "--by", "month"], ["stage", "list", "--team", team]] {
            let result = cli.run(command, environment: ["COLUMNS": "80"])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            // Only a requirement, free text shown by its first words, may end with "…".
            #expect(command.contains("list") || !result.stdout.contains("…"), "\(command):\n\(result.stdout)")
            for line in result.stdout.split(separator: "\n") { #expect(displayWidth(line) <= 80, "\(command): \(line)") }
            seen += result.stdout
        }
        let words = Set(seen.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for label in labels { for word in label.split(separator: " ") { #expect(words.contains(String(word)), "\(word) of \(label):\n\(seen)") } }
        for amount in amounts { #expect(words.contains { $0.contains(amount) }, "\(amount):\n\(seen)") }

        let narrow = cli.run(["forecast", "--range"], environment: ["COLUMNS": "50"])
        #expect(narrow.status == 0 && !narrow.stdout.contains("…"), "\(narrow.stdout)")
        for line in narrow.stdout.split(separator: "\n") { #expect(displayWidth(line) <= 50, "\(line)") }
        #expect(narrow.stdout.contains("\n  P90 ") && narrow.stdout.contains(amounts[0]), "\(narrow.stdout)")
    }

    /// A listing stays a line a row at 80 columns: with VND amounts in the hundreds of millions
    /// and archived deals (" (archived)" after the title), `opp list --archived` cuts its titles
    /// and customers below their usual width rather than stacking each deal as a block (the
    /// new-user trial); its amounts stay whole.
    @Test func aListingCutsItsTitlesRatherThanStack() throws {
        let cli = try CLI()
        for index in 1...4 {
            cli.ok(["opp", "add", "Deal \(index) with a long name", "--customer", "Customer \(index) Ltd", "--revenue", "210000000",
                    "--currency", "VND", "--stage", "Negotiation"])
            cli.ok(["opp", "archive", "\(index)"])
        }
        let result = cli.run(["opp", "list", "--archived"], environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5, "a heading and four rows:\n\(result.stdout)")
        for line in lines { #expect(displayWidth(line) <= 80, "\(line)") }
        #expect(result.stdout.contains("210,000,000 VND") && result.stdout.contains("…"), "\(result.stdout)")
    }

    /// `--since 0d` is today, said as today; XAU is an ISO 4217 code, but not of a currency
    /// of amounts; an unknown team names the option as typed; Vietnamese writes 0,01 %.
    @Test(arguments: StoreEngine.allCases) func theSmallWordings(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        CLIDigestTests.at(cli, "2026-12-03T09:00:00Z", ["opp", "add", "Gold", "--revenue", "5,000,000,000"])
        CLIDigestTests.at(cli, "2026-12-03T09:01:00Z", ["opp", "edit", "Gold", "--probability", "0.01"])
        for since in ["0d", "-0d", "today"] {
            let today = CLIDigestTests.at(cli, Self.now, ["digest", "--since", since]).stdout
            #expect(today.hasPrefix("Digest of all teams, today 2026-12-03\n"), "\(since): \(today)")
        }
        let homNay = CLIDigestTests.at(cli, Self.now, ["--lang", "vi", "digest", "--since", "0d"]).stdout
        #expect(homNay.hasPrefix("Tóm tắt mọi nhóm, hôm nay 03/12/2026\n"), "\(homNay)")
        let oneDay = CLIDigestTests.at(cli, Self.now, ["digest", "--from", "2026-12-02", "--to", "2026-12-02"]).stdout
        #expect(oneDay.hasPrefix("Digest of all teams, 2026-12-02\n"), "\(oneDay)")

        let gold = cli.run(["opp", "add", "Bar", "--revenue", "5", "--currency", "XAU"])
        #expect(gold.status == 65 && gold.stderr.contains("'XAU' is an ISO 4217 code, but of a metal") && !gold.stderr.contains("not an ISO 4217"), "\(gold.stderr)")
        let made = cli.run(["opp", "add", "Bar", "--revenue", "5", "--currency", "USX"])
        #expect(made.status == 65 && made.stderr.contains("'USX' is not an ISO 4217 code"), "\(made.stderr)")

        for command in [["forecast"], ["digest"], ["stage", "list"], ["opp", "list"], ["stats", "stages"]] {
            let result = cli.run(command + ["--team", "Nobody"], environment: ["PIPELINE_NOW": Self.now])
            #expect(result.status == 65 && result.stderr == "error: --team: no team 'Nobody'\n", "\(command): \(result.stderr)")
        }
        let nhom = cli.run(["--lang", "vi", "forecast", "--team", "Nobody"])
        #expect(nhom.stderr == "lỗi: --team: không có nhóm 'Nobody'\n", "\(nhom.stderr)")

        let english = CLIDigestTests.at(cli, Self.now, ["forecast", "--range"]).stdout
        #expect(english.contains("at 0.01%"), "\(english)")
        let vietnamese = CLIDigestTests.at(cli, Self.now, ["--lang", "vi", "forecast", "--range"]).stdout
        #expect(vietnamese.contains("với xác suất 0,01%") && !vietnamese.contains("0.01%"), "\(vietnamese)")
    }
}
