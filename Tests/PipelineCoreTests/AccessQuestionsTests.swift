import Testing
@testable import PipelineCore

/// The refinements the board brought to the core's access questions (issue 12): a shared
/// stage refused in the words that fit who asks, a store that knows better than the teams
/// it shows, and the pipeline's own settings.
@Suite("Access questions")
struct AccessQuestionsTests {
    let sales = Team(id: Team.ID(1), name: "Sales")
    let export = Team(id: Team.ID(2), name: "Export")
    let shared = Stage(id: Stage.ID(1), name: "New", sortOrder: 1, probability: .zero)
    var salesOnly: Stage { Stage(id: Stage.ID(2), name: "Demo", sortOrder: 2, probability: .zero, scope: .team(sales.id)) }

    @Test func aSharedStageIsRefusedInWordsThatFitWhoAsks() {
        let salesperson = Access(login: "lan", role: .salesperson, teams: [sales.id])
        // One team: managing it is managing them all, so the salesperson hears of its manager.
        #expect(salesperson.refusalToChangeStage(shared, of: sales, allTeams: [sales]) == .stages(team: "Sales"))
        #expect(salesperson.refusalToChangeStage(shared, of: sales, allTeams: [sales, export]) == .sharedStage(stage: "New"))
        let manager = Access(login: "hoa", role: .manager, teams: [sales.id])
        #expect(manager.refusalToChangeStage(shared, of: sales, allTeams: [sales]) == nil)
        #expect(manager.refusalToChangeStage(shared, of: sales, allTeams: [sales, export]) == .sharedStage(stage: "New"))
        #expect(manager.refusalToChangeStage(salesOnly, of: sales, allTeams: [sales, export]) == nil)
        #expect(manager.refusalToChangeStage(nil, of: sales, allTeams: [sales, export]) == nil)
        #expect(manager.refusalToChangeStage(nil, of: export, allTeams: [sales, export]) == .stages(team: "Export"))
    }

    /// A server shows a manager only their own teams: what it says of "every team" counts.
    @Test func aStoreThatKnowsOfOtherTeamsIsBelieved() {
        var manager = Access(login: "hoa", role: .manager, teams: [sales.id], managesEveryTeam: false)
        #expect(!manager.managesAll([sales]))
        #expect(manager.refusalToChangeStage(shared, of: sales, allTeams: [sales]) == .sharedStage(stage: "New"))
        manager.managesEveryTeam = true
        #expect(manager.refusalToChangeStage(shared, of: sales, allTeams: [sales]) == nil)
        let salesperson = Access(login: "lan", role: .salesperson, teams: [sales.id], managesEveryTeam: true)
        #expect(!salesperson.managesAll([sales]))
        #expect(Access.fileOwner.managesAll([sales, export]))
    }

    @Test func thePipelinesOwnSettingsAreEveryonesWhoeverSetsThem() {
        let salesperson = Access(login: "lan", role: .salesperson, teams: [sales.id])
        #expect(salesperson.refusalToChange(.leads, forEveryone: false) == .pipelineSetting(key: "leads"))
        #expect(salesperson.refusalToChange(.currency, forEveryone: true) == .pipelineSetting(key: "currency"))
        #expect(salesperson.refusalToChange(.language, forEveryone: false) == nil)
        #expect(salesperson.refusalToChange(.direction, forEveryone: true) == .sharedSettings)
        #expect(Access.fileOwner.refusalToChange(.leads, forEveryone: false) == nil)
        #expect(AccessRefusal.pipelineSetting(key: "leads").message(in: .english)
            == "only an administrator can change the setting leads: it is the same for everyone")
        #expect(AccessRefusal.pipelineSetting(key: "leads").message(in: .vietnamese)
            == "chỉ quản trị viên mới được đổi thiết lập leads: thiết lập này dùng chung cho mọi người")
    }
}
