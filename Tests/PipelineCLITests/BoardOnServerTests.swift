import Foundation
import PostgresClient
import Testing

/// The real binary's board on the throwaway PostgreSQL server, as logins of their own
/// (issue 12): what the board refuses it says in the status line, before the server would
/// refuse; what the role may do reaches the database, as that login.
@Suite("Board on a team server", .enabled(if: tmuxAvailable))
struct BoardOnServerTests {
    /// Logins of the server made users of a CLI's database, as the schema's own function
    /// grants them (their row, their teams, their role's privileges); dropped by `drop()`.
    final class Logins {
        let server: ServerDatabase
        private var made: [String] = []

        init(_ server: ServerDatabase) { self.server = server }

        /// A new login, made a user with `role` in every team of the database.
        func add(_ prefix: String, role: String) throws -> String {
            let login = "\(prefix)_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
            try ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port).executeScript("CREATE ROLE \(login) LOGIN")
            made.append(login)
            let database = try server.connect()
            try database.execute("INSERT INTO app_user (login, role, created_at) VALUES ($1, $2, 0)", [login, role])
            try database.execute("INSERT INTO team_member (login, team_id) SELECT $1, id FROM team", [login])
            try database.execute("SELECT pipeline_apply_grants($1)", [login])
            return login
        }

        /// What `--db` says to be `login` (over the socket, where the test server trusts).
        func location(as login: String) -> String {
            "host=\(server.socketFolder) port=\(server.port) user=\(login) dbname=\(server.name)"
        }

        /// Takes the logins' rights in the database and drops them, their sessions ended.
        func drop() {
            for login in made { _ = try? server.connect().executeScript("DROP OWNED BY \(login) CASCADE") }
            _ = try? ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port)
                .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [server.name])
            for login in made {
                _ = try? ServerDatabase.superuser(socketFolder: server.socketFolder, port: server.port).executeScript("DROP ROLE IF EXISTS \(login)")
            }
        }
    }

    func board(_ cli: CLI, as login: String, _ logins: Logins) -> Tmux {
        Tmux(command: "env -u LANG -u LC_ALL HOME=\(cli.folder.path) USER=tester \(CLI.binary) --db \(shellQuoted(logins.location(as: login)))"
             + "; echo EXIT=$?; sleep 60")
    }

    func quit(_ tmux: Tmux, sourceLocation: SourceLocation = #_sourceLocation) {
        tmux.send("q")
        let final = tmux.waitFor("^EXIT=", sourceLocation: sourceLocation) { $0.split(separator: "\n").contains { $0.hasPrefix("EXIT=") } }
        #expect(final.contains("EXIT=0"), sourceLocation: sourceLocation)
    }

    func stage(of title: String, _ cli: CLI) -> String? {
        cli.objects(["opp", "list"]).first { $0["title"] as? String == title }?["stage"] as? String
    }

    @Test func aSalespersonIsToldWhyAndMovesOnlyTheirOwnDealsAndAManagerEditsTheStage() throws {
        let cli = try CLI(engine: .postgresql)
        let server = try #require(cli.server)
        cli.ok(["stage", "list"])  // migrates and seeds the database as its owner
        let logins = Logins(server)
        defer { logins.drop() }
        let lan = try logins.add("lan", role: "salesperson")
        let hoa = try logins.add("hoa", role: "manager")
        // New cards go on top: Lan's Acme, then Minh's Globex below it.
        cli.ok(["opp", "add", "Globex expansion", "--revenue", "8,000", "--salesperson", "minh"])
        cli.ok(["opp", "add", "Acme renewal", "--revenue", "12,000", "--salesperson", lan])
        let globex = try #require(cli.objects(["opp", "list"]).first { $0["title"] as? String == "Globex expansion" }?["id"] as? Int)

        do {
            let tmux = board(cli, as: lan, logins)
            tmux.waitFor("Acme renewal")
            // e on New's header: the editor does not open, the status line says why.
            tmux.send("Up", "e")
            let refused = tmux.waitFor("stage New is shared by every team: only an administrator, or a manager of every team, can change it")
            #expect(!refused.contains("Probability (%)"))
            // N: a new column is the team's manager's to add.
            tmux.send("N")
            let adding = tmux.waitFor("only a manager of Sales can edit its stages")
            #expect(!adding.contains("Add a column"))
            // Minh's deal does not move.
            tmux.send("Down", "Down", "S-Left")
            tmux.waitFor("deal \(globex) is minh's: only they or a manager of Sales can change it")
            // Her own does, as her.
            tmux.send("Up", "S-Left")
            tmux.waitFor("Moved 'Acme renewal' to Qualified")
            quit(tmux)
        }
        #expect(stage(of: "Globex expansion", cli) == "New")
        #expect(stage(of: "Acme renewal", cli) == "Qualified")
        let movedBy = try server.connect().execute("""
            SELECT h.changed_by FROM stage_history h JOIN opportunity o ON o.id = h.opportunity_id
            WHERE o.title = 'Acme renewal' ORDER BY h.id DESC LIMIT 1
            """).rows.first?[0]
        #expect(movedBy == lan)

        do {
            // The manager of the only team edits its stage.
            let tmux = board(cli, as: hoa, logins)
            tmux.waitFor("Globex expansion")
            tmux.send("Up", "e")
            tmux.waitFor("Probability (%)")
            tmux.send("Tab", "C-u", "1", "2", "Enter")
            tmux.waitFor("Saved stage New (12%)")
            quit(tmux)
        }
        #expect(cli.objects(["stage", "list"]).first?["probability"] as? Int == 12)
    }
}
