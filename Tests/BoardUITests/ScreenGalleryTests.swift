import Foundation
import Testing
@testable import BoardUI
@testable import PipelineCore
import TerminalCore

/// The screen gallery (`Docs/screens/`): regenerated and compared with the committed files
/// (`make screens`, or `RECORD_SNAPSHOTS=1`, writes them; review the diff like code), and every
/// screen checked against `ScreenRules`, recorded or not.
@Suite("Screen gallery")
struct ScreenGalleryTests {
    /// The seen rate's "(n 10, 13–56 %)" is never broken across two rows: where the line is
    /// too narrow for all of it, the parenthesised part moves to the next row whole (issue 14's
    /// trials found "(n 10," on one row and "13–56 %)" on the next), at every gallery size.
    @Test(arguments: ["header-tooltip-seen", "column-carried", "stage-editor-seen", "stage-editor-adopted"])
    func theSeenRatesParenthesesStayWhole(_ name: String) throws {
        let screen = try #require(ScreenGallery.screens.first { $0.name == name })
        for size in ScreenGallery.sizes + [Size(columns: 60, rows: 24), Size(columns: 100, rows: 24)] {
            for language in ScreenGallery.languages {
                let (grid, _) = try ScreenGallery.render(screen, language, size)
                let opened = grid.lines.compactMap { line in line.range(of: "(n ", options: .backwards).map { line[$0.lowerBound...] } }
                #expect(!opened.isEmpty && opened.allSatisfy { $0.contains("%)") },
                        "\(name), \(language.rawValue), \(size.columns)×\(size.rows):\n\(grid.text)")
            }
        }
    }

    @Test(arguments: ScreenGallery.screens.map(\.name))
    func screenIsWholeAndAsCommitted(_ name: String) throws {
        let screen = try #require(ScreenGallery.screens.first { $0.name == name })
        var renderings: [(language: Language, size: Size, grid: Grid, focus: String)] = []
        for size in screen.sizes ?? ScreenGallery.sizes {
            for language in ScreenGallery.languages {
                let (grid, state) = try ScreenGallery.render(screen, language, size)
                renderings.append((language, size, grid, ScreenGallery.focus(state, grid)))
                for violation in ScreenRules.violations(grid, state, mayScroll: size == ScreenGallery.sizes[0]) {
                    Issue.record("\(name), \(language.rawValue), \(size.columns)×\(size.rows): \(violation)")
                }
            }
        }
        let file = ScreenGallery.folder.appendingPathComponent(name + ".txt")
        let actual = ScreenGallery.file(screen, renderings: renderings)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: ScreenGallery.folder, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("Docs/screens/\(name).txt is missing; make screens writes it")
            return
        }
        if expected != actual {
            let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let differing = (0..<max(old.count, new.count)).filter { index in
                (index < old.count ? old[index] : "∅") != (index < new.count ? new[index] : "∅")
            }
            let report = differing.prefix(6).map { index in
                "line \(index + 1):\n- \(index < old.count ? String(old[index]) : "∅")\n+ \(index < new.count ? String(new[index]) : "∅")"
            }
            Issue.record(Comment(rawValue: "Docs/screens/\(name).txt differs (make screens re-records it):\n" + report.joined(separator: "\n")))
        }
    }

    @Test func theIndexListsEveryScreen() throws {
        let file = ScreenGallery.folder.appendingPathComponent("README.md")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: ScreenGallery.folder, withIntermediateDirectories: true)
            try ScreenGallery.index.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == ScreenGallery.index, "make screens writes Docs/screens/README.md")
    }

    @Test func theGalleryHoldsNoScreenThatIsNotDrawnAnyMore() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: ScreenGallery.folder.path).filter { $0.hasSuffix(".txt") }
        let names = Set(ScreenGallery.screens.map { $0.name + ".txt" })
        #expect(Set(files).subtracting(names).isEmpty, "stale: \(Set(files).subtracting(names).sorted())")
    }
}
