import Foundation
import Testing

@Suite("CLI: pipeline shape")
struct CLIPipelineTests {
    @Test(arguments: StoreEngine.allCases) func aFreshDatabaseHasTheGuidesStagesAndProbabilities(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let stages = cli.objects(["stage", "list"])
        #expect(stages.map { $0["name"] as? String } == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(stages.map { $0["probability"] as? Int } == [5, 15, 50, 75, 100, 0])
        #expect(stages.map { $0["position"] as? Int } == [1, 2, 3, 4, 5, 6])
        #expect(stages.map { $0["outcome"] as? String } == ["open", "open", "open", "open", "won", "lost"])
        #expect(stages.allSatisfy { $0["auto_probability"] as? Bool == true && $0["team"] is NSNull && $0["folded"] as? Bool == false })
        #expect(stages.allSatisfy { ($0["requirements"] as? String)?.isEmpty == false })
        #expect(cli.objects(["team", "list"]).map { $0["name"] as? String } == ["Sales"])
        #expect(cli.ok(["settings", "get", "currency"]).stdout == "USD\n")
    }

    @Test(arguments: StoreEngine.allCases,
          [(["--lang", "vi"], [String: String]()), ([], ["LANG": "vi_VN.UTF-8"]), ([], ["LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"])])
    func aVietnameseDatabaseIsSeededInVietnamese(_ engine: StoreEngine, _ asked: (flags: [String], environment: [String: String])) throws {
        let (flags, environment) = asked
        let cli = try CLI(engine: engine)
        let result = cli.run(["stage", "list", "--json"] + flags, environment: environment)
        #expect(result.status == 0)
        let stages = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["Mới", "Chất lượng", "Đề xuất", "Thương lượng", "Chốt được cơ hội", "Không chốt được"])
        #expect(cli.objects(["team", "list"]).map { $0["name"] as? String } == ["Bán hàng"])
        #expect(cli.ok(["settings", "get", "currency"]).stdout == "VND\n")
    }

    /// `stage remove X --team Export` of a shared stage removes it from every team's
    /// pipeline: the output says so and names them; with one team, or a team's own stage,
    /// nothing more is said.
    @Test(arguments: StoreEngine.allCases) func removingASharedStageSaysEveryTeamLosesIt(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["opp", "add", "Sales deal", "--stage", "Qualified"])
        cli.ok(["opp", "add", "Export deal", "--team", "Export", "--stage", "Qualified"])
        let removed = cli.ok(["stage", "remove", "Qualified", "--team", "Export", "--move-to", "New"]).stdout
        #expect(removed.contains("moved 2 opportunities to 'New'"), "\(removed)")
        #expect(removed.contains("It was a shared stage: it is gone from the pipeline of every team (Sales, Export)"), "\(removed)")
        cli.ok(["stage", "add", "Customs", "--team", "Export", "--scope", "team"])
        let own = cli.ok(["stage", "remove", "Customs", "--team", "Export"]).stdout
        #expect(!own.contains("shared"), "\(own)")
    }

    @Test(arguments: StoreEngine.allCases) func theDatabaseOptionWorksBeforeOrAfterTheSubcommand(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["stage", "add", "Demo"])
        let before = cli.run(["--db", cli.database, "stage", "list", "--json"], database: false)
        let after = cli.run(["stage", "list", "--json", "--db", cli.database], database: false)
        let equals = cli.run(["--db=\(cli.database)", "stage", "list", "--json"], database: false)
        #expect(before.status == 0 && after.status == 0 && equals.status == 0)
        #expect(before.stdout == after.stdout && after.stdout == equals.stdout)
        #expect(before.stdout.contains("\"Demo\""))
        // And through the environment.
        let environment = cli.run(["stage", "list", "--json"], database: false, environment: ["PIPELINE_DB": cli.database])
        #expect(environment.stdout == before.stdout)
    }

    /// SQLite only: where the default file goes and its permissions; a server is never a default.
    @Test func theDefaultLocationIsUnderXDGDataHomeAndPrivate() throws {
        let cli = CLI()
        let dataHome = cli.folder.appendingPathComponent("data").path
        #expect(cli.run(["team", "list"], database: false, environment: ["XDG_DATA_HOME": dataHome]).status == 0)
        let path = dataHome + "/pipeline/pipeline.sqlite"
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: dataHome + "/pipeline")[.posixPermissions] as? Int == 0o700)
        // Without XDG_DATA_HOME: ~/.local/share.
        #expect(cli.run(["team", "list"], database: false).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.folder.path + "/.local/share/pipeline/pipeline.sqlite"))
    }

    @Test(arguments: StoreEngine.allCases) func addingTheSeventhStagePrintsTheReadabilityHintAndSucceeds(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let result = cli.run(["stage", "add", "Demo", "--probability", "30", "--position", "3"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("more than 6 columns make a pipeline hard to read"))
        #expect(result.stdout.contains("position 3"))
        let names = cli.objects(["stage", "list"]).map { $0["name"] as? String }
        #expect(names == ["New", "Qualified", "Demo", "Proposition", "Negotiation", "Won", "Lost"])
        // A sixth stage gives no hint.
        let fresh = try CLI(engine: engine)
        fresh.ok(["stage", "remove", "Lost"])
        #expect(fresh.run(["stage", "add", "Closed"]).stderr.isEmpty)
    }

    @Test(arguments: StoreEngine.allCases) func stagesAreEditedMovedAndRemoved(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["stage", "edit", "Proposition", "--probability", "45.5", "--requirements", "Quote sent\r\nand\tread", "--fold", "--no-auto-probability"])
        let proposition = cli.objects(["stage", "list"])[2]
        #expect(proposition["probability"] as? Double == 45.5)
        #expect(proposition["requirements"] as? String == "Quote sent\nand read")
        #expect(proposition["folded"] as? Bool == true)
        #expect(proposition["auto_probability"] as? Bool == false)
        cli.ok(["stage", "move", "Won", "--position", "1"])
        cli.ok(["stage", "move", "new", "--after", "lost"])
        cli.ok(["stage", "move", "Qualified", "--before", "Negotiation"])
        #expect(cli.objects(["stage", "list"]).map { $0["name"] as? String } == ["Won", "Proposition", "Qualified", "Negotiation", "Lost", "New"])
        cli.ok(["opp", "add", "Deal", "--stage", "Negotiation"])
        cli.ok(["stage", "remove", "Negotiation", "--move-to", "Qualified"])
        let deal = cli.objects(["opp", "list"])[0]
        #expect(deal["stage"] as? String == "Qualified")
        #expect(deal["probability"] as? Int == 15)
        #expect(cli.objects(["stage", "list"]).count == 5)
    }

    @Test(arguments: StoreEngine.allCases) func suggestionsCompleteThePipelineInBothLanguages(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for stage in ["Proposition", "Negotiation", "Won", "Lost"] { cli.ok(["stage", "remove", stage]) }
        let suggestions = cli.objects(["stage", "suggest"])
        #expect(suggestions.map { $0["name_en"] as? String } == ["Proposition", "Negotiation", "Won", "Lost"])
        #expect(suggestions.map { $0["name_vi"] as? String } == ["Đề xuất", "Thương lượng", "Chốt được cơ hội", "Không chốt được"])
        #expect(suggestions.map { $0["probability"] as? Int } == [50, 75, 100, 0])
        #expect(cli.ok(["stage", "suggest"]).stdout.contains("Thương lượng"))
    }

    @Test(arguments: StoreEngine.allCases) func teamOwnStagesShowOnlyInTheirPipeline(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["stage", "add", "Customs", "--team", "Export", "--scope", "team", "--position", "2"])
        #expect(cli.objects(["stage", "list", "--team", "Export"]).map { $0["name"] as? String }.contains("Customs"))
        #expect(!cli.objects(["stage", "list"]).map { $0["name"] as? String }.contains("Customs"))
        #expect(cli.objects(["stage", "list", "--team", "export"])[1]["team"] as? String == "Export")
        // Another team's own stage is not in this pipeline.
        #expect(cli.run(["opp", "add", "Deal", "--stage", "Customs"]).status == 65)
        cli.ok(["opp", "add", "Export deal", "--stage", "Customs", "--team", "Export"])
    }
}

@Suite("CLI: opportunities and forecast")
struct CLIOpportunityTests {
    @Test(arguments: StoreEngine.allCases) func movingAnOpportunityChangesItsProbability(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme renewal", "--customer", "Acme", "--revenue", "1,000.00"])
        var deal = cli.object(["opp", "show", "1"])
        #expect(deal["stage"] as? String == "New")
        #expect(deal["probability"] as? Int == 5)
        #expect(deal["weighted_revenue"] as? String == "50.00")
        cli.ok(["opp", "move", "Acme renewal", "--to", "Proposition"])
        deal = cli.object(["opp", "show", "1"])
        #expect(deal["stage"] as? String == "Proposition")
        #expect(deal["probability"] as? Int == 50)
        #expect(deal["probability_set_by_hand"] as? Bool == false)
        #expect(deal["expected_revenue"] as? String == "1000.00")
        #expect(deal["weighted_revenue"] as? String == "500.00")
        let history = deal["history"] as? [[String: Any]] ?? []
        #expect(history.map { $0["to"] as? String } == ["New", "Proposition"])
        #expect(history.last?["from"] as? String == "New")
        // Who moved it: `$USER` on a file, the login the server authenticated on a server.
        #expect(history.last?["by"] as? String == (engine == .sqlite ? "tester" : "postgres"))
    }

    @Test(arguments: StoreEngine.allCases) func aHandSetProbabilityStaysUntilAnAutomaticStage(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["stage", "edit", "Qualified", "--no-auto-probability"])
        cli.ok(["opp", "add", "Deal", "--probability", "33"])
        cli.ok(["opp", "move", "1", "--to", "Qualified"])
        #expect(cli.object(["opp", "show", "1"])["probability"] as? Int == 33)
        cli.ok(["opp", "move", "1", "--to", "Negotiation"])
        #expect(cli.object(["opp", "show", "1"])["probability"] as? Int == 75)
    }

    @Test(arguments: StoreEngine.allCases) func forecastSumsAreExact(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "A", "--revenue", "1,000.01", "--salesperson", "Lan", "--close-date", "2026-12-05"])   // 5%: 50.0005 → 50.00
        cli.ok(["opp", "add", "B", "--revenue", "333.33", "--stage", "Proposition", "--salesperson", "Minh"])       // 50%: 166.665 → 166.67
        cli.ok(["opp", "add", "C", "--revenue", "0.03", "--stage", "Proposition", "--salesperson", ""])                                   // 50%: 0.015 → 0.02
        cli.ok(["opp", "add", "D", "--revenue", "1,500,000", "--currency", "VND", "--stage", "Negotiation", "--salesperson", ""])          // 75%
        cli.ok(["opp", "add", "E", "--revenue", "2,000", "--stage", "Won", "--salesperson", ""])
        cli.ok(["opp", "add", "F", "--revenue", "9,999", "--stage", "Negotiation", "--salesperson", ""])
        cli.ok(["opp", "lost", "F", "--reason", "Went elsewhere"])
        let forecast = cli.object(["forecast"])
        let open = try #require(forecast["open"] as? [String: Any])
        #expect(open["count"] as? Int == 4)
        #expect(open["expected"] as? [String: String] == ["USD": "1333.37", "VND": "1500000"])
        #expect(open["weighted"] as? [String: String] == ["USD": "216.69", "VND": "1125000"])
        let won = try #require(forecast["won"] as? [String: Any])
        #expect(won["count"] as? Int == 1)
        #expect(won["expected"] as? [String: String] == ["USD": "2000.00"])
        let rows = try #require(forecast["rows"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["New", "Qualified", "Proposition", "Negotiation", "Won", "Lost"])
        #expect(rows[2]["count"] as? Int == 2)
        #expect(rows[2]["weighted"] as? [String: String] == ["USD": "166.69"])
        #expect(rows[5]["count"] as? Int == 1)   // lost deals sit in Lost, outside the open pipeline
        let byPerson = cli.object(["forecast", "--by", "salesperson"])["rows"] as? [[String: Any]] ?? []
        #expect(byPerson.map { $0["key"] as? String } == ["Lan", "Minh", nil])
        let byMonth = cli.object(["forecast", "--by", "month", "--team", "Sales"])["rows"] as? [[String: Any]] ?? []
        #expect(byMonth.first?["key"] as? String == "2026-12")
        #expect(byMonth.first?["expected"] as? [String: String] == ["USD": "1000.01"])
        let plain = cli.ok(["forecast"]).stdout
        #expect(plain.contains("Open pipeline") && plain.contains("$216.69") && plain.contains("1,125,000 VND"))
    }

    @Test(arguments: StoreEngine.allCases) func wonLostRestoreArchiveDelete(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Deal", "--stage", "Negotiation", "--revenue", "100"])
        cli.ok(["opp", "lost", "Deal", "--reason", "Too expensive"])
        var deal = cli.object(["opp", "show", "1"])
        #expect(deal["stage"] as? String == "Lost" && deal["probability"] as? Int == 0 && deal["lost_reason"] as? String == "Too expensive")
        cli.ok(["opp", "restore", "1"])
        deal = cli.object(["opp", "show", "1"])
        #expect(deal["stage"] as? String == "Negotiation" && deal["probability"] as? Int == 75 && deal["lost_reason"] is NSNull)
        cli.ok(["opp", "won", "1"])
        #expect(cli.object(["opp", "show", "1"])["stage"] as? String == "Won")
        cli.ok(["opp", "archive", "1"])
        #expect(cli.objects(["opp", "list"]).isEmpty)
        #expect(cli.objects(["opp", "list", "--archived"]).count == 1)
        cli.ok(["opp", "delete", "1"])
        #expect(cli.objects(["opp", "list", "--archived"]).isEmpty)
        // Without a lost stage, lost means archived at 0%.
        cli.ok(["opp", "add", "Other", "--stage", "Proposition"])
        cli.ok(["stage", "remove", "Lost"])
        cli.ok(["opp", "lost", "Other", "--reason", "No budget"])
        deal = cli.object(["opp", "show", "Other"])
        #expect(deal["active"] as? Bool == false && deal["stage"] as? String == "Proposition" && deal["probability"] as? Int == 0)
        // Without a won stage, won is refused.
        cli.ok(["stage", "remove", "Won"])
        let refused = cli.run(["opp", "won", "Other"])
        #expect(refused.status == 65 && refused.stderr.contains("no won stage"))
    }

    /// `opp move` out of the lost stage reopens the deal: no lost reason left on an open 50 %
    /// deal. So do a move into the won stage, an edit naming a stage, and the removal of the
    /// lost stage with its deals.
    @Test(arguments: StoreEngine.allCases) func aDealMovedOutOfTheLostStageIsNoLongerLost(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for title in ["Moved", "Won", "Edited", "Column"] {
            cli.ok(["opp", "add", title, "--stage", "Negotiation"])
            cli.ok(["opp", "lost", title, "--reason", "Too expensive"])
        }
        cli.ok(["opp", "move", "Moved", "--to", "Proposition"])
        let moved = cli.object(["opp", "show", "Moved"])
        #expect(moved["stage"] as? String == "Proposition" && moved["probability"] as? Int == 50)
        #expect(moved["lost_reason"] is NSNull)
        #expect(!cli.ok(["opp", "show", "Moved"]).stdout.contains("Lost reason"))
        cli.ok(["opp", "move", "Won", "--to", "Won"])
        #expect(cli.object(["opp", "show", "Won"])["lost_reason"] is NSNull)
        cli.ok(["opp", "edit", "Edited", "--stage", "New"])
        #expect(cli.object(["opp", "show", "Edited"])["lost_reason"] is NSNull)
        // One deal moved: a count in the singular.
        #expect(cli.ok(["stage", "remove", "Lost", "--move-to", "Qualified"]).stdout.contains("; moved 1 opportunity to 'Qualified'."))
        #expect(cli.object(["opp", "show", "Column"])["lost_reason"] is NSNull)
    }

    @Test(arguments: StoreEngine.allCases) func editChangesFieldsAndTeams(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["opp", "add", "Deal", "--revenue", "1,000"])
        cli.ok(["opp", "edit", "Deal", "--title", "Big deal", "--email", "ana@acme.vn", "--tag", "vip", "--tag", "q4",
                "--priority", "3", "--close-date", "2027-01-31", "--notes", "Line one\nLine two", "--team", "Export", "--stage", "Qualified"])
        let deal = cli.object(["opp", "show", "1"])
        #expect(deal["title"] as? String == "Big deal")
        #expect(deal["team"] as? String == "Export")
        #expect(deal["stage"] as? String == "Qualified")
        #expect(deal["probability"] as? Int == 15)
        #expect(deal["tags"] as? [String] == ["vip", "q4"])
        #expect(deal["priority"] as? Int == 3)
        #expect(deal["expected_closing"] as? String == "2027-01-31")
        #expect(deal["notes"] as? String == "Line one\nLine two")
        #expect(cli.objects(["opp", "list", "--team", "Sales"]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases) func vietnameseAmountsAreTypedTheVietnameseWay(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "vi_VN.UTF-8")
        cli.ok(["opp", "add", "Hợp đồng", "--revenue", "1.500.000"])
        #expect(cli.object(["opp", "show", "1"])["expected_revenue"] as? String == "1500000")
        let refused = cli.run(["opp", "add", "Sai", "--revenue", "1,500,000.50"])
        // The example is one VND accepts: no decimals (issue 10).
        #expect(refused.status == 65 && refused.stderr.contains("1.500.000 (") && !refused.stderr.contains("1.500.000,50"))
        #expect(cli.ok(["opp", "list"]).stdout.contains("1.500.000 ₫"))
    }

    @Test(arguments: StoreEngine.allCases) func teamsAreAddedRenamedAndRemovedWithTheirDeals(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["opp", "add", "Export deal", "--team", "Export"])
        let refused = cli.run(["team", "remove", "Export"])
        #expect(refused.status == 65 && refused.stderr.contains("1 opportunity"))
        cli.ok(["team", "rename", "Export", "International"])
        cli.ok(["team", "remove", "International", "--move-to", "Sales"])
        #expect(cli.objects(["team", "list"]).map { $0["name"] as? String } == ["Sales"])
        #expect(cli.objects(["opp", "list"]).first?["team"] as? String == "Sales")
        let last = cli.run(["team", "remove", "Sales"])
        #expect(last.status == 65 && last.stderr.contains("last team"))
    }

    @Test(arguments: StoreEngine.allCases) func settingsAreListedReadAndSet(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["team", "add", "Export"])
        cli.ok(["settings", "set", "team", "export"])
        cli.ok(["settings", "set", "direction", "LTR"])
        cli.ok(["settings", "set", "currency", "vnd"])
        cli.ok(["settings", "set", "leads", "on"])
        // Each value with where it comes from: the user's own (team, direction), the
        // pipeline's (currency, leads: everyone's), or the default.
        let settings = cli.object(["settings", "list"]).mapValues { $0 as? [String: Any] ?? [:] }
        #expect(settings["team"]?["value"] as? String == "Export" && settings["team"]?["source"] as? String == "personal")
        #expect(settings["direction"]?["value"] as? String == "ltr" && settings["direction"]?["source"] as? String == "personal")
        #expect(settings["currency"]?["value"] as? String == "VND" && settings["currency"]?["source"] as? String == "shared")
        #expect(settings["leads"]?["value"] as? String == "on" && settings["leads"]?["source"] as? String == "shared")
        #expect(settings["language"]?["value"] is NSNull && settings["language"]?["source"] as? String == "default")
        // Commands now act on Export's pipeline by default.
        cli.ok(["opp", "add", "Deal"])
        #expect(cli.objects(["opp", "list"]).first?["team"] as? String == "Export")
        #expect(cli.objects(["opp", "list"]).first?["currency"] as? String == "VND")
    }

    @Test(arguments: StoreEngine.allCases) func listingsAndHelpReadWellAt80Columns(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Hợp đồng Vinamilk giai đoạn hai với nhiều hạng mục", "--customer", "商机商机商机商机商机商机", "--revenue", "123,456,789.00"])
        cli.ok(["opp", "add", "😀 Emoji deal", "--customer", "Ｆｕｌｌｗｉｄｔｈ"])
        for command in [["opp", "list"], ["stage", "list"], ["forecast"], ["team", "list"], ["settings", "list"]] {
            let lines = cli.ok(command).stdout.split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines { #expect(displayWidth(line) <= 80, "\(command): \(line)") }
        }
        let listing = cli.ok(["opp", "list"]).stdout
        #expect(listing.contains("$123,456,789.00"))   // amounts are never cut
        let help = cli.run(["--help"], database: false)
        #expect(help.status == 0)
        for command in ["board", "team", "stage", "opp", "forecast", "settings"] { #expect(help.stdout.contains(command)) }
        let addHelp = cli.run(["opp", "add", "--help"], database: false).stdout
        for option in ["--revenue", "--close-date", "--priority", "--probability", "--tag", "--db"] { #expect(addHelp.contains(option)) }
    }

    /// `--db` takes a file or a PostgreSQL database, and its help says both, in both languages.
    @Test(arguments: [("", ["--db <store>", "SQLite file's path", "PostgreSQL connection string", "postgresql://…", "postgres://…",
                            "service=NAME", "key=value"]),
                      ("vi_VN.UTF-8", ["--db <store>", "tệp SQLite", "chuỗi kết nối PostgreSQL", "postgresql://…", "postgres://…",
                                       "service=TÊN", "key=value"])])
    func theDbHelpNamesFilesAndServers(_ language: String, _ phrases: [String]) {
        let cli = CLI(language: language.isEmpty ? nil : language)
        for command in [["stage", "list", "--help"], ["opp", "add", "--help"]] {
            let help = cli.run(command, database: false).stdout
            // ArgumentParser wraps help at 80 columns: read it as one line.
            let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for phrase in phrases { #expect(flat.contains(phrase), "\(command): \(phrase) in \(help)") }
            #expect(!flat.contains("The database file") && !flat.contains("Tệp cơ sở dữ liệu"))
        }
    }
}

/// Cells a line takes in a terminal (wide CJK and emoji count two).
func displayWidth(_ text: Substring) -> Int {
    text.reduce(0) { total, character in
        guard let scalar = character.unicodeScalars.first else { return total }
        if scalar.properties.isEmojiPresentation { return total + 2 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return total + 2
        default:
            return total + 1
        }
    }
}
