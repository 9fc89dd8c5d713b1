#!/usr/bin/env bash
# hostile_table.sh: the table of issue 10, mode → exit, wall, peak RSS, connections, for a
# hitlcheck binary against every hostile mode of the reference server (run by hand).
#   bash bench/hostile_table.sh [HITLCHECK [REFSERVER]]
# Defaults: build/harness/hitlcheck and build/refserver/hitl-refserver. It runs
# tests/hostile_modes.sh in measure-only mode (the same runs the test judges: the whole
# catalogue, --timeout 5 --max-wait 20, rate limit 10/4), so a build without the defences of
# issue 10 (main before them) can be measured with the current reference server; such a run
# is killed after HITL_HOSTILE_KILL seconds (default 240 here) and shown as `killed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export HITLCHECK=${1:-$root/build/harness/hitlcheck}
export REFSERVER=${2:-$root/build/refserver/hitl-refserver}
export HITL_HOSTILE_MEASURE_ONLY=1
export HITL_HOSTILE_KILL=${HITL_HOSTILE_KILL:-240}
exec bash "$root/tests/hostile_modes.sh"
