#!/usr/bin/env bash
# Typed columns benchmark (`make bench-types`, issue 15): the shipped pipeline
# (pipelines/debtors.yaml, whose amount is numeric(12,2), mandate_date a date, and iban, bic and
# email checked as such) against the same file with every `type:` line removed (all columns
# text), and against `psql \copy` of the same 1M-row file into 14 text columns, alternating,
# BENCH_REPEATS times each (default 3), from the local file. Reports per load: wall clock,
# rows/s, sluice's CPU (user + sys), PostgreSQL's CPU, peak RSS; then the medians and the
# ratios typed / untyped and each / psql. The target is typed ≥ 0.9× untyped.
#
# It prints a markdown report (docs/performance.md, "Typed columns", holds a run of it); raw
# outputs stay in BENCH_KEEP_DIR when set.
#
# WHAT IT CHANGES: tables bench.psql_types, bench.sluice_typed and bench.sluice_untyped are
# (re)created and emptied before each load; each sluice load adds a run (and its rejections)
# to sluice.runs / sluice.rejections under pipelines bench_typed and bench_untyped.
#
# Settings: BENCH_REPEATS=3; BENCH_BUILD=1 builds the release binary in the Benchmarks
# package's build folder (`cd Benchmarks && swift build -c release --product sluice`, so the
# shared .build is not held for the ~12 minutes it takes), 0 uses BENCH_SLUICE as it is;
# BENCH_SLUICE=Benchmarks/.build/release/sluice; BENCH_KEEP_DIR= keeps raw outputs.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

REPEATS="${BENCH_REPEATS:-3}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/Benchmarks/.build/release/sluice}"
[[ "$SLUICE" == /* ]] || SLUICE="$REPO_ROOT/$SLUICE"
FILE="$REPO_ROOT/Samples/generated/debtors-1m.csv"
ROWS=1000000
TIME=/usr/bin/time
COLUMNS_14="external_id,first_name,last_name,email,iban,bic,amount,currency,mandate_id,mandate_date,address,city,postcode,country"

log() { printf '[bench-types] %s\n' "$*" >&2; }
die() { printf '[bench-types] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEATS must be a positive integer"
[[ -f "$STATE_DIR/env" ]] || die "no $STATE_DIR/env: run scripts/stack.sh up first"
set -a
# shellcheck disable=SC1091
. "$STATE_DIR/env"
set +a
[[ -x "$TIME" ]] || { log "installing GNU time..."; apt-get install -y -qq time >/dev/null; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-types.XXXXXX")"
cleanup() {
  if [[ -n "${BENCH_KEEP_DIR:-}" ]]; then mkdir -p "$BENCH_KEEP_DIR" && cp -r "$WORK"/. "$BENCH_KEEP_DIR"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  [[ "$SLUICE" == "$REPO_ROOT/Benchmarks/.build/release/sluice" ]] || die "BENCH_BUILD=1 builds Benchmarks/.build/release/sluice only; use BENCH_BUILD=0 with BENCH_SLUICE"
  log "building sluice (release, in Benchmarks/.build)..."
  (cd Benchmarks && swift build -c release --product sluice 2>&1 | tail -n 2 >&2) || die "release build failed"
fi
[[ -x "$SLUICE" ]] || die "no $SLUICE"
scripts/generate-large-samples.sh 1m

# The two pipelines: the shipped one, and the same without any `type:` line.
TYPED="$WORK/bench_typed.yaml"
UNTYPED="$WORK/bench_untyped.yaml"
sed -e 's/^name: debtors/name: bench_typed/' -e 's/table: sluice\.debtors/table: bench.sluice_typed/' pipelines/debtors.yaml >"$TYPED"
sed -e 's/^name: debtors/name: bench_untyped/' -e 's/table: sluice\.debtors/table: bench.sluice_untyped/' -e '/^ *type: /d' pipelines/debtors.yaml >"$UNTYPED"
grep -q '^ *type: ' "$TYPED" || die "pipelines/debtors.yaml declares no column type"
! grep -q '^ *type: ' "$UNTYPED" || die "could not remove the type: lines"

psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.psql_types, bench.sluice_typed, bench.sluice_untyped;
CREATE TABLE bench.psql_types (
  external_id text, first_name text, last_name text, email text, iban text, bic text,
  amount text, currency text, mandate_id text, mandate_date text, address text, city text,
  postcode text, country text);
SQL

# "<postgres cpu seconds>": every process under the postmaster, plus what its exited children
# (the backend of a finished COPY) left in the postmaster's cutime/cstime.
postgres_cpu() {
  python3 - "$STATE_DIR/pg/data/postmaster.pid" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
root = open(sys.argv[1]).readline().strip()
def stat(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
children = {}
for name in os.listdir("/proc"):
    if name.isdigit() and (s := stat(name)):
        children.setdefault(s[0], []).append(int(name))
total, todo = stat(root)[2], [int(root)]
while todo:
    pid = todo.pop()
    if s := stat(pid):
        total += s[1]
        todo.extend(children.get(pid, []))
print(f"{total / tick:.2f}")
PY
}

# How busy the CPUs were in the second before a load (percent of all cores).
busy() {
  python3 - <<'PY'
import time
def sample():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = sample(); time.sleep(1); t1, i1 = sample()
print(round(100 * (1 - (i1 - i0) / max(1, t1 - t0))))
PY
}

prepare() {
  for pipeline in bench_typed bench_untyped; do
    psql -qX -c "DELETE FROM sluice.rejections WHERE run_id IN (SELECT id FROM sluice.runs WHERE pipeline = '$pipeline' AND status <> 'completed')" \
      -c "DELETE FROM sluice.runs WHERE pipeline = '$pipeline' AND status <> 'completed'" >/dev/null
  done
  for table in bench.sluice_typed bench.sluice_untyped bench.psql_types; do
    if [[ "$(psql -qXAtc "select to_regclass('$table') is not null")" == t ]]; then psql -qXc "TRUNCATE $table" >/dev/null; fi
  done
  psql -qXc "CHECKPOINT" >/dev/null 2>&1 || true
}

# measure KIND ITERATION command... → one JSON line in $WORK/results.jsonl
measure() {
  local kind="$1" iteration="$2"
  shift 2
  prepare
  local before_busy start end before after
  before_busy="$(busy)"
  before="$(postgres_cpu)"
  start="$(date +%s%N)"
  "$TIME" -f '%U %S %M' -o "$WORK/$kind-$iteration.time" "$@" >"$WORK/$kind-$iteration.out" 2>"$WORK/$kind-$iteration.err" \
    || { cat "$WORK/$kind-$iteration.err" >&2; die "$kind #$iteration failed"; }
  end="$(date +%s%N)"
  after="$(postgres_cpu)"
  local wall user sys rss pg
  wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  read -r user sys rss < <(tail -n1 "$WORK/$kind-$iteration.time")
  pg="$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')"
  printf '{"kind": "%s", "iteration": %s, "wall": %s, "cpu": %s, "postgres_cpu": %s, "maxrss_kb": %s, "busy_before": %s, "output": "%s"}\n' \
    "$kind" "$iteration" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$pg" "$rss" "$before_busy" \
    "$WORK/$kind-$iteration.out" >>"$WORK/results.jsonl"
  log "$(printf '%-8s #%s %7.2f s wall, %6.2f s CPU, postgres %6.2f s, peak RSS %6.1f MB, CPUs %s%% busy before' \
    "$kind" "$iteration" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$pg" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$before_busy")"
}

PSQL_COPY="\\copy bench.psql_types ($COLUMNS_14) FROM '$FILE' WITH (FORMAT csv, HEADER true)"
log "warm-up, one load of each (not measured): sluice creates its tables"
prepare
psql -qX -c "$PSQL_COPY" >/dev/null
"$SLUICE" run "$TYPED" --input "$FILE" --force --json --no-progress >"$WORK/warm-typed.json" || die "the typed warm-up failed"
"$SLUICE" run "$UNTYPED" --input "$FILE" --force --json --no-progress >"$WORK/warm-untyped.json" || die "the untyped warm-up failed"
: >"$WORK/results.jsonl"
log "1M rows: psql \\copy, typed and untyped sluice, alternating, $REPEATS times each"
for ((i = 1; i <= REPEATS; i++)); do
  measure psql "$i" psql -qX -v ON_ERROR_STOP=1 -c "$PSQL_COPY"
  # The two sluice loads change places every round, so neither always follows psql.
  if ((i % 2)); then order=(typed untyped); else order=(untyped typed); fi
  for kind in "${order[@]}"; do
    pipeline="$TYPED"; [[ "$kind" == untyped ]] && pipeline="$UNTYPED"
    measure "$kind" "$i" "$SLUICE" run "$pipeline" --input "$FILE" --force --json --no-progress
  done
done

COLUMN_TYPES="$(psql -qXAtc "select string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum)
  from pg_attribute where attrelid = 'bench.sluice_typed'::regclass and attname in ('amount', 'mandate_date', 'iban')")"

python3 - "$WORK/results.jsonl" "$ROWS" "$REPEATS" "$SLUICE" "$COLUMN_TYPES" <<'PY'
import json, statistics, subprocess, sys, datetime
path, rows, repeats, sluice, column_types = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
loads = [json.loads(line) for line in open(path)]
by = {k: [l for l in loads if l["kind"] == k] for k in ("psql", "typed", "untyped")}
med = {k: statistics.median(l["wall"] for l in v) for k, v in by.items()}
best = {k: min(l["wall"] for l in v) for k, v in by.items()}
def revision():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet"]).returncode != 0
        return head + ("+changes" if dirty else "")
    except OSError:
        return "?"
print(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, revision {revision()}, `{sluice}`; "
      f"{rows:,} rows from the local file, {repeats} alternating loads of each.\n")
print("| load | wall s (median) | best | rows/s (median) | sluice CPU s | PostgreSQL CPU s | peak RSS MB | vs psql (median) | vs untyped (median) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
names = {"psql": "`psql \\copy`, 14 text columns", "untyped": "`sluice run`, every column text", "typed": "`sluice run`, shipped pipeline (typed)"}
for k in ("psql", "untyped", "typed"):
    v = by[k]
    cpu = statistics.median(l["cpu"] for l in v)
    pg = statistics.median(l["postgres_cpu"] for l in v)
    rss = max(l["maxrss_kb"] for l in v) / 1024
    vs_psql = med["psql"] / med[k]
    vs_untyped = "" if k == "psql" else f"{med['untyped'] / med[k]:.2f}×"
    print(f"| {names[k]} | {med[k]:.2f} | {best[k]:.2f} | {rows / med[k]:,.0f} | {cpu:.2f} | {pg:.2f} | {rss:.0f} | {vs_psql:.2f}× | {vs_untyped} |")
print()
print("Per load (wall s / sluice CPU s / PostgreSQL CPU s / CPUs busy in the second before, %):")
print()
for l in loads:
    print(f"- {l['kind']} #{l['iteration']}: {l['wall']:.2f} / {l['cpu']:.2f} / {l['postgres_cpu']:.2f} / {l['busy_before']}")
print()
for k in ("typed", "untyped"):
    s = json.load(open(by[k][-1]["output"]))
    counters = s["totals"]
    typed_reasons = {c: n for c, n in counters.get("rejected_by_reason", {}).items() if c.endswith(".type")}
    cast = s.get("stage_seconds", {}).get("stage.cast")
    print(f"- {k}: {counters.get('rows_accepted', '?')} accepted, {counters.get('rows_rejected', '?')} rejected"
          f"{', type rejections ' + json.dumps(typed_reasons) if k == 'typed' else ''}"
          f"{f', cast stage busy {cast:.2f} s' if cast is not None else ''}")
print(f"- typed table: {column_types}")
PY
