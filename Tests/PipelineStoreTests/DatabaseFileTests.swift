import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

@Suite("SQLite engine: the database file")
struct DatabaseFileTests {
    @Test func theFileIsWALWithForeignKeysAndOurApplicationID() throws {
        let temporary = try TemporaryDatabase()
        let (mode, foreignKeys, applicationID, version) = try temporary.engine.withDatabase { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"),
             try Int32.fetchOne(db, sql: "PRAGMA application_id"), try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(mode == "wal")
        #expect(foreignKeys == true)
        #expect(applicationID == Schema.applicationID)
        #expect(version == Schema.currentVersion)
    }

    @Test func theFileAndItsFolderArePrivate() throws {
        let temporary = try TemporaryDatabase()
        let nested = temporary.folder.appendingPathComponent("deep/er/pipeline.sqlite").path
        _ = try SQLiteEngine(path: nested, seedLanguage: .english, now: testNow)
        let manager = FileManager.default
        #expect(try manager.attributesOfItem(atPath: nested)[.posixPermissions] as? Int == 0o600)
        let folder = (nested as NSString).deletingLastPathComponent
        #expect(try manager.attributesOfItem(atPath: folder)[.posixPermissions] as? Int == 0o700)
    }

    @Test func anotherProgramsDatabaseIsRefused() throws {
        let temporary = try TemporaryDatabase()
        let other = temporary.folder.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE contacts (name TEXT)") }
        #expect(throws: StoreError.notAPipelineDatabase(path: other)) {
            try SQLiteEngine(path: other, seedLanguage: .english, now: testNow)
        }
        // …and left exactly as it was.
        #expect(try DatabaseQueue(path: other).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master") } == ["contacts"])
    }

    @Test func aFileThatIsNotSQLiteIsRefused() throws {
        let temporary = try TemporaryDatabase()
        let text = temporary.folder.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: StoreError.notADatabase(path: text)) {
            try SQLiteEngine(path: text, seedLanguage: .english, now: testNow)
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8).hasPrefix("not a database"))
    }

    /// A file of version 3 — from before preferences — gets the preference table on opening,
    /// keeps the pipeline's settings, and everyone sees them until they choose their own.
    /// (Version 4 only adds the table, so a version-3 file is today's without it.)
    @Test func aVersion3FileIsUpgradedAndEveryoneKeepsItsSettings() throws {
        let temporary = try TemporaryDatabase()
        let export = try temporary.database.addTeam(named: "Export", context: temporary.context())
        try temporary.database.setSetting(.team, to: "Export")
        try temporary.database.setSetting(.language, to: "vi")
        try DatabaseQueue(path: temporary.path).write { db in
            try Self.undoVersion5(db)
            try db.execute(sql: "DROP TABLE preference; PRAGMA user_version = 3")
        }
        #expect(SQLiteEngine.storedLanguage(atPath: temporary.path, user: "lan") == .vietnamese)   // before any upgrade
        let lan = EngineStore(engine: try temporary.reopen().engine, user: "lan")
        #expect(try DatabaseQueue(path: temporary.path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == Schema.currentVersion)
        #expect(try lan.currentTeam().id == export.id)
        #expect(try lan.setting(.language) == "vi")
        try lan.setSetting(.language, to: "en")
        #expect(SQLiteEngine.storedLanguage(atPath: temporary.path, user: "lan") == .english)
        #expect(SQLiteEngine.storedLanguage(atPath: temporary.path, user: "minh") == .vietnamese)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let temporary = try TemporaryDatabase()
        try DatabaseQueue(path: temporary.path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
        #expect(throws: StoreError.createdByNewerVersion(path: temporary.path)) { try temporary.reopen() }
    }

    @Test func writingToAReadOnlyDatabaseIsRefusedWithoutAChange() throws {
        let temporary = try TemporaryDatabase()
        let readOnly = EngineStore(engine: try SQLiteEngine(path: temporary.path, seedLanguage: .english, now: testNow, readOnly: true))
        #expect(try readOnly.teams().count == 1)
        #expect(throws: StoreError.readOnly(path: temporary.path)) {
            try readOnly.addTeam(named: "Export", context: temporary.context())
        }
        #expect(try temporary.database.teams().count == 1)
    }

    @Test func aFullDiskFailsCleanlyAndChangesNothing() throws {
        let temporary = try TemporaryDatabase()
        let pages = try temporary.sql { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
        let cramped = try temporary.reopen { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 1)") }
        let before = try temporary.snapshot()
        let team = try temporary.sales
        let pipeline = try temporary.database.pipeline(for: team.id)
        let proposition = try pipeline.resolveStage("Proposition")
        // Nearly the 10,000 characters requirements hold (`TextLimit.text`): three pages more
        // than the file may grow.
        let edit = StageEdit(requirements: String(repeating: "Long requirement text. ", count: 434))
        #expect(throws: StoreError.diskFull(path: temporary.path)) {
            try cramped.editStage(proposition.id, edit, context: temporary.context())
        }
        #expect(try temporary.snapshot() == before)
    }

    @Test func aDatabaseLockedByAnotherWriterGivesUpAfterTheTimeout() throws {
        let temporary = try TemporaryDatabase()
        let impatient = try temporary.reopen(busyTimeout: 0.2)
        let holder = try DatabaseQueue(path: temporary.path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let start = Date()
            #expect(throws: StoreError.locked(path: temporary.path)) {
                try impatient.addTeam(named: "Export", context: temporary.context())
            }
            #expect(Date().timeIntervalSince(start) >= 0.15)
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try impatient.addTeam(named: "Export", context: temporary.context()).name == "Export")
    }

    /// Takes away what version 9 (each history line's stage outcome, issue 14) added.
    static func undoVersion9(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE stage_history DROP COLUMN stage_outcome; PRAGMA user_version = 8")
    }

    /// Takes away what versions 9 and 8 (the history's index on time, issue 14) added.
    static func undoVersion8(_ db: Database) throws {
        try undoVersion9(db)
        try db.execute(sql: "DROP INDEX stage_history_by_time; PRAGMA user_version = 7")
    }

    /// A file of version 8 keeps every history line through migration 9, each with no
    /// recorded outcome (read with its stage's outcome now, as before); the lines written
    /// after it record theirs.
    @Test func aVersion8FileKeepsEveryLineWithNoRecordedOutcome() throws {
        let temporary = try TemporaryDatabase()
        let deal = try temporary.add("Acme", revenue: "1000", stage: "Qualified")
        _ = try temporary.database.moveOpportunity(deal.id, to: try temporary.stage("Won").id, context: temporary.context())
        let before = try temporary.database.history(of: deal.id)
        #expect(before.map(\.change.stageOutcome) == [.open, .won])
        try DatabaseQueue(path: temporary.path).write { db in try Self.undoVersion9(db) }
        let upgraded = try temporary.reopen()
        #expect(try DatabaseQueue(path: temporary.path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 9)
        let after = try upgraded.history(of: deal.id)
        #expect(after.map(\.change.stageOutcome) == [nil, nil])
        #expect(after.map { var line = $0; line.change.stageOutcome = nil; return line }
                == before.map { var line = $0; line.change.stageOutcome = nil; return line })
        _ = try upgraded.restore(deal.id, context: temporary.context())
        #expect(try upgraded.history(of: deal.id).last?.change.stageOutcome == .open)
        #expect(try upgraded.integrityProblems().isEmpty)
    }

    /// Takes away what versions 8 and 7 (the counts per next activity date, issue 13) added.
    static func undoVersion7(_ db: Database) throws {
        try undoVersion8(db)
        try db.execute(sql: """
            DROP TRIGGER due_count_after_insert; DROP TRIGGER due_count_after_delete; DROP TRIGGER due_count_after_update;
            DROP TABLE due_count; DROP TABLE salesperson_due_count;
            PRAGMA user_version = 6
            """)
    }

    /// Takes away what versions 7 and 6 (the column orders' indexes, issue 13) added.
    static func undoVersion6(_ db: Database) throws {
        try undoVersion7(db)
        try db.execute(sql: """
            DROP INDEX opportunity_column_by_next_activity; DROP INDEX opportunity_column_by_closing;
            DROP INDEX opportunity_column_by_revenue; DROP INDEX opportunity_column_by_priority;
            """)
    }

    /// Takes away what versions 6 and 5 (issue 13) added, leaving a file as version 4 made it.
    static func undoVersion5(_ db: Database) throws {
        try undoVersion6(db)
        try db.execute(sql: """
            DROP TABLE deal_note; DROP TABLE activity; DROP TABLE activity_type; DROP TABLE salesperson_total;
            DROP TRIGGER IF EXISTS salesperson_total_after_insert; DROP TRIGGER IF EXISTS salesperson_total_after_delete;
            DROP TRIGGER IF EXISTS salesperson_total_after_update;
            DROP INDEX opportunity_by_next_activity; DROP INDEX opportunity_column_by_salesperson; DROP INDEX opportunity_by_stage_entry;
            ALTER TABLE stage DROP COLUMN rotting_days;
            ALTER TABLE opportunity DROP COLUMN next_activity_date; ALTER TABLE opportunity DROP COLUMN next_activity_time;
            ALTER TABLE opportunity DROP COLUMN latest_open_due;
            ALTER TABLE stage_history DROP COLUMN event; ALTER TABLE stage_history DROP COLUMN probability;
            ALTER TABLE stage_history DROP COLUMN amount; ALTER TABLE stage_history DROP COLUMN currency;
            ALTER TABLE stage_history DROP COLUMN reason;
            PRAGMA user_version = 4
            """)
    }

    /// A file of version 4 — from before activities — gets them on opening: its old history
    /// lines say "created" or "moved" with no figures (unknown, never 0), a Vietnamese file
    /// gets the activity types in Vietnamese, and what comes next records its figures.
    @Test func aVersion4FileWithHistoryIsUpgradedWithoutInventingFigures() throws {
        let temporary = try TemporaryDatabase(language: .vietnamese)
        let deal = try temporary.add("Acme", revenue: "1000", stage: "Chất lượng")
        _ = try temporary.database.moveOpportunity(deal.id, to: try temporary.stage("Đề xuất").id, context: temporary.context())
        try DatabaseQueue(path: temporary.path).write { db in try Self.undoVersion5(db) }
        let upgraded = try temporary.reopen()
        let history = try upgraded.history(of: deal.id)
        #expect(history.map(\.change.event) == [.created, .moved])
        #expect(history.allSatisfy { $0.change.probability == nil && $0.change.amount == nil })
        #expect(try upgraded.activityTypes().map(\.name) == ["Gọi điện", "Cuộc họp", "E-mail", "Việc cần làm"])
        let types = try upgraded.activityTypes()
        #expect(types.map { $0.nextType } == [types[0].id, types[2].id, types[0].id, types[3].id])
        #expect(try upgraded.opportunity(deal.id)?.activityGlance == .empty)
        _ = try upgraded.markWon(deal.id, context: temporary.context())
        let won = try #require(try upgraded.history(of: deal.id).last)
        #expect(won.change.event == .won)
        #expect(won.change.probability == .certain)
        #expect(try upgraded.integrityProblems().isEmpty)
    }
}
