import Foundation
import GRDB
import PipelineCore

extension PipelineDatabase {
    /// Every team, in creation order.
    public func teams() throws -> [Team] {
        try read(Self.fetchTeams)
    }

    /// Finds a team by what a user typed: a number is an id, anything else a name
    /// (ignoring case).
    public func team(_ reference: String) throws -> Team {
        try read { db in try Self.resolveTeam(db, reference) }
    }

    /// The team named by the `team` setting, else the first team.
    public func currentTeam() throws -> Team {
        try read(Self.currentTeam)
    }

    public func addTeam(named name: String, context: ChangeContext) throws -> Team {
        let name = try TextInput.requiredName(name, field: .teamName)
        return try write { db in
            try Self.checkTeamNameIsFree(db, name, excluding: nil)
            try db.execute(sql: "INSERT INTO team (name, name_key, created_at) VALUES (?, ?, ?)",
                           arguments: [name, TextInput.nameKey(name), context.now.millisecondsSince1970])
            return Team(id: Team.ID(db.lastInsertedRowID), name: name)
        }
    }

    public func renameTeam(_ id: Team.ID, to name: String) throws -> Team {
        let name = try TextInput.requiredName(name, field: .teamName)
        return try write { db in
            guard var team = try Self.fetchTeams(db).first(where: { $0.id == id }) else {
                throw PipelineError.unknownTeam(String(id.rawValue))
            }
            try Self.checkTeamNameIsFree(db, name, excluding: id)
            try db.execute(sql: "UPDATE team SET name = ?, name_key = ?, version = version + 1 WHERE id = ?",
                           arguments: [name, TextInput.nameKey(name), id.rawValue])
            team.name = name
            team.version += 1
            return team
        }
    }

    /// What removing a team moved.
    public struct TeamRemoval: Sendable {
        public var opportunitiesMoved: Int
        public var leadsMoved: Int
    }

    /// Removes a team. Refused (with counts) while opportunities or leads belong to it,
    /// unless `destination` takes them: deals in shared stages keep their stage; deals in
    /// the team's own stages go to the destination's stage of the same name, else its
    /// entry stage, with the probability rule and a history entry. The team's own stages
    /// go with it. The last team cannot be removed.
    public func removeTeam(_ id: Team.ID, movingTo destination: Team.ID?, context: ChangeContext) throws -> TeamRemoval {
        try write { db in
            let catalog = try Self.fetchCatalog(db)
            guard let team = catalog.team(id) else { throw PipelineError.unknownTeam(String(id.rawValue)) }
            guard catalog.teams.count > 1 else { throw PipelineError.lastTeam(team.name) }
            let counts = try Self.recordCounts(db, team: id)
            if counts.opportunities + counts.leads > 0 {
                guard let destination else {
                    throw PipelineError.teamNotEmpty(team.name, opportunities: counts.opportunities, leads: counts.leads)
                }
                guard destination != id else { throw PipelineError.moveTeamToItself }
                guard let target = catalog.team(destination) else {
                    throw PipelineError.unknownTeam(String(destination.rawValue))
                }
                let targetPipeline = catalog.pipeline(for: target)
                for stage in catalog.stages where stage.scope == .team(id) {
                    let occupied = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM opportunity WHERE stage_id = ?"),
                                                    arguments: [stage.id.rawValue]) ?? 0
                    guard occupied > 0 else { continue }
                    let key = TextInput.nameKey(stage.name)
                    guard let counterpart = targetPipeline.stages.first(where: { TextInput.nameKey($0.name) == key })
                            ?? targetPipeline.entryStage else {
                        throw PipelineError.noEntryStage(pipeline: target.name)
                    }
                    try Self.moveAll(db, from: stage, to: counterpart, team: id, newTeam: destination, context: context)
                }
                try db.execute(sql: "UPDATE opportunity SET team_id = ?, version = version + 1, updated_at = ? WHERE team_id = ?",
                               arguments: [destination.rawValue, context.now.millisecondsSince1970, id.rawValue])
            }
            if try Self.storedSetting(db, .team) == String(id.rawValue),
               let successor = destination ?? catalog.teams.first(where: { $0.id != id })?.id {
                try Self.storeSetting(db, .team, String(successor.rawValue))
            }
            try db.execute(sql: "DELETE FROM team WHERE id = ?", arguments: [id.rawValue])
            return TeamRemoval(opportunitiesMoved: counts.opportunities, leadsMoved: counts.leads)
        }
    }

    // MARK: - Inside a transaction

    static func fetchTeams(_ db: Database) throws -> [Team] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, version FROM team ORDER BY id")).map(Rows.team)
    }

    static func resolveTeam(_ db: Database, _ reference: String) throws -> Team {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        let row: Row?
        if let id = Int64(trimmed) {
            row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, version FROM team WHERE id = ?"), arguments: [id])
        } else {
            row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, version FROM team WHERE name_key = ?"),
                                   arguments: [TextInput.nameKey(trimmed)])
        }
        guard let row else { throw PipelineError.unknownTeam(reference) }
        return Rows.team(row)
    }

    static func currentTeam(_ db: Database) throws -> Team {
        let teams = try fetchTeams(db)
        if let stored = try storedSetting(db, .team), let id = Int64(stored),
           let team = teams.first(where: { $0.id.rawValue == id }) {
            return team
        }
        guard let first = teams.first else { throw StoreError.corrupt(path: "the database (it has no team)") }
        return first
    }

    static func checkTeamNameIsFree(_ db: Database, _ name: String, excluding: Team.ID?) throws {
        let clash = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM team WHERE name_key = ? AND id IS NOT ?"),
                                       arguments: [TextInput.nameKey(name), excluding?.rawValue])
        if clash != nil { throw PipelineError.duplicateTeamName(name) }
    }

    static func recordCounts(_ db: Database, team: Team.ID) throws -> (opportunities: Int, leads: Int) {
        var opportunities = 0, leads = 0
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT type, count(*) AS n FROM opportunity WHERE team_id = ? GROUP BY type"),
                                    arguments: [team.rawValue]) {
            if row["type"] == "lead" { leads = row["n"] } else { opportunities = row["n"] }
        }
        return (opportunities, leads)
    }
}
