#!/usr/bin/env bash
# Screening benchmark (`make bench-screening`): `sluice run` of the 1M-row debtor file from S3
# with validation, screening and dedup on, against a blacklist of 100k entries and 1M earlier
# billing attempts, side by side with `psql \copy` of the same file, alternating,
# BENCH_REPEATS times each (default 3). Reports wall clock, rows/s, the ratio, sluice's peak
# RSS, the busy time of the screen and dedup stages, and what screening rejected.
#
# It writes the report into docs/performance.md between the "bench_screening.sh:begin/end"
# markers (BENCH_OUTPUT=- prints it only).
#
# WHAT IT CHANGES: blacklist entries with source 'bench-screening' and billing attempts of run
# 00000000-0000-4000-8000-00000000b0b0 are added for the measurement and deleted at the end;
# tables bench.psql_screen and bench.sluice_screen are (re)created; each sluice load adds a
# run to sluice.runs; the S3 key bench/debtors-1m.csv is uploaded when missing.
#
# Settings: BENCH_REPEATS=3, BENCH_BUILD=1 (0 uses the existing .build/release/sluice),
# BENCH_ENTRIES=100000, BENCH_ATTEMPTS=1000000, BENCH_OUTPUT=docs/performance.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

REPEATS="${BENCH_REPEATS:-3}"
ENTRIES="${BENCH_ENTRIES:-100000}"
ATTEMPTS="${BENCH_ATTEMPTS:-1000000}"
OUTPUT="${BENCH_OUTPUT:-docs/performance.md}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
SLUICE="$REPO_ROOT/.build/release/sluice"
FILE="$REPO_ROOT/Samples/generated/debtors-1m.csv"
KEY="bench/debtors-1m.csv"
ROWS=1000000
BENCH_SOURCE="bench-screening"
BENCH_RUN="00000000-0000-4000-8000-00000000b0b0"
TIME=/usr/bin/time

log() { printf '[bench-screening] %s\n' "$*" >&2; }
die() { printf '[bench-screening] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$STATE_DIR/env" ]] || die "no $STATE_DIR/env: run scripts/stack.sh up first"
set -a
# shellcheck disable=SC1091
. "$STATE_DIR/env"
set +a
export PGDATABASE="${PGDATABASE:-sluice}"
[[ -x "$TIME" ]] || { log "installing GNU time..."; apt-get install -y -qq time >/dev/null; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-screening.XXXXXX")"
unseed() {
  psql -qX -c "DELETE FROM sluice.blacklist WHERE source = '$BENCH_SOURCE'" \
    -c "DELETE FROM sluice.billing_attempts WHERE run_id = '$BENCH_RUN'" >/dev/null 2>&1 || true
}
cleanup() { unseed; rm -rf "$WORK"; }
trap cleanup EXIT

if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  log "building sluice (release)..."
  swift build -c release --product sluice 2>&1 | tail -n 2 >&2 || die "release build failed"
fi
[[ -x "$SLUICE" ]] || die "no $SLUICE"
scripts/generate-large-samples.sh 1m
log "uploading s3://$SLUICE_S3_BUCKET/$KEY (when missing)..."
python3 - "$FILE" "$SLUICE_S3_BUCKET" "$KEY" <<'PY'
import os, subprocess, sys
sys.path.insert(0, "scripts")
import s3put
path, bucket, key = sys.argv[1:]
if not any(k == key and size == os.path.getsize(path) for k, size in s3put.list_keys(s3put.config(), bucket, key)):
    subprocess.run([sys.executable, "scripts/s3put.py", path, f"s3://{bucket}/{key}"], check=True)
PY

log "seeding $ENTRIES blacklist entries and $ATTEMPTS billing attempts..."
"$SLUICE" migrate >/dev/null
python3 scripts/seed_screening.py "$FILE" "$WORK" --entries "$ENTRIES" --attempts "$ATTEMPTS"
unseed
psql -qX -v ON_ERROR_STOP=1 <<SQL >/dev/null
\\copy sluice.blacklist (kind, value_key, display, reason, source) FROM '$WORK/blacklist.csv' WITH (FORMAT csv)
CREATE TEMP TABLE seed (run_id uuid, iban_hash bytea, status text, days_ago int, chargeback boolean);
\\copy seed FROM '$WORK/attempts.csv' WITH (FORMAT csv)
INSERT INTO sluice.billing_attempts (run_id, iban_hash, amount_minor, currency, status, attempted_at, chargeback_at, chargeback_reason)
SELECT run_id, iban_hash, 1999, 'EUR', status, now() - make_interval(days => days_ago),
       CASE WHEN chargeback THEN now() - make_interval(days => days_ago) + interval '20 days' END,
       CASE WHEN chargeback THEN 'MD06' END
FROM seed;
ANALYZE sluice.blacklist;
ANALYZE sluice.billing_attempts;
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.psql_screen;
CREATE TABLE bench.psql_screen (
  external_id text, first_name text, last_name text, email text, iban text, bic text,
  amount text, currency text, mandate_id text, mandate_date text, address text, city text,
  postcode text, country text);
DROP TABLE IF EXISTS bench.sluice_screen;
SQL
ENTRY_COUNT="$(psql -qXAtc "select count(*) from sluice.blacklist where source = '$BENCH_SOURCE'")"
ATTEMPT_COUNT="$(psql -qXAtc "select count(*) from sluice.billing_attempts where run_id = '$BENCH_RUN'")"

PIPELINE="$WORK/debtors-screen.yaml"
sed -e 's/^name: debtors/name: bench_screening/' -e 's/table: sluice.debtors/table: bench.sluice_screen/' pipelines/debtors.yaml >"$PIPELINE"
INPUT="s3://$SLUICE_S3_BUCKET/$KEY"

prepare() {
  psql -qX -c "DELETE FROM sluice.rejections WHERE run_id IN (SELECT id FROM sluice.runs WHERE pipeline = 'bench_screening' AND status <> 'completed')" \
    -c "DELETE FROM sluice.runs WHERE pipeline = 'bench_screening' AND status <> 'completed'" >/dev/null
  if [[ "$(psql -qXAtc "select to_regclass('bench.sluice_screen') is not null")" == t ]]; then
    psql -qXc "TRUNCATE bench.sluice_screen" >/dev/null
  fi
  psql -qXc "TRUNCATE bench.psql_screen" -c "CHECKPOINT" >/dev/null
}

# measure KIND ITERATION command... → one line "kind iter wall_s peak_rss_kb" in $WORK/results
measure() {
  local kind="$1" iteration="$2"
  shift 2
  prepare
  local start end
  start="$(date +%s%N)"
  "$TIME" -f '%M' -o "$WORK/$kind-$iteration.time" "$@" >"$WORK/$kind-$iteration.out" 2>"$WORK/$kind-$iteration.err" \
    || { cat "$WORK/$kind-$iteration.err" >&2; die "$kind #$iteration failed"; }
  end="$(date +%s%N)"
  local wall rss
  wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  rss="$(tail -n1 "$WORK/$kind-$iteration.time")"
  printf '%s\t%s\t%s\t%s\n' "$kind" "$iteration" "$wall" "$rss" >>"$WORK/results"
  log "$(printf '%-7s #%s %7.2f s, peak RSS %6.1f MB' "$kind" "$iteration" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')")"
}

PSQL_COPY="\\copy bench.psql_screen FROM '$FILE' WITH (FORMAT csv, HEADER true)"
log "warm-up (not measured)"
prepare
psql -qX -c "$PSQL_COPY" >/dev/null
"$SLUICE" run "$PIPELINE" --input "$INPUT" --force --json --no-progress >"$WORK/warm-up.json"
: >"$WORK/results"
for ((i = 1; i <= REPEATS; i++)); do
  measure psql "$i" psql -qX -v ON_ERROR_STOP=1 -c "$PSQL_COPY"
  measure sluice "$i" "$SLUICE" run "$PIPELINE" --input "$INPUT" --force --json --no-progress
done

REPORT="$WORK/report.md"
python3 - "$WORK" "$REPEATS" "$ROWS" "$ENTRY_COUNT" "$ATTEMPT_COUNT" "$(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')" >"$REPORT" <<'PY'
import json, statistics, sys
work, repeats, rows, entries, attempts, revision = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
results = [line.split("\t") for line in open(f"{work}/results").read().splitlines()]
def walls(kind): return [float(r[2]) for r in results if r[0] == kind]
def rss(kind): return max(int(r[3]) for r in results if r[0] == kind) / 1024
psql, sluice = walls("psql"), walls("sluice")
pm, sm = statistics.median(psql), statistics.median(sluice)
summaries = [json.load(open(f"{work}/sluice-{i}.out")) for i in range(1, repeats + 1)]
last = summaries[-1]
reasons = last["totals"]["rejected_by_reason"]
screen = {k: v for k, v in sorted(reasons.items()) if k.startswith(("blacklist.", "history.", "dedup."))}
stage = lambda name: statistics.median(s["stage_seconds"].get(name, 0) for s in summaries)
print(f"Measured with `make bench-screening` (scripts/bench_screening.sh), revision {revision}, "
      f"{repeats} alternating loads each of the 1M-row file from S3 (SeaweedFS) into PostgreSQL on this machine "
      f"(2 cores shared by sluice, PostgreSQL and SeaweedFS). Blacklist: {entries} entries; earlier attempts: {attempts} rows.")
print()
print("| load | median wall | best wall | rows/s (median) | vs psql (median) | peak RSS |")
print("|---|---|---|---|---|---|")
print(f"| `psql \\copy` (CSV, no checks) | {pm:.2f} s | {min(psql):.2f} s | {rows / pm:,.0f} | 1.00× | {rss('psql'):.0f} MB |")
print(f"| `sluice run` (validate + screen + dedup) | {sm:.2f} s | {min(sluice):.2f} s | {rows / sm:,.0f} | {pm / sm:.2f}× | {rss('sluice'):.0f} MB |")
print()
print(f"Busy time inside sluice (median): screen {stage('stage.screen'):.2f} s, dedup {stage('stage.dedup'):.2f} s, "
      f"validate {stage('stage.validate'):.2f} s, map {stage('stage.map'):.2f} s; parse {stage('parse'):.2f} s; "
      f"COPY sinks {stage('sink'):.2f} s (summed over the parallel connections).")
print()
print("Rows held back by screening and dedup in each load: " + ", ".join(f"`{k}` {v:,}" for k, v in screen.items())
      + f"; {last['totals']['rows_accepted']:,} of {last['totals']['rows_read']:,} rows loaded.")
PY
cat "$REPORT"
if [[ "$OUTPUT" != "-" ]]; then
  python3 - "$OUTPUT" "$REPORT" <<'PY'
import sys
path, report = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(path).read()
begin, end = "<!-- bench_screening.sh:begin -->", "<!-- bench_screening.sh:end -->"
block = f"{begin}\n{report}\n{end}"
if begin in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip() + "\n\n## Screening (issue 4)\n\n" + block + "\n"
open(path, "w").write(text)
PY
  log "report written to $OUTPUT"
fi
