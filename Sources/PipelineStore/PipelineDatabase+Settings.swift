import Foundation
import GRDB
import PipelineCore

extension PipelineDatabase {
    /// Every setting with its value: the stored one, else the default. `team` shows the
    /// current team's name.
    public func settings() throws -> [(key: SettingKey, value: String?)] {
        try read { db in
            try SettingKey.allCases.map { key in (key, try Self.displayedSetting(db, key)) }
        }
    }

    public func setting(_ key: SettingKey) throws -> String? {
        try read { db in try Self.displayedSetting(db, key) }
    }

    /// Validates and stores a setting; `team` takes a team name or id.
    /// - Returns: the value as stored (normalised; the team's name for `team`).
    @discardableResult
    public func setSetting(_ key: SettingKey, to value: String) throws -> String {
        let normalized = try key.normalized(value)
        return try write { db in
            if key == .team {
                let team = try Self.resolveTeam(db, normalized)
                try Self.storeSetting(db, .team, String(team.id.rawValue))
                return team.name
            }
            try Self.storeSetting(db, key, normalized)
            return normalized
        }
    }

    /// The currency of amounts that name none.
    public func defaultCurrency() throws -> CurrencyCode {
        try read(Self.defaultCurrency)
    }

    // MARK: - Inside a transaction

    static func storedSetting(_ db: Database, _ key: SettingKey) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = ?"), arguments: [key.rawValue])
    }

    static func storeSetting(_ db: Database, _ key: SettingKey, _ value: String) throws {
        try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       arguments: [key.rawValue, value])
    }

    static func displayedSetting(_ db: Database, _ key: SettingKey) throws -> String? {
        switch key {
        case .team: return try currentTeam(db).name
        case .currency: return try defaultCurrency(db).code
        default: return try storedSetting(db, key) ?? key.defaultValue
        }
    }

    static func defaultCurrency(_ db: Database) throws -> CurrencyCode {
        guard let stored = try storedSetting(db, .currency), let code = try? CurrencyCode(parsing: stored) else {
            return .usd
        }
        return code
    }
}

extension PipelineDatabase {
    /// The `language` setting of the pipeline database at `path`, read without creating,
    /// migrating or locking anything; `nil` when there is no such file, it is not ours, or
    /// the setting is unset. (The CLI needs the language before it parses its arguments.)
    public static func storedLanguage(atPath path: String) -> Language? {
        // A FIFO would keep SQLite waiting for a writer; only a regular file is read.
        guard FileManager.default.fileExists(atPath: path), FileKind.ofNonRegularFile(atPath: path) == nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        let value = try? queue.read { db -> String? in
            guard try Int32.fetchOne(db, sql: "PRAGMA application_id") == Schema.applicationID,
                  try db.tableExists("setting") else { return nil }
            return try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = ?"), arguments: [SettingKey.language.rawValue])
        }
        return value.flatMap { $0 }.flatMap(Language.init(code:))
    }
}
