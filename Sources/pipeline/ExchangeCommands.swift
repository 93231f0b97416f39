import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline export`: CSV in the reference CRM's columns, or the JSON backup.
struct ExportCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "export",
        abstract: localized("cli.exchange.writeOpportunitiesLeadsOrStages"),
        discussion: localized("cli.exchange.csvUsesTheTechnicalColumn")) }

    enum Format: String, CaseIterable { case csv, json }

    @OptionGroup var global: GlobalOptions
    // Words and numbers parsed by us (`choice`), so that help and refusals are in the user's language.
    @Option(name: .customLong("format"), help: ArgumentHelp(localized("cli.exchange.csvDefaultOrJson"), valueName: "csv|json"))
    var formatChoice: String?
    @Option(name: .customLong("what"), help: ArgumentHelp(localized("cli.exchange.whatToWriteDefaultOpportunities"), valueName: "opportunities|leads|stages|all"))
    var whatChoice: String?
    @Option(name: .customLong("odoo"), help: ArgumentHelp(localized("cli.exchange.theOdooGenerationWhoseColumn"), valueName: "12|16"))
    var odooChoice: String?
    @Option(help: ArgumentHelp(localized("cli.exchange.theFileToWriteDefault"), valueName: "file")) var out: String?
    @Flag(help: ArgumentHelp(localized("cli.progress.quiet"))) var quiet = false

    var format: Format { ((try? choice(formatChoice, of: "--format", as: Format.self)) ?? nil) ?? .csv }
    var what: ExchangeKind? { (try? choice(whatChoice, of: "--what", as: ExchangeKind.self)) ?? nil }
    var odoo: Int { odooChoice.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 16 }

    func validate() throws {
        _ = try choice(formatChoice, of: "--format", as: Format.self)
        _ = try choice(whatChoice, of: "--what", as: ExchangeKind.self)
        if let odooChoice, Int(odooChoice.trimmingCharacters(in: .whitespaces)).flatMap(OdooGeneration.init(rawValue:)) == nil {
            throw ValidationError(localized("cli.exchange.odooIsNotAGeneration", odooChoice))
        }
        if format == .csv, what == .all { throw ValidationError(localized("cli.exchange.whatAllIsJsonOnly")) }
        if out?.isEmpty == true { throw ValidationError(localized("cli.exchange.emptyOut")) }
    }

    func run() throws {
        let session = try global.open(forWriting: false)
        // The target is checked, and its temporary file made, before anything is read.
        let database = session.database.localFile
        let file = try out.map { try OutputFile($0, protecting: database) }
        if file == nil, let database, OutputFile.standardOutputIsDatabase(database) {
            throw FileError.isTheDatabase(path: localized("cli.exchange.standardOutput"), database: database)
        }
        Console.finish()  // what stdio holds goes first; the export writes the descriptor itself
        let output = file?.writer ?? ByteWriter(.standardOutput)
        // Ctrl-C from here on stops the export at its next row (or a write that waits on a
        // reader), which then says so; the temporary file's own handler stays for SIGTERM
        // and SIGHUP, which end the process at once.
        Interruption.catchInterrupts()
        output.stopDescriptor = Interruption.descriptor
        let progress = ProgressDisplay(.exporting, quiet: quiet)
        do {
            defer { progress.clear() }
            let kind = what ?? (format == .csv ? .opportunities : .all)
            // Counted first, for the share done and the time left (stages are a handful).
            let rows = try progress.rows(toward: { () -> Int? in
                let counts = try session.database.readingSnapshot { try $0.rowCounts() }
                switch kind {
                case .opportunities: return counts.opportunities
                case .leads: return counts.leads
                case .all: return counts.rowsOfAWholeCopy
                case .stages: return nil
                }
            })
            switch format {
            case .csv:
                try CSVExporter.export(kind, generation: OdooGeneration(rawValue: odoo) ?? .v16,
                                       from: session.database, to: output, progress: rows)
            case .json:
                try JSONBackup.export(kind, from: session.database, to: output, progress: rows)
            }
            // Asked once more before the file takes the target's place: a Ctrl-C after the
            // last row still leaves the target as it was, as the sentence says.
            if Interruption.requested { throw DataCommandCancelled() }
            try file?.commit()
        } catch let error {
            guard error is DataCommandCancelled || Interruption.requested else { throw error }
            file?.discard()
            Console.error(file.map { localized("cli.exchange.cancelledExport", $0.path) }
                          ?? localized("cli.exchange.cancelledExportToStandardOutput"))
            throw ExitCode(ExitStatus.interrupted)
        }
    }
}

/// `pipeline import`: a CSV file (Odoo's columns) or a JSON backup, all or nothing.
struct ImportCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "import",
        abstract: localized("cli.exchange.readACsvFileIn"),
        discussion: localized("cli.exchange.aCsvFileSKind")) }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(localized("cli.exchange.theFileToRead"))) var file: String
    @Option(name: .customLong("format"), help: ArgumentHelp(localized("cli.exchange.csvOrJsonDefaultFrom"), valueName: "csv|json"))
    var formatChoice: String?
    @Option(name: .customLong("what"), help: ArgumentHelp(localized("cli.exchange.whatACsvFileHolds"), valueName: "opportunities|leads|stages"))
    var whatChoice: String?
    @Option(help: ArgumentHelp(localized("cli.exchange.encoding"), valueName: "name")) var encoding: String?
    @Flag(name: .customLong("dry-run"), help: ArgumentHelp(localized("cli.exchange.reportWhatWouldBeCreated"))) var dryRun = false
    @Flag(name: .customLong("create-missing-stages"), help: ArgumentHelp(localized("cli.exchange.createTheStagesTheFile")))
    var createMissingStages = false
    @Flag(name: .customLong("create-missing-teams"), help: ArgumentHelp(localized("cli.exchange.createTheTeamsTheFile")))
    var createMissingTeams = false
    @Flag(help: ArgumentHelp(localized("cli.progress.quiet"))) var quiet = false

    var format: ExportCommand.Format? { (try? choice(formatChoice, of: "--format", as: ExportCommand.Format.self)) ?? nil }
    var what: ExchangeKind? { (try? choice(whatChoice, of: "--what", as: ExchangeKind.self)) ?? nil }

    func validate() throws {
        _ = try choice(formatChoice, of: "--format", as: ExportCommand.Format.self)
        _ = try choice(whatChoice, of: "--what", as: ExchangeKind.self)
        if what == .all { throw ValidationError(localized("import.oneKind")) }
        // An empty name would be taken as iconv's default (the locale's), not refused.
        if let encoding, encoding.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError(localized("cli.exchange.emptyEncoding"))
        }
        if let encoding, !TextStream.knows(encoding) {
            throw ValidationError(localized("cli.exchange.unknownEncoding", encoding))
        }
    }

    func run() throws {
        Interruption.catchInterrupts()
        let madeHere = Interruption.fileToRemoveIfCancelled(global.databasePath)
        do {
            try importing()
        } catch let exit as ExitCode where exit.rawValue == ExitStatus.interrupted {
            Interruption.removeCancelled(madeHere)
            throw exit
        } catch let error where !(error is ExitCode) && Interruption.requested {
            // Ctrl-C before the rows began (the first read from a terminal or a pipe, the
            // database being opened): nothing was applied either.
            Interruption.removeCancelled(madeHere)
            Console.error(localized("cli.exchange.cancelledImport"))
            throw ExitCode(ExitStatus.interrupted)
        } catch {
            // A refused import or restore into a file that did not exist leaves none behind,
            // as Ctrl-C does: nothing was applied, and a new file seeded (in the language of
            // the failed run, say) would be a trap for the next attempt (new-user trial).
            Interruption.removeCancelled(madeHere)
            throw error
        }
        // A dry run changes nothing, not even by making the file it was pointed at.
        if dryRun { Interruption.removeCancelled(madeHere) }
    }

    private func importing() throws {
        // The file is opened, and known to be one, before the database is.
        let source = try ImportSource(file, standardInputName: localized("cli.exchange.standardInput"))
        source.stopDescriptor = Interruption.descriptor
        let text = try TextStream(source, encoding: encoding)
        let session = try global.open()
        let started = ProgressDisplay.monotonicSeconds()
        if (format ?? Self.format(of: file, startingWith: text.peek(256))) == .json {
            guard !dryRun else { throw ValidationError(localized("cli.exchange.dryRunAppliesToCsv")) }
            let progress = ProgressDisplay(.restoring, quiet: quiet)
            let summary = try cancellable(progress) { try JSONBackup.restore(text, into: session.database, progress: progress.rows, now: .now) }
            let t = Localizer(session.language)
            Console.out(localized("cli.exchange.restoredTeamsStagesLeadsAnd", t.plural("count.team", summary.teams), t.plural("count.stage", summary.stages),
                                  t.plural("count.leadOrOpportunity", summary.records), t.plural("count.stageChange", summary.history)))
            printActivityCounts(activities: summary.activities, notes: summary.notes)
            return
        }
        let context = session.context()
        let importer = CSVImporter(database: session.database, options: ImportOptions(
            createMissingStages: createMissingStages, createMissingTeams: createMissingTeams,
            // Records that name no team go to the importing user's current team.
            defaultTeam: try session.database.currentTeam().id, now: context.now, user: context.user, language: session.language))
        let progress = ProgressDisplay(.importing, quiet: quiet)
        // A read stopped by Ctrl-C is the file's last problem: nothing was applied.
        let report = try cancellable(progress, failed: { !$0.problems.isEmpty }) {
            try importer.run(text, kind: what, dryRun: dryRun, progress: progress.rows)
        }
        for warning in report.warnings { Console.error(localized("cli.warning", warning)) }
        guard report.problems.isEmpty else {
            for problem in report.problems { Console.error(localized("cli.error", problem.text(in: session.language))) }
            // Reading stops at the problem limit: the last line says so, not a count that reads as all.
            Console.error(report.stoppedAtProblemLimit ? localized("cli.exchange.nothingImportedStopped", report.problems.count)
                                                       : Localizer(session.language).plural("cli.exchange.nothingImported", report.problems.count))
            throw ExitCode(ExitStatus.invalidData)
        }
        let summary = report.summary
        let t = Localizer(session.language)
        let noun = report.kind == .stages ? "count.stage" : "count.record"
        var line = dryRun ? localized("cli.exchange.dryRunSummary", t.plural(noun, summary.created), t.plural(noun, summary.updated))
            : localized("cli.exchange.importSummary", t.plural(noun, report.rows), t.grouped(summary.created), t.grouped(summary.updated),
                        ProgressLine.took(ProgressDisplay.monotonicSeconds() - started, session.language), t.grouped(report.skipped))
        if !summary.stagesCreated.isEmpty {
            line += localized(dryRun ? "cli.exchange.stagesToCreate" : "cli.exchange.stagesCreated", summary.stagesCreated.joined(separator: ", "))
        }
        if !summary.teamsCreated.isEmpty {
            line += localized(dryRun ? "cli.exchange.teamsToCreate" : "cli.exchange.teamsCreated", summary.teamsCreated.joined(separator: ", "))
        }
        Console.out(line)
    }

    /// Runs the import with its progress line, which goes before anything else is said; Ctrl-C
    /// (the work has rolled back by then) is said in one sentence and ends with 130.
    private func cancellable<T>(_ progress: ProgressDisplay, failed: (T) -> Bool = { _ in false }, _ work: () throws -> T) throws -> T {
        defer { progress.clear() }
        do {
            let result = try work()
            guard failed(result), Interruption.requested else {
                if Interruption.requested, !failed(result) { tooLateToCancel(progress) }
                return result
            }
            throw DataCommandCancelled()
        } catch let error {
            // After a Ctrl-C, whatever stopped the work — the flag, or the input cut off when
            // the program feeding the pipe died of the same signal — is the cancellation.
            guard error is DataCommandCancelled || Interruption.requested else { throw error }
            progress.clear()
            Console.error(localized("cli.exchange.cancelledImport"))
            throw ExitCode(ExitStatus.interrupted)
        }
    }

    /// A Ctrl-C pressed while the work was being saved, which it no longer stops (the line
    /// said so): the work is whole, and the sentence says so before the summary.
    private func tooLateToCancel(_ progress: ProgressDisplay) {
        progress.clear()
        Console.error(localized("cli.exchange.tooLateToCancel"))
    }

    /// From the extension, else from the first character of the text (`{` or `[`: JSON).
    static func format(of path: String, startingWith start: [UInt8]) -> ExportCommand.Format {
        if path.lowercased().hasSuffix(".json") { return .json }
        if path.lowercased().hasSuffix(".csv") { return .csv }
        let first = String(decoding: start, as: UTF8.self).first { !$0.isWhitespace && $0 != "\u{FEFF}" }
        return first == "{" || first == "[" ? .json : .csv
    }
}
