import Foundation
import Testing
@testable import PipelineCore
import PipelineExchange
import PipelineStorage

/// Each user's own current team, language and board direction (`SettingKey.isPersonal`) on a
/// database they share: what one chooses never changes another's; a user who has chosen
/// nothing follows the pipeline's values (what a database held before preferences); currency
/// and leads stay the pipeline's. Backups and copies carry everyone's.
@Suite("Store: each user's own team, language and direction")
struct PreferenceTests {
    @Test(arguments: EngineKind.allCases) func twoUsersChooseTheirTeamAndLanguageIndependently(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let export = try fixture.store.addTeam(named: "Export", context: fixture.context())
        let lan = try fixture.reopen(as: "lan"), minh = try fixture.reopen(as: "minh")
        #expect(try lan.setSetting(.team, to: "export") == "Export")
        try lan.setSetting(.language, to: "vi")
        try lan.setSetting(.direction, to: "LTR")
        // Minh's, and the pipeline's, are as they were.
        for other in [minh, fixture.store.forEveryone()] {
            #expect(try other.currentTeam().name == "Sales")
            #expect(try other.setting(.team) == "Sales")
            #expect(try other.setting(.language) == nil)
            #expect(try other.setting(.direction) == "rtl")
        }
        try minh.setSetting(.language, to: "en")
        #expect(try lan.currentTeam().id == export.id)
        #expect(try lan.setting(.language) == "vi")
        #expect(try lan.setting(.direction) == "ltr")
        #expect(try minh.setting(.language) == "en")
        // Hers on another connection too (the CLI's next command), and nobody else's.
        #expect(try fixture.reopen(as: "lan").currentTeam().id == export.id)
        #expect(try fixture.store.storedPreferences() == [
            Preference(user: "lan", key: .direction, value: "ltr"), Preference(user: "lan", key: .language, value: "vi"),
            Preference(user: "lan", key: .team, value: String(export.id.rawValue)), Preference(user: "minh", key: .language, value: "en"),
        ])
        #expect(try fixture.store.storedSettings().map(\.0) == [.currency])   // the pipeline's: only what a new database has
    }

    /// What a database held before preferences is the pipeline's value: everyone who has not
    /// chosen their own sees it; whoever has, sees theirs. `settings()` says which is which.
    @Test(arguments: EngineKind.allCases) func aUsersOwnValueWinsAndOneWithoutSeesThePipelines(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let export = try fixture.store.addTeam(named: "Export", context: fixture.context())
        for (key, value) in [(SettingKey.team, "Export"), (.language, "vi"), (.direction, "ltr")] {
            try fixture.store.forEveryone().setSetting(key, to: value)
        }
        let lan = try fixture.reopen(as: "lan"), minh = try fixture.reopen(as: "minh")
        try lan.setSetting(.team, to: "Sales")
        try lan.setSetting(.language, to: "en")
        #expect(try lan.currentTeam().name == "Sales")
        #expect(try lan.setting(.language) == "en")
        #expect(try lan.setting(.direction) == "ltr")
        #expect(try minh.currentTeam().id == export.id)
        #expect(try minh.setting(.language) == "vi")
        #expect(try minh.setting(.direction) == "ltr")
        func sources(_ store: any PipelineStore) throws -> [SettingKey: SettingSource] {
            Dictionary(uniqueKeysWithValues: try store.settings().map { ($0.key, $0.source) })
        }
        #expect(try sources(lan) == [.team: .personal, .language: .personal, .direction: .shared, .currency: .shared, .leads: .default])
        #expect(try sources(minh) == [.team: .shared, .language: .shared, .direction: .shared, .currency: .shared, .leads: .default])
        #expect(try lan.settings().first { $0.key == .team }?.value == "Sales")
        // Currency and leads stay the pipeline's, whoever sets them.
        try lan.setSetting(.currency, to: "vnd")
        try lan.setSetting(.leads, to: "on")
        #expect(try minh.setting(.currency) == "VND" && minh.setting(.leads) == "on")
        #expect(try fixture.store.storedPreferences().map(\.key) == [.language, .team])
    }

    /// A new database: no one has chosen anything, and the language is nobody's until chosen.
    @Test(arguments: EngineKind.allCases) func aUserWithNothingChosenSeesThePipelinesOrTheDefaults(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let hoa = try fixture.reopen(as: "hoa")
        #expect(try hoa.settings() == [
            SettingValue(key: .team, value: "Sales", source: .default), SettingValue(key: .currency, value: "USD", source: .shared),
            SettingValue(key: .language, value: nil, source: .default), SettingValue(key: .direction, value: "rtl", source: .default),
            SettingValue(key: .leads, value: "off", source: .default),
        ])
    }

    /// Removing a team someone works in never leaves them without one: they follow its deals
    /// to the team that took them, else go to the first other team — as the pipeline's own
    /// current team always did.
    @Test(arguments: EngineKind.allCases) func removingSomeonesTeamMovesThemWhereItsDealsWent(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let context = fixture.context()
        let export = try fixture.store.addTeam(named: "Export", context: context)
        let support = try fixture.store.addTeam(named: "Support", context: context)
        let empty = try fixture.store.addTeam(named: "Empty", context: context)
        let lan = try fixture.reopen(as: "lan"), minh = try fixture.reopen(as: "minh"), hoa = try fixture.reopen(as: "hoa")
        try lan.setSetting(.team, to: "Export")
        try minh.setSetting(.team, to: "Empty")
        try hoa.setSetting(.team, to: "Support")
        try fixture.add("Export deal", team: export.id)
        _ = try fixture.store.removeTeam(export.id, movingTo: support.id, context: fixture.context())
        _ = try fixture.store.removeTeam(empty.id, movingTo: nil, context: fixture.context())
        #expect(try lan.currentTeam().id == support.id)
        #expect(try minh.currentTeam().name == "Sales")
        #expect(try hoa.currentTeam().id == support.id)
        #expect(try fixture.store.storedPreferences().map(\.value) == [String(support.id.rawValue), String(support.id.rawValue), "1"])
        #expect(try fixture.store.integrityProblems() == [])
    }

    /// A preference no one can use — a team that no longer exists, a value `settings set`
    /// refuses, a key that is not personal; only another program's edit leaves one — is
    /// passed over when read, reported by `check`, and removed by `check --repair`, which
    /// keeps every usable one.
    @Test(arguments: EngineKind.allCases) func checkReportsPreferencesNoOneCanUseAndRepairRemovesThem(_ engine: EngineKind) throws {
        let fixture = try StoreFixture(engine)
        let lan = try fixture.reopen(as: "lan"), minh = try fixture.reopen(as: "minh")
        try lan.setSetting(.language, to: "vi")
        try fixture.store.inOneTransaction { store in
            try store.storePreference(.team, "99", user: "lan")
            try store.storePreference(.direction, "up", user: "minh")
            try store.storePreference(.currency, "EUR", user: "minh")
        }
        #expect(try lan.currentTeam().name == "Sales")
        #expect(try minh.setting(.currency) == "USD")
        #expect(try fixture.store.integrityProblems() == [
            .preference(user: "lan", key: "team", value: "99"), .preference(user: "minh", key: "currency", value: "EUR"),
            .preference(user: "minh", key: "direction", value: "up"),
        ])
        #expect(IntegrityProblem.preference(user: "lan", key: "team", value: "99").message(in: .english)
                == "lan's own team is '99', which it cannot be (a team that no longer exists, or a value it does not take)")
        try fixture.store.repair()
        #expect(try fixture.store.integrityProblems() == [])
        #expect(try fixture.store.storedPreferences() == [Preference(user: "lan", key: .language, value: "vi")])
    }

    // MARK: - Backups

    /// A store with the pipeline's settings and three users' preferences.
    func chosen(_ engine: EngineKind) throws -> StoreFixture {
        let fixture = try StoreFixture(engine)
        _ = try fixture.store.addTeam(named: "Export", context: fixture.context())
        try fixture.add("Acme renewal")
        try fixture.store.forEveryone().setSetting(.team, to: "Export")
        try fixture.store.forEveryone().setSetting(.language, to: "vi")
        try fixture.reopen(as: "lan").setSetting(.team, to: "Sales")
        try fixture.reopen(as: "lan").setSetting(.language, to: "en")
        try fixture.reopen(as: "minh").setSetting(.direction, to: "ltr")
        try fixture.reopen(as: "Nguyễn Hòa").setSetting(.language, to: "vi")
        return fixture
    }

    func backup(of store: any PipelineStore, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("backup-\(UUID().uuidString).json").path
        let file = try OutputFile(path, protecting: nil)
        try JSONBackup.export(.all, from: store, to: file.writer)
        try file.commit()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func restoring(_ text: String, in folder: URL, into store: any PipelineStore) throws {
        let path = folder.appendingPathComponent("restore-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try JSONBackup.restore(path: path, into: store)
    }

    @Test(arguments: EngineKind.allCases) func aBackupKeepsEveryonesPreferences(_ engine: EngineKind) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let from = try chosen(engine)
        let backup = try backup(of: from.store, in: folder)
        #expect(backup.contains(#"{"user":"lan","key":"language","value":"en"}"#), "\(backup)")
        let to = try StoreFixture(engine)
        try restoring(backup, in: folder, into: to.store)
        #expect(try to.snapshot() == (try from.snapshot()))
        #expect(try to.reopen(as: "lan").currentTeam().name == "Sales")
        #expect(try to.reopen(as: "lan").setting(.language) == "en")
        #expect(try to.reopen(as: "Nguyễn Hòa").setting(.language) == "vi")
        #expect(try to.reopen(as: "minh").currentTeam().name == "Export")
        #expect(try self.backup(of: to.store, in: folder) == backup)
    }

    /// A backup written before preferences existed has no `preferences` list: it restores as
    /// it always did, and everyone follows its settings.
    @Test(arguments: EngineKind.allCases) func aBackupFromBeforePreferencesRestores(_ engine: EngineKind) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let from = try chosen(engine)
        var lines = try backup(of: from.store, in: folder).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "\"preferences\": ["))
        let end = try #require(lines[start...].firstIndex(of: "],"))
        lines.removeSubrange(start...end)
        let old = lines.joined(separator: "\n")
        #expect(!old.contains("preferences") && !old.contains("\"user\""))
        let to = try StoreFixture(engine)
        try restoring(old, in: folder, into: to.store)
        #expect(try to.store.storedPreferences() == [])
        for user in ["lan", "minh"] {
            let store = try to.reopen(as: user)
            #expect(try store.currentTeam().name == "Export")
            #expect(try store.setting(.language) == "vi")
            #expect(try store.setting(.direction) == "rtl")
        }
        #expect(try to.store.opportunity("Acme renewal").title == "Acme renewal")
    }

    /// A user's current team must be a team of the backup, as the pipeline's must; refused,
    /// the store is left as it was.
    @Test(arguments: EngineKind.allCases) func aBackupPreferringATeamItDoesNotHaveIsRefused(_ engine: EngineKind) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let from = try chosen(engine)
        let backup = try backup(of: from.store, in: folder)
        let changed = backup.replacingOccurrences(of: #"{"user":"lan","key":"team","value":"1"}"#,
                                                  with: #"{"user":"lan","key":"team","value":"9"}"#)
        #expect(changed != backup)
        let to = try StoreFixture(engine)
        let before = try to.snapshot()
        let error = try #require(throws: PipelineError.self) { try restoring(changed, in: folder, into: to.store) }
        #expect(error.message(in: .english).contains("the backup has no team 9, which lan chose as their team"), "\(error)")
        #expect(try to.snapshot() == before)
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-preferences-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
