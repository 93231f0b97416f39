import PostgresClient

extension PostgresSchema {
    /// Roles enforced by the server (issue 12): users and their teams (`app_user`,
    /// `team_member`), the team setting "own deals only", row-level security on every table
    /// through helper functions that answer about `session_user`, stage totals kept per
    /// salesperson too, the stage history's "by whom" set by the server, and the functions
    /// through which a user changes what row security alone would get wrong (the shared
    /// order of stages, card ranks, a merge's history, the totals' rebuild, grants).
    /// Upgrading gives every login that could write deals an administrator's row. The
    /// choices, and why: Docs/decisions.md ("Roles enforced by PostgreSQL").
    static let version3 = #"""
        -- Every SECURITY DEFINER function below keeps the search path it was made with (SET
        -- search_path FROM CURRENT): this schema, then pg_temp last. pg_catalog comes first
        -- implicitly. Without pg_temp named last, a user's temporary table or view named like
        -- one of ours (`pipeline_meta`, `team_member`) would be found first and run as the
        -- owner: any login could make itself an administrator.
        SELECT set_config('search_path', format('%I, pg_temp', current_schema()), true);

        -- Who may see and change what (issue 12). Identity is session_user: SET ROLE does not
        -- change who you are. Superusers and the table owner bypass row-level security (the
        -- tables ENABLE it, never FORCE it) and are administrators without a row.
        CREATE TABLE app_user (
            login       text    COLLATE "C" PRIMARY KEY,
            role        text    NOT NULL CHECK (role IN ('salesperson', 'manager', 'admin')),
            created_at  bigint  NOT NULL
        );

        CREATE TABLE team_member (
            login    text    COLLATE "C" NOT NULL REFERENCES app_user(login) ON DELETE CASCADE ON UPDATE CASCADE,
            team_id  bigint  NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            PRIMARY KEY (login, team_id)
        );
        CREATE INDEX team_member_by_team ON team_member(team_id);

        ALTER TABLE team ADD COLUMN own_deals_only boolean NOT NULL DEFAULT false;

        -- Totals per salesperson too, so that a salesperson who sees only their own deals reads
        -- column totals of their own deals. Everyone else's reads sum over salespeople.
        ALTER TABLE stage_total ADD COLUMN salesperson text COLLATE "C" NOT NULL DEFAULT '';
        ALTER TABLE stage_total DROP CONSTRAINT stage_total_pkey;
        DELETE FROM stage_total;
        INSERT INTO stage_total (team_id, stage_id, currency, active, salesperson, count, expected_sum, weighted_sum)
        SELECT team_id, stage_id, currency, active, salesperson, count(*), sum(expected_revenue), sum(weighted_revenue)
        FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
        GROUP BY team_id, stage_id, currency, active, salesperson;
        ALTER TABLE stage_total ADD PRIMARY KEY (team_id, stage_id, currency, active, salesperson);

        -- The helpers every policy asks, each once per statement (`(SELECT f())` is an
        -- initplan). SECURITY DEFINER: they read the access tables as their owner, so a policy
        -- on app_user never recurses into itself; they only ever answer about session_user.
        CREATE FUNCTION pipeline_is_owner() RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT pg_has_role(session_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = 'pipeline_meta'::regclass
        $$;

        -- 'salesperson', 'manager', 'admin', or NULL for a login that is no user.
        CREATE FUNCTION pipeline_role() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT CASE WHEN pipeline_is_owner() THEN 'admin'
                        ELSE (SELECT role FROM app_user WHERE login = session_user::text) END
        $$;

        CREATE FUNCTION pipeline_is_admin() RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT coalesce(pipeline_role() = 'admin', false)
        $$;

        -- The teams whose pipelines the user sees (an administrator: every team).
        CREATE FUNCTION pipeline_member_teams() RETURNS bigint[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT CASE WHEN pipeline_is_admin() THEN ARRAY(SELECT id FROM team ORDER BY id)
                        ELSE ARRAY(SELECT team_id FROM team_member WHERE login = session_user::text ORDER BY team_id) END
        $$;

        -- The teams whose stages, settings and everyone's deals the user may change.
        CREATE FUNCTION pipeline_managed_teams() RETURNS bigint[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT CASE pipeline_role()
                       WHEN 'admin' THEN ARRAY(SELECT id FROM team ORDER BY id)
                       WHEN 'manager' THEN ARRAY(SELECT team_id FROM team_member WHERE login = session_user::text ORDER BY team_id)
                       ELSE '{}'::bigint[] END
        $$;

        -- The member teams where the user sees every deal: all but a salesperson's teams with
        -- "own deals only" on.
        CREATE FUNCTION pipeline_full_view_teams() RETURNS bigint[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT CASE WHEN pipeline_role() = 'salesperson'
                        THEN ARRAY(SELECT m.team_id FROM team_member m JOIN team t ON t.id = m.team_id
                                   WHERE m.login = session_user::text AND NOT t.own_deals_only ORDER BY m.team_id)
                        ELSE pipeline_member_teams() END
        $$;

        -- A shared stage (and the shared order of stages) is every team's: an administrator's,
        -- or a manager's of every team.
        CREATE FUNCTION pipeline_manages_every_team() RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT pipeline_is_admin()
                OR (pipeline_role() = 'manager'
                    AND NOT EXISTS (SELECT 1 FROM team t WHERE NOT EXISTS (
                        SELECT 1 FROM team_member m WHERE m.login = session_user::text AND m.team_id = t.id)))
        $$;

        -- Row-level security on every table. Policies differ by command where the rules do.
        ALTER TABLE pipeline_meta ENABLE ROW LEVEL SECURITY;
        ALTER TABLE team ENABLE ROW LEVEL SECURITY;
        ALTER TABLE stage ENABLE ROW LEVEL SECURITY;
        ALTER TABLE opportunity ENABLE ROW LEVEL SECURITY;
        ALTER TABLE stage_history ENABLE ROW LEVEL SECURITY;
        ALTER TABLE stage_total ENABLE ROW LEVEL SECURITY;
        ALTER TABLE setting ENABLE ROW LEVEL SECURITY;
        ALTER TABLE preference ENABLE ROW LEVEL SECURITY;
        ALTER TABLE app_user ENABLE ROW LEVEL SECURITY;
        ALTER TABLE team_member ENABLE ROW LEVEL SECURITY;

        -- Writers queue on LOCK TABLE pipeline_meta, which needs UPDATE: every user has it,
        -- and no policy lets anyone but the owner change the row.
        CREATE POLICY pipeline_meta_read ON pipeline_meta FOR SELECT USING (true);

        CREATE POLICY team_read ON team FOR SELECT
            USING ((SELECT pipeline_is_admin()) OR id = ANY ((SELECT pipeline_member_teams())::bigint[]));
        CREATE POLICY team_add ON team FOR INSERT WITH CHECK ((SELECT pipeline_is_admin()));
        CREATE POLICY team_change ON team FOR UPDATE
            USING (id = ANY ((SELECT pipeline_managed_teams())::bigint[]))
            WITH CHECK (id = ANY ((SELECT pipeline_managed_teams())::bigint[]));
        CREATE POLICY team_remove ON team FOR DELETE USING ((SELECT pipeline_is_admin()));

        -- A salesperson reads the shared stages and their teams'; managers read every stage, as
        -- renumbering the one shared order needs it whole.
        CREATE POLICY stage_read ON stage FOR SELECT
            USING ((team_id IS NULL AND (SELECT pipeline_role()) IS NOT NULL)
                   OR (SELECT pipeline_role()) IN ('manager', 'admin')
                   OR team_id = ANY ((SELECT pipeline_member_teams())::bigint[]));
        CREATE POLICY stage_add ON stage FOR INSERT
            WITH CHECK (CASE WHEN team_id IS NULL THEN (SELECT pipeline_manages_every_team())
                             ELSE team_id = ANY ((SELECT pipeline_managed_teams())::bigint[]) END);
        CREATE POLICY stage_change ON stage FOR UPDATE
            USING (CASE WHEN team_id IS NULL THEN (SELECT pipeline_manages_every_team())
                        ELSE team_id = ANY ((SELECT pipeline_managed_teams())::bigint[]) END)
            WITH CHECK (CASE WHEN team_id IS NULL THEN (SELECT pipeline_manages_every_team())
                             ELSE team_id = ANY ((SELECT pipeline_managed_teams())::bigint[]) END);
        CREATE POLICY stage_remove ON stage FOR DELETE
            USING (CASE WHEN team_id IS NULL THEN (SELECT pipeline_manages_every_team())
                        ELSE team_id = ANY ((SELECT pipeline_managed_teams())::bigint[]) END);

        -- Deals and leads: a team's whole pipeline for its members, but with "own deals only"
        -- a salesperson's own records and the unassigned leads to take. A manager changes any
        -- of their teams'; a salesperson their own and unassigned ones, and gives them only to
        -- themselves or to nobody. The stage must be one the writer sees, of the deal's team or
        -- shared (the trigger pipeline_opportunity_stage_in_pipeline reads stages as the
        -- writer, who does not see other teams'). What may be changed repeats what may be
        -- seen (an unassigned deal only where the user sees every deal): an UPDATE or DELETE
        -- that names no column (no WHERE) is not filtered by the read policy.
        CREATE POLICY opportunity_read ON opportunity FOR SELECT
            USING (team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[])
                   OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[])
                       AND (salesperson = session_user::text OR (type = 'lead' AND salesperson = ''))));
        CREATE POLICY opportunity_add ON opportunity FOR INSERT
            WITH CHECK ((team_id = ANY ((SELECT pipeline_managed_teams())::bigint[])
                         OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND (salesperson = session_user::text OR (salesperson = '' AND (type = 'lead' OR team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[]))))))
                        AND (stage_id IS NULL OR EXISTS (SELECT 1 FROM stage s WHERE s.id = stage_id
                                                         AND (s.team_id IS NULL OR s.team_id = opportunity.team_id))));
        CREATE POLICY opportunity_change ON opportunity FOR UPDATE
            USING (team_id = ANY ((SELECT pipeline_managed_teams())::bigint[])
                   OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND (salesperson = session_user::text OR (salesperson = '' AND (type = 'lead' OR team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[]))))))
            WITH CHECK ((team_id = ANY ((SELECT pipeline_managed_teams())::bigint[])
                         OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND (salesperson = session_user::text OR (salesperson = '' AND (type = 'lead' OR team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[]))))))
                        AND (stage_id IS NULL OR EXISTS (SELECT 1 FROM stage s WHERE s.id = stage_id
                                                         AND (s.team_id IS NULL OR s.team_id = opportunity.team_id))));
        CREATE POLICY opportunity_remove ON opportunity FOR DELETE
            USING (team_id = ANY ((SELECT pipeline_managed_teams())::bigint[])
                   OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND (salesperson = session_user::text OR (salesperson = '' AND (type = 'lead' OR team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[]))))));

        -- History: read with the deal it belongs to, written with a change of a deal the writer
        -- may change; never updated or deleted but by the owner (a deal's deletion cascades as
        -- the owner: referential actions bypass row security).
        CREATE POLICY stage_history_read ON stage_history FOR SELECT
            USING (EXISTS (SELECT 1 FROM opportunity o WHERE o.id = opportunity_id));
        CREATE POLICY stage_history_add ON stage_history FOR INSERT
            WITH CHECK (EXISTS (SELECT 1 FROM opportunity o WHERE o.id = opportunity_id
                                AND (o.team_id = ANY ((SELECT pipeline_managed_teams())::bigint[])
                                     OR o.salesperson IN ('', session_user::text))));

        CREATE POLICY stage_total_read ON stage_total FOR SELECT
            USING (team_id = ANY ((SELECT pipeline_full_view_teams())::bigint[])
                   OR (team_id = ANY ((SELECT pipeline_member_teams())::bigint[]) AND salesperson = session_user::text));

        CREATE POLICY setting_read ON setting FOR SELECT USING ((SELECT pipeline_role()) IS NOT NULL);
        CREATE POLICY setting_write ON setting FOR ALL
            USING ((SELECT pipeline_is_admin())) WITH CHECK ((SELECT pipeline_is_admin()));

        CREATE POLICY preference_own ON preference FOR ALL
            USING (user_name = session_user::text OR (SELECT pipeline_is_admin()))
            WITH CHECK (user_name = session_user::text OR (SELECT pipeline_is_admin()));

        CREATE POLICY app_user_read ON app_user FOR SELECT
            USING (login = session_user::text OR (SELECT pipeline_is_admin()));
        CREATE POLICY app_user_write ON app_user FOR ALL
            USING ((SELECT pipeline_is_admin())) WITH CHECK ((SELECT pipeline_is_admin()));

        CREATE POLICY team_member_read ON team_member FOR SELECT
            USING (login = session_user::text OR team_id = ANY ((SELECT pipeline_member_teams())::bigint[]));
        CREATE POLICY team_member_write ON team_member FOR ALL
            USING ((SELECT pipeline_is_admin())) WITH CHECK ((SELECT pipeline_is_admin()));

        -- As version 1's, keyed by salesperson too; SECURITY DEFINER, since no user may write
        -- stage_total themselves.
        CREATE OR REPLACE FUNCTION pipeline_stage_total_follow() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO stage_total AS t (team_id, stage_id, currency, active, salesperson, count, expected_sum, weighted_sum)
                SELECT team_id, stage_id, currency, active, salesperson, count(*), sum(expected_revenue), sum(weighted_revenue)
                FROM new_rows WHERE type = 'opportunity'
                GROUP BY team_id, stage_id, currency, active, salesperson
                ORDER BY team_id, stage_id, currency, active, salesperson
                ON CONFLICT (team_id, stage_id, currency, active, salesperson) DO UPDATE SET
                    count = t.count + excluded.count,
                    expected_sum = t.expected_sum + excluded.expected_sum,
                    weighted_sum = t.weighted_sum + excluded.weighted_sum;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO stage_total AS t (team_id, stage_id, currency, active, salesperson, count, expected_sum, weighted_sum)
                SELECT team_id, stage_id, currency, active, salesperson, -count(*), -sum(expected_revenue), -sum(weighted_revenue)
                FROM old_rows WHERE type = 'opportunity'
                GROUP BY team_id, stage_id, currency, active, salesperson
                ORDER BY team_id, stage_id, currency, active, salesperson
                ON CONFLICT (team_id, stage_id, currency, active, salesperson) DO UPDATE SET
                    count = t.count + excluded.count,
                    expected_sum = t.expected_sum + excluded.expected_sum,
                    weighted_sum = t.weighted_sum + excluded.weighted_sum;
            ELSE
                INSERT INTO stage_total AS t (team_id, stage_id, currency, active, salesperson, count, expected_sum, weighted_sum)
                SELECT team_id, stage_id, currency, active, salesperson, sum(n), sum(expected), sum(weighted)
                FROM (
                    SELECT team_id, stage_id, currency, active, salesperson, -1 AS n,
                           -expected_revenue::numeric AS expected, -weighted_revenue::numeric AS weighted
                    FROM old_rows WHERE type = 'opportunity'
                    UNION ALL
                    SELECT team_id, stage_id, currency, active, salesperson, 1, expected_revenue, weighted_revenue
                    FROM new_rows WHERE type = 'opportunity'
                ) AS change
                GROUP BY team_id, stage_id, currency, active, salesperson
                HAVING sum(n) <> 0 OR sum(expected) <> 0 OR sum(weighted) <> 0
                ORDER BY team_id, stage_id, currency, active, salesperson
                ON CONFLICT (team_id, stage_id, currency, active, salesperson) DO UPDATE SET
                    count = t.count + excluded.count,
                    expected_sum = t.expected_sum + excluded.expected_sum,
                    weighted_sum = t.weighted_sum + excluded.weighted_sum;
            END IF;
            RETURN NULL;
        END
        $$;

        -- The totals again from the deals (`pipeline repair`), for an administrator.
        CREATE FUNCTION pipeline_rebuild_stage_totals() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF NOT pipeline_is_admin() THEN
                RAISE EXCEPTION 'pipeline: only an administrator can rebuild the stage totals'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.rebuildTotals';
            END IF;
            DELETE FROM stage_total;
            INSERT INTO stage_total (team_id, stage_id, currency, active, salesperson, count, expected_sum, weighted_sum)
            SELECT team_id, stage_id, currency, active, salesperson, count(*), sum(expected_revenue), sum(weighted_revenue)
            FROM opportunity WHERE type = 'opportunity' AND stage_id IS NOT NULL
            GROUP BY team_id, stage_id, currency, active, salesperson
            ORDER BY team_id, stage_id, currency, active, salesperson;
        END
        $$;

        -- "By whom" is the server's word, not the client's: for everyone but the owner (whose
        -- restore or copy keeps a backup's names), changed_by is the session user.
        CREATE FUNCTION pipeline_history_by_session_user() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
                NEW.changed_by := session_user::text;
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER stage_history_by_session_user BEFORE INSERT ON stage_history
            FOR EACH ROW EXECUTE FUNCTION pipeline_history_by_session_user();

        -- The one shared order of stages, renumbered for a manager who adds or moves a stage
        -- of their team: only sort_order changes, and the stages they may not change keep
        -- their order among themselves (making room is not reordering them).
        CREATE FUNCTION pipeline_store_sort_orders(ids bigint[], orders bigint[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            managed bigint[] := pipeline_managed_teams();
            every_team boolean := pipeline_manages_every_team();
            fixed_before bigint[];
            fixed_after bigint[];
        BEGIN
            IF coalesce(pipeline_role(), 'salesperson') = 'salesperson' THEN
                RAISE EXCEPTION 'pipeline: only a manager or an administrator can reorder stages'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.reorderStages';
            END IF;
            IF NOT every_team THEN
                SELECT array_agg(id ORDER BY sort_order, id) INTO fixed_before FROM stage
                WHERE team_id IS NULL OR team_id <> ALL (managed);
            END IF;
            UPDATE stage SET sort_order = wanted.sort_order
            FROM unnest(ids, orders) AS wanted (id, sort_order)
            WHERE stage.id = wanted.id AND stage.sort_order <> wanted.sort_order;
            IF NOT every_team THEN
                SELECT array_agg(id ORDER BY sort_order, id) INTO fixed_after FROM stage
                WHERE team_id IS NULL OR team_id <> ALL (managed);
                IF fixed_before IS DISTINCT FROM fixed_after THEN
                    RAISE EXCEPTION 'pipeline: only an administrator or a manager of every team can reorder shared stages or other teams'' stages'
                        USING ERRCODE = '42501', CONSTRAINT = 'pipeline.othersStageOrder';
                END IF;
            END IF;
        END
        $$;

        -- Card order is not content: placing a card may respace its neighbours, colleagues'
        -- cards the user may not change among them. Ranks only, of cards the user sees.
        CREATE FUNCTION pipeline_store_ranks(ids bigint[], ranks bigint[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            member bigint[] := pipeline_member_teams();
            full_view bigint[] := pipeline_full_view_teams();
        BEGIN
            UPDATE opportunity SET rank = wanted.rank
            FROM unnest(ids, ranks) AS wanted (id, rank)
            WHERE opportunity.id = wanted.id
              AND (opportunity.team_id = ANY (full_view)
                   OR (opportunity.team_id = ANY (member) AND opportunity.salesperson = session_user::text));
        END
        $$;

        -- A merge gives the merged records' history to the survivor: both must be records the
        -- user may change.
        CREATE FUNCTION pipeline_move_history(from_id bigint, to_id bigint) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            managed bigint[] := pipeline_managed_teams();
            member bigint[] := pipeline_member_teams();
            full_view bigint[] := pipeline_full_view_teams();
        BEGIN
            IF (SELECT count(*) FROM opportunity o
                WHERE o.id IN (from_id, to_id)
                  AND (o.team_id = ANY (managed)
                       OR (o.team_id = ANY (member) AND (o.salesperson = session_user::text
                           OR (o.salesperson = '' AND (o.type = 'lead' OR o.team_id = ANY (full_view))))))
               ) < (CASE WHEN from_id = to_id THEN 1 ELSE 2 END) THEN
                RAISE EXCEPTION 'pipeline: the history of a record you may not change cannot move'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.moveHistory';
            END IF;
            UPDATE stage_history SET opportunity_id = to_id WHERE opportunity_id = from_id;
        END
        $$;

        -- What each user's role needs, granted to their login (never to PUBLIC): everything is
        -- revoked first, so a role changed or removed keeps nothing of the last one.
        CREATE FUNCTION pipeline_apply_grants(target text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            granted text;
            all_tables constant text := 'pipeline_meta, team, stage, opportunity, stage_history, stage_total, setting, preference, app_user, team_member';
            all_sequences constant text := concat_ws(', ', pg_get_serial_sequence('team', 'id'), pg_get_serial_sequence('stage', 'id'),
                                                     pg_get_serial_sequence('opportunity', 'id'), pg_get_serial_sequence('stage_history', 'id'));
            writing_functions constant text := 'pipeline_store_ranks(bigint[], bigint[]), pipeline_move_history(bigint, bigint)';
            managing_functions constant text := 'pipeline_store_sort_orders(bigint[], bigint[])';
            administering_functions constant text := 'pipeline_apply_grants(text), pipeline_rebuild_stage_totals()';
        BEGIN
            IF NOT pipeline_is_admin() THEN
                RAISE EXCEPTION 'pipeline: only an administrator can change who may use the database'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.grants';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = target) THEN
                RETURN;
            END IF;
            -- The owner (and a superuser) is an administrator whatever a row says: revoking
            -- its privileges here, as the owner, would lock everyone out of administering.
            -- Nor PostgreSQL's own roles (pg_database_owner: revoking from it took the schema
            -- from the owner), nor a group the owner belongs to, by pg_auth_members (a
            -- superuser owner "has" every role, so pg_has_role cannot tell).
            IF target LIKE 'pg\_%' OR EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = target
                       AND (r.rolsuper OR pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'pipeline_meta'::regclass), 'USAGE')
                            OR r.oid IN (WITH RECURSIVE owner_groups (id) AS (
                                             SELECT m.roleid FROM pg_auth_members m
                                             WHERE m.member = (SELECT relowner FROM pg_class WHERE oid = 'pipeline_meta'::regclass)
                                             UNION SELECT m.roleid FROM pg_auth_members m JOIN owner_groups g ON m.member = g.id)
                                         SELECT id FROM owner_groups))) THEN
                RAISE EXCEPTION 'pipeline: the owner of the tables is an administrator whatever its role'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.ownerAccess';
            END IF;
            SELECT role INTO granted FROM app_user WHERE login = target;
            EXECUTE format('REVOKE ALL ON TABLE %s FROM %I', all_tables, target);
            EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM %I', all_sequences, target);
            EXECUTE format('REVOKE ALL ON FUNCTION %s, %s, %s FROM %I', writing_functions, managing_functions,
                           administering_functions, target);
            -- The database and its schema: where the owner may grant them (PUBLIC may have them
            -- anyway, as by default).
            BEGIN
                IF granted IS NULL THEN
                    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), target);
                    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I', current_schema(), target);
                ELSE
                    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), target);
                    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), target);
                END IF;
            EXCEPTION WHEN insufficient_privilege THEN
                NULL;
            END;
            IF granted IS NULL THEN
                RETURN;
            END IF;
            EXECUTE format('GRANT SELECT, UPDATE ON TABLE pipeline_meta TO %I', target);
            EXECUTE format('GRANT SELECT ON TABLE team, stage, stage_history, stage_total, setting, app_user, team_member TO %I', target);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE opportunity, preference TO %I', target);
            EXECUTE format('GRANT INSERT ON TABLE stage_history TO %I', target);
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s, %s TO %I', pg_get_serial_sequence('opportunity', 'id'),
                           pg_get_serial_sequence('stage_history', 'id'), target);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', writing_functions, target);
            IF granted IN ('manager', 'admin') THEN
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE stage TO %I', target);
                EXECUTE format('GRANT UPDATE (name, name_key, own_deals_only, version) ON TABLE team TO %I', target);
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', pg_get_serial_sequence('stage', 'id'), target);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', managing_functions, target);
            END IF;
            IF granted = 'admin' THEN
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE team, setting, app_user, team_member TO %I', target);
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', pg_get_serial_sequence('team', 'id'), target);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', administering_functions, target);
            END IF;
        END
        $$;
        REVOKE ALL ON FUNCTION pipeline_store_ranks(bigint[], bigint[]), pipeline_move_history(bigint, bigint),
            pipeline_store_sort_orders(bigint[], bigint[]), pipeline_apply_grants(text), pipeline_rebuild_stage_totals() FROM PUBLIC;

        -- Upgrading from version 2: every login that could already write deals becomes an
        -- administrator, so nothing changes for a team until its administrator narrows it
        -- (`pipeline user edit`). Then nobody but the owner keeps a privilege not granted
        -- here: PUBLIC and group roles lose theirs, each user gets their role's.
        DO $upgrade$
        DECLARE
            owner_oid oid := (SELECT relowner FROM pg_class WHERE oid = 'opportunity'::regclass);
            grantee_oid oid;
            user_login text;
        BEGIN
            INSERT INTO app_user (login, role, created_at)
            SELECT r.rolname, 'admin', (extract(epoch FROM clock_timestamp()) * 1000)::bigint
            FROM pg_roles r
            WHERE r.rolcanlogin AND NOT r.rolsuper AND NOT pg_has_role(r.oid, owner_oid, 'USAGE')
              AND has_table_privilege(r.oid, 'opportunity', 'INSERT, UPDATE')
            ORDER BY r.rolname;
            FOR grantee_oid IN
                SELECT DISTINCT a.grantee
                FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
                WHERE c.oid IN ('pipeline_meta'::regclass, 'team'::regclass, 'stage'::regclass, 'opportunity'::regclass,
                                'stage_history'::regclass, 'stage_total'::regclass, 'setting'::regclass,
                                'preference'::regclass, pg_get_serial_sequence('team', 'id')::regclass,
                                pg_get_serial_sequence('stage', 'id')::regclass, pg_get_serial_sequence('opportunity', 'id')::regclass,
                                pg_get_serial_sequence('stage_history', 'id')::regclass)
                  AND a.grantee <> c.relowner
            LOOP
                EXECUTE format('REVOKE ALL ON TABLE pipeline_meta, team, stage, opportunity, stage_history, stage_total, setting, preference FROM %s',
                               CASE WHEN grantee_oid = 0 THEN 'PUBLIC' ELSE grantee_oid::regrole::text END);
                EXECUTE format('REVOKE ALL ON SEQUENCE %s, %s, %s, %s FROM %s',
                               pg_get_serial_sequence('team', 'id'), pg_get_serial_sequence('stage', 'id'),
                               pg_get_serial_sequence('opportunity', 'id'), pg_get_serial_sequence('stage_history', 'id'),
                               CASE WHEN grantee_oid = 0 THEN 'PUBLIC' ELSE grantee_oid::regrole::text END);
            END LOOP;
            FOR user_login IN SELECT login FROM app_user ORDER BY login LOOP
                PERFORM pipeline_apply_grants(user_login);
            END LOOP;
        END
        $upgrade$;

        -- Notifications carry no data: anyone who may connect may LISTEN on any channel, so a
        -- payload naming a deal's id or team would tell a salesperson of team B that deal 12
        -- of team A just moved. Each says which table changed and how (a statement that
        -- changed no row still says nothing, an import still announces itself once); every
        -- board then reads again through its own permissions.
        CREATE OR REPLACE FUNCTION pipeline_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed bigint;
        BEGIN
            IF current_setting('pipeline.importing', true) = 'on' THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'DELETE' THEN
                SELECT count(*) INTO changed FROM old_rows;
            ELSE
                SELECT count(*) INTO changed FROM new_rows;
            END IF;
            IF changed = 0 THEN
                RETURN NULL;
            END IF;
            PERFORM pg_notify('pipeline_changes', jsonb_build_object(
                'table', TG_TABLE_NAME, 'op', lower(TG_OP), 'ids', NULL, 'teams', NULL)::text);
            RETURN NULL;
        END
        $$;
        -- A preference's change is now announced as any table's (no keys): its triggers use
        -- the one function, and version 2's own, which read the keys, goes.
        DROP TRIGGER preference_announce_insert ON preference;
        DROP TRIGGER preference_announce_update ON preference;
        DROP TRIGGER preference_announce_delete ON preference;
        DROP FUNCTION pipeline_announce_preference_change();
        CREATE TRIGGER preference_announce_insert AFTER INSERT ON preference REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_announce_change();
        CREATE TRIGGER preference_announce_update AFTER UPDATE ON preference REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_announce_change();
        CREATE TRIGGER preference_announce_delete AFTER DELETE ON preference REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_announce_change();

        -- The trigger functions that are not SECURITY DEFINER still read tables by name
        -- (a deal's stage, a stage's occupants): with the caller's search path a temporary
        -- table named `opportunity` would stand in for ours and let a manager of two teams
        -- move a team's stage, deals and all, out of its pipeline. They keep this schema's
        -- path, pg_temp last, as the definer functions do.
        ALTER FUNCTION pipeline_opportunity_stage_in_pipeline() SET search_path FROM CURRENT;
        ALTER FUNCTION pipeline_stage_scope_keeps_occupants() SET search_path FROM CURRENT;
        ALTER FUNCTION pipeline_announce_change() SET search_path FROM CURRENT;
        ALTER FUNCTION pipeline_history_by_session_user() SET search_path FROM CURRENT;

        -- A change of who may do what is announced like any other (no ids: a board reads its
        -- own access again whatever changed), so an open board follows a role given or taken
        -- at once rather than at its next refusal.
        CREATE FUNCTION pipeline_announce_access_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            PERFORM pg_notify('pipeline_changes', jsonb_build_object(
                'table', TG_TABLE_NAME, 'op', lower(TG_OP), 'ids', NULL, 'teams', NULL)::text);
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER app_user_announce AFTER INSERT OR UPDATE OR DELETE ON app_user
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_announce_access_change();
        CREATE TRIGGER team_member_announce AFTER INSERT OR UPDATE OR DELETE ON team_member
            FOR EACH STATEMENT EXECUTE FUNCTION pipeline_announce_access_change();
        """#
}
