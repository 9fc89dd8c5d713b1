#!/usr/bin/env bash
# bench/time_to_verdict.sh: time to verdict of a whole catalogue run (issue 13), by hand, not a
# test. Runs the scaled configuration of the issue (form TTL 40 s, global timeout 45 s,
# --rate-limit 10/15 --max-wait 60) against a standalone hitl-refserver on loopback, reached
#   loopback     as http://127.0.0.1:PORT: every check sends from its own 127.x source address
#   one-address  as http://localhost:PORT: one source address (how a remote target is reached)
# and the embedded server (its own short TTL 20 s, global timeout 25 s, 10/4), and prints for
# each wall time / the longest single inherent wait (the global timeout + 1 s: the expiry
# checks must outwait it). Ratios near 1 mean the run takes as long as its longest wait.
#
#   bash bench/time_to_verdict.sh [HITLCHECK [REFSERVER [LABEL]]]
#
# Defaults: build/harness/hitlcheck, build/refserver/hitl-refserver. Output (run logs and
# report.json files) under ${BENCH_OUT:-bench/out/ttv}/LABEL. Traffic stays on 127.0.0.1.
set -uo pipefail
hc=${1:-build/harness/hitlcheck}
rs=${2:-build/refserver/hitl-refserver}
label=${3:-current}
out=${BENCH_OUT:-bench/out/ttv}/$label
TTL=40 GLOBAL=45 RATE=10/15 MAX_WAIT=60
rm -rf "$out" && mkdir -p "$out" || exit 2

free_port() {
  perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
    LocalPort => 0) or die "no free port: $!\n"; print $s->sockport, "\n";'
}

srv_pid=
stop_server() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null; srv_pid=; }
trap stop_server EXIT

# run_standalone NAME HOST: one catalogue run against a fresh standalone server.
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

echo "| build | target | wall s | longest inherent wait s | wall / wait | verdicts |"
echo "|---|---|---|---|---|---|"
run_embedded
run_standalone loopback 127.0.0.1
run_standalone one-address localhost
