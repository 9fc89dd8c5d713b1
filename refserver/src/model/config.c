/* config.c: Dify's defaults and the command-line flags of hitl-refserver. */
#include "faults.h"
#include "refserver/planted_bugs.h"
#include "refserver/refserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MIB (1024ull * 1024ull)

static const char USAGE[] =
    "Usage: hitl-refserver [options]\n"
    "A reference server for Dify's Human Input API, with fault switches.\n"
    "\n"
    "Network:\n"
    "  --listen ADDR            address to bind (default 127.0.0.1)\n"
    "  --port N                 port (default 8080; 0 = ephemeral)\n"
    "  --port-file FILE         write the bound port to FILE once listening\n"
    "  --request-log FILE       append what clients sent to FILE: a line `C` per connection,\n"
    "                           `U <target>` per request (raw) and `H <name>: <value>` per\n"
    "                           header line, control bytes as \\xNN (for tests)\n"
    "Apps:\n"
    "  --app MODE:KEY[:TTL][:two-node]  app with API key KEY, MODE workflow|chatflow|chat\n"
    "                           (repeatable; replaces the defaults app-hitl-workflow,\n"
    "                           app-hitl-chatflow, app-hitl-chat); TTL: this app's node timeout\n"
    "                           in seconds (default --form-ttl); two-node: its workflow has two\n"
    "                           Human Input nodes in sequence (the run pauses again, with a new\n"
    "                           form and token, once the first form is submitted)\n"
    "  --form NAME|FILE         the form every run pauses at: a built-in form (--list-forms;\n"
    "                           default `default`) or a JSON file {form_content, inputs,\n"
    "                           user_actions}\n"
    "  --list-forms             print `name<TAB>summary` per built-in form and exit\n"
    "  --app-dsl KEY=FILE       an app with API key KEY whose runs execute a Dify app DSL's\n"
    "                           graph (repeatable; beside the --app apps): its mode (workflow\n"
    "                           or advanced-chat) comes from the DSL; Start, IF/ELSE, Answer,\n"
    "                           Human Input (its own form; parallel nodes pause together) and\n"
    "                           End nodes. FILE may be builtin:NAME, one of specs/dify-app/\n"
    "                           compiled in (workflow, workflow-parallel, chatflow-ifelse…).\n"
    "                           A Human Input node's timeout is its form's TTL unless\n"
    "                           --form-ttl is given. A DSL the server cannot run is refused\n"
    "                           at start, naming the file and the rule\n"
    "  --form-delivery webapp|email  the Human Input node's delivery: webapp (default) gives\n"
    "                           the run a form token; email only gives form_token null\n"
    "Expiry (seconds):\n"
    "  --form-ttl S             form expiration_time = now + S (default 129600 = 36 h; given,\n"
    "                           it also replaces the timeout of --app-dsl apps' nodes)\n"
    "  --global-timeout S       global pause cap from form creation (default 604800)\n"
    "  --sweep-interval T       timeout sweeper period (default 60; T in s, or Nms)\n"
    "Rate limit (WEB form endpoints):\n"
    "  --rate-limit N/S         N requests per S-second sliding window per IP (default 30/60;\n"
    "                           N = 0 turns it off)\n"
    "  --no-rate-limit          same as --rate-limit 0/1\n"
    "  --trust-forwarded        client IP from CF-Connecting-IP, else the first\n"
    "                           X-Forwarded-For value (default: the peer address)\n"
    "Uploads (sizes in bytes, or with a K or M suffix, binary units):\n"
    "  --image-limit SIZE       default 10M\n"
    "  --file-limit SIZE        default 15M (documents and everything else)\n"
    "  --video-limit SIZE       default 100M\n"
    "  --audio-limit SIZE       default 50M\n"
    "  --blacklist EXT,EXT      blocked extensions (UPLOAD_FILE_EXTENSION_BLACKLIST)\n"
    "  --upload-layout v1|v2|none  WEB upload paths (default v2: /api/human-input-forms/files;\n"
    "                           v1: /api/form/human_input/files/upload and .../remote-upload;\n"
    "                           none: no upload route and no upload-token route, as a build\n"
    "                           without Human Input uploads)\n"
    "  --remote-errors newest|legacy  remote-upload error mapping (default newest; legacy:\n"
    "                           the v1 and early v2 builds' inline ssrf_proxy code)\n"
    "  --remote-via-squid       remote fetches go through Dify's squid SSRF proxy: an origin\n"
    "                           401/403 comes back with `Via: … (squid/…)` and is an SSRF block\n"
    "Remote fetches:\n"
    "  --fetch-allow HOST:PORT  allow fetching this IP:port although it is loopback/private\n"
    "                           (repeatable; IPv6 as [::1]:PORT)\n"
    "  --fetch-timeout T        connect and total timeout (default 5; T in s, or Nms)\n"
    "  --fetch-proxy URL        send every remote fetch through this HTTP proxy (Dify's\n"
    "                           SSRF_PROXY_HTTP_URL, e.g. http://127.0.0.1:3128 for squid):\n"
    "                           the proxy then decides which destinations are allowed (no\n"
    "                           --fetch-allow), and its 401/403 naming squid in Server or\n"
    "                           Via is answered as remote_file_url_blocked, as Dify does\n"
    "Front end:\n"
    "  --front none|nginx       nginx: answer as Dify's docker deployment does through its\n"
    "                           nginx and Docker's userland proxy: nginx's HTML 414 for a\n"
    "                           request line over 8 KiB, `Server: nginx`, and every client\n"
    "                           seen as the bridge gateway (X-Forwarded-For) (default none)\n"
    "Streams:\n"
    "  --ping-interval T        resume-stream keep-alive period (default 10; s, or Nms)\n"
    "  --idle-timeout T         resume-stream idle close (default 300; s, or Nms)\n"
    "  --resume-delay T         delay before a submitted run's events (default 50ms)\n"
    "Capacity:\n"
    "  --threads N              HTTP worker threads (default 4)\n"
    "  --max-runs N             live runs kept (default 4096)\n"
    "  --max-streams N          concurrent SSE streams (default 4000)\n"
    "Behaviour:\n"
    "  --behave contract|dify   contract (default): answer as the integration guide says;\n"
    "                           dify: as genuine Dify releases do where they depart from it\n"
    "                           (specs/deviations.json, docs/profiles.md): an inline remote_url\n"
    "                           at submit gets one HEAD, a non-200 answer is ignored and no\n"
    "                           size limit applies; a Service API submit whose JSON body is\n"
    "                           not an object answers 500 {\"code\":\"unknown\"}; a local_file at\n"
    "                           submit is looked up in the workspace only (a file of another\n"
    "                           form, user or app is accepted)\n"
    "Faults:\n"
    "  --fault NAME             turn on a fault (repeatable); NAMEs below\n"
    "  --list-faults            print `name<TAB>summary` per fault and exit\n"
    "  --bug NAME               turn on a planted bug for fuzzers to find (repeatable; off by\n"
    "                           default, not a conformance fault)\n"
    "  --list-bugs              print `name<TAB>summary` per planted bug and exit\n"
    "Other:\n"
    "  --help                   this text\n"
    "  --version                print the version\n"
    "\n"
    "On start it prints `hitl-refserver listening on http://ADDR:PORT`. SIGINT/SIGTERM stop it.\n";

const char *hitl_refserver_usage(void)
{
    return USAGE;
}

const char *hitl_refserver_version(void)
{
    return "hitl-refserver 0.1.0";
}

static void add_app(hitl_refserver_config *cfg, hitl_refserver_mode mode, const char *key,
                    int64_t form_ttl_s)
{
    hitl_refserver_app *a = &cfg->apps[cfg->napps++];
    /* A slot --app's compaction freed may still hold an --app-dsl app's fields. */
    memset(a, 0, sizeof *a);
    a->mode = mode;
    snprintf(a->key, sizeof a->key, "%s", key);
    a->form_ttl_s = form_ttl_s;
}

void hitl_refserver_config_init(hitl_refserver_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1");
    cfg->port = 8080;
    add_app(cfg, HITL_REFSERVER_WORKFLOW, "app-hitl-workflow", 0);
    add_app(cfg, HITL_REFSERVER_CHATFLOW, "app-hitl-chatflow", 0);
    add_app(cfg, HITL_REFSERVER_CHAT, "app-hitl-chat", 0);
    cfg->form_ttl_s = 36 * 3600;
    cfg->global_timeout_s = 604800;
    cfg->sweep_interval_ms = 60 * 1000;
    cfg->rate_max = 30;
    cfg->rate_window_s = 60;
    cfg->image_limit = 10 * MIB;
    cfg->file_limit = 15 * MIB;
    cfg->video_limit = 100 * MIB;
    cfg->audio_limit = 50 * MIB;
    cfg->fetch_timeout_ms = 5000;
    cfg->ping_interval_ms = 10000;
    cfg->idle_timeout_ms = 300000;
    cfg->resume_delay_ms = 50;
    cfg->upload_layout = 2;
    cfg->threads = 4;
    cfg->max_runs = 4096;
    cfg->max_uploads = 16384;
    cfg->max_upload_tokens = 16384;
    cfg->max_streams = 4000;
}

void hitl_refserver_config_free(hitl_refserver_config *cfg)
{
    (void)cfg;
}

/* parse_u64 reads a decimal in [lo, hi]; 0 or -1. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* parse_size reads bytes with an optional K/M/G suffix (binary units). */
static int parse_size(const char *s, uint64_t *out)
{
    char num[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof num)
        return -1;
    memcpy(num, s, n + 1);
    uint64_t mul = 1;
    char last = num[n - 1];
    if (last == 'K' || last == 'k')
        mul = 1024;
    else if (last == 'M' || last == 'm')
        mul = MIB;
    else if (last == 'G' || last == 'g')
        mul = 1024 * MIB;
    if (mul != 1)
        num[n - 1] = '\0';
    uint64_t v;
    if (parse_u64(num, 1, UINT64_MAX / mul, &v))
        return -1;
    *out = v * mul;
    return 0;
}

/* parse_ms reads seconds ("5") or milliseconds ("500ms") into milliseconds, > 0. */
static int parse_ms(const char *s, int64_t *out)
{
    char num[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof num)
        return -1;
    memcpy(num, s, n + 1);
    uint64_t mul = 1000;
    if (n > 2 && strcmp(num + n - 2, "ms") == 0) {
        num[n - 2] = '\0';
        mul = 1;
    } else if (num[n - 1] == 's') {
        num[n - 1] = '\0';
    }
    uint64_t v;
    if (parse_u64(num, 1, 1000000000ull, &v))
        return -1;
    *out = (int64_t)(v * mul);
    return 0;
}

/* --app MODE:KEY[:TTL][:two-node]: TTL is this app's node timeout in seconds (a Human Input
 * node's timeout is per app in Dify; the global cap is not); two-node gives the app a
 * workflow with two Human Input nodes in sequence. Keys cannot hold a colon. */
static int parse_app(hitl_refserver_config *cfg, const char *v, int *replaced, hitl_err *err)
{
    const char *colon = strchr(v, ':');
    if (!colon || !colon[1])
        return hitl_err_set(err, HITL_E_ARG, "--app: '%s' is not MODE:KEY[:TTL][:two-node]", v);
    const char *key = colon + 1, *rest = strchr(key, ':');
    size_t kl = rest ? (size_t)(rest - key) : strlen(key);
    uint64_t ttl_s = 0;
    int two_nodes = 0;
    if (kl == 0 || kl >= sizeof cfg->apps[0].key)
        return hitl_err_set(err, HITL_E_ARG, "--app: '%s' is not MODE:KEY[:TTL][:two-node]", v);
    /* Up to two more fields, each the TTL or the word two-node. */
    for (int field = 0; rest && field < 2; field++) {
        const char *f = rest + 1, *next = strchr(f, ':');
        size_t fl = next ? (size_t)(next - f) : strlen(f);
        char word[32];
        if (fl == 0 || fl >= sizeof word)
            return hitl_err_set(err, HITL_E_ARG, "--app: '%s' is not MODE:KEY[:TTL][:two-node]", v);
        memcpy(word, f, fl);
        word[fl] = '\0';
        if (strcmp(word, "two-node") == 0 && !two_nodes)
            two_nodes = 1;
        else if (ttl_s || parse_u64(word, 1, 100ull * 365 * 86400, &ttl_s))
            return hitl_err_set(err, HITL_E_ARG,
                                "--app: '%s' in '%s' is neither a TTL (seconds >= 1) nor "
                                "two-node (keys cannot hold ':')",
                                word, v);
        rest = next;
    }
    if (rest)
        return hitl_err_set(err, HITL_E_ARG, "--app: '%s' is not MODE:KEY[:TTL][:two-node]", v);
    size_t ml = (size_t)(colon - v);
    hitl_refserver_mode mode;
    if (ml == 8 && strncmp(v, "workflow", 8) == 0)
        mode = HITL_REFSERVER_WORKFLOW;
    else if (ml == 8 && strncmp(v, "chatflow", 8) == 0)
        mode = HITL_REFSERVER_CHATFLOW;
    else if (ml == 4 && strncmp(v, "chat", 4) == 0)
        mode = HITL_REFSERVER_CHAT;
    else
        return hitl_err_set(err, HITL_E_ARG,
                            "--app: mode in '%s' is not workflow, chatflow or chat", v);
    if (two_nodes && mode == HITL_REFSERVER_CHAT)
        return hitl_err_set(err, HITL_E_ARG,
                            "--app: '%s': a chat app has no workflow, so no Human Input node", v);
    char k[sizeof cfg->apps[0].key];
    memcpy(k, key, kl);
    k[kl] = '\0';
    if (!*replaced) { /* the defaults go; --app-dsl apps given before stay */
        size_t kept = 0;
        for (size_t i = 0; i < cfg->napps; i++)
            if (cfg->apps[i].dsl[0])
                cfg->apps[kept++] = cfg->apps[i];
        cfg->napps = kept;
        *replaced = 1;
    }
    if (cfg->napps == HITL_REFSERVER_MAX_APPS)
        return hitl_err_set(err, HITL_E_ARG, "--app: at most %d apps", HITL_REFSERVER_MAX_APPS);
    for (size_t i = 0; i < cfg->napps; i++)
        if (strcmp(cfg->apps[i].key, k) == 0)
            return hitl_err_set(err, HITL_E_ARG, "--app: key '%s' given twice", k);
    add_app(cfg, mode, k, (int64_t)ttl_s);
    cfg->apps[cfg->napps - 1].two_nodes = two_nodes;
    return HITL_OK;
}

/* --app-dsl KEY=FILE: the DSL is read when the server starts (its mode is known then). */
static int parse_app_dsl(hitl_refserver_config *cfg, const char *v, int replaced, hitl_err *err)
{
    const char *eq = strchr(v, '=');
    size_t kl = eq ? (size_t)(eq - v) : 0;
    if (!eq || kl == 0 || kl >= sizeof cfg->apps[0].key || !eq[1] ||
        strlen(eq + 1) >= sizeof cfg->apps[0].dsl)
        return hitl_err_set(err, HITL_E_ARG,
                            "--app-dsl: '%s' is not KEY=FILE (or KEY=builtin:NAME)", v);
    char k[sizeof cfg->apps[0].key];
    memcpy(k, v, kl);
    k[kl] = '\0';
    for (size_t i = 0; i < cfg->napps; i++) {
        if (strcmp(cfg->apps[i].key, k) != 0)
            continue;
        /* A default app's key (no --app given yet): the DSL app takes its place. */
        if (replaced || cfg->apps[i].dsl[0])
            return hitl_err_set(err, HITL_E_ARG, "--app-dsl: key '%s' given twice", k);
        memmove(&cfg->apps[i], &cfg->apps[i + 1], (cfg->napps - i - 1) * sizeof cfg->apps[0]);
        cfg->napps--;
        break;
    }
    if (cfg->napps == HITL_REFSERVER_MAX_APPS)
        return hitl_err_set(err, HITL_E_ARG, "--app-dsl: at most %d apps", HITL_REFSERVER_MAX_APPS);
    add_app(cfg, HITL_REFSERVER_WORKFLOW, k, 0);
    snprintf(cfg->apps[cfg->napps - 1].dsl, sizeof cfg->apps[0].dsl, "%s", eq + 1);
    return HITL_OK;
}

static int parse_allow(hitl_refserver_config *cfg, const char *v, hitl_err *err)
{
    char host[64];
    const char *port;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (!close || close[1] != ':' || (size_t)(close - v - 1) >= sizeof host)
            return hitl_err_set(err, HITL_E_ARG, "--fetch-allow: '%s' is not [IPV6]:PORT", v);
        memcpy(host, v + 1, (size_t)(close - v - 1));
        host[close - v - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(v, ':');
        if (!colon || (size_t)(colon - v) >= sizeof host)
            return hitl_err_set(err, HITL_E_ARG, "--fetch-allow: '%s' is not IP:PORT", v);
        memcpy(host, v, (size_t)(colon - v));
        host[colon - v] = '\0';
        port = colon + 1;
    }
    unsigned char tmp[16];
    if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1)
        return hitl_err_set(err, HITL_E_ARG, "--fetch-allow: '%s' is not an IP literal", host);
    uint64_t p;
    if (parse_u64(port, 1, 65535, &p))
        return hitl_err_set(err, HITL_E_ARG, "--fetch-allow: '%s' is not a port (1-65535)", port);
    if (cfg->nfetch_allow == HITL_REFSERVER_MAX_FETCH_ALLOW)
        return hitl_err_set(err, HITL_E_ARG, "--fetch-allow: at most %d entries",
                            HITL_REFSERVER_MAX_FETCH_ALLOW);
    hitl_refserver_allow *a = &cfg->fetch_allow[cfg->nfetch_allow++];
    snprintf(a->host, sizeof a->host, "%s", host);
    a->port = (uint16_t)p;
    return HITL_OK;
}

static int parse_blacklist(hitl_refserver_config *cfg, const char *v, hitl_err *err)
{
    cfg->nblacklist = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *e = p;
        if (n && *e == '.') {
            e++;
            n--;
        }
        if (n) {
            if (n >= sizeof cfg->blacklist[0] || cfg->nblacklist == HITL_REFSERVER_MAX_BLACKLIST)
                return hitl_err_set(err, HITL_E_ARG,
                                    "--blacklist: at most %d extensions of at most %zu chars",
                                    HITL_REFSERVER_MAX_BLACKLIST, sizeof cfg->blacklist[0] - 1);
            char *dst = cfg->blacklist[cfg->nblacklist++];
            for (size_t i = 0; i < n; i++)
                dst[i] = (char)((e[i] >= 'A' && e[i] <= 'Z') ? e[i] + 32 : e[i]);
            dst[n] = '\0';
        }
        p = e + n;
        if (*p == ',')
            p++;
    }
    return HITL_OK;
}

static int copy_str(char *dst, size_t cap, const char *flag, const char *v, hitl_err *err)
{
    if (strlen(v) >= cap || !*v)
        return hitl_err_set(err, HITL_E_ARG, "%s: value must be 1 to %zu characters", flag,
                            cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return HITL_OK;
}

/* --fetch-proxy URL: http:// or https://, a host, nothing curl would read as options. */
static int parse_proxy(hitl_refserver_config *cfg, const char *v, hitl_err *err)
{
    const char *host = NULL;
    if (strncasecmp(v, "http://", 7) == 0)
        host = v + 7;
    else if (strncasecmp(v, "https://", 8) == 0)
        host = v + 8;
    if (!host || !*host || *host == '/' || *host == ':' || strpbrk(v, " \t\r\n"))
        return hitl_err_set(err, HITL_E_ARG,
                            "--fetch-proxy: '%s' is not an http:// or https:// proxy URL", v);
    return copy_str(cfg->fetch_proxy, sizeof cfg->fetch_proxy, "--fetch-proxy", v, err);
}

/* apply_flag handles one flag that takes a value. */
static int apply_flag(hitl_refserver_config *cfg, const char *f, const char *v, int *replaced,
                      hitl_err *err)
{
    uint64_t u;
    if (strcmp(f, "--listen") == 0) {
        unsigned char tmp[16];
        if (inet_pton(AF_INET, v, tmp) != 1 && inet_pton(AF_INET6, v, tmp) != 1)
            return hitl_err_set(err, HITL_E_ARG, "--listen: '%s' is not an IP address", v);
        return copy_str(cfg->listen, sizeof cfg->listen, f, v, err);
    }
    if (strcmp(f, "--port") == 0) {
        if (parse_u64(v, 0, 65535, &u))
            return hitl_err_set(err, HITL_E_ARG, "--port: '%s' is not a port (0-65535)", v);
        cfg->port = (uint16_t)u;
        return HITL_OK;
    }
    if (strcmp(f, "--port-file") == 0)
        return copy_str(cfg->port_file, sizeof cfg->port_file, f, v, err);
    if (strcmp(f, "--request-log") == 0)
        return copy_str(cfg->request_log, sizeof cfg->request_log, f, v, err);
    if (strcmp(f, "--form") == 0)
        return copy_str(cfg->form_file, sizeof cfg->form_file, f, v, err);
    if (strcmp(f, "--app") == 0)
        return parse_app(cfg, v, replaced, err);
    if (strcmp(f, "--app-dsl") == 0)
        return parse_app_dsl(cfg, v, *replaced, err);
    if (strcmp(f, "--form-ttl") == 0 || strcmp(f, "--global-timeout") == 0) {
        if (parse_u64(v, 1, 100ull * 365 * 86400, &u))
            return hitl_err_set(err, HITL_E_ARG, "%s: '%s' is not a number of seconds >= 1", f, v);
        *(f[2] == 'f' ? &cfg->form_ttl_s : &cfg->global_timeout_s) = (int64_t)u;
        cfg->form_ttl_set |= f[2] == 'f';
        return HITL_OK;
    }
    struct {
        const char *flag;
        int64_t *dst;
    } durations[] = {{"--sweep-interval", &cfg->sweep_interval_ms},
                     {"--fetch-timeout", &cfg->fetch_timeout_ms},
                     {"--ping-interval", &cfg->ping_interval_ms},
                     {"--idle-timeout", &cfg->idle_timeout_ms},
                     {"--resume-delay", &cfg->resume_delay_ms}};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
        if (strcmp(f, durations[i].flag) == 0) {
            if (parse_ms(v, durations[i].dst))
                return hitl_err_set(err, HITL_E_ARG, "%s: '%s' is not a duration (seconds, or Nms)",
                                    f, v);
            return HITL_OK;
        }
    if (strcmp(f, "--rate-limit") == 0) {
        char num[32];
        const char *slash = strchr(v, '/');
        uint64_t w;
        if (!slash || (size_t)(slash - v) >= sizeof num)
            return hitl_err_set(err, HITL_E_ARG, "--rate-limit: '%s' is not N/SECONDS", v);
        memcpy(num, v, (size_t)(slash - v));
        num[slash - v] = '\0';
        if (parse_u64(num, 0, 100000, &u) || parse_u64(slash + 1, 1, 86400, &w))
            return hitl_err_set(err, HITL_E_ARG,
                                "--rate-limit: '%s' is not N/SECONDS (N 0-100000, SECONDS 1-86400)",
                                v);
        cfg->rate_max = (unsigned)u;
        cfg->rate_window_s = (unsigned)w;
        return HITL_OK;
    }
    struct {
        const char *flag;
        uint64_t *dst;
    } sizes[] = {{"--image-limit", &cfg->image_limit},
                 {"--file-limit", &cfg->file_limit},
                 {"--video-limit", &cfg->video_limit},
                 {"--audio-limit", &cfg->audio_limit}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (strcmp(f, sizes[i].flag) == 0) {
            if (parse_size(v, sizes[i].dst) || *sizes[i].dst > 1024 * MIB)
                return hitl_err_set(err, HITL_E_ARG,
                                    "%s: '%s' is not a size (bytes or K/M suffix, at most 1G)", f,
                                    v);
            return HITL_OK;
        }
    if (strcmp(f, "--blacklist") == 0)
        return parse_blacklist(cfg, v, err);
    if (strcmp(f, "--fetch-allow") == 0)
        return parse_allow(cfg, v, err);
    if (strcmp(f, "--fetch-proxy") == 0)
        return parse_proxy(cfg, v, err);
    if (strcmp(f, "--upload-layout") == 0) {
        if (strcmp(v, "v1") && strcmp(v, "v2") && strcmp(v, "none"))
            return hitl_err_set(err, HITL_E_ARG, "--upload-layout: '%s' is not v1, v2 or none", v);
        cfg->upload_layout = strcmp(v, "none") ? v[1] - '0' : 0;
        return HITL_OK;
    }
    if (strcmp(f, "--behave") == 0) {
        if (strcmp(v, "contract") && strcmp(v, "dify"))
            return hitl_err_set(err, HITL_E_ARG, "--behave: '%s' is not contract or dify", v);
        cfg->behave =
            strcmp(v, "dify") == 0 ? HITL_REFSERVER_BEHAVE_DIFY : HITL_REFSERVER_BEHAVE_CONTRACT;
        return HITL_OK;
    }
    if (strcmp(f, "--remote-errors") == 0) {
        if (strcmp(v, "newest") && strcmp(v, "legacy"))
            return hitl_err_set(err, HITL_E_ARG, "--remote-errors: '%s' is not newest or legacy",
                                v);
        cfg->remote_errors_legacy = strcmp(v, "legacy") == 0;
        return HITL_OK;
    }
    if (strcmp(f, "--form-delivery") == 0) {
        if (strcmp(v, "webapp") && strcmp(v, "email"))
            return hitl_err_set(err, HITL_E_ARG, "--form-delivery: '%s' is not webapp or email", v);
        cfg->delivery_email = strcmp(v, "email") == 0;
        return HITL_OK;
    }
    if (strcmp(f, "--front") == 0) {
        if (strcmp(v, "none") && strcmp(v, "nginx"))
            return hitl_err_set(err, HITL_E_ARG, "--front: '%s' is not none or nginx", v);
        cfg->front = strcmp(v, "nginx") ? HITL_REFSERVER_FRONT_NONE : HITL_REFSERVER_FRONT_NGINX;
        return HITL_OK;
    }
    struct {
        const char *flag;
        uint64_t lo, hi;
    } counts[] = {{"--threads", 1, 64}, {"--max-runs", 1, 1000000}, {"--max-streams", 1, 100000}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (strcmp(f, counts[i].flag) == 0) {
            if (parse_u64(v, counts[i].lo, counts[i].hi, &u))
                return hitl_err_set(err, HITL_E_ARG,
                                    "%s: '%s' is not a number in %" PRIu64 "-%" PRIu64, f, v,
                                    counts[i].lo, counts[i].hi);
            if (i == 0)
                cfg->threads = (unsigned)u;
            else if (i == 1)
                cfg->max_runs = (size_t)u;
            else
                cfg->max_streams = (size_t)u;
            return HITL_OK;
        }
    if (strcmp(f, "--fault") == 0)
        return hitl_refserver_fault_enable(cfg, v, err);
    if (strcmp(f, "--bug") == 0)
        return hitl_refserver_bug_enable(cfg, v, err);
    return hitl_err_set(err, HITL_E_ARG, "%s: unknown flag (see --help)", f);
}

static const char *const VALUED_FLAGS[] = {"--listen",
                                           "--port",
                                           "--port-file",
                                           "--form",
                                           "--app",
                                           "--app-dsl",
                                           "--form-ttl",
                                           "--global-timeout",
                                           "--sweep-interval",
                                           "--fetch-timeout",
                                           "--ping-interval",
                                           "--idle-timeout",
                                           "--resume-delay",
                                           "--rate-limit",
                                           "--image-limit",
                                           "--file-limit",
                                           "--video-limit",
                                           "--audio-limit",
                                           "--blacklist",
                                           "--fetch-allow",
                                           "--upload-layout",
                                           "--remote-errors",
                                           "--threads",
                                           "--max-runs",
                                           "--max-streams",
                                           "--fault",
                                           "--behave",
                                           "--fetch-proxy",
                                           "--front",
                                           "--form-delivery",
                                           "--request-log",
                                           "--bug"};

static int known_flag(const char *f)
{
    for (size_t i = 0; i < sizeof VALUED_FLAGS / sizeof VALUED_FLAGS[0]; i++)
        if (strcmp(f, VALUED_FLAGS[i]) == 0)
            return 1;
    return 0;
}

int hitl_refserver_config_parse(hitl_refserver_config *cfg, int argc, char **argv, hitl_err *err)
{
    int replaced = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cfg->action = HITL_REFSERVER_HELP;
            return HITL_OK;
        }
        if (strcmp(a, "--version") == 0) {
            cfg->action = HITL_REFSERVER_VERSION;
            return HITL_OK;
        }
        if (strcmp(a, "--list-faults") == 0) {
            cfg->action = HITL_REFSERVER_LIST_FAULTS;
            return HITL_OK;
        }
        if (strcmp(a, "--list-bugs") == 0) {
            cfg->action = HITL_REFSERVER_LIST_BUGS;
            return HITL_OK;
        }
        if (strcmp(a, "--list-forms") == 0) {
            cfg->action = HITL_REFSERVER_LIST_FORMS;
            return HITL_OK;
        }
        if (strcmp(a, "--trust-forwarded") == 0) {
            cfg->trust_forwarded = 1;
            continue;
        }
        if (strcmp(a, "--remote-via-squid") == 0) {
            cfg->remote_via_squid = 1;
            continue;
        }
        if (strcmp(a, "--no-rate-limit") == 0) {
            cfg->rate_max = 0;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return hitl_err_set(err, HITL_E_ARG, "'%s': unexpected argument (see --help)", a);
        /* --flag=value and --flag value are both accepted. */
        char flag[64];
        const char *val;
        const char *eq = strchr(a, '=');
        if (eq) {
            if ((size_t)(eq - a) >= sizeof flag)
                return hitl_err_set(err, HITL_E_ARG, "'%.40s…': unknown flag (see --help)", a);
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = '\0';
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof flag)
                return hitl_err_set(err, HITL_E_ARG, "'%.40s…': unknown flag (see --help)", a);
            memcpy(flag, a, strlen(a) + 1);
            if (!known_flag(flag))
                return hitl_err_set(err, HITL_E_ARG, "%s: unknown flag (see --help)", flag);
            if (i + 1 >= argc)
                return hitl_err_set(err, HITL_E_ARG, "%s: missing value", flag);
            val = argv[++i];
        }
        int rc = apply_flag(cfg, flag, val, &replaced, err);
        if (rc)
            return rc;
    }
    if (cfg->ping_interval_ms > cfg->idle_timeout_ms)
        cfg->ping_interval_ms = cfg->idle_timeout_ms;
    /* Behind a proxy the refserver opens no socket but the proxy's: an allow-list would
     * promise a check that no longer happens. */
    if (cfg->fetch_proxy[0] && cfg->nfetch_allow)
        return hitl_err_set(err, HITL_E_ARG,
                            "--fetch-allow: not with --fetch-proxy (the proxy decides which "
                            "destinations are allowed; allow the address in its config)");
    return HITL_OK;
}
