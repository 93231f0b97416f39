import Foundation
import PipelineCore
import PipelineStorage
import PostgresClient

/// Conversions between PostgreSQL rows (text values) and domain values: the same columns, in
/// the same order, as the SQLite engine's `Rows`, so that both engines read and write alike.
enum PostgresRows {
    static let stageColumns = "id, name, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, version, rotting_days"

    static func stage(_ row: PostgresRow) throws -> Stage {
        let teamID = try row.optionalInt64(8)
        return Stage(
            id: Stage.ID(try row.int64(0)), name: try row.string(1), sortOrder: try row.int(2),
            probability: Probability(basisPoints: try row.int(3)) ?? .zero,
            changesProbabilityAutomatically: try row.bool(4),
            requirements: try row.string(5), isFolded: try row.bool(6),
            outcome: StageOutcome(rawValue: try row.string(7)) ?? .open,
            scope: teamID.map { .team(Team.ID($0)) } ?? .shared,
            rottingDays: try row.optionalInt64(10).map(Int.init), version: try row.int(9))
    }

    /// The columns `team(_:)` reads, by position, in this order.
    static let teamColumns = "id, name, version, own_deals_only"

    static func team(_ row: PostgresRow) throws -> Team {
        Team(id: Team.ID(try row.int64(0)), name: try row.string(1), version: try row.int(2), ownDealsOnly: try row.bool(3))
    }

    /// The columns `opportunity(_:)` reads, by position, in this order.
    static let opportunityColumnNames = [
        "id", "type", "title", "customer_name", "contact_name", "email", "phone", "expected_revenue", "currency",
        "probability", "probability_manual", "salesperson", "team_id", "stage_id", "rank", "priority", "tags",
        "expected_closing", "notes", "created_at", "updated_at", "stage_changed_at", "converted_at", "active", "lost_reason", "version",
        // The activity glance, kept beside the row (never written with it).
        "next_activity_date", "next_activity_time", "latest_open_due",
    ]

    static let opportunityColumns = opportunityColumnNames.joined(separator: ", ")

    /// `opportunityColumns` with a table alias: `o.id, o.type, …`.
    static func opportunityColumns(of alias: String) -> String {
        opportunityColumnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func opportunity(_ row: PostgresRow) throws -> Opportunity {
        let currencyCode = try row.string(8)
        let currency = currencyCode == "VND" ? .vnd : currencyCode == "USD" ? .usd : (try? CurrencyCode(stored: currencyCode)) ?? .usd
        let probability = try row.optionalInt64(9).map(Int.init)
        let stageID = try row.optionalInt64(13)
        let closing = row.optionalString(17)
        let tags = try row.string(16)
        let converted = try row.optionalInt64(22)
        var record = Opportunity(
            id: Opportunity.ID(try row.int64(0)), kind: RecordKind(rawValue: try row.string(1)) ?? .opportunity,
            title: try row.string(2),
            customer: Customer(name: try row.string(3), contactName: try row.string(4), email: try row.string(5), phone: try row.string(6)),
            expectedRevenue: Money(minorUnits: try row.int64(7), currency: currency) ?? .zero(currency),
            probability: probability.flatMap(Probability.init(basisPoints:)),
            probabilitySetByHand: try row.bool(10), salesperson: try row.string(11),
            team: Team.ID(try row.int64(12)), stage: stageID.map(Stage.ID.init), rank: try row.int64(14),
            priority: Priority(stars: try row.int(15)) ?? .normal,
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            expectedClosing: closing.flatMap(CalendarDate.init(iso8601:)), notes: try row.string(18),
            createdAt: Timestamp(millisecondsSince1970: try row.int64(19)),
            updatedAt: Timestamp(millisecondsSince1970: try row.int64(20)),
            stageChangedAt: Timestamp(millisecondsSince1970: try row.int64(21)),
            isActive: try row.bool(23), lostReason: row.optionalString(24),
            convertedAt: converted.map(Timestamp.init(millisecondsSince1970:)), version: try row.int(25))
        record.activityGlance = ActivityGlance(nextDue: row.optionalString(26).flatMap(CalendarDate.init(iso8601:)),
                                               nextTime: try row.optionalInt64(27).flatMap { MinuteOfDay(minutes: Int($0)) },
                                               latestOpenDue: row.optionalString(28).flatMap(CalendarDate.init(iso8601:)))
        return record
    }

    static let activityColumns = "id, record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback, created_at, created_by, updated_at, version"

    static func activity(_ row: PostgresRow) throws -> Activity {
        guard let due = CalendarDate(iso8601: try row.string(4)) else {
            throw PostgresError(.unexpectedValue, serverMessage: "activity \((try? row.int64(0)) ?? 0) has a due date that is not a date")
        }
        let doneAt = try row.optionalInt64(8)
        return Activity(
            id: Activity.ID(try row.int64(0)), record: Opportunity.ID(try row.int64(1)), type: ActivityType.ID(try row.int64(2)),
            summary: try row.string(3), due: due, time: try row.optionalInt64(5).flatMap { MinuteOfDay(minutes: Int($0)) },
            assignedTo: try row.string(6), notes: try row.string(7),
            completion: doneAt.map { ActivityCompletion(at: Timestamp(millisecondsSince1970: $0), by: row.optionalString(9) ?? "",
                                                        feedback: row.optionalString(10) ?? "") },
            createdAt: Timestamp(millisecondsSince1970: try row.int64(11)), createdBy: try row.string(12),
            updatedAt: Timestamp(millisecondsSince1970: try row.int64(13)), version: try row.int(14))
    }

    /// An activity's written columns (after `id`, before `version`), in `activityColumns` order.
    static func values(of activity: Activity) -> PostgresParameters {
        [activity.record.rawValue, activity.type.rawValue, activity.summary, activity.due.iso8601, activity.time?.minutes,
         activity.assignedTo, activity.notes, activity.completion?.at.millisecondsSince1970, activity.completion?.by,
         activity.completion?.feedback, activity.createdAt.millisecondsSince1970, activity.createdBy,
         activity.updatedAt.millisecondsSince1970]
    }

    static let activityTypeColumns = "id, name, next_type_id, next_delay_days, sort_order, version"

    static func activityType(_ row: PostgresRow) throws -> ActivityType {
        ActivityType(id: ActivityType.ID(try row.int64(0)), name: try row.string(1), nextType: try row.optionalInt64(2).map(ActivityType.ID.init),
                     nextDelayDays: try row.int(3), sortOrder: try row.int(4), version: try row.int(5))
    }

    static let noteColumns = "id, record_id, text, author, created_at"

    static func note(_ row: PostgresRow) throws -> DealNote {
        DealNote(id: DealNote.ID(try row.int64(0)), record: Opportunity.ID(try row.int64(1)), text: try row.string(2),
                 author: try row.string(3), at: Timestamp(millisecondsSince1970: try row.int64(4)))
    }

    /// The history columns every read selects, after the line's id and record (as SQLite's).
    static let historyColumns = "from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by, event, probability, amount, currency, reason, "
        + "stage_outcome"

    static func historyLine(_ row: PostgresRow, record: Opportunity.ID, from first: Int) throws -> StageHistoryEntry {
        let amount = try row.optionalInt64(first + 8)
        let currency = row.optionalString(first + 9).flatMap { try? CurrencyCode(stored: $0) }
        return StageHistoryEntry(
            change: StageChange(opportunity: record, from: try row.optionalInt64(first).map(Stage.ID.init),
                                to: try row.optionalInt64(first + 1).map(Stage.ID.init),
                                at: Timestamp(millisecondsSince1970: try row.int64(first + 4)), by: try row.string(first + 5),
                                event: HistoryEvent(rawValue: try row.string(first + 6)) ?? .moved,
                                probability: try row.optionalInt64(first + 7).flatMap { Probability(basisPoints: Int($0)) },
                                amount: amount.flatMap { minor in currency.flatMap { Money(minorUnits: minor, currency: $0) } },
                                reason: row.optionalString(first + 10),
                                stageOutcome: row.optionalString(first + 11).flatMap(StageOutcome.init(rawValue:))),
            fromName: row.optionalString(first + 2), toName: row.optionalString(first + 3))
    }

    /// A history line's written columns, in `historyColumns` order after its record.
    static func historyValues(_ entry: StageHistoryEntry) -> PostgresParameters {
        let change = entry.change
        return [change.opportunity.rawValue, change.from?.rawValue, change.to?.rawValue, entry.fromName, entry.toName,
                change.at.millisecondsSince1970, change.by, change.event.rawValue, change.probability?.basisPoints,
                change.amount?.minorUnits, change.amount?.currency.code, change.reason, change.stageOutcome?.rawValue]
    }

    /// Column values of a record, as the SQLite engine writes them (`Rows.values(of:)`).
    static func values(of opportunity: Opportunity) -> [(String, (any PostgresEncodable)?)] {
        [
            ("type", opportunity.kind.rawValue),
            ("title", opportunity.title),
            ("title_key", TextInput.nameKey(opportunity.title)),
            ("search_text", opportunity.searchText),
            ("email_key", DuplicateRule.emailKey(opportunity.customer.email) ?? ""),
            ("company_key", DuplicateRule.nameKey(opportunity.customer.name) ?? ""),
            ("contact_key", DuplicateRule.nameKey(opportunity.customer.contactName) ?? ""),
            ("customer_name", opportunity.customer.name),
            ("contact_name", opportunity.customer.contactName),
            ("email", opportunity.customer.email),
            ("phone", opportunity.customer.phone),
            ("expected_revenue", opportunity.expectedRevenue.minorUnits),
            ("currency", opportunity.expectedRevenue.currency.code),
            ("probability", opportunity.probability?.basisPoints),
            ("probability_manual", opportunity.probabilitySetByHand),
            ("weighted_revenue", opportunity.kind == .opportunity ? opportunity.weightedRevenue.minorUnits : Int64(0)),
            ("salesperson", opportunity.salesperson),
            ("team_id", opportunity.team.rawValue),
            ("stage_id", opportunity.stage?.rawValue),
            ("rank", opportunity.rank),
            ("priority", opportunity.priority.stars),
            ("tags", opportunity.tags.joined(separator: ",")),
            ("expected_closing", opportunity.expectedClosing?.iso8601),
            ("notes", opportunity.notes),
            ("created_at", opportunity.createdAt.millisecondsSince1970),
            ("updated_at", opportunity.updatedAt.millisecondsSince1970),
            ("stage_changed_at", opportunity.stageChangedAt.millisecondsSince1970),
            ("active", opportunity.isActive),
            ("lost_reason", opportunity.lostReason),
            ("converted_at", opportunity.convertedAt?.millisecondsSince1970),
        ]
    }

    /// `values(of:)` followed by `extra`, as one statement's parameters.
    static func parameters(of opportunity: Opportunity, then extra: PostgresParameters) -> PostgresParameters {
        values(of: opportunity).map(\.1) + extra
    }

    static let writableColumns: [String] = values(of: Opportunity(
        id: Opportunity.ID(0), title: "", expectedRevenue: .zero(.usd), probability: nil, team: Team.ID(0), stage: nil,
        createdAt: Timestamp(millisecondsSince1970: 0))).map(\.0)

    private static func placeholders(_ count: Int, from first: Int = 1) -> String {
        (first..<(first + count)).map { "$\($0)" }.joined(separator: ", ")
    }

    static let insertSQL = "INSERT INTO opportunity (\(writableColumns.joined(separator: ", ")), external_id) VALUES (\(placeholders(writableColumns.count + 1))) RETURNING id"

    static let restoreSQL = "INSERT INTO opportunity (\(writableColumns.joined(separator: ", ")), external_id, id, version) VALUES (\(placeholders(writableColumns.count + 3)))"

    static let updateSQL: String = {
        let assignments = writableColumns.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
        let count = writableColumns.count
        return "UPDATE opportunity SET \(assignments), version = version + 1 WHERE id = $\(count + 1) AND version = $\(count + 2)"
    }()

    /// One row of sums (`count`, `expected`, `weighted` as exact NUMERIC) as figures.
    static func figures(_ row: PostgresRow, currencyColumn: Int, countColumn: Int) throws -> Figures {
        let currency = (try? CurrencyCode(stored: try row.string(currencyColumn))) ?? .usd
        return Figures(currency: currency, count: Int(clamping: try row.int128(countColumn)),
                       expected: try row.int128(countColumn + 1), weighted: try row.int128(countColumn + 2))
    }

    /// An array parameter (`$1::bigint[]`) in PostgreSQL's text form: `{1,2,3}`.
    static func array(_ values: [Int64]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    /// A `bigint[]` in PostgreSQL's text form (`{1,2,3}`, `{}`), as numbers.
    static func int64Array(_ text: String) throws -> [Int64] {
        let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        guard !inner.isEmpty else { return [] }
        return try inner.split(separator: ",").map { element in
            guard let value = Int64(element) else {
                throw PostgresError(.unexpectedValue, serverMessage: "not a list of numbers: \(text)")
            }
            return value
        }
    }

    /// A text array parameter (`$1::text[]`): every element quoted, `"` and `\` escaped, so
    /// that no text — commas, braces, `NULL` — is read as anything but itself.
    static func array(_ values: [String]) -> String {
        var text = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
