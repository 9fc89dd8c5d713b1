#!/usr/bin/env bash
# topology_mistakes.sh [NAME…]: every deployment mistake of MISTAKES.md (or the NAMEs given)
# made on the clean topology (lib.sh), each caught by the check its row names with the verdict
# and words its row gives. The changes themselves are the cases of mistake_apply below, made on
# the rendered configs as an operator edits theirs; rows and cases are kept in step here.
#
# Env: HITLCHECK, REFSERVER, JQ (optional), TOPO_BUILD_DIR. Traffic stays on 127.0.0.1.
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
: "${TOPO_BUILD_DIR:?TOPO_BUILD_DIR must name a folder in the build tree}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
jq=${JQ:-}
[ -x "$jq" ] || jq=$(command -v jq) || topo_fail "jq is needed: apt-get install -y --no-install-recommends jq"

# The mistakes this script can make: the names of mistake_apply's cases.
MISTAKE_CASES="no-v1-route no-api-route squid-allow-all ssrf-bypass body-size proxy-read-timeout stream-held-back no-forwarded-for"

# mistake_apply NAME: defines the config edits (topo_edit_nginx / topo_edit_squid) and the
# reference server's extra options (MISTAKE_REFSERVER_ARGS, MISTAKE_NO_FETCH_PROXY) for NAME,
# the checks to run when more than the row's (MISTAKE_ONLY, an --only list) and whether the
# run must end with 0 ERROR (MISTAKE_NO_ERROR=1).
mistake_apply() {
  unset -f topo_edit_nginx topo_edit_squid
  MISTAKE_REFSERVER_ARGS=() MISTAKE_NO_FETCH_PROXY=0 MISTAKE_ONLY= MISTAKE_NO_ERROR=0
  case $1 in
    no-v1-route) topo_edit_nginx() { perl -0pi -e 's/location \/v1 \{.*?\}\n//s' "$1/conf.d/default.conf"; } ;;
    no-api-route) topo_edit_nginx() { perl -0pi -e 's/location \/api \{.*?\}\n//s' "$1/conf.d/default.conf"; } ;;
    squid-allow-all)
      topo_edit_squid() {
        sed -i 's/^http_access allow localhost hitl_fixture_ip hitl_fixture_port$/http_access allow all/' \
          "$1/dify_allow_private.conf"
        grep -q '^http_access allow all$' "$1/dify_allow_private.conf"
      } ;;
    body-size)
      topo_edit_nginx() {
        sed -i 's/client_max_body_size .*/client_max_body_size 1m;/' "$1/nginx.conf"
        grep -q 'client_max_body_size 1m;' "$1/nginx.conf"
      } ;;
    # Dify's ping interval (10 s) instead of the topology's 1 s, so that streams are quiet
    # for longer than the proxy waits.
    proxy-read-timeout)
      MISTAKE_REFSERVER_ARGS=(--ping-interval 10)
      topo_edit_nginx() {
        sed -i 's/proxy_read_timeout .*/proxy_read_timeout 3s;/' "$1/proxy.conf"
        grep -q 'proxy_read_timeout 3s;' "$1/proxy.conf"
      } ;;
    stream-held-back)
      topo_edit_nginx() {
        sed -i 's/proxy_buffering off;/proxy_buffering on;/' "$1/proxy.conf"
        sed -i 's|#gzip  on;|gzip on; gzip_types text/event-stream;|' "$1/nginx.conf"
        grep -q 'proxy_buffering on;' "$1/proxy.conf" && grep -q '^ *gzip on;' "$1/nginx.conf"
      } ;;
    # The app without SSRF protection of its own (the reference server's ssrf-loopback fault)
    # and no SSRF_PROXY_HTTP_URL: it fetches every URL directly.
    ssrf-bypass) MISTAKE_NO_FETCH_PROXY=1 MISTAKE_REFSERVER_ARGS=(--fault ssrf-loopback) ;;
    # Every client reaches the app as nginx's address: one bucket. Beside the rate-limit checks
    # run the web checks whose form GETs, submits and upload tokens used to end in ERROR on
    # 429 (other checks' traffic) before the run learnt it and paced them.
    no-forwarded-for)
      MISTAKE_ONLY=ratelimit.per-ip,ratelimit.get.limit,hostile.form,form,submit,upload-token,expiry.global
      MISTAKE_NO_ERROR=1
      topo_edit_nginx() {
        sed -i '/X-Forwarded-For/d' "$1/proxy.conf"
        ! grep -q 'X-Forwarded-For' "$1/proxy.conf"
      } ;;
    *) return 1 ;;
  esac
}

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# The table's rows: name<TAB>check<TAB>verdict<TAB>pattern.
rows=$(awk -F' [|] ' '/^\| [a-z0-9-]+ \|/ && $1 != "| name" {
         name = substr($1, 3); pat = $5; sub(/ \|$/, "", pat)
         print name "\t" $3 "\t" $4 "\t" pat }' "$here/MISTAKES.md")
[ -n "$rows" ] || topo_fail "no rows read from MISTAKES.md"
names=$(cut -f1 <<<"$rows" | sort)
[ "$names" = "$(tr ' ' '\n' <<<"$MISTAKE_CASES" | sort)" ] &&
  ok "MISTAKES.md's rows and the script's cases agree ($(wc -l <<<"$names") mistakes)" ||
  bad "MISTAKES.md's rows ($(echo $names)) and the script's cases ($MISTAKE_CASES) differ"

topo_require_tools
want=("$@")
started=$(date +%s)
while IFS=$'\t' read -r name check verdict pattern; do
  if [ "${#want[@]}" -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then continue; fi
  mistake_apply "$name" || { bad "$name: no case in mistake_apply"; continue; }
  try=1
  while :; do
    topo_init "$TOPO_BUILD_DIR/mistake-$name"
    t0=$(date +%s)
    fixture_port=$(topo_free_port) || topo_fail "no free port for the fixture"
    topo_start_squid 127.0.0.1 "$fixture_port"
    [ "$MISTAKE_NO_FETCH_PROXY" = 1 ] && TOPO_SQUID_URL= # squid runs, the app does not use it
    topo_refserver_args v2
    topo_start_refserver "${TOPO_REFSERVER_ARGS[@]}" "${MISTAKE_REFSERVER_ARGS[@]}"
    topo_start_nginx
    topo_hitlcheck_args
    only=()
    [ "$check" != preflight ] && only=(--only "${MISTAKE_ONLY:-${check%% *}}")
    "$HITLCHECK" run --target "$TOPO_NGINX_URL" "${TOPO_HITLCHECK_ARGS[@]}" \
      --fixture-listen "127.0.0.1:$fixture_port" --fixture-url "http://127.0.0.1:$fixture_port" \
      --jobs 4 --no-color --report-dir "$TOPO_DIR/report" "${only[@]}" >"$TOPO_DIR/run.log" 2>&1
    rc=$?
    # The fixture's port, free when picked, was taken before the harness bound it (another test
    # on this machine): squid's allow-list names that port, so the mistake is set up again.
    if [ "$rc" = 2 ] && grep -q 'Address already in use' "$TOPO_DIR/run.log" && [ "$try" -lt 3 ]; then
      echo "     ($name: the fixture's port was taken meanwhile; setting up again)"
      topo_stop
      try=$((try + 1))
      continue
    fi
    if [ "$check" = preflight ]; then
      line=$(grep 'preflight' "$TOPO_DIR/run.log" | head -n 1)
      if [ "$rc" = 3 ] && grep -qE -- "$pattern" <<<"$line"; then
        ok "$name: the preflight stops the run (exit 3): ${line:0:160}…"
      else
        bad "$name: expected exit 3 and a preflight line matching /$pattern/; exit $rc: $(tail -n 3 "$TOPO_DIR/run.log")"
      fi
    else
      id=${check%% *} surface=${check#*[} surface=${surface%]}
      got=$("$jq" -r --arg id "$id" --arg s "$surface" \
        '.checks[] | select(.id == $id and .surface == $s) |
         "\(.verdict)\t\([.expected, .actual, .reason, .notes] | map(select(. != null)) | join(" / ") | gsub("\n"; " "))"' \
        "$TOPO_DIR/report/report.json" 2>/dev/null)
      v=${got%%$'\t'*} text=${got#*$'\t'}
      if [ "$v" = "$verdict" ] && grep -qE -- "$pattern" <<<"$text"; then
        ok "$name: $check $v: ${text:0:160}…"
      else
        bad "$name: expected $check $verdict matching /$pattern/, got '${v:-no verdict}' (exit $rc): ${text:0:400}"
      fi
      if [ "$MISTAKE_NO_ERROR" = 1 ]; then
        # Said once for the run, and no check ended in ERROR for a 429.
        said=$("$jq" -r '.run.one_bucket // empty' "$TOPO_DIR/report/report.json" 2>/dev/null)
        [ -n "$said" ] && ok "$name: report.json says once: ${said:0:120}…" ||
          bad "$name: report.json has no run.one_bucket"
        errors=$("$jq" -r '.totals.error' "$TOPO_DIR/report/report.json" 2>/dev/null)
        [ "$errors" = 0 ] && ok "$name: the run has 0 ERROR ($("$jq" -r '.totals.checks' "$TOPO_DIR/report/report.json") checks)" ||
          bad "$name: the run has ${errors:-no report,} ERROR (exit $rc): $(grep -A1 '^ERROR' "$TOPO_DIR/run.log" | head -n 6)"
      fi
    fi
    echo "     ($name: $(( $(date +%s) - t0 )) s)"
    topo_stop
    break
  done
done <<<"$rows"
echo "topology: mistakes wall time $(( $(date +%s) - started )) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
