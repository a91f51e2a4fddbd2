# Shared helpers for scripts/setup, run, test and bench (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/node_modules/.bin:$VENV/bin:$PATH"
ADDONS_PATH="$ROOT/addons"
SIM_PORT=${WECHAT_SIM_PORT:-8900}

say() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
# die CAUSE FIX: one line with the cause and the fix, then exit 1.
die() { printf '[%s] ERROR: %s. Fix: %s\n' "$(basename "$0")" "$1" "$2" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else return 1; fi
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then su postgres -c "$*"
    else sudo -u postgres sh -c "$*"; fi
}

# The addons of the pack: every folder of addons/ with a manifest.
pack_addons() {
    local a out=""
    for a in "$ROOT"/addons/*/__manifest__.py; do
        [ -e "$a" ] || continue
        a=$(basename "$(dirname "$a")")
        out="${out:+$out,}$a"
    done
    printf '%s' "$out"
}

# start_simulator LOGFILE: starts the WeChat simulator unless one answers.
start_simulator() {
    if curl -fsS "http://127.0.0.1:$SIM_PORT/sim/health" >/dev/null 2>&1; then
        say "WeChat simulator already running on port $SIM_PORT"
        SIM_PID=""
        return
    fi
    "$PY" "$ROOT/scripts/wechat_simulator.py" --port "$SIM_PORT" --quiet \
        >"$1" 2>&1 &
    SIM_PID=$!
    local i
    for i in $(seq 50); do
        curl -fsS "http://127.0.0.1:$SIM_PORT/sim/health" >/dev/null 2>&1 \
            && return
        sleep 0.2
    done
    die "the WeChat simulator did not start (see $1)" \
        "free port $SIM_PORT or set WECHAT_SIM_PORT"
}
