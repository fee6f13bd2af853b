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
