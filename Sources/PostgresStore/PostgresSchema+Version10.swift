extension PostgresSchema {
    /// The CHECK functions of activities and notes (version 4) as expressions the planner
    /// inlines (issue 15): a `db copy` of 1,000,000 deals spent 135 s of its 341 s
    /// `COPY activity` calling them, one call per column per row. Same names, signatures and
    /// answers (a test compares each with version 4's over every date of several years,
    /// malformed dates, control characters, bidirectional marks and the timestamps' bounds):
    ///
    /// - `pipeline_is_clean_line`, `pipeline_is_clean_text`, `pipeline_is_timestamp` keep
    ///   their SQL-standard bodies without `SET search_path FROM CURRENT`: a function with a
    ///   SET clause is never inlined, and a SQL-standard body (`RETURN …`) is parsed when it is
    ///   created — its operators are resolved then (here, with this schema's search path, as
    ///   version 4's were), so the clause protected nothing at run time;
    /// - `pipeline_is_iso_date` is no longer PL/pgSQL with an EXCEPTION block (a
    ///   subtransaction per call) but one CASE: the shape by a regular expression, then the
    ///   day against the days of its month (leap years by the Gregorian rule); year 0000, which
    ///   PostgreSQL's date input refuses, stays refused; NULL stays NULL. Its casts run only on
    ///   text the expression has matched as digits, and are `text → integer` (immutable, so an
    ///   IMMUTABLE function with them still inlines; a cast to `date` is only STABLE).
    ///
    /// The CHECK constraints that name them are unchanged: they call the replaced functions.
    /// SQLite has no version of its own for this: its checks are not these functions.
    static let version10 = #"""
        SELECT set_config('search_path', format('%I, pg_temp', current_schema()), true);

        CREATE OR REPLACE FUNCTION pipeline_is_clean_line(value text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN value !~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';
        CREATE OR REPLACE FUNCTION pipeline_is_clean_text(value text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN value !~ '[\x01-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';
        CREATE OR REPLACE FUNCTION pipeline_is_iso_date(value text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN CASE
                WHEN value IS NULL THEN NULL
                WHEN value !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' OR substr(value, 1, 4) = '0000' THEN false
                ELSE substr(value, 9, 2)::integer <= CASE substr(value, 6, 2)
                    WHEN '02' THEN CASE WHEN substr(value, 1, 4)::integer % 4 = 0
                                             AND (substr(value, 1, 4)::integer % 100 <> 0 OR substr(value, 1, 4)::integer % 400 = 0)
                                        THEN 29 ELSE 28 END
                    WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30
                    ELSE 31 END
            END;
        CREATE OR REPLACE FUNCTION pipeline_is_timestamp(value bigint) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN value BETWEEN -62135596800000 AND 253402300799999;
        """#
}
