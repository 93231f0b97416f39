import PostgresClient

extension PostgresSchema {
    /// The server-side gaps of activities and notes that version 4 left (issue 13), closed for
    /// any login's own psql; self-contained (it names only what versions 1–4 made). See
    /// Docs/decisions.md ("Server checks for activities and notes").
    ///
    /// - **Times are the server's.** For everyone but the tables' owner (whose restore or copy
    ///   keeps a backup's times, as it keeps its names), an activity's `created_at`,
    ///   `updated_at` and `done_at`, a note's `created_at` and a history line's `changed_at`
    ///   are the transaction's start (`now()`), whatever the client sent; an update keeps
    ///   `created_at` and an earlier `done_at`.
    /// - **Merging is the only way history, activities and notes leave a record**:
    ///   `pipeline_move_history` and `pipeline_move_activities` (which let a member move lines
    ///   between any two records they may change, both staying) are dropped for
    ///   `pipeline_merge_record(from, to, from_version)`, which moves them and removes `from` in
    ///   the same call, as a lead conversion's merge does.
    /// - **The assignee rule**: an activity goes to nobody, its record's salesperson, the person
    ///   acting, or a member of the record's team (checked when the assignee changes, so that a
    ///   member who left keeps the activities they had).
    /// - **A type in use elsewhere**: `pipeline_activity_type_used_out_of_sight(type)` says
    ///   whether activities the caller cannot see have it (a yes or no, never a count or a row),
    ///   so that removing it is refused in the program's sentence, not the foreign key's.
    /// - **Text lengths** (`TextLimit` in the core): 200 characters for one-line text, 10,000
    ///   for multi-line, checked by triggers on the values a statement changes (rows already
    ///   longer stay as they are until their text is changed: nothing is cut, and a colleague's
    ///   move or a column's respacing never fails on them; what the owner restores or copies,
    ///   under `pipeline.importing`, keeps what the older store held).
    static let version5 = #"""
        SELECT set_config('search_path', format('%I, pg_temp', current_schema()), true);

        -- 1. Times: the server's clock for every login but the owner.
        CREATE FUNCTION pipeline_now_ms() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
            SET search_path FROM CURRENT
            RETURN floor(extract(epoch FROM now()) * 1000)::bigint;

        CREATE FUNCTION pipeline_activity_server_times() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'INSERT' THEN
                NEW.created_at := pipeline_now_ms();
                IF NEW.done_at IS NOT NULL THEN NEW.done_at := pipeline_now_ms(); END IF;
            ELSE
                NEW.created_at := OLD.created_at;
                IF NEW.done_at IS NOT NULL THEN
                    NEW.done_at := CASE WHEN OLD.done_at IS NULL THEN pipeline_now_ms() ELSE OLD.done_at END;
                END IF;
            END IF;
            NEW.updated_at := pipeline_now_ms();
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER activity_server_times BEFORE INSERT OR UPDATE ON activity
            FOR EACH ROW EXECUTE FUNCTION pipeline_activity_server_times();

        CREATE FUNCTION pipeline_created_now() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF NOT pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
                NEW.created_at := pipeline_now_ms();
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER deal_note_server_time BEFORE INSERT ON deal_note
            FOR EACH ROW EXECUTE FUNCTION pipeline_created_now();

        CREATE FUNCTION pipeline_history_server_time() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF NOT pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
                NEW.changed_at := pipeline_now_ms();
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER stage_history_server_time BEFORE INSERT ON stage_history
            FOR EACH ROW EXECUTE FUNCTION pipeline_history_server_time();

        -- 2. History, activities and notes leave a record only with it: a merge.
        DROP FUNCTION pipeline_move_history(bigint, bigint);
        DROP FUNCTION pipeline_move_activities(bigint, bigint);
        CREATE FUNCTION pipeline_merge_record(from_id bigint, to_id bigint, from_version bigint) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            managed bigint[] := pipeline_managed_teams();
            member bigint[] := pipeline_member_teams();
            full_view bigint[] := pipeline_full_view_teams();
            removed integer;
        BEGIN
            IF from_id = to_id OR (SELECT count(*) FROM opportunity o
                WHERE o.id IN (from_id, to_id)
                  AND (o.team_id = ANY (managed)
                       OR (o.team_id = ANY (member) AND (o.salesperson = session_user::text
                           OR (o.salesperson = '' AND (o.type = 'lead' OR o.team_id = ANY (full_view))))))
               ) < 2 THEN
                RAISE EXCEPTION 'pipeline: a record can be merged only into another, both records you may change'
                    USING ERRCODE = '42501', CONSTRAINT = 'pipeline.moveHistory';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM opportunity WHERE id = from_id AND version = from_version) THEN
                RETURN false;
            END IF;
            UPDATE stage_history SET opportunity_id = to_id WHERE opportunity_id = from_id;
            UPDATE activity SET record_id = to_id WHERE record_id = from_id;
            UPDATE deal_note SET record_id = to_id WHERE record_id = from_id;
            DELETE FROM opportunity WHERE id = from_id AND version = from_version;
            GET DIAGNOSTICS removed = ROW_COUNT;
            RETURN removed = 1;
        END
        $$;
        REVOKE ALL ON FUNCTION pipeline_merge_record(bigint, bigint, bigint) FROM PUBLIC;
        -- Row security lets a member change the rows of records they may change, record_id
        -- included: without this, a plain UPDATE moved an activity, a note or a history line
        -- between two records that both stay. The merge runs as the tables' owner (SECURITY
        -- DEFINER), so `current_user` — not `session_user` — tells it from a member's statement;
        -- this function is the invoker's on purpose.
        CREATE FUNCTION pipeline_lines_stay_on_their_record() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
            IF pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'pipeline_meta'::regclass), 'USAGE') THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'pipeline: history, activities and notes leave a record only when it is merged into another'
                USING ERRCODE = '42501', CONSTRAINT = 'pipeline.moveHistory';
        END
        $$;
        CREATE TRIGGER activity_stays_on_its_record BEFORE UPDATE OF record_id ON activity
            FOR EACH ROW WHEN (NEW.record_id IS DISTINCT FROM OLD.record_id) EXECUTE FUNCTION pipeline_lines_stay_on_their_record();
        CREATE TRIGGER deal_note_stays_on_its_record BEFORE UPDATE OF record_id ON deal_note
            FOR EACH ROW WHEN (NEW.record_id IS DISTINCT FROM OLD.record_id) EXECUTE FUNCTION pipeline_lines_stay_on_their_record();
        CREATE TRIGGER stage_history_stays_on_its_record BEFORE UPDATE OF opportunity_id ON stage_history
            FOR EACH ROW WHEN (NEW.opportunity_id IS DISTINCT FROM OLD.opportunity_id) EXECUTE FUNCTION pipeline_lines_stay_on_their_record();

        -- 3. Who an activity may go to: nobody, the record's salesperson, the person acting, or
        -- a member of the record's team (administrators are in no team: they give activities to
        -- themselves as the person acting). Asked when the assignee changes, and when the
        -- activity goes to a record of another team (a merge across teams); an assignee who is
        -- no longer allowed stays through other changes and merges within the team.
        CREATE FUNCTION pipeline_activity_assignee() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            IF NEW.assigned_to = '' OR NEW.assigned_to = session_user::text
               OR (TG_OP = 'UPDATE' AND NEW.assigned_to = OLD.assigned_to
                   AND (NEW.record_id = OLD.record_id
                        OR (SELECT o.team_id FROM opportunity o WHERE o.id = NEW.record_id)
                           IS NOT DISTINCT FROM (SELECT o.team_id FROM opportunity o WHERE o.id = OLD.record_id)))
               OR pipeline_is_owner()
               OR EXISTS (SELECT 1 FROM opportunity o WHERE o.id = NEW.record_id
                          AND (o.salesperson = NEW.assigned_to
                               OR EXISTS (SELECT 1 FROM team_member m WHERE m.team_id = o.team_id AND m.login = NEW.assigned_to))) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'pipeline: an activity goes to nobody, the record''s salesperson, you, or a member of its team'
                USING ERRCODE = '42501', CONSTRAINT = 'pipeline.assignActivity';
        END
        $$;
        CREATE TRIGGER activity_assignee BEFORE INSERT OR UPDATE OF assigned_to, record_id ON activity
            FOR EACH ROW EXECUTE FUNCTION pipeline_activity_assignee();

        -- 4. Whether activities the caller cannot see have a type (as opportunity_read sees).
        CREATE FUNCTION pipeline_activity_type_used_out_of_sight(asked_type bigint) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
            SELECT EXISTS (SELECT 1 FROM activity a JOIN opportunity o ON o.id = a.record_id
                           WHERE a.type_id = asked_type
                             AND NOT (o.team_id = ANY (pipeline_full_view_teams())
                                      OR (o.team_id = ANY (pipeline_member_teams())
                                          AND (o.salesperson = session_user::text OR (o.type = 'lead' AND o.salesperson = '')))))
        $$;

        -- 5. Text lengths, on what a statement changes (a row already longer stays until its
        -- text changes; a restore or copy by the owner keeps what the older store held). The
        -- WHEN clauses keep the cost off every statement within the limits.
        CREATE FUNCTION pipeline_refuse_long_text() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        DECLARE
            new_row jsonb := to_jsonb(NEW);
            old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
            position integer := 0;
        BEGIN
            -- What the owner restores or copies keeps what the older store held.
            IF current_setting('pipeline.importing', true) = 'on' AND pipeline_is_owner() THEN
                RETURN NEW;
            END IF;
            WHILE position < TG_NARGS LOOP
                IF char_length(new_row ->> TG_ARGV[position]) > TG_ARGV[position + 1]::integer
                   AND (old_row IS NULL OR (old_row ->> TG_ARGV[position]) IS DISTINCT FROM (new_row ->> TG_ARGV[position])) THEN
                    RAISE EXCEPTION 'pipeline: % is longer than % characters', TG_ARGV[position], TG_ARGV[position + 1]
                        USING ERRCODE = '23514', CONSTRAINT = format('%s_%s_length', TG_TABLE_NAME, TG_ARGV[position]);
                END IF;
                position := position + 2;
            END LOOP;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER activity_text_length BEFORE INSERT OR UPDATE OF summary, assigned_to, notes, feedback ON activity
            FOR EACH ROW WHEN (char_length(NEW.summary) > 200 OR char_length(NEW.assigned_to) > 200
                               OR char_length(NEW.notes) > 10000 OR char_length(NEW.feedback) > 10000)
            EXECUTE FUNCTION pipeline_refuse_long_text('summary', '200', 'assigned_to', '200', 'notes', '10000', 'feedback', '10000');
        CREATE TRIGGER deal_note_text_length BEFORE INSERT ON deal_note
            FOR EACH ROW WHEN (char_length(NEW.text) > 10000)
            EXECUTE FUNCTION pipeline_refuse_long_text('text', '10000');
        CREATE TRIGGER activity_type_text_length BEFORE INSERT OR UPDATE OF name ON activity_type
            FOR EACH ROW WHEN (char_length(NEW.name) > 200)
            EXECUTE FUNCTION pipeline_refuse_long_text('name', '200');
        CREATE TRIGGER opportunity_text_length
            BEFORE INSERT OR UPDATE OF title, customer_name, contact_name, email, phone, salesperson, tags, notes, lost_reason ON opportunity
            FOR EACH ROW WHEN (char_length(NEW.title) > 200 OR char_length(NEW.customer_name) > 200 OR char_length(NEW.contact_name) > 200
                               OR char_length(NEW.email) > 200 OR char_length(NEW.phone) > 200 OR char_length(NEW.salesperson) > 200
                               OR char_length(NEW.tags) > 10000 OR char_length(NEW.notes) > 10000 OR char_length(NEW.lost_reason) > 200)
            EXECUTE FUNCTION pipeline_refuse_long_text('title', '200', 'customer_name', '200', 'contact_name', '200', 'email', '200',
                                                       'phone', '200', 'salesperson', '200', 'tags', '10000', 'notes', '10000',
                                                       'lost_reason', '200');
        CREATE TRIGGER stage_text_length BEFORE INSERT OR UPDATE OF name, requirements ON stage
            FOR EACH ROW WHEN (char_length(NEW.name) > 200 OR char_length(NEW.requirements) > 10000)
            EXECUTE FUNCTION pipeline_refuse_long_text('name', '200', 'requirements', '10000');
        CREATE TRIGGER team_text_length BEFORE INSERT OR UPDATE OF name ON team
            FOR EACH ROW WHEN (char_length(NEW.name) > 200)
            EXECUTE FUNCTION pipeline_refuse_long_text('name', '200');

        -- The grants name the functions members may run: the merge instead of the two moves.
        CREATE OR REPLACE FUNCTION pipeline_apply_grants(target text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE
            granted text;
            all_tables constant text := 'pipeline_meta, team, stage, opportunity, stage_history, stage_total, setting, preference, app_user, team_member, activity_type, activity, deal_note';
            all_sequences constant text := concat_ws(', ', pg_get_serial_sequence('team', 'id'), pg_get_serial_sequence('stage', 'id'),
                                                     pg_get_serial_sequence('opportunity', 'id'), pg_get_serial_sequence('stage_history', 'id'),
                                                     pg_get_serial_sequence('activity_type', 'id'), pg_get_serial_sequence('activity', 'id'),
                                                     pg_get_serial_sequence('deal_note', 'id'));
            writing_functions constant text := 'pipeline_store_ranks(bigint[], bigint[]), pipeline_merge_record(bigint, bigint, bigint)';
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
            -- As version 4's: never the owner, PostgreSQL's own roles or a group of the owner's.
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
            EXECUTE format('GRANT SELECT ON TABLE activity_type TO %I', target);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE activity TO %I', target);
            EXECUTE format('GRANT SELECT, INSERT, DELETE ON TABLE deal_note TO %I', target);
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s, %s TO %I', pg_get_serial_sequence('activity', 'id'),
                           pg_get_serial_sequence('deal_note', 'id'), target);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', writing_functions, target);
            IF granted IN ('manager', 'admin') THEN
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE stage TO %I', target);
                EXECUTE format('GRANT UPDATE (name, name_key, own_deals_only, version) ON TABLE team TO %I', target);
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', pg_get_serial_sequence('stage', 'id'), target);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', managing_functions, target);
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE activity_type TO %I', target);
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', pg_get_serial_sequence('activity_type', 'id'), target);
            END IF;
            IF granted = 'admin' THEN
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE team, setting, app_user, team_member TO %I', target);
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', pg_get_serial_sequence('team', 'id'), target);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', administering_functions, target);
            END IF;
        END
        $$;
        DO $grants$
        DECLARE
            user_login text;
        BEGIN
            FOR user_login IN SELECT login FROM app_user ORDER BY login LOOP
                PERFORM pipeline_apply_grants(user_login);
            END LOOP;
        END
        $grants$;
        """#
}
