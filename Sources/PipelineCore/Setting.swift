/// The settings a database keeps (`pipeline settings list|get|set`).
public enum SettingKey: String, CaseIterable, Sendable {
    /// The team whose pipeline commands and the board act on by default.
    case team
    /// The currency of amounts that name none.
    case currency
    /// The language of the interface (else `--lang`, else the locale).
    case language
    /// Board direction: `rtl` puts the first stage on the right, as the guide describes.
    case direction
    /// Whether the Leads step is on.
    case leads

    public init(parsing text: String) throws(PipelineError) {
        guard let key = SettingKey(rawValue: text.trimmingWhitespace().lowercased()) else {
            throw .unknownSetting(text, known: SettingKey.allCases.map(\.rawValue))
        }
        self = key
    }

    /// What the value must look like, for messages and help.
    /// The catalogue key of what the setting takes.
    public var expectedValues: String {
        switch self {
        case .team: return "setting.expected.team"
        case .currency: return "setting.expected.currency"
        case .language: return "setting.expected.language"
        case .direction: return "setting.expected.direction"
        case .leads: return "setting.expected.leads"
        }
    }

    public func expectedValues(in language: Language) -> String { Catalogue.text(expectedValues, language) }

    /// Whether each user has their own value (a preference) rather than one for the whole
    /// pipeline. Which team one works in, the language one reads and the way one's board
    /// runs are a person's choices; the currency of amounts and whether the pipeline has a
    /// Leads step are the team's. A personal key a user has not set follows the pipeline's
    /// value (what databases held before preferences existed), else the default.
    public var isPersonal: Bool {
        switch self {
        case .team, .language, .direction: return true
        case .currency, .leads: return false
        }
    }

    /// The value used while the database holds none (`team` and `currency` always have
    /// one in a database).
    public var defaultValue: String? {
        switch self {
        case .direction: return "rtl"
        case .leads: return "off"
        case .team, .currency, .language: return nil
        }
    }

    /// Validates and normalises a value. `team` is resolved by the store, which knows the teams.
    public func normalized(_ value: String) throws(PipelineError) -> String {
        let trimmed = value.trimmingWhitespace()
        let invalid = PipelineError.invalidSetting(key: rawValue, value: value, expected: expectedValues)
        switch self {
        case .team:
            guard !trimmed.isEmpty else { throw invalid }
            return trimmed
        case .currency:
            do { return try CurrencyCode(parsing: trimmed).code } catch { throw invalid }
        case .language:
            guard let language = Language(code: trimmed) else { throw invalid }
            return language.rawValue
        case .direction:
            let lowered = trimmed.lowercased()
            guard lowered == "rtl" || lowered == "ltr" else { throw invalid }
            return lowered
        case .leads:
            switch trimmed.lowercased() {
            case "on", "true", "yes", "1": return "on"
            case "off", "false", "no", "0": return "off"
            default: throw invalid
            }
        }
    }
}
