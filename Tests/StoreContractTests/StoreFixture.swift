import Foundation
import GRDB
import Testing
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import PostgresClient

/// The engines the contract suite runs on. Every test takes one as its argument, so each
/// behaviour is proved on every engine, unchanged.
enum EngineKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }
}

/// A new, empty store of one engine, removed when the value goes away: a file in a fresh
/// temporary folder for SQLite, a fresh database on the test server for PostgreSQL.
final class StoreFixture {
    let engine: EngineKind
    /// What `--db` would say to open it.
    let location: String
    /// The store, opened as a tool would: on SQLite for nobody in particular, on PostgreSQL
    /// for the superuser `postgres` (a server always knows who connects); `forEveryone()` is
    /// the pipeline's own values on both.
    let store: any PipelineStore
    /// The PostgreSQL database's name (`nil` for SQLite).
    private let databaseName: String?
    var clock: Int64 = 1_795_000_000_000
    private let cleanUp: () -> Void

    init(_ engine: EngineKind, language: Language = .english) throws {
        self.engine = engine
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            location = folder.appendingPathComponent("pipeline.sqlite").path
            cleanUp = { try? FileManager.default.removeItem(at: folder) }
            databaseName = nil
        case .postgresql:
            let name = "pipeline_contract_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try TestPostgres.superuser().executeScript("CREATE DATABASE \(name)")
            location = try TestPostgres.connectionString(database: name)
            databaseName = name
            cleanUp = { _ = try? TestPostgres.superuser().executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        }
        store = try StoreOpener.open(location, seedLanguage: language, now: Timestamp(millisecondsSince1970: clock), busyTimeout: 5)
    }

    deinit { cleanUp() }

    /// A second, independent connection to the same store (as another process would have).
    /// With `user`, it acts for that user the way the engine knows users: on SQLite by the
    /// name given (as the CLI gives `$USER`), on PostgreSQL by logging in as a role of that
    /// name (created, with the rights to use this database, if missing) — the server's
    /// session user, never a name the client claims.
    func reopen(busyTimeout: TimeInterval = 5, as user: String? = nil) throws -> any PipelineStore {
        var location = location
        if let user, let databaseName {
            try TestPostgres.ensureRole(user, mayUse: databaseName)
            location = try TestPostgres.connectionString(database: databaseName, user: user)
        }
        return try StoreOpener.open(location, seedLanguage: .english, now: Timestamp(millisecondsSince1970: clock), busyTimeout: busyTimeout,
                                    user: user)
    }

    /// Each call is one minute later than the last.
    func context(_ user: String = "lan") -> ChangeContext {
        clock += 60_000
        return ChangeContext(now: Timestamp(millisecondsSince1970: clock), user: user)
    }

    var sales: Team { get throws { try store.currentTeam() } }

    func stage(_ name: String) throws -> Stage {
        try store.pipeline(for: sales.id).resolveStage(name)
    }

    @discardableResult
    func add(_ title: String, revenue: String = "1,000.00", stage: String? = nil, currency: String? = nil,
             probability: String? = nil, salesperson: String? = nil, closing: String? = nil, team: Team.ID? = nil) throws -> Opportunity {
        let form = OpportunityForm(title: title, expectedRevenue: revenue, currency: currency, probability: probability,
                                   salesperson: salesperson, expectedClosing: closing)
        let changes = try form.validated(language: .english, currency: try store.defaultCurrency())
        return try store.addOpportunity(changes, team: team ?? sales.id, stage: try stage.map { try self.stage($0).id },
                                        context: context())
    }

    /// Runs SQL on the store's own database as its owner (to damage what a check must find).
    func executeAsOwner(_ sql: String) throws {
        switch engine {
        case .sqlite:
            try DatabaseQueue(path: location).write { try $0.execute(sql: sql) }
        case .postgresql:
            let connection = try PostgresConnection(try TestPostgres.connectionString(database: databaseName ?? ""))
            try connection.executeScript(sql)
        }
    }

    /// Every stored record, archived ones and leads included, in id order.
    func records() throws -> [Opportunity] {
        var records: [Opportunity] = []
        try store.forEachExchangeRecord(kind: nil) { records.append($0.record) }
        return records
    }

    /// Every stage-history line, oldest first.
    func historyLines() throws -> [BackupHistoryEntry] {
        var lines: [BackupHistoryEntry] = []
        try store.forEachHistoryEntry { lines.append($0) }
        return lines
    }

    /// Everything a failed action must leave untouched, read through the store's own roles
    /// (the same on every engine): teams, stages, records, history, settings, everyone's
    /// preferences and the totals each team's board shows.
    func snapshot() throws -> String {
        var lines: [String] = []
        for team in try store.backupTeams() { lines.append("team: \(team)") }
        for stage in try store.exchangeStages() { lines.append("stage: \(stage.stage) \(stage.storedExternalID ?? "-")") }
        for record in try records() { lines.append("record: \(record)") }
        for line in try historyLines() { lines.append("history: \(line)") }
        for type in try store.activityTypes() { lines.append("activity type: \(type)") }
        try store.forEachActivity { lines.append("activity: \($0)") }
        try store.forEachNote { lines.append("note: \($0)") }
        for (key, value) in try store.storedSettings() { lines.append("setting: \(key.rawValue)=\(value)") }
        for preference in try store.storedPreferences() {
            lines.append("preference: \(preference.user) \(preference.key.rawValue)=\(preference.value)")
        }
        for team in try store.teams() {
            let figures = try store.stageFigures(team: team.id).sorted { $0.key.rawValue < $1.key.rawValue }
            lines.append("figures of \(team.id): \(figures)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The throwaway server `make test` starts (Scripts/test-postgres.sh), as its environment
/// describes it. Without it the PostgreSQL half of the suite fails with the reason; it
/// never skips.
enum TestPostgres {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func connectionString(database: String, user: String = "postgres") throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let error = environment["PIPELINE_TEST_PG_ERROR"] {
            throw Unavailable(description: "the PostgreSQL test server could not be started: \(error)")
        }
        guard let socket = environment["PIPELINE_TEST_PG_SOCKET_DIR"], !socket.isEmpty,
              let port = environment["PIPELINE_TEST_PG_PORT"], !port.isEmpty else {
            throw Unavailable(description: "PIPELINE_TEST_PG_SOCKET_DIR is not set: run the contract tests through `make test`, "
                                  + "or in the shell `make pg-shell` opens (it starts a throwaway server)")
        }
        // A conninfo value with spaces or quotes (a role named "Nguyễn Hòa") goes in quotes.
        let plain = user.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        let quotedUser = plain ? user : "'" + user.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        return "host=\(socket) port=\(port) user=\(quotedUser) dbname=\(database)"
    }

    static func superuser() throws -> PostgresConnection {
        try PostgresConnection(connectionString(database: "postgres"))
    }

    /// A login role `name` (roles belong to the whole server and outlive a test database:
    /// one that exists already, made by a test running beside, is fine) that may read and
    /// write everything in `database`: an administrator of it (schema version 3's `app_user`
    /// row and the grants `pipeline_apply_grants` gives that role).
    static func ensureRole(_ name: String, mayUse database: String) throws {
        let role = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try superuser().executeScript("""
            DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
            """)
        let connection = try PostgresConnection(connectionString(database: database))
        try connection.execute("INSERT INTO app_user (login, role, created_at) VALUES ($1, 'admin', 0) ON CONFLICT (login) DO NOTHING", [name])
        try connection.execute("SELECT pipeline_apply_grants($1)", [name])
    }
}

let testNow = Timestamp(millisecondsSince1970: 1_795_000_000_000)
