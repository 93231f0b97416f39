/// Splits CSV text into records of fields, on its bytes (issue 15).
///
/// It reads exactly as CSV.swift's `CSVReader` read our imports before it (its
/// `readRow`/`readField`, without trimming), so that every file gives the same fields:
/// a field that begins with a quote is quoted, `""` inside it is a quote, a quote followed by
/// anything else keeps the quote and drops that character (CSV.swift's "ERROR?" branch), and
/// a quoted field ends at a delimiter, a line break or the end; a quote inside an unquoted field is
/// text; CR LF, LF and a lone CR end a record; one UTF-8 byte-order mark at the start is
/// skipped. `CSVRecordReaderTests` compares the two on random and hostile text.
///
/// Why not the package: it decoded the stream a scalar at a time through a type-erased
/// iterator and appended each scalar to a `String` — 15.5 % of a 100,000-row import's CPU.
/// The delimiter, the quote and the line breaks are ASCII, which never occurs inside a UTF-8
/// sequence, so splitting the bytes is splitting the characters; each field becomes one
/// `String` from its bytes. Its input (`TextInputStream`) is UTF-8 already checked or
/// converted by `TextStream`, and it keeps the record limit and the open quote's place.
final class CSVRecordReader {
    private let input: TextInputStream
    private let delimiter: UInt8
    private var block: [UInt8]
    private var count = 0
    private var position = 0
    private var pushedBack: Int32 = -1
    private var ended = false
    private var startChecked = false
    private var field: [UInt8] = []
    /// How many times a character followed a closing quote (`"x"y,…`) so far: the importer
    /// names the record it happened in, rather than the field count it upsets.
    private(set) var textAfterClosingQuote = 0

    private static let quote = Int32(UInt8(ascii: "\""))
    private static let carriageReturn = Int32(UInt8(ascii: "\r"))
    private static let lineFeed = Int32(UInt8(ascii: "\n"))

    init(_ input: TextInputStream, blockSize: Int = Int(UInt16.max)) {
        self.input = input
        self.delimiter = input.delimiter
        self.block = [UInt8](repeating: 0, count: max(blockSize, 4))
    }

    /// The next record's fields; nil at the end of the text (or at its first problem, which
    /// `TextInputStream` and `TextStream` then hold).
    func next() -> [String]? {
        var byte = nextByte()
        if byte < 0 { return nil }
        var row: [String] = []
        while true {
            let end: Bool
            if byte == Self.quote {
                end = readField(quoted: true)
            } else {
                pushedBack = byte
                end = readField(quoted: false)
            }
            row.append(String(decoding: field, as: UTF8.self))
            if end { return row }
            byte = nextByte()
        }
    }

    /// Reads one field into `field`; true when it ended its record.
    private func readField(quoted: Bool) -> Bool {
        field.removeAll(keepingCapacity: true)
        let delimiter = Int32(self.delimiter)
        while true {
            let byte = nextByte()
            if byte < 0 { return true }
            if quoted {
                guard byte == Self.quote else {
                    field.append(UInt8(truncatingIfNeeded: byte))
                    continue
                }
                let after = nextByte()
                if after < 0 || after == Self.carriageReturn || after == Self.lineFeed {
                    if after == Self.carriageReturn {
                        let next = nextByte()
                        if next != Self.lineFeed { pushedBack = next }
                    }
                    return true
                } else if after == delimiter {
                    return false
                } else if after == Self.quote {
                    field.append(UInt8(ascii: "\""))
                } else {
                    // CSV.swift keeps the quote and drops the character after it.
                    field.append(UInt8(ascii: "\""))
                    skipRestOfCharacter(startingWith: after)
                }
            } else if byte == Self.carriageReturn || byte == Self.lineFeed {
                if byte == Self.carriageReturn {
                    let next = nextByte()
                    if next != Self.lineFeed { pushedBack = next }
                }
                return true
            } else if byte == delimiter {
                return false
            } else {
                field.append(UInt8(truncatingIfNeeded: byte))
            }
        }
    }

    /// Drops the continuation bytes of a character whose first byte was dropped (the one
    /// after a closing quote, counted as such).
    private func skipRestOfCharacter(startingWith lead: Int32) {
        textAfterClosingQuote += 1
        guard lead >= 0xC0 else { return }
        while true {
            let byte = nextByte()
            if byte < 0 { return }
            if byte & 0xC0 != 0x80 { pushedBack = byte; return }
        }
    }

    /// The next byte, or -1 at the end.
    @inline(__always) private func nextByte() -> Int32 {
        if pushedBack >= 0 {
            defer { pushedBack = -1 }
            return pushedBack
        }
        if position == count, !refill() { return -1 }
        defer { position += 1 }
        return Int32(block[position])
    }

    private func refill() -> Bool {
        guard !ended else { return false }
        let read = block.withUnsafeMutableBufferPointer { input.read($0.baseAddress!, maxLength: $0.count) }
        guard read > 0 else { ended = true; return false }
        count = read
        position = 0
        if !startChecked {
            // As the package did with the first block it read: a byte-order mark is no text.
            startChecked = true
            if read >= 3, block[0] == 0xEF, block[1] == 0xBB, block[2] == 0xBF { position = 3 }
        }
        return position < count || refill()
    }
}
