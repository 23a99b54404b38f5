#!/usr/bin/env bash
# Trains the CIFAR10 preset from scratch in one fresh process and samples its memory once a minute
# with bench/memory-monitor.sh. At the end it prints the lowest and highest resident memory from
# step 200 to step 2,000 and their spread (bench/memory-spread.sh), read between steps and at the
# monitor's random moments. The memory target is a spread of at most 5%.
#
#   bench/memory-run.sh OUT_DIR [STEPS] [CPU]
#
# STEPS defaults to 2100 (the target's window is steps 200 to 2,000). CPU, when given, pins the
# run to that core (taskset) with one OpenMP thread, so that it can share the machine with other
# work. The run writes OUT_DIR/run (the training run), OUT_DIR/train.log (its progress) and
# OUT_DIR/memory.csv. Needs CIFAR-10 in NATIVETOK_DATA or datasets/cifar10.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: bench/memory-run.sh OUT_DIR [STEPS] [CPU]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$1 steps=${2:-2100} cpu=${3:-}
if ! [[ "$steps" =~ ^[0-9]+$ ]] || (( steps < 2001 )); then
  echo "error: STEPS is '$steps'; expected a whole number of at least 2001, so that the run passes step 2,000." >&2
  exit 2
fi
if [[ -e "$out" ]]; then
  echo "error: $out already exists; the measurement needs a fresh run. Pass a new folder." >&2
  exit 2
fi
mkdir -p "$out"
launcher=()
if [[ -n "$cpu" ]]; then
  launcher=(taskset -c "$cpu")
  export OMP_NUM_THREADS=1
  # On one core the JVM picks the Serial collector; keep G1, which it picks on 2 or more cores.
  export NATIVETOK_JAVA_OPTS="${NATIVETOK_JAVA_OPTS:--Xmx6g -Xmn256m -XX:+UseG1GC}"
fi
"${launcher[@]}" "$root/bin/nativetok" train --preset cifar10 --steps "$steps" --out "$out/run" \
  2> "$out/train.log" &
run=$!
# The monitor needs the JVM's PID, not the launcher script's: wait until bin/nativetok has exec'd.
sleep 20
"$root/bench/memory-monitor.sh" "$run" "$out/train.log" "$out/memory.csv"
wait "$run" || { echo "error: the training run failed; see $out/train.log" >&2; exit 1; }
"$root/bench/memory-spread.sh" "$out/run" "$out/memory.csv"
