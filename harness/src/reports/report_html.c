/* report_html.c: report.html (see report.h), the run for a person with a browser. One
 * self-contained file: inline CSS and a small inline script, no network resource at all
 * (a Content-Security-Policy of default-src 'none' says so to the browser too), so it can
 * be kept as a CI artifact and opened from disk. It shows the run's totals and metadata,
 * and a table of every check (failures first) that a text box and verdict toggles filter;
 * each FAIL/WARN/KNOWN/ERROR folds out (<details>) to Expected/Actual, the recorded
 * exchanges, the reproducer and, for a known failure, the baseline's reason; a result that
 * matched a recorded deviation of genuine Dify shows it with its evidence. Each check's contract
 * clauses link to specs/contract.md#c<clause> (a relative link to hitlcheck's source tree:
 * navigation only, nothing is loaded).
 *
 * Server text is hostile: every string is redacted, then HTML-escaped (& < > " ' as
 * references, control bytes as '?', invalid UTF-8 as U+FFFD). The data is HTML only: the
 * script is a constant that reads the DOM, so no server byte ever reaches script context. */
#include "hitl/report.h"
#include "hitl/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 160 /* bytes of a one-line detail in the table: the table stays scannable */

/* The writer: the output buffer, the meta (for redaction) and a sticky status. Once a
 * write fails (the HITL_REPORT_MAX cap, memory) every later write is a no-op and the
 * formatter returns that status: the page is a long sequence of small writes, and this
 * keeps it readable without a test after each one. */
typedef struct hw {
    hitl_buf *b;
    const hitl_report_meta *m;
    int rc;
} hw;

static void put_n(hw *w, const char *s, size_t n)
{
    if (!w->rc && n)
        w->rc = hitl_buf_append(w->b, s, n);
}

static void put(hw *w, const char *s)
{
    put_n(w, s, strlen(s));
}

static void putf(hw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(hw *w, const char *fmt, ...)
{
    if (w->rc)
        return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    /* Only short, harness-made text goes through here (numbers, verdict names). */
    if (n < 0 || (size_t)n >= sizeof tmp)
        w->rc = HITL_E_TOO_BIG;
    else
        put_n(w, tmp, (size_t)n);
}

/* Appends |n| bytes of |s| escaped for HTML text and attribute values alike (see the
 * file's comment). Runs of plain bytes are copied in one append. */
static void esc_n(hw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* plain bytes waiting at p - run */
    for (size_t i = 0; i < n && !w->rc;) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t adv = 1;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                rep = "?";
            else if (c >= 0x80) {
                int len = hitl_utf8_seq(p + i, n - i);
                adv = len > 0 ? (size_t)len : 0;
                if (!adv) {
                    rep = "\xEF\xBF\xBD"; /* U+FFFD */
                    adv = 1;
                }
            }
        }
        if (rep) {
            put_n(w, (const char *)p + i - run, run);
            put(w, rep);
            run = 0;
        } else {
            run += adv;
        }
        i += adv;
    }
    put_n(w, (const char *)p + n - run, run);
}

/* Appends |s| (NULL: nothing) redacted, then escaped. */
static void text(hw *w, const char *s)
{
    if (w->rc || !s)
        return;
    char *red = hitl_report_redact(w->m, s);
    if (!red) {
        w->rc = HITL_E_NOMEM;
        return;
    }
    esc_n(w, red, strlen(red));
    free(red);
}

/* Appends the first line of redacted |s|, cut to CELL_MAX bytes on a UTF-8 boundary,
 * with "…" when anything was left out. */
static void first_line(hw *w, const char *s)
{
    if (w->rc || !s)
        return;
    char *red = hitl_report_redact(w->m, s);
    if (!red) {
        w->rc = HITL_E_NOMEM;
        return;
    }
    size_t n = hitl_report_first_line(red, CELL_MAX);
    esc_n(w, red, n);
    if (red[n])
        put(w, "…");
    free(red);
}

/* The CSS and the script are constants: nothing a run produced goes into either. */
static const char STYLE[] =
    ":root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--skip:#6e7781;--error:#8250df;"
    "--known:#0550ae;"
    "--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#eaeef2;--bg:#f6f8fa;--card:#fff;"
    "--link:#0969da;--mono:ui-monospace,SFMono-Regular,'SF Mono',Menlo,Consolas,"
    "'DejaVu Sans Mono','Liberation Mono',monospace}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1320px;margin:0 auto;padding:24px 20px 40px}\n"
    "code,pre,.mono{font-family:var(--mono);font-size:12.5px}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:8px}\n"
    "header.run{padding:16px 20px;border-top:4px solid var(--pass)}\n"
    "header.run.FAIL{border-top-color:var(--fail)}header.run.ERROR{border-top-color:var(--error)}\n"
    "h1{font-size:20px;margin:0;display:flex;gap:10px;align-items:center;flex-wrap:wrap}\n"
    ".target{font-family:var(--mono);font-size:15px;word-break:break-all;margin:4px 0 0}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:14px 0 0;"
    "font-size:13px}\n"
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;font-family:var(--mono);"
    "font-size:12.5px;word-break:break-all}\n"
    ".banner{margin:16px 0;padding:10px 14px;border-radius:6px;font-weight:600;"
    "background:#ffebe9;border:1px solid #ff8182;color:#82071e}\n"
    ".banner.stale{font-weight:400}.banner ul{margin:6px 0 0;padding-left:20px}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:12px;"
    "margin:16px 0}\n"
    ".tile{font:inherit;color:inherit;text-align:left;cursor:pointer;background:var(--card);"
    "border:1px solid var(--line);border-left:5px solid var(--skip);border-radius:6px;"
    "padding:10px 14px}\n"
    ".tile:hover{background:var(--bg)}.tile .n{display:block;font-size:26px;font-weight:600;"
    "line-height:1.2}\n"
    ".tile .l{display:block;color:var(--muted);font-size:12px;text-transform:uppercase;"
    "letter-spacing:.05em}\n"
    ".tile.PASS{border-left-color:var(--pass)}.tile.FAIL{border-left-color:var(--fail)}"
    ".tile.WARN{border-left-color:var(--warn)}.tile.ERROR{border-left-color:var(--error)}"
    ".tile.KNOWN{border-left-color:var(--known)}"
    ".tile.ALL{border-left-color:var(--fg)}\n"
    ".controls{display:flex;gap:10px 16px;align-items:center;flex-wrap:wrap;padding:10px 12px;"
    "border-radius:8px 8px 0 0;border-bottom:0}\n"
    ".controls input[type=search]{flex:1 1 280px;padding:6px 10px;border:1px solid var(--line);"
    "border-radius:6px;font:inherit}\n"
    ".controls label{display:inline-flex;gap:5px;align-items:center;font-size:13px;"
    "cursor:pointer}\n"
    ".controls button{font:inherit;font-size:12px;padding:4px 10px;border:1px solid var(--line);"
    "border-radius:6px;background:var(--bg);cursor:pointer}\n"
    "#shown{color:var(--muted);font-size:12px;margin-left:auto}\n"
    "table.checks{width:100%;border-collapse:collapse;background:var(--card);"
    "border:1px solid var(--line);border-radius:0 0 8px 8px}\n"
    "table.checks th{position:sticky;top:0;z-index:1;background:var(--bg);text-align:left;"
    "font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);"
    "padding:8px 10px;border-bottom:1px solid var(--line)}\n"
    "table.checks td{padding:8px 10px;vertical-align:top;border-top:1px solid var(--soft)}\n"
    "table.checks tr.more td{border-top:0;padding-top:0}\n"
    "tbody.check[hidden],[hidden]{display:none!important}\n"
    "tbody.check:hover{background:#fbfcfd}\n"
    "th.w-verdict{width:84px}th.w-surface{width:76px}th.w-sec{width:150px}th.w-level{width:72px}"
    "th.w-time{width:64px}\n"
    "td.num{text-align:right;white-space:nowrap;color:var(--muted);font-size:12px}\n"
    "td.nowrap{white-space:nowrap}\n"
    ".id{font-weight:600;word-break:break-all}.title{color:var(--muted);font-size:13px}\n"
    ".badge{display:inline-block;min-width:54px;text-align:center;font-size:11.5px;"
    "font-weight:700;letter-spacing:.03em;padding:2px 8px;border-radius:999px;color:#fff;"
    "background:var(--skip)}\n"
    ".badge.PASS{background:var(--pass)}.badge.FAIL{background:var(--fail)}"
    ".badge.WARN{background:var(--warn)}.badge.ERROR{background:var(--error)}"
    ".badge.KNOWN{background:var(--known)}\n"
    ".badge.outcome{font-size:13px;padding:3px 12px}\n"
    ".known{display:inline-block;margin-top:3px;font-size:11px;font-weight:600;"
    "color:var(--muted);border:1px solid var(--line);border-radius:999px;padding:0 7px}\n"
    ".detail{word-break:break-word}.muted{color:var(--muted)}\n"
    "details>summary{cursor:pointer;color:var(--link);font-size:13px;padding:2px 0}\n"
    ".finding{margin:6px 0 4px;padding:10px 14px;border-left:3px solid var(--skip);"
    "background:#fcfdfe;border-radius:0 6px 6px 0}\n"
    ".finding.FAIL{border-left-color:var(--fail)}.finding.WARN{border-left-color:var(--warn)}"
    ".finding.ERROR{border-left-color:var(--error)}.finding.KNOWN{border-left-color:var(--known)}\n"
    ".deviation{margin:6px 0;padding:8px 12px;border:1px solid var(--line);border-radius:6px;"
    "background:var(--bg)}.deviation ul{margin:4px 0 0;padding-left:20px}\n"
    ".finding h4{margin:12px 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;"
    "color:var(--muted)}\n"
    "dl.kv{display:grid;grid-template-columns:90px 1fr;gap:4px 12px;margin:0}"
    "dl.kv dt{font-weight:600;padding-top:6px}dl.kv dd{margin:0;min-width:0}\n"
    "pre{white-space:pre-wrap;word-break:break-word;background:var(--bg);border:1px solid "
    "var(--soft);border-radius:6px;padding:7px 10px;margin:2px 0;max-height:28em;overflow:auto}\n"
    "pre.repro{background:#0d1117;color:#e6edf3;border-color:#0d1117}\n"
    ".exchange{border:1px solid var(--line);border-radius:6px;margin:8px 0;overflow:hidden;"
    "background:var(--card)}\n"
    ".xline{display:flex;gap:8px;flex-wrap:wrap;align-items:baseline;padding:6px 10px;"
    "background:var(--bg);border-bottom:1px solid var(--soft);font-family:var(--mono);"
    "font-size:12.5px}\n"
    ".xline .method{font-weight:700}.xline .url{word-break:break-all}\n"
    ".status{font-weight:700}.status.s2{color:var(--pass)}.status.s3{color:var(--link)}"
    ".status.s4{color:var(--warn)}.status.s5,.status.none{color:var(--fail)}\n"
    ".xbody{display:grid;grid-template-columns:1fr 1fr;gap:0 12px;padding:4px 10px 8px}"
    ".xbody>div{min-width:0}\n"
    ".xbody h5{margin:6px 0 2px;font-size:11px;text-transform:uppercase;letter-spacing:.05em;"
    "color:var(--muted)}\n"
    ".xerr{margin:6px 10px 0;color:var(--fail)}\n"
    "p.empty{margin:0;padding:16px;text-align:center;color:var(--muted);background:var(--card);"
    "border:1px solid var(--line);border-top:0}\n"
    "footer{margin-top:18px;color:var(--muted);font-size:12px}\n"
    "@media (min-width:1000px){dl.meta{grid-template-columns:max-content minmax(0,1fr) "
    "max-content minmax(0,1fr)}}\n"
    "@media (max-width:900px){.xbody{grid-template-columns:1fr}dl.kv{grid-template-columns:1fr}}\n"
    "@media print{.controls{display:none}tbody.check{break-inside:avoid}}\n";

/* Filters the rows by the text box (every word must occur in the row's ID, title, § or
 * surface, case-insensitively) and the verdict toggles; the tiles pick one verdict. */
static const char SCRIPT[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var q = document.getElementById('filter');\n"
    "  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-verdict]'));\n"
    "  var groups = Array.prototype.slice.call(document.querySelectorAll('tbody.check'));\n"
    "  var shown = document.getElementById('shown');\n"
    "  var empty = document.getElementById('empty');\n"
    "  function apply() {\n"
    "    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);\n"
    "    var on = {}, n = 0;\n"
    "    boxes.forEach(function (b) { on[b.getAttribute('data-verdict')] = b.checked; });\n"
    "    groups.forEach(function (g) {\n"
    "      var hay = g.getAttribute('data-search').toLowerCase();\n"
    "      var vis = on[g.getAttribute('data-verdict')] === true &&\n"
    "        words.every(function (w) { return hay.indexOf(w) >= 0; });\n"
    "      g.hidden = !vis;\n"
    "      if (vis) n++;\n"
    "    });\n"
    "    shown.textContent = n + ' of ' + groups.length + ' shown';\n"
    "    empty.hidden = n !== 0;\n"
    "  }\n"
    "  q.addEventListener('input', apply);\n"
    "  boxes.forEach(function (b) { b.addEventListener('change', apply); });\n"
    "  document.querySelectorAll('button[data-only]').forEach(function (t) {\n"
    "    t.addEventListener('click', function () {\n"
    "      var v = t.getAttribute('data-only');\n"
    "      boxes.forEach(function (b) {\n"
    "        b.checked = v === 'ALL' || b.getAttribute('data-verdict') === v;\n"
    "      });\n"
    "      apply();\n"
    "    });\n"
    "  });\n"
    "  function fold(open) {\n"
    "    document.querySelectorAll('tbody.check:not([hidden]) details')\n"
    "      .forEach(function (d) { d.open = open; });\n"
    "  }\n"
    "  document.getElementById('expand').addEventListener('click', function () { fold(true); });\n"
    "  document.getElementById('collapse').addEventListener('click', function () { fold(false); "
    "});\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    if (e.key === '/' && document.activeElement !== q) { e.preventDefault(); q.focus(); }\n"
    "  });\n"
    "  document.getElementById('controls').hidden = false;\n"
    "  apply();\n"
    "})();\n";

/* Whether result |i| is a failure the run fails on (not in the baseline). */
static bool unexpected_failure(const hitl_results *res, const hitl_report_meta *m, size_t i)
{
    return res->items[i].verdict == HITL_FAIL && !hitl_report_known_reason(m, i);
}

static void head(hw *w, const hitl_results *res)
{
    put(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           /* Nothing may be fetched: no scripts, styles, images, fonts or frames from
            * anywhere, no form posts, no base URL. Only the inline style and script run. */
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'none'; "
           "base-uri 'none'; form-action 'none'\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>hitlcheck: ");
    text(w, w->m->target ? w->m->target : "");
    putf(w, " — %zu failed, %zu passed</title>\n<style>\n", res->count[HITL_FAIL],
         res->count[HITL_PASS]);
    put(w, STYLE);
    put(w, "</style>\n</head>\n<body>\n<main>\n");
}

static void meta_row(hw *w, const char *name, const char *value)
{
    putf(w, "<dt>%s</dt><dd>", name);
    text(w, value && *value ? value : "—");
    put(w, "</dd>\n");
}

/* The check's clauses, each a link to its anchor in the contract ("§7.3.2" →
 * specs/contract.md#c7.3.2); text that is no clause ID (a hand-made entry) stays text. */
static void clause_links(hw *w, const char *section)
{
    char id[HITL_CLAUSE_ID_MAX], anchor[HITL_CLAUSE_ID_MAX];
    const char *p = section;
    bool first = true;
    while (hitl_catalog_clause_next(&p, id, sizeof id)) {
        if (!first)
            put(w, ", ");
        first = false;
        if (hitl_catalog_clause_anchor(id, anchor, sizeof anchor)) {
            text(w, id);
            continue;
        }
        putf(w, "<a class=\"clause\" href=\"" HITL_CONTRACT_PATH "#%s\">", anchor);
        text(w, id);
        put(w, "</a>");
    }
    if (*p) {
        if (!first)
            put(w, ",");
        text(w, p);
    }
}

static void header(hw *w, const hitl_results *res)
{
    const hitl_report_meta *m = w->m;
    size_t unexpected = 0;
    for (size_t i = 0; i < res->n; i++)
        unexpected += unexpected_failure(res, m, i);
    /* The outcome as the exit code has it: a failure beyond the baseline or a stale
     * entry fails the run; otherwise an ERROR means no verdict could be reached. */
    const char *outcome = unexpected || (m->baseline_path && m->n_stale) ? "FAIL"
                          : res->count[HITL_ERROR]                       ? "ERROR"
                                                                         : "PASS";
    const char *word = outcome[0] == 'F' ? "FAILED" : outcome[0] == 'E' ? "ERROR" : "PASSED";
    /* First thing on the page: whoever opens it must not miss it. */
    if (m->secrets_shown)
        put(w, "<div class=\"banner\" role=\"alert\">SECRETS SHOWN: this run used "
               "--show-secrets, so API keys and tokens appear unredacted below. Do not publish "
               "this report.</div>\n");
    putf(w,
         "<header class=\"run card %s\">\n<h1>hitlcheck report <span class=\"badge outcome %s\">"
         "%s</span></h1>\n<p class=\"target\">",
         outcome, outcome, word);
    text(w, m->target ? m->target : "");
    put(w, "</p>\n<dl class=\"meta\">\n");
    char started[32], ended[32], dur[32];
    hitl_report_time(m->started, started, sizeof started);
    hitl_report_time(m->ended, ended, sizeof ended);
    snprintf(dur, sizeof dur, "%.1f s", res->seconds);
    meta_row(w, "harness version", m->harness_version);
    meta_row(w, "fingerprint", m->fingerprint);
    meta_row(w, "app mode", m->app_mode);
    meta_row(w, "started", started);
    meta_row(w, "ended", ended);
    meta_row(w, "duration", dur);
    meta_row(w, "strict", m->strict ? "yes (--strict: SHOULD findings fail the run)" : "no");
    meta_row(w, "profile",
             !strcmp(hitl_report_profile(m), "dify")
                 ? "dify (recorded deviations of genuine Dify are KNOWN)"
                 : "contract (the integration guide)");
    meta_row(w, "secrets", m->secrets_shown ? "SHOWN (--show-secrets)" : "redacted");
    meta_row(w, "contract", HITL_CONTRACT_PATH " in hitlcheck's source: the clauses checks cite");
    hitl_buf opts;
    hitl_buf_init(&opts, HITL_REPORT_MAX); /* the options hold --inputs JSON: no small cap */
    int rc = 0;
    for (size_t i = 0; !rc && i < m->n_options; i++)
        rc = hitl_buf_printf(&opts, "%s%s", i ? " " : "", m->options[i]);
    if (rc && !w->rc)
        w->rc = rc;
    meta_row(w, "options", hitl_buf_str(&opts));
    hitl_buf_free(&opts);
    if (m->baseline_path)
        meta_row(w, "baseline", m->baseline_path);
    /* The regress checks that failed name the Dify bugs the target reproduces. */
    hitl_buf bugs;
    hitl_buf_init(&bugs, HITL_REPORT_MAX);
    rc = 0;
    for (size_t i = 0; res->items && !rc && i < res->n; i++) {
        if (!hitl_report_lists_dify_bug(res, i))
            continue;
        rc = bugs.len ? hitl_buf_append_str(&bugs, "; ") : 0;
        rc = rc ? rc : hitl_report_dify_issues(&bugs, res->items[i].entry);
        rc = rc ? rc : hitl_buf_printf(&bugs, " (%s)", res->items[i].entry->id);
    }
    if (rc && !w->rc)
        w->rc = rc;
    if (bugs.len)
        meta_row(w, "known Dify bugs", hitl_buf_str(&bugs));
    hitl_buf_free(&bugs);
    put(w, "</dl>\n</header>\n");
    if (m->baseline_path && m->n_stale) {
        put(w, "<div class=\"banner stale\" role=\"alert\"><strong>Baseline ");
        text(w, m->baseline_path);
        put(w, " is out of date</strong> (this fails the run):<ul>\n");
        for (size_t i = 0; i < m->n_stale; i++) {
            put(w, "<li><code>");
            text(w, m->stale[i]);
            put(w, "</code></li>\n");
        }
        put(w, "</ul></div>\n");
    }
}

static void totals(hw *w, const hitl_results *res)
{
    size_t known = 0;
    for (size_t i = 0; i < res->n; i++)
        known += hitl_report_known_reason(w->m, i) != NULL;
    put(w, "<section class=\"tiles\" aria-label=\"totals\">\n");
    putf(w,
         "<button type=\"button\" class=\"tile ALL\" data-only=\"ALL\"><span class=\"n\">%zu"
         "</span><span class=\"l\">checks</span></button>\n",
         res->n);
    static const struct {
        hitl_verdict v;
        const char *label;
    } tiles[] = {{HITL_PASS, "passed"},  {HITL_FAIL, "failed"},  {HITL_WARN, "warned"},
                 {HITL_SKIP, "skipped"}, {HITL_ERROR, "errors"}, {HITL_KNOWN, "known deviations"}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        if (tiles[i].v == HITL_KNOWN && !res->count[HITL_KNOWN])
            continue; /* only a --profile dify run that met a deviation has any */
        const char *v = hitl_verdict_name(tiles[i].v);
        putf(w,
             "<button type=\"button\" class=\"tile %s\" data-only=\"%s\" id=\"total-%s\">"
             "<span class=\"n\">%zu</span><span class=\"l\">%s",
             v, v, v, res->count[tiles[i].v], tiles[i].label);
        if (tiles[i].v == HITL_FAIL && known)
            putf(w, " (%zu known)", known);
        put(w, "</span></button>\n");
    }
    put(w, "</section>\n");
}

static void controls(hw *w, const hitl_results *res)
{
    /* Hidden until the script runs: without it the controls would do nothing. */
    put(w, "<div class=\"controls card\" id=\"controls\" hidden>\n"
           "<input type=\"search\" id=\"filter\" placeholder=\"Filter by check ID, title or "
           "§ (press /)\" aria-label=\"filter checks\" autocomplete=\"off\">\n");
    static const hitl_verdict order[] = {HITL_FAIL,  HITL_ERROR, HITL_WARN,
                                         HITL_KNOWN, HITL_SKIP,  HITL_PASS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (order[i] == HITL_KNOWN && !res->count[HITL_KNOWN])
            continue;
        const char *v = hitl_verdict_name(order[i]);
        putf(w,
             "<label><input type=\"checkbox\" data-verdict=\"%s\" checked><span "
             "class=\"badge %s\">%s</span> %zu</label>\n",
             v, v, v, res->count[order[i]]);
    }
    put(w, "<button type=\"button\" id=\"expand\">Expand all</button>"
           "<button type=\"button\" id=\"collapse\">Collapse all</button>\n"
           "<span id=\"shown\"></span>\n</div>\n");
}

/* A request or response: its headers, a blank line, its body. */
static void message(hw *w, const char *headers, const char *body)
{
    bool has_headers = headers && *headers, has_body = body && *body;
    put(w, "<pre>");
    if (!has_headers && !has_body)
        put(w, "<span class=\"muted\">(no headers, no body)</span>");
    text(w, headers);
    if (has_headers && has_body && headers[strlen(headers) - 1] != '\n')
        put(w, "\n");
    if (has_body) {
        if (has_headers)
            put(w, "\n");
        text(w, body);
    }
    put(w, "</pre>\n");
}

static void exchange(hw *w, const hitl_exchange *x, size_t k)
{
    putf(w,
         "<div class=\"exchange\">\n<div class=\"xline\"><span class=\"muted\">#%zu</span>"
         "<span class=\"method\">",
         k + 1);
    text(w, x->method);
    put(w, "</span><span class=\"url\">");
    text(w, x->url);
    put(w, "</span><span class=\"muted\">→</span>");
    if (x->status > 0)
        putf(w, "<span class=\"status s%ld\">%ld</span>", x->status / 100, x->status);
    else
        put(w, "<span class=\"status none\">no response</span>");
    putf(w, "<span class=\"muted\">%zu bytes, %.3f s</span></div>\n", x->response_bytes,
         x->seconds);
    if (x->error) {
        put(w, "<p class=\"xerr\">Transport error: ");
        text(w, x->error);
        put(w, "</p>\n");
    }
    put(w, "<div class=\"xbody\"><div><h5>Request</h5>\n");
    message(w, x->request_headers, x->request_body);
    /* A body cut to its preview already ends with "… [N more bytes]". */
    put(w, "</div><div><h5>Response</h5>\n");
    if (x->status > 0)
        message(w, x->response_headers, x->response_body);
    else
        put(w, "<pre><span class=\"muted\">(none)</span></pre>\n");
    put(w, "</div></div>\n</div>\n");
}

static void kv(hw *w, const char *name, const char *value)
{
    if (!value)
        return;
    putf(w, "<dt>%s</dt><dd><pre>", name);
    text(w, value);
    put(w, "</pre></dd>\n");
}

/* The recorded deviation of genuine Dify that |r| matched: its id, what genuine Dify does,
 * and the evidence. */
static void deviation(hw *w, const hitl_result *r)
{
    const hitl_deviation *d = r->deviation;
    put(w, "<div class=\"deviation\"><p><strong>");
    put(w, r->verdict == HITL_KNOWN ? "Known deviation of genuine Dify"
                                    : "Genuine Dify does this too (KNOWN under --profile dify)");
    put(w, "</strong>: <code>");
    text(w, d->id);
    put(w, "</code></p>\n<p>");
    text(w, d->observed);
    put(w, "</p>\n<p class=\"muted\">Evidence (langgenius/dify):</p><ul>\n");
    for (size_t i = 0; i < d->n_evidence; i++) {
        put(w, "<li><code>");
        text(w, d->evidence[i]);
        put(w, "</code></li>\n");
    }
    put(w, "</ul>\n<p class=\"muted\">Versions read:</p><ul>\n");
    for (size_t i = 0; i < d->n_versions; i++) {
        put(w, "<li>");
        text(w, d->versions[i]);
        put(w, "</li>\n");
    }
    put(w, "</ul>\n");
    if (d->note && *d->note) {
        put(w, "<p>");
        text(w, d->note);
        put(w, "</p>\n");
    }
    put(w, "</div>\n");
}

/* The folded part of a FAIL/WARN/KNOWN/ERROR: what was expected and seen, the recorded
 * deviation it matched, the exchanges, the reproducer (FAIL/WARN/KNOWN) and the baseline's
 * reason for a known failure. */
static void finding(hw *w, const hitl_result *r, size_t idx)
{
    const char *v = hitl_verdict_name(r->verdict);
    const char *known = hitl_report_known_reason(w->m, idx);
    bool is_finding =
        r->verdict == HITL_FAIL || r->verdict == HITL_WARN || r->verdict == HITL_KNOWN;
    putf(w,
         "<tr class=\"more\"><td></td><td colspan=\"6\"><details id=\"details-%zu\">"
         "<summary>",
         idx);
    put(w, is_finding ? "Expected, actual" : "Reason");
    putf(w, ", %zu exchange%s", r->n_exchanges, r->n_exchanges == 1 ? "" : "s");
    put(w, is_finding ? " and the reproducer</summary>\n" : "</summary>\n");
    putf(w, "<div class=\"finding %s\">\n", v);
    if (known) {
        put(w, "<p><strong>Known failure</strong> (listed in the baseline ");
        text(w, w->m->baseline_path ? w->m->baseline_path : "");
        put(w, "): ");
        text(w, known);
        put(w, "</p>\n");
    }
    if (r->deviation)
        deviation(w, r);
    put(w, "<dl class=\"kv\">\n");
    if (is_finding) {
        kv(w, "Expected", r->expected ? r->expected : "");
        kv(w, "Actual", r->actual ? r->actual : "");
    }
    kv(w, "Reason", r->reason);
    kv(w, "Note", r->notes);
    put(w, "</dl>\n");
    if (r->n_exchanges || r->dropped_exchanges)
        putf(w, "<h4>Exchanges (%zu)</h4>\n", r->n_exchanges);
    for (size_t k = 0; k < r->n_exchanges; k++)
        exchange(w, &r->exchanges[k], k);
    if (r->dropped_exchanges)
        putf(w, "<p class=\"muted\">%zu more exchange%s not recorded (the record keeps %u).</p>\n",
             r->dropped_exchanges, r->dropped_exchanges == 1 ? " was" : "s were",
             HITL_EXCHANGES_PER_CHECK);
    if (is_finding && !w->rc) {
        hitl_buf rep;
        hitl_buf_init(&rep, HITL_REPRODUCER_MAX);
        w->rc = hitl_report_reproducer(&rep, r, w->m, NULL);
        put(w, "<h4>Reproducer</h4>\n<pre class=\"repro\">");
        text(w, hitl_buf_str(&rep));
        put(w, "</pre>\n");
        hitl_buf_free(&rep);
    }
    put(w, "</div>\n</details></td></tr>\n");
}

static void row(hw *w, const hitl_result *r, size_t idx)
{
    const hitl_catalog_entry *e = r->entry;
    const char *v = hitl_verdict_name(r->verdict);
    const char *known = hitl_report_known_reason(w->m, idx);
    putf(w, "<tbody class=\"check\" data-verdict=\"%s\" data-area=\"", v);
    text(w, hitl_report_area(e));
    put(w, "\" data-search=\"");
    text(w, hitl_report_area(e));
    put(w, " ");
    text(w, e->id);
    put(w, " ");
    text(w, e->title);
    put(w, " ");
    text(w, e->section);
    putf(w, " %s\" id=\"check-%zu\">\n<tr><td class=\"nowrap\"><span class=\"badge %s\">%s</span>",
         hitl_surface_name(r->surface), idx, v, v);
    if (known)
        put(w, "<br><span class=\"known\">known</span>");
    else if (r->deviation && r->verdict != HITL_KNOWN)
        put(w, "<br><span class=\"known\">Dify too</span>");
    put(w, "</td><td><code class=\"id\">");
    text(w, e->id);
    put(w, "</code><div class=\"title\">");
    text(w, e->title);
    putf(w, "</div></td><td>%s</td><td>", hitl_surface_name(r->surface));
    clause_links(w, e->section);
    putf(w, "</td><td>%s</td><td class=\"detail\">", hitl_severity_name(e->severity));
    if (known) {
        put(w, "<span class=\"muted\">known:</span> ");
        first_line(w, known);
    } else if (r->verdict == HITL_KNOWN && r->deviation) {
        put(w, "<span class=\"muted\">deviation ");
        text(w, r->deviation->id);
        put(w, ":</span> ");
        first_line(w, r->deviation->observed);
    } else if (r->verdict == HITL_FAIL || r->verdict == HITL_WARN) {
        first_line(w, r->actual);
    } else if (r->reason) {
        first_line(w, r->reason);
    } else if (r->notes) {
        put(w, "<span class=\"muted\">");
        first_line(w, r->notes);
        put(w, "</span>");
    }
    putf(w, "</td><td class=\"num\">%.2f s</td></tr>\n", r->seconds);
    if (r->verdict == HITL_FAIL || r->verdict == HITL_WARN || r->verdict == HITL_ERROR ||
        r->verdict == HITL_KNOWN)
        finding(w, r, idx);
    put(w, "</tbody>\n");
}

static void table(hw *w, const hitl_results *res)
{
    put(w, "<table class=\"checks\">\n<thead><tr><th class=\"w-verdict\">Verdict</th><th>Check</th>"
           "<th class=\"w-surface\">Surface</th><th class=\"w-sec\">Clause</th>"
           "<th class=\"w-level\">Level</th><th>Detail</th><th class=\"w-time\">Time</th></tr>"
           "</thead>\n");
    /* Findings first: the rows a reader came for. Run order within each verdict. */
    static const hitl_verdict order[] = {HITL_FAIL,  HITL_ERROR, HITL_WARN,
                                         HITL_KNOWN, HITL_SKIP,  HITL_PASS};
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
        for (size_t i = 0; i < res->n; i++)
            if (res->items[i].verdict == order[o])
                row(w, &res->items[i], i);
    put(w, "</table>\n<p class=\"empty\" id=\"empty\" hidden>No check matches the filter.</p>\n");
}

int hitl_report_format_html(hitl_buf *out, const hitl_results *res, const hitl_report_meta *m,
                            hitl_err *err)
{
    hitl_report_meta none = {0};
    hw w = {.b = out, .m = m ? m : &none, .rc = 0};
    head(&w, res);
    header(&w, res);
    totals(&w, res);
    controls(&w, res);
    table(&w, res);
    put(&w, "<footer>Written by hitlcheck ");
    text(&w, w.m->harness_version ? w.m->harness_version : "?");
    put(&w, ". This file is self-contained: it loads nothing from the network. Passing checks "
            "are listed last; the same run as data is in report.json.</footer>\n</main>\n"
            "<script>\n");
    put(&w, SCRIPT);
    put(&w, "</script>\n</body>\n</html>\n");
    if (w.rc)
        return hitl_err_set(err, w.rc, "report.html would pass %u bytes", HITL_REPORT_MAX);
    return HITL_OK;
}
