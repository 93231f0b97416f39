import Foundation
import PipelineCore
import PipelineStorage

/// The progress line of a long data command, on standard error when that is a terminal:
/// one line redrawn in place (`\r`, the line, erase to its end), ten times a second at most
/// (`ProgressMeter`), never wider than the terminal. Nothing when standard error is not a
/// terminal (a script, a log) or with `--quiet`.
final class ProgressDisplay {
    private var meter: ProgressMeter?

    init(_ work: ProgressLine.Work, quiet: Bool) {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return }
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : nil
        let width = Console.width(terminalColumns: columns, environment: ProcessInfo.processInfo.environment)
        meter = ProgressMeter(work: work, language: CLILanguage.current, width: width, clock: Self.monotonicSeconds,
                              draw: { Console.standardError("\r" + $0 + "\u{1B}[K") })
    }

    /// What the command's row loop calls: draws the line when it is due, and stops the work
    /// once Ctrl-C was pressed (see `Interruption`).
    var rows: RowProgress {
        RowProgress { [self] rows, fraction in
            meter?.update(rows: rows, fraction: fraction)
            if Interruption.requested { throw DataCommandCancelled() }
        }
    }

    /// Takes the line away, before the command's own last words.
    func clear() {
        guard let meter, meter.drawn > 0 else { return }
        Console.standardError("\r\u{1B}[K")
    }

    /// Seconds of a clock that only goes forward (not the wall clock, which may be set back).
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Ctrl-C during an import, a restore or a copy: the handler only sets a flag (all a signal
/// handler may safely do); the command's row loop reads it, stops, and its transaction rolls
/// back. Commands that do not ask keep the default, which ends the process at once.
enum Interruption {
    /// Installs the handler; from then on SIGINT sets the flag instead of ending the process.
    static func catchInterrupts() {
        interruptRequested = 0  // initialised before the handler can touch it
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptRequested = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }

    static var requested: Bool { interruptRequested != 0 }
}

nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0
