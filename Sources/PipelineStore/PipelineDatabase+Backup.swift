import GRDB
import PipelineCore

/// One line of a stage history, as a backup carries it.
public struct BackupHistoryEntry: Sendable, Equatable {
    public var id: Int64
    public var opportunity: Opportunity.ID
    public var from: Stage.ID?
    public var to: Stage.ID?
    public var fromName: String?
    public var toName: String?
    public var at: Timestamp
    public var by: String

    public init(id: Int64, opportunity: Opportunity.ID, from: Stage.ID?, to: Stage.ID?, fromName: String?, toName: String?,
                at: Timestamp, by: String) {
        self.id = id
        self.opportunity = opportunity
        self.from = from
        self.to = to
        self.fromName = fromName
        self.toName = toName
        self.at = at
        self.by = by
    }
}

/// A team as a backup carries it.
public struct BackupTeam: Sendable, Equatable {
    public var team: Team
    public var createdAt: Timestamp

    public init(team: Team, createdAt: Timestamp) {
        self.team = team
        self.createdAt = createdAt
    }
}

extension PipelineDatabase {
    /// Whether the database holds only what a fresh file holds: the default team and stages,
    /// untouched, and no record. Only such a database takes a full backup.
    public func isUntouched() throws -> Bool {
        try read { db in
            let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity") ?? 0
            let history = try Int.fetchOne(db, sql: "SELECT count(*) FROM stage_history") ?? 0
            let teams = try Row.fetchAll(db, sql: "SELECT version FROM team")
            let stages = try Row.fetchAll(db, sql: "SELECT version, team_id FROM stage")
            return records == 0 && history == 0 && teams.count == 1 && teams.allSatisfy { $0["version"] == 1 }
                && stages.count == StageTemplate.steps.count
                && stages.allSatisfy { $0["version"] == 1 && ($0["team_id"] as Int64?) == nil }
        }
    }

    public func backupTeams() throws -> [BackupTeam] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, version, created_at FROM team ORDER BY id").map { row in
                BackupTeam(team: Rows.team(row), createdAt: Timestamp(millisecondsSince1970: row["created_at"]))
            }
        }
    }

    /// Every stage-history line, oldest first, one at a time.
    public func forEachHistoryEntry(_ body: (BackupHistoryEntry) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by
                FROM stage_history ORDER BY id
                """)
            while let row = try rows.next() {
                let from: Int64? = row["from_stage_id"], to: Int64? = row["to_stage_id"]
                try body(BackupHistoryEntry(id: row["id"], opportunity: Opportunity.ID(row["opportunity_id"]),
                                            from: from.map(Stage.ID.init), to: to.map(Stage.ID.init),
                                            fromName: row["from_stage_name"], toName: row["to_stage_name"],
                                            at: Timestamp(millisecondsSince1970: row["changed_at"]), by: row["changed_by"]))
            }
        }
    }

    /// Every stored setting (not the defaults).
    public func storedSettings() throws -> [(SettingKey, String)] {
        try read { db in
            try SettingKey.allCases.compactMap { key in try Self.storedSetting(db, key).map { (key, $0) } }
        }
    }

    /// Replaces an untouched database's content with a backup's, in one transaction; the
    /// body feeds it through the writer. A database with other data is refused.
    public func restore(_ body: (BackupWriter) throws -> Void) throws {
        guard try isUntouched() else { throw PipelineError.backupNeedsFreshDatabase }
        try write { db in
            for table in ["stage_history", "opportunity", "stage", "team", "setting", "stage_total"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            try body(BackupWriter(db: db))
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM team") ?? 0 > 0 else {
                throw PipelineError.backupInconsistent(BackupFault("backup.noTeam"))
            }
            // The current team is kept by id: it must be one of the backup's teams.
            if let team = try Self.storedSetting(db, .team),
               try Int.fetchOne(db, sql: "SELECT count(*) FROM team WHERE id = ?", arguments: [team]) ?? 0 == 0 {
                throw PipelineError.backupInconsistent(BackupFault("backup.unknownTeamSetting", team, path: ["settings", SettingKey.team.rawValue].joined(separator: ".")))
            }
            let broken = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            if !broken.isEmpty {
                throw PipelineError.backupInconsistent(BackupFault("backup.danglingReferences"))
            }
        }
    }
}

/// Writes a backup's content exactly as it was: ids, versions, timestamps, ranks.
public final class BackupWriter {
    let db: Database

    init(db: Database) { self.db = db }

    public func insert(_ team: BackupTeam) throws {
        try db.execute(sql: "INSERT INTO team (id, name, name_key, created_at, version) VALUES (?, ?, ?, ?, ?)",
                       arguments: [team.team.id.rawValue, team.team.name, TextInput.nameKey(team.team.name),
                                   team.createdAt.millisecondsSince1970, team.team.version])
    }

    public func insert(_ stage: Stage, externalID: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO stage (id, name, name_key, sort_order, probability, auto_probability, requirements, folded, outcome,
                                   team_id, version, external_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [stage.id.rawValue, stage.name, TextInput.nameKey(stage.name), stage.sortOrder, stage.probability.basisPoints,
                        stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded, stage.outcome.rawValue,
                        stage.scope.team?.rawValue, stage.version, externalID])
    }

    public func insert(_ record: Opportunity, externalID: String?) throws {
        try db.cachedStatement(sql: Rows.restoreSQL)
            .execute(arguments: Rows.arguments(of: record, then: [externalID.databaseValue, record.id.rawValue.databaseValue,
                                                                 record.version.databaseValue]))
    }

    public func insert(_ entry: BackupHistoryEntry) throws {
        try db.cachedStatement(sql: """
                INSERT INTO stage_history (id, opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [entry.id, entry.opportunity.rawValue, entry.from?.rawValue, entry.to?.rawValue, entry.fromName,
                        entry.toName, entry.at.millisecondsSince1970, entry.by])
    }

    public func setting(_ key: SettingKey, _ value: String) throws {
        try PipelineDatabase.storeSetting(db, key, value)
    }
}
