/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
///
/// The domain never reads a clock: callers pass the current time in, so every rule is
/// deterministic under test.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSince1970: Int64

    /// The instants a calendar date can name, 0001-01-01 to 9999-12-31. A value outside,
    /// which only a damaged or hand-edited database holds (the CLI and files take dates in
    /// this range), is clamped to the nearest end: no arithmetic on an instant can then
    /// overflow, and every instant is written as ISO 8601 that reads back.
    public static let range: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = min(max(millisecondsSince1970, Self.range.lowerBound), Self.range.upperBound)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    /// The UTC calendar day this instant falls on.
    public var utcDate: CalendarDate {
        CalendarDate(daysSince1970: Self.floorDivide(millisecondsSince1970, 86_400_000))
    }

    /// Whole days from `self` to `later` (0 when `later` is earlier).
    public func wholeDays(until later: Timestamp) -> Int {
        Int(max(0, (later.millisecondsSince1970 - millisecondsSince1970) / 86_400_000))
    }

    /// ISO 8601 in UTC with milliseconds: `2026-11-27T18:45:59.123Z`.
    public var iso8601: String {
        let millisOfDay = Int(millisecondsSince1970 - Self.floorDivide(millisecondsSince1970, 86_400_000) * 86_400_000)
        let hours = millisOfDay / 3_600_000
        let minutes = millisOfDay / 60_000 % 60
        let seconds = millisOfDay / 1000 % 60
        let millis = millisOfDay % 1000
        let date = utcDate
        // Written as bytes: a backup writes four of these per deal (issue 15).
        return asciiDigits([(date.year, 4), (date.month, 2), (date.day, 2), (hours, 2), (minutes, 2), (seconds, 2), (millis, 3)],
                           separators: "--T::.Z")
            ?? "\(date.iso8601)T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(millis, 3))Z"
    }

    /// To the minute, in UTC, as the language writes dates: `2026-11-27 18:45 UTC` in
    /// English, `27/11/2026 18:45 UTC` in Vietnamese.
    public func display(in language: Language) -> String {
        let millisOfDay = Int(millisecondsSince1970 - Self.floorDivide(millisecondsSince1970, 86_400_000) * 86_400_000)
        return "\(utcDate.display(in: language)) \(pad(millisOfDay / 3_600_000, 2)):\(pad(millisOfDay / 60_000 % 60, 2)) UTC"
    }

    /// Parses the form ``iso8601`` writes (seconds and milliseconds optional).
    public init?(iso8601 text: String) {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let date = CalendarDate(iso8601: String(parts[0])), parts[1].hasSuffix("Z") else { return nil }
        let clock = parts[1].dropLast().split(separator: ":")
        guard (2...3).contains(clock.count), let hours = Int(clock[0]), let minutes = Int(clock[1]),
              (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        var millis = 0
        if clock.count == 3 {
            let secondParts = clock[2].split(separator: ".")
            guard let seconds = Int(secondParts[0]), (0..<60).contains(seconds), secondParts.count <= 2 else { return nil }
            millis = seconds * 1000
            if secondParts.count == 2 {
                let fraction = secondParts[1].prefix(3)
                guard let value = Int(fraction) else { return nil }
                millis += value * [100, 10, 1][fraction.count - 1]
            }
        }
        let dayMillis = Int64(date.daysSince1970) * 86_400_000
        self.init(millisecondsSince1970: dayMillis + Int64(hours * 3_600_000 + minutes * 60_000 + millis))
    }

    public var description: String { iso8601 }

    /// `a / b` rounded down, for `b > 0`; `-a` would overflow for Int64.min, so it is not used.
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return a % b < 0 ? quotient - 1 : quotient
    }
}

/// A day in the proleptic Gregorian calendar, without a time or time zone (an expected
/// closing date, say).
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` strictly (the CLI and files accept ISO dates in every language).
    ///
    /// Read over the UTF-8 bytes (a million-deal export reads two of these per deal): ten
    /// bytes, ASCII digits but for the two dashes, which is exactly ten characters that are.
    public init?(iso8601 text: String) {
        var text = text
        guard let (year, month, day) = text.withUTF8({ bytes -> (Int, Int, Int)? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            let number = bytes.asciiDecimal
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return (year, month, day)
        }) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Parses `DD/MM/YYYY` (the day and month may have one digit), as dates are written
    /// in Vietnam.
    public init?(dayMonthYear text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Parses user input, throwing the field's error: ISO dates in every language, and in
    /// Vietnamese also `DD/MM/YYYY`. (English takes no slashed form: `03/04/2026` would be
    /// read as March by some and April by others.)
    public init(parsing text: String, language: Language = .english) throws(PipelineError) {
        let trimmed = text.trimmingWhitespace()
        if let date = CalendarDate(iso8601: trimmed) {
            self = date
        } else if language == .vietnamese, let date = CalendarDate(dayMonthYear: trimmed) {
            self = date
        } else {
            throw .invalidDate(text, dayFirst: language == .vietnamese)
        }
    }

    /// How people read the date: `27/11/2026` in Vietnamese, `2026-11-27` in English.
    public func display(in language: Language) -> String {
        switch language {
        case .english: return iso8601
        case .vietnamese: return "\(pad(day, 2))/\(pad(month, 2))/\(pad(year, 4))"
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``daysSince1970`` (Hinnant's civil_from_days).
    public init(daysSince1970: Int64) {
        let z = Int(daysSince1970) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    /// `2026-11-27`.
    public var iso8601: String {
        asciiDigits([(year, 4), (month, 2), (day, 2)], separators: "--") ?? "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `2026-11`: the key forecasts group by.
    public var yearMonth: String { "\(pad(year, 4))-\(pad(month, 2))" }

    public var description: String { iso8601 }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// The numbers, each zero-padded to its width, each followed by its separator (the last one
/// only when there are as many separators as numbers), built as bytes; nil when a number does
/// not fit its width (the caller then pads as `pad` does).
private func asciiDigits(_ numbers: [(Int, Int)], separators: StaticString) -> String? {
    guard numbers.allSatisfy({ value, width in value >= 0 && value < [1, 10, 100, 1_000, 10_000][width] }) else { return nil }
    let length = numbers.reduce(0) { $0 + $1.1 } + separators.utf8CodeUnitCount
    return String(unsafeUninitializedCapacity: length) { bytes in
        var offset = 0
        for (index, (value, width)) in numbers.enumerated() {
            var rest = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            offset += width
            if index < separators.utf8CodeUnitCount {
                bytes[offset] = separators.utf8Start[index]
                offset += 1
            }
        }
        return offset
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The number the ASCII digits at `range` spell (`2026` of `2026-12-07`), or nil when a
    /// byte there is not a digit: how dates and times are read straight from their bytes.
    @inlinable
    public func asciiDecimal(_ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let digit = self[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
