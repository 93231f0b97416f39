#!/usr/bin/env python3
"""A team under load: N writer processes (`pipeline dev churn --latency`) on one PostgreSQL
database at once, then proof that nothing was lost or doubled.

    python3 Benchmarks/team_load.py --db "host=… dbname=…" [--writers 50] [--actions 500] [--pause-ms 100-500]

What it reports (and `make bench` prints):
  throughput   writes answered per second (done, refused as changed, or busy), over the wall
               time from the first writer's start to the last one's end
  latency      of each write as its writer timed it (the write transaction, queueing
               included): median, p95, p99, max
  CPU          the writers' (user + system, from wait4) and the server's, per write: what
               the machine's cores allow at most (Little's law, Docs/benchmarks.md)
  profile      (bench_postgres.py asks for it) where the writers' server sessions spent their
               time (SessionSampler) and the statements that took the most (pg_stat_statements)
and what it checks afterwards, reading the database itself (psql):
  - every writer reported every action once (`ok`, `refused`, `busy` or `skip`) and `done`;
  - the same deals are there, none lost, none doubled;
  - each deal's version went up by exactly the writes reported done on it: no write was
    lost or applied twice, and every conflict was refused and reported, never written over;
  - the history grew by exactly one line per move reported done that changed a stage, and
    `pipeline check` finds the totals, the stages and the history in agreement.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, threading, time


def server_cpu_seconds(data_folder):
    """CPU seconds (user + system) the server whose data folder this is has used: the
    postmaster, its live children, and the children it has reaped (a backend's time goes to
    the postmaster when its session ends)."""
    pid = int(open(os.path.join(data_folder, "postmaster.pid")).readline())
    tick = os.sysconf("SC_CLK_TCK")

    def fields(process):
        text = open(f"/proc/{process}/stat").read()
        return text[text.rindex(")") + 2:].split()
    own = fields(pid)
    total = sum(int(value) for value in own[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                child = fields(entry)
                if int(child[1]) == pid:
                    total += int(child[11]) + int(child[12])
            except (OSError, IndexError, ValueError):
                pass
    return total / tick


def psql(location, sql):
    """Rows of a query, as lists of strings (psql's unaligned output)."""
    out = subprocess.run(["psql", location, "-XAtq", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class SessionSampler:
    """Where the writers' server sessions spend their time: every 100 ms, one psql (started
    once, `\\watch`) counts the database's other sessions by state and wait event. Each sample
    is one session at one moment, so the shares are shares of session time:
      idle                       between transactions: the writer's own work, or its turn on a CPU
      idle in transaction        inside a write, waiting for the writer's next statement
      active, Lock:relation      waiting for the writers' lock (the queue)
      active, IO:WALSync/Write   a commit flushing the log
      active, (none)             running a statement (on a CPU or waiting for one)"""

    QUERY = ("SELECT state, coalesce(wait_event_type || ':' || wait_event, '(none)'), count(*) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
             "GROUP BY 1, 2 \\watch 0.1\n")

    def __init__(self, location):
        self.counts, self.samples = {}, 0
        self.process = subprocess.Popen(["psql", location, "-XAtq", "-F", "\t"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.process.stdin.write(self.QUERY)
        self.process.stdin.flush()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.process.stdout:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[2].isdigit():
                key = f"{parts[0]}, {parts[1]}" if parts[0] == "active" else parts[0]
                self.counts[key] = self.counts.get(key, 0) + int(parts[2])
                self.samples += 1

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.reader.join(timeout=5)
        total = sum(self.counts.values())
        return {key: round(count / total, 3) for key, count in sorted(self.counts.items(), key=lambda item: -item[1])} \
            if total else {}


def top_statements(location, limit=8):
    """pg_stat_statements' statements of this database that took the most server time."""
    rows = psql(location, f"""
        SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3),
               left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT {limit}""")
    return [{"calls": int(calls), "total_ms": float(total), "mean_ms": float(mean), "query": query}
            for calls, total, mean, query in rows]


# The writes of each writer left out of the `warm_` latencies.
WARM_UP_WRITES = 10


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(binary, location, writers=50, actions=500, pause=None, env=None, server_cpu=None, profile=False):
    """Runs the writers; returns (figures, problems). `pause` is `dev churn --pause-ms`;
    `server_cpu`, if given, tells the CPU seconds the server has used so far; `profile`
    samples the sessions and reads pg_stat_statements (the extension must be there)."""
    env = env or dict(os.environ)
    server_before = server_cpu() if server_cpu else None
    before_versions = {int(i): int(v) for i, v in psql(location, "SELECT id, version FROM opportunity")}
    before_history = int(psql(location, "SELECT count(*) FROM stage_history")[0][0])
    with tempfile.TemporaryDirectory() as folder:
        processes, logs = [], []
        sampler = SessionSampler(location) if profile else None
        started = time.monotonic()
        for writer in range(writers):
            log = os.path.join(folder, f"writer-{writer}.log")
            logs.append(log)
            arguments = [binary, "dev", "churn", "--actions", str(actions), "--seed", str(writer + 1), "--latency",
                         "--db", location]
            if pause:
                arguments += ["--pause-ms", pause]
            with open(log, "w") as output:
                processes.append(subprocess.Popen(arguments, stdout=output, stderr=subprocess.STDOUT, env=env))
        statuses, client_cpu = [], 0.0
        for process in processes:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            statuses.append(process.returncode)
            client_cpu += usage.ru_utime + usage.ru_stime
        wall = time.monotonic() - started
        sessions = sampler.stop() if sampler else None
        server_used = server_cpu() - server_before if server_cpu else None
        outputs = [open(log).read().splitlines() for log in logs]
    problems = []
    latencies, warm_latencies, writes_by_deal, stage_changes = [], [], {}, 0
    counts = {"ok": 0, "refused": 0, "busy": 0, "skip": 0}
    for writer, (status, lines) in enumerate(zip(statuses, outputs)):
        results = [line for line in lines if line.split(" ")[0] in counts]
        if status != 0 or not lines or lines[-1] != "done" or len(results) != actions:
            problems.append(f"writer {writer + 1}: status {status}, {len(results)} results of {actions}, "
                            f"last line {lines[-1] if lines else 'none'!r}")
        timed_by_writer = 0
        for line in results:
            parts = line.split(" ")
            counts[parts[0]] += 1
            if parts[-1].endswith("us"):
                latencies.append(int(parts[-1][:-2]) / 1000)
                timed_by_writer += 1
                if timed_by_writer > WARM_UP_WRITES:
                    warm_latencies.append(latencies[-1])
            if parts[0] == "ok" and parts[1] in ("move", "edit"):
                deal = int(parts[2])
                writes_by_deal[deal] = writes_by_deal.get(deal, 0) + 1
                if parts[1] == "move" and parts[3] != parts[4]:
                    stage_changes += 1
    after_versions = {int(i): int(v) for i, v in psql(location, "SELECT id, version FROM opportunity")}
    after_history = int(psql(location, "SELECT count(*) FROM stage_history")[0][0])
    if sorted(after_versions) != sorted(before_versions):
        lost = set(before_versions) - set(after_versions)
        added = set(after_versions) - set(before_versions)
        problems.append(f"deals lost {sorted(lost)[:10]}, deals added {sorted(added)[:10]}")
    wrong = [deal for deal, version in after_versions.items()
             if version != before_versions.get(deal, 0) + writes_by_deal.get(deal, 0)]
    if wrong:
        problems.append(f"{len(wrong)} deals whose version does not follow the writes reported on them, e.g. {wrong[:5]}")
    if after_history - before_history != stage_changes:
        problems.append(f"history grew by {after_history - before_history} lines for {stage_changes} stage changes reported")
    check = subprocess.run([binary, "check", "--db", location], capture_output=True, text=True, env=env)
    if check.returncode != 0:
        problems.append("pipeline check: " + (check.stdout + check.stderr).strip())
    answered = counts["ok"] + counts["refused"] + counts["busy"]
    figures = {
        "writers": writers, "actions": actions, "pause_ms": pause or "0",
        "wall_s": wall, "writes": answered, "throughput_per_s": answered / wall,
        "done": counts["ok"], "refused": counts["refused"], "busy": counts["busy"], "skipped": counts["skip"],
        "stage_changes": stage_changes,
        "latency_median_ms": statistics.median(latencies) if latencies else None,
        "latency_p95_ms": percentile(latencies, 0.95) if latencies else None,
        "latency_p99_ms": percentile(latencies, 0.99) if latencies else None,
        "latency_max_ms": max(latencies) if latencies else None,
        # Without each writer's first writes: the session just opened, its statements prepared
        # on first use, and fifty writers starting at once.
        "warm_latency_p95_ms": percentile(warm_latencies, 0.95) if warm_latencies else None,
        "warm_latency_max_ms": max(warm_latencies) if warm_latencies else None,
        "client_cpu_s": client_cpu, "server_cpu_s": server_used,
        "cpu_ms_per_write": (client_cpu + (server_used or 0)) * 1000 / answered if answered else None,
        "verified": not problems,
    }
    if profile:
        figures["sessions"] = sessions
        figures["statements"] = top_statements(location)
    return figures, problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                         ".build/release/pipeline"))
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--pause-ms", default=None)
    args = parser.parse_args()
    root = os.environ.get("PIPELINE_TEST_PG_ROOT")
    data = os.path.join(root, "main", "data") if root else None
    figures, problems = run(args.binary, args.db, args.writers, args.actions, args.pause_ms,
                            server_cpu=(lambda: server_cpu_seconds(data)) if data else None)
    print(json.dumps(figures, indent=2))
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
