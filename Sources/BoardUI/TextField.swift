import TerminalCore

/// Editable text with a cursor: the single-line prompts and the multi-line requirements
/// and notes fields. Keys: ← → Home End Backspace Delete, Ctrl-U clears; ↑ ↓ move between
/// lines of a multi-line field.
public struct TextField: Hashable, Sendable {
    public private(set) var characters: [Character]
    /// Index in `characters` where typing inserts.
    public private(set) var cursor: Int
    public let multiline: Bool

    public init(_ text: String = "", multiline: Bool = false) {
        characters = Array(text)
        cursor = characters.count
        self.multiline = multiline
    }

    public var text: String { String(characters) }

    public enum Edit: Hashable, Sendable {
        case insert(Character)
        case newline
        case backspace, delete
        case left, right, home, end
        case up, down
        case clear
    }

    /// Applies an edit; returns false when it does not apply (so ↑ ↓ can move between
    /// fields from a single-line field).
    @discardableResult
    public mutating func apply(_ edit: Edit) -> Bool {
        switch edit {
        case .insert(let character):
            guard !character.isNewline || multiline else { return false }
            characters.insert(character, at: cursor)
            cursor += 1
        case .newline:
            guard multiline else { return false }
            characters.insert("\n", at: cursor)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < characters.count else { return true }
            characters.remove(at: cursor)
        case .left:
            cursor = max(0, cursor - 1)
        case .right:
            cursor = min(characters.count, cursor + 1)
        case .home:
            cursor = multiline ? lineStart(of: cursor) : 0
        case .end:
            cursor = multiline ? lineEnd(of: cursor) : characters.count
        case .up, .down:
            guard multiline else { return false }
            let start = lineStart(of: cursor)
            let column = cursor - start
            if edit == .up {
                guard start > 0 else { return false }
                let previousStart = lineStart(of: start - 1)
                cursor = min(previousStart + column, start - 1)
            } else {
                let end = lineEnd(of: cursor)
                guard end < characters.count else { return false }
                let nextStart = end + 1
                cursor = min(nextStart + column, lineEnd(of: nextStart))
            }
        case .clear:
            characters.removeAll()
            cursor = 0
        }
        return true
    }

    public mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    private func lineStart(of index: Int) -> Int {
        var start = index
        while start > 0, characters[start - 1] != "\n" { start -= 1 }
        return start
    }

    private func lineEnd(of index: Int) -> Int {
        var end = index
        while end < characters.count, characters[end] != "\n" { end += 1 }
        return end
    }

    /// The field as rows of at most `width` cells and the cursor's row and column among them.
    /// Rows break between words, as text on screen always does: a word moves whole to the
    /// next row, and only a word longer than a row is split. Line feeds start a new row.
    public func visualRows(width: Int) -> (rows: [String], cursorRow: Int, cursorColumn: Int) {
        let width = max(1, width)
        var rows: [String] = [""]
        var rowWidth = 0
        var cursorRow = 0, cursorColumn = 0
        func newRow() {
            rows.append("")
            rowWidth = 0
        }
        func place(_ index: Int) {
            let character = characters[index]
            let cells = max(1, DisplayWidth.of(character))
            if rowWidth > 0, rowWidth + cells > width { newRow() }
            if index == cursor { cursorRow = rows.count - 1; cursorColumn = rowWidth }
            rows[rows.count - 1].append(character)
            rowWidth += cells
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\n" {
                if index == cursor { cursorRow = rows.count - 1; cursorColumn = rowWidth }
                newRow()
                index += 1
                continue
            }
            if character == " " {
                // A space at the end of a full row is the break itself: it takes no cell.
                if rowWidth >= width {
                    newRow()
                    if index == cursor { cursorRow = rows.count - 1; cursorColumn = 0 }
                } else {
                    place(index)
                }
                index += 1
                continue
            }
            // A word: it goes whole onto the next row when this one has no room for it.
            var end = index
            var wordWidth = 0
            while end < characters.count, characters[end] != " ", characters[end] != "\n" {
                wordWidth += max(1, DisplayWidth.of(characters[end]))
                end += 1
            }
            if rowWidth > 0, rowWidth + wordWidth > width, wordWidth <= width { newRow() }
            for position in index..<end { place(position) }
            index = end
        }
        if cursor == characters.count {
            if rowWidth >= width, !characters.isEmpty, characters.last != "\n" { newRow() }
            cursorRow = rows.count - 1
            cursorColumn = rowWidth
        }
        return (rows, cursorRow, cursorColumn)
    }
}

/// A one-line text prompt (filter, lost reason).
public typealias LineEditor = TextField
