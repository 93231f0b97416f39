import PostgresClient

extension PostgresSchema {
    /// What `migrate` found and did.
    public enum MigrationOutcome: Sendable, Equatable {
        /// The database was empty: the schema was created and `seedNewDatabase` ran.
        case created
        /// The schema was at an older version and was brought up to date.
        case upgraded(from: Int)
        /// Nothing to do.
        case current
    }

    /// Brings the database's schema up to date, in one transaction under the advisory lock
    /// `migrationLockKey`: two clients starting at once migrate once (the second waits, then
    /// finds the schema current). A new, empty database gets version 1 onwards and then
    /// `seedNewDatabase` in the same transaction (the first team, stages, settings: data the
    /// engine writes from the domain's template, never part of a frozen migration).
    ///
    /// Refuses, changing nothing: a database whose schema holds tables that are not ours
    /// (`notAPipelineDatabase`), and one set up by a newer version (`createdByNewerVersion`).
    /// Works for a database owner without superuser rights; see `version1` for pg_trgm.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection,
                               seedNewDatabase: (PostgresConnection) throws -> Void = { _ in }) throws -> MigrationOutcome {
        try connection.transaction {
            try connection.lockForTransaction(migrationLockKey)
            let found = try installedVersion(connection)
            switch found {
            case .foreign:
                throw PostgresStoreError.notAPipelineDatabase(target: connection.target)
            case .version(let version) where version < 1:
                // No version of ours is below 1: the table was written by someone else.
                throw PostgresStoreError.notAPipelineDatabase(target: connection.target)
            case .version(let version) where version > currentVersion:
                throw PostgresStoreError.createdByNewerVersion(target: connection.target)
            case .version(let version) where version == currentVersion:
                return .current
            case .version(let version):
                // Changing the tables is their owner's: a salesperson opening the database first
                // with the new version is told who must open it (asked before, as a refused
                // statement leaves the transaction unable to ask anything).
                let owner = try tablesOwner(connection)
                do {
                    for migration in migrations.dropFirst(version) {
                        try connection.executeScript(migration)
                    }
                } catch let error as PostgresError where error.kind == .permissionDenied {
                    guard let owner else { throw error }
                    throw PostgresStoreError.upgradeNeedsOwner(target: connection.target, owner: owner)
                }
                try connection.execute("UPDATE pipeline_meta SET schema_version = $1", [currentVersion])
                return .upgraded(from: version)
            case .empty:
                // Names and notes are Vietnamese, CJK, anything: a database that cannot
                // store every character (LATIN1, SQL_ASCII) is refused before it holds
                // anything, not at the first deal that has an "ư".
                let encoding = try connection.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")
                    .first?.optionalString(0) ?? "UTF8"
                guard encoding == "UTF8" else {
                    throw PostgresStoreError.notUnicode(target: connection.target, encoding: encoding)
                }
                for migration in migrations {
                    try connection.executeScript(migration)
                }
                try connection.execute("INSERT INTO pipeline_meta (application_id, schema_version) VALUES ($1, $2)",
                                       [applicationID, currentVersion])
                try seedNewDatabase(connection)
                return .created
            }
        }
    }

    enum InstalledSchema: Equatable {
        case empty
        case foreign
        case version(Int)
    }

    /// What the current schema (the first of `search_path` that exists) holds.
    static func installedVersion(_ connection: PostgresConnection) throws -> InstalledSchema {
        let tables = try connection.execute("""
            SELECT c.relname FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            """).rows.compactMap { $0[0] }
        if tables.isEmpty { return .empty }
        guard tables.contains("pipeline_meta") else { return .foreign }
        let meta = try metaRows(connection)
        guard meta.count == 1, let row = meta.first, row["application_id"] == applicationID else { return .foreign }
        return .version(try row.int("schema_version"))
    }

    /// `pipeline_meta`'s rows. Since version 3 every user is granted that table: a login
    /// that may not read it was never added (or was removed), and is told so.
    private static func metaRows(_ connection: PostgresConnection) throws -> [PostgresRow] {
        do {
            return try connection.execute("SELECT application_id, schema_version FROM pipeline_meta").rows
        } catch {
            if error.kind == .permissionDenied { throw PostgresStoreError.notAUser(target: connection.target) }
            throw error
        }
    }

    /// The login that owns the pipeline's tables (who migrates them, restores into them, and
    /// is an administrator without a row), if the database has them.
    static func tablesOwner(_ connection: PostgresConnection) throws -> String? {
        try connection.execute("""
            SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = to_regclass('pipeline_meta')
            """).first?.optionalString(0)
    }

    /// FNV-1a of a migration's text, which a test pins: a shipped migration must not change.
    static func checksum(ofVersion version: Int) -> String? {
        guard migrations.indices.contains(version - 1) else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in migrations[version - 1].utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
