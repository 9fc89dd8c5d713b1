#!/usr/bin/env bash
# topology_clean.sh LAYOUT: the whole catalogue through the clean topology (nginx and squid
# set up from Dify's templates, hitl-refserver behind them; lib.sh), in upload layout LAYOUT
# (v1 or v2). Asserts that the topology comes up and routes as Dify's does, that the run
# completes (exit 0, 1 or 3) with a report.json valid against specs/report.schema.json, that
# the remote fetches really went through squid (the fixture let through, the loopback canary
# refused), that the run has 0 FAIL and 0 ERROR through a correctly set-up proxy, and that
# the X-Forwarded-For bypass Dify's nginx allows is reported (ratelimit.spoof.forwarded WARN).
#
# Env: HITLCHECK, REFSERVER, SCHEMA_CHECK, HITL_SOURCE_DIR, TOPO_BUILD_DIR (the run folders'
# parent in the build tree). Traffic stays on 127.0.0.1.
set -uo pipefail
layout=${1:?usage: topology_clean.sh v1|v2}
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
: "${SCHEMA_CHECK:?SCHEMA_CHECK must name the json_schema_check tool}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
: "${TOPO_BUILD_DIR:?TOPO_BUILD_DIR must name a folder in the build tree}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

topo_require_tools
topo_init "$TOPO_BUILD_DIR/clean-$layout"
started=$(date +%s)

# --- the topology comes up ---
fixture_port=$(topo_free_port) || topo_fail "no free port for the fixture"
topo_start_squid 127.0.0.1 "$fixture_port"
topo_refserver_args "$layout"
topo_start_refserver "${TOPO_REFSERVER_ARGS[@]}"
topo_start_nginx
echo "topology: nginx $TOPO_NGINX_URL -> hitl-refserver $TOPO_API; squid $TOPO_SQUID_URL;" \
     "fixture 127.0.0.1:$fixture_port (up in $(( $(date +%s) - started )) s)"

# --- nginx routes as Dify's default.conf.template: the api's paths to the reference server,
# everything else to the web front end (here its HTML stand-in) ---
probe() { curl -s -o "$TOPO_DIR/probe.body" -w '%{http_code} %{content_type}' --max-time 5 "$@"; }
for path in /v1/workflows/run /api/form/human_input/x /console/api/x /files/x; do
  got=$(probe "$TOPO_NGINX_URL$path")
  case $got in
    *application/json*) grep -q '"code"' "$TOPO_DIR/probe.body" && ok "nginx sends $path to the api ($got)" ||
                          bad "nginx $path: JSON without a code: $(head -c 200 "$TOPO_DIR/probe.body")" ;;
    *) bad "nginx $path: not the api's JSON: $got $(head -c 200 "$TOPO_DIR/probe.body")" ;;
  esac
done
got=$(probe "$TOPO_NGINX_URL/explore/x")
case $got in 404\ text/html*) ok "nginx sends /explore to the web front end ($got)" ;;
  *) bad "nginx /explore: not the web stand-in: $got" ;; esac

# --- squid refuses a loopback destination outside the allow-list itself (403, Server: squid),
# as Dify's ssrf_proxy does ---
curl -s -o /dev/null -D "$TOPO_DIR/squid-deny.head" --max-time 5 -x "$TOPO_SQUID_URL" \
  "http://127.0.0.1:$NGINX_PORT/"
if grep -q '^HTTP/1.1 403' "$TOPO_DIR/squid-deny.head" && grep -qi '^Server: squid' "$TOPO_DIR/squid-deny.head"; then
  ok "squid refuses 127.0.0.1:$NGINX_PORT (403, Server: squid)"
else
  bad "squid let a loopback destination through: $(head -n 1 "$TOPO_DIR/squid-deny.head")"
fi

# --- the catalogue ---
topo_hitlcheck_args
run_started=$(date +%s)
"$HITLCHECK" run --target "$TOPO_NGINX_URL" "${TOPO_HITLCHECK_ARGS[@]}" \
  --fixture-listen "127.0.0.1:$fixture_port" --fixture-url "http://127.0.0.1:$fixture_port" \
  --jobs 4 --no-color --report-dir "$TOPO_DIR/report" >"$TOPO_DIR/run.log" 2>&1
rc=$?
echo "topology: hitlcheck run exited $rc after $(( $(date +%s) - run_started )) s" \
     "($(tail -n 2 "$TOPO_DIR/run.log" | head -n 1))"
case $rc in 0|1|3) ok "the run completed (exit $rc)" ;;
  *) bad "the run did not complete: exit $rc"; sed 's/^/     /' "$TOPO_DIR/run.log" | tail -n 30 ;; esac
if "$SCHEMA_CHECK" "$HITL_SOURCE_DIR/specs/report.schema.json" "$TOPO_DIR/report/report.json" \
     >"$TOPO_DIR/schema.log" 2>&1; then
  ok "report.json is valid against specs/report.schema.json"
else
  bad "report.json: $(head -n 5 "$TOPO_DIR/schema.log")"
fi

# --- the fetches went through squid: the fixture was let through (upload.remote.ok), the
# canary refused (ssrf.remote.loopback-canary), and squid's access log shows both ---
for id in upload.remote.ok ssrf.remote.loopback-canary; do
  grep -qE "^PASS +$id \[web\]" "$TOPO_DIR/run.log" && ok "$id passes through squid" ||
    bad "$id does not pass: $(grep -E "^[A-Z]+ +$id " "$TOPO_DIR/run.log")"
done
grep -qE " TCP_[A-Z_]+/200 .* http://127\.0\.0\.1:$fixture_port/" "$TOPO_DIR/squid/squid.log" &&
  ok "squid carried fetches to the fixture" || bad "squid's log shows no fetch of the fixture"
grep -qE " TCP_DENIED/403 .* http://(127\.0\.0\.1|localhost|\[::ffff:127\.0\.0\.1\]):[0-9]+/n/" \
  "$TOPO_DIR/squid/squid.log" && ok "squid refused the canary" ||
  bad "squid's log shows no refusal of the canary"

# --- 0 FAIL and 0 ERROR through a correctly set-up proxy ---
grep -E '^(FAIL|ERROR) ' "$TOPO_DIR/run.log" | sed -E 's/^([A-Z]+) +([^ ]+) \[([a-z]+)\].*/\1 \2 \3/' |
  sort -u >"$TOPO_DIR/got.txt"
if [ ! -s "$TOPO_DIR/got.txt" ]; then
  ok "0 FAIL and 0 ERROR through nginx and squid"
else
  bad "FAIL/ERROR through the clean topology:"
  while read -r v id s; do
    echo "     $v $id [$s]"
    grep -A3 -E "^$v +$id \[$s\]" "$TOPO_DIR/run.log" | tail -n +2 | sed 's/^/       /'
  done <"$TOPO_DIR/got.txt"
fi
# Dify's nginx appends the client's own X-Forwarded-For and the app keys its limits on the
# first line of it (extract_remote_ip): a client chooses its bucket. That is a true finding.
grep -qE '^WARN +ratelimit\.spoof\.forwarded \[web\]' "$TOPO_DIR/run.log" &&
  ok "ratelimit.spoof.forwarded shows the X-Forwarded-For bypass behind nginx (WARN)" ||
  bad "ratelimit.spoof.forwarded did not WARN: $(grep -E '^[A-Z]+ +ratelimit\.spoof\.forwarded' "$TOPO_DIR/run.log")"

echo "topology: wall time $(( $(date +%s) - started )) s; logs and reports in $TOPO_DIR"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
