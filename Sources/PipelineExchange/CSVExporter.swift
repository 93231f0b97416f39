import Foundation
import PipelineCore
import PipelineStorage

/// Writes leads, opportunities or stages as CSV in the reference CRM's technical column
/// names (its "import-compatible" export), so that its import takes the file unchanged.
/// Every cell is made safe for spreadsheets and terminals (see `SpreadsheetSafety`).
public enum CSVExporter {
    public static func export(_ kind: ExchangeKind, generation: OdooGeneration, from source: any BackupSource,
                              to bytes: ByteWriter, progress: RowProgress = .none) throws {
        do {
            // One snapshot: a colleague's change cannot land in the middle of the file.
            try source.readingSnapshot { database in try write(kind, generation: generation, from: database, to: bytes, progress: progress) }
        } catch {
            // A refused write is the reason, whatever the reading made of it.
            if let failure = bytes.failure { throw failure }
            throw error
        }
        try bytes.flush()
    }

    private static func write(_ kind: ExchangeKind, generation: OdooGeneration, from database: any StoreReader,
                              to bytes: ByteWriter, progress: RowProgress) throws {
        let csv = CSVOutput(bytes)
        switch kind {
        case .stages:
            let headers = OdooColumns.stageHeaders(generation)
            csv.row(headers.map(\.0))
            for (index, entry) in try database.exchangeStages().enumerated() {
                csv.row { field in for header in headers { field(SpreadsheetSafety.cell(stageValue(header.1, entry, sequence: index + 1))) } }
                if let failure = bytes.failure { throw failure }
            }
        case .opportunities, .leads, .all:
            let headers = OdooColumns.recordHeaders(generation)
            csv.row(headers.map(\.0))
            let filter: RecordKind? = kind == .leads ? .lead : kind == .opportunities ? .opportunity : nil
            // The one row loop of the export, where progress is told.
            var written = 0
            try database.forEachExchangeRecord(kind: filter) { entry in
                csv.writeRow { fields in for header in headers { writeRecordValue(header.1, entry, into: &fields) } }
                // A full disk or a closed pipe ends the export at once, not after the last record.
                if let failure = bytes.failure { throw failure }
                written += 1
                try progress.step(written, nil)
            }
        }
    }

    /// `recordValue` as the row's next field: numbers and dates written straight as bytes (they
    /// never hold what a cell is guarded or quoted for: a leading `-` is a plain number's),
    /// text through `SpreadsheetSafety.cell`. One `String` less per number at 1,000,000 rows.
    static func writeRecordValue(_ column: RecordColumn, _ entry: ExchangeRecord, into fields: inout CSVOutput.Fields) {
        let record = entry.record
        switch column {
        case .probability:
            guard let probability = record.probability else { return fields.plain { _ in } }
            fields.plain { JSONObjectOutput.writeDecimal(probability, into: &$0) }
        case .expectedRevenue: fields.plain { JSONObjectOutput.writePlain(record.expectedRevenue, into: &$0) }
        case .priority: fields.plain { JSONObjectOutput.writeDecimal(Int64(record.priority.stars), into: &$0) }
        case .closing:
            guard let closing = record.expectedClosing else { return fields.plain { _ in } }
            fields.plain { JSONObjectOutput.writeISO8601(closing, into: &$0) }
        case .active: fields.plain { $0.append(contentsOf: (record.isActive ? "True" : "False").utf8) }
        case .stageExternalID, .teamExternalID: fields.plain { _ in }
        default: fields.text(SpreadsheetSafety.cell(recordValue(column, entry)))
        }
    }

    static func recordValue(_ column: RecordColumn, _ entry: ExchangeRecord) -> String {
        let record = entry.record
        switch column {
        case .externalID: return entry.externalID
        case .title: return record.title
        case .type: return record.kind.rawValue
        case .stage: return entry.stageName ?? ""
        case .probability: return record.probability?.decimalString ?? ""
        case .expectedRevenue: return record.expectedRevenue.plainString
        case .currency: return record.expectedRevenue.currency.code
        case .company, .customer: return record.customer.name
        case .contact: return record.customer.contactName
        case .email: return record.customer.email
        case .phone: return record.customer.phone
        case .salesperson: return record.salesperson
        case .team: return entry.teamName
        case .priority: return String(record.priority.stars)
        case .tags: return record.tags.joined(separator: ",")
        case .closing: return record.expectedClosing?.iso8601 ?? ""
        case .active: return record.isActive ? "True" : "False"
        case .lostReason: return record.lostReason ?? ""
        case .notes: return record.notes
        case .stageExternalID, .teamExternalID: return ""
        }
    }

    static func stageValue(_ column: StageColumn, _ entry: ExchangeStage, sequence: Int) -> String {
        let stage = entry.stage
        switch column {
        case .externalID: return entry.externalID
        case .name: return stage.name
        case .sequence: return String(sequence)
        case .probability: return stage.probability.decimalString
        case .onChange: return stage.changesProbabilityAutomatically ? "True" : "False"
        case .isWon: return stage.outcome == .won ? "True" : "False"
        case .fold: return stage.isFolded ? "True" : "False"
        case .requirements: return stage.requirements
        case .team: return entry.teamName ?? ""
        case .teamExternalID: return ""
        }
    }
}
