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

# Odoo's own addons (from the wheels) and the pack's.
odoo_addons_path() {
    printf '%s,%s' \
        "$("$PY" -c 'import os, odoo.addons.base as b; print(os.path.dirname(os.path.dirname(b.__file__)))')" \
        "$ADDONS_PATH"
}

# prepare_database DB CONF LOG [fresh]: creates DB (base, Chinese beside
# English, the company set to China/CNY/Asia-Shanghai before any accounting
# is installed, so Odoo picks the l10n_cn chart), then installs or upgrades
# l10n_cn and every addon of the pack with demo data.
prepare_database() {
    local db=$1 conf=$2 log=$3 fresh=${4:-}
    local opts=(-c "$conf" --addons-path="$(odoo_addons_path)" -d "$db")
    local odoo=("$ROOT/scripts/odoo" "${opts[@]}")
    local shell=("$ROOT/scripts/odoo" shell "${opts[@]}" --no-http)
    [ -n "$fresh" ] && dropdb --if-exists "$db"
    if ! psql -d "$db" -tAc 'select 1 from ir_module_module limit 1' >/dev/null 2>&1; then
        say "creating database $db (Chinese and English)"
        createdb "$db" 2>/dev/null || true
        "${odoo[@]}" -i base --load-language=zh_CN --stop-after-init \
            --logfile="$log" || die "creating $db failed (see $log)" "read the log"
        "${shell[@]}" --logfile="$log" <"$ROOT/scripts/configure_company.py" >/dev/null \
            || die "configuring the company of $db failed (see $log)" "read the log"
    fi
    local addons installed to_install="" to_upgrade="" name
    addons="l10n_cn,$(pack_addons)"
    installed=",$(psql -d "$db" -tAc "select string_agg(name, ',') from ir_module_module where state = 'installed'"),"
    for name in ${addons//,/ }; do
        if [[ "$installed" == *",$name,"* ]]; then
            to_upgrade="${to_upgrade:+$to_upgrade,}$name"
        else
            to_install="${to_install:+$to_install,}$name"
        fi
    done
    say "in $db: installing [${to_install}] upgrading [${to_upgrade}]"
    "${odoo[@]}" ${to_install:+-i "$to_install"} ${to_upgrade:+-u "$to_upgrade"} \
        --stop-after-init --logfile="$log" \
        || die "installing the addons into $db failed (see $log)" "read the log"
    "${shell[@]}" --logfile="$log" <"$ROOT/scripts/configure_company.py" >/dev/null \
        || die "configuring $db failed (see $log)" "read the log"
}
