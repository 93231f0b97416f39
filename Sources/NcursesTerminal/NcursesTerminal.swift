import CNcurses
import Foundation
import TerminalCore

/// The only place that touches ncurses: sets the terminal up, draws grids (only the cells
/// that changed), reads keys, mouse and resizes, and restores the terminal on every way
/// out — quit, Ctrl-C, SIGTERM, SIGHUP, and a crash.
public final class NcursesTerminal: TerminalDevice {
    public enum StartError: Error, Equatable {
        case notATerminal
        /// `TERM` names a terminal type ncurses does not know.
        case unknownTerminal(String)
        /// The terminal type cannot place text anywhere on the screen (`TERM=dumb`).
        case cannotPlaceText(String)
    }

    private let screen: OpaquePointer
    private var previous: Grid?
    private var closed = false
    private let colors: Bool
    public private(set) var size: Size

    public init() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw StartError.notATerminal }
        Self.unblockSignals()
        // The locale before ncurses starts, else every non-ASCII character is dropped.
        if setlocale(LC_ALL, "") == nil || !String(cString: nl_langinfo(nl_item(CODESET))).uppercased().contains("UTF-8") {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
        _ = set_escdelay(25)  // a lone Esc would otherwise wait a full second
        guard let screen = cn_newterm_stdio(nil) else {
            throw StartError.unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        guard cn_can_address_cursor() != 0 else {
            _ = endwin()
            delscreen(screen)
            throw StartError.cannotPlaceText(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        self.screen = screen
        _ = raw()  // Ctrl-C, Ctrl-S and Ctrl-Z reach the board as keys; flow control is off
        _ = noecho()
        _ = nonl()
        _ = keypad(cn_stdscr(), true)
        _ = curs_set(0)
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        colors = has_colors() && !noColor
        if colors {
            _ = start_color()
            _ = use_default_colors()
            for (index, pair) in Self.colorPairs.enumerated() {
                _ = init_pair(Int16(index + 1), pair.foreground, pair.background)
            }
        }
        _ = mousemask(CN_ALL_MOUSE_EVENTS | CN_REPORT_MOUSE_POSITION, nil)
        _ = mouseinterval(0)
        Self.write("\u{1B}[?1003h")  // report pointer motion too: hovering shows tooltips
        // Bracketed paste: the terminal wraps pasted text in ESC [200~ … ESC [201~, so that
        // the board takes it as text, not as keys (an ESC in it would close a form).
        _ = define_key("\u{1B}[200~", KeyDecoding.pasteStartCode)
        _ = define_key("\u{1B}[201~", KeyDecoding.pasteEndCode)
        Self.write(Self.bracketedPasteOn)
        var rows: Int32 = 0, columns: Int32 = 0
        cn_getmaxyx(cn_stdscr(), &rows, &columns)
        size = Size(columns: Int(columns), rows: Int(rows))
        Self.installSignalHandlers()
        _ = wrefresh(cn_stdscr())
    }

    deinit { close() }

    /// Restores the terminal exactly as it was. Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        Self.write("\u{1B}[?1003l" + Self.bracketedPasteOff)
        _ = endwin()
        delscreen(screen)
        Signals.restoring.store(false)
    }

    // MARK: - Drawing

    public func present(_ grid: Grid) {
        if grid.size != previous?.size {
            _ = wclear(cn_stdscr())
            previous = nil
        }
        for y in 0..<grid.size.rows {
            var x = 0
            while x < grid.size.columns {
                if let previous, previous[x, y] == grid[x, y] { x += 1; continue }
                // A run of changed cells sharing one style: one call.
                let style = grid[x, y].style
                var text = ""
                let start = x
                while x < grid.size.columns, grid[x, y].style == style, previous.map({ $0[x, y] != grid[x, y] }) ?? true {
                    if !grid[x, y].isContinuation { text.append(grid[x, y].grapheme) }
                    x += 1
                }
                if text.isEmpty { continue }
                _ = wattrset(cn_stdscr(), attributes(for: style))
                _ = mvwaddstr(cn_stdscr(), Int32(y), Int32(start), text)
            }
        }
        _ = wattrset(cn_stdscr(), Int32(bitPattern: CN_A_NORMAL))
        previous = grid
        _ = wrefresh(cn_stdscr())
    }

    private struct ColorPair { var foreground: Int16; var background: Int16 }

    /// Colours by style role; -1 keeps the terminal's own background (light or dark themes).
    private static let colorPairs: [ColorPair] = [
        ColorPair(foreground: Int16(COLOR_BLUE), background: -1),    // 1 border
        ColorPair(foreground: Int16(COLOR_GREEN), background: -1),   // 2 money
        ColorPair(foreground: Int16(COLOR_YELLOW), background: -1),  // 3 stars, markers
        ColorPair(foreground: Int16(COLOR_RED), background: -1),     // 4 errors
        ColorPair(foreground: Int16(COLOR_CYAN), background: -1),    // 5 tooltip
        ColorPair(foreground: Int16(COLOR_MAGENTA), background: -1), // 6 carried
    ]

    private func attributes(for style: Style) -> Int32 {
        let bold = CN_A_BOLD, reverse = CN_A_REVERSE, dim = CN_A_DIM, underline = CN_A_UNDERLINE
        func pair(_ number: Int32) -> attr_t { colors ? attr_t(bitPattern: cn_color_pair(number)) : 0 }
        let value: attr_t
        switch style {
        case .normal, .card, .modal: value = CN_A_NORMAL
        case .border: value = colors ? pair(1) : dim
        case .header: value = bold
        case .focusedHeader, .activeTab: value = reverse | bold
        case .focusedCard: value = reverse
        case .carried: value = reverse | bold | pair(6)
        case .dim: value = dim
        case .money: value = pair(2)
        case .stars, .marker: value = bold | pair(3)
        case .tab: value = CN_A_NORMAL
        case .status: value = reverse
        case .message: value = reverse | bold
        case .error: value = colors ? bold | pair(4) : reverse | bold
        case .tooltip: value = pair(5)
        case .field: value = underline
        case .focusedField: value = reverse
        // Red, yellow (the terminal's orange), green, magenta; bold where it must stand out
        // without colour too (the glyphs differ as well).
        case .overdue: value = bold | pair(4)
        case .dueToday: value = bold | pair(3)
        case .planned: value = pair(2)
        case .rotting: value = bold | pair(6)
        }
        return Int32(bitPattern: value)
    }

    // MARK: - Input

    /// Waits on the keyboard and `descriptor` together: ncurses may already hold keys it
    /// read ahead, so it is asked first without waiting, then both descriptors are polled.
    public func nextEvent(timeout: Double, wakingOn descriptor: Int32?) -> InputEvent? {
        guard let descriptor else { return nextEvent(timeout: timeout) }
        if let event = nextEvent(timeout: 0) { return event }
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, 2, Int32(timeout * 1000))
        if ready > 0, descriptors[1].revents != 0, descriptors[0].revents == 0 { return nil }
        return nextEvent(timeout: 0)
    }

    public func nextEvent(timeout: Double) -> InputEvent? {
        let signal = Signals.pending.exchange(0)
        if signal != 0 {
            Signals.received = signal
            return .key(.control("c"))
        }
        wtimeout(cn_stdscr(), Int32(timeout * 1000))
        var code: wint_t = 0
        let status = wget_wch(cn_stdscr(), &code)
        if status == ERR {
            // ERR is a timeout, unless the terminal went away (then it would spin forever).
            if Self.terminalIsGone() { return .key(.control("c")) }
            return nil
        }
        if status == KEY_CODE_YES, Int32(bitPattern: code) == KEY_RESIZE {
            var rows: Int32 = 0, columns: Int32 = 0
            cn_getmaxyx(cn_stdscr(), &rows, &columns)
            size = Size(columns: Int(columns), rows: Int(rows))
            return .resize(size)
        }
        if status == KEY_CODE_YES, Int32(bitPattern: code) == KEY_MOUSE {
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            return MouseDecoding.event(x: Int(event.x), y: Int(event.y), buttons: event.bstate).map(InputEvent.mouse)
        }
        if KeyDecoding.pasteMarker(status: status, code: code) == .start { return .paste(readPaste()) }
        if status == OK, code == 0x1B, swallowedAnUnknownSequence() { return nil }
        let name = status == KEY_CODE_YES ? keyname(Int32(bitPattern: code)).map { String(cString: $0) } : nil
        return KeyDecoding.key(status: status, code: code, name: name).map(InputEvent.key)
    }

    /// After an Esc, reads a control sequence that arrived with it (no waiting: ncurses has
    /// already waited the escape delay for a sequence it knows) as one `UnknownEscapeSequence`;
    /// whether there was one, so that the Esc is no key at all. Anything else that followed is
    /// put back, to be read as the next key.
    private func swallowedAnUnknownSequence() -> Bool {
        wtimeout(cn_stdscr(), 0)
        var follow: wint_t = 0
        guard wget_wch(cn_stdscr(), &follow) == OK else { return false }
        guard UnknownEscapeSequence.starts(with: UInt32(follow)) else {
            unget_wch(wchar_t(follow))
            return false
        }
        var sequence = UnknownEscapeSequence()
        var more = sequence.take(UInt32(follow))
        while more, wget_wch(cn_stdscr(), &follow) == OK {
            more = sequence.take(UInt32(follow))
        }
        return true
    }

    private static let bracketedPasteOn = "\u{1B}[?2004h"
    private static let bracketedPasteOff = "\u{1B}[?2004l"

    /// The text up to the end marker. A paste whose end never comes ends when the input
    /// pauses for a second (the terminal sends a paste in one go).
    private func readPaste() -> String {
        var collector = PasteCollector()
        wtimeout(cn_stdscr(), 1000)
        while true {
            var code: wint_t = 0
            let status = wget_wch(cn_stdscr(), &code)
            if status == ERR || !collector.take(status: status, code: code) { break }
        }
        return collector.text
    }

    private static func terminalIsGone() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return true }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The signal that ended the board, if one did (for the exit status 128 + n).
    public var terminatingSignal: Int32? { Signals.received == 0 ? nil : Signals.received }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(STDOUT_FILENO, &bytes, bytes.count)
    }

    // MARK: - Signals

    /// Test runners and some shells start programs with signals blocked; the board must
    /// get SIGWINCH (resizes) and SIGTERM.
    private static func unblockSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGQUIT] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// After newterm (which installs its own): termination signals become a quit key, and
    /// a crash restores the terminal before the runtime prints its report.
    private static func installSignalHandlers() {
        Signals.restoring.store(true)
        for code in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in Signals.pending.store(number) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: the blocked read returns at once
            sigaction(code, &action, nil)
        }
        for code in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                if Signals.restoring.load() {
                    var reset: [UInt8] = Array("\u{1B}[?1003l\u{1B}[?2004l".utf8)
                    _ = Glibc.write(STDOUT_FILENO, &reset, reset.count)
                    _ = endwin()
                }
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: Int(SA_RESETHAND))
            sigaction(code, &action, nil)
        }
    }
}

/// State the signal handlers share with the loop: plain atomics, nothing else.
enum Signals {
    nonisolated(unsafe) static var pending = AtomicInt32()
    nonisolated(unsafe) static var restoring = AtomicBool()
    nonisolated(unsafe) static var received: Int32 = 0
}

/// A 32-bit value safe to touch from a signal handler.
struct AtomicInt32 {
    private var storage = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    init() { storage.initialize(to: 0) }

    func store(_ value: Int32) { storage.pointee = value }

    func exchange(_ value: Int32) -> Int32 {
        let old = storage.pointee
        storage.pointee = value
        return old
    }
}

struct AtomicBool {
    private var storage = UnsafeMutablePointer<Bool>.allocate(capacity: 1)

    init() { storage.initialize(to: false) }

    func store(_ value: Bool) { storage.pointee = value }
    func load() -> Bool { storage.pointee }
}

/// Mouse reports as board events.
public enum MouseDecoding {
    public static func event(x: Int, y: Int, buttons: mmask_t) -> MouseEvent? {
        let point = Point(x: x, y: y)
        if buttons & CN_BUTTON4_PRESSED != 0 { return .wheelUp(point) }
        if buttons & CN_BUTTON5_PRESSED != 0 { return .wheelDown(point) }
        if buttons & CN_BUTTON1_PRESSED != 0 { return .press(point) }
        if buttons & (CN_BUTTON1_RELEASED | CN_BUTTON1_CLICKED) != 0 { return .release(point) }
        if buttons & CN_REPORT_MOUSE_POSITION != 0 { return .move(point) }
        return nil
    }
}
