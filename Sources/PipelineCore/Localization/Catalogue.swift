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
        guard var text = table(language)[key] ?? english[key] else { return key }
        for (index, argument) in arguments.enumerated() {
            text = text.replacingPlaceholder("{\(index)}", with: argument)
        }
        return text
    }
}

/// Looks strings up in one language: `let t = Localizer(.vietnamese); t("board.empty", name)`.
public struct Localizer: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    public func callAsFunction(_ key: String, _ arguments: Any...) -> String {
        Catalogue.text(key, language, arguments.map { "\($0)" })
    }
}

extension String {
    func replacingPlaceholder(_ placeholder: String, with value: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: placeholder) {
            result += rest[..<range.lowerBound]
            result += value
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
