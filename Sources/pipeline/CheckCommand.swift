import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline check [--repair]`: is the database file sound, and rebuild what can be.
struct CheckCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "check",
        abstract: localized("cli.check.abstract"),
        discussion: localized("cli.check.discussion")) }

    @OptionGroup var global: GlobalOptions
    @Flag(help: ArgumentHelp(localized("cli.check.repair"))) var repair = false
    @Flag(help: ArgumentHelp(localized("cli.progress.quiet"))) var quiet = false

    func run() throws {
        let path = global.databasePath
        let onServer = StoreOpener.engine(for: path) == .postgresql
        // A check never creates the file it is asked about (a server says itself that a
        // database is missing).
        guard onServer || FileManager.default.fileExists(atPath: path) else { throw FileError.noSuchFile(path: path) }
        // A damaged file is what this command is for: it opens one that others refuse.
        let session = try global.open(forWriting: repair, acceptingDamage: true)
        // A server's database is named as the store names it: what `--db` said may hold a password.
        let name = onServer ? session.database.location : path
        let progress = ProgressDisplay(.checking, quiet: quiet)
        progress.keepAlive()
        let report: IntegrityReport
        do {
            defer { progress.clear() }
            report = try IntegrityClock.$now.withValue(.now) { try session.database.integrityReport(progress: progress.rows) }
        }
        var problems = report.problems
        var moreProblems = report.moreProblems
        // Text beyond today's limits is no problem (a restore keeps what an older version
        // stored): told in a note that changes neither the exit code nor what a repair does.
        let note = report.longTexts.note(in: session.language)
        if repair, !problems.isEmpty {
            try session.database.repair()
            let after = try session.database.integrityReport()
            (problems, moreProblems) = (after.problems, after.moreProblems)
            if problems.isEmpty {
                Console.out(localized(onServer ? "cli.check.repairedServer" : "cli.check.repaired", name))
                if let note { Console.out(note) }
                return
            }
        }
        guard !problems.isEmpty else {
            Console.out(localized(onServer ? "cli.check.soundServer" : report.filterIndexChecked ? "cli.check.sound" : "cli.check.soundButIndex",
                                  name))
            if let note { Console.out(note) }
            return
        }
        if !report.filterIndexChecked { Console.error(localized("cli.warning", localized("cli.check.filterIndexUnchecked", name))) }
        for problem in problems { Console.out(problem.message(in: session.language)) }
        if let note { Console.out(note) }
        // Each kind of problem is listed up to a bound: past it, the last line says there were
        // more than the lines above, not that the lines are all.
        let count = problems.count
        let form = moreProblems ? "more" : count == 1 ? "one" : "many"
        if problems.allSatisfy(\.isRepairable), !repair {
            Console.error(localized("cli.check.repairable.\(form)", count))
        } else {
            Console.error(localized("cli.check.notRepairable.\(form)", count))
        }
        throw ExitCode(ExitStatus.invalidData)
    }
}
