import CSV
import Foundation
import PipelineCore
import PipelineStorage

/// Writes leads, opportunities or stages as CSV in the reference CRM's technical column
/// names (its "import-compatible" export), so that its import takes the file unchanged.
public enum CSVExporter {
    public static func export(_ kind: ExchangeKind, generation: OdooGeneration, from source: any BackupSource,
                              to handle: FileHandle) throws {
        try source.readingSnapshot { database in try export(kind, generation: generation, from: database, to: handle) }
    }

    static func export(_ kind: ExchangeKind, generation: OdooGeneration, from database: any StoreReader, to handle: FileHandle) throws {
        let output = BufferedOutput(handle: handle)
        let writer = try CSVWriter(stream: output)
        switch kind {
        case .stages:
            let headers = OdooColumns.stageHeaders(generation)
            try writer.write(row: headers.map(\.0))
            for (index, entry) in try database.exchangeStages().enumerated() {
                try writer.write(row: headers.map { stageValue($0.1, entry, sequence: index + 1) })
            }
        case .opportunities, .leads, .all:
            let headers = OdooColumns.recordHeaders(generation)
            try writer.write(row: headers.map(\.0))
            let filter: RecordKind? = kind == .leads ? .lead : kind == .opportunities ? .opportunity : nil
            try database.forEachExchangeRecord(kind: filter) { entry in
                try writer.write(row: headers.map { recordValue($0.1, entry) })
            }
        }
        output.writeText("\n")
        output.flush()
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
