import Foundation
import PipelineCore
import PipelineStorage

/// The complete backup: teams, stages, leads and opportunities, stage history and settings,
/// with ids, versions and timestamps, so that restoring it into a fresh database gives back
/// exactly the same pipeline.
///
/// Written one record a line inside a JSON object, so that it streams both ways: export
/// writes as it reads, and restore reads a line at a time (another layout of the same JSON
/// is read too, whole). Amounts and probabilities are decimal strings, times ISO 8601.
public enum JSONBackup {
    public static let format = "pipeline-backup"
    public static let version = 1

    // MARK: - Writing

    /// `--what all`: the whole backup. Other kinds: a JSON array of those records alone.
    public static func export(_ kind: ExchangeKind, from source: any BackupSource, to handle: FileHandle) throws {
        // One snapshot: a colleague's change cannot land between two sections.
        try source.readingSnapshot { database in try export(kind, from: database, to: handle) }
    }

    static func export(_ kind: ExchangeKind, from database: any StoreReader, to handle: FileHandle) throws {
        let output = BufferedOutput(handle: handle)
        func list(_ name: String?, _ write: (_ element: (JSONValue) -> Void) throws -> Void) throws {
            output.writeText(name.map { "\"\($0)\": [" } ?? "[")
            var first = true
            try write { element in
                output.writeText((first ? "\n" : ",\n") + element.compact)
                first = false
            }
            output.writeText(first ? "]" : "\n]")
        }
        switch kind {
        case .all:
            output.writeText("{\n\"format\": \"\(format)\",\n\"version\": \(version),\n")
            let settings = try database.storedSettings().map { ($0.0.rawValue, JSONValue.string($0.1)) }
            output.writeText("\"settings\": " + JSONValue.object(settings).compact + ",\n")
            try list("teams") { element in for team in try database.teamsWithCreation() { element(encode(team)) } }
            output.writeText(",\n")
            try list("stages") { element in for stage in try database.exchangeStages() { element(encode(stage)) } }
            output.writeText(",\n")
            try list("records") { element in try database.forEachExchangeRecord(kind: nil) { element(encode($0)) } }
            output.writeText(",\n")
            try list("stage_history") { element in try database.forEachHistoryEntry { element(encode($0)) } }
            output.writeText("\n}\n")
        case .stages:
            try list(nil) { element in for stage in try database.exchangeStages() { element(encode(stage)) } }
            output.writeText("\n")
        case .opportunities, .leads:
            try list(nil) { element in
                try database.forEachExchangeRecord(kind: kind == .leads ? .lead : .opportunity) { element(encode($0)) }
            }
            output.writeText("\n")
        }
        output.flush()
    }

    static func encode(_ entry: BackupTeam) -> JSONValue {
        .object([("id", .int(entry.team.id.rawValue)), ("name", .string(entry.team.name)),
                 ("created_at", .string(entry.createdAt.iso8601)), ("version", .int(entry.team.version))])
    }

    static func encode(_ entry: ExchangeStage) -> JSONValue {
        let stage = entry.stage
        return .object([
            ("id", .int(stage.id.rawValue)), ("name", .string(stage.name)), ("sort_order", .int(stage.sortOrder)),
            ("probability", .string(stage.probability.decimalString)),
            ("auto_probability", .bool(stage.changesProbabilityAutomatically)), ("requirements", .string(stage.requirements)),
            ("folded", .bool(stage.isFolded)), ("outcome", .string(stage.outcome.rawValue)),
            ("team_id", stage.scope.team.map { .int($0.rawValue) } ?? .null), ("version", .int(stage.version)),
            ("external_id", .optional(entry.storedExternalID)),
        ])
    }

    static func encode(_ entry: ExchangeRecord) -> JSONValue {
        let record = entry.record
        return .object([
            ("id", .int(record.id.rawValue)), ("type", .string(record.kind.rawValue)), ("title", .string(record.title)),
            ("customer", .string(record.customer.name)), ("contact", .string(record.customer.contactName)),
            ("email", .string(record.customer.email)), ("phone", .string(record.customer.phone)),
            ("expected_revenue", .string(record.expectedRevenue.plainString)), ("currency", .string(record.expectedRevenue.currency.code)),
            ("probability", .optional(record.probability?.decimalString)), ("probability_set_by_hand", .bool(record.probabilitySetByHand)),
            ("salesperson", .string(record.salesperson)), ("team_id", .int(record.team.rawValue)),
            ("stage_id", record.stage.map { .int($0.rawValue) } ?? .null), ("rank", .int(record.rank)),
            ("priority", .int(record.priority.stars)), ("tags", .array(record.tags.map(JSONValue.string))),
            ("expected_closing", .optional(record.expectedClosing?.iso8601)), ("notes", .string(record.notes)),
            ("created_at", .string(record.createdAt.iso8601)), ("updated_at", .string(record.updatedAt.iso8601)),
            ("stage_changed_at", .string(record.stageChangedAt.iso8601)), ("converted_at", .optional(record.convertedAt?.iso8601)),
            ("active", .bool(record.isActive)), ("lost_reason", .optional(record.lostReason)), ("version", .int(record.version)),
            ("external_id", .optional(entry.storedExternalID)),
        ])
    }

    static func encode(_ entry: BackupHistoryEntry) -> JSONValue {
        .object([
            ("id", .int(entry.id)), ("opportunity_id", .int(entry.opportunity.rawValue)),
            ("from_stage_id", entry.from.map { .int($0.rawValue) } ?? .null), ("to_stage_id", entry.to.map { .int($0.rawValue) } ?? .null),
            ("from_stage_name", .optional(entry.fromName)), ("to_stage_name", .optional(entry.toName)),
            ("at", .string(entry.at.iso8601)), ("by", .string(entry.by)),
        ])
    }

    // MARK: - Restoring

    /// What a restore brought back.
    public struct Summary: Sendable, Equatable {
        public var teams = 0, stages = 0, records = 0, history = 0
    }

    /// Restores a full backup into a fresh database, all or nothing.
    public static func restore(path: String, into database: any BackupSink) throws -> Summary {
        var summary = Summary()
        try database.restore { writer in
            try read(path: path) { section, line, object in
                do {
                    switch section {
                    case "settings":
                        for (key, value) in object {
                            guard let key = SettingKey(rawValue: key), let value = value as? String else { continue }
                            try writer.storeSetting(key, value)
                        }
                    case "teams": try writer.insert(try decodeTeam(object)); summary.teams += 1
                    case "stages":
                        let (stage, external) = try decodeStage(object)
                        try writer.insert(stage, externalID: external)
                        summary.stages += 1
                    case "records":
                        let (record, external) = try decodeRecord(object)
                        try writer.insert(record, externalID: external)
                        summary.records += 1
                    case "stage_history": try writer.insert(try decodeHistory(object)); summary.history += 1
                    default: break
                    }
                } catch var fault as BackupFault {
                    fault.line = fault.line ?? line
                    throw PipelineError.backupInconsistent(fault)
                }
            }
        }
        return summary
    }

    /// Calls `body` for the settings object and each element of each list, with its line.
    static func read(path: String, _ body: (String, Int, [String: Any]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw PipelineError.backupInconsistent(BackupFault("import.cannotRead", path)) }
        var lines = LineReader(handle: handle)
        guard let first = lines.next(), first.trimmingCharacters(in: .whitespaces) == "{",
              let second = lines.next(), second.contains("\"\(format)\"") else {
            try readWhole(path: path, body)
            return
        }
        var section: String?
        var number = 2
        while let line = lines.next() {
            number += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed == "}" { continue }
            if trimmed.hasPrefix("\"settings\":") {
                let json = String(trimmed.dropFirst("\"settings\":".count)).trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
                try body("settings", number, try object(json, line: number))
            } else if trimmed.hasPrefix("\"version\":") || trimmed.hasPrefix("\"format\":") {
                continue
            } else if trimmed.hasSuffix("[") || trimmed.hasSuffix("[]") || trimmed.hasSuffix("[],") {
                section = trimmed.split(separator: "\"").first.map(String.init)
                if trimmed.contains("[]") { section = nil }
            } else if trimmed == "]" || trimmed == "]," {
                section = nil
            } else if let section {
                let json = trimmed.hasSuffix(",") ? String(trimmed.dropLast()) : trimmed
                try body(section, number, try object(json, line: number))
            }
        }
    }

    static func object(_ json: String, line: Int) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw PipelineError.backupInconsistent(BackupFault("backup.notAnObject", line: line))
        }
        return object
    }

    /// Another layout of the same JSON: read whole.
    static func readWhole(path: String, _ body: (String, Int, [String: Any]) throws -> Void) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], root["format"] as? String == format else {
            throw PipelineError.backupInconsistent(BackupFault("backup.notABackup"))
        }
        if let settings = root["settings"] as? [String: Any] { try body("settings", 0, settings) }
        for section in ["teams", "stages", "records", "stage_history"] {
            for (index, element) in ((root[section] as? [[String: Any]]) ?? []).enumerated() { try body(section, index + 1, element) }
        }
    }

    // MARK: - Decoding, with every text checked as the application checks what users type

    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw BackupFault("backup.notText", key) }
        return value
    }

    static func optionalString(_ object: [String: Any], _ key: String) throws -> String? {
        if object[key] == nil || object[key] is NSNull { return nil }
        return try string(object, key)
    }

    static func integer(_ object: [String: Any], _ key: String) throws -> Int64 {
        guard let number = object[key] as? NSNumber, let value = Int64(number.stringValue) else {
            throw BackupFault("backup.notInteger", key)
        }
        return value
    }

    static func boolean(_ object: [String: Any], _ key: String) throws -> Bool {
        guard let value = object[key] as? Bool else { throw BackupFault("backup.notBoolean", key) }
        return value
    }

    static func timestamp(_ object: [String: Any], _ key: String) throws -> Timestamp {
        guard let value = Timestamp(iso8601: try string(object, key)) else { throw BackupFault("backup.notTime", key) }
        return value
    }

    /// Text must be as the application stores it: no control or bidirectional characters.
    static func text(_ object: [String: Any], _ key: String, field: Field, multiline: Bool = false) throws -> String {
        let value = try string(object, key)
        let clean = try multiline ? TextInput.multiLine(value, field: field) : TextInput.singleLine(value, field: field)
        guard clean == value else { throw BackupFault("backup.badCharacters", key) }
        return value
    }

    static func decodeTeam(_ object: [String: Any]) throws -> BackupTeam {
        BackupTeam(team: Team(id: Team.ID(try integer(object, "id")), name: try text(object, "name", field: .teamName),
                              version: Int(try integer(object, "version"))),
                   createdAt: try timestamp(object, "created_at"))
    }

    static func decodeStage(_ object: [String: Any]) throws -> (Stage, String?) {
        guard let outcome = StageOutcome(rawValue: try string(object, "outcome")) else { throw BackupFault("backup.badOutcome") }
        let team = (object["team_id"] as? NSNumber).map { Team.ID($0.int64Value) }
        let stage = Stage(
            id: Stage.ID(try integer(object, "id")), name: try text(object, "name", field: .stageName),
            sortOrder: Int(try integer(object, "sort_order")), probability: try Probability(parsing: try string(object, "probability")),
            changesProbabilityAutomatically: try boolean(object, "auto_probability"),
            requirements: try text(object, "requirements", field: .requirements, multiline: true),
            isFolded: try boolean(object, "folded"), outcome: outcome, scope: team.map { .team($0) } ?? .shared,
            version: Int(try integer(object, "version")))
        return (stage, try optionalString(object, "external_id"))
    }

    static func decodeRecord(_ object: [String: Any]) throws -> (Opportunity, String?) {
        guard let kind = RecordKind(rawValue: try string(object, "type")) else { throw BackupFault("backup.badType") }
        let currency = try CurrencyCode(parsing: try string(object, "currency"))
        let tags = try (object["tags"] as? [Any] ?? []).map { tag -> String in
            guard let tag = tag as? String else { throw BackupFault("backup.badTags") }
            return tag
        }
        let record = Opportunity(
            id: Opportunity.ID(try integer(object, "id")), kind: kind, title: try text(object, "title", field: .title),
            customer: Customer(name: try text(object, "customer", field: .customer), contactName: try text(object, "contact", field: .contact),
                               email: try text(object, "email", field: .email), phone: try text(object, "phone", field: .phone)),
            expectedRevenue: try Money(plain: try string(object, "expected_revenue"), currency: currency),
            probability: try optionalString(object, "probability").map { try Probability(parsing: $0) },
            probabilitySetByHand: try boolean(object, "probability_set_by_hand"),
            salesperson: try text(object, "salesperson", field: .salesperson), team: Team.ID(try integer(object, "team_id")),
            stage: (object["stage_id"] as? NSNumber).map { Stage.ID($0.int64Value) }, rank: try integer(object, "rank"),
            priority: Priority(stars: Int(try integer(object, "priority"))) ?? .normal, tags: tags,
            expectedClosing: try optionalString(object, "expected_closing").map { try CalendarDate(parsing: $0) },
            notes: try text(object, "notes", field: .notes, multiline: true),
            createdAt: try timestamp(object, "created_at"), updatedAt: try timestamp(object, "updated_at"),
            stageChangedAt: try timestamp(object, "stage_changed_at"), isActive: try boolean(object, "active"),
            lostReason: try optionalString(object, "lost_reason"),
            convertedAt: try optionalString(object, "converted_at").flatMap(Timestamp.init(iso8601:)),
            version: Int(try integer(object, "version")))
        return (record, try optionalString(object, "external_id"))
    }

    static func decodeHistory(_ object: [String: Any]) throws -> BackupHistoryEntry {
        BackupHistoryEntry(
            id: try integer(object, "id"), opportunity: Opportunity.ID(try integer(object, "opportunity_id")),
            from: (object["from_stage_id"] as? NSNumber).map { Stage.ID($0.int64Value) },
            to: (object["to_stage_id"] as? NSNumber).map { Stage.ID($0.int64Value) },
            fromName: try optionalString(object, "from_stage_name"), toName: try optionalString(object, "to_stage_name"),
            at: try timestamp(object, "at"), by: try string(object, "by"))
    }
}

/// Lines of a file, read a block at a time.
struct LineReader {
    let handle: FileHandle
    private var buffer = Data()
    private var finished = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return String(decoding: line, as: UTF8.self)
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }
}
