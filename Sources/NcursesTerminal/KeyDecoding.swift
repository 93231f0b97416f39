import CNcurses
import TerminalCore

/// Turns what `wget_wch` returned into a key: a pure table, tested without a terminal.
public enum KeyDecoding {
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
