#!/usr/bin/env python3
"""`pipeline db copy` of one SQLite file into PostgreSQL by two binaries, interleaved (A B A B …),
each run into a fresh database of one throwaway server:

    PIPELINE_TEST_PG_EXTRA_SETTINGS="-c shared_preload_libraries=pg_stat_statements -c track_functions=all" \\
      nice Scripts/test-postgres.sh run --durable python3 Benchmarks/db_copy_ab.py \\
        --file /tmp/copy-of-pipeline-100000.sqlite --a /tmp/before/pipeline --b .build/release/pipeline --rounds 2

For each run: the client's wall and CPU seconds (user + system, from wait4) and peak memory,
the server's CPU seconds over the run (team_load.server_cpu_seconds), its statements' total
time and the largest statements (pg_stat_statements, reset before each run), the calls and
self time of the CHECK functions (pg_stat_user_functions, with track_functions = all), and
the load average before and after. The file is only read (both binaries must be at its SQLite
schema version, or the first run would migrate it).
"""
import argparse, json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import team_load  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "PIPELINE_DB")}


def one_run(binary, label, number, source, base, data):
    name = f"copy_{label.lower()}_{number}"
    team_load.psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    team_load.psql(base, f"CREATE DATABASE {name}")
    location = base.replace("dbname=postgres", f"dbname={name}")
    team_load.psql(base, "SELECT pg_stat_statements_reset()")
    load_before = os.getloadavg()[0]
    server_before = team_load.server_cpu_seconds(data)
    started = time.monotonic()
    process = subprocess.Popen([binary, "db", "copy", "--from", source, "--to", location],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        sys.exit(f"{label}: db copy failed: {process.stderr.read().decode()}")
    # A backend's CPU is counted once the postmaster has reaped it: wait for the copy's
    # sessions to end first (a poll, bounded), or their time would be missed.
    for _ in range(100):
        if team_load.psql(base, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'")[0][0] == "0":
            break
        time.sleep(0.1)
    time.sleep(0.5)
    server = team_load.server_cpu_seconds(data) - server_before
    dbid = f"(SELECT oid FROM pg_database WHERE datname = '{name}')"
    total = float(team_load.psql(base, f"SELECT coalesce(sum(total_exec_time), 0) / 1000 FROM pg_stat_statements WHERE dbid = {dbid}")[0][0])
    top = team_load.psql(base, f"""
        SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60), calls, round((total_exec_time / 1000)::numeric, 2)
        FROM pg_stat_statements WHERE dbid = {dbid} ORDER BY total_exec_time DESC LIMIT 6""")
    functions = team_load.psql(location, """
        SELECT funcname, calls, round((self_time / 1000)::numeric, 2) FROM pg_stat_user_functions
        WHERE funcname LIKE 'pipeline_is_%' ORDER BY funcname""")
    team_load.psql(base, f"DROP DATABASE {name} WITH (FORCE)")
    return {"binary": label, "round": number, "wall_s": round(wall, 2),
            "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "client_user_s": round(usage.ru_utime, 2),
            "client_sys_s": round(usage.ru_stime, 2), "client_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "server_cpu_s": round(server, 2), "statements_s": round(total, 2), "top_statements": top,
            "check_functions": functions, "load_before": load_before, "load_after": os.getloadavg()[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    base = os.environ.get("PIPELINE_TEST_PG")
    if os.environ.get("PIPELINE_TEST_PG_ERROR") or not base:
        sys.exit(f"the server did not start: {os.environ.get('PIPELINE_TEST_PG_ERROR') or 'run me through Scripts/test-postgres.sh run'}")
    data = os.path.join(os.environ["PIPELINE_TEST_PG_ROOT"], "main", "data")
    team_load.psql(base, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    runs = []
    for number in range(1, args.rounds + 1):
        for label, binary in (("A", args.a), ("B", args.b)):
            run = one_run(binary, label, number, args.file, base, data)
            print(json.dumps(run, ensure_ascii=False), flush=True)
            runs.append(run)
    if args.out:
        with open(args.out, "w") as file:
            json.dump(runs, file, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
