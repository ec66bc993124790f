#!/usr/bin/env bash
# Hedang 核档 — set-up: Debian packages, .venv, migrations, regions, demo data.
#
# Idempotent and quick when nothing changed: the apt and pip steps are skipped when the stamp
# files under .venv/ match a hash of the package list and of requirements.txt. Never runs
# `playwright install` (browser tests use Debian's /usr/bin/chromium).
#
# Environment: HEDANG_DATA_DIR (default ./var) selects the data directory that is migrated
# and seeded; PYTHON (optional) names a Python 3.11 interpreter for the venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Resolve a relative data directory against the caller's directory, before cd.
if [[ -n "${HEDANG_DATA_DIR:-}" ]]; then
    HEDANG_DATA_DIR="$(realpath -m -- "$HEDANG_DATA_DIR")"
else
    HEDANG_DATA_DIR="$ROOT/var"
fi
export HEDANG_DATA_DIR
cd "$ROOT"

VENV="$ROOT/.venv"
APT_STAMP="$VENV/.setup-apt.sha256"
REQ_STAMP="$VENV/.setup-requirements.sha256"

APT_PACKAGES=(
    python3 python3-venv python3-dev build-essential
    tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng
    libtesseract-dev libleptonica-dev pkg-config
    ghostscript unpaper pngquant qpdf poppler-utils ffmpeg
    fonts-noto-cjk fonts-wqy-zenhei
    chromium libpq5 postgresql-client
    nginx-light
)

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] 错误 / error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "需要 root 或 sudo / need root or sudo to run: $*"
    fi
}

stamp_matches() { [[ -f "$1" ]] && [[ "$(cat "$1")" == "$2" ]]; }

# --- (a) Debian packages ------------------------------------------------------------------
apt_hash="$(printf '%s\n' "${APT_PACKAGES[@]}" | sha256sum | cut -d' ' -f1)"
if stamp_matches "$APT_STAMP" "$apt_hash"; then
    say "系统软件包已就绪 / Debian packages up to date"
else
    say "检查系统软件包 / checking Debian packages…"
    missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        say "安装系统软件包 / installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${missing[@]}"
    else
        say "系统软件包已安装 / all Debian packages already installed"
    fi
    # Written after the venv exists (the stamp lives in .venv/).
    apt_stamp_pending=1
fi

# --- (b) virtual environment --------------------------------------------------------------
is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; }

if [[ -x "$VENV/bin/python" ]] && is_py311 "$VENV/bin/python"; then
    :
else
    python=""
    for candidate in ${PYTHON:-} python3 python3.11 /usr/bin/python3 /usr/bin/python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
            python="$candidate"
            break
        fi
    done
    [[ -n "$python" ]] || die "找不到 Python 3.11 / no Python 3.11 found (python3 is $(python3 -V 2>&1 || echo missing))"
    if [[ -e "$VENV" ]]; then
        say "虚拟环境损坏或版本不符，重建 / .venv broken or not Python 3.11, recreating…"
        rm -rf -- "$VENV"
    fi
    say "创建虚拟环境 / creating .venv with $python ($("$python" -V 2>&1))…"
    "$python" -m venv "$VENV"
fi

if [[ "${apt_stamp_pending:-0}" == 1 ]]; then
    printf '%s\n' "$apt_hash" >"$APT_STAMP"
fi

req_hash="$(cat requirements.txt requirements-nodeps.txt | sha256sum | cut -d' ' -f1)"
if stamp_matches "$REQ_STAMP" "$req_hash"; then
    say "Python 依赖已就绪 / Python requirements up to date"
else
    say "安装 Python 依赖 / installing Python requirements…"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
    # Packages whose declared dependencies would clash with ours (rapidocr-onnxruntime asks
    # for opencv-python, which overwrites opencv-python-headless's cv2): theirs are listed in
    # requirements.txt instead.
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        -r requirements-nodeps.txt
    printf '%s\n' "$req_hash" >"$REQ_STAMP"
fi

# --- (c) database, static files, regions, demo data ---------------------------------------
mkdir -p "$HEDANG_DATA_DIR"
say "数据目录 / data directory: $HEDANG_DATA_DIR"
say "数据库迁移 / migrating the database…"
"$VENV/bin/python" manage.py migrate --noinput -v0
say "收集静态文件 / collecting static files…"
"$VENV/bin/python" manage.py collectstatic --noinput -v0
say "载入湖北行政区划 / loading Hubei regions…"
"$VENV/bin/python" manage.py load_regions
# Demo users and data only in the demo configuration (never with HEDANG_PRODUCTION=1 or
# HEDANG_DEMO=0): their password is published in the README.
if [[ "${HEDANG_PRODUCTION:-}" != "1" && "${HEDANG_DEMO:-1}" == "1" ]]; then
    say "创建演示机构、用户和数据 / seeding demo agency, users and data…"
    "$VENV/bin/python" manage.py seed_demo
else
    say "非演示配置：不建立演示账号 / not the demo configuration: no demo accounts"
fi
say "完成 / done"
