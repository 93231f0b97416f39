import PipelineCore
import PipelineStorage
import PostgresClient

extension PostgresTransaction: StoreWriter {
    func insertTeam(name: String, createdAt: Timestamp) throws -> Team.ID {
        knownCatalog = nil
        return Team.ID(try returnedID("INSERT INTO team (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
                                      [name, TextInput.nameKey(name), createdAt.millisecondsSince1970]))
    }

    func updateTeam(_ team: Team) throws {
        knownCatalog = nil
        try refuseWhenNothingChanged(run("UPDATE team SET name = $1, name_key = $2, version = version + 1 WHERE id = $3",
                                         [team.name, TextInput.nameKey(team.name), team.id.rawValue]), table: "team", id: team.id.rawValue)
    }

    func deleteTeam(_ id: Team.ID) throws {
        knownCatalog = nil
        try refuseWhenNothingChanged(run("DELETE FROM team WHERE id = $1", [id.rawValue]), table: "team", id: id.rawValue)
    }

    func insertStage(_ stage: Stage, externalID: String?) throws -> Stage.ID {
        knownCatalog = nil
        return Stage.ID(try returnedID("""
            INSERT INTO stage (name, name_key, sort_order, probability, auto_probability,
                               requirements, folded, outcome, team_id, external_id, rotting_days)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """,
            [stage.name, TextInput.nameKey(stage.name), stage.sortOrder, stage.probability.basisPoints,
             stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded,
             stage.outcome.rawValue, stage.scope.team?.rawValue, externalID, stage.rottingDays]))
    }

    /// Writes the settings (not the order: `storeSortOrders` does that).
    func updateStage(_ stage: Stage, expectedVersion: Int) throws -> Bool {
        knownCatalog = nil
        return try run("""
            UPDATE stage SET name = $1, name_key = $2, probability = $3, auto_probability = $4, requirements = $5,
                             folded = $6, outcome = $7, team_id = $8, rotting_days = $11, version = version + 1
            WHERE id = $9 AND version = $10
            """,
            [stage.name, TextInput.nameKey(stage.name), stage.probability.basisPoints,
             stage.changesProbabilityAutomatically, stage.requirements, stage.isFolded,
             stage.outcome.rawValue, stage.scope.team?.rawValue, stage.id.rawValue, expectedVersion, stage.rottingDays]).affectedRows == 1
            || refuseWhenRowSecuritySkipped(table: "stage", id: stage.id.rawValue, expectedVersion: expectedVersion)
    }

    func setStageExternalID(_ id: Stage.ID, _ externalID: String) throws {
        knownCatalog = nil
        try run("UPDATE stage SET external_id = $1 WHERE id = $2", [externalID, id.rawValue])
    }

    /// One statement for every stage, writing only the rows whose order changed.
    func storeSortOrders(_ orders: [(Stage.ID, Int)]) throws {
        knownCatalog = nil
        guard !orders.isEmpty else { return }
        // Through the schema's function: a manager renumbers stages they may not otherwise
        // change (sort_order only, keeping those stages' order among themselves).
        try run("SELECT pipeline_store_sort_orders($1::bigint[], $2::bigint[])",
                [PostgresRows.array(orders.map(\.0.rawValue)), PostgresRows.array(orders.map { Int64($0.1) })])
    }

    func deleteStage(_ id: Stage.ID) throws {
        knownCatalog = nil
        try refuseWhenNothingChanged(run("DELETE FROM stage WHERE id = $1", [id.rawValue]), table: "stage", id: id.rawValue)
    }

    /// A statement on one row by id that changed none: the operations read the row in this
    /// transaction just before, so row-level security skipped it — a refusal, never a
    /// silent success ("Removed stage 6" while nothing was removed).
    private func refuseWhenNothingChanged(_ result: PostgresResult, table: String, id: Int64) throws {
        guard result.affectedRows == 0 else { return }
        throw PostgresError(.permissionDenied, sqlState: "42501", serverMessage: "row-level security kept the \(table) \(id) unchanged",
                            constraint: "pipeline.rowSecurity", target: connection.target)
    }

    func insertRecord(_ record: Opportunity, externalID: String?) throws -> Opportunity.ID {
        if let pendingRows, pendingRows.purpose == .importing {
            return try holdRecord(record, externalID: externalID, in: pendingRows)
        }
        return Opportunity.ID(try returnedID(PostgresRows.insertSQL, PostgresRows.parameters(of: record, then: [externalID])))
    }

    func updateRecord(_ record: Opportunity, expectedVersion: Int) throws -> Bool {
        try run(PostgresRows.updateSQL, PostgresRows.parameters(of: record, then: [record.id.rawValue, expectedVersion])).affectedRows == 1
            || refuseWhenRowSecuritySkipped(table: "opportunity", id: record.id.rawValue, expectedVersion: expectedVersion)
    }

    func deleteRecord(_ id: Opportunity.ID, expectedVersion: Int) throws -> Bool {
        try run("DELETE FROM opportunity WHERE id = $1 AND version = $2", [id.rawValue, expectedVersion]).affectedRows == 1
            || refuseWhenRowSecuritySkipped(table: "opportunity", id: id.rawValue, expectedVersion: expectedVersion)
    }

    /// After an UPDATE or DELETE of one row by id and version changed nothing: when the row
    /// is there, at that version, row-level security skipped it (the user may see it but
    /// not change it), which is a refusal, not "changed by someone else". Returns `false`
    /// (the version check failed) otherwise.
    private func refuseWhenRowSecuritySkipped(table: String, id: Int64, expectedVersion: Int) throws -> Bool {
        guard try int64("SELECT version FROM \(table) WHERE id = $1", [id]) == Int64(expectedVersion) else { return false }
        throw PostgresError(.permissionDenied, sqlState: "42501", serverMessage: "row-level security kept the \(table) \(id) unchanged",
                            constraint: "pipeline.rowSecurity", target: connection.target)
    }

    func mergeRecord(_ from: Opportunity.ID, into to: Opportunity.ID, expectedVersion: Int) throws -> Bool {
        // Members may not update history or notes: the schema's function moves them, with the
        // activities, out of a record it removes, both being records the user may change.
        try rows("SELECT pipeline_merge_record($1, $2, $3)", [from.rawValue, to.rawValue, Int64(expectedVersion)]).first?.bool(0) == true
    }

    func insertHistory(_ entry: StageHistoryEntry) throws {
        let values = PostgresRows.historyValues(entry)
        if let pendingRows, pendingRows.purpose == .importing {
            return try hold({ pending throws(PostgresError) in try pending.appendHistory(values) }, in: pendingRows)
        }
        try run("INSERT INTO stage_history (opportunity_id, \(PostgresRows.historyColumns)) VALUES (\((1...13).map { "$\($0)" }.joined(separator: ", ")))",
                values)
    }

    /// One statement for every card (order is not content: versions stay).
    func setRanks(_ ranks: [(Opportunity.ID, Int64)]) throws {
        guard !ranks.isEmpty else { return }
        // Through the schema's function: respacing a column moves colleagues' cards a
        // salesperson may not otherwise change (their rank only, of cards the user sees).
        try run("SELECT pipeline_store_ranks($1::bigint[], $2::bigint[])",
                [PostgresRows.array(ranks.map(\.0.rawValue)), PostgresRows.array(ranks.map(\.1))])
    }

    func applyStageProbability(_ stage: Stage.ID, _ probability: Probability?, followersOnly: Bool, outcomeChanged: Bool,
                               context: ChangeContext) throws {
        let condition = """
            stage_id = $3 AND type = 'opportunity' AND active \(followersOnly ? "AND NOT probability_manual" : "")
              AND (probability IS DISTINCT FROM $1::integer OR probability_manual)
            """
        let changed = probability == nil ? "false" : "o.id IN (SELECT id FROM opportunity WHERE \(condition))"
        // The lines first, while the condition still finds the deals the update changes; each
        // with the stage's outcome as just stored (every deal of the stage when it changed).
        try run("""
            INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                       event, probability, amount, currency, stage_outcome)
            SELECT o.id, o.stage_id, o.stage_id, s.name, s.name, $2, $4, 'stageProbability',
                   CASE WHEN \(changed) THEN $1::integer ELSE o.probability END, o.expected_revenue, o.currency, s.outcome
            FROM opportunity o JOIN stage s ON s.id = o.stage_id
            WHERE \(outcomeChanged ? "o.stage_id = $3 AND o.type = 'opportunity'" : changed)
            ORDER BY o.id
            """,
            [probability?.basisPoints, context.now.millisecondsSince1970, stage.rawValue, context.user])
        guard let probability else { return }
        try run("""
            UPDATE opportunity
            SET probability = $1::integer, probability_manual = false,
                weighted_revenue = \(PostgresEngine.weightedRevenueSQL(amount: "expected_revenue", basisPoints: "$1::integer")),
                updated_at = $2, version = version + 1
            WHERE \(condition)
            """,
            [probability.basisPoints, context.now.millisecondsSince1970, stage.rawValue])
    }

    /// History first, then the rows, placed below the destination column's cards in their old
    /// order, under the destination's probability rule and the core's rule on lost reasons.
    func moveAll(_ move: BulkMove) throws {
        let (source, destination, team, context) = (move.from, move.to, move.team, move.context)
        let targetTeam = move.newTeam ?? team
        // Each line with its event (the core's rule, by the row's state) and its figures after
        // the move: the destination's probability when it imposes one.
        let keepsActive = move.keepsLostReason(active: true), keepsArchived = move.keepsLostReason(active: false)
        try run("""
            INSERT INTO stage_history (opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by,
                                       event, probability, amount, currency, reason, stage_outcome)
            SELECT id, $1, $2, $3, $4, $5, $6, \(move.historyEventSQL(activeTest: "active")), coalesce($9::integer, probability),
                   expected_revenue, currency,
                   CASE WHEN active THEN \(keepsActive ? "lost_reason" : "NULL") ELSE \(keepsArchived ? "lost_reason" : "NULL") END, $10
            FROM opportunity WHERE stage_id = $7 AND team_id = $8 AND type = 'opportunity'
            ORDER BY id
            """,
            [source.id.rawValue, destination.id.rawValue, source.name, destination.name,
             context.now.millisecondsSince1970, context.user, source.id.rawValue, team.rawValue, move.entryProbability?.basisPoints,
             destination.outcome.rawValue])
        let bottom = try int64("SELECT max(rank) FROM opportunity WHERE stage_id = $1 AND team_id = $2",
                               [destination.id.rawValue, targetTeam.rawValue])
        let top = try int64("SELECT min(rank) FROM opportunity WHERE stage_id = $1 AND team_id = $2",
                            [source.id.rawValue, team.rawValue]) ?? 0
        let last = try int64("SELECT max(rank) FROM opportunity WHERE stage_id = $1 AND team_id = $2",
                             [source.id.rawValue, team.rawValue]) ?? 0
        guard let offset = CardRank.shift(column: top, last, below: bottom) else {
            throw StoreError.failed(path: "the database", reason: "no room to order the cards of a column")
        }
        var parameters: PostgresParameters = [destination.id.rawValue, targetTeam.rawValue, offset, context.now.millisecondsSince1970,
                                              source.id.rawValue, team.rawValue]
        var probability = ""
        if let entry = move.entryProbability {
            parameters.append(entry.basisPoints)
            let basisPoints = "$\(parameters.count)::integer"
            probability = ", probability = \(basisPoints), probability_manual = false, weighted_revenue = "
                + PostgresEngine.weightedRevenueSQL(amount: "expected_revenue", basisPoints: basisPoints)
        }
        var lostReason = ""
        if !keepsActive || !keepsArchived {
            lostReason = ", lost_reason = CASE WHEN active THEN \(keepsActive ? "lost_reason" : "NULL") "
                + "ELSE \(keepsArchived ? "lost_reason" : "NULL") END"
        }
        try run("""
            UPDATE opportunity
            SET stage_id = $1, team_id = $2, rank = rank + $3, stage_changed_at = $4, updated_at = $4,
                version = version + 1\(probability)\(lostReason)
            WHERE stage_id = $5 AND team_id = $6
            """, parameters)
    }

    func reassignRecords(from team: Team.ID, to destination: Team.ID, at now: Timestamp) throws {
        try run("UPDATE opportunity SET team_id = $1, version = version + 1, updated_at = $2 WHERE team_id = $3",
                [destination.rawValue, now.millisecondsSince1970, team.rawValue])
    }

    func storeSetting(_ key: SettingKey, _ value: String) throws {
        try run("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key.rawValue, value])
    }

    func storePreference(_ key: SettingKey, _ value: String, user: String) throws {
        try run("""
            INSERT INTO preference (user_name, key, value) VALUES ($1, $2, $3)
            ON CONFLICT (user_name, key) DO UPDATE SET value = excluded.value
            """, [user, key.rawValue, value])
    }

    func removePreference(_ key: SettingKey, user: String) throws {
        try run("DELETE FROM preference WHERE user_name = $1 AND key = $2", [user, key.rawValue])
    }

    /// The id an `INSERT … RETURNING id` gave.
    func returnedID(_ sql: String, _ parameters: PostgresParameters) throws -> Int64 {
        guard let id = try rows(sql, parameters).first?.int64(0) else {
            throw PostgresError(.unexpectedValue, serverMessage: "an insert returned no id", target: connection.target)
        }
        return id
    }
}
