/// How many terminal cells text takes, computed in pure Swift so that layouts and
/// snapshots are the same on every machine, whatever the C library's locale tables say.
///
/// Works on grapheme clusters (Swift `Character`s): combining marks (Vietnamese tones in
/// decomposed form), zero-width joiners and variation selectors add no width; East Asian
/// wide and fullwidth characters and emoji take two cells; everything else one.
public enum DisplayWidth {
    /// The cells `text` takes.
    public static func of(_ text: some StringProtocol) -> Int {
        if let simple = simpleWidth(text) { return simple }
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// The width of text whose every scalar is one narrow cell on its own (printable
    /// ASCII, Latin letters with precomposed accents — NFC Vietnamese — and common
    /// punctuation): then scalars are graphemes and cells alike, and the grapheme
    /// breaking the general path needs (most of the board's drawing time) is skipped.
    /// `nil` for anything else.
    static func simpleWidth(_ text: some StringProtocol) -> Int? {
        var count = 0
        for scalar in text.unicodeScalars {
            guard isSimple(scalar) else { return nil }
            count += 1
        }
        return count
    }

    @inline(__always)
    static func isSimple(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0xAC, 0xAE...0x2FF, 0x1E00...0x1EFF, 0x2010...0x2027, 0x2030...0x205E, 0x20A0...0x20C0:
            return true
        default:
            return false
        }
    }

    /// The cells one grapheme cluster takes: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.isASCII {
            return first.value < 0x20 || first.value == 0x7F ? 0 : 1
        }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0xFE0F }), first.properties.isEmoji {
            return 2  // emoji presentation requested
        }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0x200D }), first.properties.isEmoji {
            return 2  // ZWJ sequence: one emoji
        }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }  // a flag: two regional indicators
        let width = width(of: first)
        if width == 0 {
            // A cluster that begins with a mark (stray combining character) takes the width
            // of whatever else it holds.
            return scalars.dropFirst().map(Self.width(of:)).max() ?? 0
        }
        return width
    }

    static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(value) { return 0 }  // Hangul medial vowels and finals
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(value) ? 2 : 1
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15.
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1AFF0...0x1B2FF,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F,
             0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` cut to at most `width` cells, ending in `…` when something was cut. Never
    /// splits a grapheme cluster or half a wide character.
    public static func truncate(_ text: some StringProtocol, to width: Int) -> String {
        guard width > 0 else { return "" }
        if let simple = simpleWidth(text) {
            if simple <= width { return String(text) }
            return String(String.UnicodeScalarView(text.unicodeScalars.prefix(width - 1))) + "…"
        }
        if of(text) <= width { return String(text) }
        var result = ""
        var used = 0
        for character in text {
            let cells = of(character)
            if used + cells > width - 1 { break }
            result.append(character)
            used += cells
        }
        return result + "…"
    }

    /// `text` truncated and padded with spaces to exactly `width` cells; `alignRight` pads
    /// on the left (numbers).
    public static func fit(_ text: some StringProtocol, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let padding = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? padding + cut : cut + padding
    }
}

/// Makes text safe to print on a terminal: whatever reached the database from elsewhere,
/// no escape sequence, control character or bidirectional override ever reaches the screen.
public enum TerminalText {
    /// Control characters, DEL, C1 controls and bidirectional embeddings/overrides/isolates
    /// become U+FFFD; tabs become spaces, and line feeds too when `singleLine` is set.
    public static func sanitized(_ text: String, singleLine: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: needsReplacing) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0x0A || scalar.value == 0x09 {
                scalars.append(singleLine || scalar.value == 0x09 ? " " : scalar)
            } else if needsReplacing(scalar) {
                scalars.append("\u{FFFD}")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    private static func needsReplacing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
