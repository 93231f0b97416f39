import PipelineCore
import PipelineStorage
import PostgresClient

/// The records and history lines an import or a restore inserts — and a restore's (or a
/// copy's) activities and notes — held and written together: one `COPY` per table for up to
/// `rowLimit` rows (or `byteLimit` of text) instead of one round trip, and one firing of the
/// statement triggers, per row.
///
/// Held rows are sent before any other statement of the transaction runs (`flush`), so every
/// read — and every write that could touch them — sees them exactly as if each had been
/// inserted at once; records go before history lines, which name them. An import's new
/// records take ids reserved from the table's identity sequence in blocks (`nextval`, as
/// an `INSERT` would take them), so that `insertRecord` can answer with the id at once.
final class PendingRows {
    enum Purpose {
        /// New records get reserved ids; history lines get theirs from the identity column.
        case importing
        /// Every row comes with its id (and a record with its version), as a backup has it.
        case restoring
    }

    let purpose: Purpose
    private(set) var records = PostgresCopyRows()
    private(set) var history = PostgresCopyRows()
    /// A restore's activities and notes (an import makes none).
    private(set) var activities = PostgresCopyRows()
    private(set) var notes = PostgresCopyRows()
    /// Ids reserved for the import's next records, in order.
    private var reservedIDs: [Int64] = []
    private var nextReservedID = 0
    /// How many ids the next reservation asks for: it doubles up to `rowLimit`, so a small
    /// import leaves few unused ids behind (a sequence's gaps are harmless, as a rolled-back
    /// `INSERT` leaves them too).
    private var nextBlock = 16

    /// Held rows are sent once there are this many of either kind…
    static let rowLimit = 1_000
    /// … or this much text (a backup's record may carry a note of megabytes).
    static let byteLimit = 2 << 20

    init(_ purpose: Purpose) {
        self.purpose = purpose
    }

    var isEmpty: Bool { records.isEmpty && history.isEmpty && activities.isEmpty && notes.isEmpty }

    var isFull: Bool {
        records.count >= Self.rowLimit || history.count >= Self.rowLimit
            || activities.count >= Self.rowLimit || notes.count >= Self.rowLimit
            || records.bytes.count + history.bytes.count + activities.bytes.count + notes.bytes.count >= Self.byteLimit
    }

    static let recordCopySQL = "COPY opportunity (\(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id) FROM STDIN"
    static let restoredRecordCopySQL =
        "COPY opportunity (\(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id, version) FROM STDIN"
    static let historyCopySQL = "COPY stage_history (\(historyColumns)) FROM STDIN"
    static let restoredHistoryCopySQL = "COPY stage_history (id, \(historyColumns)) FROM STDIN"
    /// A restored activity's columns as `PostgresRows.values(of:)` gives them, then its id and version.
    static let restoredActivityCopySQL = """
        COPY activity (record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback,
                       created_at, created_by, updated_at, id, version) FROM STDIN
        """
    static let restoredNoteCopySQL = "COPY deal_note (id, record_id, text, author, created_at) FROM STDIN"
    static let reserveIDsSQL = "SELECT nextval(pg_get_serial_sequence('opportunity', 'id')) FROM generate_series(1, $1)"

    /// The id the next new record takes, reserving a block first when none is left.
    func nextRecordID(_ connection: PostgresConnection) throws(PostgresError) -> Int64 {
        if nextReservedID == reservedIDs.count {
            let rows = try connection.execute(try connection.prepare(Self.reserveIDsSQL), [nextBlock]).rows
            var ids: [Int64] = []
            ids.reserveCapacity(rows.count)
            for row in rows { ids.append(try row.int64(0)) }
            guard !ids.isEmpty else {
                throw PostgresError(.unexpectedValue, serverMessage: "the identity sequence gave no id", target: connection.target)
            }
            reservedIDs = ids
            nextReservedID = 0
            nextBlock = min(nextBlock * 2, Self.rowLimit)
        }
        defer { nextReservedID += 1 }
        return reservedIDs[nextReservedID]
    }

    func appendRecord(_ values: PostgresParameters) throws(PostgresError) {
        try records.append(values)
    }

    func appendHistory(_ values: PostgresParameters) throws(PostgresError) {
        try history.append(values)
    }

    func appendActivity(_ values: PostgresParameters) throws(PostgresError) {
        try activities.append(values)
    }

    func appendNote(_ values: PostgresParameters) throws(PostgresError) {
        try notes.append(values)
    }

    /// Whether row-level security applies to this session's writes (anyone but the tables'
    /// owner and superusers): PostgreSQL refuses `COPY … FROM` into such a table, so rows
    /// go by COPY into a temporary table, then in by one `INSERT … SELECT` the policies check.
    private var underRowSecurity: Bool?

    static let pendingRecordTableSQL = """
        CREATE TEMPORARY TABLE IF NOT EXISTS pipeline_pending_record ON COMMIT DROP AS
        SELECT \(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id FROM opportunity WITH NO DATA
        """
    static let pendingRecordCopySQL =
        "COPY pipeline_pending_record (\(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id) FROM STDIN"
    static let pendingRecordInsertSQL = """
        INSERT INTO opportunity (\(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id)
        SELECT \(PostgresRows.writableColumns.joined(separator: ", ")), external_id, id FROM pipeline_pending_record ORDER BY id;
        TRUNCATE pipeline_pending_record
        """
    /// A history line's columns as a COPY sends them (`PostgresRows.historyValues`).
    static let historyColumns = "opportunity_id, " + PostgresRows.historyColumns
    static let pendingHistoryTableSQL = """
        CREATE TEMPORARY TABLE IF NOT EXISTS pipeline_pending_history ON COMMIT DROP AS
        SELECT \(historyColumns) FROM stage_history WITH NO DATA
        """
    static let pendingHistoryCopySQL = "COPY pipeline_pending_history (\(historyColumns)) FROM STDIN"
    static let pendingHistoryInsertSQL = """
        INSERT INTO stage_history (\(historyColumns)) SELECT \(historyColumns) FROM pipeline_pending_history;
        TRUNCATE pipeline_pending_history
        """

    /// Sends the held rows, records first (history lines, activities and notes name them),
    /// and forgets them. Whatever the outcome they are
    /// forgotten: a failed COPY fails the transaction, which rolls back.
    func flush(_ connection: PostgresConnection) throws(PostgresError) {
        let records = records, history = history, activities = activities, notes = notes
        self.records.removeAll()
        self.history.removeAll()
        self.activities.removeAll()
        self.notes.removeAll()
        do {
            if purpose == .importing, underRowSecurity == nil {
                underRowSecurity = try connection.execute("SELECT row_security_active('opportunity')").first?.bool(0) ?? true
            }
            if purpose == .importing, underRowSecurity == true {
                if !records.isEmpty {
                    try connection.executeScript(Self.pendingRecordTableSQL)
                    try connection.copyIn(Self.pendingRecordCopySQL, rows: records)
                    try connection.executeScript(Self.pendingRecordInsertSQL)
                }
                if !history.isEmpty {
                    try connection.executeScript(Self.pendingHistoryTableSQL)
                    try connection.copyIn(Self.pendingHistoryCopySQL, rows: history)
                    try connection.executeScript(Self.pendingHistoryInsertSQL)
                }
                return
            }
            if !records.isEmpty {
                try connection.copyIn(purpose == .importing ? Self.recordCopySQL : Self.restoredRecordCopySQL, rows: records)
            }
            if !history.isEmpty {
                try connection.copyIn(purpose == .importing ? Self.historyCopySQL : Self.restoredHistoryCopySQL, rows: history)
            }
            if !activities.isEmpty { try connection.copyIn(Self.restoredActivityCopySQL, rows: activities) }
            if !notes.isEmpty { try connection.copyIn(Self.restoredNoteCopySQL, rows: notes) }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.failed, serverMessage: "\(error)", target: connection.target)
        }
    }
}
