#!/usr/bin/env bash
# Hedang 核档 — `make run`: set-up, then the whole system on the embedded default:
# web (http://127.0.0.1:8000), a Celery worker, the scheduler and the hot-folder watcher.
#
# Each process runs in its own process group (setsid) with its log in
# $HEDANG_DATA_DIR/logs/<name>.log. Ctrl-C (or TERM, or any exit of this script) stops every
# process group it started. If one process dies, the others are stopped and this script
# exits non-zero with the tail of that process's log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${HEDANG_DATA_DIR:-}" ]]; then
    HEDANG_DATA_DIR="$(realpath -m -- "$HEDANG_DATA_DIR")"
else
    HEDANG_DATA_DIR="$ROOT/var"
fi
export HEDANG_DATA_DIR
cd "$ROOT"

HOST=127.0.0.1
PORT=8000
URL="http://$HOST:$PORT/admin/"
PY="$ROOT/.venv/bin/python"
LOG_DIR="$HEDANG_DATA_DIR/logs"
STOP_GRACE_SECONDS=10

say() { printf '[run] %s\n' "$*"; }
die() { printf '[run] 错误 / error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

PIDS=()
declare -A NAME_OF=()
stopping=0

# live PID: the process exists and is not a zombie (`kill -0` also counts an exited child this
# shell has not reaped yet).
live() {
    local line state
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    read -r state _ <<<"${line##*) }"
    [[ "$state" != Z ]]
}

# group_alive PGID: the process group has a live member.
group_alive() {
    local pgid="$1" f line state pgrp
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$f" || continue
        read -r state _ pgrp _ <<<"${line##*) }"
        [[ "$pgrp" == "$pgid" && "$state" != Z ]] && return 0
    done
    return 1
}

# Stop everything started: TERM to each leader (a Celery worker then shuts its pool down
# itself), TERM to a group whose leader is gone (orphans), KILL to whatever is left after
# STOP_GRACE_SECONDS.
cleanup() {
    ((stopping)) && return 0
    stopping=1
    ((${#PIDS[@]})) || return 0
    local pid any deadline
    deadline=$((${EPOCHREALTIME/./} + STOP_GRACE_SECONDS * 1000000))
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    while ((${EPOCHREALTIME/./} < deadline)); do
        any=0
        for pid in "${PIDS[@]}"; do
            group_alive "$pid" || continue
            any=1
            live "$pid" || kill -TERM -- "-$pid" 2>/dev/null || true
        done
        ((any)) || break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do
        if group_alive "$pid"; then
            say "强制结束 / killing ${NAME_OF[$pid]} (process group $pid)"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    say "已全部停止 / all processes stopped"
}

# shellcheck disable=SC2317  # invoked by trap
on_signal() {
    # Keep going even if our stdout is gone (e.g. `make run | tee` after Ctrl-C).
    trap '' PIPE
    set +e
    printf '\n'
    say "正在停止 / stopping…"
    cleanup
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap cleanup EXIT

# start NAME COMMAND… — in its own session and process group; pid == pgid.
start() {
    local name="$1"
    shift
    local log="$LOG_DIR/$name.log"
    : >"$log"
    setsid "$@" </dev/null >>"$log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    NAME_OF[$pid]="$name"
    say "已启动 / started $name (pid $pid) → $log"
}

bash scripts/setup.sh

if port_open; then
    die "端口 $PORT 已被占用 / port $PORT on $HOST is already in use"
fi

mkdir -p "$LOG_DIR"
export PYTHONUNBUFFERED=1
# DEBUG off unless asked for (HEDANG_DEBUG=1): it keeps every SQL query of a long-lived
# worker in memory, shows tracebacks to users and costs a sixth of a push's CPU time.
export HEDANG_DEBUG="${HEDANG_DEBUG:-0}"

# Read the demo logins now, before the workers hold the database.
logins="$("$PY" manage.py seed_demo --print-logins 2>&1)" ||
    logins="（无法读取演示账号 / could not read the demo logins: seed_demo --print-logins failed)
$logins"

# gunicorn, not runserver: threads in several processes, so pushes from the platform and OCR
# uploads do not queue behind one interpreter (bench/push: 17.8 against 10.7 reports/s).
# Static files are served by the WSGI app itself (config/wsgi.py, HEDANG_SERVE_STATIC).
start web "$ROOT/.venv/bin/gunicorn" config.wsgi:application --bind "$HOST:$PORT" \
    --workers "${HEDANG_WEB_WORKERS:-3}" --threads 4 --worker-class gthread --timeout 300 \
    --graceful-timeout "$STOP_GRACE_SECONDS" --access-logfile - --error-logfile -
start worker "$ROOT/.venv/bin/celery" -A config worker -Q celery,ocr -c 2 --loglevel=INFO
start beat "$ROOT/.venv/bin/celery" -A config beat --schedule "$HEDANG_DATA_DIR/celerybeat-schedule"
if "$PY" manage.py help watch_inbox >/dev/null 2>&1; then
    start watcher "$PY" manage.py watch_inbox
else
    say "跳过热文件夹监视 / hot-folder watcher skipped (no watch_inbox command yet)"
fi

# Wait for the web server (at most 60 s), watching for an early death.
for ((i = 0; i < 600; i++)); do
    port_open && break
    kill -0 "${PIDS[0]}" 2>/dev/null || break
    sleep 0.1
done

cat <<EOF

============================================================================
 核档 Hedang 已启动 / is running
   管理界面 / admin:  $URL
   数据目录 / data:   $HEDANG_DATA_DIR
   日志 / logs:       $LOG_DIR/
 演示账号 / demo logins:
$(printf '%s\n' "$logins" | sed 's/^/   /')
 按 Ctrl-C 停止全部 / press Ctrl-C to stop everything
============================================================================

EOF

set +e
wait -n -p dead "${PIDS[@]}"
rc=$?
set -e

name=unknown
if [[ -n "${dead:-}" ]]; then name="${NAME_OF[$dead]:-unknown}"; fi
say "进程退出 / $name exited (status $rc); 停止其余进程 / stopping the others…"
if [[ -f "$LOG_DIR/$name.log" ]]; then
    printf -- '----- %s (最后 40 行 / last 40 lines) -----\n' "$LOG_DIR/$name.log" >&2
    tail -n 40 "$LOG_DIR/$name.log" >&2
    printf -- '-----\n' >&2
fi
cleanup
((rc != 0)) || rc=1
exit "$rc"
