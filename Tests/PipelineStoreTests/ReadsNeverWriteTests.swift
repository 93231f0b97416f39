import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore

/// The store's reads skip GRDB's read-only guard (it costs a recompile of every cached
/// statement, see `PipelineDatabase.read`), so nothing but this test stops a read that
/// writes: every reading API runs on a read-only connection, where any write fails, and on
/// the usual connection, whose change count and the file's data version must not move.
@Suite("Store: reads never write")
struct ReadsNeverWriteTests {
    /// A database with something in every table: deals in several stages, a lost one, a lead,
    /// a second team, settings, history.
    static func seeded() throws -> (TemporaryDatabase, deal: Opportunity, lead: Opportunity) {
        let temporary = try TemporaryDatabase()
        let db = temporary.database
        let deal = try temporary.add("Acme renewal", revenue: "12,000.00", stage: "Proposition", salesperson: "Lan", closing: "2027-01-31")
        try temporary.add("Globex", revenue: "500", currency: "VND")
        _ = try db.markLost(try temporary.add("Initech", stage: "Negotiation").id, reason: "Too expensive", context: temporary.context())
        _ = try db.addTeam(named: "Export", context: temporary.context())
        _ = try db.setSetting(.leads, to: "on")
        let lead = try db.addLead(try OpportunityForm(title: "Acme app", customer: "Acme Corp", email: "ana@acme.com")
            .validated(language: .english, currency: .usd), team: try temporary.sales.id, context: temporary.context())
        return (temporary, deal, lead)
    }

    /// Every reading API of `PipelineDatabase`, by the name its declaration gives, called with
    /// arguments that make it read something.
    static func reads(deal: Opportunity, lead: Opportunity, team: Team.ID, stage: Stage.ID) -> [String: (PipelineDatabase) throws -> Void] {
        [
            "isUntouched()": { _ = try $0.isUntouched() },
            "backupTeams()": { _ = try $0.backupTeams() },
            "forEachHistoryEntry(_:)": { try $0.forEachHistoryEntry { _ in } },
            "storedSettings()": { _ = try $0.storedSettings() },
            "cardWindow(_:anchor:limit:)": { database in
                _ = try database.cardWindow(ColumnQuery(team: team, stage: stage), anchor: .top, limit: 10)
                _ = try database.cardWindow(ColumnQuery(team: team, stage: stage, filter: "acme"), anchor: .bottom, limit: 10)
            },
            "matchingCounts(team:filter:)": { _ = try $0.matchingCounts(team: team, filter: "acme") },
            "matchingFigures(team:filter:)": { _ = try $0.matchingFigures(team: team, filter: "acme") },
            "changeToken()": { _ = try $0.changeToken() },
            "forEachExchangeRecord(kind:_:)": { try $0.forEachExchangeRecord(kind: nil) { _ in } },
            "exchangeStages()": { _ = try $0.exchangeStages() },
            "stageFigures(team:)": { _ = try $0.stageFigures(team: nil) },
            "forecast(team:groupedBy:)": { database in
                for grouping in [Forecast.Grouping.stage, .month, .salesperson] { _ = try database.forecast(team: nil, groupedBy: grouping) }
            },
            "lead(_:)": { _ = try $0.lead(String(lead.id.rawValue)) },
            "leads(_:after:limit:)": { _ = try $0.leads(LeadQuery(includeLost: true), limit: 10) },
            "leadWindow(_:anchor:limit:)": { _ = try $0.leadWindow(LeadQuery(filter: "acme"), anchor: .top, limit: 10) },
            "forEachLead(_:_:)": { try $0.forEachLead(LeadQuery()) { _ in } },
            "duplicates(of:)": { _ = try $0.duplicates(of: lead.id) },
            "opportunity(_:)": { database in
                _ = try database.opportunity(deal.id)
                _ = try database.opportunity("acme renewal")
            },
            "history(of:)": { _ = try $0.history(of: deal.id) },
            "forEachOpportunity(_:_:)": { try $0.forEachOpportunity(OpportunityFilter(includeArchived: true)) { _ in } },
            "column(team:stage:after:limit:)": { database in
                let first = try database.column(team: team, stage: stage, limit: 1)
                _ = try database.column(team: team, stage: stage, after: first.first, limit: 1)
            },
            "settings()": { _ = try $0.settings() },
            "setting(_:)": { _ = try $0.setting(.team) },
            "defaultCurrency()": { _ = try $0.defaultCurrency() },
            "catalog()": { _ = try $0.catalog() },
            "pipeline(for:)": { _ = try $0.pipeline(for: team) },
            "teams()": { _ = try $0.teams() },
            "team(_:)": { _ = try $0.team("export") },
            "currentTeam()": { _ = try $0.currentTeam() },
        ]
    }

    @Test func everyReadRunsOnAReadOnlyConnectionAndChangesNothing() throws {
        let (temporary, deal, lead) = try Self.seeded()
        let reads = Self.reads(deal: deal, lead: lead, team: try temporary.sales.id, stage: try temporary.stage("Proposition").id)
        let readOnly = try PipelineDatabase(path: temporary.path, seedLanguage: .english, now: testNow, readOnly: true)
        let observer = try DatabaseQueue(path: temporary.path)
        func dataVersion() throws -> Int { try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 } }
        let before = try temporary.snapshot()
        for (name, read) in reads.sorted(by: { $0.key < $1.key }) {
            // A read-only connection refuses any write, pragmas and temporary tables aside.
            #expect(throws: Never.self, "\(name) on a read-only connection") { try read(readOnly) }
            // The usual connection: the reads' own, with their cached statements.
            let version = try dataVersion()
            let changes = try temporary.database.queue.inDatabase { $0.totalChangesCount }
            try read(temporary.database)
            #expect(try temporary.database.queue.inDatabase { $0.totalChangesCount } == changes, "\(name) changed rows")
            #expect(try dataVersion() == version, "\(name) committed a write")
        }
        #expect(try temporary.snapshot() == before)
        _ = PipelineDatabase.storedLanguage(atPath: temporary.path)  // its own read-only connection
        #expect(try temporary.snapshot() == before)
    }

    /// The detectors detect: a write slipped into a read fails on the read-only connection and
    /// moves the change count and the data version on the usual one.
    @Test func aReadThatWritesIsCaught() throws {
        let (temporary, _, _) = try Self.seeded()
        let writingRead: (PipelineDatabase) throws -> Void = { database in
            _ = try database.read { db in try db.execute(sql: "UPDATE setting SET value = 'off' WHERE key = 'leads'") }
        }
        let readOnly = try PipelineDatabase(path: temporary.path, seedLanguage: .english, now: testNow, readOnly: true)
        #expect(throws: StoreError.self) { try writingRead(readOnly) }
        let observer = try DatabaseQueue(path: temporary.path)
        let version = try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
        let changes = try temporary.database.queue.inDatabase { $0.totalChangesCount }
        try writingRead(temporary.database)
        #expect(try temporary.database.queue.inDatabase { $0.totalChangesCount } != changes)
        #expect(try observer.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 } != version)
    }

    /// The list above is every reading API the sources declare: a public method of
    /// `PipelineDatabase` that neither writes nor updates is a read, and a new one must join
    /// the list (and so be proved not to write).
    @Test func theListHoldsEveryReadingAPIOfTheStore() throws {
        let listed = Set(Self.reads(deal: Self.placeholder, lead: Self.placeholder, team: Team.ID(1), stage: Stage.ID(1)).keys)
        let declared = try StoreSources.readingAPIs()
        #expect(declared.count > 20, "the scan found too little: \(declared.sorted())")
        #expect(declared.subtracting(listed).isEmpty, "reads not checked: \(declared.subtracting(listed).sorted())")
        #expect(listed.subtracting(declared).isEmpty, "listed but not a reading API: \(listed.subtracting(declared).sorted())")
    }

    static let placeholder = Opportunity(id: Opportunity.ID(1), title: "", expectedRevenue: .zero(.usd), probability: nil,
                                         team: Team.ID(1), stage: nil, createdAt: testNow)
}

/// Reads the declarations of `PipelineDatabase` in Sources/PipelineStore.
enum StoreSources {
    /// `name(label:label:)` of every public instance method of `PipelineDatabase` whose body
    /// neither writes (`write`, `update`, `deleteRecord`) nor belongs to another type.
    static func readingAPIs() throws -> Set<String> {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/PipelineStore")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for block in topLevelBlocks(text) where block.hasPrefix("extension PipelineDatabase") || block.hasPrefix("public final class PipelineDatabase") {
                for method in publicMethods(block) where !method.body.contains(/\bwrite\s*[{(]|\bupdate\(|deleteRecord\(/) {
                    names.insert(method.name)
                }
            }
        }
        return names
    }

    /// The text from each top-level declaration to the next.
    static func topLevelBlocks(_ text: String) -> [String] {
        let starts = text.ranges(of: #/(?m)^(?:extension|public|final|struct|enum|class)\s/#).map(\.lowerBound)
        return starts.indices.map { index in
            String(text[starts[index]..<(index + 1 < starts.count ? starts[index + 1] : text.endIndex)])
        }
    }

    static func publicMethods(_ block: String) -> [(name: String, body: String)] {
        var methods: [(String, String)] = []
        for match in block.matches(of: /\n    public func ([A-Za-z]+)\(/) {
            let open = block.index(before: match.range.upperBound)
            guard let close = matching(block, from: open, "(", ")"),
                  let brace = block[close...].firstIndex(of: "{"), let end = matching(block, from: brace, "{", "}") else { continue }
            let labels = splitParameters(String(block[block.index(after: open)..<close])).map { parameter in
                parameter.split(separator: ":").first.flatMap { $0.split(separator: " ").first }.map(String.init) ?? "_"
            }
            methods.append((String(match.output.1) + "(" + labels.map { $0 + ":" }.joined() + ")", String(block[brace...end])))
        }
        return methods
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
