#!/usr/bin/env bash
# Runs the whole Swift suite serially against the local stack, keeping the full output in
# .sluice/test.log. On failure it repeats every failed test and recorded issue at the end,
# so the tail of a CI log names what failed (CI shows only the last part of the output).
set -uo pipefail
cd "$(dirname "$0")/.."
log=.sluice/test.log
mkdir -p .sluice
set -a && . .sluice/env && set +a
swift test --skip-build --no-parallel "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [[ $status -ne 0 ]]; then
    echo
    echo "==== failed tests and recorded issues (full log: $log) ===="
    grep -E "✘|recorded an issue|Fatal error|error:|Crash|signal" "$log" | grep -v "✘ Test run with" | head -60
    echo "==== end of failures ===="
fi
exit "$status"
