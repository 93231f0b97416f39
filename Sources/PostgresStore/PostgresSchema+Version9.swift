extension PostgresSchema {
    /// What a deal's stage meant when a history line was written (issue 14), as SQLite's
    /// migration 9: the stage's outcome then. Existing lines keep NULL (not recorded: read
    /// with the stage's outcome now). A nullable column without a default (the CHECK is
    /// verified over the existing lines once); members insert lines as before (their
    /// grant is on the table), and the policies and triggers of stage_history are unchanged.
    static let version9 = #"""
        ALTER TABLE stage_history ADD COLUMN stage_outcome text CHECK (stage_outcome IN ('open', 'won', 'lost'));
        """#
}
