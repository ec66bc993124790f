#!/usr/bin/env bash
# Hedang 核档 — makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up,
# for `make test-postgres`. Idempotent: a no-op when both answer.
#
# When PostgreSQL is not installed at all (no /etc/postgresql), installs it from Debian's
# packages, creates the cluster and trusts user postgres on loopback. Same for Redis.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PG_DB="hedang"
WAIT_SECONDS=30

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] 错误 / error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "需要 root 或 sudo / need root or sudo to run: $*"
    fi
}

apt_updated=0
apt_install() {
    if ((!apt_updated)); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() {
    command -v redis-cli >/dev/null 2>&1 &&
        [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]
}

wait_for() { # wait_for NAME CHECK-FUNCTION
    local name="$1" check="$2" i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        "$check" && return 0
        sleep 1
    done
    "$check" || die "$name 在 ${WAIT_SECONDS} 秒内未就绪 / $name not ready after ${WAIT_SECONDS} s"
}

# --- PostgreSQL ---------------------------------------------------------------------------
if pg_up; then
    say "PostgreSQL 已运行 / PostgreSQL is up (127.0.0.1:5432)"
else
    if [[ ! -d /etc/postgresql ]]; then
        say "安装 PostgreSQL / installing PostgreSQL…"
        apt_install postgresql
        # shellcheck disable=SC2012
        version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
        if [[ ! -d "/etc/postgresql/$version/main" ]]; then
            say "创建数据库集群 / creating cluster $version/main…"
            as_root pg_createcluster "$version" main
        fi
        hba="/etc/postgresql/$version/main/pg_hba.conf"
        if ! as_root grep -q '^host[[:space:]]\+all[[:space:]]\+postgres[[:space:]]\+127\.0\.0\.1/32[[:space:]]\+trust' "$hba"; then
            say "本机 postgres 用户免密 / trust auth for postgres on 127.0.0.1"
            as_root sed -i '1i host    all    postgres    127.0.0.1/32    trust\nhost    all    postgres    ::1/128    trust' "$hba"
            # The package may have started the cluster already; make it reread pg_hba.conf.
            as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
        fi
    fi
    if ! pg_up; then
        say "启动 PostgreSQL / starting PostgreSQL…"
        # shellcheck disable=SC2046  # the machine's documented start command, verbatim
        as_root pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
    fi
    wait_for PostgreSQL pg_up
    say "PostgreSQL 已就绪 / PostgreSQL is up (127.0.0.1:5432)"
fi

# The project's database (pytest-django makes its own test_$PG_DB beside it).
if [[ "$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]]; then
    say "创建数据库 / creating database $PG_DB"
    createdb -h 127.0.0.1 -p 5432 -U postgres "$PG_DB"
fi

# --- Redis --------------------------------------------------------------------------------
if redis_up; then
    say "Redis 已运行 / Redis is up (127.0.0.1:6379)"
else
    if ! command -v redis-server >/dev/null 2>&1; then
        say "安装 Redis / installing Redis…"
        apt_install redis-server
    fi
    if ! redis_up; then
        say "启动 Redis / starting Redis…"
        as_root mkdir -p /var/lib/redis /var/log/redis
        as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    fi
    wait_for Redis redis_up
    say "Redis 已就绪 / Redis is up (127.0.0.1:6379)"
fi
