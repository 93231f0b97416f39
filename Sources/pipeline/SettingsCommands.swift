import ArgumentParser
import PipelineCore
import PipelineExchange
import PipelineStore

/// `pipeline settings list|get|set`.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show and change settings: team, currency, language, direction, leads.",
        subcommands: [List.self, Get.self, Set.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every setting with its value.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let settings = try session.database.settings()
            if json {
                Console.out(JSONValue.object(settings.map { ($0.key.rawValue, .optional($0.value)) }).rendered())
                return
            }
            var table = Table([.init("SETTING", max: 10), .init("VALUE", max: 40, min: 10), .init("VALUES", max: 40, min: 10)])
            for (key, value) in settings { table.add([key.rawValue, value ?? "(locale)", key.expectedValues]) }
            table.finish()
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one setting's value.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "team, currency, language, direction or leads.") var key: String

        func run() throws {
            let session = try global.open(forWriting: false)
            Console.out(try session.database.setting(try SettingKey(parsing: key)) ?? "")
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a setting.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "team, currency, language, direction or leads.") var key: String
        @Argument(help: "The new value.") var value: String

        func run() throws {
            let session = try global.open()
            let key = try SettingKey(parsing: key)
            let stored = try session.database.setSetting(key, to: value)
            Console.out("\(key.rawValue) = \(stored)")
        }
    }
}
