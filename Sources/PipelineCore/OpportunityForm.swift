/// What a user typed for an opportunity, field by field; `nil` means "not given".
///
/// The CLI and the board both fill a form and let the domain validate it, so the two can
/// never accept different input.
public struct OpportunityForm: Sendable {
    public var title: String?
    public var customer: String?
    public var contact: String?
    public var email: String?
    public var phone: String?
    public var expectedRevenue: String?
    public var currency: String?
    public var probability: String?
    public var salesperson: String?
    /// `YYYY-MM-DD`, or an empty string to clear the date.
    public var expectedClosing: String?
    public var priority: String?
    public var tags: [String]?
    public var notes: String?
    /// A lost deal's reason, reworded (the board's card editor shows it for a lost deal).
    public var lostReason: String?

    public init(title: String? = nil, customer: String? = nil, contact: String? = nil, email: String? = nil,
                phone: String? = nil, expectedRevenue: String? = nil, currency: String? = nil,
                probability: String? = nil, salesperson: String? = nil, expectedClosing: String? = nil,
                priority: String? = nil, tags: [String]? = nil, notes: String? = nil, lostReason: String? = nil) {
        self.lostReason = lostReason
        self.title = title
        self.customer = customer
        self.contact = contact
        self.email = email
        self.phone = phone
        self.expectedRevenue = expectedRevenue
        self.currency = currency
        self.probability = probability
        self.salesperson = salesperson
        self.expectedClosing = expectedClosing
        self.priority = priority
        self.tags = tags
        self.notes = notes
    }

    /// Validates every given field.
    ///
    /// - Parameters:
    ///   - language: decides how a typed amount is read (`1,500.50` or `1.500,50`).
    ///   - currency: the currency an amount is in when the form names none (the record's
    ///     own when editing, the database default when creating).
    public func validated(language: Language, currency fallback: CurrencyCode) throws(PipelineError) -> OpportunityChanges {
        var changes = OpportunityChanges()
        if let title { changes.title = try TextInput.requiredName(title, field: .title) }
        if let customer { changes.customerName = try TextInput.singleLine(customer, field: .customer) }
        if let contact { changes.contactName = try TextInput.singleLine(contact, field: .contact) }
        if let email { changes.email = try Self.validEmail(email) }
        if let phone { changes.phone = try Self.validPhone(phone) }
        let currency = try currency.map { text throws(PipelineError) in try CurrencyCode(parsing: text) }
        changes.currency = currency
        if let expectedRevenue {
            changes.expectedRevenue = try Money(typed: expectedRevenue, currency: currency ?? fallback, language: language)
        }
        if let probability { changes.probability = try Probability(parsing: probability) }
        if let salesperson { changes.salesperson = try TextInput.singleLine(salesperson, field: .salesperson) }
        if let expectedClosing {
            let trimmed = expectedClosing.trimmingWhitespace()
            changes.expectedClosing = .some(trimmed.isEmpty ? nil : try CalendarDate(parsing: trimmed, language: language))
        }
        if let priority { changes.priority = try Priority(parsing: priority) }
        if let tags { changes.tags = try Self.validTags(tags) }
        if let notes { changes.notes = try TextInput.multiLine(notes, field: .notes) }
        if let lostReason { changes.lostReason = try TextInput.requiredName(lostReason, field: .lostReason) }
        return changes
    }

    static func validEmail(_ text: String) throws(PipelineError) -> String {
        let email = try TextInput.singleLine(text, field: .email)
        if email.isEmpty { return email }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace) else {
            throw .invalidEmail(text)
        }
        return email
    }

    static func validPhone(_ text: String) throws(PipelineError) -> String {
        let phone = try TextInput.singleLine(text, field: .phone)
        if phone.isEmpty { return phone }
        let allowed = Set("0123456789 +-().")
        guard phone.allSatisfy({ allowed.contains($0) }), phone.contains(where: \.isASCIIDigit) else {
            throw .invalidPhone(text)
        }
        return phone
    }

    /// Tags are trimmed, de-duplicated ignoring case, and may not contain commas (files
    /// list them comma-separated).
    static func validTags(_ tags: [String]) throws(PipelineError) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        for raw in tags {
            let tag = try TextInput.singleLine(raw, field: .tag)
            guard !tag.isEmpty, !tag.contains(",") else { throw .invalidTag(raw) }
            if seen.insert(TextInput.nameKey(tag)).inserted { result.append(tag) }
        }
        return result
    }
}

/// Validated changes to an opportunity; `nil` fields stay as they are.
public struct OpportunityChanges: Sendable {
    public var title: String?
    public var customerName: String?
    public var contactName: String?
    public var email: String?
    public var phone: String?
    public var expectedRevenue: Money?
    public var currency: CurrencyCode?
    public var probability: Probability?
    public var salesperson: String?
    /// `.some(nil)` clears the date.
    public var expectedClosing: CalendarDate??
    public var priority: Priority?
    public var tags: [String]?
    public var notes: String?
    /// A new wording of a lost deal's reason; a deal that is not lost has none to reword.
    public var lostReason: String?

    public init() {}
}
