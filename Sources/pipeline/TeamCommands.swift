import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineStore

/// `pipeline team list|add|rename|remove`.
struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "List, add, rename and remove sales teams.",
        subcommands: [List.self, Add.self, Rename.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the teams; the current one is marked.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let current = try session.database.currentTeam()
            let teams = try session.database.teams()
            if json {
                Console.out(JSONValue.array(teams.map { team in
                    .object([("id", .int(team.id.rawValue)), ("name", .string(team.name)), ("current", .bool(team.id == current.id))])
                }).rendered())
                return
            }
            var table = Table([.init("ID", max: 6, right: true), .init("TEAM", max: 40, min: 10), .init("CURRENT", max: 7)])
            for team in teams { table.add([String(team.id.rawValue), team.name, team.id == current.id ? "*" : ""]) }
            table.finish()
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a team; its pipeline starts with the shared stages.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team's name (unique, ignoring case).") var name: String

        func run() throws {
            let session = try global.open()
            let team = try session.database.addTeam(named: name, context: session.context())
            Console.out("Added team \(team.id) '\(team.name)'.")
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a team.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team (id or name).") var team: String
        @Argument(help: "Its new name.") var newName: String

        func run() throws {
            let session = try global.open()
            let renamed = try session.database.renameTeam(try session.database.team(team).id, to: newName)
            Console.out("Renamed team \(renamed.id) to '\(renamed.name)'.")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a team.",
            discussion: "Refused while opportunities or leads belong to it, unless --move-to names the team that takes them. The team's own stages go with it; the last team cannot be removed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team (id or name).") var team: String
        @Option(name: .customLong("move-to"), help: ArgumentHelp("The team that takes its opportunities and leads.", valueName: "team"))
        var moveTo: String?

        func run() throws {
            let session = try global.open()
            let removed = try session.database.team(team)
            let destination = try moveTo.map { try session.database.team($0) }
            let result = try session.database.removeTeam(removed.id, movingTo: destination?.id, context: session.context())
            var line = "Removed team \(removed.id) '\(removed.name)'"
            if let destination, result.opportunitiesMoved + result.leadsMoved > 0 {
                line += "; moved \(result.opportunitiesMoved) opportunities and \(result.leadsMoved) leads to '\(destination.name)'"
            }
            Console.out(line + ".")
        }
    }
}
