/* fuzz_report.c: a campaign's findings in the report formats of `hitlcheck run`: report.json,
 * junit.xml, results.sarif (SARIF results for the security oracles only) and report.html,
 * written from the
 * finding files, so the findings of every job are summarized together. These are small writers
 * of their own until the reports layer's format table can take a campaign. */
#include "hitl/fuzz_report.h"

#include "hitl/version.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A finding file is a few KiB; a larger one is read in part and, cut, is no JSON: skipped. */
#define FINDING_MAX_BYTES (1u << 16)

typedef struct finding_row {
    cJSON *j; /* the finding file */
    char name[64];
} finding_row;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const finding_row *)a)->name, ((const finding_row *)b)->name);
}

static const char *str(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
}

static size_t load(const char *dir, finding_row **out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0, cap = 0;
    finding_row *rows = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || l >= 64 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        char *buf = malloc(FINDING_MAX_BYTES);
        size_t len = buf ? fread(buf, 1, FINDING_MAX_BYTES, fp) : 0;
        fclose(fp);
        cJSON *j = buf ? cJSON_ParseWithLength(buf, len) : NULL;
        free(buf);
        if (!cJSON_IsObject(j)) {
            cJSON_Delete(j);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            finding_row *r = realloc(rows, cap * sizeof *r);
            if (!r) {
                cJSON_Delete(j);
                break;
            }
            rows = r;
        }
        rows[n].j = j;
        memcpy(rows[n].name, e->d_name, l + 1); /* l < sizeof name: checked above */
        n++;
    }
    closedir(d);
    if (n)
        qsort(rows, n, sizeof *rows, by_name);
    *out = rows;
    return n;
}

static int write_json(const char *path, const hitl_fuzz_summary *s, finding_row *rows, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tool", "hitlcheck fuzz");
    cJSON_AddStringToObject(o, "version", HITL_VERSION);
    cJSON_AddStringToObject(o, "target", s->target_label ? s->target_label : "");
    cJSON_AddStringToObject(o, "surface", s->web ? "web" : "service");
    cJSON_AddNumberToObject(o, "jobs", s->jobs);
    cJSON_AddNumberToObject(o, "seconds", s->seconds);
    cJSON_AddNumberToObject(o, "requests", (double)s->requests);
    cJSON_AddNumberToObject(o, "requests_per_second",
                            s->seconds > 0 ? (double)s->requests / s->seconds : 0);
    cJSON_AddNumberToObject(o, "scenarios", (double)s->scenarios);
    cJSON_AddNumberToObject(o, "features", s->features);
    cJSON_AddNumberToObject(o, "forms_used", (double)s->forms_used);
    cJSON *arr = cJSON_AddArrayToObject(o, "findings");
    for (size_t i = 0; i < n; i++) {
        const cJSON *j = rows[i].j;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", str(j, "id"));
        cJSON_AddStringToObject(f, "signature", str(j, "signature"));
        cJSON_AddStringToObject(f, "oracle", str(j, "oracle"));
        cJSON_AddBoolToObject(f, "security", cJSON_IsTrue(cJSON_GetObjectItem(j, "security")));
        cJSON_AddStringToObject(f, "detail", str(j, "detail"));
        cJSON_AddNumberToObject(f, "found_after_s", num(j, "found_after_s"));
        cJSON_AddNumberToObject(f, "found_after_requests", num(j, "found_after_requests"));
        char p[128];
        snprintf(p, sizeof p, "findings/%s.json", str(j, "id"));
        cJSON_AddStringToObject(f, "file", p);
        snprintf(p, sizeof p, "findings/%s.sh", str(j, "id"));
        cJSON_AddStringToObject(f, "reproducer", p);
        cJSON_AddItemToArray(arr, f);
    }
    char *txt = cJSON_Print(o);
    cJSON_Delete(o);
    FILE *fp = txt ? fopen(path, "w") : NULL;
    int rc = fp && fputs(txt, fp) >= 0 && fputc('\n', fp) != EOF ? 0 : -1;
    if (fp && fclose(fp))
        rc = -1;
    free(txt);
    return rc;
}

static int write_junit(const char *path, const hitl_fuzz_summary *s, finding_row *rows, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"hitlcheck fuzz\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n"
            "  <testsuite name=\"fuzz\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
            n ? n : 1, n, s->seconds, n ? n : 1, n, s->seconds);
    if (!n)
        fprintf(f, "    <testcase classname=\"fuzz\" name=\"no finding in %llu requests\"/>\n",
                (unsigned long long)s->requests);
    for (size_t i = 0; i < n; i++) {
        const cJSON *j = rows[i].j;
        fputs("    <testcase classname=\"fuzz.", f);
        xml_escape(f, str(j, "oracle"));
        fputs("\" name=\"", f);
        xml_escape(f, str(j, "signature"));
        fputs("\">\n      <failure message=\"", f);
        xml_escape(f, str(j, "detail"));
        fputs("\">", f);
        xml_escape(f, str(j, "scenario"));
        fprintf(f,
                "reproducer: findings/%s.sh; replay: hitlcheck fuzz --replay findings/%s.json"
                "</failure>\n    </testcase>\n",
                str(j, "id"), str(j, "id"));
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return fclose(f) ? -1 : 0;
}

static int write_sarif(const char *path, finding_row *rows, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(o, "version", "2.1.0");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "runs"), run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "hitlcheck fuzz");
    cJSON_AddStringToObject(driver, "version", HITL_VERSION);
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < n; i++) {
        const cJSON *j = rows[i].j;
        if (!cJSON_IsTrue(cJSON_GetObjectItem(j, "security")))
            continue;
        cJSON *rule = cJSON_CreateObject();
        cJSON_AddStringToObject(rule, "id", str(j, "signature"));
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "shortDescription"), "text",
                                str(j, "oracle"));
        cJSON_AddItemToArray(rules, rule);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "ruleId", str(j, "signature"));
        cJSON_AddStringToObject(r, "level", "error");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "message"), "text", str(j, "detail"));
        cJSON *loc = cJSON_CreateObject();
        char uri[128];
        snprintf(uri, sizeof uri, "findings/%s.json", str(j, "id"));
        cJSON_AddStringToObject(
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(loc, "physicalLocation"),
                                    "artifactLocation"),
            "uri", uri);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "locations"), loc);
        cJSON_AddItemToArray(results, r);
    }
    char *txt = cJSON_Print(o);
    cJSON_Delete(o);
    FILE *fp = txt ? fopen(path, "w") : NULL;
    int rc = fp && fputs(txt, fp) >= 0 ? 0 : -1;
    if (fp && fclose(fp))
        rc = -1;
    free(txt);
    return rc;
}

static int write_html(const char *path, const hitl_fuzz_summary *s, finding_row *rows, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(
        "<!doctype html>\n<html lang=en><meta charset=utf-8><title>hitlcheck fuzz</title>\n"
        "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "pre{margin:0;white-space:pre-wrap}.sec{color:#a00}</style>\n<h1>hitlcheck fuzz</h1>\n<p>",
        f);
    xml_escape(f, s->target_label ? s->target_label : "");
    fprintf(f,
            ", %s surface: %zu finding%s; %llu requests in %.1f s (%.0f req/s), %u features, "
            "%llu forms used, %u job%s.</p>\n",
            s->web ? "web" : "service", n, n == 1 ? "" : "s", (unsigned long long)s->requests,
            s->seconds, s->seconds > 0 ? (double)s->requests / s->seconds : 0, s->features,
            (unsigned long long)s->forms_used, s->jobs, s->jobs == 1 ? "" : "s");
    if (n)
        fputs("<table><tr><th>finding</th><th>oracle</th><th>what</th><th>found after</th>"
              "<th>scenario</th><th>reproduce</th></tr>\n",
              f);
    for (size_t i = 0; i < n; i++) {
        const cJSON *j = rows[i].j;
        bool sec = cJSON_IsTrue(cJSON_GetObjectItem(j, "security"));
        fprintf(f, "<tr%s><td>", sec ? " class=sec" : "");
        xml_escape(f, str(j, "signature"));
        fputs("</td><td>", f);
        xml_escape(f, str(j, "oracle"));
        fputs(sec ? " (security)</td><td>" : "</td><td>", f);
        xml_escape(f, str(j, "detail"));
        fprintf(f, "</td><td>%.1f s, %.0f requests</td><td><pre>", num(j, "found_after_s"),
                num(j, "found_after_requests"));
        xml_escape(f, str(j, "scenario"));
        fputs("</pre></td><td><a href=\"findings/", f);
        xml_escape(f, str(j, "id"));
        fputs(".sh\">curl</a>, <code>hitlcheck fuzz --replay findings/", f);
        xml_escape(f, str(j, "id"));
        fputs(".json</code></td></tr>\n", f);
    }
    if (n)
        fputs("</table>\n", f);
    fputs("</html>\n", f);
    return fclose(f) ? -1 : 0;
}

int hitl_fuzz_report_write(const char *report_dir, const char *findings_dir,
                           const hitl_fuzz_summary *s, FILE *summary, size_t *n_findings,
                           hitl_err *err)
{
    finding_row *rows;
    size_t n = load(findings_dir, &rows);
    if (n_findings)
        *n_findings = n;
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s/report.json", report_dir);
    if (write_json(path, s, rows, n))
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s", path);
    snprintf(path, sizeof path, "%s/junit.xml", report_dir);
    if (!rc && write_junit(path, s, rows, n))
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s", path);
    snprintf(path, sizeof path, "%s/results.sarif", report_dir);
    if (!rc && write_sarif(path, rows, n))
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s", path);
    snprintf(path, sizeof path, "%s/report.html", report_dir);
    if (!rc && write_html(path, s, rows, n))
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s", path);
    if (summary) {
        for (size_t i = 0; i < n; i++)
            fprintf(summary,
                    "FINDING %s  %s\n        %s\n        replay: hitlcheck fuzz --replay %s/%s\n",
                    str(rows[i].j, "id"), str(rows[i].j, "signature"), str(rows[i].j, "detail"),
                    findings_dir, rows[i].name);
    }
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(rows[i].j);
    free(rows);
    return rc;
}
