import Foundation
import PipelineCore
import PostgresClient
import Testing

/// Vietnamese is Vietnamese everywhere: every command, its help, its successes and its
/// refusals, run in Vietnamese, and no word of the English catalogue in what it prints.
///
/// Set aside, and only these: what the user typed (names, values); what is code rather than
/// prose (a `pipeline …` command line, an option and its value, a quoted literal such as a
/// setting's value or a file's column, a path, an environment variable); the words the
/// Vietnamese catalogue itself uses (`email`, `terminal`, `CSV`…); and ArgumentParser's own
/// fixed words, which it offers no way to translate (Docs/decisions.md), listed below one by
/// one. `pipeline dev` is English on purpose (a tool for tests and support) and not run.
@Suite("CLI: Vietnamese everywhere")
struct CLIVietnameseTests {
    /// ArgumentParser's fixed words, exactly as it prints them (regular expressions).
    static let argumentParserPhrases = [
        #"OVERVIEW:"#, #"USAGE:"#, #"ARGUMENTS:"#, #"OPTIONS:"#, #"SUBCOMMANDS:"#,
        #"Show the version\."#, #"Show help information\."#, #" \(default\)"#,
        #"See 'pipeline help[^']*' for detailed help\."#, #"See 'pipeline[^']*' for more information\."#,
        #"Error: "#, #"Help: "#, #"Usage: "#, #"Missing expected argument"#, #"Unexpected argument"#, #"Unknown option"#,
        #"Did you mean '[^']*'\?"#, #"The value '[^']*' is invalid for"#,
    ]

    /// What is code, not prose, in a message or a help text (regular expressions).
    static let codeContexts = [
        // A server's address as messages name it (`postgresql://lan@/sales?host=/run/postgresql&port=5432`).
        #"postgres(?:ql)?://\S+"#,
        // A command line: `pipeline settings set leads on`, `pipeline lead add TIÊU_ĐỀ`.
        #"pipeline(?:\s+(?:--?[a-z][a-z-]*|[a-z][a-z0-9-]*|[\p{Lu}_]+|\{\d\}|\d+))+"#,
        // An option and its value: `--move-to STAGE`, `--what all`, `--merge-with ID,ID`.
        #"--[a-z][a-z-]*(?:[ =](?:[a-z0-9][a-z0-9,|-]*|[\p{Lu}_]+(?:,[\p{Lu}_]+)*))?"#,
        // Quoted literals and placeholders.
        #"'[^'\n]*'"#, #""[^"\n]*""#, #"`[^`\n]*`"#, #"‘[^’\n]*’"#, #"<[^>\n]*>"#,
        // Command names where a help lists them (`  opp   Thêm, liệt kê…`).
        #"(?m)^  [a-z][a-z-]*(?= |$)"#,
        // Paths and environment variables.
        #"\$[A-Z_]+"#, #"[~\w.$-]*/[\w./-]+"#,
    ]

    static func removingCode(_ text: String) -> String {
        var text = text
        for pattern in argumentParserPhrases + codeContexts {
            guard let regex = try? Regex(pattern) else { Issue.record("bad pattern \(pattern)"); continue }
            text = text.replacing(regex, with: " ")
        }
        return text
    }

    /// The words of `text` written in ASCII letters only (a Vietnamese word with a
    /// diacritic is one word, never read as English fragments).
    static func asciiWords(_ text: String) -> [String] {
        text.split { !$0.isLetter }.map(String.init).filter { word in word.unicodeScalars.allSatisfy { $0.isASCII } }
    }

    static func isPlaceholder(_ word: String) -> Bool { word.count > 1 && word.allSatisfy(\.isUppercase) }

    /// Words the Vietnamese catalogue uses in its own prose: Vietnamese words written without
    /// diacritics (`cho`, `theo`), loan words (`email`, `terminal`), names (`CSV`, `Odoo`),
    /// and placeholders in capitals (`STAGE`, only in capitals).
    static let vietnameseProse: (words: Set<String>, placeholders: Set<String>) = {
        let words = Catalogue.table(.vietnamese).values.flatMap { asciiWords(removingCode($0)) }
        return (Set(words.filter { !isPlaceholder($0) }.map { $0.lowercased() }), Set(words.filter(isPlaceholder)))
    }()

    /// The English catalogue's words that Vietnamese prose never uses, lower-cased.
    static let englishOnly: Set<String> = {
        let words = Catalogue.table(.english).values.flatMap { asciiWords(removingCode($0)) }.map { $0.lowercased() }
        return Set(words.filter { $0.count > 1 }).subtracting(vietnameseProse.words)
    }()

    /// English words in `output`, once what `typed` holds and what is code are set aside.
    static func englishWords(in output: String, typed: [String], allowing: Set<String> = []) -> [String] {
        var text = output
        for value in typed.sorted(by: { $0.count > $1.count }) where value.count > 1 {
            // Whole words only (a typed "on" must not take a bite out of "phone"), and the
            // value as a table cuts it too ("Hợp đồng Be…").
            let prefixes = (1..<value.count).map { NSRegularExpression.escapedPattern(for: String(value.prefix($0))) + "…" }
            let pattern = "(?<![\\p{L}\\p{N}])(?:" + ([NSRegularExpression.escapedPattern(for: value)] + prefixes).joined(separator: "|")
                + ")(?![\\p{L}\\p{N}])"
            guard let regex = try? NSRegularExpression(pattern: pattern) else { Issue.record("bad pattern for \(value)"); continue }
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: " ")
        }
        return asciiWords(removingCode(text)).filter { word in
            if allowing.contains(word) { return false }
            if isPlaceholder(word), vietnameseProse.placeholders.contains(word) { return false }
            return englishOnly.contains(word.lowercased())
        }
    }

    /// The detector itself: English is found, its Vietnamese translation passes.
    @Test func theScanFindsEnglishAndPassesVietnamese() {
        #expect(Self.englishWords(in: "lỗi: tiềm năng: 2 có thể bị trùng (1 opportunity Hợp đồng); hãy dùng --no-merge", typed: [])
                == ["opportunity"])
        #expect(Self.englishWords(in: "Đã xóa giai đoạn 3 'Mới'; đã chuyển 2 opportunities sang 'Đề xuất'.", typed: []) == ["opportunities"])
        #expect(Self.englishWords(in: "STT  MÃ  GIAI ĐOẠN  PROB  DEALS", typed: []) == ["PROB", "DEALS"])
        #expect(Self.englishWords(in: "Cơ hội thất bại 1 'Deal' (archived): Too expensive.", typed: ["Deal", "Too expensive"]) == ["archived"])
        // The nouns that leak most are not words Vietnamese prose uses (a file's values are quoted).
        #expect(Self.englishOnly.contains("opportunity") && Self.englishOnly.contains("lead") && Self.englishOnly.contains("deals"))
        print("Vietnamese prose words also in English: \(Self.vietnameseProse.words.sorted()) \(Self.vietnameseProse.placeholders.sorted())")
    }

    /// Setting names and values are what a user types (`pipeline settings set leads on`):
    /// the settings' own commands show them as they are (Docs/decisions.md).
    static let settingWords: Set<String> = ["team", "currency", "language", "direction", "leads", "rtl", "ltr", "on", "off", "en", "vi"]

    /// The words that name commands, not values a user typed.
    static let commandWords: Set<String> = [
        "board", "team", "stage", "opp", "lead", "forecast", "export", "import", "settings", "help",
        "list", "add", "rename", "remove", "edit", "move", "suggest", "show", "won", "lost", "restore", "archive",
        "delete", "duplicates", "convert", "get", "set", "db", "copy", "check", "user",
        "activity", "type", "done", "reschedule", "note", "stats", "stages", "digest",
    ]

    struct Run {
        var arguments: [String]
        var status: Int32
        var output: String
        var allowing: Set<String>
    }

    /// Every command of the CLI, in Vietnamese: its help, its successes and its refusals.
    @Test(arguments: StoreEngine.allCases)
    func everyCommandSpeaksVietnameseInSuccessAndRefusal(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "vi_VN.UTF-8")
        var runs: [Run] = []
        @discardableResult
        func run(_ arguments: [String], _ status: Int32, allowing: Set<String> = [], database: Bool = true,
                 sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
            let result = cli.run(arguments, database: database)
            #expect(result.status == status, "pipeline \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)",
                    sourceLocation: sourceLocation)
            runs.append(Run(arguments: arguments, status: result.status, output: result.stdout + "\n" + result.stderr, allowing: allowing))
            return result
        }
        func id(_ title: String) -> String {
            let leads = cli.run(["lead", "list", "--lost", "--json"]).stdout  // refused while leads are off
            let records = cli.objects(["opp", "list", "--archived"])
                + ((try? JSONSerialization.jsonObject(with: Data(leads.utf8))) as? [[String: Any]] ?? [])
            return (records.first { $0["title"] as? String == title }?["id"] as? Int).map(String.init) ?? "?"
        }
        func file(_ name: String, _ text: String) throws -> String {
            let path = cli.folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        // The help of every command.
        let root = run(["--help"], 0, database: false)
        let groups = Self.subcommands(in: root.stdout)
        #expect(groups.contains("opp") && groups.contains("settings"), "\(root.stdout)")
        var leaves: [[String]] = []
        for group in groups {
            let help = run([group, "--help"], 0)
            let children = Self.subcommands(in: help.stdout)
            leaves += children.isEmpty ? [[group]] : children.map { [group, $0] }
            for child in children { run([group, child, "--help"], 0) }
        }

        // Leads are off at first.
        run(["lead", "list"], 65)

        // Teams.
        run(["team", "list"], 0)
        run(["team", "add", "Xuất khẩu"], 0)
        run(["team", "add", "xuất khẩu"], 65)
        run(["team", "rename", "Xuất khẩu", "Quốc tế"], 0)
        run(["team", "rename", "Không có", "Khác"], 65)

        // Stages.
        run(["stage", "list"], 0)
        run(["stage", "add", "Trình diễn", "--probability", "30", "--position", "3"], 0)  // the seventh: a hint
        run(["stage", "add", "Trình diễn"], 65)
        run(["stage", "add", "Khác", "--probability", "150"], 65)
        run(["stage", "add", "Khác", "--scope", "toàn-cầu"], 64)
        run(["stage", "add", "Khác", "--position", "x"], 65)
        run(["stage", "edit", "Trình diễn", "--probability", "35", "--requirements", "Đã trình diễn sản phẩm"], 0)
        run(["stage", "edit", "Chốt được cơ hội", "--probability", "50"], 65)
        run(["stage", "edit", "Trình diễn"], 65)
        run(["stage", "edit", "Không có", "--fold"], 65)
        run(["stage", "move", "Trình diễn", "--position", "4"], 0)
        run(["stage", "move", "Trình diễn", "--position", "40"], 65)
        run(["stage", "move", "Trình diễn"], 64)
        run(["stage", "suggest"], 0)

        // Opportunities.
        run(["opp", "list"], 0)
        run(["opp", "add", "Hợp đồng Acme", "--customer", "Công ty Acme", "--email", "lan@acme.vn", "--revenue", "1.500.000",
             "--close-date", "31/12/2026", "--tag", "vip", "--priority", "2", "--salesperson", "Lan", "--notes", "Dòng một\nDòng hai"], 0)
        run(["opp", "add", "Hợp đồng Beta", "--revenue", "2.000,50", "--currency", "USD", "--stage", "Đề xuất"], 0)
        run(["opp", "add", "hợp đồng beta", "--stage", "Thương lượng", "--probability", "80"], 0)
        for (option, value) in [("--revenue", "1,5"), ("--revenue", "abc"), ("--close-date", "32/13/2026"), ("--currency", "đồng"),
                                ("--email", "không-phải-email"), ("--priority", "5"), ("--probability", "-1"), ("--tag", "a,b"),
                                ("--phone", "gọi tôi"), ("--stage", "Không có")] {
            run(["opp", "add", "Sai", option, value], 65)
        }
        run(["opp", "add", "  "], 65)
        run(["opp", "add", "Sai\u{1B}[31m"], 65)
        run(["opp", "add"], 64)
        run(["opp", "add", "Sai", "--không-có"], 64)
        run(["opp", "list"], 0)
        run(["opp", "list", "--stage", "Mới"], 0)
        run(["opp", "list", "--team", "Không có"], 65)
        run(["opp", "show", "Hợp đồng Acme"], 0)
        run(["opp", "show", "Hợp đồng Beta"], 65)  // two deals share the title
        run(["opp", "show", "999"], 65)
        run(["opp", "edit", "Hợp đồng Acme", "--title", "Hợp đồng Acme hai", "--stage", "Chất lượng"], 0)
        run(["opp", "edit", "Hợp đồng Acme hai", "--revenue", "abc"], 65)
        run(["opp", "move", "Hợp đồng Acme hai", "--to", "Thương lượng"], 0)
        run(["opp", "move", "Hợp đồng Acme hai", "--to", "Không có"], 65)
        run(["opp", "lost", "Hợp đồng Acme hai", "--reason", "Giá quá cao"], 0)
        run(["opp", "lost", "Hợp đồng Acme hai"], 64)
        run(["opp", "lost", id("Hợp đồng Beta"), "--reason", "  "], 65)
        run(["opp", "show", "Hợp đồng Acme hai"], 0)
        run(["opp", "restore", "Hợp đồng Acme hai"], 0)
        run(["opp", "restore", "Hợp đồng Acme hai"], 65)
        run(["opp", "won", "Hợp đồng Acme hai"], 0)
        run(["opp", "archive", "Hợp đồng Acme hai"], 0)
        run(["opp", "list", "--archived"], 0)
        run(["opp", "delete", "Hợp đồng Acme hai"], 0)
        run(["opp", "delete", "Không có"], 65)

        // The forecast.
        run(["forecast"], 0)
        run(["forecast", "--by", "month"], 0)
        run(["forecast", "--by", "salesperson"], 0)
        run(["forecast", "--by", "năm"], 64)
        run(["forecast", "--team", "Không có"], 65)

        // Activities, notes, the deal's page, my deals and rotting (issue 13).
        let beta = id("Hợp đồng Beta")
        run(["activity", "type", "list"], 0)
        run(["activity", "type", "add", "Ghé thăm", "--next", "gọi điện", "--delay", "2"], 0)
        run(["activity", "type", "add", "ghé thăm"], 65)
        run(["activity", "type", "add", "Khác", "--delay", "400"], 65)
        run(["activity", "type", "edit", "Ghé thăm", "--name", "Thăm khách hàng"], 0)
        run(["activity", "type", "edit", "Không có", "--delay", "1"], 65)
        run(["activity", "type", "remove", "Thăm khách hàng"], 0)
        run(["activity", "type", "remove", "Không có"], 65)
        run(["activity", "add", beta, "--type", "gọi điện", "--due", "ngày mai", "--time", "14:30", "--summary", "Gọi chị Lan"], 0)
        run(["activity", "add", beta, "--type", "cuộc họp", "--due", "02/01/2020", "--summary", "Họp báo giá", "--note", "Mang bảng giá"], 0)
        run(["activity", "add", beta, "--type", "fax", "--due", "ngày mai", "--summary", "Sai"], 65)
        run(["activity", "add", beta, "--type", "gọi điện", "--due", "31/02/2027", "--summary", "Sai"], 65)
        run(["activity", "add", beta, "--type", "gọi điện", "--due", "ngày mai", "--time", "25:00", "--summary", "Sai"], 65)
        run(["activity", "add", beta, "--type", "gọi điện", "--due", "ngày mai", "--summary", " "], 65)
        run(["activity", "list"], 0)
        run(["activity", "list", "--team", "Bán hàng", "--done"], 0)
        run(["activity", "list", "--team", "Bán hàng", "--overdue"], 0)
        run(["activity", "list", "--mine", "--user", "Lan"], 64)
        run(["activity", "edit", "1", "--summary", "Gọi lại chị Lan", "--no-time"], 0)
        run(["activity", "edit", "1"], 65)
        run(["activity", "reschedule", "1", "+1w", "--time", "9:00"], 0)
        run(["activity", "reschedule", "1", "hôm qua"], 65)
        run(["activity", "done", "2", "--feedback", "Khách đồng ý", "--next", "gọi điện", "--due", "+3d"], 0)
        run(["activity", "done", "2"], 65)
        run(["activity", "done", "99"], 65)
        run(["activity", "done", "1", "--due", "ngày mai"], 64)
        run(["activity", "remove", "1"], 0)
        run(["activity", "remove", "1"], 65)
        run(["opp", "note", beta, "Khách muốn giảm giá"], 0)
        run(["opp", "note", "add", beta, "Đã gửi báo giá"], 0)
        run(["opp", "note", beta, "  "], 65)
        run(["opp", "note", "remove", "1"], 0)
        run(["opp", "note", "remove", "1"], 65)
        run(["opp", "show", beta], 0)
        run(["opp", "list", "--mine"], 0)
        run(["opp", "list", "--rotting"], 0)
        run(["forecast", "--mine"], 0)
        // The figures (issue 14).
        run(["forecast", "--range"], 0)
        run(["forecast", "--range", "--by", "month"], 64)
        run(["stats", "stages"], 0)
        run(["stats", "stages", "--since", "không phải ngày"], 65)
        run(["digest"], 0)
        run(["digest", "--format", "markdown", "--since", "30d"], 0)
        run(["digest", "--from", "hôm nay", "--to", "2000-01-01"], 65)
        run(["digest", "--since", "không phải ngày"], 65)
        run(["stage", "edit", "Mới", "--rotting-days", "14"], 0)
        run(["stage", "list"], 0)
        run(["stage", "edit", "Mới", "--rotting-days", "tắt"], 0)
        run(["stage", "edit", "Mới", "--rotting-days", "mãi mãi"], 65)

        // Settings.
        run(["settings", "list"], 0, allowing: Self.settingWords)
        run(["settings", "get", "currency"], 0, allowing: Self.settingWords)
        run(["settings", "set", "direction", "ltr"], 0, allowing: Self.settingWords)
        run(["settings", "set", "direction", "lên"], 65, allowing: Self.settingWords)
        run(["settings", "get", "màu"], 65, allowing: Self.settingWords)
        run(["settings", "set", "leads", "on"], 0, allowing: Self.settingWords)

        // Users and the team setting "own deals only": a file has none (78); a server's owner
        // adds, lists, changes and removes them.
        let onServer = engine == .postgresql
        let login = "lan_" + UUID().uuidString.lowercased().prefix(8)
        defer {
            if let server = cli.server {
                _ = try? server.connect().executeScript("DROP OWNED BY \"\(login)\"")
                _ = try? ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port)
                    .executeScript("DROP ROLE IF EXISTS \"\(login)\"")
            }
        }
        run(["user", "add", login, "--role", "salesperson", "--team", "Quốc tế"], onServer ? 0 : 78)
        run(["user", "add", login, "--role", "sếp"], 64)
        run(["user", "list"], onServer ? 0 : 78)
        run(["user", "edit", login, "--role", "manager", "--team", "Bán hàng"], onServer ? 0 : 78)
        run(["user", "edit", login], onServer ? 65 : 78)
        run(["user", "edit", login, "--password"], onServer ? 64 : 78)
        run(["user", "remove", login], onServer ? 0 : 78)
        run(["team", "edit", "Quốc tế", "--own-deals-only", "on"], onServer ? 0 : 78)
        run(["team", "edit", "Quốc tế", "--own-deals-only", "có"], 64)
        run(["team", "edit", "Quốc tế"], 65)
        if onServer { run(["team", "edit", "Quốc tế", "--own-deals-only", "off"], 0) }

        // Leads.
        run(["lead", "list"], 0)
        run(["lead", "add", "Ứng dụng Acme", "--company", "Công ty Acme", "--email", "lan@acme.vn", "--revenue", "500.000"], 0)
        run(["lead", "add", "Khách lẻ", "--contact", "Nguyễn Văn Bình"], 0)
        run(["lead", "add", "Sai", "--email", "x"], 65)
        run(["lead", "list"], 0)
        run(["lead", "list", "--sort", "revenue"], 0)
        run(["lead", "list", "--sort", "tên"], 64)
        run(["lead", "show", "Ứng dụng Acme"], 0)
        run(["lead", "show", "Không có"], 65)
        run(["lead", "edit", "Ứng dụng Acme", "--priority", "3"], 0)
        run(["lead", "edit", "Ứng dụng Acme", "--priority", "9"], 65)
        run(["opp", "add", "Hợp đồng Gamma", "--customer", "Công ty Acme", "--email", "lan@acme.vn"], 0)
        run(["lead", "duplicates", "Ứng dụng Acme"], 0)
        run(["lead", "duplicates", "Khách lẻ"], 0)
        run(["lead", "convert", "Ứng dụng Acme"], 65)  // possible duplicates: a decision is needed
        run(["lead", "convert", "Ứng dụng Acme", "--merge-with", id("Hợp đồng Gamma"), "--no-merge"], 64)
        run(["lead", "convert", "Ứng dụng Acme", "--merge-with", "999"], 65)
        run(["lead", "lost", "Khách lẻ", "--reason", "Không liên lạc được"], 0)
        run(["lead", "list", "--lost"], 0)
        run(["lead", "show", "Khách lẻ"], 0)
        run(["lead", "convert", "Khách lẻ", "--no-merge"], 65)  // lost: restore it first
        run(["lead", "restore", "Khách lẻ"], 0)
        run(["lead", "restore", "Khách lẻ"], 65)
        run(["lead", "convert", "Ứng dụng Acme", "--merge-with", id("Hợp đồng Gamma")], 0)
        run(["lead", "convert", "Khách lẻ", "--no-merge", "--team", "Quốc tế"], 0)
        run(["lead", "add", "Tiềm năng Quốc tế", "--team", "Quốc tế"], 0)

        // Removing teams and stages.
        run(["team", "remove", "Quốc tế"], 65)
        run(["team", "remove", "Quốc tế", "--move-to", "Bán hàng"], 0)
        run(["team", "remove", "Bán hàng"], 65)
        run(["stage", "remove", "Trình diễn"], 0)
        run(["stage", "remove", "Đề xuất"], 65)
        run(["stage", "remove", "Đề xuất", "--move-to", "Thương lượng"], 0)
        run(["stage", "remove", "Mới", "--move-to", "Mới"], 65)
        run(["stage", "suggest"], 0)
        run(["stage", "remove", "Chốt được cơ hội"], 0)
        run(["opp", "won", id("Hợp đồng Gamma")], 65)  // no won stage any more

        // Files.
        let csv = cli.folder.appendingPathComponent("xuat.csv").path
        let backup = cli.folder.appendingPathComponent("sao-luu.json").path
        run(["export", "--out", csv], 0)
        run(["export", "--format", "json", "--out", backup], 0)
        run(["export", "--what", "all"], 64)
        run(["export", "--odoo", "15"], 64)
        run(["export", "--format", "xml"], 64)
        run(["import", try file("tot.csv", "name,stage_id,expected_revenue\nMột,Mới,100\nHai,Thương lượng,200\n")], 0)
        run(["import", try file("chay-thu.csv", "name,stage_id\nBa,Mới\n"), "--dry-run"], 0)
        run(["import", try file("xau.csv", "name,stage_id,probability\nTốt,Mới,10\nXấu,Mới,150\n")], 65)
        run(["import", try file("thieu.csv", "name,stage_id\nBốn,Không có\n")], 65)
        run(["import", try file("mot-loi.csv", "name,priority\nNăm,9\n")], 65)
        run(["import", "/không/có.csv"], 66)
        run(["import", backup], 65)  // a backup goes into a fresh database only
        run(["import", backup, "--dry-run"], 64)
        let fresh = try CLI(engine: engine, language: "vi_VN.UTF-8")
        let restored = fresh.run(["import", backup])
        #expect(restored.status == 0, "\(restored.stderr)")
        runs.append(Run(arguments: ["import", backup], status: restored.status, output: restored.stdout + restored.stderr, allowing: []))

        // Copying the whole store to a new one, and onto one that holds data.
        let copy = try cli.newStore("ban-sao")
        run(["db", "copy", "--from", cli.database, "--to", copy.location], 0, database: false)
        run(["db", "copy", "--from", cli.database, "--to", copy.location], 65, database: false)
        run(["db", "copy", "--from", cli.database, "--to", cli.database], 65, database: false)

        // Checking the database, and repairing it.
        run(["check"], 0)
        run(["check", "--repair"], 0)
        run(["check", "--db", cli.folder.appendingPathComponent("không-có.sqlite").path], 66, database: false)

        // The board outside a terminal, and a file that is not a database.
        run(["board"], 64)
        run(["board", "--direction", "lên"], 64)
        let notADatabase = try file("hong.sqlite", "không phải cơ sở dữ liệu")
        run(["stage", "list", "--db", notADatabase], 74, database: false)
        run(["không-có-lệnh"], 64)
        run(["team", "list", "--lang", "fr"], 64)

        // Every command was run, not only its help.
        for leaf in leaves {
            #expect(runs.contains { Array($0.arguments.prefix(leaf.count)) == leaf && !$0.arguments.contains("--help") },
                    "never ran: pipeline \(leaf.joined(separator: " "))")
        }
        // And none printed English.
        let typed = Set(runs.flatMap(\.arguments).filter { !$0.hasPrefix("-") && !Self.commandWords.contains($0) })
        for run in runs {
            let english = Self.englishWords(in: run.output, typed: Array(typed), allowing: run.allowing)
            #expect(english.isEmpty, "pipeline \(run.arguments.joined(separator: " ")) printed English \(english):\n\(run.output)")
        }
    }

    /// The names listed under a help's SUBCOMMANDS.
    static func subcommands(in help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:") else { return [] }
        return help[start.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return name.allSatisfy({ $0.isLowercase || $0 == "-" }) ? String(name) : nil
        }
    }
}
