import Foundation
import Testing

/// The salesperson-facing loose ends of issue 13, through the real binary on both engines: a new
/// deal's salesperson is its creator, closed deals' activities leave the lists, opp show's
/// times are the user's, and the small findings of the trials.
@Suite("CLI: salesperson defaults, closed deals' activities, local times (issue 13)")
struct CLIIssue13FinishTests {
    static func me(_ cli: CLI) -> String { CLIActivityTests.me(cli) }

    static func salesperson(_ cli: CLI, _ deal: String) -> String? {
        cli.object(["opp", "show", deal])["salesperson"] as? String
    }

    @Test(arguments: StoreEngine.allCases)
    func aNewDealOrLeadIsItsCreatorsAndMineShowsIt(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let me = Self.me(cli)
        cli.ok(["opp", "add", "Acme", "--revenue", "1000"])
        #expect(Self.salesperson(cli, "Acme") == me)
        // An explicit empty name still means nobody.
        cli.ok(["opp", "add", "Unassigned", "--revenue", "500", "--salesperson", ""])
        #expect(Self.salesperson(cli, "Unassigned") == "")
        #expect(cli.objects(["opp", "list", "--mine"]).compactMap { $0["title"] as? String } == ["Acme"])
        let forecast = cli.object(["forecast", "--mine"])
        #expect((forecast["open"] as? [String: Any])?["count"] as? Int == 1, "\(forecast)")
        // Leads too, as in the reference CRM (one model: its salesperson defaults to the current user).
        cli.ok(["settings", "set", "leads", "on"])
        cli.ok(["lead", "add", "Acme website"])
        cli.ok(["lead", "add", "Walk-in", "--salesperson", ""])
        let leads = cli.objects(["lead", "list"])
        #expect(leads.first { $0["title"] as? String == "Acme website" }?["salesperson"] as? String == me, "\(leads)")
        #expect(leads.first { $0["title"] as? String == "Walk-in" }?["salesperson"] as? String == "", "\(leads)")
    }

    @Test(arguments: StoreEngine.allCases)
    func importAndRestoreKeepWhatTheFileSays(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let file = cli.folder.appendingPathComponent("deals.csv")
        try Data("name,expected_revenue\nFrom the file,100\n".utf8).write(to: file)
        cli.ok(["import", file.path])
        #expect(Self.salesperson(cli, "From the file") == "", "a file without salespeople keeps none")
        cli.ok(["opp", "add", "Unassigned", "--salesperson", ""])
        cli.ok(["opp", "add", "Mine"])
        let backup = cli.path("backup.json")
        try Data(cli.ok(["export", "--format", "json"]).stdout.utf8).write(to: URL(fileURLWithPath: backup))
        let store = try cli.newStore("restored")
        #expect(cli.run(["import", backup, "--db", store.location], database: false).status == 0)
        let restored = cli.run(["opp", "list", "--json", "--db", store.location], database: false)
        let objects = (try? JSONSerialization.jsonObject(with: Data(restored.stdout.utf8))) as? [[String: Any]] ?? []
        let owners = Dictionary(uniqueKeysWithValues: objects.compactMap { object in
            (object["title"] as? String).map { ($0, object["salesperson"] as? String ?? "?") }
        })
        #expect(owners == ["From the file": "", "Unassigned": "", "Mine": Self.me(cli)], "\(restored.stdout)")
    }

    /// A lost or archived deal's open activities leave `activity list` (and its overdue
    /// count), stay on its page and come back with it on restore; a won deal keeps them.
    @Test(arguments: StoreEngine.allCases)
    func closedDealsActivitiesLeaveTheListAndComeBackOnRestore(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        for title in ["Open", "Lost", "Archived", "Won"] {
            cli.ok(["opp", "add", title])
            cli.ok(["activity", "add", title, "--type", "call", "--due", "2020-01-02", "--summary", "Call \(title)"])
        }
        cli.ok(["opp", "lost", "Lost", "--reason", "Price"])
        cli.ok(["opp", "archive", "Archived"])
        cli.ok(["opp", "won", "Won"])
        func summaries(_ arguments: [String]) -> [String] {
            cli.objects(["activity", "list"] + arguments).compactMap { $0["summary"] as? String }
        }
        #expect(summaries([]) == ["Call Open", "Call Won"])
        #expect(summaries(["--overdue"]) == ["Call Open", "Call Won"])
        #expect(summaries(["--team", "Sales"]) == ["Call Open", "Call Won"])
        #expect(summaries(["--closed"]) == ["Call Open", "Call Lost", "Call Archived", "Call Won"])
        let page = cli.object(["opp", "show", "Lost"])
        #expect((page["activities"] as? [[String: Any]])?.compactMap { $0["summary"] as? String } == ["Call Lost"], "still on its page")
        cli.ok(["opp", "restore", "Lost"])
        cli.ok(["opp", "restore", "Archived"])
        #expect(summaries([]) == ["Call Open", "Call Lost", "Call Archived", "Call Won"])
    }

    @Test(arguments: StoreEngine.allCases)
    func activityListUserMatchesIgnoringCaseAsOppListDoes(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let me = Self.me(cli)
        cli.ok(["opp", "add", "Acme"])
        cli.ok(["activity", "add", "Acme", "--type", "call", "--due", "tomorrow", "--summary", "Ring Ana"])
        #expect(cli.objects(["opp", "list", "--user", me.uppercased()]).count == 1)
        #expect(cli.objects(["activity", "list", "--user", me.uppercased()]).compactMap { $0["summary"] as? String } == ["Ring Ana"])
        #expect(cli.objects(["activity", "list", "--user", me + "x"]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func nothingRottingIsOneSentenceAndOneDayIsSingular(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Fresh"])
        let none = cli.ok(["opp", "list", "--rotting"])
        #expect(none.stdout == "No deal is rotting: none has stayed in its stage longer than the stage's rotting days with nothing planned from today on.\n",
                "\(none.stdout)")
        #expect(cli.ok(["stage", "edit", "New", "--rotting-days", "1"]).stdout.hasSuffix("Deals in 'New' now rot after 1 day there with no activity planned.\n"))
        #expect(cli.ok(["stage", "edit", "New", "--rotting-days", "2"]).stdout.hasSuffix("Deals in 'New' now rot after 2 days there with no activity planned.\n"))
        let vietnamese = cli.ok(["stage", "edit", "New", "--rotting-days", "1", "--lang", "vi"]).stdout
        #expect(vietnamese.hasSuffix("Từ nay, cơ hội nằm ở 'New' quá 1 ngày mà không có hoạt động nào được lên lịch sẽ bị coi là bị bỏ quên.\n"), "\(vietnamese)")
        #expect(cli.ok(["opp", "list", "--rotting", "--lang", "vi"]).stdout
                == "Không có cơ hội nào bị bỏ quên: không cơ hội nào nằm trong giai đoạn quá số ngày đã đặt cho giai đoạn đó mà không có hoạt động nào từ hôm nay trở đi.\n")
    }

    /// Asked for overdue, today's or the week's activities, an empty list says that none is
    /// (it said "No activities. Add one with: …" though the user had some).
    @Test(arguments: StoreEngine.allCases)
    func anEmptyRangeSaysNothingIsDueThere(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme"])
        cli.ok(["activity", "add", "Acme", "--type", "Call", "--due", "+30d", "--summary", "Call back"])
        #expect(cli.ok(["activity", "list", "--overdue"]).stdout == "Nothing is overdue.\n")
        #expect(cli.ok(["activity", "list", "--today"]).stdout == "Nothing is due today.\n")
        #expect(cli.ok(["activity", "list", "--week"]).stdout == "Nothing is due today or in the six days after.\n")
        #expect(cli.ok(["activity", "list", "--overdue", "--lang", "vi"]).stdout == "Không có gì quá hạn.\n")
        #expect(cli.ok(["activity", "list"]).stdout.contains("Call back"))
        // Planned on a lost deal, an activity is kept out of the lists: the command says where it is.
        cli.ok(["opp", "lost", "Acme", "--reason", "Price"])
        let onLost = cli.ok(["activity", "add", "Acme", "--type", "Call", "--due", "+1d", "--summary", "Ask why"]).stdout
        #expect(onLost.contains("The deal is lost or archived: its activities are left out of the lists; see them with pipeline opp show "), "\(onLost)")
        #expect(!cli.ok(["activity", "list"]).stdout.contains("Ask why"))
        #expect(cli.ok(["activity", "list", "--closed"]).stdout.contains("Ask why"))
    }

    /// A `$USER` that is no name (an escape sequence, a bidirectional override, blanks, beyond
    /// the one-line limit) counts as unset: `$LOGNAME`, else "unknown", owns the new deal, and
    /// the backup restores (it held the escape and refused to be read back).
    @Test func aUserVariableThatIsNoNameCountsAsUnset() throws {
        let cli = try CLI(engine: .sqlite)
        let names: [(user: String, logname: String?, owner: String)] = [
            ("ev\u{1B}[31mil", "bob", "bob"), ("\u{202E}admin", nil, "unknown"), ("  ", "bob", "bob"),
            (String(repeating: "x", count: 300), "bob", "bob"), (" lan ", nil, "lan"),
        ]
        for (index, name) in names.enumerated() {
            var environment = ["USER": name.user]
            environment["LOGNAME"] = name.logname ?? ""
            let added = cli.run(["opp", "add", "Deal \(index)"], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(Self.salesperson(cli, "Deal \(index)") == name.owner, "USER \(name.user.debugDescription)")
        }
        let backup = cli.path("backup.json")
        try Data(cli.ok(["export", "--format", "json"]).stdout.utf8).write(to: URL(fileURLWithPath: backup))
        let store = try cli.newStore("restored")
        let restored = cli.run(["import", backup, "--db", store.location], database: false)
        #expect(restored.status == 0, "\(restored.stderr)")
    }

    /// `opp show`'s times are the user's (`TZ`), around a day boundary; `--json` stays ISO UTC.
    @Test(arguments: StoreEngine.allCases)
    func oppShowWritesTimesInTheUsersZone(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme"])
        cli.ok(["opp", "note", "Acme", "Budget approved"])
        // The note dated 20:30 UTC on 5 December: already the 6th in Vietnam, still the 5th in New York.
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(cli.ok(["export", "--format", "json"]).stdout.utf8)) as? [String: Any])
        var backup = exported
        backup["notes"] = (exported["notes"] as? [[String: Any]] ?? []).map { note in
            var note = note
            note["at"] = "2026-12-05T20:30:00.000Z"
            return note
        }
        let file = cli.path("dated.json")
        try JSONSerialization.data(withJSONObject: backup).write(to: URL(fileURLWithPath: file))
        let store = try cli.newStore("dated")
        #expect(cli.run(["import", file, "--db", store.location], database: false).status == 0)
        func show(_ zone: String, _ extra: [String] = []) -> String {
            cli.run(["opp", "show", "Acme", "--db", store.location] + extra, database: false, environment: ["TZ": zone]).stdout
        }
        #expect(show("Asia/Ho_Chi_Minh").contains("    2026-12-06 03:30  note 1:  by "), "\(show("Asia/Ho_Chi_Minh"))")
        #expect(show("America/New_York").contains("    2026-12-05 15:30  note 1:  by "), "\(show("America/New_York"))")
        #expect(show("Asia/Ho_Chi_Minh", ["--lang", "vi"]).contains("06/12/2026 03:30"))
        #expect(!show("Asia/Ho_Chi_Minh").contains("UTC"), "no time on the page is UTC any more")
        #expect(show("Asia/Ho_Chi_Minh", ["--json"]).contains("\"2026-12-05T20:30:00.000Z\""))
    }

    /// `--due` goes through the core's `ActivityForm` rule: the same words and the same sentence
    /// as the board's forms, in add, edit and done.
    @Test(arguments: StoreEngine.allCases)
    func dueDatesAreTheActivityFormsRule(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme"])
        let bad = cli.run(["activity", "add", "Acme", "--type", "call", "--due", "soon", "--summary", "Ring"])
        #expect(bad.status == 65)
        #expect(bad.stderr == "error: due date: 'soon' is not a date; write it as YYYY-MM-DD (year, month, day), e.g. 2026-12-31, or today, tomorrow, +3d, +1w\n",
                "\(bad.stderr)")
        cli.ok(["activity", "add", "Acme", "--type", "call", "--due", "+2d", "--summary", "Ring"])
        #expect(cli.run(["activity", "edit", "1", "--due", "soon"]).stderr == bad.stderr)
        #expect(cli.run(["activity", "done", "1", "--next", "call", "--due", "soon"]).stderr == bad.stderr)
        #expect(cli.objects(["activity", "list"]).compactMap { $0["due"] as? String } == [CLIActivityTests.localDate(2)], "nothing changed")
    }
}
