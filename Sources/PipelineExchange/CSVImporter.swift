import Foundation
import PipelineCore
import PipelineStorage

/// Reads a CSV file in the reference CRM's columns into the database, all or nothing.
///
/// UTF-8 with or without a byte-order mark, `,` or `;` between fields (told from the header
/// line), quoted fields with line breaks inside. Every problem is reported with the
/// physical line its record starts on and the column; if there is any, nothing is imported.
public struct CSVImporter {
    /// One problem of the file.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: String?
        public var message: String

        public var description: String { text(in: .english) }

        /// `line 4, column probability: …`
        public func text(in language: Language) -> String {
            if let column { return Catalogue.text("import.problemAtColumn", language, [String(line), column, message]) }
            return Catalogue.text("import.problemAt", language, [String(line), message])
        }
    }

    /// What an import did, would do (dry run), or why it did nothing.
    public struct Report: Sendable {
        public var kind: ExchangeKind
        public var summary = ImportSummary()
        public var warnings: [String] = []
        public var problems: [Problem] = []
        public var rows = 0
        /// Blank lines, which import nothing.
        public var skipped = 0
        /// Whether reading stopped at `problemLimit` problems: the rest of the file was not
        /// read, so there may be more than `problems` holds (the last line says so).
        public var stoppedAtProblemLimit = false
    }

    /// Stops after this many problems: the first ones are what a user fixes first.
    static let problemLimit = 50

    let database: any ImportSink
    let options: ImportOptions

    private var t: Localizer { Localizer(options.language) }

    public init(database: any ImportSink, options: ImportOptions) {
        self.database = database
        self.options = options
    }

    /// Imports the CSV file at `path`, read as UTF-8.
    public func run(path: String, kind requested: ExchangeKind?, dryRun: Bool, progress: RowProgress = .none) throws -> Report {
        try run(TextStream(ImportSource(path), encoding: nil), kind: requested, dryRun: dryRun, progress: progress)
    }

    /// Imports the CSV text `text` delivers: all of it, or nothing when it has any problem.
    /// `progress` hears of every row read (and may stop the import: nothing is then kept).
    public func run(_ text: TextStream, kind requested: ExchangeKind?, dryRun: Bool, progress: RowProgress = .none) throws -> Report {
        if requested == .all { throw ImportProblem(column: nil, message: t("import.oneKind")) }
        // Who may import is asked before the file is read: a refusal is not a problem of it.
        try database.access().refusalToImport().enforce()
        let delimiter = Self.delimiter(in: text.peek(65_536))
        let reader = CSVRecordReader(text, delimiter: delimiter)
        // What the bytes themselves are wrong with, which says more than what the CSV
        // reader made of them (a file cut short at a bad byte).
        func textProblem() -> Problem? {
            (text.problem ?? reader.problem).map { Problem(line: $0.line, column: String($0.column), message: $0.reason(in: options.language)) }
        }
        guard let headerRow = reader.next(), textProblem() == nil else {
            var report = Report(kind: requested ?? .opportunities)
            report.problems = [textProblem() ?? Problem(line: 1, column: nil, message: t("import.empty"))]
            return report
        }
        let headers = headerRow.map { $0.trimmingWhitespaceAndBOM() }
        let kind = requested ?? (headers.contains { OdooColumns.stageOnly.contains($0.lowercased()) } ? .stages : .opportunities)
        var report = Report(kind: kind)
        let (columns, ignored, headerProblems) = Self.mapHeaders(headers, kind: kind, t)
        report.problems = headerProblems
        report.stoppedAtProblemLimit = headerProblems.count >= Self.problemLimit
        if !ignored.isEmpty { report.warnings.append(t("import.ignoredColumns", ignored.joined(separator: ", "))) }
        guard report.problems.isEmpty else { return report }
        var line = 1 + Self.lineBreaks(in: headerRow)
        let currency = try database.defaultCurrency()
        let mapper = RowMapper(headers: headers, columns: columns, kind: kind, currency: currency, language: options.language)
        do {
            report.summary = try database.importing(dryRun: dryRun, progress: progress) { transaction in
                let writer = try ImportApplier(store: transaction, options: options)
                // A stages file's ids, with the line that first gave each (a pipeline's few
                // stages). A records file's repeats are told by the applier from the records
                // (`ImportApplier.apply`), so that memory does not follow the file's rows.
                var seenStageIDs: [String: Int] = [:]
                var repeated: (id: String, line: Int, first: Int?)?
                var repeatedCount = 0
                defer {
                    if let repeated {
                        report.warnings.append(repeated.first.map { t("import.repeatedID", repeated.id, repeated.line, $0, repeatedCount) }
                            ?? t("import.repeatedRecordID", repeated.id, repeated.line, repeatedCount))
                    }
                }
                var finished = false
                var rowsRead = 0
                var endedByStrayQuote = false  // the text's own problem is then its consequence
                while !finished {
                    // A chunk of rows read and checked ahead, so that the records they name
                    // are looked up in one read (`ImportApplier.prepare`), then applied in
                    // file order. Its size is bounded in rows and in text, so memory does
                    // not follow the file.
                    var chunk: [ChunkEntry] = []
                    var chunkBytes = 0
                    while chunk.count < Self.chunkRows, chunkBytes < Self.chunkBytes {
                        let strayQuotes = reader.textAfterClosingQuote
                        guard let row = reader.next() else {
                            finished = true
                            break
                        }
                        // Text after a closing quote: the reader kept going, so what it made of
                        // the record (its fields, or a quote left open to the end) is not the file's.
                        let strayQuote = reader.textAfterClosingQuote > strayQuotes
                        if let problem = textProblem() {
                            endedByStrayQuote = strayQuote
                            chunk.append(.textProblem(strayQuote ? Problem(line: line + 1, column: nil, message: t("import.textAfterClosingQuote")) : problem))
                            finished = true
                            break
                        }
                        line += 1
                        let start = line
                        line += Self.lineBreaks(in: row)
                        rowsRead += 1
                        try progress.step(rowsRead, text.fractionRead)
                        if row.count == 1, row[0].isEmpty {  // a blank line
                            report.skipped += 1
                            continue
                        }
                        chunkBytes += row.reduce(0) { $0 + $1.utf8.count }
                        chunk.append(.row(line: start, strayQuote
                            ? .failure(ImportProblem(column: nil, message: t("import.textAfterClosingQuote")))
                            : try Self.mapped(row, headers: headers, kind: kind, mapper: mapper, t)))
                    }
                    if kind != .stages {
                        try writer.prepare(chunk.compactMap { entry in
                            if case .row(_, .success(.record(let record))) = entry { return record }
                            return nil
                        })
                    }
                    for entry in chunk {
                        switch entry {
                        case .textProblem(let problem):
                            report.problems.append(problem)
                        case .row(let start, let mapped):
                            report.rows += 1
                            do {
                                let row = try mapped.get()
                                // A later row with the same id updates what the earlier one made
                                // (rows apply in order, as the reference CRM's import does): said,
                                // not silent.
                                switch row {
                                case .stage(let stage):
                                    if let id = row.externalID {
                                        if let first = seenStageIDs[id] {
                                            if repeated == nil { repeated = (id, start, first) }
                                            repeatedCount += 1
                                        } else {
                                            seenStageIDs[id] = start
                                        }
                                    }
                                    try writer.apply(stage)
                                case .record(let record):
                                    if try writer.apply(record), let id = record.externalID {
                                        if repeated == nil { repeated = (id, start, nil) }
                                        repeatedCount += 1
                                    }
                                }
                            } catch let problem as ImportProblem {
                                report.problems.append(Problem(line: start, column: problem.column, message: problem.message))
                            } catch PipelineError.notPermitted(let refusal) {
                                // Not the file's fault: the whole import is refused, in one sentence.
                                throw PipelineError.notPermitted(refusal)
                            } catch let error as PipelineError {
                                report.problems.append(Problem(line: start, column: mapper.column(for: error.field),
                                                               message: Self.withoutField(error, options.language)))
                            }
                        }
                        if report.problems.count >= Self.problemLimit {
                            report.stoppedAtProblemLimit = true
                            finished = true
                            break
                        }
                    }
                }
                if report.problems.count < Self.problemLimit, !endedByStrayQuote, let problem = textProblem(), !report.problems.contains(problem) {
                    report.problems.append(problem)
                }
                try writer.finish()
                // A Ctrl-C on a terminal reaches the whole pipeline: the program feeding us
                // (`cat`, `head`) dies and our input ends as if whole. Asked once more here,
                // before the commit, so that the import is cancelled rather than half-kept.
                try progress.step(rowsRead, text.fractionRead)
                if !report.problems.isEmpty { throw ImportFailed() }
                return writer.summary
            }
        } catch is ImportFailed {
            report.summary = ImportSummary()
        }
        return report
    }

    /// How many rows are read ahead and looked up together, at most; and how much text.
    static let chunkRows = 1_000
    static let chunkBytes = 4 << 20

    /// A row read ahead: what it says, or why it cannot be applied; or what was wrong with
    /// the text itself, which ends the file.
    enum ChunkEntry {
        case row(line: Int, Result<MappedRow, any Error>)
        case textProblem(Problem)
    }

    enum MappedRow {
        case record(ImportedRecord)
        case stage(ImportedStage)

        var externalID: String? {
            switch self {
            case .record(let record): return record.externalID
            case .stage(let stage): return stage.externalID
            }
        }
    }

    /// One row as a record or a stage. A problem of the row (a wrong field count, a value the
    /// domain refuses) is kept to be reported in its turn; any other error ends the import.
    static func mapped(_ row: [String], headers: [String], kind: ExchangeKind, mapper: RowMapper,
                       _ t: Localizer) throws -> Result<MappedRow, any Error> {
        do {
            guard row.count == headers.count else {
                throw ImportProblem(column: nil, message: t.plural("import.fieldCount", row.count, headers.count))
            }
            // A cell the export guarded against spreadsheets' formulas gets its value back.
            let values = row.map { withLineFeeds(SpreadsheetSafety.unguarded($0)) }
            return .success(kind == .stages ? .stage(try mapper.stage(values)) : .record(try mapper.record(values)))
        } catch let problem as ImportProblem {
            return .failure(problem)
        } catch let error as PipelineError {
            return .failure(error)
        }
    }

    /// A quoted cell's line breaks written as CR LF (by Excel and other Windows programs)
    /// read as the line feeds the board writes; a carriage return on its own stays, for the
    /// field to refuse as the control character it is. After unguarding, so that a guarded
    /// cell starting with a line break gets its guard taken off first.
    static func withLineFeeds(_ field: String) -> String {
        guard field.utf8.contains(UInt8(ascii: "\r")) else { return field }
        return field.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Which of our columns each header names; the columns we ignore (each named once);
    /// and the problems: a header nobody defines, two headers for one column.
    static func mapHeaders(_ headers: [String], kind: ExchangeKind, _ t: Localizer)
        -> (columns: [Int: String], ignored: [String], problems: [Problem]) {
        var columns: [Int: String] = [:]  // header index → our column name
        var firstHeader: [String: String] = [:]  // our column name → the header that named it first
        var ignored: [String] = []
        var ignoredKeys = Set<String>()
        var problems: [Problem] = []
        for (index, header) in headers.enumerated() where !header.isEmpty {
            let mapped: String? = kind == .stages ? OdooColumns.match(header, in: OdooColumns.stages)?.rawValue
                : OdooColumns.match(header, in: OdooColumns.records)?.rawValue
            if let mapped {
                if let earlier = firstHeader[mapped] {
                    problems.append(Problem(line: 1, column: nil, message: t("import.duplicateColumn", earlier, header)))
                } else {
                    firstHeader[mapped] = header
                    columns[index] = mapped
                }
            } else if OdooColumns.knownButUnmapped.contains(header.lowercased()) {
                if ignoredKeys.insert(header.lowercased()).inserted { ignored.append(header) }
            } else {
                problems.append(Problem(line: 1, column: header, message: t(kind == .stages ? "import.notStageColumn" : "import.notRecordColumn")))
            }
            if problems.count >= problemLimit { break }
        }
        return (columns, ignored, problems)
    }

    /// Thrown inside the transaction so that a file with problems leaves nothing behind.
    struct ImportFailed: Error {}

    /// `;` when the header line has more of them than of `,` (outside quotes).
    static func delimiter(in data: [UInt8]) -> UnicodeScalar {
        var commas = 0, semicolons = 0, quoted = false
        for byte in data {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: ",") { commas += 1 }
            if byte == UInt8(ascii: ";") { semicolons += 1 }
        }
        return semicolons > commas ? ";" : ","
    }

    /// Line breaks inside a record's fields: the record took that many more physical lines.
    static func lineBreaks(in row: [String]) -> Int {
        var count = 0
        for field in row {
            // On the bytes: a line break is ASCII, never part of another character's UTF-8.
            var afterCR = false
            for byte in field.utf8 {
                if byte == UInt8(ascii: "\r") || (byte == UInt8(ascii: "\n") && !afterCR) { count += 1 }
                afterCR = byte == UInt8(ascii: "\r")
            }
        }
        return count
    }

    /// A domain message without its field prefix (the column is named beside it).
    static func withoutField(_ error: PipelineError, _ language: Language) -> String {
        // A typed value's refusal ends "nothing was changed"; a file's problem is followed by
        // "nothing was imported" (or restored), which is not said twice.
        if case .textTooLong(_, let length, let limit) = error {
            return Localizer(language)("error.textTooLongInFile", limit, length)
        }
        var message = error.message(in: language)
        if let field = error.field {
            let prefix = field.name(in: language) + ": "
            if message.hasPrefix(prefix) { message.removeFirst(prefix.count) }
        }
        return message
    }
}

/// Turns one CSV row into a validated record or stage.
struct RowMapper {
    let headers: [String]
    let kind: ExchangeKind
    let currency: CurrencyCode
    let language: Language
    /// Our column name → its index in the file's rows.
    private let positions: [String: Int]
    /// The same for a records file by column, read a dozen times per row (a lookup by
    /// name hashes the name each time).
    private let recordPositions: [RecordColumn: Int]
    private var t: Localizer { Localizer(language) }

    init(headers: [String], columns: [Int: String], kind: ExchangeKind, currency: CurrencyCode, language: Language) {
        self.headers = headers
        self.kind = kind
        self.currency = currency
        self.language = language
        // A file that names one of our columns twice is refused before rows are read.
        positions = Dictionary(columns.map { ($0.value, $0.key) }, uniquingKeysWith: min)
        recordPositions = Dictionary(uniqueKeysWithValues: RecordColumn.allCases.compactMap { [positions] column in
            positions[column.rawValue].map { (column, $0) }
        })
    }

    /// The value of a column in a row; `nil` when the file has no such column.
    func value(_ row: [String], _ column: String) -> String? {
        positions[column].map { row[$0] }
    }

    /// The file's header for one of our columns, to name it in messages.
    func header(_ column: String) -> String? {
        positions[column].map { headers[$0] }
    }

    func column(for field: Field?) -> String? {
        guard let field else { return nil }
        let ours: [Field: RecordColumn] = [
            .title: .title, .customer: .company, .contact: .contact, .email: .email, .phone: .phone,
            .expectedRevenue: .expectedRevenue, .currency: .currency, .probability: .probability, .salesperson: .salesperson,
            .closingDate: .closing, .priority: .priority, .tag: .tags, .notes: .notes, .lostReason: .lostReason,
            .stageName: .stage, .teamName: .team, .requirements: .title, .externalID: .externalID,
        ]
        if kind == .stages {
            let stageColumns: [Field: StageColumn] = [.stageName: .name, .probability: .probability, .requirements: .requirements,
                                                      .teamName: .team, .externalID: .externalID]
            return stageColumns[field].flatMap { header($0.rawValue) }
        }
        // A stage name refused without a stage column is about the title (`stage add` by name).
        return ours[field].flatMap { header($0.rawValue) } ?? (field == .stageName ? header(RecordColumn.title.rawValue) : nil)
    }

    /// The header of the column holding External IDs (`id`), for a problem about one.
    var idColumn: String? {
        kind == .stages ? header(StageColumn.externalID.rawValue) : header(RecordColumn.externalID.rawValue)
    }

    func record(_ row: [String]) throws -> ImportedRecord {
        func text(_ column: RecordColumn) -> String? { recordPositions[column].map { row[$0] } }
        func nonEmpty(_ column: RecordColumn) -> String? { text(column).flatMap { $0.trimmingWhitespaceAndBOM().isEmpty ? nil : $0 } }
        var imported = ImportedRecord(externalID: try nonEmpty(.externalID).map { try TextInput.externalID($0) })
        switch kind {
        case .leads: imported.kind = .lead
        case .opportunities: imported.kind = .opportunity
        default: break
        }
        if let type = nonEmpty(.type) {
            switch type.lowercased().trimmingWhitespaceAndBOM() {
            case "lead": imported.kind = .lead
            case "opportunity": imported.kind = .opportunity
            default: throw ImportProblem(column: header(RecordColumn.type.rawValue), message: t("import.badType", type))
            }
        }
        let currency = try nonEmpty(.currency).map { try CurrencyCode(parsing: $0) } ?? currency
        var form = OpportunityForm(
            title: text(.title), customer: text(.company).flatMap { $0.isEmpty ? nil : $0 } ?? text(.customer),
            contact: text(.contact), email: text(.email), phone: text(.phone), currency: text(.currency).flatMap { $0.isEmpty ? nil : $0 },
            probability: nonEmpty(.probability), salesperson: text(.salesperson), expectedClosing: text(.closing),
            priority: try nonEmpty(.priority).map(priority), notes: text(.notes))
        if let tags = text(.tags) { form.tags = tags.split(separator: ",").map(String.init).filter { !$0.trimmingWhitespaceAndBOM().isEmpty } }
        var changes = try form.validated(language: .english, currency: currency)
        if let revenue = text(.expectedRevenue) {
            let trimmed = revenue.trimmingWhitespaceAndBOM()
            changes.expectedRevenue = trimmed.isEmpty ? .zero(currency) : try Money(plain: trimmed, currency: currency)
        }
        if let stage = nonEmpty(.stageExternalID) {
            imported.stage = .externalID(try TextInput.externalID(stage))
        } else if let stage = nonEmpty(.stage) {
            imported.stage = .name(try TextInput.requiredName(stage, field: .stageName))
        }
        if let team = nonEmpty(.teamExternalID) {
            imported.team = .externalID(try TextInput.externalID(team))
        } else if let team = nonEmpty(.team) {
            imported.team = .name(try TextInput.requiredName(team, field: .teamName))
        }
        if let active = text(.active) {
            imported.active = try boolean(active, column: .active)
        }
        if let reason = nonEmpty(.lostReason) { imported.lostReason = try TextInput.singleLine(reason, field: .lostReason) }
        imported.changes = changes
        return imported
    }

    func stage(_ row: [String]) throws -> ImportedStage {
        func text(_ column: StageColumn) -> String? { value(row, column.rawValue) }
        func nonEmpty(_ column: StageColumn) -> String? { text(column).flatMap { $0.trimmingWhitespaceAndBOM().isEmpty ? nil : $0 } }
        var stage = ImportedStage(externalID: try nonEmpty(.externalID).map { try TextInput.externalID($0) })
        if let name = text(.name) { stage.name = try TextInput.requiredName(name, field: .stageName) }
        if let sequence = nonEmpty(.sequence) {
            guard let value = Int(sequence.trimmingWhitespaceAndBOM()) else {
                throw ImportProblem(column: header(StageColumn.sequence.rawValue), message: t("import.badSequence", sequence))
            }
            stage.sequence = value
        }
        if let probability = nonEmpty(.probability) { stage.probability = try Probability(parsing: probability) }
        if let value = nonEmpty(.onChange) { stage.changesProbabilityAutomatically = try boolean(value, column: StageColumn.onChange.rawValue) }
        if let value = nonEmpty(.isWon) { stage.isWon = try boolean(value, column: StageColumn.isWon.rawValue) }
        if let value = nonEmpty(.fold) { stage.isFolded = try boolean(value, column: StageColumn.fold.rawValue) }
        if let requirements = text(.requirements) { stage.requirements = try TextInput.multiLine(requirements, field: .requirements) }
        if let team = nonEmpty(.teamExternalID) {
            stage.team = .externalID(try TextInput.externalID(team))
        } else if let team = nonEmpty(.team) {
            stage.team = .name(try TextInput.requiredName(team, field: .teamName))
        }
        // Without is_won (a file of the older generation), a stage at 100 % with the automatic flag is won.
        if stage.isWon == nil, header(StageColumn.isWon.rawValue) == nil, let probability = stage.probability {
            stage.isWon = probability == .certain
        }
        return stage
    }

    /// Stars as digits, or as the reference CRM's labels.
    func priority(_ text: String) throws -> String {
        switch text.lowercased().trimmingWhitespaceAndBOM() {
        case "0", "normal", "low": return "0"
        case "1", "medium": return "1"
        case "2", "high": return "2"
        case "3", "very high": return "3"
        default: throw ImportProblem(column: header(RecordColumn.priority.rawValue), message: t("import.badPriority", text))
        }
    }

    func boolean(_ text: String, column: RecordColumn) throws -> Bool { try boolean(text, column: column.rawValue) }

    func boolean(_ text: String, column: String) throws -> Bool {
        switch text.lowercased().trimmingWhitespaceAndBOM() {
        case "", "true", "1", "yes", "y", "t": return true
        case "false", "0", "no", "n", "f": return false
        default: throw ImportProblem(column: header(column), message: t("import.badBoolean", text))
        }
    }
}
