import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// The JSON schemas of Docs/cli.md, in one place so that every command agrees.
enum Present {
    static func stage(_ stage: Stage, position: Int, catalog: StageCatalog, figures: Figures?) -> JSONValue {
        .object([
            ("id", .int(stage.id.rawValue)),
            ("name", .string(stage.name)),
            ("position", .int(position)),
            ("probability", .number(stage.probability.decimalString)),
            ("auto_probability", .bool(stage.changesProbabilityAutomatically)),
            ("requirements", .string(stage.requirements)),
            ("folded", .bool(stage.isFolded)),
            ("outcome", .string(stage.outcome.rawValue)),
            ("team", .optional(stage.scope.team.flatMap { catalog.team($0)?.name })),
            ("team_id", stage.scope.team.map { .int($0.rawValue) } ?? .null),
            ("opportunity_count", .int(figures?.count ?? 0)),
            ("rotting_days", stage.rottingDays.map { .int($0) } ?? .null),
            ("version", .int(stage.version)),
        ])
    }

    static func opportunity(_ opportunity: Opportunity, stageName: String?, teamName: String?,
                            history: [StageHistoryEntry]? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .int(opportunity.id.rawValue)),
            ("type", .string(opportunity.kind.rawValue)),
            ("title", .string(opportunity.title)),
            ("customer", .string(opportunity.customer.name)),
            ("contact", .string(opportunity.customer.contactName)),
            ("email", .string(opportunity.customer.email)),
            ("phone", .string(opportunity.customer.phone)),
            ("stage", .optional(stageName)),
            ("stage_id", opportunity.stage.map { .int($0.rawValue) } ?? .null),
            ("probability", opportunity.probability.map { .number($0.decimalString) } ?? .null),
            ("probability_set_by_hand", .bool(opportunity.probabilitySetByHand)),
            ("expected_revenue", .string(opportunity.expectedRevenue.plainString)),
            ("weighted_revenue", .string(opportunity.weightedRevenue.plainString)),
            ("currency", .string(opportunity.expectedRevenue.currency.code)),
            ("salesperson", .string(opportunity.salesperson)),
            ("team", .optional(teamName)),
            ("team_id", .int(opportunity.team.rawValue)),
            ("priority", .int(opportunity.priority.stars)),
            ("tags", .array(opportunity.tags.map(JSONValue.string))),
            ("expected_closing", .optional(opportunity.expectedClosing?.iso8601)),
            ("notes", .string(opportunity.notes)),
            ("created_at", .string(opportunity.createdAt.iso8601)),
            ("updated_at", .string(opportunity.updatedAt.iso8601)),
            ("stage_changed_at", .string(opportunity.stageChangedAt.iso8601)),
            ("active", .bool(opportunity.isActive)),
            ("lost_reason", .optional(opportunity.lostReason)),
            ("converted_at", .optional(opportunity.convertedAt?.iso8601)),
            ("version", .int(opportunity.version)),
        ]
        if let history {
            members.append(("history", .array(history.map { entry in
                .object([
                    ("from", .optional(entry.fromName)),
                    ("from_id", entry.change.from.map { .int($0.rawValue) } ?? .null),
                    ("to", .optional(entry.toName)),
                    ("to_id", entry.change.to.map { .int($0.rawValue) } ?? .null),
                    ("at", .string(entry.change.at.iso8601)),
                    ("by", .string(entry.change.by)),
                ])
            })))
        }
        return .object(members)
    }

    static func lead(_ lead: Opportunity, teamName: String?) -> JSONValue {
        .object([
            ("id", .int(lead.id.rawValue)),
            ("type", .string(lead.kind.rawValue)),
            ("title", .string(lead.title)),
            ("contact", .string(lead.customer.contactName)),
            ("company", .string(lead.customer.name)),
            ("email", .string(lead.customer.email)),
            ("phone", .string(lead.customer.phone)),
            ("expected_revenue", .string(lead.expectedRevenue.plainString)),
            ("currency", .string(lead.expectedRevenue.currency.code)),
            ("salesperson", .string(lead.salesperson)),
            ("team", .optional(teamName)),
            ("team_id", .int(lead.team.rawValue)),
            ("priority", .int(lead.priority.stars)),
            ("tags", .array(lead.tags.map(JSONValue.string))),
            ("notes", .string(lead.notes)),
            ("created_at", .string(lead.createdAt.iso8601)),
            ("updated_at", .string(lead.updatedAt.iso8601)),
            ("active", .bool(lead.isActive)),
            ("lost_reason", .optional(lead.lostReason)),
            ("version", .int(lead.version)),
        ])
    }

    /// `{"count": 3, "expected": {"USD": "1000.00"}, "weighted": {...}}`
    static func figures(_ figures: Figures, preferring currency: CurrencyCode) -> JSONValue {
        func sums(_ totals: MoneyTotals) -> JSONValue {
            .object(totals.currencies(preferring: currency).map { ($0.code, .string(MoneyFormat.plain(totals[$0], currency: $0))) })
        }
        // `counts`: the deals of each currency (added after `count`, which sums every currency's).
        let currencies = Set(figures.countByCurrency.filter { $0.value > 0 }.keys).union(figures.expected.currencies(preferring: currency))
        var ordered = MoneyTotals()
        for code in currencies { ordered.add(0, currency: code) }
        let counts = JSONValue.object(ordered.currencies(preferring: currency).map { ($0.code, .int(Int64(figures.countByCurrency[$0] ?? 0))) })
        return .object([("count", .int(figures.count)), ("counts", counts), ("expected", sums(figures.expected)),
                        ("weighted", sums(figures.weighted))])
    }

    // MARK: - Figures (issue 14)

    /// A stage's seen rate: won, lost, n, and the rate and its 90 % interval in percent (one
    /// decimal; `null` when no closed deal was in the stage).
    static func observed(_ observation: StageObservation) -> JSONValue {
        let interval = observation.interval
        func percent(_ value: Double?) -> JSONValue { value.map { .number(decimal($0 * 100, digits: 1)) } ?? .null }
        return .object([("won", .int(Int64(observation.won))), ("lost", .int(Int64(observation.lost))), ("n", .int(Int64(observation.n))),
                        ("rate", percent(observation.rate)), ("low", percent(interval?.low)), ("high", percent(interval?.high))])
    }

    /// `31.4`: a figure rounded half away from zero to `digits` decimals, written with the
    /// language's decimal mark (JSON: always `.`).
    static func decimal(_ value: Double, digits: Int, language: Language? = nil) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let scaled = Int64((abs(value) * factor).rounded())
        let whole = scaled / Int64(factor), fraction = scaled % Int64(factor)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += (language == .vietnamese ? "," : ".") + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// A share 0…1 as a whole percentage, without the sign: `31`.
    static func wholePercent(_ share: Double) -> String { String(Int64((share * 100).rounded())) }

    /// The first instant of a local calendar day.
    static func firstInstant(of date: CalendarDate, utcOffsetSeconds: Int) -> Timestamp {
        Timestamp(millisecondsSince1970: Int64(date.daysSince1970) * 86_400_000 - Int64(utcOffsetSeconds) * 1000)
    }

    /// A range's figures in major units as decimal strings, beside its count and weighted sum.
    static func range(_ range: RevenueRange, currency: CurrencyCode) -> [(String, JSONValue)] {
        [("count", .int(Int64(range.count))), ("weighted", .string(MoneyFormat.plain(range.weighted, currency: currency))),
         ("p10", .string(MoneyFormat.plain(range.p10, currency: currency))), ("p50", .string(MoneyFormat.plain(range.p50, currency: currency))),
         ("p90", .string(MoneyFormat.plain(range.p90, currency: currency))), ("exact", .bool(range.exact))]
    }

    /// Sums per currency, the preferred currency first: `$1,000.00 + 1.500.000 ₫`.
    static func sums(_ totals: MoneyTotals, preferring currency: CurrencyCode, session: Session) -> [String] {
        let currencies = totals.currencies(preferring: currency)
        if currencies.isEmpty { return [session.money(0, currency)] }
        return currencies.map { session.money(totals[$0], $0) }
    }

    // MARK: - Activities, notes, the timeline (issue 13)

    /// An activity: `state` is overdue, today, planned or done on the user's today.
    static func activity(_ activity: Activity, typeName: String, state: String, dealTitle: String?) -> JSONValue {
        .object([
            ("id", .int(activity.id.rawValue)),
            ("deal_id", .int(activity.record.rawValue)),
            ("deal", .optional(dealTitle)),
            ("type", .string(typeName)),
            ("type_id", .int(activity.type.rawValue)),
            ("summary", .string(activity.summary)),
            ("due", .string(activity.due.iso8601)),
            ("time", .optional(activity.time?.description)),
            ("assigned_to", .string(activity.assignedTo)),
            ("state", .string(state)),
            ("done", .bool(activity.isDone)),
            ("done_at", .optional(activity.completion?.at.iso8601)),
            ("done_by", .optional(activity.completion?.by)),
            ("feedback", .optional(activity.completion?.feedback)),
            ("notes", .string(activity.notes)),
            ("created_at", .string(activity.createdAt.iso8601)),
            ("created_by", .string(activity.createdBy)),
            ("updated_at", .string(activity.updatedAt.iso8601)),
            ("version", .int(activity.version)),
        ])
    }

    static func activityType(_ type: ActivityType, names: [ActivityType.ID: String]) -> JSONValue {
        .object([
            ("id", .int(type.id.rawValue)),
            ("name", .string(type.name)),
            ("next_type", .optional(type.nextType.flatMap { names[$0] })),
            ("next_type_id", type.nextType.map { .int($0.rawValue) } ?? .null),
            ("next_delay_days", .int(type.nextDelayDays)),
            ("position", .int(type.sortOrder)),
            ("version", .int(type.version)),
        ])
    }

    static func note(_ note: DealNote) -> JSONValue {
        .object([
            ("id", .int(note.id.rawValue)), ("deal_id", .int(note.record.rawValue)), ("text", .string(note.text)),
            ("author", .string(note.author)), ("at", .string(note.at.iso8601)),
        ])
    }

    /// One line of a deal's timeline: its kind, when, who, and its text or figures.
    static func timelineEntry(_ entry: TimelineEntry) -> JSONValue {
        func money(_ value: Money?) -> JSONValue { value.map { .string($0.plainString) } ?? .null }
        func probability(_ value: Probability?) -> JSONValue { value.map { .number($0.decimalString) } ?? .null }
        var members: [(String, JSONValue)]
        switch entry.kind {
        case .created(let stage, let chance, let amount):
            members = [("kind", .string("created")), ("stage", .optional(stage)), ("probability", probability(chance)),
                       ("amount", money(amount)), ("currency", .optional(amount?.currency.code))]
        case .stageChanged(let from, let to, let spent):
            members = [("kind", .string("stage_changed")), ("from", .optional(from)), ("to", .optional(to)),
                       ("time_in_from_ms", spent.map { .int($0) } ?? .null)]
        case .probabilityChanged(let from, let to, let byHand):
            members = [("kind", .string("probability_changed")), ("from", probability(from)), ("to", probability(to)),
                       ("by_hand", .bool(byHand))]
        case .amountChanged(let from, let to):
            members = [("kind", .string("amount_changed")), ("from", money(from)), ("to", money(to)), ("currency", .string(to.currency.code))]
        case .won: members = [("kind", .string("won"))]
        case .lost(let reason): members = [("kind", .string("lost")), ("reason", .optional(reason))]
        case .restored: members = [("kind", .string("restored"))]
        case .archived: members = [("kind", .string("archived"))]
        case .activityDone(let activity, let type, let summary, let feedback):
            members = [("kind", .string("activity_done")), ("activity_id", .int(activity.rawValue)), ("type", .string(type)),
                       ("summary", .string(summary)), ("feedback", .string(feedback))]
        case .note(let id, let text):
            members = [("kind", .string("note")), ("note_id", .int(id.rawValue)), ("text", .string(text))]
        }
        members.insert(contentsOf: [("at", .string(entry.at.iso8601)), ("by", .string(entry.by))], at: 1)
        return .object(members)
    }
}
