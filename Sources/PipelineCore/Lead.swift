/// Leads: contacts not yet qualified, the same record as an opportunity with kind `.lead`,
/// no stage and no probability. Converting one keeps its id.
extension Opportunity {
    /// A new lead of `team`. Its company is the record's customer name.
    public static func createLead(_ changes: OpportunityChanges, team: Team.ID, currency: CurrencyCode,
                                  at now: Timestamp) throws(PipelineError) -> Opportunity {
        guard let title = changes.title else { throw .emptyText(.title) }
        guard changes.probability == nil else { throw .leadHasNoProbability }
        let currency = changes.expectedRevenue?.currency ?? changes.currency ?? currency
        return Opportunity(
            id: ID(0), kind: .lead, title: title,
            customer: Customer(name: changes.customerName ?? "", contactName: changes.contactName ?? "",
                               email: changes.email ?? "", phone: changes.phone ?? ""),
            expectedRevenue: changes.expectedRevenue ?? .zero(currency), probability: nil,
            salesperson: changes.salesperson ?? "", team: team, stage: nil,
            priority: changes.priority ?? .normal, tags: changes.tags ?? [],
            expectedClosing: changes.expectedClosing ?? nil, notes: changes.notes ?? "", createdAt: now)
    }

    /// Applies edited fields to a lead (and moves it to `team`).
    public func editedLead(_ changes: OpportunityChanges, team: Team.ID?, at now: Timestamp) throws(PipelineError) -> Opportunity {
        guard kind == .lead else { throw .notALead(id) }
        guard changes.probability == nil else { throw .leadHasNoProbability }
        let pipeline = Pipeline(team: Team(id: team ?? self.team, name: ""), allStages: [])
        var result = try edited(changes, stage: nil, in: pipeline, at: now, by: "").opportunity
        result.stage = nil
        result.probability = nil
        return result
    }

    /// Marks a lead lost: archived, with the reason.
    public func markedLostLead(reason: String, at now: Timestamp) throws(PipelineError) -> Opportunity {
        guard kind == .lead else { throw .notALead(id) }
        var result = self
        result.lostReason = try TextInput.requiredName(reason, field: .lostReason)
        result.isActive = false
        result.updatedAt = now
        return result
    }

    /// The lead as `snapshot` had it (its fields, whether it is lost and why), as undo puts it
    /// back; its id, team and creation time stay.
    public func revertedLead(to snapshot: Opportunity, at now: Timestamp) throws(PipelineError) -> Opportunity {
        guard kind == .lead, snapshot.id == id, snapshot.kind == .lead else { throw .notALead(id) }
        var result = snapshot
        result.team = team
        result.version = version
        result.createdAt = createdAt
        result.updatedAt = now
        return result
    }

    /// Brings a lost (or archived) lead back.
    public func restoredLead(at now: Timestamp) throws(PipelineError) -> Opportunity {
        guard kind == .lead else { throw .notALead(id) }
        guard !isActive || lostReason != nil else { throw .leadNotLost(id) }
        var result = self
        result.isActive = true
        result.lostReason = nil
        result.updatedAt = now
        return result
    }

    /// The lead as an opportunity (same id) in `pipeline`'s entry stage with that stage's
    /// probability; the conversion time is recorded. A lost lead must be restored first.
    public func converted(in pipeline: Pipeline, salesperson: String?, customer: Customer?,
                          at now: Timestamp, by user: String) throws(PipelineError) -> OpportunityUpdate {
        guard kind == .lead else { throw .notALead(id) }
        guard isActive else { throw .leadIsLost(id) }
        guard let stage = pipeline.entryStage else { throw .noEntryStage(pipeline: pipeline.team.name) }
        var result = self
        result.kind = .opportunity
        result.team = pipeline.team.id
        if let salesperson { result.salesperson = try TextInput.singleLine(salesperson, field: .salesperson) }
        if let customer { result.customer = customer }
        result.enter(stage, leaving: nil, at: now)
        result.probability = stage.entryProbability ?? stage.probability
        result.probabilitySetByHand = false
        result.convertedAt = now
        result.updatedAt = now
        return OpportunityUpdate(opportunity: result, stageChange: StageChange(opportunity: id, from: nil, to: stage.id, at: now, by: user))
    }
}

/// Which records may be the same customer's: the reference CRM's duplicate rule.
public enum DuplicateRule {
    /// Names shorter than this never count (too many "Anh"s and "Lan"s).
    public static let minimumNameLength = 6

    /// The key e-mail addresses match on: lower-cased, or `nil` when empty.
    public static func emailKey(_ email: String) -> String? {
        let key = email.trimmingWhitespace().lowercased()
        return key.isEmpty ? nil : key
    }

    /// The key company and contact names match on: case- and accent-insensitive, or `nil`
    /// when shorter than ``minimumNameLength``.
    public static func nameKey(_ name: String) -> String? {
        let key = TextInput.searchKey(name)
        return key.count >= minimumNameLength ? key : nil
    }

    /// Whether `candidate` is a possible duplicate of `record`: active or lost (archived with
    /// a reason), not the record itself, and sharing its e-mail, company or contact name.
    public static func isDuplicate(_ candidate: Opportunity, of record: Opportunity) -> Bool {
        guard candidate.id != record.id, candidate.isActive || candidate.lostReason != nil else { return false }
        if let email = emailKey(record.customer.email), email == emailKey(candidate.customer.email) { return true }
        if let company = nameKey(record.customer.name), company == nameKey(candidate.customer.name) { return true }
        if let contact = nameKey(record.customer.contactName), contact == nameKey(candidate.customer.contactName) { return true }
        return false
    }

    /// Whether `candidate` is surely the same customer as `record`: the same e-mail, or the
    /// same company and the same contact. A conversion offers to merge every duplicate but
    /// ticks only these (and never a won or lost deal: merging it would reopen it).
    public static func isStrongDuplicate(_ candidate: Opportunity, of record: Opportunity) -> Bool {
        if let email = emailKey(record.customer.email), email == emailKey(candidate.customer.email) { return true }
        guard let company = nameKey(record.customer.name), let contact = nameKey(record.customer.contactName) else { return false }
        return company == nameKey(candidate.customer.name) && contact == nameKey(candidate.customer.contactName)
    }

    /// The duplicate whose customer fields a conversion pre-selects: the first matching by
    /// e-mail, else by company or contact name.
    public static func preferredCustomer(among duplicates: [Opportunity], for lead: Opportunity) -> Opportunity? {
        let opportunities = duplicates.filter { $0.kind == .opportunity }
        if let email = emailKey(lead.customer.email),
           let match = opportunities.first(where: { emailKey($0.customer.email) == email }) { return match }
        return opportunities.first { candidate in
            (nameKey(lead.customer.name).map { $0 == nameKey(candidate.customer.name) } ?? false)
                || (nameKey(lead.customer.contactName).map { $0 == nameKey(candidate.customer.contactName) } ?? false)
        }
    }
}

/// Merging duplicates into one record.
public enum Merge {
    /// The records in the order that decides: active before lost or archived, then
    /// opportunity before lead, then later stage, then higher probability, then newest.
    /// `stageOrder` gives each stage's place in the pipeline (higher is later).
    public static func ordered(_ records: [Opportunity], stageOrder: [Stage.ID: Int]) -> [Opportunity] {
        records.sorted { a, b in
            if a.isActive != b.isActive { return a.isActive }
            if a.kind != b.kind { return a.kind == .opportunity }
            let stageA = a.stage.flatMap { stageOrder[$0] } ?? -1, stageB = b.stage.flatMap { stageOrder[$0] } ?? -1
            if stageA != stageB { return stageA > stageB }
            let probabilityA = a.probability?.basisPoints ?? -1, probabilityB = b.probability?.basisPoints ?? -1
            if probabilityA != probabilityB { return probabilityA > probabilityB }
            if a.createdAt != b.createdAt { return a.createdAt > b.createdAt }
            return a.id > b.id
        }
    }

    /// The survivor of merging `records`: the first in ``ordered(_:stageOrder:)`` order,
    /// each field taking the first non-empty value in that order, notes joined, tags united,
    /// the highest priority.
    public static func survivor(of records: [Opportunity], stageOrder: [Stage.ID: Int], at now: Timestamp) -> Opportunity? {
        let ordered = ordered(records, stageOrder: stageOrder)
        guard var survivor = ordered.first else { return nil }
        func first(_ value: (Opportunity) -> String) -> String { ordered.map(value).first { !$0.isEmpty } ?? "" }
        survivor.title = first(\.title)
        survivor.customer = Customer(name: first(\.customer.name), contactName: first(\.customer.contactName),
                                     email: first(\.customer.email), phone: first(\.customer.phone))
        survivor.salesperson = first(\.salesperson)
        if let revenue = ordered.first(where: { $0.expectedRevenue.minorUnits > 0 })?.expectedRevenue {
            survivor.expectedRevenue = revenue
            if survivor.kind == .opportunity { survivor.probability = survivor.probability ?? .zero }
        }
        survivor.expectedClosing = ordered.compactMap(\.expectedClosing).first
        survivor.notes = ordered.map(\.notes).filter { !$0.isEmpty }.joined(separator: "\n\n")
        var seen = Set<String>()
        survivor.tags = ordered.flatMap(\.tags).filter { seen.insert(TextInput.nameKey($0)).inserted }
        survivor.priority = ordered.map(\.priority).max() ?? survivor.priority
        survivor.updatedAt = now
        return survivor
    }
}
