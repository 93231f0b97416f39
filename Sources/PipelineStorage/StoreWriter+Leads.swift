import PipelineCore

/// The lead workflow every engine shares: the qualification step before the pipeline.
extension StoreWriter {
    public func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity {
        guard let owner = try teams().first(where: { $0.id == team }) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        var changes = changes
        try checkNewRecord(&changes, in: owner, kind: .lead, access: try access(), creator: context.user)
        var lead = try Opportunity.createLead(changes, team: team, currency: try defaultCurrency(), at: context.now)
        lead.id = try insertRecord(lead, externalID: nil)
        return lead
    }

    public func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil,
                         expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, kind: .lead, expectedVersion: expectedVersion) { catalog, lead in
            if let team, catalog.team(team) == nil { throw PipelineError.unknownTeam(String(team.rawValue)) }
            return OpportunityUpdate(opportunity: try lead.editedLead(changes, team: team, at: context.now), stageChange: nil)
        }
    }

    public func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, kind: .lead, expectedVersion: expectedVersion) { _, lead in
            OpportunityUpdate(opportunity: try lead.markedLostLead(reason: reason, at: context.now), stageChange: nil)
        }
    }

    public func revertLead(to snapshot: Opportunity, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(snapshot.id, kind: .lead, expectedVersion: expectedVersion) { _, lead in
            OpportunityUpdate(opportunity: try lead.revertedLead(to: snapshot, at: context.now), stageChange: nil)
        }
    }

    public func restoreLead(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try change(id, kind: .lead, expectedVersion: expectedVersion) { _, lead in
            OpportunityUpdate(opportunity: try lead.restoredLead(at: context.now), stageChange: nil)
        }
    }

    /// Converts a lead into an opportunity (same id), optionally merging other records into
    /// it, in one transaction: the core plans it (`Conversion.plan`), this applies the plan.
    public func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int? = nil,
                            context: ChangeContext) throws -> Opportunity {
        let lead = try loadForUpdate(id, kind: .lead, expectedVersion: expectedVersion)
        let catalog = try catalog()
        let access = try access()
        try access.refusalToChange(lead, of: Self.team(lead.team, in: catalog)).enforce()
        guard lead.isActive else { throw PipelineError.leadIsLost(id) }
        var merging: [Opportunity.ID: Opportunity] = [:]
        for other in conversion.mergeWith where other != id {
            if let record = try record(other) {
                // A merge deletes the other record: the person must be allowed to change it.
                try access.refusalToChange(record, of: Self.team(record.team, in: catalog)).enforce()
                merging[other] = record
            }
        }
        var conversion = conversion
        if lead.salesperson.isEmpty, merging.values.allSatisfy(\.salesperson.isEmpty) {
            // A salesperson taking an unassigned lead takes it for themselves.
            conversion.salesperson = access.salesperson(converting: conversion.salesperson)
        }
        var source: Opportunity?
        if case .opportunity(let sourceID)? = conversion.customer { source = try record(sourceID) }
        let duplicates = conversion.customer == nil ? try duplicates(of: lead) : []
        let plan = try conversion.plan(for: lead, merging: merging, customerSource: source, duplicates: duplicates,
                                       catalog: catalog, at: context.now, by: context.user)
        // The others go first (their history moves to the survivor), so the survivor's
        // checks see the pipeline as it will be.
        for removed in plan.removed {
            let version = removed == lead.id ? lead.version : merging[removed]?.version ?? 0
            guard try mergeRecord(removed, into: plan.update.opportunity.id, expectedVersion: version) else {
                throw PipelineError.changedSinceLoaded(kind: "opportunity", id: removed.rawValue)
            }
        }
        let survivor = try save(plan.update, replacing: plan.replacing, placement: .top, catalog: catalog, access: access,
                                by: context.user)
        guard !plan.removed.isEmpty else { return survivor }
        // The survivor now has the merged records' activities too.
        try refreshActivityGlance(of: survivor.id)
        return try record(survivor.id) ?? survivor
    }
}
