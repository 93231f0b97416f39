import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline team list|add|rename|edit|remove`.
struct TeamCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "team",
        abstract: localized("cli.team.listAddRenameAndRemove"),
        subcommands: [List.self, Add.self, Rename.self, Edit.self, Remove.self]) }

    enum Switch: String, CaseIterable {
        case on, off
    }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.team.listTheTeamsTheCurrent")) }
        @OptionGroup var global: GlobalOptions
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            // A person in no team has none to list, and no current one.
            let teams = try session.database.teams()
            let current = teams.isEmpty ? nil : try session.database.currentTeam()
            if json {
                Console.out(JSONValue.array(teams.map { team in
                    .object([("id", .int(team.id.rawValue)), ("name", .string(team.name)), ("current", .bool(team.id == current?.id)),
                             ("own_deals_only", .bool(team.ownDealsOnly))])
                }).rendered())
                return
            }
            var table = Table([.init(localized("cli.column.id"), max: 6, right: true), .init(localized("cli.column.team"), max: 40, min: 10),
                               .init(localized("cli.column.current"), max: 9), .init(localized("cli.column.ownDealsOnly"), max: 18)])
            for team in teams {
                table.add([String(team.id.rawValue), team.name, team.id == current?.id ? "*" : "", team.ownDealsOnly ? localized("cli.yes") : ""])
            }
            table.finish()
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.team.addATeamItsPipeline")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.team.theTeamSNameUnique"))) var name: String

        func run() throws {
            let session = try global.open()
            let team = try session.database.addTeam(named: name, context: session.context())
            Console.out(localized("cli.team.addedTeam", team.id, team.name))
        }
    }

    struct Rename: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.team.renameATeam")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.team.theTeamIdOrName"))) var team: String
        @Argument(help: ArgumentHelp(localized("cli.team.itsNewName"))) var newName: String

        func run() throws {
            let session = try global.open()
            let renamed = try session.database.renameTeam(try session.database.team(team).id, to: newName)
            Console.out(localized("cli.team.renamedTeamTo", renamed.id, renamed.name))
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.team.edit.abstract"),
            discussion: localized("cli.team.edit.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.team.theTeamIdOrName"))) var team: String
        @Option(name: .customLong("own-deals-only"), help: ArgumentHelp(localized("cli.team.option.ownDealsOnly"), valueName: "on|off"))
        var ownDealsOnly: String?

        func validate() throws { _ = try choice(ownDealsOnly, of: "--own-deals-only", as: Switch.self) }

        func run() throws {
            let session = try global.open()
            guard let setting = try choice(ownDealsOnly, of: "--own-deals-only", as: Switch.self) else { throw PipelineError.nothingToChange }
            let edited = try session.database.setOwnDealsOnly(try session.database.team(team).id, setting == .on)
            Console.out(localized(edited.ownDealsOnly ? "cli.team.ownDealsOnlyOn" : "cli.team.ownDealsOnlyOff", edited.id, edited.name))
        }
    }

    struct Remove: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.team.removeATeam"),
            discussion: localized("cli.team.refusedWhileOpportunitiesOrLeads")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.team.theTeamIdOrName"))) var team: String
        @Option(name: .customLong("move-to"), help: ArgumentHelp(localized("cli.team.theTeamThatTakesIts"), valueName: "team"))
        var moveTo: String?

        func run() throws {
            let session = try global.open()
            // Asked before the names are looked up: a team the person is not in is out of
            // their sight, and "no such team" would not say why.
            try session.database.access().refusalToManageTeams().enforce()
            let removed = try session.database.team(team)
            let destination = try moveTo.map { try session.team(option: $0, "--move-to") }
            let result = try session.database.removeTeam(removed.id, movingTo: destination?.id, context: session.context())
            if let destination, result.opportunitiesMoved + result.leadsMoved > 0 {
                let t = Localizer(session.language)
                Console.out(localized("cli.team.removedMoving", removed.id, removed.name, t.plural("count.opportunity", result.opportunitiesMoved),
                                      t.plural("count.lead", result.leadsMoved), destination.name))
            } else {
                Console.out(localized("cli.team.removed", removed.id, removed.name))
            }
        }
    }
}
