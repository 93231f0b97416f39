import Testing
@testable import TerminalCore

@Suite("Display width")
struct DisplayWidthTests {
    @Test(arguments: [
        ("Sales", 5), ("Mới", 3), ("Mo\u{31B}\u{301}i", 3), ("Chốt được cơ hội", 16), ("商机", 4),
        ("東京 office", 11), ("😀", 2), ("👍🏽", 2), ("👩‍💻", 2), ("🇻🇳", 2), ("❤️", 2), ("ｆｕｌｌ", 8),
        ("한국어", 6), ("a\u{200B}b", 2), ("", 0), ("…", 1),
    ])
    func countsCells(_ text: String, _ cells: Int) {
        #expect(DisplayWidth.of(text) == cells)
    }

    @Test func truncationNeverSplitsAWideCharacterOrACluster() {
        #expect(DisplayWidth.truncate("商机商机商机", to: 7) == "商机商…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("商机商机商机", to: 6)) <= 6)
        #expect(DisplayWidth.truncate("Chốt được cơ hội", to: 8) == "Chốt đư…")
        #expect(DisplayWidth.truncate("Mo\u{31B}\u{301}i Mo\u{31B}\u{301}i", to: 4) == "Mo\u{31B}\u{301}i…")
        #expect(DisplayWidth.truncate("short", to: 10) == "short")
        #expect(DisplayWidth.truncate("anything", to: 0) == "")
    }

    @Test func fitPadsToTheExactWidth() {
        for text in ["商机商机商机", "Chốt được", "😀x", "ab", "Mo\u{31B}\u{301}i"] {
            for width in 1...9 {
                #expect(DisplayWidth.of(DisplayWidth.fit(text, to: width)) == width, "\(text) at \(width)")
            }
        }
        #expect(DisplayWidth.fit("42", to: 5, alignRight: true) == "   42")
    }

    @Test func sanitizingRemovesEverythingThatCouldDriveTheTerminal() {
        #expect(TerminalText.sanitized("\u{1B}]0;title\u{07}ok") == "\u{FFFD}]0;title\u{FFFD}ok")
        #expect(TerminalText.sanitized("a\u{9B}31m\u{202E}b") == "a\u{FFFD}31m\u{FFFD}b")
        #expect(TerminalText.sanitized("two\nlines") == "two lines")
        #expect(TerminalText.sanitized("two\nlines", singleLine: false) == "two\nlines")
        #expect(TerminalText.sanitized("Chốt được 商机") == "Chốt được 商机")
    }
}
