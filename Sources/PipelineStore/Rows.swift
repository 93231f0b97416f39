import GRDB
import PipelineCore
import PipelineStorage

/// Conversions between table rows and domain values. Kept beside the schema's column
/// names so that the two change together.
enum Rows {
    static let stageColumns = "id, name, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, version, rotting_days"

    /// A stage from a row selecting `stageColumns`, read by position (as opportunities are,
    /// see `OpportunityColumn`): the board reads the whole catalogue after every stage change.
    static func stage(_ row: Row) throws -> Stage {
        func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value { try row.checked(index, table: "stage") }
        let teamID: Int64? = try value(8)
        return Stage(
            id: Stage.ID(try value(0)), name: try value(1), sortOrder: try value(2),
            probability: Probability(basisPoints: try value(3)) ?? .zero,
            changesProbabilityAutomatically: try value(4),
            requirements: try value(5), isFolded: try value(6),
            outcome: StageOutcome(rawValue: try value(7)) ?? .open,
            scope: teamID.map { .team(Team.ID($0)) } ?? .shared,
            rottingDays: try value(10), version: try value(9))
    }

    /// A team from a row selecting `id, name, version` first.
    static func team(_ row: Row) throws -> Team {
        Team(id: Team.ID(try row.checked(0, table: "team")), name: try row.checked(1, table: "team"),
             version: try row.checked(2, table: "team"))
    }

    /// The columns `opportunity(_:)` reads, in the order every query selects them: rows are
    /// read by position, because looking a column up by name costs more than the rest of
    /// decoding a card (the board decodes a few dozen per key).
    enum OpportunityColumn: Int, CaseIterable {
        case id, type, title, customerName, contactName, email, phone, expectedRevenue, currency
        case probability, probabilityManual, salesperson, teamID, stageID, rank, priority, tags
        case expectedClosing, notes, createdAt, updatedAt, stageChangedAt, convertedAt, active, lostReason, version
        // The activity glance, kept beside the row (never written with it).
        case nextActivityDate, nextActivityTime, latestOpenDue

        /// `customerName` → `customer_name`, `teamID` → `team_id`.
        var sqlName: String {
            let camel = String(describing: self)
            var name = ""
            for character in camel.hasSuffix("ID") ? camel.dropLast(2) + "Id" : camel {
                if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
            }
            return name
        }
    }

    static let opportunityColumns = OpportunityColumn.allCases.map(\.sqlName).joined(separator: ", ")

    /// An opportunity from a row selecting `opportunityColumns`, from a GRDB row or straight
    /// from a statement (`StatementColumns`): one reading, whichever source.
    static func opportunity(_ row: some CheckedColumns) throws -> Opportunity {
        let table = "opportunity"
        func int64(_ column: OpportunityColumn) throws -> Int64 { try row.int64(column.rawValue, table: table) }
        func optionalInt64(_ column: OpportunityColumn) throws -> Int64? { try row.optionalInt64(column.rawValue, table: table) }
        func int(_ column: OpportunityColumn) throws -> Int { try row.int(column.rawValue, table: table) }
        func optionalInt(_ column: OpportunityColumn) throws -> Int? { try row.optionalInt(column.rawValue, table: table) }
        func bool(_ column: OpportunityColumn) throws -> Bool { try row.bool(column.rawValue, table: table) }
        func string(_ column: OpportunityColumn) throws -> String { try row.string(column.rawValue, table: table) }
        func optionalString(_ column: OpportunityColumn) throws -> String? { try row.optionalString(column.rawValue, table: table) }
        // Read in the order this function always read them: with two damaged columns, the
        // one named is the one it named before.
        let currencyCode = try string(.currency)
        let currency = currencyCode == "VND" ? .vnd : currencyCode == "USD" ? .usd : (try? CurrencyCode(stored: currencyCode)) ?? .usd
        let probability = try optionalInt(.probability)
        let stageID = try optionalInt64(.stageID)
        let closing = try optionalString(.expectedClosing)
        let tags = try string(.tags)
        let converted = try optionalInt64(.convertedAt)
        let nextDue = try optionalString(.nextActivityDate)
        let nextTime = try optionalInt(.nextActivityTime)
        let latestDue = try optionalString(.latestOpenDue)
        let id = try int64(.id)
        let type = try string(.type)
        let title = try string(.title)
        let customer = Customer(name: try string(.customerName), contactName: try string(.contactName),
                                email: try string(.email), phone: try string(.phone))
        let expectedRevenue = try int64(.expectedRevenue)
        let probabilitySetByHand = try bool(.probabilityManual)
        let salesperson = try string(.salesperson)
        let teamID = try int64(.teamID)
        let rank = try int64(.rank)
        let priority = try int(.priority)
        let notes = try string(.notes)
        let createdAt = try int64(.createdAt)
        let updatedAt = try int64(.updatedAt)
        let stageChangedAt = try int64(.stageChangedAt)
        let isActive = try bool(.active)
        let lostReason = try optionalString(.lostReason)
        let version = try int(.version)
        var record = Opportunity(
            id: Opportunity.ID(id), kind: RecordKind(rawValue: type) ?? .opportunity,
            title: title, customer: customer,
            expectedRevenue: Money(minorUnits: expectedRevenue, currency: currency) ?? .zero(currency),
            probability: probability.flatMap(Probability.init(basisPoints:)),
            probabilitySetByHand: probabilitySetByHand, salesperson: salesperson,
            team: Team.ID(teamID), stage: stageID.map(Stage.ID.init), rank: rank,
            priority: Priority(stars: priority) ?? .normal,
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            expectedClosing: closing.flatMap(CalendarDate.init(iso8601:)), notes: notes,
            createdAt: Timestamp(millisecondsSince1970: createdAt),
            updatedAt: Timestamp(millisecondsSince1970: updatedAt),
            stageChangedAt: Timestamp(millisecondsSince1970: stageChangedAt),
            isActive: isActive, lostReason: lostReason,
            convertedAt: converted.map(Timestamp.init(millisecondsSince1970:)), version: version)
        record.activityGlance = ActivityGlance(nextDue: nextDue.flatMap(CalendarDate.init(iso8601:)),
                                               nextTime: nextTime.flatMap(MinuteOfDay.init(minutes:)),
                                               latestOpenDue: latestDue.flatMap(CalendarDate.init(iso8601:)))
        return record
    }

    /// Column values of an opportunity, in `writableColumns` order, each handed to `body`
    /// with its column: the one list both the statements' columns and their values come from.
    /// Concrete values, not `any DatabaseValueConvertible`: an import writes a hundred
    /// thousand rows, and boxing and unboxing each value cost more than SQLite's insert.
    static func eachValue(of opportunity: Opportunity, _ body: (String, ColumnValue) throws -> Void) rethrows {
        try body("type", .text(opportunity.kind.rawValue))
        try body("title", .text(opportunity.title))
        try body("title_key", .text(TextInput.nameKey(opportunity.title)))
        try body("search_text", .text(opportunity.searchText))
        try body("email_key", .text(DuplicateRule.emailKey(opportunity.customer.email) ?? ""))
        try body("company_key", .text(DuplicateRule.nameKey(opportunity.customer.name) ?? ""))
        try body("contact_key", .text(DuplicateRule.nameKey(opportunity.customer.contactName) ?? ""))
        try body("customer_name", .text(opportunity.customer.name))
        try body("contact_name", .text(opportunity.customer.contactName))
        try body("email", .text(opportunity.customer.email))
        try body("phone", .text(opportunity.customer.phone))
        try body("expected_revenue", .integer(opportunity.expectedRevenue.minorUnits))
        try body("currency", .text(opportunity.expectedRevenue.currency.code))
        try body("probability", .integer(opportunity.probability?.basisPoints))
        try body("probability_manual", .integer(opportunity.probabilitySetByHand))
        try body("weighted_revenue", .integer(opportunity.kind == .opportunity ? opportunity.weightedRevenue.minorUnits : 0))
        try body("salesperson", .text(opportunity.salesperson))
        try body("team_id", .integer(opportunity.team.rawValue))
        try body("stage_id", .integer(opportunity.stage?.rawValue))
        try body("rank", .integer(opportunity.rank))
        try body("priority", .integer(opportunity.priority.stars))
        try body("tags", .text(opportunity.tags.joined(separator: ",")))
        try body("expected_closing", .text(opportunity.expectedClosing?.iso8601))
        try body("notes", .text(opportunity.notes))
        try body("created_at", .integer(opportunity.createdAt.millisecondsSince1970))
        try body("updated_at", .integer(opportunity.updatedAt.millisecondsSince1970))
        try body("stage_changed_at", .integer(opportunity.stageChangedAt.millisecondsSince1970))
        try body("active", .integer(opportunity.isActive))
        try body("lost_reason", .text(opportunity.lostReason))
        try body("converted_at", .integer(opportunity.convertedAt?.millisecondsSince1970))
    }

    /// `eachValue(of:)` as GRDB's values, with their columns.
    static func values(of opportunity: Opportunity) -> [(String, DatabaseValue)] {
        var values: [(String, DatabaseValue)] = []
        values.reserveCapacity(30)
        eachValue(of: opportunity) { values.append(($0, $1.databaseValue)) }
        return values
    }

    /// Binds `eachValue(of:)` to the statement's next parameters.
    static func bind(_ opportunity: Opportunity, to statement: inout BoundStatement) throws {
        try eachValue(of: opportunity) { try statement.bind($1) }
    }

    /// `values(of:)` followed by `extra`, as one statement's arguments.
    static func arguments(of opportunity: Opportunity, then extra: [DatabaseValue]) -> StatementArguments {
        StatementArguments(values(of: opportunity).map(\.1) + extra)
    }

    /// The columns `values(of:)` writes, in order (for statements compiled once).
    static let writableColumns: [String] = values(of: Opportunity(
        id: Opportunity.ID(0), title: "", expectedRevenue: .zero(.usd), probability: nil, team: Team.ID(0), stage: nil,
        createdAt: Timestamp(millisecondsSince1970: 0))).map(\.0)

    /// Inserts a record with its External ID; compiled once per connection (the triggers it
    /// fires make compiling it costly).
    static let insertSQL = "INSERT INTO opportunity (\(writableColumns.joined(separator: ", ")), external_id) VALUES (\(writableColumns.map { _ in "?" }.joined(separator: ", ")), ?)"

    /// Inserts a record exactly as a backup has it: id and version included.
    static let restoreSQL = "INSERT INTO opportunity (\(writableColumns.joined(separator: ", ")), external_id, id, version) VALUES (\(writableColumns.map { _ in "?" }.joined(separator: ", ")), ?, ?, ?)"

    static let updateSQL = "UPDATE opportunity SET \(writableColumns.map { "\($0) = ?" }.joined(separator: ", ")), version = version + 1 WHERE id = ? AND version = ?"

    static let activityColumns = "id, record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback, created_at, created_by, updated_at, version"

    /// An activity from a row selecting `activityColumns`.
    static func activity(_ row: some CheckedColumns) throws -> Activity {
        let table = "activity"
        let dueText = try row.string(4, table: table)
        guard let due = CalendarDate(iso8601: dueText) else {
            throw UnreadableValue(table: table, id: String(try row.int64(0, table: table)), column: "due")
        }
        let time = try row.optionalInt(5, table: table)
        let doneAt = try row.optionalInt64(8, table: table)
        let doneBy = try row.optionalString(9, table: table)
        let feedback = try row.optionalString(10, table: table)
        let id = try row.int64(0, table: table), record = try row.int64(1, table: table), type = try row.int64(2, table: table)
        let summary = try row.string(3, table: table), assignedTo = try row.string(6, table: table), notes = try row.string(7, table: table)
        let createdAt = try row.int64(11, table: table), createdBy = try row.string(12, table: table)
        let updatedAt = try row.int64(13, table: table), version = try row.int(14, table: table)
        return Activity(
            id: Activity.ID(id), record: Opportunity.ID(record), type: ActivityType.ID(type),
            summary: summary, due: due, time: time.flatMap(MinuteOfDay.init(minutes:)), assignedTo: assignedTo,
            notes: notes,
            completion: doneAt.map { ActivityCompletion(at: Timestamp(millisecondsSince1970: $0), by: doneBy ?? "", feedback: feedback ?? "") },
            createdAt: Timestamp(millisecondsSince1970: createdAt), createdBy: createdBy,
            updatedAt: Timestamp(millisecondsSince1970: updatedAt), version: version)
    }

    /// An activity's written columns (after `id`, before `version`), in `activityColumns` order.
    static func values(of activity: Activity) -> [DatabaseValue] {
        [activity.record.rawValue.databaseValue, activity.type.rawValue.databaseValue, activity.summary.databaseValue,
         activity.due.iso8601.databaseValue, (activity.time?.minutes).databaseValue, activity.assignedTo.databaseValue,
         activity.notes.databaseValue, (activity.completion?.at.millisecondsSince1970).databaseValue,
         (activity.completion?.by).databaseValue, (activity.completion?.feedback).databaseValue,
         activity.createdAt.millisecondsSince1970.databaseValue, activity.createdBy.databaseValue,
         activity.updatedAt.millisecondsSince1970.databaseValue]
    }

    static let activityTypeColumns = "id, name, next_type_id, next_delay_days, sort_order, version"

    static func activityType(_ row: Row) throws -> ActivityType {
        func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value { try row.checked(index, table: "activity_type") }
        let next: Int64? = try value(2)
        return ActivityType(id: ActivityType.ID(try value(0)), name: try value(1), nextType: next.map(ActivityType.ID.init),
                            nextDelayDays: try value(3), sortOrder: try value(4), version: try value(5))
    }

    static let noteColumns = "id, record_id, text, author, created_at"

    static func note(_ row: some CheckedColumns) throws -> DealNote {
        let table = "deal_note"
        let id = try row.int64(0, table: table), record = try row.int64(1, table: table)
        let text = try row.string(2, table: table), author = try row.string(3, table: table), at = try row.int64(4, table: table)
        return DealNote(id: DealNote.ID(id), record: Opportunity.ID(record), text: text, author: author,
                        at: Timestamp(millisecondsSince1970: at))
    }

    /// The history columns every read selects, after the line's id and record.
    static let historyColumns = "from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by, event, probability, amount, currency, reason, "
        + "stage_outcome"

    /// A history line from `historyColumns` starting at `first`.
    static func historyLine(_ row: some CheckedColumns, record: Opportunity.ID, from first: Int) throws -> StageHistoryEntry {
        let table = "stage_history"
        let from = try row.optionalInt64(first, table: table), to = try row.optionalInt64(first + 1, table: table)
        let event = try row.string(first + 6, table: table)
        let probability = try row.optionalInt(first + 7, table: table)
        let amount = try row.optionalInt64(first + 8, table: table)
        let currency = try row.optionalString(first + 9, table: table)
        let money = amount.flatMap { minor in currency.flatMap { try? CurrencyCode(stored: $0) }.flatMap { Money(minorUnits: minor, currency: $0) } }
        let at = try row.int64(first + 4, table: table), by = try row.string(first + 5, table: table)
        let reason = try row.optionalString(first + 10, table: table)
        // The CHECK of migration 9 admits only the three outcomes.
        let stageOutcome = try row.optionalString(first + 11, table: table).flatMap(StageOutcome.init(rawValue:))
        let fromName = try row.optionalString(first + 2, table: table), toName = try row.optionalString(first + 3, table: table)
        return StageHistoryEntry(
            change: StageChange(opportunity: record, from: from.map(Stage.ID.init), to: to.map(Stage.ID.init),
                                at: Timestamp(millisecondsSince1970: at), by: by,
                                event: HistoryEvent(rawValue: event) ?? .moved, probability: probability.flatMap(Probability.init(basisPoints:)),
                                amount: money, reason: reason, stageOutcome: stageOutcome),
            fromName: fromName, toName: toName)
    }

    /// Splits a split sum back into one exact number (see `Schema.sumSplit`).
    static func joinSplit(high: Int64, low: Int64) -> Int128 {
        Int128(high) * Int128(Schema.sumSplit) + Int128(low)
    }
}

/// What a row held that its column cannot: reading a damaged or hand-edited file stops with
/// this (the engine names the file) instead of trapping in a non-optional conversion.
struct UnreadableValue: Error {
    var table: String
    var id: String
    var column: String
}

extension Row {
    /// The value at `index`, or `UnreadableValue` when the stored value cannot be one. The
    /// row's id is its first column.
    func checked<Value: DatabaseValueConvertible>(_ index: Int, table: String) throws -> Value {
        do {
            return try decode(atIndex: index)
        } catch {
            let id = (try? decode(Int64.self, atIndex: 0)).map(String.init) ?? "?"
            let names = Array(columnNames)
            throw UnreadableValue(table: table, id: id, column: names.indices.contains(index) ? names[index] : "column \(index + 1)")
        }
    }
}
