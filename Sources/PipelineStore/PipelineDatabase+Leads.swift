import GRDB
import PipelineCore

extension PipelineDatabase {
    public func lead(_ reference: String) throws -> Opportunity {
        try record(reference, kind: .lead)
    }

    /// One window of leads after `cursor` (the last lead of the previous window), in the
    /// query's order: the Leads view reads only what it shows.
    public func leads(_ query: LeadQuery, after cursor: Opportunity? = nil, limit: Int) throws -> [Opportunity] {
        try read { db in
            var (sql, arguments) = Self.leadCondition(query)
            let (key, order) = Self.leadSortKey(query.order)
            if let cursor {
                sql += " AND (\(key), id) < (?, ?)"
                arguments += [query.order.sortValue(of: cursor), cursor.id.rawValue]
            }
            arguments += [limit]
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order) LIMIT ?"),
                                    arguments: arguments).map(Rows.opportunity)
        }
    }

    /// A window of leads for the Leads view, paged like a board column (the cursor's
    /// `rank` is the lead's sort value, see `Opportunity.cursor(in:)`).
    public func leadWindow(_ query: LeadQuery, anchor: WindowAnchor, limit: Int) throws -> CardWindow {
        guard limit > 0 else { return .empty }
        return try read { db in
            let (condition, base) = Self.leadCondition(query)
            let (key, _) = Self.leadSortKey(query.order)
            // Leads are listed with the sort value descending; "after" means further down the list.
            func fetch(_ extra: String, _ values: StatementArguments, down: Bool, limit: Int) throws -> [Opportunity] {
                var arguments = base
                arguments += values
                arguments += [limit]
                let order = down ? "\(key) DESC, id DESC" : "\(key), id"
                let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(condition) \(extra) ORDER BY \(order) LIMIT ?"),
                                            arguments: arguments).map(Rows.opportunity)
                return down ? rows : rows.reversed()
            }
            func value(_ cursor: CardCursor) -> StatementArguments { [cursor.rank, cursor.id.rawValue] }
            var rows: [Opportunity]
            switch anchor {
            case .top: rows = try fetch("", [], down: true, limit: limit)
            case .bottom: rows = try fetch("", [], down: false, limit: limit)
            case .startingAt(let cursor): rows = try fetch("AND (\(key), id) <= (?, ?)", value(cursor), down: true, limit: limit)
            case .after(let cursor): rows = try fetch("AND (\(key), id) < (?, ?)", value(cursor), down: true, limit: limit)
            case .before(let cursor): rows = try fetch("AND (\(key), id) > (?, ?)", value(cursor), down: false, limit: limit)
            }
            guard let first = rows.first, let last = rows.last else { return .empty }
            let firstCursor = first.cursor(in: query.order), lastCursor = last.cursor(in: query.order)
            return CardWindow(cards: rows,
                              hasMoreAbove: !(try fetch("AND (\(key), id) > (?, ?)", value(firstCursor), down: false, limit: 1)).isEmpty,
                              hasMoreBelow: !(try fetch("AND (\(key), id) < (?, ?)", value(lastCursor), down: true, limit: 1)).isEmpty)
        }
    }

    /// Every lead the query selects, one at a time (memory does not grow with the database).
    public func forEachLead(_ query: LeadQuery, _ body: (Opportunity) throws -> Void) throws {
        try read { db in
            let (sql, arguments) = Self.leadCondition(query)
            let (_, order) = Self.leadSortKey(query.order)
            let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(Rows.opportunityColumns) FROM opportunity WHERE \(sql) ORDER BY \(order)"),
                                           arguments: arguments)
            while let row = try rows.next() { try body(Rows.opportunity(row)) }
        }
    }

    public func addLead(_ changes: OpportunityChanges, team: Team.ID, context: ChangeContext) throws -> Opportunity {
        try write { db in
            guard try Self.fetchTeams(db).contains(where: { $0.id == team }) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
            var lead = try Opportunity.createLead(changes, team: team, currency: try Self.defaultCurrency(db), at: context.now)
            lead.id = try Self.insertRecord(db, lead, externalID: nil)
            return lead
        }
    }

    public func editLead(_ id: Opportunity.ID, _ changes: OpportunityChanges, team: Team.ID? = nil,
                         expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, kind: .lead, expectedVersion: expectedVersion, context: context) { db, lead in
            if let team, try !Self.fetchTeams(db).contains(where: { $0.id == team }) { throw PipelineError.unknownTeam(String(team.rawValue)) }
            return OpportunityUpdate(opportunity: try lead.editedLead(changes, team: team, at: context.now), stageChange: nil)
        }
    }

    public func markLeadLost(_ id: Opportunity.ID, reason: String, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, kind: .lead, expectedVersion: expectedVersion, context: context) { _, lead in
            OpportunityUpdate(opportunity: try lead.markedLostLead(reason: reason, at: context.now), stageChange: nil)
        }
    }

    public func revertLead(to snapshot: Opportunity, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(snapshot.id, kind: .lead, expectedVersion: expectedVersion, context: context) { _, lead in
            OpportunityUpdate(opportunity: try lead.revertedLead(to: snapshot, at: context.now), stageChange: nil)
        }
    }

    public func restoreLead(_ id: Opportunity.ID, expectedVersion: Int? = nil, context: ChangeContext) throws -> Opportunity {
        try update(id, kind: .lead, expectedVersion: expectedVersion, context: context) { _, lead in
            OpportunityUpdate(opportunity: try lead.restoredLead(at: context.now), stageChange: nil)
        }
    }

    /// Active or lost leads and opportunities sharing the record's e-mail, company or
    /// contact name (see `DuplicateRule`), found through indexes.
    public func duplicates(of id: Opportunity.ID) throws -> [Opportunity] {
        try read { db in
            guard let record = try Self.fetchOpportunity(db, id) else { throw PipelineError.unknownLead(String(id.rawValue)) }
            return try Self.duplicates(db, of: record)
        }
    }

    /// Converts a lead into an opportunity (same id), optionally merging other records into
    /// it, in one transaction. See `Conversion` and `Merge`.
    public func convertLead(_ id: Opportunity.ID, _ conversion: Conversion, expectedVersion: Int? = nil,
                            context: ChangeContext) throws -> Opportunity {
        try write { db in
            let lead = try Self.loadForUpdate(db, id, kind: .lead, expectedVersion: expectedVersion)
            guard lead.isActive else { throw PipelineError.leadIsLost(id) }
            let catalog = try Self.fetchCatalog(db)
            let teamID = conversion.team ?? lead.team
            guard let team = catalog.team(teamID) else { throw PipelineError.unknownTeam(String(teamID.rawValue)) }
            var customer: Customer?
            switch conversion.customer {
            case nil:
                // As the wizard pre-selects: a matching opportunity's fields; when that record is
                // merged in anyway, the merge rule already puts its fields first.
                let preferred = DuplicateRule.preferredCustomer(among: try Self.duplicates(db, of: lead), for: lead)
                customer = preferred.flatMap { conversion.mergeWith.contains($0.id) ? nil : $0.customer }
            case .lead?: customer = nil  // the lead's own fields (merged by the merge rule when merging)
            case .none?: customer = Customer()
            case .opportunity(let source)?:
                guard let found = try Self.fetchOpportunity(db, source), found.kind == .opportunity else {
                    throw PipelineError.unknownOpportunity(String(source.rawValue))
                }
                customer = conversion.mergeWith.contains(source) ? nil : found.customer
            }
            var others: [Opportunity] = []
            for other in conversion.mergeWith {
                guard other != id, let record = try Self.fetchOpportunity(db, other),
                      record.isActive || record.lostReason != nil else { throw PipelineError.cannotMergeWith(other) }
                others.append(record)
            }
            let pipeline = catalog.pipeline(for: team)
            let stageOrder = Dictionary(uniqueKeysWithValues: catalog.stages.map { ($0.id, $0.sortOrder) })
            guard var survivor = Merge.survivor(of: [lead] + others, stageOrder: stageOrder, at: context.now) else { return lead }
            let original = survivor.id == lead.id ? lead : others.first { $0.id == survivor.id } ?? lead
            // The others go first (their history moves to the survivor), so the survivor's
            // checks see the pipeline as it will be.
            let removed = ([lead] + others).map(\.id).filter { $0 != survivor.id }
            for other in removed {
                try db.execute(sql: "UPDATE stage_history SET opportunity_id = ? WHERE opportunity_id = ?",
                               arguments: [survivor.id.rawValue, other.rawValue])
                try db.execute(sql: "DELETE FROM opportunity WHERE id = ?", arguments: [other.rawValue])
            }
            var update: OpportunityUpdate
            if survivor.kind == .lead {
                update = try survivor.converted(in: pipeline, salesperson: conversion.salesperson, customer: customer,
                                                at: context.now, by: context.user)
            } else {
                if let salesperson = conversion.salesperson { survivor.salesperson = try TextInput.singleLine(salesperson, field: .salesperson) }
                if let customer { survivor.customer = customer }
                survivor.convertedAt = context.now
                update = OpportunityUpdate(opportunity: survivor, stageChange: nil)
                if survivor.team != team.id {
                    // Merging into another team's deal and asking for this team: it moves, as an edit would.
                    update = try survivor.edited(OpportunityChanges(), stage: nil, in: pipeline, at: context.now, by: context.user)
                    update.opportunity.convertedAt = context.now
                }
            }
            return try Self.save(db, update, replacing: original, placement: .top)
        }
    }

    // MARK: - Inside a transaction

    static func duplicates(_ db: Database, of record: Opportunity) throws -> [Opportunity] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let email = DuplicateRule.emailKey(record.customer.email) { conditions.append("email_key = ?"); arguments += [email] }
        if let company = DuplicateRule.nameKey(record.customer.name) { conditions.append("company_key = ?"); arguments += [company] }
        if let contact = DuplicateRule.nameKey(record.customer.contactName) { conditions.append("contact_key = ?"); arguments += [contact] }
        guard !conditions.isEmpty else { return [] }
        arguments += [record.id.rawValue]
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Rows.opportunityColumns) FROM opportunity
            WHERE (\(conditions.joined(separator: " OR "))) AND id <> ? AND (active = 1 OR lost_reason IS NOT NULL)
            ORDER BY type DESC, id LIMIT 100
            """), arguments: arguments).map(Rows.opportunity).filter { DuplicateRule.isDuplicate($0, of: record) }
    }

    static func leadCondition(_ query: LeadQuery) -> (String, StatementArguments) {
        var sql = "type = 'lead'"
        var arguments: StatementArguments = []
        if let team = query.team { sql += " AND team_id = ?"; arguments += [team.rawValue] }
        if !query.includeLost { sql += " AND active = 1" }
        if let match = ftsQuery(query.filter) {
            sql += " AND id IN (SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ?)"
            arguments += [match]
        }
        return (sql, arguments)
    }

    /// The column a lead order sorts on, and its ORDER BY (descending: newest, most, largest first).
    static func leadSortKey(_ order: LeadOrder) -> (key: String, orderBy: String) {
        switch order {
        case .date: return ("created_at", "created_at DESC, id DESC")
        case .priority:
            let key = "(priority * 10000000000000 + created_at / 1000)"
            return (key, "\(key) DESC, id DESC")
        case .revenue: return ("expected_revenue", "expected_revenue DESC, id DESC")
        }
    }
}
