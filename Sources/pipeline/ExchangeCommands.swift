import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineStore

extension ExchangeKind: ExpressibleByArgument {}

/// `pipeline export`: CSV in the reference CRM's columns, or the JSON backup.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write opportunities, leads or stages as CSV (Odoo's columns), or everything as a JSON backup.",
        discussion: """
            CSV uses the technical column names of the Odoo generation chosen with --odoo (16 by default), so that \
            Odoo's "import-compatible" import takes the file unchanged; one CSV file holds one kind of record. \
            --format json --what all writes the complete backup (pipeline import restores it into a fresh database). \
            Amounts and dates in files are locale-independent (1500000.50, 2026-12-31). See Docs/import-export.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("csv (default) or json.", valueName: "csv|json")) var format: Format = .csv
    @Option(help: ArgumentHelp("What to write (default: opportunities for CSV, all for JSON).", valueName: "opportunities|leads|stages|all"))
    var what: ExchangeKind?
    @Option(help: ArgumentHelp("The Odoo generation whose column names CSV uses.", valueName: "12|16")) var odoo: Int = 16
    @Option(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file")) var out: String?

    func validate() throws {
        guard OdooGeneration(rawValue: odoo) != nil else { throw ValidationError("--odoo: '\(odoo)' is not a generation we write; use 12 or 16") }
        if format == .csv, what == .all { throw ValidationError("--what all is JSON only: one CSV file holds one kind of record") }
    }

    func run() throws {
        let session = try global.open(forWriting: false)
        let handle: FileHandle
        if let out {
            // Exports hold customers' data: readable by the user alone.
            guard FileManager.default.createFile(atPath: out, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let file = FileHandle(forWritingAtPath: out) else {
                throw PipelineError.invalidSetting(key: "--out", value: out, expected: "a file that can be written")
            }
            handle = file
        } else {
            handle = .standardOutput
        }
        defer { if out != nil { try? handle.close() } }
        switch format {
        case .csv:
            try CSVExporter.export(what ?? .opportunities, generation: OdooGeneration(rawValue: odoo) ?? .v16,
                                   from: session.database, to: handle)
        case .json:
            try JSONBackup.export(what ?? .all, from: session.database, to: handle)
        }
    }
}

/// `pipeline import`: a CSV file (Odoo's columns) or a JSON backup, all or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a CSV file in Odoo's columns, or restore a JSON backup into a fresh database; all or nothing.",
        discussion: """
            A CSV file's kind comes from --what or from its header. Headers may be Odoo's technical names or its \
            export labels; columns Odoo defines that we do not keep are ignored with a warning, any other is an error. \
            Rows with an External ID (id) already imported update those records. Every problem is reported with its \
            line and column, and then nothing is imported. See Docs/import-export.md.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file to read.") var file: String
    @Option(help: ArgumentHelp("csv or json (default: from the file).", valueName: "csv|json")) var format: ExportCommand.Format?
    @Option(help: ArgumentHelp("What a CSV file holds (default: told from its header).", valueName: "opportunities|leads|stages"))
    var what: ExchangeKind?
    @Flag(name: .customLong("dry-run"), help: "Report what would be created or updated, and change nothing.") var dryRun = false
    @Flag(name: .customLong("create-missing-stages"), help: "Create the stages the file names that the pipeline lacks.")
    var createMissingStages = false
    @Flag(name: .customLong("create-missing-teams"), help: "Create the teams the file names that do not exist.")
    var createMissingTeams = false

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw PipelineError.invalidSetting(key: "import", value: file, expected: "a file that exists and can be read")
        }
        let session = try global.open()
        if (format ?? Self.format(of: file)) == .json {
            guard !dryRun else { throw ValidationError("--dry-run applies to CSV files; a backup restores whole or not at all") }
            let summary = try JSONBackup.restore(path: file, into: session.database)
            Console.out("Restored \(summary.teams) teams, \(summary.stages) stages, \(summary.records) leads and opportunities, "
                        + "\(summary.history) stage changes.")
            return
        }
        let context = session.context()
        let importer = CSVImporter(database: session.database, options: ImportOptions(
            createMissingStages: createMissingStages, createMissingTeams: createMissingTeams,
            defaultTeam: nil, now: context.now, user: context.user))
        let report = try importer.run(path: file, kind: what, dryRun: dryRun)
        for warning in report.warnings { Console.error("warning: " + warning) }
        guard report.problems.isEmpty else {
            for problem in report.problems { Console.error("error: \(problem)") }
            Console.error("error: nothing was imported (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))")
            throw ExitCode(ExitStatus.invalidData)
        }
        let summary = report.summary
        let noun = report.kind == .stages ? "stages" : "records"
        var line = dryRun ? "Dry run: would create \(summary.created) and update \(summary.updated) \(noun); nothing was changed."
            : "Imported \(report.rows) \(noun): \(summary.created) created, \(summary.updated) updated."
        if !summary.stagesCreated.isEmpty { line += " Stages \(dryRun ? "to create" : "created"): \(summary.stagesCreated.joined(separator: ", "))." }
        if !summary.teamsCreated.isEmpty { line += " Teams \(dryRun ? "to create" : "created"): \(summary.teamsCreated.joined(separator: ", "))." }
        Console.out(line)
    }

    /// From the extension, else the first character (`{` or `[`: JSON).
    static func format(of path: String) -> ExportCommand.Format {
        if path.lowercased().hasSuffix(".json") { return .json }
        if path.lowercased().hasSuffix(".csv") { return .csv }
        let start = FileHandle(forReadingAtPath: path)?.readData(ofLength: 64) ?? Data()
        let first = String(decoding: start, as: UTF8.self).first { !$0.isWhitespace && $0 != "\u{FEFF}" }
        return first == "{" || first == "[" ? .json : .csv
    }
}
