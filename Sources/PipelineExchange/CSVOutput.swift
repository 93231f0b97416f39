/// CSV rows written straight into a `ByteWriter`, as RFC 4180 has them: fields separated by
/// commas, rows by a line feed; a field is quoted when it holds a comma, a quote, a carriage
/// return or a line feed, and its quotes are doubled.
///
/// Ours rather than the CSV package's writer (issue 15): that one handed the stream one byte
/// at a time and searched every field four times with Foundation, 76 % of a 1,000,000-deal
/// export. Here the decision is one pass over the field's UTF-8 bytes. It also quotes where
/// that writer did not: its search compared characters, so a comma, quote or line break
/// followed by a combining mark (`"\u{301}`) was not found and the field went out unquoted,
/// a row broken in two (see Docs/decisions.md, 2026-12-06).
struct CSVOutput {
    let bytes: ByteWriter

    init(_ bytes: ByteWriter) {
        self.bytes = bytes
    }

    /// Writes one row: `fields` hands over each field in order.
    func row(_ fields: (_ field: (String) -> Void) throws -> Void) rethrows {
        try bytes.append { buffer in
            var first = true
            try fields { value in
                if first { first = false } else { buffer.append(UInt8(ascii: ",")) }
                var value = value
                value.withUTF8 { Self.write($0, into: &buffer) }
            }
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    /// Writes one row whose fields `fields` writes in order, each as text (checked and quoted
    /// as needed) or as bytes known to need neither (a number, a date).
    func writeRow(_ fields: (inout Fields) throws -> Void) rethrows {
        try bytes.append { buffer in
            // The buffer is moved in and out, never copied.
            var row = Fields()
            swap(&row.bytes, &buffer)
            defer { swap(&row.bytes, &buffer) }
            try fields(&row)
            row.bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// The fields of one row, written into the output's buffer.
    struct Fields {
        fileprivate(set) var bytes: [UInt8] = []
        private var isFirst = true

        private mutating func separate() {
            if isFirst { isFirst = false } else { bytes.append(UInt8(ascii: ",")) }
        }

        /// A field of text, quoted when it holds a comma, a quote or a line break.
        mutating func text(_ value: String) {
            separate()
            var value = value
            value.withUTF8 { CSVOutput.write($0, into: &bytes) }
        }

        /// A field that `write` writes as bytes: only digits, `.`, `-` and letters, never
        /// anything to quote (an amount, a probability, a date).
        mutating func plain(_ write: (inout [UInt8]) -> Void) {
            separate()
            write(&bytes)
        }
    }

    /// A whole row.
    func row(_ values: [String]) {
        row { field in for value in values { field(value) } }
    }

    static func write(_ field: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        guard field.contains(where: needsQuotes) else {
            bytes.append(contentsOf: field)
            return
        }
        bytes.append(quote)
        var start = 0
        // Every quote is written twice: the run up to and with it, then one more.
        while let index = field[start...].firstIndex(of: quote) {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: field[start...index]))
            bytes.append(quote)
            start = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: field[start...]))
        bytes.append(quote)
    }

    private static let quote = UInt8(ascii: "\"")

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }
}
