import PipelineCore
import PipelineStorage

/// Applies records read from a file inside the import's single transaction: resolves what
/// each row refers to (by External ID or name — ours, the reference CRM's stock ones, or one
/// the file made), decides what to create when a name is missing, creates or updates through
/// the domain's rules, and counts what it did. Engine-neutral: it writes through the import
/// transaction's operations.
public final class ImportApplier {
    let store: any ImportTransaction
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
    /// What the person importing may do, asked once: each row is then checked against it
    /// (a manager imports into the teams they manage; only an administrator creates teams).
    private let access: Access
    public private(set) var summary = ImportSummary()
    /// Stages the file gave a sequence for, in file order, to order at the end.
    private var sequences: [(Stage.ID, Int)] = []
    /// Records this import made: an id of ours (`pipeline.crm_lead_N`) names a record only
    /// if it existed before the import (ids are not "the next number" on every engine).
    /// Kept as runs of ids, which an import makes one after another: its size follows the
    /// gaps, not the rows.
    private var created = IDRuns()
    /// Records an earlier row of this import updated, a bit each (`IDSet`): with `created`,
    /// what a row repeating an earlier row's External ID names.
    private var updated = IDSet()
    /// The names of the chunk of rows being applied, looked up together (`prepare`).
    private var lookedUp: LookedUp?
    private struct LookedUp {
        var externalIDs: Set<String>
        var names: ImportNames
        /// Records this import made since the lookup, by an External ID of the chunk.
        var madeSince: [String: Opportunity.ID] = [:]
    }

    public init(store: any ImportTransaction, options: ImportOptions) throws {
        self.store = store
        self.options = options
        access = try store.access()
        try access.refusalToImport().enforce()
        catalog = try store.catalog()
        let teams = catalog.teams
        defaultTeam = try options.defaultTeam.flatMap { id in teams.first { $0.id == id } } ?? store.currentTeam(for: nil)
        currency = try store.defaultCurrency()
    }

    // MARK: - Records

    /// Looks up, in one read, every record the next rows' External IDs may name, so that
    /// applying them asks the database nothing per row to find out they are new. Rows not
    /// prepared (or names outside the chunk) are looked up one at a time.
    public func prepare(_ records: [ImportedRecord]) throws {
        var externalIDs = Set<String>(), ids = Set<Opportunity.ID>()
        for record in records {
            guard let externalID = record.externalID, !externalID.isEmpty else { continue }
            externalIDs.insert(externalID)
            if let id = ExternalID.record(in: externalID), !created.contains(id) { ids.insert(id) }
        }
        lookedUp = nil
        guard !externalIDs.isEmpty else { return }
        let names = try store.recordsNamed(externalIDs: externalIDs.sorted(), ids: ids.sorted())
        lookedUp = LookedUp(externalIDs: externalIDs, names: names)
    }

    /// Creates or updates one lead or opportunity. True when the row named a record an earlier
    /// row of this import created or updated — it repeats that row's External ID (warned of,
    /// not refused: rows apply in order). Told from the records, not from a list of the
    /// file's ids, whose memory followed the file (180 MB at 1,000,000 rows; issue 15).
    @discardableResult
    public func apply(_ imported: ImportedRecord) throws -> Bool {
        var changes = imported.changes
        let team = try imported.team.map { try resolvedTeam($0) } ?? defaultTeam
        let existing = try findRecord(imported.externalID)
        let kind = imported.kind ?? existing?.kind ?? .opportunity
        if kind == .lead { changes.probability = nil }  // a lead has none; the reference CRM's files carry one anyway
        let pipeline = catalog.pipeline(for: team)
        let stage = try imported.stage.map { try resolvedStage($0, in: pipeline) }
        let now = options.now, user = options.user
        guard let current = existing else {
            try access.refusalToAssign(to: changes.salesperson ?? "", in: team, kind: kind).enforce()
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
            return false
        }
        let repeated = created.contains(current.id) || updated.contains(current.id.rawValue)
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
        _ = try store.save(update, replacing: current, placement: nil, catalog: catalog, access: access)
        summary.updated += 1
        _ = updated.insert(current.id.rawValue)
        return repeated
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
        let id = try store.insertRecord(record, externalID: externalID)
        created.insert(id)
        if let externalID, lookedUp?.externalIDs.contains(externalID) == true { lookedUp?.madeSince[externalID] = id }
        // One "created" line per created deal, with its figures as stored. A deal the file
        // gives as archived or lost was created open and then archived or lost: a second line
        // says so, at the same instant, or the history would have it open and the digest
        // would find its weighted amount "not in the history".
        record.id = id
        guard update.stageChange != nil else { return }
        let outcome = { (stage: Stage.ID) in self.catalog.stage(stage)?.outcome }
        let at = update.stageChange?.at ?? record.createdAt, by = update.stageChange?.by ?? ""
        var open = record
        open.isActive = true
        open.lostReason = nil
        if let line = StageChange.recording(from: nil, to: open, outcome: outcome, at: at, by: by) {
            try store.insertHistory(StageHistoryEntry(line, names: catalog))
        }
        if let line = StageChange.recording(from: open, to: record, outcome: outcome, at: at, by: by) {
            try store.insertHistory(StageHistoryEntry(line, names: catalog))
        }
    }

    /// A rank above every card of the record's column, as `rank(for:placement: .top)`
    /// gives, without asking the database again for a column this import is filling.
    private func topRank(for record: Opportunity) throws -> Int64 {
        guard let stage = record.stage else { return 0 }
        let column = ColumnKey(team: record.team, stage: stage)
        let countsInColumn = record.kind == .opportunity && record.isActive
        if let top = columnTops[column], let rank = CardRank.between(nil, top) {
            if countsInColumn { columnTops[column] = rank }
            return rank
        }
        let rank = try store.rank(for: record, placement: .top)  // may respace the column
        if countsInColumn { columnTops[column] = rank } else { columnTops.removeValue(forKey: column) }
        return rank
    }

    private func findRecord(_ externalID: String?) throws -> Opportunity? {
        guard let externalID, !externalID.isEmpty else { return nil }
        if let lookedUp, lookedUp.externalIDs.contains(externalID) {
            // The same rule as below, from the chunk's lookup: External IDs are only ever
            // given to a record as it is inserted, so what the lookup found stays true, and
            // what the chunk made since is in `madeSince`.
            if let id = lookedUp.madeSince[externalID] ?? lookedUp.names.byExternalID[externalID] { return try store.record(id) }
            if let id = ExternalID.record(in: externalID), !created.contains(id), lookedUp.names.withoutExternalID.contains(id) {
                return try store.record(id)
            }
            return nil
        }
        if let id = try store.recordID(externalID: externalID) {
            return try store.record(id)
        }
        // Our own External ID names a record by id; one this import made did not exist before
        // it, and what this import made is found by its stored External ID above.
        if let id = ExternalID.record(in: externalID), !created.contains(id), let found = try store.record(id),
           try store.externalID(ofRecord: id) == nil {
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
            try access.refusalToManageTeams().enforce()
            let clean = try TextInput.requiredName(name, field: .teamName)
            let id = try store.insertTeam(name: clean, createdAt: options.now)
            summary.teamsCreated.append(clean)
            catalog = try store.catalog()
            return catalog.team(id) ?? defaultTeam
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
        try access.refusalToChangeStage(addition.stage, of: team, allTeams: catalog.teams).enforce()
        var stage = addition.stage
        stage.sortOrder = catalog.stages.count + 1
        let id = try store.insertStage(stage, externalID: externalID)
        catalog = try store.catalog()
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
                try access.refusalToChangeStage(current, of: viewer, allTeams: catalog.teams).enforce()
                let edited = try catalog.applying(edit, to: current, occupyingTeams: try store.teamsWithRecords(inStage: current.id))
                _ = try store.updateStage(edited, expectedVersion: current.version)
                catalog = try store.catalog()
            }
            if let externalID = imported.externalID, !externalID.isEmpty, Self.stockStages[externalID] == nil,
               !externalID.hasPrefix("pipeline.crm_stage_") {
                try access.refusalToChangeStage(current, of: viewer, allTeams: catalog.teams).enforce()
                try store.setStageExternalID(current.id, externalID)
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
        if let stored = try store.stageID(externalID: id), let stage = pipeline.stage(stored) { return stage }
        if let ours = ExternalID.stage(in: id) { return pipeline.stage(ours) }
        if let index = Self.stockStages[id] {
            let step = StageTemplate.steps[index]
            return pipeline.stages.first { step.matches($0.name) }
        }
        return nil
    }

    private var finished = false

    /// Orders the stages the file gave a sequence for. The import calls it before
    /// committing; calling it again does nothing.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try orderImportedStages()
    }

    /// Orders the stages the file gave sequences for among themselves (by sequence, then file
    /// order), in the places they hold; the other stages keep theirs.
    private func orderImportedStages() throws {
        guard !sequences.isEmpty else { return }
        let imported = Set(sequences.map(\.0))
        let sorted = sequences.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map(\.element.0)
        var queue = sorted[...]
        var order: [Stage.ID] = []
        for stage in catalog.stages {
            if imported.contains(stage.id), let next = queue.popFirst() { order.append(next) } else if !imported.contains(stage.id) { order.append(stage.id) }
        }
        try store.storeSortOrders(order.enumerated().map { ($1, $0 + 1) })
        catalog = try store.catalog()
    }
}

extension OpportunityChanges {
    var withoutProbability: OpportunityChanges {
        var copy = self
        copy.probability = nil
        return copy
    }
}

/// A set of record ids kept as sorted runs of consecutive ids: an import's ids come one
/// after another, so it stays a few runs long however many rows the file has.
struct IDRuns {
    private var runs: [ClosedRange<Int64>] = []

    var runCount: Int { runs.count }

    func contains(_ id: Opportunity.ID) -> Bool {
        guard let index = runIndex(atOrBefore: id.rawValue) else { return false }
        return runs[index].contains(id.rawValue)
    }

    mutating func insert(_ id: Opportunity.ID) {
        let value = id.rawValue
        let before = runIndex(atOrBefore: value)
        let after = (before ?? -1) + 1
        if let before {
            if runs[before].contains(value) { return }
            if runs[before].upperBound == value - 1 {
                // Extends the run before, and joins the one after when it now touches it.
                if after < runs.count, runs[after].lowerBound == value + 1 {
                    runs[before] = runs[before].lowerBound...runs[after].upperBound
                    runs.remove(at: after)
                } else {
                    runs[before] = runs[before].lowerBound...value
                }
                return
            }
        }
        if after < runs.count, value < Int64.max, runs[after].lowerBound == value + 1 {
            runs[after] = value...runs[after].upperBound
        } else {
            runs.insert(value...value, at: after)
        }
    }

    /// The last run starting at or before `value`.
    private func runIndex(atOrBefore value: Int64) -> Int? {
        var low = 0, high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].lowerBound <= value { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }
}
