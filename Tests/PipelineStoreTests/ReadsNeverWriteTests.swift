import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// The engine's reads skip GRDB's read-only guard (it costs a recompile of every cached
/// statement, see `SQLiteEngine.read`), so nothing but this test stops a read that writes:
/// every read the engine provides (`StoreReader`) runs on a read-only connection, where any
/// write fails, and on the usual connection, whose change count and the file's data version
/// must not move. The shared reading operations are made of these reads only, and the type
/// system gives them nothing else.
@Suite("SQLite engine: reads never write")
struct ReadsNeverWriteTests {
    /// A database with something in every table: deals in several stages, a lost one, a lead,
    /// a second team, settings, history.
    static func seeded() throws -> (TemporaryDatabase, deal: Opportunity, lead: Opportunity) {
        let temporary = try TemporaryDatabase()
        let db = temporary.database
        let deal = try temporary.add("Acme renewal", revenue: "12,000.00", stage: "Proposition")
        _ = try db.editOpportunity(deal.id, try OpportunityForm(salesperson: "Lan", expectedClosing: "2027-01-31")
            .validated(language: .english, currency: .usd), context: temporary.context())
        _ = try db.addOpportunity(try OpportunityForm(title: "Globex", expectedRevenue: "500", currency: "VND")
            .validated(language: .english, currency: .usd), team: try temporary.sales.id, stage: nil, context: temporary.context())
        _ = try db.markLost(try temporary.add("Initech", stage: "Negotiation").id, reason: "Too expensive", context: temporary.context())
        _ = try db.addTeam(named: "Export", context: temporary.context())
        _ = try db.setSetting(.leads, to: "on")
        _ = try EngineStore(engine: temporary.engine, user: "lan").setSetting(.language, to: "vi")
        let lead = try db.addLead(try OpportunityForm(title: "Acme app", customer: "Acme Corp", email: "ana@acme.com")
            .validated(language: .english, currency: .usd), team: try temporary.sales.id, context: temporary.context())
        let call = try #require(try db.activityTypes().first)
        let activity = try db.addActivity(to: deal.id, ActivityChanges(type: call.id, summary: "Call Ana", due: CalendarDate(iso8601: "2026-12-03")),
                                          context: temporary.context())
        _ = try db.completeActivity(activity.id, feedback: "Wants a quote",
                                    next: ActivityChanges(type: call.id, summary: "Call again", due: CalendarDate(iso8601: "2026-12-06")),
                                    context: temporary.context())
        _ = try db.addNote(to: deal.id, text: "Met at the fair", context: temporary.context())
        return (temporary, try #require(try db.opportunity(deal.id)), lead)
    }

    /// Every read of `StoreReader`, by the name its declaration gives, called with arguments
    /// that make it read something.
    static func reads(deal: Opportunity, lead: Opportunity, team: Team.ID, stage: Stage.ID) -> [String: (any StoreReader) throws -> Void] {
        let column = ColumnKey(team: team, stage: stage)
        return [
            "access()": { _ = try $0.access() },
            "catalog()": { _ = try $0.catalog() },
            "teamsWithCreation()": { _ = try $0.teamsWithCreation() },
            "storedSetting(_:)": { _ = try $0.storedSetting(.leads) },
            "storedPreference(_:user:)": { _ = try $0.storedPreference(.language, user: "lan") },
            "storedPreferences()": { _ = try $0.storedPreferences() },
            "record(_:)": { _ = try $0.record(deal.id) },
            "records(titleKey:kind:limit:)": { _ = try $0.records(titleKey: "acme renewal", kind: .opportunity, limit: 10) },
            "history(of:)": { _ = try $0.history(of: deal.id) },
            "forEachOpportunity(_:_:)": { try $0.forEachOpportunity(OpportunityFilter(includeArchived: true)) { _ in } },
            "forEachRecord(kind:_:)": { try $0.forEachRecord(kind: nil) { _, _ in } },
            "forEachHistoryEntry(_:)": { try $0.forEachHistoryEntry { _ in } },
            "stageExternalIDs()": { _ = try $0.stageExternalIDs() },
            "storedCounts()": { _ = try $0.storedCounts() },
            "rowCounts()": { _ = try $0.rowCounts() },
            "stageFigures(team:)": { _ = try $0.stageFigures(team: nil) },
            "forecastRows(team:grouping:salesperson:)": { reader in
                for grouping in [Forecast.Grouping.month, .salesperson] {
                    _ = try reader.forecastRows(team: nil, grouping: grouping, salesperson: nil)
                    _ = try reader.forecastRows(team: team, grouping: grouping, salesperson: "LAN")
                }
            },
            "figures(_:)": { reader in
                let day = RottingDay(today: CalendarDate(year: 2027, month: 6, day: 1) ?? CalendarDate(daysSince1970: 0), utcOffsetSeconds: 25_200)
                _ = try reader.figures(FigureQuery(team: team, salesperson: "lan"))
                _ = try reader.figures(FigureQuery(team: team, filter: "acme", salesperson: "lan"))
                _ = try reader.figures(FigureQuery(team: team, rotting: try reader.rottingBounds(on: day, team: team)))
            },
            "overdueCounts(team:stages:today:salesperson:)": { reader in
                _ = try reader.overdueCounts(team: team, stages: [stage], today: CalendarDate(daysSince1970: 20_000), salesperson: nil)
                _ = try reader.overdueCounts(team: team, stages: [stage], today: CalendarDate(daysSince1970: 20_000), salesperson: "lan")
            },
            "rottingCounts(team:bounds:salesperson:)": { reader in
                let bound = RottingBound(enteredBefore: Timestamp(millisecondsSince1970: 2_000_000_000_000), today: CalendarDate(daysSince1970: 20_000))
                _ = try reader.rottingCounts(team: team, bounds: [stage: bound], salesperson: "lan")
            },
            "forEachClosedDealLine(team:_:)": { reader in
                try reader.forEachClosedDealLine(team: nil) { _ in }
                try reader.forEachClosedDealLine(team: team) { _ in }
            },
            "forEachDealHistory(since:team:salesperson:_:)": { reader in
                try reader.forEachDealHistory(since: Timestamp(millisecondsSince1970: 0), team: nil, salesperson: nil) { _, _ in }
                try reader.forEachDealHistory(since: Timestamp(millisecondsSince1970: 0), team: team, salesperson: "lan") { _, _ in }
            },
            "forEachOverdueActivity(team:salesperson:today:_:)": { reader in
                try reader.forEachOverdueActivity(team: nil, salesperson: nil, today: CalendarDate(daysSince1970: 20_000)) { _, _ in }
                try reader.forEachOverdueActivity(team: team, salesperson: "lan", today: CalendarDate(daysSince1970: 20_000)) { _, _ in }
            },
            "cardWindow(_:anchor:limit:)": { reader in
                _ = try reader.cardWindow(ColumnQuery(team: team, stage: stage), anchor: .top, limit: 10)
                _ = try reader.cardWindow(ColumnQuery(team: team, stage: stage, filter: "acme"), anchor: .bottom, limit: 10)
                _ = try reader.cardWindow(ColumnQuery(team: team, stage: stage), anchor: .after(deal.cursor), limit: 10)
            },
            "matchingFigures(team:filter:)": { _ = try $0.matchingFigures(team: team, filter: "acme") },
            "leads(_:after:limit:)": { _ = try $0.leads(LeadQuery(includeLost: true), after: nil, limit: 10) },
            "leadWindow(_:anchor:limit:)": { _ = try $0.leadWindow(LeadQuery(filter: "acme"), anchor: .top, limit: 10) },
            "forEachLead(_:_:)": { try $0.forEachLead(LeadQuery()) { _ in } },
            "duplicateCandidates(of:limit:)": { _ = try $0.duplicateCandidates(of: lead, limit: 10) },
            "teamsWithRecords(inStage:)": { _ = try $0.teamsWithRecords(inStage: stage) },
            "recordCount(inStage:)": { _ = try $0.recordCount(inStage: stage) },
            "records(team:stage:)": { _ = try $0.records(team: team, stage: stage) },
            "recordCounts(team:)": { _ = try $0.recordCounts(team: team) },
            "activityTypes()": { _ = try $0.activityTypes() },
            "activityCount(ofType:)": { _ = try $0.activityCount(ofType: ActivityType.ID(1)) },
            "activity(_:)": { _ = try $0.activity(Activity.ID(1)) },
            "activities(of:)": { _ = try $0.activities(of: deal.id) },
            "activities(_:after:limit:)": { reader in
                let today = CalendarDate(year: 2026, month: 12, day: 4) ?? CalendarDate(daysSince1970: 0)
                _ = try reader.activities(ActivityQuery(scope: .everyone, includeDone: true, today: today), after: nil, limit: 10)
                _ = try reader.activities(ActivityQuery(scope: .team(team), range: .week, today: today),
                                          after: ActivityCursor(due: today, timeKey: 0, id: Activity.ID(0)), limit: 10)
                _ = try reader.activities(ActivityQuery(scope: .assignee("lan"), range: .overdue, today: today), after: nil, limit: 10)
            },
            "note(_:)": { _ = try $0.note(DealNote.ID(1)) },
            "notes(of:)": { _ = try $0.notes(of: deal.id) },
            "forEachActivity(_:)": { try $0.forEachActivity { _ in } },
            "forEachNote(_:)": { try $0.forEachNote { _ in } },
            "memberLogins(of:)": { _ = try $0.memberLogins(of: team) },
            "staleActivityGlances(limit:)": { _ = try $0.staleActivityGlances(limit: 10) },
            "storedCurrencies()": { _ = try $0.storedCurrencies() },
            "forEachRangeRow(team:salesperson:_:)": { try $0.forEachRangeRow(team: nil, salesperson: nil) { _ in } },
            "columnKeys(_:excluding:from:side:limit:)": { reader in
                for side in [ColumnSide.before, .atOrAfter, .after] {
                    _ = try reader.columnKeys(column, excluding: lead.id, from: deal.cursor, side: side, limit: 5)
                }
            },
        ]
    }

    @Test func everyReadRunsOnAReadOnlyConnectionAndChangesNothing() throws {
        let (temporary, deal, lead) = try Self.seeded()
        let reads = Self.reads(deal: deal, lead: lead, team: try temporary.sales.id, stage: try temporary.stage("Proposition").id)
        let readOnly = try SQLiteEngine(path: temporary.path, seedLanguage: .english, now: testNow, readOnly: true)
        let observer = try DatabaseQueue(path: temporary.path)
        func dataVersion() throws -> Int { try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 } }
        let before = try temporary.snapshot()
        for (name, read) in reads.sorted(by: { $0.key < $1.key }) {
            // A read-only connection refuses any write, pragmas and temporary tables aside.
            #expect(throws: Never.self, "\(name) on a read-only connection") { try readOnly.read { try read($0) } }
            // The usual connection: the reads' own, with their cached statements.
            let version = try dataVersion()
            let changes = try temporary.engine.queue.inDatabase { $0.totalChangesCount }
            try temporary.engine.read { try read($0) }
            #expect(try temporary.engine.queue.inDatabase { $0.totalChangesCount } == changes, "\(name) changed rows")
            #expect(try dataVersion() == version, "\(name) committed a write")
        }
        _ = try readOnly.changeToken()
        _ = try temporary.engine.changeToken()
        #expect(try temporary.snapshot() == before)
        _ = SQLiteEngine.storedLanguage(atPath: temporary.path, user: "lan")  // its own read-only connection
        #expect(try temporary.snapshot() == before)
    }

    /// The detectors detect: a write slipped into a read fails on the read-only connection and
    /// moves the change count and the data version on the usual one.
    @Test func aReadThatWritesIsCaught() throws {
        let (temporary, _, _) = try Self.seeded()
        let writingRead: (SQLiteEngine) throws -> Void = { engine in
            _ = try engine.read { reader in
                try (reader as? SQLiteTransaction)?.db.execute(sql: "UPDATE setting SET value = 'off' WHERE key = 'leads'")
            }
        }
        let readOnly = try SQLiteEngine(path: temporary.path, seedLanguage: .english, now: testNow, readOnly: true)
        #expect(throws: StoreError.self) { try writingRead(readOnly) }
        let observer = try DatabaseQueue(path: temporary.path)
        let version = try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
        let changes = try temporary.engine.queue.inDatabase { $0.totalChangesCount }
        try writingRead(temporary.engine)
        #expect(try temporary.engine.queue.inDatabase { $0.totalChangesCount } != changes)
        #expect(try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 } != version)
    }

    /// The list above is every read `StoreReader` declares: a new one must join the list (and
    /// so be proved not to write).
    @Test func theListHoldsEveryReadOfTheBoundary() throws {
        let listed = Set(Self.reads(deal: Self.placeholder, lead: Self.placeholder, team: Team.ID(1), stage: Stage.ID(1)).keys)
        let declared = try BoundarySources.requirements(of: "StoreReader")
        #expect(declared.count > 20, "the scan found too little: \(declared.sorted())")
        #expect(declared.subtracting(listed).isEmpty, "reads not checked: \(declared.subtracting(listed).sorted())")
        #expect(listed.subtracting(declared).isEmpty, "listed but not a read: \(listed.subtracting(declared).sorted())")
    }

    static let placeholder = Opportunity(id: Opportunity.ID(1), title: "", expectedRevenue: .zero(.usd), probability: nil,
                                         team: Team.ID(1), stage: nil, createdAt: testNow)
}

/// Reads the storage boundary's declarations in Sources/PipelineStorage.
enum BoundarySources {
    /// `name(label:label:)` of every function a protocol of the boundary requires.
    static func requirements(of protocolName: String) throws -> Set<String> {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/PipelineStorage/StorageEngine.swift")
        let text = try String(contentsOf: file, encoding: .utf8)
        guard let start = text.range(of: "public protocol \(protocolName)"),
              let brace = text[start.upperBound...].firstIndex(of: "{"),
              let end = matching(text, from: brace, "{", "}") else { return [] }
        let block = String(text[brace...end])
        var names: Set<String> = []
        for match in block.matches(of: /\n    func ([A-Za-z]+)\(/) {
            let open = block.index(before: match.range.upperBound)
            guard let close = matching(block, from: open, "(", ")") else { continue }
            let labels = splitParameters(String(block[block.index(after: open)..<close])).map { parameter in
                parameter.split(separator: ":").first.flatMap { $0.split(separator: " ").first }.map(String.init) ?? "_"
            }
            names.insert(String(match.output.1) + "(" + labels.map { $0 + ":" }.joined() + ")")
        }
        return names
    }

    /// The index of the bracket closing the one at `start`.
    static func matching(_ text: String, from start: String.Index, _ open: Character, _ close: Character) -> String.Index? {
        var depth = 0
        var index = start
        while index < text.endIndex {
            if text[index] == open { depth += 1 }
            if text[index] == close { depth -= 1; if depth == 0 { return index } }
            index = text.index(after: index)
        }
        return nil
    }

    /// Parameters split at the commas outside brackets.
    static func splitParameters(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for character in text {
            if "([<".contains(character) { depth += 1 }
            if ")]".contains(character) || (character == ">" && current.last != "-") { depth -= 1 }
            if character == ",", depth == 0 { parts.append(current); current = ""; continue }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { parts.append(current) }
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
