#!/usr/bin/env bash
# `make bench-notifications`: gateway notifications against one `sluice serve` node
# (docs/performance.md, "Notifications"). With the release binary:
#
#   - BENCH_NOTIFY_ATTEMPTS (default 250000) pending attempts are seeded, each with its
#     debtor profile, and as many signed notifications approving them are generated
#     (scripts/notification_payloads.py; SHA-1, SHA-256 and SHA-512 in turn);
#   - wrk (Debian's package) posts them for BENCH_NOTIFY_SECONDS (default 60) from
#     BENCH_NOTIFY_CONNECTIONS (default 32) connections, each pacing itself to reach about
#     BENCH_NOTIFY_RATE (default 2400) notifications/s in all; the node's own workers process
#     them meanwhile, as in production;
#   - afterwards the stored notifications are counted against the unique ones sent, and every
#     one must be processed (the seeded attempts approved).
#
# PostgreSQL keeps durable commits (fsync and synchronous_commit on: checked, not changed).
# BENCH_SLUICE (default Benchmarks/.build/release/sluice).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

COUNT="${BENCH_NOTIFY_ATTEMPTS:-250000}"
SECONDS_RUN="${BENCH_NOTIFY_SECONDS:-60}"
CONNECTIONS="${BENCH_NOTIFY_CONNECTIONS:-48}"
RATE="${BENCH_NOTIFY_RATE:-2200}"
# Workers processing on the receiving node (2: as `sluice serve` runs by default; 0: an
# API-only node, processing left to other nodes, as in the layout of docs/notifications.md).
WORKERS="${BENCH_NOTIFY_WORKERS:-2}"
SLUICE="${BENCH_SLUICE:-$REPO_ROOT/Benchmarks/.build/release/sluice}"
STATE_DIR="${SLUICE_STATE_DIR:-$REPO_ROOT/.sluice}"
log() { printf '[bench-notifications] %s\n' "$*" >&2; }
die() { printf '[bench-notifications] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$SLUICE" ]] || die "no release binary at $SLUICE: build it with (cd Benchmarks && swift build -c release --product sluice)"
if ! command -v wrk >/dev/null; then
  log "wrk is missing: installing Debian's wrk package"
  apt-get install -y -qq wrk >/dev/null || die "cannot install wrk; install it and run again"
fi
set -a; . "$STATE_DIR/env"; set +a
exec 9>"$STATE_DIR/bench.lock"
flock 9

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-notify.XXXXXX")"
SERVE_PID=""
PREFIX=""
cleanup() {
  [[ -n "$SERVE_PID" ]] && kill "$SERVE_PID" 2>/dev/null
  wait 2>/dev/null
  # The seeded attempts, their profiles and notifications go (nothing else refers to them),
  # and with them the processing jobs left with nothing to do.
  if [[ -n "$PREFIX" ]]; then
    log "removing what the benchmark seeded"
    sql "CREATE TEMP TABLE gone AS SELECT id, iban_hash FROM sluice.billing_attempts WHERE unique_id LIKE '$PREFIX-%';
         DELETE FROM sluice.attempt_events e USING gone g WHERE e.attempt_id = g.id;
         DELETE FROM sluice.debtor_profiles p USING gone g WHERE p.iban_hash = g.iban_hash;
         DELETE FROM sluice.billing_attempts a USING gone g WHERE a.id = g.id;
         DELETE FROM sluice.notifications WHERE unique_id LIKE '$PREFIX-%';
         DELETE FROM sluice.jobs j WHERE kind = 'notifications' AND state IN ('available', 'retryable')
           AND NOT EXISTS (SELECT 1 FROM sluice.notifications n
                           WHERE n.id IN (SELECT (jsonb_array_elements_text(j.payload->'ids'))::bigint) AND n.processed_at IS NULL)" >/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
sql() { psql -Atq "$SLUICE_DATABASE_URL" -c "$1"; }

"$SLUICE" migrate >/dev/null
# Benchmark notifications an interrupted run left unprocessed would be worked off during this
# one: mark them done, so their jobs find nothing to do.
sql "UPDATE sluice.notifications SET processed_at = now(), outcome = 'recorded', outcome_detail = 'left by an earlier benchmark'
     WHERE unique_id LIKE 'bn%' AND processed_at IS NULL" >/dev/null
DURABILITY="fsync=$(sql 'SHOW fsync'), synchronous_commit=$(sql 'SHOW synchronous_commit')"
[[ "$DURABILITY" == "fsync=on, synchronous_commit=on" ]] || die "PostgreSQL must commit durably for this benchmark ($DURABILITY)"

PREFIX="bn$(date +%s)"
TERMINAL="bench-terminal"
PASSWORD="bench-password-$(date +%s)"
TOKEN="bench$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log "seeding $COUNT pending attempts ($PREFIX-…)"
sql "INSERT INTO sluice.debtor_profiles (iban_hash, model, charged_minor, open_transaction_id)
     SELECT sha256(convert_to('$PREFIX-' || n, 'UTF8')), 'legacy', 1000, 'tx-$PREFIX-' || n FROM generate_series(0, $COUNT - 1) n"
sql "INSERT INTO sluice.billing_attempts (iban_hash, iban_masked, amount_minor, currency, status, transaction_id, unique_id, terminal, model, sent_at)
     SELECT sha256(convert_to('$PREFIX-' || n, 'UTF8')), 'NL91********0000', 1000, 'EUR', 'pending', 'tx-$PREFIX-' || n, '$PREFIX-' || n,
            '$TERMINAL', 'legacy', now() FROM generate_series(0, $COUNT - 1) n"
python3 scripts/notification_payloads.py --count "$COUNT" --prefix "$PREFIX" --password "$PASSWORD" --terminal "$TERMINAL" --output "$WORK/bodies.txt"
python3 scripts/notification_payloads.py --count 20000 --prefix "$PREFIX-warm" --password "$PASSWORD" --terminal "$TERMINAL" --output "$WORK/warm.txt"

SLUICE_GENESIS_ENDPOINTS="$TOKEN=$TERMINAL" SLUICE_GENESIS_PASSWORD_BENCH_TERMINAL="$PASSWORD" SLUICE_WEBHOOK_RATE=100000 \
  SLUICE_WATCH_INTERVAL=0 "$SLUICE" serve --port 0 --workers "$WORKERS" --pipelines "$WORK" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 300); do
  BASE="$(grep -o 'sluice serve: listening on http://[0-9.:]*' "$WORK/serve.log" | head -1 | sed 's/.*listening on //')" || true
  [[ -n "${BASE:-}" ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || die "sluice serve did not start: $(tail -5 "$WORK/serve.log")"
  sleep 0.1
done
[[ -n "${BASE:-}" ]] || die "sluice serve did not start: $(tail -5 "$WORK/serve.log")"
URL="$BASE/webhooks/genesis/$TOKEN"
log "server at $BASE"

# Each wrk thread posts its own share of the bodies (line n goes to thread n mod threads), so
# no body is sent twice unless a thread runs out; done() adds up what was sent.
THREADS=2
# wrk waits this long after each answer; the answer itself takes a few ms more.
DELAY_MS=$(( CONNECTIONS * 1000 / RATE - 5 ))
lua() { # bodies-file
  cat <<LUA
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  bodies = {}
  local n = 0
  for line in io.lines("$1") do
    if n % $THREADS == id then bodies[#bodies + 1] = line end
    n = n + 1
  end
  count = #bodies
  sent = 0
  answered = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, bodies[((sent - 1) % count) + 1])
end
function response(status, headers, body)
  if status == 200 then answered = answered + 1 end
end
function delay() return $DELAY_MS end
function done(summary, latency, requests)
  local sentAll, unique, answeredAll, answeredUnique = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    local s, c, a = thread:get("sent"), thread:get("count"), thread:get("answered")
    sentAll = sentAll + s
    unique = unique + math.min(s, c)
    answeredAll = answeredAll + a
    answeredUnique = answeredUnique + math.min(a, c)
  end
  io.write(string.format("SENT %d UNIQUE %d ANSWERED %d ANSWERED_UNIQUE %d\n", sentAll, unique, answeredAll, answeredUnique))
end
LUA
}
lua "$WORK/warm.txt" >"$WORK/warm.lua"
lua "$WORK/bodies.txt" >"$WORK/main.lua"

log "warm-up: 5 s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$WORK/warm.lua" "$URL" >/dev/null
sleep 2
curl -fsS "$BASE/metrics" >"$WORK/metrics-before.txt"
log "wrk: $CONNECTIONS connections, one notification per $DELAY_MS ms each (about $RATE/s), ${SECONDS_RUN} s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$WORK/main.lua" "$URL" >"$WORK/wrk.txt"
cat "$WORK/wrk.txt" >&2
curl -fsS "$BASE/metrics" >"$WORK/metrics-after.txt"

# Processing goes on after the last answer: wait for it, up to 5 minutes.
START=$(date +%s.%N)
for _ in $(seq 1 $(( WORKERS > 0 ? 3000 : 0 ))); do
  LEFT=$(sql "SELECT count(*) FROM sluice.notifications WHERE unique_id LIKE '$PREFIX-%' AND unique_id NOT LIKE '$PREFIX-warm%' AND processed_at IS NULL")
  [[ "$LEFT" == "0" ]] && break
  sleep 0.1
done
DRAIN=$(python3 -c "print(round($(date +%s.%N) - $START, 1))")
STORED=$(sql "SELECT count(*) FROM sluice.notifications WHERE unique_id LIKE '$PREFIX-%' AND unique_id NOT LIKE '$PREFIX-warm%'")
REPEATS=$(sql "SELECT coalesce(sum(duplicates), 0) FROM sluice.notifications WHERE unique_id LIKE '$PREFIX-%' AND unique_id NOT LIKE '$PREFIX-warm%'")
APPLIED=$(sql "SELECT count(*) FROM sluice.notifications WHERE unique_id LIKE '$PREFIX-%' AND unique_id NOT LIKE '$PREFIX-warm%' AND outcome = 'applied'")
APPROVED=$(sql "SELECT count(*) FROM sluice.billing_attempts WHERE unique_id LIKE '$PREFIX-%' AND status = 'approved'")

python3 - "$WORK/wrk.txt" "$WORK/metrics-before.txt" "$WORK/metrics-after.txt" "$STORED" "$REPEATS" "$APPLIED" "$APPROVED" "$DRAIN" "$DURABILITY" "$RATE" "$WORKERS" <<'PY'
import re, sys
wrk = open(sys.argv[1]).read()
before, after = open(sys.argv[2]).read(), open(sys.argv[3]).read()
stored, repeats, applied, approved, drain, durability, rate, workers = sys.argv[4:12]
def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
pct = {p: ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)", wrk, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
latency_max = ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", wrk).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
socket = re.search(r"Socket errors: (.*)", wrk)
sent, unique, answered, answered_unique = map(int, re.search(r"SENT (\d+) UNIQUE (\d+) ANSWERED (\d+) ANSWERED_UNIQUE (\d+)", wrk).groups())
def metric(text, name):
    return sum(float(v) for v in re.findall(r"^" + re.escape(name) + r"(?:\{[^}]*\})? ([\d.e+-]+)$", text, re.M))
def delta(name): return metric(after, name) - metric(before, name)
def buckets(name):
    found = {}
    for text, sign in ((after, 1), (before, -1)):
        for le, v in re.findall(r"^" + re.escape(name) + r'_bucket\{le="([^"]+)"\} ([\d.e+-]+)$', text, re.M):
            found[le] = found.get(le, 0) + sign * float(v)
    return found
def quantile(name, q):
    b = buckets(name)
    total = b.get("+Inf", 0)
    if not total: return "n/a"
    for le in sorted((k for k in b if k != "+Inf"), key=float):
        if b[le] >= q * total: return f"≤ {float(le) * 1000:g} ms"
    return "> largest bucket"
commits, batched = delta("sluice_notification_commits_total"), delta("sluice_notification_batched_total")
commit_seconds = delta("sluice_notification_commit_seconds_sum")
print("| measure | value |")
print("|---|---|")
print(f"| PostgreSQL | {durability} |")
print(f"| workers on the receiving node | {workers} |")
print(f"| notifications/s answered (asked about {rate}/s) | {rps:.0f} |")
print(f"| ack latency p50 / p90 / p99 / max (wrk) | {pct.get('50', float('nan')):.2f} / {pct.get('90', float('nan')):.2f} / {pct.get('99', float('nan')):.2f} / {latency_max:.2f} ms |")
print(f"| ack p99 as the server measured it (histogram bucket) | {quantile('sluice_notification_ack_seconds', 0.99)} |")
print(f"| non-2xx answers; socket errors | {errors.group(1) if errors else 0}; {socket.group(1).strip() if socket else 'none'} |")
print(f"| requests written; unique among them | {sent}; {unique} |")
print(f"| answered 200; unique among them | {answered}; {answered_unique} |")
print(f"| stored (unique); duplicates counted | {stored}; {repeats} |")
# wrk stops with requests in flight: each was written, and stored if the server had read it.
cut = unique - answered_unique
verdict = "yes" if int(stored) == unique else (f"yes, counting the {unique - int(stored)} of {cut} requests wrk cut off at its stop that the server never read" if answered_unique <= int(stored) <= unique else "NO")
print(f"| stored == unique sent | {verdict} |")
print(f"| commits; mean notifications per commit; mean commit | {commits:.0f}; {batched / commits if commits else 0:.1f}; {commit_seconds / commits * 1000 if commits else 0:.2f} ms |")
print(f"| processed as applied; attempts approved | {applied}; {approved} |")
print(f"| processing still going after the last answer | {drain} s |")
PY
