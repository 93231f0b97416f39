/// A success probability between 0 % and 100 %, exact to two decimals.
///
/// Stored as hundredths of a percent (basis points), so `12.5 %` is `1250` and no binary
/// floating-point number is ever involved.
public struct Probability: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Hundredths of a percent, `0...10_000`.
    public let basisPoints: Int

    public static let zero = Probability(uncheckedBasisPoints: 0)
    public static let certain = Probability(uncheckedBasisPoints: 10_000)

    /// Creates a probability from hundredths of a percent, or `nil` outside `0...10_000`.
    public init?(basisPoints: Int) {
        guard (0...10_000).contains(basisPoints) else { return nil }
        self.basisPoints = basisPoints
    }

    /// A whole percentage, `0...100`.
    public init?(percent: Int) {
        guard (0...100).contains(percent) else { return nil }
        self.basisPoints = percent * 100
    }

    init(uncheckedBasisPoints: Int) { self.basisPoints = uncheckedBasisPoints }

    /// Parses what a user typed: `50`, `12.5`, `12,5`, `7.25%`.
    ///
    /// Either `.` or `,` may be the decimal separator (a percentage never needs grouping),
    /// at most two decimals, no sign, and the value must lie in `0...100`.
    public init(parsing text: String) throws(PipelineError) {
        var body = Substring(text.trimmingWhitespace())
        if body.hasSuffix("%") { body = body.dropLast().trimmingWhitespacePrefixAndSuffix() }
        let parts = body.split(separator: body.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let whole = parts.first, !whole.isEmpty, whole.count <= 3, whole.allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigit),
              let wholeValue = Int(whole)
        else { throw .invalidProbability(text) }
        var hundredths = 0
        if parts.count == 2 {
            let fraction = parts[1]
            hundredths = (Int(fraction) ?? 0) * (fraction.count == 1 ? 10 : 1)
        }
        guard let value = Probability(basisPoints: wholeValue * 100 + hundredths) else {
            throw .invalidProbability(text)
        }
        self = value
    }

    /// `50`, `12.5`, `7.25`: the shortest exact decimal, without a percent sign.
    public var decimalString: String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `50%`, `12.5%`.
    public var description: String { decimalString + "%" }

    /// As a sentence in `language` writes it: `12.5%` in English, `12,5%` in Vietnamese,
    /// whose decimal separator is the comma (as its amounts write `1.850,00`).
    public func display(in language: Language) -> String {
        (language == .vietnamese ? String(decimalString.map { $0 == "." ? "," : $0 }) : decimalString) + "%"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.basisPoints < rhs.basisPoints }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) && isASCII }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let whole = String(self)
        return whole.hasNothingToTrim ? whole : String(trimmingWhitespacePrefixAndSuffix())
    }

    func trimmingWhitespacePrefixAndSuffix() -> SubSequence {
        let start = firstIndex(where: { !$0.isWhitespace }) ?? endIndex
        let end = lastIndex(where: { !$0.isWhitespace }).map(index(after:)) ?? start
        return self[start..<end]
    }
}

extension String {
    /// True when the text is empty or starts and ends with a printable ASCII character other
    /// than a space, so trimming would change nothing (checked on two bytes, where trimming
    /// walks characters). No character starting or ending with such a byte is white space.
    public var hasNothingToTrim: Bool {
        guard let first = utf8.first, let last = utf8.last else { return true }
        return (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last)
    }
}
