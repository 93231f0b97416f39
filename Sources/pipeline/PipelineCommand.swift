import ArgumentParser
import Foundation
import PipelineCore
import PipelineEngines
import PipelineStorage

/// `pipeline`: the root command. Alone it opens the board.
struct PipelineCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "pipeline",
        abstract: localized("cli.root.aSalesPipelineInThe"),
        discussion: localized("cli.root.withoutASubcommandOpensThe"),
        version: "0.1.0",
        subcommands: [BoardCommand.self, TeamCommand.self, StageCommand.self, OpportunityCommand.self,
                      LeadCommand.self, ForecastCommand.self, ExportCommand.self, ImportCommand.self, SettingsCommand.self, DatabaseCommand.self,
                      DevCommand.self],
        defaultSubcommand: BoardCommand.self) }
}

@main
enum Main {
    static func main() {
        let arguments = ArgumentHoisting.hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        CLILanguage.set(CLILanguage.resolve(arguments: arguments, environment: ProcessInfo.processInfo.environment))
        do {
            var command = try PipelineCommand.parseAsRoot(arguments)
            try command.run()
        } catch let error as PipelineError {
            Console.error(localized("cli.error", error.message(in: CLILanguage.current)))
            exit(ExitStatus.invalidData)
        } catch let error as StoreError {
            Console.error(localized("cli.error", error.message(in: CLILanguage.current)))
            // 75 when busy, 77 when the server refused who we are or what we asked, else 74.
            exit(error.exitStatus)
        } catch {
            PipelineCommand.exit(withError: error)
        }
    }
}

/// The exit statuses of sysexits(3) the CLI uses.
enum ExitStatus {
    static let usage: Int32 = 64
    static let invalidData: Int32 = 65
    static let databaseUnusable: Int32 = 74
    static let temporaryFailure: Int32 = 75
}

/// Lets global options come before the subcommand's name: `pipeline --db x.sqlite stage
/// list` is read as `pipeline stage list --db x.sqlite`. (ArgumentParser gives options
/// placed before a subcommand to the default subcommand.)
enum ArgumentHoisting {
    static let optionsWithValues: Set<String> = ["--db", "--lang", "--team", "--direction"]

    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var hoisted: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard optionsWithValues.contains(name) else { break }
            if argument.contains("=") {
                hoisted.append(argument)
                index += 1
            } else {
                hoisted += arguments[index..<min(index + 2, arguments.count)]
                index += 2
            }
        }
        let rest = Array(arguments[min(index, arguments.count)...])
        // Only move them when a subcommand follows; alone they belong to the board.
        guard !hoisted.isEmpty, let first = rest.first, !first.hasPrefix("-") else { return arguments }
        if let terminator = rest.firstIndex(of: "--") {
            return Array(rest[..<terminator]) + hoisted + Array(rest[terminator...])
        }
        return rest + hoisted
    }
}
