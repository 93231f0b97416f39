import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// A restore fills in every record's activity glance a batch of records per statement, so
/// that no statement journal holds the whole table (issue 15): the batches must cover every
/// record once, whatever falls on their edges.
@Suite("SQLite engine: activity glances refreshed in batches")
struct ActivityGlanceBatchTests {
    func glances(_ temporary: TemporaryDatabase) throws -> [String] {
        try temporary.sql {
            try String.fetchAll($0, sql: """
                SELECT id || ' ' || coalesce(next_activity_date, '-') || ' ' || coalesce(next_activity_time, '-') || ' ' || coalesce(latest_open_due, '-')
                FROM opportunity ORDER BY id
                """)
        }
    }

    @Test(arguments: [1, 2, 3, 7, 100]) func everyRecordsGlanceIsRefreshedWhateverTheBatch(_ batch: Int) throws {
        let temporary = try TemporaryDatabase()
        let records = try (0..<7).map { try temporary.add("Deal \($0)") }
        let types = try temporary.database.activityTypes()
        // The first and the last record, both sides of the edges of batches of 2 and 3, and
        // records without activities between them.
        for (index, due, time) in [(0, "2026-12-03", "09:30"), (1, "2026-12-04", nil), (2, "2026-12-05", "14:00"),
                                   (3, "2026-12-08", nil), (6, "2026-12-07", nil), (6, "2026-12-09", "08:15")] {
            let changes = try ActivityForm(type: "Call", summary: "Call \(index)", due: due, time: time).validated(language: .english, types: types)
            _ = try temporary.database.addActivity(to: records[index].id, changes, context: temporary.context())
        }
        let expected = try glances(temporary)
        #expect(expected.filter { !$0.hasSuffix("- - -") }.count == 5)
        try temporary.engine.queue.write { db in
            try db.execute(sql: "UPDATE opportunity SET next_activity_date = NULL, next_activity_time = NULL, latest_open_due = NULL")
            try SQLiteTransaction(db, path: temporary.path).refreshAllActivityGlances(batch: batch)
        }
        #expect(try glances(temporary) == expected)
    }
}
