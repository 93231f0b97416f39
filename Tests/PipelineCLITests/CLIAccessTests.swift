import Foundation
import PostgresClient
import Testing

/// A team server with four people the database's owner added with `pipeline user add`: an
/// administrator, a manager of Alpha, a salesperson of Bravo, and a salesperson of Charlie,
/// whose team has "own deals only" on. Each connects with their own login (the test server
/// trusts its unix socket, so no password is needed there). Deals and leads of every team,
/// given to them, to a colleague and to nobody. The logins are the cluster's, so they are
/// dropped when the fixture goes.
final class AccessFixture: @unchecked Sendable {
    /// The database's owner (the superuser that made it): an administrator without a user row.
    let owner: CLI
    let server: ServerDatabase
    let admin: String, manager: String, salesperson: String, ownDealsSalesperson: String
    var logins: [String] { [admin, manager, salesperson, ownDealsSalesperson] }
    /// The colleague who owns deals but never logs in.
    static let colleague = "lee"

    init() throws {
        owner = try CLI(engine: .postgresql)
        server = try #require(owner.server)
        let suffix = UUID().uuidString.lowercased().prefix(8)
        admin = "adm_\(suffix)"
        manager = "mgr_\(suffix)"
        salesperson = "sam_\(suffix)"
        ownDealsSalesperson = "olga_\(suffix)"
        owner.ok(["team", "rename", "Sales", "Alpha"])
        owner.ok(["team", "add", "Bravo"])
        owner.ok(["team", "add", "Charlie"])
        owner.ok(["settings", "set", "leads", "on"])
        owner.ok(["user", "add", admin, "--role", "admin"])
        owner.ok(["user", "add", manager, "--role", "manager", "--team", "Alpha"])
        owner.ok(["user", "add", salesperson, "--role", "salesperson", "--team", "Bravo"])
        owner.ok(["user", "add", ownDealsSalesperson, "--role", "salesperson", "--team", "Charlie"])
        owner.ok(["team", "edit", "Charlie", "--own-deals-only", "on"])
        let lee = Self.colleague
        for (title, team, who, revenue) in [
            ("Alpha deal", "Alpha", lee, "1000"),
            ("Sam's deal", "Bravo", salesperson, "2000"), ("Lee's deal", "Bravo", lee, "3000"), ("Open deal", "Bravo", "", "4000"),
            ("Olga's deal", "Charlie", ownDealsSalesperson, "5000"), ("Lee's Charlie deal", "Charlie", lee, "6000"),
            ("Unassigned Charlie deal", "Charlie", "", "7000"),
        ] {
            owner.ok(["opp", "add", title, "--team", team, "--salesperson", who, "--revenue", revenue])
        }
        for (title, team, who) in [("Bravo lead", "Bravo", ""), ("Open lead", "Charlie", ""), ("Lee's lead", "Charlie", lee),
                                   ("Olga's lead", "Charlie", ownDealsSalesperson)] {
            owner.ok(["lead", "add", title, "--team", team, "--salesperson", who])
        }
    }

    deinit {
        // What the logins were granted in the database goes first; the database itself is
        // dropped with the owner's CLI.
        let names = logins.map { "\"\($0)\"" }.joined(separator: ", ")
        _ = try? server.connect().executeScript("DROP OWNED BY \(names)")
        _ = try? ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port)
            .executeScript(logins.map { "DROP ROLE IF EXISTS \"\($0)\";" }.joined())
    }

    /// `--db` for `login` over the socket.
    func location(as login: String) -> String {
        "host=\(server.socketFolder) port=\(server.port) user=\(login) dbname=\(server.name)"
    }

    @discardableResult
    func run(_ login: String, _ arguments: [String], environment: [String: String] = [:],
             sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
        owner.run(arguments + ["--db", location(as: login)], database: false, environment: environment, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ login: String, _ arguments: [String], environment: [String: String] = [:],
            sourceLocation: SourceLocation = #_sourceLocation) -> CLI.Result {
        let result = run(login, arguments, environment: environment, sourceLocation: sourceLocation)
        #expect(result.status == 0, "\(login): pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func objects(_ login: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        let result = ok(login, arguments + ["--json"], sourceLocation: sourceLocation)
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]] ?? []
    }

    func titles(_ login: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Set<String> {
        Set(objects(login, arguments, sourceLocation: sourceLocation).compactMap { $0["title"] as? String })
    }

    /// A deal's id, as the owner sees it.
    func id(_ title: String) -> Int {
        owner.objects(["opp", "list", "--archived"]).first { $0["title"] as? String == title }?["id"] as? Int ?? -1
    }

    /// The open deals' expected sum in dollars the forecast shows `login` (every team they see).
    func forecastOpen(_ login: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let result = ok(login, ["forecast", "--json"], sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        return ((object?["open"] as? [String: Any])?["expected"] as? [String: Any])?["USD"] as? String
    }

    /// Everything the database holds, as the owner's backup says it.
    var everything: String { owner.run(["export", "--format", "json"]).stdout }

    /// `login` running `arguments` is refused with exit 77 and exactly `sentence`, and the
    /// database is as it was.
    func refused(_ login: String, _ arguments: [String], _ sentence: String, sourceLocation: SourceLocation = #_sourceLocation) {
        refused(login, arguments, where: { $0 == "error: \(sentence)\n" }, sourceLocation: sourceLocation)
    }

    /// Refused as `refused` says, in a sentence `matches` takes (the server's own, which names
    /// the database).
    func refused(_ login: String, _ arguments: [String], where matches: (String) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = everything
        let result = run(login, arguments, sourceLocation: sourceLocation)
        #expect(result.status == 77, "\(login): pipeline \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(matches(result.stderr) && result.stderr.split(separator: "\n").count == 1,
                "\(login): pipeline \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(everything == before, "\(login): pipeline \(arguments.joined(separator: " ")) changed something", sourceLocation: sourceLocation)
    }
}

@Suite("CLI: who may do what on a team server")
struct CLIAccessTests {
    static func othersDeal(_ id: Int, _ owner: String, _ team: String) -> String {
        "deal \(id) is \(owner)'s: only they or a manager of \(team) can change it"
    }

    static func shared(_ stage: String) -> String {
        "stage \(stage) is shared by every team: only an administrator, or a manager of every team, can change it"
    }

    static let csv = "name,team_id,expected_revenue\nImported,Alpha,100\n"

    static func onlyTheOwnerRestores(_ stderr: String) -> Bool {
        stderr.hasPrefix("error: only the owner of the tables of ") && stderr.contains(", postgres, can restore a backup")
    }

    // MARK: - Users

    @Test func theOwnerAddsUsersWhoAreListedWithTheirRolesAndTeams() throws {
        let world = try AccessFixture()
        let users = world.objects(world.admin, ["user", "list"])
        let byLogin = Dictionary(uniqueKeysWithValues: users.compactMap { user in (user["login"] as? String).map { ($0, user) } })
        #expect(byLogin[world.admin]?["role"] as? String == "admin")
        #expect(byLogin[world.manager]?["role"] as? String == "manager")
        #expect(byLogin[world.manager]?["teams"] as? [String] == ["Alpha"])
        #expect(byLogin[world.salesperson]?["teams"] as? [String] == ["Bravo"])
        #expect(byLogin[world.ownDealsSalesperson]?["role"] as? String == "salesperson")
        #expect(world.logins.allSatisfy { byLogin[$0]?["can_log_in"] as? Bool == true })
        // The table names the role in words and the teams by name.
        let table = world.ok(world.admin, ["user", "list"]).stdout
        #expect(table.contains("manager") && table.contains("administrator") && table.contains("Alpha"), "\(table)")
        // Changing one: role and teams by name, --team replacing the teams.
        let edited = world.ok(world.admin, ["user", "edit", world.salesperson, "--team", "Bravo", "--team", "Alpha"])
        #expect(edited.stdout == "Updated user \(world.salesperson) (salesperson, teams Alpha, Bravo).\n", "\(edited.stdout)")
        world.ok(world.admin, ["user", "edit", world.salesperson, "--team", "Bravo"])
        let nothing = world.run(world.admin, ["user", "edit", world.salesperson])
        #expect(nothing.status == 65, "\(nothing.stderr)")
        // Without a terminal, no password is asked for, and the sentence says how to set one.
        let added = world.owner.run(["user", "add", "kim_\(world.admin.suffix)", "--role", "salesperson", "--team", "Bravo"])
        defer { _ = try? ServerDatabase.superuser(socketFolder: world.server.socketFolder, port: world.server.port)
            .executeScript("DROP OWNED BY \"kim_\(world.admin.suffix)\"; DROP ROLE IF EXISTS \"kim_\(world.admin.suffix)\"") }
        #expect(added.status == 0, "\(added.stderr)")
        // The advice on standard error (a script's 2>/dev/null hides it), the result alone on
        // standard output.
        #expect(added.stderr.contains("ALTER ROLE \"kim_\(world.admin.suffix)\" PASSWORD"), "\(added.stderr)")
        #expect(!added.stdout.contains("PASSWORD"), "\(added.stdout)")
        let needsTerminal = world.owner.run(["user", "edit", "kim_\(world.admin.suffix)", "--password"])
        #expect(needsTerminal.status == 64 && needsTerminal.stderr.contains("asks for the password on a terminal"), "\(needsTerminal.stderr)")
        // A user in no team sees nothing and is told why when they would work in one.
        let kim = "kim_\(world.admin.suffix)"
        world.ok(world.admin, ["user", "edit", kim, "--no-teams"])
        #expect(world.objects(kim, ["opp", "list"]).isEmpty)
        #expect(world.objects(kim, ["team", "list"]).isEmpty)
        world.refused(kim, ["opp", "add", "Nowhere"],
                      "you are in no team of this database: ask an administrator to add you to one (pipeline user edit LOGIN --team TEAM)")
        // Only an administrator manages users.
        for login in [world.manager, world.salesperson, world.ownDealsSalesperson] {
            world.refused(login, ["user", "add", "someone", "--role", "salesperson"], "only an administrator can add, change or remove users")
            world.refused(login, ["user", "edit", world.salesperson, "--role", "admin"], "only an administrator can add, change or remove users")
            world.refused(login, ["user", "remove", world.admin], "only an administrator can add, change or remove users")
        }
    }

    @Test func aRemovedUserIsRefusedAtOnceAndTheirDealsStay() throws {
        let world = try AccessFixture()
        world.ok(world.salesperson, ["opp", "move", "Sam's deal", "--to", "Qualified"])
        world.ok(world.admin, ["user", "remove", world.salesperson])
        let after = world.run(world.salesperson, ["opp", "list"])
        #expect(after.status == 77, "\(after.status): \(after.stdout)\(after.stderr)")
        #expect(!after.stdout.contains("Sam's deal"))
        let deal = world.owner.object(["opp", "show", "Sam's deal"])
        #expect(deal["salesperson"] as? String == world.salesperson)
        #expect((deal["history"] as? [[String: Any]])?.last?["by"] as? String == world.salesperson)
        #expect(!(world.owner.objects(["user", "list"]).contains { $0["login"] as? String == world.salesperson }))
    }

    // MARK: - A salesperson

    @Test func aSalespersonSeesTheirTeamAndChangesTheirOwnAndUnassignedDeals() throws {
        let world = try AccessFixture()
        let sam = world.salesperson
        #expect(world.titles(sam, ["opp", "list"]) == ["Sam's deal", "Lee's deal", "Open deal"])
        #expect(world.forecastOpen(sam) == "9000.00")
        // Their own: moved, with the history naming the login whatever $USER says.
        world.ok(sam, ["opp", "move", "Sam's deal", "--to", "Qualified"], environment: ["USER": "mallory", "LOGNAME": "mallory"])
        let history = world.owner.object(["opp", "show", "Sam's deal"])["history"] as? [[String: Any]] ?? []
        #expect(history.last?["by"] as? String == sam)
        world.ok(sam, ["opp", "edit", "Sam's deal", "--revenue", "2500"])
        world.ok(sam, ["opp", "won", "Sam's deal"])
        world.ok(sam, ["opp", "restore", "Sam's deal"])
        world.ok(sam, ["opp", "lost", "Sam's deal", "--reason", "Budget"])
        world.ok(sam, ["opp", "restore", "Sam's deal"])
        // An unassigned one: changed, and taken for themselves only.
        world.ok(sam, ["opp", "move", "Open deal", "--to", "Proposition"])
        world.ok(sam, ["opp", "edit", "Open deal", "--salesperson", sam])
        #expect(world.owner.object(["opp", "show", "Open deal"])["salesperson"] as? String == sam)
        // A colleague's: nothing.
        let lees = world.id("Lee's deal")
        let others = Self.othersDeal(lees, AccessFixture.colleague, "Bravo")
        world.refused(sam, ["opp", "move", "Lee's deal", "--to", "Qualified"], others)
        world.refused(sam, ["opp", "edit", "Lee's deal", "--revenue", "1"], others)
        world.refused(sam, ["opp", "edit", "Lee's deal", "--salesperson", sam], others)
        world.refused(sam, ["opp", "won", "Lee's deal"], others)
        world.refused(sam, ["opp", "lost", "Lee's deal", "--reason", "No"], others)
        world.refused(sam, ["opp", "restore", "Lee's deal"], others)
        world.refused(sam, ["opp", "delete", "Lee's deal"], others)
        // Never given to someone else.
        let giving = "a salesperson gives deals only to themselves: ask a manager of Bravo to give it to \(AccessFixture.colleague)"
        world.refused(sam, ["opp", "edit", "Sam's deal", "--salesperson", AccessFixture.colleague], giving)
        world.refused(sam, ["opp", "add", "Given away", "--team", "Bravo", "--salesperson", AccessFixture.colleague], giving)
        world.refused(sam, ["lead", "add", "Given lead", "--team", "Bravo", "--salesperson", AccessFixture.colleague], giving)
        // What they add without a salesperson is theirs.
        world.ok(sam, ["opp", "add", "Sam's new deal", "--team", "Bravo", "--revenue", "10"])
        #expect(world.owner.object(["opp", "show", "Sam's new deal"])["salesperson"] as? String == sam)
        world.ok(sam, ["lead", "add", "Sam's new lead", "--team", "Bravo"])
        #expect(world.owner.object(["lead", "show", "Sam's new lead"])["salesperson"] as? String == sam)
        // An unassigned lead converted becomes their deal; deleting their own is theirs to do.
        world.ok(sam, ["lead", "convert", "Bravo lead", "--no-merge"])
        #expect(world.owner.object(["opp", "show", "Bravo lead"])["salesperson"] as? String == sam)
        world.ok(sam, ["opp", "delete", "Sam's new deal"])
    }

    @Test func aSalespersonChangesNoStageTeamSharedSettingImportOrRestore() throws {
        let world = try AccessFixture()
        let sam = world.salesperson
        world.refused(sam, ["stage", "add", "Demo", "--team", "Bravo", "--scope", "team"], "only a manager of Bravo can edit its stages")
        // Without --scope a new stage goes where it would for them: the team's own.
        world.refused(sam, ["stage", "add", "Demo", "--team", "Bravo"], "only a manager of Bravo can edit its stages")
        world.refused(sam, ["stage", "add", "Demo", "--team", "Bravo", "--scope", "shared"], Self.shared("Demo"))
        world.refused(sam, ["stage", "edit", "New", "--team", "Bravo", "--probability", "7"], Self.shared("New"))
        world.refused(sam, ["stage", "move", "New", "--team", "Bravo", "--position", "2"], Self.shared("New"))
        world.refused(sam, ["stage", "remove", "Lost", "--team", "Bravo"], Self.shared("Lost"))
        world.refused(sam, ["team", "add", "Delta"], "only an administrator can add or remove teams")
        world.refused(sam, ["team", "remove", "Bravo", "--move-to", "Alpha"], "only an administrator can add or remove teams")
        world.refused(sam, ["team", "rename", "Bravo", "Bravissimo"], "only a manager of Bravo can change its settings")
        world.refused(sam, ["team", "edit", "Bravo", "--own-deals-only", "on"], "only a manager of Bravo can change its settings")
        let shared = "only an administrator can change a setting for everyone; without --for-everyone it is yours alone"
        world.refused(sam, ["settings", "set", "direction", "ltr", "--for-everyone"], shared)
        world.refused(sam, ["settings", "set", "currency", "EUR"], "only an administrator can change the setting currency: it is the same for everyone")
        // Their own preference is theirs.
        world.ok(sam, ["settings", "set", "direction", "ltr"])
        #expect(world.ok(sam, ["settings", "get", "direction"]).stdout == "ltr\n")
        #expect(world.owner.run(["settings", "get", "direction"]).stdout != "ltr\n")
        let file = world.owner.path("deals.csv")
        try Self.csv.write(toFile: file, atomically: true, encoding: .utf8)
        world.refused(sam, ["import", file], "only a manager or an administrator can import")
        let backup = world.owner.path("backup.json")
        try world.everything.write(toFile: backup, atomically: true, encoding: .utf8)
        // Only the tables' owner restores on a server (its history trigger would put anyone
        // else's name on every restored line): the server's sentence, before anything is read.
        world.refused(sam, ["import", backup], where: Self.onlyTheOwnerRestores)
    }

    @Test func ownDealsOnlyShowsASalespersonTheirOwnDealsAndTheLeadsToTake() throws {
        let world = try AccessFixture()
        let olga = world.ownDealsSalesperson
        #expect(world.titles(olga, ["opp", "list"]) == ["Olga's deal"])
        #expect(world.titles(olga, ["lead", "list"]) == ["Open lead", "Olga's lead"])
        // The column totals are sums of their own deals, not the team's.
        #expect(world.forecastOpen(olga) == "5000.00")
        let stages = world.objects(olga, ["stage", "list", "--team", "Charlie"])
        #expect(stages.reduce(0) { $0 + ($1["opportunity_count"] as? Int ?? 0) } == 1, "\(stages)")
        // Taking an unassigned lead makes it theirs, and it stays in sight; converted for
        // nobody it would vanish, and is refused in the program's sentence.
        world.refused(olga, ["lead", "convert", "Open lead", "--no-merge", "--salesperson", ""],
                      "in Charlie salespeople see only their own deals: a deal you add or change there stays yours (leave leads unassigned instead)")
        world.ok(olga, ["lead", "convert", "Open lead", "--no-merge"])
        #expect(world.titles(olga, ["opp", "list"]) == ["Olga's deal", "Open lead"])
        #expect(world.owner.object(["opp", "show", "Open lead"])["salesperson"] as? String == olga)
        // A deal they add or change stays theirs: unassigned, it would vanish from their own
        // board (and the server refuses it); the program says so first, in its sentence.
        let stays = "in Charlie salespeople see only their own deals: a deal you add or change there stays yours (leave leads unassigned instead)"
        world.refused(olga, ["opp", "add", "Nobody's", "--team", "Charlie", "--salesperson", ""], stays)
        world.refused(olga, ["opp", "edit", "Olga's deal", "--salesperson", ""], stays)
        // The team's other salespeople are as before: the setting is the team's.
        #expect(world.titles(world.salesperson, ["opp", "list"]).count == 3)
        // Off again, they see the whole team.
        world.ok(world.admin, ["team", "edit", "Charlie", "--own-deals-only", "off"])
        #expect(world.titles(olga, ["opp", "list"]).count == 4)
    }

    // MARK: - A manager

    @Test func aManagerShapesTheirTeamAndNoOther() throws {
        let world = try AccessFixture()
        let mia = world.manager
        #expect(world.titles(mia, ["opp", "list"]) == ["Alpha deal"])
        #expect(world.forecastOpen(mia) == "1000.00")
        // Their team's own stages.
        world.ok(mia, ["stage", "add", "Alpha demo", "--team", "Alpha", "--scope", "team", "--probability", "20"])
        world.ok(mia, ["stage", "edit", "Alpha demo", "--team", "Alpha", "--probability", "25"])
        world.ok(mia, ["stage", "move", "Alpha demo", "--team", "Alpha", "--position", "2"])
        #expect(world.objects(mia, ["stage", "list", "--team", "Alpha"]).dropFirst().first?["name"] as? String == "Alpha demo")
        world.ok(mia, ["opp", "move", "Alpha deal", "--to", "Alpha demo"])
        world.ok(mia, ["stage", "remove", "Alpha demo", "--team", "Alpha", "--move-to", "New"])
        // Anyone's deal in the team, given to anyone.
        world.ok(mia, ["opp", "edit", "Alpha deal", "--salesperson", "kim", "--revenue", "1500"])
        world.ok(mia, ["opp", "add", "Alpha new", "--team", "Alpha", "--salesperson", "kim"])
        #expect(world.owner.object(["opp", "show", "Alpha new"])["salesperson"] as? String == "kim")
        world.ok(mia, ["opp", "won", "Alpha new"])
        world.ok(mia, ["opp", "delete", "Alpha new"])
        // The team's settings.
        world.ok(mia, ["team", "rename", "Alpha", "Alpha One"])
        world.ok(mia, ["team", "rename", "Alpha One", "Alpha"])
        world.ok(mia, ["team", "edit", "Alpha", "--own-deals-only", "on"])
        #expect(world.objects(mia, ["team", "list"]).first { $0["name"] as? String == "Alpha" }?["own_deals_only"] as? Bool == true)
        world.ok(mia, ["team", "edit", "Alpha", "--own-deals-only", "off"])
        // An import into their team; a restore is an administrator's.
        let file = world.owner.path("alpha.csv")
        try Self.csv.write(toFile: file, atomically: true, encoding: .utf8)
        world.ok(mia, ["import", file])
        #expect(world.titles(mia, ["opp", "list"]).contains("Imported"))
        let backup = world.owner.path("backup.json")
        try world.everything.write(toFile: backup, atomically: true, encoding: .utf8)
        world.refused(mia, ["import", backup], where: Self.onlyTheOwnerRestores)
        // Not the teams themselves, not settings for everyone.
        world.refused(mia, ["team", "add", "Delta"], "only an administrator can add or remove teams")
        world.refused(mia, ["team", "remove", "Alpha", "--move-to", "Bravo"], "only an administrator can add or remove teams")
        world.refused(mia, ["settings", "set", "direction", "ltr", "--for-everyone"],
                      "only an administrator can change a setting for everyone; without --for-everyone it is yours alone")
    }

    /// The stages every team shares are not a manager's of one team among three, though the
    /// server shows them only their own team: the program must know there are others.
    @Test func aManagerOfOneTeamAmongSeveralChangesNoSharedStage() throws {
        let world = try AccessFixture()
        let mia = world.manager
        world.refused(mia, ["stage", "edit", "New", "--team", "Alpha", "--probability", "7"], Self.shared("New"))
        world.refused(mia, ["stage", "add", "Everyone's", "--team", "Alpha", "--scope", "shared"], Self.shared("Everyone's"))
        // Without --scope, as the board's N: the team's own stage, which is theirs to add.
        world.ok(mia, ["stage", "add", "Alpha's own", "--team", "Alpha"])
        #expect(world.owner.ok(["stage", "list", "--team", "Alpha"]).stdout.contains("Alpha's own"))
        world.refused(mia, ["stage", "move", "Won", "--team", "Alpha", "--position", "1"], Self.shared("Won"))
        world.refused(mia, ["stage", "remove", "Lost", "--team", "Alpha"], Self.shared("Lost"))
    }

    @Test func aManagerOfOneTeamManagesTheSharedStagesWhenItIsTheOnlyTeam() throws {
        let world = try AccessFixture()
        world.owner.ok(["team", "remove", "Bravo", "--move-to", "Alpha"])
        world.owner.ok(["team", "remove", "Charlie", "--move-to", "Alpha"])
        world.ok(world.manager, ["stage", "edit", "New", "--team", "Alpha", "--probability", "8"])
        world.ok(world.manager, ["stage", "add", "Everyone's", "--team", "Alpha"])
    }

    // MARK: - An administrator

    @Test func anAdministratorDoesEverything() throws {
        let world = try AccessFixture()
        let ada = world.admin
        #expect(world.titles(ada, ["opp", "list"]).count == 7)
        #expect(world.forecastOpen(ada) == "28000.00")
        #expect(world.objects(ada, ["team", "list"]).count == 3)
        world.ok(ada, ["stage", "edit", "New", "--team", "Bravo", "--probability", "6"])
        world.ok(ada, ["team", "add", "Delta"])
        world.ok(ada, ["team", "rename", "Delta", "Echo"])
        world.ok(ada, ["team", "remove", "Echo"])
        world.ok(ada, ["settings", "set", "direction", "ltr", "--for-everyone"])
        world.ok(ada, ["opp", "edit", "Lee's deal", "--salesperson", world.salesperson])
        world.ok(ada, ["user", "edit", world.manager, "--team", "Alpha", "--team", "Bravo"])
        #expect(world.titles(world.manager, ["opp", "list"]).count == 4)
        let file = world.owner.path("any.csv")
        try "name,team_id,expected_revenue\nFor Bravo,Bravo,100\nFor Charlie,Charlie,200\n".write(toFile: file, atomically: true, encoding: .utf8)
        world.ok(ada, ["import", file])
    }
}

@Suite("CLI: a file has no users")
struct CLIFileAccessTests {
    static let sentence = "error: a SQLite file is one person's and has no users: its protection is the file's mode (0600); "
        + "users and roles need a team server (--db postgresql://…)\n"

    /// Every `user` command and the team's "own deals only" on a SQLite file: one sentence,
    /// exit 78 (the store given has no users; nobody lacks a permission), nothing changed.
    @Test func everyUserCommandSaysAFileHasNoUsers() throws {
        let cli = try CLI(engine: .sqlite)
        cli.ok(["opp", "add", "Acme renewal"])
        let before = cli.everything()
        for command in [["user", "list"], ["user", "list", "--json"], ["user", "add", "lan", "--role", "salesperson"],
                        ["user", "add", "lan", "--role", "admin", "--team", "Sales"], ["user", "edit", "lan", "--role", "manager"],
                        ["user", "edit", "lan", "--password"], ["user", "remove", "lan"], ["team", "edit", "Sales", "--own-deals-only", "on"]] {
            let result = cli.run(command)
            #expect(result.status == 78, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr == Self.sentence, "\(command)")
            #expect(result.stdout.isEmpty, "\(command)")
        }
        let vietnamese = cli.run(["user", "list", "--lang", "vi"])
        #expect(vietnamese.status == 78 && vietnamese.stderr.contains("tệp SQLite là của một người"), "\(vietnamese.stderr)")
        #expect(cli.everything() == before)
        // The file's owner may do everything else, as before.
        cli.ok(["stage", "edit", "New", "--probability", "7"])
        cli.ok(["settings", "set", "direction", "ltr", "--for-everyone"])
    }

    @Test func userCommandsRefuseBadArgumentsInOneSentence() throws {
        let cli = try CLI(engine: .sqlite)
        let role = cli.run(["user", "add", "lan", "--role", "boss"])
        #expect(role.status == 64 && role.stderr.contains("'boss' is not one of 'salesperson', 'manager', 'admin'"), "\(role.stderr)")
        let both = cli.run(["user", "edit", "lan", "--team", "Sales", "--no-teams"])
        #expect(both.status == 64 && both.stderr.contains("--team and --no-teams cannot be given together"), "\(both.stderr)")
        let switchWord = cli.run(["team", "edit", "Sales", "--own-deals-only", "maybe"])
        #expect(switchWord.status == 64 && switchWord.stderr.contains("'maybe' is not one of 'on', 'off'"), "\(switchWord.stderr)")
        let long = cli.run(["user", "add", String(repeating: "a", count: 64), "--role", "admin"])
        #expect(long.status == 65 && long.stderr.contains("cannot be a PostgreSQL login: a login is 1 to 63 bytes"), "\(long.stderr)")
        #expect(cli.run(["team", "edit", "Sales"]).status == 65)
    }
}

private extension String {
    /// The random part of a fixture's login (`adm_1a2b3c4d` → `1a2b3c4d`).
    var suffix: Substring { split(separator: "_").last ?? "" }
}

/// The password prompt of `user add` and `user edit --password`, on a real terminal (tmux):
/// asked twice without echo, refused when the two differ, the terminal's echo back however
/// the prompt ends, and the password the one the server then takes (over TCP, where the test
/// server asks for passwords).
@Suite("CLI: passwords on a terminal", .serialized)
struct CLIPasswordPromptTests {
    /// The command in a shell that says its process id (the binary takes it over with
    /// `exec`, so that a signal can be sent to it alone), then its exit status and whether the
    /// terminal echoes.
    static func command(_ cli: CLI, _ arguments: String) -> String {
        "sh -c 'echo PID=$$; exec env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester \(CLI.binary) \(arguments) "
            + "--db \"$0\"' \(shellQuoted(cli.database)); echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e echo -e -echo; sleep 60"
    }

    static func finished(_ tmux: Tmux) -> String {
        tmux.waitFor("the command's end") { screen in screen.split(separator: "\n").contains { $0 == "echo" || $0 == "-echo" } }
    }

    @Test func aPasswordTypedTwiceWithoutEchoIsTheOneTheServerTakes() throws {
        #expect(tmuxAvailable, "tmux is needed: make test installs it")
        let cli = try CLI(engine: .postgresql)
        let server = try #require(cli.server)
        let login = "pw_" + UUID().uuidString.lowercased().prefix(8)
        defer {
            _ = try? server.connect().executeScript("DROP OWNED BY \"\(login)\"")
            _ = try? ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port).executeScript("DROP ROLE IF EXISTS \"\(login)\"")
        }
        let password = "Mật-khẩu 42"
        // Two that differ: refused, nothing made, echo back on.
        let differing = Tmux(command: Self.command(cli, "user add \(login) --role salesperson --team Sales"))
        differing.waitFor("Password for \(login):")
        differing.send("-l", password)
        differing.send("Enter")
        differing.waitFor("The same password again:")
        differing.send("-l", "something else")
        differing.send("Enter")
        var screen = Self.finished(differing)
        #expect(screen.contains("error: the two passwords differ; nothing was changed") && screen.contains("EXIT=65"), "\(screen)")
        #expect(!screen.contains(password) && !screen.contains("something else"), "\(screen)")
        #expect(screen.split(separator: "\n").contains("echo"), "the terminal was left without echo:\n\(screen)")
        #expect(!cli.objects(["user", "list"]).contains { $0["login"] as? String == login })

        // Ended by a signal at the prompt: the terminal's echo is back.
        let interrupted = Tmux(command: Self.command(cli, "user add \(login) --role salesperson --team Sales"))
        screen = interrupted.waitFor("Password for \(login):")
        let pid = try #require(screen.firstMatch(of: /PID=(\d+)/).flatMap { pid_t($0.output.1) })
        kill(pid, SIGTERM)
        screen = Self.finished(interrupted)
        #expect(screen.contains("EXIT=143"), "\(screen)")
        #expect(screen.split(separator: "\n").contains("echo"), "the terminal was left without echo:\n\(screen)")
        #expect(!cli.objects(["user", "list"]).contains { $0["login"] as? String == login })

        // The same twice: made, and the server takes that password over TCP.
        let added = Tmux(command: Self.command(cli, "user add \(login) --role salesperson --team Sales"))
        added.waitFor("Password for \(login):")
        added.send("-l", password)
        added.send("Enter")
        added.waitFor("The same password again:")
        added.send("-l", password)
        added.send("Enter")
        screen = Self.finished(added)
        #expect(screen.contains("Added user \(login) (salesperson, teams Sales).") && screen.contains("EXIT=0"), "\(screen)")
        #expect(!screen.contains(password) && !screen.contains("ALTER ROLE"), "\(screen)")
        func tcp(_ secret: String) -> String {
            "host=127.0.0.1 port=\(server.port) user=\(login) dbname=\(server.name) password='\(secret)'"
        }
        let listed = cli.run(["opp", "list", "--db", tcp(password)], database: false)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(cli.run(["opp", "list", "--db", tcp("wrong")], database: false).status == 77)

        // A new one with user edit --password.
        let edited = Tmux(command: Self.command(cli, "user edit \(login) --password"))
        edited.waitFor("Password for \(login):")
        edited.send("-l", "another one")
        edited.send("Enter")
        edited.waitFor("The same password again:")
        edited.send("-l", "another one")
        edited.send("Enter")
        screen = Self.finished(edited)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(cli.run(["opp", "list", "--db", tcp("another one")], database: false).status == 0)
        #expect(cli.run(["opp", "list", "--db", tcp(password)], database: false).status == 77)
    }
}
