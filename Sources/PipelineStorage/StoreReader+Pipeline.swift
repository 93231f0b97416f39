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

    // MARK: - Settings and preferences
    //
    // `user` is who acts (`EngineStore.user`); `nil` is nobody in particular, who sees and
    // sets the pipeline's own values. A personal key (`SettingKey.isPersonal`) reads the
    // user's preference, else the pipeline's value, else the default; a shared key reads
    // the pipeline's value, else the default.

    /// `user`'s current team: their own choice, else the pipeline's, else the first team. A
    /// choice naming a team that no longer exists falls back the same way.
    public func currentTeam(for user: String?) throws -> Team {
        try currentTeamAndSource(for: user).team
    }

    /// Of the teams, those the person acting is in (every one for an administrator and a
    /// file's owner): what a team list and a team picker offer.
    public func memberTeams() throws -> [Team] {
        try access().memberTeams(of: try teams())
    }

    /// A current team is one the person is in: a choice naming another (the pipeline's, made
    /// for everyone) falls back to their first team.
    func currentTeamAndSource(for user: String?) throws -> (team: Team, source: SettingSource) {
        let access = try access()
        let teams = access.memberTeams(of: try self.teams())
        func named(_ stored: String?) -> Team? {
            stored.flatMap { Int64($0) }.flatMap { id in teams.first { $0.id.rawValue == id } }
        }
        if let user, let own = named(try storedPreference(.team, user: user)) { return (own, .personal) }
        if let shared = named(try storedSetting(.team)) { return (shared, .shared) }
        guard let first = teams.first else {
            // Someone who sees every team and finds none has a damaged database; anyone else
            // is in none (a server shows them only their own).
            guard access.isAdmin else { throw PipelineError.notPermitted(.noTeam) }
            throw StoreError.corrupt(path: "the database (it has no team)")
        }
        return (first, .default)
    }

    /// A setting's value as `user` sees it, and where it comes from; `team` shows the
    /// current team's name.
    public func settingValue(_ key: SettingKey, for user: String?) throws -> SettingValue {
        switch key {
        case .team:
            let (team, source) = try currentTeamAndSource(for: user)
            return SettingValue(key: key, value: team.name, source: source)
        case .currency:
            let code = try storedSetting(.currency).flatMap { try? CurrencyCode(stored: $0) }
            return SettingValue(key: key, value: (code ?? .usd).code, source: code == nil ? .default : .shared)
        default:
            if key.isPersonal, let user, let own = try storedPreference(key, user: user) {
                return SettingValue(key: key, value: own, source: .personal)
            }
            if let shared = try storedSetting(key) { return SettingValue(key: key, value: shared, source: .shared) }
            return SettingValue(key: key, value: key.defaultValue, source: .default)
        }
    }

    /// A setting's value as `user` sees it: theirs, else the pipeline's, else the default.
    public func setting(_ key: SettingKey, for user: String?) throws -> String? {
        try settingValue(key, for: user).value
    }

    /// Every setting as `user` sees it.
    public func settings(for user: String?) throws -> [SettingValue] {
        try SettingKey.allCases.map { try settingValue($0, for: user) }
    }

    /// Preferences no one can use: a team that no longer exists, a value `settings set`
    /// refuses, a key that is not personal. Reading passes them over; `check` reports them
    /// and `--repair` removes them.
    public func unusablePreferences() throws -> [Preference] {
        let teams = Set(try teams().map { String($0.id.rawValue) })
        return try storedPreferences().filter { preference in
            // A shared key is never anyone's own: reading never looks at one.
            guard preference.key.isPersonal else { return true }
            if preference.key == .team { return !teams.contains(preference.value) }
            // A value is usable when it is one `settings set` would store as it is.
            return (try? preference.key.normalized(preference.value)) != preference.value
        }
    }

    /// Every stored setting of the pipeline (not the defaults, not anyone's preferences).
    public func storedSettings() throws -> [(SettingKey, String)] {
        try SettingKey.allCases.compactMap { key in try storedSetting(key).map { (key, $0) } }
    }

    /// The currency of amounts that name none.
    public func defaultCurrency() throws -> CurrencyCode {
        guard let stored = try storedSetting(.currency), let code = try? CurrencyCode(stored: stored) else { return .usd }
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

    /// The forecast of one team's pipeline, or of all teams (`team == nil`); of one
    /// salesperson's deals when given ("mine": exactly, ignoring case).
    public func forecast(team: Team.ID?, groupedBy grouping: Forecast.Grouping, salesperson: String? = nil) throws -> Forecast {
        let catalog = try catalog()
        let stages: [Stage]
        if let team {
            guard let owner = catalog.team(team) else { throw PipelineError.unknownTeam(String(team.rawValue)) }
            stages = catalog.pipeline(for: owner).stages
        } else {
            stages = catalog.stages
        }
        let figures = try salesperson.map { try self.figures(FigureQuery(team: team, salesperson: $0)) } ?? stageFigures(team: team)
        let byStage = Forecast.byStage(stages: stages, figures: figures)
        guard grouping != .stage else { return byStage }
        return Forecast(grouping: grouping, rows: try forecastRows(team: team, grouping: grouping, salesperson: salesperson),
                        open: byStage.open, won: byStage.won)
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
        // Anyone's own team, language or direction is a choice a restore would wipe out too.
        guard try storedPreferences().isEmpty else { return false }
        let settings = try storedSettings()
        return Language.allCases.contains { language in
            catalog.teams.first?.name == StageTemplate.defaultTeamName(in: language)
                && settings.count == 1 && settings.first?.0 == .currency
                && settings.first?.1 == StageTemplate.defaultCurrency(in: language).code
        }
    }
}
