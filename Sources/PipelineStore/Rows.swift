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

    static func opportunity(_ row: Row) throws -> Opportunity {
        func value<Value: DatabaseValueConvertible>(_ column: OpportunityColumn) throws -> Value {
            try row.checked(column.rawValue, table: "opportunity")
        }
        let currencyCode: String = try value(.currency)
        let currency = currencyCode == "VND" ? .vnd : currencyCode == "USD" ? .usd : (try? CurrencyCode(stored: currencyCode)) ?? .usd
        let probability: Int? = try value(.probability)
        let stageID: Int64? = try value(.stageID)
        let closing: String? = try value(.expectedClosing)
        let tags: String = try value(.tags)
        let converted: Int64? = try value(.convertedAt)
        let nextDue: String? = try value(.nextActivityDate)
        let nextTime: Int? = try value(.nextActivityTime)
        let latestDue: String? = try value(.latestOpenDue)
        var record = Opportunity(
            id: Opportunity.ID(try value(.id)), kind: RecordKind(rawValue: try value(.type)) ?? .opportunity,
            title: try value(.title),
            customer: Customer(name: try value(.customerName), contactName: try value(.contactName),
                               email: try value(.email), phone: try value(.phone)),
            expectedRevenue: Money(minorUnits: try value(.expectedRevenue), currency: currency) ?? .zero(currency),
            probability: probability.flatMap(Probability.init(basisPoints:)),
            probabilitySetByHand: try value(.probabilityManual), salesperson: try value(.salesperson),
            team: Team.ID(try value(.teamID)), stage: stageID.map(Stage.ID.init), rank: try value(.rank),
            priority: Priority(stars: try value(.priority)) ?? .normal,
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            expectedClosing: closing.flatMap(CalendarDate.init(iso8601:)), notes: try value(.notes),
            createdAt: Timestamp(millisecondsSince1970: try value(.createdAt)),
            updatedAt: Timestamp(millisecondsSince1970: try value(.updatedAt)),
            stageChangedAt: Timestamp(millisecondsSince1970: try value(.stageChangedAt)),
            isActive: try value(.active), lostReason: try value(.lostReason),
            convertedAt: converted.map(Timestamp.init(millisecondsSince1970:)), version: try value(.version))
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
    static func activity(_ row: Row) throws -> Activity {
        func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value { try row.checked(index, table: "activity") }
        let dueText: String = try value(4)
        guard let due = CalendarDate(iso8601: dueText) else {
            throw UnreadableValue(table: "activity", id: String(try value(0) as Int64), column: "due")
        }
        let time: Int? = try value(5)
        let doneAt: Int64? = try value(8)
        let doneBy: String? = try value(9)
        let feedback: String? = try value(10)
        return Activity(
            id: Activity.ID(try value(0)), record: Opportunity.ID(try value(1)), type: ActivityType.ID(try value(2)),
            summary: try value(3), due: due, time: time.flatMap(MinuteOfDay.init(minutes:)), assignedTo: try value(6),
            notes: try value(7),
            completion: doneAt.map { ActivityCompletion(at: Timestamp(millisecondsSince1970: $0), by: doneBy ?? "", feedback: feedback ?? "") },
            createdAt: Timestamp(millisecondsSince1970: try value(11)), createdBy: try value(12),
            updatedAt: Timestamp(millisecondsSince1970: try value(13)), version: try value(14))
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

    static func note(_ row: Row) throws -> DealNote {
        func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value { try row.checked(index, table: "deal_note") }
        return DealNote(id: DealNote.ID(try value(0)), record: Opportunity.ID(try value(1)), text: try value(2), author: try value(3),
                        at: Timestamp(millisecondsSince1970: try value(4)))
    }

    /// The history columns every read selects, after the line's id and record.
    static let historyColumns = "from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by, event, probability, amount, currency, reason"

    /// A history line from `historyColumns` starting at `first`.
    static func historyLine(_ row: Row, record: Opportunity.ID, from first: Int) throws -> StageHistoryEntry {
        func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value { try row.checked(first + index, table: "stage_history") }
        let from: Int64? = try value(0), to: Int64? = try value(1)
        let event: String = try value(6)
        let probability: Int? = try value(7)
        let amount: Int64? = try value(8)
        let currency: String? = try value(9)
        let money = amount.flatMap { minor in currency.flatMap { try? CurrencyCode(stored: $0) }.flatMap { Money(minorUnits: minor, currency: $0) } }
        return StageHistoryEntry(
            change: StageChange(opportunity: record, from: from.map(Stage.ID.init), to: to.map(Stage.ID.init),
                                at: Timestamp(millisecondsSince1970: try value(4)), by: try value(5),
                                event: HistoryEvent(rawValue: event) ?? .moved, probability: probability.flatMap(Probability.init(basisPoints:)),
                                amount: money, reason: try value(10)),
            fromName: try value(2), toName: try value(3))
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
