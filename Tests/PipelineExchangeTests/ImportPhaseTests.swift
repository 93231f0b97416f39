import Foundation
import Testing
@testable import PipelineCore
@testable import PipelineExchange
import PipelineEngines
import PipelineStorage

/// After its rows, an import, a restore and a copy build indexes, check and commit: seconds
/// at 100,000 rows, which the progress line spent silent at 100 % while Ctrl-C went
/// unanswered (issue 15). The engines now name each phase to `RowProgress.phase`, and a
/// Ctrl-C (a throw from it) in any phase before the commit leaves nothing.
@Suite("Exchange: the phases after the rows")
struct ImportPhaseTests {
    /// The phases a progress heard, in order, each once however often it was called.
    final class Phases {
        var heard: [ProgressLine.Phase] = []
        var calls = 0

        func progress(stoppingAt stop: ((ProgressLine.Phase, Int) -> Bool)? = nil) -> RowProgress {
            RowProgress({ _, _ in }, phase: { [self] phase in
                calls += 1
                if heard.last != phase { heard.append(phase) }
                if let stop, stop(phase, calls) { throw DataCommandCancelled() }
            })
        }
    }

    @Test(arguments: ExchangeEngine.allCases) func anImportSaysItsPhasesAfterItsRows(_ engine: ExchangeEngine) throws {
        let fixture = try ExchangeFixture(engine)
        let phases = Phases()
        let report = try CSVImporter(database: fixture.database, options: ImportOptions(now: fixture.now, user: "importer"))
            .run(path: fixture.file("rows.csv", ProgressAndCancelTests.rows(1_000)), kind: nil, dryRun: false, progress: phases.progress())
        #expect(report.summary.created == 1_000)
        #expect(phases.heard == (engine == .sqlite ? [.indexing, .saving] : [.saving]))
    }

    /// SQLite: stopped in the middle of a statement that builds an index (SQLite's progress
    /// handler asks the progress again and again while it runs): the statement is
    /// interrupted, the transaction rolls back, and the file is whole and as it was.
    @Test func anImportStoppedWhileBuildingItsIndexesLeavesNothing() throws {
        let fixture = try ExchangeFixture()
        let phases = Phases()
        // The first call is on entering the phase; a later one is from inside a statement.
        #expect(throws: DataCommandCancelled.self) {
            try CSVImporter(database: fixture.database, options: ImportOptions(now: fixture.now, user: "importer"))
                .run(path: fixture.file("rows.csv", ProgressAndCancelTests.rows(5_000)), kind: nil, dryRun: false,
                     progress: phases.progress { phase, calls in phase == .indexing && calls == 3 })
        }
        #expect(phases.calls == 3 && phases.heard == [.indexing])
        #expect(try fixture.records().isEmpty)
        #expect(try fixture.database.integrityProblems() == [])
        // The schema the import set aside is back: the file imports whole, the filter finds it.
        let report = try fixture.importCSV(fixture.file("again.csv", ProgressAndCancelTests.rows(5_000)))
        #expect(report.summary.created == 5_000)
        #expect(try fixture.database.matchingCounts(team: try fixture.database.currentTeam().id, filter: "deal 4999").values.reduce(0, +) == 1)
    }

    /// A restore's phases, and a stop in each one before the commit: the database stays fresh
    /// and takes the backup afterwards. On the server a stop is seen between statements.
    @Test(arguments: ExchangeEngine.allCases) func aRestoreStoppedInAnyPhaseBeforeTheCommitLeavesItFresh(_ engine: ExchangeEngine) throws {
        let fixture = try ExchangeFixture(engine)
        _ = try fixture.importCSV(fixture.file("rows.csv", ProgressAndCancelTests.rows(3_000)))
        let backup = fixture.file("backup.json", try fixture.exported(.all, csv: false))
        let target = try fixture.another()
        let whole = Phases()
        _ = try JSONBackup.restore(path: backup, into: try fixture.another(), progress: whole.progress())
        #expect(whole.heard == (engine == .sqlite ? [.indexing, .checking, .saving] : [.indexing, .checking, .indexing, .saving]))
        for phase in [ProgressLine.Phase.indexing, .checking, .saving] {
            let phases = Phases()
            #expect(throws: DataCommandCancelled.self, "\(phase)") {
                try JSONBackup.restore(path: backup, into: target, progress: phases.progress { heard, _ in heard == phase })
            }
            #expect(try target.isUntouched(), "\(phase)")
        }
        #expect(try JSONBackup.restore(path: backup, into: target).records == 3_000)
    }

    /// A copy hears the target's phases through its progress (as `db copy`'s line shows them).
    @Test func aCopySaysTheTargetsPhases() throws {
        let fixture = try ExchangeFixture()
        _ = try fixture.importCSV(fixture.file("rows.csv", ProgressAndCancelTests.rows(500)))
        let phases = Phases()
        _ = try StoreCopy.copy(from: fixture.database, to: try fixture.another(), progress: phases.progress().counting(toward: 1_000))
        #expect(phases.heard == [.indexing, .checking, .saving])
    }
}
