#!/usr/bin/env bash
# shellcheck disable=SC2015 # ok() and echo always succeed: each A && ok || bad is if-else
# html_report.sh: report.html in a real browser. One run against the embedded reference
# server with the double-submit fault (exit 1), then Debian's headless chromium, driven
# through chromedriver's W3C WebDriver HTTP API with curl (no npm, no download), loads
# the file and shows that:
#   (a) the page logs no SEVERE console entry (script error, CSP violation, failed load),
#       and fetched no resource at all;
#   (b) typing a check ID into the filter leaves only that check's rows visible, and a
#       filter that matches nothing hides every row;
#   (c) the failing check's <details> opens on a click, showing Expected, Actual, the
#       exchanges and the reproducer;
#   (d) the Content-Security-Policy really blocks a network load.
# A screenshot goes to $HTML_SCREENSHOT (default reports/html-report.png in the source
# tree). Every wait is bounded; chromedriver is stopped on exit. HTML_KEEP=1 keeps the
# work directory (the reports, chromedriver's log, the last WebDriver answer).
set -uo pipefail
: "${HITLCHECK:?HITLCHECK must name the hitlcheck binary}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
shot=${HTML_SCREENSHOT:-$HITL_SOURCE_DIR/reports/html-report.png}
apt_line="apt-get install -y --no-install-recommends chromium chromium-driver"
for tool in "$CHROMEDRIVER" "$CHROMIUM"; do
  [ -x "$tool" ] || { echo "FAIL $tool is missing: as root, run: $apt_line"; exit 1; }
done
command -v curl >/dev/null || { echo "FAIL curl is missing: as root, run: apt-get install -y curl"; exit 1; }

work=$(mktemp -d)
driver_pid=""
session=""
base=""
cleanup() {
  if [ -n "$session" ]; then
    curl -sS --max-time 5 -X DELETE "$base/session/$session" >/dev/null 2>&1
  fi
  if [ -n "$driver_pid" ]; then
    kill "$driver_pid" 2>/dev/null
    wait "$driver_pid" 2>/dev/null
  fi
  [ -n "${HTML_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -n 30; }
die() { bad "$@"; echo "$pass passed, $fail failed"; exit 1; }

# 1. The run.
"$HITLCHECK" run --embedded-fault double-submit --exclude slow --no-color \
  --report-dir "$work/reports" >"$work/run.log" 2>&1
rc=$?
[ "$rc" = 1 ] && ok "run: exit 1" || bad "run: exit $rc, want 1" "$work/run.log"
html=$work/reports/report.html
[ -s "$html" ] || die "run: no report.html" "$work/run.log"
ok "run: report.html written ($(wc -c <"$html") bytes)"

# 2. chromedriver on a loopback port of its choosing (it prints the port).
"$CHROMEDRIVER" --port=0 >"$work/driver.log" 2>&1 &
driver_pid=$!
port=""
for _ in $(seq 1 100); do # up to 10 s
  port=$(sed -n 's/.*was started successfully on port \([0-9][0-9]*\).*/\1/p' "$work/driver.log")
  [ -n "$port" ] && break
  kill -0 "$driver_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "chromedriver did not start" "$work/driver.log"
base="http://127.0.0.1:$port"

# wd METHOD PATH [JSON]: one WebDriver command; the response body on stdout (and in
# $work/last.json). Fails on a transport error or a WebDriver error answer.
wd() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS --max-time 30 -X "$method" -o "$work/last.json" -w '%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local code
  code=$(curl "${args[@]}" "$base$path" 2>"$work/curl.err") || { cat "$work/curl.err" >>"$work/last.json"; return 1; }
  cat "$work/last.json"
  [ "$code" = 200 ]
}

# value_of: the "value" string of a WebDriver answer on stdin (our scripts return plain
# words without quotes or backslashes).
value_of() { sed -n 's/.*"value":"\([^"\\]*\)".*/\1/p'; }
element_of() { sed -n 's/.*"element-6066-11e4-a52e-4f735466cecf":"\([^"]*\)".*/\1/p'; }

# js [--async] SCRIPT: runs SCRIPT (a function body) in the page; prints its string
# result. SCRIPT is made a JSON string here (backslashes, quotes, newlines).
js() {
  local mode=sync
  [ "$1" = --async ] && { mode=async; shift; }
  local script=$1
  script=${script//\\/\\\\}
  script=${script//\"/\\\"}
  script=${script//$'\n'/ }
  wd POST "/session/$session/execute/$mode" "{\"script\":\"$script\",\"args\":[]}" | value_of
}

caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome",
  "goog:chromeOptions":{"binary":"'"$CHROMIUM"'","args":["--headless=new","--no-sandbox",
    "--disable-gpu","--disable-dev-shm-usage","--window-size=1440,1400",
    "--user-data-dir='"$work"'/profile","--no-first-run","--disable-extensions"]},
  "goog:loggingPrefs":{"browser":"ALL"}}}}'
resp=$(wd POST /session "$caps") || die "new session refused" "$work/last.json"
session=$(printf '%s' "$resp" | sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
[ -n "$session" ] || die "no session id" "$work/last.json"
ok "session: headless chromium $(printf '%s' "$resp" | sed -n 's/.*"browserVersion":"\([^"]*\)".*/\1/p')"
wd POST "/session/$session/timeouts" '{"script":10000,"pageLoad":15000,"implicit":0}' >/dev/null ||
  bad "timeouts" "$work/last.json"

wd POST "/session/$session/url" "{\"url\":\"file://$html\"}" >/dev/null || die "navigate" "$work/last.json"
ready=$(js "return document.readyState + ' ' + document.querySelectorAll('tbody.check').length;")
total=${ready#* }
if [ "${ready%% *}" = complete ] && [ "${total:-0}" -gt 100 ] 2>/dev/null; then
  ok "load: $total check rows"
else
  die "load: '$ready'" "$work/last.json"
fi
shown=$(js "return document.getElementById('controls').hidden ? 'hidden' : 'shown';")
[ "$shown" = shown ] && ok "load: the script ran (controls shown)" || bad "load: controls $shown"

# visible: "N id,id,…" of the rows that are rendered.
VISIBLE="var r = Array.prototype.filter.call(document.querySelectorAll('tbody.check'),
  function (g) { return g.getClientRects().length > 0; });
  return r.length + ' ' + r.map(function (g) { return g.querySelector('code.id').textContent; }).join(',');"

# type_filter TEXT: clears the filter box and types TEXT as a user would.
filter_el=$(wd POST "/session/$session/element" '{"using":"css selector","value":"#filter"}' | element_of)
[ -n "$filter_el" ] || die "filter: no #filter box" "$work/last.json"
type_filter() {
  wd POST "/session/$session/element/$filter_el/clear" '{}' >/dev/null &&
  { [ -z "$1" ] || wd POST "/session/$session/element/$filter_el/value" "{\"text\":\"$1\"}" >/dev/null; } ||
    bad "filter: typing '$1'" "$work/last.json"
}

# (b) the filter.
failing=submit.after.double-submit
type_filter "$failing"
vis=$(js "$VISIBLE")
n=${vis%% *} ids=${vis#* }
others=$(printf '%s' "$ids" | tr ',' '\n' | grep -vcx "$failing")
if [ "$n" = 2 ] && [ "$others" = 0 ]; then
  ok "filter '$failing': only its 2 rows (web, service) visible, of $total"
else
  bad "filter '$failing': visible '$vis'"
fi
counter=$(js "return document.getElementById('shown').textContent.replace(/ /g, '_');")
[ "$counter" = "2_of_${total}_shown" ] && ok "filter: the counter says 2 of $total" || bad "filter: counter '$counter'"
type_filter "no-such-check-zz"
vis=$(js "$VISIBLE")
empty=$(js "return document.getElementById('empty').getClientRects().length > 0 ? 'shown' : 'hidden';")
if [ "${vis%% *}" = 0 ] && [ "$empty" = shown ]; then
  ok "filter 'no-such-check-zz': every row hidden, 'no check matches' shown"
else
  bad "filter 'no-such-check-zz': visible '$vis', empty note $empty"
fi
type_filter "double SUBMIT"
vis=$(js "$VISIBLE")
[ "${vis%% *}" = 2 ] && ok "filter: words in any order and case match" || bad "filter 'double SUBMIT': '$vis'"
# The verdict toggle: PASS off hides the passing rows.
type_filter ""
pass_box=$(wd POST "/session/$session/element" '{"using":"css selector","value":"input[data-verdict=PASS]"}' | element_of)
wd POST "/session/$session/element/$pass_box/click" '{}' >/dev/null || bad "toggle: click PASS" "$work/last.json"
vis=$(js "$VISIBLE")
if [ "${vis%% *}" -gt 0 ] 2>/dev/null && [ "${vis%% *}" -lt 10 ] && ! printf '%s' "$vis" | grep -q 'form.get.ok'; then
  ok "toggle: PASS off leaves the ${vis%% *} non-passing rows"
else
  bad "toggle: PASS off: '$vis'"
fi
wd POST "/session/$session/element/$pass_box/click" '{}' >/dev/null
vis=$(js "$VISIBLE")
[ "${vis%% *}" = "$total" ] && ok "toggle: PASS on again shows all $total" || bad "toggle: PASS on: '${vis%% *}'"

# (c) the failing check's details open on a click.
summary=$(wd POST "/session/$session/element" \
  '{"using":"css selector","value":"tbody.check[data-verdict=FAIL] details > summary"}' | element_of)
[ -n "$summary" ] || die "details: no FAIL row with <details>" "$work/last.json"
closed=$(js "var d = document.querySelector('tbody.check[data-verdict=FAIL] details');
  return (d.open ? 'open' : 'closed') + '_' + d.querySelector('.finding').checkVisibility();")
wd POST "/session/$session/element/$summary/click" '{}' >/dev/null || bad "details: click" "$work/last.json"
opened=$(js "var d = document.querySelector('tbody.check[data-verdict=FAIL] details');
  var f = d.querySelector('.finding'), t = f.textContent;
  var want = ['Expected', 'Actual', 'HTTP 412', 'HTTP 200 {}', 'Exchanges', 'POST',
              'Reproducer', 'hitlcheck run', '--only $failing', 'curl '];
  var miss = want.filter(function (w) { return t.indexOf(w) < 0; });
  return (d.open ? 'open' : 'closed') + '_' + f.checkVisibility() + '_' +
    Math.round(f.getBoundingClientRect().height) +
    '_missing:' + miss.join('|').replace(/[^A-Za-z0-9.|-]/g, '-');")
if [ "$closed" = closed_false ] && [[ "$opened" == open_true_*_missing: ]] &&
   [ "$(cut -d_ -f3 <<<"$opened")" -gt 100 ]; then
  ok "details: the FAIL row opens to Expected, Actual, exchanges and reproducer"
else
  bad "details: before '$closed', after '$opened'"
fi

wd GET "/session/$session/screenshot" >"$work/shot.json" || bad "screenshot" "$work/last.json"
mkdir -p "$(dirname "$shot")"
if value_of <"$work/shot.json" | base64 -d >"$shot" 2>/dev/null && [ -s "$shot" ]; then
  ok "screenshot: $shot"
else
  bad "screenshot: could not decode"
fi

# (a) the console: nothing SEVERE (chromedriver's own log endpoint; older drivers only
# have the legacy path). Read after the interactions, so their errors count too.
logs=$(wd POST "/session/$session/se/log" '{"type":"browser"}') ||
  logs=$(wd POST "/session/$session/log" '{"type":"browser"}') || bad "console: cannot read the log" "$work/last.json"
printf '%s\n' "$logs" >"$work/console.json"
if grep -q '"level":"SEVERE"' "$work/console.json"; then
  bad "console: SEVERE entries" "$work/console.json"
else
  ok "console: no SEVERE entry"
fi
fetched=$(js "return String(performance.getEntriesByType('resource').length);")
[ "$fetched" = 0 ] && ok "network: no resource fetched" || bad "network: $fetched resources fetched"

# (d) the CSP blocks a network load: an image inserted now raises a violation.
csp=$(js --async "var done = arguments[arguments.length - 1];
  document.addEventListener('securitypolicyviolation', function (e) {
    done('blocked:' + e.effectiveDirective); });
  setTimeout(function () { done('loaded'); }, 3000);
  var i = document.createElement('img'); i.src = 'http://127.0.0.1:9/probe.png';
  document.body.appendChild(i);")
[ "$csp" = blocked:img-src ] && ok "csp: a network image is blocked (img-src)" || bad "csp: '$csp'" "$work/last.json"
# The blocked image is a SEVERE console entry: this proves (a) reads a live log.
logs=$(wd POST "/session/$session/se/log" '{"type":"browser"}') ||
  logs=$(wd POST "/session/$session/log" '{"type":"browser"}')
if printf '%s' "$logs" | grep -q '"level":"SEVERE"'; then
  ok "console: the log channel works (the blocked probe is logged SEVERE)"
else
  bad "console: the blocked probe was not logged: (a) would be blind" "$work/last.json"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
