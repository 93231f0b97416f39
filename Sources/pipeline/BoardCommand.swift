import ArgumentParser
import BoardUI
import Foundation
import NcursesTerminal
import PipelineCore
import PipelineStore
import TerminalCore

/// `pipeline` / `pipeline board`: the full-screen Kanban board.
struct BoardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Open the pipeline as a Kanban board (the default command).",
        discussion: "Press ? on the board for its keys (also in Docs/keys.md).")

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
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            Console.error(NcursesTerminal.StartError.notATerminal.message)
            throw ExitCode(ExitStatus.usage)
        }
        let session = try global.open()
        let shownTeam = try team.map { try session.database.team($0) }
        let stored = try session.database.setting(.direction) ?? "rtl"
        let direction = BoardDirection(rawValue: (try? SettingKey.direction.normalized(self.direction ?? stored)) ?? "rtl") ?? .rightToLeft
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal()
        } catch let error as NcursesTerminal.StartError {
            Console.error("error: " + error.message)
            throw ExitCode(ExitStatus.usage)
        }
        let board: BoardSession
        do {
            board = try BoardSession(
                repository: session.database, terminal: terminal, team: shownTeam?.id, direction: direction,
                language: session.language, user: session.context().user, clock: { .now },
                monotonicMicroseconds: Self.monotonicMicroseconds)
        } catch {
            terminal.close()
            throw error
        }
        board.onKeyHandled = Self.tracer()
        board.run()
        terminal.close()
        if let signal = terminal.terminatingSignal { throw ExitCode(128 + signal) }
    }

    static func monotonicMicroseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000 + time.tv_nsec / 1_000
    }

    /// `PIPELINE_TRACE=FILE`: one line per key, the microseconds from reading it to the
    /// frame being flushed (for `make bench`).
    static func tracer() -> ((TerminalCore.InputEvent, Int) -> Void)? {
        guard let path = ProcessInfo.processInfo.environment["PIPELINE_TRACE"], !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        return { event, microseconds in
            handle.write(Data("\(microseconds) \(event)\n".utf8))
        }
    }
}
