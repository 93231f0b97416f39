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

@Suite struct GridJoinerTests {
    /// A zero-width joiner outside an emoji sequence never reaches the terminal: terminals
    /// join the next character to the cell before it, which shifted the board's separators.
    @Test func aStrayJoinerIsNotDrawn() {
        var grid = Grid(size: Size(columns: 20, rows: 1))
        let used = grid.write("Ne\u{200D}w│x", x: 0, y: 0, style: .header)
        #expect(used == 5)
        #expect(grid.lines[0] == "New│x")
        #expect(!grid.cells.contains { $0.grapheme.unicodeScalars.contains { $0.value == 0x200D } })
        #expect(grid[3, 0].grapheme == "│")
        // Where it does join an emoji sequence, it stays: that is one picture of two cells.
        var emoji = Grid(size: Size(columns: 20, rows: 1))
        emoji.write("👩\u{200D}💻│", x: 0, y: 0, style: .card)
        #expect(emoji[0, 0].grapheme == "👩\u{200D}💻" && emoji[2, 0].grapheme == "│")
        // A joiner after a symbol below U+0100 that forms one grapheme with an emoji comes out
        // as two pictures, without a trap.
        var mixed = Grid(size: Size(columns: 20, rows: 1))
        mixed.write("©\u{200D}😀|", x: 0, y: 0, style: .card)
        #expect(mixed.lines[0] == "©😀|")
        var fitting = Grid(size: Size(columns: 4, rows: 1))
        fitting.write(fitting: "Ne\u{200D}wer", x: 0, y: 0, width: 4, style: .header)
        #expect(fitting.lines[0] == "New…")
    }
}
