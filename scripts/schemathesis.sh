#!/usr/bin/env bash
# Fuzzes a live `sluice serve` with schemathesis (PyPI) against docs/openapi.yaml: no answer may
# be a 5xx, and every answer must match the document (status code, content type, body schema,
# headers). Tests/IntegrationTests/SchemathesisTests.swift runs it against a server of its own.
#
#   scripts/schemathesis.sh [BASE_URL [TOKEN]]
#
#   BASE_URL  the server (default $SLUICE_API_URL, else http://127.0.0.1:8080)
#   TOKEN     an admin token, `sluice token create --role admin --name NAME` (default $SLUICE_API_TOKEN)
#
# Settings (environment, all optional):
#   SCHEMATHESIS_MAX_EXAMPLES  cases per operation and phase (default 30)
#   SCHEMATHESIS_SEED          the seed; the same seed gives the same cases (default 11)
#   SCHEMATHESIS_PIPELINE      a pipeline of the server, and SCHEMATHESIS_IDS, ids it knows (run UUIDs,
#                              job ids; comma-separated): half the cases use them
#   SCHEMATHESIS_VENV          where schemathesis is installed (default <repo>/.sluice/schemathesis-venv)
#   SLUICE_DATABASE_URL        the server's database: the blacklist is saved before the run and
#                              restored after it (needs psql); without it the blacklist's write
#                              routes are left out
# Extra arguments after BASE_URL and TOKEN go to `schemathesis run` as they are.
#
# The token is sent to every operation, `POST /v1/events/s3` too: start the server with
# SLUICE_EVENTS_TOKEN set to the same token to fuzz that route past its check (without it the
# route answers 503, which the document also allows). Destructive routes are included (cancel,
# resume, uploads, blacklist changes): run this only against a server and database for tests.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-$REPO_ROOT/.sluice/schemathesis-venv}"

BASE_URL="${1:-${SLUICE_API_URL:-http://127.0.0.1:8080}}"
TOKEN="${2:-${SLUICE_API_TOKEN:-}}"
shift $(( $# < 2 ? $# : 2 ))
[[ -n "$TOKEN" ]] || { echo "schemathesis.sh: no token (argument 2 or SLUICE_API_TOKEN)" >&2; exit 2; }

log() { printf 'schemathesis.sh: %s\n' "$*" >&2; }
CONFIG=""
cleanup_config() { [[ -z "$CONFIG" ]] || rm -f "$CONFIG"; }

# ------------------------------------------------------------ install (once)
# In a venv of its own, so its dependencies never meet the system's; where python3 cannot make a
# venv (Debian without python3-venv), into the user's python with stack.sh's PEP 668 fallback.
SCHEMATHESIS=""
if [[ -x "$VENV/bin/schemathesis" ]] && [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" == *"$VERSION"* ]]; then
  SCHEMATHESIS="$VENV/bin/schemathesis"
elif python3 -m venv --clear "$VENV" >/dev/null 2>&1 && [[ -x "$VENV/bin/python" ]]; then
  log "installing schemathesis==$VERSION from PyPI into $VENV"
  env PIP_ROOT_USER_ACTION=ignore "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "schemathesis==$VERSION" >&2 \
    || { log "pip install schemathesis failed"; exit 2; }
  SCHEMATHESIS="$VENV/bin/schemathesis"
else
  rm -rf "$VENV"
  if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$VERSION')" 2>/dev/null; then
    log "installing schemathesis==$VERSION from PyPI (no venv here)"
    pip=(env PIP_ROOT_USER_ACTION=ignore python3 -m pip install --disable-pip-version-check --no-input -q "schemathesis==$VERSION")
    # Debian's own python3 is "externally managed" (PEP 668); a pyenv python is not.
    "${pip[@]}" >&2 2>/dev/null || "${pip[@]}" --break-system-packages >&2 || { log "pip install schemathesis failed"; exit 2; }
  fi
  SCHEMATHESIS="$(python3 -c 'import sys, os; print(os.path.join(os.path.dirname(sys.executable), "schemathesis"))')"
  [[ -x "$SCHEMATHESIS" ]] || SCHEMATHESIS="$(command -v schemathesis || true)"
  [[ -n "$SCHEMATHESIS" ]] || { log "schemathesis installed but not found on PATH"; exit 2; }
fi

# ------------------------------------------------------------ the blacklist
# The blacklist is shared by the whole database, and screening tests load it: junk that the
# fuzzer adds (a bic_prefix "DE" would flag half a sample), or real entries it deletes by id,
# would make other tests flaky. So its rows are saved before the run and put back after it:
# entries added during the run are removed, removed ones come back, updated ones get their
# reason and source back. Without psql and the database URL, the three write routes are left out.
exclude=()
SNAPSHOT=""
if [[ -n "${SLUICE_DATABASE_URL:-}" ]] && command -v psql >/dev/null 2>&1; then
  SNAPSHOT="$(mktemp -t sluice-blacklist-XXXXXX.copy)"
  psql "$SLUICE_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy sluice.blacklist to '$SNAPSHOT'"
  MAX_ID="$(psql "$SLUICE_DATABASE_URL" -X -Atq -v ON_ERROR_STOP=1 -c 'SELECT coalesce(max(id), 0) FROM sluice.blacklist')"
  restore_blacklist() {
    psql "$SLUICE_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL || log "could not restore the blacklist (saved in $SNAPSHOT)"
BEGIN;
CREATE TEMP TABLE saved (LIKE sluice.blacklist) ON COMMIT DROP;
\\copy saved from '$SNAPSHOT'
DELETE FROM sluice.blacklist WHERE id > $MAX_ID;
DELETE FROM sluice.blacklist b WHERE NOT EXISTS (SELECT 1 FROM saved s WHERE s.id = b.id) AND b.id <= $MAX_ID;
INSERT INTO sluice.blacklist SELECT * FROM saved
  ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, source = excluded.source, display = excluded.display;
COMMIT;
SQL
    rm -f "$SNAPSHOT"
  }
  trap 'restore_blacklist; cleanup_config' EXIT
else
  log "no SLUICE_DATABASE_URL or psql: leaving out the blacklist's write routes"
  trap cleanup_config EXIT
  exclude+=(--exclude-operation-id addBlacklistEntry --exclude-operation-id removeBlacklistEntry --exclude-operation-id importBlacklist)
fi

# ------------------------------------------------------------ real names and ids
# Random ids and pipeline names only ever reach the 404 and 422 answers. Given a pipeline of the
# server and ids it knows (a run's UUID, a job's id), half the cases use them instead, so the
# answers for real runs, jobs and pipelines (200, 202, 409) are checked against the document too.
CONFIG="$(mktemp -t sluice-schemathesis-XXXXXX.toml)"
toml_list() { local IFS=,; local out=() v; for v in $1; do
  if [[ "$v" =~ ^[0-9]+$ ]]; then out+=("$v"); else out+=("\"$v\""); fi; done; local IFS=,; printf '[%s]' "${out[*]}"; }
{
  if [[ -n "${SCHEMATHESIS_PIPELINE:-}" ]]; then
    printf '[dictionaries.pipelines]\nvalues = %s\n' "$(toml_list "$SCHEMATHESIS_PIPELINE")"
  fi
  if [[ -n "${SCHEMATHESIS_IDS:-}" ]]; then
    printf '[dictionaries.ids]\nvalues = %s\n' "$(toml_list "$SCHEMATHESIS_IDS")"
  fi
  printf '[parameters]\n'
  if [[ -n "${SCHEMATHESIS_PIPELINE:-}" ]]; then
    for key in query.pipeline path.name body.pipeline; do
      printf '"%s" = { dictionary = "pipelines", probability = 0.5 }\n' "$key"
    done
  fi
  if [[ -n "${SCHEMATHESIS_IDS:-}" ]]; then
    printf '"path.id" = { dictionary = "ids", probability = 0.5 }\n'
  fi
} > "$CONFIG"

# ------------------------------------------------------------ the run
# Phases: examples, coverage (boundary and invalid values derived from each schema) and fuzzing;
# not stateful (the document has no links). One worker and a fixed seed keep the cases and their
# order the same from run to run; no example database, so an earlier run never changes this one.
# It runs in a folder of its own under .sluice/, where it keeps its replay files (`st replay ID`
# from there) and Hypothesis its caches, so that neither lands in the work tree.
WORK="$(dirname "$VENV")/schemathesis-work"
mkdir -p "$WORK" && cd "$WORK"
export HYPOTHESIS_STORAGE_DIRECTORY="$WORK/.hypothesis"
status=0
"$SCHEMATHESIS" --config-file "$CONFIG" run "$REPO_ROOT/docs/openapi.yaml" \
  --url "$BASE_URL" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}" \
  --seed "${SCHEMATHESIS_SEED:-11}" \
  --generation-database none \
  --workers 1 \
  --request-timeout 30 \
  --suppress-health-check all \
  --no-color \
  "${exclude[@]}" "$@" &
# In the background, so that a TERM (a test's timeout) ends it at once and the EXIT trap still
# puts the blacklist back.
child=$!
trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 143' TERM INT
wait "$child" || status=$?
exit "$status"
