/// Who may see and change what (issue 12).
///
/// On a team server each person connects with their own login, and the server enforces these
/// same rules with row-level security (PostgresSchema version 3): the rules here are what
/// lets the board and the CLI say *why* in one sentence before the server would refuse. On a
/// SQLite file there is one person, who may do everything (`Access.fileOwner`); the file's
/// mode protects it.
public enum AccessRole: String, CaseIterable, Hashable, Sendable {
    /// Sees and changes the pipelines of their teams: adds deals and leads, moves and edits
    /// their own (and unassigned ones, which taking assigns to them). With a team's "own deals
    /// only" on, sees only their own deals and leads, plus unassigned leads to take.
    case salesperson
    /// Everything in the teams they manage: stages, anyone's deals, the team's settings.
    case manager
    /// Everything, users and teams included.
    case admin

    public func name(in language: Language) -> String { Localizer(language)("role.\(rawValue)") }
}

/// What the person using a store may do: their role and their teams.
public struct Access: Hashable, Sendable {
    /// The login acting (a server's session user); `nil` for a file's owner.
    public var login: String?
    public var role: AccessRole
    /// The teams the person belongs to; a manager manages exactly these. An administrator's
    /// are ignored (they are in every team).
    public var teams: Set<Team.ID>
    /// Whether the person manages every team of the database, those they cannot see
    /// included: what changing a stage every team shares asks. An engine that hides the teams
    /// a person is not in must say (a server's `pipeline_manages_every_team()`), since the
    /// teams it shows them are then all theirs; `nil`: every team is in sight, and the teams
    /// given to `managesAll` decide.
    public var managesEveryTeam: Bool?

    public init(login: String?, role: AccessRole, teams: Set<Team.ID>, managesEveryTeam: Bool? = nil) {
        self.login = login
        self.role = role
        self.teams = teams
        self.managesEveryTeam = managesEveryTeam
    }

    /// A SQLite file's owner: everything (a file is one person's).
    public static let fileOwner = Access(login: nil, role: .admin, teams: [])

    public var isAdmin: Bool { role == .admin }

    public func isMember(of team: Team.ID) -> Bool { isAdmin || teams.contains(team) }

    public func manages(_ team: Team.ID) -> Bool { isAdmin || (role == .manager && teams.contains(team)) }

    /// Whether the person manages every one of `allTeams`: what changing something every team
    /// shares (a shared stage, the shared order of stages) asks for.
    public func managesAll(_ allTeams: [Team]) -> Bool {
        isAdmin || (role == .manager && (managesEveryTeam ?? allTeams.allSatisfy { manages($0.id) }))
    }

    /// Whether the person sees only their own deals in `team` (a salesperson, the team's
    /// "own deals only" on).
    public func seesOnlyOwnDeals(in team: Team) -> Bool { role == .salesperson && team.ownDealsOnly }

    /// Whether `salesperson` names the person acting, or nobody (an unassigned record).
    public func isSelfOrNobody(_ salesperson: String) -> Bool {
        salesperson.isEmpty || (login.map { $0 == salesperson } ?? true)
    }

    // MARK: - Questions; each answers nil when allowed, else why not.

    public func refusalToManageUsers() -> AccessRefusal? { isAdmin ? nil : .users }

    /// Adding, removing teams.
    public func refusalToManageTeams() -> AccessRefusal? { isAdmin ? nil : .teams }

    /// Renaming a team, its "own deals only" setting.
    public func refusalToChangeSettings(of team: Team) -> AccessRefusal? {
        manages(team.id) ? nil : .teamSettings(team: team.name)
    }

    /// Adding, editing, reordering or removing `stage` (nil: a new stage of `team`). A stage
    /// every team shares changes every team's pipeline: only someone who manages them all.
    public func refusalToChangeStage(_ stage: Stage?, of team: Team, allTeams: [Team]) -> AccessRefusal? {
        if let stage, stage.scope == .shared {
            return managesAll(allTeams) ? nil : .sharedStage(stage: stage.name)
        }
        return manages(team.id) ? nil : .stages(team: team.name)
    }

    /// Where a new stage of `team` goes when nobody said: in every team's pipeline (the
    /// reference CRM's default) for whoever may change them all, else in `team`'s alone,
    /// which its manager may change (a manager of one team of several would otherwise be
    /// refused every new stage). The board's `N` and `stage add` without `--scope` agree.
    public func newStageScope(in team: Team, allTeams: [Team]) -> StageScope {
        managesAll(allTeams) ? .shared : .team(team.id)
    }

    /// A setting for everyone (`settings set --for-everyone`); personal ones are each person's.
    public func refusalToChangeSharedSettings() -> AccessRefusal? { isAdmin ? nil : .sharedSettings }

    /// Setting `key`: a personal key (team, language, direction) is each person's own unless
    /// set for everyone; the pipeline's own keys (currency, leads) are everyone's whoever sets
    /// them, so only an administrator may, and the refusal says it is the same for everyone.
    public func refusalToChange(_ key: SettingKey, forEveryone: Bool) -> AccessRefusal? {
        if isAdmin || (key.isPersonal && !forEveryone) { return nil }
        return key.isPersonal ? .sharedSettings : .pipelineSetting(key: key.rawValue)
    }

    /// Seeing and adding to `team`'s pipeline.
    public func refusalToUse(_ team: Team) -> AccessRefusal? { isMember(of: team.id) ? nil : .notMember(team: team.name) }

    /// Changing `record` (a deal or a lead) of `team`: moving, editing, winning, losing,
    /// restoring, deleting. A salesperson changes their own and unassigned ones.
    public func refusalToChange(_ record: Opportunity, of team: Team) -> AccessRefusal? {
        if let refusal = refusalToUse(team) { return refusal }
        if manages(team.id) || isSelfOrNobody(record.salesperson) { return nil }
        return .othersRecord(id: record.id.rawValue, owner: record.salesperson, team: team.name)
    }

    /// Giving a record of `team` to `salesperson` (adding, editing, converting). A salesperson
    /// gives only to themselves or to nobody.
    ///
    /// With the team's "own deals only" on, a salesperson sees no unassigned deal (only
    /// unassigned leads, to take): a deal they left to nobody would vanish from their own
    /// board, and the server refuses it; so a deal stays theirs there.
    public func refusalToAssign(to salesperson: String, in team: Team, kind: RecordKind = .lead) -> AccessRefusal? {
        if let refusal = refusalToUse(team) { return refusal }
        if manages(team.id) { return nil }
        if salesperson.isEmpty, kind == .opportunity, seesOnlyOwnDeals(in: team) { return .unassignedInOwnDealsTeam(team: team.name) }
        if isSelfOrNobody(salesperson) { return nil }
        return .assignToOthers(salesperson: salesperson, team: team.name)
    }

    /// Changing `login`'s role, teams or password, or removing them (`user edit`, `user
    /// remove`): an administrator's, but never their own role or access (who would then
    /// administer?), and never the tables' owner or a superuser, who are administrators
    /// whatever a row says (`targetIsOwner`, as the server knows it).
    public func refusalToManage(user login: String, removing: Bool, newRole: AccessRole?, targetIsOwner: Bool) -> AccessRefusal? {
        if let refusal = refusalToManageUsers() { return refusal }
        if targetIsOwner { return .ownerIsAdministrator(login: login) }
        if login == self.login, removing || (newRole.map { $0 != .admin } ?? false) { return .ownAccess }
        return nil
    }

    /// Imports and restores write many records, stages and teams at once.
    public func refusalToImport() -> AccessRefusal? { role == .salesperson ? .importing : nil }
    public func refusalToRestore() -> AccessRefusal? { isAdmin ? nil : .restoring }

    /// The salesperson a new deal or lead gets when none was given: its creator, as in the
    /// reference CRM (`user_id` defaults to the current user) — what one adds is one's own,
    /// so "my pipeline" shows it. The creator is the login acting (a server's session user),
    /// else `creator`, the name a file's user acts as (`$USER`, else `$LOGNAME`). Anything
    /// given is kept as given: an empty name means nobody. Imports and restores never ask:
    /// the data keeps what its file says.
    public func salesperson(forNew given: String?, creator: String) -> String {
        given ?? login ?? creator
    }

    /// The salesperson an unassigned lead gets when it is converted and none was given: a
    /// salesperson taking it takes it for themselves (with "own deals only" an unassigned
    /// deal would vanish from their own board); a manager or an administrator converts it for
    /// the team to hand out. Anything given is kept as given (an empty name: nobody).
    public func salesperson(converting given: String?) -> String? {
        if let given { return given }
        guard role == .salesperson, let login else { return nil }
        return login
    }

    // MARK: - Activities and notes (issue 13)

    /// Adding, editing, rescheduling, marking done or removing an activity of `record`, or
    /// adding a note to it: whoever may change the record.
    public func refusalToChangeActivities(of record: Opportunity, in team: Team) -> AccessRefusal? {
        refusalToChange(record, of: team)
    }

    /// Giving an activity of `record` (of `team`) to `assignee`: nobody, the record's
    /// salesperson (the default), the person acting, or another member of the team.
    /// `members`: the team's logins as the store knows them; `nil` where a store has no users
    /// (a file: its owner gives to anyone).
    public func refusalToAssignActivity(to assignee: String, of record: Opportunity, in team: Team, members: Set<String>?) -> AccessRefusal? {
        guard let members, !assignee.isEmpty, assignee != record.salesperson, assignee != login,
              !members.contains(assignee) else { return nil }
        return .assignActivityOutsideTeam(assignee: assignee, team: team.name)
    }

    /// Removing `note` of a record of `team`: its author, or a manager of the team.
    public func refusalToRemove(_ note: DealNote, in team: Team) -> AccessRefusal? {
        if let refusal = refusalToUse(team) { return refusal }
        if manages(team.id) || (login.map { $0 == note.author } ?? true) { return nil }
        return .othersNote(id: note.id.rawValue, author: note.author, team: team.name)
    }

    /// Adding, editing or removing activity types: a manager or an administrator.
    public func refusalToManageActivityTypes() -> AccessRefusal? { role == .salesperson ? .activityTypes : nil }

    /// Of `teams`, those the person is in (every one for an administrator): what a team
    /// list and a team picker offer.
    public func memberTeams(of teams: [Team]) -> [Team] { teams.filter { isMember(of: $0.id) } }
}

extension Optional where Wrapped == AccessRefusal {
    /// Throws the refusal a question gave as `PipelineError.notPermitted`; nothing when
    /// there was none.
    public func enforce() throws(PipelineError) {
        if let refusal = self { throw .notPermitted(refusal) }
    }
}

/// Why the person may not do what they asked: one sentence naming who may.
public enum AccessRefusal: Hashable, Sendable {
    case users
    case teams
    case teamSettings(team: String)
    case stages(team: String)
    case sharedStage(stage: String)
    case sharedSettings
    /// One of the pipeline's own settings (currency, leads): the same for everyone.
    case pipelineSetting(key: String)
    case notMember(team: String)
    case othersRecord(id: Int64, owner: String, team: String)
    case assignToOthers(salesperson: String, team: String)
    case importing
    case restoring
    /// The person is in no team of the database (a login without a user row): nothing to show.
    case noTeam
    /// A SQLite file has no users: its protection is the file's mode.
    case fileHasNoUsers
    /// A salesperson leaving a deal to nobody in a team whose salespeople see only their own.
    case unassignedInOwnDealsTeam(team: String)
    /// The tables' owner or a superuser, named in a `user` command.
    case ownerIsAdministrator(login: String)
    /// An administrator removing themselves or lowering their own role.
    case ownAccess
    /// A salesperson changing the list of activity types.
    case activityTypes
    /// An activity given to someone outside the record's team.
    case assignActivityOutsideTeam(assignee: String, team: String)
    /// Someone else's note, in a team the person does not manage.
    case othersNote(id: Int64, author: String, team: String)

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .users: return t("access.users")
        case .teams: return t("access.teams")
        case .teamSettings(let team): return t("access.teamSettings", team)
        case .stages(let team): return t("access.stages", team)
        case .sharedStage(let stage): return t("access.sharedStage", stage)
        case .sharedSettings: return t("access.sharedSettings")
        case .pipelineSetting(let key): return t("access.pipelineSetting", key)
        case .notMember(let team): return t("access.notMember", team)
        case .othersRecord(let id, let owner, let team): return t("access.othersRecord", id, owner, team)
        case .assignToOthers(let salesperson, let team): return t("access.assignToOthers", salesperson, team)
        case .importing: return t("access.importing")
        case .restoring: return t("access.restoring")
        case .noTeam: return t("access.noTeam")
        case .fileHasNoUsers: return t("access.fileHasNoUsers")
        case .unassignedInOwnDealsTeam(let team): return t("access.unassignedInOwnDealsTeam", team)
        case .ownerIsAdministrator(let login): return t("access.ownerIsAdministrator", login)
        case .ownAccess: return t("access.ownAccess")
        case .activityTypes: return t("access.activityTypes")
        case .assignActivityOutsideTeam(let assignee, let team): return t("access.assignActivity", assignee, team)
        case .othersNote(let id, let author, let team): return t("access.othersNote", id, author, team)
        }
    }
}

/// A person who may use a team server: their login, role and teams.
public struct UserAccount: Hashable, Sendable {
    /// The longest login a PostgreSQL server keeps whole, in bytes (NAMEDATALEN − 1); it
    /// would cut a longer one silently, making a login nobody asked for.
    public static let maximumLoginBytes = 63

    /// A login as typed, if it can be a server's: 1 to `maximumLoginBytes` bytes, one line,
    /// no control or invisible formatting characters (which would make two logins look
    /// alike). Any other character is allowed (the server quotes it). The server's engine
    /// checks the same again.
    public static func login(_ text: String) throws(PipelineError) -> String {
        let refused = text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: return true
            default: return false
            }
        }
        guard !text.isEmpty, text.utf8.count <= maximumLoginBytes, !refused else { throw .invalidLogin(text) }
        return text
    }

    public var login: String
    public var role: AccessRole
    /// The teams they belong to (a manager: manages), by id, in name order.
    public var teams: [Team.ID]
    /// Whether the server would let the login connect (`rolcanlogin`).
    public var canLogIn: Bool

    public init(login: String, role: AccessRole, teams: [Team.ID], canLogIn: Bool = true) {
        self.login = login
        self.role = role
        self.teams = teams
        self.canLogIn = canLogIn
    }
}
