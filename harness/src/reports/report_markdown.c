/* report_markdown.c: summary.md (see report.h): the totals and a short table of the
 * checks that did not pass, fit for a CI step summary ($GITHUB_STEP_SUMMARY), then each
 * finding's reproducer (and recorded deviation of genuine Dify) folded in a <details> block.
 * Passing checks are only counted: the full list is in junit.xml and report.json. */
#include "hitl/report.h"

#include <stdlib.h>
#include <string.h>

#define CELL_MAX 200 /* characters of a reason in a table cell: the table stays short */

/* Appends the first line of redacted |s|, cut to |max| bytes (on a UTF-8 boundary), every
 * Markdown punctuation character backslash-escaped and '<' as &lt;: a server's text
 * ("![p](https://evil.example/p.png)") must show as text, never become an image, a link,
 * emphasis or HTML. */
static int escaped_line(hitl_buf *b, const hitl_report_meta *m, const char *s, size_t max)
{
    char *red = hitl_report_redact(m, s);
    if (!red)
        return HITL_E_NOMEM;
    size_t n = hitl_report_first_line(red, max);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        char c = red[i];
        if (c && strchr("\\`*_{}[]()#+-.!|~", c)) {
            char esc[2] = {'\\', c};
            rc = hitl_buf_append(b, esc, 2);
        } else if (c == '<')
            rc = hitl_buf_append_str(b, "&lt;");
        else
            rc = hitl_buf_append(b, &c, 1);
    }
    if (!rc && red[n])
        rc = hitl_buf_append_str(b, "…");
    free(red);
    return rc;
}

/* One table cell: the first line, cut to CELL_MAX bytes. */
static int cell(hitl_buf *b, const hitl_report_meta *m, const char *s)
{
    return escaped_line(b, m, s, CELL_MAX);
}

static const char *detail_of(const hitl_result *r)
{
    if (r->verdict == HITL_FAIL || r->verdict == HITL_WARN)
        return r->actual ? r->actual : "";
    if (r->verdict == HITL_KNOWN && r->deviation)
        return r->deviation->observed;
    return r->reason ? r->reason : "";
}

/* The deviation's id in the table cell: "KNOWN (deviation <id>)" or "FAIL (Dify too: <id>)". */
static int verdict_cell(hitl_buf *out, const hitl_result *r, bool is_known)
{
    int rc =
        hitl_buf_printf(out, "| %s%s", hitl_verdict_name(r->verdict), is_known ? " (known)" : "");
    if (!rc && r->deviation)
        rc =
            hitl_buf_printf(out, " (%s `%s`)",
                            r->verdict == HITL_KNOWN ? "deviation" : "Dify too:", r->deviation->id);
    return rc;
}

int hitl_report_format_markdown(hitl_buf *out, const hitl_results *res, const hitl_report_meta *m,
                                hitl_err *err)
{
    hitl_report_meta none = {0};
    if (!m)
        m = &none;
    size_t known = 0;
    for (size_t i = 0; i < res->n; i++)
        known += hitl_report_known_reason(m, i) != NULL;
    int rc = hitl_buf_append_str(out, "## hitlcheck: ");
    rc = rc ? rc : cell(out, m, m->target ? m->target : "");
    rc = rc ? rc
            : hitl_buf_printf(out, "\n\n**%zu checks: %zu passed, %zu failed", res->n,
                              res->count[HITL_PASS], res->count[HITL_FAIL]);
    if (!rc && known)
        rc = hitl_buf_printf(out, " (%zu known)", known);
    rc = rc ? rc
            : hitl_buf_printf(out, ", %zu warned, %zu skipped, %zu errors", res->count[HITL_WARN],
                              res->count[HITL_SKIP], res->count[HITL_ERROR]);
    if (!rc && res->count[HITL_KNOWN])
        rc = hitl_buf_printf(out, ", %zu known deviations of genuine Dify", res->count[HITL_KNOWN]);
    rc = rc ? rc : hitl_buf_printf(out, "** in %.1fs", res->seconds);
    rc = rc ? rc
            : hitl_buf_printf(out, " (hitlcheck %s", m->harness_version ? m->harness_version : "?");
    if (!rc && m->fingerprint && *m->fingerprint) {
        rc = hitl_buf_append_str(out, ", ");
        rc = rc ? rc : cell(out, m, m->fingerprint);
    }
    rc = rc ? rc
            : hitl_buf_printf(out, "%s%s)\n\n", m->strict ? ", --strict" : "",
                              !strcmp(hitl_report_profile(m), "dify") ? ", --profile dify" : "");
    /* The regress checks that failed name the Dify bugs the target reproduces. */
    size_t bugs = 0;
    for (size_t i = 0; res->items && !rc && i < res->n; i++) {
        if (!hitl_report_lists_dify_bug(res, i))
            continue;
        rc = hitl_buf_append_str(out, bugs++ ? "; " : "**This deployment has the behaviour of** ");
        rc = rc ? rc : hitl_report_dify_issues(out, res->items[i].entry);
        rc = rc ? rc : hitl_buf_printf(out, " (`%s`)", res->items[i].entry->id);
    }
    if (!rc && bugs)
        rc = hitl_buf_append_str(out, "\n\n");
    if (!rc && m->secrets_shown)
        rc = hitl_buf_append_str(out, "> **Secrets are shown** (--show-secrets): do not publish "
                                      "this report.\n\n");
    size_t rows = res->n - res->count[HITL_PASS];
    if (!rc && rows == 0)
        rc = hitl_buf_append_str(out, "Every check passed.\n");
    if (!rc && rows)
        rc = hitl_buf_append_str(
            out, "| Verdict | Area | Check | Surface | Clause (" HITL_CONTRACT_PATH ") | Detail |\n"
                 "|---|---|---|---|---|---|\n");
    for (size_t i = 0; !rc && i < res->n; i++) {
        const hitl_result *r = &res->items[i];
        if (r->verdict == HITL_PASS)
            continue;
        bool is_known = hitl_report_known_reason(m, i) != NULL;
        rc = verdict_cell(out, r, is_known);
        rc = rc ? rc : hitl_buf_append_str(out, " | ");
        rc = rc ? rc : cell(out, m, hitl_report_area(r->entry));
        rc = rc ? rc
                : hitl_buf_printf(out, " | `%s` | %s | ", r->entry->id,
                                  hitl_surface_name(r->surface));
        rc = rc ? rc : cell(out, m, r->entry->section);
        rc = rc ? rc : hitl_buf_append_str(out, " | ");
        rc = rc ? rc : cell(out, m, is_known ? hitl_report_known_reason(m, i) : detail_of(r));
        rc = rc ? rc : hitl_buf_append_str(out, " |\n");
    }
    if (!rc && m->baseline_path && m->n_stale) {
        rc = hitl_buf_append_str(out, "\nBaseline ");
        rc = rc ? rc : cell(out, m, m->baseline_path);
        rc = rc ? rc : hitl_buf_append_str(out, " is out of date (this fails the run):\n\n");
        for (size_t i = 0; !rc && i < m->n_stale; i++) {
            rc = hitl_buf_append_str(out, "- ");
            rc = rc ? rc : cell(out, m, m->stale[i]);
            rc = rc ? rc : hitl_buf_append_str(out, "\n");
        }
    }
    /* Reproducers, folded: they are long, and the table is what a reader scans. */
    for (size_t i = 0; !rc && i < res->n; i++) {
        const hitl_result *r = &res->items[i];
        if (r->verdict != HITL_FAIL && r->verdict != HITL_WARN && r->verdict != HITL_KNOWN)
            continue;
        hitl_buf rep;
        hitl_buf_init(&rep, HITL_REPRODUCER_MAX);
        rc = hitl_report_reproducer(&rep, r, m, err);
        char *red = rc ? NULL : hitl_report_redact(m, hitl_buf_str(&rep));
        hitl_buf_free(&rep);
        if (!rc && !red)
            rc = HITL_E_NOMEM;
        /* The fence is longer than any run of backticks inside, so no text in the
         * reproducer can close the code block early. */
        size_t fence = 3;
        for (const char *p = red ? red : ""; *p; p++) {
            size_t run = strspn(p, "`");
            fence = run >= fence ? run + 1 : fence;
            p += run ? run - 1 : 0;
        }
        rc = rc ? rc
                : hitl_buf_printf(out,
                                  "\n<details><summary>Reproduce <code>%s</code> [%s]"
                                  "</summary>\n\n",
                                  r->entry->id, hitl_surface_name(r->surface));
        if (!rc && r->deviation) {
            /* The evidence, as text: a paragraph of its own above the reproducer. */
            hitl_buf dev;
            hitl_buf_init(&dev, HITL_REPRODUCER_MAX);
            rc = hitl_report_deviation_text(&dev, r);
            rc = rc ? rc : escaped_line(out, m, hitl_buf_str(&dev), HITL_REPRODUCER_MAX);
            rc = rc ? rc : hitl_buf_append_str(out, "\n\n");
            hitl_buf_free(&dev);
        }
        for (size_t k = 0; !rc && k < fence; k++)
            rc = hitl_buf_append_str(out, "`");
        rc = rc ? rc : hitl_buf_printf(out, "sh\n%s", red);
        for (size_t k = 0; !rc && k < fence; k++)
            rc = hitl_buf_append_str(out, "`");
        rc = rc ? rc : hitl_buf_append_str(out, "\n</details>\n");
        free(red);
    }
    if (rc)
        return hitl_err_set(err, rc, "summary.md would pass %u bytes", HITL_REPORT_MAX);
    return HITL_OK;
}
