import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline user list|add|edit|remove`: who may use a team server, with which role and teams.
/// A SQLite file has no users: every one of these says so in one sentence (exit 78).
struct UserCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "user",
        abstract: localized("cli.user.abstract"),
        discussion: localized("cli.user.discussion"),
        subcommands: [List.self, Add.self, Edit.self, Remove.self]) }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.user.list.abstract")) }
        @OptionGroup var global: GlobalOptions
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let users = try session.database.users()
            let catalog = try session.database.catalog()
            if json {
                Console.out(JSONValue.array(users.map { user in
                    .object([("login", .string(user.login)), ("role", .string(user.role.rawValue)),
                             ("teams", .array(UserCommand.teamNames(user.teams, catalog).map(JSONValue.string))),
                             ("can_log_in", .bool(user.canLogIn))])
                }).rendered())
                return
            }
            var table = Table([.init(localized("cli.column.login"), max: 32, min: 8), .init(localized("cli.column.role"), max: 22, min: 8),
                               .init(localized("cli.column.teams"), max: 40, min: 10), .init(localized("cli.column.canLogIn"), max: 10)])
            for user in users {
                table.add([user.login, user.role.name(in: session.language), UserCommand.teamNames(user.teams, catalog).joined(separator: ", "),
                           localized(user.canLogIn ? "cli.yes" : "cli.no")])
            }
            table.finish()
            if users.isEmpty { Console.out(localized("cli.user.none")) }
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.user.add.abstract"),
            discussion: localized("cli.user.add.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.user.option.login"))) var login: String
        @Option(help: ArgumentHelp(localized("cli.user.option.role"), valueName: "salesperson|manager|admin")) var role: String
        @Option(name: .customLong("team"), help: ArgumentHelp(localized("cli.user.option.team"), valueName: "team")) var teams: [String] = []

        func validate() throws { _ = try choice(role, of: "--role", as: AccessRole.self) }

        func run() throws {
            let session = try global.open()
            let login = try UserAccount.login(login)
            let role = try choice(role, of: "--role", as: AccessRole.self) ?? .salesperson
            // Whether this can be done at all is said before anything is asked.
            try session.database.checkMayManageUsers()
            let teams = try UserCommand.teamIDs(teams, session)
            let password = PasswordPrompt.isAvailable ? try PasswordPrompt.ask(for: login) : nil
            let user = try session.database.addUser(login, role: role, teams: teams, password: password)
            Console.out(localized("cli.user.added", user.login, user.role.name(in: session.language),
                                  UserCommand.teamsPhrase(user.teams, try session.database.catalog())))
            if password == nil {
                // Advice, not the command's result: standard error, so a script's 2>/dev/null hides it.
                Console.error(localized("cli.user.noPasswordAsked", user.login, UserCommand.quotedIdentifier(user.login)))
            }
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.user.edit.abstract"),
            discussion: localized("cli.user.edit.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.user.option.login"))) var login: String
        @Option(help: ArgumentHelp(localized("cli.user.option.role"), valueName: "salesperson|manager|admin")) var role: String?
        @Option(name: .customLong("team"), help: ArgumentHelp(localized("cli.user.option.teamEdit"), valueName: "team")) var teams: [String] = []
        @Flag(name: .customLong("no-teams"), help: ArgumentHelp(localized("cli.user.option.noTeams"))) var noTeams = false
        @Flag(help: ArgumentHelp(localized("cli.user.option.password"))) var password = false

        func validate() throws {
            _ = try choice(role, of: "--role", as: AccessRole.self)
            if noTeams, !teams.isEmpty { throw ValidationError(localized("cli.user.teamsAndNoTeams")) }
        }

        func run() throws {
            let session = try global.open()
            let login = try UserAccount.login(login)
            let role = try choice(role, of: "--role", as: AccessRole.self)
            try session.database.checkMayManageUsers()
            let teams: [Team.ID]? = noTeams ? [] : (self.teams.isEmpty ? nil : try UserCommand.teamIDs(self.teams, session))
            guard role != nil || teams != nil || password else { throw PipelineError.nothingToChange }
            let newPassword = password ? try PasswordPrompt.ask(for: login) : nil
            let user = try session.database.editUser(login, role: role, teams: teams, password: newPassword)
            Console.out(localized("cli.user.updated", user.login, user.role.name(in: session.language),
                                  UserCommand.teamsPhrase(user.teams, try session.database.catalog())))
        }
    }

    struct Remove: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.user.remove.abstract")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.user.option.login"))) var login: String

        func run() throws {
            let session = try global.open()
            let login = try UserAccount.login(login)
            try session.database.removeUser(login)
            Console.out(localized("cli.user.removed", login))
        }
    }

    /// The teams named on the command line (id or name, as everywhere), each once.
    static func teamIDs(_ references: [String], _ session: Session) throws -> [Team.ID] {
        var ids: [Team.ID] = []
        for reference in references {
            let id = try session.team(option: reference).id
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// Team names in the order given; a team the reader cannot see is named by its id.
    static func teamNames(_ ids: [Team.ID], _ catalog: StageCatalog) -> [String] {
        ids.map { catalog.team($0)?.name ?? String($0.rawValue) }
    }

    /// "teams Sales, Export" or "in no team".
    static func teamsPhrase(_ ids: [Team.ID], _ catalog: StageCatalog) -> String {
        ids.isEmpty ? localized("cli.user.inNoTeam") : localized("cli.user.inTeams", teamNames(ids, catalog).joined(separator: ", "))
    }

    /// `login` as a SQL identifier (double quotes, doubled inside), for the sentence that
    /// says how to set a password with the server's own tools.
    static func quotedIdentifier(_ login: String) -> String {
        "\"" + login.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
