#!/usr/bin/env bash
# main_job.sh: wall time of the main job (`hitlcheck run` against the embedded reference
# server, whole catalogue), two binaries side by side in one session, runs interleaved
# (A B A B …) so that machine load hits both alike. Prints each run and the medians.
#   bash bench/main_job.sh BIN_A BIN_B [RUNS]     (RUNS default 3)
# E.g. the scheduler change of the global-timeout work: BIN_A built from the commit before
# it (git worktree add ../old <commit>; cmake --build … --target hitlcheck), BIN_B from main.
# The wall time is dominated by checks that sleep until a deadline, not by CPU.
set -euo pipefail
a=${1:?BIN_A}; b=${2:?BIN_B}; runs=${3:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() { # one BIN LABEL N: prints "LABEL seconds checks passed failed"
  local start end
  start=$(date +%s.%N)
  "$1" run --no-color -q --report-dir "$tmp/$2-$3" >"$tmp/$2-$3.log" 2>&1 || true
  end=$(date +%s.%N)
  printf '%s %s %s\n' "$2" "$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')" \
    "$(grep -E '^[0-9]+ passed' "$tmp/$2-$3.log" | head -n 1)"
}
for ((i = 1; i <= runs; i++)); do
  one "$a" A "$i"
  one "$b" B "$i"
done | tee "$tmp/all"
med() { awk -v l="$1" '$1 == l {print $2}' "$tmp/all" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ma=$(med A); mb=$(med B)
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "median A %.1f s, median B %.1f s, A/B %.2f\n", a, b, a / b}'
