extension PostgresSchema {
    /// The weekly digest (issue 14), as SQLite's version 8: an index on the history's time, so
    /// that the lines of a period pick the deals changed since it began without reading the
    /// whole history.
    static let version8 = #"""
        CREATE INDEX stage_history_by_time ON stage_history(changed_at);
        """#
}
