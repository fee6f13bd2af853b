#!/usr/bin/env bash
# The main job end to end on the local stack: upload Samples/debtors-10k.csv to S3, load it
# through pipelines/debtors.yaml into PostgreSQL, and print what happened.
# `make demo` starts the stack and builds sluice first.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; . .sluice/env; set +a

sluice=.build/debug/sluice
key="incoming/debtors-10k.csv"
sample="Samples/debtors-10k.csv"

# The tables of demos run before pipeline columns had types hold amount and mandate_date as
# text; give them the types pipelines/debtors.yaml declares now (sluice refuses a table whose
# types differ, naming the ALTER TABLE to run; the rows there were validated, so they convert).
for table in debtors demo_verified demo_billed; do
  psql -q -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
      IF (SELECT data_type FROM information_schema.columns
          WHERE table_schema = 'sluice' AND table_name = '$table' AND column_name = 'amount') = 'text' THEN
        ALTER TABLE sluice.$table
          ALTER COLUMN amount TYPE numeric(12,2) USING nullif(btrim(amount), '')::numeric(12,2),
          ALTER COLUMN mandate_date TYPE date USING nullif(btrim(mandate_date), '')::date;
        RAISE NOTICE 'sluice.$table: amount and mandate_date now have the types pipelines/debtors.yaml declares';
      END IF;
    END \$\$" >/dev/null
done

echo "==> Uploading $sample to s3://$SLUICE_S3_BUCKET/$key"
python3 scripts/s3put.py "$sample" "s3://$SLUICE_S3_BUCKET/$key"

echo "==> Peeking at the file: sluice inspect --limit 3"
"$sluice" inspect "s3://$SLUICE_S3_BUCKET/$key" --limit 3 --columns external_id,first_name,last_name,iban,amount,country

echo
echo "==> Blacklisting two debtors of the file (screening holds their rows back)"
"$sluice" blacklist add --iban "$(sed -n 2p "$sample" | cut -d, -f5)" --reason AC04 --source demo
"$sluice" blacklist add --email "$(sed -n 4p "$sample" | cut -d, -f4)" --reason complaint --source demo

echo
echo "==> Loading it: sluice run pipelines/debtors.yaml --input s3://$SLUICE_S3_BUCKET/$key"
# --force: the demo may run many times; a real second run of the same object version is refused.
"$sluice" run pipelines/debtors.yaml --input "s3://$SLUICE_S3_BUCKET/$key" --force

run_id=$(psql -Atqc "SELECT id FROM sluice.runs WHERE object_uri = 's3://$SLUICE_S3_BUCKET/$key' ORDER BY started_at DESC LIMIT 1")
echo
echo "==> What PostgreSQL holds for run $run_id"
psql -qc "SELECT count(*) AS rows_loaded, count(DISTINCT iban) AS distinct_ibans, count(DISTINCT country) AS countries
          FROM sluice.debtors WHERE run_id = '$run_id'"
psql -qc "SELECT line, code, message FROM sluice.rejections WHERE run_id = '$run_id' ORDER BY line LIMIT 5"
echo "(first 5 rejections shown; all are in sluice.rejections)"

echo
echo "==> The run's summary report: sluice report summary $run_id"
"$sluice" report summary "$run_id"

report=".sluice/demo-rejections-${run_id:0:8}.xlsx"
echo
echo "==> Every rejected row, for operators: sluice report rejections $run_id --format xlsx --output $report"
"$sluice" report rejections "$run_id" --format xlsx --output "$report"
"$sluice" report rejections "$run_id" --format csv --output "${report%.xlsx}.csv"
echo "(IBANs are masked; failing cells are highlighted in the XLSX. CSV: ${report%.xlsx}.csv)"

# The shipped pipeline keeps no copy of each record (keep_raw: false); lineage finds it again.
offset=$(psql -Atqc "SELECT source_offset FROM sluice.debtors WHERE run_id = '$run_id' ORDER BY source_line DESC LIMIT 1")
echo
echo "==> The source bytes of the last loaded row, from its lineage: sluice source $run_id --offset $offset"
"$sluice" source "$run_id" --offset "$offset"
echo

# ---- Payee verification: the same file through a pipeline with `vop:`, against the VOP simulator.
echo
echo "==> Payee verification: the VOP simulator (sluice simulate vop) knows the file's account holders"
vop_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo-vop.XXXXXX")
python3 scripts/vop_holders.py "$sample" --output "$vop_dir/holders.csv"
"$sluice" simulate vop --port 0 --holders "$vop_dir/holders.csv" --latency-ms 2 2>"$vop_dir/simulator.log" &
simulator_pid=$!
stop_simulator() { kill "$simulator_pid" 2>/dev/null || true; wait "$simulator_pid" 2>/dev/null || true; rm -rf "$vop_dir"; }
trap stop_simulator EXIT
vop_base=""
for _ in $(seq 1 100); do
  vop_base=$(grep -o 'listening on http://[0-9.:]*' "$vop_dir/simulator.log" | head -1 | sed 's/listening on //') || true
  [[ -n "$vop_base" ]] && break
  sleep 0.1
done
[[ -n "$vop_base" ]] || { echo "the VOP simulator did not start:"; tail -5 "$vop_dir/simulator.log"; exit 1; }
# The shipped pipeline with a vop: section (defaults: close matches flagged, no match and
# not possible rejected); the provider comes from the environment, never from the file.
sed -e 's/^name: .*/name: demo_verified/' -e 's/table: sluice\.debtors/table: sluice.demo_verified/' pipelines/debtors.yaml >"$vop_dir/demo_verified.yaml"
printf '\nvop:\n  max_in_flight: 32\n' >>"$vop_dir/demo_verified.yaml"
echo "==> SLUICE_VOP_URL=$vop_base/epc/v1/payee-verifications sluice run demo_verified.yaml (debtors.yaml + vop:)"
SLUICE_VOP_PROVIDER=epc SLUICE_VOP_URL="$vop_base/epc/v1/payee-verifications" \
  "$sluice" run "$vop_dir/demo_verified.yaml" --input "s3://$SLUICE_S3_BUCKET/$key" --force
vop_run=$(psql -Atqc "SELECT id FROM sluice.runs WHERE pipeline = 'demo_verified' ORDER BY started_at DESC LIMIT 1")
echo
echo "==> What the provider said, per row (sluice.vop_checks)"
psql -qc "SELECT outcome, decision, answered_by, count(*) AS rows FROM sluice.vop_checks WHERE run_id = '$vop_run'
          GROUP BY 1, 2, 3 ORDER BY 4 DESC"
vop_report="$vop_dir/vop-${vop_run:0:8}.csv"
echo "==> The VOP report: sluice report vop $vop_run --format csv (the first close matches; the holder's name is kept for review)"
"$sluice" report vop "$vop_run" --format csv --output "$vop_report"
head -1 "$vop_report"; grep -m 4 close_match "$vop_report" || true
calls() { curl -fsS "$vop_base/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["total"])'; }
echo "==> The simulator counted $(calls) calls. The same file again: the answer cache answers, nothing is paid twice"
SLUICE_VOP_PROVIDER=epc SLUICE_VOP_URL="$vop_base/epc/v1/payee-verifications" \
  "$sluice" run "$vop_dir/demo_verified.yaml" --input "s3://$SLUICE_S3_BUCKET/$key" --force | grep -E "^Run|vop "
echo "==> The simulator has still counted $(calls) calls: the second run paid for none"
stop_simulator
trap - EXIT

# ---- Billing: the accepted rows charged by SEPA direct debit against the gateway simulator.
echo
echo "==> Billing: the gateway simulator (sluice simulate gateway) stands in for emerchantpay Genesis"
bill_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo-billing.XXXXXX")
"$sluice" simulate gateway --port 0 2>"$bill_dir/gateway.log" &
gateway_pid=$!
stop_gateway() { kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; rm -rf "$bill_dir"; }
trap stop_gateway EXIT
gateway_base=""
for _ in $(seq 1 150); do
  gateway_base=$(grep -o 'listening on http://[0-9.:]*' "$bill_dir/gateway.log" | head -1 | sed 's/listening on //') || true
  [[ -n "$gateway_base" ]] && break
  sleep 0.2
done
[[ -n "$gateway_base" ]] || { echo "the gateway simulator did not start:"; tail -5 "$bill_dir/gateway.log"; exit 1; }
# The shipped pipeline with a billing: section; the run hands its rows to billing as it completes.
sed -e 's/^name: .*/name: demo_billed/' -e 's/table: sluice\.debtors/table: sluice.demo_billed/' pipelines/debtors.yaml >"$bill_dir/demo_billed.yaml"
printf '\nbilling:\n  terminal: sim-terminal\n  rate_per_second: 200\n  max_in_flight: 16\n  usage: "Demo collection {external_id}"\n' >>"$bill_dir/demo_billed.yaml"
export SLUICE_GENESIS_URL="$gateway_base" SLUICE_GENESIS_LOGIN=sim-login SLUICE_GENESIS_PASSWORD=sim-password
echo "==> sluice run demo_billed.yaml (debtors.yaml + billing:)"
"$sluice" run "$bill_dir/demo_billed.yaml" --input "s3://$SLUICE_S3_BUCKET/$key" --force | grep -E "^Run|accepted" || true
billed_run=$(psql -Atqc "SELECT id FROM sluice.runs WHERE pipeline = 'demo_billed' ORDER BY started_at DESC LIMIT 1")
echo "==> sluice billing start $billed_run (the rules, then one sdd_sale per attempt; a second make demo finds these debtors cycle-locked)"
"$sluice" billing start "$billed_run"
echo "==> The first attempts: sluice billing attempts $billed_run --limit 5"
"$sluice" billing attempts "$billed_run" --limit 5
curl -fsS "$gateway_base/_sim/stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("==> The simulator saw %d sale requests and charged %d, each transaction_id once (%d refused as duplicates)"
      % (s["sale_requests"], s["charges"], s["doublets"]))'
unset SLUICE_GENESIS_URL SLUICE_GENESIS_LOGIN SLUICE_GENESIS_PASSWORD
stop_gateway
trap - EXIT

# ---- The service: sluice serve picks a dropped file up by itself and shows the run over HTTP.
echo
echo "==> The service: sluice serve, watching s3://$SLUICE_S3_BUCKET/drops/ (a demo pipeline)"
demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
serve_log="$demo_dir/serve.log"
server_pid=""
stop_server() { if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi; rm -rf "$demo_dir"; }
trap stop_server EXIT
# The shipped pipeline, named demo_drops, watching drops/*.csv.
sed -e 's/^name: .*/name: demo_drops/' pipelines/debtors.yaml >"$demo_dir/demo_drops.yaml"
printf '\nwatch:\n  - bucket: %s\n    prefix: "drops/"\n    glob: "*.csv"\n' "$SLUICE_S3_BUCKET" >>"$demo_dir/demo_drops.yaml"
token=$("$sluice" token create --role operator --name "demo-$(date +%s)-$$")
SLUICE_WATCH_INTERVAL=1 SLUICE_LOG_FORMAT=json "$sluice" serve --port 0 --pipelines "$demo_dir" >"$serve_log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 150); do
  base=$(grep -o 'sluice serve: listening on http://[0-9.:]*' "$serve_log" | head -1 | sed 's/.*listening on //') || true
  [[ -n "$base" ]] && break
  sleep 0.2
done
[[ -n "$base" ]] || { echo "sluice serve did not start:"; tail -5 "$serve_log"; exit 1; }
echo "    listening on $base (token: an operator token from 'sluice token create')"
curl -fsS "$base/health/ready"; echo

# A new name each time: every drop is a new object version, so a new run.
drop="drops/debtors-$(date +%Y%m%d-%H%M%S).csv"
echo "==> Dropping $sample into s3://$SLUICE_S3_BUCKET/$drop"
python3 scripts/s3put.py "$sample" "s3://$SLUICE_S3_BUCKET/$drop"
echo "==> Waiting for the watcher to start the run, and for the run to finish"
run_json=""
for _ in $(seq 1 300); do
  run_json=$(curl -fsS -H "Authorization: Bearer $token" "$base/v1/runs?pipeline=demo_drops&limit=1" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
print(json.dumps(items[0]) if items and items[0]["object"].endswith(sys.argv[1]) else "")' "$drop")
  [[ -n "$run_json" && "$run_json" == *'"status": "completed"'* ]] && break
  sleep 0.5
done
[[ -n "$run_json" ]] || { echo "no run started; the server said:"; tail -5 "$serve_log"; exit 1; }
api_run=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$run_json")
echo "==> GET /v1/runs/$api_run"
curl -fsS -H "Authorization: Bearer $token" "$base/v1/runs/$api_run" | python3 -c '
import json, sys
r = json.load(sys.stdin)
speed = r.get("rows_per_second", 0)
print("    %s: %d rows read, %d accepted, %d rejected, %.0f rows/s, by node %s"
      % (r["status"], r["rows_read"], r["rows_accepted"], r["rows_rejected"], speed, r.get("node")))
print("    rejections by reason:", ", ".join(f"{k} {v}" for k, v in sorted(r["rejections_by_reason"].items())))'
echo "==> Stopping the server (SIGTERM: it drains and exits 0)"
kill -TERM "$server_pid"; wait "$server_pid" && echo "    stopped cleanly"
server_pid=""
