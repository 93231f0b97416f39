import TerminalCore

/// An aligned plain-text table as wide as the output allows (``Console/width``): columns
/// take their content's width while the line has room, and give way when it has not.
///
/// When the line is too long, columns first come down to their usual `maximum`; then
/// headings wider than what their column shows wrap; then flexible columns cut their text,
/// down to `minimum`.
/// Fixed columns (ids, amounts, probabilities, yes and no) never cut what they show: a cut
/// figure would be a wrong figure. Headings are never cut either: a heading wider than its
/// column wraps between words onto a second header line. Label columns (`wraps`: a row's
/// name, a team's) are never cut: their text wraps between words onto the row's next lines,
/// and they come down only to their longest word, after every other column has given way.
///
/// Then flexible columns go below their `minimum`, down to six cells (or their heading's
/// longest word). When even that does not fit — amounts too wide for the line — the table is stacked: each
/// row becomes a block, its label on a line of its own, then each other column's heading and
/// value on a line, so that nothing is cut and no line is longer than the width.
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
        /// A label: wrapped, never cut (see the type's comment).
        var wraps: Bool

        init(_ title: String, max maximum: Int = 40, min minimum: Int? = nil, right alignRight: Bool = false, wraps: Bool = false) {
            self.title = title
            self.maximum = maximum
            self.minimum = minimum
            self.alignRight = alignRight
            self.wraps = wraps
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
    /// Whether the rows are written as blocks (the columns do not fit side by side).
    private var stacked = false
    /// When stacked: the widths of the headings and of the values.
    private var stackedWidths = (titles: 0, values: 0)
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
            write(safe, widths)
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
        stacked = widths.reduce(2 * (columns.count - 1), +) > width && columns.count > 1
        if stacked {
            stackedWidths.titles = columns.dropFirst().map { DisplayWidth.of(TerminalText.sanitized($0.title)) }.max() ?? 0
            stackedWidths.values = buffered.flatMap { $0.dropFirst() }.map { DisplayWidth.of($0) }.max() ?? 0
        } else {
            for header in headerLines(widths) { write(header) }
        }
        for row in buffered { write(row, widths) }
        buffered.removeAll()
    }

    private func write(_ row: [String], _ widths: [Int]) {
        guard stacked else { return lines(row, widths).forEach(write) }
        // A block: the label on its own line (wrapped), then "HEADING  value" per column. A
        // row without a label (a sum's next currency) continues the block above it.
        if !row[0].isEmpty { TextWrap.lines(row[0], width: width).forEach(write) }
        let valueWidth = max(1, min(stackedWidths.values, width - 4 - stackedWidths.titles))
        for index in columns.indices.dropFirst() where !row[index].isEmpty {
            let title = DisplayWidth.fit(TerminalText.sanitized(columns[index].title), to: stackedWidths.titles)
            let value = DisplayWidth.of(row[index]) <= valueWidth ? DisplayWidth.fit(row[index], to: valueWidth, alignRight: columns[index].alignRight) : row[index]
            var text = "  " + title + "  " + value
            while text.hasSuffix(" ") { text.removeLast() }
            write(text)
        }
    }

    /// Each column's width for `rows` on lines of `lineWidth` cells (see the type's comment).
    static func widths(of columns: [Column], rows: [[String]], lineWidth: Int) -> [Int] {
        let content = columns.indices.map { index in rows.reduce(0) { max($0, DisplayWidth.of($1[index])) } }
        var widths = columns.indices.map { max(content[$0], DisplayWidth.of(columns[$0].title)) }
        // The narrowest each column may become: a heading word is never cut, nor is a
        // fixed column's content, nor a label's word.
        var floors = columns.indices.map { index in
            let column = columns[index]
            if column.wraps {
                let word = rows.reduce(0) { longest, row in
                    row[index].split(separator: " ").reduce(longest) { max($0, DisplayWidth.of($1)) }
                }
                return max(column.longestTitleWord, word, 1)
            }
            return max(column.longestTitleWord, column.minimum.map { min($0, content[index]) } ?? content[index], 1)
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
        // Labels keep their width while others give way: they are shortened last.
        shrink { columns[$0].wraps ? content[$0] : columns[$0].maximum }
        shrink { content[$0] }  // headings wrap; nothing is cut
        shrink { columns[$0].wraps ? .max : 0 }
        shrink { _ in 0 }  // labels wrap between words
        // Still too wide: rather than stack a listing (one block a row, a page a dozen deals),
        // its cut columns give way below their usual minimum, down to six cells or their
        // heading's longest word (the new-user trial: `opp list` of VND deals stacked at 80
        // columns for two cells).
        if excess > 0 {
            for index in columns.indices where columns[index].minimum != nil && !columns[index].wraps {
                floors[index] = max(columns[index].longestTitleWord, min(6, content[index]), 1)
            }
            shrink { _ in 0 }
        }
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

    /// A row's lines: one, or more where a label wraps (the other columns on the first).
    private func lines(_ cells: [String], _ widths: [Int]) -> [String] {
        let wrapped = cells.indices.map { index in
            columns[index].wraps && DisplayWidth.of(cells[index]) > widths[index] ? TextWrap.lines(cells[index], width: widths[index]) : [cells[index]]
        }
        let count = wrapped.map(\.count).max() ?? 1
        return (0..<count).map { row in line(wrapped.map { row < $0.count ? $0[row] : "" }, widths) }
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
