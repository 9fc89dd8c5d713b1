/* cmd_run.c: `hitlcheck run`: check a deployment of the Human Input API, or, with no
 * --target, the reference server started in-process. */
#include "commands.h"
#include "cli_util.h"

#include "hitl/baseline.h"
#include "hitl/catalog.h"
#include "hitl/checks.h"
#include "hitl/deviation.h"
#include "hitl/scheduler.h"
#include "hitl/sources.h"
#include "hitl/fixture.h"
#include "hitl/flow.h"
#include "hitl/preflight.h"
#include "hitl/redact.h"
#include "hitl/report.h"
#include "hitl/report_console.h"
#include "hitl/target.h"
#include "hitl/trace.h"
#include "hitl/version.h"
#include "refserver/refserver.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Exit codes of `hitlcheck run` (documented in --help and README). */
enum { EXIT_CLEAN = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

/* The embedded target: short TTLs and windows so that expiry and rate-limit checks finish
 * in seconds; the harness's expectations are set to the same values. */
#define EMBED_FORM_TTL_S 20
#define EMBED_RATE_MAX 10
#define EMBED_RATE_WINDOW_S 4
#define EMBED_WORKFLOW_KEY "app-hitl-workflow"
#define EMBED_CHATFLOW_KEY "app-hitl-chatflow"
#define EMBED_CHAT_KEY "app-hitl-chat"
/* The global timeout (§10) of the embedded server: longer than EMBED_FORM_TTL_S, so that the
 * default apps' forms time out by their node timeout as before; the "long node" apps' forms
 * (node timeout EMBED_LONG_TTL_S) meet it first, for the global-timeout checks. */
#define EMBED_GLOBAL_TIMEOUT_S 25
#define EMBED_LONG_TTL_S 3600
#define STR_(x) #x
#define STR(x) STR_(x)
#define EMBED_LONG_WORKFLOW_KEY "app-hitl-longnode"
#define EMBED_LONG_CHATFLOW_KEY "app-hitl-longnode-chatflow"
/* Apps whose workflow pauses at two Human Input nodes in sequence (§9.1.11). */
#define EMBED_TWO_NODE_WORKFLOW_KEY "app-hitl-twonode"
#define EMBED_TWO_NODE_CHATFLOW_KEY "app-hitl-twonode-chatflow"
/* The variant apps of specs/dify-app/ the regress checks need (§12.10, §12.11), run by the
 * embedded server from its compiled-in DSL files (hitl-refserver --app-dsl). */
#define EMBED_PARALLEL_KEY "app-hitl-parallel"
#define EMBED_IFELSE_KEY "app-hitl-ifelse"
/* The embedded server's upload blacklist (UPLOAD_FILE_EXTENSION_BLACKLIST, §6.2.7), given
 * to the checks as if by --blocked-extension. */
#define EMBED_BLOCKED_EXTENSION "exe"

typedef struct run_opts {
    hitl_target target;
    hitl_strvec only, exclude, headers;
    char *fixture_listen, *fixture_url, *report_dir, *proxy, *cacert;
    char *other_key, *chat_key, *global_key, *two_node_key;
    char *parallel_key, *ifelse_key; /* --parallel-api-key, --ifelse-api-key */
    hitl_strvec blocked_exts;        /* --blocked-extension, lower case, no dot */
    bool blocked_default;            /* blocked_exts is the embedded server's default */
    bool insecure, no_color, show_secrets;
    bool dry_run; /* --dry-run: print the plan, send nothing */
    int verbosity;
    long jobs;
    long deadline_s;    /* --deadline; -1: the default (deadline_default) */
    hitl_strvec faults; /* embedded server faults (--embedded-fault, for tests) */
    char *embedded_layout;
    bool embedded_dify;          /* --embedded-behave dify */
    hitl_profile profile;        /* --profile */
    char *embedded_form;         /* --embedded-form NAME (hitl-refserver --list-forms) */
    char *expect, *write_expect; /* --expect / --write-expect baseline files */
    char *trace;                 /* --trace FILE: the run's exchanges as HAR */
    int argc;                    /* the options as given, for the reports */
    char **argv;
    char **shown_opts; /* argv after `run`, credentials masked (hitl_redact_argv) */
    size_t n_shown_opts;
} run_opts;

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: hitlcheck run [--target URL] [options]\n"
        "\n"
        "Runs the conformance checks against a Human Input API deployment. Without --target it\n"
        "starts its own reference server on 127.0.0.1 (short TTLs and rate-limit windows) and\n"
        "runs the whole catalogue against it.\n"
        "\n"
        "Target:\n"
        "  --target URL            base URL of the deployment, e.g. https://dify.example.com\n"
        "                          (env HITLCHECK_TARGET)\n"
        "  --api-key KEY           the app's API key (env HITLCHECK_API_KEY); redacted in all "
        "output\n"
        "  --service-base PATH     Service API base (default /v1)\n"
        "  --web-base PATH         web-app API base (default /api)\n"
        "  --app-mode MODE         workflow (default) or chatflow\n"
        "  --surface S             web, service or both (default both)\n"
        "  --user ID               end-user id for Service API calls (default hitlcheck-user)\n"
        "  --inputs JSON           the run's `inputs` object (default {})\n"
        "  --other-api-key KEY     a key of another app on the target (enables cross-app checks)\n"
        "  --chat-api-key KEY      a key of a basic chat app (enables the not_workflow_app check)\n"
        "  --global-timeout S      the target's HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS (enables the\n"
        "                          global-timeout checks, expiry.global; set it low on a test\n"
        "                          deployment, and --max-wait above it)\n"
        "  --global-timeout-key KEY  a key of an app (same mode) whose Human Input node timeout\n"
        "                          is longer than S, for those checks (default --api-key)\n"
        "  --two-node-api-key KEY  a key of an app (same mode) whose workflow has two Human Input\n"
        "                          nodes in sequence (enables the continue_on_pause check)\n"
        "  --parallel-api-key KEY  a key of the Workflow app imported from\n"
        "                          specs/dify-app/workflow-parallel.yml (two parallel Human Input\n"
        "                          nodes; enables regress.parallel.both-complete)\n"
        "  --ifelse-api-key KEY    a key of the Chatflow app imported from\n"
        "                          specs/dify-app/chatflow-ifelse.yml (IF/ELSE and Answer nodes;\n"
        "                          enables regress.chatflow.answer-after-resume)\n"
        "  --blocked-extension EXT  an extension in the target's UPLOAD_FILE_EXTENSION_BLACKLIST\n"
        "                          (repeatable; enables the blocked-extension upload checks)\n"
        "Selection:\n"
        "  --only SEL[,SEL…]       run only the checks named: ID, ID prefix (form.get) or tag\n"
        "  --exclude SEL[,SEL…]    leave those out (both repeatable; `hitlcheck list` shows them)\n"
        "  --strict                SHOULD-level findings (WARN) fail the run too\n"
        "Profile (docs/profiles.md):\n"
        "  --profile P             contract (default): judge by the integration guide, and Dify's\n"
        "                          source where it is silent; a FAIL that genuine Dify shares\n"
        "                          names the recorded deviation. dify: judge by what genuine Dify\n"
        "                          releases do; a FAIL/WARN whose response matches a recorded\n"
        "                          deviation (specs/deviations.json) exactly is KNOWN, shown with\n"
        "                          its evidence, and does not fail the run\n"
        "Limits:\n"
        "  --max-wait SECONDS      longest wait a check may make (expiry, windows; default 90);\n"
        "                          a check that needs longer is SKIPped with the wait it needed\n"
        "  --rate-limit N/SECONDS  the WEB rate limit to expect (default 30/60)\n"
        "  --timeout SECONDS       per-request timeout (default 30)\n"
        "  --deadline SECONDS      end the whole run after this long (0: never): the running\n"
        "                          checks are cancelled, the rest end in ERROR \"run deadline\n"
        "                          reached\", the reports are written, exit 3. Default: 2 x\n"
        "                          --max-wait + 2 x --timeout from the start for everything\n"
        "                          before the rate-limit checks (e.g. 50 s for --timeout 5\n"
        "                          --max-wait 20); when they start, each gets 3 x (window + 1 s\n"
        "                          + its pacing) + 2 x --timeout more (pacing: N x 1.1 s of\n"
        "                          --rate-limit N/WINDOW when that fits the window, else 0);\n"
        "                          when they run beside the rest (see --jobs), that budget\n"
        "                          once, from the start.\n"
        "                          A slow deployment (long workflows before the Human Input\n"
        "                          node) may need more\n"
        "  --dry-run               print the plan (which checks run when, the waits known in\n"
        "                          advance, the predicted wall time) and send nothing\n"
        "  --jobs N                checks run in parallel (default 4). Checks that wait for a\n"
        "                          deadline (tag slow) run beside them, each on a thread of its\n"
        "                          own. The rate-limit checks run beside everything too when the\n"
        "                          target is on 127.x and, checked before the run, counts the\n"
        "                          harness's source addresses apart, and on one source address\n"
        "                          (each holds the buckets it fills while the rest's requests of\n"
        "                          that kind wait; those needing a full GET bucket share one\n"
        "                          fill); else alone, at the end. A target that counts every\n"
        "                          client in one bucket is said once and its WEB form requests\n"
        "                          are paced across the run\n"
        "Remote-URL fixture:\n"
        "  --fixture-listen A:P    where the harness's file server listens (default 127.0.0.1:0)\n"
        "  --fixture-url URL       the URL at which the target reaches it (default http://A:P)\n"
        "Transport:\n"
        "  -H, --header 'N: V'     extra header on every request (repeatable)\n"
        "  --proxy URL             HTTP proxy\n"
        "  --insecure              do not verify TLS certificates (verification is on by default)\n"
        "  --cacert FILE           CA bundle to verify TLS with\n"
        "Output:\n"
        "  --report-dir DIR        where reports go (default reports/, created when missing):\n");
    for (size_t i = 0; i < hitl_report_n_formats; i++)
        fprintf(f, "                          %-13s %s\n", hitl_report_formats[i].file,
                hitl_report_formats[i].what);
    fprintf(
        f,
        "  --trace FILE            every HTTP exchange of the run (SSE bodies included) as a HAR\n"
        "                          1.2 file, for a browser's developer tools (Import HAR)\n"
        "  --show-secrets          do not redact the API key and tokens (the reports say so)\n"
        "  --expect FILE           known failures (<check-id> <web|service|*> <reason> a line):\n"
        "                          they do not fail the run; an entry that now passes does\n"
        "  --write-expect FILE     record this run's failures as such a file (they then do not\n"
        "                          fail this run)\n"
        "  --verbose, -v           every check with its exchanges\n"
        "  --quiet, -q             only findings and the summary\n"
        "  --no-color              no ANSI colours (also when NO_COLOR is set or not a TTY)\n"
        "Embedded target only (no --target). Its apps run specs/dify-app/'s DSL files from\n"
        "their graph, as a user imports them, except with --embedded-fault or --embedded-form:\n"
        "the main apps then run the server's built-in flow, where the faults are planted:\n"
        "  --embedded-fault NAME   turn on a reference-server fault (repeatable; hitl-refserver\n"
        "                          --list-faults): shows what a finding looks like\n"
        "  --embedded-layout V     upload path layout of the embedded server: v1 (default), v2,\n"
        "                          or none (a build without Human Input uploads)\n"
        "  --embedded-behave B     contract (default) or dify: the embedded server then answers "
        "as\n"
        "                          genuine Dify does, reproducing every recorded deviation\n"
        "  --embedded-form NAME    the form the embedded server's runs pause at: a built-in form\n"
        "                          (hitl-refserver --list-forms: default, image-only, "
        "remote-only,\n"
        "                          local-only, no-files, paragraph, file-list, large) or a JSON "
        "file\n"
        "\n"
        "Exit: 0 no FAIL (and no WARN with --strict) beyond the --expect baseline; 1 a\n"
        "conformance failure, or a stale baseline entry; 2 a usage or configuration error,\n"
        "including a selection that names no check, a bad baseline, or a report directory,\n"
        "--trace or --write-expect file that cannot be written; 3 the target is unreachable,\n"
        "is not a Human Input API as configured (the preflight: one run must pause at a Human\n"
        "Input node with a form token the selected surfaces serve; one line names the option to\n"
        "change), the run stopped early (--deadline passed, or one setup step, such as starting\n"
        "a run, failed the same way for 3 checks in a row: one line says which; the reports are\n"
        "still written), or the harness could not run (a check ended in ERROR, or the reports,\n"
        "trace or --write-expect file could not be written).\n");
}

static void opts_free(run_opts *o)
{
    hitl_target_free(&o->target);
    hitl_strvec_free(&o->only);
    hitl_strvec_free(&o->exclude);
    hitl_strvec_free(&o->headers);
    hitl_strvec_free(&o->faults);
    free(o->fixture_listen);
    free(o->fixture_url);
    free(o->report_dir);
    free(o->proxy);
    free(o->cacert);
    free(o->other_key);
    free(o->chat_key);
    free(o->global_key);
    free(o->two_node_key);
    free(o->parallel_key);
    free(o->ifelse_key);
    hitl_strvec_free(&o->blocked_exts);
    free(o->embedded_layout);
    free(o->embedded_form);
    free(o->expect);
    free(o->write_expect);
    free(o->trace);
    hitl_redact_argv_free(o->shown_opts, o->n_shown_opts);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
}

/* Parses "N/SECONDS". */
static bool parse_rate(const char *s, int *max, int *window)
{
    const char *slash = strchr(s, '/');
    if (!slash)
        return false;
    char n[32];
    size_t len = (size_t)(slash - s);
    if (len == 0 || len >= sizeof n)
        return false;
    memcpy(n, s, len);
    n[len] = '\0';
    long a, b;
    if (!hitl_cli_parse_long(n, 1, 100000, &a) || !hitl_cli_parse_long(slash + 1, 1, 86400, &b))
        return false;
    *max = (int)a;
    *window = (int)b;
    return true;
}

/* Reads an extension as UPLOAD_FILE_EXTENSION_BLACKLIST lists one ("exe", ".EXE" too) into
 * |out| (lower case, no dot): 1 to 15 letters or digits, so that it can end a file name. */
static bool parse_extension(const char *s, char *out, size_t cap)
{
    if (*s == '.')
        s++;
    size_t n = strlen(s);
    if (n == 0 || n > 15 || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
        out[i] = c;
    }
    out[n] = '\0';
    return true;
}

static bool valid_base(const char *p)
{
    return p[0] == '/' && !strchr(p, '?') && !strchr(p, '#');
}

/* Returns -1 to go on, or the exit code. */
static int parse_args(run_opts *o, int argc, char **argv, FILE *out, FILE *errout)
{
    enum {
        O_TARGET = 256,
        O_DRY,
        O_KEY,
        O_SBASE,
        O_WBASE,
        O_MODE,
        O_SURF,
        O_USER,
        O_INPUTS,
        O_ONLY,
        O_EXCL,
        O_STRICT,
        O_WAIT,
        O_RATE,
        O_TIMEOUT,
        O_JOBS,
        O_FLISTEN,
        O_FURL,
        O_RDIR,
        O_PROXY,
        O_INSECURE,
        O_CACERT,
        O_NOCOLOR,
        O_OTHER,
        O_CHAT,
        O_EFAULT,
        O_ELAYOUT,
        O_EFORM,
        O_SHOWSECRETS,
        O_EXPECT,
        O_WEXPECT,
        O_TRACE,
        O_GTIMEOUT,
        O_GKEY,
        O_PROFILE,
        O_EBEHAVE,
        O_DEADLINE,
        O_TWOKEY,
        O_PARALLELKEY,
        O_IFELSEKEY,
        O_BLOCKED
    };
    static const struct option opts[] = {
        {"target", required_argument, NULL, O_TARGET},
        {"api-key", required_argument, NULL, O_KEY},
        {"service-base", required_argument, NULL, O_SBASE},
        {"web-base", required_argument, NULL, O_WBASE},
        {"app-mode", required_argument, NULL, O_MODE},
        {"surface", required_argument, NULL, O_SURF},
        {"user", required_argument, NULL, O_USER},
        {"inputs", required_argument, NULL, O_INPUTS},
        {"only", required_argument, NULL, O_ONLY},
        {"exclude", required_argument, NULL, O_EXCL},
        {"strict", no_argument, NULL, O_STRICT},
        {"max-wait", required_argument, NULL, O_WAIT},
        {"rate-limit", required_argument, NULL, O_RATE},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"deadline", required_argument, NULL, O_DEADLINE},
        {"dry-run", no_argument, NULL, O_DRY},
        {"jobs", required_argument, NULL, O_JOBS},
        {"fixture-listen", required_argument, NULL, O_FLISTEN},
        {"fixture-url", required_argument, NULL, O_FURL},
        {"report-dir", required_argument, NULL, O_RDIR},
        {"header", required_argument, NULL, 'H'},
        {"proxy", required_argument, NULL, O_PROXY},
        {"insecure", no_argument, NULL, O_INSECURE},
        {"cacert", required_argument, NULL, O_CACERT},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"no-color", no_argument, NULL, O_NOCOLOR},
        {"other-api-key", required_argument, NULL, O_OTHER},
        {"chat-api-key", required_argument, NULL, O_CHAT},
        {"global-timeout", required_argument, NULL, O_GTIMEOUT},
        {"global-timeout-key", required_argument, NULL, O_GKEY},
        {"two-node-api-key", required_argument, NULL, O_TWOKEY},
        {"parallel-api-key", required_argument, NULL, O_PARALLELKEY},
        {"ifelse-api-key", required_argument, NULL, O_IFELSEKEY},
        {"blocked-extension", required_argument, NULL, O_BLOCKED},
        {"embedded-fault", required_argument, NULL, O_EFAULT},
        {"embedded-layout", required_argument, NULL, O_ELAYOUT},
        {"embedded-behave", required_argument, NULL, O_EBEHAVE},
        {"profile", required_argument, NULL, O_PROFILE},
        {"embedded-form", required_argument, NULL, O_EFORM},
        {"show-secrets", no_argument, NULL, O_SHOWSECRETS},
        {"expect", required_argument, NULL, O_EXPECT},
        {"write-expect", required_argument, NULL, O_WEXPECT},
        {"trace", required_argument, NULL, O_TRACE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    hitl_target *t = &o->target;
    const char *env_target = getenv("HITLCHECK_TARGET");
    const char *env_key = getenv("HITLCHECK_API_KEY");
    if (env_target && *env_target)
        set_str(&t->base_url, env_target);
    if (env_key && *env_key)
        set_str(&t->api_key, env_key);
    optind = 1;
    opterr = 0;
    long v;
    int c;
    while ((c = getopt_long(argc, argv, ":hvqH:", opts, NULL)) != -1) {
        switch (c) {
        case O_TARGET:
            set_str(&t->base_url, optarg);
            break;
        case O_KEY:
            set_str(&t->api_key, optarg);
            break;
        case O_SBASE:
        case O_WBASE:
            if (!valid_base(optarg)) {
                fprintf(errout, "hitlcheck run: %s '%s' must be a path starting with '/'\n",
                        c == O_SBASE ? "--service-base" : "--web-base", optarg);
                return EXIT_USAGE;
            }
            set_str(c == O_SBASE ? &t->service_base : &t->web_base, optarg);
            break;
        case O_MODE:
            if (!strcmp(optarg, "workflow"))
                t->app_mode = HITL_APP_WORKFLOW;
            else if (!strcmp(optarg, "chatflow"))
                t->app_mode = HITL_APP_CHATFLOW;
            else {
                fprintf(errout, "hitlcheck run: --app-mode '%s': use workflow or chatflow\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_SURF:
            if (!strcmp(optarg, "web"))
                t->surfaces = HITL_SURFACE_WEB;
            else if (!strcmp(optarg, "service"))
                t->surfaces = HITL_SURFACE_SERVICE;
            else if (!strcmp(optarg, "both"))
                t->surfaces = HITL_SURFACE_WEB | HITL_SURFACE_SERVICE;
            else {
                fprintf(errout, "hitlcheck run: --surface '%s': use web, service or both\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_USER:
            if (!*optarg || strlen(optarg) > 255) {
                fprintf(errout, "hitlcheck run: --user must be 1 to 255 characters\n");
                return EXIT_USAGE;
            }
            set_str(&t->user, optarg);
            break;
        case O_INPUTS: {
            cJSON *j = cJSON_Parse(optarg);
            bool ok = cJSON_IsObject(j);
            cJSON_Delete(j);
            if (!ok) {
                fprintf(
                    errout,
                    "hitlcheck run: --inputs must be a JSON object, e.g. '{\"draft\":\"hi\"}'\n");
                return EXIT_USAGE;
            }
            set_str(&t->inputs_json, optarg);
            break;
        }
        case O_ONLY:
            hitl_strvec_split(&o->only, optarg);
            break;
        case O_DRY:
            o->dry_run = true;
            break;
        case O_EXCL:
            hitl_strvec_split(&o->exclude, optarg);
            break;
        case O_STRICT:
            t->strict = true;
            break;
        case O_WAIT:
            if (!hitl_cli_parse_long(optarg, 1, 86400, &v)) {
                fprintf(errout, "hitlcheck run: --max-wait '%s': use whole seconds, 1 to 86400\n",
                        optarg);
                return EXIT_USAGE;
            }
            t->max_wait_s = v;
            break;
        case O_RATE:
            if (!parse_rate(optarg, &t->rate_max, &t->rate_window_s)) {
                fprintf(errout, "hitlcheck run: --rate-limit '%s': use N/SECONDS, e.g. 30/60\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_TIMEOUT:
            if (!hitl_cli_parse_long(optarg, 1, 3600, &v)) {
                fprintf(errout, "hitlcheck run: --timeout '%s': use whole seconds, 1 to 3600\n",
                        optarg);
                return EXIT_USAGE;
            }
            t->timeout_ms = v * 1000;
            break;
        case O_DEADLINE:
            if (!hitl_cli_parse_long(optarg, 0, 31536000, &o->deadline_s)) {
                fprintf(errout,
                        "hitlcheck run: --deadline '%s': use whole seconds, 0 (never) to "
                        "31536000\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_JOBS:
            if (!hitl_cli_parse_long(optarg, 1, 64, &o->jobs)) {
                fprintf(errout, "hitlcheck run: --jobs '%s': use a number from 1 to 64\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_FLISTEN:
            set_str(&o->fixture_listen, optarg);
            break;
        case O_FURL:
            set_str(&o->fixture_url, optarg);
            break;
        case O_RDIR:
            set_str(&o->report_dir, optarg);
            break;
        case 'H':
            if (!strchr(optarg, ':')) {
                fprintf(errout, "hitlcheck run: --header '%s': use 'Name: value'\n", optarg);
                return EXIT_USAGE;
            }
            hitl_strvec_push(&o->headers, optarg);
            break;
        case O_PROXY:
            set_str(&o->proxy, optarg);
            break;
        case O_INSECURE:
            o->insecure = true;
            break;
        case O_CACERT:
            if (access(optarg, R_OK) != 0) {
                fprintf(errout, "hitlcheck run: --cacert '%s' cannot be read\n", optarg);
                return EXIT_USAGE;
            }
            set_str(&o->cacert, optarg);
            break;
        case 'v':
            o->verbosity = 2;
            break;
        case 'q':
            o->verbosity = 0;
            break;
        case O_NOCOLOR:
            o->no_color = true;
            break;
        case O_OTHER:
            set_str(&o->other_key, optarg);
            break;
        case O_CHAT:
            set_str(&o->chat_key, optarg);
            break;
        case O_GKEY:
            set_str(&o->global_key, optarg);
            break;
        case O_PARALLELKEY:
            set_str(&o->parallel_key, optarg);
            break;
        case O_IFELSEKEY:
            set_str(&o->ifelse_key, optarg);
            break;
        case O_TWOKEY:
            set_str(&o->two_node_key, optarg);
            break;
        case O_BLOCKED: {
            char ext[16];
            if (!parse_extension(optarg, ext, sizeof ext)) {
                fprintf(errout,
                        "hitlcheck run: --blocked-extension '%s': use an extension of 1 "
                        "to 15 letters or digits, e.g. exe\n",
                        optarg);
                return EXIT_USAGE;
            }
            hitl_strvec_push(&o->blocked_exts, ext);
            break;
        }
        case O_GTIMEOUT:
            if (!hitl_cli_parse_long(optarg, 1, 31536000, &v)) {
                fprintf(errout,
                        "hitlcheck run: --global-timeout '%s': use whole seconds, 1 to "
                        "31536000\n",
                        optarg);
                return EXIT_USAGE;
            }
            t->global_timeout_s = v;
            break;
        case O_EFAULT:
            hitl_strvec_push(&o->faults, optarg);
            break;
        case O_ELAYOUT:
            if (strcmp(optarg, "v1") && strcmp(optarg, "v2") && strcmp(optarg, "none")) {
                fprintf(errout, "hitlcheck run: --embedded-layout '%s': use v1, v2 or none\n",
                        optarg);
                return EXIT_USAGE;
            }
            set_str(&o->embedded_layout, optarg);
            break;
        case O_PROFILE:
            if (hitl_profile_parse(optarg, &o->profile)) {
                fprintf(errout, "hitlcheck run: --profile '%s': use contract or dify\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_EBEHAVE:
            if (strcmp(optarg, "contract") && strcmp(optarg, "dify")) {
                fprintf(errout, "hitlcheck run: --embedded-behave '%s': use contract or dify\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->embedded_dify = !strcmp(optarg, "dify");
            break;
        case O_EFORM:
            set_str(&o->embedded_form, optarg);
            break;
        case O_SHOWSECRETS:
            o->show_secrets = true;
            break;
        case O_EXPECT:
            set_str(&o->expect, optarg);
            break;
        case O_WEXPECT:
            set_str(&o->write_expect, optarg);
            break;
        case O_TRACE:
            set_str(&o->trace, optarg);
            break;
        case 'h':
            usage(out);
            return EXIT_CLEAN;
        default:
            hitl_cli_bad_option(errout, "run", argc, argv, c);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(errout, "hitlcheck run: unexpected argument '%s'; see `hitlcheck run --help`\n",
                argv[optind]);
        return EXIT_USAGE;
    }
    if (t->base_url) {
        size_t n = strlen(t->base_url);
        while (n && t->base_url[n - 1] == '/')
            t->base_url[--n] = '\0';
        if (strncmp(t->base_url, "http://", 7) && strncmp(t->base_url, "https://", 8)) {
            const char *pair[] = {"--target", t->base_url};
            char **shown = hitl_redact_argv(NULL, pair, 2); /* a password in it stays out */
            fprintf(errout, "hitlcheck run: --target '%s' must start with http:// or https://\n",
                    shown ? shown[1] : "");
            hitl_redact_argv_free(shown, 2);
            return EXIT_USAGE;
        }
        if (!t->api_key && (t->surfaces & HITL_SURFACE_SERVICE)) {
            fprintf(errout, "hitlcheck run: --api-key (or HITLCHECK_API_KEY) is needed: runs are "
                            "started through the Service API\n");
            return EXIT_USAGE;
        }
        if (o->global_key && !t->global_timeout_s) {
            fprintf(errout, "hitlcheck run: --global-timeout-key needs --global-timeout\n");
            return EXIT_USAGE;
        }
        if (o->faults.n || o->embedded_layout || o->embedded_dify || o->embedded_form) {
            fprintf(errout, "hitlcheck run: --embedded-fault, --embedded-layout, "
                            "--embedded-behave and --embedded-form apply only without --target\n");
            return EXIT_USAGE;
        }
    }
    return -1;
}

/* Starts the reference server in-process for the embedded run. */
static int start_embedded(run_opts *o, uint16_t fixture_port, hitl_refserver **srv, FILE *errout)
{
    char ttl[16], rate[32], allow[64], global[16], blacklist[256] = "";
    /* The blacklist the checks are told of is the embedded server's: the extensions given
     * with --blocked-extension, else EMBED_BLOCKED_EXTENSION. */
    if (!o->blocked_exts.n) {
        hitl_strvec_push(&o->blocked_exts, EMBED_BLOCKED_EXTENSION);
        o->blocked_default = true;
    }
    for (size_t i = 0, len = 0; i < o->blocked_exts.n && len < sizeof blacklist; i++)
        len += (size_t)snprintf(blacklist + len, sizeof blacklist - len, "%s%s", i ? "," : "",
                                o->blocked_exts.items[i]);
    snprintf(ttl, sizeof ttl, "%d", EMBED_FORM_TTL_S);
    snprintf(global, sizeof global, "%d", EMBED_GLOBAL_TIMEOUT_S);
    snprintf(rate, sizeof rate, "%d/%d", EMBED_RATE_MAX, EMBED_RATE_WINDOW_S);
    snprintf(allow, sizeof allow, "127.0.0.1:%u", (unsigned)fixture_port);
    /* The variant apps run from the server's compiled-in DSL files; a build without libyaml
     * has none, and the checks that need them SKIP naming the file to import. The main apps
     * (and the Chatflow two-node app) run the files a user imports too, node by node from
     * their graph, unless a fault or --embedded-form asks for the server's built-in flow:
     * that is where the faults are planted and the form can be swapped. (The long-node apps
     * stay built-in: --form-ttl replaces a DSL node's timeout; there is no sequential
     * Workflow file.) */
    bool variants = hitl_refserver_dsl_supported();
    bool dsl = variants && !o->faults.n && !o->embedded_form;
    const char *dsl_or_app = dsl ? "--app-dsl" : "--app";
    const char *args[64] = {
        "hitl-refserver",
        "--port",
        "0",
        "--form-ttl",
        ttl,
        "--rate-limit",
        rate,
        "--ping-interval",
        "1",
        "--idle-timeout",
        "10",
        "--sweep-interval",
        "1",
        "--fetch-allow",
        allow,
        "--upload-layout",
        o->embedded_layout ? o->embedded_layout : "v1",
        "--global-timeout",
        global,
        dsl_or_app,
        dsl ? EMBED_WORKFLOW_KEY "=builtin:workflow" : "workflow:" EMBED_WORKFLOW_KEY,
        dsl_or_app,
        dsl ? EMBED_CHATFLOW_KEY "=builtin:chatflow" : "chatflow:" EMBED_CHATFLOW_KEY,
        "--app",
        "chat:" EMBED_CHAT_KEY,
        "--app",
        "workflow:" EMBED_LONG_WORKFLOW_KEY ":" STR(EMBED_LONG_TTL_S),
        "--app",
        "chatflow:" EMBED_LONG_CHATFLOW_KEY ":" STR(EMBED_LONG_TTL_S),
        "--app",
        "workflow:" EMBED_TWO_NODE_WORKFLOW_KEY ":two-node",
        dsl_or_app,
        dsl ? EMBED_TWO_NODE_CHATFLOW_KEY "=builtin:chatflow-sequential"
            : "chatflow:" EMBED_TWO_NODE_CHATFLOW_KEY ":two-node",
        "--blacklist",
        blacklist};
    int n = 35;
    if (variants) {
        args[n++] = "--app-dsl";
        args[n++] = EMBED_PARALLEL_KEY "=builtin:workflow-parallel";
        args[n++] = "--app-dsl";
        args[n++] = EMBED_IFELSE_KEY "=builtin:chatflow-ifelse";
    }
    if (o->embedded_dify) {
        args[n++] = "--behave";
        args[n++] = "dify";
    }
    if (o->embedded_form) {
        args[n++] = "--form";
        args[n++] = o->embedded_form;
    }
    for (size_t i = 0; i < o->faults.n && n + 2 < 64; i++) {
        args[n++] = "--fault";
        args[n++] = o->faults.items[i];
    }
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    hitl_err err = {0};
    int rc = hitl_refserver_config_parse(&cfg, n, (char **)args, &err);
    if (!rc)
        rc = hitl_refserver_start(&cfg, srv, &err);
    hitl_refserver_config_free(&cfg);
    if (rc) {
        fprintf(errout, "hitlcheck run: could not start the embedded reference server: %s\n",
                err.msg);
        return rc == HITL_E_ARG ? EXIT_USAGE : EXIT_UNREACHABLE;
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(*srv));
    set_str(&o->target.base_url, url);
    set_str(&o->target.api_key,
            o->target.app_mode == HITL_APP_CHATFLOW ? EMBED_CHATFLOW_KEY : EMBED_WORKFLOW_KEY);
    set_str(&o->other_key,
            o->target.app_mode == HITL_APP_CHATFLOW ? EMBED_WORKFLOW_KEY : EMBED_CHATFLOW_KEY);
    set_str(&o->chat_key, EMBED_CHAT_KEY);
    set_str(&o->global_key, o->target.app_mode == HITL_APP_CHATFLOW ? EMBED_LONG_CHATFLOW_KEY
                                                                    : EMBED_LONG_WORKFLOW_KEY);
    set_str(&o->two_node_key, o->target.app_mode == HITL_APP_CHATFLOW
                                  ? EMBED_TWO_NODE_CHATFLOW_KEY
                                  : EMBED_TWO_NODE_WORKFLOW_KEY);
    if (variants) {
        set_str(&o->parallel_key, EMBED_PARALLEL_KEY);
        set_str(&o->ifelse_key, EMBED_IFELSE_KEY);
    }
    o->target.global_timeout_s = EMBED_GLOBAL_TIMEOUT_S;
    o->target.rate_max = EMBED_RATE_MAX;
    o->target.rate_window_s = EMBED_RATE_WINDOW_S;
    if (o->target.max_wait_s < EMBED_FORM_TTL_S + 10)
        o->target.max_wait_s = EMBED_FORM_TTL_S + 10;
    return EXIT_CLEAN;
}

static bool is_loopback_url(const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *at = strchr(host, '@'); /* user information before the host */
    if (at && at < host + strcspn(host, "/?#"))
        host = at + 1;
    return !strncmp(host, "127.", 4) || !strncmp(host, "localhost", 9) ||
           !strncmp(host, "[::1]", 5);
}

/* Source addresses 127.0.0.x reach only an IPv4 loopback target. */
static bool is_ipv4_loopback(const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return false;
    host += 3;
    const char *at = strchr(host, '@');
    if (at && at < host + strcspn(host, "/?#"))
        host = at + 1;
    return !strncmp(host, "127.", 4);
}

/* Appends "--name 'value' " (value shell-quoted). */
static int quoted_opt(hitl_buf *b, const char *name, const char *value)
{
    int rc = hitl_buf_printf(b, "%s ", name);
    rc = rc ? rc : hitl_report_shell_quote(b, value);
    return rc ? rc : hitl_buf_append_str(b, " ");
}

/* The options that reach the same target again, shell-quoted, for the reproducers'
 * `hitlcheck run … --only ID` line. Secrets stay out: keys are shell variables, and the
 * -H headers and --proxy (they may carry credentials) are left for the reader to add. */
static int rerun_args(const run_opts *o, bool embedded, hitl_buf *b)
{
    const hitl_target *t = &o->target;
    int rc = 0;
    if (embedded) {
        for (size_t i = 0; !rc && i < o->faults.n; i++)
            rc = quoted_opt(b, "--embedded-fault", o->faults.items[i]);
        if (!rc && o->embedded_layout)
            rc = hitl_buf_printf(b, "--embedded-layout %s ", o->embedded_layout);
        if (!rc && o->embedded_dify)
            rc = hitl_buf_append_str(b, "--embedded-behave dify ");
        if (!rc && o->embedded_form)
            rc = quoted_opt(b, "--embedded-form", o->embedded_form);
    } else {
        rc = quoted_opt(b, "--target", t->base_url);
        rc = rc ? rc : hitl_buf_append_str(b, "--api-key \"$HITLCHECK_API_KEY\" ");
        if (!rc && o->other_key)
            rc = hitl_buf_append_str(b, "--other-api-key \"$HITLCHECK_OTHER_API_KEY\" ");
        if (!rc && o->chat_key)
            rc = hitl_buf_append_str(b, "--chat-api-key \"$HITLCHECK_CHAT_API_KEY\" ");
        if (!rc && t->global_timeout_s)
            rc = hitl_buf_printf(b, "--global-timeout %ld ", t->global_timeout_s);
        if (!rc && o->global_key)
            rc = hitl_buf_append_str(b, "--global-timeout-key \"$HITLCHECK_GLOBAL_API_KEY\" ");
        if (!rc && o->two_node_key)
            rc = hitl_buf_append_str(b, "--two-node-api-key \"$HITLCHECK_TWO_NODE_API_KEY\" ");
        if (!rc && o->parallel_key)
            rc = hitl_buf_append_str(b, "--parallel-api-key \"$HITLCHECK_PARALLEL_API_KEY\" ");
        if (!rc && o->ifelse_key)
            rc = hitl_buf_append_str(b, "--ifelse-api-key \"$HITLCHECK_IFELSE_API_KEY\" ");
        if (!rc && strcmp(t->service_base, "/v1"))
            rc = quoted_opt(b, "--service-base", t->service_base);
        if (!rc && strcmp(t->web_base, "/api"))
            rc = quoted_opt(b, "--web-base", t->web_base);
        if (!rc && (t->rate_max != 30 || t->rate_window_s != 60))
            rc = hitl_buf_printf(b, "--rate-limit %d/%d ", t->rate_max, t->rate_window_s);
        if (!rc && t->max_wait_s != 90)
            rc = hitl_buf_printf(b, "--max-wait %ld ", t->max_wait_s);
        if (!rc && o->insecure)
            rc = hitl_buf_append_str(b, "--insecure ");
        if (!rc && o->cacert)
            rc = quoted_opt(b, "--cacert", o->cacert);
        if (!rc && o->fixture_url)
            rc = quoted_opt(b, "--fixture-url", o->fixture_url);
        if (!rc && o->fixture_listen)
            rc = quoted_opt(b, "--fixture-listen", o->fixture_listen);
    }
    for (size_t i = 0; !rc && !o->blocked_default && i < o->blocked_exts.n; i++)
        rc = quoted_opt(b, "--blocked-extension", o->blocked_exts.items[i]);
    if (!rc && t->app_mode == HITL_APP_CHATFLOW)
        rc = hitl_buf_append_str(b, "--app-mode chatflow ");
    if (!rc && strcmp(t->user, "hitlcheck-user"))
        rc = quoted_opt(b, "--user", t->user);
    if (!rc && strcmp(t->inputs_json, "{}"))
        rc = quoted_opt(b, "--inputs", t->inputs_json);
    if (!rc && t->timeout_ms != 30000)
        rc = hitl_buf_printf(b, "--timeout %ld ", t->timeout_ms / 1000);
    if (!rc && o->deadline_s >= 0)
        rc = hitl_buf_printf(b, "--deadline %ld ", o->deadline_s);
    if (!rc && t->strict)
        rc = hitl_buf_append_str(b, "--strict ");
    if (!rc && o->profile == HITL_PROFILE_DIFY)
        rc = hitl_buf_append_str(b, "--profile dify ");
    if (!rc && b->len)
        b->ptr[--b->len] = '\0'; /* the trailing space */
    return rc;
}

/* After the run: applies the --expect baseline, writes --write-expect and the reports,
 * and returns the exit code: failures outside the baseline and stale entries make it 1. */
static int finish(run_opts *o, bool embedded, const char *report_dir, hitl_baseline *base,
                  const hitl_results *res, hitl_redactor *red, time_t started, FILE *out,
                  FILE *errout)
{
    const hitl_target *t = &o->target;
    hitl_err err = {0};
    hitl_report_known *known = calloc(res->n ? res->n : 1, sizeof *known);
    char **stale = calloc(base->n ? base->n : 1, sizeof *stale);
    hitl_buf rerun;
    /* The rerun line holds --inputs, one argument of up to 128 KiB (Linux's
     * MAX_ARG_STRLEN): the reproducer's cap bounds it. Should it not fit, the reproducers
     * go without the options rather than the run without its reports. */
    hitl_buf_init(&rerun, HITL_REPRODUCER_MAX);
    int code = EXIT_UNREACHABLE;
    bool write_failed = false;
    if (!known || !stale) {
        fprintf(errout, "hitlcheck run: out of memory writing the reports\n");
        goto out;
    }
    if (rerun_args(o, embedded, &rerun)) {
        hitl_buf_reset(&rerun);
        fprintf(errout,
                "hitlcheck run: the options are longer than %u bytes: the "
                "reproducers' hitlcheck lines leave them out\n",
                HITL_REPRODUCER_MAX);
    }
    size_t n_stale = 0;
    if (o->expect) {
        hitl_baseline_apply(base, res, t->strict, known);
        for (size_t i = 0; i < base->n; i++) {
            const hitl_baseline_entry *e = &base->items[i];
            if (e->state != HITL_BASELINE_FIXED)
                continue;
            char line[1024];
            snprintf(line, sizeof line, "%s:%zu: %s %s now passes: remove the entry", base->path,
                     e->line, e->id, e->surfaces == 3 ? "*" : hitl_surface_name(e->surfaces));
            stale[n_stale] = strdup(line);
            if (stale[n_stale])
                fprintf(errout, "hitlcheck run: baseline %s\n", stale[n_stale++]);
        }
    }
    if (o->write_expect) {
        /* The path was checked before the run; should the write fail now all the same,
         * the reports are still written (and the run exits 3). */
        if (hitl_baseline_write(o->write_expect, res, t->strict, red, &err)) {
            fprintf(errout, "hitlcheck run: --write-expect: %s\n", err.msg);
            write_failed = true;
        } else {
            /* The failures just recorded are by definition the expected ones. */
            for (size_t i = 0; i < res->n; i++)
                if (!known[i].reason && hitl_baseline_is_failure(&res->items[i], t->strict))
                    known[i].reason = "recorded by --write-expect";
            fprintf(out, "hitlcheck: known failures written to %s\n", o->write_expect);
        }
    }
    char fingerprint[64];
    snprintf(fingerprint, sizeof fingerprint, "upload-layout=%s",
             t->layout == HITL_LAYOUT_V1     ? "v1"
             : t->layout == HITL_LAYOUT_V2   ? "v2"
             : t->layout == HITL_LAYOUT_NONE ? "none"
                                             : "unknown");
    hitl_report_meta meta = {.target = t->base_url,
                             .harness_version = HITL_VERSION,
                             .fingerprint = fingerprint,
                             .app_mode = t->app_mode == HITL_APP_CHATFLOW ? "chatflow" : "workflow",
                             .options = (const char *const *)o->shown_opts,
                             .n_options = o->n_shown_opts,
                             .rerun_args = hitl_buf_str(&rerun),
                             .service_base = t->service_base,
                             .strict = t->strict,
                             .secrets_shown = o->show_secrets,
                             .started = started,
                             .ended = time(NULL),
                             .redactor = red,
                             .known = known,
                             .baseline_path = o->expect,
                             .profile = hitl_profile_name(o->profile),
                             .stale = (const char *const *)stale,
                             .n_stale = n_stale};
    /* Every format of the reporters' table (report.h), named in one line. */
    char files[512] = "";
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        const hitl_report_format *f = &hitl_report_formats[i];
        if (hitl_report_write(report_dir, f, res, &meta, &err)) {
            fprintf(errout, "hitlcheck run: %s\n", err.msg);
            goto out;
        }
        size_t used = strlen(files);
        snprintf(files + used, sizeof files - used, "%s%s", i ? ", " : "", f->file);
    }
    fprintf(out, "hitlcheck: reports in %s/ (%s)%s\n", report_dir, files,
            o->show_secrets ? ": SECRETS SHOWN (--show-secrets)" : "");
    size_t unexpected = 0, failures = 0;
    for (size_t i = 0; i < res->n; i++) {
        bool failure = hitl_baseline_is_failure(&res->items[i], t->strict);
        failures += failure;
        unexpected += failure && !known[i].reason;
    }
    if (failures && (o->expect || o->write_expect))
        fprintf(out, "%zu failures are known (baseline), %zu are not\n", failures - unexpected,
                unexpected);
    if (write_failed || res->stopped) /* a stopped run is incomplete, whatever it found */
        code = EXIT_UNREACHABLE;
    else if (unexpected || n_stale)
        code = EXIT_FINDING;
    else if (res->count[HITL_ERROR])
        code = EXIT_UNREACHABLE;
    else
        code = EXIT_CLEAN;
out:
    for (size_t i = 0; stale && i < base->n; i++)
        free(stale[i]);
    free(stale);
    free(known);
    hitl_buf_free(&rerun);
    return code;
}

/* set_deadline fills |eo|'s deadline from --deadline (usage documents the default): the
 * time from |start|, the rate-limit checks' own budget, and the words for the message
 * (into |what|). --deadline 0 sets none. */
static void set_deadline(const run_opts *o, const struct timespec *start,
                         hitl_scheduler_options *eo, char *what, size_t cap)
{
    const hitl_target *t = &o->target;
    if (o->deadline_s == 0)
        return;
    long timeout_s = (t->timeout_ms + 999) / 1000;
    long s = o->deadline_s;
    if (s > 0) {
        snprintf(what, cap, "--deadline %ld s", s);
    } else {
        /* Every check before the rate-limit phase waits at most --max-wait in one go (a
         * longer wait is SKIPped) and a request at most --timeout: twice each leaves a
         * healthy target's run room, and ends a hostile one before it costs minutes. */
        s = 2 * t->max_wait_s + 2 * timeout_s;
        /* A rate-limit check outwaits up to three windows, and may space its requests
         * 1.1 s apart three times over (ratelimit.buckets.independent: one bucket each). */
        long pace_s = (hitl_target_rate_pace_ms(t) * t->rate_max + 999) / 1000;
        eo->exclusive_check_s = 3 * ((long)t->rate_window_s + 1 + pace_s) + 2 * timeout_s;
        snprintf(what, cap,
                 "the default --deadline: 2 x --max-wait + 2 x --timeout = %ld s before the "
                 "rate-limit checks, and %ld s for each of them",
                 s, eo->exclusive_check_s);
    }
    eo->deadline_at = *start;
    eo->deadline_at.tv_sec += (time_t)s;
    eo->deadline_what = what;
}

/* Whether a WEB check of |area| asks for a WEB upload token: about one each (measured from
 * one address: 71 tokens for the 65 WEB checks of these areas). */
static bool asks_web_token(const char *area)
{
    static const char *const AREAS[] = {"submit", "upload", "upload-token", "remote", "expiry"};
    for (size_t i = 0; i < sizeof AREAS / sizeof AREAS[0]; i++)
        if (area && !strcmp(area, AREAS[i]))
            return true;
    return false;
}

/* print_plan is --dry-run: what the scheduler will do with the selected checks and the
 * waits known in advance, and the wall time that predicts, without sending anything. The
 * slow checks wait for a form's expiry or the global timeout (the embedded server's are
 * known; a target's are bounded by --max-wait); each rate-limit check outwaits at most its
 * budget (set_deadline: 3 windows, its pacing, 2 x --timeout). */
static void print_plan(const run_opts *o, const hitl_catalog *cat, const bool *sel, FILE *out)
{
    const hitl_target *t = &o->target;
    bool embedded = !t->base_url;
    int rate_max = embedded ? EMBED_RATE_MAX : t->rate_max;
    int window = embedded ? EMBED_RATE_WINDOW_S : t->rate_window_s;
    size_t n = 0, slow = 0, rl = 0, web_tokens = 0;
    for (size_t i = 0; i < cat->n; i++) {
        if (!sel[i])
            continue;
        const hitl_catalog_entry *e = &cat->entries[i];
        web_tokens += e->surfaces & HITL_SURFACE_WEB && !e->exclusive && asks_web_token(e->area);
        size_t k =
            (e->surfaces & HITL_SURFACE_WEB ? 1 : 0) + (e->surfaces & HITL_SURFACE_SERVICE ? 1 : 0);
        n += k;
        bool is_slow = false;
        for (size_t g = 0; g < e->n_tags; g++)
            is_slow |= !strcmp(e->tags[g], "slow");
        rl += e->exclusive ? k : 0;
        slow += !e->exclusive && is_slow ? k : 0;
    }
    long slow_s = embedded ? EMBED_GLOBAL_TIMEOUT_S + 1 : t->max_wait_s;
    hitl_target est = *t;
    est.rate_max = rate_max;
    est.rate_window_s = window;
    long pace_s = (hitl_target_rate_pace_ms(&est) * rate_max + 999) / 1000;
    /* The waits known in advance: at most three windows (+1 s) and one paced fill. The
     * deadline's budget adds room for slow requests (set_deadline); the plan does not. */
    long rl_s = 3 * ((long)window + 1) + pace_s;
    bool loop4 = embedded || is_ipv4_loopback(t->base_url);
    long concurrent = rl && slow_s < rl_s ? rl_s : slow ? slow_s : rl ? rl_s : 0;
    long sequential = (slow ? slow_s : 0) + (long)rl * rl_s;
    /* One source address: every WEB form request of the run shares one bucket per limiter.
     * The other checks end no sooner than their upload tokens fit (Dify has no Service API
     * upload-token route): rate_max per window + 1 s, the first rate_max at once. Then the
     * rate-limit checks, bounded by the GET bucket: four windows (+1 s) and four paced
     * fills (get.limit's fill, recovers' window, buckets.independent's submit-step GET,
     * same-second, counts-404's fill, independent's upload-token-step GET: measured with
     * bench/time_to_verdict.sh). */
    long token_windows = rate_max > 0 && (long)web_tokens > rate_max
                             ? ((long)web_tokens + rate_max - 1) / rate_max - 1
                             : 0;
    long fill_s = (hitl_target_rate_pace_ms(&est) * (rate_max - 1) + 999) / 1000;
    long one_address =
        token_windows * ((long)window + 1) + (rl ? 4 * ((long)window + 1 + fill_s) : 0);
    one_address = slow && slow_s > one_address ? slow_s : one_address;
    fprintf(out,
            "hitlcheck: plan for %zu checks against %s (--dry-run: nothing is sent)\n"
            "  %zu in a pool of %ld parallel jobs; %zu slow, each on a thread of its own, "
            "waiting up to %ld s (%s)\n",
            n, embedded ? "the embedded reference server" : t->base_url, n - slow - rl,
            o->jobs ? o->jobs : 4, slow, slow_s,
            embedded ? "the embedded server's global timeout + 1 s"
                     : "--max-wait: the form's expiry or the global timeout, longer is SKIP");
    if (rl)
        fprintf(out,
                "  %zu rate-limit checks, each outwaiting about %ld s (3 windows of %d s + 1 s, "
                "a paced fill of %ld s): %s\n",
                rl, rl_s, window, pace_s,
                loop4 ? "beside the rest, each from fresh source addresses of its own, when "
                        "those verify distinct at the start; else alone, one after another, "
                        "after the rest"
                      : "beside the rest, one after another on each bucket they fill and hold "
                        "(one source address); those needing a full GET bucket share one fill");
    if (loop4 && rl)
        fprintf(out,
                "  predicted wall time: about %ld s (sources distinct), about %ld s "
                "(sources not distinct: one after another)\n",
                concurrent, sequential);
    else
        fprintf(out, "  predicted wall time: about %ld s\n", rl ? one_address : sequential);
}

/* Writes the --trace file once the run has ended (every token known to the redactor by
 * then) and returns the run's exit code, made 3 when the file cannot be written. */
static int write_trace(hitl_trace *trace, const run_opts *o, hitl_redactor *red, int code,
                       FILE *out, FILE *errout)
{
    hitl_err err = {0};
    char *title = hitl_redactor_apply(red, o->target.base_url);
    hitl_trace_meta tm = {.version = HITL_VERSION, .title = title, .redactor = red};
    int rc = hitl_trace_write(trace, o->trace, &tm, &err);
    free(title);
    if (rc) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        return code == EXIT_USAGE ? code : EXIT_UNREACHABLE;
    }
    size_t dropped = hitl_trace_dropped(trace);
    size_t n = hitl_trace_count(trace);
    fprintf(out, "hitlcheck: trace of %zu HTTP exchange%s in %s (HAR 1.2)%s", n, n == 1 ? "" : "s",
            o->trace, o->show_secrets ? ": SECRETS SHOWN (--show-secrets)" : "");
    if (dropped)
        fprintf(out, "; %zu more past its %u MiB cap are only counted", dropped,
                HITL_TRACE_TOTAL_MAX >> 20);
    fputc('\n', out);
    return code;
}

static int run(run_opts *o, FILE *out, FILE *errout)
{
    int code = EXIT_UNREACHABLE;
    hitl_err err = {0};
    hitl_catalog cat = {0};
    hitl_fixture *fixture = NULL;
    hitl_refserver *srv = NULL;
    hitl_http *http = NULL;
    hitl_redactor *red = NULL;
    bool *sel = NULL;
    hitl_check_impl *impls = NULL;
    hitl_results res = {0};
    hitl_baseline base = {0};
    hitl_deviations devs = {0};
    hitl_trace *trace = NULL;
    hitl_target *t = &o->target;
    const char *report_dir = o->report_dir ? o->report_dir : "reports";
    struct timespec run_start; /* the --deadline counts from here */
    clock_gettime(CLOCK_MONOTONIC, &run_start);

    size_t n_impls = hitl_checks_count();
    impls = calloc(n_impls ? n_impls : 1, sizeof *impls);
    if (!impls || hitl_catalog_load_builtin(&cat, &err) ||
        hitl_catalog_bind(&cat, (hitl_checks_copy(impls, n_impls), impls), n_impls, &err) ||
        hitl_deviations_load_builtin(&devs, &err) ||
        hitl_deviations_check_catalog(&devs, &cat, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg[0] ? err.msg : "out of memory");
        goto out;
    }
    sel = calloc(cat.n ? cat.n : 1, sizeof *sel);
    if (!sel ||
        hitl_catalog_select(&cat, (const char *const *)o->only.items, o->only.n,
                            (const char *const *)o->exclude.items, o->exclude.n, sel, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        code = EXIT_USAGE;
        goto out;
    }
    if (o->dry_run) {
        print_plan(o, &cat, sel, out);
        code = EXIT_CLEAN;
        goto out;
    }
    /* Configuration problems surface before any check runs, not after minutes of work. */
    if ((o->expect && (hitl_baseline_load(o->expect, &base, &err) ||
                       hitl_baseline_check_catalog(&base, &cat, &err))) ||
        hitl_report_prepare_dir(report_dir, &err) ||
        (o->trace && hitl_trace_check_path(o->trace, &err)) ||
        (o->write_expect && hitl_baseline_check_path(o->write_expect, &err))) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        code = EXIT_USAGE;
        goto out;
    }

    /* The redactor knows every secret given before the embedded server replaces the keys:
     * a --api-key given with no --target is still a secret. The options shown in the
     * reports have their credentials masked (and registered here). */
    if (hitl_redactor_new(&red, !o->show_secrets, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        goto out;
    }
    hitl_redactor_add(red, t->api_key, "api-key");
    /* Labelled as hitl_redact_argv labels their options: a reproducer's curl line then
     * sends the variable of the key the request used (reproducer.c). */
    hitl_redactor_add(red, o->other_key, "other-api-key");
    hitl_redactor_add(red, o->chat_key, "chat-api-key");
    hitl_redactor_add(red, o->global_key, "global-api-key");
    hitl_redactor_add(red, o->two_node_key, "two-node-api-key");
    hitl_redactor_add(red, o->parallel_key, "parallel-api-key");
    hitl_redactor_add(red, o->ifelse_key, "ifelse-api-key");
    if (t->base_url) { /* also from HITLCHECK_TARGET: its password is a secret too */
        const char *pair[] = {"--target", t->base_url};
        hitl_redact_argv_free(hitl_redact_argv(red, pair, 2), 2);
    }
    o->n_shown_opts = o->argc > 0 ? (size_t)o->argc - 1 : 0;
    o->shown_opts = hitl_redact_argv(red, (const char *const *)o->argv + 1, o->n_shown_opts);
    if (!o->shown_opts) {
        o->n_shown_opts = 0;
        fprintf(errout, "hitlcheck run: out of memory\n");
        goto out;
    }

    const char *listen = o->fixture_listen ? o->fixture_listen : "127.0.0.1:0";
    if (hitl_fixture_start(listen, &fixture, &err)) {
        fprintf(errout, "hitlcheck run: --fixture-listen %s: %s\n", listen, err.msg);
        code = EXIT_USAGE;
        goto out;
    }
    bool embedded = !t->base_url;
    if (embedded) {
        code = start_embedded(o, hitl_fixture_port(fixture), &srv, errout);
        if (code != EXIT_CLEAN)
            goto out;
        /* The variant apps' keys are no secrets here, but labelled they make the
         * reproducers of their checks send $HITLCHECK_PARALLEL_API_KEY… as against a
         * real target, not the target's key. */
        hitl_redactor_add(red, o->parallel_key, "parallel-api-key");
        hitl_redactor_add(red, o->ifelse_key, "ifelse-api-key");
        code = EXIT_UNREACHABLE;
        fprintf(out, "hitlcheck: no --target given: checking the embedded reference server at %s\n",
                t->base_url);
    }
    char fixture_base[512];
    if (o->fixture_url) {
        snprintf(fixture_base, sizeof fixture_base, "%s", o->fixture_url);
    } else {
        char host[256];
        snprintf(host, sizeof host, "%s", listen);
        char *colon = strrchr(host, ':');
        if (colon)
            *colon = '\0';
        snprintf(fixture_base, sizeof fixture_base, "http://%s:%u", host,
                 (unsigned)hitl_fixture_port(fixture));
    }

    /* --trace: the client's exchange hook sees every request of the run. The -H headers
     * may carry credentials: the trace masks their values like Authorization's. */
    hitl_trace_config tc = {.body_max = HITL_TRACE_BODY_MAX,
                            .mask_headers = (const char *const *)o->headers.items,
                            .n_mask_headers = o->headers.n};
    if (o->trace && hitl_trace_new(&trace, &tc, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        goto out;
    }
    hitl_http_config hc = {.proxy = o->proxy,
                           .insecure = o->insecure,
                           .cacert = o->cacert,
                           .timeout_ms = t->timeout_ms,
                           .headers = (const char *const *)o->headers.items,
                           .n_headers = o->headers.n,
                           .on_exchange = trace ? hitl_trace_record : NULL,
                           .exchange_user = trace,
                           .exchange_body_max = HITL_TRACE_BODY_MAX};
    if (hitl_http_new(&http, &hc, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        goto out;
    }
    hitl_redactor_add(red, t->api_key, "api-key"); /* the embedded server's keys */
    /* Labelled as hitl_redact_argv labels their options: a reproducer's curl line then
     * sends the variable of the key the request used (reproducer.c). */
    hitl_redactor_add(red, o->other_key, "other-api-key");
    hitl_redactor_add(red, o->chat_key, "chat-api-key");
    hitl_redactor_add(red, o->global_key, "global-api-key");
    hitl_redactor_add(red, o->two_node_key, "two-node-api-key");
    hitl_redactor_add(red, o->parallel_key, "parallel-api-key");
    hitl_redactor_add(red, o->ifelse_key, "ifelse-api-key");

    if (hitl_flow_probe(http, t, &err)) {
        char *msg = hitl_redactor_apply(red, err.msg);
        fprintf(errout, "hitlcheck run: the target is unreachable: %s\n", msg ? msg : "");
        free(msg);
        goto out;
    }
    /* One run must pause at a Human Input node before any check runs: a target that is not
     * (configured as) a Human Input API is one message naming the option to change. */
    char preflight_note[HITL_ERR_MSG_MAX];
    int pf = hitl_preflight_run(http, t, red, preflight_note, sizeof preflight_note, &err);
    if (pf || preflight_note[0]) {
        char *msg = hitl_redactor_apply(red, pf ? err.msg : preflight_note);
        fprintf(pf ? errout : out, "hitlcheck%s: %s\n", pf ? " run: preflight" : "",
                msg ? msg : "");
        free(msg);
        if (pf)
            goto out;
    }
    hitl_run_env env = {.fixture = fixture,
                        .fixture_base = fixture_base,
                        .other_app_key = o->other_key,
                        .chat_app_key = o->chat_key,
                        .global_app_key = o->global_key,
                        .two_node_app_key = o->two_node_key,
                        .parallel_app_key = o->parallel_key,
                        .ifelse_app_key = o->ifelse_key,
                        .blocked_extensions = (const char *const *)o->blocked_exts.items,
                        .n_blocked_extensions = o->blocked_exts.n,
                        .loopback = is_loopback_url(t->base_url),
                        .sources_seen_as_sent = embedded};
    env.source_ip_alt = env.loopback ? "127.0.0.2" : NULL;

    size_t total = 0;
    for (size_t i = 0; i < cat.n; i++)
        if (sel[i])
            total += (cat.entries[i].surfaces & HITL_SURFACE_WEB ? 1 : 0) +
                     (cat.entries[i].surfaces & HITL_SURFACE_SERVICE ? 1 : 0);
    bool tty = isatty(fileno(out));
    bool color = tty && !o->no_color && !getenv("NO_COLOR");
    hitl_console con;
    hitl_console_init(&con, out, tty, color, o->verbosity, total);
    char *shown_url = hitl_redactor_apply(red, t->base_url); /* a password in the URL */
    fprintf(out, "hitlcheck: %zu checks against %s (app mode %s, surfaces %s, upload layout %s)\n",
            total, shown_url ? shown_url : "",
            t->app_mode == HITL_APP_CHATFLOW ? "chatflow" : "workflow",
            t->surfaces == 3                  ? "web+service"
            : t->surfaces == HITL_SURFACE_WEB ? "web"
                                              : "service",
            t->layout == HITL_LAYOUT_V2     ? "v2 (/api/human-input-forms/files)"
            : t->layout == HITL_LAYOUT_NONE ? "none (no Human Input upload route)"
                                            : "v1 (/api/form/human_input/files/…)");
    free(shown_url);
    hitl_scheduler_options eo = {.jobs = (int)(o->jobs ? o->jobs : 4),
                                 .strict = t->strict,
                                 .env = &env,
                                 .distinct_sources = env.loopback && is_ipv4_loopback(t->base_url),
                                 .on_start = hitl_console_on_start,
                                 .on_done = hitl_console_on_done,
                                 .on_wait = hitl_console_on_wait,
                                 .user = &con,
                                 .profile = o->profile,
                                 .deviations = &devs};
    /* On loopback: are the source addresses distinct clients? Then the rate-limit checks run
     * beside the rest; two of them counted together is the one-bucket fact (check.h). */
    char sources_why[512] = "", one_bucket[1280];
    eo.pace_web = !eo.distinct_sources; /* one address: one bucket by construction */
    if (eo.distinct_sources && (t->surfaces & HITL_SURFACE_WEB)) {
        eo.exclusive_concurrent = hitl_sources_verify(http, t, sources_why, sizeof sources_why);
        if (!strncmp(sources_why, "one bucket: ", 12)) {
            snprintf(one_bucket, sizeof one_bucket,
                     "the target counts distinct client addresses in one bucket: before the "
                     "checks, %s. A front end that does not pass the client's address (nginx "
                     "without `proxy_set_header X-Forwarded-For`, the app keying its limits on "
                     "the peer address; or Docker's userland proxy) makes every client one. The "
                     "run paced its WEB form requests (%d per %d s for each limiter, all checks "
                     "together)",
                     sources_why + 12, t->rate_max, t->rate_window_s);
            eo.one_bucket = one_bucket;
        }
    }
    char deadline_what[256];
    set_deadline(o, &run_start, &eo, deadline_what, sizeof deadline_what);
    time_t started = time(NULL);
    if (hitl_scheduler_run(&cat, sel, t, http, red, &eo, &res, &err)) {
        fprintf(errout, "hitlcheck run: %s\n", err.msg);
        goto out;
    }
    hitl_console_summary(&con, &res);
    code = finish(o, embedded, report_dir, &base, &res, red, started, out, errout);
    if (res.stopped) /* already redacted; one line on stderr, whatever the verbosity */
        fprintf(errout, "hitlcheck run: stopped: %s\n", res.stopped);
out:
    /* Also after a failed probe: the trace shows what the target answered, if anything. */
    if (trace && red)
        code = write_trace(trace, o, red, code, out, errout);
    hitl_baseline_free(&base);
    hitl_results_free(&res);
    hitl_deviations_free(&devs);
    free(sel);
    free(impls);
    hitl_catalog_free(&cat);
    hitl_http_free(http);
    hitl_redactor_free(red);
    hitl_trace_free(trace);
    if (srv)
        hitl_refserver_stop(srv);
    if (fixture)
        hitl_fixture_stop(fixture);
    return code;
}

int hitl_cmd_run(int argc, char **argv, FILE *out, FILE *errout)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    hitl_target_init(&o.target);
    o.verbosity = 1;
    o.deadline_s = -1;
    o.argc = argc;
    o.argv = argv;
    int code = parse_args(&o, argc, argv, out, errout);
    if (code < 0)
        code = run(&o, out, errout);
    opts_free(&o);
    return code;
}
