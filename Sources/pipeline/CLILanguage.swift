import Foundation
import PipelineCore
import PipelineEngines
import PipelineStorage

/// The language the CLI speaks in: help, messages and errors.
///
/// Chosen once, before the arguments are parsed (ArgumentParser reads help texts while
/// parsing), from `--lang`, else the user's `language` in the database (their own, else the
/// pipeline's), else the locale; a command's session confirms it once the database is open.
enum CLILanguage {
    // Written only on the main thread, at start-up and when a session opens, before any
    // other thread exists; read afterwards.
    nonisolated(unsafe) private(set) static var current: Language = .english

    static func set(_ language: Language) { current = language }

    /// `--lang X` or `--lang=X` among the raw arguments.
    static func requested(in arguments: [String]) -> Language? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument.hasPrefix("--lang=") { return Language(code: String(argument.dropFirst("--lang=".count))) }
            if argument == "--lang", index + 1 < arguments.count { return Language(code: arguments[index + 1]) }
        }
        return nil
    }

    /// `--db X` or `--db=X` among the raw arguments.
    static func databasePath(in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument.hasPrefix("--db=") { return String(argument.dropFirst("--db=".count)) }
            if argument == "--db", index + 1 < arguments.count { return arguments[index + 1] }
        }
        return nil
    }

    /// The language for `arguments`: `--lang`, else the acting user's language in an existing
    /// database (read without creating or changing anything), else the locale.
    static func resolve(arguments: [String], environment: [String: String]) -> Language {
        if let language = requested(in: arguments) { return language }
        let path = GlobalOptions.databasePath(option: databasePath(in: arguments), environment: environment)
        if let stored = StoreOpener.storedLanguage(at: path, user: Session.user(environment)) { return stored }
        return Language.fromLocale(environment: environment)
    }
}

/// The catalogue text of `key` in the CLI's language, with its arguments in place.
func localized(_ key: String, _ arguments: Any...) -> String {
    Catalogue.text(key, CLILanguage.current, arguments.map { "\($0)" })
}
