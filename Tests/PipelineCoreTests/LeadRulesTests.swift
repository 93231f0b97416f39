import Testing
@testable import PipelineCore

@Suite("Leads")
struct LeadRulesTests {
    let world = World()

    func lead(_ id: Int64, company: String = "", contact: String = "", email: String = "", created: Int64 = 0,
              revenue: Int64 = 0, notes: String = "", tags: [String] = [], stars: Int = 0) -> Opportunity {
        Opportunity(id: Opportunity.ID(id), kind: .lead, title: "Lead \(id)",
                    customer: Customer(name: company, contactName: contact, email: email),
                    expectedRevenue: Money(minorUnits: revenue, currency: .usd)!, probability: nil,
                    team: World.sales.id, stage: nil, priority: Priority(stars: stars)!, tags: tags, notes: notes,
                    createdAt: later(created))
    }

    @Test func duplicatesShareAnEmailOrALongEnoughName() {
        let base = lead(1, company: "Công ty Sữa Việt Nam", contact: "Nguyễn Văn Đức", email: "Duc@Vinamilk.vn")
        #expect(DuplicateRule.isDuplicate(lead(2, email: "duc@vinamilk.VN"), of: base))
        #expect(DuplicateRule.isDuplicate(lead(3, company: "CONG TY SUA VIET NAM"), of: base))
        #expect(DuplicateRule.isDuplicate(lead(4, contact: "nguyen van duc"), of: base))
        #expect(!DuplicateRule.isDuplicate(lead(5, company: "Công ty Sữa Hà Nội"), of: base))
        #expect(!DuplicateRule.isDuplicate(base, of: base))
        // Names under six characters never count.
        let short = lead(6, company: "Acme", contact: "Lan")
        #expect(!DuplicateRule.isDuplicate(lead(7, company: "ACME", contact: "lan"), of: short))
        // Lost records count; plainly archived ones do not.
        var lost = lead(8, email: "duc@vinamilk.vn")
        lost.isActive = false
        lost.lostReason = "No budget"
        #expect(DuplicateRule.isDuplicate(lost, of: base))
        lost.lostReason = nil
        #expect(!DuplicateRule.isDuplicate(lost, of: base))
    }

    @Test func mergeOrderIsActiveThenOpportunityThenLaterStageThenProbabilityThenNewest() {
        var lostOpportunity = world.opportunity(in: "Negotiation")
        lostOpportunity.id = Opportunity.ID(20)
        lostOpportunity.isActive = false
        var early = world.opportunity(in: "New")
        early.id = Opportunity.ID(21)
        var late = world.opportunity(in: "Proposition")
        late.id = Opportunity.ID(22)
        var lateHigh = late
        lateHigh.id = Opportunity.ID(23)
        lateHigh.probability = probability(60)
        let oldLead = lead(30, created: 1), newLead = lead(31, created: 5)
        let order = Dictionary(uniqueKeysWithValues: world.stages.map { ($0.id, $0.sortOrder) })
        let ordered = Merge.ordered([oldLead, lostOpportunity, newLead, early, late, lateHigh], stageOrder: order).map(\.id.rawValue)
        #expect(ordered == [23, 22, 21, 31, 30, 20])
    }

    @Test func mergedFieldsTakeTheFirstNonEmptyValueJoinNotesUniteTagsAndKeepTheHighestPriority() throws {
        var deal = world.opportunity(in: "Proposition")
        deal.customer = Customer(name: "", contactName: "", email: "ana@acme.com")
        deal.notes = "Deal note"
        deal.tags = ["vip"]
        let first = lead(40, company: "Acme Corporation", contact: "Ana", created: 2, revenue: 500, notes: "Lead note", tags: ["VIP", "web"], stars: 3)
        let survivor = try #require(Merge.survivor(of: [first, deal], stageOrder: [:], at: later(9)))
        #expect(survivor.id == deal.id)
        #expect(survivor.kind == .opportunity)
        #expect(survivor.customer == Customer(name: "Acme Corporation", contactName: "Ana", email: "ana@acme.com"))
        #expect(survivor.expectedRevenue == deal.expectedRevenue)
        #expect(survivor.notes == "Deal note\n\nLead note")
        #expect(survivor.tags == ["vip", "web"])
        #expect(survivor.priority.stars == 3)
    }

    @Test func convertingGoesToTheEntryStageWithItsProbabilityAndKeepsTheId() throws {
        var world = World()
        world.stages[0].isFolded = true  // New is folded: Qualified is where new deals go
        let update = try lead(50, company: "Acme Corporation").converted(in: world.sales, salesperson: "Lan", customer: nil, at: later(1), by: "lan")
        #expect(update.opportunity.id == Opportunity.ID(50))
        #expect(update.opportunity.kind == .opportunity)
        #expect(update.opportunity.stage == world.stage("Qualified").id)
        #expect(update.opportunity.probability == probability(15))
        #expect(update.opportunity.convertedAt == later(1))
        #expect(update.opportunity.salesperson == "Lan")
        #expect(update.stageChange?.to == world.stage("Qualified").id)
    }

    @Test func aLostLeadMustBeRestoredBeforeConverting() throws {
        let lost = try lead(60).markedLostLead(reason: "Went quiet", at: later(1))
        #expect(!lost.isActive && lost.lostReason == "Went quiet")
        #expect(throws: PipelineError.leadIsLost(Opportunity.ID(60))) {
            try lost.converted(in: world.sales, salesperson: nil, customer: nil, at: later(2), by: "lan")
        }
        let restored = try lost.restoredLead(at: later(3))
        #expect(restored.isActive && restored.lostReason == nil)
        #expect(throws: PipelineError.leadNotLost(Opportunity.ID(60))) { try restored.restoredLead(at: later(4)) }
        #expect(throws: PipelineError.emptyText(.lostReason)) { try lead(61).markedLostLead(reason: " ", at: later(1)) }
    }

    @Test func leadsHaveNoProbabilityOrStage() throws {
        var changes = OpportunityChanges()
        changes.title = "Lead"
        changes.probability = probability(20)
        #expect(throws: PipelineError.leadHasNoProbability) {
            try Opportunity.createLead(changes, team: World.sales.id, currency: .usd, at: World.now)
        }
        changes.probability = nil
        let lead = try Opportunity.createLead(changes, team: World.sales.id, currency: .vnd, at: World.now)
        #expect(lead.kind == .lead && lead.stage == nil && lead.probability == nil)
        #expect(lead.expectedRevenue.currency == .vnd)
        #expect(throws: PipelineError.notAnOpportunity(lead.id)) {
            try lead.moved(to: self.world.stage("New"), in: self.world.sales, at: World.now, by: "lan")
        }
    }

    @Test func leadOrdersCycle() {
        #expect(LeadOrder.date.next == .priority)
        #expect(LeadOrder.priority.next == .revenue)
        #expect(LeadOrder.revenue.next == .date)
        let starred = lead(70, created: 0, stars: 2), plain = lead(71, created: 100)
        #expect(LeadOrder.priority.sortValue(of: starred) > LeadOrder.priority.sortValue(of: plain))
        #expect(LeadOrder.date.sortValue(of: plain) > LeadOrder.date.sortValue(of: starred))
    }
}

@Suite("Lead conversion plans")
struct ConversionPlanTests {
    let world = World()

    func record(_ id: Int64, kind: RecordKind, company: String, contact: String = "", email: String = "", phone: String = "",
                stage: String? = nil) -> Opportunity {
        Opportunity(id: Opportunity.ID(id), kind: kind, title: "Record \(id)",
                    customer: Customer(name: company, contactName: contact, email: email, phone: phone),
                    expectedRevenue: Money(minorUnits: 100_000, currency: .usd)!, probability: stage.map { world.stage($0).probability },
                    team: World.sales.id, stage: stage.map { world.stage($0).id }, createdAt: World.now)
    }

    /// The customer fields of another opportunity come first, but its blanks never wipe out
    /// the contact, e-mail or phone of the lead and the records merged with it.
    @Test func aChosenCustomerNeverBlanksOutWhatTheMergedRecordsKnow() throws {
        let pilot = record(1, kind: .opportunity, company: "Initech", stage: "New")
        let phaseA = record(2, kind: .opportunity, company: "Initech", contact: "Bill Lumbergh", email: "bill@initech.com",
                            phone: "+1 555 0100", stage: "New")
        let phaseB = record(3, kind: .lead, company: "Initech", contact: "Bill Lumbergh", email: "bill.b@initech.com", phone: "+1 555 0199")
        for choice in [Conversion.CustomerChoice.opportunity(pilot.id), nil] {
            let plan = try Conversion(customer: choice, mergeWith: [phaseA.id])
                .plan(for: phaseB, merging: [phaseA.id: phaseA], customerSource: pilot, duplicates: [pilot, phaseA],
                      catalog: world.catalog, at: later(1), by: "lan")
            let survivor = plan.update.opportunity
            #expect(survivor.customer.name == "Initech", "\(String(describing: choice))")
            #expect(survivor.customer.contactName == "Bill Lumbergh" && survivor.customer.email == "bill@initech.com"
                    && survivor.customer.phone == "+1 555 0100", "\(String(describing: choice))")
        }
        // Asking for no customer still means none.
        let none = try Conversion(customer: Conversion.CustomerChoice.none)
            .plan(for: phaseB, merging: [:], customerSource: nil, duplicates: [], catalog: world.catalog, at: later(1), by: "lan")
        #expect(none.update.opportunity.customer == Customer())
    }
}
