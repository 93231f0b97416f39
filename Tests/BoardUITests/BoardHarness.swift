import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// A terminal that never touches a TTY: a fixed size, scripted input, every frame kept.
final class ScriptedTerminal: TerminalDevice {
    var size: Size
    var events: [InputEvent]
    private(set) var frames: [Grid] = []

    init(size: Size, events: [InputEvent] = []) {
        self.size = size
        self.events = events
    }

    func present(_ grid: Grid) { frames.append(grid) }

    func nextEvent(timeout: Double) -> InputEvent? {
        events.isEmpty ? .key(.control("c")) : events.removeFirst()
    }
}

/// A board on a real temporary database with a fixed clock: type keys, read the screen,
/// check what was saved.
final class BoardHarness {
    let folder: URL
    let database: any PipelineStore
    let terminal: ScriptedTerminal
    let language: Language
    /// The store the board uses when it acts for someone with a role (`access:`); `nil`:
    /// the board uses `database`, as its file's owner.
    private(set) var roles: RoleStore?
    var session: BoardSession!
    /// 2026-11-20 09:00 UTC; cards made by `seed` are days older.
    static let now = Timestamp(millisecondsSince1970: 1_795_165_200_000)

    /// - Parameter access: who the board acts for, as a team server would say (a
    ///   salesperson, a manager…); `nil`: the file's owner. `seed` runs as the owner, and
    ///   can take `Access` values only from the teams it made, so `access` is asked of it.
    init(size: Size = Size(columns: 120, rows: 30), language: Language = .english,
         direction: BoardDirection = .rightToLeft, seed: (BoardHarness) throws -> Void = BoardHarness.standardSeed,
         access: ((BoardHarness) throws -> Access)? = nil) throws {
        self.language = language
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-board-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The board acts for "tester", the name its changes carry in the stage history.
        database = try StoreOpener.open(folder.appendingPathComponent("board.sqlite").path, seedLanguage: language, now: Self.now, busyTimeout: 5,
                                        user: "tester")
        terminal = ScriptedTerminal(size: size)
        try seed(self)
        let repository: any BoardStore
        if let access {
            let roles = RoleStore(database, access: try access(self))
            self.roles = roles
            repository = roles
        } else {
            repository = database
        }
        session = try BoardSession(repository: repository, terminal: terminal, team: nil, direction: direction,
                                   language: language, user: "tester", clock: { Self.now })
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var state: BoardState { session.state }
    var grid: Grid { BoardRenderer.render(session.state) }
    var screen: String { grid.text }

    func press(_ keys: Key...) {
        for key in keys { session.send(.input(.key(key))) }
    }

    func type(_ text: String) {
        for character in text { session.send(.input(.key(.character(character)))) }
    }

    func mouse(_ event: MouseEvent) { session.send(.input(.mouse(event))) }

    func resize(_ size: Size) {
        terminal.size = size
        session.send(.input(.resize(size)))
    }

    func stage(_ name: String) throws -> Stage {
        try database.pipeline(for: database.currentTeam().id).resolveStage(name)
    }

    func card(_ title: String) throws -> Opportunity { try database.opportunity(title) }

    @discardableResult
    func add(_ title: String, customer: String = "", revenue: String = "1,000", stage: String, salesperson: String = "",
             priority: String = "0", daysAgo: Int64 = 0, currency: String? = nil) throws -> Opportunity {
        let changes = try OpportunityForm(title: title, customer: customer, expectedRevenue: revenue, currency: currency,
                                          salesperson: salesperson, priority: priority)
            .validated(language: language, currency: try database.defaultCurrency())
        let at = Timestamp(millisecondsSince1970: Self.now.millisecondsSince1970 - daysAgo * 86_400_000)
        return try database.addOpportunity(changes, team: try database.currentTeam().id, stage: try self.stage(stage).id,
                                           context: ChangeContext(now: at, user: "seed"))
    }

    /// A small pipeline: a few deals per stage, added oldest first (new cards go on top).
    static func standardSeed(_ board: BoardHarness) throws {
        try board.add("Globex expansion", customer: "Globex", revenue: "8,000", stage: "New", salesperson: "Minh", daysAgo: 9)
        try board.add("Acme renewal", customer: "Acme Corp", revenue: "12,000", stage: "New", salesperson: "Lan", priority: "2", daysAgo: 3)
        try board.add("Initech pilot", customer: "Initech", revenue: "4,500.50", stage: "Qualified", salesperson: "Lan", daysAgo: 5)
        try board.add("Umbrella audit", customer: "Umbrella", revenue: "20,000", stage: "Proposition", salesperson: "Hoa", priority: "3", daysAgo: 12)
        try board.add("Stark tower", customer: "Stark", revenue: "50,000", stage: "Negotiation", salesperson: "Minh", priority: "1", daysAgo: 1)
        try board.add("Wayne deal", customer: "Wayne Ent.", revenue: "15,000", stage: "Won", salesperson: "Hoa", daysAgo: 30)
    }
}

/// Compares a grid with a file under Tests/BoardUITests/Snapshots: the text layer, then
/// the style layer (one letter per cell). `RECORD_SNAPSHOTS=1 swift test` rewrites them;
/// review the diff like code. A missing file fails: a snapshot must be committed.
func assertSnapshot(_ grid: Grid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent(name + ".txt")
    let actual = grid.lines.joined(separator: "\n") + "\n--- styles ---\n" + grid.styleLines.joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing snapshot \(name).txt; record it with RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var diff: [String] = []
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let old = index < expectedLines.count ? String(expectedLines[index]) : "∅"
            let new = index < actualLines.count ? String(actualLines[index]) : "∅"
            if old != new { diff.append("line \(index + 1):\n- " + old + "\n+ " + new) }
        }
        let report: String = "snapshot \(name) differs:\n" + diff.prefix(12).joined(separator: "\n")
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}
