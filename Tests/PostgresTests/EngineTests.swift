import Foundation
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import PostgresClient
@testable import PostgresStore
import Testing

/// A pipeline store on a database of the test's own, and a few ways to fill it.
struct EngineHarness {
    let database: TestDatabase
    let engine: PostgresEngine
    let store: EngineStore

    init(_ database: TestDatabase, busyTimeout: TimeInterval = 5, language: Language = .english) throws {
        self.database = database
        engine = try PostgresEngine(connectionString: try database.connectionString(), seedLanguage: language, now: testNow,
                                    busyTimeout: busyTimeout)
        store = EngineStore(engine: engine)
    }

    /// Another engine on the same database, as a colleague's laptop would have.
    func colleague(busyTimeout: TimeInterval = 5) throws -> EngineHarness {
        try EngineHarness(database, busyTimeout: busyTimeout)
    }

    var team: Team.ID { get throws { try store.currentTeam().id } }

    func stage(_ name: String) throws -> Stage.ID {
        try store.pipeline(for: team).resolveStage(name).id
    }

    @discardableResult
    func add(_ title: String, revenue: String = "1,000.00", stage: String? = nil, probability: String? = nil) throws -> Opportunity {
        let changes = try OpportunityForm(title: title, expectedRevenue: revenue, probability: probability)
            .validated(language: .english, currency: .usd)
        return try store.addOpportunity(changes, team: team, stage: try stage.map(self.stage), context: context)
    }

    var context: ChangeContext { ChangeContext(now: testNow, user: "lan") }
}

let testNow = Timestamp(millisecondsSince1970: 1_795_000_000_000)

@Suite("PostgreSQL engine: money")
struct EngineMoneyTests {
    /// The SQL the engine writes weighted amounts with (bulk stage edits, bulk moves, repair)
    /// rounds every value exactly as the domain's `Money.weightedMinorUnits` does.
    @Test func theWeightedRevenueSQLRoundsAsTheDomainDoes() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            var generator = SystemRandomNumberGenerator()
            var amounts: [Int64] = [0, 1, 4_999, 5_000, 9_999, 10_000, 15_000, Int64.max, Int64.max - 1, 999_999_999_999_999_999]
            var points: [Int] = [0, 1, 5_000, 9_999, 10_000, 3_333, 6_667, 1, 10_000, 5_000]
            for _ in 0..<20_000 {
                // Every magnitude, not only large ones; and every probability.
                amounts.append(Int64.random(in: 0...Int64.max, using: &generator) >> Int64.random(in: 0...62, using: &generator))
                points.append(Int.random(in: 0...10_000, using: &generator))
            }
            let expression = PostgresEngine.weightedRevenueSQL(amount: "amount", basisPoints: "points")
            let rows = try connection.execute("""
                SELECT \(expression) FROM unnest($1::bigint[], $2::integer[]) WITH ORDINALITY AS given (amount, points, position)
                ORDER BY position
                """, [PostgresRows.array(amounts), PostgresRows.array(points.map(Int64.init))]).rows
            #expect(rows.count == amounts.count)
            var mismatches: [String] = []
            for (index, row) in rows.enumerated() {
                let domain = Money.weightedMinorUnits(amounts[index], probability: try #require(Probability(basisPoints: points[index])))
                let stored = try row.int64(0)
                if stored != domain { mismatches.append("\(amounts[index]) at \(points[index]): SQL \(stored), domain \(domain)") }
            }
            #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        }
    }

    /// End to end: a stage's new probability reaches its deals through that SQL, and every
    /// stored weighted amount is the domain's.
    @Test func aBulkProbabilityChangeStoresTheDomainsRounding() throws {
        try withTestDatabase { database in
            let harness = try EngineHarness(database)
            var generator = SystemRandomNumberGenerator()
            for index in 0..<200 {
                let cents = Int64.random(in: 0...99_999_999_999, using: &generator)
                try harness.add("Deal \(index)", revenue: "\(cents / 100).\(String(format: "%02d", cents % 100))", stage: "Proposition")
            }
            for percent in ["33.33", "66.67", "12.5", "0.01"] {
                let probability = try Probability(parsing: percent)
                _ = try harness.store.editStage(try harness.stage("Proposition"), StageEdit(probability: probability), context: harness.context)
                // The stored column (what the totals sum), not the domain's computed value.
                let rows = try database.connect().execute("SELECT expected_revenue, probability, weighted_revenue FROM opportunity").rows
                #expect(rows.count == 200)
                for row in rows {
                    #expect(try row.int(1) == probability.basisPoints)
                    #expect(try row.int64(2) == Money.weightedMinorUnits(try row.int64(0), probability: probability), "\(row.values)")
                }
                var truth = Figures()
                try harness.store.forEachOpportunity(OpportunityFilter()) { truth.add($0) }
                #expect(try harness.store.stageFigures(team: nil)[try harness.stage("Proposition")] == truth)
            }
        }
    }
}

@Suite("PostgreSQL engine: concurrent writers")
struct EngineConcurrencyTests {
    /// A colleague's commit lands between this action's first read and its write: PostgreSQL
    /// refuses the write (a serialization failure) and the engine runs the whole action
    /// again on a new snapshot. A move that named no version applies to the colleague's
    /// version; it only waited.
    @Test func anActionWithoutAVersionRunsAgainAndNeverReportsAConflict() throws {
        try withTestDatabase { database in
            let harness = try EngineHarness(database)
            let colleague = try harness.colleague()
            let deal = try harness.add("Acme")
            let proposition = try harness.stage("Proposition")
            var attempts = 0
            let moved = try harness.engine.write { writer in
                attempts += 1
                _ = try writer.record(deal.id)   // the snapshot begins here
                if attempts == 1 {
                    _ = try colleague.store.editOpportunity(deal.id, try OpportunityForm(notes: "Called back").validated(language: .english, currency: .usd),
                                                            context: colleague.context)
                }
                return try writer.moveOpportunity(deal.id, to: proposition, context: harness.context)
            }
            #expect(attempts == 2)
            #expect(harness.engine.reruns == 1)
            #expect(moved.notes == "Called back" && moved.stage == proposition && moved.version == deal.version + 2)
            #expect(try harness.store.opportunity(deal.id) == moved)
            #expect(try harness.store.history(of: deal.id).map(\.toName) == ["New", "Proposition"])
        }
    }

    /// The same collision for an action that names the version it loaded: run again, it
    /// finds the record changed and refuses, changing nothing.
    @Test func anActionWithAVersionIsRefusedWhenTheRecordChanged() throws {
        try withTestDatabase { database in
            let harness = try EngineHarness(database)
            let colleague = try harness.colleague()
            let deal = try harness.add("Acme")
            let won = try harness.stage("Won")
            var attempts = 0
            #expect(throws: PipelineError.changedSinceLoaded(kind: "opportunity", id: deal.id.rawValue)) {
                try harness.engine.write { writer in
                    attempts += 1
                    _ = try writer.record(deal.id)
                    if attempts == 1 { _ = try colleague.store.archive(deal.id, context: colleague.context) }
                    return try writer.moveOpportunity(deal.id, to: won, expectedVersion: deal.version,
                                                      context: harness.context)
                }
            }
            #expect(attempts == 2)
            let stored = try #require(try harness.store.opportunity(deal.id))
            let new = try harness.stage("New")
            #expect(!stored.isActive && stored.stage == new)
        }
    }

    /// A colleague holding a lock longer than the busy timeout: the write gives up as busy
    /// (exit 75), and goes through once the lock is gone.
    @Test func waitingForALockIsBoundedByTheBusyTimeout() throws {
        try withTestDatabase { database in
            let harness = try EngineHarness(database, busyTimeout: 0.3)
            let deal = try harness.add("Acme")
            let holder = try database.connect()
            try holder.begin()
            try holder.execute("UPDATE opportunity SET notes = 'held' WHERE id = $1", [deal.id.rawValue])
            let busy = try #require(throws: StoreError.self) {
                try harness.store.moveOpportunity(deal.id, to: try harness.stage("Qualified"), context: harness.context)
            }
            #expect(busy == .locked(path: harness.engine.location) && busy.exitStatus == 75)
            try holder.rollback()
            #expect(try harness.store.moveOpportunity(deal.id, to: try harness.stage("Qualified"), context: harness.context).version == 2)
        }
    }

    /// Several engines move the same few deals at once, half of them naming the version they
    /// loaded: every action either happened (its history line, its version step) or was
    /// reported as a conflict; nothing is lost, doubled or silently dropped, and the totals
    /// still equal the deals.
    @Test func concurrentMovesOfTheSameDealsLoseNothingAndReportEveryConflict() throws {
        try withTestDatabase { database in
            let harness = try EngineHarness(database)
            let deals = try (0..<4).map { try harness.add("Deal \($0)").id }
            let stages = try harness.store.pipeline(for: harness.team).stages.filter { $0.outcome == .open }.map(\.id)
            struct Tally: Sendable { var moved: [Opportunity.ID: Int] = [:]; var conflicts = 0; var failures: [String] = [] }
            let tallies = onThreads(Array(0..<6)) { (writer: Int) -> Tally in
                var tally = Tally()
                do {
                    let colleague = try harness.colleague(busyTimeout: 30)
                    for step in 0..<40 {
                        let deal = deals[(writer + step) % deals.count]
                        let target = stages[(writer * 7 + step) % stages.count]
                        do {
                            let version = step.isMultiple(of: 2) ? try colleague.store.opportunity(deal)?.version : nil
                            _ = try colleague.store.moveOpportunity(deal, to: target, expectedVersion: version, context: colleague.context)
                            tally.moved[deal, default: 0] += 1
                        } catch PipelineError.changedSinceLoaded {
                            tally.conflicts += 1
                        }
                    }
                } catch {
                    tally.failures.append("\(error)")
                }
                return tally
            }
            #expect(tallies.flatMap(\.failures).isEmpty, "\(tallies.flatMap(\.failures))")
            let moved: Int = tallies.map { $0.moved.values.reduce(0, +) }.reduce(0, +)
            let conflicts: Int = tallies.map(\.conflicts).reduce(0, +)
            #expect(moved + conflicts == 6 * 40)
            #expect(conflicts > 0, "no conflict arose: the test proved nothing about reporting them")
            for deal in deals {
                let moves = tallies.reduce(0) { $0 + ($1.moved[deal] ?? 0) }
                let stored = try #require(try harness.store.opportunity(deal))
                // Every move that happened bumped the version once, and nothing else did.
                #expect(stored.version == 1 + moves, "deal \(deal)")
                // The history is one unbroken chain of stage changes ending where the deal is:
                // a move lost or applied to a stale stage would break it.
                let history = try harness.store.history(of: deal)
                #expect(history.count <= 1 + moves)
                #expect(zip(history, history.dropFirst()).allSatisfy { $0.change.to == $1.change.from }, "deal \(deal)")
                #expect(history.last?.change.to == stored.stage)
            }
            #expect(try harness.store.integrityProblems() == [])
        }
    }
}
