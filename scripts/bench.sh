#!/usr/bin/env bash
# Sluice benchmarks, all measured in one run on the same machine state
# (`make bench`, which starts the local stack first):
#
#   1. tokenizer      package-benchmark suites CSVTokenizer and IBANValidation in Benchmarks/
#                     (CSVDecoder alone, decode + ColumnMapper + CopyEncoder, IBANs/s), one
#                     core, input in memory (the per-stage suites: `make bench-stages`);
#   2. 1M rows        `sluice run` from S3 against `psql \copy ... (FORMAT csv)` of the same
#                     file, alternating, BENCH_REPEATS times each (default 3), plus sluice
#                     with `keep_raw: false` (BENCH_NORAW): wall clock,
#                     rows/s, CPU of sluice / psql / the PostgreSQL server / SeaweedFS,
#                     peak RSS;
#   3. 1M rows        `sluice run` from the local file, in the same rotation (BENCH_REPEATS
#                     times), to separate the cost of S3;
#   4. 10M rows       `psql \copy` and `sluice run` from S3, once each: rows/s at ten times
#                     the size, and sluice's peak RSS (takes a few minutes).
#
# This script measures; scripts/bench_report.py (`loads`) formats: it prints a markdown
# report and writes it into docs/performance.md, between the "bench.sh:begin/end" markers
# (the rest of that file is left alone). Raw outputs (results.jsonl, JSON summaries,
# package-benchmark's table) are kept in $BENCH_KEEP_DIR when it is set.
#
# sluice loads with pipelines/debtors.yaml, its target table changed to BENCH_TARGET
# (default bench.sluice_debtors, which sluice creates with the same columns as
# sluice.debtors), so that the benchmark can empty its table before every load without
# touching rows that tests or demos load into sluice.debtors at the same time.
#
# WHAT IT CHANGES. Besides building (.build/release, Benchmarks/.build) and generating
# Samples/generated/ (gitignored), it writes only to:
#   - schema `bench` in the stack's database: bench.psql_debtors, bench.sluice_debtors and
#     bench.sluice_shape, dropped or truncated as it goes;
#   - with BENCH_TARGET=sluice.debtors (the unmodified pipeline file), table sluice.debtors,
#     which it then TRUNCATES before every sluice load: only do that on a database whose
#     sluice.debtors you do not need;
#   - sluice.runs / run_checkpoints / rejections: each sluice load adds its own run (left in
#     place). Unfinished runs of the benchmark's own inputs, left by an interrupted
#     benchmark, are deleted, since `sluice run` would resume them instead of loading;
#   - the S3 keys s3://$SLUICE_S3_BUCKET/bench/debtors-{1m,10m}.csv.
#
# Settings (environment, all optional):
#   BENCH_REPEATS=3        loads of each kind on 1M rows
#   BENCH_TOKENIZER=1      0 skips the package-benchmark suite
#   BENCH_10M=1            0 skips the 10M-row run
#   BENCH_BUILD=1          0 uses the existing binary (BENCH_SLUICE) as it is
#   BENCH_SLUICE=.build/release/sluice   the sluice binary to measure (built by BENCH_BUILD=1
#                          only when it is this default)
#   BENCH_NORAW=0          1 adds 1M loads with `keep_raw: false` (the same as the main loads
#                          while the shipped pipeline has keep_raw: false)
#   BENCH_OUTPUT=docs/performance.md   where the report goes ("-" prints it only)
#   BENCH_KEEP_DIR=        keep raw outputs in this folder
#   BENCH_TARGET=bench.sluice_debtors  sluice's target table (schema.table)
#   BENCH_COMMAND=         the command the report names (default: make bench)
#   BENCH_REVISION=        what the report names as the source revision (default: git's
#                          HEAD, marked when there are uncommitted changes)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

REPEATS="${BENCH_REPEATS:-3}"
RUN_TOKENIZER="${BENCH_TOKENIZER:-1}"
RUN_10M="${BENCH_10M:-1}"
RUN_BUILD="${BENCH_BUILD:-1}"
# The shipped pipeline has keep_raw: false since issue 10, so the extra keep_raw: false loads
# repeat the main ones; they stay available for pipelines that keep raw.
RUN_NORAW="${BENCH_NORAW:-0}"
OUTPUT="${BENCH_OUTPUT:-docs/performance.md}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
ENV_FILE="$STATE_DIR/env"
TARGET="${BENCH_TARGET:-bench.sluice_debtors}"
PIPELINE=pipelines/debtors.yaml
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/.build/release/sluice}"
[[ "$SLUICE" == /* ]] || SLUICE="$REPO_ROOT/$SLUICE"
SAMPLE_DIR="$REPO_ROOT/Samples/generated"
TIME=/usr/bin/time
COLUMNS_14="external_id,first_name,last_name,email,iban,bic,amount,currency,mandate_id,mandate_date,address,city,postcode,country"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- preconditions

[[ "$TARGET" =~ ^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$ ]] || die "BENCH_TARGET must be schema.table in lower case (got '$TARGET')"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEATS must be a positive integer (got '$REPEATS')"
[[ -f "$ENV_FILE" ]] || die "no $ENV_FILE: start the stack first (make stack, or scripts/stack.sh up)"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
for tool in psql python3 swift; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
if [[ ! -x "$TIME" ]]; then
  log "$TIME is missing (peak RSS needs GNU time): installing Debian's 'time' package"
  apt-get install -y -qq time >/dev/null || die "cannot install 'time'; install it and run again"
fi
python3 scripts/s3put.py --list "s3://$SLUICE_S3_BUCKET/bench/" >/dev/null \
  || die "S3 at $SLUICE_S3_ENDPOINT does not answer (scripts/stack.sh status)"

# Two benchmarks at once would empty each other's tables and share the CPUs: one at a time.
exec 9>"$STATE_DIR/bench.lock"
if ! flock -n 9; then
  log "another scripts/bench.sh is running on this stack; waiting for it to finish..."
  flock 9
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
cleanup() {
  if [[ -n "${BENCH_KEEP_DIR:-}" ]]; then
    mkdir -p "$BENCH_KEEP_DIR" && cp -r "$WORK"/. "$BENCH_KEEP_DIR"/ && log "raw outputs kept in $BENCH_KEEP_DIR"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

# The pipeline sluice runs: pipelines/debtors.yaml, or a copy with another target table.
if [[ "$TARGET" != sluice.debtors ]]; then
  python3 - "$PIPELINE" "$TARGET" >"$WORK/debtors-bench.yaml" <<'PY' || die "cannot derive the benchmark pipeline from $PIPELINE"
import re, sys
text, count = re.subn(r"(?m)^(\s+table:\s*)sluice\.debtors\s*$", lambda m: m.group(1) + sys.argv[2], open(sys.argv[1]).read())
if count != 1:
    sys.exit(f"expected one 'table: sluice.debtors' line in {sys.argv[1]}, found {count}")
sys.stdout.write(text)
PY
  PIPELINE="$WORK/debtors-bench.yaml"
fi
# The same pipeline with `keep_raw: false`, for the variant that leaves the raw record out.
PIPELINE_NORAW="$WORK/debtors-bench-noraw.yaml"
python3 - "$PIPELINE" >"$PIPELINE_NORAW" <<'PY' || die "cannot derive a keep_raw: false pipeline from $PIPELINE"
import re, sys
text = open(sys.argv[1]).read()
text, count = re.subn(r"(?m)^(\s+keep_raw:\s*)\S+", lambda m: m.group(1) + "false", text)
if count == 0:
    text, count = re.subn(r"(?m)^(\s+)(table:.*)$", lambda m: f"{m.group(1)}{m.group(2)}\n{m.group(1)}keep_raw: false", text, count=1)
if count != 1:
    sys.exit(f"cannot set keep_raw in {sys.argv[1]}")
sys.stdout.write(text)
PY

# ---------------------------------------------------------------- CPU accounting

# PostgreSQL's CPU is read from /proc: every process under the postmaster, plus what its
# exited children (the backend of a finished COPY) left in the postmaster's cutime/cstime.
# The pids are read on every call, since the stack may have been restarted.
PG_PID_FILE="$STATE_DIR/pg/data/postmaster.pid"
WEED_PID_FILE="$STATE_DIR/weed.pid"

# Prints "<postgres cpu seconds> <seaweedfs cpu seconds>" ("nan" where unknown).
server_cpu() {
  python3 - "$PG_PID_FILE" "$WEED_PID_FILE" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def pid_in(path):
    try:
        with open(path) as f:
            return f.readline().strip()
    except OSError:
        return ""
def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after ")": state ppid ... utime(11) stime(12) cutime(13) cstime(14)
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
def tree_cpu(root):
    if not root or stat(root) is None:
        return float("nan")
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = stat(name)
            if s: children.setdefault(s[0], []).append(int(name))
    total, todo = stat(root)[2], [int(root)]
    while todo:
        pid = todo.pop()
        s = stat(pid)
        if s:
            total += s[1]
            todo.extend(children.get(pid, []))
    return total / tick
print(f"{tree_cpu(pid_in(sys.argv[1])):.3f} {tree_cpu(pid_in(sys.argv[2])):.3f}")
PY
}

# Waits up to a minute for PostgreSQL to accept connections (it may be restarting).
wait_pg() {
  local i
  for i in $(seq 1 60); do
    psql -qXAtc "select 1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "PostgreSQL at $PGHOST:$PGPORT does not accept connections (scripts/stack.sh status)"
}

# pg_retry command...: runs a psql command, again after PostgreSQL comes back if it fails
# (up to three attempts). Only for idempotent steps.
pg_retry() {
  local attempt
  for attempt in 1 2 3; do
    wait_pg
    "$@" && return 0
    log "retrying after a PostgreSQL error (attempt $attempt): $*"
    sleep 2
  done
  die "failed three times: $*"
}

# Prints how busy the CPUs were (percent, all cores) over one second, and warns when
# something else keeps them busy: the figures would then be lower than they should be.
check_quiet() {
  local busy
  busy="$(python3 - <<'PY'
import time
def sample():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = sample(); time.sleep(1); t1, i1 = sample()
print(round(100 * (1 - (i1 - i0) / max(1, t1 - t0))))
PY
)"
  if ((busy > 15)); then
    log "note: the CPUs were ${busy}% busy in the second before $1; other processes may slow the measurement"
  fi
  echo "$busy"
}

now_ns() { date +%s%N; }

wal_lsn() { psql -qXAtc "select pg_current_wal_lsn()" 2>/dev/null || echo 0/0; }
postmaster_pid() { head -n1 "$PG_PID_FILE" 2>/dev/null || true; }

# measure KIND ITERATION PREPARE -- command...
# Runs PREPARE (a function: truncate, checkpoint), then the command under GNU time, with its
# stdout in $WORK/KIND-ITERATION.out, and appends one JSON line to $RESULTS (the fields of
# `scripts/bench_report.py loads --help`; numbers as strings, "nan" where unknown).
# If PostgreSQL restarts during the measurement (another process on this machine may restart
# the stack), the measurement is worthless and is repeated, up to three attempts.
measure() {
  local kind="$1" iteration="$2" prepare="$3"
  shift 4
  local out="$WORK/$kind-$iteration.out" err="$WORK/$kind-$iteration.err" tfile="$WORK/$kind-$iteration.time"
  local before after start end status attempt pid_before pid_after wal_before wal_after busy_before
  for attempt in 1 2 3; do
    "$prepare"
    wait_pg
    busy_before="$(check_quiet "$kind #$iteration")"
    pid_before="$(postmaster_pid)"
    wal_before="$(wal_lsn)"
    before="$(server_cpu)"
    start="$(now_ns)"
    status=0
    "$TIME" -f '%U %S %M' -o "$tfile" "$@" >"$out" 2>"$err" || status=$?
    end="$(now_ns)"
    after="$(server_cpu)"
    wal_after="$(wal_lsn)"
    pid_after="$(postmaster_pid)"
    if [[ "$pid_before" != "$pid_after" ]] || ! psql -qXAtc "select 1" >/dev/null 2>&1; then
      log "$kind #$iteration: PostgreSQL restarted during the measurement (attempt $attempt, exit $status); repeating it"
      sleep 2
      continue
    fi
    if ((status != 0)); then
      log "$kind #$iteration FAILED (exit $status): $*"
      sed 's/^/    /' "$err" >&2
      die "$kind failed; its output is above"
    fi
    local wall user sys rss pg weed wal
    wal="$(psql -qXAtc "select round(pg_wal_lsn_diff('$wal_after', '$wal_before') / 1e6, 1)" 2>/dev/null || echo nan)"
    wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
    read -r user sys rss < <(tail -n1 "$tfile")
    pg="$(awk -v a="${before% *}" -v b="${after% *}" 'BEGIN { printf "%.2f", b - a }')"
    weed="$(awk -v a="${before#* }" -v b="${after#* }" 'BEGIN { printf "%.2f", b - a }')"
    printf '{"kind": "%s", "iteration": "%s", "wall": "%s", "user": "%s", "sys": "%s", "maxrss_kb": "%s", "postgres_cpu": "%s", "s3_cpu": "%s", "output": "%s", "wal_mb": "%s", "busy_before": "%s"}\n' \
      "$kind" "$iteration" "$wall" "$user" "$sys" "$rss" "$pg" "$weed" "$out" "$wal" "$busy_before" >>"$RESULTS"
    log "$(printf '%-12s #%s  %8.2f s wall, %6.2f s user + %5.2f s sys, peak RSS %6.1f MB, postgres CPU %6.2f s' \
      "$kind" "$iteration" "$wall" "$user" "$sys" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$pg")"
    return 0
  done
  die "$kind #$iteration: PostgreSQL restarted during three attempts; is something else restarting the stack?"
}

# ---------------------------------------------------------------- build and inputs

if [[ "$RUN_BUILD" == 1 ]]; then
  [[ "$SLUICE" == "$REPO_ROOT/.build/release/sluice" ]] || die "BENCH_BUILD=1 builds .build/release/sluice only; use BENCH_BUILD=0 with BENCH_SLUICE"
  log "building sluice (release)..."
  swift build -c release --product sluice 2>&1 | tail -n 3 >&2 || die "release build failed"
fi
[[ -x "$SLUICE" ]] || die "no $SLUICE (run with BENCH_BUILD=1)"

if [[ "$RUN_10M" == 1 ]]; then scripts/generate-large-samples.sh; else scripts/generate-large-samples.sh 1m; fi
FILE_1M="$SAMPLE_DIR/debtors-1m.csv"
FILE_10M="$SAMPLE_DIR/debtors-10m.csv"
KEY_1M="bench/debtors-1m.csv"
KEY_10M="bench/debtors-10m.csv"
ROWS_1M=1000000
ROWS_10M=10000000

# Uploads FILE to KEY unless an object of the same size is already there.
upload() {
  local file="$1" key="$2" size remote
  size="$(stat -c %s "$file")"
  remote="$(python3 - "$SLUICE_S3_BUCKET" "$key" <<'PY'
import sys
sys.path.insert(0, "scripts")
import s3put
bucket, key = sys.argv[1], sys.argv[2]
print(next((size for k, size in s3put.list_keys(s3put.config(), bucket, key) if k == key), -1))
PY
)"
  if [[ "$remote" == "$size" ]]; then
    log "s3://$SLUICE_S3_BUCKET/$key is there ($size bytes)"
  else
    log "uploading $file to s3://$SLUICE_S3_BUCKET/$key ($size bytes)..."
    python3 scripts/s3put.py "$file" "s3://$SLUICE_S3_BUCKET/$key" >&2
  fi
}
upload "$FILE_1M" "$KEY_1M"
if [[ "$RUN_10M" == 1 ]]; then upload "$FILE_10M" "$KEY_10M"; fi

log "preparing tables..."
cat >"$WORK/tables.sql" <<'SQL'
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.psql_debtors (
  external_id text, first_name text, last_name text, email text, iban text, bic text,
  amount text, currency text, mandate_id text, mandate_date text, address text, city text,
  postcode text, country text
);
SQL
pg_retry psql -qX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f "$WORK/tables.sql" >/dev/null
# sluice creates its target table on the first run, with whatever columns it has today.
if [[ "$TARGET" != sluice.debtors ]]; then
  pg_retry psql -qX -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS $TARGET" >/dev/null
fi

truncate_sluice() {
  if [[ "$(pg_retry psql -qXAtc "select to_regclass('$TARGET') is not null")" == t ]]; then
    pg_retry psql -qXc "TRUNCATE $TARGET" >/dev/null
  fi
}
count_rows() { pg_retry psql -qXAtc "select count(*) from $1"; }
truncate_psql() { pg_retry psql -qXc "TRUNCATE bench.psql_debtors" >/dev/null; }
# Both loads start with a checkpoint, so neither pays for the other's dirty buffers.
# CHECKPOINT needs superuser or pg_checkpoint; without it the step is skipped.
checkpoint() { psql -qXc "CHECKPOINT" >/dev/null 2>&1 || true; }

# `sluice run` resumes an unfinished run of the same object even with --force, which would
# measure only part of a load. Unfinished runs of the benchmark's own inputs (left by an
# interrupted benchmark) are deleted with their checkpoints and rejections.
abandon_open_runs() {
  local uri="$1" ids
  wait_pg
  cat >"$WORK/open-runs.sql" <<'SQL'
SELECT string_agg(id::text, ' ') FROM sluice.runs WHERE object_uri = :'uri' AND status <> 'completed';
SQL
  ids="$(pg_retry psql -qXAt -v ON_ERROR_STOP=1 -v uri="$uri" -f "$WORK/open-runs.sql")"
  [[ -z "$ids" ]] && return 0
  log "deleting unfinished run(s) of $uri left by an interrupted benchmark: $ids"
  cat >"$WORK/abandon.sql" <<'SQL'
BEGIN;
DELETE FROM sluice.rejections WHERE run_id IN
  (SELECT id FROM sluice.runs WHERE object_uri = :'uri' AND status <> 'completed');
DELETE FROM sluice.runs WHERE object_uri = :'uri' AND status <> 'completed';
COMMIT;
SQL
  pg_retry psql -qX -v ON_ERROR_STOP=1 -v uri="$uri" -f "$WORK/abandon.sql" >/dev/null
}

# Fails unless the run in JSON file $1 was a fresh, completed load of $2 rows.
check_run() {
  python3 - "$1" "$2" <<'PY' || die "sluice's summary in $1 is not a complete load; see above"
import json, sys
s, expected = json.load(open(sys.argv[1])), int(sys.argv[2])
problems = []
if s.get("status") != "completed": problems.append(f"status {s.get('status')!r}")
if s.get("resumed"): problems.append(f"it resumed an earlier run from offset {s.get('resumed_from_offset')}")
if s["this_attempt"]["rows_read"] != expected: problems.append(f"read {s['this_attempt']['rows_read']} rows, expected {expected}")
if problems:
    print("[bench] run %s: %s" % (s.get("run_id"), "; ".join(problems)), file=sys.stderr)
    sys.exit(1)
PY
}

# Preparations before each measured load (see measure).
SLUICE_INPUT=""
prepare_sluice() { abandon_open_runs "$SLUICE_INPUT"; truncate_sluice; checkpoint; }
prepare_psql() { truncate_psql; checkpoint; }
SHAPE_TABLE=""
prepare_shape() { pg_retry psql -qXc "TRUNCATE $SHAPE_TABLE" >/dev/null; checkpoint; }

# sluice_load KIND ITERATION INPUT ROWS [PIPELINE]: one measured `sluice run` into an empty $TARGET.
sluice_load() {
  local kind="$1" iteration="$2" rows="$4" pipeline="${5:-$PIPELINE}"
  SLUICE_INPUT="$3"
  measure "$kind" "$iteration" prepare_sluice -- "$SLUICE" run "$pipeline" --input "$SLUICE_INPUT" --force --json --no-progress
  check_run "$WORK/$kind-$iteration.out" "$rows"
}

# ---------------------------------------------------------------- 1. tokenizer

TOKENIZER_OUT="$WORK/tokenizer.txt"
if [[ "$RUN_TOKENIZER" == 1 ]]; then
  log "package-benchmark suite (first build takes 15+ minutes on 2 cores)..."
  if ! swift package --package-path Benchmarks benchmark --target CSVTokenizer --target IBANValidation --no-progress \
    >"$TOKENIZER_OUT" 2>"$WORK/tokenizer.err"; then
    tail -n 30 "$WORK/tokenizer.err" >&2
    die "package-benchmark failed"
  fi
  cat "$TOKENIZER_OUT" >&2
  # The reference the issue quotes, measured in the same run on the same input: pyarrow's
  # CSV reader on one thread (installed from PyPI when missing).
  PYARROW_INPUT="${TMPDIR:-/tmp}/sluice-bench-debtors-400000-seed7.csv"
  python3 -c 'import pyarrow' 2>/dev/null || python3 -m pip install -q pyarrow >/dev/null 2>&1 || true
  if [[ -f "$PYARROW_INPUT" ]] && python3 -c 'import pyarrow' 2>/dev/null; then
    python3 scripts/bench_pyarrow.py "$PYARROW_INPUT" 7 >"$WORK/pyarrow.txt" || true
    cat "$WORK/pyarrow.txt" >&2
  fi
fi

# ---------------------------------------------------------------- 2. 1M rows, S3 vs psql

# One load of each, not measured: sluice creates its table, and the file and the S3 object
# are read once, so that the first measured loads do not pay for a cold start.
log "warm-up: one load of each, not measured"
prepare_psql
pg_retry psql -qX -v ON_ERROR_STOP=1 -c "\\copy bench.psql_debtors ($COLUMNS_14) FROM '$FILE_1M' WITH (FORMAT csv, HEADER true)" >/dev/null
abandon_open_runs "s3://$SLUICE_S3_BUCKET/$KEY_1M"
truncate_sluice
"$SLUICE" run "$PIPELINE" --input "s3://$SLUICE_S3_BUCKET/$KEY_1M" --force --json --no-progress >"$WORK/warm-up.out" \
  || die "the warm-up sluice run failed (see its messages above)"

log "1M rows: psql \\copy, sluice (S3)$([[ "$RUN_NORAW" == 1 ]] && echo ", sluice (S3, keep_raw: false)") and sluice (local file), alternating, $REPEATS times each"
for i in $(seq 1 "$REPEATS"); do
  measure psql "$i" prepare_psql -- \
    psql -qX -v ON_ERROR_STOP=1 -c "\\copy bench.psql_debtors ($COLUMNS_14) FROM '$FILE_1M' WITH (FORMAT csv, HEADER true)"
  count_rows bench.psql_debtors >"$WORK/psql-$i.rows"
  sluice_load sluice-s3 "$i" "s3://$SLUICE_S3_BUCKET/$KEY_1M" "$ROWS_1M"
  if [[ "$RUN_NORAW" == 1 ]]; then
    sluice_load sluice-s3-noraw "$i" "s3://$SLUICE_S3_BUCKET/$KEY_1M" "$ROWS_1M" "$PIPELINE_NORAW"
  fi
  # 3. 1M rows from the local file, in the same rotation, so its ratio to psql is a median too.
  sluice_load sluice-local "$i" "$FILE_1M" "$ROWS_1M"
done

# ---------------------------------------------------------------- diagnostic: sluice's row shape

# The rows sluice just loaded, exported as COPY text and loaded again by psql in one
# transaction: what PostgreSQL alone needs for sluice's wider rows, without sluice's
# batching, commits and reads. Twice: into a table like the target (lineage columns, the
# 14 columns and raw), and into the same without raw.
log "diagnostic: psql \\copy of sluice's own rows into tables like $TARGET"
# The last local load: every sluice load empties the target table first, so only its rows are there.
LOCAL_RUN_ID="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run_id"])' "$WORK/sluice-local-$REPEATS.out")"
[[ "$LOCAL_RUN_ID" =~ ^[0-9a-f-]{36}$ ]] || die "no run id in $WORK/sluice-local-$REPEATS.out"
pg_retry psql -qX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "DROP TABLE IF EXISTS bench.sluice_shape, bench.sluice_noraw" \
  -c "CREATE TABLE bench.sluice_shape (LIKE $TARGET)" \
  -c "CREATE TABLE bench.sluice_noraw (LIKE $TARGET)" \
  -c "ALTER TABLE bench.sluice_noraw DROP COLUMN IF EXISTS raw" >/dev/null
NORAW_COLUMNS="$(pg_retry psql -qXAtc "select string_agg(quote_ident(attname), ',' order by attnum) from pg_attribute
  where attrelid = 'bench.sluice_noraw'::regclass and attnum > 0 and not attisdropped")"
SHAPE_BYTES=0
NORAW_BYTES=0
for variant in shape noraw; do
  file="$WORK/sluice-$variant.copy"
  table="bench.sluice_$variant"
  columns='*'
  [[ "$variant" == noraw ]] && columns="$NORAW_COLUMNS"
  # Only this run's rows, in case other processes load into the same table.
  pg_retry psql -qX -v ON_ERROR_STOP=1 \
    -c "\\copy (SELECT $columns FROM $TARGET WHERE run_id = '$LOCAL_RUN_ID') TO '$file'" >/dev/null
  SHAPE_TABLE="$table"
  for i in $(seq 1 "$REPEATS"); do
    measure "psql-$variant" "$i" prepare_shape -- psql -qX -v ON_ERROR_STOP=1 -c "\\copy $table FROM '$file'"
    count_rows "$table" >"$WORK/psql-$variant-$i.rows"
  done
  if [[ "$variant" == shape ]]; then SHAPE_BYTES="$(stat -c %s "$file")"; else NORAW_BYTES="$(stat -c %s "$file")"; fi
  rm -f "$file"
  pg_retry psql -qXc "TRUNCATE $table" >/dev/null
done

# ---------------------------------------------------------------- 4. 10M rows

if [[ "$RUN_10M" == 1 ]]; then
  log "10M rows: psql \\copy, then sluice from S3 (a few minutes)"
  measure psql-10m 1 prepare_psql -- \
    psql -qX -v ON_ERROR_STOP=1 -c "\\copy bench.psql_debtors ($COLUMNS_14) FROM '$FILE_10M' WITH (FORMAT csv, HEADER true)"
  count_rows bench.psql_debtors >"$WORK/psql-10m-1.rows"
  truncate_psql
  sluice_load sluice-10m 1 "s3://$SLUICE_S3_BUCKET/$KEY_10M" "$ROWS_10M"
fi
truncate_sluice

# ---------------------------------------------------------------- report

REPORT_ARGS=(loads --results "$RESULTS" --tokenizer "$TOKENIZER_OUT" --pyarrow "$WORK/pyarrow.txt"
  --repeats "$REPEATS" --target "$TARGET" --pipeline "$PIPELINE" --sluice "$SLUICE"
  --shape-bytes "$SHAPE_BYTES" --noraw-bytes "$NORAW_BYTES"
  --sample-1m "$FILE_1M" --sample-10m "$FILE_10M")
[[ -n "${BENCH_REVISION:-}" ]] && REPORT_ARGS+=(--revision "$BENCH_REVISION")
[[ -n "${BENCH_COMMAND:-}" ]] && REPORT_ARGS+=(--command "$BENCH_COMMAND")
if [[ "$OUTPUT" != "-" ]]; then
  mkdir -p "$(dirname "$OUTPUT")"
  REPORT_ARGS+=(--output "$OUTPUT")
fi
python3 scripts/bench_report.py "${REPORT_ARGS[@]}" || die "the report failed; raw outputs: BENCH_KEEP_DIR keeps them"
