import CNcurses
import TerminalCore

/// Turns what `wget_wch` returned into a key: a pure table, tested without a terminal.
public enum KeyDecoding {
    /// The key codes ncurses returns for the bracketed-paste markers `ESC [200~` and
    /// `ESC [201~` once the terminal defines them (`define_key`): private codes, far above
    /// any ncurses gives a key and within the 16 bits its key table holds.
    public static let pasteStartCode: Int32 = 0x7F00
    public static let pasteEndCode: Int32 = 0x7F01

    public enum PasteMarker: Hashable, Sendable { case start, end }

    /// Whether what `wget_wch` returned marks the start or the end of pasted text.
    public static func pasteMarker(status: Int32, code: UInt32) -> PasteMarker? {
        guard status == KEY_CODE_YES else { return nil }
        switch Int32(bitPattern: code) {
        case pasteStartCode: return .start
        case pasteEndCode: return .end
        default: return nil
        }
    }

    /// - Parameters:
    ///   - status: `OK` for a character, `KEY_CODE_YES` for a function key.
    ///   - code: the character or the key code.
    ///   - name: `keyname(code)` for function keys, which names terminal-specific keys
    ///     (`kUP` is Shift+↑ in xterm-like terminals).
    public static func key(status: Int32, code: UInt32, name: String? = nil) -> Key? {
        if status == KEY_CODE_YES {
            switch Int32(bitPattern: code) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_SR: return .shiftUp
            case KEY_SF: return .shiftDown
            case KEY_SLEFT: return .shiftLeft
            case KEY_SRIGHT: return .shiftRight
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case KEY_F0...(KEY_F0 + 63): return .function(Int(Int32(bitPattern: code) - KEY_F0))
            default:
                switch name {
                case "kUP": return .shiftUp
                case "kDN": return .shiftDown
                case "kLFT": return .shiftLeft
                case "kRIT": return .shiftRight
                case "kHOM", "kHOM2": return .home
                case "kEND", "kEND2": return .end
                default: return nil
                }
            }
        }
        guard status == OK, let scalar = Unicode.Scalar(code) else { return nil }
        switch scalar.value {
        case 0x0D, 0x0A: return .enter
        case 0x1B: return .escape
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A: return .control(Character(Unicode.Scalar(scalar.value + 0x60) ?? "?"))
        case 0x00...0x1F, 0x80...0x9F: return nil
        default: return .character(Character(scalar))
        }
    }
}

/// Gathers what arrives between the paste markers into one piece of text. Characters are
/// kept as they came (the board decides what a field takes); function keys are dropped
/// (ncurses has already turned an `ESC [A` inside the text into ↑, which is no text).
/// Beyond `limit` characters the rest is read and dropped, so a huge paste cannot grow
/// without bound.
public struct PasteCollector: Sendable {
    public private(set) var text = ""
    private var count = 0
    public let limit: Int

    public init(limit: Int = 65_536) { self.limit = limit }

    /// Takes what `wget_wch` returned inside a paste; `false` once the end marker came.
    public mutating func take(status: Int32, code: UInt32) -> Bool {
        if KeyDecoding.pasteMarker(status: status, code: code) == .end { return false }
        guard status == OK, count < limit, let scalar = Unicode.Scalar(code) else { return true }
        text.unicodeScalars.append(scalar)
        count += 1
        return true
    }
}

/// A control sequence that came with an Esc and that ncurses did not turn into a key: one
/// the terminal's description lacks (`ESC [1;6A`, Ctrl+Shift+↑ under a TERM that does not
/// know it; End under a wrong TERM). Read as Esc and then keys, it closed a page without saving
/// and ran the keys' commands (`1` switched views); the whole sequence is one unknown key
/// instead, and nothing happens. Esc followed by anything else stays Esc and that key: a
/// script or tmux sends "Esc, q" in one write, and Alt+key (which the board binds to nothing)
/// cannot be told from it.
public struct UnknownEscapeSequence: Sendable {
    /// A sequence is short; a longer run is input that happened to follow, left to be read as keys.
    public static let longest = 16
    public private(set) var length = 0
    private var introducer: UInt32 = 0

    public init() {}

    /// Whether `code`, the first code after an Esc, starts a control sequence (CSI `[`, SS3 `O`).
    public static func starts(with code: UInt32) -> Bool { code == 0x5B || code == 0x4F }

    /// Takes the next code of a sequence that `starts(with:)` its first; whether it goes on.
    public mutating func take(_ code: UInt32) -> Bool {
        length += 1
        if length == 1 {
            introducer = code
            return Self.starts(with: code)
        }
        if length >= Self.longest { return false }
        switch introducer {
        case 0x5B: return !(0x40...0x7E).contains(code)  // CSI ends at its final byte
        default: return false  // SS3: one byte after `O`
        }
    }
}
