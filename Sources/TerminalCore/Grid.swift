/// What a cell is for. The renderer speaks only in roles; the terminal backend decides
/// what each looks like (colours, or bold and reverse video without colours).
public enum Style: UInt8, Hashable, Sendable, CaseIterable {
    case normal
    case border
    case header
    case focusedHeader
    case card
    case focusedCard
    case carried
    case dim
    case money
    case stars
    case tab
    case activeTab
    case status
    case message
    case error
    case tooltip
    case modal
    case field
    case focusedField
    case marker

    /// One letter per role, for snapshot files.
    public var letter: Character {
        switch self {
        case .normal: return "."
        case .border: return "b"
        case .header: return "h"
        case .focusedHeader: return "H"
        case .card: return "c"
        case .focusedCard: return "C"
        case .carried: return "D"
        case .dim: return "d"
        case .money: return "m"
        case .stars: return "s"
        case .tab: return "t"
        case .activeTab: return "T"
        case .status: return "S"
        case .message: return "M"
        case .error: return "E"
        case .tooltip: return "q"
        case .modal: return "w"
        case .field: return "f"
        case .focusedField: return "F"
        case .marker: return ">"
        }
    }
}

/// One terminal cell: a grapheme and its style. A wide grapheme sits in the left cell of
/// a pair; the right cell is a continuation that draws nothing.
public struct Cell: Hashable, Sendable {
    public var grapheme: Character
    public var style: Style
    public var isContinuation: Bool

    public static let blank = Cell(grapheme: " ", style: .normal, isContinuation: false)

    public init(grapheme: Character, style: Style, isContinuation: Bool = false) {
        self.grapheme = grapheme
        self.style = style
        self.isContinuation = isContinuation
    }
}

/// A screen drawn in memory: what the board renders, what tests read as text, and what the
/// terminal backend copies to the screen (only the cells that changed).
public struct Grid: Hashable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]

    public init(size: Size) {
        self.size = Size(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: .blank, count: self.size.columns * self.size.rows)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.columns + x] }
        set { cells[y * size.columns + x] = newValue }
    }

    /// Writes `text` from `(x, y)`, at most `width` cells (default: to the right edge),
    /// clipping at the grid's edges. Control characters are drawn as `�`; a wide character
    /// that would not fit whole is replaced by a space. Returns the cells used.
    @discardableResult
    public mutating func write(_ text: some StringProtocol, x: Int, y: Int, width: Int? = nil, style: Style) -> Int {
        guard y >= 0, y < size.rows else { return 0 }
        let limit = min(size.columns, x + (width ?? size.columns))
        if DisplayWidth.simpleWidth(text) != nil {
            return writeNarrow(text.unicodeScalars, x: x, y: y, limit: limit, style: style)
        }
        if let joined = Self.withoutStrayJoiners(text) { return write(joined, x: x, y: y, width: width, style: style) }
        var column = x
        for character in text {
            var character = character
            var cells = DisplayWidth.of(character)
            if character.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }) {
                character = "\u{FFFD}"
                cells = 1
            }
            if cells == 0 { continue }  // a stray mark with nothing to sit on
            if column + cells > limit {
                if cells == 2, column < limit, column >= 0 { self[column, y] = Cell(grapheme: " ", style: style) }
                break
            }
            if column >= 0 {
                clearHalf(x: column, y: y)
                self[column, y] = Cell(grapheme: character, style: style)
                if cells == 2 {
                    clearHalf(x: column + 1, y: y)
                    self[column + 1, y] = Cell(grapheme: " ", style: style, isContinuation: true)
                }
            }
            column += cells
        }
        return column - x
    }

    /// `text` without the zero-width joiners that join no emoji sequence (`👩‍💻` keeps its
    /// own); nil when there is none to take out. Terminals join the character after a ZWJ
    /// to the cell before it, so a stray one (`Ne\u{200D}w`) shifts everything to its right
    /// on the screen — separators and colours — though it takes no cell in the grid.
    static func withoutStrayJoiners(_ text: some StringProtocol) -> String? {
        guard text.unicodeScalars.contains(where: { $0.value == 0x200D }) else { return nil }
        var result = String.UnicodeScalarView()
        var removed = false
        for character in text {
            let scalars = character.unicodeScalars
            let joinsEmoji = scalars.count > 1 && scalars.first.map { $0.value > 0xFF && $0.properties.isEmoji } == true
            for scalar in scalars {
                if scalar.value == 0x200D, !joinsEmoji { removed = true } else { result.append(scalar) }
            }
        }
        return removed ? String(result) : nil
    }

    /// Writes `text` cut to `width` cells with `…` when it does not fit.
    @discardableResult
    public mutating func write(fitting text: some StringProtocol, x: Int, y: Int, width: Int, style: Style) -> Int {
        guard width > 0, y >= 0, y < size.rows else { return 0 }
        if let cells = DisplayWidth.simpleWidth(text) {
            // Cut and written in one pass, without making the cut string (the board writes a
            // few hundred of these per frame).
            let limit = min(size.columns, x + width)
            if cells <= width { return writeNarrow(text.unicodeScalars, x: x, y: y, limit: limit, style: style) }
            let used = writeNarrow(text.unicodeScalars.prefix(width - 1), x: x, y: y, limit: limit, style: style)
            return used + writeNarrow(CollectionOfOne("…"), x: x + used, y: y, limit: limit, style: style)
        }
        return write(DisplayWidth.truncate(text, to: width), x: x, y: y, width: width, style: style)
    }

    /// Writes scalars that are each one narrow cell (see `DisplayWidth.simpleWidth`): no
    /// grapheme breaking. Returns the cells used.
    private mutating func writeNarrow(_ scalars: some Sequence<Unicode.Scalar>, x: Int, y: Int, limit: Int, style: Style) -> Int {
        var column = x
        for scalar in scalars {
            guard column < limit else { break }
            if column >= 0 {
                clearHalf(x: column, y: y)
                self[column, y] = Cell(grapheme: Character(scalar), style: style)
            }
            column += 1
        }
        return column - x
    }

    /// Fills a rectangle with one grapheme and style.
    public mutating func fill(_ rect: Rect, with grapheme: Character = " ", style: Style) {
        for y in max(0, rect.y)..<min(size.rows, rect.maxY) {
            for x in max(0, rect.x)..<min(size.columns, rect.maxX) {
                clearHalf(x: x, y: y)
                self[x, y] = Cell(grapheme: grapheme, style: style)
            }
        }
    }

    /// Overwriting half of a wide character blanks its other half, so that no stale
    /// half-glyph is left behind.
    private mutating func clearHalf(x: Int, y: Int) {
        let cell = self[x, y]
        if cell.isContinuation, x > 0 {
            self[x - 1, y] = Cell(grapheme: " ", style: self[x - 1, y].style)
        } else if x + 1 < size.columns, self[x + 1, y].isContinuation, DisplayWidth.of(cell.grapheme) == 2 {
            self[x + 1, y] = Cell(grapheme: " ", style: self[x + 1, y].style)
        }
    }

    /// The text layer, one line per row, trailing spaces trimmed.
    public var lines: [String] {
        (0..<size.rows).map { y in
            var line = ""
            for x in 0..<size.columns where !self[x, y].isContinuation { line.append(self[x, y].grapheme) }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    /// The style layer, one letter per cell (see `Style.letter`), for snapshot files.
    public var styleLines: [String] {
        (0..<size.rows).map { y in String((0..<size.columns).map { self[$0, y].style.letter }) }
    }

    public var text: String { lines.joined(separator: "\n") }
}
