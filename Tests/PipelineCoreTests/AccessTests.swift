import Testing
@testable import PipelineCore

/// Who may do what (issue 12): every role against every question the program asks before it
/// writes. The server enforces the same rules; these are what lets the program say why.
@Suite("Access")
struct AccessTests {
    static let teamA = Team(id: Team.ID(1), name: "Alpha")
    static let teamB = Team(id: Team.ID(2), name: "Bravo")
    static let teamBOwn = Team(id: Team.ID(2), name: "Bravo", ownDealsOnly: true)
    static let twoTeams = [teamA, teamB]

    static let admin = Access(login: "ada", role: .admin, teams: [])
    static let managerA = Access(login: "mia", role: .manager, teams: [teamA.id])
    static let salespersonB = Access(login: "sam", role: .salesperson, teams: [teamB.id])
    static let nobody = Access(login: "nora", role: .salesperson, teams: [])

    static let sharedStage = Stage(id: Stage.ID(1), name: "New", sortOrder: 1, probability: .zero)
    static let stageOfA = Stage(id: Stage.ID(7), name: "Alpha only", sortOrder: 7, probability: .zero, scope: .team(teamA.id))
    static let stageOfB = Stage(id: Stage.ID(8), name: "Bravo only", sortOrder: 8, probability: .zero, scope: .team(teamB.id))

    static func deal(of salesperson: String, in team: Team) -> Opportunity {
        Opportunity(id: Opportunity.ID(42), title: "Deal", expectedRevenue: Money(minorUnits: 0, currency: .usd)!, probability: nil,
                    salesperson: salesperson, team: team.id, stage: sharedStage.id, createdAt: World.now)
    }

    // MARK: - Users, teams, shared settings, import, restore

    @Test(arguments: [
        (admin, true, true, true, true, true),
        (managerA, false, false, false, true, false),
        (salespersonB, false, false, false, false, false),
        (nobody, false, false, false, false, false),
        (Access.fileOwner, true, true, true, true, true),
    ])
    func wholeDatabaseQuestions(_ access: Access, users: Bool, teams: Bool, sharedSettings: Bool, importing: Bool, restoring: Bool) {
        #expect((access.refusalToManageUsers() == nil) == users)
        #expect(access.refusalToManageUsers() == (users ? nil : .users))
        #expect(access.refusalToManageTeams() == (teams ? nil : .teams))
        #expect(access.refusalToChangeSharedSettings() == (sharedSettings ? nil : .sharedSettings))
        #expect(access.refusalToImport() == (importing ? nil : .importing))
        #expect(access.refusalToRestore() == (restoring ? nil : .restoring))
    }

    // MARK: - A team's settings and pipeline

    @Test func teamSettingsAreTheirManagersAndAdministrators() {
        #expect(Self.admin.refusalToChangeSettings(of: Self.teamA) == nil)
        #expect(Self.admin.refusalToChangeSettings(of: Self.teamB) == nil)
        #expect(Self.managerA.refusalToChangeSettings(of: Self.teamA) == nil)
        #expect(Self.managerA.refusalToChangeSettings(of: Self.teamB) == .teamSettings(team: "Bravo"))
        #expect(Self.salespersonB.refusalToChangeSettings(of: Self.teamB) == .teamSettings(team: "Bravo"))
        #expect(Self.salespersonB.refusalToChangeSettings(of: Self.teamA) == .teamSettings(team: "Alpha"))
        #expect(Self.nobody.refusalToChangeSettings(of: Self.teamA) == .teamSettings(team: "Alpha"))
        #expect(Access.fileOwner.refusalToChangeSettings(of: Self.teamB) == nil)
    }

    @Test func aTeamsOwnStagesAreItsManagers() {
        // A new stage of the team (nil) and one it owns.
        for stage in [nil, Self.stageOfA] {
            #expect(Self.admin.refusalToChangeStage(stage, of: Self.teamA, allTeams: Self.twoTeams) == nil)
            #expect(Self.managerA.refusalToChangeStage(stage, of: Self.teamA, allTeams: Self.twoTeams) == nil)
            #expect(Self.salespersonB.refusalToChangeStage(stage, of: Self.teamA, allTeams: Self.twoTeams) == .stages(team: "Alpha"))
            #expect(Self.nobody.refusalToChangeStage(stage, of: Self.teamA, allTeams: Self.twoTeams) == .stages(team: "Alpha"))
            #expect(Access.fileOwner.refusalToChangeStage(stage, of: Self.teamA, allTeams: Self.twoTeams) == nil)
        }
        #expect(Self.managerA.refusalToChangeStage(Self.stageOfB, of: Self.teamB, allTeams: Self.twoTeams) == .stages(team: "Bravo"))
        // A salesperson cannot edit even their own team's stages.
        #expect(Self.salespersonB.refusalToChangeStage(Self.stageOfB, of: Self.teamB, allTeams: Self.twoTeams) == .stages(team: "Bravo"))
    }

    @Test func aSharedStageIsForWhoeverManagesEveryTeam() {
        let shared = Self.sharedStage
        // With one team, its manager manages every team.
        #expect(Self.managerA.refusalToChangeStage(shared, of: Self.teamA, allTeams: [Self.teamA]) == nil)
        // With two, a manager of one may not change what the other's pipeline shows…
        #expect(Self.managerA.refusalToChangeStage(shared, of: Self.teamA, allTeams: Self.twoTeams) == .sharedStage(stage: "New"))
        // …a manager of both may, and an administrator always.
        let managerOfBoth = Access(login: "max", role: .manager, teams: [Self.teamA.id, Self.teamB.id])
        #expect(managerOfBoth.refusalToChangeStage(shared, of: Self.teamA, allTeams: Self.twoTeams) == nil)
        #expect(Self.admin.refusalToChangeStage(shared, of: Self.teamB, allTeams: Self.twoTeams) == nil)
        #expect(Access.fileOwner.refusalToChangeStage(shared, of: Self.teamB, allTeams: Self.twoTeams) == nil)
        // Where the engine hides the teams a manager is not in, its word decides: the teams
        // in sight are all theirs whether or not there are others.
        let hiding = Access(login: "mia", role: .manager, teams: [Self.teamA.id], managesEveryTeam: false)
        #expect(hiding.refusalToChangeStage(shared, of: Self.teamA, allTeams: [Self.teamA]) == .sharedStage(stage: "New"))
        let alone = Access(login: "mia", role: .manager, teams: [Self.teamA.id], managesEveryTeam: true)
        #expect(alone.refusalToChangeStage(shared, of: Self.teamA, allTeams: [Self.teamA]) == nil)
        // A salesperson never, even alone in the only team.
        #expect(Self.salespersonB.refusalToChangeStage(shared, of: Self.teamB, allTeams: [Self.teamB]) == .sharedStage(stage: "New"))
        #expect(Self.nobody.refusalToChangeStage(shared, of: Self.teamB, allTeams: Self.twoTeams) == .sharedStage(stage: "New"))
    }

    // MARK: - Deals and leads

    @Test func usingATeamIsForItsMembers() {
        #expect(Self.admin.refusalToUse(Self.teamB) == nil)
        #expect(Self.managerA.refusalToUse(Self.teamA) == nil)
        #expect(Self.managerA.refusalToUse(Self.teamB) == .notMember(team: "Bravo"))
        #expect(Self.salespersonB.refusalToUse(Self.teamB) == nil)
        #expect(Self.salespersonB.refusalToUse(Self.teamA) == .notMember(team: "Alpha"))
        #expect(Self.nobody.refusalToUse(Self.teamA) == .notMember(team: "Alpha"))
        #expect(Access.fileOwner.refusalToUse(Self.teamA) == nil)
    }

    @Test func aSalespersonChangesTheirOwnAndUnassignedRecords() {
        for team in [Self.teamB, Self.teamBOwn] {
            #expect(Self.salespersonB.refusalToChange(Self.deal(of: "sam", in: team), of: team) == nil)
            #expect(Self.salespersonB.refusalToChange(Self.deal(of: "", in: team), of: team) == nil)
            #expect(Self.salespersonB.refusalToChange(Self.deal(of: "lee", in: team), of: team)
                    == .othersRecord(id: 42, owner: "lee", team: "Bravo"))
        }
        // Outside their teams, not even their own name helps.
        #expect(Self.salespersonB.refusalToChange(Self.deal(of: "sam", in: Self.teamA), of: Self.teamA) == .notMember(team: "Alpha"))
    }

    @Test func managersAndAdministratorsChangeAnyoneSRecordsOfTheirTeams() {
        for owner in ["mia", "", "lee"] {
            #expect(Self.managerA.refusalToChange(Self.deal(of: owner, in: Self.teamA), of: Self.teamA) == nil)
            #expect(Self.managerA.refusalToChange(Self.deal(of: owner, in: Self.teamB), of: Self.teamB) == .notMember(team: "Bravo"))
            #expect(Self.admin.refusalToChange(Self.deal(of: owner, in: Self.teamB), of: Self.teamB) == nil)
            #expect(Access.fileOwner.refusalToChange(Self.deal(of: owner, in: Self.teamB), of: Self.teamB) == nil)
            #expect(Self.nobody.refusalToChange(Self.deal(of: owner, in: Self.teamB), of: Self.teamB) == .notMember(team: "Bravo"))
        }
    }

    @Test func aSalespersonGivesRecordsOnlyToThemselvesOrNobody() {
        #expect(Self.salespersonB.refusalToAssign(to: "sam", in: Self.teamB) == nil)
        #expect(Self.salespersonB.refusalToAssign(to: "", in: Self.teamB) == nil)
        #expect(Self.salespersonB.refusalToAssign(to: "lee", in: Self.teamB) == .assignToOthers(salesperson: "lee", team: "Bravo"))
        #expect(Self.salespersonB.refusalToAssign(to: "sam", in: Self.teamA) == .notMember(team: "Alpha"))
        #expect(Self.managerA.refusalToAssign(to: "lee", in: Self.teamA) == nil)
        #expect(Self.managerA.refusalToAssign(to: "lee", in: Self.teamB) == .notMember(team: "Bravo"))
        #expect(Self.admin.refusalToAssign(to: "lee", in: Self.teamB) == nil)
        #expect(Access.fileOwner.refusalToAssign(to: "anyone", in: Self.teamB) == nil)
        #expect(Self.nobody.refusalToAssign(to: "", in: Self.teamB) == .notMember(team: "Bravo"))
    }

    @Test func ownDealsOnlyNarrowsSalespeopleOnly() {
        #expect(Self.salespersonB.seesOnlyOwnDeals(in: Self.teamBOwn))
        #expect(!Self.salespersonB.seesOnlyOwnDeals(in: Self.teamB))
        #expect(!Self.managerA.seesOnlyOwnDeals(in: Team(id: Self.teamA.id, name: "Alpha", ownDealsOnly: true)))
        #expect(!Self.admin.seesOnlyOwnDeals(in: Self.teamBOwn))
        #expect(!Access.fileOwner.seesOnlyOwnDeals(in: Self.teamBOwn))
    }

    @Test func aNewRecordWithoutSalespersonIsItsCreators() {
        // The login acting, whatever the role (the reference CRM's default: the current user).
        #expect(Self.salespersonB.salesperson(forNew: nil, creator: "sam") == "sam")
        #expect(Self.managerA.salesperson(forNew: nil, creator: "mia") == "mia")
        #expect(Self.admin.salesperson(forNew: nil, creator: "ada") == "ada")
        // A server's login wins over the name a client says it acts as.
        #expect(Self.salespersonB.salesperson(forNew: nil, creator: "someone") == "sam")
        // A file has no logins: the name the CLI acts as ($USER, else $LOGNAME).
        #expect(Access.fileOwner.salesperson(forNew: nil, creator: "lan") == "lan")
        // Given is kept, nobody included: the assignment question decides.
        #expect(Self.salespersonB.salesperson(forNew: "", creator: "sam") == "")
        #expect(Access.fileOwner.salesperson(forNew: "", creator: "lan") == "")
        #expect(Self.salespersonB.salesperson(forNew: "lee", creator: "sam") == "lee")
    }

    @Test func anUnassignedLeadConvertedIsTheSalespersonSWhoTakesIt() {
        #expect(Self.salespersonB.salesperson(converting: nil) == "sam")
        #expect(Self.salespersonB.salesperson(converting: "") == "")
        #expect(Self.salespersonB.salesperson(converting: "lee") == "lee")
        #expect(Self.managerA.salesperson(converting: nil) == nil)
        #expect(Self.admin.salesperson(converting: nil) == nil)
        #expect(Access.fileOwner.salesperson(converting: nil) == nil)
    }

    @Test func teamListsOfferTheTeamsThePersonIsIn() {
        #expect(Self.admin.memberTeams(of: Self.twoTeams) == Self.twoTeams)
        #expect(Access.fileOwner.memberTeams(of: Self.twoTeams) == Self.twoTeams)
        #expect(Self.managerA.memberTeams(of: Self.twoTeams) == [Self.teamA])
        #expect(Self.salespersonB.memberTeams(of: Self.twoTeams) == [Self.teamB])
        #expect(Self.nobody.memberTeams(of: Self.twoTeams).isEmpty)
    }

    @Test func aRefusalIsThrownAsNotPermittedAndNothingIsThrownWithout() {
        #expect(throws: PipelineError.notPermitted(.teams)) { try Self.salespersonB.refusalToManageTeams().enforce() }
        #expect(throws: Never.self) { try Self.admin.refusalToManageTeams().enforce() }
    }

    // MARK: - Sentences

    @Test func everyRefusalIsOneSentenceInBothLanguages() {
        let refusals: [AccessRefusal] = [
            .users, .teams, .teamSettings(team: "Bravo"), .stages(team: "Bravo"), .sharedStage(stage: "New"), .sharedSettings,
            .notMember(team: "Bravo"), .othersRecord(id: 42, owner: "lee", team: "Bravo"), .assignToOthers(salesperson: "lee", team: "Bravo"),
            .importing, .restoring, .noTeam, .fileHasNoUsers,
        ]
        for refusal in refusals {
            for language in Language.allCases {
                let sentence = refusal.message(in: language)
                #expect(!sentence.isEmpty && !sentence.contains("{") && !sentence.contains("\n"), "\(refusal) in \(language)")
                #expect(PipelineError.notPermitted(refusal).message(in: language) == sentence)
            }
        }
        #expect(AccessRefusal.stages(team: "Sales").message(in: .english) == "only a manager of Sales can edit its stages")
    }

    @Test func aLoginIsOneLineOfAtMost63Bytes() throws {
        #expect(try UserAccount.login("lan.nguyen") == "lan.nguyen")
        #expect(try UserAccount.login("Nguyễn Lan") == "Nguyễn Lan")
        #expect(try UserAccount.login(String(repeating: "a", count: 63)).utf8.count == 63)
        let long = String(repeating: "a", count: 64)
        #expect(throws: PipelineError.invalidLogin(long)) { try UserAccount.login(long) }
        // 22 Vietnamese letters of 3 bytes each are 66 bytes.
        #expect(throws: PipelineError.invalidLogin(String(repeating: "ế", count: 22))) { try UserAccount.login(String(repeating: "ế", count: 22)) }
        #expect(throws: PipelineError.invalidLogin("")) { try UserAccount.login("") }
        #expect(throws: PipelineError.invalidLogin("lan\nDROP")) { try UserAccount.login("lan\nDROP") }
        #expect(throws: PipelineError.invalidLogin("lan\u{200B}")) { try UserAccount.login("lan\u{200B}") }
    }
}

extension AccessTests {
    /// With "own deals only", a salesperson's deal stays theirs (an unassigned one would vanish
    /// from their board, and the server refuses it); a lead may stay unassigned, for others to
    /// take; a manager may leave anything unassigned.
    @Test func inAnOwnDealsTeamASalespersonsDealStaysTheirs() {
        #expect(Self.salespersonB.refusalToAssign(to: "", in: Self.teamBOwn, kind: .opportunity)
                == .unassignedInOwnDealsTeam(team: "Bravo"))
        #expect(Self.salespersonB.refusalToAssign(to: "", in: Self.teamBOwn, kind: .lead) == nil)
        #expect(Self.salespersonB.refusalToAssign(to: "sam", in: Self.teamBOwn, kind: .opportunity) == nil)
        #expect(Self.salespersonB.refusalToAssign(to: "", in: Self.teamB, kind: .opportunity) == nil)
        let managerB = Access(login: "max", role: .manager, teams: [Self.teamB.id])
        #expect(managerB.refusalToAssign(to: "", in: Self.teamBOwn, kind: .opportunity) == nil)
    }

    /// Users are an administrator's to manage, but never the tables' owner or a superuser
    /// (administrators whatever a row says), and never one's own role or access.
    @Test func anAdministratorManagesOthersButNotTheOwnerOrThemselves() {
        #expect(Self.admin.refusalToManage(user: "sam", removing: true, newRole: nil, targetIsOwner: false) == nil)
        #expect(Self.admin.refusalToManage(user: "lan", removing: false, newRole: .salesperson, targetIsOwner: true)
                == .ownerIsAdministrator(login: "lan"))
        #expect(Self.admin.refusalToManage(user: "ada", removing: true, newRole: nil, targetIsOwner: false) == .ownAccess)
        #expect(Self.admin.refusalToManage(user: "ada", removing: false, newRole: .manager, targetIsOwner: false) == .ownAccess)
        #expect(Self.admin.refusalToManage(user: "ada", removing: false, newRole: .admin, targetIsOwner: false) == nil)
        #expect(Self.admin.refusalToManage(user: "ada", removing: false, newRole: nil, targetIsOwner: false) == nil)
        #expect(Self.managerA.refusalToManage(user: "sam", removing: true, newRole: nil, targetIsOwner: false) == .users)
    }
}
