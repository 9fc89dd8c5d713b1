/* report_console.c: progress and results on a terminal or a log (see report_console.h). */
#include "hitl/report_console.h"
#include "hitl/report.h"

#include <string.h>
#include <time.h>

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Indexed by hitl_verdict: PASS green, FAIL red, WARN yellow, SKIP cyan, ERROR magenta,
 * KNOWN blue. */
static const char *const COLORS[HITL_VERDICT_COUNT] = {"\033[32m", "\033[31m", "\033[33m",
                                                       "\033[36m", "\033[35m", "\033[34m"};
#define RESET "\033[0m"

void hitl_console_init(hitl_console *c, FILE *out, bool tty, bool color, int verbosity,
                       size_t total)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->tty = tty;
    c->color = color;
    c->verbosity = verbosity;
    c->total = total;
    c->wait_line_at = mono_s();
}

static void clear_status(hitl_console *c)
{
    if (c->status_shown) {
        fputs("\r\033[K", c->out);
        c->status_shown = false;
    }
}

static void status(hitl_console *c, const char *id, const char *extra)
{
    if (!c->tty || c->verbosity == 0)
        return;
    clear_status(c);
    fprintf(c->out, "[%zu/%zu] %zu passed, %zu failed, %zu warned | %s%s", c->done, c->total,
            c->counts[HITL_PASS], c->counts[HITL_FAIL], c->counts[HITL_WARN], id,
            extra ? extra : "");
    fflush(c->out);
    c->status_shown = true;
}

void hitl_console_on_start(void *user, const hitl_result *r)
{
    hitl_console *c = user;
    status(c, r->entry->id, NULL);
}

void hitl_console_on_wait(void *user, const hitl_result *r, double left, const char *what)
{
    hitl_console *c = user;
    /* In a log no status line is rewritten: a long wait would look like a hang. One line at
     * most once a minute says what is waited for and how long is left. */
    if (!c->tty && c->verbosity > 0) {
        double now = mono_s();
        if (now - c->wait_line_at >= HITL_CONSOLE_WAIT_LINE_S) {
            c->wait_line_at = now;
            fprintf(c->out, "waiting: %s [%s]: %s, %.0fs left (%zu/%zu checks done)\n",
                    r->entry->id, hitl_surface_name(r->surface), what ? what : "", left + 0.5,
                    c->done, c->total);
            fflush(c->out);
        }
        return;
    }
    char extra[256];
    snprintf(extra, sizeof extra, ": waiting %.0fs (%s)", left + 0.5, what ? what : "");
    status(c, r->entry->id, extra);
}

/* Writes |text| for a terminal: a control byte a server sent (ESC starts a terminal
 * command: it could retitle the window, move the cursor or hide text) is shown as \xNN.
 * LF is kept, followed by |indent| when more text follows, so multi-line values stay
 * readable. */
static void put_safe(FILE *f, const char *text, const char *indent)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') {
            fputc('\n', f);
            if (p[1])
                fputs(indent, f);
        } else if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            fprintf(f, "\\x%02x", *p);
        } else {
            fputc(*p, f);
        }
    }
}

/* Prints |text| with every line indented. */
static void indented(FILE *f, const char *label, const char *text)
{
    fprintf(f, "      %-9s ", label);
    put_safe(f, text, "                ");
    fputc('\n', f);
}

static void print_exchanges(FILE *f, const hitl_result *r)
{
    for (size_t i = 0; i < r->n_exchanges; i++) {
        const hitl_exchange *x = &r->exchanges[i];
        fprintf(f, "      > %s %s\n", x->method, x->url);
        if (x->error) {
            fputs("      < (no complete response: ", f);
            put_safe(f, x->error, "");
            fputs(")\n", f);
        } else
            fprintf(f, "      < HTTP %ld, %zu bytes, %.3fs\n", x->status, x->response_bytes,
                    x->seconds);
    }
    if (r->dropped_exchanges)
        fprintf(f, "      (%zu more exchanges not recorded)\n", r->dropped_exchanges);
}

void hitl_console_on_done(void *user, const hitl_result *r)
{
    hitl_console *c = user;
    c->done++;
    c->counts[r->verdict]++;
    bool judged = r->verdict == HITL_FAIL || r->verdict == HITL_WARN || r->verdict == HITL_KNOWN;
    bool finding = judged || r->verdict == HITL_ERROR;
    /* A check the stopped run never started: the summary says why once, for all of them. */
    if (r->not_run) {
        status(c, r->entry->id, NULL);
        return;
    }
    if (c->verbosity == 0 && !finding) {
        status(c, r->entry->id, NULL);
        return;
    }
    clear_status(c);
    const char *name = hitl_verdict_name(r->verdict);
    if (c->color)
        fprintf(c->out, "%s%-5s%s", COLORS[r->verdict], name, RESET);
    else
        fprintf(c->out, "%-5s", name);
    fprintf(c->out, " %s [%s] %s (%s, %.2fs)\n", r->entry->id, hitl_surface_name(r->surface),
            r->entry->title, r->entry->section, r->seconds);
    if (judged) {
        indented(c->out, "Expected:", r->expected ? r->expected : "");
        indented(c->out, "Actual:", r->actual ? r->actual : "");
    }
    if (judged && r->deviation) {
        hitl_buf dev;
        hitl_buf_init(&dev, 64u * 1024u);
        if (!hitl_report_deviation_text(&dev, r))
            indented(c->out, "Dify:", hitl_buf_str(&dev));
        hitl_buf_free(&dev);
    }
    if (r->reason && (r->verdict == HITL_SKIP || r->verdict == HITL_ERROR))
        indented(c->out, "Reason:", r->reason);
    if (r->notes && (c->verbosity >= 2 || finding))
        indented(c->out, "Note:", r->notes);
    if (c->verbosity >= 2 || (finding && c->verbosity >= 1))
        print_exchanges(c->out, r);
    fflush(c->out);
}

void hitl_console_summary(hitl_console *c, const hitl_results *res)
{
    clear_status(c);
    if (res->stopped)
        fprintf(c->out,
                "the run stopped: %s; %zu checks were not started (ERROR, not listed "
                "above; the reports have them)\n",
                res->stopped, res->not_run);
    if (res->one_bucket) /* said once for the run, not by every check it slowed */
        fprintf(c->out, "one bucket for all clients: %s\n", res->one_bucket);
    if (res->count[HITL_ERROR])
        fprintf(c->out, "%zu checks ended in ERROR: the harness could not reach a verdict\n",
                res->count[HITL_ERROR]);
    fprintf(c->out, "%zu checks in %.1fs\n", res->n, res->seconds);
    /* What bounded the run: the check that ended last, and what it waited for. */
    const hitl_result *cp = res->critical;
    if (cp && cp->longest_wait[0])
        fprintf(c->out,
                "critical path: %s [%s] ended last, at %.1fs; it waited %.1fs in all, "
                "the longest for %s (%.1fs)\n",
                cp->entry->id, hitl_surface_name(cp->surface), cp->ended_at, cp->waited_s,
                cp->longest_wait, cp->longest_wait_s);
    else if (cp)
        fprintf(c->out, "critical path: %s [%s] ended last, at %.1fs, without waiting\n",
                cp->entry->id, hitl_surface_name(cp->surface), cp->ended_at);
    fprintf(c->out, "%zu passed, %zu failed, %zu warned, %zu skipped", res->count[HITL_PASS],
            res->count[HITL_FAIL], res->count[HITL_WARN], res->count[HITL_SKIP]);
    /* KNOWN: a recorded deviation of genuine Dify under --profile dify, not a failure. */
    if (res->count[HITL_KNOWN])
        fprintf(c->out, ", %zu known", res->count[HITL_KNOWN]);
    fputc('\n', c->out);
    /* The regress checks that failed name the Dify bugs the target reproduces. */
    for (size_t i = 0; res->items && i < res->n; i++) {
        if (!hitl_report_lists_dify_bug(res, i))
            continue;
        hitl_buf issues;
        hitl_buf_init(&issues, 512);
        if (hitl_report_dify_issues(&issues, res->items[i].entry) == HITL_OK)
            fprintf(c->out, "this deployment has the behaviour of %s (%s)\n", hitl_buf_str(&issues),
                    res->items[i].entry->id);
        hitl_buf_free(&issues);
    }
    fflush(c->out);
}
