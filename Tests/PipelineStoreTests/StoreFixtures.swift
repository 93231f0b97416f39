import Foundation
import GRDB
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// A real SQLite file in a fresh temporary folder, removed when the value goes away: for
/// what only the SQLite engine has (its file, its pragmas, its query plans). Everything a
/// store does on any engine is in `StoreContractTests`.
final class TemporaryDatabase {
    let folder: URL
    let path: String
    let engine: SQLiteEngine
    let database: EngineStore
    var clock: Int64 = 1_795_000_000_000

    init(language: Language = .english, file: String = "pipeline.sqlite") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent(file).path
        engine = try SQLiteEngine(path: path, seedLanguage: language, now: Timestamp(millisecondsSince1970: clock))
        database = EngineStore(engine: engine)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A second, independent connection to the same file (as another process would have).
    func reopen(busyTimeout: TimeInterval = 5, prepare: (@Sendable (Database) throws -> Void)? = nil) throws -> EngineStore {
        EngineStore(engine: try SQLiteEngine(path: path, seedLanguage: .english, now: Timestamp(millisecondsSince1970: clock),
                                             busyTimeout: busyTimeout, prepare: prepare))
    }

    /// Each call is one minute later than the last.
    func context(_ user: String = "lan") -> ChangeContext {
        clock += 60_000
        return ChangeContext(now: Timestamp(millisecondsSince1970: clock), user: user)
    }

    var sales: Team { get throws { try database.currentTeam() } }

    func stage(_ name: String) throws -> Stage {
        try database.pipeline(for: sales.id).resolveStage(name)
    }

    @discardableResult
    func add(_ title: String, revenue: String = "1,000.00", stage: String? = nil) throws -> Opportunity {
        let changes = try OpportunityForm(title: title, expectedRevenue: revenue).validated(language: .english, currency: try database.defaultCurrency())
        return try database.addOpportunity(changes, team: sales.id, stage: try stage.map { try self.stage($0).id }, context: context())
    }

    /// Raw SQL access for assertions about what is really in the file.
    func sql<T>(_ body: (Database) throws -> T) throws -> T {
        try DatabaseQueue(path: path).read(body)
    }
}

extension TemporaryDatabase {
    /// Every row of every table: what a failed action must leave untouched.
    func snapshot() throws -> String {
        try sql { db in
            var lines: [String] = []
            for table in ["team", "stage", "opportunity", "stage_history", "stage_total", "setting"] {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2") {
                    lines.append("\(table): \(row)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}

let testNow = Timestamp(millisecondsSince1970: 1_795_000_000_000)
