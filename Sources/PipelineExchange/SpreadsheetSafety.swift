/// What a CSV cell may carry when a spreadsheet opens it.
///
/// Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// as a formula (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`). As spreadsheet-safety guidance
/// recommends (OWASP, "CSV injection"), such a cell is written with a leading `'`, which
/// spreadsheets show as text and do not keep — unless it is plainly a number or a phone
/// number (`-12.50`, `+1 555 0100`), which stays as it is. A cell that already starts with
/// `'` before such a text gets one more, so that the import, which removes exactly one `'`
/// from exactly those cells, gives back what was exported.
enum SpreadsheetSafety {
    /// The cell as written to a CSV file.
    static func guarded(_ value: String) -> String {
        needsGuard(Substring(value)) ? "'" + value : value
    }

    /// The value a cell written by `guarded` held.
    static func unguarded(_ cell: String) -> String {
        // Nearly every cell does not start with the byte of `'`, which is told without
        // taking the cell's first character (a grapheme cluster) apart.
        guard cell.utf8.first == UInt8(ascii: "'"), cell.first == "'", needsGuard(cell.dropFirst()) else { return cell }
        return String(cell.dropFirst())
    }

    static func needsGuard(_ value: Substring) -> Bool {
        guard let first = value.first else { return false }
        switch first {
        case "=", "@", "\t", "\r": return true
        case "+", "-": return !isPlainNumberOrPhone(value)
        case "'": return needsGuard(value.dropFirst())
        default: return false
        }
    }

    /// A sign, then a digit or `(`, then digits, spaces and `.,()-` only: `-12.50`,
    /// `+1 555 0100`, `+84 (28) 3823-4567`. No letter, no `=`, `|`, `!` or `:`, so nothing a
    /// spreadsheet could call.
    static func isPlainNumberOrPhone(_ value: Substring) -> Bool {
        let rest = value.dropFirst()
        guard let second = rest.first, second.isASCII, second.isNumber || second == "(" else { return false }
        return rest.allSatisfy { $0.isASCII && ($0.isNumber || " .,()-".contains($0)) }
    }

    /// Text with every control character but the line feed, and every bidirectional
    /// embedding or override, replaced by U+FFFD: nothing stored can drive a terminal that
    /// shows the file. (Stored text holds none; a database edited behind the program's back
    /// could.)
    static func inert(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: isInertedAway) else { return value }
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars { scalars.append(isInertedAway(scalar) ? "\u{FFFD}" : scalar) }
        return String(scalars)
    }

    private static func isInertedAway(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// A cell as the export writes it: inert, then guarded.
    static func cell(_ value: String) -> String {
        // Nearly every cell has nothing to replace and starts with nothing a spreadsheet
        // runs: one pass over its UTF-8 says so (issue 15), and the cell is the value itself.
        if isPlainCell(value) { return value }
        return guarded(inert(value))
    }

    /// True when `inert` and `guarded` leave `value` as it is, decided over its UTF-8 bytes:
    /// the first byte is none that may start a guarded cell, and no byte sequence encodes a
    /// scalar `inert` replaces. When unsure (a byte that may start one), false: the slow path
    /// then decides, so the result is always theirs.
    static func isPlainCell(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            guard let first = bytes.first else { return true }
            switch first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "'"), 0x09, 0x0D: return false
            default: break
            }
            for byte in bytes {
                switch byte {
                // Controls but the line feed; DEL; 0xC2 starts U+0080…U+00BF (C1 controls among
                // them); 0xE2 starts U+2000…U+2FFF (the bidirectional marks among them).
                case 0x00...0x09, 0x0B...0x1F, 0x7F, 0xC2, 0xE2: return false
                default: continue
                }
            }
            return true
        }
    }
}
