#!/usr/bin/env bash
# `make bench-vop`: the VOP stage against the VOP simulator (docs/performance.md, "Payee
# verification"). Three kinds of run of the same file, with the release binary:
#
#   plain  the debtors pipeline without `vop:` (the reference, measured in the same session);
#   cold   with `vop:` and an empty answer cache: every distinct payee is a call to the
#          simulator, which answers after BENCH_VOP_LATENCY_MS (default 2) ms;
#   warm   the same file again: answers come from sluice.vop_results.
#
# plain and warm alternate BENCH_REPEATS times (default 2); cold runs once. Printed: seconds,
# rows/s, calls, calls/s, the most calls in flight (the stage's and the simulator's count), and
# warm / plain. The simulator knows the file's account holders (scripts/vop_holders.py: 85 %
# matching, 6 % close, 6 % other names, 3 % unknown accounts).
#
# The cold run empties sluice.vop_results first: run it on the local stack, not on a database
# whose cache matters. BENCH_SLUICE (default Benchmarks/.build/release/sluice), BENCH_VOP_SAMPLE
# (default Samples/generated/debtors-1m.csv), BENCH_VOP_PORT (default 58480).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

REPEATS="${BENCH_REPEATS:-2}"
LATENCY="${BENCH_VOP_LATENCY_MS:-2}"
PORT="${BENCH_VOP_PORT:-58480}"
SAMPLE="${BENCH_VOP_SAMPLE:-Samples/generated/debtors-1m.csv}"
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/Benchmarks/.build/release/sluice}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
log() { printf '[bench-vop] %s\n' "$*" >&2; }
die() { printf '[bench-vop] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$SLUICE" ]] || die "no release binary at $SLUICE: build it with (cd Benchmarks && swift build -c release --product sluice)"
if [[ ! -f "$SAMPLE" ]]; then
  [[ "$SAMPLE" == Samples/generated/debtors-1m.csv ]] || die "no $SAMPLE"
  log "generating $SAMPLE"
  mkdir -p Samples/generated
  python3 scripts/generate_debtors.py --rows 1000000 --seed 42 --output "$SAMPLE" --quiet
fi
set -a; . "$STATE_DIR/env"; set +a
exec 9>"$STATE_DIR/bench.lock"
flock 9

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-vop.XXXXXX")"
SIM_PID=""
cleanup() { [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

log "account holders for $SAMPLE"
python3 scripts/vop_holders.py "$SAMPLE" --output "$WORK/holders.csv"
"$SLUICE" simulate vop --port "$PORT" --holders "$WORK/holders.csv" --latency-ms "$LATENCY" >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$PORT/_sim/stats" >/dev/null 2>&1 && break
  kill -0 "$SIM_PID" 2>/dev/null || die "the simulator did not start: $(tail -5 "$WORK/simulator.log")"
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/_sim/stats" >/dev/null || die "the simulator does not answer on port $PORT"

psql -q "$SLUICE_DATABASE_URL" -c "CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
sed -e 's/^name: .*/name: bench_vop_plain/' -e 's/table: sluice\.debtors/table: bench.vop_plain/' pipelines/debtors.yaml >"$WORK/plain.yaml"
sed -e 's/^name: .*/name: bench_vop/' -e 's/table: sluice\.debtors/table: bench.vop_debtors/' pipelines/debtors.yaml >"$WORK/vop.yaml"
grep -q '^vop:' "$WORK/vop.yaml" || printf '\nvop:\n  enabled: true\n' >>"$WORK/vop.yaml"
export SLUICE_VOP_PROVIDER=epc SLUICE_VOP_URL="http://127.0.0.1:$PORT/epc/v1/payee-verifications"

fresh() {
  psql -q "$SLUICE_DATABASE_URL" -c "DELETE FROM sluice.runs WHERE pipeline IN ('bench_vop_plain', 'bench_vop')" >/dev/null
  psql -q "$SLUICE_DATABASE_URL" -c "DELETE FROM sluice.vop_checks c WHERE NOT EXISTS (SELECT 1 FROM sluice.runs r WHERE r.id = c.run_id)" >/dev/null
  # Dropped rather than emptied: sluice creates them again with the types pipelines/debtors.yaml declares.
  psql -q "$SLUICE_DATABASE_URL" -c "DROP TABLE IF EXISTS bench.vop_plain" >/dev/null 2>&1 || true
  psql -q "$SLUICE_DATABASE_URL" -c "DROP TABLE IF EXISTS bench.vop_debtors" >/dev/null 2>&1 || true
  psql -q "$SLUICE_DATABASE_URL" -c "CHECKPOINT" >/dev/null
}

# Runs one load; prints "seconds rows_per_second calls max_in_flight cache_hits sim_calls sim_max_concurrent".
load() {
  local pipeline="$1"
  fresh
  curl -fsS -X POST "http://127.0.0.1:$PORT/_sim/reset" >/dev/null
  "$SLUICE" run "$pipeline" --input "$SAMPLE" --no-progress --json --force >"$WORK/run.json" 2>"$WORK/run.log" \
    || die "sluice run failed: $(tail -5 "$WORK/run.log")"
  curl -fsS "http://127.0.0.1:$PORT/_sim/stats" >"$WORK/sim.json"
  python3 - "$WORK/run.json" "$WORK/sim.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1])); sim = json.load(open(sys.argv[2]))
vop = run.get("vop") or {}
busy = run.get("stage_seconds", {})
print(f'{run["seconds"]:.2f} {run["rows_per_second"]:.0f} {vop.get("calls", 0)} {vop.get("max_in_flight", 0)} '
      f'{vop.get("cache_hits", 0)} {sim["calls"].get("total", 0)} {sim["maxConcurrent"]} '
      f'{busy.get("parse", 0):.1f} {busy.get("stage.vop", 0):.1f} {busy.get("sink", 0):.1f}')
PY
}

# busy: seconds each step was working (parse, the vop stage, the sinks), summed over its tasks.
printf '%-6s %8s %10s %9s %9s %9s %10s %9s  %s\n' run seconds rows/s calls calls/s inflight cache_hits sim_calls "busy parse/vop/sink"
show() {
  local name="$1"; shift
  read -r seconds rate calls inflight hits simcalls simmax parse vop sink <<<"$*"
  printf '%-6s %8s %10s %9s %9.0f %9s %10s %9s  %s\n' "$name" "$seconds" "$rate" "$calls" \
    "$(python3 -c "print($calls / $seconds)")" "$inflight/$simmax" "$hits" "$simcalls" "$parse/$vop/$sink"
}

log "cold: empty cache, every payee a call at ${LATENCY} ms"
psql -q "$SLUICE_DATABASE_URL" -c "DELETE FROM sluice.vop_results" >/dev/null
show cold $(load "$WORK/vop.yaml")
plain_rates=(); warm_rates=()
for i in $(seq 1 "$REPEATS"); do
  result=$(load "$WORK/plain.yaml"); show plain $result; plain_rates+=("$(awk '{print $2}' <<<"$result")")
  result=$(load "$WORK/vop.yaml"); show warm $result; warm_rates+=("$(awk '{print $2}' <<<"$result")")
done
python3 - "${plain_rates[*]}" "${warm_rates[*]}" <<'PY'
import statistics, sys
plain = [float(x) for x in sys.argv[1].split()]; warm = [float(x) for x in sys.argv[2].split()]
print(f"warm / plain: median {statistics.median(warm) / statistics.median(plain):.2f} "
      f"(plain {statistics.median(plain):,.0f} rows/s, warm {statistics.median(warm):,.0f} rows/s); target >= 0.80")
PY
