import Foundation
import PipelineCore

/// The reading operations every engine shares, made of the engine's reads.
extension StoreReader {
    public func teams() throws -> [Team] { try catalog().teams }

    /// A team's pipeline: the shared stages plus its own, in order.
    public func pipeline(for team: Team.ID) throws -> Pipeline {
        let catalog = try catalog()
        guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
        return catalog.pipeline(for: owner)
    }

    /// Finds a team by what a user typed: a number is an id, anything else a name (ignoring case).
    public func team(_ reference: String) throws -> Team {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        let teams = try teams()
        let found: Team?
        if let id = Int64(trimmed) {
            found = teams.first { $0.id.rawValue == id }
        } else {
            let key = TextInput.nameKey(trimmed)
            found = teams.first { TextInput.nameKey($0.name) == key }
        }
        guard let found else { throw PipelineError.unknownTeam(reference) }
        return found
    }

    /// The team named by the `team` setting, else the first team.
    public func currentTeam() throws -> Team {
        let teams = try teams()
        if let stored = try storedSetting(.team), let id = Int64(stored), let team = teams.first(where: { $0.id.rawValue == id }) {
            return team
        }
        guard let first = teams.first else { throw StoreError.corrupt(path: "the database (it has no team)") }
        return first
    }

    /// A setting's value as users see it: the stored one, else the default; `team` shows the
    /// current team's name.
    public func setting(_ key: SettingKey) throws -> String? {
        switch key {
        case .team: return try currentTeam().name
        case .currency: return try defaultCurrency().code
        default: return try storedSetting(key) ?? key.defaultValue
        }
    }

    /// Every setting with its value as users see it.
    public func settings() throws -> [(key: SettingKey, value: String?)] {
        try SettingKey.allCases.map { key in (key, try setting(key)) }
    }

    /// Every stored setting (not the defaults).
    public func storedSettings() throws -> [(SettingKey, String)] {
        try SettingKey.allCases.compactMap { key in try storedSetting(key).map { (key, $0) } }
    }

    /// The currency of amounts that name none.
    public func defaultCurrency() throws -> CurrencyCode {
        guard let stored = try storedSetting(.currency), let code = try? CurrencyCode(parsing: stored) else { return .usd }
        return code
    }

    public func opportunity(_ id: Opportunity.ID) throws -> Opportunity? { try record(id) }

    /// Finds an opportunity by what a user typed: a number is an id; anything else is a
    /// title, matched ignoring case but not accents. A title several records share is
    /// refused with the list of them.
    public func opportunity(_ reference: String) throws -> Opportunity {
        try record(reference, kind: .opportunity)
    }

    /// A lead by id or title (see ``opportunity(_:)-(String)``).
    public func lead(_ reference: String) throws -> Opportunity {
        try record(reference, kind: .lead)
    }

    func record(_ reference: String, kind: RecordKind) throws -> Opportunity {
        let unknown = kind == .lead ? PipelineError.unknownLead(reference) : PipelineError.unknownOpportunity(reference)
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        if let number = Int64(trimmed) {
            guard let found = try record(Opportunity.ID(number)), found.kind == kind else { throw unknown }
            return found
        }
        let matches = try records(titleKey: TextInput.nameKey(trimmed), kind: kind, limit: 11)
        guard let first = matches.first else { throw unknown }
        if matches.count > 1 {
            throw PipelineError.ambiguousName(kind: kind.rawValue, name: reference,
                                              matches: matches.prefix(10).map { "\($0.id) \($0.title)" })
        }
        return first
    }

    /// The forecast of one team's pipeline, or of all teams (`team == nil`).
    public func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping) throws -> Forecast {
        let catalog = try catalog()
        let stages: [Stage]
        if let team {
            guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
            stages = catalog.pipeline(for: owner).stages
        } else {
            stages = catalog.stages
        }
        let byStage = Forecast.byStage(stages: stages, figures: try stageFigures(team: team))
        guard grouping != .stage else { return byStage }
        return Forecast(grouping: grouping, rows: try forecastRows(team: team, grouping: grouping), open: byStage.open, won: byStage.won)
    }

    /// Active or lost leads and opportunities sharing the record's e-mail, company or
    /// contact name (see `DuplicateRule`).
    public func duplicates(of id: Opportunity.ID) throws -> [Opportunity] {
        guard let record = try record(id) else { throw PipelineError.unknownLead(String(id.rawValue)) }
        return try duplicates(of: record)
    }

    func duplicates(of record: Opportunity) throws -> [Opportunity] {
        try duplicateCandidates(of: record, limit: 100).filter { DuplicateRule.isDuplicate($0, of: record) }
    }

    /// Every lead and/or opportunity, archived ones included, in id order, as files carry them.
    public func forEachExchangeRecord(kind: RecordKind?, _ body: (ExchangeRecord) throws -> Void) throws {
        let catalog = try catalog()
        try forEachRecord(kind: kind) { record, external in
            try body(ExchangeRecord(record: record, externalID: external ?? ExternalID.of(record.id), storedExternalID: external,
                                    stageName: record.stage.flatMap { catalog.stage($0)?.name },
                                    teamName: catalog.team(record.team)?.name ?? ""))
        }
    }

    /// Every stage in the global order, as files carry them.
    public func exchangeStages() throws -> [ExchangeStage] {
        let catalog = try catalog()
        let externals = try stageExternalIDs()
        return catalog.stages.map { stage in
            ExchangeStage(stage: stage, externalID: externals[stage.id] ?? ExternalID.of(stage.id),
                          storedExternalID: externals[stage.id], teamName: stage.scope.team.flatMap { catalog.team($0)?.name })
        }
    }

    /// Whether the database holds only what a fresh one holds: the default team and stages,
    /// untouched, no record, and no setting but the currency it was created with (the
    /// default of the language that named its team). Only such a database takes a full
    /// backup or a copy, which replace all of it: a setting someone chose is not replaced
    /// without a word.
    public func isUntouched() throws -> Bool {
        let counts = try storedCounts()
        let catalog = try catalog()
        guard counts.records == 0 && counts.history == 0 && catalog.teams.count == 1 && catalog.teams.allSatisfy({ $0.version == 1 })
            && catalog.stages.count == StageTemplate.steps.count
            && catalog.stages.allSatisfy({ $0.version == 1 && $0.scope == .shared }) else { return false }
        let settings = try storedSettings()
        return Language.allCases.contains { language in
            catalog.teams.first?.name == StageTemplate.defaultTeamName(in: language)
                && settings.count == 1 && settings.first?.0 == .currency
                && settings.first?.1 == StageTemplate.defaultCurrency(in: language).code
        }
    }
}
