import Foundation
@testable import PipelineExchange

/// The stream CSV.swift's reader read our imports through before our own reader
/// (issue 15), kept as the reference `CSVRecordReaderTests` compares with: an `InputStream`
/// over a `TextStream` that follows the records as CSV.swift splits them (quotes open a field
/// only at its start; `""` inside one is a quote), refuses one longer than `recordLimit`,
/// names where a quote left open at the end opened, and moves the share done to the end of
/// each row given. `CSVRecordReader` now does all of this in its own loop.
final class TextInputStream: InputStream {
    static let defaultRecordLimit = CSVRecordReader.defaultRecordLimit

    let text: TextStream
    let delimiter: UInt8
    let recordLimit: Int
    private(set) var problem: TextProblem?
    private var ended = false

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart
    private var recordBytes = 0
    /// Where each record read ahead ends (text bytes from the start), oldest first: the CSV
    /// reader holds a block ahead of the rows it has given, so the share done is taken from
    /// the end of the last row given (`rowGiven`), not from what was handed to it.
    private var recordEnds: [Int] = []
    private var nextEnd = 0
    private var position = 0
    private var recordLine = 1
    private var line = 1
    private var afterCarriageReturn = false
    /// Characters into the current line, and where the last quoted field opened.
    private var column = 0
    private var quoteLine = 1
    private var quoteColumn = 1

    init(_ text: TextStream, delimiter: UnicodeScalar, recordLimit: Int = TextInputStream.defaultRecordLimit) {
        self.text = text
        self.delimiter = UInt8(truncatingIfNeeded: delimiter.value)
        self.recordLimit = recordLimit
        super.init(data: Data())
    }

    override func open() {}
    override func close() {}
    override var streamStatus: Stream.Status { .open }
    override var streamError: (any Error)? { nil }
    override var hasBytesAvailable: Bool {
        guard !ended, problem == nil else { return false }
        if text.peek(1).isEmpty { reachEnd(); return false }
        return true
    }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        guard problem == nil else { return 0 }
        let count = text.read(into: buffer, count: length)
        if count == 0 { reachEnd() }
        defer { position += count }
        for index in 0..<count where !follow(buffer[index], at: position + index) {
            problem = TextProblem(kind: .tooLong(limit: recordLimit), line: recordLine, column: 1)
            ended = true
            return 0
        }
        return count
    }

    /// The reader has given one more row (the header included): the text up to its end is
    /// consumed. Past the last record end known (the file's last row, without a line break),
    /// all that was handed out is.
    func rowGiven() {
        if nextEnd < recordEnds.count {
            text.consumed = recordEnds[nextEnd]
            nextEnd += 1
            if nextEnd > 4_096, nextEnd * 2 > recordEnds.count {
                recordEnds.removeFirst(nextEnd)
                nextEnd = 0
            }
        } else {
            text.consumed = nil
        }
    }

    /// The end of the file: inside a quoted field, the quote was never closed (the reader
    /// would take the rest of the file as that field's text).
    private func reachEnd() {
        ended = true
        if problem == nil, text.problem == nil, state == .quoted {
            problem = TextProblem(kind: .openQuote, line: quoteLine, column: quoteColumn)
        }
    }

    /// Moves through one byte; false when the record has grown past the limit.
    private func follow(_ byte: UInt8, at offset: Int) -> Bool {
        let lineBreak = byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        if byte == UInt8(ascii: "\n"), afterCarriageReturn {
            afterCarriageReturn = false
            return true
        }
        afterCarriageReturn = byte == UInt8(ascii: "\r")
        if lineBreak { line += 1; column = 0 } else if byte & 0xC0 != 0x80 { column += 1 }
        switch state {
        case .fieldStart, .unquoted, .quoteInQuoted:
            if byte == UInt8(ascii: "\""), state != .unquoted {
                if state == .fieldStart { quoteLine = line; quoteColumn = column }
                state = .quoted
            } else if byte == delimiter {
                state = .fieldStart
            } else if lineBreak {
                state = .fieldStart
                recordBytes = 0
                recordLine = line
                recordEnds.append(offset + 1)
                return true
            } else {
                state = state == .quoteInQuoted ? .quoted : .unquoted
            }
        case .quoted:
            if byte == UInt8(ascii: "\"") { state = .quoteInQuoted }
        }
        recordBytes += 1
        return recordBytes <= recordLimit
    }

    override func getBuffer(_ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, length len: UnsafeMutablePointer<Int>) -> Bool {
        false
    }
}
