import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// The salesperson-facing loose ends of issue 13 on the board: a new deal is its creator's,
/// closed deals' activities leave view 4 and the marks, the marks are explained, the page's
/// times are the user's, and a huge paste is cut.
@Suite("Board: salesperson defaults, closed deals' activities, marks, local times, paste")
struct BoardIssue13FinishTests {
    func paste(_ board: BoardHarness, _ text: String) { board.session.send(.input(.paste(text))) }

    @Test func aNewDealIsItsCreatorsAndMCountsIt() throws {
        let board = try BoardHarness()
        board.press(.character("n"))
        guard case .newCard(let editor) = board.state.mode else { Issue.record("n opened \(board.state.mode)"); return }
        #expect(editor.form.value("cardEditor.salesperson") == "tester", "the user at the board, shown before saving")
        board.type("Own deal")
        board.press(.enter)
        board.type("3,000")
        board.press(.enter)
        #expect(try board.card("Own deal").salesperson == "tester")
        board.press(.character("m"))
        #expect(board.screen.contains("Own deal"), "\(board.screen)")
        let mine = BoardRenderer.totals(board.state)[0]
        #expect(mine.contains("$3,000.00"), "\(mine)")
        #expect(board.state.figures.values.map(\.count).reduce(0, +) == 1, "m counts the deal one added oneself")
    }

    /// The forecast view follows `m` as the header does, whichever is pressed first (it
    /// showed everyone's deals under a title bar saying "My pipeline").
    @Test func theForecastViewFollowsMyPipeline() throws {
        let board = try BoardHarness()
        board.press(.character("n"))
        board.type("Own deal")
        board.press(.enter)
        board.type("3,000")
        board.press(.enter)
        board.press(.character("3"))
        let everyone = try #require(board.state.forecast).open.count
        #expect(everyone > 1, "the seed has the team's deals")
        board.press(.character("m"))
        #expect(board.state.forecast?.open.count == 1, "m in the forecast view: my deal alone")
        board.press(.character("1"), .character("3"))
        #expect(board.state.forecast?.open.count == 1, "the forecast view opened with m on")
        board.press(.character("m"))
        #expect(board.state.forecast?.open.count == everyone)
    }

    @Test func emptyingTheSalespersonFieldLeavesTheNewDealToNobody() throws {
        let board = try BoardHarness()
        board.press(.character("n"))
        board.type("Team deal")
        board.press(.tab, .tab, .control("u"), .enter)
        #expect(try board.card("Team deal").salesperson == "")
    }

    /// A lost deal's overdue call leaves view 4 and its card's mark; restored, both come back.
    @Test func aLostDealsActivitiesLeaveView4AndComeBackOnRestore() throws {
        let board = try BoardHarness(seed: { board in
            try BoardHarness.standardSeed(board)
            let acme = try board.card("Acme renewal")
            let call = try board.database.activityTypes()[0].id
            _ = try board.database.addActivity(to: acme.id, ActivityChanges(type: call, summary: "Call Acme back", due: BoardActivityTests.date(18),
                                                                            assignedTo: "tester"),
                                               context: ChangeContext(now: BoardHarness.now, user: "seed"))
            _ = try board.database.markLost(acme.id, reason: "Price", context: ChangeContext(now: BoardHarness.now, user: "seed"))
        })
        let acme = try board.card("Acme renewal")
        let lost = try #require(board.state.stages.first { $0.outcome == .lost })
        #expect(acme.stage == lost.id)
        #expect(BoardRenderer.activityMarks(acme, width: 16, board.state).isEmpty, "a lost deal has no next step to flag")
        board.press(.character("4"))
        #expect(!board.screen.contains("Call Acme back"), "\(board.screen)")
        _ = try board.database.restore(acme.id, context: ChangeContext(now: BoardHarness.now, user: "seed"))
        board.press(.character("1"), .character("4"))
        #expect(board.screen.contains("Call Acme back"), "\(board.screen)")
    }

    @Test func helpExplainsTheMarksInBothLanguages() throws {
        for (language, words) in [(Language.english, ["Marks on cards", "Overdue", "Due today", "Planned", "Rotting"]),
                                  (.vietnamese, ["Ký hiệu trên thẻ", "Quá hạn", "Đến hạn hôm nay", "Đã lên lịch", "Bị bỏ quên"])] {
            let board = try BoardHarness(language: language, seed: { _ in })
            let lines = BoardOverlays.helpLines(board.state)
            for (glyph, word) in zip(["", "!", "●", "○", "▼"], words) {
                #expect(lines.contains { $0.keys == (glyph.isEmpty ? word : glyph) && (glyph.isEmpty || $0.text.hasPrefix(word)) },
                        "\(language): \(glyph) \(word)")
            }
        }
        #expect(KeyMap.markdown().contains("| `▼` | Rotting:"))
    }

    /// The page's times are the user's: the note added at 09:00 UTC on 20 November is the 19th
    /// at UTC−10 and already the 21st at UTC+16.
    @Test func thePageShowsTimesInTheUsersZoneAcrossADayBoundary() throws {
        let board = try BoardDealPageTests.openAcme(size: Size(columns: 120, rows: 60))
        func screen(_ offset: Int) -> String {
            var state = board.state
            state.utcOffsetSeconds = offset
            return BoardRenderer.render(state).text
        }
        #expect(screen(0).contains("2026-11-20 09:00"), "\(screen(0))")
        #expect(screen(-10 * 3600).contains("2026-11-19 23:00"), "\(screen(-10 * 3600))")
        #expect(screen(16 * 3600).contains("2026-11-21 01:00"), "\(screen(16 * 3600))")
        #expect(!screen(16 * 3600).contains("2026-11-20 09:00"))
    }

    /// 300 KB pasted into a one-line field inserts the field's limit and says so; a multi-line
    /// field takes more, still bounded.
    @Test func aHugePasteIsCutToTheFieldsLimitAndSaysSo() throws {
        let board = try BoardHarness()
        board.press(.character("n"))
        paste(board, String(repeating: "abcdefghij", count: 30_000))
        guard case .newCard(let editor) = board.state.mode else { Issue.record("the paste closed the form"); return }
        #expect(editor.form.value("cardEditor.title").count == BoardPaste.singleLineLimit)
        #expect(board.state.status?.text == "Pasted text cut to its first 1000 characters: a field takes no more in one paste.",
                "\(String(describing: board.state.status))")
        board.press(.escape, .up, .character("e"), .tab, .tab, .control("u"))  // the stage editor's requirements
        paste(board, String(repeating: "line\n", count: 60_000))
        guard case .stageEditor(let stageEditor) = board.state.mode else { Issue.record("the paste closed the stage editor"); return }
        #expect(stageEditor.form.value("stageEditor.requirements").count == BoardPaste.multiLineLimit)
        // A paste within the limit says nothing.
        board.press(.escape, .character("n"))
        paste(board, "Acme")
        #expect(board.state.status?.text.hasPrefix("Pasted text cut") != true)
    }
}
