/// Converting a lead, with the records merged into it: a plan any store applies in one
/// transaction (the merged-away records' history moves to the survivor and they are
/// deleted, then the survivor is saved against the version it was loaded with).
public struct ConversionPlan: Sendable {
    /// Records merged into the survivor, to delete once their history is the survivor's.
    public var removed: [Opportunity.ID]
    /// The survivor as it will be stored, and its stage change.
    public var update: OpportunityUpdate
    /// The survivor as it is stored now (its version is checked).
    public var replacing: Opportunity
}

extension Conversion {
    /// Plans converting `lead` as this conversion asks.
    ///
    /// - Parameters:
    ///   - merging: the records `mergeWith` names, as stored (a missing one is refused).
    ///   - customerSource: for `customer: .opportunity(id)`, that opportunity as stored.
    ///   - duplicates: the lead's duplicates, for `customer: nil` (the wizard's pre-selection).
    public func plan(for lead: Opportunity, merging: [Opportunity.ID: Opportunity], customerSource: Opportunity?,
                     duplicates: [Opportunity], catalog: StageCatalog, at now: Timestamp,
                     by user: String) throws(PipelineError) -> ConversionPlan {
        guard lead.kind == .lead else { throw .notALead(lead.id) }
        guard lead.isActive else { throw .leadIsLost(lead.id) }
        let teamID = team ?? lead.team
        guard let team = catalog.team(teamID) else { throw .unknownTeam(String(teamID.rawValue)) }
        var chosenCustomer: Customer?
        switch customer {
        case nil:
            // As the wizard pre-selects: a matching opportunity's fields; when that record is
            // merged in anyway, the merge rule already puts its fields first.
            let preferred = DuplicateRule.preferredCustomer(among: duplicates, for: lead)
            chosenCustomer = preferred.flatMap { mergeWith.contains($0.id) ? nil : $0.customer }
        case .lead?: chosenCustomer = nil  // the lead's own fields (merged by the merge rule when merging)
        case .none?: chosenCustomer = Customer()
        case .opportunity(let source)?:
            guard let found = customerSource, found.id == source, found.kind == .opportunity else {
                throw .unknownOpportunity(String(source.rawValue))
            }
            chosenCustomer = mergeWith.contains(source) ? nil : found.customer
        }
        var others: [Opportunity] = []
        for other in mergeWith {
            guard other != lead.id, let record = merging[other], record.isActive || record.lostReason != nil else {
                throw .cannotMergeWith(other)
            }
            others.append(record)
        }
        let pipeline = catalog.pipeline(for: team)
        let stageOrder = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0.sortOrder) })
        var survivor = Merge.survivor(of: [lead] + others, stageOrder: stageOrder, at: now) ?? lead
        // Another record's customer fields come first, but where it has none the lead's (merged)
        // ones stay: choosing a customer must not throw away an e-mail or a phone.
        if customer != Conversion.CustomerChoice.none { chosenCustomer = chosenCustomer?.filling(from: survivor.customer) }
        let original = survivor.id == lead.id ? lead : others.first { $0.id == survivor.id } ?? lead
        let removed = ([lead] + others).map(\.id).filter { $0 != survivor.id }
        var update: OpportunityUpdate
        if survivor.kind == .lead {
            update = try survivor.converted(in: pipeline, salesperson: salesperson, customer: chosenCustomer, at: now, by: user)
        } else {
            if let salesperson { survivor.salesperson = try TextInput.singleLine(salesperson, field: .salesperson) }
            if let chosenCustomer { survivor.customer = chosenCustomer }
            survivor.convertedAt = now
            update = OpportunityUpdate(opportunity: survivor, stageChange: nil)
            if survivor.team != team.id {
                // Merging into another team's deal and asking for this team: it moves, as an edit would.
                update = try survivor.edited(OpportunityChanges(), stage: nil, in: pipeline, at: now, by: user)
                update.opportunity.convertedAt = now
            }
        }
        return ConversionPlan(removed: removed, update: update, replacing: original)
    }
}
