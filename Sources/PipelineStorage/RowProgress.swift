import PipelineCore

/// What a long data command (import, restore, export, copy, check) calls from its row loop:
/// the rows done so far and, when the total is known, the share done (for a file, bytes read
/// over its size). The command line draws a progress line from it, and throws
/// `DataCommandCancelled` from it once the user pressed Ctrl-C: the work stops at that row,
/// and the transaction it runs in rolls back.
public struct RowProgress {
    public let step: (_ rows: Int, _ fraction: Double?) throws -> Void
    /// What the engine calls once the rows are in, while it builds indexes, checks and
    /// commits (`ProgressLine.Phase`): on entering a phase and again and again during it (a
    /// long statement calls it from SQLite's progress handler), so that the line goes on and
    /// Ctrl-C still stops the work while it can be rolled back. It may throw
    /// `DataCommandCancelled` for every phase but `.saving`, which is called once, just
    /// before the commit, and from which on nothing stops the work.
    public let phase: (_ phase: ProgressLine.Phase) throws -> Void

    public init(_ step: @escaping (_ rows: Int, _ fraction: Double?) throws -> Void,
                phase: @escaping (_ phase: ProgressLine.Phase) throws -> Void = { _ in }) {
        self.step = step
        self.phase = phase
    }

    /// Tells nobody, never stops.
    public static var none: RowProgress { RowProgress { _, _ in } }
}

/// Thrown from a `RowProgress` to stop the work it reports on; nothing of it is kept.
public struct DataCommandCancelled: Error, Equatable {
    public init() {}
}

extension RowProgress {
    /// The same reports, with the share done worked out from `total` when the work itself
    /// cannot say it (an export or a copy reads rows, not a file of known size): what lets the
    /// progress line show a percentage and a time left. `nil` or 0: no share, as before.
    public func counting(toward total: Int?) -> RowProgress {
        guard let total, total > 0 else { return self }
        return RowProgress({ rows, fraction in
            try step(rows, fraction ?? min(Double(rows) / Double(total), 1))
        }, phase: phase)
    }
}

/// How many rows of each kind a store holds (`StoreReader.rowCounts`): counted before a
/// long export or copy, whose progress line then says how far along it is.
public struct StoredRowCounts: Sendable, Equatable {
    public var leads = 0, opportunities = 0, history = 0, activities = 0, notes = 0

    public init(leads: Int = 0, opportunities: Int = 0, history: Int = 0, activities: Int = 0, notes: Int = 0) {
        (self.leads, self.opportunities, self.history, self.activities, self.notes) = (leads, opportunities, history, activities, notes)
    }

    /// The rows a copy or a whole backup goes through one by one (teams, stages and
    /// settings are a handful, and are not counted).
    public var rowsOfAWholeCopy: Int { leads + opportunities + history + activities + notes }
}
