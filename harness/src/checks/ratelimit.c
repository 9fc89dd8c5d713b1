/* ratelimit.c: checks of the WEB form endpoints' per-IP rate limits (§8; §8).
 *
 * §8: three limiters, `web_form_access_rate_limit` (GET E7), `web_form_submit_rate_limit`
 * (POST E8) and `web_form_upload_token_rate_limit` (POST E9), each a sliding window of
 * WEB_FORM_SUBMIT_RATE_LIMIT_MAX_ATTEMPTS requests per WEB_FORM_SUBMIT_RATE_LIMIT_WINDOW_SECONDS
 * per client IP; 429s are not counted; 404/412 outcomes are. The expected limit is the
 * target's rate_max per rate_window_s (--rate-limit; the embedded server runs 10/4).
 *
 * Every check here is tagged `ratelimit`, so the engine runs it alone, after the parallel
 * checks. Each step that needs an empty bucket gets a FRESH client address: on an IPv4
 * loopback target an unused 127.<a>.<check>.<n> (the engine's per-check addresses are all
 * 127.0.0.x, so these never meet them; <a> follows the wall clock so that a rerun within
 * one window against the same server does not find its buckets full). On any other target
 * the harness has one address: a fresh bucket then means waiting until the run's earlier
 * requests of that kind have aged out (up to a window), and a check whose window exceeds
 * --max-wait is SKIP (§11.1). There the run paces every WEB form request, and these checks
 * run together once the rest is done: each holds the buckets it fills while any other
 * request of those kinds waits (hitl_ctx_limiters_hold), and the checks that need a full
 * GET bucket (retry-after, spoof.forwarded, recovers, the GET step of buckets.independent)
 * use one another has just filled with rate_max paced GETs of a real form and seen limited
 * (rl_start), instead of a window and a fill each; their notes name the filler.
 *
 * That the fresh addresses are distinct clients to the target is verified, not assumed:
 * behind Docker's userland proxy, or a proxy that sets X-Forwarded-For, every 127.x source
 * looks like one IP, and a later step would find a bucket exhausted by an earlier one. So
 * no request of a fill from a fresh address may be 429 before the budget is spent, and one
 * request of the kind a step exhausted, from the next step's fresh address, must not be 429
 * either; if one is, the check falls
 * back to the one-address behaviour (wait a window per fresh bucket) and its note says which
 * mode it ran in. ratelimit.per-ip.isolated, which tests exactly this, never falls back. */
#include "expect_body.h"
#include "run_env.h"

#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RL_CODE "web_form_rate_limit_exceeded"
#define RL_MESSAGE "Too many form requests. Please try again later."
/* A submit body that passes the payload model (§7.1), so the submit limiter counts it
 * (§7.2: body validation runs before the limiter), and fails form validation, so the form
 * stays open: a 400 invalid_form_data that costs one unit of budget. */
#define RL_SUBMIT_BODY "{\"inputs\":{},\"action\":\"hitlcheck-ratelimit-no-such-action\"}"

typedef enum rl_kind {
    RL_GET,   /* GET  /form/human_input/<token> (E7) */
    RL_POST,  /* POST /form/human_input/<token> (E8) */
    RL_TOKEN, /* POST /form/human_input/<token>/upload-token (E9) */
    RL_KINDS
} rl_kind;

static const char *const KIND_NAME[RL_KINDS] = {"GET form", "POST submit", "POST upload-token"};

/* Where a check's requests come from (see the file comment). */
typedef struct rl_plan {
    bool fresh;         /* an IPv4 loopback target: every step gets an unused address */
    bool may_fall_back; /* false: a 429 for a fresh address is the check's finding */
    bool fell_back;     /* the fresh addresses proved not to be distinct clients */
    unsigned octet2;    /* 1…200, from the start time */
    unsigned check_no;  /* 1…254, one per check */
    unsigned next;      /* the next step's last octet */
    int exhausted;      /* the kind the last step exhausted from a fresh address, or -1 */
    const char *token;  /* the form token the verification request uses */
    /* One address on a paced run (hitl_ctx_limiters_hold): the limiters the check holds
     * while it runs, and the ones the next step needs empty (0: all it holds). */
    unsigned hold, step_empty;
    /* A check that can use a full GET bucket another filled (rl_start): how long it needs
     * it to stay full (0: never joins), and once joined its filler and times (ms). */
    double join_need_s;
    bool paced;    /* one address on a paced run: the check holds buckets (rl_start) */
    int get_holds; /* buckets.independent: later holds of the GET bucket */
    bool joined;
    char joined_by[96];
    long long first_ms, full_ms;
    char ip[32];
} rl_plan;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

static void sleep_until(hitl_check_ctx *ctx, long long deadline_ms, const char *what)
{
    long long left = deadline_ms - mono_ms();
    if (left > 0)
        hitl_ctx_sleep_ms(ctx, (long)left, what);
}

static long window_ms(const hitl_target *t)
{
    return (long)t->rate_window_s * 1000L;
}

/* Source addresses 127.x.y.z reach only a target whose host is an IPv4 loopback literal. */
static bool ipv4_loopback_target(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    const char *url = hitl_ctx_target(ctx)->base_url;
    const char *host = url ? strstr(url, "://") : NULL;
    return env && env->loopback && host && !strncmp(host + 3, "127.", 4);
}

/* Whether each local source address reaches the target as itself (hitl_run_env). */
static bool sources_seen_as_sent(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->sources_seen_as_sent;
}

#define EMPTY_WAIT "until this client's buckets are empty (one rate-limit window, §8)"

/* The words every check here uses for the run's one-bucket fact (check.h). */
#define ONE_BUCKET "the target counts distinct client addresses in one bucket"

/* rl_begin decides where |check_no|'s requests come from. Returns false after a SKIP: a
 * single-address target whose window (+1 s) is longer than --max-wait, or |need_wait| (the
 * check itself outwaits one window) on any target with such a window. */
static bool rl_begin(hitl_check_ctx *ctx, rl_plan *p, unsigned check_no, bool need_wait)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    memset(p, 0, sizeof *p);
    p->fresh = ipv4_loopback_target(ctx);
    p->may_fall_back = true;
    p->octet2 = 1u + (unsigned)(time(NULL) % 200);
    p->check_no = check_no;
    p->next = 1;
    p->exhausted = -1;
    p->hold = HITL_LIMITER_GET;
    /* The run has learnt that fresh addresses are no fresh buckets (check.h): one address. */
    if (p->fresh && !sources_seen_as_sent(ctx) && hitl_ctx_one_bucket(ctx, NULL, 0)) {
        p->fresh = false;
        p->fell_back = true;
        hitl_check_note(ctx,
                        "mode: one client address, because " ONE_BUCKET
                        " (the run's summary gives the evidence): each fresh bucket "
                        "costs one window (%d s)",
                        t->rate_window_s);
    }
    if ((!p->fresh || need_wait) && (long)t->rate_window_s + 1 > t->max_wait_s) {
        hitl_check_skip(ctx,
                        "needs to outwait one rate-limit window (%d s + 1 s%s), longer than "
                        "--max-wait %ld s (§11.1)",
                        t->rate_window_s,
                        p->fresh ? ""
                                 : "; this target is reached from one address only, so "
                                   "every fresh bucket costs a window",
                        t->max_wait_s);
        return false;
    }
    return true;
}

static const char *src_name(const char *src)
{
    return src ? src : "the harness's address";
}

/* rl_send makes one |kind| request for |token| from |src| (NULL: the check's default), with
 * one extra header |header| when not NULL. Returns as hitl_flow_call (the caller frees). */
static int rl_send(hitl_check_ctx *ctx, rl_kind kind, const char *token, const char *src,
                   const char *header, hitl_http_response *resp)
{
    char path[2048];
    if (hitl_flow_form_path(ctx, path, sizeof path, token,
                            kind == RL_TOKEN ? "/upload-token" : "")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    const char *headers[1] = {header};
    hitl_call call = {.method = kind == RL_GET ? "GET" : "POST",
                      .surface = HITL_SURFACE_WEB,
                      .path = path,
                      .json = kind == RL_POST ? RL_SUBMIT_BODY : NULL,
                      .headers = headers,
                      .n_headers = header ? 1 : 0,
                      .source_ip = src,
                      .raw = true}; /* the 429 is the finding */
    int rc = hitl_flow_call(ctx, &call, resp);
    /* An issued upload token is a secret like any other: every output redacts it. */
    if (!rc && kind == RL_TOKEN && resp->status >= 200 && resp->status <= 299) {
        cJSON *root = hitl_chk_body_json(resp);
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "upload_token");
        if (cJSON_IsString(tok))
            hitl_ctx_secret(ctx, tok->valuestring, "upload-token");
        cJSON_Delete(root);
    }
    return rc;
}

/* rl_fall_back switches |p| to the one-address mode after a fresh address's request of
 * |kind| was 429 (see the file comment) and waits one window, so that the requests the other
 * addresses made age out. Returns false after a SKIP (the window is longer than --max-wait). */
static bool rl_fall_back(hitl_check_ctx *ctx, rl_plan *p, rl_kind kind, const char *src)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    p->fresh = false;
    p->fell_back = true;
    p->exhausted = -1;
    hitl_check_note(ctx,
                    "mode: one client address. A %s request from the fresh source address %s "
                    "was 429 before its budget was spent, so the target does not see 127.x.y.z "
                    "sources as distinct "
                    "clients (Docker's userland proxy, a proxy setting X-Forwarded-For, or one "
                    "bucket for every client: ratelimit.per-ip.isolated tells); each fresh "
                    "bucket now costs one window (%d s)",
                    KIND_NAME[kind], src, t->rate_window_s);
    hitl_ctx_one_bucket_found(ctx,
                              ONE_BUCKET
                              ": %s (WEB) sent a %s request from the fresh source "
                              "address %s, verified unused, and got HTTP 429 before its budget "
                              "was spent. A front end that does not pass the client's address "
                              "(nginx without `proxy_set_header X-Forwarded-For`, the app "
                              "keying its limits on the peer address; or Docker's userland "
                              "proxy) makes every client one",
                              hitl_ctx_id(ctx), KIND_NAME[kind], src);
    if ((long)t->rate_window_s + 1 > t->max_wait_s) {
        hitl_check_skip(ctx,
                        "the target sees every source address as one client, so each fresh "
                        "bucket needs one rate-limit window (%d s + 1 s), longer than "
                        "--max-wait %ld s (§11.1)",
                        t->rate_window_s, t->max_wait_s);
        return false;
    }
    if (!hitl_ctx_limiters_hold(ctx, p->hold, p->hold, EMPTY_WAIT))
        hitl_ctx_sleep_ms(ctx, window_ms(t) + 1000L, EMPTY_WAIT);
    return true;
}

/* rl_source sets *|src| to an address whose buckets are empty: a new loopback address, or
 * (one address only) NULL, the default source, after waiting a whole window so that its
 * earlier requests (other checks', earlier steps') have aged out. After a step exhausted a
 * kind from a fresh address, the new address is first verified with one request of that
 * kind (it must not be 429; else rl_fall_back). The string lives in |p|. Returns false after
 * a SKIP or an ERROR. */
static bool rl_source(hitl_check_ctx *ctx, rl_plan *p, const char **src)
{
    *src = NULL;
    if (!p->fresh) {
        /* On a paced run the wait ends when the run's own requests have aged out (the
         * pacer knows them all), not a blind window later. */
        if (!hitl_ctx_limiters_hold(ctx, p->hold, p->step_empty ? p->step_empty : p->hold,
                                    EMPTY_WAIT))
            hitl_ctx_sleep_ms(ctx, window_ms(hitl_ctx_target(ctx)) + 1000L, EMPTY_WAIT);
        return true;
    }
    snprintf(p->ip, sizeof p->ip, "127.%u.%u.%u", p->octet2, p->check_no, p->next);
    p->next = p->next < 254 ? p->next + 1 : 1;
    *src = p->ip;
    if (p->exhausted < 0 || !p->token || !p->may_fall_back)
        return true;
    rl_kind kind = (rl_kind)p->exhausted;
    hitl_http_response resp;
    if (rl_send(ctx, kind, p->token, p->ip, NULL, &resp)) {
        hitl_http_response_free(&resp);
        return false;
    }
    bool limited = resp.status == 429;
    hitl_http_response_free(&resp);
    if (!limited)
        return true;
    *src = NULL;
    return rl_fall_back(ctx, p, kind, p->ip);
}

/* The note of the mode a check ran in (see the file comment). */
static void rl_note_mode(hitl_check_ctx *ctx, const rl_plan *p)
{
    if (p->fresh)
        hitl_check_note(ctx,
                        "mode: a fresh loopback source address (127.%u.%u.x) per step, "
                        "each verified to be a distinct client to the target",
                        p->octet2, p->check_no);
    else if (!p->fell_back)
        hitl_check_note(ctx, "mode: one client address (the target is not on this host's "
                             "IPv4 loopback): a fresh bucket is one whose earlier requests "
                             "have aged out, up to a window later");
}

static void body_snip(const hitl_http_response *resp, char *out, size_t cap)
{
    snprintf(out, cap, "%.200s", hitl_buf_str(&resp->body));
}

/* rl_pace_ms is how far apart the requests that fill a bucket go: 1.1 s, so that each falls
 * into its own wall-clock second and an older build that counts same-second requests once
 * (§8 "Same-second bursts") counts them all (§8.1), when rate_max of them and one more
 * fit in the window with 2 s to spare; else 0, a burst, which only newer builds count in
 * full (ratelimit.get.same-second records which kind the target is). */
static long rl_pace_ms(const hitl_target *t)
{
    return hitl_target_rate_pace_ms(t); /* one rule, also for the run's deadline (cmd_run.c) */
}

/* rl_fill sends |n| |kind| requests from *|src|, paced by rl_pace_ms, and expects none to be
 * limited: the budget is rate_max per window (§8). |token| NULL sends GETs of unknown tokens
 * (§8.4). *|first_ms| (when not NULL) gets the monotonic time before the first request.
 * When a request from a fresh address is 429 before the budget is spent, the address is not
 * a distinct client (its bucket was not empty): the plan falls back to one address
 * (rl_fall_back), *|src| becomes NULL and the fill starts over (once: in the one-address
 * mode a 429 is the finding). Returns true when
 * all |n| got another status than 429; false after a FAIL, a SKIP or an ERROR. */
static bool rl_fill(hitl_check_ctx *ctx, rl_plan *p, rl_kind kind, const char *token,
                    const char **src, int n, long long *first_ms)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long pace = rl_pace_ms(t);
restart:;
    long long start = mono_ms();
    if (first_ms)
        *first_ms = start;
    for (int i = 0; i < n; i++) {
        if (pace > 0)
            sleep_until(ctx, start + (long long)i * pace, "spacing requests a second apart (§8.1)");
        char unknown[32];
        snprintf(unknown, sizeof unknown, "hitlffff%014x", (unsigned)i);
        hitl_http_response resp;
        if (rl_send(ctx, kind, token ? token : unknown, *src, NULL, &resp)) {
            hitl_http_response_free(&resp);
            return false;
        }
        if (resp.status == 429 && *src && p->fresh && !p->may_fall_back &&
            !sources_seen_as_sent(ctx)) {
            /* The check that judges whether sources are told apart (per-ip.isolated): a
             * fresh address limited early shares its bucket with earlier traffic, which a
             * proxy merging every source (Docker's userland proxy) explains as well as the
             * target: nothing can be shown (see per_ip_isolated). */
            hitl_ctx_one_bucket_found(ctx,
                                      ONE_BUCKET
                                      ": %s (WEB) sent a %s request from the fresh "
                                      "source address %s and got HTTP 429 before its budget "
                                      "was spent (request %d of %d)",
                                      hitl_ctx_id(ctx), KIND_NAME[kind], *src, i + 1, n);
            hitl_check_skip(ctx,
                            "a %s request from the fresh source address %s was 429 before its "
                            "budget was spent (request %d of %d): the target counts it with "
                            "earlier clients, one bucket for every client address. Either it "
                            "keeps one bucket for every client (a finding), or something in "
                            "front of it shows every source as one address (Docker's userland "
                            "proxy, a proxy that does not pass X-Forwarded-For), and from "
                            "outside the two cannot be told apart",
                            KIND_NAME[kind], *src, i + 1, n);
            hitl_http_response_free(&resp);
            return false;
        }
        if (resp.status == 429 && *src && p->fresh && p->may_fall_back) {
            char was[32];
            snprintf(was, sizeof was, "%s", *src);
            hitl_http_response_free(&resp);
            *src = NULL;
            if (!rl_fall_back(ctx, p, kind, was))
                return false;
            goto restart;
        }
        char exp[512], body[256];
        snprintf(exp, sizeof exp,
                 "the first %d %s requests%s from one client address within %d s are served, not "
                 "429: the limit is %d per %d s (--rate-limit; §8.1%s)",
                 n, KIND_NAME[kind], token ? "" : " of unknown tokens", t->rate_window_s,
                 t->rate_max, t->rate_window_s, token ? "" : ", H69");
        body_snip(&resp, body, sizeof body);
        bool ok = hitl_expect(ctx, resp.status != 429, exp,
                              "request %d of %d (from %s) got HTTP 429 after %.1f s: %s", i + 1, n,
                              src_name(*src), (double)(mono_ms() - start) / 1000.0, body);
        hitl_http_response_free(&resp);
        if (!ok)
            return false;
    }
    return true;
}

/* expect_limited: |resp| is the §8 answer of an exhausted bucket, HTTP 429
 * {"code":"web_form_rate_limit_exceeded","message":"Too many form requests. Please try again
 * later.","status":429}. |what| names the request in the expectation. */
static bool expect_limited(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *what)
{
    char exp[768], body[256];
    snprintf(exp, sizeof exp,
             "%s: HTTP 429 {\"code\": \"" RL_CODE "\", \"message\": \"" RL_MESSAGE
             "\", \"status\": 429} (§8)",
             what);
    body_snip(resp, body, sizeof body);
    const hitl_target *t = hitl_ctx_target(ctx);
    if (resp->status != 429 && !rl_pace_ms(t))
        /* §8 "Same-second bursts", the variants of §6.3 and §8.5: the finding may be the target's
         * version, not a missing limiter. */
        return hitl_expect(ctx, false, exp,
                           "HTTP %ld: %s. NOTE: the requests were sent in a burst, because a %d s "
                           "window is too short to space %d of them a second apart (that needs "
                           "rate_max × 1.1 s + 2 s ≤ the window); an older Dify that counts "
                           "same-second requests once (§8) never reaches the limit in a burst. "
                           "Configure the test instance with a longer window (e.g. "
                           "WEB_FORM_SUBMIT_RATE_LIMIT_MAX_ATTEMPTS=5, "
                           "WEB_FORM_SUBMIT_RATE_LIMIT_WINDOW_SECONDS=10 and --rate-limit 5/10) "
                           "before reading this as a missing limiter",
                           resp->status, body, t->rate_window_s, t->rate_max);
    if (resp->status != 429)
        return hitl_expect(ctx, false, exp, "HTTP %ld: %s", resp->status, body);
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "status");
    bool ok = cJSON_IsObject(root) && cJSON_IsString(c) && !strcmp(c->valuestring, RL_CODE) &&
              cJSON_IsString(m) && !strcmp(m->valuestring, RL_MESSAGE) && cJSON_IsNumber(s) &&
              s->valuedouble == 429.0;
    cJSON_Delete(root);
    return hitl_expect(ctx, ok, exp, "HTTP 429 with the body %s", body);
}

/* rl_publish_full: on one address, the GET bucket this check holds is full (rate_max GETs
 * of a real form from |src|, NULL: the one address, the first sent at |first_ms|, and the
 * next one just limited): the other checks that need a full GET bucket may use it while it
 * surely stays full (hitl_ctx_full_get_publish). */
static void rl_publish_full(hitl_check_ctx *ctx, const rl_plan *p, const char *src,
                            long long first_ms)
{
    if (!p->fresh && !src)
        hitl_ctx_full_get_publish(ctx, (double)first_ms / 1000.0, (double)mono_ms() / 1000.0);
}

/* rl_start starts the run whose form token the check's requests use (a real form, so that
 * every outcome is the endpoint's ordinary one). On one address on a paced run it first
 * waits for its buckets, so that its form does not expire while it waits: a full GET
 * bucket another check has just filled and published, when the check can use one
 * (|join_need_s|: instead of filling one again, which from one address costs a window;
 * hitl_ctx_full_get_join), else the hold of the buckets it fills (hitl_ctx_limiters_hold;
 * rl_source then waits until they are empty). A joined bucket that is no longer surely
 * full once the form exists is given back for a hold of its own. Returns false after an
 * ERROR (the run could not be started). */
static bool rl_start(hitl_check_ctx *ctx, rl_plan *p, hitl_run *run)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    double first = 0, full = 0;
    if (!p->fresh) {
        p->joined =
            p->join_need_s > 0 && hitl_ctx_full_get_join(ctx, p->hold, p->join_need_s, &first,
                                                         &full, p->joined_by, sizeof p->joined_by);
        /* Joined, it holds the other buckets it fills as well. */
        p->paced = hitl_ctx_limiters_hold(ctx, p->joined ? p->hold & ~HITL_LIMITER_GET : p->hold, 0,
                                          EMPTY_WAIT) ||
                   p->joined;
    }
    if (hitl_flow_start(ctx, run) != HITL_OK)
        return false;
    p->token = run->form_token;
    if (p->joined &&
        (double)mono_ms() / 1000.0 + p->join_need_s >= first + (double)t->rate_window_s - 1.0) {
        p->joined = false;
        hitl_ctx_limiters_release(ctx, HITL_LIMITER_GET);
        hitl_ctx_limiters_hold(ctx, p->hold, 0, EMPTY_WAIT);
    }
    if (p->joined) {
        p->first_ms = (long long)(first * 1000.0);
        p->full_ms = (long long)(full * 1000.0);
        hitl_check_note(ctx,
                        "this client's GET bucket was full: %s had filled it (%d GETs of a real "
                        "form from this address, the next one answered the §8 429) %.1f s "
                        "before, and this check used that full bucket instead of filling one "
                        "again, which from one source address costs a window (§8)",
                        p->joined_by, t->rate_max, (double)(mono_ms() - p->full_ms) / 1000.0);
    }
    return true;
}

/* rl_exhaust fills |kind|'s bucket from *|src| (rl_fill; |src| and |first_ms| as there) and
 * expects request rate_max + 1 to be the §8 429. Returns true when it was. */
static bool rl_exhaust(hitl_check_ctx *ctx, rl_plan *p, rl_kind kind, const char *token,
                       const char **src, long long *first_ms)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long long first = 0;
    if (!rl_fill(ctx, p, kind, token, src, t->rate_max, &first))
        return false;
    if (first_ms)
        *first_ms = first;
    if (*src)
        p->exhausted = (int)kind;
    hitl_http_response resp;
    if (rl_send(ctx, kind, token, *src, NULL, &resp)) {
        hitl_http_response_free(&resp);
        return false;
    }
    char what[256];
    snprintf(what, sizeof what, "%s request %d from one address within %d s", KIND_NAME[kind],
             t->rate_max + 1, t->rate_window_s);
    bool ok = expect_limited(ctx, &resp, what);
    hitl_http_response_free(&resp);
    if (ok && kind == RL_GET && token)
        rl_publish_full(ctx, p, *src, first);
    return ok;
}

/* §8 / §8.1: "30 GETs sent about one per second (each in a distinct wall-clock second, so
 * old same-second-collapsing builds count all 30) all get a status ≠ 429, and a 31st within
 * the same 60 s window → 429 web_form_rate_limit_exceeded". The spacing needs a window longer
 * than rate_max seconds; a shorter one (the embedded 10/4) gets a burst, which only a newer
 * build limits (ratelimit.get.same-second records which one the target is). */
static void get_limit(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 1, false) || !rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const char *src;
    if (!rl_source(ctx, &p, &src))
        goto out;
    if (rl_pace_ms(t))
        hitl_check_note(ctx, "the %d GETs were spaced 1.1 s apart (each in its own second, §8.1)",
                        t->rate_max);
    else
        hitl_check_note(
            ctx,
            "the %d GETs were sent in a burst: a %d s window is too short to space them "
            "a second apart; an older build that counts same-second requests once (§8) "
            "never reaches the limit this way (see ratelimit.get.same-second)",
            t->rate_max, t->rate_window_s);
    long long first = 0;
    if (rl_fill(ctx, &p, RL_GET, run.form_token, &src, t->rate_max, &first)) {
        hitl_http_response resp;
        if (!rl_send(ctx, RL_GET, run.form_token, src, NULL, &resp)) {
            char what[256];
            snprintf(what, sizeof what, "GET %d from one address within %d s (§8.1)",
                     t->rate_max + 1, t->rate_window_s);
            if (expect_limited(ctx, &resp, what))
                rl_publish_full(ctx, &p, src, first);
        }
        hitl_http_response_free(&resp);
    }
out:
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

/* §8 "Same-second bursts" / §8.5 (SHOULD): "A burst of 31 GETs inside one second: newer
 * builds 429 the 31st; older builds may not (same-second collapse) — record, don't fail".
 * Both variants pass (the variants of §6.3 and §8.5); what fails is a burst limited before rate_max
 * requests, or an unlimited burst that spanned as many distinct seconds as the limit (which
 * even the older build would have counted). */
static void get_same_second(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 2, false) || !rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    int n = t->rate_max + 1, limited_at = 0;
    long long first_s = 0, last_s = 0;
    hitl_http_response last = {0};
    p.token = run.form_token;
    const char *src;
    if (!rl_source(ctx, &p, &src))
        goto out;
    for (int i = 0; i < n; i++) {
        hitl_http_response_free(&last);
        long long now = hitl_chk_now();
        if (i == 0)
            first_s = now;
        last_s = now;
        if (rl_send(ctx, RL_GET, run.form_token, src, NULL, &last))
            goto out;
        if (i < t->rate_max && last.status == 429 && src && p.fresh && p.may_fall_back) {
            /* Not a distinct client (see the file comment): the burst starts over. */
            char was[32];
            snprintf(was, sizeof was, "%s", src);
            src = NULL;
            if (!rl_fall_back(ctx, &p, RL_GET, was))
                goto out;
            i = -1;
            continue;
        }
        if (last.status == 429) {
            limited_at = i + 1;
            break;
        }
    }
    long long seconds = last_s - first_s + 1;
    char exp[512];
    snprintf(exp, sizeof exp,
             "a burst of %d GETs from one address: the first %d are served, and GET %d is either "
             "429 (newer builds count each request) or served because the burst fell into fewer "
             "distinct seconds than the limit (older builds' same-second collapse) (§8.5)",
             n, t->rate_max, n);
    if (limited_at && limited_at <= t->rate_max) {
        char body[256];
        body_snip(&last, body, sizeof body);
        hitl_expect(ctx, false, exp, "GET %d of the burst got HTTP 429: %s", limited_at, body);
    } else if (limited_at) {
        hitl_check_note(ctx, "newer behaviour: every request of a %lld-second burst counts (§8)",
                        seconds);
        char what[256];
        snprintf(what, sizeof what, "GET %d of a burst from one address", n);
        expect_limited(ctx, &last, what);
    } else {
        hitl_check_note(ctx,
                        "older behaviour: the burst of %d GETs (over %lld wall-clock second(s)) "
                        "was not limited: same-second requests count once (§8 'Same-second "
                        "bursts'); hitlcheck accepts it (the variants of §6.3 and §8.5)",
                        n, seconds);
        hitl_expect(ctx, seconds < t->rate_max, exp,
                    "GET %d was served (HTTP %ld) although the burst spanned %lld distinct seconds",
                    n, last.status, seconds);
    }
out:
    rl_note_mode(ctx, &p);
    hitl_http_response_free(&last);
    hitl_run_free(&run);
}

/* §8 "Not counted: rejected (429) requests" / §8.3: "429s do not extend the window: after
 * the oldest counted request ages past 60 s, requests succeed again". The bucket is filled;
 * then, while it is surely still full, rate_max more GETs are sent (429), late enough that a
 * limiter counting them would still hold rate_max entries once the counted requests have
 * aged out; then one more GET must be served. */
static void get_recovers(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 3, true)) {
        hitl_run_free(&run);
        return;
    }
    p.join_need_s = 3.0; /* a few 429-ed GETs before the fill ages out */
    if (!rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const char *src = NULL;
    long long first = p.first_ms, full = p.full_ms;
    if (!p.joined) {
        if (!rl_source(ctx, &p, &src) || !rl_exhaust(ctx, &p, RL_GET, run.form_token, &src, &first))
            goto out;
        full = mono_ms();
    }
    long margin = window_ms(t) / 4 < 1000L ? window_ms(t) / 4 : 1000L;
    /* Until first + window the server holds every counted entry (it stamped them no earlier
     * than we sent them); the 429-ed GETs go halfway between full + margin and that. */
    long long still_full = first + window_ms(t);
    long long mid = (full + margin + still_full) / 2;
    int limited = 0, sent = 0;
    if (mid < still_full) {
        sleep_until(ctx, mid, "part of the rate-limit window, before the 429-ed requests");
        for (; sent < t->rate_max && mono_ms() < still_full; sent++) {
            hitl_http_response resp;
            if (rl_send(ctx, RL_GET, run.form_token, src, NULL, &resp)) {
                hitl_http_response_free(&resp);
                goto out;
            }
            bool in_window = mono_ms() < still_full;
            limited += resp.status == 429;
            bool ok = hitl_expect(ctx, !in_window || resp.status == 429,
                                  "GETs answered while every counted request is younger than the "
                                  "window stay limited (HTTP 429) (§8)",
                                  "GET %d at %.1f s after the bucket filled: HTTP %ld", sent + 1,
                                  (double)(mono_ms() - full) / 1000.0, resp.status);
            hitl_http_response_free(&resp);
            if (!ok)
                goto out;
        }
    }
    if (sent < t->rate_max)
        hitl_check_note(ctx,
                        "only %d GETs fitted between the full bucket and the end of the "
                        "window: a limiter that counts 429s may go unnoticed",
                        sent);
    sleep_until(ctx, full + window_ms(t) + margin,
                "the rate-limit window, until the counted requests age out");
    hitl_http_response resp;
    if (!rl_send(ctx, RL_GET, run.form_token, src, NULL, &resp)) {
        char exp[512], body[256];
        snprintf(exp, sizeof exp,
                 "once the counted requests are older than the window (%d s), a GET is served "
                 "again: 429-ed GETs sent meanwhile do not count (§8.3)",
                 t->rate_window_s);
        body_snip(&resp, body, sizeof body);
        hitl_expect(ctx, resp.status != 429, exp,
                    "HTTP 429 %.1f s after the bucket filled, after %d 429-ed GETs: the 429-ed "
                    "requests extended the window: %s",
                    (double)(mono_ms() - full) / 1000.0, limited, body);
    }
    hitl_http_response_free(&resp);
out:
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

/* §8 "Limiters: … independent buckets" / §8.2: "GET, POST and upload-token buckets are
 * independent: exhausting GET does not 429 a POST". Each bucket in turn is exhausted from a
 * fresh address, then the other two are asked once from the same address. */
static void buckets_independent(hitl_check_ctx *ctx)
{
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 4, false)) {
        hitl_run_free(&run);
        return;
    }
    /* A build without Human Input uploads has no upload-token route, nor its limiter. */
    int kinds = RL_KINDS;
    if (hitl_flow_layout(ctx) == HITL_LAYOUT_NONE) {
        kinds = RL_TOKEN;
        hitl_check_note(ctx, "the target has no Human Input upload route (upload layout none), "
                             "so no upload-token limiter: the GET and submit limiters only");
    }
    /* On one address it holds every bucket it asks (hitl_ctx_limiters_hold); each step
     * needs only the bucket it exhausts empty, the others merely not full. */
    p.hold = kinds == RL_KINDS ? HITL_LIMITER_GET | HITL_LIMITER_SUBMIT | HITL_LIMITER_TOKEN
                               : HITL_LIMITER_GET | HITL_LIMITER_SUBMIT;
    p.join_need_s = 2.0; /* one request of each other kind past the GET limit */
    if (!rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const hitl_target *t = hitl_ctx_target(ctx);
    /* How long a step's fill takes at least, until the requests of the other kinds are sent
     * (rl_fill: the first at once, then one per pace; the limited one right after). */
    double fill_s = (double)((t->rate_max - 1) * rl_pace_ms(t)) / 1000.0;
    for (int full = 0; full < kinds && !hitl_check_done(ctx); full++) {
        const char *src = NULL;
        p.step_empty = 1u << full;
        /* The GET step may use a full GET bucket another check filled (rl_start). */
        if (!(full == RL_GET && p.joined) && !rl_source(ctx, &p, &src))
            break;
        /* On one address the GET bucket is the one the other rate-limit checks fill: after
         * the GET step it is given back, and each later step holds it again only once its
         * own bucket is empty, for its fill and the one GET at its end, which must fit. */
        if (full != RL_GET && p.paced && !(p.hold & HITL_LIMITER_GET)) {
            hitl_ctx_limiter_hold_room(ctx, HITL_LIMITER_GET, fill_s,
                                       "until one more GET fits in this client's GET bucket "
                                       "at the end of the step (§8)");
            p.get_holds++;
        }
        if (!(full == RL_GET && p.joined) &&
            !rl_exhaust(ctx, &p, (rl_kind)full, run.form_token, &src, NULL))
            break;
        for (int other = 0; other < kinds; other++) {
            if (other == full)
                continue;
            hitl_http_response resp;
            if (rl_send(ctx, (rl_kind)other, run.form_token, src, NULL, &resp)) {
                hitl_http_response_free(&resp);
                goto out;
            }
            char exp[512], body[256];
            snprintf(exp, sizeof exp,
                     "with the %s bucket exhausted, a %s request from the same address is served: "
                     "the GET, submit and upload-token limiters are independent (§8.2)",
                     KIND_NAME[full], KIND_NAME[other]);
            body_snip(&resp, body, sizeof body);
            bool ok = hitl_expect(ctx, resp.status != 429, exp, "HTTP 429: %s", body);
            hitl_http_response_free(&resp);
            if (!ok)
                goto out;
        }
        if (p.paced) {
            hitl_ctx_limiters_release(ctx, HITL_LIMITER_GET);
            p.hold &= ~HITL_LIMITER_GET;
        }
    }
    if (p.paced && !hitl_check_done(ctx))
        hitl_check_note(ctx,
                        "one source address: this check held the GET bucket only for its GET "
                        "step and, %d time(s), for the fill of another bucket and the one GET "
                        "after it (sent when the GET bucket had room), not through its whole "
                        "run, so the checks that fill the GET bucket were not kept waiting",
                        p.get_holds);
out:
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

/* §8 "Counted: every other GET/POST/upload-token call, including 404/412 outcomes" / §8.4:
 * "Unknown-token GETs count toward the limit (404s consume budget)". rate_max GETs of unknown
 * tokens, then a GET of the real form must be limited. */
static void get_counts_404(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 5, false) || !rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const char *src;
    if (!rl_source(ctx, &p, &src) || !rl_fill(ctx, &p, RL_GET, NULL, &src, t->rate_max, NULL))
        goto out;
    hitl_http_response resp;
    if (!rl_send(ctx, RL_GET, run.form_token, src, NULL, &resp)) {
        char what[256];
        snprintf(what, sizeof what,
                 "a GET of the real form after %d unknown-token GETs from the same address within "
                 "%d s (404s count, §8.4)",
                 t->rate_max, t->rate_window_s);
        expect_limited(ctx, &resp, what);
    }
    hitl_http_response_free(&resp);
out:
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

/* RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. The date check is loose (an
 * IMF-fixdate is 29 characters ending in GMT). */
static bool retry_after_valid(const char *v)
{
    size_t n = strlen(v);
    bool digits = n > 0 && n <= 10;
    for (size_t i = 0; i < n && digits; i++)
        digits = isdigit((unsigned char)v[i]) != 0;
    return digits || (n == 29 && !strcmp(v + 26, "GMT"));
}

/* §8 "no Retry-After header set by this code (INFERRED)" / §8.6 (SHOULD): "No Retry-After
 * header; harness must not require one". The check asserts the 429 body, records whether the
 * header is there, and holds it to RFC 9110's syntax when it is. */
static void retry_after(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 6, false)) {
        hitl_run_free(&run);
        return;
    }
    p.join_need_s = 2.0; /* one GET past the limit */
    if (!rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const char *src = NULL;
    long long first = 0;
    bool joined = p.joined;
    if (joined || (rl_source(ctx, &p, &src) &&
                   rl_fill(ctx, &p, RL_GET, run.form_token, &src, t->rate_max, &first))) {
        hitl_http_response resp;
        if (!rl_send(ctx, RL_GET, run.form_token, src, NULL, &resp) &&
            expect_limited(ctx, &resp, "the GET past the limit")) {
            if (!joined)
                rl_publish_full(ctx, &p, src, first);
            const char *ra = hitl_http_header_get(&resp, "Retry-After");
            if (!ra) {
                hitl_check_note(ctx, "the 429 has no Retry-After header (as Dify's, §8); "
                                     "hitlcheck does not require one");
            } else {
                hitl_check_note(ctx, "the 429 carries Retry-After: %.64s", ra);
                hitl_expect(ctx, retry_after_valid(ra),
                            "a Retry-After header, when sent, is delay-seconds or an HTTP-date "
                            "(RFC 9110 §10.2.3; §8.6)",
                            "Retry-After: %.64s", ra);
            }
        }
        hitl_http_response_free(&resp);
    }
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

/* §8 "Not limited: SVC endpoints (E3–E6) and the WEB upload endpoints (E10/E11)" / §8.7:
 * "40 quick uploads never 429". 2 × rate_max uploads with one upload token and 2 × rate_max
 * SVC GETs of the form, all from the check's one address. */
static void uploads_not_limited(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run = {0};
    if (hitl_flow_start(ctx, &run) != HITL_OK) {
        hitl_run_free(&run);
        return;
    }
    char *tok = hitl_flow_issue_upload_token(ctx, run.form_token);
    if (!tok)
        goto out;
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    int n = 2 * t->rate_max, created = 0;
    char exp[512], body[256];
    snprintf(exp, sizeof exp,
             "%d quick local uploads with one upload token are never 429: the WEB upload endpoints "
             "have no IP limiter (§8.7)",
             n);
    for (int i = 0; i < n; i++) {
        hitl_http_response resp;
        int rc = hitl_flow_upload_local_raw(ctx, tok, NULL, "hitlcheck-ratelimit.pdf",
                                            "application/pdf", pdf, len, &resp);
        body_snip(&resp, body, sizeof body);
        bool ok = !rc &&
                  hitl_expect(ctx, resp.status != 429, exp, "upload %d: HTTP 429: %s", i + 1, body);
        created += resp.status == 201;
        hitl_http_response_free(&resp);
        if (!ok)
            goto out;
    }
    if (created != n)
        hitl_check_note(ctx, "%d of the %d uploads were 201", created, n);
    char path[1024];
    hitl_flow_form_path(ctx, path, sizeof path, run.form_token, ""); /* "" when refused */
    hitl_call call = {.method = "GET", .surface = HITL_SURFACE_SERVICE, .path = path};
    snprintf(exp, sizeof exp,
             "%d quick SVC GETs of the form (app API key) are never 429: the Service API has no "
             "IP limiter (§8.7)",
             n);
    for (int i = 0; i < n; i++) {
        hitl_http_response resp;
        int rc = hitl_flow_call(ctx, &call, &resp);
        body_snip(&resp, body, sizeof body);
        bool ok = !rc && hitl_expect(ctx, resp.status != 429, exp, "SVC GET %d: HTTP 429: %s",
                                     i + 1, body);
        hitl_http_response_free(&resp);
        if (!ok)
            goto out;
    }
out:
    free(tok);
    hitl_run_free(&run);
}

/* §8 "Algorithm: Redis sorted set "<prefix>:<ip>"": the buckets are per client IP. With one
 * address's GET bucket exhausted, another address is served. Needs two addresses: IPv4
 * loopback targets only.
 *
 * A 429 for the second address proves a shared bucket only when the two addresses reach
 * the target as two clients. Behind Docker's userland proxy (Dify's docker deployment) or
 * a proxy that sets X-Forwarded-For, every source reaches the app as one address, and
 * from outside that cannot be told from a target keeping one bucket for everyone (the
 * same test as the fresh-source verification of the other checks, rl_source). So the
 * check FAILs only when the sources are known to be seen as sent (hitl_run_env
 * .sources_seen_as_sent: the embedded server), and is SKIP otherwise; served is PASS
 * everywhere (the addresses were counted apart). */
static void per_ip_isolated(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    if (!ipv4_loopback_target(ctx)) {
        hitl_check_skip(ctx,
                        "needs a second client address: hitlcheck has one only when the target "
                        "is on this host's IPv4 loopback (127.x)");
        return;
    }
    char evidence[1536];
    if (!sources_seen_as_sent(ctx) && hitl_ctx_one_bucket(ctx, evidence, sizeof evidence)) {
        /* Nothing per client to judge; the embedded server (sources seen as sent) goes on:
         * one bucket there is its finding. */
        hitl_check_skip(ctx,
                        "the run learnt that the target counts every client address in one "
                        "bucket, so no per-IP bucket can be judged from here. Either it keeps "
                        "one bucket for every client (a finding), or a front end does not pass "
                        "the client's address (nginx without `proxy_set_header "
                        "X-Forwarded-For`); reach the app directly on its host to judge its "
                        "per-IP buckets. Evidence: %s",
                        evidence);
        return;
    }
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 8, false) || !rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    /* This check is the one that judges whether addresses are told apart: no fall-back. */
    p.may_fall_back = false;
    const char *src, *b;
    char a[32];
    if (!rl_source(ctx, &p, &src))
        goto out;
    snprintf(a, sizeof a, "%s", src);
    if (rl_exhaust(ctx, &p, RL_GET, run.form_token, &src, NULL) && rl_source(ctx, &p, &b)) {
        hitl_http_response resp;
        if (!rl_send(ctx, RL_GET, run.form_token, b, NULL, &resp)) {
            char exp[512], body[256];
            snprintf(exp, sizeof exp,
                     "with client %s's GET bucket exhausted (%d requests within %d s), a GET from "
                     "client %s is served: the limit is per client IP (§8)",
                     a, t->rate_max, t->rate_window_s, b);
            body_snip(&resp, body, sizeof body);
            if (resp.status == 429 && !sources_seen_as_sent(ctx))
                hitl_ctx_one_bucket_found(ctx,
                                          ONE_BUCKET
                                          ": with client %s's GET bucket exhausted "
                                          "by ratelimit.per-ip.isolated, a GET from %s was 429 "
                                          "too",
                                          a, b);
            if (resp.status == 429 && !sources_seen_as_sent(ctx))
                hitl_check_skip(ctx,
                                "with client %s's GET bucket exhausted, a GET from %s was 429 "
                                "too: the target counts the two source addresses as one client, "
                                "one bucket for all. "
                                "Either it keeps one bucket for every client (a finding), or "
                                "something in front of it shows every source as one address "
                                "(Docker's userland proxy, a proxy setting X-Forwarded-For), and "
                                "from outside the two cannot be told apart; reach the app "
                                "directly on its host to judge its per-IP buckets",
                                a, b);
            else
                hitl_expect(ctx, resp.status != 429, exp,
                            "HTTP 429 for %s, a distinct client to the target (nothing stands "
                            "between the harness and it): one bucket serves every client: %s",
                            b, body);
        }
        hitl_http_response_free(&resp);
    }
out:
    hitl_run_free(&run);
}

/* §8 "Client IP: CF-Connecting-IP if present; else the first X-Forwarded-For header value
 * verbatim … client-controlled unless a proxy strips them (INFERRED risk)". A security
 * check (SHOULD): once a client's bucket is exhausted, a made-up forwarding header must not
 * buy it a fresh one. */
static void spoof_forwarded(hitl_check_ctx *ctx)
{
    hitl_run run = {0};
    rl_plan p;
    if (!rl_begin(ctx, &p, 9, false)) {
        hitl_run_free(&run);
        return;
    }
    p.join_need_s = 2.0; /* two spoofed GETs past the limit */
    if (!rl_start(ctx, &p, &run)) {
        hitl_run_free(&run);
        return;
    }
    const char *src = NULL;
    bool joined = p.joined;
    bool have_src = joined || rl_source(ctx, &p, &src);
    static const struct {
        const char *name, *header;
    } SPOOFS[] = {
        {"X-Forwarded-For", "X-Forwarded-For: 198.51.100.23"},
        {"CF-Connecting-IP", "CF-Connecting-IP: 198.51.100.24"},
    };
    if (joined || (have_src && rl_exhaust(ctx, &p, RL_GET, run.form_token, &src, NULL))) {
        for (size_t i = 0; i < sizeof SPOOFS / sizeof SPOOFS[0]; i++) {
            hitl_http_response resp;
            if (rl_send(ctx, RL_GET, run.form_token, src, SPOOFS[i].header, &resp)) {
                hitl_http_response_free(&resp);
                break;
            }
            char exp[512], body[256];
            snprintf(exp, sizeof exp,
                     "SECURITY: with the client's GET bucket exhausted, a GET with a spoofed %s "
                     "header is still HTTP 429: the server (or its proxy) must not take the client "
                     "IP from a header the client controls (§8 client IP)",
                     SPOOFS[i].name);
            body_snip(&resp, body, sizeof body);
            hitl_expect(ctx, resp.status == 429, exp,
                        "SECURITY: spoofed %s escapes the rate limit: `%s` got HTTP %ld: %s",
                        SPOOFS[i].name, SPOOFS[i].header, resp.status, body);
            hitl_http_response_free(&resp);
        }
    }
    rl_note_mode(ctx, &p);
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"ratelimit.get.limit", get_limit},
    {"ratelimit.get.same-second", get_same_second},
    {"ratelimit.get.recovers", get_recovers},
    {"ratelimit.get.counts-404", get_counts_404},
    {"ratelimit.buckets.independent", buckets_independent},
    {"ratelimit.retry-after", retry_after},
    {"ratelimit.uploads.not-limited", uploads_not_limited},
    {"ratelimit.per-ip.isolated", per_ip_isolated},
    {"ratelimit.spoof.forwarded", spoof_forwarded},
};

HITL_CHECK_TABLE(ratelimit, CHECKS)
