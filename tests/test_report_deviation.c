/* test_report_deviation.c: the KNOWN verdict and the recorded deviations of genuine Dify in
 * every output: console (report_console.c), junit.xml, report.json (against
 * specs/report.schema.json), summary.md, report.sarif, report.html, and the --expect
 * baseline (baseline.c). The fixture is a --profile dify run: one KNOWN result, one FAIL
 * that matched a deviation too (as under --profile contract) and one PASS. */
#include "hitl/baseline.h"
#include "hitl/report.h"
#include "hitl/report_console.h"

#include "json_schema_check.h"

#include "check_main.h"
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET "http://127.0.0.1:5001"
#define DEV_ID "inline-remote-url.not-fetched.403"
#define EVIDENCE "api/factories/file_factory/remote.py@8279d53351627ea58e3ff51ff99fc538a71f2dac"

static char *tags_remote[] = {"remote-url", "submit"};
static char *tags_form[] = {"form"};
static char *evidence[] = {EVIDENCE};
static char *versions[] = {"langgenius/dify@8279d53351627ea58e3ff51ff99fc538a71f2dac"};

static hitl_catalog_entry E_REMOTE = {.id = "remote.inline.failures",
                                      .area = "remote",
                                      .title = "Inline remote_url failures reject the submit",
                                      .section = "§7.3",
                                      .severity = HITL_MUST,
                                      .tags = tags_remote,
                                      .n_tags = 2,
                                      .surfaces = 3,
                                      .precondition = ""};
static hitl_catalog_entry E_PASS = {.id = "form.get.ok-keys",
                                    .area = "form",
                                    .title = "A valid form GET answers 200",
                                    .section = "§4.1",
                                    .severity = HITL_MUST,
                                    .tags = tags_form,
                                    .n_tags = 1,
                                    .surfaces = 3,
                                    .precondition = ""};
/* The observed text holds markup: every format must show it as text. */
static hitl_deviation DEV = {.id = DEV_ID,
                             .check = "remote.inline.failures",
                             .surfaces = 3,
                             .match = {.status = 200, .expected_contains = "answering 403"},
                             .observed = "Accepted with HTTP 200 <b>and</b> consumed.",
                             .evidence = evidence,
                             .n_evidence = 1,
                             .versions = versions,
                             .n_versions = 1,
                             .note = "HEAD only"};

/* |with_fail|: the FAIL that names the deviation is in the run too. */
static void fixture(hitl_results *res, bool with_fail)
{
    memset(res, 0, sizeof *res);
    res->items = calloc(3, sizeof *res->items);
    hitl_result *r = res->items;
    r[res->n++] = (hitl_result){.entry = &E_REMOTE,
                                .surface = HITL_SURFACE_WEB,
                                .verdict = HITL_KNOWN,
                                .reported = HITL_FAIL,
                                .expected = strdup("an inline remote_url answering 403 rejects "
                                                   "the whole submission: not a 2xx"),
                                .actual = strdup("HTTP 200 {}"),
                                .judged_status = 200,
                                .deviation = &DEV,
                                .assertions = 3,
                                .seconds = 0.5};
    if (with_fail)
        r[res->n++] = (hitl_result){.entry = &E_REMOTE,
                                    .surface = HITL_SURFACE_SERVICE,
                                    .verdict = HITL_FAIL,
                                    .reported = HITL_FAIL,
                                    .expected = strdup("an inline remote_url answering 403 "
                                                       "rejects the whole submission"),
                                    .actual = strdup("HTTP 200 {}"),
                                    .judged_status = 200,
                                    .deviation = &DEV,
                                    .assertions = 3,
                                    .seconds = 0.5};
    r[res->n++] = (hitl_result){.entry = &E_PASS,
                                .surface = HITL_SURFACE_WEB,
                                .verdict = HITL_PASS,
                                .reported = HITL_PASS,
                                .assertions = 2,
                                .seconds = 0.25};
    res->count[HITL_KNOWN] = 1;
    res->count[HITL_FAIL] = with_fail;
    res->count[HITL_PASS] = 1;
    res->seconds = 1.25;
}

static hitl_report_meta meta(void)
{
    return (hitl_report_meta){.target = TARGET,
                              .harness_version = "0.1.0",
                              .fingerprint = "upload-layout=v1",
                              .app_mode = "workflow",
                              .service_base = "/v1",
                              .profile = "dify",
                              .started = 1795000000,
                              .ended = 1795000031};
}

static char *format(int (*fn)(hitl_buf *, const hitl_results *, const hitl_report_meta *,
                              hitl_err *),
                    const hitl_results *res, const hitl_report_meta *m)
{
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPORT_MAX);
    hitl_err err = {0};
    ck_assert_int_eq(fn(&b, res, m, &err), HITL_OK);
    return hitl_buf_release(&b);
}

#define ck_assert_has(hay, needle)                                                                 \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "missing: %s", (needle))

START_TEST(console_known_line_deviation_and_summary)
{
    hitl_results res;
    fixture(&res, true);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 0, res.n); /* quiet: findings only */
    for (size_t i = 0; i < res.n; i++)
        hitl_console_on_done(&c, &res.items[i]);
    hitl_console_summary(&c, &res);
    fclose(f);
    ck_assert_has(text, "KNOWN remote.inline.failures [web]");
    ck_assert_has(text, "      Actual:   HTTP 200 {}\n");
    ck_assert_has(text, "      Dify:     Known deviation " DEV_ID " of genuine Dify: Accepted with "
                        "HTTP 200 <b>and</b> consumed. Evidence: " EVIDENCE ".\n");
    ck_assert_has(text, "FAIL  remote.inline.failures [service]");
    ck_assert_has(text, "      Dify:     Genuine Dify does this too (recorded deviation " DEV_ID
                        ", KNOWN under --profile dify): Accepted");
    ck_assert_has(text, "1 passed, 1 failed, 0 warned, 0 skipped, 1 known\n");
    ck_assert_ptr_null(strstr(text, "form.get.ok-keys")); /* quiet: the PASS is not listed */
    free(text);
    hitl_results_free(&res);
}
END_TEST

START_TEST(console_summary_unchanged_without_known)
{
    hitl_results res = {.count = {3, 1, 0, 2, 0, 0}, .n = 6, .seconds = 1};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 1, 6);
    hitl_console_summary(&c, &res);
    fclose(f);
    ck_assert_has(text, "\n3 passed, 1 failed, 0 warned, 2 skipped\n");
    free(text);
}
END_TEST

START_TEST(junit_known_is_skipped_with_the_deviation)
{
    hitl_results res;
    fixture(&res, true);
    hitl_report_meta m = meta();
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_has(xml, "<testsuites name=\"hitlcheck\" tests=\"3\" failures=\"1\" errors=\"0\" "
                       "skipped=\"1\"");
    ck_assert_has(xml, "<property name=\"profile\" value=\"dify\"/>");
    ck_assert_has(xml, "      <skipped message=\"known deviation " DEV_ID " of genuine Dify "
                       "(--profile dify): Accepted with HTTP 200 &lt;b&gt;and&lt;/b&gt; "
                       "consumed.\"/>\n      <system-out>Expected: ");
    ck_assert_has(xml, "Dify:     Known deviation " DEV_ID " of genuine Dify: Accepted with HTTP "
                       "200 &lt;b&gt;and&lt;/b&gt; consumed. Evidence: " EVIDENCE ".\n");
    /* The FAIL that genuine Dify shares stays a failure, and says so. */
    ck_assert_has(xml, "Dify:     Genuine Dify does this too (recorded deviation " DEV_ID);
    char tmpl[] = "/tmp/hitl-junit-known-XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
    close(fd);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s/tests/data/junit.xsd' '%s'",
                 HITL_SOURCE_DIR, tmpl);
        ck_assert_int_eq(system(cmd), 0);
    }
    unlink(tmpl);
    free(xml);
    hitl_results_free(&res);
}
END_TEST

static cJSON *load_schema(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/specs/report.schema.json", HITL_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[256 * 1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *s = cJSON_Parse(buf);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(json_known_and_deviation_match_the_schema)
{
    hitl_results res;
    fixture(&res, true);
    hitl_report_meta m = meta();
    char *text = format(hitl_report_format_json, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    cJSON *schema = load_schema();
    char why[1024] = "";
    ck_assert_msg(hitl_json_schema_validate(schema, doc, why, sizeof why) == 0, "%s", why);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "run"), "profile")->valuestring,
                     "dify");
    cJSON *checks = cJSON_GetObjectItem(doc, "checks");
    cJSON *known = cJSON_GetArrayItem(checks, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(known, "verdict")->valuestring, "KNOWN");
    ck_assert_str_eq(cJSON_GetObjectItem(known, "reported")->valuestring, "FAIL");
    cJSON *d = cJSON_GetObjectItem(known, "deviation");
    ck_assert_str_eq(cJSON_GetObjectItem(d, "id")->valuestring, DEV_ID);
    ck_assert_str_eq(cJSON_GetObjectItem(d, "observed")->valuestring,
                     "Accepted with HTTP 200 <b>and</b> consumed.");
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "evidence"), 0)->valuestring,
                     EVIDENCE);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "versions")), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(d, "note")->valuestring, "HEAD only");
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(known, "reproducer")));
    cJSON *fail = cJSON_GetArrayItem(checks, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(fail, "verdict")->valuestring, "FAIL");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(fail, "deviation"), "id")->valuestring,
                     DEV_ID);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(checks, 2), "deviation")));
    cJSON *totals = cJSON_GetObjectItem(doc, "totals");
    ck_assert_int_eq(cJSON_GetObjectItem(totals, "known")->valueint, 1);
    ck_assert_int_eq(cJSON_GetObjectItem(totals, "fail")->valueint, 1);
    /* The schema refuses a verdict it does not know, and a deviation without its id. */
    cJSON_ReplaceItemInObject(known, "verdict", cJSON_CreateString("EXCUSED"));
    ck_assert_int_ne(hitl_json_schema_validate(schema, doc, why, sizeof why), 0);
    cJSON_ReplaceItemInObject(known, "verdict", cJSON_CreateString("KNOWN"));
    cJSON_DeleteItemFromObject(d, "id");
    ck_assert_int_ne(hitl_json_schema_validate(schema, doc, why, sizeof why), 0);
    cJSON_Delete(schema);
    cJSON_Delete(doc);
    free(text);
    hitl_results_free(&res);
}
END_TEST

START_TEST(markdown_known_row_and_evidence)
{
    hitl_results res;
    fixture(&res, true);
    hitl_report_meta m = meta();
    char *md = format(hitl_report_format_markdown, &res, &m);
    ck_assert_has(md, "**3 checks: 1 passed, 1 failed, 0 warned, 0 skipped, 0 errors, 1 known "
                      "deviations of genuine Dify** in 1.2s (hitlcheck 0.1.0, "
                      "upload\\-layout=v1, --profile dify)\n");
    ck_assert_has(md,
                  "| KNOWN (deviation `" DEV_ID "`) | remote | `remote.inline.failures` | web | "
                  "§7\\.3 | "
                  "Accepted with HTTP 200 &lt;b>and&lt;/b> consumed\\. |\n");
    ck_assert_has(md, "| FAIL (Dify too: `" DEV_ID
                      "`) | remote | `remote.inline.failures` | service |");
    ck_assert_has(md,
                  "<details><summary>Reproduce <code>remote.inline.failures</code> [web]"
                  "</summary>\n\nKnown deviation inline\\-remote\\-url\\.not\\-fetched\\.403 of "
                  "genuine Dify: Accepted with HTTP 200 &lt;b>and&lt;/b> consumed\\. "
                  "Evidence: api/factories/file\\_factory/remote\\.py@");
    free(md);
    hitl_results_free(&res);
}
END_TEST

START_TEST(sarif_known_is_a_suppressed_note)
{
    hitl_results res;
    fixture(&res, true);
    hitl_report_meta m = meta();
    char *text = format(hitl_report_format_sarif, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
    cJSON *results = cJSON_GetObjectItem(run, "results");
    ck_assert_int_eq(cJSON_GetArraySize(results), 2); /* remote-url: security relevant */
    cJSON *known = cJSON_GetArrayItem(results, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(known, "level")->valuestring, "note");
    cJSON *sup = cJSON_GetArrayItem(cJSON_GetObjectItem(known, "suppressions"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(sup, "kind")->valuestring, "external");
    ck_assert_has(cJSON_GetObjectItem(sup, "justification")->valuestring,
                  "known deviation " DEV_ID " of genuine Dify");
    cJSON *fail = cJSON_GetArrayItem(results, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(fail, "level")->valuestring, "error");
    ck_assert_ptr_null(cJSON_GetObjectItem(fail, "suppressions"));
    ck_assert_has(cJSON_GetObjectItem(cJSON_GetObjectItem(fail, "message"), "text")->valuestring,
                  "Genuine Dify does this too (recorded deviation " DEV_ID);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(run, "properties"), "profile")->valuestring,
        "dify");
    cJSON_Delete(doc);
    free(text);
    hitl_results_free(&res);
}
END_TEST

START_TEST(html_known_tile_badge_and_evidence)
{
    hitl_results res;
    fixture(&res, false);
    hitl_report_meta m = meta();
    char *html = format(hitl_report_format_html, &res, &m);
    /* KNOWN fails nothing: the run passed. */
    ck_assert_has(html, "<span class=\"badge outcome PASS\">PASSED</span>");
    ck_assert_has(html, "id=\"total-KNOWN\"><span class=\"n\">1</span><span class=\"l\">known "
                        "deviations</span>");
    ck_assert_has(html, "<input type=\"checkbox\" data-verdict=\"KNOWN\" checked>");
    ck_assert_has(html, "<tbody class=\"check\" data-verdict=\"KNOWN\"");
    ck_assert_has(html, "<span class=\"muted\">deviation " DEV_ID ":</span> Accepted with HTTP 200 "
                        "&lt;b&gt;and&lt;/b&gt; consumed.");
    ck_assert_has(html, "<div class=\"deviation\"><p><strong>Known deviation of genuine Dify"
                        "</strong>: <code>" DEV_ID "</code></p>");
    ck_assert_has(html, "<li><code>" EVIDENCE "</code></li>");
    ck_assert_has(html, "<h4>Reproducer</h4>");
    ck_assert_has(html, "<dt>profile</dt><dd>dify (recorded deviations of genuine Dify are "
                        "KNOWN)</dd>");
    ck_assert_ptr_null(strstr(html, "<b>and</b>"));
    free(html);
    /* A run without KNOWN results has no KNOWN tile or toggle. */
    res.items[0].verdict = HITL_FAIL;
    res.count[HITL_KNOWN] = 0;
    res.count[HITL_FAIL] = 1;
    m.profile = NULL;
    html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_null(strstr(html, "total-KNOWN"));
    ck_assert_ptr_null(strstr(html, "data-verdict=\"KNOWN\""));
    ck_assert_has(html, "<strong>Genuine Dify does this too (KNOWN under --profile dify)</strong>");
    ck_assert_has(html, "<br><span class=\"known\">Dify too</span>");
    ck_assert_has(html, "<dt>profile</dt><dd>contract (the integration guide)</dd>");
    free(html);
    hitl_results_free(&res);
}
END_TEST

START_TEST(baseline_known_is_no_failure_and_keeps_its_entry)
{
    hitl_results res;
    fixture(&res, false);
    ck_assert(!hitl_baseline_is_failure(&res.items[0], false));
    ck_assert(!hitl_baseline_is_failure(&res.items[0], true));
    const char *t = "remote.inline.failures web accepted upstream\n";
    hitl_baseline b = {0};
    ck_assert_int_eq(hitl_baseline_parse(t, strlen(t), "k", &b, NULL), HITL_OK);
    hitl_report_known known[2];
    ck_assert_uint_eq(hitl_baseline_apply(&b, &res, true, known), 0); /* not stale */
    ck_assert_int_eq(b.items[0].state, HITL_BASELINE_HOLDS);
    ck_assert_ptr_null(known[0].reason); /* nothing to excuse: KNOWN fails nothing */
    hitl_baseline_free(&b);
    hitl_buf out;
    hitl_buf_init(&out, HITL_BASELINE_MAX_BYTES);
    ck_assert_int_eq(hitl_baseline_format(&out, &res, true, NULL, NULL), HITL_OK);
    ck_assert_ptr_null(strstr(hitl_buf_str(&out), "remote.inline.failures"));
    hitl_buf_free(&out);
    hitl_results_free(&res);
}
END_TEST

static Suite *report_deviation_suite(void)
{
    Suite *s = suite_create("report_deviation");
    TCase *tc = tcase_create("known");
    tcase_add_test(tc, console_known_line_deviation_and_summary);
    tcase_add_test(tc, console_summary_unchanged_without_known);
    tcase_add_test(tc, junit_known_is_skipped_with_the_deviation);
    tcase_add_test(tc, json_known_and_deviation_match_the_schema);
    tcase_add_test(tc, markdown_known_row_and_evidence);
    tcase_add_test(tc, sarif_known_is_a_suppressed_note);
    tcase_add_test(tc, html_known_tile_badge_and_evidence);
    tcase_add_test(tc, baseline_known_is_no_failure_and_keeps_its_entry);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(report_deviation_suite)
