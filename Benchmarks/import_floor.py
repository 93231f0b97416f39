#!/usr/bin/env python3
"""The floor of the CSV import: SQLite itself inserting the rows an import makes, into the same schema.

`import_floor.py IMPORTED FRESH [rows|bulk]` reads every row the real import put in IMPORTED
(records and their "created" history lines), then inserts the same rows into FRESH — a
database the real binary made on an empty file (the teams the import made are added first,
untimed), so that its migrations, indexes and triggers are the real ones — in one
transaction, with the connection set as the binary sets it. The filter index's rows are
written in one statement at the end (FTS5 indexing row by row is a cost of FTS5's
per-statement flush, not of SQLite's storage).

  rows  each row inserted into the tables as they stand: every index maintained row by row
  bulk  the secondary indexes of both tables dropped first and created again at the end,
        in the same transaction (what SQLite's documentation advises for a bulk load)

It prints the wall and CPU seconds of that transaction alone (reading IMPORTED is not
timed): no parsing, no validation, no Swift.
"""
import resource, sqlite3, sys, time


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def main():
    imported_path, fresh_path = sys.argv[1], sys.argv[2]
    way = sys.argv[3] if len(sys.argv) > 3 else "bulk"
    imported = sqlite3.connect(imported_path)
    fresh = sqlite3.connect(fresh_path, isolation_level=None)
    tables = {}
    for table in ("opportunity", "stage_history"):
        names = columns(imported, table)
        rows = imported.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id").fetchall()
        tables[table] = (names, rows)
    teams = imported.execute("SELECT id, name, name_key, created_at, version FROM team WHERE id NOT IN (1) ORDER BY id").fetchall()
    imported.close()
    # The connection's settings as the binary sets them (synchronous FULL, WAL, foreign keys).
    fresh.execute("PRAGMA foreign_keys = ON")
    fresh.execute("PRAGMA synchronous = FULL")
    fresh.execute("PRAGMA temp_store = MEMORY")
    fresh.execute("PRAGMA cache_size = -8192")
    # The teams the import made (`--create-missing-teams`), untimed: a few rows.
    fresh.executemany("INSERT INTO team (id, name, name_key, created_at, version) VALUES (?, ?, ?, ?, ?)", teams)
    started, cpu = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    fresh.execute("BEGIN IMMEDIATE")
    trigger = fresh.execute("SELECT sql FROM sqlite_master WHERE name = 'opportunity_search_after_insert'").fetchone()[0]
    fresh.execute("DROP TRIGGER opportunity_search_after_insert")
    indexes = fresh.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                            "AND tbl_name IN ('opportunity', 'stage_history')").fetchall() if way == "bulk" else []
    for name, _ in indexes:
        fresh.execute(f"DROP INDEX {name}")
    for table, (names, rows) in tables.items():
        fresh.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows)
    for _, sql in indexes:
        fresh.execute(sql)
    fresh.execute("INSERT INTO opportunity_search (rowid, search_text) SELECT id, search_text FROM opportunity")
    fresh.execute(trigger)
    fresh.execute("COMMIT")
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{time.monotonic() - started:.3f} {after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime:.3f}")


if __name__ == "__main__":
    main()
