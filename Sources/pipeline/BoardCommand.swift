import ArgumentParser
import BoardUI
import Foundation
import NcursesTerminal
import PipelineCore
import PipelineEngines
import PipelineStorage
import TerminalCore

/// `pipeline` / `pipeline board`: the full-screen Kanban board.
struct BoardCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "board",
        abstract: localized("cli.board.openThePipelineAsA"),
        discussion: localized("cli.board.pressOnTheBoardFor")) }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp(localized("cli.board.theTeamWhosePipelineTo"), valueName: "team"))
    var team: String?

    @Option(help: ArgumentHelp(localized("cli.board.rtlPutsTheFirstStage"), valueName: "rtl|ltr"))
    var direction: String?

    func validate() throws {
        if let direction, (try? SettingKey.direction.normalized(direction)) == nil {
            throw ValidationError(localized("cli.board.directionIsNotADirection", direction))
        }
    }

    func run() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            Console.error(localized("cli.error", localized("cli.board.notATerminal")))
            throw ExitCode(ExitStatus.usage)
        }
        let session = try global.open()
        let shownTeam = try team.map { try session.team(option: $0) }
        let stored = try session.database.setting(.direction) ?? "rtl"
        let direction = BoardDirection(rawValue: (try? SettingKey.direction.normalized(self.direction ?? stored)) ?? "rtl") ?? .rightToLeft
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal()
        } catch NcursesTerminal.StartError.unknownTerminal(let name) {
            Console.error(localized("cli.error", localized("cli.board.unknownTerminal", name)))
            throw ExitCode(ExitStatus.usage)
        } catch NcursesTerminal.StartError.cannotPlaceText(let name) {
            Console.error(localized("cli.error", localized("cli.board.cannotPlaceText", name)))
            throw ExitCode(ExitStatus.usage)
        } catch NcursesTerminal.StartError.notATerminal {
            Console.error(localized("cli.error", localized("cli.board.notATerminal")))
            throw ExitCode(ExitStatus.usage)
        }
        let board: BoardSession
        do {
            board = try BoardSession(
                repository: session.database, terminal: terminal, team: shownTeam?.id, direction: direction,
                language: session.language, user: session.context().user, clock: { .now },
                utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: Date()),
                monotonicMicroseconds: Self.monotonicMicroseconds)
        } catch {
            terminal.close()
            throw error
        }
        let trace = Trace.shared
        board.onKeyHandled = trace.map { trace in { event, microseconds in trace.key(event, microseconds: microseconds) } }
        board.onFirstFrame = trace.map { trace in { trace.firstFrame() } }
        board.run()
        terminal.close()
        if let signal = terminal.terminatingSignal { throw ExitCode(128 + signal) }
    }

    static func monotonicMicroseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000 + time.tv_nsec / 1_000
    }
}
