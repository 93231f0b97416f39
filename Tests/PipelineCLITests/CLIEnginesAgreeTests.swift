import Foundation
import Testing

/// The same commands give the same answers on both engines: one script of everything a team
/// does — teams, stages, deals through their life, leads converted with a merge, settings,
/// forecasts, a CSV import, exports — run on a new SQLite file and on a new PostgreSQL
/// database, every `--json` output (and both exports) compared once ids and times are set
/// aside, every exit status compared, and the check clean on both at the end.
@Suite("CLI: both engines answer alike")
struct CLIEnginesAgreeTests {
    /// One command of the script: its arguments (which may depend on what the store answered
    /// before, such as a lead's id) and the exit status it must end with.
    struct Step: Sendable {
        var arguments: @Sendable (CLI) -> [String]
        var status: Int32 = 0

        init(_ arguments: [String], status: Int32 = 0) {
            self.arguments = { _ in arguments }
            self.status = status
        }

        init(status: Int32 = 0, _ arguments: @escaping @Sendable (CLI) -> [String]) {
            self.arguments = arguments
            self.status = status
        }
    }

    static let csv = """
        id,name,stage_id,expected_revenue,company_currency,partner_name,user_id,team_id,priority,tag_ids,date_deadline,probability
        legacy.crm_lead_1,Imported one,Qualified,2500.25,USD,Initech,Lan,Sales,2,"vip,q1",2027-03-31,
        legacy.crm_lead_2,Imported two,Customs,1800,USD,Umbrella,Minh,Export,1,,2027-04-30,33
        legacy.crm_lead_3,Imported three,Bargaining,1500000,VND,Công ty Sữa,,Sales,0,,,

        """

    /// Every listing a user can ask for as JSON.
    static let listings: [[String]] = [
        ["team", "list", "--json"], ["stage", "list", "--json"], ["stage", "list", "--team", "Export", "--json"],
        ["opp", "list", "--json"], ["opp", "list", "--archived", "--json"], ["opp", "list", "--team", "Export", "--json"],
        ["settings", "list", "--json"], ["forecast", "--json"], ["forecast", "--by", "stage", "--json"],
        ["forecast", "--by", "month", "--json"], ["forecast", "--by", "salesperson", "--json"], ["forecast", "--team", "Export", "--json"],
    ]

    static func id(of title: String, in cli: CLI, listing: [String]) -> String {
        let records = cli.objects(listing)
        return (records.first { $0["title"] as? String == title }?["id"] as? Int).map(String.init) ?? "?"
    }

    static let script: [Step] = {
        var steps: [Step] = listings.filter { !$0.contains("Export") }.map { Step($0) }
        steps += [
            // Teams.
            Step(["team", "add", "Export"]), Step(["team", "add", "Đà Nẵng"]), Step(["team", "rename", "Đà Nẵng", "Hà Nội"]),
            Step(["team", "add", "export"], status: 65), Step(["team", "list", "--json"]),
            // Stages: add, move, edit, remove.
            Step(["stage", "add", "Demo", "--probability", "30", "--position", "3"]),
            Step(["stage", "add", "Customs", "--team", "Export", "--scope", "team", "--probability", "40", "--position", "2"]),
            Step(["stage", "edit", "Proposition", "--probability", "45.5", "--requirements", "Quote sent", "--no-auto-probability"]),
            Step(["stage", "edit", "Negotiation", "--name", "Bargaining", "--fold"]),
            Step(["stage", "move", "Demo", "--after", "Bargaining"]),
            Step(["stage", "move", "Qualified", "--position", "1"]),
            Step(["stage", "edit", "Won", "--probability", "80"], status: 65),
            Step(["stage", "list", "--json"]), Step(["stage", "list", "--team", "Export", "--json"]), Step(["stage", "suggest", "--json"]),
            // Deals: add, move, edit.
            Step(["opp", "add", "Acme renewal", "--customer", "Acme", "--revenue", "12,000.50", "--salesperson", "Lan",
                  "--close-date", "2026-12-31", "--tag", "vip", "--priority", "3"]),
            Step(["opp", "add", "Globex expansion", "--customer", "Globex", "--revenue", "8,000", "--stage", "Qualified", "--salesperson", "Minh"]),
            Step(["opp", "add", "Hợp đồng Vinamilk", "--customer", "Công ty Sữa", "--revenue", "1,500,000", "--currency", "VND",
                  "--stage", "Demo", "--close-date", "2027-01-15"]),
            Step(["opp", "add", "Export deal", "--team", "Export", "--stage", "Customs", "--revenue", "800", "--probability", "33"]),
            Step(["opp", "add", "Small one", "--revenue", "0.03", "--stage", "Proposition"]),
            Step(["opp", "add", "Gone", "--revenue", "5", "--stage", "Bargaining"]),
            Step(["opp", "add", "Nowhere", "--stage", "Customs"], status: 65),
            Step(["opp", "move", "Acme renewal", "--to", "Proposition"]),
            Step(["opp", "move", "Globex expansion", "--to", "Bargaining"]),
            Step(["opp", "move", "Acme renewal", "--to", "Demo"]),
            Step(["opp", "edit", "Globex expansion", "--title", "Globex expansion II", "--email", "ana@globex.com", "--tag", "q4",
                  "--notes", "Line one\nLine two", "--revenue", "9,999.99"]),
            Step(["opp", "edit", "Small one", "--team", "Export", "--stage", "Customs"]),
            Step(["opp", "move", "Nothing like it", "--to", "Won"], status: 65),
            // Won, lost, restore, archive, delete.
            Step(["opp", "won", "Globex expansion II"]),
            Step(["opp", "lost", "Gone", "--reason", "No budget"]),
            Step(["opp", "lost", "Acme renewal", "--reason", "Went elsewhere"]),
            Step(["opp", "restore", "Acme renewal"]),
            Step(["opp", "restore", "Acme renewal"], status: 65),
            Step(["opp", "archive", "Export deal"]),
            Step(["opp", "show", "Acme renewal", "--json"]), Step(["opp", "show", "Gone", "--json"]),
            Step(["opp", "show", "Globex expansion II", "--json"]), Step(["opp", "show", "Export deal", "--json"]),
            // A stage removed with its deals moved, another refused.
            Step(["stage", "remove", "Demo", "--move-to", "Qualified"]),
            Step(["stage", "remove", "Qualified"], status: 65),
            Step(["opp", "show", "Acme renewal", "--json"]), Step(["opp", "show", "Hợp đồng Vinamilk", "--json"]),
            // Leads: off, on, added, duplicates, lost and restored, converted with a merge and without.
            Step(["lead", "list", "--json"], status: 65),
            Step(["settings", "set", "leads", "on"]),
            Step(["lead", "add", "Acme website", "--company", "Acme Corporation", "--email", "ana@acme.com", "--revenue", "5,000",
                  "--salesperson", "Lan"]),
            Step(["lead", "add", "Acme app", "--contact", "Ana Smith", "--email", "ANA@acme.com", "--revenue", "2,000", "--priority", "2"]),
            Step(["lead", "add", "Solo", "--company", "Solo Trading", "--phone", "+84 90 123 4567"]),
            Step(["lead", "add", "Cold", "--company", "Cold Ltd"]),
            Step(["lead", "list", "--json"]), Step(["lead", "list", "--sort", "revenue", "--json"]),
            Step { cli in ["lead", "duplicates", id(of: "Acme app", in: cli, listing: ["lead", "list"]), "--json"] },
            Step(["lead", "show", "Acme app", "--json"]),
            Step(["lead", "edit", "Solo", "--priority", "3", "--title", "Solo trading deal"]),
            Step(["lead", "lost", "Cold", "--reason", "No answer"]),
            Step(["lead", "list", "--lost", "--json"]),
            Step(["lead", "restore", "Cold"]),
            Step(["lead", "convert", "Acme app"], status: 65),
            Step { cli in ["lead", "convert", "Acme app", "--merge-with", id(of: "Acme website", in: cli, listing: ["lead", "list"])] },
            Step(["lead", "convert", "Solo trading deal", "--no-merge", "--team", "Export", "--salesperson", "Minh"]),
            Step(["lead", "list", "--lost", "--json"]), Step(["opp", "show", "Acme app", "--json"]), Step(["opp", "show", "Solo trading deal", "--json"]),
            // Settings.
            Step(["settings", "set", "direction", "ltr"]), Step(["settings", "set", "currency", "vnd"]),
            Step(["settings", "set", "team", "export"]), Step(["settings", "set", "direction", "up"], status: 65),
            Step(["settings", "get", "team"]), Step(["settings", "list", "--json"]),
            Step(["opp", "add", "Default team deal", "--revenue", "2,000,000"]),
            Step(["settings", "set", "team", "Sales"]),
            // A CSV import: new rows with External IDs, then the same file again updates them.
            Step { cli in ["import", cli.folder.appendingPathComponent("deals.csv").path, "--dry-run"] },
            Step { cli in ["import", cli.folder.appendingPathComponent("deals.csv").path] },
            Step { cli in ["import", cli.folder.appendingPathComponent("deals.csv").path] },
            Step { cli in ["import", cli.folder.appendingPathComponent("bad.csv").path] }.with(status: 65),
        ]
        steps += listings.map { Step($0) }
        steps += [
            Step(["opp", "list", "--archived", "--json"]),
            Step(["opp", "show", "Imported two", "--json"]),
            Step(["opp", "delete", "Gone"]),
            Step(["opp", "list", "--archived", "--json"]),
            Step(["team", "remove", "Export"], status: 65),
            Step(["team", "remove", "Export", "--move-to", "Sales"]),
            Step(["team", "remove", "Hà Nội"]),
        ]
        steps += listings.filter { !$0.contains("Export") }.map { Step($0) }
        return steps
    }()

    @Test func oneScriptGivesTheSameJSONOnBothEngines() throws {
        let clis = [try CLI(engine: .sqlite), try CLI(engine: .postgresql)]
        for cli in clis {
            try Self.csv.write(to: cli.folder.appendingPathComponent("deals.csv"), atomically: true, encoding: .utf8)
            try "name,probability\nGood,10\nBad,150\n".write(to: cli.folder.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        }
        // Who acted is `$USER` on a file and the login on a server (by design not the same name).
        var normalizers = clis.map { Normalizer(actingUser: $0.engine == .sqlite ? "tester" : "postgres") }
        var compared = 0
        for step in Self.script {
            let arguments = clis.map(step.arguments)
            let results = zip(clis, arguments).map { cli, arguments in cli.run(arguments) }
            let command = "pipeline " + arguments[0].joined(separator: " ")
            for (cli, result) in zip(clis, results) {
                #expect(result.status == step.status, "\(cli.engine): \(command) exited \(result.status): \(result.stderr)")
            }
            let messages = zip(clis, results).map { cli, result in result.stderr.replacingOccurrences(of: cli.locationInMessages, with: "<store>") }
            #expect(messages[0] == messages[1], "\(command): the engines' messages differ")
            guard arguments[0].contains("--json"), step.status == 0 else { continue }
            let family = Normalizer.family(ofCommand: arguments[0])
            let outputs = (0..<2).map { index in normalizers[index].normalizedJSON(results[index].stdout, family: family) }
            #expect(!outputs[0].hasPrefix("not JSON"), "\(command): \(outputs[0])")
            #expect(outputs[0] == outputs[1], "\(command): the engines answer differently\nSQLite:\n\(outputs[0])\nPostgreSQL:\n\(outputs[1])")
            compared += 1
        }
        // Both exports: the CSV (ids as External IDs) and the JSON backup (ids and times).
        let csv = (0..<2).map { index in
            normalizers[index].normalizedCSV(["opportunities", "leads", "stages"].map { clis[index].ok(["export", "--what", $0]).stdout }.joined())
        }
        #expect(csv[0] == csv[1], "the CSV exports differ\nSQLite:\n\(csv[0])\nPostgreSQL:\n\(csv[1])")
        let backups = try (0..<2).map { index in try normalizers[index].normalizedBackup(clis[index].ok(["export", "--format", "json"]).stdout) }
        #expect(backups[0] == backups[1], "the JSON backups differ\nSQLite:\n\(backups[0])\nPostgreSQL:\n\(backups[1])")
        #expect(compared > 50, "only \(compared) JSON outputs compared")
        for cli in clis {
            #expect(cli.checksSound(), "\(cli.engine): \(cli.run(["check"]))")
        }
    }
}

extension CLIEnginesAgreeTests.Step {
    func with(status: Int32) -> Self {
        var step = self
        step.status = status
        return step
    }
}

extension CLI {
    /// How messages name this CLI's store: the file's path, or the server database as libpq
    /// reached it (a URI without the password).
    var locationInMessages: String {
        server.map { "postgresql://postgres@/\($0.name)?host=\($0.socketFolder)&port=\($0.port)" } ?? database
    }
}

/// Sets aside what two engines may legitimately differ in — the numbers they gave records,
/// stages and teams, and the times things happened — and nothing else. Ids are renumbered in
/// the order they first appear, per kind, across the whole script, so that "the lead merged
/// into the one it should" still compares; times become `<time>` (a missing time stays null).
struct Normalizer {
    private var numbering: [String: [Int: Int]] = [:]
    /// The name the stage history gives whoever ran the commands: set aside too.
    var actingUser: String?

    init(actingUser: String? = nil) { self.actingUser = actingUser }

    static let timeKeys: Set<String> = ["created_at", "updated_at", "stage_changed_at", "converted_at", "at"]
    static let idKinds: [String: String] = [
        "team_id": "team", "stage_id": "stage", "from_id": "stage", "to_id": "stage", "from_stage_id": "stage",
        "to_stage_id": "stage", "opportunity_id": "record",
    ]

    /// What an `id` field counts in a command's output.
    static func family(ofCommand arguments: [String]) -> String {
        switch arguments.first {
        case "stage": return "stage"
        case "team": return "team"
        default: return "record"
        }
    }

    mutating func canonical(_ id: Int, kind: String) -> Int {
        if let known = numbering[kind]?[id] { return known }
        let next = (numbering[kind]?.count ?? 0) + 1
        numbering[kind, default: [:]][id] = next
        return next
    }

    mutating func normalized(_ value: Any, family: String) -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            // Keys in a fixed order, so that ids are numbered the same way on both sides.
            for key in object.keys.sorted() {
                let member = object[key]!
                if Self.timeKeys.contains(key), member is String {
                    result[key] = "<time>"
                } else if key == "time_in_from_ms", member is Int {
                    // How long a deal stayed in a stage: the moments between the script's commands.
                    result[key] = "<duration>"
                } else if let actingUser, member as? String == actingUser {
                    // Whoever acted (`by`), and the salesperson of what they added without one
                    // (a new deal is its creator's), or an activity's assignee by default.
                    result[key] = "<the acting user>"
                } else if let kind = key == "id" ? family : Self.idKinds[key], let id = member as? Int {
                    result[key] = canonical(id, kind: kind)
                } else {
                    result[key] = normalized(member, family: family)
                }
            }
            return result
        case let array as [Any]:
            return array.map { normalized($0, family: family) }
        default:
            return value
        }
    }

    /// The JSON `text` normalized, or, when it is not JSON, a line saying so and the text.
    mutating func normalizedJSON(_ text: String, family: String) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let normalized = try? Self.text(normalized(value, family: family)) else { return "not JSON:\n" + text }
        return normalized
    }

    /// The backup: each section's `id` is of its own kind.
    mutating func normalizedBackup(_ text: String) throws -> String {
        guard var root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
        for (section, kind) in [("teams", "team"), ("stages", "stage"), ("records", "record"), ("stage_history", "history")] {
            root[section] = normalized(root[section] ?? [], family: kind)
        }
        // Preferences are the acting user's: `$USER` on a file, the login on a server (by
        // design not the same name); a team is named by id.
        root["preferences"] = (root["preferences"] as? [[String: Any]] ?? []).map { preference in
            var preference = preference
            preference["user"] = "<the acting user>"
            if preference["key"] as? String == "team", let id = (preference["value"] as? String).flatMap(Int.init) {
                preference["value"] = String(canonical(id, kind: "team"))
            }
            return preference
        }
        return try Self.text(root)
    }

    /// The CSV export: records are named `pipeline.crm_lead_N` unless imported with their own.
    mutating func normalizedCSV(_ text: String) -> String {
        var result = ""
        // A field that is the acting user (a new deal's salesperson is its creator) is set aside.
        let text = actingUser.map { user in
            text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.split(separator: ",", omittingEmptySubsequences: false).map { $0 == user ? "<the acting user>" : String($0) }
                    .joined(separator: ",")
            }.joined(separator: "\n")
        } ?? text
        var rest = Substring(text)
        while let match = rest.firstMatch(of: /pipeline\.crm_lead_(\d+)/) {
            result += rest[..<match.range.lowerBound]
            result += "pipeline.crm_lead_#\(canonical(Int(match.output.1) ?? -1, kind: "record"))"
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }

    static func text(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .fragmentsAllowed]),
               as: UTF8.self)
    }
}
