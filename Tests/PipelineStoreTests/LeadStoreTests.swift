import Foundation
import Testing
@testable import PipelineCore
@testable import PipelineStore

@Suite("Store: leads")
struct LeadStoreTests {
    @discardableResult
    func lead(_ temporary: TemporaryDatabase, _ title: String, company: String? = nil, contact: String? = nil,
              email: String? = nil, revenue: String? = nil, priority: String? = nil) throws -> Opportunity {
        let changes = try OpportunityForm(title: title, customer: company, contact: contact, email: email,
                                          expectedRevenue: revenue, priority: priority).validated(language: .english, currency: .usd)
        return try temporary.database.addLead(changes, team: try temporary.sales.id, context: temporary.context())
    }

    @Test func leadsAreOpportunityRecordsWithoutStageOrProbability() throws {
        let temporary = try TemporaryDatabase()
        let added = try lead(temporary, "Acme website", company: "Acme Corporation", email: "ana@acme.com", revenue: "5,000")
        let stored = try temporary.database.lead(String(added.id.rawValue))
        #expect(stored.kind == .lead && stored.stage == nil && stored.probability == nil)
        // Leads never show on the board nor in the forecast.
        #expect(try temporary.database.stageFigures(team: nil).values.reduce(0) { $0 + $1.count } == 0)
        #expect(throws: PipelineError.unknownOpportunity("Acme website")) { try temporary.database.opportunity("Acme website") }
        let edited = try temporary.database.editLead(added.id, try OpportunityForm(contact: "Ana Smith").validated(language: .english, currency: .usd),
                                                     context: temporary.context())
        #expect(edited.customer.contactName == "Ana Smith" && edited.customer.name == "Acme Corporation")
        let lost = try temporary.database.markLeadLost(added.id, reason: "No budget", context: temporary.context())
        #expect(!lost.isActive)
        #expect(try temporary.database.leads(LeadQuery(), limit: 10).isEmpty)
        #expect(try temporary.database.leads(LeadQuery(includeLost: true), limit: 10).count == 1)
        #expect(try temporary.database.restoreLead(added.id, context: temporary.context()).isActive)
    }

    @Test func duplicatesAreFoundByEmailCompanyAndContact() throws {
        let temporary = try TemporaryDatabase()
        let base = try lead(temporary, "Base", company: "Công ty Sữa Việt Nam", contact: "Nguyễn Văn Đức", email: "duc@vinamilk.vn")
        let byEmail = try lead(temporary, "By e-mail", email: "DUC@vinamilk.vn")
        let byCompany = try temporary.add("By company", stage: "Proposition")
        _ = try temporary.database.editOpportunity(byCompany.id, try OpportunityForm(customer: "CONG TY SUA VIET NAM").validated(language: .english, currency: .usd),
                                                   context: temporary.context())
        let byContact = try lead(temporary, "By contact", contact: "nguyen van duc")
        try lead(temporary, "Unrelated", company: "Công ty Sữa Hà Nội", contact: "Lan")
        let archived = try temporary.add("Archived", stage: "New")
        _ = try temporary.database.editOpportunity(archived.id, try OpportunityForm(email: "duc@vinamilk.vn").validated(language: .english, currency: .usd), context: temporary.context())
        _ = try temporary.database.archive(archived.id, context: temporary.context())
        let found = Set(try temporary.database.duplicates(of: base.id).map(\.id))
        #expect(found == [byEmail.id, byCompany.id, byContact.id])
    }

    @Test func convertingKeepsTheIdAndEntersTheFirstOpenStage() throws {
        let temporary = try TemporaryDatabase()
        let added = try lead(temporary, "Acme website", company: "Acme Corporation", revenue: "5,000")
        let converted = try temporary.database.convertLead(added.id, Conversion(salesperson: "Lan"), context: temporary.context())
        #expect(converted.id == added.id && converted.kind == .opportunity)
        #expect(converted.stage == (try temporary.stage("New").id))
        #expect(converted.probability == Probability(percent: 5))
        #expect(converted.convertedAt != nil)
        #expect(converted.salesperson == "Lan")
        #expect(try temporary.database.opportunity(added.id)?.weightedRevenue.minorUnits == 25_000)
        #expect(try temporary.database.history(of: added.id).map(\.toName) == ["New"])
        #expect(try temporary.database.stageFigures(team: nil)[try temporary.stage("New").id]?.count == 1)
    }

    @Test func aLostLeadIsNotConverted() throws {
        let temporary = try TemporaryDatabase()
        let added = try lead(temporary, "Quiet")
        _ = try temporary.database.markLeadLost(added.id, reason: "Silent", context: temporary.context())
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.leadIsLost(added.id)) {
            try temporary.database.convertLead(added.id, Conversion(), context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test func mergingKeepsTheMostAdvancedRecordWithEveryonesHistory() throws {
        let temporary = try TemporaryDatabase()
        let db = temporary.database
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
        let (leads, opportunities) = try temporary.sql { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity WHERE type = 'lead'"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity WHERE type = 'opportunity'"))
        }
        #expect(leads == 0 && opportunities == 1)
    }

    @Test func aFailedMergeChangesNothing() throws {
        let temporary = try TemporaryDatabase()
        let web = try lead(temporary, "Acme website", email: "ana@acme.com")
        let archived = try temporary.add("Old deal", stage: "New")
        _ = try temporary.database.archive(archived.id, context: temporary.context())
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.cannotMergeWith(archived.id)) {
            try temporary.database.convertLead(web.id, Conversion(mergeWith: [archived.id]), context: temporary.context())
        }
        #expect(throws: PipelineError.cannotMergeWith(web.id)) {
            try temporary.database.convertLead(web.id, Conversion(mergeWith: [web.id]), context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test func theCustomerComesFromTheLeadAMatchingOpportunityOrNowhere() throws {
        let temporary = try TemporaryDatabase()
        let deal = try temporary.add("Acme renewal", stage: "Proposition")
        _ = try temporary.database.editOpportunity(deal.id, try OpportunityForm(customer: "ACME Corporation Ltd", email: "ana@acme.com")
            .validated(language: .english, currency: .usd), context: temporary.context())
        let first = try lead(temporary, "First", company: "Acme", email: "ana@acme.com")
        // Without a choice, the matching opportunity's fields are taken (as the wizard pre-selects).
        #expect(try temporary.database.convertLead(first.id, Conversion(), context: temporary.context()).customer.name == "ACME Corporation Ltd")
        let second = try lead(temporary, "Second", company: "Acme", email: "ana@acme.com")
        #expect(try temporary.database.convertLead(second.id, Conversion(customer: .lead), context: temporary.context()).customer.name == "Acme")
        let third = try lead(temporary, "Third", company: "Acme", email: "x@acme.com")
        #expect(try temporary.database.convertLead(third.id, Conversion(customer: Conversion.CustomerChoice.none), context: temporary.context()).customer == Customer())
    }

    @Test func theLeadWindowPagesInEachOrder() throws {
        let temporary = try TemporaryDatabase()
        for index in 0..<12 {
            _ = try lead(temporary, "Lead \(index)", revenue: "\((index * 7) % 12 + 1),000", priority: String(index % 4))
        }
        let db = temporary.database
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

    @Test func removingATeamCountsAndMovesItsLeads() throws {
        let temporary = try TemporaryDatabase()
        let export = try temporary.database.addTeam(named: "Export", context: temporary.context())
        let changes = try OpportunityForm(title: "Export lead").validated(language: .english, currency: .usd)
        let exportLead = try temporary.database.addLead(changes, team: export.id, context: temporary.context())
        #expect(throws: PipelineError.teamNotEmpty("Export", opportunities: 0, leads: 1)) {
            try temporary.database.removeTeam(export.id, movingTo: nil, context: temporary.context())
        }
        _ = try temporary.database.removeTeam(export.id, movingTo: try temporary.sales.id, context: temporary.context())
        #expect(try temporary.database.lead(String(exportLead.id.rawValue)).team == (try temporary.sales.id))
    }
}
