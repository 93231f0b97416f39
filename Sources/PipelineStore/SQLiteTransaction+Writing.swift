import GRDB
import PipelineCore
import PipelineStorage

extension SQLiteTransaction: StoreWriter {
    func insertTeam(name: String, createdAt: Timestamp) throws -> Team.ID {
        try db.execute(sql: "INSERT INTO team (name, name_key, created_at) VALUES (?, ?, ?)",
                       arguments: [name, TextInput.nameKey(name), createdAt.millisecondsSince1970])
        return Team.ID(db.lastInsertedRowID)
    }

    func updateTeam(_ team: Team) throws {
        try db.execute(sql: "UPDATE team SET name = ?, name_key = ?, version = version + 1 WHERE id = ?",
                       arguments: [team.name, TextInput.nameKey(team.name), team.id.rawValue])
    }

    func deleteTeam(_ id: Team.ID) throws {
        try db.execute(sql: "DELETE FROM team WHERE id = ?", arguments: [id.rawValue])
    }

    func insertStage(_ stage: Stage, externalID: String?) throws -> Stage.ID {
        try db.execute(
            sql: """
                INSERT INTO stage (name, name_key, sort_order, probability, auto_probability,
                                   requirements, folded, outcome, team_id, external_id, rotting_days)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [stage.name, TextInput.nameKey(stage.name), stage.sortOrder, stage.probability.basisPoints,
                        stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded,
                        stage.outcome.rawValue, stage.scope.team?.rawValue, externalID, stage.rottingDays])
        return Stage.ID(db.lastInsertedRowID)
    }

    /// Writes the settings (not the order: `storeSortOrders` does that).
    func updateStage(_ stage: Stage, expectedVersion: Int) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE stage SET name = ?, name_key = ?, probability = ?, auto_probability = ?, requirements = ?,
                                 folded = ?, outcome = ?, team_id = ?, rotting_days = ?, version = version + 1
                WHERE id = ? AND version = ?
                """,
            arguments: [stage.name, TextInput.nameKey(stage.name), stage.probability.basisPoints,
                        stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded,
                        stage.outcome.rawValue, stage.scope.team?.rawValue, stage.rottingDays, stage.id.rawValue, expectedVersion])
        return db.changesCount == 1
    }

    func setStageExternalID(_ id: Stage.ID, _ externalID: String) throws {
        try db.execute(sql: "UPDATE stage SET external_id = ? WHERE id = ?", arguments: [externalID, id.rawValue])
    }

    func storeSortOrders(_ orders: [(Stage.ID, Int)]) throws {
        let statement = try db.cachedStatement(sql: "UPDATE stage SET sort_order = ? WHERE id = ? AND sort_order IS NOT ?")
        for (id, order) in orders { try statement.execute(arguments: [order, id.rawValue, order]) }
    }

    func deleteStage(_ id: Stage.ID) throws {
        try db.execute(sql: "DELETE FROM stage WHERE id = ?", arguments: [id.rawValue])
    }

    func insertRecord(_ record: Opportunity, externalID: String?) throws -> Opportunity.ID {
        var insert = try BoundStatement(db.cachedStatement(sql: Rows.insertSQL))
        try Rows.bind(record, to: &insert)
        try insert.bind(externalID)
        try insert.execute()
        return Opportunity.ID(db.lastInsertedRowID)
    }

    func updateRecord(_ record: Opportunity, expectedVersion: Int) throws -> Bool {
        // During an import the filter index follows edits of records it already holds here,
        // not through its trigger (see `SQLiteTransaction+Import`).
        let indexed = try importState.flatMap { state in
            state.wasIndexed(record.id) ? try fetchOne("SELECT search_text FROM opportunity WHERE id = ?", [record.id.rawValue]) as String? : nil
        }
        try db.cachedStatement(sql: Rows.updateSQL)
            .execute(arguments: Rows.arguments(of: record, then: [record.id.rawValue.databaseValue, expectedVersion.databaseValue]))
        guard db.changesCount == 1 else { return false }
        if let indexed { try reindex(record.id, from: indexed) }
        return true
    }

    func deleteRecord(_ id: Opportunity.ID, expectedVersion: Int) throws -> Bool {
        try db.execute(sql: "DELETE FROM opportunity WHERE id = ? AND version = ?", arguments: [id.rawValue, expectedVersion])
        return db.changesCount == 1
    }

    func mergeRecord(_ from: Opportunity.ID, into to: Opportunity.ID, expectedVersion: Int) throws -> Bool {
        guard try fetchOne("SELECT version FROM opportunity WHERE id = ?", [from.rawValue]) == Int64(expectedVersion) else { return false }
        for table in ["stage_history SET opportunity_id = ? WHERE opportunity_id = ?", "activity SET record_id = ? WHERE record_id = ?",
                      "deal_note SET record_id = ? WHERE record_id = ?"] {
            try db.execute(sql: "UPDATE \(table)", arguments: [to.rawValue, from.rawValue])
        }
        return try deleteRecord(from, expectedVersion: expectedVersion)
    }

    func insertHistory(_ entry: StageHistoryEntry) throws {
        let change = entry.change
        var insert = try BoundStatement(db.cachedStatement(sql: """
                INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                           event, probability, amount, currency, reason, stage_outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
        try insert.bind(change.opportunity.rawValue)
        try insert.bind(change.from?.rawValue)
        try insert.bind(change.to?.rawValue)
        try insert.bind(entry.fromName)
        try insert.bind(entry.toName)
        try insert.bind(change.at.millisecondsSince1970)
        try insert.bind(change.by)
        try insert.bind(change.event.rawValue)
        try insert.bind(change.probability?.basisPoints)
        try insert.bind(change.amount?.minorUnits)
        try insert.bind(change.amount?.currency.code)
        try insert.bind(change.reason)
        try insert.bind(change.stageOutcome?.rawValue)
        try insert.execute()
    }

    func setRanks(_ ranks: [(Opportunity.ID, Int64)]) throws {
        let statement = try db.cachedStatement(sql: "UPDATE opportunity SET rank = ? WHERE id = ?")
        for (id, rank) in ranks { try statement.execute(arguments: [rank, id.rawValue]) }
    }

    func applyStageProbability(_ stage: Stage.ID, _ probability: Probability?, followersOnly: Bool, outcomeChanged: Bool,
                               context: ChangeContext) throws {
        let condition = """
            stage_id = :stage AND type = 'opportunity' AND active = 1 \(followersOnly ? "AND probability_manual = 0" : "")
              AND (probability IS NOT :p OR probability_manual = 1)
            """
        let changed = probability == nil ? "0" : "o.id IN (SELECT id FROM opportunity WHERE \(condition))"
        let arguments: StatementArguments = ["p": probability?.basisPoints, "now": context.now.millisecondsSince1970,
                                             "stage": stage.rawValue]
        var lineArguments = arguments
        lineArguments += ["by": context.user]
        // The lines first, while the condition still finds the deals the update changes; each
        // with the stage's outcome as just stored (every deal of the stage when it changed).
        try db.execute(
            sql: """
                INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                           event, probability, amount, currency, stage_outcome)
                SELECT o.id, o.stage_id, o.stage_id, s.name, s.name, :now, :by, 'stageProbability',
                       CASE WHEN \(changed) THEN :p ELSE o.probability END, o.expected_revenue, o.currency, s.outcome
                FROM opportunity o JOIN stage s ON s.id = o.stage_id
                WHERE \(outcomeChanged ? "o.stage_id = :stage AND o.type = 'opportunity'" : changed)
                ORDER BY o.id
                """,
            arguments: lineArguments)
        guard probability != nil else { return }
        try db.execute(
            sql: """
                UPDATE opportunity
                SET probability = :p, probability_manual = 0,
                    weighted_revenue = pipeline_weighted(expected_revenue, :p),
                    updated_at = :now, version = version + 1
                WHERE \(condition)
                """,
            arguments: arguments)
    }

    /// History first, then the rows, placed below the destination column's cards in their old
    /// order, under the destination's probability rule and the core's rule on lost reasons.
    func moveAll(_ move: BulkMove) throws {
        let (source, destination, team, context) = (move.from, move.to, move.team, move.context)
        let targetTeam = move.newTeam ?? team
        // Each line with its event (the core's rule, by the row's state) and its figures after
        // the move: the destination's probability when it imposes one.
        let keepsActive = move.keepsLostReason(active: true), keepsArchived = move.keepsLostReason(active: false)
        try db.execute(
            sql: """
                INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                           event, probability, amount, currency, reason, stage_outcome)
                SELECT id, ?, ?, ?, ?, ?, ?, \(move.historyEventSQL(activeTest: "active = 1")), coalesce(?, probability), expected_revenue, currency,
                       CASE active WHEN 1 THEN \(keepsActive ? "lost_reason" : "NULL") ELSE \(keepsArchived ? "lost_reason" : "NULL") END, ?
                FROM opportunity WHERE stage_id = ? AND team_id = ? AND type = 'opportunity'
                ORDER BY id
                """,
            arguments: [source.id.rawValue, destination.id.rawValue, source.name, destination.name,
                        context.now.millisecondsSince1970, context.user, move.entryProbability?.basisPoints, destination.outcome.rawValue,
                        source.id.rawValue, team.rawValue])
        let bottom: Int64? = try fetchOne("SELECT max(rank) FROM opportunity WHERE stage_id = ? AND team_id = ?",
                                          [destination.id.rawValue, targetTeam.rawValue])
        let top: Int64 = try fetchOne("SELECT min(rank) FROM opportunity WHERE stage_id = ? AND team_id = ?",
                                      [source.id.rawValue, team.rawValue]) ?? 0
        let last: Int64 = try fetchOne("SELECT max(rank) FROM opportunity WHERE stage_id = ? AND team_id = ?",
                                       [source.id.rawValue, team.rawValue]) ?? 0
        guard let offset = CardRank.shift(column: top, last, below: bottom) else {
            throw StoreError.failed(path: "the database", reason: "no room to order the cards of a column")
        }
        var probability = ""
        var arguments: StatementArguments = [destination.id.rawValue, targetTeam.rawValue, offset,
                                             context.now.millisecondsSince1970, context.now.millisecondsSince1970]
        if let entry = move.entryProbability {
            probability = ", probability = ?, probability_manual = 0, weighted_revenue = pipeline_weighted(expected_revenue, ?)"
            arguments += [entry.basisPoints, entry.basisPoints]
        }
        arguments += [source.id.rawValue, team.rawValue]
        var lostReason = ""
        if !keepsActive || !keepsArchived {
            lostReason = ", lost_reason = CASE active WHEN 1 THEN \(keepsActive ? "lost_reason" : "NULL") "
                + "ELSE \(keepsArchived ? "lost_reason" : "NULL") END"
        }
        try db.execute(
            sql: """
                UPDATE opportunity
                SET stage_id = ?, team_id = ?, rank = rank + ?, stage_changed_at = ?, updated_at = ?,
                    version = version + 1\(probability)\(lostReason)
                WHERE stage_id = ? AND team_id = ?
                """,
            arguments: arguments)
    }

    func reassignRecords(from team: Team.ID, to destination: Team.ID, at now: Timestamp) throws {
        try db.execute(sql: "UPDATE opportunity SET team_id = ?, version = version + 1, updated_at = ? WHERE team_id = ?",
                       arguments: [destination.rawValue, now.millisecondsSince1970, team.rawValue])
    }

    func storeSetting(_ key: SettingKey, _ value: String) throws {
        try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       arguments: [key.rawValue, value])
    }

    func storePreference(_ key: SettingKey, _ value: String, user: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO preference (user_name, key, value) VALUES (?, ?, ?)
            ON CONFLICT (user_name, key) DO UPDATE SET value = excluded.value
            """).execute(arguments: [user, key.rawValue, value])
    }

    func removePreference(_ key: SettingKey, user: String) throws {
        try db.execute(sql: "DELETE FROM preference WHERE user_name = ? AND key = ?", arguments: [user, key.rawValue])
    }
}
