import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

@Suite("Store: listings")
struct ListingTests {
    /// `opp list` and `lead list` read through these: filtered by team and stage, archived
    /// records only when asked, in pipeline order (stage order, team, column order) and the
    /// lead query's order.
    @Test(arguments: EngineKind.allCases) func listingsFilterByTeamAndStageInPipelineOrder(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let sales = try temporary.sales.id
        let export = try db.addTeam(named: "Export", context: temporary.context())
        let first = try temporary.add("First", stage: "Proposition")
        let second = try temporary.add("Second", stage: "Proposition")
        let early = try temporary.add("Early", stage: "New")
        let theirs = try temporary.add("Theirs", stage: "New", team: export.id)
        let archived = try db.archive(try temporary.add("Archived", stage: "Proposition").id, context: temporary.context())
        func titles(_ filter: OpportunityFilter) throws -> [String] {
            var titles: [String] = []
            try db.forEachOpportunity(filter) { titles.append($0.title) }
            return titles
        }
        // Stage order first, then team, then the column's order (newest on top).
        #expect(try titles(OpportunityFilter()) == [early.title, theirs.title, second.title, first.title])
        #expect(try titles(OpportunityFilter(team: sales)) == [early.title, second.title, first.title])
        #expect(try titles(OpportunityFilter(team: sales, stage: try temporary.stage("Proposition").id, includeArchived: true))
                == [archived.title, second.title, first.title])
        #expect(try titles(OpportunityFilter(team: export.id, stage: try temporary.stage("Proposition").id)).isEmpty)

        for (index, title) in ["Lead Hợp đồng", "Lead other", "Lead hợp tác"].enumerated() {
            let changes = try OpportunityForm(title: title, expectedRevenue: "\(index + 1),000").validated(language: .english, currency: .usd)
            _ = try db.addLead(changes, team: index == 2 ? export.id : sales, context: temporary.context())
        }
        var leads: [String] = []
        try db.forEachLead(LeadQuery(team: sales, order: .revenue, filter: "hop")) { leads.append($0.title) }
        #expect(leads == ["Lead Hợp đồng"])
        leads = []
        try db.forEachLead(LeadQuery(order: .revenue, filter: "lead ho")) { leads.append($0.title) }
        #expect(leads == ["Lead hợp tác", "Lead Hợp đồng"])
    }
}
