# lib.sh: the loopback topology of a Dify deployment, for the topology tests (sourced).
#
#   hitlcheck ──► nginx (Dify's nginx templates) ──► hitl-refserver (the "api" service)
#                                                        │ remote fetches
#                                                        ▼
#                 squid (Dify's ssrf_proxy templates) ──► the harness's fixture server
#
# Everything listens on 127.0.0.1 at free ports, runs unprivileged with every config, pid,
# log and temporary file under one run folder in the build tree, starts in the background,
# is waited for with bounded loops and is killed by PID when the sourcing script exits.
# Works as root (CI) and as a normal user. README.md beside this file explains the layout.
#
# Functions: topo_require_tools, topo_init DIR, topo_free_port, topo_render TEMPLATE OUT,
# topo_make_tls, topo_start_squid FIXTURE_IP FIXTURE_PORT, topo_start_refserver ARGS…,
# topo_start_nginx [tls], topo_stop, topo_fail MESSAGE, topo_refserver_args LAYOUT,
# topo_hitlcheck_args. A script may define topo_edit_nginx DIR / topo_edit_squid DIR: they
# get the rendered config folder before the service starts. Needs REFSERVER (the hitl-refserver binary) for topo_start_refserver.

TOPO_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPO_LISTEN_ADDR=127.0.0.1
TOPO_SKIP=77 # ctest's SKIP_RETURN_CODE for these tests
TOPO_WAIT_STEPS=150 # readiness polls of 0.1 s: at most 15 s for one service
TOPO_PIDS=()        # "name:pid" of every process started, in start order
export TOPO_LISTEN_ADDR

# The keys and limits of the standalone reference server: the embedded run's
# (harness/cli/cmd_run.c, start_embedded), so that expiry and rate-limit checks finish in
# seconds. topo_hitlcheck_args tells the harness the same values.
TOPO_KEY_WORKFLOW=app-hitl-workflow
TOPO_KEY_CHATFLOW=app-hitl-chatflow
TOPO_KEY_CHAT=app-hitl-chat
TOPO_KEY_LONG=app-hitl-longnode
TOPO_KEY_LONG_CHATFLOW=app-hitl-longnode-chatflow
TOPO_FORM_TTL=20
TOPO_GLOBAL_TIMEOUT=25
TOPO_RATE=10/4

topo_fail() {
  echo "topology: FAIL: $*" >&2
  exit 1
}

# topo_require_tools finds nginx, squid, openssl, curl and perl. When one is missing: SKIP
# (exit 77) for a normal user, who may not install packages; a failure as root, where
# scripts/test-all.sh (scripts/deps.sh) installs them, so CI never skips these tests.
topo_require_tools() {
  local missing=() t p
  for t in nginx squid openssl curl perl; do
    p=$(PATH="$PATH:/usr/sbin:/sbin" command -v "$t" 2>/dev/null) || { missing+=("$t"); continue; }
    case $t in
      nginx) TOPO_NGINX=$p ;;
      squid) TOPO_SQUID=$p ;;
    esac
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local pkgs=${missing[*]}
  pkgs=${pkgs/perl/perl-base}
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the topology tests need ${missing[*]}, which are not installed; as root:" \
         "apt-get install -y --no-install-recommends $pkgs (scripts/test-all.sh does it)"
    exit "$TOPO_SKIP"
  fi
  topo_fail "${missing[*]} not installed although this runs as root: install them with" \
            "apt-get install -y --no-install-recommends $pkgs (scripts/deps.sh lists them)"
}

# topo_init DIR: a fresh run folder (the previous run's files go first) and the exit trap.
topo_init() {
  TOPO_DIR=$1
  case $TOPO_DIR in /*) ;; *) topo_fail "run folder '$TOPO_DIR' is not an absolute path" ;; esac
  rm -rf "$TOPO_DIR"
  mkdir -p "$TOPO_DIR" || topo_fail "cannot create $TOPO_DIR"
  trap topo_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# topo_free_port prints a port that was free on 127.0.0.1 a moment ago (the kernel's pick).
topo_free_port() {
  perl -MIO::Socket::INET -e \
    'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)
       or die "no free port: $!\n"; print $s->sockport, "\n";'
}

# topo_render TEMPLATE OUT: ${NAME} → the exported variable NAME (as Dify's entrypoints do
# with envsubst/awk); an unset NAME is an error, so a typo cannot render as "". nginx's own
# $variables have no braces and pass through.
topo_render() {
  perl -pe 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/defined $ENV{$1} ? $ENV{$1} : die "$ARGV: \${$1} is not set\n"/ge' \
    "$1" >"$2" || topo_fail "could not render $1"
}

# topo_load_env exports dify.env's NAME=VALUE lines (values may hold spaces).
topo_load_env() {
  local line
  while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    export "${line%%=*}=${line#*=}"
  done <"$TOPO_SRC/dify.env"
}

topo_track() { TOPO_PIDS+=("$1:$2"); }

topo_alive() { kill -0 "$1" 2>/dev/null; }

# topo_show_log NAME FILE: the log of a service that did not come up, for the test's output.
topo_show_log() {
  echo "---- $1 ($2), last 40 lines ----" >&2
  tail -n 40 "$2" >&2 2>/dev/null || echo "(no log)" >&2
  echo "---- end of $1 ----" >&2
}

# topo_stop kills every process started, by PID: nginx and the reference server with TERM
# (then KILL after 3 s, nginx's workers by their parent's PID), squid with KILL at once (its
# graceful stop waits seconds for nothing; it keeps no state here).
topo_stop() {
  topo_stop_all 2>/dev/null # bash's "Killed" notice for squid is noise, not news
}

topo_stop_all() {
  local entry name pid i left
  for entry in "${TOPO_PIDS[@]}"; do
    name=${entry%%:*} pid=${entry#*:}
    topo_alive "$pid" || continue
    if [ "$name" = squid ]; then kill -KILL "$pid" 2>/dev/null; else kill -TERM "$pid" 2>/dev/null; fi
  done
  for i in $(seq 30); do
    left=0
    for entry in "${TOPO_PIDS[@]}"; do topo_alive "${entry#*:}" && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for entry in "${TOPO_PIDS[@]}"; do
    pid=${entry#*:}
    topo_alive "$pid" || continue
    for i in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill -KILL "$i" 2>/dev/null; done
    kill -KILL "$pid" 2>/dev/null
  done
  for entry in "${TOPO_PIDS[@]}"; do { wait "${entry#*:}"; } 2>/dev/null; done
  TOPO_PIDS=()
  [ -n "${TOPO_SQUID_SERVICE:-}" ] && rm -f /dev/shm/"$TOPO_SQUID_SERVICE"-*.shm
  TOPO_SQUID_SERVICE=
}

# topo_make_tls: a throwaway CA and a server certificate for 127.0.0.1 and localhost signed
# by it, in $TOPO_DIR/tls (ca.crt is what --cacert takes). Also other-ca.crt, a CA that
# signed nothing here, for the "wrong CA" case.
topo_make_tls() {
  TOPO_TLS_DIR=$TOPO_DIR/tls
  export TOPO_TLS_DIR
  mkdir -p "$TOPO_TLS_DIR"
  local d=$TOPO_TLS_DIR log=$TOPO_TLS_DIR/openssl.log
  {
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n'
    printf 'keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n'
  } >"$d/server.ext"
  if ! { openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
           -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=hitlcheck topology test CA" &&
         openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
           -keyout "$d/other-ca.key" -out "$d/other-ca.crt" -days 2 -subj "/CN=an unrelated CA" &&
         openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
           -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" &&
         openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
           -CAcreateserial -CAserial "$d/ca.srl" -out "$d/server.crt" -days 2 \
           -extfile "$d/server.ext"; } >"$log" 2>&1; then
    topo_show_log openssl "$log"
    topo_fail "could not make the test certificates with openssl"
  fi
}

# topo_start_squid FIXTURE_IP FIXTURE_PORT: Dify's SSRF proxy, letting exactly the fixture
# through. Sets SSRF_HTTP_PORT and TOPO_SQUID_URL.
topo_start_squid() {
  local d=$TOPO_DIR/squid pid i
  mkdir -p "$d"
  topo_load_env
  export TOPO_SQUID_DIR=$d TOPO_FIXTURE_IP=$1 TOPO_FIXTURE_PORT=$2
  export SSRF_HTTP_PORT SSRF_COREDUMP_DIR=none
  SSRF_HTTP_PORT=$(topo_free_port) || topo_fail "no free port for squid"
  # Started by root, squid must switch to an unprivileged user (it refuses to run as root);
  # that user writes only to the log file it inherits, which is handed over to it.
  TOPO_SQUID_USER=
  local user=
  if [ "$(id -u)" -eq 0 ]; then
    user=proxy
    getent passwd proxy >/dev/null || user=nobody
    TOPO_SQUID_USER="cache_effective_user $user"
  fi
  export TOPO_SQUID_USER
  topo_render "$TOPO_SRC/squid/squid.conf.template" "$d/squid.conf"
  topo_render "$TOPO_SRC/squid/dify_allow_private.conf.template" "$d/dify_allow_private.conf"
  # A mistake variant (topology_mistakes.sh) edits the rendered files here, as an operator
  # would edit theirs: the function, when defined, gets the folder.
  if declare -F topo_edit_squid >/dev/null; then topo_edit_squid "$d" || topo_fail "topo_edit_squid failed"; fi
  if ! "$TOPO_SQUID" -k parse -f "$d/squid.conf" >"$d/parse.log" 2>&1; then
    topo_show_log "squid -k parse" "$d/parse.log"
    topo_fail "squid rejected $d/squid.conf"
  fi
  : >"$d/squid.log"
  [ -n "$user" ] && chown "$user" "$d/squid.log"
  # squid names its shared-memory segments (/dev/shm/<service>-cf__*.shm) after the service
  # name: one per run, so that two topologies side by side (or a killed squid's leftovers)
  # do not collide; topo_stop removes them.
  TOPO_SQUID_SERVICE=hitltopo$$x${RANDOM}
  "$TOPO_SQUID" -N -n "$TOPO_SQUID_SERVICE" -f "$d/squid.conf" >/dev/null 2>>"$d/squid.log" &
  pid=$!
  topo_track squid "$pid"
  for i in $(seq "$TOPO_WAIT_STEPS"); do
    grep -q 'Accepting HTTP Socket connections' "$d/squid.log" && break
    topo_alive "$pid" || break
    sleep 0.1
  done
  if ! topo_alive "$pid" || ! grep -q 'Accepting HTTP Socket connections' "$d/squid.log"; then
    topo_show_log squid "$d/squid.log"
    topo_fail "squid did not start on 127.0.0.1:$SSRF_HTTP_PORT"
  fi
  TOPO_SQUID_URL=http://127.0.0.1:$SSRF_HTTP_PORT
}

# topo_refserver_args LAYOUT: the reference server's options for the catalogue run (the
# embedded run's values, see above), behind nginx (--trust-forwarded: Dify keys its limits
# on X-Forwarded-For) and fetching through squid when it runs.
topo_refserver_args() {
  TOPO_REFSERVER_ARGS=(--form-ttl "$TOPO_FORM_TTL" --rate-limit "$TOPO_RATE"
    --ping-interval 1 --idle-timeout 10 --sweep-interval 1 --upload-layout "$1"
    --global-timeout "$TOPO_GLOBAL_TIMEOUT" --trust-forwarded
    --app "workflow:$TOPO_KEY_WORKFLOW" --app "chatflow:$TOPO_KEY_CHATFLOW"
    --app "chat:$TOPO_KEY_CHAT" --app "workflow:$TOPO_KEY_LONG:3600"
    --app "chatflow:$TOPO_KEY_LONG_CHATFLOW:3600")
  [ -n "${TOPO_SQUID_URL:-}" ] && TOPO_REFSERVER_ARGS+=(--fetch-proxy "$TOPO_SQUID_URL")
  return 0
}

# topo_hitlcheck_args: what the harness must be told about that server.
topo_hitlcheck_args() {
  TOPO_HITLCHECK_ARGS=(--api-key "$TOPO_KEY_WORKFLOW" --other-api-key "$TOPO_KEY_CHATFLOW"
    --chat-api-key "$TOPO_KEY_CHAT" --global-timeout "$TOPO_GLOBAL_TIMEOUT"
    --global-timeout-key "$TOPO_KEY_LONG" --rate-limit "$TOPO_RATE")
}

# topo_start_refserver ARGS…: hitl-refserver (Dify's api service) on 127.0.0.1. Sets
# TOPO_API (ADDR:PORT).
topo_start_refserver() {
  : "${REFSERVER:?REFSERVER must name the hitl-refserver binary}"
  local d=$TOPO_DIR/refserver pid i
  mkdir -p "$d"
  "$REFSERVER" --listen 127.0.0.1 --port 0 --port-file "$d/port" "$@" >"$d/refserver.log" 2>&1 &
  pid=$!
  topo_track refserver "$pid"
  for i in $(seq "$TOPO_WAIT_STEPS"); do
    [ -s "$d/port" ] && grep -q listening "$d/refserver.log" && break
    topo_alive "$pid" || break
    sleep 0.1
  done
  if ! topo_alive "$pid" || ! [ -s "$d/port" ]; then
    topo_show_log hitl-refserver "$d/refserver.log"
    topo_fail "hitl-refserver did not start"
  fi
  TOPO_API=127.0.0.1:$(cat "$d/port")
  export TOPO_API
}

# topo_start_nginx [tls]: nginx from Dify's templates in front of TOPO_API, with the web
# front end's stand-in; "tls" adds Dify's https.conf (topo_make_tls first). Sets NGINX_PORT,
# TOPO_WEB, TOPO_NGINX_URL and, with tls, NGINX_SSL_PORT and TOPO_NGINX_TLS_URL. A port taken
# between the pick and nginx's bind is picked again (3 tries).
topo_start_nginx() {
  local tls=${1:-} d=$TOPO_DIR/nginx pid i try
  mkdir -p "$d/logs" "$d/tmp" "$d/conf.d"
  topo_load_env
  export NGINX_WORKER_PROCESSES=1 # topology: one worker (Dify: auto), the CI machine is small
  export TOPO_NGINX_DIR=$d TOPO_NGINX_USER= HTTPS_CONFIG= NGINX_PORT TOPO_WEB NGINX_SSL_PORT=
  # Started by root, nginx's workers would switch to an unprivileged user that may not reach
  # the temporary folders in the build tree (CI may clone into a private folder): they stay
  # root there. Dify's container runs them as `nginx`.
  [ "$(id -u)" -eq 0 ] && TOPO_NGINX_USER='user root;  # topology: see lib.sh'
  for try in 1 2 3; do
    NGINX_PORT=$(topo_free_port) && TOPO_WEB=127.0.0.1:$(topo_free_port) ||
      topo_fail "no free port for nginx"
    if [ "$tls" = tls ]; then
      NGINX_SSL_PORT=$(topo_free_port) || topo_fail "no free port for nginx"
      topo_render "$TOPO_SRC/nginx/https.conf.template" "$d/https.conf"
      HTTPS_CONFIG=$(grep -v '^#' "$d/https.conf")
    fi
    topo_render "$TOPO_SRC/nginx/nginx.conf.template" "$d/nginx.conf"
    topo_render "$TOPO_SRC/nginx/proxy.conf.template" "$d/proxy.conf"
    topo_render "$TOPO_SRC/nginx/default.conf.template" "$d/conf.d/default.conf"
    topo_render "$TOPO_SRC/nginx/web-standin.conf.template" "$d/conf.d/web-standin.conf"
    if declare -F topo_edit_nginx >/dev/null; then topo_edit_nginx "$d" || topo_fail "topo_edit_nginx failed"; fi
    if ! "$TOPO_NGINX" -t -q -p "$d/" -c "$d/nginx.conf" -e "$d/logs/error.log" \
         >"$d/logs/test.log" 2>&1; then
      topo_show_log "nginx -t" "$d/logs/test.log"
      topo_show_log "nginx error log" "$d/logs/error.log"
      topo_fail "nginx rejected $d/nginx.conf"
    fi
    "$TOPO_NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/logs/error.log" >"$d/logs/nginx.out" 2>&1 &
    pid=$!
    topo_track nginx "$pid"
    for i in $(seq "$TOPO_WAIT_STEPS"); do
      curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/" && break
      topo_alive "$pid" || break
      sleep 0.1
    done
    if topo_alive "$pid" && curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/"; then
      TOPO_NGINX_URL=http://127.0.0.1:$NGINX_PORT
      [ "$tls" = tls ] && TOPO_NGINX_TLS_URL=https://127.0.0.1:$NGINX_SSL_PORT
      return 0
    fi
    if ! topo_alive "$pid" && grep -q 'Address already in use' "$d/logs/error.log" && [ "$try" -lt 3 ]; then
      echo "topology: a port was taken before nginx bound it; picking others" >&2
      wait "$pid" 2>/dev/null
      continue
    fi
    break
  done
  topo_show_log "nginx error log" "$d/logs/error.log"
  topo_show_log "nginx output" "$d/logs/nginx.out"
  topo_fail "nginx did not start on 127.0.0.1:$NGINX_PORT"
}
