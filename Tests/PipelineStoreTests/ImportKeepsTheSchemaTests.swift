import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// The SQLite engine's import drops the filter index's triggers and puts them back: what it
/// puts back must be exactly what the migrations made, whether the import is kept, is a dry
/// run, or fails.
@Suite("SQLite engine: imports keep the schema")
struct ImportKeepsTheSchemaTests {
    func schema(_ temporary: TemporaryDatabase) throws -> [String] {
        try temporary.sql { try String.fetchAll($0, sql: "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name") }
    }

    @Test func importsLeaveTheSchemaAsTheMigrationsMadeIt() throws {
        let temporary = try TemporaryDatabase()
        let before = try schema(temporary)
        #expect(before.contains { $0.hasPrefix("trigger opportunity_search_after_insert") })
        for dryRun in [false, true] {
            _ = try temporary.database.importing(dryRun: dryRun) { transaction in
                let changes = try OpportunityForm(title: "Imported").validated(language: .english, currency: .usd)
                return try transaction.addOpportunity(changes, team: try transaction.currentTeam(for: nil).id, stage: nil, context: temporary.context())
            }
            #expect(try schema(temporary) == before)
        }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try temporary.database.importing(dryRun: false) { _ in throw Refused() }
        }
        #expect(try schema(temporary) == before)
        // The kept import's record is in the filter index like any other.
        #expect(try temporary.database.matchingCounts(team: try temporary.sales.id, filter: "imported").values.reduce(0, +) == 1)
    }

    /// Into an empty table the import sets the secondary indexes aside and builds them at the
    /// end (issue 15); into a table with rows it keeps them, maintained row by row. Either
    /// way the index the import reads External IDs through is there all along.
    @Test func anImportIntoAnEmptyTableBuildsItsIndexesOnceAtTheEnd() throws {
        let temporary = try TemporaryDatabase()
        func indexesDuringImport() throws -> Set<String> {
            try temporary.database.importing(dryRun: true) { transaction in
                let sqlite = try #require(transaction as? SQLiteTransaction)
                return Set(try String.fetchAll(sqlite.db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opportunity'"))
            }
        }
        let all = Set(try temporary.sql { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opportunity'") })
        #expect(all.contains("opportunity_by_title") && all.contains("opportunity_by_email"))
        let whileEmpty = try indexesDuringImport()
        #expect(!whileEmpty.contains("opportunity_by_title") && !whileEmpty.contains("opportunity_by_email"))
        #expect(whileEmpty.contains("opportunity_by_external_id") && whileEmpty.contains("opportunity_column"))
        let changes = try OpportunityForm(title: "Already there").validated(language: .english, currency: .usd)
        _ = try temporary.database.addOpportunity(changes, team: try temporary.sales.id, stage: nil, context: temporary.context())
        #expect(try indexesDuringImport() == all)
    }

    /// A restore writes into emptied tables: their indexes (but the unique ones, which keep
    /// External IDs unique as rows go in) and the filter index are built once at its end, and
    /// the schema is what the migrations made afterwards, whether the restore is kept or not.
    @Test func aRestoreBuildsItsIndexesOnceAtTheEnd() throws {
        let temporary = try TemporaryDatabase()
        let before = try schema(temporary)
        var during: Set<String> = []
        try temporary.engine.restoring { transaction in
            let sqlite = try #require(transaction as? SQLiteTransaction)
            during = Set(try String.fetchAll(sqlite.db, sql: "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"))
        }
        #expect(!during.contains("opportunity_by_title") && !during.contains("activity_by_due") && !during.contains("stage_history_by_opportunity"))
        #expect(!during.contains("opportunity_search_after_insert"))
        #expect(during.contains("opportunity_by_external_id") && during.contains("stage_total_after_insert"))
        #expect(try schema(temporary) == before)
        // A restore that fails (on a database of its own: a restore wants a fresh one).
        let another = try TemporaryDatabase()
        struct Refused: Error {}
        #expect(throws: Refused.self) { try another.engine.restoring { _ in throw Refused() } }
        #expect(try schema(another) == before)
    }
}

extension ImportKeepsTheSchemaTests {
    /// An import and a restore sort the indexes they build at their end in files, not in
    /// memory (a 1,000,000-deal restore peaked at 181 MB sorting in memory; the bound is 64 MB);
    /// every other write keeps its statement journals in memory, so the setting is back to
    /// MEMORY after each, kept, dry run or refused.
    @Test func bulkLoadsSortOnDiskAndPutTheSettingBack() throws {
        let temporary = try TemporaryDatabase()
        func tempStore(_ db: Database) throws -> Int { try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? -1 }
        var seen: [Int] = []
        for dryRun in [false, true] {
            seen.append(try temporary.database.importing(dryRun: dryRun) { transaction in
                try tempStore(try #require(transaction as? SQLiteTransaction).db)
            })
        }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try temporary.database.importing(dryRun: false) { transaction in
                seen.append(try tempStore(try #require(transaction as? SQLiteTransaction).db))
                throw Refused()
            }
        }
        let fresh = try TemporaryDatabase()
        try fresh.engine.restoring { transaction in seen.append(try tempStore(try #require(transaction as? SQLiteTransaction).db)) }
        let another = try TemporaryDatabase()
        #expect(throws: Refused.self) {
            try another.engine.restoring { transaction in
                seen.append(try tempStore(try #require(transaction as? SQLiteTransaction).db))
                throw Refused()
            }
        }
        #expect(seen == [1, 1, 1, 1, 1], "1 is FILE")
        for database in [temporary, fresh, another] {
            #expect(try database.engine.withDatabase { try tempStore($0) } == 2, "2 is MEMORY")
        }
    }
}
