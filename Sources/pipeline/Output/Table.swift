import TerminalCore

/// An aligned plain-text table that reads well at 80 columns: widths follow the content
/// up to each column's cap, and the flexible columns give way when the line is too long.
///
/// Rows are buffered only until the widths are known (the first `sampleSize` rows), then
/// streamed, so listing a million opportunities does not hold them in memory.
struct Table {
    struct Column {
        var title: String
        var maximum: Int
        /// Flexible columns shrink (down to `minimum`) when the table is too wide.
        var minimum: Int
        var alignRight: Bool

        init(_ title: String, max maximum: Int = 40, min minimum: Int? = nil, right alignRight: Bool = false) {
            self.title = title
            self.maximum = maximum
            self.minimum = minimum ?? maximum
            self.alignRight = alignRight
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
        let widths = computeWidths()
        self.widths = widths
        write(line(columns.map(\.title), widths))
        for row in buffered { write(line(row, widths)) }
        buffered.removeAll()
    }

    private func computeWidths() -> [Int] {
        var widths = columns.enumerated().map { index, column in
            min(column.maximum, buffered.reduce(DisplayWidth.of(column.title)) { max($0, DisplayWidth.of($1[index])) })
        }
        let gaps = 2 * (columns.count - 1)
        var excess = widths.reduce(gaps, +) - width
        while excess > 0 {
            // Shrink the flexible column with the most room to give.
            let candidates = widths.indices.filter { widths[$0] > columns[$0].minimum }
            guard let widest = candidates.max(by: { widths[$0] - columns[$0].minimum < widths[$1] - columns[$1].minimum }) else { break }
            widths[widest] -= 1
            excess -= 1
        }
        return widths
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
