import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
@testable import PipelineStore
import TerminalCore

/// An SQLite engine that can be made to behave as a server store whose server went away:
/// every transaction and the change feed then fail with `StoreError.unavailable` in the
/// caller's language, and coming back changes the change token, as `PostgresEngine` does
/// (notifications sent meanwhile are lost, so everything must be read again). The real
/// server's restart is `CLIServerFaultTests`'; this proves the session's part without one.
final class InterruptibleEngine: StorageEngine, @unchecked Sendable {
    let inner: SQLiteEngine
    var away = false {
        didSet { if !away { generation += 1 } }
    }
    private var generation: Int64 = 0
    /// Reads asked for while away, to catch a board that asks again and again.
    private(set) var readsWhileAway = 0
    static let readsBeforeGivingUp = 50

    init(path: String, language: Language, now: Timestamp) throws {
        inner = try SQLiteEngine(path: path, seedLanguage: language, now: now, busyTimeout: 5)
    }

    /// What the change feed says while away.
    static let sentence = EngineSentence { language in
        language == .vietnamese ? "mất kết nối tới máy chủ thử nghiệm" : "the connection to the test server was lost"
    }

    /// What a transaction says while away.
    static let refusal = EngineSentence { language in
        language == .vietnamese ? "không kết nối được tới máy chủ thử nghiệm" : "cannot reach the test server"
    }

    private func unavailable() -> StoreError { .unavailable(Self.refusal) }

    var location: String { inner.location }
    var localFile: String? { inner.localFile }
    var sessionUser: String? { inner.sessionUser }

    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        if away {
            readsWhileAway += 1
            // A board that reads again at once after each failed read would never stop: end
            // the loop here and let the test say so.
            if readsWhileAway > Self.readsBeforeGivingUp { away = false }
            throw unavailable()
        }
        return try inner.read(body)
    }

    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        if away { throw unavailable() }
        return try inner.write(body)
    }

    func importing<T>(dryRun: Bool, progress: RowProgress, _ body: (any ImportTransaction) throws -> T) throws -> T {
        if away { throw unavailable() }
        return try inner.importing(dryRun: dryRun, progress: progress, body)
    }

    func restoring(progress: RowProgress, _ body: (any RestoreTransaction) throws -> Void) throws {
        if away { throw unavailable() }
        try inner.restoring(progress: progress, body)
    }

    func changeToken() throws -> ChangeToken {
        ChangeToken(try inner.changeToken().rawValue &* 1_000 &+ generation)
    }

    var changeSignal: Int32? { nil }

    func drainChangeSignal() throws -> Bool {
        if away { throw StoreError.unavailable(Self.sentence) }
        return false
    }

    func integrityReport(progress: RowProgress) throws -> IntegrityReport { try inner.integrityReport(progress: progress) }
    func repair() throws { try inner.repair() }
}

/// The board on a store that loses its server and gets it back: the status line says so in
/// the board's language, a pane keeps what was typed, a save while away is refused in the
/// store's sentence and kept to try again, a failed read is not asked again in a loop, and
/// once back the whole board is read again and says so.
@Suite("Board: a store that loses its server")
struct BoardConnectionTests {
    final class Board {
        let folder: URL
        let engine: InterruptibleEngine
        let store: any PipelineStore
        let session: BoardSession

        init(language: Language) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-connection-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            engine = try InterruptibleEngine(path: folder.appendingPathComponent("board.sqlite").path, language: language,
                                             now: BoardHarness.now)
            store = EngineStore(engine: engine)
            let team = try store.currentTeam().id
            for title in ["Acme renewal", "Globex expansion"] {
                let changes = try OpportunityForm(title: title).validated(language: language, currency: try store.defaultCurrency())
                _ = try store.addOpportunity(changes, team: team, stage: nil, context: ChangeContext(now: BoardHarness.now, user: "lan"))
            }
            session = try BoardSession(repository: store, terminal: ScriptedTerminal(size: Size(columns: 120, rows: 30)), team: nil,
                                       direction: .rightToLeft, language: language, user: "tester", clock: { BoardHarness.now })
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        var screen: String { BoardRenderer.render(session.state).text }
        var statusLine: String { screen.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? "" }

        func press(_ keys: Key...) { for key in keys { session.send(.input(.key(key))) } }
        func type(_ text: String) { for character in text { session.send(.input(.key(.character(character)))) } }
    }

    @Test(arguments: [Language.english, .vietnamese])
    func aPaneKeepsWhatWasTypedWhileTheServerIsAwayAndSavesItOnceBack(_ language: Language) throws {
        let board = try Board(language: language)
        let lost = InterruptibleEngine.sentence(language)
        board.press(.character("n"))
        board.type("Typed while away")

        board.engine.away = true
        #expect(board.session.catchUp(), "losing the server changes what the board shows")
        #expect(board.statusLine.contains(lost), "\(board.screen)")
        #expect(board.screen.contains("Typed while away"))
        #expect(board.screen.contains("Acme renewal"), "what the board showed stays")

        // Saving while away: refused in the store's sentence, the pane stays with its text,
        // and the board does not ask for the data again and again.
        board.press(.enter, .enter)
        guard case .newCard = board.session.state.mode else { Issue.record("the pane closed:\n\(board.screen)"); return }
        #expect(board.engine.readsWhileAway < InterruptibleEngine.readsBeforeGivingUp, "the board read again after each failed read")
        #expect(board.engine.away, "the board read again after each failed read until the engine gave up")
        #expect(board.statusLine.contains(InterruptibleEngine.refusal(language)), "\(board.screen)")
        #expect(board.screen.contains("Typed while away"))

        // While away a colleague (another connection to the same file) changes a deal; the
        // board cannot hear of it.
        let colleague = try StoreOpener.open(board.engine.location, seedLanguage: language, now: BoardHarness.now, busyTimeout: 5)
        var renamed = OpportunityChanges()
        renamed.title = "Globex renamed meanwhile"
        _ = try colleague.editOpportunity(try colleague.opportunity("Globex expansion").id, renamed,
                                          context: ChangeContext(now: BoardHarness.now, user: "minh"))
        board.session.catchUp()
        #expect(!board.screen.contains("Globex renamed"))

        // Back: the whole board is read again (the colleague's change shows), the status line
        // says so, and the pane still holds what was typed; saving it now keeps it once.
        board.engine.away = false
        #expect(board.session.catchUp())
        #expect(board.statusLine.contains(Catalogue.text("board.reconnected", language)), "\(board.screen)")
        #expect(board.screen.contains("Globex renamed"), "\(board.screen)")
        #expect(board.screen.contains("Typed while away"))
        board.press(.enter)
        guard case .browsing = board.session.state.mode else { Issue.record("the pane did not save:\n\(board.screen)"); return }
        var titles: [String] = []
        try board.store.forEachOpportunity(OpportunityFilter()) { titles.append($0.title) }
        #expect(titles.filter { $0 == "Typed while away" }.count == 1)
    }

    /// The loss is said whenever the status line is free, without writing over another
    /// message; once back, "connected again" replaces the loss or a refusal met while away,
    /// but not other news.
    @Test func theLossTakesTheStatusLineOnlyWhenItIsFree() throws {
        let board = try Board(language: .english)
        let lost = InterruptibleEngine.sentence(.english), refusal = InterruptibleEngine.refusal(.english)
        board.engine.away = true
        board.session.catchUp()
        #expect(board.statusLine.contains(lost))
        board.press(.right)  // a key clears the status line…
        #expect(!board.statusLine.contains(lost))
        board.session.catchUp()  // …and the next pause says it again
        #expect(board.statusLine.contains(lost))
        board.press(.shiftLeft)  // a move while away: refused in the store's sentence
        #expect(board.statusLine.contains(refusal), "\(board.statusLine)")
        board.session.catchUp()
        #expect(board.statusLine.contains(refusal), "the loss wrote over the refusal")
        board.engine.away = false
        board.session.catchUp()
        #expect(board.statusLine.contains("Connected again"), "\(board.statusLine)")
        #expect(board.session.state.connectionLost == nil)
    }

    @Test func connectedAgainLeavesOtherNewsAlone() throws {
        let board = try Board(language: .english)
        board.engine.away = true
        board.session.catchUp()
        board.press(.character("u"))
        #expect(board.statusLine.contains("Nothing to undo"))
        board.session.catchUp()
        #expect(board.statusLine.contains("Nothing to undo"), "the loss wrote over other news")
        board.engine.away = false
        board.session.catchUp()
        #expect(board.statusLine.contains("Nothing to undo"), "'connected again' wrote over other news")
    }
}
