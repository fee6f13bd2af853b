#!/usr/bin/env bash
# `make bench-billing`: billing against the gateway simulator (docs/performance.md, "Billing").
# With the release binary:
#
#   open     BENCH_BILLING_ROWS (default 100000) attempts, the simulator answering after
#            BENCH_BILLING_LATENCY_MS (default 5) ms, no rate limit, max_in_flight 64:
#            attempts/s and the most sales in flight (the simulator's count);
#   limited  BENCH_BILLING_LIMITED_ROWS (default 20000) attempts at rate_per_second 500: the
#            sale rate the simulator measured, against 500.
#
# Each load uses a fresh file of NL IBANs (scripts/billing_debtors.py), so profiles of earlier
# runs hold nothing back. BENCH_SLUICE (default Benchmarks/.build/release/sluice),
# BENCH_BILLING_PORT (default 58490).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

ROWS="${BENCH_BILLING_ROWS:-100000}"
LIMITED_ROWS="${BENCH_BILLING_LIMITED_ROWS:-20000}"
LATENCY="${BENCH_BILLING_LATENCY_MS:-5}"
PORT="${BENCH_BILLING_PORT:-58490}"
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/Benchmarks/.build/release/sluice}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
log() { printf '[bench-billing] %s\n' "$*" >&2; }
die() { printf '[bench-billing] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$SLUICE" ]] || die "no release binary at $SLUICE: build it with (cd Benchmarks && swift build -c release --product sluice)"
set -a; . "$STATE_DIR/env"; set +a
exec 9>"$STATE_DIR/bench.lock"
flock 9

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-billing.XXXXXX")"
SIM_PID=""
cleanup() { [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$SLUICE" simulate gateway --port "$PORT" --latency-ms "$LATENCY" >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$PORT/_sim/stats" >/dev/null 2>&1 && break
  kill -0 "$SIM_PID" 2>/dev/null || die "the simulator did not start: $(tail -5 "$WORK/simulator.log")"
  sleep 0.1
done
export SLUICE_GENESIS_URL="http://127.0.0.1:$PORT" SLUICE_GENESIS_LOGIN=sim-login SLUICE_GENESIS_PASSWORD=sim-password

psql -q "$SLUICE_DATABASE_URL" -c "CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
pipeline() { # name rate in_flight
  # A fresh table each time, with the types pipelines/debtors.yaml declares (one from before
  # issue 15 has text columns, which sluice refuses).
  psql -q "$SLUICE_DATABASE_URL" -c "DROP TABLE IF EXISTS bench.$1" >/dev/null
  sed -e "s/^name: .*/name: $1/" -e "s/table: sluice\.debtors/table: bench.$1/" pipelines/debtors.yaml >"$WORK/$1.yaml"
  printf '\nscreening: {enabled: false}\nbilling:\n  terminal: sim-terminal\n  rate_per_second: %s\n  max_in_flight: %s\n  start: manual\n' "$2" "$3" >>"$WORK/$1.yaml"
}
stat() { curl -fsS "http://127.0.0.1:$PORT/_sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

load() { # name rows -> run id
  python3 scripts/billing_debtors.py --rows "$2" --output "$WORK/$1.csv"
  "$SLUICE" run "$WORK/$1.yaml" --input "$WORK/$1.csv" --json --no-progress >"$WORK/$1.json"
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['run_id'])" "$WORK/$1.json"
}

pipeline bench_billing_open 0 64
pipeline bench_billing_limited 500 64

log "open: $ROWS attempts at $LATENCY ms, no rate limit"
RUN="$(load bench_billing_open "$ROWS")"
curl -fsS -X POST "http://127.0.0.1:$PORT/_sim/reset" >/dev/null
START=$(date +%s.%N)
"$SLUICE" billing start "$RUN" --pipeline "$WORK/bench_billing_open.yaml" >"$WORK/open.txt"
END=$(date +%s.%N)
SECONDS_OPEN=$(python3 -c "print(round($END - $START, 2))")
SALES=$(stat "['sale_requests']")
INFLIGHT=$(stat "['max_concurrent_sales']")
cat "$WORK/open.txt" >&2
printf 'open: %s attempts in %s s = %s attempts/s; %s sale requests; most sales in flight at the simulator: %s\n' \
  "$ROWS" "$SECONDS_OPEN" "$(python3 -c "print(round($ROWS / $SECONDS_OPEN))")" "$SALES" "$INFLIGHT"

log "limited: $LIMITED_ROWS attempts at rate_per_second 500"
RUN="$(load bench_billing_limited "$LIMITED_ROWS")"
curl -fsS -X POST "http://127.0.0.1:$PORT/_sim/reset" >/dev/null
"$SLUICE" billing start "$RUN" --pipeline "$WORK/bench_billing_limited.yaml" >"$WORK/limited.txt"
RATE=$(stat "['sale_rate_per_second']")
printf 'limited: %s attempts; the simulator measured %s sales/s against 500/s (%s)\n' \
  "$LIMITED_ROWS" "$(python3 -c "print(round($RATE, 1))")" "$(python3 -c "print(round($RATE / 500, 3))")"
