import Foundation
import Testing

/// The weekly digest (issue 14) end to end: a history built over days through the real binary
/// (the clock is `PIPELINE_NOW`, the zone `TZ`), the forecast taken at the start and at the
/// end of the period, and the digest's explained difference held against both, per currency.
@Suite("CLI: the weekly digest")
struct CLIDigestTests {
    /// Runs one command at `instant` (UTC unless `zone` says otherwise); it must succeed.
    @discardableResult
    static func at(_ cli: CLI, _ instant: String, _ arguments: [String], zone: String = "UTC",
                   sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
        let result = cli.run(arguments, environment: ["PIPELINE_NOW": instant, "TZ": zone])
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    static func object(_ cli: CLI, _ instant: String, _ arguments: [String], zone: String = "UTC",
                       sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        let output = at(cli, instant, arguments, zone: zone, sourceLocation: sourceLocation).stdout
        return (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
    }

    /// A decimal string in major units as an exact count of hundredths (or units for VND):
    /// the digits without the point, so no Double ever rounds a figure.
    static func minor(_ text: Any?) -> Int? {
        guard let text = text as? String else { return nil }
        return Int(text.replacingOccurrences(of: ".", with: ""))
    }

    /// The forecast's weighted open pipeline per currency, in minor units.
    static func forecast(_ cli: CLI, _ instant: String) -> [String: Int] {
        let open = object(cli, instant, ["forecast", "--json"])["open"] as? [String: Any]
        return (open?["weighted"] as? [String: Any] ?? [:]).compactMapValues(minor)
    }

    /// Each currency's start, end and parts, in minor units.
    static func bridges(_ digest: [String: Any]) -> [String: (start: Int, end: Int, parts: [String: Int])] {
        var result: [String: (Int, Int, [String: Int])] = [:]
        for bridge in digest["pipeline"] as? [[String: Any]] ?? [] {
            guard let currency = bridge["currency"] as? String else { continue }
            result[currency] = (minor(bridge["start"]) ?? -1, minor(bridge["end"]) ?? -1,
                                (bridge["parts"] as? [String: Any] ?? [:]).compactMapValues(minor))
        }
        return result
    }

    /// Stage probabilities of a new database: New 5 %, Qualified 15 %, Proposition 50 %.
    /// Before the period (30 November): Alpha $1,000 New, Beta $2,000 Qualified, Gamma
    /// 5,000,000 VND Proposition, Delta $3,000 Proposition, Eps €500 Qualified. In the period
    /// (1–3 December): New1 $700 created and won; Beta moved on to Proposition; Delta moved back
    /// to Qualified; Alpha's amount to $1,500; Qualified's probability to 35 %; Gamma's
    /// probability by hand to 70 %; Eps lost; Zeta created and archived.
    func buildHistory(_ cli: CLI) {
        let at = { (instant: String, arguments: [String]) in Self.at(cli, instant, arguments) }
        at("2026-11-30T10:00:00Z", ["opp", "add", "Alpha", "--revenue", "1,000", "--stage", "New"])
        at("2026-11-30T10:01:00Z", ["opp", "add", "Beta", "--revenue", "2,000", "--stage", "Qualified"])
        at("2026-11-30T10:02:00Z", ["opp", "add", "Gamma", "--revenue", "5,000,000", "--currency", "VND", "--stage", "Proposition"])
        at("2026-11-30T10:03:00Z", ["opp", "add", "Delta", "--revenue", "3,000", "--stage", "Proposition"])
        at("2026-11-30T10:04:00Z", ["opp", "add", "Eps", "--revenue", "500", "--currency", "EUR", "--stage", "Qualified"])
        at("2026-11-30T10:05:00Z", ["stage", "edit", "Proposition", "--rotting-days", "2"])
        at("2026-11-30T10:06:00Z", ["activity", "add", "Delta", "--type", "call", "--due", "2026-12-02", "--summary", "Call back"])
        at("2026-12-01T09:00:00Z", ["opp", "add", "New1", "--revenue", "700", "--stage", "New"])
        at("2026-12-01T09:05:00Z", ["opp", "won", "New1"])
        at("2026-12-01T10:00:00Z", ["opp", "move", "Beta", "--to", "Proposition"])
        at("2026-12-02T10:00:00Z", ["opp", "move", "Delta", "--to", "Qualified"])
        at("2026-12-02T11:00:00Z", ["opp", "edit", "Alpha", "--revenue", "1,500"])
        at("2026-12-02T12:00:00Z", ["stage", "edit", "Qualified", "--probability", "35"])
        at("2026-12-03T09:00:00Z", ["opp", "edit", "Gamma", "--probability", "70"])
        at("2026-12-03T10:00:00Z", ["opp", "lost", "Eps", "--reason", "price"])
        at("2026-12-03T11:00:00Z", ["opp", "add", "Zeta", "--revenue", "100", "--stage", "Proposition"])
        at("2026-12-03T11:30:00Z", ["opp", "archive", "Zeta"])
    }

    @Test(arguments: StoreEngine.allCases) func theDifferenceIsTheForecastsAtBothEnds(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let at = { (instant: String, arguments: [String]) in Self.at(cli, instant, arguments) }
        buildHistory(cli)
        // The forecasts at the start and the end of the period, as they were then: the start's
        // is taken again below from a second database built to that point only.
        let atEnd = Self.forecast(cli, "2026-12-03T20:00:00Z")
        #expect(atEnd == ["USD": 2_125_00, "VND": 3_500_000])
        let period = ["digest", "--from", "2026-12-01", "--to", "2026-12-03", "--format", "json"]
        let digest = Self.bridges(Self.object(cli, "2026-12-03T20:00:00Z", period))
        let startForecast = ["USD": 1_850_00, "EUR": 75_00, "VND": 2_500_000]
        for currency in ["USD", "EUR", "VND"] {
            let bridge = try #require(digest[currency], "\(currency)")
            #expect(bridge.start == startForecast[currency], "\(currency) start")
            #expect(bridge.end == atEnd[currency] ?? 0, "\(currency) end")
            #expect(bridge.start + bridge.parts.values.reduce(0, +) == bridge.end, "\(currency) parts")
        }
        // Each part by hand (USD in cents): New1 $700 at 5 % in and out; Beta 15 → 50 % (+$700)
        // and Delta 50 → 15 % (−$1,050); Alpha +$500 at 5 %; Qualified 15 → 35 % on Delta's
        // $3,000; Zeta $100 at 50 % in, then archived.
        #expect(digest["USD"]?.parts == ["new": 85_00, "moved": -350_00, "won": -35_00, "lost": 0, "restored": 0, "archived": -50_00,
                                         "amount": 25_00, "probability": 0, "stage_probability": 600_00, "stage_outcome": 0, "unrecorded": 0])
        #expect(digest["EUR"]?.parts.filter { $0.value != 0 } == ["stage_probability": 100_00, "lost": -175_00])
        #expect(digest["VND"]?.parts.filter { $0.value != 0 } == ["probability": 1_000_000])

        // The next day Alpha moves and Beta is won: the same period still explains the same
        // figures (walked back through the later lines), and a digest of the new day starts
        // where the period ended.
        at("2026-12-04T09:00:00Z", ["opp", "move", "Alpha", "--to", "Proposition"])
        at("2026-12-04T10:00:00Z", ["opp", "won", "Beta"])
        let later = Self.bridges(Self.object(cli, "2026-12-04T20:00:00Z", period))
        for currency in ["USD", "EUR", "VND"] {
            #expect(later[currency]?.start == digest[currency]?.start && later[currency]?.end == digest[currency]?.end
                    && later[currency]?.parts == digest[currency]?.parts, "\(currency) a day later")
        }
        let nextDay = Self.bridges(Self.object(cli, "2026-12-04T20:00:00Z", ["digest", "--since", "today", "--format", "json"]))
        let now = Self.forecast(cli, "2026-12-04T20:00:00Z")
        #expect(nextDay["USD"]?.start == atEnd["USD"] && nextDay["USD"]?.end == now["USD"])
        #expect(nextDay["USD"]?.parts.filter { $0.value != 0 } == ["moved": 1500 * 45, "won": -1_000_00])

        // The start figure is the forecast as it was: a second store built to the end of 30
        // November gives it directly.
        let before = try CLI(engine: engine)
        for (instant, arguments) in [("2026-11-30T10:00:00Z", ["opp", "add", "Alpha", "--revenue", "1,000", "--stage", "New"]),
                                     ("2026-11-30T10:01:00Z", ["opp", "add", "Beta", "--revenue", "2,000", "--stage", "Qualified"]),
                                     ("2026-11-30T10:02:00Z", ["opp", "add", "Gamma", "--revenue", "5,000,000", "--currency", "VND", "--stage", "Proposition"]),
                                     ("2026-11-30T10:03:00Z", ["opp", "add", "Delta", "--revenue", "3,000", "--stage", "Proposition"]),
                                     ("2026-11-30T10:04:00Z", ["opp", "add", "Eps", "--revenue", "500", "--currency", "EUR", "--stage", "Qualified"])] {
            Self.at(before, instant, arguments)
        }
        #expect(Self.forecast(before, "2026-11-30T23:00:00Z") == startForecast)
    }

    @Test(arguments: StoreEngine.allCases) func theListsSayWhatHappened(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        buildHistory(cli)
        let me = engine == .sqlite ? "tester" : "postgres"
        let digest = Self.object(cli, "2026-12-03T20:00:00Z", ["digest", "--from", "2026-12-01", "--to", "2026-12-03", "--format", "json"])
        func list(_ key: String) -> [[String: Any]] { digest[key] as? [[String: Any]] ?? [] }
        #expect(list("new").map { $0["title"] as? String } == ["New1", "Zeta"])
        #expect(list("new").first?["amount"] as? String == "700.00" && list("new").first?["stage"] as? String == "New")
        #expect(list("new").first?["by"] as? String == me && list("new").first?["at"] as? String == "2026-12-01T09:00:00.000Z")
        #expect(list("moved").map { [$0["title"], $0["from"], $0["to"]] as? [String] } == [["Beta", "Qualified", "Proposition"],
                                                                                          ["Delta", "Proposition", "Qualified"]])
        #expect(list("won").map { [$0["title"], $0["amount"], $0["currency"]] as? [String] } == [["New1", "700.00", "USD"]])
        #expect(list("lost").map { [$0["title"], $0["amount"], $0["currency"], $0["reason"]] as? [String] } == [["Eps", "500.00", "EUR", "price"]])
        // Gamma sits in Proposition (rotting after 2 days) since 30 November with nothing
        // planned; Beta entered it on 1 December; Delta's call was due on 2 December.
        #expect(list("rotting").map { $0["title"] as? String } == ["Gamma"])
        #expect(list("overdue").map { [$0["summary"], $0["deal"], $0["due"]] as? [String] } == [["Call back", "Delta", "2026-12-02"]])
        // A period that ends before the events holds none of them.
        let earlier = Self.object(cli, "2026-12-03T20:00:00Z", ["digest", "--from", "2026-11-01", "--to", "2026-11-29", "--format", "json"])
        #expect((earlier["new"] as? [Any])?.isEmpty == true && (earlier["pipeline"] as? [Any])?.isEmpty == true)
        // --mine: only the deals whose salesperson is the person running it (none is another's
        // here, so a deal given to someone else leaves the digest).
        Self.at(cli, "2026-12-03T20:00:00Z", ["opp", "edit", "New1", "--salesperson", "someone-else"])
        let mine = Self.object(cli, "2026-12-03T20:00:00Z", ["digest", "--from", "2026-12-01", "--to", "2026-12-03", "--mine", "--format", "json"])
        #expect((mine["won"] as? [Any])?.isEmpty == true && mine["salesperson"] as? String == me)
        let team = Self.object(cli, "2026-12-03T20:00:00Z", ["digest", "--from", "2026-12-01", "--to", "2026-12-03", "--team", "Sales", "--format", "json"])
        #expect(team["team"] as? String == "Sales" && (team["won"] as? [Any])?.count == 1)
    }

    /// A deal won and then moved to another won stage — by hand or by removing its stage — was
    /// won once; a deal lost and moved to another lost stage, lost once (the new-user trial saw
    /// each listed twice). The moves are moves, and the digest's lists and the deal's timeline
    /// say one win and one loss.
    @Test(arguments: StoreEngine.allCases) func aClosedDealMovedToAnotherStageOfItsOutcomeIsClosedOnce(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let now = "2026-12-06T09:00:00Z"
        for arguments in [["stage", "add", "Won big", "--won"], ["stage", "add", "Lost price", "--lost"],
                          ["opp", "add", "Alpha", "--revenue", "15,000"], ["opp", "add", "Beta", "--revenue", "11,000"],
                          ["opp", "add", "Gamma", "--revenue", "2,000"],
                          ["opp", "won", "Alpha"], ["opp", "move", "Alpha", "--to", "Won big"],
                          ["opp", "lost", "Beta", "--reason", "Price"], ["opp", "move", "Beta", "--to", "Lost price"],
                          ["opp", "move", "Gamma", "--to", "Won big"], ["stage", "remove", "Won big", "--move-to", "Won"]] {
            Self.at(cli, now, arguments)
        }
        let digest = Self.object(cli, "2026-12-06T10:00:00Z", ["digest", "--since", "0d", "--format", "json"])
        #expect((digest["won"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Alpha", "Gamma"])
        #expect((digest["lost"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Beta"])
        let alpha = Self.object(cli, now, ["opp", "show", "Alpha", "--json"])
        let kinds = (alpha["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.filter { $0 == "won" }.count == 1, "\(kinds)")
    }

    /// A CSV export and import with an archived deal (the trials of issue 14 found its
    /// weighted amount "not in the history"): the import writes its "created" line and then
    /// its "archived" line, so the new database's digest explains every cent, and the end
    /// figure is the forecast's.
    @Test(arguments: StoreEngine.allCases) func anImportedArchivedDealLeavesNothingUnexplained(_ engine: StoreEngine) throws {
        let source = try CLI(engine: engine)
        Self.at(source, "2026-11-30T10:00:00Z", ["opp", "add", "Alpha", "--revenue", "1,000", "--stage", "Proposition"])
        Self.at(source, "2026-11-30T10:01:00Z", ["opp", "add", "Beta", "--revenue", "2,000", "--stage", "Qualified"])
        Self.at(source, "2026-11-30T10:02:00Z", ["opp", "add", "Gamma", "--revenue", "4,000", "--stage", "Proposition"])
        Self.at(source, "2026-11-30T10:03:00Z", ["opp", "archive", "Beta"])
        Self.at(source, "2026-11-30T10:04:00Z", ["opp", "lost", "Gamma", "--reason", "price"])
        let file = source.path("deals.csv")
        Self.at(source, "2026-11-30T11:00:00Z", ["export", "--out", file])
        let target = try CLI(engine: engine)
        Self.at(target, "2026-12-02T09:00:00Z", ["import", file])
        let digest = Self.bridges(Self.object(target, "2026-12-02T20:00:00Z", ["digest", "--since", "today", "--format", "json"]))
        let usd = try #require(digest["USD"])
        #expect(usd.parts["unrecorded"] == 0, "\(usd)")
        #expect(usd.start == 0 && usd.start + usd.parts.values.reduce(0, +) == usd.end, "\(usd)")
        #expect(usd.end == Self.forecast(target, "2026-12-02T20:00:00Z")["USD"] && usd.end == 500_00, "\(usd)")
        #expect(usd.parts["new"] == 500_00 + 300_00 && usd.parts["archived"] == -300_00, "\(usd)")
        // The import's lines record their stages' outcomes (schema 9), as a backup shows them.
        let backup = target.path("after.json")
        Self.at(target, "2026-12-02T20:00:00Z", ["export", "--format", "json", "--out", backup])
        let lines = try String(contentsOfFile: backup, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"opportunity_id\"") && $0.contains("\"event\"") }
        #expect(lines.count == 5 && lines.allSatisfy { $0.contains("\"stage_outcome\":\"") }, "\(lines)")
    }

    /// A text list shows 20 items and says how many more; JSON has every one.
    @Test func longListsAreCutInTextAndWholeInJSON() throws {
        let cli = try CLI(engine: .sqlite)
        for index in 1...23 { Self.at(cli, "2026-12-01T09:00:00Z", ["opp", "add", "Deal \(index)", "--revenue", "10"]) }
        let text = Self.at(cli, "2026-12-02T09:00:00Z", ["digest"]).stdout
        #expect(text.contains("New deals (23):") && text.contains("Deal 20:") && !text.contains("Deal 21:") && text.contains("and 3 more"))
        let markdown = Self.at(cli, "2026-12-02T09:00:00Z", ["digest", "--format", "markdown"]).stdout
        #expect(markdown.contains("- and 3 more"))
        let json = Self.object(cli, "2026-12-02T09:00:00Z", ["digest", "--format", "json"])
        #expect((json["new"] as? [Any])?.count == 23)
    }

    /// The period is the user's days: at +7 h, 18:00 UTC on 1 December is already 2 December.
    @Test func thePeriodIsInTheUsersTimeZone() throws {
        let cli = try CLI(engine: .sqlite)
        Self.at(cli, "2026-12-01T18:00:00Z", ["opp", "add", "Late", "--revenue", "10"])
        let vietnam = "Asia/Ho_Chi_Minh"
        let second = Self.object(cli, "2026-12-02T12:00:00Z", ["digest", "--since", "today", "--format", "json"], zone: vietnam)
        #expect((second["new"] as? [[String: Any]])?.count == 1 && second["start"] as? String == "2026-12-01T17:00:00.000Z")
        let utc = Self.object(cli, "2026-12-02T12:00:00Z", ["digest", "--since", "today", "--format", "json"])
        #expect((utc["new"] as? [Any])?.isEmpty == true)
    }

    /// How the options combine, or an unknown format, is usage (64); a bad or future day, a
    /// first day after the last and an unknown team are bad data (65), as every command says
    /// of them (Docs/cli.md's exit codes). Each is one sentence naming the option as typed.
    @Test(arguments: StoreEngine.allCases) func badInputIsOneSentenceWithTheCLIsExitStatus(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        Self.at(cli, "2026-12-03T09:00:00Z", ["opp", "add", "Alpha", "--revenue", "10"])
        let cases: [([String], Int32, String)] = [
            (["--since", "7d", "--from", "2026-12-01"], 64, "--since or --from"),
            (["--to", "2026-12-01"], 64, "--to needs --from"),
            (["--format", "html"], 64, "html"),
            (["--from", "2026-12-03", "--to", "2026-12-01"], 65, "after its last day"),
            (["--from", "2026-13-01", "--to", "2026-12-01"], 65, "--from: '2026-13-01' is not a date"),
            (["--from", "2026-12-01", "--to", "someday"], 65, "--to: 'someday' is not a date"),
            (["--team", "Nobody"], 65, "Nobody"),
            (["--since", "+3d"], 65, "--since: '+3d' is after today"),
            (["--since", "-3x"], 65, "--since: '-3x' is not a date"),
            // Too many days back is said so (a hostile trial read "is not a date").
            (["--since", "99999d"], 65, "--since: '99999d' is too far back; a period reaches at most 3650 days"),
            (["--since", "-99999999999999999999w"], 65, "is too far back"),
            (["--from", "2999-01-01"], 65, "--from: '2999-01-01' is after today"),
            (["--from", "2026-12-01", "--to", "2026-12-04"], 65, "--to: '2026-12-04' is after today"),
            (["--from", "2026-12-01", "--to", "+1d"], 65, "--to: '+1d' is after today"),
        ]
        for (arguments, status, words) in cases {
            let result = cli.run(["digest"] + arguments, environment: ["PIPELINE_NOW": "2026-12-03T10:00:00Z", "TZ": "UTC"])
            #expect(result.status == status, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
        let vietnamese = cli.run(["--lang", "vi", "digest", "--from", "2026-12-03", "--to", "2026-12-01"],
                                 environment: ["PIPELINE_NOW": "2026-12-03T10:00:00Z", "TZ": "UTC"])
        #expect(vietnamese.status == 65 && vietnamese.stderr.contains("Kỳ sẽ bắt đầu ngày 03/12/2026"), "\(vietnamese.stderr)")
        let clock = cli.run(["digest"], environment: ["PIPELINE_NOW": "yesterday"])
        #expect(clock.status == 78 && clock.stderr.contains("PIPELINE_NOW") && clock.stdout.isEmpty, "\(clock.stderr)")
    }

    /// `--since -30d` is a value, not an option (it starts with "-"), for the digest's dates and
    /// `stats stages`; `--to` takes the same words as `--from`: today, yesterday, days ago.
    @Test func relativeDaysAreValuesAndToTakesTheWordsOfFrom() throws {
        let cli = try CLI(engine: .sqlite)
        Self.at(cli, "2026-11-20T09:00:00Z", ["opp", "add", "Early", "--revenue", "10"])
        Self.at(cli, "2026-12-01T09:00:00Z", ["opp", "add", "Late", "--revenue", "10"])
        let now = "2026-12-03T10:00:00Z"
        func titles(_ arguments: [String]) -> [String] {
            (Self.object(cli, now, ["digest"] + arguments + ["--format", "json"])["new"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        }
        #expect(titles(["--since", "-30d"]) == ["Early", "Late"])
        #expect(titles(["--since", "-5d"]) == ["Late"])
        #expect(titles(["--from", "-30d", "--to", "-5d"]) == ["Early"])
        #expect(titles(["--from", "-30d", "--to", "today"]) == ["Early", "Late"])
        #expect(titles(["--from", "-30d", "--to", "yesterday"]) == ["Early", "Late"])
        #expect(titles(["--from", "2026-11-01", "--to", "3d"]) == ["Early"])
        let period = Self.object(cli, now, ["digest", "--from", "-2w", "--to", "yesterday", "--format", "json"])
        #expect(period["from"] as? String == "2026-11-19" && period["to"] as? String == "2026-12-02", "\(period)")
        let stats = Self.object(cli, now, ["stats", "stages", "--since", "-30d", "--json"])
        #expect(stats["since"] as? String == "2026-11-03", "\(stats)")
        // In Vietnamese the heading's date is the Vietnamese form the rest of that output uses.
        let vietnamese = Self.at(cli, now, ["--lang", "vi", "stats", "stages", "--since", "-30d"]).stdout
        #expect(vietnamese.contains("từ 03/11/2026") && !vietnamese.contains("2026-11-03"), "\(vietnamese)")
        let refused = cli.run(["stats", "stages", "--since", "-3x"], environment: ["PIPELINE_NOW": now, "TZ": "UTC"])
        #expect(refused.status == 65 && refused.stderr.contains("--since: '-3x' is not a date") && refused.stdout.isEmpty, "\(refused.stderr)")
        let future = cli.run(["stats", "stages", "--since", "2999-01-01"], environment: ["PIPELINE_NOW": now, "TZ": "UTC"])
        #expect(future.status == 65 && future.stderr.contains("--since: '2999-01-01' is after today"), "\(future.stderr)")
    }

    /// One digest in each format and language, as files under Tests/PipelineCLITests/Goldens
    /// (`RECORD_SNAPSHOTS=1` rewrites them; review the diff like code). The formats are the
    /// CLI's, not the engine's: on SQLite, where "by" is the fixed $USER.
    @Test func eachFormatInEachLanguageIsAsRecorded() throws {
        let cli = try CLI(engine: .sqlite)
        buildHistory(cli)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
        var outputs: [String: String] = [:]
        for (format, suffix) in [("text", "txt"), ("markdown", "md"), ("json", "json")] {
            for language in ["en", "vi"] {
                let result = Self.at(cli, "2026-12-03T20:00:00Z", ["--lang", language, "digest", "--from", "2026-12-01", "--to", "2026-12-03",
                                                                   "--format", format])
                outputs[format + language] = result.stdout
                let file = folder.appendingPathComponent("digest.\(language).\(suffix)")
                if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
                    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try result.stdout.write(to: file, atomically: true, encoding: .utf8)
                    continue
                }
                let expected = try? String(contentsOf: file, encoding: .utf8)
                #expect(expected != nil, "missing golden \(file.lastPathComponent); record it with RECORD_SNAPSHOTS=1")
                if let expected { #expect(result.stdout == expected, "\(file.lastPathComponent):\n\(result.stdout)") }
            }
        }
        // Text fits 80 columns and holds no escape sequence (nothing on a pipe is coloured).
        for key in ["texten", "textvi"] {
            let lines = (outputs[key] ?? "").split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= 80 } && !(outputs[key] ?? "").contains("\u{1B}"), "\(key)")
        }
        // JSON does not depend on the language.
        #expect(outputs["jsonen"] == outputs["jsonvi"])
    }

    /// A title made to break the formats: an escape sequence reaches no terminal, Markdown
    /// takes its punctuation literally, a long one is cut to the line.
    /// A long lost reason no longer cuts the end of its line, the date and who lost the deal:
    /// a long item is wrapped within 80 columns, its next lines indented.
    @Test func aLongItemIsWrappedNotCut() throws {
        let cli = try CLI(engine: .sqlite)
        Self.at(cli, "2026-12-01T09:00:00Z", ["opp", "add", "Viettel CRM", "--revenue", "2,000,000,000", "--currency", "VND"])
        Self.at(cli, "2026-12-01T10:00:00Z", ["opp", "lost", "Viettel CRM", "--reason", "Chose a competitor whose offer came in far below ours"])
        let text = Self.at(cli, "2026-12-02T09:00:00Z", ["digest"]).stdout
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(text)")
        #expect(!text.contains("…"), "\(text)")
        #expect(text.contains("2026") && text.contains("below ours"), "\(text)")
        let item = try #require(lines.firstIndex { $0.hasPrefix("  #1 Viettel CRM") && $0.contains("reason:") }, "\(text)")
        #expect(lines[item + 1].hasPrefix("    ") && !lines[item + 1].hasPrefix("     "), "\(text)")
    }

    @Test func userTextCannotBreakTheFormats() throws {
        let cli = try CLI(engine: .sqlite)
        let hostile = "*bold* | [link](x) " + String(repeating: "long ", count: 30)
        Self.at(cli, "2026-12-01T09:00:00Z", ["opp", "add", hostile, "--revenue", "10"])
        let text = Self.at(cli, "2026-12-02T09:00:00Z", ["digest"]).stdout
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 } && text.contains("*bold* | [link](x) long"))
        let markdown = Self.at(cli, "2026-12-02T09:00:00Z", ["digest", "--format", "markdown"]).stdout
        #expect(markdown.contains(#"- #1 \*bold\* \| \[link\](x) long"#), "\(markdown)")
    }
}
