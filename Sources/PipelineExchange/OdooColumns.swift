import PipelineCore

/// Which generation of the reference CRM a CSV file is written for.
public enum OdooGeneration: Int, Sendable, CaseIterable {
    /// Stage probabilities (`probability`, `on_change`), `planned_revenue`, `lost_reason`.
    case v12 = 12
    /// `is_won` stages without probabilities, `expected_revenue`, `lost_reason_id`.
    case v16 = 16
}

/// The kind of record one CSV file holds.
public enum ExchangeKind: String, Sendable, CaseIterable {
    case opportunities, leads, stages, all
}

/// A column of a leads/opportunities file.
enum RecordColumn: String, CaseIterable {
    case externalID, title, type, stage, stageExternalID, probability, expectedRevenue, company, customer, contact
    case email, phone, salesperson, team, teamExternalID, priority, tags, closing, active, lostReason, notes, currency
}

/// A column of a stages file.
enum StageColumn: String, CaseIterable {
    case externalID, name, sequence, probability, onChange, isWon, fold, requirements, team, teamExternalID
}

/// The reference CRM's column names: technical names (import-compatible exports) and the
/// labels of its ordinary exports, matched ignoring case.
enum OdooColumns {
    static let records: [RecordColumn: [String]] = [
        .externalID: ["id", "External ID"],
        .title: ["name", "Opportunity", "Lead", "Name"],
        .type: ["type", "Type"],
        .stage: ["stage_id", "Stage"],
        .stageExternalID: ["stage_id/id", "Stage/External ID"],
        .probability: ["probability", "Probability"],
        .expectedRevenue: ["expected_revenue", "planned_revenue", "Expected Revenue"],
        .company: ["partner_name", "Company Name"],
        .customer: ["partner_id", "Customer"],
        .contact: ["contact_name", "Contact Name"],
        .email: ["email_from", "Email"],
        .phone: ["phone", "Phone"],
        .salesperson: ["user_id", "Salesperson"],
        .team: ["team_id", "Sales Team", "Sales Channel"],
        .teamExternalID: ["team_id/id", "Sales Team/External ID"],
        .priority: ["priority", "Priority"],
        .tags: ["tag_ids", "Tags"],
        .closing: ["date_deadline", "Expected Closing"],
        .active: ["active", "Active"],
        .lostReason: ["lost_reason_id", "lost_reason", "Lost Reason"],
        .notes: ["description", "Notes", "Internal Notes"],
        .currency: ["company_currency", "currency_id", "Currency"],
    ]

    static let stages: [StageColumn: [String]] = [
        .externalID: ["id", "External ID"],
        .name: ["name", "Stage Name"],
        .sequence: ["sequence", "Sequence"],
        .probability: ["probability", "Probability (%)"],
        .onChange: ["on_change", "Change Probability Automatically"],
        .isWon: ["is_won", "Is Won Stage?"],
        .fold: ["fold", "Folded in Pipeline"],
        .requirements: ["requirements", "Requirements"],
        .team: ["team_id", "Sales Team", "Sales Channel"],
        .teamExternalID: ["team_id/id", "Sales Team/External ID"],
    ]

    /// Columns only stage files have: they tell a stages file from a leads file.
    static let stageOnly: Set<String> = ["sequence", "on_change", "is_won", "fold", "requirements", "stage name",
                                         "change probability automatically", "is won stage?", "folded in pipeline"]

    /// Columns the reference CRM defines that we do not keep: ignored with one warning.
    static let knownButUnmapped: Set<String> = [
        "mobile", "function", "website", "street", "street2", "zip", "city", "state_id", "country_id", "title", "color",
        "campaign_id", "medium_id", "source_id", "referred", "recurring_revenue", "recurring_plan", "recurring_revenue_monthly",
        "prorated_revenue", "automated_probability", "is_automated_probability", "date_last_stage_update", "date_open",
        "date_closed", "date_conversion", "create_date", "write_date", "create_uid", "write_uid", "company_id", "lang_id",
        "kanban_state", "day_open", "day_close", "won_status", "partner_id/id", "user_id/id", "tag_ids/id", "lost_reason_id/id",
        "legend_priority", "team_count", "rotting_threshold_days", "team_ids", "display_name", "email_cc",
        "mobile", "job position", "street2", "state", "country", "color index", "campaign", "medium", "source",
        "referred by", "prorated revenue", "last stage update", "assignment date", "closed date", "conversion date",
        "created on", "last updated on", "company", "language", "kanban state", "days to assign", "days to close",
        "recurring revenues", "recurring plan", "priority management explanation", "color", "days to rot", "sales teams",
        "display name",
    ]

    /// Finds which column a header names.
    static func match<Column: Hashable>(_ header: String, in table: [Column: [String]]) -> Column? {
        let key = header.trimmingWhitespaceAndBOM().lowercased()
        return table.first { $0.value.contains { $0.lowercased() == key } }?.key
    }

    // MARK: - Export headers

    static func recordHeaders(_ generation: OdooGeneration) -> [(String, RecordColumn)] {
        [("id", .externalID), ("name", .title), ("type", .type), ("stage_id", .stage), ("probability", .probability),
         (generation == .v12 ? "planned_revenue" : "expected_revenue", .expectedRevenue), ("company_currency", .currency),
         ("partner_name", .company), ("contact_name", .contact), ("email_from", .email), ("phone", .phone),
         ("user_id", .salesperson), ("team_id", .team), ("priority", .priority), ("tag_ids", .tags),
         ("date_deadline", .closing), ("active", .active), (generation == .v12 ? "lost_reason" : "lost_reason_id", .lostReason),
         ("description", .notes)]
    }

    static func stageHeaders(_ generation: OdooGeneration) -> [(String, StageColumn)] {
        switch generation {
        case .v12:
            return [("id", .externalID), ("name", .name), ("sequence", .sequence), ("probability", .probability),
                    ("on_change", .onChange), ("fold", .fold), ("requirements", .requirements), ("team_id", .team)]
        case .v16:
            return [("id", .externalID), ("name", .name), ("sequence", .sequence), ("is_won", .isWon), ("fold", .fold),
                    ("requirements", .requirements), ("team_id", .team)]
        }
    }
}

extension String {
    func trimmingWhitespaceAndBOM() -> String {
        if hasNothingToTrim { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first == "\u{FEFF}" || first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
