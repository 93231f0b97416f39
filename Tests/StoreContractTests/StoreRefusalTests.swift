import Foundation
import Testing
@testable import PipelineCore
import PipelineStorage

@Suite("Store: what the engine itself refuses")
struct StoreRefusalTests {
    /// The schema's own rule (a deal only ever in a stage of its team's pipeline) refuses a
    /// write that slipped past the operations, in the rule's words, on every engine.
    @Test(arguments: EngineKind.allCases) func aRuleOfTheSchemaRefusesInItsOwnWords(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let db = temporary.store
        let sales = try temporary.sales.id
        let export = try db.addTeam(named: "Export", context: temporary.context())
        let (customs, _) = try db.addStage(StageDraft(name: "Customs", scope: .team(export.id)), in: export.id, at: nil)
        let before = try temporary.snapshot()
        let smuggled = Opportunity(id: Opportunity.ID(0), title: "Smuggled", expectedRevenue: .zero(.usd), probability: .zero,
                                   team: sales, stage: customs.id, createdAt: testNow)
        #expect(throws: StoreError.failed(path: db.location, reason: "pipeline: opportunity stage is not in its team pipeline")) {
            try db.inOneTransaction { writer in try writer.insertRecord(smuggled, externalID: nil) }
        }
        #expect(try temporary.snapshot() == before)
    }

    /// A restore runs only on an untouched store, and checks that inside its transaction.
    @Test(arguments: EngineKind.allCases) func aRestoreIntoAStoreWithDataIsRefused(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        try temporary.add("Someone's deal")
        let before = try temporary.snapshot()
        #expect(throws: PipelineError.backupNeedsFreshDatabase) {
            try temporary.store.restore { writer in try writer.storeSetting(.direction, "rtl") }
        }
        #expect(try temporary.snapshot() == before)
    }

    /// Rows that do not hold together (a deal of a stage the backup does not have) are
    /// refused as an inconsistent backup, and the fresh store stays as it was.
    @Test(arguments: EngineKind.allCases) func aRestoreWhoseRowsDoNotHoldTogetherIsRefused(_ engine: EngineKind) throws {
        let temporary = try StoreFixture(engine)
        let before = try temporary.snapshot()
        let team = BackupTeam(team: Team(id: Team.ID(7), name: "Sales"), createdAt: testNow)
        let stranded = Opportunity(id: Opportunity.ID(40), title: "Stranded", expectedRevenue: .zero(.usd), probability: .zero,
                                   team: Team.ID(7), stage: Stage.ID(99), createdAt: testNow)
        #expect(throws: PipelineError.backupInconsistent(BackupFault("backup.danglingReferences"))) {
            try temporary.store.restore { writer in
                try writer.insert(team)
                try writer.insert(stranded, externalID: nil)
            }
        }
        #expect(try temporary.snapshot() == before)
    }
}
