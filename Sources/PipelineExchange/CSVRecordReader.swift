/// Splits CSV text into records of fields, on its bytes, and keeps the record limit and the
/// open quote's place as it goes (issue 15).
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
/// `String` straight from the bytes it spans. Its input (`TextStream`) is UTF-8 already
/// checked or converted.
///
/// Each byte is looked at once, in one loop whose state is all local: it is split, counted
/// against the record limit (a record longer than `recordLimit` bytes ends the reading with
/// `TextProblem.tooLong`: the reader holds a whole record, so this bounds the memory an
/// import takes whatever the file holds), and followed for the physical line and column of
/// a quote never closed (`TextProblem.openQuote`). That was a second pass before
/// (`TextInputStream`, an `InputStream` for the package), whose per-byte work on an
/// object's properties cost more than the split itself.
final class CSVRecordReader {
    static let defaultRecordLimit = 8 << 20

    let text: TextStream
    let delimiter: UInt8
    let recordLimit: Int
    /// A record over the limit, or a quoted field open at the end of the text; the reading
    /// ends at it. (A problem of the bytes themselves is the `TextStream`'s.)
    private(set) var problem: TextProblem?

    private let block: UnsafeMutableBufferPointer<UInt8>
    private var count = 0
    private var position = 0
    /// Text bytes taken from the stream before the current block.
    private var taken = 0
    private var ended = false
    private var startChecked = false
    /// The byte-order mark skipped at the start, which the first record's length counts.
    private var markBytes = 0
    /// Where the next byte stands: its physical line, the characters before it on that
    /// line, and whether it follows a carriage return (a CR LF is one line break).
    private var line = 1
    private var column = 0
    private var afterCarriageReturn = false
    /// How many fields the last record had, to size the next one's array.
    private var fieldsHint = 0
    /// How many times a character followed a closing quote (`"x"y,…`) so far: the importer
    /// names the record it happened in, rather than the field count it upsets.
    private(set) var textAfterClosingQuote = 0

    private static let quote = UInt8(ascii: "\"")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")

    init(_ text: TextStream, delimiter: UnicodeScalar, recordLimit: Int = CSVRecordReader.defaultRecordLimit,
         blockSize: Int = Int(UInt16.max)) {
        self.text = text
        self.delimiter = UInt8(truncatingIfNeeded: delimiter.value)
        self.recordLimit = recordLimit
        block = .allocate(capacity: max(blockSize, 4))
    }

    deinit { block.deallocate() }

    private enum State {
        case fieldStart, unquoted, quoted
        /// A quote inside a quoted field: it closes the field, or is the first of `""`.
        case quoteInQuoted
        /// After a quote followed by a character that is dropped: its continuation bytes.
        case dropping
    }

    /// The next record's fields; nil at the end of the text, or at its first problem
    /// (`problem`, or the `TextStream`'s). A quoted field still open at the end is given with
    /// the rest of the text, as the package did, and `problem` says so. Each record given
    /// moves the stream's share done (`TextStream.consumed`) to its end.
    func next() -> [String]? {
        guard problem == nil else { return nil }
        if position == count, !refill() { return nil }
        let delimiter = self.delimiter, recordLimit = self.recordLimit
        let quote = Self.quote, carriageReturn = Self.carriageReturn, lineFeed = Self.lineFeed
        var base = block.baseAddress!
        var p = position, end = count
        var line = self.line, column = self.column, afterCarriageReturn = self.afterCarriageReturn
        let recordLine = line
        var recordBytes = markBytes
        markBytes = 0
        var quoteLine = line, quoteColumn = column
        var state = State.fieldStart
        // The field's bytes are [segmentStart, p) of the block (up to segmentEnd after a
        // quote in a quoted field), after what `spill` holds: the field's earlier blocks, or
        // its text before a `""` or a dropped character.
        var segmentStart = p, segmentEnd = p
        var spill: [UInt8] = []
        var row: [String] = []
        row.reserveCapacity(fieldsHint)

        func field(_ start: UnsafeMutablePointer<UInt8>, _ length: Int) -> String {
            if spill.isEmpty { return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self) }
            spill.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
            defer { spill.removeAll(keepingCapacity: true) }
            return String(decoding: spill, as: UTF8.self)
        }

        while true {
            if p == end {
                // The block is read: keep the field's bytes so far, and take the next one.
                switch state {
                case .unquoted, .quoted: spill.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: p - segmentStart))
                case .quoteInQuoted: spill.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: segmentEnd - segmentStart))
                case .fieldStart, .dropping: break
                }
                position = p
                let more = refill()
                base = block.baseAddress!
                p = position
                end = count
                segmentStart = p
                segmentEnd = p
                if !more {
                    // The end of the text ends the record, whatever its last field was.
                    if state == .quoted || state == .dropping, text.problem == nil {
                        problem = TextProblem(kind: .openQuote, line: quoteLine, column: quoteColumn)
                    }
                    row.append(field(base, 0))
                    return given(row, end: nil, line: line, column: column, afterCarriageReturn: afterCarriageReturn)
                }
                continue
            }
            let byte = base[p]
            p += 1
            // Following the text: a CR LF is one line break, and its LF no byte of the record.
            if byte == lineFeed {
                if afterCarriageReturn {
                    afterCarriageReturn = false
                    continue  // only inside a quoted field: a record's own CR LF is taken whole below
                }
                line += 1
                column = 0
            } else if byte == carriageReturn {
                line += 1
                column = 0
                afterCarriageReturn = true
            } else {
                afterCarriageReturn = false
                if byte & 0xC0 != 0x80 { column += 1 }
            }
            let endsRecord: Bool
            switch state {
            case .fieldStart:
                if byte == quote {
                    state = .quoted
                    quoteLine = line
                    quoteColumn = column
                    segmentStart = p
                    endsRecord = false
                } else if byte == delimiter {
                    row.append("")
                    segmentStart = p
                    endsRecord = false
                } else if byte == carriageReturn || byte == lineFeed {
                    row.append("")
                    endsRecord = true
                } else {
                    state = .unquoted
                    segmentStart = p - 1
                    endsRecord = false
                }
            case .unquoted:
                if byte == delimiter {
                    row.append(field(base + segmentStart, p - 1 - segmentStart))
                    state = .fieldStart
                    endsRecord = false
                } else if byte == carriageReturn || byte == lineFeed {
                    row.append(field(base + segmentStart, p - 1 - segmentStart))
                    endsRecord = true
                } else {
                    endsRecord = false
                }
            case .dropping where byte & 0xC0 == 0x80:
                segmentStart = p
                endsRecord = false
            case .quoted, .dropping:
                if state == .dropping {
                    state = .quoted
                    segmentStart = p - 1
                }
                if byte == quote {
                    state = .quoteInQuoted
                    segmentEnd = p - 1
                }
                endsRecord = false
            case .quoteInQuoted:
                if byte == delimiter {
                    row.append(field(base + segmentStart, segmentEnd - segmentStart))
                    state = .fieldStart
                    endsRecord = false
                } else if byte == carriageReturn || byte == lineFeed {
                    row.append(field(base + segmentStart, segmentEnd - segmentStart))
                    endsRecord = true
                } else {
                    // `""` is a quote; a quote before anything else is kept and the
                    // character after it dropped (CSV.swift's way).
                    spill.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: segmentEnd - segmentStart))
                    spill.append(quote)
                    segmentStart = p
                    if byte != quote { textAfterClosingQuote += 1 }
                    state = byte == quote || byte < 0xC0 ? .quoted : .dropping
                    endsRecord = false
                }
            }
            if !endsRecord {
                recordBytes += 1
                if recordBytes > recordLimit {
                    problem = TextProblem(kind: .tooLong(limit: recordLimit), line: recordLine, column: 1)
                    position = p
                    return nil
                }
                continue
            }
            // The record's line break: a CR takes the LF after it, if there is one.
            let recordEnd = taken + p
            if byte == carriageReturn {
                if p == end {
                    position = p
                    _ = refill()
                    base = block.baseAddress!
                    p = position
                    end = count
                }
                if p < end, base[p] == lineFeed {
                    p += 1
                    afterCarriageReturn = false
                }
            }
            position = p
            return given(row, end: recordEnd, line: line, column: column, afterCarriageReturn: afterCarriageReturn)
        }
    }

    /// Keeps where the text stands after a record and hands it out.
    private func given(_ row: [String], end: Int?, line: Int, column: Int, afterCarriageReturn: Bool) -> [String] {
        self.line = line
        self.column = column
        self.afterCarriageReturn = afterCarriageReturn
        fieldsHint = row.count
        // The share done follows the rows given, not the text read ahead; a last record
        // without a line break ends where all that was handed out does.
        text.consumed = end
        return row
    }

    private func refill() -> Bool {
        guard !ended else { return false }
        taken += count
        count = 0
        position = 0
        let read = text.read(into: block.baseAddress!, count: block.count)
        guard read > 0 else { ended = true; return false }
        count = read
        if !startChecked {
            // As the package did with the first block it read: a byte-order mark is no text.
            // It was a character of the first line and three bytes of the first record.
            startChecked = true
            if read >= 3, block[0] == 0xEF, block[1] == 0xBB, block[2] == 0xBF {
                position = 3
                column += 1
                markBytes = 3
            }
        }
        return position < count || refill()
    }
}
