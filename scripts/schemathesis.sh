#!/usr/bin/env bash
# make schemathesis: fuzz /api/v1/ from its own OpenAPI schema, once with a platform token and
# once with a staff login session, against gunicorn as `make run` starts it (DEBUG off), in a
# throw-away data directory. Passes when no request got a 5xx (check not_a_server_error).
# SCHEMATHESIS_SECONDS (default 120) is the time budget of each of the two runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
SECONDS_EACH="${SCHEMATHESIS_SECONDS:-120}"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/hedang-schemathesis.XXXXXX")"
export HEDANG_DATA_DIR="$DATA" HEDANG_DEBUG=0 HEDANG_PUSH_RATE="100000/min"
unset DATABASE_URL CELERY_BROKER_URL
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
REPORT_DIR="$ROOT/var/schemathesis"
mkdir -p "$REPORT_DIR"

"$PY" manage.py migrate -v0
"$PY" manage.py load_regions >/dev/null
"$PY" manage.py seed_demo >/dev/null
TOKEN="$("$PY" manage.py create_platform_token schemathesis --agency 420102 --json |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
SESSION="$("$PY" manage.py shell --no-imports -c '
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from archive.models import User
u = User.objects.get(username="archivist")
s = SessionStore()
s[SESSION_KEY] = str(u.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s.create()
print(s.session_key)' | tail -1)"

"$ROOT/.venv/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --threads 4 --worker-class gthread --timeout 120 --access-logfile - \
    >"$REPORT_DIR/gunicorn.log" 2>&1 &
WEB=$!
trap 'kill "$WEB" 2>/dev/null || true; wait "$WEB" 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "$URL/admin/login/" 2>/dev/null && break
    sleep 1
done

status=0
run() {
    local label="$1"
    shift
    echo "== schemathesis ($label), ${SECONDS_EACH}s =="
    "$ROOT/.venv/bin/schemathesis" run "$URL/api/v1/schema?format=json" \
        --checks not_a_server_error --max-time "$SECONDS_EACH" --workers 2 \
        --request-timeout 60 --seed 12 --report junit \
        --report-junit-path "$REPORT_DIR/$label.xml" "$@" || status=1
}
run token -H "Authorization: Token $TOKEN"
run session -H "Cookie: sessionid=$SESSION"
if grep -q " 50[0-9] " "$REPORT_DIR/gunicorn.log"; then
    echo "gunicorn logged a 5xx:" && grep " 50[0-9] " "$REPORT_DIR/gunicorn.log" | head
    status=1
fi
exit "$status"
