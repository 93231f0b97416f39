import Testing
@testable import PipelineCore

/// Due dates typed relative to the user's today (`activity add --due tomorrow`, `+3d`, `+1w`).
@Suite struct RelativeDateTests {
    static let today = CalendarDate(iso8601: "2026-12-30")!

    static func due(_ text: String, _ language: Language = .english) throws(PipelineError) -> CalendarDate {
        try CalendarDate(parsingDue: text, language: language, today: today)
    }

    @Test func wordsAndStepsCountFromToday() throws {
        #expect(try Self.due("today") == Self.today)
        #expect(try Self.due(" Tomorrow ") == CalendarDate(iso8601: "2026-12-31"))
        #expect(try Self.due("+3d") == CalendarDate(iso8601: "2027-01-02"))
        #expect(try Self.due("+1W") == CalendarDate(iso8601: "2027-01-06"))
        #expect(try Self.due("hôm nay", .vietnamese) == Self.today)
        #expect(try Self.due("Ngày mai", .vietnamese) == CalendarDate(iso8601: "2026-12-31"))
        #expect(try Self.due("+3650d") == Self.today.adding(days: 3650))
        #expect(try Self.due("+3") == CalendarDate(iso8601: "2027-01-02"))
        #expect(try Self.due("+2n", .vietnamese) == CalendarDate(iso8601: "2027-01-01"))
        #expect(try Self.due("+1t", .vietnamese) == CalendarDate(iso8601: "2027-01-06"))
    }

    /// Putting off counts from the later of the due date and today, with the same words.
    @Test func reschedulingPutsOffFromTheLaterOfTheDueDateAndToday() throws {
        let friday = CalendarDate(iso8601: "2027-01-08")!
        let missed = CalendarDate(iso8601: "2026-12-20")!
        func putOff(_ text: String, _ due: CalendarDate) throws(PipelineError) -> CalendarDate {
            try ActivityReschedule.dueDate(text, from: due, today: Self.today, language: .english)
        }
        #expect(try putOff("+1d", friday) == CalendarDate(iso8601: "2027-01-09"))
        #expect(try putOff("+1w", missed) == CalendarDate(iso8601: "2027-01-06"))
        #expect(try putOff("tomorrow", friday) == CalendarDate(iso8601: "2026-12-31"))
        #expect(try putOff("2027-02-01", friday) == CalendarDate(iso8601: "2027-02-01"))
        #expect(throws: PipelineError.invalidDueDate("+3m", dayFirst: false)) { try putOff("+3m", friday) }
    }

    @Test func calendarDatesStillParseInTheLanguagesForm() throws {
        #expect(try Self.due("2027-03-01") == CalendarDate(iso8601: "2027-03-01"))
        #expect(try Self.due("1/3/2027", .vietnamese) == CalendarDate(iso8601: "2027-03-01"))
    }

    @Test func anythingElseIsABadDueDate() {
        for text in ["3d", "+0d", "+0", "+d", "+-3d", "+3m", "+3651d", "+99999w", "+1.5d", "yesterday", "1/3/2027", ""] {
            #expect(throws: PipelineError.invalidDueDate(text, dayFirst: false), "\(text)") { try Self.due(text) }
        }
    }

    /// `--since` looks back: days and weeks ago (with or without a minus), yesterday, a date;
    /// never after today, and its sentences name "since", not the due date.
    @Test func aPeriodLookedBackOnStartsTodayOrEarlier() throws {
        func since(_ text: String, _ language: Language = .english) throws -> CalendarDate {
            try CalendarDate(parsingSince: text, language: language, today: Self.today)
        }
        #expect(try since("30d") == CalendarDate(iso8601: "2026-11-30"))
        #expect(try since("-30d") == CalendarDate(iso8601: "2026-11-30"))
        #expect(try since("4w") == CalendarDate(iso8601: "2026-12-02"))
        #expect(try since("2t", .vietnamese) == CalendarDate(iso8601: "2026-12-16"))
        #expect(try since("yesterday") == CalendarDate(iso8601: "2026-12-29"))
        #expect(try since("hôm qua", .vietnamese) == CalendarDate(iso8601: "2026-12-29"))
        #expect(try since("today") == Self.today)
        #expect(try since("2026-01-31") == CalendarDate(iso8601: "2026-01-31"))
        #expect(try since("31/1/2026", .vietnamese) == CalendarDate(iso8601: "2026-01-31"))
        #expect(throws: PipelineError.sinceDateInTheFuture("+1d")) { try since("+1d") }
        #expect(throws: PipelineError.sinceDateInTheFuture("2026-12-31")) { try since("2026-12-31") }
        for text in ["2026-13-01", "30", "30m", "-", "d"] {
            #expect(throws: PipelineError.invalidSinceDate(text, dayFirst: false), "\(text)") { try since(text) }
        }
        #expect(PipelineError.invalidSinceDate("x").message(in: .english).hasPrefix("since: 'x' is not a date"))
    }
}
