extension PostgresSchema {
    /// Column orders (issue 13), as SQLite's version 6 (PostgreSQL version 6): one index per order a column can be
    /// read in, on the column's condition, the order's sort value and the id, so that every
    /// order is a keyset window read in index order and never a sort of the column. A sort
    /// value is one integer (`CardOrder.sortValue(of:)`): a date as `YYYYMMDD`, none as
    /// 99999999 (after every date, so "none last" is the index's own order), the next
    /// activity's time after it in minutes (1440: no time). A text that is not an ISO date
    /// (which the program never writes) sorts as none rather than failing the cast, so no
    /// row a login stores by hand can make writing the table fail. The windows' statements
    /// repeat these expressions exactly (`PostgresTransaction.cardSortKey`).
    static let version6 = #"""
        CREATE INDEX opportunity_column_by_next_activity ON opportunity(team_id, stage_id,
            ((CASE WHEN next_activity_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN replace(next_activity_date, '-', '')::bigint ELSE 99999999 END) * 10000 + coalesce(next_activity_time, 1440)), id)
            WHERE type = 'opportunity' AND active;
        CREATE INDEX opportunity_column_by_closing ON opportunity(team_id, stage_id,
            (CASE WHEN expected_closing ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN replace(expected_closing, '-', '')::bigint ELSE 99999999 END), id)
            WHERE type = 'opportunity' AND active;
        CREATE INDEX opportunity_column_by_revenue ON opportunity(team_id, stage_id, expected_revenue, id)
            WHERE type = 'opportunity' AND active;
        CREATE INDEX opportunity_column_by_priority ON opportunity(team_id, stage_id, priority, id)
            WHERE type = 'opportunity' AND active;
        """#
}
