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
        try clean(text, field: field, allowLineFeeds: false)
            .trimmingCharacters(in: .whitespaces)
    }

    /// A one-line field that must not be empty or blank.
    public static func requiredName(_ text: String, field: Field) throws(PipelineError) -> String {
        let cleaned = try singleLine(text, field: field)
        guard !cleaned.isEmpty else { throw .emptyText(field) }
        return cleaned
    }

    /// A multi-line field (requirements, notes): line feeds kept, trailing blank space trimmed.
    public static func multiLine(_ text: String, field: Field) throws(PipelineError) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n")
        return try clean(unified, field: field, allowLineFeeds: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func clean(_ text: String, field: Field, allowLineFeeds: Bool) throws(PipelineError) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09:
                scalars.append(" ")
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
        let cleaned = String(scalars)
        // ASCII is already NFC; normalising only what needs it keeps imports fast.
        return cleaned.utf8.allSatisfy { $0 < 0x80 } ? cleaned : cleaned.precomposedStringWithCanonicalMapping
    }

    /// The key that makes names unique "ignoring case but not accents": `Mới` and `MỚI`
    /// share a key, `Mới` and `Môi` do not.
    public static func nameKey(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text.lowercased() : text.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// The key for searching and suggestion matching: case- and accent-insensitive, with
    /// the Vietnamese `đ` folded to `d` (Unicode does not decompose it), and runs of
    /// white space collapsed.
    public static func searchKey(_ text: String) -> String {
        let folded = text.utf8.allSatisfy({ $0 < 0x80 }) ? text.lowercased()
            : text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d")
            .replacingOccurrences(of: "Đ", with: "d")
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
