/// What a salesperson types to put an activity off (issue 13, the board's view 4): `+1d`,
/// `+2w`, `+3` (days), or a date in the language's form.
public enum ActivityReschedule {
    /// The new due date for `typed`. A step counts from the activity's due date, or from
    /// `today` when that has passed: an overdue call put off by a day lands tomorrow, not on
    /// another day already gone. Anything else is a date (`invalidDueDate` when it is not).
    public static func dueDate(_ typed: String, from due: CalendarDate, today: CalendarDate,
                               language: Language) throws(PipelineError) -> CalendarDate {
        let text = typed.trimmingWhitespace().lowercased()
        if text.hasPrefix("+") {
            var digits = text.dropFirst()
            var unit = 1
            if let last = digits.last, last == "d" || last == "w" || last == "n" || last == "t" {
                // `n` (ngày) and `t` (tuần) are the Vietnamese day and week.
                unit = last == "w" || last == "t" ? 7 : 1
                digits = digits.dropLast()
            }
            guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCIIDigit), let count = Int(digits), count > 0 else {
                throw .invalidDueDate(typed, dayFirst: language == .vietnamese)
            }
            return max(due, today).adding(days: count * unit)
        }
        return try CalendarDate(parsing: typed, language: language, field: .dueDate)
    }
}
