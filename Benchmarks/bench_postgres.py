#!/usr/bin/env python3
"""`make bench`'s PostgreSQL column: run by bench.py inside a throwaway server,

    Scripts/test-postgres.sh run --durable python3 Benchmarks/bench_postgres.py --size 1000000 --out figures.json

with PostgreSQL's default durability (fsync and synchronous_commit on: a commit costs what it
costs on a real server) and pg_stat_statements loaded for the profile. It measures, on
databases of that server:

  copy            `pipeline db copy` of the SQLite file of `--size` deals into an empty
                  database (wall time, peak memory), then ANALYZE (what autovacuum does within
                  a minute of a load; timed apart); beside it the floor, PostgreSQL's own
                  `COPY … FROM` of the same rows into the same schema (`copy_floor`)
  board           exactly as bench.py measures a file: first frame, keys, bytes, another
                  process's change shown, peak memory
  forecast        `pipeline forecast --json`, median of 5
  CSV import      the 100,000-row CSV bench.py imports into a file, into an empty database;
                  beside it the floor, PostgreSQL's own `COPY … FROM` of the rows the import
                  wrote into the same schema (`import_floor`)
  team under load team_load.py: `--writers` processes × `--actions` each on one database of
                  `--team-size` deals, without pause and (with --pause-ms) with a person's
                  pause before each action; throughput, write latency, CPU per write, where the
                  server's sessions spent their time, the statements that took it, and the
                  proof that nothing was lost or doubled

If the server did not start, it says why and exits 1: the PostgreSQL figures are never
silently missing.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import team_load  # noqa: E402


def server():
    """The conninfo of the throwaway server's `postgres` database, or exit with the reason."""
    error = os.environ.get("PIPELINE_TEST_PG_ERROR")
    location = os.environ.get("PIPELINE_TEST_PG")
    if error or not location:
        sys.exit(f"PostgreSQL: the benchmark server did not start: {error or 'PIPELINE_TEST_PG is not set (run me through Scripts/test-postgres.sh run)'}")
    return location


def new_database(base, name):
    team_load.psql(base, f"CREATE DATABASE {name}")
    return base.replace("dbname=postgres", f"dbname={name}")


def timed(arguments):
    seconds, kilobytes = bench.run_measured(arguments)
    return seconds, kilobytes / 1024


def copied(base, name, size):
    """A database holding the SQLite file of `size` deals, by `pipeline db copy`; returns it
    with the copy's and ANALYZE's figures."""
    path = bench.database(size)
    location = new_database(base, name)
    seconds, rss = timed([bench.BINARY, "db", "copy", "--from", path, "--to", location])
    analyze = timed(["psql", location, "-XAtq", "-c", "ANALYZE"])[0]
    return location, {"copy_s": seconds, "copy_rss_mb": rss, "analyze_s": analyze}


# What a copy writes, in the order a load takes (each table after those it names).
COPIED_TABLES = ["setting", "preference", "team", "stage", "activity_type", "opportunity", "stage_history", "activity",
                 "deal_note"]


def copy_floor(base, copied_location):
    """PostgreSQL's own floor for `db copy`: the rows the copy wrote, dumped by `COPY … TO`
    into files, loaded by `psql \\copy … FROM` into a new database of the same schema
    (made by the binary) in one transaction, after the same deletes a restore starts with and
    with the same `pipeline.importing` switch (the same triggers fire). Only the load is
    timed. Returns seconds."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        for table in COPIED_TABLES:
            subprocess.run(["psql", copied_location, "-XAtq", "-c", f"\\copy {table} TO '{folder}/{table}.copy'"], check=True)
        location = new_database(base, "copy_floor")
        subprocess.run([bench.BINARY, "stage", "list", "--db", location], check=True, stdout=subprocess.DEVNULL, env=bench.ENV)
        script = os.path.join(folder, "load.sql")
        with open(script, "w") as file:
            file.write("BEGIN;\nSET LOCAL pipeline.importing = 'on';\n"
                       "DELETE FROM deal_note; DELETE FROM activity; DELETE FROM stage_history; DELETE FROM opportunity;\n"
                       "DELETE FROM stage; DELETE FROM team; DELETE FROM setting; DELETE FROM preference;\n"
                       "DELETE FROM stage_total; DELETE FROM due_count; DELETE FROM activity_type;\n")
            for table in COPIED_TABLES:
                file.write(f"\\copy {table} FROM '{folder}/{table}.copy'\n")
            file.write("COMMIT;\n")
        seconds = timed(["psql", location, "-XAq", "-v", "ON_ERROR_STOP=1", "-f", script])[0]
        team_load.psql(base, "DROP DATABASE copy_floor WITH (FORCE)")
        return seconds


def import_figures(base):
    with tempfile.TemporaryDirectory() as folder:
        csv = os.path.join(folder, "opportunities.csv")
        bench.run_measured([bench.BINARY, "export", "--format", "csv", "--what", "opportunities", "--out", csv,
                            "--db", bench.database(100_000)])
        location = new_database(base, "import_fresh")
        seconds, rss = timed([bench.BINARY, "import", csv, "--create-missing-teams", "--db", location])
        floor = import_floor(base, location, folder)
        return {"import_100k_s": seconds, "import_100k_rss_mb": rss, "import_floor_s": floor,
                "import_floor_ratio": seconds / floor}


def import_floor(base, imported_location, folder):
    """The PostgreSQL import's floor: the rows the import wrote (its deals and their "created"
    history lines), dumped by `COPY … TO`, loaded by `psql \\copy … FROM` into a new database
    of the same schema (made by the binary, with the teams and stages the import made, untimed) in one
    transaction with the import's own `pipeline.importing` switch: the same triggers and
    indexes, no parsing, no validation, no client. Only the load is timed. Returns seconds."""
    for table in ("team", "stage", "opportunity", "stage_history"):
        subprocess.run(["psql", imported_location, "-XAtq", "-c", f"\\copy {table} TO '{folder}/{table}.copy'"], check=True)
    location = new_database(base, "import_floor")
    subprocess.run([bench.BINARY, "stage", "list", "--db", location], check=True, stdout=subprocess.DEVNULL, env=bench.ENV)
    setup = os.path.join(folder, "import_floor_setup.sql")
    with open(setup, "w") as file:
        for table in ("team", "stage"):  # what the import made besides its rows, as it made them
            file.write(f"CREATE TEMP TABLE loaded_{table} (LIKE {table});\n"
                       f"\\copy loaded_{table} FROM '{folder}/{table}.copy'\n"
                       f"INSERT INTO {table} SELECT * FROM loaded_{table} ON CONFLICT DO NOTHING;\n")
    subprocess.run(["psql", location, "-XAq", "-v", "ON_ERROR_STOP=1", "-f", setup], check=True, stdout=subprocess.DEVNULL)
    script = os.path.join(folder, "import_floor.sql")
    with open(script, "w") as file:
        file.write("BEGIN;\nSET LOCAL pipeline.importing = 'on';\n")
        for table in ("opportunity", "stage_history"):
            file.write(f"\\copy {table} FROM '{folder}/{table}.copy'\n")
        file.write("COMMIT;\n")
    seconds = timed(["psql", location, "-XAq", "-v", "ON_ERROR_STOP=1", "-f", script])[0]
    team_load.psql(base, "DROP DATABASE import_floor WITH (FORCE)")
    return seconds


def team_figures(base, args):
    """The team under load, once without pause and, with --pause-ms, once with it."""
    location, copy = copied(base, "team", args.team_size)
    team_load.psql(location, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    data = os.path.join(os.environ["PIPELINE_TEST_PG_ROOT"], "main", "data")
    runs = []
    for pause in [None] + ([args.pause_ms] if args.pause_ms else []):
        print(f"  team under load: {args.writers} writers × {args.actions} actions, pause {pause or 'none'}…", flush=True)
        team_load.psql(location, "SELECT pg_stat_statements_reset()")
        figures, problems = team_load.run(bench.BINARY, location, args.writers, args.actions, pause, env=bench.ENV,
                                          server_cpu=lambda: team_load.server_cpu_seconds(data), profile=True)
        figures["team_size"] = args.team_size
        figures["load_average_after"] = os.getloadavg()[0]
        figures["problems"] = problems
        runs.append(figures)
    return runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000, help="deals of the board's database")
    parser.add_argument("--team-size", type=int, default=10_000, help="deals of the team under load's database")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--pause-ms", default="100-500", help="the second run's pause before each action ('' for none)")
    parser.add_argument("--team-only", action="store_true", help="the team under load alone, without the board's column")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    base = server()
    version = team_load.psql(base, "SHOW server_version")[0][0]
    durability = {name: team_load.psql(base, f"SHOW {name}")[0][0]
                  for name in ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers")}
    results = {"server": {"version": version, **durability}, "size": args.size}

    if not args.team_only:
        print(f"PostgreSQL {version}: copying {args.size} deals…", flush=True)
        location, figures = copied(base, "board", args.size)
        print("  the copy's floor: PostgreSQL's own COPY of the same rows…", flush=True)
        figures["copy_floor_s"] = copy_floor(base, location)
        figures["copy_ratio"] = figures["copy_s"] / figures["copy_floor_s"]
        print(f"  measuring the board on PostgreSQL at {args.size}…", flush=True)
        figures.update(bench.board_figures(location, copy=False))
        figures.update(bench.outside_change_figures(location, copy=False))
        figures["forecast_ms"] = statistics.median(
            bench.run_measured([bench.BINARY, "forecast", "--json", "--db", location])[0] * 1000 for _ in range(5))
        print("  importing 100,000 rows…", flush=True)
        figures.update(import_figures(base))
        results["figures"] = figures
    results["team"] = team_figures(base, args)
    with open(args.out, "w") as file:
        json.dump(results, file, indent=2)
    problems = [problem for run in results["team"] for problem in run["problems"]]
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
