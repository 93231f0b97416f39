import GRDB
import PipelineCore

/// Conversions between table rows and domain values. Kept beside the schema's column
/// names so that the two change together.
enum Rows {
    static let stageColumns = "id, name, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, version"

    static func stage(_ row: Row) -> Stage {
        let teamID: Int64? = row["team_id"]
        return Stage(
            id: Stage.ID(row["id"]), name: row["name"], sortOrder: row["sort_order"],
            probability: Probability(basisPoints: row["probability"]) ?? .zero,
            changesProbabilityAutomatically: row["auto_probability"],
            requirements: row["requirements"], isFolded: row["folded"],
            outcome: StageOutcome(rawValue: row["outcome"]) ?? .open,
            scope: teamID.map { .team(Team.ID($0)) } ?? .shared,
            version: row["version"])
    }

    static func team(_ row: Row) -> Team {
        Team(id: Team.ID(row["id"]), name: row["name"], version: row["version"])
    }

    static let opportunityColumns = """
        id, type, title, customer_name, contact_name, email, phone, expected_revenue, currency, \
        probability, probability_manual, salesperson, team_id, stage_id, rank, priority, tags, \
        expected_closing, notes, created_at, updated_at, stage_changed_at, converted_at, active, lost_reason, version
        """

    static func opportunity(_ row: Row) -> Opportunity {
        let currency = (try? CurrencyCode(parsing: row["currency"])) ?? .usd
        let probability: Int? = row["probability"]
        let stageID: Int64? = row["stage_id"]
        let closing: String? = row["expected_closing"]
        let tags: String = row["tags"]
        let converted: Int64? = row["converted_at"]
        return Opportunity(
            id: Opportunity.ID(row["id"]), kind: RecordKind(rawValue: row["type"]) ?? .opportunity,
            title: row["title"],
            customer: Customer(name: row["customer_name"], contactName: row["contact_name"],
                               email: row["email"], phone: row["phone"]),
            expectedRevenue: Money(minorUnits: row["expected_revenue"], currency: currency) ?? .zero(currency),
            probability: probability.flatMap(Probability.init(basisPoints:)),
            probabilitySetByHand: row["probability_manual"], salesperson: row["salesperson"],
            team: Team.ID(row["team_id"]), stage: stageID.map(Stage.ID.init), rank: row["rank"],
            priority: Priority(stars: row["priority"]) ?? .normal,
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            expectedClosing: closing.flatMap(CalendarDate.init(iso8601:)), notes: row["notes"],
            createdAt: Timestamp(millisecondsSince1970: row["created_at"]),
            updatedAt: Timestamp(millisecondsSince1970: row["updated_at"]),
            stageChangedAt: Timestamp(millisecondsSince1970: row["stage_changed_at"]),
            isActive: row["active"], lostReason: row["lost_reason"],
            convertedAt: converted.map(Timestamp.init(millisecondsSince1970:)), version: row["version"])
    }

    /// Column values of an opportunity, in `writableOpportunityColumns` order.
    static func values(of opportunity: Opportunity) -> [(String, (any DatabaseValueConvertible)?)] {
        [
            ("type", opportunity.kind.rawValue),
            ("title", opportunity.title),
            ("title_key", TextInput.nameKey(opportunity.title)),
            ("search_text", searchText(of: opportunity)),
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
            ("weighted_revenue", opportunity.kind == .opportunity ? opportunity.weightedRevenue.minorUnits : 0),
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

    /// What the live filter matches: title, customer, contact and salesperson, folded.
    /// Words only (punctuation becomes a space), so that the FTS index and the scan in
    /// `PipelineDatabase.cardWindow` agree on what a word is.
    static func searchText(of opportunity: Opportunity) -> String {
        let folded = TextInput.searchKey([opportunity.title, opportunity.customer.name, opportunity.customer.contactName,
                                          opportunity.salesperson].joined(separator: " "))
        return folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
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
