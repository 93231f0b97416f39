import Testing
@testable import PipelineCore

/// The question the board brought to the core (issue 12): setting a key. The pipeline's own
/// settings (currency, leads) are everyone's whoever sets them, so their refusal says so
/// rather than pointing at `--for-everyone`; a personal key is refused only for everyone.
@Suite("Access questions: settings")
struct AccessQuestionsTests {
    @Test func thePipelinesOwnSettingsAreEveryonesWhoeverSetsThem() {
        let salesperson = Access(login: "lan", role: .salesperson, teams: [Team.ID(1)])
        let manager = Access(login: "hoa", role: .manager, teams: [Team.ID(1)])
        for person in [salesperson, manager] {
            #expect(person.refusalToChange(.leads, forEveryone: false) == .pipelineSetting(key: "leads"))
            #expect(person.refusalToChange(.currency, forEveryone: true) == .pipelineSetting(key: "currency"))
            #expect(person.refusalToChange(.language, forEveryone: false) == nil)
            #expect(person.refusalToChange(.team, forEveryone: false) == nil)
            #expect(person.refusalToChange(.direction, forEveryone: true) == .sharedSettings)
        }
        let admin = Access(login: "boss", role: .admin, teams: [])
        for access in [admin, Access.fileOwner] {
            for key in SettingKey.allCases {
                #expect(access.refusalToChange(key, forEveryone: true) == nil)
                #expect(access.refusalToChange(key, forEveryone: false) == nil)
            }
        }
        #expect(AccessRefusal.pipelineSetting(key: "leads").message(in: .english)
            == "only an administrator can change the setting leads: it is the same for everyone")
        #expect(AccessRefusal.pipelineSetting(key: "leads").message(in: .vietnamese)
            == "chỉ quản trị viên mới được đổi thiết lập leads: thiết lập này dùng chung cho mọi người")
    }
}
