import Foundation
import PipelineCore
import PipelineStorage

/// The complete backup: teams, stages, leads and opportunities, stage history, settings and
/// every user's preferences, with ids, versions and timestamps, so that restoring it into a
/// fresh database gives back exactly the same pipeline. (A backup from before preferences
/// has no `preferences` list, and restores as it did: everyone follows the settings. One
/// from before activities — format version 1 — has no activity types, activities or notes,
/// and history lines without figures: it restores with the new database's activity types,
/// and its old lines stay without figures, unknown rather than zero.)
///
/// Written one record a line inside a JSON object, so that it streams both ways: export
/// writes as it reads, and restore reads a line at a time (another layout of the same JSON
/// is read too, whole). Amounts and probabilities are decimal strings, times ISO 8601.
public enum JSONBackup {
    public static let format = "pipeline-backup"
    /// 2 since issue 13 (activity types, activities, notes, the history's figures, a stage's
    /// rotting days); version 1 is still read.
    public static let version = 2
    /// The format versions this pipeline reads: every one it ever wrote.
    static let readableVersions: ClosedRange<Int64> = 1...2

    // MARK: - Writing

    /// `--what all`: the whole backup. Other kinds: a JSON array of those records alone.
    public static func export(_ kind: ExchangeKind, from source: any BackupSource, to output: ByteWriter,
                              progress: RowProgress = .none) throws {
        // One snapshot: a colleague's change cannot land between two sections.
        try source.readingSnapshot { database in try export(kind, from: database, to: output, progress: progress) }
    }

    static func export(_ kind: ExchangeKind, from database: any StoreReader, to output: ByteWriter,
                       progress: RowProgress = .none) throws {
        var written = 0
        /// A named list (or the whole output's), one element a line: `write` hands over each
        /// element as what writes its object into the output's buffer.
        func list(_ name: String?, _ write: (_ element: ((inout [UInt8]) -> Void) throws -> Void) throws -> Void) throws {
            output.write(name.map { "\"\($0)\": [" } ?? "[")
            var first = true
            try write { element in
                output.append { bytes in
                    bytes.append(contentsOf: (first ? "\n" : ",\n").utf8)
                    element(&bytes)
                }
                first = false
                written += 1
                try progress.step(written, nil)
                // A full disk or a closed pipe ends the export at once, not after the last record.
                if let failure = output.failure { throw failure }
            }
            output.write(first ? "]" : "\n]")
        }
        switch kind {
        case .all:
            output.write("{\n\"format\": \"\(format)\",\n\"version\": \(version),\n")
            let settings = try database.storedSettings().map { ($0.0.rawValue, JSONValue.string($0.1)) }
            output.write("\"settings\": " + JSONValue.object(settings).compact + ",\n")
            try list("preferences") { element in for preference in try database.storedPreferences() { try element { write(preference, into: &$0) } } }
            output.write(",\n")
            try list("teams") { element in for team in try database.teamsWithCreation() { try element { write(team, into: &$0) } } }
            output.write(",\n")
            try list("stages") { element in for stage in try database.exchangeStages() { try element { write(stage, into: &$0) } } }
            output.write(",\n")
            try list("activity_types") { element in for type in try database.activityTypes() { try element { write(type, into: &$0) } } }
            output.write(",\n")
            try list("records") { element in try database.forEachExchangeRecord(kind: nil) { record in try element { write(record, into: &$0) } } }
            output.write(",\n")
            try list("stage_history") { element in try database.forEachHistoryEntry { entry in try element { write(entry, into: &$0) } } }
            output.write(",\n")
            try list("activities") { element in try database.forEachActivity { activity in try element { write(activity, into: &$0) } } }
            output.write(",\n")
            try list("notes") { element in try database.forEachNote { note in try element { write(note, into: &$0) } } }
            output.write("\n}\n")
        case .stages:
            try list(nil) { element in for stage in try database.exchangeStages() { try element { write(stage, into: &$0) } } }
            output.write("\n")
        case .opportunities, .leads:
            try list(nil) { element in
                try database.forEachExchangeRecord(kind: kind == .leads ? .lead : .opportunity) { record in try element { write(record, into: &$0) } }
            }
            output.write("\n")
        }
        try output.flush()
    }

    // Each element is written field by field into the output (`JSONObjectOutput`), in the
    // order the backup has always had them; restore reads them by name.

    /// A user's own value of a personal setting, stored as the setting's (the team by id).
    static func write(_ preference: Preference, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.string("user", preference.user)
            object.string("key", preference.key.rawValue)
            object.string("value", preference.value)
        }
    }

    static func write(_ entry: BackupTeam, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", entry.team.id.rawValue)
            object.string("name", entry.team.name)
            object.time("created_at", entry.createdAt)
            object.int("version", Int64(entry.team.version))
        }
    }

    static func write(_ entry: ExchangeStage, into bytes: inout [UInt8]) {
        let stage = entry.stage
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", stage.id.rawValue)
            object.string("name", stage.name)
            object.int("sort_order", Int64(stage.sortOrder))
            object.probability("probability", stage.probability)
            object.bool("auto_probability", stage.changesProbabilityAutomatically)
            object.string("requirements", stage.requirements)
            object.bool("folded", stage.isFolded)
            object.string("outcome", stage.outcome.rawValue)
            object.optionalInt("team_id", stage.scope.team?.rawValue)
            object.int("version", Int64(stage.version))
            object.string("external_id", entry.storedExternalID)
            object.optionalInt("rotting_days", stage.rottingDays.map { Int64($0) })
        }
    }

    static func write(_ entry: ExchangeRecord, into bytes: inout [UInt8]) {
        let record = entry.record
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", record.id.rawValue)
            object.string("type", record.kind.rawValue)
            object.string("title", record.title)
            object.string("customer", record.customer.name)
            object.string("contact", record.customer.contactName)
            object.string("email", record.customer.email)
            object.string("phone", record.customer.phone)
            object.amount("expected_revenue", record.expectedRevenue)
            object.string("currency", record.expectedRevenue.currency.code)
            object.probability("probability", record.probability)
            object.bool("probability_set_by_hand", record.probabilitySetByHand)
            object.string("salesperson", record.salesperson)
            object.int("team_id", record.team.rawValue)
            object.optionalInt("stage_id", record.stage?.rawValue)
            object.int("rank", Int64(record.rank))
            object.int("priority", Int64(record.priority.stars))
            object.strings("tags", record.tags)
            object.date("expected_closing", record.expectedClosing)
            object.string("notes", record.notes)
            object.time("created_at", record.createdAt)
            object.time("updated_at", record.updatedAt)
            object.time("stage_changed_at", record.stageChangedAt)
            object.time("converted_at", record.convertedAt)
            object.bool("active", record.isActive)
            object.string("lost_reason", record.lostReason)
            object.int("version", Int64(record.version))
            object.string("external_id", entry.storedExternalID)
        }
    }

    static func write(_ entry: BackupHistoryEntry, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", entry.id)
            object.int("opportunity_id", entry.opportunity.rawValue)
            object.optionalInt("from_stage_id", entry.from?.rawValue)
            object.optionalInt("to_stage_id", entry.to?.rawValue)
            object.string("from_stage_name", entry.fromName)
            object.string("to_stage_name", entry.toName)
            object.time("at", entry.at)
            object.string("by", entry.by)
            object.string("event", entry.event.rawValue)
            object.probability("probability", entry.probability)
            object.amount("amount", entry.amount)
            object.string("currency", entry.amount?.currency.code)
            object.string("reason", entry.reason)
            object.string("stage_outcome", entry.stageOutcome?.rawValue)
        }
    }

    static func write(_ type: ActivityType, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", type.id.rawValue)
            object.string("name", type.name)
            object.optionalInt("next_type_id", type.nextType?.rawValue)
            object.int("next_delay_days", Int64(type.nextDelayDays))
            object.int("sort_order", Int64(type.sortOrder))
            object.int("version", Int64(type.version))
        }
    }

    static func write(_ activity: Activity, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", activity.id.rawValue)
            object.int("record_id", activity.record.rawValue)
            object.int("type_id", activity.type.rawValue)
            object.string("summary", activity.summary)
            object.date("due", activity.due)
            object.string("time", activity.time?.description)
            object.string("assigned_to", activity.assignedTo)
            object.string("notes", activity.notes)
            object.time("done_at", activity.completion?.at)
            object.string("done_by", activity.completion?.by)
            object.string("feedback", activity.completion?.feedback)
            object.time("created_at", activity.createdAt)
            object.string("created_by", activity.createdBy)
            object.time("updated_at", activity.updatedAt)
            object.int("version", Int64(activity.version))
        }
    }

    static func write(_ note: DealNote, into bytes: inout [UInt8]) {
        JSONObjectOutput.write(into: &bytes) { object in
            object.int("id", note.id.rawValue)
            object.int("record_id", note.record.rawValue)
            object.string("text", note.text)
            object.string("author", note.author)
            object.time("at", note.at)
        }
    }

    // MARK: - Restoring

    /// What a restore brought back.
    public struct Summary: Sendable, Equatable {
        public var teams = 0, stages = 0, records = 0, history = 0
        public var activityTypes = 0, activities = 0, notes = 0
    }

    /// The longest line a backup may have (one record, with its notes): what restoring holds
    /// in memory at once. A 20 MB note fits.
    public static let lineLimit = 26 << 20

    /// Restores the backup at `path`, read as UTF-8.
    public static func restore(path: String, into database: any BackupSink, progress: RowProgress = .none,
                               now: Timestamp? = nil) throws -> Summary {
        try restore(TextStream(ImportSource(path), encoding: nil), into: database, progress: progress, now: now)
    }



    /// Restores a full backup into a fresh database, all or nothing. Every value passes the
    /// validation the command line applies when the same value is typed; the first that
    /// does not is refused with its line and its place in the file, and nothing is changed.
    /// `progress` hears of every element read (and may stop the restore: nothing is then kept).
    /// `now` is the current time (the machine's when nil): no time in the backup may be more
    /// than a day after it (`IntegrityClock`: a backup records what has happened, but the
    /// machine that wrote it may have had a clock a little ahead; a time past that —
    /// 9999-12-31 in a hostile trial — made the digest disagree with the forecast).
    public static func restore(_ text: TextStream, into database: any BackupSink, progress: RowProgress = .none,
                               now: Timestamp? = nil) throws -> Summary {
        var summary = Summary()
        var elements = 0
        var decoder = BackupDecoder()
        decoder.latestTime = IntegrityClock.latestTime(now: now)
        // A backup keeps what the version that wrote it stored, even text beyond today's
        // lengths (`TextLimit`): restoring it must never lose it.
        try TextInput.$limitsLength.withValue(false) {
            try database.restore(progress: progress) { writer in
                try read(text) { element in
                    elements += 1
                    try progress.step(elements, text.fractionRead)
                    do {
                        try checkKeys(element)
                        switch element.section {
                        case "settings":
                            for (key, value) in element.object.entries.sorted(by: { $0.key < $1.key }) {
                                let (setting, normalized) = try decoder.setting(key, value, at: element)
                                try writer.storeSetting(setting, normalized)
                            }
                        case "preferences":
                            let preference = try decoder.preference(element)
                            try writer.storePreference(preference.key, preference.value, user: preference.user)
                        case "teams": try writer.insert(try decoder.team(element)); summary.teams += 1
                        case "stages":
                            let (stage, external) = try decoder.stage(element)
                            try writer.insert(stage, externalID: external)
                            summary.stages += 1
                        case "records":
                            let (record, external) = try decoder.record(element)
                            try writer.insert(record, externalID: external)
                            summary.records += 1
                        case "stage_history": try writer.insert(try decoder.history(element)); summary.history += 1
                        case "activity_types": try writer.insert(try decoder.activityType(element)); summary.activityTypes += 1
                        case "activities": try writer.insert(try decoder.activity(element)); summary.activities += 1
                        case "notes": try writer.insert(try decoder.note(element)); summary.notes += 1
                        default: break
                        }
                    } catch var fault as BackupFault {
                        fault.line = fault.line ?? element.line
                        throw PipelineError.backupInconsistent(fault)
                    }
                }
                // A Ctrl-C that ended our input (it reaches the program feeding a pipe too)
                // is seen before the commit: the restore is cancelled, not half-kept.
                try progress.step(elements, text.fractionRead)
            }
        }
        return summary
    }

    /// The keys each list's elements have had in every backup pipeline wrote: the writer's
    /// above, in its order (older versions wrote some of them; none wrote any other).
    static let elementKeys: [String: [String]] = [
        "preferences": ["user", "key", "value"],
        "teams": ["id", "name", "created_at", "version"],
        "stages": ["id", "name", "sort_order", "probability", "auto_probability", "requirements", "folded", "outcome", "team_id",
                   "version", "external_id", "rotting_days"],
        "records": ["id", "type", "title", "customer", "contact", "email", "phone", "expected_revenue", "currency", "probability",
                    "probability_set_by_hand", "salesperson", "team_id", "stage_id", "rank", "priority", "tags", "expected_closing",
                    "notes", "created_at", "updated_at", "stage_changed_at", "converted_at", "active", "lost_reason", "version",
                    "external_id"],
        "stage_history": ["id", "opportunity_id", "from_stage_id", "to_stage_id", "from_stage_name", "to_stage_name", "at", "by",
                          "event", "probability", "amount", "currency", "reason", "stage_outcome"],
        "activity_types": ["id", "name", "next_type_id", "next_delay_days", "sort_order", "version"],
        "activities": ["id", "record_id", "type_id", "summary", "due", "time", "assigned_to", "notes", "done_at", "done_by",
                       "feedback", "created_at", "created_by", "updated_at", "version"],
        "notes": ["id", "record_id", "text", "author", "at"],
    ]
    static let elementKeySets = elementKeys.mapValues(Set.init)
    /// The names a backup's object has: its lists, and the three before them.
    static let topLevelNames: Set<String> = Set(elementKeys.keys).union(["format", "version", "settings"])

    /// Refuses a key given twice in one element (the last value was taken) and a key no
    /// backup has (its value was dropped): either would restore other than what the file says.
    /// An element as the writer writes it is checked by comparing its keys in order.
    static func checkKeys(_ element: Element) throws {
        let members = element.object.members
        let order = elementKeys[element.section]
        if let order, members.count == order.count, zip(members, order).allSatisfy({ $0.0.key == $0.1 }) { return }
        var seen = Set<String>()
        for member in members {
            guard seen.insert(member.key).inserted else {
                throw BackupFault("backup.duplicateKey", shown(member.key), path: element.path(shown(member.key)))
            }
            // The settings' names are the decoder's to judge (`backup.unknownSetting`).
            if order != nil, elementKeySets[element.section]?.contains(member.key) != true {
                throw BackupFault("backup.unknownKey", shown(member.key), element.section, path: element.path(shown(member.key)))
            }
        }
    }

    /// Refuses a list or name a backup never has, or one given twice.
    static func checkName(_ name: String, seen: inout Set<String>, line: Int?) throws {
        guard topLevelNames.contains(name) else {
            throw PipelineError.backupInconsistent(BackupFault("backup.unknownSection", shown(name), line: line))
        }
        guard seen.insert(name).inserted else {
            throw PipelineError.backupInconsistent(BackupFault("backup.duplicateSection", shown(name), line: line))
        }
    }

    /// One object of a backup: the settings, or an element of a list.
    struct Element {
        var section: String
        /// The element's place in its list (nil for the settings object).
        var index: Int?
        /// The physical line it is on, when the backup has one record a line.
        var line: Int?
        var object: JSONObject

        /// `records[2].notes`, `settings.language`.
        func path(_ key: String) -> String {
            index.map { "\(section)[\($0)].\(key)" } ?? "\(section).\(key)"
        }
    }

    /// Calls `body` for the settings object and each element of each list. Lines are kept
    /// as bytes and handed to the JSON parser as they are: a record with a 20 MB note is
    /// copied as few times as can be.
    static func read(_ text: TextStream, _ body: (Element) throws -> Void) throws {
        var lines = LineReader(text: text, limit: lineLimit)
        let first = try lines.next()
        // A backup is a JSON object: a file starting otherwise (a CSV given --format json) is
        // said to be what it looks like, before anything more of it is read.
        if let first, let start = trimmed(first).first, start != UInt8(ascii: "{") { throw notJSON(firstLine: first) }
        let second = first.map { trimmed($0).elementsEqual("{".utf8) } == true ? try lines.next() : nil
        guard first != nil, let second, second.range(of: Data("\"\(format)\"".utf8)) != nil else {
            // Another layout of the same JSON: read whole, within the same limit.
            var head = Data()
            for line in [first, second].compactMap({ $0 }) { head += line + [UInt8(ascii: "\n")] }
            try readWhole(head + lines.rest(), body)
            return
        }
        var section: String?
        var index = 0
        var number = 2
        // Whether the last line that was not blank closed the backup's object: a file cut
        // short (a copy interrupted, a disk full) ends elsewhere, and is refused whole
        // rather than restored in part.
        var closed = false
        // The version comes before anything of the backup is read (every version wrote it
        // third): a backup without one is refused at its first line of data.
        var versionRead = false
        var names: Set<String> = ["format"]  // its line was read above
        func requireVersion(_ line: Int) throws {
            if !versionRead { throw PipelineError.backupInconsistent(BackupFault("backup.versionMissing", line: line)) }
        }
        // A line that is not one whole JSON object: the last of a file cut short, or one with
        // a syntax error, said with its column and what is wrong (a re-indented backup's
        // values span lines: its lines end early, which the sentence says).
        func object(_ json: Data, line: Int, in raw: Data) throws -> JSONObject {
            let failure: JSONLineParser.Failure
            do {
                guard case .object(let object) = try JSONLineParser.parse(json) else {
                    throw PipelineError.backupInconsistent(BackupFault("backup.notAnObject", line: line))
                }
                return object
            } catch let error as JSONLineParser.Failure {
                failure = error
            }
            if failure.reason == .endsEarly || failure.reason == .stringNotClosed {
                var rest: Data?
                repeat { rest = try lines.next() } while rest.map { trimmed($0).isEmpty } == true
                if rest == nil { throw PipelineError.backupInconsistent(BackupFault("backup.lineCutShort", line: line)) }
            }
            let column = characters(raw[raw.startIndex..<(json.startIndex + failure.offset)]) + 1
            throw PipelineError.backupInconsistent(syntaxFault(failure.reason, line: line, column: column))
        }
        while let raw = try lines.next() {
            number += 1
            let line = trimmed(raw)
            if line.isEmpty { continue }
            // Text after the closing brace was called "cut short" (hostile trial): said as it is.
            if closed { throw PipelineError.backupInconsistent(BackupFault("backup.textAfterEnd", line: number)) }
            if line.elementsEqual("}".utf8) { closed = section == nil; continue }
            closed = false
            if line.starts(with: "\"settings\":".utf8) {
                try requireVersion(number)
                try checkName("settings", seen: &names, line: number)
                let json = trimmed(line.dropFirst("\"settings\":".utf8.count), also: UInt8(ascii: ","))
                try body(Element(section: "settings", index: nil, line: number, object: try object(json, line: number, in: raw)))
            } else if line.starts(with: "\"version\":".utf8) {
                try checkName("version", seen: &names, line: number)
                let value = trimmed(line.dropFirst("\"version\":".utf8.count), also: UInt8(ascii: ","))
                guard let node = try? JSONLineParser.parse(value) else {
                    throw PipelineError.backupInconsistent(BackupFault("backup.versionNotWhole", shown(String(decoding: value, as: UTF8.self)),
                                                                       line: number))
                }
                try checkVersion(node, line: number)
                versionRead = true
            } else if line.starts(with: "\"format\":".utf8) {
                try checkName("format", seen: &names, line: number)
                continue
            } else if line.last == UInt8(ascii: "["), let quote = line.dropFirst().firstIndex(of: UInt8(ascii: "\"")) {
                try requireVersion(number)
                let name = String(decoding: line[line.index(after: line.startIndex)..<quote], as: UTF8.self)
                try checkName(name, seen: &names, line: number)
                section = name
                index = 0
            } else if line.elementsEqual("]".utf8) || line.elementsEqual("],".utf8) || line.hasSuffix("[]") || line.hasSuffix("[],") {
                // An empty list is named too: one no backup has would hide a misspelt list.
                if line.first == UInt8(ascii: "\""), let quote = line.dropFirst().firstIndex(of: UInt8(ascii: "\"")) {
                    try checkName(String(decoding: line[line.index(after: line.startIndex)..<quote], as: UTF8.self), seen: &names, line: number)
                }
                section = nil
            } else if let section {
                let json = line.last == UInt8(ascii: ",") ? line.dropLast() : line
                try body(Element(section: section, index: index, line: number, object: try object(json, line: number, in: raw)))
                index += 1
            } else {
                // A line in no list (its list's opening line deleted) was skipped without a
                // word, and what it held was lost (hostile trial).
                throw PipelineError.backupInconsistent(BackupFault("backup.lineOutsideLists", line: number))
            }
        }
        if let problem = text.problem { throw problem }
        guard closed else { throw PipelineError.backupInconsistent(BackupFault("backup.cutShort", line: number)) }
        try requireVersion(number)
    }

    /// Without the spaces, tabs and carriage returns at either end (and `extra`), sharing
    /// the bytes.
    static func trimmed(_ line: Data, also extra: UInt8? = nil) -> Data {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == extra }
        guard let first = line.firstIndex(where: { !isBlank($0) }), let last = line.lastIndex(where: { !isBlank($0) }) else { return Data() }
        return line[first...last]
    }

    /// A backup in a format version this pipeline cannot read is refused before anything of
    /// it is read, in the sentence true of its version: a newer pipeline's (its fields may
    /// mean what this version cannot know), an older one no longer read, zero, below zero,
    /// not a whole number, or none at all.
    static func checkVersion(_ value: JSONNode?, line: Int?) throws {
        if let fault = versionFault(value, readable: readableVersions) {
            throw PipelineError.backupInconsistent(BackupFault(fault.key, arguments: fault.arguments, line: line))
        }
    }

    /// What is wrong with a backup's `version` (nil: it is one of `readable`).
    static func versionFault(_ value: JSONNode?, readable: ClosedRange<Int64>) -> (key: String, arguments: [String])? {
        guard let value else { return ("backup.versionMissing", []) }
        let text: String
        switch value {
        case .number(let number): text = number
        case .foundationNumber(let number): text = number.stringValue
        case .string(let string): return ("backup.versionNotWhole", [shown("\"" + string + "\"")])
        case .bool(let flag): return ("backup.versionNotWhole", [flag ? "true" : "false"])
        case .null: return ("backup.versionNotWhole", ["null"])
        case .array: return ("backup.versionNotWhole", ["[…]"])
        case .object: return ("backup.versionNotWhole", ["{…}"])
        }
        // A whole number as JSON writes it: digits, perhaps after a minus (`2.0` and `2e0` are not).
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return ("backup.versionNotWhole", [shown(text)])
        }
        let range = [String(readable.lowerBound), String(readable.upperBound)]
        if digits.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) { return ("backup.versionZero", range) }
        if text.hasPrefix("-") { return ("backup.versionNegative", [shown(text)] + range) }
        // Past 18 digits it is larger than any version, and newer.
        guard let number = Int64(digits), digits.count <= 18 else { return ("backup.newerVersion", [shown(text), range[1]]) }
        if number > readable.upperBound { return ("backup.newerVersion", [text, range[1]]) }
        if number < readable.lowerBound { return ("backup.olderVersion", [text] + range) }
        return nil
    }

    /// A value of the file as a message may show it: printable ASCII, at most 20 characters.
    static func shown(_ text: String) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
        guard printable else { return "?" }
        return text.count > 20 ? String(text.prefix(20)) + "…" : text
    }

    /// How many characters (Unicode scalars) `bytes` of UTF-8 hold: a column as a user counts it.
    static func characters(_ bytes: Data) -> Int {
        bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    /// A JSON syntax error as one sentence with its line and column, in the few plain
    /// reasons `JSONLineParser.Reason` names.
    static func syntaxFault(_ reason: JSONLineParser.Reason, line: Int?, column: Int?) -> BackupFault {
        let key: String
        var arguments: [String] = []
        switch reason {
        case .endsEarly: key = "json.endsEarly"
        case .stringNotClosed: key = "json.stringNotClosed"
        case .commaMissing(let closing): key = "json.commaMissing"; arguments = [String(closing)]
        case .commaExtra: key = "json.commaExtra"
        case .valueMissing: key = "json.valueMissing"
        case .keyExpected: key = "json.keyExpected"
        case .colonMissing: key = "json.colonMissing"
        case .notAValue(let word): key = "json.notAValue"; arguments = [word]
        case .controlCharacter: key = "json.controlCharacter"
        case .badEscape: key = "json.badEscape"
        case .tooDeep: key = "json.tooDeep"; arguments = [String(JSONLineParser.depthLimit)]
        case .notUTF8: key = "json.notUTF8"
        case .numberTooLarge: key = "json.numberTooLarge"
        case .bracketExtra: key = "json.bracketExtra"
        case .textAfterValue: key = "json.textAfterValue"
        }
        return BackupFault(key, arguments: arguments, line: line, column: column)
    }

    /// The refusal of a file whose first character that is not blank is not `{`: one whose
    /// first line is a CSV file's column names (a comma, and a column an import knows) is
    /// pointed to `--format csv`.
    static func notJSON(firstLine: Data) -> PipelineError {
        let headers = String(decoding: firstLine, as: UTF8.self).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        }
        let known = headers.count > 1 && headers.contains { header in
            OdooColumns.match(header, in: OdooColumns.records) != nil || OdooColumns.match(header, in: OdooColumns.stages) != nil
                || OdooColumns.knownButUnmapped.contains(header)
        }
        return .backupInconsistent(BackupFault(known ? "backup.looksLikeCSV" : "backup.notJSON"))
    }

    /// The first key given twice in one object of `node`, with where it is (`records[2].title`;
    /// empty for the backup's own object).
    static func firstRepeatedKey(_ node: JSONNode, path: String) -> (String, String)? {
        switch node {
        case .object(let object):
            var seen = Set<String>()
            for member in object.members {
                let place = path.isEmpty ? shown(member.key) : path + "." + shown(member.key)
                if !seen.insert(member.key).inserted { return (member.key, path.isEmpty ? "" : place) }
                if let found = firstRepeatedKey(member.value, path: place) { return found }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = firstRepeatedKey(item, path: "\(path)[\(index)]") { return found }
            }
        default: break
        }
        return nil
    }

    /// Another layout of the same JSON, held whole.
    static func readWhole(_ data: Data, _ body: (Element) throws -> Void) throws {
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        if let start = data.first(where: { !blank.contains($0) }), start != UInt8(ascii: "{") {
            let from = data.firstIndex(of: start)!
            throw notJSON(firstLine: data[from...].prefix { $0 != 0x0A })
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: data) else {
            // Foundation says nothing usable of where: our parser finds the place and the reason.
            do {
                _ = try JSONLineParser.parse(data)
            } catch {
                let before = data[data.startIndex..<(data.startIndex + error.offset)]
                let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex
                let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw PipelineError.backupInconsistent(syntaxFault(error.reason, line: line, column: characters(data[lineStart..<before.endIndex]) + 1))
            }
            throw PipelineError.backupInconsistent(BackupFault("backup.notABackup"))
        }
        guard let root = parsed as? [String: Any], root["format"] as? String == format else {
            throw PipelineError.backupInconsistent(BackupFault("backup.notABackup"))
        }
        // Foundation keeps the last of a repeated key without a word: ours keeps them all.
        if let node = try? JSONLineParser.parse(data), let (key, path) = firstRepeatedKey(node, path: "") {
            throw PipelineError.backupInconsistent(path.isEmpty ? BackupFault("backup.duplicateSection", shown(key))
                                                                : BackupFault("backup.duplicateKey", shown(key), path: path))
        }
        var names: Set<String> = []
        for name in root.keys.sorted() { try checkName(name, seen: &names, line: nil) }
        try checkVersion(root["version"].map(JSONNode.init(foundation:)), line: nil)
        if let settings = root["settings"] as? [String: Any] {
            try body(Element(section: "settings", index: nil, line: nil, object: JSONObject(foundation: settings)))
        }
        for section in ["preferences", "teams", "stages", "activity_types", "records", "stage_history", "activities", "notes"] {
            for (index, element) in ((root[section] as? [[String: Any]]) ?? []).enumerated() {
                try body(Element(section: section, index: index, line: nil, object: JSONObject(foundation: element)))
            }
        }
    }
}

/// Reads the elements of a backup as the command line reads typed values: through the same
/// validation (`OpportunityForm`, `StageCatalog.applying`, `TextInput`, `SettingKey`), so
/// that nothing a user could not type can be restored. What it refuses comes out as a
/// `BackupFault` naming the place in the file.
struct BackupDecoder {
    /// The latest time, in milliseconds since 1970, a backup's times may hold (see
    /// `IntegrityClock`).
    var latestTime: Int64 = .max
    private var teams: [Team] = []
    private var teamIDs = Set<Team.ID>()
    private var stages: [Stage] = []
    /// What the database keeps unique, checked here so that a backup breaking it is refused
    /// with its line and place, not by the database's own words (both engines alike).
    private var stageIDs: [Stage.ID: Stage] = [:]
    private var stageExternalIDs = Set<String>()
    private var recordIDs = IDSet()
    private var historyIDs = IDSet()
    /// Whether the records' list has begun (until then nothing can be said to be missing).
    private var readRecords = false
    private var recordExternalIDs = Set<String>()
    private var activityTypes: [ActivityType] = []

    // MARK: Elements

    mutating func setting(_ key: String, _ value: JSONNode, at element: JSONBackup.Element) throws -> (SettingKey, String) {
        let path = element.path(key)
        guard let setting = SettingKey(rawValue: key) else {
            throw BackupFault("backup.unknownSetting", key, path: path)
        }
        guard let text = value.string else { throw BackupFault("backup.notText", key, path: path) }
        return (setting, try Self.settingValue(setting, text, path: path))
    }

    /// One user's own value of a personal setting: the user's name as the stage history's
    /// are checked, the key one of the personal ones, the value as `settings set` takes it.
    func preference(_ element: JSONBackup.Element) throws -> Preference {
        let object = element.object
        let user = try validated(element, "user") { try TextInput.singleLine(try string(object, "user", element), field: .salesperson) }
        let name = try string(object, "key", element)
        guard let key = SettingKey(rawValue: name) else { throw BackupFault("backup.unknownSetting", name, path: element.path("key")) }
        guard key.isPersonal else { throw BackupFault("backup.notPersonal", name, path: element.path("key")) }
        return Preference(user: user, key: key, value: try Self.settingValue(key, try string(object, "value", element), path: element.path("value")))
    }

    /// A setting's value as `settings set` takes it, normalised; the team by id, which must be
    /// a team of the backup (checked at its end).
    static func settingValue(_ setting: SettingKey, _ text: String, path: String) throws -> String {
        do {
            // A default currency is restored as the database held it, as its records' codes are.
            let normalized = setting == .currency ? try CurrencyCode(restoring: text).code : try setting.normalized(text)
            if setting == .team, Int64(normalized) == nil {
                throw PipelineError.invalidSetting(key: setting.rawValue, value: text, expected: setting.expectedValues)
            }
            return normalized
        } catch let error as PipelineError {
            throw fault(error, path: path)
        }
    }

    mutating func team(_ element: JSONBackup.Element) throws -> BackupTeam {
        let object = element.object
        let name = try validated(element, "name") { try TextInput.requiredName(try string(object, "name", element), field: .teamName) }
        if teams.contains(where: { TextInput.nameKey($0.name) == TextInput.nameKey(name) }) {
            throw Self.fault(.duplicateTeamName(name), path: element.path("name"))
        }
        let team = Team(id: Team.ID(try identifier(object, element)), name: name, version: Int(try integer(object, "version", element)))
        if teams.contains(where: { $0.id == team.id }) {
            throw BackupFault("backup.duplicateID", String(team.id.rawValue), path: element.path("id"))
        }
        teams.append(team)
        teamIDs.insert(team.id)
        return BackupTeam(team: team, createdAt: try timestamp(object, "created_at", element))
    }

    mutating func stage(_ element: JSONBackup.Element) throws -> (Stage, String?) {
        let object = element.object
        let outcomeText = try string(object, "outcome", element)
        guard let outcome = StageOutcome(rawValue: outcomeText) else {
            throw BackupFault("backup.badOutcome", outcomeText, path: element.path("outcome"))
        }
        let team = try optionalInteger(object, "team_id", element).map { Team.ID($0) }
        if let team { try requireTeam(team, element, "team_id") }
        let probability = try validated(element, "probability") { try Probability(parsing: try string(object, "probability", element)) }
        // The stage as `stage add` then `stage edit` would make it, in the pipelines restored so far.
        let blank = Stage(id: Stage.ID(try identifier(object, element)), name: "", sortOrder: Int(try integer(object, "sort_order", element)),
                          probability: .zero, version: Int(try integer(object, "version", element)))
        let edit = StageEdit(name: try string(object, "name", element), probability: probability,
                             requirements: try string(object, "requirements", element), isFolded: try boolean(object, "folded", element),
                             outcome: outcome, changesProbabilityAutomatically: try boolean(object, "auto_probability", element),
                             scope: team.map { .team($0) } ?? .shared,
                             rottingDays: .some(try optionalInteger(object, "rotting_days", element).map { Int(clamping: $0) }))
        let catalog = StageCatalog(teams: teams, stages: stages)
        let stage = try Self.checked(Result { () throws(PipelineError) in try catalog.applying(edit, to: blank, occupyingTeams: []) },
                                     element, Self.stageKeys, default: "name")
        guard stageIDs.updateValue(stage, forKey: stage.id) == nil else {
            throw BackupFault("backup.duplicateID", String(stage.id.rawValue), path: element.path("id"))
        }
        let external = try externalID(element)
        if let external, !stageExternalIDs.insert(external).inserted {
            throw BackupFault("backup.duplicateExternalID", external, path: element.path("external_id"))
        }
        stages.append(stage)
        return (stage, external)
    }

    mutating func record(_ element: JSONBackup.Element) throws -> (Opportunity, String?) {
        let (record, external) = try decodedRecord(element)
        readRecords = true
        guard recordIDs.insert(record.id.rawValue) else {
            throw BackupFault("backup.duplicateID", String(record.id.rawValue), path: element.path("id"))
        }
        if let external, !recordExternalIDs.insert(external).inserted {
            throw BackupFault("backup.duplicateExternalID", external, path: element.path("external_id"))
        }
        try requireTeam(record.team, element, "team_id")
        if let id = record.stage {
            // Teams and stages come before records in a backup; a record naming one the backup
            // lacks is said here, with its line, not by the database's foreign key after the fact.
            guard let stage = stageIDs[id] else {
                throw BackupFault("backup.missingStage", String(id.rawValue), path: element.path("stage_id"))
            }
            if case .team(let owner) = stage.scope, owner != record.team {
                throw BackupFault("backup.stageOfAnotherTeam", String(id.rawValue), String(owner.rawValue), path: element.path("stage_id"))
            }
            // What the program writes, and `opp edit --probability` keeps to: an active deal
            // in a won stage is at 100 %, in a lost one at 0 % (an archived one keeps what it
            // was archived with, even if its stage became won or lost since).
            if record.isActive, let forced = stage.outcome.forcedProbability, record.probability != forced {
                throw Self.fault(.probabilityFixedByOutcome(stage: stage.name, outcome: stage.outcome), path: element.path("probability"))
            }
        }
        return (record, external)
    }

    private func decodedRecord(_ element: JSONBackup.Element) throws -> (Opportunity, String?) {
        let object = element.object
        guard let kind = RecordKind(rawValue: try string(object, "type", element)) else {
            throw BackupFault("backup.badType", path: element.path("type"))
        }
        let tagValues: [JSONNode]
        if case .array(let items)? = object["tags"] { tagValues = items } else { tagValues = [] }
        let tags = try tagValues.enumerated().map { index, tag -> String in
            guard let tag = tag.string else { throw BackupFault("backup.badTags", path: element.path("tags[\(index)]")) }
            return tag
        }
        // What `opp add` or `lead add` would take, typed.
        let form = OpportunityForm(
            title: try string(object, "title", element), customer: try string(object, "customer", element),
            contact: try string(object, "contact", element), email: try string(object, "email", element),
            phone: try string(object, "phone", element),
            probability: try optionalString(object, "probability", element), salesperson: try string(object, "salesperson", element),
            expectedClosing: try optionalString(object, "expected_closing", element) ?? "",
            priority: String(try integer(object, "priority", element)), tags: tags, notes: try string(object, "notes", element))
        let changes = try Self.checked(Result { () throws(PipelineError) in try form.validated(language: .english, currency: .usd) },
                                       element, Self.recordKeys, default: "title")
        // A backup holds what a database held: a code ISO 4217 no longer lists (HRK) is
        // restored as it was; three letters it never listed ("ZZZ", which an older version
        // let through) are refused, with the line, as `opp add` refuses them.
        let currencyText = try string(object, "currency", element)
        let currency = try Self.checked(Result { () throws(PipelineError) in try CurrencyCode(restoring: currencyText) },
                                        element, Self.recordKeys, default: "currency")
        let revenue = try validated(element, "expected_revenue") { try Money(plain: try string(object, "expected_revenue", element), currency: currency) }
        let stage = try optionalInteger(object, "stage_id", element).map { Stage.ID($0) }
        if kind == .lead, stage != nil { throw BackupFault("backup.leadWithStage", path: element.path("stage_id")) }
        if kind == .lead, changes.probability != nil { throw Self.fault(.leadHasNoProbability, path: element.path("probability")) }
        if kind == .opportunity, stage == nil { throw BackupFault("backup.opportunityWithoutStage", path: element.path("stage_id")) }
        let lostReason = try validated(element, "lost_reason") {
            try optionalString(object, "lost_reason", element).map { text throws(PipelineError) in try TextInput.requiredName(text, field: .lostReason) }
        }
        let record = Opportunity(
            id: Opportunity.ID(try identifier(object, element)), kind: kind, title: changes.title ?? "",
            customer: Customer(name: changes.customerName ?? "", contactName: changes.contactName ?? "", email: changes.email ?? "",
                               phone: changes.phone ?? ""),
            expectedRevenue: revenue, probability: changes.probability,
            probabilitySetByHand: try boolean(object, "probability_set_by_hand", element),
            salesperson: changes.salesperson ?? "", team: Team.ID(try integer(object, "team_id", element)),
            stage: stage, rank: try rank(object, element), priority: changes.priority ?? .normal, tags: changes.tags ?? [],
            expectedClosing: changes.expectedClosing ?? nil, notes: changes.notes ?? "",
            createdAt: try timestamp(object, "created_at", element), updatedAt: try timestamp(object, "updated_at", element),
            stageChangedAt: try timestamp(object, "stage_changed_at", element), isActive: try boolean(object, "active", element),
            lostReason: lostReason, convertedAt: try optionalTimestamp(object, "converted_at", element),
            version: Int(try integer(object, "version", element)))
        return (record, try externalID(element))
    }

    /// The id of the record a history line, an activity or a note belongs to, which the
    /// backup's records must hold: said here with the line and the id, rather than by the
    /// database's foreign key after the fact (records come before them in a backup).
    private func requireTeam(_ team: Team.ID, _ element: JSONBackup.Element, _ key: String) throws {
        guard teamIDs.contains(team) else { throw BackupFault("backup.missingTeam", String(team.rawValue), path: element.path(key)) }
    }

    /// A stage a history line names, which the backup's stages must hold (they come first).
    private func referencedStage(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Stage.ID? {
        guard let id = try optionalInteger(object, key, element).map({ Stage.ID($0) }) else { return nil }
        guard stageIDs[id] != nil else { throw BackupFault("backup.missingStage", String(id.rawValue), path: element.path(key)) }
        return id
    }

    private func referencedRecord(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Opportunity.ID {
        let id = try integer(object, key, element)
        if recordIDs.contains(id) || !readRecords { return Opportunity.ID(id) }
        throw BackupFault("backup.missingRecord", String(id), path: element.path(key))
    }

    mutating func history(_ element: JSONBackup.Element) throws -> BackupHistoryEntry {
        let object = element.object
        let id = try identifier(object, element)
        // Said with its line, as for records, rather than by the database's unique key.
        guard historyIDs.insert(id) else { throw BackupFault("backup.duplicateID", String(id), path: element.path("id")) }
        func name(_ key: String) throws -> String? {
            try validated(element, key) {
                try optionalString(object, key, element).map { text throws(PipelineError) in try TextInput.singleLine(text, field: .stageName) }
            }
        }
        return BackupHistoryEntry(
            id: id, opportunity: try referencedRecord(object, "opportunity_id", element),
            from: try referencedStage(object, "from_stage_id", element), to: try referencedStage(object, "to_stage_id", element),
            fromName: try name("from_stage_name"), toName: try name("to_stage_name"),
            at: try timestamp(object, "at", element),
            by: try validated(element, "by") { try TextInput.singleLine(try string(object, "by", element), field: .salesperson) },
            event: try historyEvent(object, element), probability: try validated(element, "probability") {
                try optionalString(object, "probability", element).map { text throws(PipelineError) in try Probability(parsing: text) }
            },
            amount: try historyAmount(object, element),
            reason: try validated(element, "reason") {
                try optionalString(object, "reason", element).map { text throws(PipelineError) in try TextInput.requiredName(text, field: .lostReason) }
            },
            stageOutcome: try historyStageOutcome(object, element))
    }

    /// The outcome the line's stage had (schema 9); a backup written before has none (`nil`:
    /// not recorded, read with the stage's outcome now).
    private func historyStageOutcome(_ object: JSONObject, _ element: JSONBackup.Element) throws -> StageOutcome? {
        guard let text = try optionalString(object, "stage_outcome", element) else { return nil }
        guard let outcome = StageOutcome(rawValue: text) else { throw BackupFault("backup.badStageOutcome", text, path: element.path("stage_outcome")) }
        return outcome
    }

    /// A line's event; a line of a version 1 backup has none (`nil`: decided by its stages).
    private func historyEvent(_ object: JSONObject, _ element: JSONBackup.Element) throws -> HistoryEvent? {
        guard let text = try optionalString(object, "event", element) else { return nil }
        guard let event = HistoryEvent(rawValue: text) else { throw BackupFault("backup.badEvent", text, path: element.path("event")) }
        return event
    }

    private func historyAmount(_ object: JSONObject, _ element: JSONBackup.Element) throws -> Money? {
        guard let plain = try optionalString(object, "amount", element) else { return nil }
        let code = try string(object, "currency", element)
        let currency = try validated(element, "currency") { try CurrencyCode(restoring: code) }
        return try validated(element, "amount") { try Money(plain: plain, currency: currency) }
    }

    mutating func activityType(_ element: JSONBackup.Element) throws -> ActivityType {
        let object = element.object
        let name = try validated(element, "name") { try TextInput.requiredName(try string(object, "name", element), field: .activityTypeName) }
        let delay = try integer(object, "next_delay_days", element)
        guard ActivityType.nextDelayRange.contains(Int(clamping: delay)) else {
            throw Self.fault(.invalidNextDelay(String(delay)), path: element.path("next_delay_days"))
        }
        let type = ActivityType(id: ActivityType.ID(try identifier(object, element)), name: name,
                                nextType: try optionalInteger(object, "next_type_id", element).map { ActivityType.ID($0) },
                                nextDelayDays: Int(delay), sortOrder: Int(clamping: try integer(object, "sort_order", element)),
                                version: Int(clamping: try integer(object, "version", element)))
        if activityTypes.contains(where: { TextInput.nameKey($0.name) == TextInput.nameKey(name) }) {
            throw Self.fault(.duplicateActivityTypeName(name), path: element.path("name"))
        }
        if activityTypes.contains(where: { $0.id == type.id }) {
            throw BackupFault("backup.duplicateID", String(type.id.rawValue), path: element.path("id"))
        }
        activityTypes.append(type)
        return type
    }

    /// An activity as `activity add` then `activity done` would make it.
    func activity(_ element: JSONBackup.Element) throws -> Activity {
        let object = element.object
        let form = ActivityForm(summary: try string(object, "summary", element), due: try string(object, "due", element),
                                time: try optionalString(object, "time", element) ?? "", assignedTo: try string(object, "assigned_to", element),
                                notes: try string(object, "notes", element))
        let changes = try Self.checked(Result { () throws(PipelineError) in try form.validated(language: .english, types: []) },
                                       element, Self.activityKeys, default: "summary")
        let doneAt = try optionalTimestamp(object, "done_at", element)
        let completion = try doneAt.map { at in
            ActivityCompletion(at: at, by: try validated(element, "done_by") {
                try TextInput.singleLine(try string(object, "done_by", element), field: .salesperson)
            }, feedback: try validated(element, "feedback") {
                try TextInput.multiLine(try optionalString(object, "feedback", element) ?? "", field: .feedback)
            })
        }
        return Activity(id: Activity.ID(try identifier(object, element)), record: try referencedRecord(object, "record_id", element),
                        type: ActivityType.ID(try integer(object, "type_id", element)), summary: changes.summary ?? "",
                        due: changes.due ?? CalendarDate(daysSince1970: 0), time: changes.time ?? nil, assignedTo: changes.assignedTo ?? "",
                        notes: changes.notes ?? "", completion: completion, createdAt: try timestamp(object, "created_at", element),
                        createdBy: try validated(element, "created_by") {
                            try TextInput.singleLine(try string(object, "created_by", element), field: .salesperson)
                        },
                        updatedAt: try timestamp(object, "updated_at", element), version: Int(clamping: try integer(object, "version", element)))
    }

    func note(_ element: JSONBackup.Element) throws -> DealNote {
        let object = element.object
        return DealNote(id: DealNote.ID(try identifier(object, element)), record: try referencedRecord(object, "record_id", element),
                        text: try validated(element, "text") { try DealNote.validText(try string(object, "text", element)) },
                        author: try validated(element, "author") { try TextInput.singleLine(try string(object, "author", element), field: .salesperson) },
                        at: try timestamp(object, "at", element))
    }

    static let activityKeys: [Field: String] = [.summary: "summary", .dueDate: "due", .time: "time", .assignedTo: "assigned_to",
                                                .activityNotes: "notes"]

    // MARK: Values

    /// Where a domain error about a field points in a record and in a stage.
    static let recordKeys: [Field: String] = [
        .title: "title", .customer: "customer", .contact: "contact", .email: "email", .phone: "phone", .currency: "currency",
        .probability: "probability", .salesperson: "salesperson", .closingDate: "expected_closing", .priority: "priority",
        .tag: "tags", .notes: "notes", .expectedRevenue: "expected_revenue",
    ]
    static let stageKeys: [Field: String] = [.stageName: "name", .probability: "probability", .requirements: "requirements",
                                             .rottingDays: "rotting_days"]

    /// The value, or its refusal named by the place in the file of the field it is about.
    static func checked<T>(_ result: Result<T, PipelineError>, _ element: JSONBackup.Element, _ keys: [Field: String],
                           default key: String) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw fault(error, path: element.path(error.field.flatMap { keys[$0] } ?? key))
        }
    }

    static func fault(_ error: PipelineError, path: String) -> BackupFault {
        BackupFault("backup.invalid", CSVImporter.withoutField(error, .english), path: path)
    }

    /// `body`'s value, a domain refusal of it named by `key`'s place in the file.
    func validated<T>(_ element: JSONBackup.Element, _ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineError { throw Self.fault(error, path: element.path(key)) }
    }

    func externalID(_ element: JSONBackup.Element) throws -> String? {
        try validated(element, "external_id") {
            try optionalString(element.object, "external_id", element).map { text throws(PipelineError) in try TextInput.externalID(text) }
        }
    }

    func string(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> String {
        guard let value = object[key]?.string else { throw BackupFault("backup.notText", key, path: element.path(key)) }
        return value
    }

    func optionalString(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> String? {
        if object[key] == nil || object[key] == .null { return nil }
        return try string(object, key, element)
    }

    func integer(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Int64 {
        guard let value = object[key]?.integer else {
            throw BackupFault("backup.notInteger", key, path: element.path(key))
        }
        return value
    }

    /// An element's own id: a whole number from 1, as every table's ids are. Record id 0 or
    /// -5 was restored before, and `check` then found the filter index (keyed by the id) "malformed"
    /// (hostile trial).
    func identifier(_ object: JSONObject, _ element: JSONBackup.Element) throws -> Int64 {
        let value = try integer(object, "id", element)
        guard value >= 1 else { throw BackupFault("backup.idBelowOne", String(value), path: element.path("id")) }
        return value
    }

    /// A card's rank, within the range the board's ordering keeps ranks in (one at the end
    /// of Int64 made a later move overflow).
    func rank(_ object: JSONObject, _ element: JSONBackup.Element) throws -> Int64 {
        let value = try integer(object, "rank", element)
        guard CardRank.range.contains(value) else { throw BackupFault("backup.rankOutOfRange", path: element.path("rank")) }
        return value
    }

    func optionalInteger(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Int64? {
        if object[key] == nil || object[key] == .null { return nil }
        return try integer(object, key, element)
    }

    func boolean(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Bool {
        guard let value = object[key]?.boolean else { throw BackupFault("backup.notBoolean", key, path: element.path(key)) }
        return value
    }

    func timestamp(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Timestamp {
        let text = try string(object, key, element)
        guard let value = Self.time(text) else {
            // The path names the field; the sentence quotes what it holds.
            throw BackupFault("backup.notTime", text, path: element.path(key))
        }
        // Every time a backup holds is of something that already happened.
        guard value.millisecondsSince1970 <= latestTime else { throw BackupFault("backup.futureTime", text, path: element.path(key)) }
        return value
    }

    /// `Timestamp(iso8601:)`, read straight from the bytes when the text has the one form a
    /// backup writes (`2026-12-07T01:50:42.211Z`); any other text goes through it as it is.
    /// A backup holds some six times a record, and the general reading (which splits the
    /// text as characters) was 7 % of a restore's time (issue 15).
    static func time(_ text: String) -> Timestamp? {
        var text = text
        let fast: Timestamp?? = text.withUTF8 { bytes -> Timestamp?? in
            guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
                  bytes[23] == UInt8(ascii: "Z") else { return nil }
            let number = bytes.asciiDecimal
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hours = number(11..<13),
                  let minutes = number(14..<16), let seconds = number(17..<19), let millis = number(20..<23) else { return nil }
            guard let date = CalendarDate(year: year, month: month, day: day), hours < 24, minutes < 60, seconds < 60 else {
                return .some(nil)
            }
            let dayMillis = Int64(date.daysSince1970) * 86_400_000
            return .some(Timestamp(millisecondsSince1970: dayMillis + Int64(hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + millis)))
        }
        return fast ?? Timestamp(iso8601: text)
    }

    func optionalTimestamp(_ object: JSONObject, _ key: String, _ element: JSONBackup.Element) throws -> Timestamp? {
        guard try optionalString(object, key, element) != nil else { return nil }
        return try timestamp(object, key, element)
    }
}

/// Lines of a text, read a block at a time. Linear in the text's size however long its
/// lines: the search for a line's end resumes where the last block's ended, and what was
/// handed out is dropped only once it is most of the buffer.
struct LineReader {
    let text: TextStream
    let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes after `start` known to hold no line feed.
    private var scanned = 0
    private var finished = false
    private var lines = 0
    /// Every byte looked at for a line feed, for the test that keeps this linear.
    private(set) var examined = 0

    init(text: TextStream, limit: Int) {
        self.text = text
        self.limit = limit
    }

    mutating func next() throws -> Data? {
        while true {
            let from = start + scanned
            if let newline = buffer[from...].firstIndex(of: UInt8(ascii: "\n")) {
                examined += newline - from + 1
                let line = Data(buffer[start..<newline])
                lines += 1
                start = newline + 1
                scanned = 0
                if start > buffer.count / 2 {
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
                return line
            }
            examined += buffer.count - from
            scanned = buffer.count - start
            if finished {
                guard start < buffer.count else { return nil }
                defer { buffer.removeAll(); start = 0; scanned = 0 }
                return Data(buffer[start...])
            }
            guard scanned <= limit else { throw tooLong() }
            if try !readBlock() { finished = true }
        }
    }

    /// Everything not read yet, within the limit.
    mutating func rest() throws -> Data {
        while try readBlock() {
            guard buffer.count - start <= limit else { throw tooLong() }
        }
        return Data(buffer[start...])
    }

    private func tooLong() -> TextProblem { TextProblem(kind: .tooLong(limit: limit), line: lines + 1, column: 1) }

    /// Appends the next block; false at the end. A problem of the bytes ends the text.
    private mutating func readBlock() throws -> Bool {
        let old = buffer.count, block = 1 << 16
        // Room for the longest line is reserved once: pages are only resident once written,
        // and the buffer is never copied into a twice larger one on the way (a copy that, for
        // an endless line, held two buffers at once and took the process past its memory bound).
        if buffer.capacity < limit + 2 * block { buffer.reserveCapacity(limit + 2 * block) }
        buffer.append(contentsOf: repeatElement(0, count: block))
        let count = buffer.withUnsafeMutableBufferPointer { text.read(into: $0.baseAddress! + old, count: block) }
        buffer.removeSubrange((old + count)...)
        if count == 0, let problem = text.problem { throw problem }
        return count > 0
    }
}

extension Data {
    func hasSuffix(_ text: String) -> Bool { count >= text.utf8.count && suffix(text.utf8.count).elementsEqual(text.utf8) }
}

