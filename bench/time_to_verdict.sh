#!/usr/bin/env bash
# bench/time_to_verdict.sh: time to verdict of a whole catalogue run (issue 13), by hand, not a
# test. Two configurations, each against a standalone hitl-refserver on loopback, reached
#   loopback     as http://127.0.0.1:PORT: every check sends from its own 127.x source address
#   one-address  as http://localhost:PORT: one source address (how a remote target is reached)
# and the embedded server (its own fixed settings: form TTL 20 s, global timeout 25 s, 10/4;
# run once, in the first table), printing for each wall time / the longest single inherent
# wait (the global timeout + 1 s: the expiry checks must outwait it). Ratios near 1 mean the
# run takes as long as its longest wait.
#   issue         the issue's scaled setup: form TTL 40 s, global timeout 45 s, --rate-limit
#                 10/15, --max-wait 60. It shrinks the waits but not the request rate: 10
#                 requests per 15 s and limiter against Dify's 30 per 60 s, in a run 90 times
#                 shorter than an hour, so from one address the run is bounded by how many WEB
#                 form requests fit, not by its waits.
#   proportional  Dify's default proportions (a Human Input form's 1 h expiry : a 60 s window :
#                 30 requests per window) compressed 60 times: form TTL 60 s, global timeout
#                 65 s, --rate-limit 30/1, --max-wait 90. A 1 s window is sound against
#                 hitl-refserver: its limiter keeps millisecond times (a true sliding window
#                 that counts every request, as newer Dify builds do), and the harness sends
#                 each fill as a burst (30 x 1.1 s does not fit in 1 s), so the rate-limit
#                 checks take a fraction of a second each. It is no setting for a Dify
#                 deployment: Dify's RateLimiter stamps each request with int(time.time())
#                 and, in builds that collapse same-second requests, adds that second as the
#                 member (api/libs/helper.py), so at most one request per wall-clock second
#                 counts and N per W s is reached only when W spans N distinct seconds; the
#                 harness spaces a fill 1.1 s apart only when N x 1.1 s + 2 s fits in W (for
#                 30 requests, a window of at least 35 s).
#
#   bash bench/time_to_verdict.sh [HITLCHECK [REFSERVER [LABEL]]]
#
# Defaults: build/harness/hitlcheck, build/refserver/hitl-refserver. BENCH_CONFIGS (default
# "issue proportional") picks the configurations. Output (run logs and report.json files)
# under ${BENCH_OUT:-bench/out/ttv}/LABEL. Traffic stays on 127.0.0.1.
set -uo pipefail
hc=${1:-build/harness/hitlcheck}
rs=${2:-build/refserver/hitl-refserver}
label=${3:-current}
out=${BENCH_OUT:-bench/out/ttv}/$label
configs=${BENCH_CONFIGS:-issue proportional}
rm -rf "$out" && mkdir -p "$out" || exit 2

free_port() {
  perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
    LocalPort => 0) or die "no free port: $!\n"; print $s->sockport, "\n";'
}

srv_pid=
stop_server() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null; srv_pid=; }
trap stop_server EXIT

# run_standalone NAME HOST: one catalogue run against a fresh standalone server, with the
# configuration in TTL, GLOBAL, RATE and MAX_WAIT.
run_standalone() {
  local name=$1 host=$2 fixture port t0 t1 rc
  fixture=$(free_port) || exit 2
  rm -f "$out/$name.port"
  "$rs" --listen 127.0.0.1 --port 0 --port-file "$out/$name.port" --form-ttl "$TTL" \
    --rate-limit "$RATE" --global-timeout "$GLOBAL" --ping-interval 1 --idle-timeout 10 \
    --sweep-interval 1 --fetch-allow "127.0.0.1:$fixture" --blacklist exe \
    --app workflow:app-w --app chatflow:app-c --app chat:app-chat \
    --app workflow:app-long:3600 --app chatflow:app-long-c:3600 \
    --app workflow:app-two:two-node --app chatflow:app-two-c:two-node \
    >"$out/$name.refserver.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 100); do [ -s "$out/$name.port" ] && break; sleep 0.1; done
  port=$(cat "$out/$name.port") || exit 2
  t0=$(date +%s.%N)
  "$hc" run --target "http://$host:$port" --api-key app-w --other-api-key app-c \
    --chat-api-key app-chat --global-timeout-key app-long --global-timeout "$GLOBAL" \
    --two-node-api-key app-two --blocked-extension exe \
    --rate-limit "$RATE" --max-wait "$MAX_WAIT" --fixture-listen "127.0.0.1:$fixture" \
    --fixture-url "http://127.0.0.1:$fixture" --no-color --report-dir "$out/$name" \
    >"$out/$name.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  stop_server
  report "$name" "$rc" "$t0" "$t1" $((GLOBAL + 1))
}

run_embedded() {
  local t0 t1 rc
  t0=$(date +%s.%N)
  "$hc" run --no-color --report-dir "$out/embedded" >"$out/embedded.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  report embedded "$rc" "$t0" "$t1" 26 # the embedded global timeout (25 s) + 1 s
}

report() {
  local totals
  totals=$(grep -E '^[0-9]+ passed' "$out/$1.log" | tail -n 1)
  awk -v n="$1" -v l="$label" -v rc="$2" -v a="$3" -v b="$4" -v w="$5" -v t="$totals" 'BEGIN {
    printf "| %s | %s | %.1f | %d | %.2f | %s (exit %s) |\n", l, n, b - a, w, (b - a) / w, t, rc }'
}

header() {
  echo
  echo "$1"
  echo "| build | target | wall s | longest inherent wait s | wall / wait | verdicts |"
  echo "|---|---|---|---|---|---|"
}

embedded_done=
for config in $configs; do
  case $config in
  issue)
    TTL=40 GLOBAL=45 RATE=10/15 MAX_WAIT=60
    header "issue: form TTL 40 s, global timeout 45 s, --rate-limit 10/15, --max-wait 60" ;;
  proportional)
    TTL=60 GLOBAL=65 RATE=30/1 MAX_WAIT=90
    header "proportional (Dify's 1 h : 60 s : 30 compressed 60 x): form TTL 60 s, global timeout 65 s, --rate-limit 30/1, --max-wait 90" ;;
  *) echo "unknown configuration $config (issue, proportional)" >&2; exit 2 ;;
  esac
  if [ -z "$embedded_done" ]; then
    run_embedded
    embedded_done=1
  fi
  run_standalone "$config-loopback" 127.0.0.1
  run_standalone "$config-one-address" localhost
done
