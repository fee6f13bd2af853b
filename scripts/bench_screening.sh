#!/usr/bin/env bash
# Screening benchmark (`make bench-screening`): `sluice run` of the 1M-row debtor file from S3
# with validation, screening and dedup on, against a blacklist of 100k entries and 1M earlier
# billing attempts, side by side with `psql \copy` of the same file, alternating,
# BENCH_REPEATS times each (default 3). Reports wall clock, rows/s, the ratio, sluice's peak
# RSS, the busy time of the screen and dedup stages, and what screening rejected.
#
# scripts/bench_report.py (`screening`) formats what it measured and writes the report into
# docs/performance.md between the "bench_screening.sh:begin/end" markers (BENCH_OUTPUT=- prints
# it only).
#
# WHAT IT CHANGES: blacklist entries with source 'bench-screening' and billing attempts of run
# 00000000-0000-4000-8000-00000000b0b0 are added for the measurement and deleted at the end;
# tables bench.psql_screen and bench.sluice_screen are (re)created; each sluice load adds a
# run to sluice.runs; the S3 key bench/debtors-1m.csv is uploaded when missing.
#
# Settings: BENCH_REPEATS=3, BENCH_BUILD=1 (0 uses the existing binary as it is),
# BENCH_SLUICE=.build/release/sluice (the binary to measure; BENCH_BUILD=1 builds only that one),
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
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/.build/release/sluice}"
[[ "$SLUICE" == /* ]] || SLUICE="$REPO_ROOT/$SLUICE"
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

# measure KIND ITERATION command... → one JSON line in $WORK/results.jsonl (the fields of
# `scripts/bench_report.py screening --help`)
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
  printf '{"kind": "%s", "iteration": "%s", "wall": "%s", "maxrss_kb": "%s", "output": "%s"}\n' \
    "$kind" "$iteration" "$wall" "$rss" "$WORK/$kind-$iteration.out" >>"$WORK/results.jsonl"
  log "$(printf '%-7s #%s %7.2f s, peak RSS %6.1f MB' "$kind" "$iteration" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')")"
}

PSQL_COPY="\\copy bench.psql_screen FROM '$FILE' WITH (FORMAT csv, HEADER true)"
log "warm-up (not measured)"
prepare
psql -qX -c "$PSQL_COPY" >/dev/null
"$SLUICE" run "$PIPELINE" --input "$INPUT" --force --json --no-progress >"$WORK/warm-up.json"
: >"$WORK/results.jsonl"
for ((i = 1; i <= REPEATS; i++)); do
  measure psql "$i" psql -qX -v ON_ERROR_STOP=1 -c "$PSQL_COPY"
  measure sluice "$i" "$SLUICE" run "$PIPELINE" --input "$INPUT" --force --json --no-progress
done

REPORT_ARGS=(screening --results "$WORK/results.jsonl" --rows "$ROWS" --entries "$ENTRY_COUNT" --attempts "$ATTEMPT_COUNT"
  --revision "$(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')")
[[ "$OUTPUT" == "-" ]] || REPORT_ARGS+=(--output "$OUTPUT")
python3 scripts/bench_report.py "${REPORT_ARGS[@]}" || die "the report failed"
