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

        func run() throws {
            let session = try global.open(forWriting: false)
            let settings = try session.database.settings()
            if json {
                Console.out(JSONValue.object(settings.map { ($0.key.rawValue, .optional($0.value)) }).rendered())
                return
            }
            var table = Table([.init(localized("cli.column.setting"), max: 10), .init(localized("cli.column.value"), max: 40, min: 10), .init(localized("cli.column.values"), max: 40, min: 10)])
            for (key, value) in settings { table.add([key.rawValue, value ?? localized("cli.settings.locale"), key.expectedValues(in: CLILanguage.current)]) }
            table.finish()
        }
    }

    struct Get: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.settings.printOneSettingSValue")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.settings.teamCurrencyLanguageDirectionOr"))) var key: String

        func run() throws {
            let session = try global.open(forWriting: false)
            Console.out(try session.database.setting(try SettingKey(parsing: key)) ?? "")
        }
    }

    struct Set: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.settings.changeASetting")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.settings.teamCurrencyLanguageDirectionOr"))) var key: String
        @Argument(help: ArgumentHelp(localized("cli.settings.theNewValue"))) var value: String

        func run() throws {
            let session = try global.open()
            let key = try SettingKey(parsing: key)
            let stored = try session.database.setSetting(key, to: value)
            Console.out("\(key.rawValue) = \(stored)")
        }
    }
}
