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
# Writes a markdown report into docs/performance.md between the bench_xlsx.sh markers
# (appending the section if it is missing). Changes: Samples/generated/ (gitignored),
# table bench.sluice_xlsx (truncated), S3 keys bench/debtors-1m-{inline,shared}.xlsx,
# one sluice run per load.
#
# Settings: BENCH_REPEATS=2, BENCH_BUILD=1 (0 uses .build/release/sluice as it is),
# BENCH_OUTPUT=docs/performance.md ("-" prints only).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"
REPEATS="${BENCH_REPEATS:-2}"
OUTPUT="${BENCH_OUTPUT:-docs/performance.md}"
ENV_FILE="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}/env"
SLUICE="$REPO_ROOT/.build/release/sluice"
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

# measure NAME COMMAND...: best wall seconds and max peak RSS (KB) over the repeats.
measure() {
  local name="$1"; shift
  local best="" peak=0
  for ((i = 1; i <= REPEATS; i++)); do
    "$TIME" -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "$name failed"; }
    read -r wall rss <"$WORK/time"
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then best="$wall"; fi
    ((rss > peak)) && peak="$rss"
  done
  printf '%s\t%s\t%s\n' "$name" "$best" "$peak"
}

CALAMINE='import sys
from python_calamine import CalamineWorkbook
rows = 0
for row in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    rows += 1
print(rows)'
FASTEXCEL='import sys, fastexcel
print(fastexcel.read_excel(sys.argv[1]).load_sheet(0).height)'

REPORT="$WORK/report.md"
{
  echo "## XLSX reader"
  echo
  echo "Measured by \`scripts/bench_xlsx.sh\` on $(date -u +%Y-%m-%d), revision $(git rev-parse --short HEAD), $(nproc) cores,"
  echo "best wall time of $REPEATS runs each, peak RSS = max of GNU time \`%M\`. Rows/s counts the 1,000,000 data rows."
  echo
} >"$REPORT"

for kind in inline shared; do
  file="$SAMPLES/debtors-1m-$kind.xlsx"
  key="bench/debtors-1m-$kind.xlsx"
  python3 scripts/s3put.py "$file" "s3://$SLUICE_S3_BUCKET/$key" >/dev/null
  compressed=$(stat -c %s "$file")
  sheet=$(unzip -l "$file" xl/worksheets/sheet1.xml | awk '/sheet1.xml/ {print $1}')
  log "$kind: sheet $sheet bytes unzipped, file $compressed bytes"
  {
    measure "unzip -p (inflate floor)" sh -c "unzip -p '$file' xl/worksheets/sheet1.xml > /dev/null"
    measure "python-calamine iter_rows" python3 -c "$CALAMINE" "$file"
    measure "fastexcel load_sheet" python3 -c "$FASTEXCEL" "$file"
    measure "sluice inspect --count (local file)" "$SLUICE" inspect --count "$file"
    measure "sluice inspect --count (S3)" "$SLUICE" inspect --count "s3://$SLUICE_S3_BUCKET/$key"
  } >"$WORK/$kind.tsv"
  {
    echo "### $kind strings: $(basename "$file")"
    echo
    echo "File $((compressed / 1000000)) MB, sheet part $((sheet / 1000000)) MB unzipped."
    echo
    echo "| reader | wall s | rows/s | peak RSS MB | vs sluice |"
    echo "|---|---:|---:|---:|---:|"
    sluice_wall=$(awk -F'\t' '$1 ~ /local file/ {print $2}' "$WORK/$kind.tsv")
    awk -F'\t' -v s="$sluice_wall" '{ printf "| %s | %.2f | %\047d | %.0f | %.2f× |\n", $1, $2, 1000000 / $2, $3 / 1024, $2 / s }' "$WORK/$kind.tsv"
    echo
    awk -F'\t' '
      /inflate floor/ { floor = $2 } /calamine/ { calamine = $2 } /fastexcel/ { fastexcel = $2 } /local file/ { sluice = $2 }
      END { faster = calamine < fastexcel ? calamine : fastexcel
            printf "sluice is %.2f× faster than the faster of python-calamine and fastexcel (target ≥ 2×) and takes %.2f× the inflate floor (stretch ≤ 1.5×).\n", faster / sluice, sluice / floor }' "$WORK/$kind.tsv"
    echo
  } >>"$REPORT"
done

# End to end: S3 → sluice run → PostgreSQL.
psql "$SLUICE_DATABASE_URL" -qc "CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
sed -e 's/^name: debtors$/name: bench_xlsx/' -e 's/table: sluice.debtors/table: bench.sluice_xlsx/' -e 's/format: csv/format: auto/' \
  pipelines/debtors.yaml >"$WORK/bench-xlsx.yaml"
{
  echo "### End to end: \`sluice run\` from S3 into PostgreSQL"
  echo
  echo "| input | rows read | accepted | rejected | wall s | rows/s | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >>"$REPORT"
for kind in inline shared; do
  psql "$SLUICE_DATABASE_URL" -qc "TRUNCATE bench.sluice_xlsx" >/dev/null 2>&1 || true
  "$TIME" -f "%e %M" -o "$WORK/time" "$SLUICE" run "$WORK/bench-xlsx.yaml" --input "s3://$SLUICE_S3_BUCKET/bench/debtors-1m-$kind.xlsx" \
    --force --no-progress --json >"$WORK/run.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "sluice run failed"; }
  read -r wall rss <"$WORK/time"
  python3 - "$WORK/run.json" "$wall" "$rss" "$kind" >>"$REPORT" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
totals = summary["this_attempt"]
wall, rss = float(sys.argv[2]), int(sys.argv[3])
print(f"| 1M {sys.argv[4]} strings from S3 | {totals['rows_read']:,} | {totals['rows_accepted']:,} | {totals['rows_rejected']:,} "
      f"| {wall:.2f} | {totals['rows_read'] / wall:,.0f} | {rss / 1024:.0f} |")
PY
done
echo >>"$REPORT"

if [[ "$OUTPUT" == - ]]; then
  cat "$REPORT"
else
  python3 - "$OUTPUT" "$REPORT" <<'PY'
import sys
path, report = sys.argv[1], open(sys.argv[2]).read()
begin, end = "<!-- bench_xlsx.sh:begin -->", "<!-- bench_xlsx.sh:end -->"
text = open(path).read()
block = begin + "\n" + report + end
if begin in text and end in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
  log "report written to $OUTPUT"
  cat "$REPORT"
fi
