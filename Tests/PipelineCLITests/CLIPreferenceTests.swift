import Foundation
import Testing

/// Two salespeople on one database, through the real binary: the team, language and
/// direction each chooses are their own; currency and leads are everyone's; `--for-everyone`
/// sets what those who have chosen nothing see. Who a user is: on a file the name the stage
/// history records (`$USER`), on a server the role that logged in, whatever `$USER` says.
@Suite("CLI: each user's own settings")
struct CLIPreferenceTests {
    static let lan = ["USER": "lan"], minh = ["USER": "minh"], hoa = ["USER": "hoa"]

    /// `settings list --json` as one user sees it: key → (value, source).
    static func settings(_ cli: CLI, _ user: [String: String]) -> [String: String] {
        let result = cli.run(["settings", "list", "--json"], environment: user)
        #expect(result.status == 0, "\(result.stderr)")
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: [String: Any]] ?? [:]
        return object.mapValues { "\($0["value"] as? String ?? "null") (\($0["source"] as? String ?? "?"))" }
    }

    static func ok(_ cli: CLI, _ arguments: [String], as user: [String: String],
                   sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
        let result = cli.run(arguments, environment: user, sourceLocation: sourceLocation)
        #expect(result.status == 0, "pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    @Test func twoUsersOfOneFileKeepTheirOwnTeamLanguageAndDirection() throws {
        let cli = CLI()
        cli.ok(["team", "add", "Export"])
        #expect(Self.ok(cli, ["settings", "set", "team", "export"], as: Self.lan).stdout == "team = Export\n")
        _ = Self.ok(cli, ["settings", "set", "language", "vi"], as: Self.lan)
        _ = Self.ok(cli, ["settings", "set", "direction", "ltr"], as: Self.lan)
        #expect(Self.settings(cli, Self.lan) == ["team": "Export (personal)", "currency": "USD (shared)", "language": "vi (personal)",
                                                 "direction": "ltr (personal)", "leads": "off (default)"])
        // Minh's CLI is as it was: his team, his language, his board's direction.
        #expect(Self.settings(cli, Self.minh) == ["team": "Sales (default)", "currency": "USD (shared)", "language": "null (default)",
                                                  "direction": "rtl (default)", "leads": "off (default)"])
        // Each speaks their own language and adds to their own team.
        #expect(Self.ok(cli, ["opp", "add", "Lan's deal"], as: Self.lan).stdout.hasPrefix("Đã thêm cơ hội 1 'Lan's deal'"))
        #expect(Self.ok(cli, ["opp", "add", "Minh's deal"], as: Self.minh).stdout.hasPrefix("Added opportunity 2 'Minh's deal'"))
        let teams = cli.objects(["opp", "list"]).map { "\($0["title"] as? String ?? "") \($0["team"] as? String ?? "")" }
        #expect(teams.sorted() == ["Lan's deal Export", "Minh's deal Sales"], "\(teams)")
        // The help, written before the database is opened for the command, too.
        #expect(cli.run(["team", "--help"], environment: Self.lan).stdout.contains("Liệt kê, thêm, đổi tên và xóa nhóm bán hàng."))
        #expect(cli.run(["team", "--help"], environment: Self.minh).stdout.contains("List, add, rename and remove sales teams."))

        // Currency and leads are the pipeline's, whoever sets them.
        _ = Self.ok(cli, ["settings", "set", "currency", "vnd"], as: Self.minh)
        _ = Self.ok(cli, ["settings", "set", "leads", "on"], as: Self.minh)
        #expect(Self.settings(cli, Self.lan)["currency"] == "VND (shared)" && Self.settings(cli, Self.lan)["leads"] == "on (shared)")

        // The pipeline's own values: what a newcomer sees; whoever chose their own keeps it.
        #expect(Self.ok(cli, ["settings", "set", "team", "Export", "--for-everyone"], as: Self.minh).stdout == "team = Export\n")
        _ = Self.ok(cli, ["settings", "set", "direction", "ltr", "--for-everyone"], as: Self.minh)
        #expect(Self.settings(cli, Self.hoa)["team"] == "Export (shared)" && Self.settings(cli, Self.hoa)["direction"] == "ltr (shared)")
        #expect(Self.settings(cli, Self.minh)["team"] == "Export (shared)")
        _ = Self.ok(cli, ["settings", "set", "team", "Sales"], as: Self.lan)
        #expect(Self.settings(cli, Self.lan)["team"] == "Sales (personal)")
        #expect(Self.settings(cli, Self.hoa)["team"] == "Export (shared)")
        #expect(Self.ok(cli, ["settings", "get", "team", "--for-everyone"], as: Self.lan).stdout == "Export\n")
        #expect(Self.ok(cli, ["settings", "list"], as: Self.hoa).stdout.contains("team       Export    shared "))
        #expect(cli.checksSound())
    }

    /// Refused input changes no one's value, and says why in one sentence.
    @Test func aBadValueChangesNothingForAnyone() throws {
        let cli = CLI()
        _ = Self.ok(cli, ["settings", "set", "language", "vi"], as: Self.lan)
        let before = [Self.settings(cli, Self.lan), Self.settings(cli, Self.minh)]
        for arguments in [["settings", "set", "team", "Nowhere"], ["settings", "set", "direction", "up"],
                          ["settings", "set", "language", "fr", "--for-everyone"]] {
            let refused = cli.run(arguments, environment: Self.minh)
            #expect(refused.status == 65 && refused.stderr.split(separator: "\n").count == 1, "\(arguments): \(refused.stderr)")
        }
        #expect([Self.settings(cli, Self.lan), Self.settings(cli, Self.minh)] == before)
    }

    /// On a server the login is who acts: `$USER` names no one, so two shells of one login
    /// share their choices, and two logins do not.
    @Test func onAServerTheLoginDecidesNotUSER() throws {
        let cli = try CLI(engine: .postgresql)
        let server = try #require(cli.server)
        cli.ok(["team", "add", "Export"])
        _ = Self.ok(cli, ["settings", "set", "team", "Export"], as: Self.lan)
        #expect(Self.settings(cli, Self.minh)["team"] == "Export (personal)")   // the same login: postgres

        // Another login on the same database keeps its own.
        let role = "pipeline_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        try ServerDatabase.superuser().executeScript("CREATE ROLE \(role) LOGIN")
        defer {
            _ = try? server.connect().executeScript("DROP OWNED BY \(role)")   // its rights in this database
            _ = try? ServerDatabase.superuser().executeScript("DROP ROLE IF EXISTS \(role)")
        }
        try server.connect().executeScript("""
            INSERT INTO app_user (login, role, created_at) VALUES ('\(role)', 'admin', 0);
            SELECT pipeline_apply_grants('\(role)')
            """)
        let colleague = server.location.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        func colleagueRun(_ arguments: [String]) -> CLI.Result {
            let result = cli.run(arguments + ["--db", colleague], database: false, environment: Self.lan)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result
        }
        #expect(colleagueRun(["settings", "get", "team"]).stdout == "Sales\n")
        _ = colleagueRun(["settings", "set", "language", "vi"])
        #expect(colleagueRun(["settings", "get", "language"]).stdout == "vi\n")
        #expect(Self.settings(cli, Self.lan)["language"] == "null (default)")
        #expect(colleagueRun(["team", "--help"]).stdout.contains("Liệt kê, thêm, đổi tên và xóa nhóm bán hàng."))
    }
}
