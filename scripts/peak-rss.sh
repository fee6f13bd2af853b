#!/usr/bin/env bash
# Runs a command and samples its resident memory while it runs, to tell a plateau (memory
# bounded by batch size) from growth (memory that scales with the input).
#
#   scripts/peak-rss.sh [-i SECONDS] [-o SERIES.tsv] -- command [args...]
#
# The command's stdout and stderr pass through. At the end, on stderr: the peak RSS
# (VmHWM, what GNU time's %M reports) and RSS at 10 %, 50 % and 90 % of the run's samples.
# With -o, every sample is written as "seconds<TAB>rss_kb<TAB>hwm_kb<TAB>threads".
# The exit status is the command's.
set -euo pipefail

interval=1
series=""
while (($# > 0)); do
  case "$1" in
    -i) interval="$2"; shift 2 ;;
    -o) series="$2"; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
(($# > 0)) || { echo "usage: $0 [-i SECONDS] [-o SERIES.tsv] -- command [args...]" >&2; exit 2; }
[[ "$interval" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "peak-rss: -i needs a number of seconds" >&2; exit 2; }

samples="$(mktemp "${TMPDIR:-/tmp}/peak-rss.XXXXXX")"
trap 'rm -f "$samples"' EXIT

"$@" &
pid=$!
start="$(date +%s%N)"
hwm=0
while kill -0 "$pid" 2>/dev/null; do
  if status="$(cat "/proc/$pid/status" 2>/dev/null)"; then
    rss="$(awk '/^VmRSS:/ { print $2 }' <<<"$status")"
    high="$(awk '/^VmHWM:/ { print $2 }' <<<"$status")"
    threads="$(awk '/^Threads:/ { print $2 }' <<<"$status")"
    if [[ -n "$rss" && -n "$high" ]]; then
      now="$(date +%s%N)"
      printf '%s\t%s\t%s\t%s\n' "$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" \
        "$rss" "$high" "$threads" >>"$samples"
      ((high > hwm)) && hwm="$high"
    fi
  fi
  sleep "$interval"
done
code=0
wait "$pid" || code=$?

[[ -n "$series" ]] && cp "$samples" "$series"
if [[ -s "$samples" ]]; then
  awk -F'\t' -v hwm="$hwm" '
    { rss[NR] = $2; t[NR] = $1 }
    END {
      p10 = int(NR * 0.1) + 1; p50 = int(NR * 0.5) + 1; p90 = int(NR * 0.9); if (p90 < 1) p90 = 1
      printf "peak-rss: peak %.1f MB (VmHWM); RSS at %.0fs %.1f MB, at %.0fs %.1f MB, at %.0fs %.1f MB; %d samples\n",
        hwm / 1024, t[p10], rss[p10] / 1024, t[p50], rss[p50] / 1024, t[p90], rss[p90] / 1024, NR > "/dev/stderr"
    }' "$samples"
else
  echo "peak-rss: the command ended before the first sample" >&2
fi
exit "$code"
