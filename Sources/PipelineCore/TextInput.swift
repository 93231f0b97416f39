import Foundation  // Unicode normalisation and diacritic folding only; never the clock.

/// Cleans and validates text a user typed or imported before it is stored.
///
/// Nothing stored may later drive a terminal, so text holding ESC, any other C0 or C1
/// control character, DEL, or a bidirectional embedding/override/isolate is refused.
/// Tabs become spaces. Multi-line fields keep line feeds (CRLF becomes LF). Everything
/// is stored in Unicode NFC, so composed and decomposed Vietnamese compare equal in SQL.
public enum TextInput {
    /// A one-line field (names, titles, e-mail, ...), trimmed. Empty results are allowed;
    /// use ``requiredName(_:field:)`` where a value is mandatory.
    public static func singleLine(_ text: String, field: Field) throws(PipelineError) -> String {
        trimmed(try clean(text, field: field, allowLineFeeds: false), newlines: false)
    }

    /// A one-line field that must not be empty or blank.
    public static func requiredName(_ text: String, field: Field) throws(PipelineError) -> String {
        let cleaned = try singleLine(text, field: field)
        guard !cleaned.isEmpty else { throw .emptyText(field) }
        return cleaned
    }

    /// A multi-line field (requirements, notes): line feeds kept, trailing blank space trimmed.
    public static func multiLine(_ text: String, field: Field) throws(PipelineError) -> String {
        trimmed(try clean(text, field: field, allowLineFeeds: true), newlines: true)
    }

    /// Without the white space (and, for `newlines`, line feeds) at either end.
    private static func trimmed(_ text: String, newlines: Bool) -> String {
        func isBlank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || (newlines && scalar == "\n") || (scalar.value >= 0x80 && scalar.properties.isWhitespace && scalar != "\n")
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
              let last = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    private static func clean(_ text: String, field: Field, allowLineFeeds: Bool) throws(PipelineError) -> String {
        var scalars = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            if afterCarriageReturn, scalar != "\n" { throw .controlCharacter(field, codePoint: 0x0D) }
            switch scalar.value {
            case 0x09:
                scalars.append(" ")
            case 0x0D where allowLineFeeds:
                continue  // CRLF is stored as LF; a lone CR is refused on the next scalar
            case 0x0A where allowLineFeeds:
                scalars.append(scalar)
            case 0x0A:
                throw .lineBreakNotAllowed(field)
            case 0x00...0x1F, 0x7F...0x9F:
                throw .controlCharacter(field, codePoint: scalar.value)
            case 0x202A...0x202E, 0x2066...0x2069:
                throw .bidirectionalOverride(field, codePoint: scalar.value)
            default:
                scalars.append(scalar)
            }
        }
        if afterCarriageReturn { throw .controlCharacter(field, codePoint: 0x0D) }
        return nfc(String(scalars))
    }

    /// `text` in Unicode NFC. Normalising asks Foundation, which costs far more than the
    /// rest of an imported row; most text is surely NFC already and skips it.
    static func nfc(_ text: String) -> String {
        isSurelyNFC(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// True when every scalar is one that normalisation never changes and that never
    /// composes with a neighbour: ASCII, Latin with its precomposed accents (Vietnamese
    /// included), general punctuation and currency signs, kana and CJK ideographs, Hangul
    /// syllables, full-width forms, variation selectors and emoji. (Ranges checked against
    /// the Unicode data: each scalar is NFC_QC=Yes with combining class 0, and none is the
    /// second half of a canonical composition.) False means "ask Foundation", not "not NFC".
    static func isSurelyNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x0000...0x02FF, 0x1E00...0x1EFF, 0x2010...0x20CF, 0x2E00...0x3029, 0x309B...0x9FFF,
                 0xAC00...0xD7A3, 0xFE00...0xFE0F, 0xFF01...0xFFEF, 0x1F000...0x1FAFF:
                return true
            default:
                return false
            }
        }
    }

    /// The key that makes names unique "ignoring case but not accents": `Mới` and `MỚI`
    /// share a key, `Mới` and `Môi` do not.
    public static func nameKey(_ text: String) -> String {
        nfc(text).lowercased()
    }

    /// The key for searching and suggestion matching: case- and accent-insensitive, with
    /// the Vietnamese `đ` folded to `d` (Unicode does not decompose it), and runs of
    /// white space collapsed.
    public static func searchKey(_ text: String) -> String {
        var key = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || (!scalar.isASCII || scalar.value < 0x20) && scalar.properties.isWhitespace {
                pendingSpace = !key.isEmpty
                continue
            }
            let folded: Substring.UnicodeScalarView
            if scalar.isASCII {
                let lowered = scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 0x20)! : scalar
                if pendingSpace { key.append(" "); pendingSpace = false }
                key.append(lowered)
                continue
            } else if let tabled = SearchFolding.table[scalar] {
                folded = tabled.unicodeScalars[...]
            } else {
                // Outside the table (Greek, Cyrillic, …): Foundation folds this one scalar.
                folded = SearchFolding.fold(String(scalar)).unicodeScalars[...]
            }
            if folded.isEmpty { continue }  // a combining accent on its own
            if pendingSpace { key.append(" "); pendingSpace = false }
            key.append(contentsOf: folded)
        }
        return String(key)
    }
}

extension TextInput {
    /// The words of `text` as the filter index keeps them: folded like ``searchKey(_:)``,
    /// letters and digits only, one space between words (`Hợp đồng #12 — Đà Nẵng` →
    /// `hop dong 12 da nang`).
    public static func searchWords(_ text: String) -> String {
        var words = String.UnicodeScalarView()
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace { words.append(" "); pendingSpace = false }
            words.append(scalar)
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                switch scalar.value {
                case 0x41...0x5A: append(Unicode.Scalar(scalar.value + 0x20)!)
                case 0x61...0x7A, 0x30...0x39: append(scalar)
                default: pendingSpace = !words.isEmpty
                }
                continue
            }
            let folded = SearchFolding.table[scalar] ?? SearchFolding.fold(String(scalar))
            for part in folded.unicodeScalars {
                if part.properties.isAlphabetic || part.properties.numericType != nil {
                    append(part)
                } else if !part.properties.isDiacritic {
                    pendingSpace = !words.isEmpty
                }
            }
        }
        return String(words)
    }
}

/// The search folding of every Latin letter with accents and every combining accent,
/// worked out once with Foundation: an import folds thousands of names, and a table
/// lookup per letter costs a small fraction of Foundation's folding per string.
enum SearchFolding {
    static let table: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [:]
        for range in [0x80...0x02FF, 0x0300...0x036F, 0x1E00...0x1EFF] {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                table[scalar] = fold(String(scalar))
            }
        }
        return table
    }()

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d")
            .replacingOccurrences(of: "Đ", with: "d")
    }
}

/// The user-facing fields that validation errors name.
public enum Field: String, Sendable, CaseIterable {
    case teamName = "team name"
    case stageName = "stage name"
    case probability
    case requirements
    case title
    case customer
    case contact
    case email
    case phone
    case expectedRevenue = "expected revenue"
    case currency
    case salesperson
    case priority
    case tag
    case closingDate = "expected closing date"
    case notes
    case lostReason = "lost reason"
    case position
    case setting
}
