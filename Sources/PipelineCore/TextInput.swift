import Foundation  // Unicode normalisation and diacritic folding only; never the clock.
import Synchronization

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
        try withinLimit(trimmed(try clean(text, field: field, allowLineFeeds: false), newlines: false), field: field)
    }

    /// A one-line field that must not be empty or blank.
    public static func requiredName(_ text: String, field: Field) throws(PipelineError) -> String {
        let cleaned = try singleLine(text, field: field)
        guard !cleaned.isEmpty else { throw .emptyText(field) }
        return cleaned
    }

    /// An External ID (`__export__.crm_lead_7`): one line, trimmed, as other names.
    public static func externalID(_ text: String) throws(PipelineError) -> String {
        try singleLine(text, field: .externalID)
    }

    /// A multi-line field (requirements, notes): line feeds kept, trailing blank space trimmed.
    public static func multiLine(_ text: String, field: Field) throws(PipelineError) -> String {
        try withinLimit(trimmed(try clean(text, field: field, allowLineFeeds: true), newlines: true), field: field)
    }

    /// Whether stored text is what validation would have let through: no control character
    /// (a line feed only in `multiLine` text) or bidirectional control. What `pipeline check`
    /// asks of a row another program wrote.
    public static func isStorable(_ text: String, multiLine: Bool) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x0A: return multiLine
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return false
            default: return true
            }
        }
    }

    /// Whether text is held to its field's `TextLimit`: always, but while a backup is read
    /// back (`JSONBackup.restore`), which keeps what an older version stored.
    @TaskLocal public static var limitsLength = true

    /// `text` (cleaned, NFC) if its field allows that many characters. Characters are Unicode
    /// scalars, as PostgreSQL's `char_length` counts them, so the server's check agrees.
    private static func withinLimit(_ text: String, field: Field) throws(PipelineError) -> String {
        let limit = field.maximumLength
        // Most text is far below any limit: its UTF-8 length bounds its scalar count.
        guard text.utf8.count > limit, limitsLength else { return text }
        let length = text.unicodeScalars.count
        guard length <= limit else { throw .textTooLong(field, length: length, limit: limit) }
        return text
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
        // Most text has nothing to clean: printable ASCII is stored as it is, without
        // being rebuilt scalar by scalar (an import cleans a dozen fields per row).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
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
        // Built as UTF-8 bytes: appending to a String scalar by scalar costs several times more.
        var key: [UInt8] = []
        key.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                var byte = UInt8(scalar.value)
                if byte == 0x20 || (byte < 0x20 && scalar.properties.isWhitespace) {
                    pendingSpace = !key.isEmpty
                    continue
                }
                if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if pendingSpace { key.append(0x20); pendingSpace = false }
                key.append(byte)
                continue
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !key.isEmpty
                continue
            }
            let folded = SearchFolding.folded(scalar)
            if folded.isEmpty { continue }  // a combining accent on its own
            if pendingSpace { key.append(0x20); pendingSpace = false }
            key.append(contentsOf: folded.utf8)
        }
        return String(decoding: key, as: UTF8.self)
    }
}

extension TextInput {
    /// The words of `text` as the filter index keeps them: folded like ``searchKey(_:)``,
    /// letters and digits only, one space between words (`Hợp đồng #12 — Đà Nẵng` →
    /// `hop dong 12 da nang`).
    public static func searchWords(_ text: String) -> String {
        // Built as UTF-8 bytes, like `searchKey(_:)`.
        var words: [UInt8] = []
        words.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace { words.append(0x20); pendingSpace = false }
            UTF8.encode(scalar) { words.append($0) }
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                switch byte {
                case 0x41...0x5A, 0x61...0x7A, 0x30...0x39:
                    if pendingSpace { words.append(0x20); pendingSpace = false }
                    words.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                default: pendingSpace = !words.isEmpty
                }
                continue
            }
            let folded = SearchFolding.folded(scalar)
            for part in folded.unicodeScalars {
                if part.properties.isAlphabetic || part.properties.numericType != nil {
                    append(part)
                } else if !part.properties.isDiacritic {
                    pendingSpace = !words.isEmpty
                }
            }
        }
        return String(decoding: words, as: UTF8.self)
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

    /// Scalars outside the table (Greek, Cyrillic, CJK, symbols, emoji) folded by Foundation
    /// once each, then remembered: names in those scripts repeat the same few hundred.
    private static let outsideTable = Mutex<[Unicode.Scalar: String]>([:])

    static func folded(_ scalar: Unicode.Scalar) -> String {
        if let tabled = table[scalar] { return tabled }
        if let known = outsideTable.withLock({ $0[scalar] }) { return known }
        let folded = fold(String(scalar))
        outsideTable.withLock { $0[scalar] = folded }
        return folded
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d")
            .replacingOccurrences(of: "Đ", with: "d")
    }
}

/// How much text a field holds, in characters (Unicode scalars): enough for any real name or
/// note, bounded so that one value cannot slow every list that shows it (a 5 MB summary did).
/// The PostgreSQL server checks the same numbers (schema version 5); `pipeline check` reports
/// a file's rows beyond them.
public enum TextLimit {
    /// A one-line value: a title, a name, a summary, an e-mail address, a tag.
    public static let line = 200
    /// Multi-line text: a deal's notes, a stage's requirements, an activity's notes and
    /// feedback, a note on the timeline.
    public static let text = 10_000
}

extension Field {
    /// The most characters this field holds (`TextLimit`).
    public var maximumLength: Int {
        switch self {
        case .requirements, .notes, .activityNotes, .feedback, .noteText: return TextLimit.text
        default: return TextLimit.line
        }
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
    case externalID = "External ID"
    case activityType = "activity type"
    case activityTypeName = "activity type name"
    case summary
    case dueDate = "due date"
    case time
    case assignedTo = "assigned to"
    case activityNotes = "activity notes"
    case feedback
    case noteText = "note"
    case rottingDays = "rotting days"
    case nextDelay = "next delay"
}
