import PipelineCore

/// One JSON object written field by field straight into an output buffer: the bytes
/// `JSONValue.object(…).compact` gives for the same fields, without building the tree
/// (issue 15). A backup writes three million objects at 1,000,000 deals; building each as
/// an array of pairs, a `String` per number and time, and an enum case per value was most
/// of its time.
///
/// Keys are the program's own ASCII names (`"expected_revenue"`), written as they are;
/// every text value is escaped as `JSONValue.quoted` escapes it.
struct JSONObjectOutput {
    private(set) var bytes: [UInt8]
    private var isEmpty = true

    private init() { bytes = [] }

    /// Appends one object to `bytes`: `fields` writes its members in order.
    static func write(into bytes: inout [UInt8], _ fields: (inout JSONObjectOutput) -> Void) {
        // The buffer is moved in and out, never copied.
        var object = JSONObjectOutput()
        swap(&object.bytes, &bytes)
        fields(&object)
        object.bytes.append(object.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: "}"))
        if object.isEmpty { object.bytes.append(UInt8(ascii: "}")) }
        swap(&object.bytes, &bytes)
    }

    private mutating func key(_ name: StaticString) {
        bytes.append(isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
        isEmpty = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func literal(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    private mutating func null() { literal("null") }

    mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        JSONValue.writeQuoted(value, into: &bytes)
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONValue.writeQuoted(value, into: &bytes) } else { null() }
    }

    mutating func int(_ name: StaticString, _ value: Int64) {
        key(name)
        Self.writeDecimal(value, into: &bytes)
    }

    mutating func optionalInt(_ name: StaticString, _ value: Int64?) {
        key(name)
        if let value { Self.writeDecimal(value, into: &bytes) } else { null() }
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        literal(value ? "true" : "false")
    }

    /// `[“a”,“b”]`.
    mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.writeQuoted(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `Timestamp.iso8601`, quoted.
    mutating func time(_ name: StaticString, _ value: Timestamp?) { quoted(name, value, Self.writeISO8601) }

    /// `CalendarDate.iso8601`, quoted.
    mutating func date(_ name: StaticString, _ value: CalendarDate?) { quoted(name, value, Self.writeISO8601) }

    /// `Probability.decimalString`, quoted.
    mutating func probability(_ name: StaticString, _ value: Probability?) { quoted(name, value, Self.writeDecimal) }

    /// `Money.plainString`, quoted.
    mutating func amount(_ name: StaticString, _ value: Money?) { quoted(name, value, Self.writePlain) }

    /// A value written as bytes between quotes (the text `write` makes needs no escape), or null.
    @inline(__always)
    private mutating func quoted<Value>(_ name: StaticString, _ value: Value?, _ write: (Value, inout [UInt8]) -> Void) {
        key(name)
        guard let value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        write(value, &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: - Values as bytes (shared with the CSV export)

    /// `String(value)`'s bytes.
    static func writeDecimal(_ value: Int64, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        writeDigits(value.magnitude, into: &bytes)
    }

    static func writeDigits(_ value: UInt64, into bytes: inout [UInt8]) {
        // At most 20 digits, written from the end of a fixed buffer, then copied once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value, start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// `value` zero-padded to `width` digits (it fits: callers check).
    private static func writePadded(_ value: Int, width: Int, into bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `Timestamp.iso8601`'s bytes: `2026-11-27T18:45:59.123Z`.
    static func writeISO8601(_ time: Timestamp, into bytes: inout [UInt8]) {
        let date = time.utcDate
        guard (0..<10_000).contains(date.year) else {
            // Never for a clamped `Timestamp`; the core's text if it ever is.
            return bytes.append(contentsOf: time.iso8601.utf8)
        }
        let millisOfDay = Int(time.millisecondsSince1970 - Int64(date.daysSince1970) * 86_400_000)
        writeDate(date, into: &bytes)
        bytes.append(UInt8(ascii: "T"))
        writePadded(millisOfDay / 3_600_000, width: 2, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        writePadded(millisOfDay / 60_000 % 60, width: 2, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        writePadded(millisOfDay / 1000 % 60, width: 2, into: &bytes)
        bytes.append(UInt8(ascii: "."))
        writePadded(millisOfDay % 1000, width: 3, into: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `CalendarDate.iso8601`'s bytes: `2026-11-27`.
    static func writeISO8601(_ date: CalendarDate, into bytes: inout [UInt8]) {
        guard (0..<10_000).contains(date.year), (0..<100).contains(date.month), (0..<100).contains(date.day) else {
            return bytes.append(contentsOf: date.iso8601.utf8)
        }
        writeDate(date, into: &bytes)
    }

    private static func writeDate(_ date: CalendarDate, into bytes: inout [UInt8]) {
        writePadded(date.year, width: 4, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        writePadded(date.month, width: 2, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        writePadded(date.day, width: 2, into: &bytes)
    }

    /// `Probability.decimalString`'s bytes: `50`, `12.5`, `33.05`.
    static func writeDecimal(_ probability: Probability, into bytes: inout [UInt8]) {
        let whole = probability.basisPoints / 100, fraction = probability.basisPoints % 100
        writeDecimal(Int64(whole), into: &bytes)
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        if fraction % 10 == 0 {
            writeDecimal(Int64(fraction / 10), into: &bytes)
        } else {
            if fraction < 10 { bytes.append(UInt8(ascii: "0")) }
            writeDecimal(Int64(fraction), into: &bytes)
        }
    }

    /// `Money.plainString`'s bytes: `-1500.50`, `1500000` (VND), the minor digits the
    /// currency has.
    static func writePlain(_ money: Money, into bytes: inout [UInt8]) {
        // The two currencies nearly every amount is in, without a look-up by code.
        let currency = money.currency
        let digits = currency == .vnd ? 0 : currency == .usd ? 2 : currency.minorDigits
        var factor: UInt64 = 1
        for _ in 0..<digits { factor *= 10 }
        let magnitude = money.minorUnits.magnitude
        if money.minorUnits < 0 { bytes.append(UInt8(ascii: "-")) }
        writeDigits(magnitude / factor, into: &bytes)
        guard digits > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % factor
        var divisor = factor / 10
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / divisor % 10))
            divisor /= 10
        }
    }
}
