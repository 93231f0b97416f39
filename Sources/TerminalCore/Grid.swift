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
    /// A card's next-activity marks (issue 13): each has its own glyph too, so that without
    /// colour (`NO_COLOR`) the glyph alone tells the states apart.
    case overdue
    case dueToday
    case planned
    case rotting

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
        case .overdue: return "r"
        case .dueToday: return "y"
        case .planned: return "g"
        case .rotting: return "p"
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
///
/// Two grids are equal when their cells are: the `log` of how they were drawn is for the
/// screen gallery's checks, not part of what is shown.
public struct Grid: Hashable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]
    /// How the screen was drawn: the texts that had to be cut, the boxes, the wrapped texts
    /// and where the typing cursor is. Cheap: only cuts, frames and wraps are noted.
    public var log = DrawingLog()

    public init(size: Size) {
        self.size = Size(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: .blank, count: self.size.columns * self.size.rows)
    }

    public static func == (a: Grid, b: Grid) -> Bool { a.size == b.size && a.cells == b.cells }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(size)
        hasher.combine(cells)
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
        if let cells = DisplayWidth.simpleWidth(text) {
            if x + cells > limit { noteClip(text, x: x, y: y, limit: limit, needed: cells, style: style) }
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
                noteClip(text, x: x, y: y, limit: limit, needed: DisplayWidth.of(text), style: style)
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
            if x + min(cells, width) > size.columns {
                noteClip(text, x: x, y: y, limit: limit, needed: cells, style: style)
            }
            if cells <= width { return writeNarrow(text.unicodeScalars, x: x, y: y, limit: limit, style: style) }
            log.cuts.append(DrawingLog.Cut(text: String(text), x: x, y: y, width: width, needed: cells, style: style, marked: true, framesBefore: log.frames.count))
            let used = writeNarrow(text.unicodeScalars.prefix(width - 1), x: x, y: y, limit: limit, style: style)
            return used + writeNarrow(CollectionOfOne("…"), x: x + used, y: y, limit: limit, style: style)
        }
        let needed = DisplayWidth.of(text)
        if needed > width {
            log.cuts.append(DrawingLog.Cut(text: String(text), x: x, y: y, width: width, needed: needed, style: style, marked: true, framesBefore: log.frames.count))
        }
        return write(DisplayWidth.truncate(text, to: width), x: x, y: y, width: width, style: style)
    }

    /// Writes `text` cut to `width` cells with `…`, padded with spaces to exactly `width`
    /// cells; `alignRight` pads on the left (numbers in a table).
    @discardableResult
    public mutating func write(fitting text: some StringProtocol, x: Int, y: Int, width: Int, alignRight: Bool, style: Style) -> Int {
        guard width > 0 else { return 0 }
        let shown = min(width, DisplayWidth.of(text))
        fill(Rect(x: x, y: y, width: width, height: 1), style: style)
        write(fitting: text, x: alignRight ? x + width - shown : x, y: y, width: shown < width ? shown : width, style: style)
        return width
    }

    /// Writes `text` word-wrapped to `width` cells from `(x, y)`, at most `maxRows` lines (the
    /// last one shown ends in `…` when more would follow). Returns the rows used.
    @discardableResult
    public mutating func write(wrapping text: String, x: Int, y: Int, width: Int, maxRows: Int = .max, style: Style) -> Int {
        guard width > 0, maxRows > 0 else { return 0 }
        let lines = TextWrap.lines(text, width: width)
        log.wraps.append(DrawingLog.Wrap(text: text, rows: lines, width: width))
        let shown = lines.prefix(maxRows)
        for (index, line) in shown.enumerated() {
            let last = index == shown.count - 1 && lines.count > shown.count
            write(fitting: last ? line + " " + lines[index + 1] : line, x: x, y: y + index, width: width, style: style)
        }
        return shown.count
    }

    /// Notes text the edge of its room cut without a mark: the gallery's checks refuse it.
    private mutating func noteClip(_ text: some StringProtocol, x: Int, y: Int, limit: Int, needed: Int, style: Style) {
        log.cuts.append(DrawingLog.Cut(text: String(text), x: x, y: y, width: max(0, limit - x), needed: needed, style: style, marked: false, framesBefore: log.frames.count))
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

    /// Fills a rectangle with one grapheme and style; the part outside the grid is ignored.
    public mutating func fill(_ rect: Rect, with grapheme: Character = " ", style: Style) {
        let top = max(0, rect.y), bottom = min(size.rows, rect.maxY)
        let left = max(0, rect.x), right = min(size.columns, rect.maxX)
        guard top < bottom, left < right else { return }
        for y in top..<bottom {
            for x in left..<right {
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

/// How a grid was drawn, beyond its cells: what the screen gallery's checks read (a text cut
/// while its line had room, a box something was drawn over, a word broken across lines, a
/// form without its cursor).
public struct DrawingLog: Sendable {
    /// A text that did not fit its room.
    public struct Cut: Sendable, Hashable {
        public var text: String
        public var x: Int, y: Int
        /// The cells it was given, and the cells it needed.
        public var width: Int, needed: Int
        public var style: Style
        /// Cut with `…` (else clipped silently by the edge of its room: always a fault).
        public var marked: Bool
        /// How many boxes were drawn before it: a box drawn after may cover it.
        public var framesBefore: Int
    }

    /// Text broken into lines (`rows`) to fit `width` cells: the checks make sure no word is
    /// broken that could have been moved whole to the next line.
    public struct Wrap: Sendable, Hashable {
        public var text: String
        public var rows: [String]
        public var width: Int

        public init(text: String, rows: [String], width: Int) {
            self.text = text
            self.rows = rows
            self.width = width
        }
    }

    public var cuts: [Cut] = []
    /// The boxes drawn, in order: a box drawn later may cover an earlier one.
    public var frames: [Rect] = []
    public var wraps: [Wrap] = []
    /// Where typing goes, when a field has focus.
    public var cursor: Point?

    public init() {}
}
