import GRDB
import PipelineCore
import PipelineStorage

/// The database schema, as frozen migrations.
///
/// A shipped migration is never edited: a change of schema is a new migration appended
/// below. Amounts are integers in the currency's minor unit, probabilities integers in
/// hundredths of a percent, times integers in milliseconds since 1970 (UTC): nothing in
/// the file is a binary floating-point number.
enum Schema {
    /// `PRAGMA application_id`: 'PIPE'. A file with tables but another id is not ours.
    static let applicationID: Int32 = 0x5049_5045

    /// Splits sums into billions and remainder so that 64-bit SQLite integers never
    /// overflow, whatever the number of deals (see `stage_total`).
    static let sumSplit: Int64 = 1_000_000_000

    /// The migrations, in order; the schema version is their count (`PRAGMA user_version`).
    /// Each is a literal: never built from today's constants, so that what a version means
    /// cannot change after it shipped.
    private static let migrations: [String] = [version1, version2, version3, version4, version5, version6, version7, version8, version9]

    static var currentVersion: Int { migrations.count }

    /// Brings the schema up to date, inside the caller's (IMMEDIATE) transaction, so that
    /// two processes creating the same file at once cannot both run a migration; a new file
    /// then gets today's default pipeline.
    ///
    /// GRDB's `DatabaseMigrator` reads the applied migrations outside the transaction that
    /// applies them, which races in exactly that case; a version number in the file
    /// header, read and written in one transaction, does not.
    static func migrate(_ db: Database, seedLanguage: Language, now: Timestamp, path: String) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > currentVersion { throw StoreError.createdByNewerVersion(path: path) }
        for migration in migrations.dropFirst(version) {
            try db.execute(sql: migration)
        }
        if version == 0 { try seedDefaults(db, language: seedLanguage, now: now) }
        if version != currentVersion {
            try db.execute(sql: "PRAGMA user_version = \(currentVersion)")
        }
    }

    /// A fresh database: one team, the guide's six shared stages, the default currency.
    /// Names are data written once in the creating language, never re-translated.
    private static func seedDefaults(_ db: Database, language: Language, now: Timestamp) throws {
        let teamName = StageTemplate.defaultTeamName(in: language)
        try db.execute(
            sql: "INSERT INTO team (name, name_key, created_at) VALUES (?, ?, ?)",
            arguments: [teamName, TextInput.nameKey(teamName), now.millisecondsSince1970])
        for (index, step) in StageTemplate.steps.enumerated() {
            let name = step.name(in: language)
            try db.execute(
                sql: """
                    INSERT INTO stage (name, name_key, sort_order, probability, requirements, outcome)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [name, TextInput.nameKey(name), index + 1, step.probability.basisPoints,
                            step.requirements(in: language), step.outcome.rawValue])
        }
        try db.execute(
            sql: "INSERT INTO setting (key, value) VALUES ('currency', ?)",
            arguments: [StageTemplate.defaultCurrency(in: language).code])
        // Version 5 seeds the activity types only in files that have a team already (an
        // existing file); a new one gets them here, in its language.
        for (index, seed) in ActivityTypeTemplate.seeds.enumerated() {
            let name = seed.name(in: language)
            try db.execute(sql: "INSERT INTO activity_type (name, name_key, next_delay_days, sort_order) VALUES (?, ?, ?, ?)",
                           arguments: [name, TextInput.nameKey(name), seed.delayDays, index + 1])
        }
        for (index, seed) in ActivityTypeTemplate.seeds.enumerated() {
            try db.execute(sql: """
                UPDATE activity_type SET next_type_id = (SELECT id FROM activity_type WHERE sort_order = ?) WHERE sort_order = ?
                """, arguments: [seed.next + 1, index + 1])
        }
    }

    private static let version1 = """
        PRAGMA application_id = 1346981957; -- 0x50495045, 'PIPE': see applicationID

        CREATE TABLE team (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            name        TEXT    NOT NULL,
            name_key    TEXT    NOT NULL UNIQUE,      -- lower-cased NFC: unique ignoring case
            created_at  INTEGER NOT NULL,
            version     INTEGER NOT NULL DEFAULT 1
        );

        -- sort_order is one order shared by all teams; a team's pipeline is the shared stages
        -- (team_id NULL) plus its own, in that order.
        CREATE TABLE stage (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            name              TEXT    NOT NULL,
            name_key          TEXT    NOT NULL,
            sort_order        INTEGER NOT NULL,
            probability       INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 10000),
            auto_probability  INTEGER NOT NULL DEFAULT 1 CHECK (auto_probability IN (0, 1)),
            requirements      TEXT    NOT NULL DEFAULT '',
            folded            INTEGER NOT NULL DEFAULT 0 CHECK (folded IN (0, 1)),
            outcome           TEXT    NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'won', 'lost')),
            team_id           INTEGER REFERENCES team(id) ON DELETE CASCADE,
            version           INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX stage_by_order ON stage(sort_order);

        -- Leads and opportunities: one record, one id space (converting keeps the id).
        CREATE TABLE opportunity (
            id                  INTEGER PRIMARY KEY AUTOINCREMENT,
            type                TEXT    NOT NULL DEFAULT 'opportunity' CHECK (type IN ('lead', 'opportunity')),
            title               TEXT    NOT NULL,
            title_key           TEXT    NOT NULL,
            customer_name       TEXT    NOT NULL DEFAULT '',
            contact_name        TEXT    NOT NULL DEFAULT '',
            email               TEXT    NOT NULL DEFAULT '',
            phone               TEXT    NOT NULL DEFAULT '',
            expected_revenue    INTEGER NOT NULL DEFAULT 0 CHECK (expected_revenue >= 0),
            currency            TEXT    NOT NULL,
            probability         INTEGER CHECK (probability BETWEEN 0 AND 10000),
            probability_manual  INTEGER NOT NULL DEFAULT 0 CHECK (probability_manual IN (0, 1)),
            weighted_revenue    INTEGER NOT NULL DEFAULT 0 CHECK (weighted_revenue >= 0),
            salesperson         TEXT    NOT NULL DEFAULT '',
            team_id             INTEGER NOT NULL REFERENCES team(id),
            stage_id            INTEGER REFERENCES stage(id),
            rank                INTEGER NOT NULL DEFAULT 0,
            priority            INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
            tags                TEXT    NOT NULL DEFAULT '',
            expected_closing    TEXT,
            notes               TEXT    NOT NULL DEFAULT '',
            created_at          INTEGER NOT NULL,
            updated_at          INTEGER NOT NULL,
            stage_changed_at    INTEGER NOT NULL,
            converted_at        INTEGER,
            active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            lost_reason         TEXT,
            version             INTEGER NOT NULL DEFAULT 1,
            CHECK (type = 'lead' OR (stage_id IS NOT NULL AND probability IS NOT NULL))
        );
        -- One board column, a window at a time: (team, stage) then rank order.
        CREATE INDEX opportunity_column ON opportunity(team_id, stage_id, rank, id)
            WHERE type = 'opportunity' AND active = 1;
        CREATE INDEX opportunity_by_stage ON opportunity(stage_id, team_id);
        CREATE INDEX opportunity_by_title ON opportunity(title_key);
        CREATE INDEX opportunity_by_team ON opportunity(team_id, type);

        CREATE TABLE stage_history (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            opportunity_id   INTEGER NOT NULL REFERENCES opportunity(id) ON DELETE CASCADE,
            from_stage_id    INTEGER REFERENCES stage(id) ON DELETE SET NULL,
            to_stage_id      INTEGER REFERENCES stage(id) ON DELETE SET NULL,
            from_stage_name  TEXT,
            to_stage_name    TEXT,
            changed_at       INTEGER NOT NULL,
            changed_by       TEXT    NOT NULL DEFAULT ''
        );
        CREATE INDEX stage_history_by_opportunity ON stage_history(opportunity_id, id);

        -- Per-stage totals kept current by the triggers below in the same transaction as
        -- every change, so the board never aggregates over all opportunities. Sums are
        -- split in two (amount / 1e9 and amount % 1e9) so they cannot overflow.
        CREATE TABLE stage_total (
            team_id        INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            stage_id       INTEGER NOT NULL REFERENCES stage(id) ON DELETE CASCADE,
            currency       TEXT    NOT NULL,
            active         INTEGER NOT NULL,
            count          INTEGER NOT NULL DEFAULT 0,
            expected_high  INTEGER NOT NULL DEFAULT 0,
            expected_low   INTEGER NOT NULL DEFAULT 0,
            weighted_high  INTEGER NOT NULL DEFAULT 0,
            weighted_low   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (team_id, stage_id, currency, active)
        ) WITHOUT ROWID;

        CREATE TRIGGER stage_total_after_insert AFTER INSERT ON opportunity
        WHEN NEW.type = 'opportunity'
        BEGIN
            INSERT INTO stage_total (team_id, stage_id, currency, active, count,
                                     expected_high, expected_low, weighted_high, weighted_low)
            VALUES (NEW.team_id, NEW.stage_id, NEW.currency, NEW.active, 1,
                    NEW.expected_revenue / 1000000000, NEW.expected_revenue % 1000000000,
                    NEW.weighted_revenue / 1000000000, NEW.weighted_revenue % 1000000000)
            ON CONFLICT (team_id, stage_id, currency, active) DO UPDATE SET
                count = count + 1,
                expected_high = expected_high + excluded.expected_high,
                expected_low = expected_low + excluded.expected_low,
                weighted_high = weighted_high + excluded.weighted_high,
                weighted_low = weighted_low + excluded.weighted_low;
        END;

        CREATE TRIGGER stage_total_after_delete AFTER DELETE ON opportunity
        WHEN OLD.type = 'opportunity'
        BEGIN
            UPDATE stage_total SET
                count = count - 1,
                expected_high = expected_high - OLD.expected_revenue / 1000000000,
                expected_low = expected_low - OLD.expected_revenue % 1000000000,
                weighted_high = weighted_high - OLD.weighted_revenue / 1000000000,
                weighted_low = weighted_low - OLD.weighted_revenue % 1000000000
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id
              AND currency = OLD.currency AND active = OLD.active;
        END;

        CREATE TRIGGER stage_total_after_update
        AFTER UPDATE OF type, team_id, stage_id, currency, active, expected_revenue, weighted_revenue ON opportunity
        BEGIN
            UPDATE stage_total SET
                count = count - 1,
                expected_high = expected_high - OLD.expected_revenue / 1000000000,
                expected_low = expected_low - OLD.expected_revenue % 1000000000,
                weighted_high = weighted_high - OLD.weighted_revenue / 1000000000,
                weighted_low = weighted_low - OLD.weighted_revenue % 1000000000
            WHERE OLD.type = 'opportunity'
              AND team_id = OLD.team_id AND stage_id = OLD.stage_id
              AND currency = OLD.currency AND active = OLD.active;
            INSERT INTO stage_total (team_id, stage_id, currency, active, count,
                                     expected_high, expected_low, weighted_high, weighted_low)
            SELECT NEW.team_id, NEW.stage_id, NEW.currency, NEW.active, 1,
                   NEW.expected_revenue / 1000000000, NEW.expected_revenue % 1000000000,
                   NEW.weighted_revenue / 1000000000, NEW.weighted_revenue % 1000000000
            WHERE NEW.type = 'opportunity'
            ON CONFLICT (team_id, stage_id, currency, active) DO UPDATE SET
                count = count + 1,
                expected_high = expected_high + excluded.expected_high,
                expected_low = expected_low + excluded.expected_low,
                weighted_high = weighted_high + excluded.weighted_high,
                weighted_low = weighted_low + excluded.weighted_low;
        END;

        -- Defence in depth for the domain rule: an opportunity is only ever in a stage of
        -- its own team's pipeline, and a stage never hides from the teams whose deals it holds.
        CREATE TRIGGER opportunity_stage_in_pipeline_on_insert BEFORE INSERT ON opportunity
        WHEN NEW.stage_id IS NOT NULL
         AND (SELECT team_id FROM stage WHERE id = NEW.stage_id) IS NOT NEW.team_id
         AND (SELECT team_id FROM stage WHERE id = NEW.stage_id) IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'pipeline: opportunity stage is not in its team pipeline');
        END;

        CREATE TRIGGER opportunity_stage_in_pipeline_on_update BEFORE UPDATE OF team_id, stage_id ON opportunity
        WHEN NEW.stage_id IS NOT NULL
         AND (SELECT team_id FROM stage WHERE id = NEW.stage_id) IS NOT NEW.team_id
         AND (SELECT team_id FROM stage WHERE id = NEW.stage_id) IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'pipeline: opportunity stage is not in its team pipeline');
        END;

        CREATE TRIGGER stage_scope_keeps_occupants BEFORE UPDATE OF team_id ON stage
        WHEN NEW.team_id IS NOT NULL
         AND EXISTS (SELECT 1 FROM opportunity WHERE stage_id = NEW.id AND team_id <> NEW.team_id)
        BEGIN
            SELECT RAISE(ABORT, 'pipeline: stage holds opportunities of other teams');
        END;

        CREATE TABLE setting (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// The board's live filter: an accent- and case-folded copy of the searchable text
    /// (title, customer, contact, salesperson), written by the store on every save, and an
    /// FTS5 index over it kept by triggers, so filtering never scans the opportunities. Keys
    /// for finding duplicate leads, and the Leads view's index.
    private static let version2 = """
        ALTER TABLE opportunity ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
        -- Duplicate detection: lower-cased e-mail, folded company and contact names (empty
        -- when too short to count), each indexed.
        ALTER TABLE opportunity ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE opportunity ADD COLUMN company_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE opportunity ADD COLUMN contact_key TEXT NOT NULL DEFAULT '';
        CREATE INDEX opportunity_by_email ON opportunity(email_key) WHERE email_key <> '';
        CREATE INDEX opportunity_by_company ON opportunity(company_key) WHERE company_key <> '';
        CREATE INDEX opportunity_by_contact ON opportunity(contact_key) WHERE contact_key <> '';
        -- The Leads view, newest first, one window at a time.
        CREATE INDEX lead_by_date ON opportunity(team_id, created_at, id) WHERE type = 'lead';

        CREATE VIRTUAL TABLE opportunity_search USING fts5(
            search_text, content = 'opportunity', content_rowid = 'id', tokenize = 'unicode61', prefix = '1 2 3'
        );

        CREATE TRIGGER opportunity_search_after_insert AFTER INSERT ON opportunity BEGIN
            INSERT INTO opportunity_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
        END;

        CREATE TRIGGER opportunity_search_after_delete AFTER DELETE ON opportunity BEGIN
            INSERT INTO opportunity_search (opportunity_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
        END;

        CREATE TRIGGER opportunity_search_after_update AFTER UPDATE OF search_text ON opportunity BEGIN
            INSERT INTO opportunity_search (opportunity_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
            INSERT INTO opportunity_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
        END;
        """

    /// The filter index follows inserts and updates through these two triggers (as the
    /// latest migration defines them), except during an import, which drops them and indexes
    /// its rows in one statement at the end (see `SQLiteTransaction+Import`): FTS5 writes its
    /// pending terms out at every statement of a transaction, so indexing row by row costs
    /// more than the rest of an imported row. `ImportKeepsTheSchemaTests` checks that an
    /// import leaves the schema exactly as the migrations made it.
    static let searchInsertTrigger = """
        CREATE TRIGGER opportunity_search_after_insert AFTER INSERT ON opportunity BEGIN
            INSERT INTO opportunity_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
        END
        """
    static let searchUpdateTrigger = """
        CREATE TRIGGER opportunity_search_after_update AFTER UPDATE OF search_text ON opportunity BEGIN
            INSERT INTO opportunity_search (opportunity_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
            INSERT INTO opportunity_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
        END
        """

    /// External ids, as the reference CRM's CSV files carry them (`id` column): re-importing
    /// a file updates the records it made instead of duplicating them.
    private static let version3 = """
        ALTER TABLE opportunity ADD COLUMN external_id TEXT;
        ALTER TABLE stage ADD COLUMN external_id TEXT;
        CREATE UNIQUE INDEX opportunity_by_external_id ON opportunity(external_id) WHERE external_id IS NOT NULL;
        CREATE UNIQUE INDEX stage_by_external_id ON stage(external_id) WHERE external_id IS NOT NULL;
        """

    /// Preferences: each user's own value of a personal setting (the current team by id,
    /// the language, the board's direction), keyed by the name the stage history records
    /// for them. A user without one follows the `setting` table, which keeps the values
    /// every database held before, so that nothing changes for someone upgrading.
    private static let version4 = """
        CREATE TABLE preference (
            user_name  TEXT NOT NULL,
            key        TEXT NOT NULL,
            value      TEXT NOT NULL,
            PRIMARY KEY (user_name, key)
        ) WITHOUT ROWID;
        """

    /// Activities, notes and the history of figures (issue 13):
    /// - `activity_type`: the editable list of types, seeded here in files that have a team
    ///   (existing ones) in the language they were made in — Vietnamese when the pipeline's
    ///   language is, or its default team or first stage has the Vietnamese name — else
    ///   English; a new file is seeded by `seedDefaults` in its own language;
    /// - `activity` (a record's, removed with it; a type in use cannot be removed) and
    ///   `deal_note`;
    /// - `stage.rotting_days` (NULL: off);
    /// - each record's activity glance, kept beside its row outside its version (like `rank`)
    ///   by the store in the same transaction as every activity write, and an index to count
    ///   a column's overdue deals by a range over it;
    /// - what each history line records and the figures after it; lines written before have
    ///   none (unknown, never 0): `created` when they had no stage before, `moved` otherwise;
    /// - the column windows and totals per salesperson, for "my pipeline".
    private static let version5 = """
        CREATE TABLE activity_type (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            name             TEXT    NOT NULL,
            name_key         TEXT    NOT NULL UNIQUE,
            next_type_id     INTEGER REFERENCES activity_type(id) ON DELETE SET NULL
                                      DEFERRABLE INITIALLY DEFERRED,  -- a restore may name a type before it is inserted
            next_delay_days  INTEGER NOT NULL DEFAULT 0 CHECK (next_delay_days BETWEEN 0 AND 365),
            sort_order       INTEGER NOT NULL,
            version          INTEGER NOT NULL DEFAULT 1
        );

        INSERT INTO activity_type (name, name_key, next_delay_days, sort_order)
        SELECT CASE WHEN vietnamese THEN seed.column2 ELSE seed.column1 END,
               CASE WHEN vietnamese THEN seed.column4 ELSE seed.column3 END,
               seed.column5, seed.column6
        FROM (VALUES ('Call', 'Gọi điện', 'call', 'gọi điện', 3, 1),
                     ('Meeting', 'Cuộc họp', 'meeting', 'cuộc họp', 1, 2),
                     ('E-mail', 'E-mail', 'e-mail', 'e-mail', 3, 3),
                     ('To-do', 'Việc cần làm', 'to-do', 'việc cần làm', 7, 4)) AS seed,
             (SELECT EXISTS (SELECT 1 FROM setting WHERE key = 'language' AND value = 'vi')
                     OR EXISTS (SELECT 1 FROM team WHERE name = 'Bán hàng')
                     OR EXISTS (SELECT 1 FROM stage WHERE name = 'Mới') AS vietnamese) AS origin
        WHERE EXISTS (SELECT 1 FROM team)
        ORDER BY seed.column6;
        UPDATE activity_type SET next_type_id = (
            SELECT t.id FROM activity_type t
            WHERE t.sort_order = CASE activity_type.sort_order WHEN 1 THEN 1 WHEN 2 THEN 3 WHEN 3 THEN 1 ELSE 4 END);

        CREATE TABLE activity (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id    INTEGER NOT NULL REFERENCES opportunity(id) ON DELETE CASCADE,
            type_id      INTEGER NOT NULL REFERENCES activity_type(id) ON DELETE RESTRICT,
            summary      TEXT    NOT NULL,
            due          TEXT    NOT NULL,                 -- ISO date, the assignee's local day
            due_time     INTEGER CHECK (due_time BETWEEN 0 AND 1439),  -- minutes after midnight
            assigned_to  TEXT    NOT NULL DEFAULT '',
            notes        TEXT    NOT NULL DEFAULT '',
            done_at      INTEGER,
            done_by      TEXT,
            feedback     TEXT,
            created_at   INTEGER NOT NULL,
            created_by   TEXT    NOT NULL DEFAULT '',
            updated_at   INTEGER NOT NULL,
            version      INTEGER NOT NULL DEFAULT 1,
            CHECK ((done_at IS NULL) = (done_by IS NULL))
        );
        -- A record's activities; its open ones in due order (the glance reads the first).
        CREATE INDEX activity_by_record ON activity(record_id, id);
        CREATE INDEX activity_open_by_record ON activity(record_id, due, coalesce(due_time, 1440), id) WHERE done_at IS NULL;
        -- Activity lists: someone's, in due order, a page at a time.
        CREATE INDEX activity_by_assignee ON activity(assigned_to, due, coalesce(due_time, 1440), id);
        CREATE INDEX activity_by_due ON activity(due, coalesce(due_time, 1440), id);
        CREATE INDEX activity_by_type ON activity(type_id);

        CREATE TABLE deal_note (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id   INTEGER NOT NULL REFERENCES opportunity(id) ON DELETE CASCADE,
            text        TEXT    NOT NULL,
            author      TEXT    NOT NULL DEFAULT '',
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX deal_note_by_record ON deal_note(record_id, id);

        ALTER TABLE stage ADD COLUMN rotting_days INTEGER CHECK (rotting_days BETWEEN 1 AND 3650);

        ALTER TABLE opportunity ADD COLUMN next_activity_date TEXT;
        ALTER TABLE opportunity ADD COLUMN next_activity_time INTEGER;
        ALTER TABLE opportunity ADD COLUMN latest_open_due TEXT;
        -- A column's overdue (or due today) deals, counted by a range over the next due date.
        CREATE INDEX opportunity_by_next_activity ON opportunity(team_id, stage_id, next_activity_date)
            WHERE type = 'opportunity' AND active = 1 AND next_activity_date IS NOT NULL;
        -- A column's rotting deals, counted by a range over the time they entered the stage.
        CREATE INDEX opportunity_by_stage_entry ON opportunity(team_id, stage_id, stage_changed_at)
            WHERE type = 'opportunity' AND active = 1;
        -- "My pipeline": a column's cards of one salesperson, in rank order.
        CREATE INDEX opportunity_column_by_salesperson ON opportunity(team_id, stage_id, salesperson COLLATE NOCASE, rank, id)
            WHERE type = 'opportunity' AND active = 1;

        -- The per-stage totals again, per salesperson too (ignoring ASCII case, as logins are
        -- written), kept by triggers like stage_total: "my pipeline"'s header sums read a few
        -- rows per stage, never the deals.
        CREATE TABLE salesperson_total (
            team_id        INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            stage_id       INTEGER NOT NULL REFERENCES stage(id) ON DELETE CASCADE,
            salesperson    TEXT    NOT NULL COLLATE NOCASE,
            currency       TEXT    NOT NULL,
            active         INTEGER NOT NULL,
            count          INTEGER NOT NULL DEFAULT 0,
            expected_high  INTEGER NOT NULL DEFAULT 0,
            expected_low   INTEGER NOT NULL DEFAULT 0,
            weighted_high  INTEGER NOT NULL DEFAULT 0,
            weighted_low   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (team_id, stage_id, salesperson, currency, active)
        ) WITHOUT ROWID;

        INSERT INTO salesperson_total (team_id, stage_id, salesperson, currency, active, count,
                                       expected_high, expected_low, weighted_high, weighted_low)
        SELECT team_id, stage_id, salesperson, currency, active, count(*),
               sum(expected_revenue / 1000000000), sum(expected_revenue % 1000000000),
               sum(weighted_revenue / 1000000000), sum(weighted_revenue % 1000000000)
        FROM opportunity WHERE type = 'opportunity'
        GROUP BY team_id, stage_id, salesperson COLLATE NOCASE, currency, active;

        CREATE TRIGGER salesperson_total_after_insert AFTER INSERT ON opportunity
        WHEN NEW.type = 'opportunity'
        BEGIN
            INSERT INTO salesperson_total (team_id, stage_id, salesperson, currency, active, count,
                                           expected_high, expected_low, weighted_high, weighted_low)
            VALUES (NEW.team_id, NEW.stage_id, NEW.salesperson, NEW.currency, NEW.active, 1,
                    NEW.expected_revenue / 1000000000, NEW.expected_revenue % 1000000000,
                    NEW.weighted_revenue / 1000000000, NEW.weighted_revenue % 1000000000)
            ON CONFLICT (team_id, stage_id, salesperson, currency, active) DO UPDATE SET
                count = count + 1,
                expected_high = expected_high + excluded.expected_high,
                expected_low = expected_low + excluded.expected_low,
                weighted_high = weighted_high + excluded.weighted_high,
                weighted_low = weighted_low + excluded.weighted_low;
        END;

        CREATE TRIGGER salesperson_total_after_delete AFTER DELETE ON opportunity
        WHEN OLD.type = 'opportunity'
        BEGIN
            UPDATE salesperson_total SET
                count = count - 1,
                expected_high = expected_high - OLD.expected_revenue / 1000000000,
                expected_low = expected_low - OLD.expected_revenue % 1000000000,
                weighted_high = weighted_high - OLD.weighted_revenue / 1000000000,
                weighted_low = weighted_low - OLD.weighted_revenue % 1000000000
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson
              AND currency = OLD.currency AND active = OLD.active;
        END;

        CREATE TRIGGER salesperson_total_after_update
        AFTER UPDATE OF type, team_id, stage_id, salesperson, currency, active, expected_revenue, weighted_revenue ON opportunity
        BEGIN
            UPDATE salesperson_total SET
                count = count - 1,
                expected_high = expected_high - OLD.expected_revenue / 1000000000,
                expected_low = expected_low - OLD.expected_revenue % 1000000000,
                weighted_high = weighted_high - OLD.weighted_revenue / 1000000000,
                weighted_low = weighted_low - OLD.weighted_revenue % 1000000000
            WHERE OLD.type = 'opportunity'
              AND team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson
              AND currency = OLD.currency AND active = OLD.active;
            INSERT INTO salesperson_total (team_id, stage_id, salesperson, currency, active, count,
                                           expected_high, expected_low, weighted_high, weighted_low)
            SELECT NEW.team_id, NEW.stage_id, NEW.salesperson, NEW.currency, NEW.active, 1,
                   NEW.expected_revenue / 1000000000, NEW.expected_revenue % 1000000000,
                   NEW.weighted_revenue / 1000000000, NEW.weighted_revenue % 1000000000
            WHERE NEW.type = 'opportunity'
            ON CONFLICT (team_id, stage_id, salesperson, currency, active) DO UPDATE SET
                count = count + 1,
                expected_high = expected_high + excluded.expected_high,
                expected_low = expected_low + excluded.expected_low,
                weighted_high = weighted_high + excluded.weighted_high,
                weighted_low = weighted_low + excluded.weighted_low;
        END;

        ALTER TABLE stage_history ADD COLUMN event TEXT NOT NULL DEFAULT 'moved'
            CHECK (event IN ('created', 'moved', 'edited', 'stageProbability', 'won', 'lost', 'restored', 'archived'));
        ALTER TABLE stage_history ADD COLUMN probability INTEGER CHECK (probability BETWEEN 0 AND 10000);
        ALTER TABLE stage_history ADD COLUMN amount INTEGER CHECK (amount >= 0);
        ALTER TABLE stage_history ADD COLUMN currency TEXT;
        ALTER TABLE stage_history ADD COLUMN reason TEXT;
        UPDATE stage_history SET event = 'created' WHERE from_stage_id IS NULL AND from_stage_name IS NULL;
        """

    /// Column orders (issue 13): one index per order a column can be read in, each on the
    /// column's condition, the order's sort value and the id, so that every order is a keyset
    /// window read in index order and never a sort of the column. A sort value is one integer
    /// (`CardOrder.sortValue(of:)`): a date as `YYYYMMDD`, none as 99999999 (after every date,
    /// so "none last" is the index's own order), the next activity's time after it in minutes
    /// (1440: no time). The expressions must stay exactly these: the windows' statements repeat
    /// them (`SQLiteTransaction.cardSortKey`) so SQLite matches them to these indexes.
    private static let version6 = """
        CREATE INDEX opportunity_column_by_next_activity ON opportunity(team_id, stage_id,
            (coalesce(CAST(replace(next_activity_date, '-', '') AS INTEGER), 99999999) * 10000 + coalesce(next_activity_time, 1440)), id)
            WHERE type = 'opportunity' AND active = 1;
        CREATE INDEX opportunity_column_by_closing ON opportunity(team_id, stage_id,
            (coalesce(CAST(replace(expected_closing, '-', '') AS INTEGER), 99999999)), id)
            WHERE type = 'opportunity' AND active = 1;
        CREATE INDEX opportunity_column_by_revenue ON opportunity(team_id, stage_id, expected_revenue, id)
            WHERE type = 'opportunity' AND active = 1;
        CREATE INDEX opportunity_column_by_priority ON opportunity(team_id, stage_id, priority, id)
            WHERE type = 'opportunity' AND active = 1;
        """

    /// Header counts at 1,000,000 deals (issue 13): how many active deals of a column have
    /// their next open activity on each date, kept by triggers in the same transaction as
    /// every glance change, like `stage_total`. A column's overdue count is then a sum over
    /// the dates before today (a few dozen rows), not a count of its overdue deals. Once for
    /// the team, once per salesperson (ignoring ASCII case, as `salesperson_total`) for "my
    /// pipeline". A row whose count reaches 0 is removed, so the tables hold the dates in use.
    /// The rotting counts' index gains the latest open due date, so that they are counted from
    /// the index alone.
    /// The weekly digest (issue 14) reads the history lines of a period: an index on their
    /// time, so that it picks the deals changed since the period began without reading the
    /// whole history.
    private static let version8 = """
        CREATE INDEX stage_history_by_time ON stage_history(changed_at);
        """

    /// What a deal's stage meant when a history line was written (issue 14): the stage's
    /// outcome then, so that the digest and the seen rates read a past line as it was, not
    /// through the stage's outcome today (a stage removed since, or turned won, lost or open).
    /// Existing lines keep NULL: not recorded, read with the stage's outcome now as before.
    /// No default and no backfill; SQLite checks the CHECK on the existing lines once (about
    /// 2 s of CPU at 1,000,000 lines, see Docs/decisions.md).
    private static let version9 = """
        ALTER TABLE stage_history ADD COLUMN stage_outcome TEXT CHECK (stage_outcome IN ('open', 'won', 'lost'));
        """

    private static let version7 = """
        CREATE TABLE due_count (
            team_id   INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            stage_id  INTEGER NOT NULL REFERENCES stage(id) ON DELETE CASCADE,
            due       TEXT    NOT NULL,
            count     INTEGER NOT NULL,
            PRIMARY KEY (team_id, stage_id, due)
        ) WITHOUT ROWID;
        CREATE TABLE salesperson_due_count (
            team_id      INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            stage_id     INTEGER NOT NULL REFERENCES stage(id) ON DELETE CASCADE,
            salesperson  TEXT    NOT NULL COLLATE NOCASE,
            due          TEXT    NOT NULL,
            count        INTEGER NOT NULL,
            PRIMARY KEY (team_id, stage_id, salesperson, due)
        ) WITHOUT ROWID;

        INSERT INTO due_count (team_id, stage_id, due, count)
        SELECT team_id, stage_id, next_activity_date, count(*) FROM opportunity
        WHERE type = 'opportunity' AND active = 1 AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
        GROUP BY team_id, stage_id, next_activity_date;
        INSERT INTO salesperson_due_count (team_id, stage_id, salesperson, due, count)
        SELECT team_id, stage_id, salesperson, next_activity_date, count(*) FROM opportunity
        WHERE type = 'opportunity' AND active = 1 AND stage_id IS NOT NULL AND next_activity_date IS NOT NULL
        GROUP BY team_id, stage_id, salesperson COLLATE NOCASE, next_activity_date;

        -- Rotting counts: the range over the time deals entered the stage reads their next
        -- step from the index too, never the table (1.4 s → about 50 ms for 200,000 old deals).
        DROP INDEX opportunity_by_stage_entry;
        CREATE INDEX opportunity_by_stage_entry ON opportunity(team_id, stage_id, stage_changed_at, latest_open_due)
            WHERE type = 'opportunity' AND active = 1;

        CREATE TRIGGER due_count_after_insert AFTER INSERT ON opportunity
        WHEN NEW.type = 'opportunity' AND NEW.active = 1 AND NEW.stage_id IS NOT NULL AND NEW.next_activity_date IS NOT NULL
        BEGIN
            INSERT INTO due_count (team_id, stage_id, due, count)
            VALUES (NEW.team_id, NEW.stage_id, NEW.next_activity_date, 1)
            ON CONFLICT (team_id, stage_id, due) DO UPDATE SET count = count + 1;
            INSERT INTO salesperson_due_count (team_id, stage_id, salesperson, due, count)
            VALUES (NEW.team_id, NEW.stage_id, NEW.salesperson, NEW.next_activity_date, 1)
            ON CONFLICT (team_id, stage_id, salesperson, due) DO UPDATE SET count = count + 1;
        END;

        CREATE TRIGGER due_count_after_delete AFTER DELETE ON opportunity
        WHEN OLD.type = 'opportunity' AND OLD.active = 1 AND OLD.stage_id IS NOT NULL AND OLD.next_activity_date IS NOT NULL
        BEGIN
            UPDATE due_count SET count = count - 1
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND due = OLD.next_activity_date;
            DELETE FROM due_count
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND due = OLD.next_activity_date AND count = 0;
            UPDATE salesperson_due_count SET count = count - 1
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson AND due = OLD.next_activity_date;
            DELETE FROM salesperson_due_count
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson AND due = OLD.next_activity_date
              AND count = 0;
        END;

        CREATE TRIGGER due_count_after_update
        AFTER UPDATE OF type, team_id, stage_id, salesperson, active, next_activity_date ON opportunity
        WHEN (OLD.type = 'opportunity' AND OLD.active = 1 AND OLD.stage_id IS NOT NULL AND OLD.next_activity_date IS NOT NULL)
          OR (NEW.type = 'opportunity' AND NEW.active = 1 AND NEW.stage_id IS NOT NULL AND NEW.next_activity_date IS NOT NULL)
        BEGIN
            UPDATE due_count SET count = count - 1
            WHERE OLD.type = 'opportunity' AND OLD.active = 1 AND OLD.stage_id IS NOT NULL AND OLD.next_activity_date IS NOT NULL
              AND team_id = OLD.team_id AND stage_id = OLD.stage_id AND due = OLD.next_activity_date;
            DELETE FROM due_count
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND due = OLD.next_activity_date AND count = 0;
            UPDATE salesperson_due_count SET count = count - 1
            WHERE OLD.type = 'opportunity' AND OLD.active = 1 AND OLD.stage_id IS NOT NULL AND OLD.next_activity_date IS NOT NULL
              AND team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson AND due = OLD.next_activity_date;
            DELETE FROM salesperson_due_count
            WHERE team_id = OLD.team_id AND stage_id = OLD.stage_id AND salesperson = OLD.salesperson AND due = OLD.next_activity_date
              AND count = 0;
            INSERT INTO due_count (team_id, stage_id, due, count)
            SELECT NEW.team_id, NEW.stage_id, NEW.next_activity_date, 1
            WHERE NEW.type = 'opportunity' AND NEW.active = 1 AND NEW.stage_id IS NOT NULL AND NEW.next_activity_date IS NOT NULL
            ON CONFLICT (team_id, stage_id, due) DO UPDATE SET count = count + 1;
            INSERT INTO salesperson_due_count (team_id, stage_id, salesperson, due, count)
            SELECT NEW.team_id, NEW.stage_id, NEW.salesperson, NEW.next_activity_date, 1
            WHERE NEW.type = 'opportunity' AND NEW.active = 1 AND NEW.stage_id IS NOT NULL AND NEW.next_activity_date IS NOT NULL
            ON CONFLICT (team_id, stage_id, salesperson, due) DO UPDATE SET count = count + 1;
        END;
        """
}
