import ArgumentParser
import Foundation
import PipelineCore
import PipelineEngines
import PipelineExchange
import PipelineStorage

/// Options every command takes, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        localized("cli.global.theStore"),
        discussion: localized("cli.global.defaultPipelineDbElseXdg"),
        valueName: "store"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(localized("cli.global.languageEnOrViDefault"), valueName: "code"))
    var lang: String?

    func validate() throws {
        if let lang, Language(code: lang) == nil {
            throw ValidationError(localized("cli.global.langIsNotALanguage", lang))
        }
        // An empty path is a script's unset variable, not a wish for the default database;
        // a blank one ("   ") would make a file named by spaces.
        func blank(_ path: String) -> Bool { path.allSatisfy { $0.isWhitespace } }
        if db.map(blank) == true { throw ValidationError(localized("cli.global.emptyDb")) }
        if db == nil, ProcessInfo.processInfo.environment["PIPELINE_DB"].map(blank) == true {
            throw ValidationError(localized("cli.global.emptyPipelineDb"))
        }
    }

    /// The database path the options and the environment choose.
    var databasePath: String {
        Self.databasePath(option: db, environment: ProcessInfo.processInfo.environment)
    }

    /// A database file the user named (`--db`, `$PIPELINE_DB`) that does not exist: a command
    /// that only reads says so rather than create it (and the folders to it) for a mistyped
    /// name. The default file is made on first use by any command, so that a new user's first
    /// `pipeline stage list` shows the stages they start with; the board and every command
    /// that writes create a named file too.
    var missingChosenDatabase: String? {
        let environment = ProcessInfo.processInfo.environment
        guard (db.map { !$0.isEmpty } ?? false) || (environment["PIPELINE_DB"].map { !$0.isEmpty } ?? false) else { return nil }
        let path = databasePath
        guard StoreOpener.engine(for: path) == .sqlite, !FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    /// `--db`, else $PIPELINE_DB, else the XDG data directory's pipeline/pipeline.sqlite.
    static func databasePath(option db: String?, environment: [String: String]) -> String {
        if let db, !db.isEmpty { return db }
        if let path = environment["PIPELINE_DB"], !path.isEmpty { return path }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) as NSString)
                .appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("pipeline/pipeline.sqlite")
    }

    /// The longest `PIPELINE_BUSY_TIMEOUT` taken: a day, in seconds.
    static let longestBusyTimeout: Double = 86_400

    /// `PIPELINE_BUSY_TIMEOUT` in seconds, else the default; anything but a number of
    /// seconds from 0 to a day is a configuration error.
    static func busyTimeout(_ environment: [String: String]) throws -> TimeInterval {
        guard let text = environment["PIPELINE_BUSY_TIMEOUT"] else { return StoreOpener.defaultBusyTimeout }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }), let seconds = Double(trimmed),
              seconds.isFinite, (0...longestBusyTimeout).contains(seconds) else {
            throw ConfigurationError.busyTimeout(text)
        }
        return seconds
    }

    /// `--lang`, else the locale: what a new database is seeded in.
    var requestedLanguage: Language {
        lang.flatMap(Language.init(code:)) ?? Language.fromLocale(environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the store for one command. A command that only reads still works on a
    /// database the user may not write to.
    func open(forWriting writing: Bool = true, acceptingDamage: Bool = false) throws -> Session {
        if let clock = ProcessInfo.processInfo.environment["PIPELINE_NOW"], Timestamp.clockOverride == nil {
            throw ConfigurationError.clock(clock)
        }
        let user = Session.user(ProcessInfo.processInfo.environment)
        if !writing, let path = missingChosenDatabase {
            // A setting that cannot be used is said first, as it is for a file that exists.
            _ = try Self.busyTimeout(ProcessInfo.processInfo.environment)
            throw FileError.noDatabase(path: path)
        }
        let store = try openStore(at: databasePath, forWriting: writing, acceptingDamage: acceptingDamage, user: user)
        let stored = try store.setting(.language).flatMap(Language.init(code:))
        let language = lang.flatMap(Language.init(code:)) ?? stored ?? requestedLanguage
        CLILanguage.set(language)
        // On a server the history's "by whom" is the login the server authenticated, never
        // what `$USER` claims (the server's trigger insists on it too).
        return Session(database: store, language: language, user: store.user ?? user)
    }
}

extension GlobalOptions {
    /// Opens the store at `location` (a path or a server), seeded in the requested language
    /// when it is new.
    /// A store that opens with a warning (a file that looks damaged, opened to be read) says
    /// it on standard error.
    /// The store acts for `user` (whose preferences it reads and writes), by default the
    /// one running the command.
    func openStore(at location: String, forWriting writing: Bool = true, acceptingDamage: Bool = false,
                   user: String? = Session.user(ProcessInfo.processInfo.environment)) throws -> any PipelineStore {
        let busyTimeout = try Self.busyTimeout(ProcessInfo.processInfo.environment)
        return try StoreOpener.open(location, seedLanguage: requestedLanguage, now: .now, busyTimeout: busyTimeout, forWriting: writing,
                                    acceptingDamage: acceptingDamage, user: user) { warning in
            Console.error(localized("cli.warning", warning.message(in: CLILanguage.current)))
        }
    }
}

/// A setting in the environment that cannot be used (exit 78).
enum ConfigurationError: UserFacingError {
    case busyTimeout(String)
    case clock(String)

    var message: String { message(in: .english) }

    func message(in language: Language) -> String {
        switch self {
        case .busyTimeout(let text):
            return Catalogue.text("cli.global.badBusyTimeout", language, [text, String(Int(GlobalOptions.longestBusyTimeout))])
        case .clock(let text):
            return Catalogue.text("cli.global.badClock", language, [text])
        }
    }
}

/// An open database and the language to speak, for one command.
struct Session {
    /// The store, acting for whoever runs the command: on a file `user`, on a server the
    /// role it logged in as (`database.user`).
    let database: any PipelineStore
    let language: Language
    /// Who runs the command as the stage history records them: on a server the session
    /// user, on a file `$USER`, whose preferences (current team, language, direction) the
    /// store then reads and writes.
    let user: String

    /// `$USER`, else `$LOGNAME`, else "unknown": the name the stage history records, a new
    /// deal's salesperson, and on a file the one preferences are kept under. A variable counts
    /// as unset when it is blank (an empty name would author notes as nobody and make every
    /// unassigned deal "mine") or is not a name the core accepts for a salesperson (a control
    /// character, an escape sequence, a bidirectional override, beyond the one-line limit):
    /// stored as a deal's salesperson, such a name made a backup that could not be restored.
    static func user(_ environment: [String: String]) -> String {
        func named(_ key: String) -> String? {
            guard let value = environment[key], let name = try? TextInput.singleLine(value, field: .salesperson),
                  !name.isEmpty else { return nil }
            return name
        }
        return named("USER") ?? named("LOGNAME") ?? "unknown"
    }

    /// How far the user's clock is ahead of UTC now (their time zone, `TZ`): the core reads no
    /// zone, so the executable turns "now" into the user's day here.
    var utcOffsetSeconds: Int { TimeZone.current.secondsFromGMT(for: Timestamp.now.date) }

    /// The user's local date: what overdue, due today and `--due tomorrow` are relative to.
    var today: CalendarDate { Timestamp.now.localDate(utcOffsetSeconds: utcOffsetSeconds) }

    /// An instant as the user reads it on a text page (`opp show`): their day and time, no
    /// zone written, as the board's page shows it; `--json` keeps ISO 8601 in UTC.
    func localTime(_ at: Timestamp) -> String {
        at.localDisplay(in: language, utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: Double(at.millisecondsSince1970) / 1000)))
    }

    /// Who is acting and when, for the stage history.
    func context() -> ChangeContext {
        ChangeContext(now: .now, user: user)
    }

    /// The team `reference` (the value of `option`) names, else the current team.
    func team(_ reference: String?, option: String = "--team") throws -> Team {
        if let reference { return try team(option: reference, option) }
        return try database.currentTeam()
    }

    /// The team an option's value names; an unknown one is said with the option as the user
    /// typed it (`--team: no team 'X'`), not the core's field name.
    func team(option reference: String, _ option: String = "--team") throws -> Team {
        do {
            return try database.team(reference)
        } catch PipelineError.unknownTeam(let name) {
            throw OptionValueProblem(message: localized("cli.option.unknownTeam", option, name))
        }
    }

    func money(_ minor: Int128, _ currency: CurrencyCode) -> String {
        MoneyFormat.display(minor, currency: currency, language: language)
    }

    func money(_ value: Money) -> String { money(Int128(value.minorUnits), value.currency) }
}

extension Timestamp {
    /// The current time: read here, in the executable, and passed into the domain.
    ///
    /// `PIPELINE_NOW` (an ISO 8601 instant in UTC, `2026-12-01T09:00:00Z`) stands in for the
    /// clock: the end-to-end tests build a history over days through the real binary with it
    /// (the digest's start and end are days apart). `GlobalOptions.open` refuses a value it
    /// cannot read, so a mistyped one never silently becomes the real clock.
    static var now: Timestamp {
        if let fixed = clockOverride { return fixed }
        return Timestamp(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }

    /// `PIPELINE_NOW`, when set and readable.
    static var clockOverride: Timestamp? {
        ProcessInfo.processInfo.environment["PIPELINE_NOW"].flatMap { Timestamp(iso8601: $0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The instant as Foundation counts it (for the zone's offset at that instant).
    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }
}

/// An option's value that names nothing (an unknown team): one sentence naming the option as
/// typed, exit 65 (bad data), as the core's own refusal of the same value was.
struct OptionValueProblem: UserFacingError {
    let message: String

    func message(in language: Language) -> String { message }
}
