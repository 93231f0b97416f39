/// Every user-facing string, by key, in English and Vietnamese.
///
/// The two tables (`Catalogue+English.swift`, `Catalogue+Vietnamese.swift`) are plain
/// dictionaries, reviewed like any text. `{0}`, `{1}`… stand for the arguments. A test fails
/// when a key is in one table and not the other, when the two disagree on the arguments,
/// or when a key is not used anywhere in the sources.
public enum Catalogue {
    public static func table(_ language: Language) -> [String: String] {
        switch language {
        case .english: return english
        case .vietnamese: return vietnamese
        }
    }

    /// The text of `key` in `language`, with its arguments in place. A missing key shows
    /// itself (the catalogue test prevents that from shipping).
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        guard let template = table(language)[key] ?? english[key] else { return key }
        return template.fillingPlaceholders(with: arguments)
    }
}

/// Looks strings up in one language: `let t = Localizer(.vietnamese); t("board.empty", name)`.
public struct Localizer: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    public func callAsFunction(_ key: String, _ arguments: Any...) -> String {
        Catalogue.text(key, language, arguments.map { "\($0)" })
    }

    /// A counted phrase: `key.one` or `key.many`, as the language's plural rule picks for
    /// `count`, with `count` as `{0}` and `arguments` from `{1}` on:
    /// `t.plural("count.opportunity", 2)` is "2 opportunities", and "2 cơ hội". The count is
    /// grouped as the language writes numbers: "100,000 records", "100.000 bản ghi".
    public func plural(_ key: String, _ count: Int, _ arguments: Any...) -> String {
        Catalogue.text(key + "." + language.pluralForm(count).rawValue, language, [grouped(count)] + arguments.map { "\($0)" })
    }

    /// A count with its thousands grouped as the language writes them: 100,000 in English,
    /// 100.000 in Vietnamese.
    public func grouped(_ count: Int) -> String {
        let separator: Character = language == .vietnamese ? "." : ","
        let digits = String(count.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(separator) }
            result.append(digit)
        }
        return (count < 0 ? "-" : "") + result
    }
}

/// The form a counted noun takes, as the catalogue's key suffixes name it.
public enum PluralForm: String, Sendable {
    case one, many
}

extension Language {
    /// The plural rule (CLDR's): English says "1 opportunity", "0 opportunities", "2
    /// opportunities"; a Vietnamese noun does not change with the number ("1 cơ hội", "2 cơ hội").
    public func pluralForm(_ count: Int) -> PluralForm {
        switch self {
        case .english: return count == 1 ? .one : .many
        case .vietnamese: return .many
        }
    }
}

extension String {
    /// Puts `arguments[n]` where `{n}` stands, in one pass: an argument that itself holds
    /// `{1}` (a title a user typed) stays as it is.
    func fillingPlaceholders(with arguments: [String]) -> String {
        var result = ""
        var rest = Substring(self)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let index = Int(rest[afterOpen..<close]),
               arguments.indices.contains(index) {
                result += arguments[index]
                rest = rest[rest.index(after: close)...]
            } else {
                result.append("{")
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }
}
