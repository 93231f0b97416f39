/// Why the domain refused an action. Every case reads as one sentence (``message``) and
/// names the field or record at fault; nothing was changed when one is thrown.
public enum PipelineError: Error, Hashable, Sendable {
    // Input
    case emptyText(Field)
    case lineBreakNotAllowed(Field)
    case controlCharacter(Field, codePoint: UInt32)
    case bidirectionalOverride(Field, codePoint: UInt32)
    case invalidProbability(String)
    case invalidAmount(String, rule: AmountRule)
    case tooManyDecimals(String, currency: CurrencyCode)
    case amountTooLarge(String)
    case invalidCurrency(String)
    case invalidDate(String)
    case invalidPriority(String)
    case invalidEmail(String)
    case invalidPhone(String)
    case invalidTag(String)
    case positionOutOfRange(Int, maximum: Int)
    case invalidPosition(String)
    case unknownSetting(String, known: [String])
    case invalidSetting(key: String, value: String, expected: String)

    // Records
    case unknownTeam(String)
    case unknownStage(String, pipeline: String?)
    case unknownOpportunity(String)
    case unknownLead(String)
    case ambiguousName(kind: String, name: String, matches: [String])
    case duplicateTeamName(String)
    case duplicateStageName(String, pipeline: String?)

    // Rules
    case stageNotInPipeline(stage: String, pipeline: String)
    case stageRelativeToItself
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
    case duplicatesNeedDecision(lead: Opportunity.ID, duplicates: [String])
    case cannotMergeWith(Opportunity.ID)

    // Files
    case backupNeedsFreshDatabase
    case backupInconsistent(String)

    // Concurrency
    case changedSinceLoaded(kind: String, id: Int64)

    /// The field this error is about, when it is about one.
    public var field: Field? {
        switch self {
        case .emptyText(let field), .lineBreakNotAllowed(let field), .controlCharacter(let field, _),
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
        default: return nil
        }
    }

    /// One English sentence saying what is wrong and, where it helps, what to do.
    public var message: String {
        switch self {
        case .emptyText(let field):
            return "\(field.rawValue): must not be empty"
        case .lineBreakNotAllowed(let field):
            return "\(field.rawValue): must be a single line"
        case .controlCharacter(let field, let codePoint):
            return "\(field.rawValue): control character \(Self.hex(codePoint)) is not allowed (it could drive the terminal)"
        case .bidirectionalOverride(let field, let codePoint):
            return "\(field.rawValue): bidirectional control \(Self.hex(codePoint)) is not allowed"
        case .invalidProbability(let text):
            return "probability: '\(text)' is not a percentage from 0 to 100 with at most two decimals"
        case .invalidAmount(let text, let rule):
            switch rule {
            case .english:
                return "expected revenue: '\(text)' is not an amount; in English write 1,500,000.50 (',' groups thousands, '.' is the decimal point)"
            case .vietnamese:
                return "expected revenue: '\(text)' is not an amount; in Vietnamese write 1.500.000,50 ('.' groups thousands, ',' is the decimal point)"
            case .plain:
                return "expected revenue: '\(text)' is not an amount; write digits with an optional '.' decimal point, e.g. 1500000.50"
            }
        case .tooManyDecimals(let text, let currency):
            let digits = currency.minorDigits
            let allowed = digits == 0 ? "\(currency.code) amounts have no decimals" : "\(currency.code) amounts have at most \(digits) decimal\(digits == 1 ? "" : "s")"
            return "expected revenue: '\(text)' has too many decimals; \(allowed)"
        case .amountTooLarge(let text):
            return "expected revenue: '\(text)' is too large (at most 18 digits in all)"
        case .invalidCurrency(let text):
            return "currency: '\(text)' is not an ISO 4217 code such as VND, USD or EUR"
        case .invalidDate(let text):
            return "expected closing date: '\(text)' is not a date; write YYYY-MM-DD, e.g. 2026-12-31"
        case .invalidPriority(let text):
            return "priority: '\(text)' is not a whole number from 0 to 3"
        case .invalidEmail(let text):
            return "email: '\(text)' is not an e-mail address"
        case .invalidPhone(let text):
            return "phone: '\(text)' may hold only digits, spaces and + - ( ) ."
        case .invalidTag(let text):
            return "tag: '\(text)' must be non-empty and may not contain a comma"
        case .positionOutOfRange(let position, let maximum):
            return "position: \(position) is out of range; choose 1 to \(maximum)"
        case .invalidPosition(let text):
            return "position: '\(text)' is not a whole number"
        case .unknownSetting(let key, let known):
            return "setting: '\(key)' is not a setting; known settings: \(known.joined(separator: ", "))"
        case .invalidSetting(let key, let value, let expected):
            return "setting \(key): '\(value)' is not valid; expected \(expected)"
        case .unknownTeam(let reference):
            return "team: no team '\(reference)'"
        case .unknownStage(let reference, let pipeline):
            if let pipeline { return "stage: no stage '\(reference)' in the \(pipeline) pipeline" }
            return "stage: no stage '\(reference)'"
        case .unknownOpportunity(let reference):
            return "opportunity: no opportunity '\(reference)'"
        case .unknownLead(let reference):
            return "lead: no lead '\(reference)'"
        case .ambiguousName(let kind, let name, let matches):
            return "\(kind): '\(name)' matches several records; give an id: \(matches.joined(separator: "; "))"
        case .duplicateTeamName(let name):
            return "team name: a team named '\(name)' already exists"
        case .duplicateStageName(let name, let pipeline):
            if let pipeline { return "stage name: the \(pipeline) pipeline already has a stage named '\(name)'" }
            return "stage name: a stage named '\(name)' already exists in a pipeline that would show this one"
        case .stageNotInPipeline(let stage, let pipeline):
            return "stage: '\(stage)' is not in the \(pipeline) pipeline"
        case .stageRelativeToItself:
            return "stage: a stage cannot be placed before or after itself"
        case .stageNotEmpty(let stage, let count):
            return "stage: '\(stage)' still holds \(count) opportunit\(count == 1 ? "y" : "ies") (archived ones included); give --move-to STAGE to move them"
        case .moveTargetIsRemovedStage:
            return "stage: opportunities cannot be moved to the stage being removed"
        case .scopeExcludesOccupants(let stage, let teams):
            return "stage: '\(stage)' holds opportunities of \(teams.joined(separator: ", ")); it must stay visible to their pipelines"
        case .probabilityFixedByOutcome(let stage, let outcome):
            return "probability: '\(stage)' is a \(outcome.rawValue) stage, so its probability is always \(outcome.forcedProbability?.description ?? "")"
        case .noEntryStage(let pipeline):
            return "stage: the \(pipeline) pipeline has no open, unfolded stage to put the opportunity in; give --stage"
        case .noWonStage(let pipeline):
            return "stage: the \(pipeline) pipeline has no won stage; add one with: pipeline stage add Won --won"
        case .notAnOpportunity(let id):
            return "opportunity: \(id) is a lead, not an opportunity"
        case .nothingToRestore(let id):
            return "opportunity: \(id) is neither lost, won nor archived, so there is nothing to restore"
        case .lastTeam(let name):
            return "team: '\(name)' is the last team and cannot be removed"
        case .teamNotEmpty(let name, let opportunities, let leads):
            return "team: '\(name)' still has \(opportunities) opportunit\(opportunities == 1 ? "y" : "ies") and \(leads) lead\(leads == 1 ? "" : "s"); give --move-to TEAM to move them"
        case .moveTeamToItself:
            return "team: records cannot be moved to the team being removed"
        case .nothingToChange:
            return "nothing to change: give at least one option"
        case .leadsOff:
            return "leads are off; turn them on with: pipeline settings set leads on"
        case .notALead(let id):
            return "lead: \(id) is an opportunity, not a lead"
        case .leadIsLost(let id):
            return "lead: \(id) is lost; restore it first with: pipeline lead restore \(id)"
        case .leadNotLost(let id):
            return "lead: \(id) is not lost, so there is nothing to restore"
        case .leadHasNoProbability:
            return "probability: a lead has no probability until it is converted into an opportunity"
        case .duplicatesNeedDecision(let lead, let duplicates):
            return "lead: \(lead) has possible duplicates (\(duplicates.joined(separator: "; "))); give --merge-with ID,ID or --no-merge"
        case .cannotMergeWith(let id):
            return "merge: \(id) cannot be merged (it is the lead itself, plainly archived, or another team's private record)"
        case .backupNeedsFreshDatabase:
            return "import: a full backup goes only into a fresh database (holding just the untouched defaults); this one has other data"
        case .backupInconsistent(let reason):
            return "import: the backup is inconsistent: \(reason)"
        case .changedSinceLoaded(let kind, let id):
            return "\(kind) \(id) was changed by someone else since you loaded it; reload and try again"
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension PipelineHint {
    public var message: String {
        switch self {
        case .tooManyColumns(let pipelines, let count):
            let names = pipelines.count > 3 ? "\(pipelines.count) pipelines" : "the \(pipelines.joined(separator: ", ")) pipeline\(pipelines.count == 1 ? "" : "s")"
            return "hint: \(names) now \(pipelines.count == 1 ? "has" : "have") \(count) stages; more than \(StageCatalog.readableColumnCount) columns make a pipeline hard to read"
        }
    }
}

/// An error that carries one sentence for the user, whatever module it comes from.
public protocol UserFacingError: Error {
    var message: String { get }
}

extension PipelineError: UserFacingError {}
