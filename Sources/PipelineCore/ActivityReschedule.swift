/// What a salesperson types to put an activity off (the board's `r`, `pipeline activity
/// reschedule`): the words a due date takes (`CalendarDate(parsingDue:language:today:)`:
/// a date, `today`, `tomorrow`, `+3d`, `+1w`, `+3`), with one difference: a step counts from
/// the activity's due date, or from `today` when that has passed. Putting off is never
/// bringing forward: a call due on Friday put off by a day lands on Saturday, and an overdue
/// call put off by a day lands tomorrow, not on another day already gone.
public enum ActivityReschedule {
    public static func dueDate(_ typed: String, from due: CalendarDate, today: CalendarDate,
                               language: Language) throws(PipelineError) -> CalendarDate {
        if let days = CalendarDate.relativeDays(typed.trimmingWhitespace().lowercased()) {
            return max(due, today).adding(days: days)
        }
        return try CalendarDate(parsingDue: typed, language: language, today: today)
    }
}
