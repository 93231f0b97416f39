/// A deal in a pipeline, or (with kind `.lead`) a contact not yet qualified.
///
/// Leads and opportunities are one record with one id space, so converting a lead keeps
/// its id, as in the reference CRM.
public struct Opportunity: Identifiable, Hashable, Sendable {
    public typealias ID = RecordID<Opportunity>

    public var id: ID
    public var kind: RecordKind
    public var title: String
    public var customer: Customer
    public var expectedRevenue: Money
    /// `nil` while a lead; an opportunity always has one.
    public var probability: Probability?
    /// A probability typed by hand stays until the opportunity next enters a stage that
    /// changes probability automatically.
    public var probabilitySetByHand: Bool
    public var salesperson: String
    public var team: Team.ID
    /// `nil` while a lead.
    public var stage: Stage.ID?
    /// Order inside the column: ascending, sparse so that a move rewrites one row.
    public var rank: Int64
    public var priority: Priority
    public var tags: [String]
    public var expectedClosing: CalendarDate?
    public var notes: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var stageChangedAt: Timestamp
    public var isActive: Bool
    public var lostReason: String?
    /// When a lead became this opportunity.
    public var convertedAt: Timestamp?
    public var version: Int
    /// Its open activities at a glance (issue 13): kept by the store beside the row, outside
    /// its version; never part of what an edit changes.
    public var activityGlance: ActivityGlance = .empty

    public init(
        id: ID, kind: RecordKind = .opportunity, title: String, customer: Customer = Customer(),
        expectedRevenue: Money, probability: Probability?, probabilitySetByHand: Bool = false,
        salesperson: String = "", team: Team.ID, stage: Stage.ID?, rank: Int64 = 0,
        priority: Priority = .normal, tags: [String] = [], expectedClosing: CalendarDate? = nil,
        notes: String = "", createdAt: Timestamp, updatedAt: Timestamp? = nil,
        stageChangedAt: Timestamp? = nil, isActive: Bool = true, lostReason: String? = nil,
        convertedAt: Timestamp? = nil, version: Int = 1
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.customer = customer
        self.expectedRevenue = expectedRevenue
        self.probability = probability
        self.probabilitySetByHand = probabilitySetByHand
        self.salesperson = salesperson
        self.team = team
        self.stage = stage
        self.rank = rank
        self.priority = priority
        self.tags = tags
        self.expectedClosing = expectedClosing
        self.notes = notes
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.stageChangedAt = stageChangedAt ?? createdAt
        self.isActive = isActive
        self.lostReason = lostReason
        self.convertedAt = convertedAt
        self.version = version
    }

    /// Expected revenue × probability, rounded half-up to the minor unit.
    public var weightedRevenue: Money {
        expectedRevenue.weighted(by: probability ?? .zero)
    }
}

public enum RecordKind: String, Sendable, CaseIterable {
    case lead, opportunity
}

/// The customer fields of a record: plain text, no separate customer table.
public struct Customer: Hashable, Sendable {
    public var name: String
    public var contactName: String
    public var email: String
    public var phone: String

    public init(name: String = "", contactName: String = "", email: String = "", phone: String = "") {
        self.name = name
        self.contactName = contactName
        self.email = email
        self.phone = phone
    }

    /// These fields, each empty one taken from `other`: a customer chosen from another record
    /// never blanks out a contact, an e-mail or a phone the converted lead had.
    public func filling(from other: Customer) -> Customer {
        Customer(name: name.isEmpty ? other.name : name, contactName: contactName.isEmpty ? other.contactName : contactName,
                 email: email.isEmpty ? other.email : email, phone: phone.isEmpty ? other.phone : phone)
    }
}

/// Star priority, 0 (normal) to 3 (very high).
public struct Priority: Hashable, Comparable, Sendable {
    public let stars: Int

    public static let normal = Priority(uncheckedStars: 0)

    public init?(stars: Int) {
        guard (0...3).contains(stars) else { return nil }
        self.stars = stars
    }

    public init(parsing text: String) throws(PipelineError) {
        guard let value = Int(text.trimmingWhitespace()), let priority = Priority(stars: value) else {
            throw .invalidPriority(text)
        }
        self = priority
    }

    init(uncheckedStars: Int) { self.stars = uncheckedStars }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.stars < rhs.stars }
}

/// One line of a record's history: what happened to it (a stage change, a change of its
/// figures, won, lost, restored…) and its probability and amount after it — the base for
/// time-in-stage, conversion figures and, later, figures over time. Lines written before
/// issue 13 have no figures (`nil`: unknown, never zero).
public struct StageChange: Hashable, Sendable {
    public var opportunity: Opportunity.ID
    /// The stage before and after; equal when the line records something else than a move
    /// (an edit of the amount, a loss without a lost stage).
    public var from: Stage.ID?
    public var to: Stage.ID?
    public var at: Timestamp
    public var by: String
    public var event: HistoryEvent
    /// The probability after the change (`nil`: unknown).
    public var probability: Probability?
    /// The expected revenue, in its currency, after the change (`nil`: unknown).
    public var amount: Money?
    /// A `lost` line's reason, as it was given.
    public var reason: String?
    /// The outcome the stage `to` had when the line was written (schema 9). `nil`: not
    /// recorded (lines written before it, or a line without a stage); readers then take the
    /// stage's outcome as it is now, as they did before.
    public var stageOutcome: StageOutcome?

    public init(opportunity: Opportunity.ID, from: Stage.ID?, to: Stage.ID?, at: Timestamp, by: String,
                event: HistoryEvent = .moved, probability: Probability? = nil, amount: Money? = nil, reason: String? = nil,
                stageOutcome: StageOutcome? = nil) {
        self.reason = reason
        self.stageOutcome = stageOutcome
        self.opportunity = opportunity
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.event = event
        self.probability = probability
        self.amount = amount
    }

    /// Whether the line records a change of stage (a creation enters its first one).
    public var changesStage: Bool { from != to || event == .created }
}

/// Who makes a change and when: recorded in the stage history and the timestamps.
public struct ChangeContext: Sendable {
    public var now: Timestamp
    public var user: String

    public init(now: Timestamp, user: String) {
        self.now = now
        self.user = user
    }
}

/// Where a card goes inside its column.
public enum CardPlacement: Hashable, Sendable {
    case top
    case bottom
    case before(Opportunity.ID)
    case after(Opportunity.ID)
}

extension Opportunity {
    /// The fields a user edits whose values differ between the two records, in the editor's
    /// order: what an undone or redone edit says came back.
    public func editedFields(comparedTo other: Opportunity) -> [Field] {
        var fields: [Field] = []
        if title != other.title { fields.append(.title) }
        if customer.name != other.customer.name { fields.append(.customer) }
        if customer.contactName != other.customer.contactName { fields.append(.contact) }
        if customer.email != other.customer.email { fields.append(.email) }
        if customer.phone != other.customer.phone { fields.append(.phone) }
        if expectedRevenue != other.expectedRevenue { fields.append(.expectedRevenue) }
        if probability != other.probability { fields.append(.probability) }
        if salesperson != other.salesperson { fields.append(.salesperson) }
        if expectedClosing != other.expectedClosing { fields.append(.closingDate) }
        if priority != other.priority { fields.append(.priority) }
        if tags != other.tags { fields.append(.tag) }
        if notes != other.notes { fields.append(.notes) }
        return fields
    }
}
