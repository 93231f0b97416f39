#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (see Docs/architecture.md, "The test server").
#
#   Scripts/test-postgres.sh run [--durable] COMMAND [ARG...]
#       Creates a cluster in a new temporary folder, starts it, runs COMMAND with the
#       PIPELINE_TEST_PG* variables below, then stops every server it started and removes
#       the folder, whatever COMMAND's outcome (or a signal). Exits with COMMAND's status.
#       If the server cannot be started, COMMAND still runs, with PIPELINE_TEST_PG_ERROR
#       saying why, so the PostgreSQL tests fail with that reason instead of skipping.
#       --durable keeps PostgreSQL's default durability (fsync, synchronous_commit,
#       full_page_writes on) and shared_buffers: what `make bench` measures on, so that a
#       commit costs there what it costs on a real server.
#
#   Scripts/test-postgres.sh new NAME | stop NAME | start NAME | conninfo NAME
#       Used by the fault tests (through $PIPELINE_TEST_PG_CONTROL, inside `run`): a private
#       server NAME (a copy of the template cluster on its own port) that a test may stop and
#       start without disturbing the others. `new` and `conninfo` print its socket conninfo.
#
# What COMMAND sees:
#   PIPELINE_TEST_PG             conninfo of the superuser `postgres` over the unix socket (trust)
#   PIPELINE_TEST_PG_SOCKET_DIR  the socket folder (a `host=` value)
#   PIPELINE_TEST_PG_PORT        the port, also listened on at 127.0.0.1 (scram-sha-256 there)
#   PIPELINE_TEST_PG_PASSWORD    the password of `postgres` over TCP
#   PIPELINE_TEST_PG_CONTROL     this script; PIPELINE_TEST_PG_ROOT its folder
#   PGSERVICEFILE, PGPASSFILE    files in the folder (services pipeline_test, pipeline_test_tcp;
#                                an entry for the role pipeline_pgpass, password pgpass-secret)
#   PGPASSWORD                   set, empty (libpq then ignores it); tests may change it in place
#   PIPELINE_TEST_PG_DURABILITY  "default" with --durable, else what is off
# PIPELINE_TEST_PG_EXTRA_SETTINGS, if the caller sets it, adds `-c name=value` server options.
# The other PG* variables of the caller's environment are removed, so tests are hermetic.
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
# Test-only speed settings (unless --durable): fsync, synchronous_commit and full_page_writes
# off, shared_buffers 64MB.
set -euo pipefail

readonly SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
readonly START_TIMEOUT=60   # seconds for pg_ctl to see a server accept connections
readonly STOP_TIMEOUT=30
readonly TEST_SETTINGS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"

bindir() {
    local dir
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    done
    echo "no PostgreSQL server binaries (initdb) found: install the Debian package postgresql (make deps)" >&2
    return 1
}

# Runs a server command as the cluster's owner: `postgres` when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A port nothing on 127.0.0.1 listens on now (a server started on it may still lose a race;
# the caller retries).
free_port() {
    local port tries=0
    while [ $tries -lt 50 ]; do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
        tries=$(( tries + 1 ))
    done
    echo "no free TCP port found on 127.0.0.1" >&2
    return 1
}

# start_cluster DIR PORT: starts the server whose data is DIR/data, socket in DIR.
# The server outlives this script: it must not inherit any descriptor beyond 0-2 (a caller's
# pipe held open by it would never see end-of-file), so those are closed in a subshell first.
start_cluster() {
    local dir="$1" port="$2" bin
    bin="$(bindir)"
    echo "$port" > "$dir/port"
    # The settings `run` chose for every server of this run (the test speed-ups or not).
    local settings
    settings="$(cat "$(dirname "$dir")/server-settings" 2>/dev/null || echo "$TEST_SETTINGS")"
    (
    for descriptor in /proc/self/fd/*; do
        descriptor="${descriptor##*/}"
        if [ "$descriptor" -gt 2 ] 2>/dev/null; then eval "exec $descriptor>&-" 2>/dev/null || true; fi
    done
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$START_TIMEOUT" start -o \
        "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' \
         -c max_connections=150 $settings" </dev/null >/dev/null
    )
}

stop_cluster() {
    local dir="$1" bin
    bin="$(bindir)"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -t "$STOP_TIMEOUT" -m fast stop >/dev/null 2>&1 ||
        as_owner "$bin/pg_ctl" -D "$dir/data" -w -t "$STOP_TIMEOUT" -m immediate stop >/dev/null 2>&1 || true
}

# Starts DIR on a free port, trying a few ports in case another process takes one first.
start_on_free_port() {
    local dir="$1" attempt port
    for attempt in 1 2 3 4 5; do
        port="$(free_port)" || return 1
        if start_cluster "$dir" "$port"; then return 0; fi
        if ! grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null; then break; fi
    done
    echo "the PostgreSQL test server did not start; its log says: $(tail -n 3 "$dir/server.log" 2>/dev/null | tr '\n' ' ')" >&2
    return 1
}

socket_conninfo() {
    local dir="$1"
    echo "host=$dir port=$(cat "$dir/port") user=postgres dbname=postgres"
}

# The template cluster: created once per run, copied for the main server and each private one.
create_template() {
    local root="$1" bin
    bin="$(bindir)"
    if [ "$(id -u)" -eq 0 ]; then
        getent passwd postgres >/dev/null || { echo "no user 'postgres' to run the server as (install postgresql)" >&2; return 1; }
        chown postgres "$root"
    fi
    mkdir -p "$root/template"
    [ "$(id -u)" -ne 0 ] || chown postgres "$root/template"
    printf '%s\n' "$PIPELINE_TEST_PG_PASSWORD" > "$root/template/password"
    chmod 600 "$root/template/password"
    [ "$(id -u)" -ne 0 ] || chown postgres "$root/template/password"
    as_owner timeout 120 "$bin/initdb" -D "$root/template/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$root/template/password" --no-sync \
        > "$root/initdb.log" 2>&1 ||
        { echo "initdb failed: $(tail -n 3 "$root/initdb.log" | tr '\n' ' ')" >&2; return 1; }
    rm -f "$root/template/password"
}

new_cluster() {
    local root="$1" name="$2"
    local dir="$root/$name"
    [ ! -e "$dir" ] || { echo "a test server named $name exists already" >&2; return 1; }
    cp -a "$root/template" "$dir"
    start_on_free_port "$dir"
}

# Runs from the EXIT trap: errexit off, and no bare `return` in what it calls (in a trap
# handler a bare return reports the status of the command that ended the script).
cleanup() {
    set +e
    trap '' INT TERM HUP   # a second signal must not cut the clean-up short
    local root="$1" dir
    for dir in "$root"/*/; do
        stop_cluster "${dir%/}"
    done
    rm -rf "$root"
}

run() {
    local root status=0 settings="$TEST_SETTINGS"
    if [ "${1:-}" = "--durable" ]; then
        settings=""
        shift
    fi
    [ $# -gt 0 ] || { echo "usage: $0 run [--durable] COMMAND [ARG...]" >&2; exit 64; }
    root="$(mktemp -d "${TMPDIR:-/tmp}/pipeline-pg.XXXXXX")"
    trap 'cleanup "'"$root"'"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    for variable in PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGSSLMODE \
                    PGCONNECT_TIMEOUT PGAPPNAME PGTARGETSESSIONATTRS PGREQUIRESSL PGSSLROOTCERT; do
        unset "$variable"
    done
    export PIPELINE_TEST_PG_PASSWORD="test-$RANDOM$RANDOM-secret"
    export PIPELINE_TEST_PG_ROOT="$root"
    export PIPELINE_TEST_PG_CONTROL="$SCRIPT"
    export PGPASSWORD=""
    # PIPELINE_TEST_PG_EXTRA_SETTINGS: more `-c name=value` options for every server of the
    # run (make bench's profile of a team under load loads pg_stat_statements this way).
    printf '%s %s\n' "$settings" "${PIPELINE_TEST_PG_EXTRA_SETTINGS:-}" > "$root/server-settings"
    if [ -n "$settings" ]; then
        export PIPELINE_TEST_PG_DURABILITY="off (fsync, synchronous_commit, full_page_writes)"
    else
        export PIPELINE_TEST_PG_DURABILITY="default"
    fi

    local started=yes
    if ! error="$( { create_template "$root" && new_cluster "$root" main; } 2>&1 >/dev/null )"; then
        started=no
        export PIPELINE_TEST_PG_ERROR="${error:-the PostgreSQL test server did not start}"
        echo "test-postgres: $PIPELINE_TEST_PG_ERROR" >&2
    fi
    if [ "$started" = yes ]; then
        local port
        port="$(cat "$root/main/port")"
        export PIPELINE_TEST_PG="$(socket_conninfo "$root/main")"
        export PIPELINE_TEST_PG_SOCKET_DIR="$root/main"
        export PIPELINE_TEST_PG_PORT="$port"
        cat > "$root/pg_service.conf" <<EOF
[pipeline_test]
host=$root/main
port=$port
user=postgres
dbname=postgres

[pipeline_test_tcp]
host=127.0.0.1
port=$port
user=postgres
dbname=postgres
EOF
        printf '127.0.0.1:%s:*:pipeline_pgpass:pgpass-secret\n' "$port" > "$root/pgpass"
        chmod 600 "$root/pgpass"
        export PGSERVICEFILE="$root/pg_service.conf"
        export PGPASSFILE="$root/pgpass"
        echo "test-postgres: PostgreSQL $("$(bindir)/postgres" --version | awk '{print $3}') on port $port, socket in $root/main" >&2
    fi

    "$@" || status=$?
    return $status
}

main() {
    local command="${1:-}"
    shift || true
    case "$command" in
        run)
            run "$@"
            ;;
        new|stop|start|conninfo)
            local name="${1:-}"
            local root="${PIPELINE_TEST_PG_ROOT:-}"
            [ -n "$name" ] && [ -n "$root" ] && [ -d "$root/template" ] ||
                { echo "usage: $0 $command NAME, inside '$0 run'" >&2; exit 64; }
            case "$name" in */*|.*|template|'') echo "bad server name: $name" >&2; exit 64 ;; esac
            local dir="$root/$name"
            case "$command" in
                new) new_cluster "$root" "$name"; socket_conninfo "$dir" ;;
                stop) stop_cluster "$dir" ;;
                start) start_cluster "$dir" "$(cat "$dir/port")" ;;
                conninfo) socket_conninfo "$dir" ;;
            esac
            ;;
        *)
            echo "usage: $0 run [--durable] COMMAND [ARG...] | new|stop|start|conninfo NAME" >&2
            exit 64
            ;;
    esac
}

main "$@"
