import ArgumentParser
import PipelineCore

/// `pipeline` / `pipeline board`: the full-screen Kanban board.
struct BoardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Open the pipeline as a Kanban board (the default command).")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The team whose pipeline to show (default: the team setting).", valueName: "team"))
    var team: String?

    @Option(help: ArgumentHelp("rtl puts the first stage on the right (the default), ltr on the left.", valueName: "rtl|ltr"))
    var direction: String?

    func validate() throws {
        if let direction, (try? SettingKey.direction.normalized(direction)) == nil {
            throw ValidationError("--direction: '\(direction)' is not a direction; use rtl or ltr")
        }
    }

    func run() throws {
        Console.error("The Kanban board is not available in this build yet; use the subcommands meanwhile (pipeline --help).")
        throw ExitCode(ExitStatus.usage)
    }
}
