/* report_json.c: report.json (see report.h), the whole run as data: run metadata, each
 * check with its exchanges, reproducer and the recorded deviation of genuine Dify it
 * matched, and the totals. The layout is versioned
 * (schema_version, HITL_REPORT_SCHEMA_VERSION) and described by specs/report.schema.json. */
#include "hitl/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Adds redacted |s|, or null when |s| is NULL. Returns false when out of memory. */
static bool add_str(cJSON *o, const char *name, const char *s, const hitl_report_meta *m)
{
    if (!s)
        return cJSON_AddNullToObject(o, name) != NULL;
    char *red = hitl_report_redact(m, s);
    bool ok = red && cJSON_AddStringToObject(o, name, red);
    free(red);
    return ok;
}

/* Durations to the millisecond: more digits are noise and make reports hard to diff. */
static bool add_secs(cJSON *o, const char *name, double s)
{
    return cJSON_AddNumberToObject(o, name, (double)(long long)(s * 1000.0 + 0.5) / 1000.0) != NULL;
}

static cJSON *exchange_json(const hitl_exchange *x, const hitl_report_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && add_str(o, "method", x->method, m) && add_str(o, "url", x->url, m) &&
              add_str(o, "request_headers", x->request_headers, m) &&
              add_str(o, "request_body", x->request_body, m) &&
              cJSON_AddNumberToObject(o, "status", (double)x->status) &&
              add_str(o, "response_headers", x->response_headers, m) &&
              add_str(o, "response_body", x->response_body, m) &&
              cJSON_AddNumberToObject(o, "response_bytes", (double)x->response_bytes) &&
              add_secs(o, "duration_seconds", x->seconds) && add_str(o, "error", x->error, m);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* An array of the redacted strings |items|, or NULL when out of memory. */
static cJSON *str_array(char *const *items, size_t n, const hitl_report_meta *m)
{
    cJSON *a = cJSON_CreateArray();
    bool ok = a != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        char *red = hitl_report_redact(m, items[i]);
        ok = red && cJSON_AddItemToArray(a, cJSON_CreateString(red));
        free(red);
    }
    if (!ok) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

/* The recorded deviation of genuine Dify that a FAIL/WARN/KNOWN matched, or null. */
static bool add_deviation(cJSON *o, const hitl_deviation *d, const hitl_report_meta *m)
{
    if (!d)
        return cJSON_AddNullToObject(o, "deviation") != NULL;
    cJSON *dj = cJSON_AddObjectToObject(o, "deviation");
    return dj && add_str(dj, "id", d->id, m) && add_str(dj, "observed", d->observed, m) &&
           cJSON_AddItemToObject(dj, "evidence", str_array(d->evidence, d->n_evidence, m)) &&
           cJSON_AddItemToObject(dj, "versions", str_array(d->versions, d->n_versions, m)) &&
           add_str(dj, "note", d->note, m);
}

static cJSON *check_json(const hitl_result *r, size_t idx, const hitl_report_meta *m)
{
    const hitl_catalog_entry *e = r->entry;
    cJSON *o = cJSON_CreateObject();
    cJSON *tags = o ? cJSON_AddArrayToObject(o, "tags") : NULL;
    bool ok = tags != NULL;
    for (size_t i = 0; ok && i < e->n_tags; i++)
        ok = cJSON_AddItemToArray(tags, cJSON_CreateString(e->tags[i]));
    ok = ok && add_str(o, "id", e->id, m) && add_str(o, "area", hitl_report_area(e), m) &&
         add_str(o, "title", e->title, m) && add_str(o, "section", e->section, m) &&
         add_str(o, "severity", hitl_severity_name(e->severity), m) &&
         add_str(o, "surface", hitl_surface_name(r->surface), m) &&
         add_str(o, "verdict", hitl_verdict_name(r->verdict), m) &&
         add_str(o, "reported", hitl_verdict_name(r->reported), m) &&
         add_str(o, "reason", r->reason, m) && add_str(o, "expected", r->expected, m) &&
         add_str(o, "actual", r->actual, m) && add_str(o, "notes", r->notes, m) &&
         add_str(o, "known_failure", hitl_report_known_reason(m, idx), m) &&
         add_deviation(o, r->deviation, m) && add_secs(o, "duration_seconds", r->seconds) &&
         cJSON_AddNumberToObject(o, "assertions", (double)r->assertions);
    if (ok && (r->verdict == HITL_FAIL || r->verdict == HITL_WARN || r->verdict == HITL_KNOWN)) {
        hitl_buf b;
        hitl_buf_init(&b, HITL_REPRODUCER_MAX);
        ok = !hitl_report_reproducer(&b, r, m, NULL) &&
             add_str(o, "reproducer", hitl_buf_str(&b), m);
        hitl_buf_free(&b);
    } else if (ok) {
        ok = cJSON_AddNullToObject(o, "reproducer") != NULL;
    }
    cJSON *xs = ok ? cJSON_AddArrayToObject(o, "exchanges") : NULL;
    ok = xs != NULL;
    for (size_t i = 0; ok && i < r->n_exchanges; i++) {
        cJSON *x = exchange_json(&r->exchanges[i], m);
        ok = x && cJSON_AddItemToArray(xs, x);
    }
    ok = ok && cJSON_AddNumberToObject(o, "dropped_exchanges", (double)r->dropped_exchanges);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The critical path (hitl_results.critical), or null. */
static bool add_critical(cJSON *o, const hitl_results *res, const hitl_report_meta *m)
{
    const hitl_result *cp = res->critical;
    if (!cp)
        return cJSON_AddNullToObject(o, "critical_path") != NULL;
    cJSON *c = cJSON_AddObjectToObject(o, "critical_path");
    return c && add_str(c, "check", cp->entry->id, m) &&
           add_str(c, "surface", hitl_surface_name(cp->surface), m) &&
           add_secs(c, "ended_seconds", cp->ended_at) &&
           add_secs(c, "waited_seconds", cp->waited_s) &&
           add_str(c, "longest_wait", cp->longest_wait[0] ? cp->longest_wait : NULL, m) &&
           add_secs(c, "longest_wait_seconds", cp->longest_wait_s);
}

static cJSON *run_json(const hitl_results *res, const hitl_report_meta *m)
{
    char started[32], ended[32];
    hitl_report_time(m->started, started, sizeof started);
    hitl_report_time(m->ended, ended, sizeof ended);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && add_str(o, "target", m->target ? m->target : "", m) &&
              add_str(o, "harness_version", m->harness_version ? m->harness_version : "", m) &&
              add_str(o, "fingerprint", m->fingerprint ? m->fingerprint : "", m) &&
              add_str(o, "app_mode", m->app_mode ? m->app_mode : "", m) &&
              cJSON_AddBoolToObject(o, "strict", m->strict) &&
              add_str(o, "profile", hitl_report_profile(m), m) &&
              add_str(o, "secrets", m->secrets_shown ? "shown" : "redacted", m) &&
              add_str(o, "started", started, m) && add_str(o, "ended", ended, m) &&
              add_secs(o, "duration_seconds", res->seconds) &&
              add_str(o, "contract", HITL_CONTRACT_PATH, m) &&
              add_str(o, "one_bucket", res->one_bucket, m) && add_critical(o, res, m);
    cJSON *opts = ok ? cJSON_AddArrayToObject(o, "options") : NULL;
    ok = opts != NULL;
    for (size_t i = 0; ok && i < m->n_options; i++) {
        char *red = hitl_report_redact(m, m->options[i]);
        ok = red && cJSON_AddItemToArray(opts, cJSON_CreateString(red));
        free(red);
    }
    if (ok && m->baseline_path) {
        cJSON *b = cJSON_AddObjectToObject(o, "baseline");
        cJSON *stale = b ? cJSON_AddArrayToObject(b, "stale") : NULL;
        ok = stale && add_str(b, "file", m->baseline_path, m);
        for (size_t i = 0; ok && i < m->n_stale; i++) {
            char *red = hitl_report_redact(m, m->stale[i]); /* a baseline line: any bytes */
            ok = red && cJSON_AddItemToArray(stale, cJSON_CreateString(red));
            free(red);
        }
    } else if (ok) {
        ok = cJSON_AddNullToObject(o, "baseline") != NULL;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *totals_json(const hitl_results *res, const hitl_report_meta *m)
{
    size_t known = 0;
    for (size_t i = 0; i < res->n; i++)
        known += hitl_report_known_reason(m, i) != NULL;
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "checks", (double)res->n) &&
              cJSON_AddNumberToObject(o, "pass", (double)res->count[HITL_PASS]) &&
              cJSON_AddNumberToObject(o, "fail", (double)res->count[HITL_FAIL]) &&
              cJSON_AddNumberToObject(o, "warn", (double)res->count[HITL_WARN]) &&
              cJSON_AddNumberToObject(o, "skip", (double)res->count[HITL_SKIP]) &&
              cJSON_AddNumberToObject(o, "error", (double)res->count[HITL_ERROR]) &&
              cJSON_AddNumberToObject(o, "known", (double)res->count[HITL_KNOWN]) &&
              cJSON_AddNumberToObject(o, "known_failures", (double)known);
    /* The regress checks that failed: the Dify bugs the target reproduces. */
    cJSON *bugs = ok ? cJSON_AddArrayToObject(o, "dify_bugs") : NULL;
    ok = bugs != NULL;
    for (size_t i = 0; res->items && ok && i < res->n; i++) {
        if (!hitl_report_lists_dify_bug(res, i))
            continue;
        hitl_buf issues;
        hitl_buf_init(&issues, 512);
        cJSON *b = cJSON_CreateObject();
        ok = b && cJSON_AddItemToArray(bugs, b) &&
             hitl_report_dify_issues(&issues, res->items[i].entry) == HITL_OK &&
             cJSON_AddStringToObject(b, "check", res->items[i].entry->id) &&
             cJSON_AddStringToObject(b, "issues", hitl_buf_str(&issues));
        hitl_buf_free(&issues);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int hitl_report_format_json(hitl_buf *out, const hitl_results *res, const hitl_report_meta *m,
                            hitl_err *err)
{
    hitl_report_meta none = {0};
    if (!m)
        m = &none;
    cJSON *root = cJSON_CreateObject();
    bool ok = root && cJSON_AddNumberToObject(root, "schema_version", HITL_REPORT_SCHEMA_VERSION) &&
              cJSON_AddItemToObject(root, "run", run_json(res, m));
    cJSON *checks = ok ? cJSON_AddArrayToObject(root, "checks") : NULL;
    ok = checks != NULL;
    for (size_t i = 0; ok && i < res->n; i++) {
        cJSON *c = check_json(&res->items[i], i, m);
        ok = c && cJSON_AddItemToArray(checks, c);
    }
    ok = ok && cJSON_AddItemToObject(root, "totals", totals_json(res, m));
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building report.json");
    int rc = hitl_buf_append_str(out, text);
    if (!rc)
        rc = hitl_buf_append_str(out, "\n");
    free(text);
    if (rc)
        return hitl_err_set(err, rc, "report.json would pass %u bytes", HITL_REPORT_MAX);
    return HITL_OK;
}
