#!/usr/bin/env python3
"""`make bench`: the figures of Docs/benchmarks.md, measured on the release binary.

For each size (opportunities over 6 stages and 5 teams, made by generate.py and kept under
.build/bench/ between runs) it measures, on a copy of that database:

  first frame      process start → first whole frame flushed (the binary's own clock,
                   PIPELINE_T0 → PIPELINE_TRACE), in a 120×30 tmux, page cache warm
  key latency      read → frame flushed, per key, from PIPELINE_TRACE: focus moves, a card
                   moved one stage, a column reordered, the stage editor opened, filter typing
  column orders    the frame after each `o` (by next activity, closing date, revenue,
                   priority, and back by hand), every column read again in the new order
  outside latency  tmux send-keys → the pane showing the change (focus moves)
  bytes            written to the terminal for one focus move and one card move (tmux pipe-pane)
  another process  how soon an idle board shows a change made elsewhere: a deal added by the CLI,
                   a card moved on a second board on the same file (from the change to the pane
                   showing it); the board promises within a second
  peak memory      of the board (VmHWM, written by the binary to its trace on exit)
  forecast         `pipeline forecast --json`, wall time; `forecast --range --json` (every open
                   deal's figures read from the store), wall and CPU time and peak memory
  view 3           the board's forecast view opened once (its key latency; the peak memory above
                   includes it)
  JSON export      `pipeline export --format json --what all`, wall time and peak memory
  CSV import       100,000 rows into a fresh database, wall and CPU time and peak memory, beside
                   its floor (Benchmarks/import_floor.py), interleaved, best of three
  JSON restore     the JSON export's backup of the whole database restored into a fresh file
                   (`pipeline import FILE.json`), wall and CPU time and peak memory, beside its
                   floor (`sqlite3 SOURCE .dump | sqlite3 FRESH`: SQLite itself loading the same
                   rows into the same schema in one transaction), interleaved, best of three
  restore          a JSON backup whose one record has a 20 MB note, into a fresh database (once)
  forecast range   the core's P10/P50/P90 of 1,000,000 generated open deals, whole and per month
                   (`pipeline dev range-bench`, timed inside the binary: no database read), part `range`

It prints a table and writes every figure as JSON to the path it names.
"""
import argparse, json, os, resource, shlex, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build/release/pipeline")
CACHE = os.path.join(ROOT, ".build/bench")
TARGETS = {"first_frame_ms": 50, "key_median_ms": 2, "key_p95_ms": 8, "focus_bytes": 4096, "peak_rss_mb": 40,
           "forecast_ms": 300, "import_100k_s": 1.5, "cli_change_max_ms": 1000, "board_change_max_ms": 1000}
ENV = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "PIPELINE_DB")}
ENV.update(TERM="xterm-256color", HOME=tempfile.gettempdir())


def run_measured(arguments, stdout=subprocess.DEVNULL):
    """Runs a command; returns (seconds, peak resident kilobytes) of that one process."""
    started = time.monotonic()
    process = subprocess.Popen(arguments, stdout=stdout, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        sys.exit(f"{' '.join(arguments)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def run_measured_cpu(arguments):
    """Runs a command; returns (seconds, CPU seconds (user + system), peak resident kilobytes)."""
    started = time.monotonic()
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        sys.exit(f"{' '.join(arguments)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def database(size):
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"pipeline-{size}.sqlite")
    if os.path.exists(path) and not has_history(path):
        os.remove(path)  # made before generate.py wrote each deal's history line
    if not os.path.exists(path):
        print(f"generating {size} opportunities (kept in {path})…", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/generate.py"), "--opportunities", str(size),
                        "--db", path, "--binary", BINARY], check=True, stdout=subprocess.DEVNULL)
    # The schema as this binary has it (a new index is built once here, not in every copy).
    subprocess.run([BINARY, "stage", "list", "--db", path], check=True, stdout=subprocess.DEVNULL, env=ENV)
    if not has_activities(path):
        print(f"adding activities to {path}…", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/generate.py"), "--add-activities", "--db", path],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def has_activities(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT EXISTS (SELECT 1 FROM activity)").fetchone()[0] == 1


def activity_count(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM activity").fetchone()[0]


def has_history(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT EXISTS (SELECT 1 FROM stage_history)").fetchone()[0] == 1


def working_copy(path, folder):
    copy = os.path.join(folder, "board.sqlite")
    shutil.copyfile(path, copy)
    return copy


class Tmux:
    """One board in a detached 120×30 tmux session on its own server."""
    count = 0

    def __init__(self, db, trace):
        Tmux.count += 1
        self.socket = f"pipeline-bench-{os.getpid()}-{Tmux.count}"
        self.trace = trace
        command = (f"env PIPELINE_TRACE={trace} PIPELINE_T0=$(date +%s%N) {BINARY} --db {shlex.quote(db)} --lang en; "
                   "sleep 30")
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30",
                        command], check=True, env=ENV)

    def tmux(self, *arguments):
        return subprocess.run(["tmux", "-L", self.socket, *arguments], capture_output=True, text=True, env=ENV).stdout

    def lines(self):
        try:
            with open(self.trace) as file:
                return file.read().splitlines()
        except FileNotFoundError:
            return []

    def wait(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.lines()
            if predicate(lines):
                return lines
            time.sleep(0.002)
        sys.exit(f"timed out; trace: {self.lines()[-5:]}")

    def keys(self):
        return [line for line in self.lines() if line.startswith("key ")]

    def press(self, key):
        """Sends one key and waits for its frame; returns its microseconds."""
        before = len(self.keys())
        self.tmux("send-keys", key)
        lines = self.wait(lambda lines: len([l for l in lines if l.startswith("key ")]) > before)
        return int([l for l in lines if l.startswith("key ")][before].split()[1])

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def quit(self):
        self.tmux("send-keys", "q")
        lines = self.wait(lambda lines: any(l.startswith("peak-rss-kb") for l in lines))
        self.tmux("kill-server")
        return int(next(l for l in lines if l.startswith("peak-rss-kb")).split()[1])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def board_figures(path, copy=True):
    """`path`: a SQLite file, measured on a copy, or (copy=False) a store used as it is."""
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        db = working_copy(path, folder) if copy else path
        # First frame, page cache warm: the first start reads the file once.
        first_frames = []
        for attempt in range(6):
            trace = os.path.join(folder, f"first-{attempt}.trace")
            board = Tmux(db, trace)
            lines = board.wait(lambda lines: any(l.startswith("first-frame-us") for l in lines))
            board.quit()
            if attempt > 0:
                first_frames.append(int(next(l for l in lines if l.startswith("first-frame-us")).split()[1]) / 1000)
        figures["first_frame_ms"] = statistics.median(first_frames)

        trace = os.path.join(folder, "keys.trace")
        board = Tmux(db, trace)
        board.wait(lambda lines: any(l.startswith("first-frame-us") for l in lines))
        samples = {"focus": [], "card_move": [], "column_move": [], "stage_editor": [], "filter": []}
        for index in range(60):
            samples["focus"].append(board.press(["Down", "Up", "Left", "Right"][index % 4]))
        for index in range(30):
            samples["card_move"].append(board.press("S-Left" if index % 2 == 0 else "S-Right"))
        board.press("Up")  # the column's header
        for index in range(20):
            samples["column_move"].append(board.press(">" if index % 2 == 0 else "<"))
        for _ in range(10):
            samples["stage_editor"].append(board.press("e"))
            board.press("Escape")
        for _ in range(3):
            board.press("/")
            for character in "hop dong":
                samples["filter"].append(board.press("Space" if character == " " else character))
            board.press("Enter")
            board.press("Escape")
        # Each column order: the frame after `o`, every column read again in that order (kept
        # apart from the pooled key figures, which keep their meaning).
        board.press("Down")  # a card, so that focus follows it through the orders
        for _ in range(3):
            for order in ORDERS:
                samples.setdefault(f"order_{order}", []).append(board.press("o"))
        # Back where it was (by hand, focus on the header): the focus moves below change the text
        # of the screen (the header's tooltip), which is what "outside" polls for.
        board.press("Up")
        # Seen from outside: send a key, poll the pane until it changes.
        outside = []
        for index in range(20):
            before, handled = board.screen(), len(board.keys())
            started = time.monotonic()
            board.tmux("send-keys", ["Down", "Up"][index % 2])
            while board.screen() == before and time.monotonic() - started < 5:
                pass
            outside.append((time.monotonic() - started) * 1000)
            board.wait(lambda lines: len([l for l in lines if l.startswith("key ")]) > handled)
        # Bytes the terminal receives for one key.
        stream = os.path.join(folder, "pane.bytes")
        open(stream, "w").close()
        board.tmux("pipe-pane", "-o", f"cat >> {stream}")
        time.sleep(0.2)

        def bytes_for(key):
            before = os.path.getsize(stream)
            board.press(key)
            time.sleep(0.15)
            return os.path.getsize(stream) - before

        board.press("Down")  # a card, so that the moves below move it
        focus_bytes = [bytes_for(["Down", "Up"][index % 2]) for index in range(6)]
        move_bytes = [bytes_for(["S-Left", "S-Right"][index % 2]) for index in range(4)]
        board.tmux("pipe-pane")
        # View 3 opened once (the forecast, its range over every open deal and the won
        # months), then back: the board's peak memory includes it.
        figures["forecast_view_ms"] = board.press("3") / 1000
        board.press("1")
        figures["peak_rss_mb"] = board.quit() / 1024
    for name, values in samples.items():
        values_ms = [value / 1000 for value in values]
        figures[f"{name}_median_ms"] = statistics.median(values_ms)
        figures[f"{name}_p95_ms"] = percentile(values_ms, 0.95)
    every = [value / 1000 for name, values in samples.items() if not name.startswith("order_") for value in values]
    figures["key_median_ms"] = statistics.median(every)
    figures["key_p95_ms"] = percentile(every, 0.95)
    figures["outside_median_ms"] = statistics.median(outside)
    figures["outside_p95_ms"] = percentile(outside, 0.95)
    figures["focus_bytes"] = statistics.median(focus_bytes)
    figures["card_move_bytes"] = statistics.median(move_bytes)
    return figures


def wait_for_screen(board, predicate, timeout=5.0):
    """Polls the pane until `predicate(screen)`; returns the milliseconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate(board.screen()):
            return (time.monotonic() - started) * 1000
        time.sleep(0.002)
    sys.exit("timed out waiting for the board to show another process's change")


def outside_change_figures(path, copy=True):
    """How soon an idle board shows what another process changed: a deal the CLI adds, a card
    moved on a second board. (Tests check that it shows; this measures how soon.)"""
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        db = working_copy(path, folder) if copy else path
        board = Tmux(db, os.path.join(folder, "watcher.trace"))
        board.wait(lambda lines: any(l.startswith("first-frame-us") for l in lines))
        cli = []
        for attempt in range(5):
            title = f"Probe {attempt}"
            subprocess.run([BINARY, "opp", "add", title, "--db", db], check=True, env=ENV, stdout=subprocess.DEVNULL)
            cli.append(wait_for_screen(board, lambda screen: title in screen))
        mover = Tmux(db, os.path.join(folder, "mover.trace"))
        mover.wait(lambda lines: any(l.startswith("first-frame-us") for l in lines))
        moves = []
        for attempt in range(6):
            before = board.screen()
            mover.press("S-Left" if attempt % 2 == 0 else "S-Right")
            moves.append(wait_for_screen(board, lambda screen: screen != before))
        mover.quit()
        board.quit()
    figures["cli_change_median_ms"] = statistics.median(cli)
    figures["cli_change_max_ms"] = max(cli)
    figures["board_change_median_ms"] = statistics.median(moves)
    figures["board_change_max_ms"] = max(moves)
    return figures


def command_figures(path, size):
    figures = {}
    forecast = [run_measured([BINARY, "forecast", "--json", "--db", path])[0] * 1000 for _ in range(5)]
    figures["forecast_ms"] = statistics.median(forecast)
    # The range reads every open deal's figures: wall, CPU and peak memory, best of 3.
    ranges = [run_measured_cpu([BINARY, "forecast", "--range", "--json", "--db", path]) for _ in range(3)]
    best = min(ranges)
    figures["forecast_range_ms"], figures["forecast_range_cpu_ms"] = best[0] * 1000, best[1] * 1000
    figures["forecast_range_rss_mb"] = max(r[2] for r in ranges) / 1024
    figures.update(export_figures(path))
    # The restore of 1,000,000 deals takes minutes on a loaded machine: once there.
    figures.update(backup_restore_figures(path, runs=3 if size <= 100_000 else 1))
    return figures


# The columns the exports read, as the binary selects them (Rows.swift): a record with its
# External ID, a history line with its record, an activity, a note.
RECORD_COLUMNS = ("id, type, title, customer_name, contact_name, email, phone, expected_revenue, currency, probability, "
                  "probability_manual, salesperson, team_id, stage_id, rank, priority, tags, expected_closing, notes, "
                  "created_at, updated_at, stage_changed_at, converted_at, active, lost_reason, version, "
                  "next_activity_date, next_activity_time, latest_open_due, external_id")
HISTORY_COLUMNS = ("id, opportunity_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name, changed_at, changed_by, "
                   "event, probability, amount, currency, reason")
ACTIVITY_COLUMNS = ("id, record_id, type_id, summary, due, due_time, assigned_to, notes, done_at, done_by, feedback, "
                    "created_at, created_by, updated_at, version")


def sqlite_floor(path, mode, sql, out):
    """SQLite's own shell reading the rows an export reads and writing them as CSV or JSON
    (`sqlite3 -csv` / `-json`) to a file, flushed to the disk as the export's file is: the
    floor an export is measured against. Returns seconds."""
    started = time.monotonic()
    with open(out, "wb") as file:
        subprocess.run(["sqlite3", "-readonly", mode, path, sql], stdout=file, check=True)
        os.fsync(file.fileno())
    return time.monotonic() - started


def export_figures(path, runs=3):
    """The CSV export of the opportunities and the JSON export of everything beside their floors, interleaved (floor, ours, floor,
    ours…) and best of `runs`, so that the machine's load falls on both alike."""
    figures = {}
    if shutil.which("sqlite3") is None:
        sys.exit("sqlite3 (the shell) is missing: the exports' floor needs it (apt-get install sqlite3)")
    with tempfile.TemporaryDirectory() as folder:
        out, floor_out = os.path.join(folder, "export"), os.path.join(folder, "floor")
        csv_sql = f"SELECT {RECORD_COLUMNS} FROM opportunity WHERE type = 'opportunity' ORDER BY id"
        json_sql = ";".join([f"BEGIN; SELECT {RECORD_COLUMNS} FROM opportunity ORDER BY id",
                             f"SELECT {HISTORY_COLUMNS} FROM stage_history ORDER BY id",
                             f"SELECT {ACTIVITY_COLUMNS} FROM activity ORDER BY id",
                             "SELECT id, record_id, text, author, created_at FROM deal_note ORDER BY id; COMMIT"])
        # A CSV file holds one kind of record: the opportunities, as the import benchmark's file.
        for name, what, mode, sql in (("csv", "opportunities", "-csv", csv_sql), ("json", "all", "-json", json_sql)):
            ours, floors, memory = [], [], []
            for _ in range(runs):
                floors.append(sqlite_floor(path, mode, sql, floor_out))
                seconds, rss = run_measured([BINARY, "export", "--format", name, "--what", what, "--out", out, "--db", path])
                ours.append(seconds)
                memory.append(rss / 1024)
            figures[f"{name}_export_s"] = min(ours)
            figures[f"{name}_export_floor_s"] = min(floors)
            figures[f"{name}_export_ratio"] = min(ours) / min(floors)
            figures[f"{name}_export_rss_mb"] = max(memory)
            figures[f"{name}_export_mb"] = os.path.getsize(out) / 1e6
    return figures


def import_figures(path):
    """The 100,000-row CSV import into a fresh database, beside its floor (Benchmarks/import_floor.py:
    SQLite inserting the same rows into the same schema), interleaved, best of three each: wall and
    CPU seconds (CPU is what the import itself costs; wall also counts the other engineers' load and
    the commit's fsync)."""
    with tempfile.TemporaryDirectory() as folder:
        csv = os.path.join(folder, "opportunities.csv")
        run_measured([BINARY, "export", "--format", "csv", "--what", "opportunities", "--out", csv, "--db", path])
        imports, floors, rows_floors, peak = [], [], [], 0
        for attempt in range(3):
            fresh = os.path.join(folder, f"fresh-{attempt}.sqlite")
            started = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, rss = run_measured([BINARY, "import", csv, "--create-missing-teams", "--db", fresh])
            ended = resource.getrusage(resource.RUSAGE_CHILDREN)
            imports.append((seconds, ended.ru_utime + ended.ru_stime - started.ru_utime - started.ru_stime))
            peak = max(peak, rss)
            for way, results in (("bulk", floors), ("rows", rows_floors)):
                floor = os.path.join(folder, f"floor-{way}-{attempt}.sqlite")
                subprocess.run([BINARY, "stage", "list", "--db", floor], check=True, stdout=subprocess.DEVNULL, env=ENV)
                output = subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/import_floor.py"), fresh, floor, way],
                                        check=True, capture_output=True, text=True).stdout.split()
                results.append((float(output[0]), float(output[1])))
                os.remove(floor)
            os.remove(fresh)
        figures = {"import_100k_s": min(wall for wall, _ in imports), "import_100k_cpu_s": min(cpu for _, cpu in imports),
                   "import_100k_rss_mb": peak / 1024,
                   "import_floor_s": min(wall for wall, _ in floors), "import_floor_cpu_s": min(cpu for _, cpu in floors),
                   "import_floor_rows_s": min(wall for wall, _ in rows_floors),
                   "import_floor_rows_cpu_s": min(cpu for _, cpu in rows_floors)}
        figures["import_floor_ratio"] = figures["import_100k_s"] / figures["import_floor_s"]
        figures["import_floor_cpu_ratio"] = figures["import_100k_cpu_s"] / figures["import_floor_cpu_s"]
        return figures


def backup_restore_figures(path, runs=3):
    """The whole backup (`export --format json --what all` of the database at `path`) restored into
    a fresh file, beside its floor: SQLite's shell dumping the database as SQL and a second shell
    loading that into a fresh file (one transaction: the dump is BEGIN … COMMIT), the same rows in
    the same schema with its indexes and triggers. Interleaved (floor, ours, floor, ours…), best of
    `runs`: wall and CPU seconds (CPU counts both shells of the floor), and our peak memory."""
    if shutil.which("sqlite3") is None:
        sys.exit("sqlite3 (the shell) is missing: the restore's floor needs it (apt-get install sqlite3)")
    with tempfile.TemporaryDirectory() as folder:
        backup = os.path.join(folder, "backup.json")
        run_measured([BINARY, "export", "--format", "json", "--what", "all", "--out", backup, "--db", path])
        ours, floors, peak = [], [], 0
        for attempt in range(runs):
            fresh = os.path.join(folder, f"floor-{attempt}.sqlite")
            started, before = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(f"sqlite3 -readonly {shlex.quote(path)} .dump | sqlite3 {shlex.quote(fresh)}", shell=True, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            floors.append((time.monotonic() - started, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
            os.remove(fresh)
            fresh = os.path.join(folder, f"fresh-{attempt}.sqlite")
            seconds, cpu, rss = run_measured_cpu([BINARY, "import", backup, "--db", fresh])
            ours.append((seconds, cpu))
            peak = max(peak, rss)
            os.remove(fresh)
        figures = {"restore_s": min(wall for wall, _ in ours), "restore_cpu_s": min(cpu for _, cpu in ours),
                   "restore_rss_mb": peak / 1024, "restore_floor_s": min(wall for wall, _ in floors),
                   "restore_floor_cpu_s": min(cpu for _, cpu in floors), "restore_mb": os.path.getsize(backup) / 1e6}
        figures["restore_cpu_ratio"] = figures["restore_cpu_s"] / figures["restore_floor_cpu_s"]
        return figures


def restore_figures():
    """A backup whose one record carries a 20 MB note, restored into a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "source.sqlite")
        run_measured([BINARY, "opp", "add", "Large note", "--db", source])
        backup = subprocess.run([BINARY, "export", "--format", "json", "--db", source], capture_output=True, text=True,
                                env=ENV, check=True).stdout.split("\n")
        section = None
        for index, line in enumerate(backup):
            if line.endswith(": ["):
                section = line
            elif section == '"records": [' and line.startswith("{"):
                comma = line.endswith(",")
                record = json.loads(line[:-1] if comma else line)
                record["notes"] = ("Ghi chú dài về khách hàng, line after line.\n" * (20 * 1024 * 1024 // 47)).strip()
                backup[index] = json.dumps(record, ensure_ascii=False) + ("," if comma else "")
        path = os.path.join(folder, "note.json")
        with open(path, "w") as file:
            file.write("\n".join(backup))
        seconds, rss = run_measured([BINARY, "import", path, "--db", os.path.join(folder, "fresh.sqlite")])
        return {"restore_note_s": seconds, "restore_note_rss_mb": rss / 1024}


def range_figures():
    """The core's forecast range at 1,000,000 deals: `dev range-bench` prints `range N deals: M ms`."""
    times = []
    for _ in range(3):
        output = subprocess.run([BINARY, "dev", "range-bench", "--deals", "1000000"], capture_output=True, text=True,
                                env=ENV, check=True).stdout
        times.append(float(output.split("deals: ")[1].split(" ms")[0]))
    return {"range_1m_ms": statistics.median(times)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--parts", default="sqlite,postgres,range",
                        help="sqlite (a column per size), postgres (a column at --pg-size, and a team under load), "
                             "range (the forecast range of 1,000,000 deals)")
    parser.add_argument("--pg-size", type=int, help="deals of the PostgreSQL column (default: the largest size)")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--pause-ms", default="100-500", help="a second team run's pause before each action ('' for none)")
    parser.add_argument("--out", default=os.path.join(CACHE, "results.json"))
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: run make bench (it builds in release mode first)")
    if shutil.which("tmux") is None:
        sys.exit("tmux is missing: run make deps")
    sizes = [int(text) for text in args.sizes.split(",")]
    results = {"machine": machine(), "sizes": {}}
    if "sqlite" in parts:
        for size in sizes:
            path = database(size)
            print(f"measuring {size}…", flush=True)
            figures = board_figures(path)
            figures["activities"] = activity_count(path)
            figures.update(command_figures(path, size))
            figures.update(outside_change_figures(path))
            if size == 100_000:
                figures.update(import_figures(path))
                figures.update(restore_figures())
            results["sizes"][str(size)] = figures
    if "range" in parts:
        results["range"] = range_figures()
    failure = None
    if "postgres" in parts:
        results["postgres"], failure = postgres_figures(args.pg_size or max(sizes), args)
    results["machine"]["load_average_at_end"] = os.getloadavg()[0]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as file:
        json.dump(results, file, indent=2)
    print(f"machine: {results['machine']['cores']} cores, load average {results['machine']['load_average_at_start']:.1f} "
          f"at the start, {results['machine']['load_average_at_end']:.1f} at the end")
    if results["sizes"]:
        print(table(results))
    if results.get("range"):
        print(f"\nforecast range of 1,000,000 open deals: {results['range']['range_1m_ms']:.0f} ms "
              f"(median of 3; target ≤ 1000 ms)")
    if results.get("postgres"):
        print(postgres_table(results))
    print(f"\nfigures written to {args.out}")
    if failure:
        sys.exit(f"PostgreSQL: {failure}")


def postgres_figures(size, args):
    """The PostgreSQL column, measured by bench_postgres.py inside a throwaway server with
    PostgreSQL's default durability; returns (figures, what went wrong or None). A server that
    does not start is a failure, said loudly, never a missing column."""
    # Every database made is generated here first, outside the server's run.
    for needed in {size, 100_000, 10_000}:
        database(needed)
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "postgres.json")
        environment = dict(os.environ, PIPELINE_TEST_PG_EXTRA_SETTINGS="-c shared_preload_libraries=pg_stat_statements")
        command = [os.path.join(ROOT, "Scripts/test-postgres.sh"), "run", "--durable", sys.executable,
                   os.path.join(ROOT, "Benchmarks/bench_postgres.py"), "--size", str(size), "--writers", str(args.writers),
                   "--actions", str(args.actions), "--pause-ms", args.pause_ms, "--out", out]
        try:
            status = subprocess.run(command, env=environment, timeout=4 * 3600).returncode
        except subprocess.TimeoutExpired:
            return None, "the PostgreSQL benchmarks took more than four hours and were stopped"
        figures = json.load(open(out)) if os.path.exists(out) else None
        if figures is None:
            return None, f"no PostgreSQL figures (bench_postgres.py exited {status}; its reason is above)"
        return figures, None if status == 0 else "the team under load lost, doubled or left out something (PROBLEM lines above)"


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(int(memory) / 1024 / 1024, 1),
            "load_average_at_start": os.getloadavg()[0],
            "swift": subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
            if shutil.which("swift") else "?"}


# The orders `o` goes through from "by hand", in that order.
ORDERS = ["next_activity", "closing_date", "revenue", "priority", "hand"]

ROWS = [
    ("activities", "activities", ""),
    ("first frame (ms)", "first_frame_ms", "≤ 50 at 1M"),
    ("key: all, median (ms)", "key_median_ms", "≤ 2 at 1M"),
    ("key: all, p95 (ms)", "key_p95_ms", "≤ 8 at 1M"),
    ("  focus move, median / p95", ("focus_median_ms", "focus_p95_ms"), ""),
    ("  card moved a stage, median / p95", ("card_move_median_ms", "card_move_p95_ms"), ""),
    ("  column reordered, median / p95", ("column_move_median_ms", "column_move_p95_ms"), ""),
    ("  stage editor opened, median / p95", ("stage_editor_median_ms", "stage_editor_p95_ms"), ""),
    ("  filter keystroke, median / p95", ("filter_median_ms", "filter_p95_ms"), ""),
    ("order `o`: next activity, median / p95 (ms)", ("order_next_activity_median_ms", "order_next_activity_p95_ms"), ""),
    ("  closing date, median / p95", ("order_closing_date_median_ms", "order_closing_date_p95_ms"), ""),
    ("  expected revenue, median / p95", ("order_revenue_median_ms", "order_revenue_p95_ms"), ""),
    ("  priority, median / p95", ("order_priority_median_ms", "order_priority_p95_ms"), ""),
    ("  back by hand, median / p95", ("order_hand_median_ms", "order_hand_p95_ms"), ""),
    ("outside, via tmux, median / p95 (ms)", ("outside_median_ms", "outside_p95_ms"), ""),
    ("another process's change shown, median / max (ms): a CLI add", ("cli_change_median_ms", "cli_change_max_ms"), "≤ 1000"),
    ("  a move on a second board", ("board_change_median_ms", "board_change_max_ms"), "≤ 1000"),
    ("bytes per focus move", "focus_bytes", "≤ 4096"),
    ("bytes per card move", "card_move_bytes", ""),
    ("board peak memory, view 3 opened once (MB)", "peak_rss_mb", "≤ 40 at 1M"),
    ("  view 3 opened: forecast, range, won months (ms)", "forecast_view_ms", "≤ 1000 at 1M"),
    ("forecast --json (ms)", "forecast_ms", "≤ 300 at 1M"),
    ("forecast --range read from the store, best of 3: wall / CPU (ms)", ("forecast_range_ms", "forecast_range_cpu_ms"), "≤ 1000 at 1M"),
    ("  its peak memory (MB)", "forecast_range_rss_mb", ""),
    ("CSV export of the opportunities, best of 3 (s)", "csv_export_s", "≤ 4 at 1M"),
    ("  floor: sqlite3 -csv of the same rows (s) / ratio", ("csv_export_floor_s", "csv_export_ratio"), ""),
    ("  peak memory / file size (MB)", ("csv_export_rss_mb", "csv_export_mb"), "≤ 64"),
    ("JSON export of everything (backup), best of 3 (s)", "json_export_s", "≤ 4 at 1M"),
    ("  floor: sqlite3 -json of the same rows (s) / ratio", ("json_export_floor_s", "json_export_ratio"), ""),
    ("  peak memory / file size (MB)", ("json_export_rss_mb", "json_export_mb"), "≤ 64"),
    ("JSON restore of the backup (the JSON export's file), wall / CPU (s)", ("restore_s", "restore_cpu_s"), "≤ 15 at 1M"),
    ("  floor: sqlite3 .dump piped into sqlite3, wall / CPU (s) / CPU ratio", ("restore_floor_s", "restore_floor_cpu_s", "restore_cpu_ratio"), ""),
    ("  peak memory / backup size (MB)", ("restore_rss_mb", "restore_mb"), "≤ 64"),
    ("CSV import of 100k rows, wall / CPU (s)", ("import_100k_s", "import_100k_cpu_s"), "≤ 1.5"),
    ("  its floor: SQLite bulk-loading the same rows, wall / CPU (s)", ("import_floor_s", "import_floor_cpu_s"), ""),
    ("  import ÷ floor, wall / CPU", ("import_floor_ratio", "import_floor_cpu_ratio"), "≤ 1.5"),
    ("  SQLite inserting them row by row, indexes kept, wall / CPU (s)", ("import_floor_rows_s", "import_floor_rows_cpu_s"), ""),
    ("CSV import peak memory (MB)", "import_100k_rss_mb", "≤ 64"),
    ("restore of a backup with one 20 MB note (s)", "restore_note_s", "≤ 3"),
    ("restore of a 20 MB note, peak memory (MB)", "restore_note_rss_mb", ""),
]


PG_ROWS = [
    ("db copy of the SQLite file (s)", "copy_s", "≤ 30 at 1M"),
    ("  floor: psql \\copy of the same rows (s) / ratio", ("copy_floor_s", "copy_ratio"), ""),
    ("db copy peak memory (MB)", "copy_rss_mb", "≤ 64"),
    ("ANALYZE after the copy (s)", "analyze_s", ""),
    ("first frame (ms)", "first_frame_ms", "≤ 50"),
    ("key: all, median (ms)", "key_median_ms", "≤ 5"),
    ("key: all, p95 (ms)", "key_p95_ms", "≤ 15"),
] + [row for row in ROWS[4:] if "export" not in str(row[1]) and "restore_" not in str(row[1])
        and row[1] not in ("forecast_ms", "restore_note_s", "restore_note_rss_mb", "import_100k_s")
        and not (isinstance(row[1], tuple) and row[1][0].startswith("import_"))] + [
    ("forecast --json (ms)", "forecast_ms", "≤ 300"),
    ("CSV import of 100k rows (s)", "import_100k_s", "≤ 3"),
    ("  floor: psql \\copy of the rows it wrote (s) / ratio", ("import_floor_s", "import_floor_ratio"), ""),
]
PG_TARGETS = {"first_frame_ms": 50, "key_median_ms": 5, "key_p95_ms": 15, "forecast_ms": 300, "import_100k_s": 3,
              "focus_bytes": 4096, "peak_rss_mb": 40, "cli_change_max_ms": 1000, "board_change_max_ms": 1000}
TEAM_ROWS = [
    ("writes answered (done / refused as changed / busy)", lambda r: f"{r['writes']:,} ({r['done']:,} / {r['refused']:,} / {r['busy']:,})", ""),
    ("wall time (s)", lambda r: f"{r['wall_s']:.1f}", ""),
    ("throughput (writes/s)", lambda r: f"{r['throughput_per_s']:.0f}", ""),
    ("write latency median / p95 / p99 / max (ms)",
     lambda r: " / ".join(f"{r[k]:.1f}" for k in ("latency_median_ms", "latency_p95_ms", "latency_p99_ms", "latency_max_ms")),
     "p95 ≤ 20"),
    ("  without each writer's first 10 writes: p95 / max (ms)",
     lambda r: f"{r['warm_latency_p95_ms']:.1f} / {r['warm_latency_max_ms']:.1f}" if r.get("warm_latency_p95_ms") else "–", ""),
    ("CPU per write, writers + server (ms)",
     lambda r: f"{r['cpu_ms_per_write']:.2f} ({r['client_cpu_s']:.1f} s + {r['server_cpu_s'] or 0:.1f} s)", ""),
    ("nothing lost or doubled, history and check agree", lambda r: "yes" if r["verified"] else "NO: " + "; ".join(r["problems"]), ""),
]


def postgres_table(results):
    pg = results["postgres"]
    figures, server = pg["figures"], pg["server"]
    def cell(key):
        if isinstance(key, tuple):
            return " / ".join(cell(k) for k in key)
        value = figures.get(key)
        if value is None:
            return "–"
        text = f"{value:.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}"
        target = PG_TARGETS.get(key)
        return text + ("" if target is None else " ✔" if value <= target else " ✘")
    lines = [f"\nPostgreSQL {server['version']} (fsync {server['fsync']}, synchronous_commit {server['synchronous_commit']}, "
             f"shared_buffers {server['shared_buffers']}), local socket, {pg['size']:,} deals",
             f"| | PostgreSQL, {pg['size']:,} | target |", "|---|---|---|"]
    lines += [f"| {label} | {cell(key)} | {target} |" for label, key, target in PG_ROWS]
    runs = pg["team"]
    lines += ["", f"Team under load: {runs[0]['writers']} writers × {runs[0]['actions']} actions on {runs[0]['team_size']:,} deals",
              "| | " + " | ".join(f"pause {run['pause_ms']} ms" for run in runs) + " | target |",
              "|---" * (len(runs) + 2) + "|"]
    lines += [f"| {label} | " + " | ".join(value(run) for run in runs) + f" | {target} |" for label, value, target in TEAM_ROWS]
    for run in runs:
        lines.append(f"\nwhere the sessions were (pause {run['pause_ms']} ms): "
                     + ", ".join(f"{key} {share:.0%}" for key, share in (run.get("sessions") or {}).items()))
        for statement in run.get("statements") or []:
            lines.append(f"  {statement['total_ms']:>9.0f} ms {statement['calls']:>7} calls {statement['mean_ms']:>7.3f} ms  "
                         f"{statement['query']}")
    return "\n".join(lines)


def table(results):
    sizes = list(results["sizes"])
    def cell(figures, key):
        if isinstance(key, tuple):
            return " / ".join(cell(figures, k) for k in key)
        value = figures.get(key)
        if value is None:
            return "–"
        return f"{value:.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}"
    header = "| | " + " | ".join(f"{int(size):,}" for size in sizes) + " | target |"
    lines = [header, "|---" * (len(sizes) + 2) + "|"]
    for label, key, target in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(results["sizes"][size], key) for size in sizes) + f" | {target} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
