import Foundation
import GRDB
import PipelineCore

/// One thing wrong with a database file, as `pipeline check` reports it.
public enum IntegrityProblem: Equatable, Sendable, CustomStringConvertible {
    /// The file's size and header disagree (see `PipelineDatabase.damage(atPath:)`).
    case file(FileDamage)
    /// A line of SQLite's own check of its pages and indexes (SQLite's words).
    case pages(String)
    /// The filter index does not match the deals, or cannot be read (SQLite's words).
    case filterIndex(String)
    /// A maintained per-stage total disagrees with the deals it sums.
    case stageTotal(team: Int64, stage: Int64, currency: String, kept: Int, counted: Int)
    /// A deal's stage is not where its last history line took it.
    case stageNotInHistory(opportunity: Int64)

    /// Whether `pipeline check --repair` rebuilds what this is about.
    public var isRepairable: Bool {
        switch self {
        case .file, .filterIndex, .stageTotal: return true
        case .pages, .stageNotInHistory: return false
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
        case .stageNotInHistory(let opportunity): return t("check.stageNotInHistory", opportunity)
        }
    }
}

extension PipelineDatabase {
    /// What is wrong with the file, if anything: its size against its header, SQLite's own
    /// check of pages and indexes, the filter index against the deals, the stage totals
    /// against the deals, and each deal's stage against its history. Empty means sound.
    public func integrityProblems() throws -> [IntegrityProblem] {
        try integrityReport().problems
    }

    /// What `integrityProblems()` finds, and whether the filter index could be checked:
    /// FTS5 checks itself through an insert that changes nothing, which SQLite nevertheless
    /// refuses on a database opened read-only.
    public func integrityReport() throws -> (problems: [IntegrityProblem], filterIndexChecked: Bool) {
        var problems = Self.damage(atPath: path).map { [IntegrityProblem.file($0)] } ?? []
        var filterIndexChecked = true
        problems += try read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }.map(IntegrityProblem.pages)
            do {
                try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
                filterIndexChecked = false
            } catch let error as DatabaseError {
                problems.append(.filterIndex(error.message ?? "\(error.resultCode)"))
            }
            // Sums are compared split as the table keeps them (see Schema), so that a million
            // large deals cannot overflow the check itself.
            let totals = try Row.fetchAll(db, sql: """
                SELECT team_id, stage_id, currency, coalesce(o.n, 0) AS counted, coalesce(t.count, 0) AS kept
                FROM (\(Self.stageTotalsQuery)) AS o
                FULL OUTER JOIN stage_total AS t USING (team_id, stage_id, currency, active)
                WHERE coalesce(o.n, 0) != coalesce(t.count, 0)
                   OR coalesce(o.expected_high, 0) != coalesce(t.expected_high, 0) OR coalesce(o.expected_low, 0) != coalesce(t.expected_low, 0)
                   OR coalesce(o.weighted_high, 0) != coalesce(t.weighted_high, 0) OR coalesce(o.weighted_low, 0) != coalesce(t.weighted_low, 0)
                """)
            problems += totals.map { row in
                .stageTotal(team: row["team_id"], stage: row["stage_id"], currency: row["currency"], kept: row["kept"], counted: row["counted"])
            }
            // Every stage change writes a history line in the same transaction: a deal's
            // stage is where its last line says it went.
            let strays = try Int64.fetchAll(db, sql: """
                SELECT o.id FROM opportunity o
                WHERE o.type = 'opportunity' AND o.stage_id IS NOT NULL
                  AND o.stage_id IS NOT (SELECT h.to_stage_id FROM stage_history h
                                         WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1)
                LIMIT 20
                """)
            return problems + strays.map(IntegrityProblem.stageNotInHistory)
        }
        return (problems, filterIndexChecked)
    }

    /// The per-stage totals of the deals as they are, split as `stage_total` keeps them.
    static let stageTotalsQuery = """
        SELECT team_id, stage_id, currency, active, count(*) AS n,
               sum(expected_revenue / 1000000000) AS expected_high, sum(expected_revenue % 1000000000) AS expected_low,
               sum(weighted_revenue / 1000000000) AS weighted_high, sum(weighted_revenue % 1000000000) AS weighted_low
        FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
        GROUP BY team_id, stage_id, currency, active
        """

    /// Rebuilds what can be rebuilt from the deals themselves, in one transaction: the
    /// filter index and the per-stage totals. A file whose size is not whole pages is then
    /// rewritten whole (`VACUUM`, itself all or nothing). Pages SQLite finds broken, and
    /// deals whose history disagrees, are reported by `integrityProblems()`, not guessed at.
    public func repair() throws {
        try write { db in
            try db.execute(sql: "INSERT INTO opportunity_search (opportunity_search) VALUES ('rebuild')")
            try db.execute(sql: "DELETE FROM stage_total")
            try db.execute(sql: """
                INSERT INTO stage_total (team_id, stage_id, currency, active, count, expected_high, expected_low, weighted_high, weighted_low)
                SELECT team_id, stage_id, currency, active, n, expected_high, expected_low, weighted_high, weighted_low
                FROM (\(Self.stageTotalsQuery))
                """)
        }
        guard Self.damage(atPath: path) != nil else { return }
        do {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }
}
