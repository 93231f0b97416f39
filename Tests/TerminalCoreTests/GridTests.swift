import Testing
@testable import TerminalCore

@Suite("Grid")
struct GridTests {
    @Test func fillingOutsideTheGridChangesNothingAndDoesNotTrap() {
        var grid = Grid(size: Size(columns: 10, rows: 4))
        grid.fill(Rect(x: 12, y: 1, width: 5, height: 2), with: "x", style: .modal)
        grid.fill(Rect(x: 2, y: 6, width: 5, height: 2), with: "x", style: .modal)
        grid.fill(Rect(x: -8, y: -3, width: 5, height: 2), with: "x", style: .modal)
        #expect(grid == Grid(size: Size(columns: 10, rows: 4)))
        grid.fill(Rect(x: 8, y: 3, width: 5, height: 5), with: "x", style: .modal)
        #expect(grid.lines == ["", "", "", "        xx"])
    }

    /// A parenthesised part moves to the next line whole when asked, if it fits on a line;
    /// one wider than the line wraps as words; without the option nothing changes.
    @Test func aParenthesisedPartCanBeKeptWhole() {
        let seen = "5 % · seen 30 % (n 10, 13–56 %)"
        #expect(TextWrap.lines(seen, width: 22) == ["5 % · seen 30 % (n 10,", "13–56 %)"])
        #expect(TextWrap.lines(seen, width: 22, keepingParenthesesWhole: true) == ["5 % · seen 30 %", "(n 10, 13–56 %)"])
        #expect(TextWrap.lines(seen, width: 40, keepingParenthesesWhole: true) == [seen])
        #expect(TextWrap.lines(seen, width: 10, keepingParenthesesWhole: true) == ["5 % · seen", "30 % (n", "10, 13–56", "%)"])
        #expect(TextWrap.lines("a (b c", width: 3, keepingParenthesesWhole: true) == ["a", "(b", "c"])
    }

    @Test func theLogNotesCutsClipsBoxesAndWrapsButGridsCompareByCells() {
        var grid = Grid(size: Size(columns: 20, rows: 4))
        grid.write(fitting: "Không chốt được", x: 0, y: 0, width: 8, style: .header)
        grid.write("Requirements", x: 15, y: 1, style: .normal)
        let rows = grid.write(wrapping: "mass-calling campaign", x: 0, y: 2, width: 14, style: .tooltip)
        #expect(grid.lines[0] == "Không c…")
        #expect(rows == 2 && grid.lines[2] == "mass-calling" && grid.lines[3] == "campaign")
        #expect(grid.log.cuts.map(\.marked) == [true, false])
        #expect(grid.log.cuts[1].width == 5 && grid.log.cuts[1].needed == 12)
        #expect(grid.log.wraps.first?.rows == ["mass-calling", "campaign"])
        var same = Grid(size: grid.size)
        for y in 0..<grid.size.rows {
            for x in 0..<grid.size.columns { same[x, y] = grid[x, y] }
        }
        #expect(same == grid && same.log.cuts.isEmpty)
    }
}
