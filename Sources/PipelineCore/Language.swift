/// The languages the product speaks.
public enum Language: String, CaseIterable, Sendable {
    case english = "en"
    case vietnamese = "vi"

    /// Parses a `--lang` value or the `language` setting (`en`, `vi`, case-insensitively).
    public init?(code: String) {
        switch code.lowercased() {
        case "en", "english": self = .english
        case "vi", "vietnamese", "tiếng việt": self = .vietnamese
        default: return nil
        }
    }

    /// The language the POSIX locale variables ask for.
    ///
    /// The first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and non-empty decides, as
    /// POSIX prescribes: a value starting with `vi` means Vietnamese, anything else English.
    /// The environment is passed in so that this stays pure and testable.
    public static func fromLocale(environment: [String: String]) -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[name], !value.isEmpty {
                return value.lowercased().hasPrefix("vi") ? .vietnamese : .english
            }
        }
        return .english
    }
}
