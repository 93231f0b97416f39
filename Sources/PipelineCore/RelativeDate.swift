/// Due dates typed relative to today (issue 13): what a salesperson says when booking the
/// next call — "tomorrow", "in three days", "next week" — rather than a calendar date.

extension CalendarDate {
    /// The longest step a relative date may take: ten years of days (`+3650d`, `+521w`).
    public static let relativeStepLimit = 3650

    /// A due date as typed: the language's date form (as `init(parsing:language:field:)`), or
    /// `today`, `tomorrow` (`hôm nay`, `ngày mai`), `+3d` (days) or `+1w` (weeks) from `today`
    /// (`ActivityReschedule` counts the same steps from a later due date),
    /// the user's local date. Anything else is `invalidDueDate`.
    public init(parsingDue text: String, language: Language, today: CalendarDate) throws(PipelineError) {
        let word = text.trimmingWhitespace().lowercased()
        switch word {
        case "today", "hôm nay":
            self = today
            return
        case "tomorrow", "ngày mai":
            self = today.adding(days: 1)
            return
        default:
            break
        }
        if let days = Self.relativeDays(word) {
            self = today.adding(days: days)
            return
        }
        try self.init(parsing: text, language: language, field: .dueDate)
    }

    /// `+3d` → 3, `+2w` → 14, `+3` → 3 (days); `n` (ngày) and `t` (tuần) are the Vietnamese
    /// day and week. `nil` for anything else, a step of nothing, or one beyond the limit.
    static func relativeDays(_ word: String) -> Int? {
        guard word.hasPrefix("+") else { return nil }
        var digits = word.dropFirst()
        var unit = 1
        if let last = digits.last, "dwnt".contains(last) {
            unit = last == "w" || last == "t" ? 7 : 1
            digits = digits.dropLast()
        }
        guard (1...4).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), let count = Int(digits), count > 0 else { return nil }
        let days = count * unit
        return days <= relativeStepLimit ? days : nil
    }
}

extension CalendarDate {
    /// The first day of a period that ends today, as `stats stages --since` takes it (and the
    /// digest will): `today`, `yesterday` (`hôm qua`), `30d` or `-30d` (30 days ago), `4w` or
    /// `-4w` (4 weeks ago; `n` and `t` in Vietnamese), or a date in the language's form.
    /// `+3d` and dates after today are refused: nothing has closed there yet, and an empty
    /// table would read as "no deal ever closed".
    public init(parsingSince text: String, language: Language, today: CalendarDate) throws(PipelineError) {
        let word = text.trimmingWhitespace().lowercased()
        switch word {
        case "today", "hôm nay":
            self = today
            return
        case "yesterday", "hôm qua":
            self = today.adding(days: -1)
            return
        default:
            break
        }
        if word.hasPrefix("+") { throw .sinceDateInTheFuture(text) }
        // `0d` (`0w`, `-0d`): no days ago, today, as `today` says it; the period is today alone.
        let bare = word.hasPrefix("-") ? word.dropFirst() : Substring(word)
        if bare.count >= 2, let unit = bare.last, "dwnt".contains(unit), bare.dropLast().allSatisfy({ $0 == "0" }) {
            self = today
            return
        }
        if let days = Self.relativeDays("+" + (word.hasPrefix("-") ? String(word.dropFirst()) : word)),
           word.last.map({ "dwnt".contains($0) }) == true {
            self = today.adding(days: -days)
            return
        }
        do {
            try self.init(parsing: text, language: language)
        } catch {
            guard case .invalidDate(let typed, let dayFirst) = error else { throw error }
            throw .invalidSinceDate(typed, dayFirst: dayFirst)
        }
        if self > today { throw .sinceDateInTheFuture(text) }
    }
}
