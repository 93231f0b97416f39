import Foundation
import PipelineCore
import PipelineEngines
import PipelineStorage

/// The progress line of a long data command, on standard error when that is a terminal:
/// one line redrawn in place (`\r`, the line, erase to its end), ten times a second at most
/// (`ProgressMeter`), never wider than the terminal. Nothing when standard error is not a
/// terminal (a script, a log) or with `--quiet`.
final class ProgressDisplay: @unchecked Sendable {
    // The meter is touched under `lock` only: the command's loop reports on its thread, and a
    // check's ticker (`keepAlive`) redraws on another.
    private var meter: ProgressMeter?
    private let lock = NSLock()
    private var ticker: DispatchSourceTimer?
    private var rowsSoFar = 0
    private var cleared = false

    init(_ work: ProgressLine.Work, quiet: Bool) {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return }
        meter = ProgressMeter(work: work, language: CLILanguage.current, width: Self.terminalWidth(), interval: Self.interval,
                              clock: Self.monotonicSeconds, draw: { Console.standardError("\r" + $0 + "\u{1B}[K") })
        followResizes()
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : nil
        return Console.width(terminalColumns: columns, environment: ProcessInfo.processInfo.environment)
    }

    /// A terminal made narrower during the work would wrap every later line at the old width
    /// (a new-user trial saw the screen fill with halves of lines): the width is read again
    /// when the terminal says it changed (SIGWINCH, whose default is to be ignored), and the
    /// next line is drawn within it.
    private var resizes: DispatchSourceSignal?

    private func followResizes() {
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: DispatchQueue(label: "pipeline.progress.resize"))
        source.setEventHandler { [self] in
            let width = Self.terminalWidth()
            lock.withLock { meter?.width = width }
        }
        source.resume()
        resizes = source
    }

    /// Whether a line is drawn at all: a command counts its rows first (a cost) only then.
    var isShown: Bool { meter != nil }

    /// `rows` for work of `total` rows (an export, a copy): the line says the share done and
    /// the time left too. `total` is asked only when the line is shown.
    func rows(toward total: () throws -> Int?) throws -> RowProgress {
        guard isShown else { return rows }
        return rows.counting(toward: try total())
    }

    /// What the command's row loop calls: draws the line when it is due, and stops the work
    /// once Ctrl-C was pressed (see `Interruption`). After the rows, the engine names its
    /// phases (building indexes, checking, saving): the line says each, and Ctrl-C still
    /// stops the work until the commit begins, from when the line says it no longer can.
    var rows: RowProgress {
        RowProgress({ [self] rows, fraction in
            lock.withLock {
                rowsSoFar = rows
                if !cleared { meter?.update(rows: rows, fraction: fraction) }
            }
            if Interruption.requested { throw DataCommandCancelled() }
        }, phase: { [self] phase in
            // Asked before the line says the commit began: a Ctrl-C before it still cancels.
            if Interruption.requested { throw DataCommandCancelled() }
            lock.withLock {
                if phase == .saving { saving = true }
                if !cleared { meter?.update(rows: rowsSoFar, phase: phase) }
            }
        })
    }

    /// Whether the work began its commit (`ProgressLine.Phase.saving`): a Ctrl-C from then on
    /// no longer stops it, and the command says so once it is done.
    private(set) var saving = false

    /// For work whose single steps can each take long (a check's read of every page): the
    /// line is redrawn four times a second between reports too, so that its time goes on.
    func keepAlive() {
        guard meter != nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "pipeline.progress"))
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [self] in
            lock.withLock { if !cleared { meter?.update(rows: rowsSoFar) } }
        }
        timer.resume()
        ticker = timer
    }

    /// Takes the line away, before the command's own last words; nothing is drawn after.
    func clear() {
        lock.withLock {
            ticker?.cancel()
            ticker = nil
            resizes?.cancel()
            resizes = nil
            guard !cleared else { return }
            cleared = true
            guard let meter, meter.drawn > 0 else { return }
            Console.standardError("\r\u{1B}[K")
        }
    }

    /// Seconds between two drawings: a tenth, or `PIPELINE_PROGRESS_EVERY` (for tests, which
    /// cannot make a small file slow enough to be drawn: 0 draws at every report).
    static var interval: Double {
        guard let text = ProcessInfo.processInfo.environment["PIPELINE_PROGRESS_EVERY"], let seconds = Double(text),
              seconds.isFinite, (0...60).contains(seconds) else { return 0.1 }
        return seconds
    }

    /// Seconds of a clock that only goes forward (not the wall clock, which may be set back).
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Ctrl-C during an import, a restore or a copy: the handler only sets a flag and writes a
/// byte to a pipe (all a signal handler may safely do); the command's row loop reads the flag,
/// stops, and its transaction rolls back. A read that waits on a terminal or a pipe waits on
/// the pipe too (`ImportSource.stopDescriptor`): Ctrl-C ends it at once, not at the next line.
/// Commands that do not ask keep the default, which ends the process at once.
enum Interruption {
    /// Installs the handler; from then on SIGINT sets the flag instead of ending the process.
    static func catchInterrupts() {
        interruptRequested = 0  // initialised before the handler can touch it
        if interruptReadEnd < 0 {
            var ends: [Int32] = [-1, -1]
            if pipe(&ends) == 0 {
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)  // the handler never waits on a full pipe
                (interruptReadEnd, interruptWriteEnd) = (ends[0], ends[1])
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            interruptRequested = 1
            var byte: UInt8 = 1
            _ = write(interruptWriteEnd, &byte, 1)  // async-signal-safe; a full pipe already says it
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }

    static var requested: Bool { interruptRequested != 0 }

    /// A database file a cancelled command made: absent before the command, so a
    /// cancellation takes it away again (with SQLite's files beside it) and "as it was" stays
    /// true. `nil` for a server or a file that was there.
    static func fileToRemoveIfCancelled(_ store: String) -> String? {
        StoreOpener.engine(for: store) == .sqlite && !FileManager.default.fileExists(atPath: store) ? store : nil
    }

    /// Removes what `fileToRemoveIfCancelled` named (the process ends right after: its open
    /// connection writes nothing more).
    static func removeCancelled(_ file: String?) {
        guard let file else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(file + suffix) }
    }

    /// Readable once Ctrl-C was pressed (-1 before `catchInterrupts`).
    static var descriptor: Int32 { interruptReadEnd }
}

nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0
/// The pipe's two ends, plain integers the handler reads without touching any object.
nonisolated(unsafe) private var interruptReadEnd: Int32 = -1
nonisolated(unsafe) private var interruptWriteEnd: Int32 = -1
