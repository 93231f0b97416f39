import TerminalCore

/// An aligned plain-text table as wide as the output allows (``Console/width``): columns
/// take their content's width while the line has room, and give way when it has not.
///
/// When the line is too long, columns first come down to their usual `maximum`; then
/// headings wider than what their column shows wrap; then flexible columns cut their text,
/// down to `minimum`.
/// Fixed columns (ids, amounts, probabilities, yes and no) never cut what they show: a cut
/// figure would be a wrong figure. Headings are never cut either: a heading wider than its
/// column wraps between words onto a second header line.
///
/// Rows are buffered only until the widths are known (the first `sampleSize` rows), then
/// streamed, so listing a million opportunities does not hold them in memory.
struct Table {
    struct Column {
        var title: String
        var maximum: Int
        /// Flexible columns shrink (down to `minimum`) when the table is too wide; `nil`:
        /// a fixed column, whose cells are never cut.
        var minimum: Int?
        var alignRight: Bool

        init(_ title: String, max maximum: Int = 40, min minimum: Int? = nil, right alignRight: Bool = false) {
            self.title = title
            self.maximum = maximum
            self.minimum = minimum
            self.alignRight = alignRight
        }

        /// The narrowest the heading can be without cutting a word.
        var longestTitleWord: Int {
            title.split(separator: " ").map { DisplayWidth.of($0) }.max() ?? 0
        }
    }

    let columns: [Column]
    let width: Int
    let sampleSize: Int
    private var buffered: [[String]] = []
    private var widths: [Int]?
    private let write: (String) -> Void

    init(_ columns: [Column], width: Int = Console.width, sampleSize: Int = 500, write: @escaping (String) -> Void = { Console.out($0) }) {
        self.columns = columns
        self.width = width
        self.sampleSize = sampleSize
        self.write = write
    }

    mutating func add(_ cells: [String]) {
        let safe = cells.map { TerminalText.sanitized($0) }
        if let widths {
            write(line(safe, widths))
        } else {
            buffered.append(safe)
            if buffered.count >= sampleSize { flush() }
        }
    }

    /// Prints what is still buffered (and the header, if nothing was printed yet).
    mutating func finish() {
        if widths == nil { flush() }
    }

    private mutating func flush() {
        let widths = Self.widths(of: columns, rows: buffered, lineWidth: width)
        self.widths = widths
        for header in headerLines(widths) { write(header) }
        for row in buffered { write(line(row, widths)) }
        buffered.removeAll()
    }

    /// Each column's width for `rows` on lines of `lineWidth` cells (see the type's comment).
    static func widths(of columns: [Column], rows: [[String]], lineWidth: Int) -> [Int] {
        let content = columns.indices.map { index in rows.reduce(0) { max($0, DisplayWidth.of($1[index])) } }
        var widths = columns.indices.map { max(content[$0], DisplayWidth.of(columns[$0].title)) }
        // The narrowest each column may become: a heading word is never cut, nor is a
        // fixed column's content.
        let floors = columns.indices.map { index in
            max(columns[index].longestTitleWord, columns[index].minimum.map { min($0, content[index]) } ?? content[index], 1)
        }
        var excess = widths.reduce(2 * (columns.count - 1), +) - lineWidth
        func shrink(toward target: (Int) -> Int) {
            while excess > 0 {
                // The column with the most to give above its target gives one cell.
                let room = widths.indices.map { widths[$0] - max(target($0), floors[$0]) }
                guard let index = room.indices.max(by: { room[$0] < room[$1] }), room[index] > 0 else { return }
                widths[index] -= 1
                excess -= 1
            }
        }
        shrink { columns[$0].maximum }
        shrink { content[$0] }  // headings wrap; nothing is cut
        shrink { _ in 0 }
        return widths
    }

    /// The headings, wrapped between words where a column is narrower than its heading.
    private func headerLines(_ widths: [Int]) -> [String] {
        let wrapped = columns.indices.map { TextWrap.lines(TerminalText.sanitized(columns[$0].title), width: widths[$0]) }
        let count = wrapped.map(\.count).max() ?? 1
        return (0..<count).map { row in
            // A heading's last line sits on the last header line, right above the values.
            line(wrapped.map { lines in
                let index = row - (count - lines.count)
                return index >= 0 ? lines[index] : ""
            }, widths)
        }
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var parts: [String] = []
        for (index, cell) in cells.enumerated() {
            parts.append(DisplayWidth.fit(cell, to: widths[index], alignRight: columns[index].alignRight))
        }
        var text = parts.joined(separator: "  ")
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

extension Table {
    /// `text` followed by spaces up to `width` terminal columns (labels of `show`).
    static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - DisplayWidth.of(text)))
    }
}
