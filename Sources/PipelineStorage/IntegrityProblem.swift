import Foundation
import PipelineCore

/// One thing wrong with a store, as `pipeline check` reports it.
public enum IntegrityProblem: Equatable, Sendable, CustomStringConvertible {
    /// The file's size and header disagree (see `SQLiteEngine.damage(atPath:)`).
    case file(FileDamage)
    /// A line of SQLite's own check of its pages and indexes (SQLite's words).
    case pages(String)
    /// The filter index does not match the deals, or cannot be read (SQLite's words).
    case filterIndex(String)
    /// A maintained per-stage total disagrees with the deals it sums.
    case stageTotal(team: Int64, stage: Int64, currency: String, kept: Int, counted: Int)
    /// A maintained per-stage total of one salesperson's deals ("my pipeline"'s header sums)
    /// disagrees with the deals it sums.
    case salespersonTotal(team: Int64, stage: Int64, salesperson: String, currency: String, kept: Int, counted: Int)
    /// A maintained count of a column's deals whose next activity is due on a date (the
    /// header's overdue count sums them) disagrees with the deals; `salesperson` is nil for
    /// the team's count, else the count kept for that salesperson.
    case dueCount(team: Int64, stage: Int64, salesperson: String?, due: String, kept: Int, counted: Int)
    /// A deal's stage is not where its last history line took it.
    case stageNotInHistory(opportunity: Int64)
    /// A deal is in a stage but has no history line at all (they were deleted by hand).
    case noHistory(opportunity: Int64, stage: Int64)
    /// A deal's stored weighted amount is not its amount at its probability.
    case weightedAmount(opportunity: Int64)
    /// A user's own value of a personal setting that cannot be used: a team that no longer
    /// exists, or a value `settings set` refuses (only an edit by another program leaves
    /// one). Reading passes it over; repairing removes it, and the user follows the
    /// pipeline's value.
    case preference(user: String, key: String, value: String)
    /// A table the schema has is gone (dropped by hand).
    case missingTable(String)
    /// A column the schema has is gone from its table.
    case missingColumn(table: String, column: String)
    /// A row holds a value its column cannot hold (see `StoreError.unreadableValue`).
    case unreadableValue(table: String, id: String, column: String)
    /// A record's activity glance (its next activity, the latest open one) disagrees with its
    /// activities; repairing recomputes it.
    case activityGlance(record: Int64)
    /// A row holds a value the program never writes there (an activity's due date that is
    /// not a day that exists, a type that is gone, text with control characters): what a
    /// PostgreSQL server's constraints refuse, found in a file
    /// another program edited. Not repaired: what the value should be is not known.
    case invalidValue(table: String, id: Int64, column: String, rule: ValueRule)
    /// A currency code ISO 4217 never listed, held by `rows` rows of `table` from row `id`.
    /// Not repaired: which currency was meant is not known.
    case unknownCurrency(table: String, id: Int64, code: String, rows: Int)

    /// The columns holding an amount in its currency's smallest unit, alike on both engines:
    /// one beyond `Money.maximumMinorUnits` (set by another program) is named by `check`.
    public static let amountColumns: [(table: String, column: String)] = [
        ("opportunity", "expected_revenue"), ("opportunity", "weighted_revenue"), ("stage_history", "amount"),
    ]

    /// The tables a repair makes again when they are gone: counts kept from the deals.
    public static let rebuiltTables: Set<String> = ["stage_total", "due_count", "salesperson_due_count"]

    /// Whether `pipeline check --repair` rebuilds what this is about.
    public var isRepairable: Bool {
        switch self {
        case .file, .filterIndex, .stageTotal, .salespersonTotal, .dueCount, .weightedAmount, .preference, .activityGlance: return true
        case .missingTable(let table): return Self.rebuiltTables.contains(table)  // rebuilt from the deals
        case .pages, .stageNotInHistory, .noHistory, .unreadableValue, .missingColumn, .invalidValue, .unknownCurrency: return false
        }
    }

    public var description: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .file(let damage): return t("check.file", damage.message(in: language))
        case .pages(let text): return t("check.pages", text)
        case .filterIndex(let text): return t("check.filterIndex", text)
        case .stageTotal(let team, let stage, let currency, let kept, let counted):
            return t("check.stageTotal", team, stage, currency, kept, counted)
        case .salespersonTotal(let team, let stage, let salesperson, let currency, let kept, let counted):
            return t("check.salespersonTotal", team, stage, currency, kept, counted, salesperson)
        case .dueCount(let team, let stage, nil, let due, let kept, let counted):
            return t("check.dueCount", team, stage, due, kept, counted)
        case .dueCount(let team, let stage, let salesperson?, let due, let kept, let counted):
            return t("check.salespersonDueCount", team, stage, due, kept, counted, salesperson)
        case .stageNotInHistory(let opportunity): return t("check.stageNotInHistory", opportunity)
        case .noHistory(let opportunity, let stage): return t("check.noHistory", opportunity, stage)
        case .weightedAmount(let opportunity): return t("check.weightedAmount", opportunity)
        case .preference(let user, let key, let value): return t("check.preference", user, key, value)
        case .unreadableValue(let table, let id, let column): return t("check.unreadableValue", table, id, column)
        case .missingTable(let table): return t("check.missingTable", table)
        case .missingColumn(let table, let column): return t("check.missingColumn", table, column)
        case .activityGlance(let record): return t("check.activityGlance", record)
        case .invalidValue(let table, let id, let column, let rule):
            return t("check.invalidValue", table, id, column, rule.message(in: language))
        case .unknownCurrency(let table, let id, let code, let rows):
            return t("check.unknownCurrency", table, id, code, rows)
        }
    }
}

/// What a stored value breaks (`IntegrityProblem.invalidValue`).
public enum ValueRule: Equatable, Sendable {
    /// Not an ISO date (`YYYY-MM-DD`) of a day that exists.
    case date
    /// Not a time of day (minutes 0–1439).
    case timeOfDay
    /// Not an instant the program can hold (`Timestamp.range`).
    case instant
    /// Names a row that does not exist (a type, a record).
    case missing(String)
    /// Holds control characters (or a line break in one-line text).
    case controlCharacters
    /// Empty where a value is needed.
    case empty
    /// Outside the numbers it may hold.
    case outOfRange(ClosedRange<Int>)
    /// Done without who did it, or the other way round.
    case doneWithoutWho
    /// A time more than a day after now (`IntegrityClock`).
    case future
    /// An amount beyond `Money.maximumMinorUnits` (or below zero): read, it showed as 0.
    case amount

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .date: return t("check.rule.date")
        case .timeOfDay: return t("check.rule.timeOfDay")
        case .instant: return t("check.rule.instant")
        case .missing(let table): return t("check.rule.missing", table)
        case .controlCharacters: return t("check.rule.controlCharacters")
        case .empty: return t("check.rule.empty")
        case .outOfRange(let range): return t("check.rule.outOfRange", range.lowerBound, range.upperBound)
        case .doneWithoutWho: return t("check.rule.doneWithoutWho")
        case .future: return t("check.rule.future")
        case .amount: return t("check.rule.amount", Money.maximumDigits)
        }
    }
}

/// What a check found, and whether it could look at the filter index (an engine may not be
/// able to on a connection that can only read).
public struct IntegrityReport: Equatable, Sendable {
    public var problems: [IntegrityProblem]
    public var filterIndexChecked: Bool
    /// Whether a kind of problem had more than a check lists of it (each kind is listed up to
    /// a bound, 20 or 100): `problems` is then the first of them, not all.
    public var moreProblems: Bool
    /// Text longer than today's limits: not a problem (see `LongText`).
    public var longTexts: LongTexts

    public init(problems: [IntegrityProblem], filterIndexChecked: Bool = true, moreProblems: Bool = false,
                longTexts: LongTexts = LongTexts()) {
        self.problems = problems
        self.filterIndexChecked = filterIndexChecked
        self.moreProblems = moreProblems
        self.longTexts = longTexts
    }
}

/// The instant a check compares stored times with: every time the program stores is of
/// something that has already happened, so one far after now (9999-12-31, written by a
/// restore before it refused such times, or by another program) is named by `check`.
public enum IntegrityClock {
    /// The current time (the executable sets it, so that `PIPELINE_NOW` is followed); the
    /// machine's clock when nil.
    @TaskLocal public static var now: Timestamp?

    /// How far after now a stored time may be: the machine that wrote it may have had a
    /// clock a little ahead of this one's. A day covers any honest clock.
    public static let allowanceMilliseconds: Int64 = 86_400_000

    /// The latest time, in milliseconds since 1970, a stored time may hold.
    public static func latestTime(now: Timestamp? = nil) -> Int64 {
        let current = now ?? Self.now ?? Timestamp(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        return current.millisecondsSince1970 &+ allowanceMilliseconds
    }

    /// The columns holding when something happened, alike on both engines (milliseconds since 1970).
    public static let recordedTimes: [(table: String, column: String)] = [
        ("team", "created_at"), ("opportunity", "created_at"), ("opportunity", "updated_at"), ("opportunity", "stage_changed_at"),
        ("opportunity", "converted_at"), ("stage_history", "changed_at"), ("activity", "done_at"), ("activity", "created_at"),
        ("activity", "updated_at"), ("deal_note", "created_at"),
    ]
}
