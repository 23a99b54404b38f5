#!/usr/bin/env bash
# Samples a running JVM's memory once a minute until it exits, with the step of its newest
# progress line. Writes CSV rows: time, resident kB, Java heap committed kB, heap used kB, step.
#
#   bench/memory-monitor.sh PID PROGRESS_LOG OUT_CSV [SECONDS]
#
# PROGRESS_LOG is the file the run's progress bar is written to (e.g. its redirected stderr).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: bench/memory-monitor.sh PID PROGRESS_LOG OUT_CSV [SECONDS]" >&2
  exit 2
fi
pid=$1 log=$2 out=$3 every=${4:-60}
if ! kill -0 "$pid" 2>/dev/null; then
  echo "error: no running process with PID $pid. Start the run first and pass its PID." >&2
  exit 1
fi
[[ -s "$out" ]] || echo "time,resident_kb,heap_committed_kb,heap_used_kb,step" > "$out"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  # G1 prints one "garbage-first heap total ..K, used ..K" line, the Serial and Parallel
  # collectors one such line per generation; sum them.
  heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '
    match($0, /total [0-9]+K, used [0-9]+K/) {
      split(substr($0, RSTART, RLENGTH), f, /[ K,]+/); total += f[2]; used += f[4]; n++ }
    END { if (n) print total "," used }' || true)
  step=$(tail -c 400 "$log" 2>/dev/null | tr '\r' '\n' | grep -o '[0-9]\+/[0-9]\+' | tail -1 || true)
  echo "$(date -u +%FT%TZ),${rss:-},${heap:-,},${step:-}" >> "$out"
  sleep "$every"
done
