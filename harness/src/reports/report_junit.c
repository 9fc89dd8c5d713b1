/* report_junit.c: junit.xml (see report.h). The layout is the common Ant/Jenkins JUnit
 * schema (tests/data/junit.xsd holds the subset we emit): one <testsuite> per check area
 * (the catalogue's, specs/checks/<area>.json), one <testcase> per check and
 * surface. FAIL → <failure>, ERROR → <error>, SKIP → <skipped>; a WARN passes with a
 * note in <system-out> (it is a <failure> under --strict, where the scheduler already made
 * it a FAIL). A failure listed in the --expect baseline is <skipped> with the reason,
 * as pytest reports an xfail, so CI tools do not fail on a known fault; so is a KNOWN
 * result (a recorded deviation of genuine Dify under --profile dify), with the deviation. */
#include "hitl/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends |s| escaped for XML: quotes only in attribute values (|attr|), so element
 * text (the reproducers) stays readable. Characters XML 1.0 cannot hold at all (control
 * characters other than tab/newline/CR) become '?', and the noncharacters U+FFFE/U+FFFF
 * U+FFFD: a hostile server's body must not make the report unparsable. */
static int xml_escape(hitl_buf *b, const char *s, bool attr)
{
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
        switch (*p) {
        case '&':
            rc = hitl_buf_append_str(b, "&amp;");
            break;
        case '<':
            rc = hitl_buf_append_str(b, "&lt;");
            break;
        case '>':
            rc = hitl_buf_append_str(b, "&gt;");
            break;
        case '"':
            rc = attr ? hitl_buf_append_str(b, "&quot;") : hitl_buf_append(b, p, 1);
            break;
        case '\t':
        case '\n':
            rc = attr ? hitl_buf_printf(b, "&#%d;", *p) : hitl_buf_append(b, p, 1);
            break;
        case '\r':
            rc = hitl_buf_append_str(b, "&#13;");
            break;
        case 0xEF:
            /* U+FFFE and U+FFFF are valid UTF-8 but no XML character: U+FFFD instead. */
            if (p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
                rc = hitl_buf_append_str(b, "\xEF\xBF\xBD");
                p += 2;
            } else {
                rc = hitl_buf_append(b, p, 1);
            }
            break;
        default:
            rc = *p < 0x20 || *p == 0x7f ? hitl_buf_append_str(b, "?") : hitl_buf_append(b, p, 1);
        }
    }
    return rc;
}

static int xml_text(hitl_buf *b, const char *s)
{
    return xml_escape(b, s, true);
}

/* Appends redacted |s| escaped, as an attribute value (|attr|) or element text. */
static int xml_red_as(hitl_buf *b, const hitl_report_meta *m, const char *s, bool attr)
{
    char *red = hitl_report_redact(m, s);
    if (!red)
        return HITL_E_NOMEM;
    int rc = xml_escape(b, red, attr);
    free(red);
    return rc;
}

static int xml_red(hitl_buf *b, const hitl_report_meta *m, const char *s)
{
    return xml_red_as(b, m, s, true);
}

/* Element text: redacted, quotes and newlines kept. */
static int xml_body(hitl_buf *b, const hitl_report_meta *m, const char *s)
{
    return xml_red_as(b, m, s, false);
}

static int property(hitl_buf *b, const hitl_report_meta *m, const char *name, const char *value)
{
    int rc = hitl_buf_printf(b, "      <property name=\"%s\" value=\"", name);
    if (!rc)
        rc = xml_red(b, m, value ? value : "");
    return rc ? rc : hitl_buf_append_str(b, "\"/>\n");
}

static int properties(hitl_buf *b, const hitl_report_meta *m)
{
    int rc = hitl_buf_append_str(b, "    <properties>\n");
    if (!rc)
        rc = property(b, m, "target", m->target);
    if (!rc)
        rc = property(b, m, "harness_version", m->harness_version);
    if (!rc)
        rc = property(b, m, "fingerprint", m->fingerprint);
    if (!rc)
        rc = property(b, m, "app_mode", m->app_mode);
    if (!rc)
        rc = property(b, m, "strict", m->strict ? "true" : "false");
    if (!rc)
        rc = property(b, m, "secrets", m->secrets_shown ? "shown (--show-secrets)" : "redacted");
    if (!rc)
        rc = property(b, m, "profile", hitl_report_profile(m));
    /* Where the clauses the reproducers' "(§7.4.2)" cite are defined. */
    if (!rc)
        rc = property(b, m, "contract", HITL_CONTRACT_PATH);
    hitl_buf opts;
    hitl_buf_init(&opts, HITL_REPORT_MAX); /* the options hold --inputs JSON: no small cap */
    for (size_t i = 0; !rc && i < m->n_options; i++)
        rc = hitl_buf_printf(&opts, "%s%s", i ? " " : "", m->options[i]);
    if (!rc)
        rc = property(b, m, "options", hitl_buf_str(&opts));
    hitl_buf_free(&opts);
    if (!rc && m->baseline_path)
        rc = property(b, m, "baseline", m->baseline_path);
    return rc ? rc : hitl_buf_append_str(b, "    </properties>\n");
}

/* The body of a FAIL/WARN: Expected, Actual, the note and the reproducer. */
static int finding_text(hitl_buf *b, const hitl_result *r, const hitl_report_meta *m)
{
    hitl_buf t;
    hitl_buf_init(&t, HITL_REPORT_MAX);
    int rc = hitl_buf_printf(&t, "Expected: %s\nActual:   %s\n", r->expected ? r->expected : "",
                             r->actual ? r->actual : "");
    if (!rc && r->notes)
        rc = hitl_buf_printf(&t, "Note:     %s\n", r->notes);
    if (!rc && r->deviation) {
        rc = hitl_buf_append_str(&t, "Dify:     ");
        rc = rc ? rc : hitl_report_deviation_text(&t, r);
        rc = rc ? rc : hitl_buf_append_str(&t, "\n");
    }
    if (!rc)
        rc = hitl_buf_append_str(&t, "\n");
    if (!rc)
        rc = hitl_report_reproducer(&t, r, m, NULL);
    if (!rc)
        rc = xml_body(b, m, hitl_buf_str(&t));
    hitl_buf_free(&t);
    return rc;
}

/* How a result shows in JUnit: a WARN fails under --strict (the run fails on it), a
 * failure the baseline lists is a known one, and a KNOWN result is a recorded deviation. */
typedef enum outcome {
    OUT_PASS,
    OUT_FAILURE,
    OUT_KNOWN,
    OUT_ERROR,
    OUT_SKIP,
    OUT_WARN,
    OUT_DEVIATION
} outcome;

static outcome outcome_of(const hitl_result *r, size_t idx, const hitl_report_meta *m)
{
    if (r->verdict == HITL_FAIL || (m->strict && r->verdict == HITL_WARN))
        return hitl_report_known_reason(m, idx) ? OUT_KNOWN : OUT_FAILURE;
    switch (r->verdict) {
    case HITL_KNOWN:
        return OUT_DEVIATION;
    case HITL_ERROR:
        return OUT_ERROR;
    case HITL_SKIP:
        return OUT_SKIP;
    case HITL_WARN:
        return OUT_WARN;
    default:
        return OUT_PASS;
    }
}

/* Adds result |idx| to the failures/errors/skipped counts (a known failure is skipped,
 * as it is shown). */
static void tally(const hitl_results *res, size_t idx, const hitl_report_meta *m, size_t *failures,
                  size_t *errors, size_t *skipped)
{
    outcome o = outcome_of(&res->items[idx], idx, m);
    *failures += o == OUT_FAILURE;
    *errors += o == OUT_ERROR;
    *skipped += o == OUT_SKIP || o == OUT_KNOWN || o == OUT_DEVIATION;
}

static int testcase(hitl_buf *b, const hitl_result *r, size_t idx, const hitl_report_meta *m)
{
    int rc = hitl_buf_append_str(b, "    <testcase name=\"");
    if (!rc)
        rc = xml_text(b, r->entry->id);
    if (!rc)
        rc = hitl_buf_printf(b, " [%s]\" classname=\"", hitl_surface_name(r->surface));
    if (!rc)
        rc = xml_text(b, r->entry->id);
    if (!rc)
        rc = hitl_buf_printf(b, "\" time=\"%.3f\"", r->seconds);
    outcome o = outcome_of(r, idx, m);
    if (o == OUT_PASS && !r->notes)
        return rc ? rc : hitl_buf_append_str(b, "/>\n");
    rc = rc ? rc : hitl_buf_append_str(b, ">\n");
    const char *known = hitl_report_known_reason(m, idx);
    switch (o) {
    case OUT_FAILURE:
    case OUT_KNOWN:
        if (o == OUT_KNOWN) {
            rc = rc ? rc : hitl_buf_append_str(b, "      <skipped message=\"known failure: ");
            rc = rc ? rc : xml_red(b, m, known);
            rc = rc ? rc : hitl_buf_append_str(b, "\"/>\n      <system-out>");
        } else {
            rc = rc ? rc : hitl_buf_append_str(b, "      <failure message=\"");
            rc = rc ? rc : xml_red(b, m, r->actual);
            rc = rc ? rc
                    : hitl_buf_printf(b, "\" type=\"%s\">", hitl_severity_name(r->entry->severity));
        }
        rc = rc ? rc : finding_text(b, r, m);
        rc = rc ? rc : hitl_buf_append_str(b, o == OUT_KNOWN ? "</system-out>\n" : "</failure>\n");
        break;
    case OUT_DEVIATION:
        rc = rc ? rc : hitl_buf_append_str(b, "      <skipped message=\"known deviation ");
        rc = rc ? rc : xml_red(b, m, r->deviation ? r->deviation->id : "");
        rc = rc ? rc : hitl_buf_append_str(b, " of genuine Dify (--profile dify): ");
        rc = rc ? rc : xml_red(b, m, r->deviation ? r->deviation->observed : "");
        rc = rc ? rc : hitl_buf_append_str(b, "\"/>\n      <system-out>");
        rc = rc ? rc : finding_text(b, r, m);
        rc = rc ? rc : hitl_buf_append_str(b, "</system-out>\n");
        break;
    case OUT_ERROR:
        rc = rc ? rc : hitl_buf_append_str(b, "      <error message=\"");
        rc = rc ? rc : xml_red(b, m, r->reason);
        rc = rc ? rc : hitl_buf_append_str(b, "\" type=\"ERROR\">");
        rc = rc ? rc : xml_body(b, m, r->reason);
        rc = rc ? rc : hitl_buf_append_str(b, "</error>\n");
        break;
    case OUT_SKIP:
        rc = rc ? rc : hitl_buf_append_str(b, "      <skipped message=\"");
        rc = rc ? rc : xml_red(b, m, r->reason);
        rc = rc ? rc : hitl_buf_append_str(b, "\"/>\n");
        break;
    case OUT_WARN:
        rc = rc ? rc
                : hitl_buf_printf(b, "      <system-out>WARN (%s, passes unless --strict)\n",
                                  hitl_severity_name(r->entry->severity));
        rc = rc ? rc : finding_text(b, r, m);
        rc = rc ? rc : hitl_buf_append_str(b, "</system-out>\n");
        break;
    case OUT_PASS:
        if (r->notes) {
            rc = rc ? rc : hitl_buf_append_str(b, "      <system-out>Note: ");
            rc = rc ? rc : xml_body(b, m, r->notes);
            rc = rc ? rc : hitl_buf_append_str(b, "</system-out>\n");
        }
        break;
    }
    return rc ? rc : hitl_buf_append_str(b, "    </testcase>\n");
}

int hitl_report_format_junit(hitl_buf *out, const hitl_results *res, const hitl_report_meta *m,
                             hitl_err *err)
{
    hitl_report_meta none = {0};
    if (!m)
        m = &none;
    char started[32];
    hitl_report_time(m->started, started, sizeof started);
    size_t tests = res->n, failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < res->n; i++)
        tally(res, i, m, &failures, &errors, &skipped);
    int rc = hitl_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (!rc)
        rc = hitl_buf_printf(out,
                             "<testsuites name=\"hitlcheck\" tests=\"%zu\" failures=\"%zu\" "
                             "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
                             tests, failures, errors, skipped, res->seconds);
    /* Suites in order of first appearance, so the file follows the run's order. */
    bool *done = calloc(res->n ? res->n : 1, sizeof *done);
    if (!done)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory writing junit.xml");
    for (size_t i = 0; !rc && i < res->n; i++) {
        if (done[i])
            continue;
        const char *area = hitl_report_area(res->items[i].entry);
        size_t n = 0, f = 0, e = 0, s = 0;
        double secs = 0;
        for (size_t k = i; k < res->n; k++) {
            if (strcmp(area, hitl_report_area(res->items[k].entry)))
                continue;
            n++;
            tally(res, k, m, &f, &e, &s);
            secs += res->items[k].seconds;
        }
        rc = hitl_buf_append_str(out, "  <testsuite name=\"");
        rc = rc ? rc : xml_text(out, area);
        rc = rc ? rc
                : hitl_buf_printf(out,
                                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                                  "skipped=\"%zu\" time=\"%.3f\" timestamp=\"%.19s\" "
                                  "hostname=\"",
                                  n, f, e, s, secs, started);
        rc = rc ? rc : xml_red(out, m, m->target ? m->target : "");
        rc = rc ? rc : hitl_buf_append_str(out, "\">\n");
        rc = rc ? rc : properties(out, m);
        for (size_t k = i; !rc && k < res->n; k++) {
            if (strcmp(area, hitl_report_area(res->items[k].entry)))
                continue;
            done[k] = true;
            rc = testcase(out, &res->items[k], k, m);
        }
        rc = rc ? rc : hitl_buf_append_str(out, "  </testsuite>\n");
    }
    free(done);
    if (!rc)
        rc = hitl_buf_append_str(out, "</testsuites>\n");
    if (rc)
        return hitl_err_set(err, rc, "junit.xml would pass %u bytes", HITL_REPORT_MAX);
    return HITL_OK;
}
