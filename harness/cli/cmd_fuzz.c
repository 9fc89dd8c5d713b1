/* cmd_fuzz.c: `hitlcheck fuzz`: coverage-guided security fuzzing of a deployment's Human Input
 * endpoints, or, with no --target, of the reference server started in-process.
 *
 * The process layout: libFuzzer's loop never returns (it ends the process), so the command
 * forks one child per job before anything else starts; each child starts its own embedded
 * server (no --target), runs its campaign and leaves its finding files and a stats file in the
 * report folder; the parent waits, turns an in-process crash (a sanitizer report, a signal)
 * into a finding, and writes the reports from the finding files of every job. */
#include "commands.h"
#include "cli_util.h"
#include "fuzz_jobs.h"

#include "hitl/deviation.h"
#include "hitl/fuzz.h"
#include "hitl/fuzz_finding.h"
#include "hitl/fuzz_report.h"
#include "hitl/version.h"
#include "refserver/planted_bugs.h"
#include "refserver/refserver.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_CLEAN = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };
/* A child's own exit codes (besides the three above): libFuzzer's crash and timeout codes. */
enum { CHILD_CRASH = 77, CHILD_HANG = 70 };

#define EMBED_KEY "app-hitl-workflow"

static const char USAGE[] =
    "Usage: hitlcheck fuzz [options]\n"
    "\n"
    "Coverage-guided security fuzzing of the Human Input endpoints: libFuzzer's engine mutates\n"
    "scenarios (get a live form, issue upload tokens, upload with mutated multipart names, types,\n"
    "parts and sizes, submit with hostile and huge values, deep nesting, odd Unicode, NUL and\n"
    "lone surrogate escapes, duplicate keys, another form's file, two submits at once, re-join\n"
    "the run's events), guided by the answers' features (operation, status, error code, message\n"
    "template). A finding is a 5xx, no answer within --timeout, a dropped connection, a 4xx\n"
    "whose body is not the error shape, a broken invariant (a submitted form accepting another\n"
    "submit, a rejected submit consuming the form, a 200 for what the contract rejects, an\n"
    "upload accepted without a valid token, two concurrent submits both accepted, another\n"
    "form's token in an answer) or, in-process, a crash or sanitizer report.\n"
    "With no --target it fuzzes the embedded reference server in-process.\n"
    "\n"
    "Target:\n"
    "  --target URL          the deployment's base URL (its origin is the only one contacted)\n"
    "  --api-key KEY         its workflow app's API key (runs are started with it)\n"
    "  --surface S           service (default: the Service API, not rate limited) or web\n"
    "  --rate-limit N/S      web: at most N requests per S seconds (default 30/60)\n"
    "  --user ID             the end user the runs are started for (default hitlcheck-fuzz)\n"
    "  --profile P           contract (default) or dify: genuine Dify's recorded deviations\n"
    "                        (specs/deviations.json) are no findings; of them the fuzzer meets\n"
    "                        file-owner.other-form-accepted (a file of another form accepted)\n"
    "  --timeout MS          a request without an answer after MS ms is a finding (default 5000)\n"
    "  --yes                 proceed against a non-loopback target without asking: the campaign\n"
    "                        starts runs and consumes forms there\n"
    "Campaign:\n"
    "  --duration S          seconds to fuzz (default 60); a job still running 210 s + 10 x\n"
    "                        --timeout (in s) after that is killed and reported as a finding\n"
    "  --max-requests N      stop after about N requests (default: no cap)\n"
    "  --jobs N              parallel campaigns (processes), each with its own seed (default 1)\n"
    "  --seed N              libFuzzer's seed (default 1; job i uses N+i)\n"
    "  --corpus DIR          the corpus folder: read at start, new inputs saved there (default\n"
    "                        REPORT-DIR/corpus); the seeds are written into it first\n"
    "  --no-seeds            do not write the seeds (start from the corpus as it is)\n"
    "  --no-minimize         write findings as found, without shrinking their scenario\n"
    "  --stop-on-finding     end the campaign at its first finding (CI)\n"
    "  --report-dir DIR      where reports and findings go (default hitlcheck-fuzz)\n"
    "  --replay FILE         run a finding's scenario again (REPORT-DIR/findings/ID.json): exit\n"
    "                        1 when it fires again, 0 when it does not\n"
    "Embedded server (no --target; for tests):\n"
    "  --embedded-bug NAME   turn on a planted bug (repeatable; hitl-refserver --list-bugs)\n"
    "Other:\n"
    "  --help                this text\n"
    "\n"
    "Reports: REPORT-DIR/report.json, junit.xml, results.sarif (security findings) and\n"
    "report.html; per finding findings/ID.json (the scenario, the failing request, secrets as\n"
    "placeholders) and findings/ID.sh (a curl reproducer). A progress line every 5 s goes to\n"
    "stderr; libFuzzer's\n"
    "own output to REPORT-DIR/libfuzzer-JOB.log.\n"
    "Exit codes: 0 no finding; 1 findings; 2 usage error; 3 target unreachable (or no run could\n"
    "be started on it).\n";

typedef struct fuzz_opts {
    const char *target, *api_key, *user, *corpus, *replay;
    const char *report_dir;
    bool web, yes, no_seeds, no_minimize, stop_on_finding, other_form_files_accepted;
    unsigned rate_max, rate_window;
    long timeout_ms, duration_s, jobs, seed;
    long long max_requests;
    hitl_strvec bugs;
} fuzz_opts;

static int parse_rate(const char *s, unsigned *max, unsigned *window)
{
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (end == s || *end != '/' || n == 0 || n > 100000)
        return -1;
    const char *w = end + 1;
    unsigned long sec = strtoul(w, &end, 10);
    if (end == w || *end || sec == 0 || sec > 86400)
        return -1;
    *max = (unsigned)n;
    *window = (unsigned)sec;
    return 0;
}

static int parse_opts(fuzz_opts *o, int argc, char **argv, FILE *out, FILE *errout, bool *help)
{
    enum {
        O_TARGET = 256,
        O_KEY,
        O_SURFACE,
        O_RATE,
        O_USER,
        O_TIMEOUT,
        O_YES,
        O_DURATION,
        O_MAXREQ,
        O_JOBS,
        O_SEED,
        O_CORPUS,
        O_NOSEEDS,
        O_NOMIN,
        O_STOP,
        O_PROFILE,
        O_REPORT,
        O_REPLAY,
        O_EBUG,
        O_HELP
    };
    static const struct option LONG[] = {{"target", required_argument, NULL, O_TARGET},
                                         {"api-key", required_argument, NULL, O_KEY},
                                         {"surface", required_argument, NULL, O_SURFACE},
                                         {"rate-limit", required_argument, NULL, O_RATE},
                                         {"user", required_argument, NULL, O_USER},
                                         {"timeout", required_argument, NULL, O_TIMEOUT},
                                         {"yes", no_argument, NULL, O_YES},
                                         {"duration", required_argument, NULL, O_DURATION},
                                         {"max-requests", required_argument, NULL, O_MAXREQ},
                                         {"jobs", required_argument, NULL, O_JOBS},
                                         {"seed", required_argument, NULL, O_SEED},
                                         {"corpus", required_argument, NULL, O_CORPUS},
                                         {"no-seeds", no_argument, NULL, O_NOSEEDS},
                                         {"no-minimize", no_argument, NULL, O_NOMIN},
                                         {"stop-on-finding", no_argument, NULL, O_STOP},
                                         {"profile", required_argument, NULL, O_PROFILE},
                                         {"report-dir", required_argument, NULL, O_REPORT},
                                         {"replay", required_argument, NULL, O_REPLAY},
                                         {"embedded-bug", required_argument, NULL, O_EBUG},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":h", LONG, NULL)) != -1) {
        switch (c) {
        case O_TARGET:
            o->target = optarg;
            break;
        case O_KEY:
            o->api_key = optarg;
            break;
        case O_SURFACE:
            if (strcmp(optarg, "web") && strcmp(optarg, "service")) {
                fprintf(errout, "hitlcheck fuzz: --surface '%s': use service or web\n", optarg);
                return EXIT_USAGE;
            }
            o->web = !strcmp(optarg, "web");
            break;
        case O_RATE:
            if (parse_rate(optarg, &o->rate_max, &o->rate_window)) {
                fprintf(errout, "hitlcheck fuzz: --rate-limit '%s': use N/S, e.g. 30/60\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_USER:
            o->user = optarg;
            break;
        case O_TIMEOUT:
            if (!hitl_cli_parse_long(optarg, 100, 600000, &o->timeout_ms)) {
                fprintf(errout, "hitlcheck fuzz: --timeout '%s': milliseconds, 100-600000\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case O_YES:
            o->yes = true;
            break;
        case O_DURATION:
            if (!hitl_cli_parse_long(optarg, 1, 7 * 86400, &o->duration_s)) {
                fprintf(errout, "hitlcheck fuzz: --duration '%s': seconds, 1-604800\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_MAXREQ:
            if (!hitl_cli_parse_long(optarg, 1, 2000000000L, &v)) {
                fprintf(errout, "hitlcheck fuzz: --max-requests '%s': a number, 1-2000000000\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->max_requests = v;
            break;
        case O_JOBS:
            if (!hitl_cli_parse_long(optarg, 1, 64, &o->jobs)) {
                fprintf(errout, "hitlcheck fuzz: --jobs '%s': a number, 1-64\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_SEED:
            if (!hitl_cli_parse_long(optarg, 0, 2000000000L, &o->seed)) {
                fprintf(errout, "hitlcheck fuzz: --seed '%s': a number, 0-2000000000\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_CORPUS:
            o->corpus = optarg;
            break;
        case O_NOSEEDS:
            o->no_seeds = true;
            break;
        case O_NOMIN:
            o->no_minimize = true;
            break;
        case O_STOP:
            o->stop_on_finding = true;
            break;
        case O_PROFILE: {
            hitl_profile p;
            if (hitl_profile_parse(optarg, &p)) {
                fprintf(errout, "hitlcheck fuzz: --profile '%s': use contract or dify\n", optarg);
                return EXIT_USAGE;
            }
            o->other_form_files_accepted = false;
            if (p == HITL_PROFILE_DIFY) {
                /* The deviations are data: the suppression holds only while the record does. */
                hitl_deviations d = {0};
                hitl_err derr = {0};
                if (!hitl_deviations_load_builtin(&d, &derr))
                    o->other_form_files_accepted =
                        hitl_deviations_find(&d, "file-owner.other-form-accepted") != NULL;
                hitl_deviations_free(&d);
            }
            break;
        }
        case O_REPORT:
            o->report_dir = optarg;
            break;
        case O_REPLAY:
            o->replay = optarg;
            break;
        case O_EBUG: {
            hitl_refserver_config cfg;
            hitl_refserver_config_init(&cfg);
            hitl_err err = {0};
            if (hitl_refserver_bug_enable(&cfg, optarg, &err)) {
                fprintf(errout,
                        "hitlcheck fuzz: --embedded-bug: unknown planted bug '%s' "
                        "(hitl-refserver --list-bugs)\n",
                        optarg);
                return EXIT_USAGE;
            }
            hitl_strvec_push(&o->bugs, optarg);
            break;
        }
        case 'h':
        case O_HELP:
            fputs(USAGE, out);
            *help = true;
            return EXIT_CLEAN;
        default:
            hitl_cli_bad_option(errout, "fuzz", argc, argv, c);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(errout, "hitlcheck fuzz: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (o->target && !o->api_key) {
        fprintf(errout, "hitlcheck fuzz: --target needs --api-key (the workflow app's key)\n");
        return EXIT_USAGE;
    }
    if (o->target && o->bugs.n) {
        fprintf(errout, "hitlcheck fuzz: --embedded-bug applies only without --target\n");
        return EXIT_USAGE;
    }
    if (o->target && strncmp(o->target, "http://", 7) && strncmp(o->target, "https://", 8)) {
        fprintf(errout, "hitlcheck fuzz: --target '%s': an http:// or https:// URL\n", o->target);
        return EXIT_USAGE;
    }
    return -1; /* go on */
}

/* is_loopback: the target's host is 127.0.0.0/8, ::1 or localhost. */
static bool is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *at = strchr(h, '@');
    const char *slash = strchr(h, '/');
    if (at && (!slash || at < slash))
        h = at + 1;
    char host[256];
    size_t n = 0;
    if (*h == '[') {
        h++;
        while (*h && *h != ']' && n + 1 < sizeof host)
            host[n++] = *h++;
    } else {
        while (*h && *h != ':' && *h != '/' && n + 1 < sizeof host)
            host[n++] = *h++;
    }
    host[n] = '\0';
    return !strncmp(host, "127.", 4) || !strcmp(host, "::1") || !strcmp(host, "localhost");
}

/* The target as reports show it: scheme, host and port, no user information. */
static void target_label(const char *url, char *out, size_t cap)
{
    if (!url) {
        snprintf(out, cap, "embedded");
        return;
    }
    const char *h = strstr(url, "://");
    const char *at = h ? strchr(h + 3, '@') : NULL;
    const char *slash = h ? strchr(h + 3, '/') : NULL;
    if (h && at && (!slash || at < slash))
        snprintf(out, cap, "%.*s%s", (int)(h + 3 - url), url, at + 1);
    else
        snprintf(out, cap, "%s", url);
}

static int mkdir_p(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static int start_embedded(const fuzz_opts *o, hitl_refserver **srv, char *url, size_t cap,
                          FILE *errout)
{
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    /* The Service API is not rate limited; WEB gets no limiter either in-process, so the
     * campaign measures the server, not the limiter. */
    const char *args[] = {"hitl-refserver", "--port", "0", "--no-rate-limit", "--threads", "4"};
    hitl_err err = {0};
    int rc =
        hitl_refserver_config_parse(&cfg, (int)(sizeof args / sizeof args[0]), (char **)args, &err);
    for (size_t i = 0; !rc && i < o->bugs.n; i++)
        rc = hitl_refserver_bug_enable(&cfg, o->bugs.items[i], &err);
    if (!rc)
        rc = hitl_refserver_start(&cfg, srv, &err);
    hitl_refserver_config_free(&cfg);
    if (rc) {
        fprintf(errout, "hitlcheck fuzz: could not start the embedded reference server: %s\n",
                err.msg);
        return EXIT_UNREACHABLE;
    }
    snprintf(url, cap, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(*srv));
    return 0;
}

static void fill_target(const fuzz_opts *o, const char *url, hitl_fuzz_target *t)
{
    *t = (hitl_fuzz_target){.base_url = url,
                            .api_key = o->target ? o->api_key : EMBED_KEY,
                            .user = o->user,
                            .web = o->web,
                            .timeout_ms = o->timeout_ms,
                            .rate_max = o->target && o->web ? o->rate_max : 0,
                            .rate_window_s = o->rate_window,
                            .other_form_files_accepted = o->other_form_files_accepted};
}

/* ---- --replay ----------------------------------------------------------------------------- */

static int replay(fuzz_opts *o, FILE *out, FILE *errout)
{
    hitl_fuzz_finding fd;
    hitl_err err = {0};
    if (hitl_fuzz_finding_load(o->replay, &fd, &err)) {
        fprintf(errout, "hitlcheck fuzz: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (!o->target)
        for (size_t i = 0; i < fd.n_bugs; i++) {
            bool have = false;
            for (size_t k = 0; k < o->bugs.n; k++)
                have |= !strcmp(o->bugs.items[k], fd.bugs[i]);
            if (!have)
                hitl_strvec_push(&o->bugs, fd.bugs[i]);
        }
    o->web = fd.web;
    hitl_refserver *srv = NULL;
    char url[256];
    if (!o->target) {
        int rc = start_embedded(o, &srv, url, sizeof url, errout);
        if (rc)
            return rc;
    }
    hitl_fuzz_target t;
    fill_target(o, o->target ? o->target : url, &t);
    hitl_fuzz *f = NULL;
    int code = EXIT_CLEAN;
    if (hitl_fuzz_new(&f, &t, &err) || hitl_fuzz_prepare(f, &err)) {
        fprintf(errout,
                "hitlcheck fuzz: the target is unreachable or no run could be started: %s\n",
                err.msg);
        code = EXIT_UNREACHABLE;
    } else {
        char *desc = hitl_fuzz_describe(fd.data, fd.len);
        fprintf(out, "hitlcheck fuzz: replaying %s (%s)\n%s", o->replay, fd.signature,
                desc ? desc : "");
        free(desc);
        /* A race fires now and then: five tries before "did not reproduce". */
        for (int attempt = 0; attempt < 5 && code == EXIT_CLEAN; attempt++) {
            hitl_fuzz_outcome oc;
            if (hitl_fuzz_exec(f, fd.data, fd.len, &oc, &err)) {
                fprintf(errout, "hitlcheck fuzz: setup failed: %s\n", err.msg);
                code = EXIT_UNREACHABLE;
            } else if (oc.found && !strcmp(oc.signature, fd.signature)) {
                fprintf(out, "reproduced: %s\n  %s\n", oc.signature, oc.detail);
                code = EXIT_FINDING;
            } else if (oc.found) {
                fprintf(out, "attempt %d: another finding fired: %s\n", attempt + 1, oc.signature);
            }
            hitl_fuzz_outcome_clear(&oc);
        }
        if (code == EXIT_CLEAN)
            fprintf(out, "did not reproduce: %s (5 attempts)\n", fd.signature);
    }
    hitl_fuzz_free(f);
    hitl_refserver_stop(srv);
    return code;
}

/* ---- the campaign's child ----------------------------------------------------------------- */

typedef struct child_ctx {
    const char *report_dir;
    unsigned job;
    hitl_refserver *srv;
} child_ctx;

static void write_stats(const hitl_fuzz_campaign *c, const child_ctx *cc)
{
    hitl_fuzz_stats st;
    hitl_fuzz_stats_get(c->session, &st);
    char path[4096];
    snprintf(path, sizeof path, "%s/stats-%u.json", cc->report_dir, cc->job);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f,
            "{\"seconds\":%.3f,\"requests\":%llu,\"scenarios\":%llu,\"forms_used\":%llu,"
            "\"features\":%u,\"setup_errors\":%llu,\"findings\":%llu}\n",
            c->elapsed_s, (unsigned long long)st.requests, (unsigned long long)st.scenarios,
            (unsigned long long)st.forms_used, st.features, (unsigned long long)st.setup_errors,
            (unsigned long long)c->findings);
    fclose(f);
}

static void child_progress(hitl_fuzz_campaign *c, void *user)
{
    write_stats(c, user);
}

static void child_done(hitl_fuzz_campaign *c, void *user)
{
    child_ctx *cc = user;
    write_stats(c, cc);
    fflush(NULL);
    /* libFuzzer's loop holds the stack: the campaign ends the process here. The embedded
     * server's threads end with it. */
    _exit(c->setup_failures_in_a_row >= 20 ? EXIT_UNREACHABLE : EXIT_CLEAN);
}

static int run_child(const fuzz_opts *o, unsigned job, const char *report_dir,
                     const char *findings_dir, const char *corpus, FILE *progress)
{
    char log[4096];
    snprintf(log, sizeof log, "%s/libfuzzer-%u.log", report_dir, job);
    int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (lf >= 0) {
        dup2(lf, 2); /* libFuzzer's own output, and any sanitizer report */
        close(lf);
    }
    hitl_refserver *srv = NULL;
    char url[256];
    if (!o->target && start_embedded(o, &srv, url, sizeof url, progress))
        return EXIT_UNREACHABLE;
    hitl_fuzz_target t;
    fill_target(o, o->target ? o->target : url, &t);
    hitl_fuzz *f = NULL;
    hitl_err err = {0};
    if (hitl_fuzz_new(&f, &t, &err) || hitl_fuzz_prepare(f, &err)) {
        fprintf(progress,
                "hitlcheck fuzz: the target is unreachable or no run could be started "
                "on it: %s\n",
                err.msg);
        fflush(progress);
        hitl_fuzz_free(f);
        hitl_refserver_stop(srv);
        return EXIT_UNREACHABLE;
    }
    char label[512], prefix[32] = "";
    target_label(o->target, label, sizeof label);
    if (o->jobs > 1)
        snprintf(prefix, sizeof prefix, "[job %u] ", job);
    child_ctx cc = {report_dir, job, srv};
    hitl_fuzz_campaign c = {.session = f,
                            .findings_dir = findings_dir,
                            .meta = {.target_label = label,
                                     .web = o->web,
                                     .embedded_bugs = (const char *const *)o->bugs.items,
                                     .n_embedded_bugs = o->bugs.n},
                            .duration_s = (double)o->duration_s,
                            .max_requests = (uint64_t)o->max_requests,
                            .progress = progress,
                            .progress_every_s = 5,
                            .progress_prefix = prefix,
                            .minimize = !o->no_minimize,
                            .stop_on_finding = o->stop_on_finding,
                            .on_done = child_done,
                            .on_progress = child_progress,
                            .user = &cc};
    char seed[64], total[64], timeout[64], artifacts[4200], maxlen[64];
    snprintf(seed, sizeof seed, "-seed=%ld", o->seed + (long)job);
    snprintf(total, sizeof total, "-max_total_time=%ld", o->duration_s + FUZZ_JOB_BACKSTOP_S);
    snprintf(timeout, sizeof timeout, "-timeout=%ld", fuzz_job_input_timeout_s(o->timeout_ms));
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/artifacts/job%u-", report_dir, job);
    snprintf(maxlen, sizeof maxlen, "-max_len=%u", HITL_FUZZ_MAX_INPUT);
    char *argv[] = {"hitlcheck-fuzz",
                    seed,
                    total,
                    timeout,
                    artifacts,
                    maxlen,
                    "-rss_limit_mb=4096",
                    "-error_exitcode=77",
                    "-timeout_exitcode=70",
                    "-print_final_stats=0",
                    "-reload=1",
                    (char *)corpus,
                    NULL};
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    int rc = hitl_fuzz_campaign_run(&c, argc, argv);
    /* libFuzzer stopped by itself (it ran out of time first): the same ending. */
    write_stats(&c, &cc);
    return rc ? CHILD_CRASH : EXIT_CLEAN;
}

/* ---- the parent --------------------------------------------------------------------------- */

static double stat_num(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void add_stats(const char *report_dir, unsigned jobs, hitl_fuzz_summary *s)
{
    for (unsigned i = 0; i < jobs; i++) {
        char path[4096], buf[4096];
        snprintf(path, sizeof path, "%s/stats-%u.json", report_dir, i);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        cJSON *j = cJSON_Parse(buf);
        double sec = stat_num(j, "seconds");
        if (sec > s->seconds)
            s->seconds = sec;
        s->requests += (uint64_t)stat_num(j, "requests");
        s->scenarios += (uint64_t)stat_num(j, "scenarios");
        s->forms_used += (uint64_t)stat_num(j, "forms_used");
        if ((unsigned)stat_num(j, "features") > s->features)
            s->features = (unsigned)stat_num(j, "features");
        cJSON_Delete(j);
    }
}

/* crash_finding turns a child that died (libFuzzer's crash exit, a signal) into a finding
 * file, with the input libFuzzer saved as its scenario. */
static void crash_finding(const fuzz_opts *o, const char *report_dir, const char *findings_dir,
                          unsigned job, int status, bool stuck, const char *label)
{
    char dir[4096], best[4400] = "";
    snprintf(dir, sizeof dir, "%s/artifacts", report_dir);
    DIR *d = opendir(dir);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "job%u-", job);
    for (struct dirent *e; d && (e = readdir(d));)
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            snprintf(best, sizeof best, "%s/%s", dir, e->d_name);
    if (d)
        closedir(d);
    uint8_t data[HITL_FUZZ_MAX_INPUT];
    size_t len = 0;
    FILE *f = best[0] ? fopen(best, "rb") : NULL;
    if (f) {
        len = fread(data, 1, sizeof data, f);
        fclose(f);
    }
    hitl_fuzz_outcome oc = {.found = true, .security = true};
    snprintf(oc.oracle, sizeof oc.oracle, "crash");
    if (stuck)
        snprintf(oc.signature, sizeof oc.signature, "crash/in-process/stuck");
    else if (WIFSIGNALED(status))
        snprintf(oc.signature, sizeof oc.signature, "crash/in-process/signal-%d", WTERMSIG(status));
    else
        snprintf(oc.signature, sizeof oc.signature, "crash/in-process/%s",
                 WEXITSTATUS(status) == CHILD_HANG ? "hang" : "sanitizer-or-abort");
    const char *how = stuck ? "it did not end after its --duration and libFuzzer's own timeouts, "
                              "and was killed"
                      : WIFSIGNALED(status) ? "it died by a signal"
                                            : "it died by libFuzzer's crash or timeout exit";
    snprintf(oc.detail, sizeof oc.detail,
             "the fuzzing process (job %u): %s; its report is in %.120s/libfuzzer-%u.log%s%.120s",
             job, how, report_dir, job, best[0] ? ", its input in " : "", best);
    snprintf(oc.method, sizeof oc.method, "-");
    oc.path = strdup("-");
    hitl_fuzz_finding_meta m = {.target_label = label,
                                .web = o->web,
                                .embedded_bugs = (const char *const *)o->bugs.items,
                                .n_embedded_bugs = o->bugs.n};
    hitl_fuzz_finding_write(findings_dir, &oc, data, len, &m, NULL, NULL);
    hitl_fuzz_outcome_clear(&oc);
}

static bool confirm(const fuzz_opts *o, FILE *errout)
{
    if (!o->target || is_loopback(o->target))
        return true;
    char label[512];
    target_label(o->target, label, sizeof label);
    fprintf(errout,
            "hitlcheck fuzz: the campaign starts workflow runs on %s and consumes their forms\n"
            "(one per valid submission it sends), with the app key you gave.\n",
            label);
    if (o->yes)
        return true;
    if (!isatty(0)) {
        fprintf(errout, "hitlcheck fuzz: pass --yes to proceed against a non-loopback target\n");
        return false;
    }
    fprintf(errout, "Proceed? [y/N] ");
    char line[16];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static void write_seeds(const char *corpus)
{
    for (size_t i = 0; i < hitl_fuzz_seed_count(); i++) {
        uint8_t buf[HITL_FUZZ_MAX_INPUT];
        size_t n = hitl_fuzz_seed(i, buf, sizeof buf);
        char path[4400];
        snprintf(path, sizeof path, "%.4200s/seed-%.64s", corpus, hitl_fuzz_seed_name(i));
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(buf, 1, n, f);
            fclose(f);
        }
    }
}

int hitl_cmd_fuzz(int argc, char **argv, FILE *out, FILE *errout)
{
    fuzz_opts o = {.report_dir = "hitlcheck-fuzz",
                   .rate_max = 30,
                   .rate_window = 60,
                   .timeout_ms = 5000,
                   .duration_s = 60,
                   .jobs = 1,
                   .seed = 1};
    bool help = false;
    int code = parse_opts(&o, argc, argv, out, errout, &help);
    if (code >= 0) {
        hitl_strvec_free(&o.bugs);
        return code;
    }
    if (o.replay) {
        code = replay(&o, out, errout);
        hitl_strvec_free(&o.bugs);
        return code;
    }
    if (!confirm(&o, errout)) {
        hitl_strvec_free(&o.bugs);
        return EXIT_USAGE;
    }
    char findings[4200], corpus[4200], artifacts[4200], label[512];
    snprintf(findings, sizeof findings, "%s/findings", o.report_dir);
    snprintf(artifacts, sizeof artifacts, "%s/artifacts", o.report_dir);
    snprintf(corpus, sizeof corpus, "%s", o.corpus ? o.corpus : "");
    if (!o.corpus)
        snprintf(corpus, sizeof corpus, "%s/corpus", o.report_dir);
    if (mkdir_p(findings) || mkdir_p(artifacts) || mkdir_p(corpus)) {
        fprintf(errout, "hitlcheck fuzz: cannot create %s, %s and %s\n", findings, artifacts,
                corpus);
        hitl_strvec_free(&o.bugs);
        return EXIT_USAGE;
    }
    if (!o.no_seeds)
        write_seeds(corpus);
    target_label(o.target, label, sizeof label);
    fprintf(out, "hitlcheck fuzz: %s, %s surface, %ld s, %ld job%s%s; reports in %s\n",
            o.target ? label : "the embedded reference server", o.web ? "web" : "service",
            o.duration_s, o.jobs, o.jobs == 1 ? "" : "s", o.bugs.n ? " (planted bugs on)" : "",
            o.report_dir);
    fflush(out);
    fflush(errout);
    pid_t pids[64];
    for (long i = 0; i < o.jobs; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            int progress_fd = dup(2);
            FILE *progress = progress_fd >= 0 ? fdopen(progress_fd, "w") : stderr;
            int rc = run_child(&o, (unsigned)i, o.report_dir, findings, corpus, progress);
            fflush(NULL);
            _exit(rc);
        }
        if (pids[i] < 0) {
            fprintf(errout, "hitlcheck fuzz: fork failed\n");
            o.jobs = i;
            break;
        }
    }
    bool unreachable = false;
    /* Every job gets the same deadline, counted from the fork: --duration plus the grace. */
    double deadline = fuzz_now_s() + (double)(o.duration_s + fuzz_job_grace_s(o.timeout_ms));
    for (long i = 0; i < o.jobs; i++) {
        int status = 0;
        bool stuck = false;
        if (fuzz_job_wait(pids[i], deadline, &status, &stuck)) {
            fprintf(errout, "hitlcheck fuzz: job %ld could not be waited for: %s\n", i,
                    strerror(errno));
            continue;
        }
        if (stuck)
            fprintf(errout,
                    "hitlcheck fuzz: job %ld was still running %ld s after its %ld s; killed it "
                    "(a finding)\n",
                    i, fuzz_job_grace_s(o.timeout_ms), o.duration_s);
        if (!stuck && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_UNREACHABLE)
            unreachable = true;
        else if (stuck || !WIFEXITED(status) || WEXITSTATUS(status) != EXIT_CLEAN)
            crash_finding(&o, o.report_dir, findings, (unsigned)i, status, stuck, label);
    }
    hitl_fuzz_summary s = {.target_label = label, .web = o.web, .jobs = (unsigned)o.jobs};
    add_stats(o.report_dir, (unsigned)o.jobs, &s);
    size_t n = 0;
    hitl_err err = {0};
    if (hitl_fuzz_report_write(o.report_dir, findings, &s, out, &n, &err))
        fprintf(errout, "hitlcheck fuzz: %s\n", err.msg);
    fprintf(out,
            "hitlcheck fuzz: %zu finding%s; %llu requests in %.1f s (%.0f req/s), %u features, "
            "%llu forms used\n",
            n, n == 1 ? "" : "s", (unsigned long long)s.requests, s.seconds,
            s.seconds > 0 ? (double)s.requests / s.seconds : 0, s.features,
            (unsigned long long)s.forms_used);
    hitl_strvec_free(&o.bugs);
    if (unreachable && !s.requests) {
        fprintf(errout, "hitlcheck fuzz: the target is unreachable\n");
        return EXIT_UNREACHABLE;
    }
    if (unreachable && !n)
        return EXIT_UNREACHABLE;
    return n ? EXIT_FINDING : EXIT_CLEAN;
}
