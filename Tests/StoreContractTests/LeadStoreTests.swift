import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

@Suite("Store: leads")
struct LeadStoreTests {
    @discardableResult
    func lead(_ temporary: StoreFixture, _ title: String, company: String? = nil, contact: String? = nil,
              email: String? = nil, revenue: String? = nil, priority: String? = nil) throws -> Opportunity {
        let changes = try OpportunityForm(title: title, customer: company, contact: contact, email: email,
                                          expectedRevenue: revenue, priority: priority).validated(language: .english, currency: .usd)
        return try temporary.store.addLead(changes, team: try temporary.sales.id, context: temporary.context())
    }

    @Test(arguments: EngineKind.allCases) func leadsAreOpportunityRecordsWithoutStageOrProbability(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let added = try lead(temporary, "Acme website", company: "Acme Corporation", email: "ana@acme.com", revenue: "5,000")
        let stored = try temporary.store.lead(String(added.id.rawValue))
        #expect(stored.kind == .lead && stored.stage == nil && stored.probability == nil)
        // Leads never show on the board nor in the forecast.
        #expect(try temporary.store.stageFigures(team: nil).values.reduce(0) { $0 + $1.count } == 0)
        #expect(throws: PipelineError.unknownOpportunity("Acme website")) { try temporary.store.opportunity("Acme website") }
        let edited = try temporary.store.editLead(added.id, try OpportunityForm(contact: "Ana Smith").validated(language: .english, currency: .usd),
                                                     context: temporary.context())
        #expect(edited.customer.contactName == "Ana Smith" && edited.customer.name == "Acme Corporation")
        let lost = try temporary.store.markLeadLost(added.id, reason: "No budget", context: temporary.context())
        #expect(!lost.isActive)
        #expect(try temporary.store.leads(LeadQuery(), limit: 10).isEmpty)
        #expect(try temporary.store.leads(LeadQuery(includeLost: true), limit: 10).count == 1)
        #expect(try temporary.store.restoreLead(added.id, context: temporary.context()).isActive)
    }

    @Test(arguments: EngineKind.allCases) func duplicatesAreFoundByEmailCompanyAndContact(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let base = try lead(temporary, "Base", company: "Công ty Sữa Việt Nam", contact: "Nguyễn Văn Đức", email: "duc@vinamilk.vn")
        let byEmail = try lead(temporary, "By e-mail", email: "DUC@vinamilk.vn")
        let byCompany = try temporary.add("By company", stage: "Proposition")
        _ = try temporary.store.editOpportunity(byCompany.id, try OpportunityForm(customer: "CONG TY SUA VIET NAM").validated(language: .english, currency: .usd),
                                                   context: temporary.context())
        let byContact = try lead(temporary, "By contact", contact: "nguyen van duc")
        try lead(temporary, "Unrelated", company: "Công ty Sữa Hà Nội", contact: "Lan")
        let archived = try temporary.add("Archived", stage: "New")
        _ = try temporary.store.editOpportunity(archived.id, try OpportunityForm(email: "duc@vinamilk.vn").validated(language: .english, currency: .usd), context: temporary.context())
        _ = try temporary.store.archive(archived.id, context: temporary.context())
        let found = Set(try temporary.store.duplicates(of: base.id).map(\.id))
        #expect(found == [byEmail.id, byCompany.id, byContact.id])
    }

    @Test(arguments: EngineKind.allCases) func convertingKeepsTheIdAndEntersTheFirstOpenStage(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let added = try lead(temporary, "Acme website", company: "Acme Corporation", revenue: "5,000")
        let converted = try temporary.store.convertLead(added.id, Conversion(salesperson: "Lan"), context: temporary.context())
        #expect(converted.id == added.id && converted.kind == .opportunity)
        #expect(converted.stage == (try temporary.stage("New").id))
        #expect(converted.probability == Probability(percent: 5))
        // Its history begins there, recording that the stage was open (schema 9).
        #expect(try temporary.store.history(of: converted.id).map(\.change.stageOutcome) == [.open])
        #expect(converted.convertedAt != nil)
        #expect(converted.salesperson == "Lan")
        #expect(try temporary.store.opportunity(added.id)?.weightedRevenue.minorUnits == 25_000)
        #expect(try temporary.store.history(of: added.id).map(\.toName) == ["New"])
        #expect(try temporary.store.stageFigures(team: nil)[try temporary.stage("New").id]?.count == 1)
    }

    @Test(arguments: EngineKind.allCases) func aLostLeadIsNotConverted(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let added = try lead(temporary, "Quiet")
        _ = try temporary.store.markLeadLost(added.id, reason: "Silent", context: temporary.context())
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.leadIsLost(added.id)) {
            try temporary.store.convertLead(added.id, Conversion(), context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test(arguments: EngineKind.allCases) func mergingKeepsTheMostAdvancedRecordWithEveryonesHistory(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let deal = try temporary.add("Acme renewal", revenue: "12,000", stage: "New")
        _ = try db.moveOpportunity(deal.id, to: try temporary.stage("Proposition").id, context: temporary.context())
        _ = try db.editOpportunity(deal.id, try OpportunityForm(email: "ana@acme.com", tags: ["renewal"], notes: "Renewal due").validated(language: .english, currency: .usd), context: temporary.context())
        let web = try lead(temporary, "Acme website", company: "Acme Corporation", contact: "Ana Smith", email: "ana@acme.com", revenue: "5,000", priority: "3")
        let app = try lead(temporary, "Acme app", email: "ANA@acme.com")
        let merged = try db.convertLead(web.id, Conversion(mergeWith: [deal.id, app.id]), context: temporary.context())
        #expect(merged.id == deal.id)
        #expect(merged.stage == (try temporary.stage("Proposition").id))
        #expect(merged.title == "Acme renewal")
        #expect(merged.customer.name == "Acme Corporation" && merged.customer.contactName == "Ana Smith")
        #expect(merged.expectedRevenue.minorUnits == 1_200_000)
        #expect(merged.priority.stars == 3)
        #expect(merged.tags == ["renewal"])
        #expect(try db.opportunity(web.id) == nil && (try? db.lead(String(app.id.rawValue))) == nil)
        #expect(try db.history(of: deal.id).map(\.toName) == ["New", "Proposition"])
        let records = try temporary.records()
        #expect(records.filter { $0.kind == .lead }.isEmpty && records.filter { $0.kind == .opportunity }.count == 1)
    }

    @Test(arguments: EngineKind.allCases) func aFailedMergeChangesNothing(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let web = try lead(temporary, "Acme website", email: "ana@acme.com")
        let archived = try temporary.add("Old deal", stage: "New")
        _ = try temporary.store.archive(archived.id, context: temporary.context())
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.cannotMergeWith(archived.id)) {
            try temporary.store.convertLead(web.id, Conversion(mergeWith: [archived.id]), context: temporary.context())
        }
        #expect(throws: PipelineError.cannotMergeWith(web.id)) {
            try temporary.store.convertLead(web.id, Conversion(mergeWith: [web.id]), context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test(arguments: EngineKind.allCases) func theCustomerComesFromTheLeadAMatchingOpportunityOrNowhere(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let deal = try temporary.add("Acme renewal", stage: "Proposition")
        _ = try temporary.store.editOpportunity(deal.id, try OpportunityForm(customer: "ACME Corporation Ltd", email: "ana@acme.com")
            .validated(language: .english, currency: .usd), context: temporary.context())
        let first = try lead(temporary, "First", company: "Acme", email: "ana@acme.com")
        // Without a choice, the matching opportunity's fields are taken (as the wizard pre-selects).
        #expect(try temporary.store.convertLead(first.id, Conversion(), context: temporary.context()).customer.name == "ACME Corporation Ltd")
        let second = try lead(temporary, "Second", company: "Acme", email: "ana@acme.com")
        #expect(try temporary.store.convertLead(second.id, Conversion(customer: .lead), context: temporary.context()).customer.name == "Acme")
        let third = try lead(temporary, "Third", company: "Acme", email: "x@acme.com")
        #expect(try temporary.store.convertLead(third.id, Conversion(customer: Conversion.CustomerChoice.none), context: temporary.context()).customer == Customer())
    }

    @Test(arguments: EngineKind.allCases) func theLeadWindowPagesInEachOrder(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        for index in 0..<12 {
            _ = try lead(temporary, "Lead \(index)", revenue: "\((index * 7) % 12 + 1),000", priority: String(index % 4))
        }
        let db = temporary.store
        for order in LeadOrder.allCases {
            let all = try db.leads(LeadQuery(order: order), limit: 100)
            #expect(all.count == 12)
            var paged: [Opportunity] = []
            var window = try db.leadWindow(LeadQuery(order: order), anchor: .top, limit: 5)
            paged += window.cards
            while window.hasMoreBelow, let last = window.cards.last {
                window = try db.leadWindow(LeadQuery(order: order), anchor: .after(last.cursor(in: order)), limit: 5)
                paged += window.cards
            }
            #expect(paged.map(\.id) == all.map(\.id), "\(order)")
            let values = all.map { order.sortValue(of: $0) }
            #expect(values == values.sorted(by: >), "\(order)")
            let back = try db.leadWindow(LeadQuery(order: order), anchor: .before(all[7].cursor(in: order)), limit: 3)
            #expect(back.cards.map(\.id) == all[4..<7].map(\.id))
        }
        #expect(try db.leadWindow(LeadQuery(filter: "lead 1"), anchor: .top, limit: 20).cards.map(\.title).sorted() == ["Lead 1", "Lead 10", "Lead 11"])
    }

    @Test(arguments: EngineKind.allCases) func removingATeamCountsAndMovesItsLeads(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let export = try temporary.store.addTeam(named: "Export", context: temporary.context())
        let changes = try OpportunityForm(title: "Export lead").validated(language: .english, currency: .usd)
        let exportLead = try temporary.store.addLead(changes, team: export.id, context: temporary.context())
        #expect(throws: PipelineError.teamNotEmpty("Export", opportunities: 0, leads: 1)) {
            try temporary.store.removeTeam(export.id, movingTo: nil, context: temporary.context())
        }
        _ = try temporary.store.removeTeam(export.id, movingTo: try temporary.sales.id, context: temporary.context())
        #expect(try temporary.store.lead(String(exportLead.id.rawValue)).team == (try temporary.sales.id))
    }
}
