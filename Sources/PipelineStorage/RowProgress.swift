/// What a long data command (import, restore, export, copy, check) calls from its row loop:
/// the rows done so far and, when the total is known, the share done (for a file, bytes read
/// over its size). The command line draws a progress line from it, and throws
/// `DataCommandCancelled` from it once the user pressed Ctrl-C: the work stops at that row,
/// and the transaction it runs in rolls back.
public struct RowProgress {
    public let step: (_ rows: Int, _ fraction: Double?) throws -> Void

    public init(_ step: @escaping (_ rows: Int, _ fraction: Double?) throws -> Void) {
        self.step = step
    }

    /// Tells nobody, never stops.
    public static var none: RowProgress { RowProgress { _, _ in } }
}

/// Thrown from a `RowProgress` to stop the work it reports on; nothing of it is kept.
public struct DataCommandCancelled: Error, Equatable {
    public init() {}
}
