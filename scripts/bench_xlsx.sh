#!/usr/bin/env bash
# XLSX reader benchmark (`make bench-xlsx`), all in one run on the same machine state:
#
#   for each 1M-row, 14-column workbook (inline strings from xlsxwriter constant_memory;
#   shared strings from libxlsxwriter, as Excel writes them), side by side:
#     - floor       `unzip -p FILE xl/worksheets/sheet1.xml > /dev/null` (inflate alone)
#     - calamine    python-calamine iterating every row
#     - fastexcel   fastexcel loading the sheet (Arrow)
#     - sluice      `sluice inspect --count` (decode every row into batches), local file
#     - sluice S3   the same, reading the object from S3 with ranged GETs
#   wall seconds (best of BENCH_REPEATS), rows/s and peak RSS (max, GNU time %M);
#   then `sluice run` of the inline-strings workbook from S3 into PostgreSQL.
#
# scripts/bench_report.py (`xlsx`) formats what it measured and writes the markdown report
# into docs/performance.md between the bench_xlsx.sh markers (appending the section if it is
# missing). Changes: Samples/generated/ (gitignored),
# table bench.sluice_xlsx (truncated), S3 keys bench/debtors-1m-{inline,shared}.xlsx,
# one sluice run per load.
#
# Settings: BENCH_REPEATS=2, BENCH_BUILD=1 (0 uses the binary as it is),
# BENCH_SLUICE=.build/release/sluice (the binary to measure; BENCH_BUILD=1 builds only that one),
# BENCH_OUTPUT=docs/performance.md ("-" prints only).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"
REPEATS="${BENCH_REPEATS:-2}"
OUTPUT="${BENCH_OUTPUT:-docs/performance.md}"
ENV_FILE="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}/env"
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/.build/release/sluice}"
[[ "$SLUICE" == /* ]] || SLUICE="$REPO_ROOT/$SLUICE"
SAMPLES="$REPO_ROOT/Samples/generated"
TIME=/usr/bin/time
log() { printf '[bench-xlsx] %s\n' "$*" >&2; }
die() { printf '[bench-xlsx] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$ENV_FILE" ]] || die "no $ENV_FILE: start the stack first (make stack)"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
[[ -x "$TIME" ]] || die "$TIME (GNU time) is required"
python3 -c "import python_calamine, fastexcel, xlsxwriter" 2>/dev/null \
  || die "pip install python-calamine fastexcel xlsxwriter"

if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
  log "release build"
  swift build -c release --product sluice >&2
fi
for kind in inline shared; do
  [[ -f "$SAMPLES/debtors-1m-$kind.xlsx" ]] || { log "generating debtors-1m-$kind.xlsx"; python3 scripts/generate_xlsx_bench.py --only "$kind"; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-xlsx.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# measure STORAGE NAME COMMAND...: one JSON line with the best wall seconds and max peak RSS
# (KB) over the repeats (the fields of `scripts/bench_report.py xlsx --help`).
measure() {
  local storage="$1" name="$2"; shift 2
  local best="" peak=0
  for ((i = 1; i <= REPEATS; i++)); do
    "$TIME" -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "$name failed"; }
    read -r wall rss <"$WORK/time"
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then best="$wall"; fi
    ((rss > peak)) && peak="$rss"
  done
  printf '{"kind": "reader", "storage": "%s", "reader": "%s", "wall": "%s", "maxrss_kb": "%s"}\n' "$storage" "$name" "$best" "$peak"
}

CALAMINE='import sys
from python_calamine import CalamineWorkbook
rows = 0
for row in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    rows += 1
print(rows)'
FASTEXCEL='import sys, fastexcel
print(fastexcel.read_excel(sys.argv[1]).load_sheet(0).height)'

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
for kind in inline shared; do
  file="$SAMPLES/debtors-1m-$kind.xlsx"
  key="bench/debtors-1m-$kind.xlsx"
  python3 scripts/s3put.py "$file" "s3://$SLUICE_S3_BUCKET/$key" >/dev/null
  compressed=$(stat -c %s "$file")
  sheet=$(unzip -l "$file" xl/worksheets/sheet1.xml | awk '/sheet1.xml/ {print $1}')
  log "$kind: sheet $sheet bytes unzipped, file $compressed bytes"
  printf '{"kind": "file", "storage": "%s", "path": "%s", "bytes": "%s", "sheet_bytes": "%s"}\n' "$kind" "$file" "$compressed" "$sheet" >>"$RESULTS"
  {
    measure "$kind" "unzip -p (inflate floor)" sh -c "unzip -p '$file' xl/worksheets/sheet1.xml > /dev/null"
    measure "$kind" "python-calamine iter_rows" python3 -c "$CALAMINE" "$file"
    measure "$kind" "fastexcel load_sheet" python3 -c "$FASTEXCEL" "$file"
    measure "$kind" "sluice inspect --count (local file)" "$SLUICE" inspect --count "$file"
    measure "$kind" "sluice inspect --count (S3)" "$SLUICE" inspect --count "s3://$SLUICE_S3_BUCKET/$key"
  } >>"$RESULTS"
done

# End to end: S3 → sluice run → PostgreSQL.
psql "$SLUICE_DATABASE_URL" -qc "CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
sed -e 's/^name: debtors$/name: bench_xlsx/' -e 's/table: sluice.debtors/table: bench.sluice_xlsx/' -e 's/format: csv/format: auto/' \
  pipelines/debtors.yaml >"$WORK/bench-xlsx.yaml"
for kind in inline shared; do
  psql "$SLUICE_DATABASE_URL" -qc "TRUNCATE bench.sluice_xlsx" >/dev/null 2>&1 || true
  "$TIME" -f "%e %M" -o "$WORK/time" "$SLUICE" run "$WORK/bench-xlsx.yaml" --input "s3://$SLUICE_S3_BUCKET/bench/debtors-1m-$kind.xlsx" \
    --force --no-progress --json >"$WORK/run-$kind.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "sluice run failed"; }
  read -r wall rss <"$WORK/time"
  printf '{"kind": "run", "storage": "%s", "wall": "%s", "maxrss_kb": "%s", "output": "%s"}\n' "$kind" "$wall" "$rss" "$WORK/run-$kind.json" >>"$RESULTS"
done

REPORT_ARGS=(xlsx --results "$RESULTS" --repeats "$REPEATS" --rows 1000000)
[[ "$OUTPUT" == - ]] || REPORT_ARGS+=(--output "$OUTPUT")
python3 scripts/bench_report.py "${REPORT_ARGS[@]}" || die "the report failed"
