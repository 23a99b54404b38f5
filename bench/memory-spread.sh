#!/usr/bin/env bash
# Prints the spread of resident memory from step 200 to step 2,000 of a tokenizer training run, as
# (highest - lowest) / lowest. The memory target is a spread of at most 5%.
#
#   bench/memory-spread.sh RUN_FOLDER [MEMORY_CSV]
#
# The first line uses the run's metrics.csv, whose resident_megabytes column is read between
# steps, after each step's arrays are freed. With MEMORY_CSV (written by bench/memory-monitor.sh),
# a second line uses the monitor's once-a-minute samples, which fall at random moments and also
# catch the temporary arrays of a step in flight.
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: bench/memory-spread.sh RUN_FOLDER [MEMORY_CSV]" >&2
  exit 2
fi
metrics=$1/metrics.csv
if [[ ! -f "$metrics" ]]; then
  echo "error: no $metrics; pass the folder of a tokenizer training run." >&2
  exit 2
fi
awk -F, -v from=200 -v to=2000 '
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resident_megabytes") col = i
            if (!col) { print "error: '"$metrics"' has no resident_megabytes column; it was written by an older version." > "/dev/stderr"; exit 1 } }
  NR > 1 && $1 >= from && $1 <= to && $col != "" {
    n++; if (!lo || $col < lo) lo = $col; if ($col > hi) hi = $col }
  END { if (!col) exit 1
        if (!n) { print "error: no rows between steps " from " and " to " in '"$metrics"'" > "/dev/stderr"; exit 1 }
        printf "between steps (metrics.csv): %.2f to %.2f GB over %d steps from %d to %d, spread %.1f%%\n",
               lo / 1e3, hi / 1e3, n, from, to, 100 * (hi - lo) / lo }' "$metrics"
if [[ $# -eq 2 ]]; then
  awk -F, -v from=200 -v to=2000 '
    NR > 1 && $5 != "" { split($5, s, "/"); step = s[1] + 0
      if (step >= from && step <= to) { n++; if (!lo || $2 < lo) lo = $2; if ($2 > hi) hi = $2 } }
    END { if (!n) { print "error: no samples between steps " from " and " to " in '"$2"'" > "/dev/stderr"; exit 1 }
          printf "at random moments (monitor): %.2f to %.2f GB over %d samples, spread %.1f%%\n",
                 lo / 1e6, hi / 1e6, n, 100 * (hi - lo) / lo }' "$2"
fi
