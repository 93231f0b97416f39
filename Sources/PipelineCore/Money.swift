/// An ISO 4217 currency code such as `VND` or `USD`.
public struct CurrencyCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let code: String

    /// What a user types or imports: an active ISO 4217 code (`ISO4217.minorDigits`), in any
    /// case; stored upper-cased. Three letters ISO 4217 does not list ("USX") are refused.
    public init(parsing text: String) throws(PipelineError) {
        let code = try Self.threeLetters(text)
        guard ISO4217.minorDigits[code] != nil else { throw .invalidCurrency(text) }
        self.code = code
    }

    /// What a database or a backup already holds: any three letters. Versions before the
    /// ISO 4217 check took any, and a code withdrawn since (HRK) was right when stored: such
    /// records still load, show and sum in their own code.
    public init(stored text: String) throws(PipelineError) {
        code = try Self.threeLetters(text)
    }

    /// What a backup restores: any code ISO 4217 lists or listed (a withdrawn HRK was right
    /// when stored, and the database that wrote the backup holds it); three letters it never
    /// listed ("ZZZ") are refused, as `init(parsing:)` refuses them when typed.
    public init(restoring text: String) throws(PipelineError) {
        let code = try Self.threeLetters(text)
        guard ISO4217.minorDigits[code] != nil || ISO4217.listedOtherwise.contains(code) else { throw .invalidCurrency(text) }
        self.code = code
    }

    /// Whether ISO 4217 lists the code, or listed it before withdrawing it.
    public var isListedByISO4217: Bool { ISO4217.minorDigits[code] != nil || ISO4217.listedOtherwise.contains(code) }

    private static func threeLetters(_ text: String) throws(PipelineError) -> String {
        let trimmed = text.trimmingWhitespace().uppercased()
        guard trimmed.count == 3, trimmed.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw .invalidCurrency(text)
        }
        return trimmed
    }

    public static let vnd = CurrencyCode(known: "VND")
    public static let usd = CurrencyCode(known: "USD")

    init(known code: String) { self.code = code }

    /// Whether ISO 4217 lists the code as active today.
    public var isActive: Bool { ISO4217.minorDigits[code] != nil }

    /// Digits after the decimal point in this currency's minor unit (ISO 4217); two for a
    /// stored code the standard no longer lists.
    public var minorDigits: Int { ISO4217.minorDigits[code] ?? 2 }

    /// How many minor units make one major unit (1 for VND, 100 for USD).
    public var minorUnitsPerMajor: Int64 {
        var factor: Int64 = 1
        for _ in 0..<minorDigits { factor *= 10 }
        return factor
    }

    public var description: String { code }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.code < rhs.code }
}

/// An exact amount of money: an integer count of the currency's minor unit.
///
/// Never a binary floating-point number. One opportunity's amount is at most
/// ``maximumMinorUnits``; sums are `Int128` (see ``MoneyTotals``), so a million deals of
/// any size cannot overflow.
public struct Money: Hashable, Sendable {
    public let minorUnits: Int64
    public let currency: CurrencyCode

    /// The largest amount one record may hold, in minor units: 18 digits.
    public static let maximumMinorUnits: Int64 = 999_999_999_999_999_999
    /// The digits of `maximumMinorUnits`: an amount's digits before the decimal point and
    /// its currency's minor digits together (16 and 2 for USD, 18 and none for VND).
    public static let maximumDigits = 18

    public init?(minorUnits: Int64, currency: CurrencyCode) {
        guard (0...Self.maximumMinorUnits).contains(minorUnits) else { return nil }
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: CurrencyCode) -> Money {
        Money(uncheckedMinorUnits: 0, currency: currency)
    }

    init(uncheckedMinorUnits: Int64, currency: CurrencyCode) {
        self.minorUnits = uncheckedMinorUnits
        self.currency = currency
    }

    /// Parses an amount a user typed, following the language's convention.
    ///
    /// English groups with `,` and uses `.` as the decimal point (`1,500,000.50`);
    /// Vietnamese is the reverse (`1.500.000,50`). Grouping is optional but, when used,
    /// must be in threes. More decimals than the currency has are refused rather than
    /// rounded: `1.500` typed in English for VND is far more likely a mistyped
    /// Vietnamese 1 500 than 1.5 đồng.
    public init(typed text: String, currency: CurrencyCode, language: Language) throws(PipelineError) {
        let (group, decimal): (Character, Character) = language == .vietnamese ? (".", ",") : (",", ".")
        let trimmed = text.trimmingWhitespace()
        let rule = AmountRule(language: language, currency: currency)
        let halves = trimmed.split(separator: decimal, omittingEmptySubsequences: false)
        guard (1...2).contains(halves.count), let integerPart = halves.first, !integerPart.isEmpty else {
            throw .invalidAmount(text, rule: rule)
        }
        let groups = integerPart.split(separator: group, omittingEmptySubsequences: false)
        let groupsAreValid = groups.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
            && (groups.count == 1 || (groups[0].count <= 3 && groups.dropFirst().allSatisfy { $0.count == 3 }))
        guard groupsAreValid else { throw .invalidAmount(text, rule: rule) }
        let fraction = halves.count == 2 ? halves[1] : ""
        guard halves.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit)) else {
            throw .invalidAmount(text, rule: rule)
        }
        self = try Money(digits: groups.joined(), fraction: String(fraction), currency: currency, original: text)
    }

    /// Parses the locale-independent form used in files and JSON: `1500000.50`.
    public init(plain text: String, currency: CurrencyCode) throws(PipelineError) {
        let trimmed = text.trimmingWhitespace()
        let halves = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(halves.count), let whole = halves.first, !whole.isEmpty,
              whole.allSatisfy(\.isASCIIDigit),
              halves.count == 1 || (!halves[1].isEmpty && halves[1].allSatisfy(\.isASCIIDigit))
        else { throw .invalidAmount(text, rule: .plain) }
        // Zeros past the currency's minor digits carry no value in a file ("1500.00" VND).
        var fraction = halves.count == 2 ? Substring(halves[1]) : ""
        while fraction.count > currency.minorDigits, fraction.last == "0" { fraction = fraction.dropLast() }
        self = try Money(digits: String(whole), fraction: String(fraction), currency: currency, original: text)
    }

    private init(digits: String, fraction: String, currency: CurrencyCode, original: String) throws(PipelineError) {
        guard fraction.count <= currency.minorDigits else {
            throw .tooManyDecimals(original, currency: currency)
        }
        let paddedFraction = fraction + String(repeating: "0", count: currency.minorDigits - fraction.count)
        let allDigits = (digits + paddedFraction).drop(while: { $0 == "0" })
        guard allDigits.count <= Self.maximumDigits, let minor = allDigits.isEmpty ? 0 : Int64(allDigits),
              let money = Money(minorUnits: minor, currency: currency)
        else { throw .amountTooLarge(original, currency: currency) }
        self = money
    }

    /// `expected × probability / 100`, rounded half-up to the currency's minor unit.
    ///
    /// This is the prorated (weighted) revenue of one opportunity; totals add these
    /// rounded values, as the reference CRM does.
    public func weighted(by probability: Probability) -> Money {
        Money(uncheckedMinorUnits: Money.weightedMinorUnits(minorUnits, probability: probability), currency: currency)
    }

    /// The rounding rule on raw minor units, shared with the store's SQL function so that
    /// bulk updates in the database round exactly as the domain does.
    public static func weightedMinorUnits(_ minorUnits: Int64, probability: Probability) -> Int64 {
        weightedMinorUnits(minorUnits, basisPoints: probability.basisPoints)
    }

    /// The same on a probability's basis points (0…10,000).
    public static func weightedMinorUnits(_ minorUnits: Int64, basisPoints: Int) -> Int64 {
        let product = Int128(minorUnits) * Int128(basisPoints)
        return Int64((product + 5_000) / 10_000)
    }

    /// The locale-independent decimal form for files and JSON: `2000.50`, `1500000`.
    public var plainString: String { MoneyFormat.plain(Int128(minorUnits), currency: currency) }
}

/// The typing convention an amount error explains, with an example the currency accepts:
/// a currency without decimals (VND) is shown a whole amount.
public enum AmountRule: Sendable, Equatable, Hashable {
    case english, vietnamese, plain
    case englishWhole(CurrencyCode), vietnameseWhole(CurrencyCode)

    init(language: Language) { self = language == .vietnamese ? .vietnamese : .english }

    init(language: Language, currency: CurrencyCode) {
        if currency.minorDigits > 0 {
            self.init(language: language)
        } else {
            self = language == .vietnamese ? .vietnameseWhole(currency) : .englishWhole(currency)
        }
    }
}

/// Sums of money, one per currency, that never mix currencies and cannot overflow.
public struct MoneyTotals: Hashable, Sendable {
    public private(set) var minorUnits: [CurrencyCode: Int128] = [:]

    public init() {}

    public mutating func add(_ money: Money) { add(Int128(money.minorUnits), currency: money.currency) }

    public mutating func add(_ minor: Int128, currency: CurrencyCode) {
        minorUnits[currency, default: 0] += minor
    }

    public mutating func add(_ other: MoneyTotals) {
        for (currency, minor) in other.minorUnits { add(minor, currency: currency) }
    }

    /// Currencies in a stable order: the given preferred one first, then alphabetical.
    public func currencies(preferring preferred: CurrencyCode? = nil) -> [CurrencyCode] {
        minorUnits.keys.sorted { a, b in
            if a == preferred { return b != preferred }
            if b == preferred { return false }
            return a < b
        }
    }

    public subscript(currency: CurrencyCode) -> Int128 { minorUnits[currency] ?? 0 }

    public var isEmpty: Bool { minorUnits.isEmpty }
}

/// Renders amounts of money as text.
public enum MoneyFormat {
    /// `1500000.50`: no grouping, `.` decimal point, the currency's minor digits.
    public static func plain(_ minor: Int128, currency: CurrencyCode) -> String {
        number(minor, currency: currency, group: nil, decimal: ".")
    }

    /// How people write amounts in the language: `1.500.000 ₫` in Vietnamese,
    /// `$1,500,000.00` or `1,500,000 VND` in English.
    public static func display(_ minor: Int128, currency: CurrencyCode, language: Language) -> String {
        switch language {
        case .vietnamese:
            let text = number(minor, currency: currency, group: ".", decimal: ",")
            return text + " " + (currency == .vnd ? "₫" : currency.code)
        case .english:
            let text = number(minor, currency: currency, group: ",", decimal: ".")
            switch currency.code {
            case "USD": return "$" + text
            case "EUR": return "€" + text
            case "GBP": return "£" + text
            default: return text + " " + currency.code
            }
        }
    }

    public static func display(_ money: Money, language: Language) -> String {
        display(Int128(money.minorUnits), currency: money.currency, language: language)
    }

    /// The amount as a user types it in the language, without the currency (`1,500,000.00`,
    /// `1.500.000`): what an editor's field starts with, and reads back unchanged.
    public static func typed(_ money: Money, language: Language) -> String {
        let minor = Int128(money.minorUnits)
        switch language {
        case .vietnamese: return number(minor, currency: money.currency, group: ".", decimal: ",")
        case .english: return number(minor, currency: money.currency, group: ",", decimal: ".")
        }
    }

    private static func number(_ minor: Int128, currency: CurrencyCode, group: Character?, decimal: Character) -> String {
        let negative = minor < 0
        let magnitude = negative ? -minor : minor
        let factor = Int128(currency.minorUnitsPerMajor)
        let whole = String(magnitude / factor)
        var grouped = ""
        if let group {
            for (offset, digit) in whole.enumerated() {
                if offset > 0, (whole.count - offset) % 3 == 0 { grouped.append(group) }
                grouped.append(digit)
            }
        } else {
            grouped = whole
        }
        var result = (negative ? "-" : "") + grouped
        if currency.minorDigits > 0 {
            let fraction = String(magnitude % factor)
            result.append(decimal)
            result += String(repeating: "0", count: currency.minorDigits - fraction.count) + fraction
        }
        return result
    }
}
