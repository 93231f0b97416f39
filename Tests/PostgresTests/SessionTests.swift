import Foundation
import PostgresClient
import Testing

/// Statements, transactions and refusals on a live session.
@Suite("PostgreSQL sessions")
struct SessionTests {
    @Test func parametersAreSentApartFromTheSQLAndNullIsNull() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE note (id bigint PRIMARY KEY, body text)")
            let hostile = "x'); DROP TABLE note; --"
            try connection.execute("INSERT INTO note VALUES ($1, $2), ($3, $4)", [1, hostile, 2, nil])
            let rows = try connection.execute("SELECT id, body FROM note ORDER BY id").rows
            #expect(rows.count == 2)
            #expect(try rows[0].string("body") == hostile)
            #expect(rows[1].optionalString("body") == nil)
            #expect(throws: PostgresError.self) { try rows[1].string("body") }
            #expect(try connection.execute("UPDATE note SET body = 'b' WHERE id >= $1", [1]).affectedRows == 2)
        }
    }

    @Test func numbersReadBackExactlyOrNotAtAll() throws {
        let connection = try TestServer.superuser()
        let largest = Int64.max
        #expect(try connection.execute("SELECT $1::bigint", [largest]).first?.int64(0) == largest)
        #expect(try connection.execute("SELECT $1::bigint", [Int64.min]).first?.int64(0) == Int64.min)
        let sum = try #require(try connection.execute(
            "SELECT sum(x)::numeric FROM (SELECT $1::bigint AS x FROM generate_series(1, 1000)) amounts", [largest]).first)
        #expect(try sum.int128(0) == Int128(largest) * 1000)
        #expect(try connection.execute("SELECT $1::numeric", [Int128(largest) * 1000]).first?.int128(0) == Int128(largest) * 1000)
        // A fraction is not silently rounded, a NULL not read as zero.
        let fraction = try #require(try connection.execute("SELECT 1.5::numeric, NULL::bigint, 'abc'").first)
        #expect(throws: PostgresError.self) { try fraction.int128(0) }
        #expect(throws: PostgresError.self) { try fraction.int64(1) }
        #expect(try fraction.optionalInt64(1) == nil)
        let error = try #require(throws: PostgresError.self) { try fraction.int64(2) }
        #expect(error.kind == .unexpectedValue)
        #expect(throws: PostgresError.self) { try fraction.int64("no such column") }
        #expect(try connection.execute("SELECT true, false").first.map { try [$0.bool(0), $0.bool(1)] } == [true, false])
    }

    @Test func textWithANulCharacterIsRefusedBeforeItIsSent() throws {
        let connection = try TestServer.superuser()
        let error = try #require(throws: PostgresError.self) { try connection.execute("SELECT $1::text", ["a\u{0}b"]) }
        #expect(error.kind == .nulCharacter)
        #expect(error.category == .invalidData)
        #expect(try connection.execute("SELECT 1").first?.int(0) == 1)
    }

    @Test func constraintViolationsNameTheirKindAndConstraint() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("""
                CREATE TABLE team (id bigint PRIMARY KEY, name text NOT NULL CONSTRAINT team_name_key UNIQUE,
                                   size int CONSTRAINT team_size CHECK (size >= 0));
                CREATE TABLE deal (team_id bigint CONSTRAINT deal_team REFERENCES team(id));
                CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'pipeline: refused'; END $$;
                CREATE TABLE frozen (x int);
                CREATE TRIGGER frozen_refuses BEFORE INSERT ON frozen FOR EACH ROW EXECUTE FUNCTION refuse();
                INSERT INTO team VALUES (1, 'Sales', 1);
                """)
            let cases: [(String, PostgresError.Kind, String?)] = [
                ("INSERT INTO team VALUES (2, 'Sales', 1)", .uniqueViolation, "team_name_key"),
                ("INSERT INTO team VALUES (2, 'Support', -1)", .checkViolation, "team_size"),
                ("INSERT INTO deal VALUES (99)", .foreignKeyViolation, "deal_team"),
                ("INSERT INTO team VALUES (3, NULL, 0)", .notNullViolation, "name"),
                ("SELECT 'x'::bigint", .invalidValue, nil),
                ("INSERT INTO frozen VALUES (1)", .refusedByRule, nil),
            ]
            for (sql, kind, constraint) in cases {
                let error = try #require(throws: PostgresError.self) { try connection.execute(sql) }
                #expect(error.kind == kind, "\(sql)")
                #expect(error.category == .invalidData && error.category.exitStatus == 65)
                if let constraint { #expect(error.constraint == constraint, "\(sql)") }
            }
            #expect(try connection.execute("SELECT count(*) FROM team").first?.int(0) == 1)
        }
    }

    @Test func aTransactionCommitsOrRollsBackWhole() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE item (id bigint PRIMARY KEY)")
            try connection.transaction {
                try connection.execute("INSERT INTO item VALUES (1)")
                try connection.execute("INSERT INTO item VALUES (2)")
            }
            struct Abandoned: Error {}
            #expect(throws: Abandoned.self) {
                try connection.transaction {
                    try connection.execute("INSERT INTO item VALUES (3)")
                    throw Abandoned()
                }
            }
            #expect(throws: PostgresError.self) {
                try connection.transaction { try connection.execute("INSERT INTO item VALUES (4), (1)") }
            }
            #expect(connection.transactionStatus == .idle)
            #expect(try connection.execute("SELECT array_agg(id ORDER BY id)::text FROM item").first?.string(0) == "{1,2}")
        }
    }

    @Test func committingAFailedTransactionIsReportedNotTakenForSuccess() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE item (id bigint PRIMARY KEY)")
            try connection.begin()
            try connection.execute("INSERT INTO item VALUES (1)")
            #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO item VALUES (1)") }
            #expect(connection.transactionStatus == .failedTransaction)
            let error = try #require(throws: PostgresError.self) { try connection.commit() }
            #expect(error.kind == .transactionAborted)
            #expect(connection.transactionStatus == .idle)
            #expect(try connection.execute("SELECT count(*) FROM item").first?.int(0) == 0)
        }
    }

    @Test func aConcurrentUpdateIsASerializationFailureToRetry() throws {
        try withTestDatabase { database in
            let first = try database.connect()
            let second = try database.connect()
            try first.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY, stage text); INSERT INTO deal VALUES (1, 'New')")
            try first.begin(.repeatableRead)
            #expect(try first.execute("SELECT stage FROM deal WHERE id = 1").first?.string(0) == "New")
            try second.execute("UPDATE deal SET stage = 'Won' WHERE id = 1")
            let error = try #require(throws: PostgresError.self) {
                try first.execute("UPDATE deal SET stage = 'Lost' WHERE id = 1")
            }
            try first.rollback()
            #expect(error.kind == .serializationFailure && error.sqlState == "40001")
            #expect(error.category == .busy && error.category.exitStatus == 75 && error.isTemporary)
        }
    }

    @Test func aLockNotGrantedInTimeIsBusy() throws {
        try withTestDatabase { database in
            let holder = try database.connect()
            let waiter = try database.connect()
            try holder.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY); INSERT INTO deal VALUES (1)")
            try holder.begin()
            try holder.execute("SELECT id FROM deal WHERE id = 1 FOR UPDATE")
            try waiter.executeScript("SET lock_timeout = '50ms'")
            let error = try #require(throws: PostgresError.self) { try waiter.execute("DELETE FROM deal WHERE id = 1") }
            #expect(error.kind == .lockTimeout && error.category == .busy)
            try holder.rollback()
        }
    }

    /// Two sessions waiting for each other: the server picks one to fail with 40P01.
    @Test func aDeadlockIsBusyForOneOfTheTwo() throws {
        try withTestDatabase { database in
            let setup = try database.connect()
            try setup.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY); INSERT INTO deal VALUES (1), (2)")
            let connectionString = try database.connectionString()
            let bothHoldTheirFirstRow = Barrier(parties: 2)
            let outcomes = onThreads([(1, 2), (2, 1)] as [(Int, Int)]) { rows -> Result<PostgresError?, any Error> in
                Result { () throws -> PostgresError? in
                    let connection = try PostgresConnection(connectionString)
                    try connection.executeScript("SET deadlock_timeout = '100ms'")
                    try connection.begin()
                    try connection.execute("SELECT id FROM deal WHERE id = $1 FOR UPDATE", [rows.0])
                    bothHoldTheirFirstRow.arriveAndWait()
                    do {
                        try connection.execute("SELECT id FROM deal WHERE id = $1 FOR UPDATE", [rows.1])
                        try connection.commit()
                        return nil
                    } catch let error as PostgresError {
                        try connection.rollback()
                        return error
                    }
                }
            }
            let errors = try outcomes.map { try $0.get() }.compactMap { $0 }
            #expect(errors.map(\.kind) == [.deadlock])
            #expect(errors.allSatisfy { $0.category == .busy && $0.sqlState == "40P01" })
        }
    }

    @Test func preparedStatementsRunWithNewParameters() throws {
        let connection = try TestServer.superuser()
        let statement = try connection.prepare("SELECT $1::bigint * 2")
        #expect(try connection.execute(statement, [21]).first?.int(0) == 42)
        #expect(try connection.execute(statement, [50]).first?.int(0) == 100)
        // Preparing the same text again is harmless.
        #expect(try connection.prepare("SELECT $1::bigint * 2") == statement)
    }

    @Test func advisoryLocksExcludeOtherSessions() throws {
        let first = try TestServer.superuser()
        let second = try TestServer.superuser()
        let key: Int64 = 0x7069_7065_7465_7374
        #expect(try first.tryLock(key))
        #expect(try !second.tryLock(key))
        #expect(try first.unlock(key))
        #expect(try second.tryLock(key))
        #expect(try !first.unlock(key))
        #expect(try second.unlock(key))
        // A transaction lock is released by the end of the transaction.
        try first.begin()
        try first.lockForTransaction(key)
        #expect(try !second.tryLock(key))
        try first.commit()
        #expect(try second.tryLock(key))
        #expect(try second.unlock(key))
    }
}

/// Runs `body` once per input, each on a thread of its own, all at once; returns the results
/// in input order when every thread is done.
func onThreads<Input: Sendable, Output: Sendable>(_ inputs: [Input], _ body: @escaping @Sendable (Input) -> Output) -> [Output] {
    let results = Locked([Output?](repeating: nil, count: inputs.count))
    let group = DispatchGroup()
    for (index, input) in inputs.enumerated() {
        group.enter()
        Thread {
            let output = body(input)
            results.update { $0[index] = output }
            group.leave()
        }.start()
    }
    group.wait()
    return results.value.compactMap { $0 }
}

/// A value shared between threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}

/// Lets a fixed number of threads wait until all of them have arrived.
final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() {
        condition.lock()
        arrived += 1
        if arrived == parties { condition.broadcast() }
        while arrived < parties { condition.wait() }
        condition.unlock()
    }
}
