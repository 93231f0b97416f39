import ArgumentParser
import Foundation
import TerminalCore
import PipelineCore
import PipelineEngines
import PipelineExchange
import PipelineStorage

/// `pipeline`: the root command. Alone it opens the board.
struct PipelineCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "pipeline",
        abstract: localized("cli.root.aSalesPipelineInThe"),
        discussion: localized("cli.root.withoutASubcommandOpensThe"),
        version: "0.1.0",
        subcommands: [BoardCommand.self, TeamCommand.self, StageCommand.self, OpportunityCommand.self,
                      LeadCommand.self, ActivityCommand.self, ForecastCommand.self, StatsCommand.self, DigestCommand.self, ExportCommand.self, ImportCommand.self, SettingsCommand.self,
                      UserCommand.self, CheckCommand.self, DatabaseCommand.self, DevCommand.self],
        defaultSubcommand: BoardCommand.self) }
}

@main
enum Main {
    static func main() {
        // A reader that stops reading (`| head -1`) ends the process quietly, as it ends
        // other Unix tools, whatever disposition the parent left.
        signal(SIGPIPE, SIG_DFL)
        Trace.start()
        let arguments = ArgumentHoisting.hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        CLILanguage.set(CLILanguage.resolve(arguments: arguments, environment: ProcessInfo.processInfo.environment))
        if let refusal = Trace.refusal { fail(refusal.message(in: CLILanguage.current), ExitStatus.of(refusal)) }
        do {
            var command = try PipelineCommand.parseAsRoot(arguments)
            try command.run()
            Console.finish()
        } catch PipelineError.changedSinceLoaded(let kind, let id) {
            // The core's sentence speaks of the board, which shows the record again; a command
            // has nothing to reload, so it says how to look and that running it again is safe.
            Console.finish()
            Console.error(localized("cli.error", localized("cli.changedMeanwhile.\(kind)", id)))
            exit(ExitStatus.invalidData)
        } catch PipelineError.notPermitted(let refusal) {
            fail(PipelineError.notPermitted(refusal).message(in: CLILanguage.current), ExitStatus.of(refusal))
        } catch let error as PipelineError {
            fail(error.message(in: CLILanguage.current), ExitStatus.invalidData)
        } catch let error as StoreError {
            // 75 when busy, 77 when the system or the server refused who we are or what we asked, else 74.
            fail(error.message(in: CLILanguage.current), error.exitStatus)
        } catch let error as FileError {
            if case .outputClosed = error { Console.exitForOutputFailure(error) }
            fail(error.message(in: CLILanguage.current), ExitStatus.of(error))
        } catch let error as TextProblem {
            fail(error.message(in: CLILanguage.current), ExitStatus.invalidData)
        } catch let error as DateOptionProblem {
            fail(error.message(in: CLILanguage.current), ExitStatus.invalidData)
        } catch let error as OptionValueProblem {
            fail(error.message(in: CLILanguage.current), ExitStatus.invalidData)
        } catch let error as PasswordProblem {
            fail(error.message(in: CLILanguage.current), error.exitStatus)
        } catch let error as ConfigurationError {
            fail(error.message(in: CLILanguage.current), ExitStatus.configuration)
        } catch {
            Console.finish()
            exitForParserError(error)
        }
    }

    /// ArgumentParser's own messages (an unknown option, a value it cannot read, help) repeat
    /// what was typed, so they go through `TerminalText.sanitized` as every other message does:
    /// `--format $'c\e[31msv'` reached the terminal raw through `exit(withError:)` (trial,
    /// 2026-12-07). Help and `--version` go to standard output with 0, as that function does.
    static func exitForParserError(_ error: Error) -> Never {
        let code = PipelineCommand.exitCode(for: error)
        let message = PipelineCommand.fullMessage(for: error)
        if code.isSuccess {
            if !message.isEmpty { Console.out(message) }
            Console.finish()
        } else if !message.isEmpty {
            Console.standardError(TerminalText.sanitized(message, singleLine: false) + "\n")
        }
        exit(code.rawValue)
    }

    /// One sentence on standard error, after what standard output holds, then the status.
    ///
    /// It takes the sentence, made where the error's type is known, not the error: as
    /// `fail(_: some UserFacingError, …)` the optimizer specialized it once and merged every
    /// caller into that one body, so that a release build read each error as the wrong type
    /// and every error message crashed it (Docs/decisions.md, "Every error crashed the release
    /// binary"; `Scripts/release-smoke.sh` runs the release binary's error paths in `make test`).
    static func fail(_ message: String, _ status: Int32) -> Never {
        Console.finish()
        Console.error(localized("cli.error", message))
        exit(status)
    }
}

/// The exit statuses of sysexits(3) the CLI uses.
enum ExitStatus {
    static let usage: Int32 = 64
    static let invalidData: Int32 = 65
    static let noInput: Int32 = 66
    /// Input/output: the database or a file cannot be used, a write failed.
    static let ioError: Int32 = 74
    static let temporaryFailure: Int32 = 75
    static let notPermitted: Int32 = 77
    static let configuration: Int32 = 78
    /// What a process killed by SIGPIPE reports: the reader of standard output went away.
    static let outputClosed: Int32 = 128 + SIGPIPE
    /// Ctrl-C: the work was cancelled and nothing of it kept, as a shell reports SIGINT.
    static let interrupted: Int32 = 128 + SIGINT

    /// 77: the person's role does not allow it. A SQLite file's "no users" is 78: nobody
    /// lacks a permission there (its owner may do everything); the store given is the kind
    /// that has no users, which is how it is set up, as `--db` chose it.
    static func of(_ refusal: AccessRefusal) -> Int32 {
        refusal == .fileHasNoUsers ? configuration : notPermitted
    }

    static func of(_ error: FileError) -> Int32 {
        switch error {
        case .isTheDatabase, .notARegularFile: return invalidData
        case .noSuchFile, .noDatabase: return noInput
        case .notPermitted: return notPermitted
        case .noSuchFolder, .cannotWrite, .cannotRead, .cannotWriteOutput: return ioError
        case .outputClosed: return outputClosed
        }
    }
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
