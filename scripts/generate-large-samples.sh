#!/usr/bin/env bash
# Generates the large benchmark inputs into Samples/generated/ (gitignored):
#
#   debtors-1m.csv   1,000,000 rows, seed 1   (about 160 MB,  ~10 s)
#   debtors-10m.csv 10,000,000 rows, seed 10  (about 1.6 GB, ~80 s)
#
# Idempotent: a file that is already there is kept (the generator is deterministic, so
# the same rows and seed give the same bytes). Each file is written to a .partial name
# and renamed when complete, so an interrupted run never leaves a truncated sample.
#
#   scripts/generate-large-samples.sh           both files
#   scripts/generate-large-samples.sh 1m        only debtors-1m.csv
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
OUT_DIR="$REPO_ROOT/Samples/generated"

log() { printf '[samples] %s\n' "$*" >&2; }
die() { printf '[samples] ERROR: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
[[ -f "$SCRIPT_DIR/generate_debtors.py" ]] || die "missing $SCRIPT_DIR/generate_debtors.py"

# name rows seed
SAMPLES=(
  "1m 1000000 1"
  "10m 10000000 10"
)

wanted=("$@")
mkdir -p "$OUT_DIR"

for sample in "${SAMPLES[@]}"; do
  read -r name rows seed <<<"$sample"
  if ((${#wanted[@]} > 0)) && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  file="$OUT_DIR/debtors-$name.csv"
  if [[ -s "$file" ]]; then
    log "$file exists ($(stat -c %s "$file") bytes), kept"
    continue
  fi
  log "generating $file ($rows rows, seed $seed)..."
  start=$SECONDS
  rm -f "$file.partial"
  python3 "$SCRIPT_DIR/generate_debtors.py" --rows "$rows" --seed "$seed" --output "$file.partial" --quiet
  mv "$file.partial" "$file"
  log "wrote $file ($(stat -c %s "$file") bytes) in $((SECONDS - start)) s"
done
