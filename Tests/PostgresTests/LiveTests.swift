import Foundation
import PostgresClient
import Testing

/// A server that goes away and comes back under an open session, on a private server of the
/// test's own (the shared one keeps serving the other tests).
@Suite("PostgreSQL server restarts")
struct RestartTests {
    @Test func aRestartIsDetectedAndReconnectingRestoresTheSession() throws {
        try withPrivateServer { server in
            let connection = try PostgresConnection(server.connectionString)
            let statement = try connection.prepare("SELECT $1::bigint + 1")
            try connection.listen("pipeline_changes")
            try server.stop()

            let lost = try #require(throws: PostgresError.self) { try connection.execute("SELECT 1") }
            #expect(lost.kind == .connectionLost)
            #expect(lost.category == .unavailable && lost.category.exitStatus == 74)
            #expect(!connection.isOpen)
            // While the server is away, reconnecting fails as an unreachable server does.
            let away = try #require(throws: PostgresError.self) { try connection.reconnect() }
            #expect(away.category == .unavailable)

            try server.start()
            try connection.reconnect()
            #expect(connection.isOpen)
            #expect(try connection.execute("SELECT 1").first?.int(0) == 1)
            // Prepared statements are prepared again on first use.
            #expect(try connection.execute(statement, [41]).first?.int(0) == 42)

            // LISTEN belongs to the old session: the caller listens again, and then hears.
            try connection.listen("pipeline_changes")
            let colleague = try PostgresConnection(server.connectionString)
            try colleague.notify("pipeline_changes", payload: "after restart")
            let heard = try connection.waitForNotifications(milliseconds: 10_000)
            #expect(heard.map(\.payload) == ["after restart"])
        }
    }

    @Test func aWaitingListenerLearnsThatTheServerWentAway() throws {
        try withPrivateServer { server in
            let connection = try PostgresConnection(server.connectionString)
            try connection.listen("pipeline_changes")
            try server.stop()
            // The socket turns readable (the server's goodbye, then end of file).
            let error = try #require(throws: PostgresError.self) {
                while true { _ = try connection.waitForNotifications(milliseconds: 10_000) }
            }
            #expect(error.kind == .connectionLost)
        }
    }

    @Test func aWriteWhileTheServerIsAwayFailsCleanlyAndLeavesNothing() throws {
        try withPrivateServer { server in
            let connection = try PostgresConnection(server.connectionString)
            try connection.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY, title text NOT NULL)")
            try server.stop()

            let insert = try #require(throws: PostgresError.self) {
                try connection.execute("INSERT INTO deal VALUES ($1, $2)", [1, "Acme"])
            }
            #expect(insert.kind == .connectionLost)
            let transaction = try #require(throws: PostgresError.self) {
                try connection.transaction { try connection.execute("INSERT INTO deal VALUES (2, 'Globex')") }
            }
            #expect(transaction.category == .unavailable)

            try server.start()
            try connection.reconnect()
            #expect(try connection.execute("SELECT count(*) FROM deal").first?.int(0) == 0)
            #expect(connection.transactionStatus == .idle)
        }
    }
}

/// LISTEN/NOTIFY between two sessions, waited for on the socket.
@Suite("PostgreSQL notifications")
struct NotificationTests {
    @Test func aCommittedNotificationReachesAnotherSession() throws {
        try withTestDatabase { database in
            let listener = try database.connect()
            let sender = try database.connect()
            try listener.listen("pipeline_changes")
            #expect(try listener.pendingNotifications().isEmpty)

            try sender.begin()
            try sender.notify("pipeline_changes", payload: #"{"table":"opportunity","ids":[7]}"#)
            try sender.notify("another_channel", payload: "not for us")
            try sender.commit()

            let heard = try listener.waitForNotifications(milliseconds: 10_000)
            #expect(heard == [PostgresNotification(channel: "pipeline_changes", payload: #"{"table":"opportunity","ids":[7]}"#,
                                                   senderProcessID: sender.backendProcessID)])
        }
    }

    @Test func aRolledBackNotificationIsNeverDelivered() throws {
        try withTestDatabase { database in
            let listener = try database.connect()
            let sender = try database.connect()
            try listener.listen("pipeline_changes")
            try sender.begin()
            try sender.notify("pipeline_changes", payload: "rolled back")
            try sender.rollback()
            // A committed one after it: once it arrives, the rolled-back one would have too.
            try sender.notify("pipeline_changes", payload: "committed")
            let heard = try listener.waitForNotifications(milliseconds: 10_000)
            #expect(heard.map(\.payload) == ["committed"])
        }
    }

    @Test func theSocketCanBePolledBesideOtherDescriptors() throws {
        try withTestDatabase { database in
            let listener = try database.connect()
            let sender = try database.connect()
            try listener.listen("pipeline_changes")
            var pipeEnds: [Int32] = [0, 0]
            try #require(pipe(&pipeEnds) == 0)
            defer { close(pipeEnds[0]); close(pipeEnds[1]) }
            let socket = try #require(listener.socket)

            try sender.notify("pipeline_changes", payload: "hello")
            // As the board will: poll the terminal (here a pipe nobody writes) and the socket.
            var descriptors = [pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0),
                               pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            var heard: [PostgresNotification] = []
            while heard.isEmpty {
                let ready = poll(&descriptors, 2, 10_000)
                try #require(ready > 0, "no notification within 10 s")
                #expect(descriptors[0].revents == 0)
                heard += try listener.pendingNotifications()
            }
            #expect(heard.map(\.payload) == ["hello"])
        }
    }
}

/// COPY FROM STDIN: every byte back as sent, NULLs apart from the text `\N`, all or nothing.
@Suite("PostgreSQL COPY")
struct CopyTests {
    @Test func rowsComeBackExactlyAsCopied() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE deal (id bigint, title text, amount bigint, note text)")
            let awkward = ["tab\there", "new\nline", "carriage\rreturn", #"back\slash"#, #"\N"#, "", "Chất lượng 🚀", "'quoted' \"too\""]
            let rows: [PostgresParameters] = awkward.enumerated().map { index, text in
                [index, text, Int64.max - Int64(index), index.isMultiple(of: 2) ? nil : text]
            }
            let copied = try connection.copyIn("COPY deal (id, title, amount, note) FROM STDIN") { writer in
                for row in rows { try writer.append(row) }
            }
            #expect(copied == awkward.count)
            let back = try connection.execute("SELECT id, title, amount, note FROM deal ORDER BY id").rows
            #expect(back.count == awkward.count)
            for (index, row) in back.enumerated() {
                #expect(try row.string("title") == awkward[index])
                #expect(try row.int64("amount") == Int64.max - Int64(index))
                #expect(row.optionalString("note") == (index.isMultiple(of: 2) ? nil : awkward[index]))
            }
        }
    }

    @Test func manyRowsGoInLargeChunks() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY, title text)")
            let copied = try connection.copyIn("COPY deal FROM STDIN") { writer in
                for id in 1...50_000 { try writer.append([id, "Deal number \(id) with some words to fill the chunk"]) }
            }
            #expect(copied == 50_000)
            #expect(try connection.execute("SELECT count(*), sum(id)::numeric FROM deal").first.map { try [$0.int128(0), $0.int128(1)] }
                    == [50_000, 1_250_025_000])
        }
    }

    @Test func aFailedCopyLeavesNoRowAndTheSessionUsable() throws {
        try withTestDatabase { database in
            let connection = try database.connect()
            try connection.executeScript("CREATE TABLE deal (id bigint PRIMARY KEY)")
            struct Interrupted: Error {}
            #expect(throws: Interrupted.self) {
                try connection.copyIn("COPY deal FROM STDIN") { writer in
                    try writer.append([1])
                    throw Interrupted()
                }
            }
            let duplicate = try #require(throws: PostgresError.self) {
                try connection.copyIn("COPY deal FROM STDIN") { writer in
                    try writer.append([2])
                    try writer.append([2])
                }
            }
            #expect(duplicate.kind == .uniqueViolation)
            let nul = try #require(throws: PostgresError.self) {
                try connection.copyIn("COPY deal FROM STDIN") { writer in try writer.append(["3\u{0}"]) }
            }
            #expect(nul.kind == .nulCharacter)
            #expect(try connection.execute("SELECT count(*) FROM deal").first?.int(0) == 0)
            #expect(connection.transactionStatus == .idle)
        }
    }
}
