/* campaign.c: the fuzz campaign under libFuzzer's engine. LLVMFuzzerRunDriver (libFuzzer
 * without its main) mutates the inputs; each is one scenario run by the session; the response
 * features reach libFuzzer through the extra-counter section (session.c). A new finding (by
 * signature) is minimized (records dropped, then bytes zeroed, each kept only when the same
 * signature fires again) and written once. libFuzzer's callback takes no user pointer, so the
 * campaign is a file-scope pointer: one campaign per process. */
#include "hitl/fuzz_finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *data, size_t size));

static hitl_fuzz_campaign *campaign;
static struct timespec started, last_progress;
static char seen_ids[1024][17];
static size_t n_seen;

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress(hitl_fuzz_campaign *c, bool force)
{
    if (!c->progress || (!force && since(&last_progress) < c->progress_every_s))
        return;
    clock_gettime(CLOCK_MONOTONIC, &last_progress);
    hitl_fuzz_stats st;
    hitl_fuzz_stats_get(c->session, &st);
    double el = since(&started);
    fprintf(c->progress,
            "%sfuzz: %.0f s, %llu requests (%.0f req/s), %u features, %llu forms used, %llu "
            "finding%s\n",
            c->progress_prefix ? c->progress_prefix : "", el, (unsigned long long)st.requests,
            el > 0 ? (double)st.requests / el : 0.0, st.features, (unsigned long long)st.forms_used,
            (unsigned long long)c->findings, c->findings == 1 ? "" : "s");
    fflush(c->progress);
    c->elapsed_s = el;
    if (c->on_progress)
        c->on_progress(c, c->user);
}

static bool reproduces(hitl_fuzz_campaign *c, const uint8_t *d, size_t n, const char *sig,
                       hitl_fuzz_outcome *keep)
{
    hitl_fuzz_outcome o;
    if (hitl_fuzz_exec(c->session, d, n, &o, NULL)) {
        hitl_fuzz_outcome_clear(&o);
        return false;
    }
    bool same = o.found && strcmp(o.signature, sig) == 0;
    if (same) {
        hitl_fuzz_outcome_clear(keep);
        *keep = o;
    } else {
        hitl_fuzz_outcome_clear(&o);
    }
    return same;
}

/* minimize shrinks |d| (|*n| bytes) in place while the signature of |o| still fires; |o| then
 * describes the smallest scenario that fired. */
static bool minimize(hitl_fuzz_campaign *c, uint8_t *d, size_t *n, hitl_fuzz_outcome *o)
{
    char sig[sizeof o->signature];
    memcpy(sig, o->signature, sizeof sig);
    bool shrunk = false;
    uint8_t cand[HITL_FUZZ_MAX_INPUT];
    size_t rec = HITL_FUZZ_RECORD;
    for (size_t i = (*n + rec - 1) / rec; i-- > 0 && *n > rec;) {
        size_t off = i * rec, end = off + rec < *n ? off + rec : *n;
        size_t m = *n - (end - off);
        memcpy(cand, d, off);
        memcpy(cand + off, d + end, *n - end);
        if (reproduces(c, cand, m, sig, o)) {
            memcpy(d, cand, m);
            *n = m;
            shrunk = true;
        }
    }
    unsigned tries = 0;
    for (size_t k = 0; k < *n && tries < 48; k++) {
        if (!d[k] || k % rec == 0) /* the op byte stays: zero would change the operation */
            continue;
        tries++;
        memcpy(cand, d, *n);
        cand[k] = 0;
        if (reproduces(c, cand, *n, sig, o)) {
            d[k] = 0;
            shrunk = true;
        }
    }
    return shrunk;
}

static void on_finding(hitl_fuzz_campaign *c, const uint8_t *data, size_t len, hitl_fuzz_outcome *o)
{
    char id[17];
    hitl_fuzz_signature_id(o->signature, id);
    for (size_t i = 0; i < n_seen; i++)
        if (strcmp(seen_ids[i], id) == 0)
            return;
    if (n_seen < sizeof seen_ids / sizeof seen_ids[0])
        memcpy(seen_ids[n_seen++], id, sizeof id);
    hitl_fuzz_stats st;
    hitl_fuzz_stats_get(c->session, &st);
    hitl_fuzz_finding_meta m = c->meta;
    m.found_after_s = since(&started);
    m.found_after_requests = st.requests;
    uint8_t d[HITL_FUZZ_MAX_INPUT];
    size_t n = len < sizeof d ? len : sizeof d;
    memcpy(d, data, n);
    if (c->minimize) {
        /* The minimizer's runs must not count as this input's coverage. */
        static uint8_t saved[HITL_FUZZ_FEATURES];
        memcpy(saved, hitl_fuzz_features, sizeof saved);
        m.minimized = minimize(c, d, &n, o);
        memcpy(hitl_fuzz_features, saved, sizeof saved);
    }
    int rc = hitl_fuzz_finding_write(c->findings_dir, o, d, n, &m, NULL, NULL);
    if (rc == 0) {
        c->findings++;
        if (c->progress) {
            fprintf(c->progress, "%sfuzz: FINDING %s after %.1f s, %llu requests: %s\n",
                    c->progress_prefix ? c->progress_prefix : "", id, m.found_after_s,
                    (unsigned long long)m.found_after_requests, o->detail);
            fflush(c->progress);
        }
    }
}

static int one_input(const uint8_t *data, size_t len)
{
    hitl_fuzz_campaign *c = campaign;
    if (len > HITL_FUZZ_MAX_INPUT)
        return -1; /* not added to the corpus: only the first records count */
    hitl_fuzz_outcome o;
    hitl_err err = {0};
    int rc = hitl_fuzz_exec(c->session, data, len, &o, &err);
    if (rc) {
        c->setup_failures_in_a_row++;
        if (c->progress && c->setup_failures_in_a_row == 1) {
            fprintf(c->progress, "%sfuzz: setup failed: %s\n",
                    c->progress_prefix ? c->progress_prefix : "", err.msg);
            fflush(c->progress);
        }
    } else {
        c->setup_failures_in_a_row = 0;
        if (o.found)
            on_finding(c, data, len, &o);
    }
    hitl_fuzz_outcome_clear(&o);
    progress(c, false);
    hitl_fuzz_stats st;
    hitl_fuzz_stats_get(c->session, &st);
    c->elapsed_s = since(&started);
    if ((c->duration_s > 0 && c->elapsed_s >= c->duration_s) ||
        (c->max_requests && st.requests >= c->max_requests) || c->setup_failures_in_a_row >= 20 ||
        (c->stop_on_finding && c->findings)) {
        progress(c, true);
        c->on_done(c, c->user);
    }
    return 0;
}

int hitl_fuzz_campaign_run(hitl_fuzz_campaign *c, int argc, char **argv)
{
    campaign = c;
    clock_gettime(CLOCK_MONOTONIC, &started);
    last_progress = started;
    return LLVMFuzzerRunDriver(&argc, &argv, one_input);
}
