import ArgumentParser
import Foundation
import PipelineEngines
import PipelineExchange
import PipelineCore
import PipelineStorage

/// `pipeline db copy`: moving a team's pipeline between stores (a file and a server, or any two).
struct DatabaseCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "db",
        abstract: localized("cli.db.abstract"),
        subcommands: [Copy.self]) }

    struct Copy: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.db.copy.abstract"),
            discussion: localized("cli.db.copy.discussion")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.db.copy.from"), valueName: "store")) var from: String
        @Option(help: ArgumentHelp(localized("cli.db.copy.to"), valueName: "store")) var to: String
        @Flag(help: ArgumentHelp(localized("cli.progress.quiet"))) var quiet = false

        func run() throws {
            // A mistyped file name must not become a new, empty pipeline copied over.
            if StoreOpener.engine(for: from) == .sqlite, !FileManager.default.fileExists(atPath: from) {
                throw FileError.noSuchFile(path: from)
            }
            let source = try global.openStore(at: from, forWriting: false)
            guard !(try source.isUntouched()) else { throw PipelineError.copySourceEmpty(source.location) }
            let madeHere = Interruption.fileToRemoveIfCancelled(to)
            let target = try global.openStore(at: to)
            guard source.location != target.location else { throw PipelineError.copyOntoItself(target.location) }
            Interruption.catchInterrupts()
            let progress = ProgressDisplay(.copying, quiet: quiet)
            let summary: StoreCopy.Summary
            do {
                defer { progress.clear() }
                // The source's rows counted first, for the share done and the time left.
                let rows = try progress.rows(toward: { try source.readingSnapshot { try $0.rowCounts() }.rowsOfAWholeCopy })
                summary = try StoreCopy.copy(from: source, to: target, progress: rows)
            } catch let error {
                guard error is DataCommandCancelled || Interruption.requested else { throw error }
                Interruption.removeCancelled(madeHere)
                Console.error(localized("cli.db.cancelledCopy", target.location))
                throw ExitCode(ExitStatus.interrupted)
            }
            // A Ctrl-C while the copy was being saved, which it no longer stops (the line said so).
            if Interruption.requested { Console.error(localized("cli.exchange.tooLateToCancel")) }
            let t = Localizer(CLILanguage.current)
            Console.out(localized("cli.db.copied", t.plural("count.team", summary.teams), t.plural("count.stage", summary.stages),
                                  t.plural("count.leadOrOpportunity", summary.records), t.plural("count.stageChange", summary.history),
                                  source.location, target.location))
            printActivityCounts(activities: summary.activities, notes: summary.notes)
        }
    }
}

/// A second line after a restore or a copy that carried activities or notes (issue 13); a
/// store without them keeps its one line.
func printActivityCounts(activities: Int, notes: Int) {
    guard activities > 0 || notes > 0 else { return }
    let t = Localizer(CLILanguage.current)
    Console.out(localized("cli.exchange.activitiesAndNotes", t.plural("count.activity", activities), t.plural("count.note", notes)))
}
