#!/usr/bin/env bash
# The release binary (what `make run` and every user runs), through its error paths, the
# commands people use most, and the board in a terminal — run by `make test` after the tests
# (which use the debug build), inside Scripts/test-postgres.sh so that the server's paths run too.
#
#   Scripts/release-smoke.sh .build/release/pipeline
#
# Why: an optimizer-only defect reaches users and no debug test sees it. In December 2026 every
# error message crashed the release binary ("failed to allocate … bytes") while all 849 tests
# passed (Docs/decisions.md, "Every error crashed the release binary"). Each check below says
# what it ran, what it expected and what it got; the script exits 1 if any failed.
set -uo pipefail

binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -x "$binary" ] || { echo "release-smoke: no binary at $1" >&2; exit 1; }
work="$(mktemp -d)"
socket="release-smoke-$$"
cleanup() { tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export HOME="$work" LANG=C.UTF-8 TERM=xterm-256color
unset PIPELINE_DB PIPELINE_NOW PIPELINE_TRACE LC_ALL LC_MESSAGES
failures=0
fail() { echo "release-smoke: FAIL: $*" >&2; failures=$((failures + 1)); }

# expect STATUS PREFIX COMMAND...: the exit status, the first line of standard error starting
# with PREFIX (empty: no message expected), and no crash report anywhere.
expect() {
    local status="$1" prefix="$2"; shift 2
    "$binary" "$@" > out 2> err < /dev/null
    local got=$?
    if grep -q -e "Fatal error" -e "Program crashed" -e "Backtracing" err; then
        fail "pipeline $* crashed: $(head -n 1 err)"
    elif [ "$got" -ne "$status" ]; then
        fail "pipeline $* exited $got, expected $status: $(head -c 300 err)"
    elif [ -n "$prefix" ] && ! head -n 1 err | grep -q "^$prefix"; then
        fail "pipeline $* said '$(head -n 1 err)', expected a line starting '$prefix'"
    fi
}

# What people run most, each through to its end.
expect 0 "" --version
# A command that only reads makes no database for a name that is not there (one that writes does).
expect 66 "error: there is no database at" stage list --db new/pipeline.sqlite
[ ! -e new ] || fail "stage list on a missing database made $(ls -d new)"
expect 0 "" opp add "Smoke deal" --revenue 1200 --db pipeline.sqlite
expect 0 "" stage list --db pipeline.sqlite
grep -q "New" out || fail "stage list printed no stage New: $(head -c 300 out)"
expect 0 "" opp list --db pipeline.sqlite
grep -q "Smoke deal" out || fail "opp list did not list the deal it added"
expect 0 "" forecast --range --json --db pipeline.sqlite
python3 -m json.tool out > /dev/null || fail "forecast --range --json printed no JSON"
expect 0 "" digest --since 7d --db pipeline.sqlite
expect 0 "" stats stages --db pipeline.sqlite
expect 0 "" export --format csv --out deals.csv --db pipeline.sqlite
expect 0 "" import deals.csv --db imported.sqlite
expect 0 "" export --format json --out backup.json --db pipeline.sqlite
expect 0 "" import backup.json --db restored.sqlite
expect 0 "" check --db restored.sqlite --quiet

# Every kind of error the CLI reports (each catch of Main), in both languages.
sqlite3 foreign.sqlite "CREATE TABLE theirs (x)"
printf 'a,b\n\xff\xfe,1\n' > bad.csv
printf '\xff\xfe{' > bad.json
expect 64 "Error:" stage list --no-such-option --db pipeline.sqlite           # ArgumentParser
expect 65 "error:" stage list --team "No such team" --db pipeline.sqlite      # PipelineError
expect 65 "lỗi:" stage list --team "No such team" --lang vi --db pipeline.sqlite
expect 65 "error:" opp show 999 --db pipeline.sqlite
expect 74 "error:" stage list --db foreign.sqlite                             # StoreError
expect 66 "error:" import no-such-file.csv --db pipeline.sqlite               # FileError
expect 65 "error:" import bad.csv --db pipeline.sqlite                        # the import's problems
expect 65 "error:" import bad.json --db pipeline.sqlite                       # TextProblem
expect 65 "error:" digest --since not-a-date --db pipeline.sqlite             # DateOptionProblem
PIPELINE_NOW=garbage expect 78 "error:" stage list --db pipeline.sqlite       # ConfigurationError
PIPELINE_TRACE=pipeline.sqlite expect 65 "error:" stage list --db pipeline.sqlite   # Trace.refusal
if "$binary" stage list --db pipeline.sqlite > /dev/full 2> err; then
    fail "stage list into /dev/full succeeded"
elif grep -q -e "Fatal error" -e "Program crashed" err || ! grep -q "^error:" err; then
    fail "stage list into /dev/full: $(head -c 300 err)"
fi

# The server's paths, when `make test` started one (it always does; a missing server is a failure).
if [ -n "${PIPELINE_TEST_PG_ERROR:-}" ]; then
    fail "no PostgreSQL server: $PIPELINE_TEST_PG_ERROR"
elif [ -n "${PIPELINE_TEST_PG:-}" ]; then
    psql "$PIPELINE_TEST_PG" -XAtq -c "CREATE DATABASE smoke_ours" -c "CREATE DATABASE smoke_theirs"
    ours="${PIPELINE_TEST_PG/dbname=postgres/dbname=smoke_ours}"
    theirs="${PIPELINE_TEST_PG/dbname=postgres/dbname=smoke_theirs}"
    psql "$theirs" -XAtq -c "CREATE TABLE theirs (x int)"
    expect 0 "" db copy --from pipeline.sqlite --to "$ours" --quiet
    expect 0 "" opp list --db "$ours"
    grep -q "Smoke deal" out || fail "the copy on the server does not list the deal"
    expect 74 "error:" stage list --db "$theirs"                                 # PostgresStoreError
    expect 65 "error:" stage list --team "No such team" --db "$ours"
else
    fail "PIPELINE_TEST_PG is not set: run this inside Scripts/test-postgres.sh run"
fi

# The board: it draws, quits on q with status 0, and gives the terminal back.
tmux -L "$socket" -f /dev/null new-session -d -x 80 -y 24 \
    "'$binary' --db pipeline.sqlite --lang en; echo \"exit=\$?\" > board.status; sleep 60"
wait_for() {  # wait_for SECONDS CONDITION...: polls the condition, no fixed sleep
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}
pane_has() { tmux -L "$socket" capture-pane -p | grep -q "$1"; }
if ! wait_for 30 pane_has "Smoke deal"; then
    fail "the board did not show the deal: $(tmux -L "$socket" capture-pane -p | head -5)"
else
    tmux -L "$socket" send-keys q
    if ! wait_for 30 test -s board.status; then
        fail "the board did not exit on q"
    elif [ "$(cat board.status)" != "exit=0" ]; then
        fail "the board exited with $(cat board.status)"
    elif [ "$(tmux -L "$socket" display-message -p '#{alternate_on}')" != "0" ]; then
        fail "the board left the terminal on its alternate screen"
    fi
    tmux -L "$socket" capture-pane -p | grep -q -e "Fatal error" -e "crashed" && fail "the board crashed"
fi

if [ "$failures" -gt 0 ]; then
    echo "release-smoke: $failures check(s) failed" >&2
    exit 1
fi
echo "release-smoke: the release binary passed every check"
