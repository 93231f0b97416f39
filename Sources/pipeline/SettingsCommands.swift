import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline settings list|get|set`.
struct SettingsCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "settings",
        abstract: localized("cli.settings.showAndChangeSettingsTeam"),
        subcommands: [List.self, Get.self, Set.self]) }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.settings.everySettingWithItsValue")) }
        @OptionGroup var global: GlobalOptions
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false
        @Flag(help: ArgumentHelp(localized("cli.settings.forEveryone.list"))) var forEveryone = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let settings = try (forEveryone ? session.database.forEveryone() : session.database).settings()
            if json {
                Console.out(JSONValue.object(settings.map { setting in
                    (setting.key.rawValue, .object([("value", .optional(setting.value)), ("source", .string(setting.source.rawValue))]))
                }).rendered())
                return
            }
            // Whose each value is: the user's own (a personal key they set), the pipeline's
            // (everyone's), or the default.
            var table = Table([.init(localized("cli.column.setting"), max: 10), .init(localized("cli.column.value"), max: 40, min: 10),
                               .init(localized("cli.column.source"), max: 12), .init(localized("cli.column.values"), max: 40, min: 10)])
            for setting in settings {
                table.add([setting.key.rawValue, setting.value ?? localized("cli.settings.locale"),
                           localized("cli.settings.source.\(setting.source.rawValue)"), setting.key.expectedValues(in: CLILanguage.current)])
            }
            table.finish()
        }
    }

    struct Get: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.settings.printOneSettingSValue")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.settings.teamCurrencyLanguageDirectionOr"))) var key: String
        @Flag(help: ArgumentHelp(localized("cli.settings.forEveryone.get"))) var forEveryone = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let store = forEveryone ? session.database.forEveryone() : session.database
            Console.out(try store.setting(try SettingKey(parsing: key)) ?? "")
        }
    }

    struct Set: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.settings.changeASetting")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.settings.teamCurrencyLanguageDirectionOr"))) var key: String
        @Argument(help: ArgumentHelp(localized("cli.settings.theNewValue"))) var value: String
        @Flag(help: ArgumentHelp(localized("cli.settings.forEveryone.set"))) var forEveryone = false

        func run() throws {
            let session = try global.open()
            let key = try SettingKey(parsing: key)
            // A personal key changes the user's own value, unless they set the pipeline's: what
            // everyone who has not chosen their own sees. A shared key is everyone's anyway.
            let store = forEveryone ? session.database.forEveryone() : session.database
            let stored = try store.setSetting(key, to: value)
            Console.out("\(key.rawValue) = \(stored)")
        }
    }
}
