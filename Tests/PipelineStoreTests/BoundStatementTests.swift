import Foundation
import GRDB
import Testing
@testable import PipelineCore
@testable import PipelineStore
import PipelineStorage

/// An import and a restore bind each row's values through SQLite's C API (`BoundStatement`)
/// instead of GRDB's arguments: what is stored must be exactly what GRDB stored.
@Suite("SQLite engine: values bound through SQLite's C API")
struct BoundStatementTests {
    /// A record with every kind of value: empty texts (which must stay empty, not NULL),
    /// Vietnamese with combining marks, an emoji, a line break, absent optionals and present
    /// ones. Without a stage it is a lead (which has no probability).
    func record(team: Team.ID, stage: Stage.ID?, title: String = "Hợp đồng 🚀 bảo trì") -> Opportunity {
        Opportunity(id: Opportunity.ID(0), kind: stage == nil ? .lead : .opportunity, title: title,
                    customer: Customer(name: "Công ty Cổ phần Ánh Dương", contactName: "", email: "", phone: "+84 28 3823 4567"),
                    expectedRevenue: Money(minorUnits: 123_456_789, currency: .vnd) ?? .zero(.vnd),
                    probability: stage == nil ? nil : Probability(basisPoints: 2_500), probabilitySetByHand: stage != nil, salesperson: "lan",
                    team: team, stage: stage, rank: -42, tags: ["vip", "hà nội"], expectedClosing: CalendarDate(iso8601: "2027-01-31"),
                    notes: "dòng một\ndòng hai", createdAt: testNow, lostReason: nil)
    }

    func storedValues(_ db: Database, id: Int64) throws -> [DatabaseValue] {
        let row = try Row.fetchOne(db, sql: "SELECT \(Rows.writableColumns.joined(separator: ", ")), external_id FROM opportunity WHERE id = ?",
                                   arguments: [id])
        return row.map { Array($0.databaseValues) } ?? []
    }

    @Test func aRecordInsertedByBindingIsStoredAsGRDBStoredItsValues() throws {
        let temporary = try TemporaryDatabase()
        let team = try temporary.sales.id
        let stage = try temporary.stage("New").id
        try temporary.engine.withDatabase { db in
            let transaction = SQLiteTransaction(db, path: temporary.path)
            for (index, record) in [record(team: team, stage: stage), record(team: team, stage: nil, title: "x")].enumerated() {
                let externalID: String? = index == 0 ? "crm.lead_\(index)" : nil
                let id = try transaction.insertRecord(record, externalID: externalID)
                let expected = Rows.values(of: record).map(\.1) + [externalID.databaseValue]
                #expect(try storedValues(db, id: id.rawValue) == expected)
            }
            // The empty texts are empty, not NULL (a null pointer would bind NULL).
            #expect(try String.fetchOne(db, sql: "SELECT email FROM opportunity WHERE title = 'x'") == "")
        }
    }

    @Test func aHistoryLineInsertedByBindingKeepsEveryValue() throws {
        let temporary = try TemporaryDatabase()
        let team = try temporary.sales.id
        let stage = try temporary.stage("New")
        try temporary.engine.withDatabase { db in
            let transaction = SQLiteTransaction(db, path: temporary.path)
            let id = try transaction.insertRecord(record(team: team, stage: stage.id), externalID: nil)
            let change = StageChange(opportunity: id, from: nil, to: stage.id, at: testNow, by: "lan", event: .created,
                                     probability: Probability(basisPoints: 1_000), amount: Money(minorUnits: 5, currency: .usd), reason: "lý do")
            try transaction.insertHistory(StageHistoryEntry(change: change, fromName: nil, toName: "Mới"))
            let row = try Row.fetchOne(db, sql: """
                SELECT opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by, event,
                       probability, amount, currency, reason
                FROM stage_history WHERE opportunity_id = ?
                """, arguments: [id.rawValue])
            let expected: [DatabaseValue] = [
                id.rawValue.databaseValue, DatabaseValue.null, stage.id.rawValue.databaseValue, DatabaseValue.null, "Mới".databaseValue,
                testNow.millisecondsSince1970.databaseValue, "lan".databaseValue, "created".databaseValue, (1_000 as Int64).databaseValue,
                (5 as Int64).databaseValue, "USD".databaseValue, "lý do".databaseValue,
            ]
            #expect(row.map { Array($0.databaseValues) } == expected)
        }
    }

    /// The statement is GRDB's cached one: binding it must not be confused by GRDB running
    /// it with its own arguments before or after, nor by a failed run (a repeated External ID).
    @Test func theCachedStatementServesGRDBAndBindingInTurnAndAfterAFailure() throws {
        let temporary = try TemporaryDatabase()
        let team = try temporary.sales.id
        try temporary.engine.withDatabase { db in
            let transaction = SQLiteTransaction(db, path: temporary.path)
            let first = try transaction.insertRecord(record(team: team, stage: nil, title: "bound 1"), externalID: "a.one")
            let byGRDB = try db.cachedStatement(sql: Rows.insertSQL)
            let grdbRecord = record(team: team, stage: nil, title: "by GRDB")
            try byGRDB.execute(arguments: StatementArguments(Rows.values(of: grdbRecord).map(\.1) + ["a.two".databaseValue]))
            let grdbID = db.lastInsertedRowID
            #expect(throws: DatabaseError.self) {
                try transaction.insertRecord(record(team: team, stage: nil, title: "repeated"), externalID: "a.one")
            }
            let third = try transaction.insertRecord(record(team: team, stage: nil, title: "bound 3"), externalID: "a.three")
            #expect(try String.fetchAll(db, sql: "SELECT title || '/' || coalesce(external_id, '') FROM opportunity WHERE id IN (?, ?, ?) ORDER BY id",
                                        arguments: [first.rawValue, grdbID, third.rawValue])
                == ["bound 1/a.one", "by GRDB/a.two", "bound 3/a.three"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity WHERE title = 'repeated'") == 0)
        }
    }

    /// A statement given fewer values than it has parameters is refused, not run with NULL
    /// (or anything else) in the parameters left out.
    @Test func tooFewValuesAreRefusedAndNothingRuns() throws {
        let temporary = try TemporaryDatabase()
        try temporary.engine.withDatabase { db in
            try db.execute(sql: "CREATE TEMP TABLE bound (first TEXT, second TEXT)")
            let sql = "INSERT INTO bound (first, second) VALUES (?, ?)"
            var full = BoundStatement(try db.cachedStatement(sql: sql))
            try full.bind("one")
            try full.bind("two")
            try full.execute()
            var short = BoundStatement(try db.cachedStatement(sql: sql))
            try short.bind("three")
            #expect(throws: DatabaseError.self) { try short.execute() }
            #expect(try String.fetchAll(db, sql: "SELECT first || '/' || coalesce(second, 'NULL') FROM bound ORDER BY rowid") == ["one/two"])
        }
    }
}
