import GRDB
import PipelineCore
import PipelineStorage

/// Conversions between table rows and domain values. Kept beside the schema's column
/// names so that the two change together.
enum Rows {
    static let stageColumns = "id, name, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, version"

    /// A stage from a row selecting `stageColumns`, read by position (as opportunities are,
    /// see `OpportunityColumn`): the board reads the whole catalogue after every stage change.
    static func stage(_ row: Row) -> Stage {
        let teamID: Int64? = row[8]
        return Stage(
            id: Stage.ID(row[0]), name: row[1], sortOrder: row[2],
            probability: Probability(basisPoints: row[3]) ?? .zero,
            changesProbabilityAutomatically: row[4],
            requirements: row[5], isFolded: row[6],
            outcome: StageOutcome(rawValue: row[7]) ?? .open,
            scope: teamID.map { .team(Team.ID($0)) } ?? .shared,
            version: row[9])
    }

    static func team(_ row: Row) -> Team {
        Team(id: Team.ID(row["id"]), name: row["name"], version: row["version"])
    }

    /// The columns `opportunity(_:)` reads, in the order every query selects them: rows are
    /// read by position, because looking a column up by name costs more than the rest of
    /// decoding a card (the board decodes a few dozen per key).
    enum OpportunityColumn: Int, CaseIterable {
        case id, type, title, customerName, contactName, email, phone, expectedRevenue, currency
        case probability, probabilityManual, salesperson, teamID, stageID, rank, priority, tags
        case expectedClosing, notes, createdAt, updatedAt, stageChangedAt, convertedAt, active, lostReason, version

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

    static func opportunity(_ row: Row) -> Opportunity {
        func value<Value: DatabaseValueConvertible>(_ column: OpportunityColumn) -> Value { row[column.rawValue] }
        let currencyCode: String = value(.currency)
        let currency = currencyCode == "VND" ? .vnd : currencyCode == "USD" ? .usd : (try? CurrencyCode(stored: currencyCode)) ?? .usd
        let probability: Int? = value(.probability)
        let stageID: Int64? = value(.stageID)
        let closing: String? = value(.expectedClosing)
        let tags: String = value(.tags)
        let converted: Int64? = value(.convertedAt)
        return Opportunity(
            id: Opportunity.ID(value(.id)), kind: RecordKind(rawValue: value(.type)) ?? .opportunity,
            title: value(.title),
            customer: Customer(name: value(.customerName), contactName: value(.contactName),
                               email: value(.email), phone: value(.phone)),
            expectedRevenue: Money(minorUnits: value(.expectedRevenue), currency: currency) ?? .zero(currency),
            probability: probability.flatMap(Probability.init(basisPoints:)),
            probabilitySetByHand: value(.probabilityManual), salesperson: value(.salesperson),
            team: Team.ID(value(.teamID)), stage: stageID.map(Stage.ID.init), rank: value(.rank),
            priority: Priority(stars: value(.priority)) ?? .normal,
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            expectedClosing: closing.flatMap(CalendarDate.init(iso8601:)), notes: value(.notes),
            createdAt: Timestamp(millisecondsSince1970: value(.createdAt)),
            updatedAt: Timestamp(millisecondsSince1970: value(.updatedAt)),
            stageChangedAt: Timestamp(millisecondsSince1970: value(.stageChangedAt)),
            isActive: value(.active), lostReason: value(.lostReason),
            convertedAt: converted.map(Timestamp.init(millisecondsSince1970:)), version: value(.version))
    }

    /// Column values of an opportunity, in `writableColumns` order. Concrete database values,
    /// not `any DatabaseValueConvertible`: an import writes a hundred thousand rows, and
    /// boxing and unboxing each value cost more than SQLite's insert.
    static func values(of opportunity: Opportunity) -> [(String, DatabaseValue)] {
        [
            ("type", opportunity.kind.rawValue.databaseValue),
            ("title", opportunity.title.databaseValue),
            ("title_key", TextInput.nameKey(opportunity.title).databaseValue),
            ("search_text", opportunity.searchText.databaseValue),
            ("email_key", (DuplicateRule.emailKey(opportunity.customer.email) ?? "").databaseValue),
            ("company_key", (DuplicateRule.nameKey(opportunity.customer.name) ?? "").databaseValue),
            ("contact_key", (DuplicateRule.nameKey(opportunity.customer.contactName) ?? "").databaseValue),
            ("customer_name", opportunity.customer.name.databaseValue),
            ("contact_name", opportunity.customer.contactName.databaseValue),
            ("email", opportunity.customer.email.databaseValue),
            ("phone", opportunity.customer.phone.databaseValue),
            ("expected_revenue", opportunity.expectedRevenue.minorUnits.databaseValue),
            ("currency", opportunity.expectedRevenue.currency.code.databaseValue),
            ("probability", (opportunity.probability?.basisPoints).databaseValue),
            ("probability_manual", opportunity.probabilitySetByHand.databaseValue),
            ("weighted_revenue", (opportunity.kind == .opportunity ? opportunity.weightedRevenue.minorUnits : 0).databaseValue),
            ("salesperson", opportunity.salesperson.databaseValue),
            ("team_id", opportunity.team.rawValue.databaseValue),
            ("stage_id", (opportunity.stage?.rawValue).databaseValue),
            ("rank", opportunity.rank.databaseValue),
            ("priority", opportunity.priority.stars.databaseValue),
            ("tags", opportunity.tags.joined(separator: ",").databaseValue),
            ("expected_closing", (opportunity.expectedClosing?.iso8601).databaseValue),
            ("notes", opportunity.notes.databaseValue),
            ("created_at", opportunity.createdAt.millisecondsSince1970.databaseValue),
            ("updated_at", opportunity.updatedAt.millisecondsSince1970.databaseValue),
            ("stage_changed_at", opportunity.stageChangedAt.millisecondsSince1970.databaseValue),
            ("active", opportunity.isActive.databaseValue),
            ("lost_reason", opportunity.lostReason.databaseValue),
            ("converted_at", (opportunity.convertedAt?.millisecondsSince1970).databaseValue),
        ]
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

    /// Splits a split sum back into one exact number (see `Schema.sumSplit`).
    static func joinSplit(high: Int64, low: Int64) -> Int128 {
        Int128(high) * Int128(Schema.sumSplit) + Int128(low)
    }
}
