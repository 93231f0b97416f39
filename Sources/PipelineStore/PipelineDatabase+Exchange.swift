import Foundation
import GRDB
import PipelineCore

/// A record as files carry it: the domain value plus what only files need.
public struct ExchangeRecord: Sendable {
    public var record: Opportunity
    /// The External ID files identify it by: the one it was imported with, else ours.
    public var externalID: String
    /// The one it was imported with, if any (what a backup keeps).
    public var storedExternalID: String?
    public var stageName: String?
    public var teamName: String
}

public struct ExchangeStage: Sendable {
    public var stage: Stage
    public var externalID: String
    public var storedExternalID: String?
    public var teamName: String?
}

extension PipelineDatabase {
    /// Our External IDs, for records that came with none: stable, and recognised on re-import.
    public static func externalID(of record: Opportunity.ID) -> String { "pipeline.crm_lead_\(record.rawValue)" }
    public static func externalID(of stage: Stage.ID) -> String { "pipeline.crm_stage_\(stage.rawValue)" }

    /// Every lead and/or opportunity, archived ones included, in id order, one at a time.
    public func forEachExchangeRecord(kind: RecordKind?, _ body: (ExchangeRecord) throws -> Void) throws {
        try read { db in
            let catalog = try Self.fetchCatalog(db)
            var sql = "SELECT \(Rows.opportunityColumns), external_id FROM opportunity"
            var arguments: StatementArguments = []
            if let kind { sql += " WHERE type = ?"; arguments += [kind.rawValue] }
            let rows = try Row.fetchCursor(db, sql: sql + " ORDER BY id", arguments: arguments)
            while let row = try rows.next() {
                let record = Rows.opportunity(row)
                let external: String? = row["external_id"]
                try body(ExchangeRecord(record: record, externalID: external ?? Self.externalID(of: record.id), storedExternalID: external,
                                        stageName: record.stage.flatMap { catalog.stage($0)?.name },
                                        teamName: catalog.team(record.team)?.name ?? ""))
            }
        }
    }

    /// Every stage in the global order.
    public func exchangeStages() throws -> [ExchangeStage] {
        try read { db in
            let catalog = try Self.fetchCatalog(db)
            let externals = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, external_id FROM stage")
                .map { (Stage.ID($0["id"]), $0["external_id"] as String?) })
            return catalog.stages.map { stage in
                ExchangeStage(stage: stage, externalID: externals[stage.id].flatMap { $0 } ?? Self.externalID(of: stage.id),
                              storedExternalID: externals[stage.id].flatMap { $0 },
                              teamName: stage.scope.team.flatMap { catalog.team($0)?.name })
            }
        }
    }

    /// Runs an import in one transaction: everything the body writes through the writer is
    /// kept only if the body returns normally and this is not a dry run.
    public func importing<T>(dryRun: Bool, options: ImportOptions, _ body: (ImportWriter) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    let writer = try ImportWriter(db: db, options: options)
                    result = try body(writer)
                    try writer.finish()
                    return dryRun ? .rollback : .commit
                }
                guard let result else { throw StoreError.failed(path: path, reason: Catalogue.text("import.producedNothing", options.language)) }
                return result
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}

/// Options of an import.
public struct ImportOptions: Sendable {
    public var createMissingStages: Bool
    public var createMissingTeams: Bool
    /// The team records without one go to (the current team when `nil`).
    public var defaultTeam: Team.ID?
    public var now: Timestamp
    public var user: String
    /// The language problems are reported in.
    public var language: Language

    public init(createMissingStages: Bool = false, createMissingTeams: Bool = false, defaultTeam: Team.ID? = nil,
                now: Timestamp, user: String, language: Language = .english) {
        self.createMissingStages = createMissingStages
        self.createMissingTeams = createMissingTeams
        self.defaultTeam = defaultTeam
        self.now = now
        self.user = user
        self.language = language
    }
}

/// How a file names a related stage or team: by name, or by External ID.
public enum ExchangeReference: Hashable, Sendable {
    case name(String)
    case externalID(String)
}

/// One lead or opportunity from a file, validated field by field.
public struct ImportedRecord: Sendable {
    public var externalID: String?
    public var kind: RecordKind?
    /// Fields the file gives (`nil`: the column is absent, keep what is there).
    public var changes: OpportunityChanges
    public var stage: ExchangeReference?
    public var team: ExchangeReference?
    public var active: Bool?
    public var lostReason: String?

    public init(externalID: String? = nil, kind: RecordKind? = nil, changes: OpportunityChanges = OpportunityChanges(),
                stage: ExchangeReference? = nil, team: ExchangeReference? = nil, active: Bool? = nil, lostReason: String? = nil) {
        self.externalID = externalID
        self.kind = kind
        self.changes = changes
        self.stage = stage
        self.team = team
        self.active = active
        self.lostReason = lostReason
    }
}

/// One stage from a file.
public struct ImportedStage: Sendable {
    public var externalID: String?
    public var name: String?
    public var sequence: Int?
    public var probability: Probability?
    public var changesProbabilityAutomatically: Bool?
    public var isWon: Bool?
    public var isFolded: Bool?
    public var requirements: String?
    public var team: ExchangeReference?

    public init(externalID: String? = nil, name: String? = nil, sequence: Int? = nil, probability: Probability? = nil,
                changesProbabilityAutomatically: Bool? = nil, isWon: Bool? = nil, isFolded: Bool? = nil,
                requirements: String? = nil, team: ExchangeReference? = nil) {
        self.externalID = externalID
        self.name = name
        self.sequence = sequence
        self.probability = probability
        self.changesProbabilityAutomatically = changesProbabilityAutomatically
        self.isWon = isWon
        self.isFolded = isFolded
        self.requirements = requirements
        self.team = team
    }
}

/// What an import did (or, in a dry run, would do).
public struct ImportSummary: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var stagesCreated: [String] = []
    public var teamsCreated: [String] = []

    public init() {}
}

/// Why one line of a file cannot be imported; the import then changes nothing.
public struct ImportProblem: Error, Sendable, Equatable {
    public var column: String?
    public var message: String

    public init(column: String?, message: String) {
        self.column = column
        self.message = message
    }
}
