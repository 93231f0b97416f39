import PostgresClient

/// A restore or `db copy` into PostgreSQL without the per-row triggers of the four tables it
/// fills row by row (issue 15). PostgreSQL's own COPY of a 100,000-deal copy's rows took 172 s,
/// 129 s of it in `activity`'s four per-row triggers (a `pg_has_role` a row) and 30 s in
/// `opportunity`'s. For the tables' owner inside a restore (`pipeline.importing` on, which is
/// the only way a restore runs: `restoring` refuses anyone else), every one of those triggers
/// but one leaves the row as it came and refuses nothing:
/// - `*_by_session_user`, `*_server_time(s)`: the owner keeps the backup's names and times;
/// - `*_text_length`: what the owner restores keeps what the older store held;
/// - `activity_assignee`: the owner may give an activity to anyone;
/// - `*_stays_on_its_record`: on UPDATE only; a restore inserts;
/// - `*_announce_*`: silent under `pipeline.importing` (the restore announces once itself).
/// The one that checks is `opportunity_stage_in_pipeline` (a deal only in a stage of its own
/// team's pipeline): it is checked once over the loaded rows, refusing the whole restore with
/// the trigger's own words. The two that maintain (`stage_total_*`, `due_count_*`, statement
/// triggers over transition tables) are rebuilt once at the end by the schema's own functions,
/// as `pipeline repair` does. Everything happens inside the restore's transaction: ALTER TABLE
/// is transactional in PostgreSQL, so a failure anywhere (or the process dying) rolls the
/// triggers back on with everything else; they are never seen off by anyone.
extension PostgresTransaction {
    /// The tables a restore fills a row at a time, whose user triggers it turns off.
    static let tablesRestoredWithoutRowTriggers = ["opportunity", "stage_history", "activity", "deal_note"]

    /// Every user trigger of those tables, each accounted for above. A trigger added to them
    /// later must be added here with the reason it may be off (or what stands in for it):
    /// until then a restore keeps every trigger on (and a test says so).
    static let triggersARestoreStandsIn: Set<String> = [
        "opportunity_stage_in_pipeline", "opportunity_text_length",
        "stage_total_after_insert", "stage_total_after_update", "stage_total_after_delete",
        "due_count_after_insert", "due_count_after_update", "due_count_after_delete",
        "opportunity_announce_insert", "opportunity_announce_update", "opportunity_announce_delete",
        "stage_history_by_session_user", "stage_history_server_time", "stage_history_stays_on_its_record",
        "activity_by_session_user", "activity_server_times", "activity_assignee", "activity_text_length",
        "activity_stays_on_its_record", "activity_announce_insert", "activity_announce_update", "activity_announce_delete",
        "deal_note_by_session_user", "deal_note_server_time", "deal_note_text_length", "deal_note_stays_on_its_record",
        "deal_note_announce_insert", "deal_note_announce_delete",
    ]

    /// Where the owner's restore keeps, for its own transaction only, the definitions of the
    /// indexes it dropped before loading (`pg_get_indexdef`, as the migrations made them):
    /// PostgreSQL builds an index over loaded rows in one sort far faster than it maintains
    /// it a row at a time, as databases recommend for a bulk load (issue 15). DROP and CREATE
    /// INDEX are transactional: a restore that fails or dies leaves every index as it was,
    /// and no other session ever sees one missing (the tables are locked until the commit).
    static let restoredIndexesSetting = "pipeline.restore_indexes"

    private static var restoredTables: String {
        tablesRestoredWithoutRowTriggers.map { "'\($0)'::regclass" }.joined(separator: ", ")
    }

    /// Turns the triggers off when this restore may run without them: the session owns every
    /// one of the tables (ALTER TABLE needs it, and the triggers above leave only the owner's
    /// rows as they came), and their user triggers are exactly the ones accounted for. Sent
    /// with the restore's first statements (no round trip of its own: a test counts them).
    static var disableRowTriggersScript: String {
        let names = triggersARestoreStandsIn.sorted().map { "'\($0)'" }.joined(separator: ", ")
        return """
            DO $$
            DECLARE
                dropped text;
            BEGIN
                IF (SELECT bool_and(pg_has_role(session_user, c.relowner, 'USAGE')) FROM pg_class c WHERE c.oid IN (\(restoredTables)))
                   AND (SELECT array_agg(t.tgname::text ORDER BY t.tgname::text) FROM pg_trigger t
                        WHERE NOT t.tgisinternal AND t.tgrelid IN (\(restoredTables))) = ARRAY[\(names)]::text[] THEN
                    \(tablesRestoredWithoutRowTriggers.map { "ALTER TABLE \($0) DISABLE TRIGGER USER;" }.joined(separator: " "))
                    -- The tables' plain indexes (not unique, not a constraint's): built once at the end
                    -- from their own definitions (see `restoredIndexesSetting`).
                    PERFORM set_config('\(restoredIndexesSetting)', coalesce(string_agg(pg_get_indexdef(i.indexrelid), chr(31)), ''), true)
                    FROM pg_index i
                    WHERE i.indrelid IN (\(restoredTables)) AND NOT i.indisunique AND NOT i.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
                    FOR dropped IN SELECT i.indexrelid::regclass::text FROM pg_index i
                                   WHERE i.indrelid IN (\(restoredTables)) AND NOT i.indisunique AND NOT i.indisprimary
                                     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) LOOP
                        EXECUTE 'DROP INDEX ' || dropped;
                    END LOOP;
                END IF;
            END
            $$
            """
    }

    /// When the triggers are off: what they would have checked, checked once over every loaded
    /// row (`opportunity_stage_in_pipeline`'s own exception, so the same sentence); what they
    /// would have kept, computed once; then the triggers on again, before the commit. Sent
    /// with the restore's last statements.
    static var finishRestoreWithoutRowTriggersScript: String {
        """
        DO $$
        DECLARE
            definition text;
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'opportunity'::regclass AND tgname = 'opportunity_stage_in_pipeline'
                       AND tgenabled = 'D') THEN
                IF EXISTS (SELECT 1 FROM opportunity o JOIN stage s ON s.id = o.stage_id
                           WHERE s.team_id IS NOT NULL AND s.team_id IS DISTINCT FROM o.team_id) THEN
                    RAISE EXCEPTION 'pipeline: opportunity stage is not in its team pipeline';
                END IF;
                PERFORM pipeline_rebuild_stage_totals();
                PERFORM pipeline_rebuild_due_counts();
                FOREACH definition IN ARRAY array_remove(string_to_array(coalesce(current_setting('\(restoredIndexesSetting)', true), ''), chr(31)), '') LOOP
                    EXECUTE definition;
                END LOOP;
                \(tablesRestoredWithoutRowTriggers.map { "ALTER TABLE \($0) ENABLE TRIGGER USER;" }.joined(separator: " "))
            END IF;
        END
        $$
        """
    }
}
