import PipelineCore

/// A stored text longer than today's `TextLimit` for its field. Not damage: a restore keeps
/// what an older version stored (Docs/decisions.md "Text lengths"), so `pipeline check` tells
/// of such text in a note that is no problem, changes no exit code and asks no repair; the
/// text must be shortened only when it is next edited (the forms then say so).
public struct LongText: Equatable, Sendable {
    public var table: String
    public var id: Int64
    public var column: String
    public var limit: Int

    public init(table: String, id: Int64, column: String, limit: Int) {
        self.table = table
        self.id = id
        self.column = column
        self.limit = limit
    }

    /// `opportunity 1, notes (over 10000)`.
    public func message(in language: Language) -> String {
        Localizer(language)("check.longText.item", table, id, column, limit)
    }

    /// Every text column with a `TextLimit`, alike on both engines, a table's columns together
    /// (each table is read once for all of them).
    public static let columns: [(table: String, columns: [(column: String, field: Field)])] = [
        ("team", [("name", .teamName)]),
        ("stage", [("name", .stageName), ("requirements", .requirements)]),
        ("opportunity", [("title", .title), ("customer_name", .customer), ("contact_name", .contact), ("email", .email),
                         ("phone", .phone), ("salesperson", .salesperson), ("notes", .notes), ("lost_reason", .lostReason)]),
        ("activity_type", [("name", .activityTypeName)]),
        ("activity", [("summary", .summary), ("assigned_to", .assignedTo), ("notes", .activityNotes), ("done_by", .salesperson),
                      ("feedback", .feedback), ("created_by", .salesperson)]),
        ("deal_note", [("text", .noteText), ("author", .salesperson)]),
    ]

    /// How many long texts a check names (the count says the rest).
    public static let named = 5
}

/// The long texts a check found: how many in all, and the first few of them.
public struct LongTexts: Equatable, Sendable {
    public var count = 0
    public var named: [LongText] = []

    public init(count: Int = 0, named: [LongText] = []) {
        self.count = count
        self.named = named
    }

    public mutating func add(_ text: LongText) {
        count += 1
        if named.count < LongText.named { named.append(text) }
    }

    /// The note `check` prints, or nil when there are none: "3 texts are longer than today's
    /// limits (…); each must be shortened when it is next edited: opportunity 1, title (over
    /// 200); …".
    public func note(in language: Language) -> String? {
        guard count > 0 else { return nil }
        let t = Localizer(language)
        let items = named.map { $0.message(in: language) }.joined(separator: "; ")
        let more = count > named.count ? t("check.longTexts.more", t.grouped(count - named.count)) : ""
        return t.plural("check.longTexts", count, items + more)
    }
}
