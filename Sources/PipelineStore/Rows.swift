import GRDB
import PipelineCore
import PipelineStorage

/// Conversions between table rows and domain values. Kept beside the schema's column
/// names so that the two change together.
enum Rows {
    static let stageColumns = "id, name, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, version"

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
            version: try value(9))
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
        return Opportunity(
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
