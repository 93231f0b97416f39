/// Why the domain refused an action. Every case reads as one sentence (``message``) and
/// names the field or record at fault; nothing was changed when one is thrown.
public enum PipelineError: Error, Hashable, Sendable {
    // Input
    case emptyText(Field)
    case lineBreakNotAllowed(Field)
    /// Text longer than the field's `TextLimit` (`length` in Unicode scalars, as PostgreSQL counts).
    case textTooLong(Field, length: Int, limit: Int)
    case controlCharacter(Field, codePoint: UInt32)
    case bidirectionalOverride(Field, codePoint: UInt32)
    case invalidProbability(String)
    case invalidAmount(String, rule: AmountRule)
    case tooManyDecimals(String, currency: CurrencyCode)
    case amountTooLarge(String, currency: CurrencyCode)
    case invalidCurrency(String)
    /// `dayFirst`: the reader took DD/MM/YYYY too (Vietnamese input), so the sentence offers it.
    case invalidDate(String, dayFirst: Bool = false)
    case invalidPriority(String)
    case invalidEmail(String)
    case invalidPhone(String)
    case invalidTag(String)
    case positionOutOfRange(Int, maximum: Int)
    case invalidPosition(String)
    case unknownSetting(String, known: [String])
    /// `expected` is the catalogue key of what would be valid.
    case invalidSetting(key: String, value: String, expected: String)

    // Records
    case unknownTeam(String)
    case unknownStage(String, pipeline: String?)
    case unknownOpportunity(String)
    case unknownLead(String)
    /// `kind` is a record type as the catalogue's `kind.` keys name it: `opportunity`, `lead`,
    /// `stage`, `team`.
    case ambiguousName(kind: String, name: String, matches: [String])
    case duplicateTeamName(String)
    case duplicateStageName(String, pipeline: String?)

    // Rules
    case stageNotInPipeline(stage: String, pipeline: String)
    case stageRelativeToItself
    case opportunityRelativeToItself
    /// `--before`/`--after` named a card that is not in the column the card goes to.
    case anchorNotInColumn(Opportunity.ID)
    case stageNotEmpty(stage: String, count: Int)
    case moveTargetIsRemovedStage
    case scopeExcludesOccupants(stage: String, teams: [String])
    case probabilityFixedByOutcome(stage: String, outcome: StageOutcome)
    case noEntryStage(pipeline: String)
    case noWonStage(pipeline: String)
    case notAnOpportunity(Opportunity.ID)
    case nothingToRestore(Opportunity.ID)
    case lastTeam(String)
    case teamNotEmpty(String, opportunities: Int, leads: Int)
    case moveTeamToItself
    case nothingToChange

    // Leads
    case leadsOff
    case notALead(Opportunity.ID)
    case leadIsLost(Opportunity.ID)
    case leadNotLost(Opportunity.ID)
    case leadHasNoProbability
    case duplicatesNeedDecision(lead: Opportunity.ID, duplicates: [RecordMention])
    case cannotMergeWith(Opportunity.ID)

    // Files
    case backupNeedsFreshDatabase
    case backupInconsistent(BackupFault)
    /// `db copy` onto a store that holds more than a new one's defaults.
    case copyTargetNotEmpty(String)
    /// `db copy` from a store onto itself.
    case copyOntoItself(String)
    /// `db copy` from a store that holds nothing yet (a new one, or one only just created).
    case copySourceEmpty(String)

    // Concurrency
    /// `kind` as in ``ambiguousName(kind:name:matches:)``.
    case changedSinceLoaded(kind: String, id: Int64)

    // Access
    /// The person's role does not allow it (exit 77 on the command line).
    case notPermitted(AccessRefusal)
    /// Text that cannot be a server login: empty, longer than the server keeps (63 bytes),
    /// on several lines or with control characters.
    case invalidLogin(String)
    /// `user add` of a login that is already a user of the database.
    case userExists(String)
    /// A login that is not a user of the database.
    case unknownUser(String)

    // Activities and notes (issue 13)
    case invalidTime(String)
    /// `dayFirst` as in ``invalidDate(_:dayFirst:)``.
    case invalidDueDate(String, dayFirst: Bool = false)
    /// The first day of a period looked back on (`stats stages --since`) that is not a day,
    /// or is after today.
    case invalidSinceDate(String, dayFirst: Bool = false)
    case sinceDateInTheFuture(String)
    case invalidRottingDays(String)
    /// Rotting days given to a won or lost stage (closed deals never rot).
    case closedStageDoesNotRot(stage: String)
    case invalidNextDelay(String)
    case unknownActivityType(String, known: [String])
    case duplicateActivityTypeName(String)
    /// Removing a type some activities still have (`count` `nil`: some of them are other
    /// teams', out of sight, so their number is not told).
    case activityTypeInUse(name: String, count: Int?)
    case unknownActivity(String)
    case unknownNote(String)
    case activityAlreadyDone(Activity.ID)
    case activityNotDone(Activity.ID)

    /// The field this error is about, when it is about one.
    public var field: Field? {
        switch self {
        case .emptyText(let field), .lineBreakNotAllowed(let field), .controlCharacter(let field, _), .textTooLong(let field, _, _),
             .bidirectionalOverride(let field, _):
            return field
        case .invalidProbability, .probabilityFixedByOutcome: return .probability
        case .invalidAmount, .tooManyDecimals, .amountTooLarge: return .expectedRevenue
        case .invalidCurrency: return .currency
        case .invalidDate: return .closingDate
        case .invalidPriority: return .priority
        case .invalidEmail: return .email
        case .invalidPhone: return .phone
        case .invalidTag: return .tag
        case .positionOutOfRange, .invalidPosition: return .position
        case .duplicateStageName: return .stageName
        case .duplicateTeamName: return .teamName
        case .unknownSetting, .invalidSetting: return .setting
        case .invalidTime: return .time
        case .invalidDueDate: return .dueDate
        case .invalidRottingDays, .closedStageDoesNotRot: return .rottingDays
        case .invalidNextDelay: return .nextDelay
        case .unknownActivityType: return .activityType
        case .duplicateActivityTypeName: return .activityTypeName
        default: return nil
        }
    }

    /// One English sentence saying what is wrong and, where it helps, what to do.
    public var message: String { message(in: .english) }

    /// One sentence in `language` saying what is wrong and, where it helps, what to do.
    public func message(in language: Language) -> String {
        let t = Localizer(language)
        func field(_ field: Field) -> String { field.name(in: language) }
        /// A record type in the language; one the catalogue does not know shows as it is.
        func kindName(_ name: String) -> String { Catalogue.table(language)["kind.\(name)"] ?? name }
        switch self {
        case .emptyText(let name): return t("error.emptyText", field(name))
        case .lineBreakNotAllowed(let name): return t("error.lineBreak", field(name))
        case .textTooLong(let name, let length, let limit):
            return t("error.textTooLong", field(name), limit, length)
        case .controlCharacter(let name, let codePoint): return t("error.controlCharacter", field(name), Self.hex(codePoint))
        case .bidirectionalOverride(let name, let codePoint): return t("error.bidi", field(name), Self.hex(codePoint))
        case .invalidProbability(let text): return t("error.probability", text)
        case .invalidAmount(let text, let rule):
            switch rule {
            case .english: return t("error.amount.english", text)
            case .vietnamese: return t("error.amount.vietnamese", text)
            case .plain: return t("error.amount.plain", text)
            case .englishWhole(let currency): return t("error.amount.englishWhole", text, currency.code)
            case .vietnameseWhole(let currency): return t("error.amount.vietnameseWhole", text, currency.code)
            }
        case .tooManyDecimals(let text, let currency):
            let digits = currency.minorDigits
            return digits == 0 ? t("error.decimals.none", text, currency.code) : t("error.decimals.some", text, currency.code, digits)
        case .amountTooLarge(let text, let currency):
            return t("error.amountTooLarge", text, Money.maximumDigits - currency.minorDigits, currency.code)
        case .invalidCurrency(let text):
            // XAU is an ISO 4217 code (gold), only not one of amounts: say what it is.
            let code = String(text.filter { !$0.isWhitespace }.uppercased())
            return t(ISO4217.units.contains(code) ? "error.currency.unit" : "error.currency", text)
        case .invalidDate(let text, let dayFirst): return t(dayFirst ? "error.date.dayFirst" : "error.date", text)
        case .invalidPriority(let text): return t("error.priority", text)
        case .invalidEmail(let text): return t("error.email", text)
        case .invalidPhone(let text): return t("error.phone", text)
        case .invalidTag(let text): return t("error.tag", text)
        case .positionOutOfRange(let position, let maximum): return t("error.positionRange", position, maximum)
        case .invalidPosition(let text): return t("error.position", text)
        case .unknownSetting(let key, let known): return t("error.unknownSetting", key, known.joined(separator: ", "))
        case .invalidSetting(let key, let value, let expected): return t("error.invalidSetting", key, value, t(expected))
        case .unknownTeam(let reference): return t("error.unknownTeam", reference)
        case .unknownStage(let reference, let pipeline):
            return pipeline.map { t("error.unknownStage.in", reference, $0) } ?? t("error.unknownStage", reference)
        case .unknownOpportunity(let reference): return t("error.unknownOpportunity", reference)
        case .unknownLead(let reference): return t("error.unknownLead", reference)
        case .ambiguousName(let kind, let name, let matches): return t("error.ambiguous", kindName(kind), name, matches.joined(separator: "; "))
        case .duplicateTeamName(let name): return t("error.duplicateTeam", name)
        case .duplicateStageName(let name, let pipeline):
            return pipeline.map { t("error.duplicateStage.in", $0, name) } ?? t("error.duplicateStage", name)
        case .stageNotInPipeline(let stage, let pipeline): return t("error.stageNotInPipeline", stage, pipeline)
        case .stageRelativeToItself: return t("error.stageRelativeToItself")
        case .opportunityRelativeToItself: return t("error.opportunityRelativeToItself")
        case .anchorNotInColumn(let id): return t("error.anchorNotInColumn", id)
        case .stageNotEmpty(let stage, let number):
            return t("error.stageNotEmpty", stage, t.plural("count.opportunity", number))
        case .moveTargetIsRemovedStage: return t("error.moveToRemoved")
        case .scopeExcludesOccupants(let stage, let teams): return t("error.scope", stage, teams.joined(separator: ", "))
        case .probabilityFixedByOutcome(let stage, let outcome):
            return t("error.fixedProbability", stage, outcome.name(in: language), outcome.forcedProbability?.description ?? "")
        case .noEntryStage(let pipeline): return t("error.noEntryStage", pipeline)
        case .noWonStage(let pipeline): return t("error.noWonStage", pipeline)
        case .notAnOpportunity(let id): return t("error.notAnOpportunity", id)
        case .nothingToRestore(let id): return t("error.nothingToRestore", id)
        case .lastTeam(let name): return t("error.lastTeam", name)
        case .teamNotEmpty(let name, let opportunities, let leads):
            return t("error.teamNotEmpty", name, t.plural("count.opportunity", opportunities), t.plural("count.lead", leads))
        case .moveTeamToItself: return t("error.moveTeamToItself")
        case .nothingToChange: return t("error.nothingToChange")
        case .leadsOff: return t("error.leadsOff")
        case .notALead(let id): return t("error.notALead", id)
        case .leadIsLost(let id): return t("error.leadIsLost", id)
        case .leadNotLost(let id): return t("error.leadNotLost", id)
        case .leadHasNoProbability: return t("error.leadProbability")
        case .duplicatesNeedDecision(let lead, let duplicates):
            let listed = duplicates.map { t("error.mention", $0.id, $0.kind.name(in: language), $0.title) }
            return t("error.duplicatesNeedDecision", lead, listed.joined(separator: "; "))
        case .cannotMergeWith(let id): return t("error.cannotMerge", id)
        case .backupNeedsFreshDatabase: return t("error.backupNeedsFresh")
        case .backupInconsistent(let fault): return t("error.backupInconsistent", fault.message(in: language))
        case .copyTargetNotEmpty(let location): return t("error.copyTargetNotEmpty", location)
        case .copyOntoItself(let location): return t("error.copyOntoItself", location)
        case .copySourceEmpty(let location): return t("error.copySourceEmpty", location)
        case .changedSinceLoaded(let name, let id): return t("error.changedSinceLoaded", kindName(name), id)
        case .notPermitted(let refusal): return refusal.message(in: language)
        case .invalidLogin(let login): return t("error.invalidLogin", login)
        case .userExists(let login): return t("error.userExists", login)
        case .unknownUser(let login): return t("error.unknownUser", login)
        case .invalidTime(let text): return t("error.time", text)
        case .invalidDueDate(let text, let dayFirst): return t(dayFirst ? "error.dueDate.dayFirst" : "error.dueDate", text)
        case .invalidSinceDate(let text, let dayFirst): return t(dayFirst ? "error.since.dayFirst" : "error.since", text)
        case .sinceDateInTheFuture(let text): return t("error.since.future", text)
        case .invalidRottingDays(let text): return t("error.rottingDays", text, Stage.rottingDaysRange.upperBound)
        case .closedStageDoesNotRot(let stage): return t("error.closedStageDoesNotRot", stage)
        case .invalidNextDelay(let text): return t("error.nextDelay", text, ActivityType.nextDelayRange.upperBound)
        case .unknownActivityType(let reference, let known): return t("error.unknownActivityType", reference, known.joined(separator: ", "))
        case .duplicateActivityTypeName(let name): return t("error.duplicateActivityType", name)
        case .activityTypeInUse(let name, let count?): return t("error.activityTypeInUse", name, t.plural("count.activity", count))
        case .activityTypeInUse(let name, nil): return t("error.activityTypeInUseOutOfSight", name)
        case .unknownActivity(let reference): return t("error.unknownActivity", reference)
        case .unknownNote(let reference): return t("error.unknownNote", reference)
        case .activityAlreadyDone(let id): return t("error.activityAlreadyDone", id)
        case .activityNotDone(let id): return t("error.activityNotDone", id)
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension PipelineHint {
    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        let t = Localizer(language)
        switch self {
        case .tooManyColumns(let pipelines, let count):
            let limit = StageCatalog.readableColumnCount
            if pipelines.count == 1 { return t("hint.tooManyColumns.one", pipelines[0], count, limit) }
            return t("hint.tooManyColumns.many", pipelines.count > 3 ? String(pipelines.count) : pipelines.joined(separator: ", "), count, limit)
        }
    }
}

extension Field {
    /// How messages name the field.
    public func name(in language: Language) -> String { Catalogue.text("field.\(String(describing: self))", language) }
}

extension StageOutcome {
    public func name(in language: Language) -> String { Catalogue.text("outcome.\(rawValue)", language) }
}

extension RecordKind {
    /// "opportunity" or "lead" in `language`.
    public func name(in language: Language) -> String { Catalogue.text("kind.\(rawValue)", language) }
}

/// A record named in a message: its id, kind and title.
public struct RecordMention: Hashable, Sendable {
    public var id: Opportunity.ID
    public var kind: RecordKind
    public var title: String

    public init(id: Opportunity.ID, kind: RecordKind, title: String) {
        self.id = id
        self.kind = kind
        self.title = title
    }
}

/// An error that carries one sentence for the user, whatever module it comes from.
/// What is wrong in a backup file, and on which line: a catalogue key and its arguments,
/// so that it reads in the user's language.
public struct BackupFault: Error, Hashable, Sendable {
    public var key: String
    public var arguments: [String]
    public var line: Int?
    /// Where in the backup's JSON: `records[2].notes`.
    public var path: String?
    /// The character of `line` (1-based) a JSON syntax error is at.
    public var column: Int?

    public init(_ key: String, _ arguments: String..., line: Int? = nil, path: String? = nil) {
        self.init(key, arguments: arguments, line: line, path: path)
    }

    public init(_ key: String, arguments: [String], line: Int? = nil, column: Int? = nil, path: String? = nil) {
        self.key = key
        self.arguments = arguments
        self.line = line
        self.column = column
        self.path = path
    }

    /// A record whose stage is not where its last history line (`line`, nil when it has
    /// none) took it: what `check` calls damaged, found before a restore commits.
    public static func stageNotInHistory(record: Int64, stage: Int64, line: Int64?) -> BackupFault {
        line.map { BackupFault("backup.stageNotInHistory", String(record), String(stage), String($0)) }
            ?? BackupFault("backup.noHistory", String(record), String(stage))
    }

    public func message(in language: Language) -> String {
        let text = Catalogue.text(key, language, arguments)
        if let line, let column { return Catalogue.text("backup.atLineAndColumn", language, [String(line), String(column), text]) }
        switch (line, path) {
        case (let line?, let path?): return Catalogue.text("backup.atLineAndPath", language, [String(line), path, text])
        case (let line?, nil): return Catalogue.text("backup.atLine", language, [String(line), text])
        case (nil, let path?): return Catalogue.text("backup.atPath", language, [path, text])
        case (nil, nil): return text
        }
    }
}

public protocol UserFacingError: Error {
    var message: String { get }
    func message(in language: Language) -> String
}

extension PipelineError: UserFacingError {}
