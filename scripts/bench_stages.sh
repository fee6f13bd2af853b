#!/usr/bin/env bash
# Per-stage micro-benchmarks (`make bench-stages`): the package-benchmark suites in
# Benchmarks/ that time one stage of a run each, on one core, on data generated once into
# the temporary folder and held in memory (no stack, no PostgreSQL):
#
#   CSVDecode   CSVDecoder over a MemoryByteSource (400k rows, ≈ 64 MB)
#   XLSXDecode  XLSXDecoder over a generated workbook (100k rows; inline and shared strings)
#   Validation  ColumnMapper.map and ValidationStage.validate over decoded batches
#   Screening   ScreeningStage with an in-memory 100k-entry BlacklistIndex
#   Dedup       DedupStage, default key (iban, amount, external_id)
#   CopyEncode  CopyEncoder.encodeAccepted (keep_raw true and false) and encodeRejected
#
# Then scripts/bench_report.py (`stages`) prints the table and writes it into
# docs/performance.md between the "bench_stages:begin/end" markers.
#
# The first run builds the Benchmarks package in release mode (15+ minutes on 2 cores).
#
# Settings (environment, all optional):
#   BENCH_SUITES="CSVDecode XLSXDecode Validation Screening Dedup CopyEncode"   suites to run
#   BENCH_OUTPUT=docs/performance.md   where the report goes ("-" prints it only)
#   BENCH_KEEP_DIR=        keep package-benchmark's output in this folder
#   BENCH_COMMAND=         the command the report names (default: make bench-stages)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

SUITES="${BENCH_SUITES:-CSVDecode XLSXDecode Validation Screening Dedup CopyEncode}"
OUTPUT="${BENCH_OUTPUT:-docs/performance.md}"
log() { printf '[bench-stages] %s\n' "$*" >&2; }
die() { printf '[bench-stages] ERROR: %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-stages.XXXXXX")"
cleanup() {
  if [[ -n "${BENCH_KEEP_DIR:-}" ]]; then
    mkdir -p "$BENCH_KEEP_DIR" && cp -r "$WORK"/. "$BENCH_KEEP_DIR"/ && log "outputs kept in $BENCH_KEEP_DIR"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

targets=()
for suite in $SUITES; do targets+=(--target "$suite"); done
log "package-benchmark: $SUITES (the first build takes 15+ minutes on 2 cores)..."
if ! swift package --package-path Benchmarks benchmark "${targets[@]}" --no-progress >"$WORK/benchmark.txt" 2>"$WORK/benchmark.err"; then
  tail -n 40 "$WORK/benchmark.err" >&2
  tail -n 20 "$WORK/benchmark.txt" >&2
  die "package-benchmark failed"
fi

REPORT_ARGS=(stages --benchmark-output "$WORK/benchmark.txt" --notes "$WORK/benchmark.err")
[[ -n "${BENCH_COMMAND:-}" ]] && REPORT_ARGS+=(--command "$BENCH_COMMAND")
[[ "$OUTPUT" == - ]] || REPORT_ARGS+=(--output "$OUTPUT")
python3 scripts/bench_report.py "${REPORT_ARGS[@]}"
