extension PostgresSchema {
    /// Header counts at 1,000,000 deals (issue 13), as SQLite's version 7: how many active
    /// deals of a column, per salesperson, have their next open activity due on each date,
    /// kept by statement triggers in the same transaction as every change of a deal (its
    /// glance included), like `stage_total`. A column's overdue count is then a sum over the
    /// dates before today — for one salesperson too, read from the same rows — not a count of
    /// the overdue deals. A row whose count reaches 0 is removed, so the table holds the dates
    /// in use. The rotting counts' index gains the latest open due date (read from the index,
    /// not the table).
    ///
    /// Row-level security is `stage_total`'s rule: a member of an "own deals only" team reads
    /// their own rows. SELECT is granted to PUBLIC rather than through `pipeline_apply_grants`
    /// (frozen in version 5): the policy, not the grant, is what keeps the rows, and a login
    /// that is no user of the pipeline is in no team, so it reads none. Nobody writes the
    /// table but its SECURITY DEFINER functions.
    static let version7 = #"""
        CREATE TABLE due_count (
            team_id      bigint  NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            stage_id     bigint  NOT NULL REFERENCES stage(id) ON DELETE CASCADE,
            due          text    COLLATE "C" NOT NULL,
            salesperson  text    COLLATE "C" NOT NULL,
            count        bigint  NOT NULL,
            PRIMARY KEY (team_id, stage_id, due, salesperson)
        );
        CREATE INDEX due_count_by_stage ON due_count(stage_id);

        -- Rotting counts read the deals' next step from the index, not the table.
        DROP INDEX opportunity_by_stage_entry;
        CREATE INDEX opportunity_by_stage_entry ON opportunity(team_id, stage_id, stage_changed_at, latest_open_due)
            WHERE type = 'opportunity' AND active;

        INSERT INTO due_count (team_id, stage_id, due, salesperson, count)
        SELECT team_id, stage_id, next_activity_date, salesperson, count(*) FROM opportunity
        WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
        GROUP BY team_id, stage_id, next_activity_date, salesperson;

        ALTER TABLE due_count ENABLE ROW LEVEL SECURITY;
        CREATE POLICY due_count_read ON due_count FOR SELECT
            USING (team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[])
                   OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND salesperson = session_user::text));
        GRANT SELECT ON TABLE due_count TO PUBLIC;

        CREATE FUNCTION pipeline_due_count_follow() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO due_count AS t (team_id, stage_id, due, salesperson, count)
                SELECT team_id, stage_id, next_activity_date, salesperson, count(*)
                FROM new_rows
                WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
                GROUP BY team_id, stage_id, next_activity_date, salesperson
                ORDER BY team_id, stage_id, next_activity_date, salesperson
                ON CONFLICT (team_id, stage_id, due, salesperson) DO UPDATE SET count = t.count + excluded.count;
                RETURN NULL;
            END IF;
            IF TG_OP = 'DELETE' THEN
                INSERT INTO due_count AS t (team_id, stage_id, due, salesperson, count)
                SELECT team_id, stage_id, next_activity_date, salesperson, -count(*)
                FROM old_rows
                WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
                GROUP BY team_id, stage_id, next_activity_date, salesperson
                ORDER BY team_id, stage_id, next_activity_date, salesperson
                ON CONFLICT (team_id, stage_id, due, salesperson) DO UPDATE SET count = t.count + excluded.count;
            ELSE
                INSERT INTO due_count AS t (team_id, stage_id, due, salesperson, count)
                SELECT team_id, stage_id, due, salesperson, sum(n)
                FROM (
                    SELECT team_id, stage_id, next_activity_date AS due, salesperson, -1 AS n
                    FROM old_rows
                    WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
                    UNION ALL
                    SELECT team_id, stage_id, next_activity_date, salesperson, 1
                    FROM new_rows
                    WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
                ) AS change
                GROUP BY team_id, stage_id, due, salesperson
                HAVING sum(n) <> 0
                ORDER BY team_id, stage_id, due, salesperson
                ON CONFLICT (team_id, stage_id, due, salesperson) DO UPDATE SET count = t.count + excluded.count;
            END IF;
            -- Only the keys the statement's old rows held can have reached 0.
            DELETE FROM due_count AS d
            USING (SELECT DISTINCT team_id, stage_id, next_activity_date AS due, salesperson FROM old_rows
                   WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL) AS k
            WHERE d.team_id = k.team_id AND d.stage_id = k.stage_id AND d.due = k.due AND d.salesperson = k.salesperson
              AND d.count = 0;
            RETURN NULL;
        END
        $$;

        CREATE TRIGGER due_count_after_insert AFTER INSERT ON opportunity
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_due_count_follow();
        CREATE TRIGGER due_count_after_update AFTER UPDATE ON opportunity
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_due_count_follow();
        CREATE TRIGGER due_count_after_delete AFTER DELETE ON opportunity
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_due_count_follow();

        -- The counts again from the deals (`pipeline repair`), for an administrator.
        CREATE FUNCTION pipeline_rebuild_due_counts() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF NOT pipeline_is_admin() THEN
                RAISE EXCEPTION 'pipeline: only an administrator can rebuild the stage totals'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.rebuildTotals';
            END IF;
            DELETE FROM due_count;
            INSERT INTO due_count (team_id, stage_id, due, salesperson, count)
            SELECT team_id, stage_id, next_activity_date, salesperson, count(*) FROM opportunity
            WHERE type = 'opportunity' AND active AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
            GROUP BY team_id, stage_id, next_activity_date, salesperson
            ORDER BY team_id, stage_id, next_activity_date, salesperson;
        END
        $$;
        """#
}
