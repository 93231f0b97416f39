/// How the Leads view and `lead list` order leads.
public enum LeadOrder: String, Sendable, CaseIterable {
    /// Newest first.
    case date
    /// Most stars first, then newest.
    case priority
    /// Largest expected revenue first (in minor units: amounts of different currencies
    /// are not converted), then newest.
    case revenue

    public func name(in language: Language) -> String { Catalogue.text("leadOrder.\(rawValue)", language) }
}

/// Which leads a listing shows.
public struct LeadQuery: Hashable, Sendable {
    public var team: Team.ID?
    public var includeLost: Bool
    public var order: LeadOrder
    /// Typed filter text (title, company, contact, salesperson; ignoring case and accents).
    public var filter: String

    public init(team: Team.ID? = nil, includeLost: Bool = false, order: LeadOrder = .date, filter: String = "") {
        self.team = team
        self.includeLost = includeLost
        self.order = order
        self.filter = filter
    }
}

/// What converting a lead does besides making it an opportunity.
public struct Conversion: Sendable {
    public enum CustomerChoice: Hashable, Sendable {
        /// The lead's own company, contact, e-mail and phone (when merging, as the merge
        /// rule combines them).
        case lead
        /// The customer fields of this existing opportunity.
        case opportunity(Opportunity.ID)
        /// No customer fields.
        case none
    }

    public var team: Team.ID?
    public var salesperson: String?
    /// `nil`: as the wizard pre-selects it, a duplicate opportunity's fields when one matches
    /// by e-mail (then by name), else the lead's.
    public var customer: CustomerChoice?
    /// Records to merge into one with the lead.
    public var mergeWith: [Opportunity.ID]

    public init(team: Team.ID? = nil, salesperson: String? = nil, customer: CustomerChoice? = nil, mergeWith: [Opportunity.ID] = []) {
        self.team = team
        self.salesperson = salesperson
        self.customer = customer
        self.mergeWith = mergeWith
    }
}

extension LeadOrder {
    /// The single number leads are sorted on, descending (ties broken by id): what the
    /// store's keyset paging compares.
    public func sortValue(of lead: Opportunity) -> Int64 {
        switch self {
        case .date: return lead.createdAt.millisecondsSince1970
        case .priority: return Int64(lead.priority.stars) * 10_000_000_000_000 + lead.createdAt.millisecondsSince1970 / 1000
        case .revenue: return lead.expectedRevenue.minorUnits
        }
    }

    /// The next order `s` switches to.
    public var next: LeadOrder {
        let all = LeadOrder.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + 1) % all.count]
    }
}

extension Opportunity {
    /// Where a lead sits in `order`, for paging the Leads view.
    public func cursor(in order: LeadOrder) -> CardCursor {
        CardCursor(rank: order.sortValue(of: self), id: id)
    }
}
