#!/usr/bin/env bash
# Rejection-report benchmark (`make bench-report`): is a 1M-rejection report written in
# constant memory, and how long does it take?
#
#   1. makes two completed runs directly in the database, with REPORT_SMALL (default 100k)
#      and REPORT_ROWS (default 1M) rejections: debtors-like records, each rejected with
#      iban.checksum (reports only read sluice.runs and sluice.rejections, so no file or
#      pipeline is needed);
#   2. writes the CSV and the XLSX rejection report of each with `sluice report rejections`,
#      measuring wall time and peak RSS with GNU time (`%M`, max resident set);
#   3. has scripts/bench_report.py (`rejections`) print a markdown section and write it into
#      docs/performance.md between the "bench_report.sh:begin/end" markers (the rest of the
#      file is left alone; REPORT_OUTPUT=- prints it only);
#   4. deletes the two runs and their rejections (REPORT_KEEP=1 keeps them).
#
# It uses .build/release/sluice when that binary has the `report` command, else
# .build/debug/sluice (SLUICE_BIN overrides); the section says which.
# Needs the stack's environment (SLUICE_DATABASE_URL); it sources .sluice/env (or
# $SLUICE_ENV) when the variable is not set. Reports go to $REPORT_DIR (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SLUICE_DATABASE_URL:-}" ]]; then
  env_file="${SLUICE_ENV:-.sluice/env}"
  [[ -f "$env_file" ]] || { echo "bench_report: no SLUICE_DATABASE_URL and no $env_file; run scripts/stack.sh up" >&2; exit 2; }
  set -a; . "$env_file"; set +a
fi

rows="${REPORT_ROWS:-1000000}"
small="${REPORT_SMALL:-100000}"
bin="${SLUICE_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x .build/release/sluice ]] && .build/release/sluice --help 2>/dev/null | grep -q "^ *report "; then
    bin=.build/release/sluice
  else
    bin=.build/debug/sluice
  fi
fi
"$bin" --help 2>/dev/null | grep -q "^ *report " || { echo "bench_report: $bin has no report command; run swift build" >&2; exit 2; }
build="debug"; [[ "$bin" == *release* ]] && build="release"
report_dir="${REPORT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-report.XXXXXX")}"
mkdir -p "$report_dir"
psql_() { psql "$SLUICE_DATABASE_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }

# A completed run with $1 rejections; prints its id.
make_run() {
  local count="$1" name="bench_report_$1_$$"
  local id
  id="$(psql_ -c "
    INSERT INTO sluice.runs (pipeline, object_uri, etag, object_size, target_table, batch_rows, status, rows_read,
        rows_rejected, batches, rejected_by_reason, timings, finished_at, source_format, source_header, source_delimiter, column_sources)
    VALUES ('$name', 'file:///tmp/$name.csv', 'synthetic', 0, 'sluice.none', 16384, 'completed', $count, $count,
        $count / 16384 + 1, '{\"iban.checksum\": $count}', '{\"decode\": 1.0}', now(), 'csv',
        ARRAY['external_id','first_name','last_name','email','iban','bic','amount','currency','mandate_id','mandate_date','address','city','postcode','country'],
        ',', '{\"external_id\":0,\"first_name\":1,\"last_name\":2,\"email\":3,\"iban\":4,\"bic\":5,\"amount\":6,\"currency\":7,\"mandate_id\":8,\"mandate_date\":9,\"address\":10,\"city\":11,\"postcode\":12,\"country\":13}')
    RETURNING id" | head -1)"
  psql_ -c "
    INSERT INTO sluice.rejections (run_id, batch_seq, object_uri, line, byte_offset, code, message, column_name, raw)
    SELECT '$id', g / 16384, 'file:///tmp/$name.csv', g + 2, g::bigint * 180, 'iban.checksum', 'IBAN check digits do not match', 'iban',
        convert_to(format('EXT-%s,Marie,Muster,marie.%s@example.net,DE%s370400440532013000,,%s.50,EUR,MNDT-%s,2024-01-31,\"Hauptstr. %s' || chr(10) || '2. Stock\",Berlin,10115,DE',
            lpad(g::text, 8, '0'), g, lpad((g % 100)::text, 2, '0'), g % 500, g, g % 200), 'UTF8')
    FROM generate_series(0, $count - 1) AS g" >/dev/null
  psql_ -c "ANALYZE sluice.rejections" >/dev/null
  echo "$id"
}

echo "bench_report: creating runs with $small and $rows rejections ..." >&2
small_id="$(make_run "$small")"
large_id="$(make_run "$rows")"
cleanup() {
  if [[ "${REPORT_KEEP:-0}" != 1 ]]; then
    psql_ -c "DELETE FROM sluice.rejections WHERE run_id IN ('$small_id', '$large_id'); DELETE FROM sluice.runs WHERE id IN ('$small_id', '$large_id')" >/dev/null || true
    [[ -n "${REPORT_DIR:-}" ]] || rm -rf "$report_dir"
  fi
}
trap cleanup EXIT

plan="$(psql_ -c "EXPLAIN SELECT batch_seq, line, byte_offset, code, message, column_name, raw FROM sluice.rejections
  WHERE run_id = '$large_id' ORDER BY line, batch_seq, ctid" | tr '\n' ' ' | sed -E 's/  +/ /g; s/\(cost=[^)]*\)//g')"

results="$report_dir/results.jsonl"
: >"$results"
for spec in "$small:$small_id" "$rows:$large_id"; do
  count="${spec%%:*}"; id="${spec#*:}"
  for format in csv xlsx; do
    out="$report_dir/report-$count.$format"
    timing="$report_dir/time-$count-$format.txt"
    echo "bench_report: $count rejections -> $format ..." >&2
    /usr/bin/time -f '%e %M %U %S' -o "$timing" "$bin" report rejections "$id" --format "$format" --output "$out" 2>"$report_dir/stderr-$count-$format.txt" || { cat "$report_dir/stderr-$count-$format.txt" >&2; exit 1; }
    read -r wall rss user sys < <(tail -1 "$timing")
    printf '{"rejections": "%s", "format": "%s", "wall": "%s", "user": "%s", "sys": "%s", "maxrss_kb": "%s", "bytes": "%s"}\n' \
      "$count" "$format" "$wall" "$user" "$sys" "$rss" "$(stat -c %s "$out")" >>"$results"
  done
done

output="${REPORT_OUTPUT:-docs/performance.md}"
python3 scripts/bench_report.py rejections --results "$results" --rows "$rows" --small "$small" \
  --binary "$bin" --build "$build" --plan "$plan" --output "$output"
