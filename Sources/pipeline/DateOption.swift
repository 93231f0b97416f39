import Foundation
import PipelineCore

/// A date option's value refused: one sentence naming the option as typed (`--since`,
/// `--from`, `--to`), exit 65 like any bad date the CLI is given.
struct DateOptionProblem: UserFacingError {
    let message: String

    func message(in language: Language) -> String { message }
}

/// A day of a period that ends today, as `stats stages --since` and the digest's `--since`,
/// `--from` and `--to` take it: `today`, `yesterday`, `30d` or `-30d` (30 days ago), `4w`, or
/// a date in the language's form; a day after today is refused (nothing has happened there).
enum DateOption {
    enum End {
        /// The first day of the period (`--since`, `--from`).
        case first
        /// Its last day (`--to`).
        case last
    }

    static func day(_ text: String, option: String, end: End, session: Session) throws -> CalendarDate {
        do {
            return try CalendarDate(parsingSince: text, language: session.language, today: session.today)
        } catch .sinceDateInTheFuture {
            throw DateOptionProblem(message: localized(end == .first ? "cli.date.future.first" : "cli.date.future.last", option, text))
        } catch {
            // `99999d`: a step back beyond the limit is a number of days, not something else
            // (it was called "not a date").
            if Self.isStepBeyondLimit(text) {
                throw DateOptionProblem(message: localized("cli.date.tooFarBack", option, text, CalendarDate.relativeStepLimit))
            }
            throw DateOptionProblem(message: localized("cli.date.bad", option, text))
        }
    }

    /// `99999d`, `-600w`: days or weeks back, written as `parsingSince` takes them, but more
    /// than `CalendarDate.relativeStepLimit` days.
    static func isStepBeyondLimit(_ text: String) -> Bool {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        let bare = word.hasPrefix("-") ? word.dropFirst() : Substring(word)
        guard let unit = bare.last, "dwnt".contains(unit) else { return false }
        let digits = bare.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let days = Int(digits).map { $0.multipliedReportingOverflow(by: unit == "w" || unit == "t" ? 7 : 1) }
        return days.map { $0.overflow || $0.partialValue > CalendarDate.relativeStepLimit } ?? true
    }
}
