/* report_sarif.c: report.sarif (see report.h), SARIF 2.1.0 for code-scanning dashboards.
 * Only security-relevant findings go in (hitl_report_security_relevant): a conformance
 * nit is not a security alert. One rule per check that has such a finding, one result
 * per finding (FAIL → level error, WARN → warning), located at the target's URL, with
 * a stable partial fingerprint (check ID and surface) so dashboards track it across runs.
 * A failure listed in the --expect baseline is kept but marked suppressed; so is a KNOWN
 * result (a recorded deviation of genuine Dify, --profile dify), at level note. */
#include "hitl/report.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static bool add_red(cJSON *o, const char *name, const char *s, const hitl_report_meta *m)
{
    char *red = hitl_report_redact(m, s ? s : "");
    bool ok = red && cJSON_AddStringToObject(o, name, red);
    free(red);
    return ok;
}

/* {"text": s} */
static bool add_message(cJSON *o, const char *name, const char *s, const hitl_report_meta *m)
{
    cJSON *msg = cJSON_AddObjectToObject(o, name);
    return msg && add_red(msg, "text", s, m);
}

/* "Enforces §7.3.14, §7.4.3 of hitlcheck's contract (specs/contract.md#c7.3.14, …). Rerun
 * with …": the clauses and where each is defined. No helpUri: SARIF wants an absolute URI,
 * and the contract's place is hitlcheck's source tree, wherever that is. */
static int rule_help(hitl_buf *help, const hitl_catalog_entry *e)
{
    int rc = hitl_buf_printf(help, "Enforces %s of hitlcheck's contract (", e->section);
    char id[HITL_CLAUSE_ID_MAX], anchor[HITL_CLAUSE_ID_MAX];
    const char *sep = "";
    for (const char *p = e->section; !rc && hitl_catalog_clause_next(&p, id, sizeof id);) {
        if (hitl_catalog_clause_anchor(id, anchor, sizeof anchor))
            continue;
        rc = hitl_buf_printf(help, "%s" HITL_CONTRACT_PATH "#%s", sep, anchor);
        sep = ", ";
    }
    return rc ? rc : hitl_buf_printf(help, "). Rerun with `hitlcheck run --only %s`.", e->id);
}

static cJSON *rule_json(const hitl_catalog_entry *e, const hitl_report_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    hitl_buf help;
    hitl_buf_init(&help, 4096);
    cJSON *props = o && !rule_help(&help, e) ? cJSON_CreateObject() : NULL;
    cJSON *tags = props ? cJSON_AddArrayToObject(props, "tags") : NULL;
    bool ok = tags && cJSON_AddItemToObject(o, "properties", props);
    if (!ok)
        cJSON_Delete(props);
    ok = ok && cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
    for (size_t i = 0; ok && i < e->n_tags; i++)
        if (strcmp(e->tags[i], "security"))
            ok = cJSON_AddItemToArray(tags, cJSON_CreateString(e->tags[i]));
    ok = ok && add_red(o, "id", e->id, m) && add_red(o, "name", e->id, m) &&
         add_message(o, "shortDescription", e->title, m) &&
         add_message(o, "fullDescription", e->title, m) &&
         add_message(o, "help", hitl_buf_str(&help), m);
    hitl_buf_free(&help);
    cJSON *cfg = ok ? cJSON_AddObjectToObject(o, "defaultConfiguration") : NULL;
    ok = cfg &&
         cJSON_AddStringToObject(cfg, "level", e->severity == HITL_MUST ? "error" : "warning");
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *result_json(const hitl_result *r, size_t idx, int rule_index,
                          const hitl_report_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    hitl_buf text;
    hitl_buf_init(&text, HITL_REPORT_MAX);
    bool ok = !hitl_buf_printf(&text, "%s [%s] (%s): expected %s; actual %s", r->entry->id,
                               hitl_surface_name(r->surface), r->entry->section,
                               r->expected ? r->expected : "", r->actual ? r->actual : "");
    if (ok && r->deviation)
        ok = !hitl_buf_append_str(&text, " ") && !hitl_report_deviation_text(&text, r);
    const char *level = r->verdict == HITL_FAIL    ? "error"
                        : r->verdict == HITL_KNOWN ? "note"
                                                   : "warning";
    ok = ok && o && add_red(o, "ruleId", r->entry->id, m) &&
         cJSON_AddNumberToObject(o, "ruleIndex", rule_index) &&
         cJSON_AddStringToObject(o, "level", level) &&
         add_message(o, "message", hitl_buf_str(&text), m);
    hitl_buf_free(&text);
    cJSON *locs = ok ? cJSON_AddArrayToObject(o, "locations") : NULL;
    cJSON *loc = locs ? cJSON_CreateObject() : NULL;
    ok = loc && cJSON_AddItemToArray(locs, loc);
    cJSON *phys = ok ? cJSON_AddObjectToObject(loc, "physicalLocation") : NULL;
    cJSON *art = phys ? cJSON_AddObjectToObject(phys, "artifactLocation") : NULL;
    ok = art && add_red(art, "uri", m->target, m);
    cJSON *fp = ok ? cJSON_AddObjectToObject(o, "partialFingerprints") : NULL;
    char key[256];
    snprintf(key, sizeof key, "%s/%s", r->entry->id, hitl_surface_name(r->surface));
    ok = fp && add_red(fp, "hitlcheckFinding/v1", key, m);
    hitl_buf rep;
    hitl_buf_init(&rep, HITL_REPRODUCER_MAX);
    cJSON *props = ok ? cJSON_AddObjectToObject(o, "properties") : NULL;
    ok = props && !hitl_report_reproducer(&rep, r, m, NULL) &&
         add_red(props, "reproducer", hitl_buf_str(&rep), m) &&
         add_red(props, "surface", hitl_surface_name(r->surface), m);
    hitl_buf_free(&rep);
    const char *known = hitl_report_known_reason(m, idx);
    char deviation[512];
    if (r->verdict == HITL_KNOWN && r->deviation) {
        snprintf(deviation, sizeof deviation,
                 "known deviation %s of genuine Dify (--profile dify, specs/deviations.json)",
                 r->deviation->id);
        known = deviation;
    }
    if (ok && known) {
        cJSON *sups = cJSON_AddArrayToObject(o, "suppressions");
        cJSON *sup = sups ? cJSON_CreateObject() : NULL;
        ok = sup && cJSON_AddItemToArray(sups, sup) &&
             cJSON_AddStringToObject(sup, "kind", "external") &&
             add_red(sup, "justification", known, m);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int hitl_report_format_sarif(hitl_buf *out, const hitl_results *res, const hitl_report_meta *m,
                             hitl_err *err)
{
    hitl_report_meta none = {0};
    if (!m)
        m = &none;
    char started[32], ended[32];
    hitl_report_time(m->started, started, sizeof started);
    hitl_report_time(m->ended, ended, sizeof ended);
    cJSON *root = cJSON_CreateObject();
    bool ok = root && cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA) &&
              cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = ok ? cJSON_AddArrayToObject(root, "runs") : NULL;
    cJSON *run = runs ? cJSON_CreateObject() : NULL;
    ok = run && cJSON_AddItemToArray(runs, run);
    cJSON *tool = ok ? cJSON_AddObjectToObject(run, "tool") : NULL;
    cJSON *driver = tool ? cJSON_AddObjectToObject(tool, "driver") : NULL;
    ok = driver && cJSON_AddStringToObject(driver, "name", "hitlcheck") &&
         add_red(driver, "version", m->harness_version ? m->harness_version : "", m);
    cJSON *rules = ok ? cJSON_AddArrayToObject(driver, "rules") : NULL;
    cJSON *results = rules ? cJSON_AddArrayToObject(run, "results") : NULL;
    ok = results != NULL;
    /* A check's first finding adds its rule; later ones (the other surface) refer to it. */
    int n_rules = 0;
    for (size_t i = 0; ok && i < res->n; i++) {
        const hitl_result *r = &res->items[i];
        if (!hitl_report_security_relevant(r))
            continue;
        int idx = -1;
        for (int k = 0; k < n_rules && idx < 0; k++) {
            cJSON *rid = cJSON_GetObjectItem(cJSON_GetArrayItem(rules, k), "id");
            if (cJSON_IsString(rid) && !strcmp(rid->valuestring, r->entry->id))
                idx = k;
        }
        if (idx < 0) {
            cJSON *rule = rule_json(r->entry, m);
            ok = rule && cJSON_AddItemToArray(rules, rule);
            idx = n_rules++;
        }
        cJSON *item = ok ? result_json(r, i, idx, m) : NULL;
        ok = item && cJSON_AddItemToArray(results, item);
    }
    cJSON *invs = ok ? cJSON_AddArrayToObject(run, "invocations") : NULL;
    cJSON *inv = invs ? cJSON_CreateObject() : NULL;
    ok = inv && cJSON_AddItemToArray(invs, inv) &&
         cJSON_AddBoolToObject(inv, "executionSuccessful", res->count[HITL_ERROR] == 0) &&
         cJSON_AddStringToObject(inv, "startTimeUtc", started) &&
         cJSON_AddStringToObject(inv, "endTimeUtc", ended);
    cJSON *props = ok ? cJSON_AddObjectToObject(run, "properties") : NULL;
    ok = props && add_red(props, "target", m->target, m) &&
         add_red(props, "fingerprint", m->fingerprint, m) &&
         add_red(props, "secrets", m->secrets_shown ? "shown" : "redacted", m) &&
         add_red(props, "profile", hitl_report_profile(m), m);
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building report.sarif");
    int rc = hitl_buf_append_str(out, text);
    if (!rc)
        rc = hitl_buf_append_str(out, "\n");
    free(text);
    if (rc)
        return hitl_err_set(err, rc, "report.sarif would pass %u bytes", HITL_REPORT_MAX);
    return HITL_OK;
}
