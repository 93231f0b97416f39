import GRDB
import PipelineCore

/// Applies records read from a file inside the import's single transaction: finds what
/// each row refers to (by External ID or name), creates or updates through the domain's
/// rules, and counts what it did.
public final class ImportWriter {
    let db: Database
    let options: ImportOptions
    private var t: Localizer { Localizer(options.language) }
    private var catalog: StageCatalog {
        didSet { resolved = Resolved() }
    }
    /// Teams and stages already looked up by the names the file gives: a file names the same
    /// few thousand times, and a lookup per row cost more than the row's insert. Forgotten
    /// whenever the catalogue changes.
    private var resolved = Resolved()
    private struct Resolved {
        var teams: [ExchangeReference: Team] = [:]
        var stages: [StageReference: Stage] = [:]
    }
    private struct StageReference: Hashable {
        var team: Team.ID
        var reference: ExchangeReference
    }
    /// The top card's rank in each (team, stage) column this import has put cards in. Only
    /// inserts keep it up to date; anything else that could move a card forgets it all.
    private var columnTops: [ColumnKey: Int64] = [:]
    private struct ColumnKey: Hashable {
        var team: Team.ID
        var stage: Stage.ID
    }
    private var defaultTeam: Team
    private var currency: CurrencyCode
    public private(set) var summary = ImportSummary()
    /// Stages the file gave a sequence for, in file order, to order at the end.
    private var sequences: [(Stage.ID, Int)] = []
    /// Records from this id on were made by this import; the filter index takes them in
    /// one statement at the end (the index triggers are off meanwhile, see `Schema`).
    private let firstNewID: Int64

    init(db: Database, options: ImportOptions) throws {
        self.db = db
        self.options = options
        firstNewID = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM opportunity") ?? 0) + 1
        try db.execute(sql: "DROP TRIGGER opportunity_search_after_insert; DROP TRIGGER opportunity_search_after_update")
        catalog = try PipelineDatabase.fetchCatalog(db)
        let teams = catalog.teams
        defaultTeam = try options.defaultTeam.flatMap { id in teams.first { $0.id == id } } ?? PipelineDatabase.currentTeam(db)
        currency = try PipelineDatabase.defaultCurrency(db)
    }

    // MARK: - Records

    /// Creates or updates one lead or opportunity.
    public func apply(_ imported: ImportedRecord) throws {
        var changes = imported.changes
        let team = try imported.team.map { try resolvedTeam($0) } ?? defaultTeam
        let existing = try findRecord(imported.externalID)
        let kind = imported.kind ?? existing?.kind ?? .opportunity
        if kind == .lead { changes.probability = nil }  // a lead has none; the reference CRM's files carry one anyway
        let pipeline = catalog.pipeline(for: team)
        let stage = try imported.stage.map { try resolvedStage($0, in: pipeline) }
        let now = options.now, user = options.user
        guard let current = existing else {
            var update: OpportunityUpdate
            if kind == .lead {
                if changes.title == nil { throw ImportProblem(column: "name", message: t("import.needsTitle")) }
                update = OpportunityUpdate(opportunity: try Opportunity.createLead(changes, team: team.id, currency: currency, at: now), stageChange: nil)
            } else {
                if changes.title == nil { throw ImportProblem(column: "name", message: t("import.needsTitle")) }
                update = try Opportunity.create(changes, in: pipeline, stage: stage, currency: currency, at: now, by: user)
            }
            applyState(imported, to: &update.opportunity)
            try insert(update, externalID: imported.externalID)
            summary.created += 1
            return
        }
        var update: OpportunityUpdate
        switch (current.kind, kind) {
        case (.lead, .lead):
            update = OpportunityUpdate(opportunity: try current.editedLead(changes, team: team.id, at: now), stageChange: nil)
        case (.lead, .opportunity):
            var lead = try current.editedLead(changes.withoutProbability, team: team.id, at: now)
            lead.isActive = true
            update = try lead.converted(in: pipeline, salesperson: nil, customer: nil, at: now, by: user)
            if let stage, update.opportunity.stage != stage.id {
                update = try update.opportunity.moved(to: stage, in: pipeline, at: now, by: user)
            }
            if let probability = changes.probability, let stage = update.opportunity.stage.flatMap(pipeline.stage) {
                try update.opportunity.setProbabilityByHand(probability, in: stage)
            }
        case (.opportunity, .opportunity):
            update = try current.edited(changes, stage: stage, in: pipeline, at: now, by: user)
        case (.opportunity, .lead):
            throw ImportProblem(column: "type", message: t("import.cannotBecomeLead", current.id))
        }
        applyState(imported, to: &update.opportunity)
        columnTops.removeAll()  // an edit may move, archive or restore a card
        let indexed = current.id.rawValue < firstNewID
            ? try String.fetchOne(db.cachedStatement(sql: "SELECT search_text FROM opportunity WHERE id = ?"), arguments: [current.id.rawValue])
            : nil
        _ = try PipelineDatabase.save(db, update, replacing: current, placement: nil)
        if let indexed { try reindex(current.id, from: indexed) }
        summary.updated += 1
    }

    /// `active` and the lost reason, as the file says (a lost deal is archived at 0 %).
    private func applyState(_ imported: ImportedRecord, to record: inout Opportunity) {
        if let reason = imported.lostReason, !reason.isEmpty { record.lostReason = reason }
        if let active = imported.active {
            record.isActive = active
            if active, imported.lostReason?.isEmpty ?? true { record.lostReason = nil }
        }
    }

    private func insert(_ update: OpportunityUpdate, externalID: String?) throws {
        var record = update.opportunity
        record.rank = try topRank(for: record)
        let id = try PipelineDatabase.insertRecord(db, record, externalID: externalID)
        if var change = update.stageChange {
            change.opportunity = id
            try PipelineDatabase.insertHistory(db, change)
        }
    }

    /// A rank above every card of the record's column, as `PipelineDatabase.rank(…, .top)`
    /// gives, without asking the database again for a column this import is filling.
    private func topRank(for record: Opportunity) throws -> Int64 {
        guard let stage = record.stage else { return 0 }
        let column = ColumnKey(team: record.team, stage: stage)
        let countsInColumn = record.kind == .opportunity && record.isActive
        if let top = columnTops[column], let rank = CardRank.between(nil, top) {
            if countsInColumn { columnTops[column] = rank }
            return rank
        }
        let rank = try PipelineDatabase.rank(db, for: record, placement: .top)  // may respace the column
        if countsInColumn { columnTops[column] = rank } else { columnTops.removeValue(forKey: column) }
        return rank
    }

    private func findRecord(_ externalID: String?) throws -> Opportunity? {
        guard let externalID, !externalID.isEmpty else { return nil }
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM opportunity WHERE external_id = ?"), arguments: [externalID]) {
            return try PipelineDatabase.fetchOpportunity(db, Opportunity.ID(id))
        }
        // Our own External ID names a record by id; one at or above `firstNewID` did not exist
        // before this import, and what this import made is found by its stored External ID above.
        if externalID.hasPrefix("pipeline.crm_lead_"), let number = Int64(externalID.dropFirst("pipeline.crm_lead_".count)),
           number < firstNewID, let found = try PipelineDatabase.fetchOpportunity(db, Opportunity.ID(number)),
           try String.fetchOne(db.cachedStatement(sql: "SELECT external_id FROM opportunity WHERE id = ?"), arguments: [number]) == nil {
            return found
        }
        return nil
    }

    // MARK: - Relations

    private func resolvedTeam(_ reference: ExchangeReference) throws -> Team {
        if let team = resolved.teams[reference] { return team }
        let team = try resolveTeam(reference)
        resolved.teams[reference] = team
        return team
    }

    private func resolvedStage(_ reference: ExchangeReference, in pipeline: Pipeline) throws -> Stage {
        let key = StageReference(team: pipeline.team.id, reference: reference)
        if let stage = resolved.stages[key] { return stage }
        let stage = try resolveStage(reference, in: pipeline)
        resolved.stages[key] = stage
        return stage
    }

    private func resolveTeam(_ reference: ExchangeReference) throws -> Team {
        switch reference {
        case .externalID(let id):
            // The reference CRM's stock team.
            if id == "sales_team.team_sales_department", let first = catalog.teams.first { return first }
            throw ImportProblem(column: "team_id/id", message: t("import.noTeamID", id))
        case .name(let name):
            let key = TextInput.nameKey(name.trimmingCharacters(in: .whitespaces))
            if let team = catalog.teams.first(where: { TextInput.nameKey($0.name) == key }) { return team }
            guard options.createMissingTeams else {
                throw ImportProblem(column: "team_id", message: t("import.noTeam", name))
            }
            let clean = try TextInput.requiredName(name, field: .teamName)
            try db.execute(sql: "INSERT INTO team (name, name_key, created_at) VALUES (?, ?, ?)",
                           arguments: [clean, TextInput.nameKey(clean), options.now.millisecondsSince1970])
            summary.teamsCreated.append(clean)
            catalog = try PipelineDatabase.fetchCatalog(db)
            return catalog.teams.first { $0.id.rawValue == db.lastInsertedRowID } ?? defaultTeam
        }
    }

    /// The reference CRM's stock stages, by meaning (never by position): New, Qualified,
    /// Proposition, Won.
    static let stockStages = ["crm.stage_lead1": 0, "crm.stage_lead2": 1, "crm.stage_lead3": 2, "crm.stage_lead4": 4]

    private func resolveStage(_ reference: ExchangeReference, in pipeline: Pipeline) throws -> Stage {
        switch reference {
        case .externalID(let id):
            if let stage = try existingStage(externalID: id, in: pipeline) { return stage }
            if let index = Self.stockStages[id] {
                return try createStage(named: StageTemplate.steps[index].english, in: pipeline, column: "stage_id/id")
            }
            throw ImportProblem(column: "stage_id/id", message: t("import.noStageID", id, pipeline.team.name))
        case .name(let name):
            let key = TextInput.nameKey(name.trimmingCharacters(in: .whitespaces))
            if let stage = pipeline.stages.first(where: { TextInput.nameKey($0.name) == key }) { return stage }
            return try createStage(named: name, in: pipeline, column: "stage_id")
        }
    }

    /// A stage the file names but the pipeline lacks: created (shared, at the end, with the
    /// guide's settings when it is one of its steps) only when the user allowed it.
    private func createStage(named name: String, in pipeline: Pipeline, column: String) throws -> Stage {
        guard options.createMissingStages else {
            throw ImportProblem(column: column, message: t("import.noStage", name, pipeline.team.name))
        }
        let step = StageTemplate.steps.first { $0.matches(name) }
        let draft = StageDraft(name: name, probability: step?.probability, requirements: step?.englishRequirements ?? "",
                               outcome: step?.outcome ?? .open)
        let stage = try insertStage(draft, in: pipeline.team, externalID: nil)
        summary.stagesCreated.append(stage.name)
        return stage
    }

    private func insertStage(_ draft: StageDraft, in team: Team, externalID: String?) throws -> Stage {
        let addition = try catalog.addition(of: draft, in: team, at: nil)
        let order = catalog.stages.count + 1
        try db.execute(
            sql: """
                INSERT INTO stage (name, name_key, sort_order, probability, auto_probability, requirements, folded, outcome, team_id, external_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [addition.stage.name, TextInput.nameKey(addition.stage.name), order, addition.stage.probability.basisPoints,
                        addition.stage.changesProbabilityAutomatically, addition.stage.requirements, addition.stage.isFolded,
                        addition.stage.outcome.rawValue, addition.stage.scope.team?.rawValue, externalID])
        let id = Stage.ID(db.lastInsertedRowID)
        catalog = try PipelineDatabase.fetchCatalog(db)
        return catalog.stage(id) ?? addition.stage
    }

    // MARK: - Stages

    /// Creates or updates one stage.
    public func apply(_ imported: ImportedStage) throws {
        let team = try imported.team.map { try resolveTeam($0) }
        let scope: StageScope = team.map { .team($0.id) } ?? .shared
        let viewer = team ?? defaultTeam
        let pipeline = catalog.pipeline(for: viewer)
        var existing = try imported.externalID.flatMap { try existingStage(externalID: $0, in: pipeline) }
        if existing == nil, let name = imported.name {
            let key = TextInput.nameKey(name.trimmingCharacters(in: .whitespaces))
            existing = pipeline.stages.first { TextInput.nameKey($0.name) == key && $0.scope == scope }
        }
        let step = imported.name.flatMap { name in StageTemplate.steps.first { $0.matches(name) } }
        let outcome: StageOutcome? = imported.isWon == true ? .won
            : (imported.isWon == false && step?.outcome == .lost ? .lost : (imported.isWon == false ? .open : nil))
        let stage: Stage
        if let current = existing {
            var edit = StageEdit(name: imported.name, requirements: imported.requirements, isFolded: imported.isFolded,
                                 outcome: outcome.flatMap { $0 == current.outcome ? nil : $0 },
                                 changesProbabilityAutomatically: imported.changesProbabilityAutomatically)
            if edit.name == current.name { edit.name = nil }
            if let probability = imported.probability, probability != current.probability, (outcome ?? current.outcome) == .open {
                edit.probability = probability
            }
            if !edit.isEmpty {
                let occupants = Set(try Int64.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT team_id FROM opportunity WHERE stage_id = ?"),
                                                       arguments: [current.id.rawValue]).map(Team.ID.init))
                let edited = try catalog.applying(edit, to: current, occupyingTeams: occupants)
                try db.execute(
                    sql: """
                        UPDATE stage SET name = ?, name_key = ?, probability = ?, auto_probability = ?, requirements = ?,
                                         folded = ?, outcome = ?, version = version + 1 WHERE id = ?
                        """,
                    arguments: [edited.name, TextInput.nameKey(edited.name), edited.probability.basisPoints,
                                edited.changesProbabilityAutomatically, edited.requirements, edited.isFolded,
                                edited.outcome.rawValue, current.id.rawValue])
                catalog = try PipelineDatabase.fetchCatalog(db)
            }
            if let externalID = imported.externalID, !externalID.isEmpty, Self.stockStages[externalID] == nil,
               !externalID.hasPrefix("pipeline.crm_stage_") {
                try db.execute(sql: "UPDATE stage SET external_id = ? WHERE id = ?", arguments: [externalID, current.id.rawValue])
            }
            stage = current
            summary.updated += 1
        } else {
            guard let name = imported.name else { throw ImportProblem(column: "name", message: t("import.stageNeedsName")) }
            let resolvedOutcome = outcome ?? step?.outcome ?? .open
            let draft = StageDraft(name: name, probability: resolvedOutcome == .open ? (imported.probability ?? step?.probability) : nil,
                                   requirements: imported.requirements ?? "",
                                   changesProbabilityAutomatically: imported.changesProbabilityAutomatically ?? true,
                                   isFolded: imported.isFolded ?? false, outcome: resolvedOutcome, scope: scope)
            let external = imported.externalID.flatMap { $0.isEmpty || Self.stockStages[$0] != nil ? nil : $0 }
            stage = try insertStage(draft, in: viewer, externalID: external)
            summary.created += 1
        }
        if let sequence = imported.sequence { sequences.append((stage.id, sequence)) }
    }

    /// The stage an External ID names, if the pipeline has it: one the file made before, one
    /// of ours, or a stock stage of the reference CRM by meaning. Creates nothing.
    private func existingStage(externalID id: String, in pipeline: Pipeline) throws -> Stage? {
        if let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM stage WHERE external_id = ?"), arguments: [id]),
           let stage = pipeline.stage(Stage.ID(stored)) { return stage }
        if id.hasPrefix("pipeline.crm_stage_"), let number = Int64(id.dropFirst("pipeline.crm_stage_".count)) {
            return pipeline.stage(Stage.ID(number))
        }
        if let index = Self.stockStages[id] {
            let step = StageTemplate.steps[index]
            return pipeline.stages.first { step.matches($0.name) }
        }
        return nil
    }

    /// Orders the stages the file gave sequences for among themselves (by sequence, then file
    /// order), in the places they hold; the other stages keep theirs.
    /// A record that was in the index before the import: its entry follows its new text
    /// (what the update trigger does outside imports). `indexed` is the text it was
    /// indexed under: FTS5 removes an entry by the terms it was added with.
    private func reindex(_ id: Opportunity.ID, from indexed: String) throws {
        let new = try String.fetchOne(db.cachedStatement(sql: "SELECT search_text FROM opportunity WHERE id = ?"), arguments: [id.rawValue])
        guard let new, new != indexed else { return }
        try db.cachedStatement(sql: "INSERT INTO opportunity_search (opportunity_search, rowid, search_text) VALUES ('delete', ?, ?)")
            .execute(arguments: [id.rawValue, indexed])
        try db.cachedStatement(sql: "INSERT INTO opportunity_search (rowid, search_text) VALUES (?, ?)")
            .execute(arguments: [id.rawValue, new])
    }

    private var finished = false

    /// Indexes the new records, puts the index triggers back, and orders the stages the
    /// file gave a sequence for. The import calls it before committing; calling it again
    /// does nothing.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try db.execute(sql: "INSERT INTO opportunity_search (rowid, search_text) SELECT id, search_text FROM opportunity WHERE id >= ?",
                       arguments: [firstNewID])
        try db.execute(sql: Schema.searchInsertTrigger)
        try db.execute(sql: Schema.searchUpdateTrigger)
        try orderImportedStages()
    }

    private func orderImportedStages() throws {
        guard !sequences.isEmpty else { return }
        let imported = Set(sequences.map(\.0))
        let sorted = sequences.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map(\.element.0)
        var queue = sorted[...]
        var order: [Stage.ID] = []
        for stage in catalog.stages {
            if imported.contains(stage.id), let next = queue.popFirst() { order.append(next) } else if !imported.contains(stage.id) { order.append(stage.id) }
        }
        let statement = try db.cachedStatement(sql: "UPDATE stage SET sort_order = ? WHERE id = ?")
        for (index, id) in order.enumerated() { try statement.execute(arguments: [index + 1, id.rawValue]) }
        catalog = try PipelineDatabase.fetchCatalog(db)
    }
}

extension OpportunityChanges {
    var withoutProbability: OpportunityChanges {
        var copy = self
        copy.probability = nil
        return copy
    }
}
