import ArgumentParser

/// The value among `Value`'s cases that `text` names (ignoring case), for an option whose
/// values are words: parsed here rather than by ArgumentParser, whose help would add an
/// English "(values: …; default: …)" and whose refusal would be English too.
func choice<Value: RawRepresentable & CaseIterable>(_ text: String?, of option: String, as type: Value.Type = Value.self) throws -> Value?
where Value.RawValue == String {
    guard let text else { return nil }
    if let value = Value(rawValue: text.lowercased()) { return value }
    let values = Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    throw ValidationError(localized("cli.notAChoice", option, text, values))
}
