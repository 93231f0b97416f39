import Foundation
import Testing

/// Issue 14 end to end: a history built through the CLI, the figures checked against a hand
/// computation (the Wilson ends below were solved apart, from (p̂ − p)² = z² p (1 − p) / n).
@Suite("CLI: seen rates and the forecast range")
struct CLIFiguresTests {
    /// A: New → Qualified → Proposition → won. B: New → Qualified → lost. C: created in
    /// Proposition → back to Qualified → Proposition → lost. D: created in Proposition → won.
    /// E: New → Negotiation, still open (counts nowhere). F: created in Negotiation → lost.
    func buildHistory(_ cli: CLI) {
        for (title, stage) in [("A", "New"), ("B", "New"), ("C", "Proposition"), ("D", "Proposition"), ("E", "New"), ("F", "Negotiation")] {
            cli.ok(["opp", "add", title, "--stage", stage, "--revenue", "100"])
        }
        cli.ok(["opp", "move", "A", "--to", "Qualified"])
        cli.ok(["opp", "move", "A", "--to", "Proposition"])
        cli.ok(["opp", "won", "A"])
        cli.ok(["opp", "move", "B", "--to", "Qualified"])
        cli.ok(["opp", "lost", "B", "--reason", "price"])
        cli.ok(["opp", "move", "C", "--to", "Qualified"])
        cli.ok(["opp", "move", "C", "--to", "Proposition"])
        cli.ok(["opp", "lost", "C", "--reason", "timing"])
        cli.ok(["opp", "won", "D"])
        cli.ok(["opp", "move", "E", "--to", "Negotiation"])
        cli.ok(["opp", "lost", "F", "--reason", "price"])
    }

    /// A stage holding VND and USD deals gives each currency's line its own count (found by
    /// the trial: one count over both sat on the VND line), and `--json` adds `counts` per
    /// currency beside `count`, which stays the sum.
    @Test(arguments: StoreEngine.allCases) func theForecastCountsEachCurrencysDeals(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Dong 1", "--revenue", "2000000", "--currency", "VND", "--stage", "Proposition"])
        cli.ok(["opp", "add", "Dong 2", "--revenue", "3000000", "--currency", "VND", "--stage", "Proposition"])
        cli.ok(["opp", "add", "Dollar", "--revenue", "1000", "--currency", "USD", "--stage", "Proposition"])
        let lines = cli.ok(["forecast", "--lang", "en"]).stdout.split(separator: "\n").map(String.init)
        // The default currency's line first (USD), then VND's, each with its own count.
        for label in ["Proposition", "Open pipeline"] {
            let index = try #require(lines.firstIndex { $0.hasPrefix(label) }, "\(lines)")
            let usd = lines[index].split(separator: " "), vnd = lines[index + 1].split(separator: " ")
            #expect(lines[index].contains("$1,000.00") && usd.contains("1") && !usd.contains("3"), "\(lines[index])")
            #expect(lines[index + 1].contains("5,000,000 VND") && vnd.first == "2", "\(lines[index + 1])")
        }
        let forecast = cli.object(["forecast", "--json"])
        let rows = try #require(forecast["rows"] as? [[String: Any]])
        let proposition = try #require(rows.first { $0["key"] as? String == "Proposition" })
        #expect(proposition["count"] as? Int == 3)
        #expect(proposition["counts"] as? [String: Int] == ["USD": 1, "VND": 2])
        #expect((forecast["open"] as? [String: Any])?["counts"] as? [String: Int] == ["USD": 1, "VND": 2])
        let won = try #require(forecast["won"] as? [String: Any])
        #expect(won["count"] as? Int == 0 && (won["counts"] as? [String: Int])?.values.allSatisfy { $0 == 0 } ?? true)
    }

    @Test(arguments: StoreEngine.allCases) func seenRatesFromAHistoryBuiltByHand(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        buildHistory(cli)
        let stages = try #require(cli.object(["stats", "stages", "--team", "Sales"])["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        func observed(_ index: Int) -> [String: Double] {
            (stages[index]["observed"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        // (won, lost, rate, low, high) per stage, by hand.
        let expected: [(Double, Double, Double, Double, Double)] = [
            (1, 1, 50.0, 12.1, 87.9), (1, 2, 33.3, 7.8, 74.6), (2, 1, 66.7, 25.4, 92.2),
            (0, 1, 0.0, 0.0, 73.0), (2, 0, 100.0, 42.5, 100.0), (0, 3, 0.0, 0.0, 47.4),
        ]
        for (index, figures) in expected.enumerated() {
            let seen = observed(index)
            #expect([seen["won"], seen["lost"], seen["n"], seen["rate"], seen["low"], seen["high"]]
                    == [figures.0, figures.1, figures.0 + figures.1, figures.2, figures.3, figures.4], "stage \(index + 1)")
        }
        func next(_ index: Int) -> [String: Double] {
            (stages[index]["next"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        #expect(next(0) == ["moved_on": 100, "won": 0, "lost": 0, "back": 0])
        // Qualified: A and C moved on to Proposition, B was lost from it.
        #expect(next(1) == ["moved_on": 66.7, "won": 0, "lost": 33.3, "back": 0])
        // Proposition: A and D won, C (after going back and returning) lost; C's going back is not its last stay.
        #expect(next(2) == ["moved_on": 0, "won": 66.7, "lost": 33.3, "back": 0])
        #expect(stages[4]["next"] as? [String: NSNull] != nil || (stages[4]["median_days"] is NSNull))
        // `stage list --json` carries the same object.
        let listed = cli.objects(["stage", "list", "--team", "Sales"])
        #expect((listed[2]["observed"] as? [String: Any])?["n"] as? Int == 3)
        // --since looks back: 30d and -30d (30 days ago) keep today's closed deals; a day after
        // today is refused in one sentence naming --since (it read as "due date" and gave an
        // empty table).
        for since in ["30d", "-30d", "4w", "today"] {
            let kept = try #require(cli.object(["stats", "stages", "--since=\(since)"])["stages"] as? [[String: Any]])
            #expect((kept[2]["observed"] as? [String: Any])?["n"] as? Int == 3, "--since \(since)")
        }
        for future in ["+1d", "2999-01-01"] {
            let refused = cli.run(["stats", "stages", "--since", future])
            #expect(refused.status == 65 && refused.stderr.contains("--since: '\(future)' is after today"), "\(refused.stderr)")
        }
        let badDate = cli.run(["--lang", "vi", "stats", "stages", "--since", "2026-13-01"])
        #expect(badDate.status == 65 && badDate.stderr.contains("--since: '2026-13-01' không phải ngày") && !badDate.stderr.contains("đến hạn"),
                "\(badDate.stderr)")
        let text = cli.ok(["stats", "stages"]).stdout
        #expect(text.contains("Proposition") && text.contains("67%") && text.contains("25–92%"))
        let vietnamese = cli.ok(["--lang", "vi", "stats", "stages"]).stdout
        #expect(vietnamese.contains("THỰC TẾ") && vietnamese.contains("25–92%"))
        #expect(cli.run(["stats", "stages", "--since", "yesterday-ish"]).status == 65)
    }

    /// X 1,000 at 50 % and Y 3,000 at 20 % closing in January, Z 500 at 90 % without a date.
    /// Every outcome by hand: 0 (.04), 500 (.36), 1,000 (.04), 1,500 (.36), 3,000 (.01),
    /// 3,500 (.09), 4,000 (.01), 4,500 (.09): P10 500, P50 1,500, P90 3,500.
    @Test(arguments: StoreEngine.allCases) func theRangeOfASmallPipelineByHand(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let me = engine == .sqlite ? "tester" : "postgres"
        cli.ok(["opp", "add", "X", "--revenue", "1,000", "--probability", "50", "--close-date", "2027-01-10", "--salesperson", me])
        cli.ok(["opp", "add", "Y", "--revenue", "3,000", "--probability", "20", "--close-date", "2027-01-20", "--salesperson", me])
        cli.ok(["opp", "add", "Z", "--revenue", "500", "--probability", "90", "--salesperson", me])
        cli.ok(["opp", "add", "W", "--revenue", "7,000", "--probability", "40", "--salesperson", "Lan"])
        cli.ok(["opp", "add", "Done", "--revenue", "9,000", "--stage", "Won"])
        let mine = cli.object(["forecast", "--range", "--mine"])
        let usd = try #require((mine["ranges"] as? [[String: Any]])?.first)
        func figures(_ object: Any?) -> [String] {
            let range = object as? [String: Any] ?? [:]
            return ["count", "weighted", "p10", "p50", "p90"].map { key in (range[key] as? String) ?? (range[key] as? Int).map(String.init) ?? "?" }
        }
        #expect(figures(usd["open"]) == ["3", "1550.00", "500.00", "1500.00", "3500.00"])
        let months = try #require(usd["months"] as? [[String: Any]])
        #expect(months.map { $0["month"] as? String } == ["2027-01", nil])
        #expect(figures(months[0]) == ["2", "1100.00", "0.00", "1000.00", "3000.00"])
        #expect(figures(months[1]) == ["1", "450.00", "0.00", "500.00", "500.00"])
        #expect((usd["drivers"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Y", "X", "Z"])
        // Everyone's: W joins (and leads the drivers: 7,000² · 0.24).
        let all = try #require((cli.object(["forecast", "--range"])["ranges"] as? [[String: Any]])?.first)
        #expect(figures(all["open"])[0...1] == ["4", "4350.00"])
        #expect((all["drivers"] as? [[String: Any]])?.first?["title"] as? String == "W")
        let text = cli.ok(["forecast", "--range", "--mine"]).stdout
        #expect(text.contains("$500.00") && text.contains("$1,500.00") && text.contains("$3,500.00") && text.contains("What drives the spread"))
        let vietnamese = cli.ok(["--lang", "vi", "forecast", "--range", "--mine"]).stdout
        #expect(vietnamese.contains("Khoảng doanh thu") && vietnamese.contains("1.500,00 USD"))
        let refused = cli.run(["forecast", "--range", "--by", "month"])
        #expect(refused.status != 0 && refused.stderr.contains("--range"))
    }
}
