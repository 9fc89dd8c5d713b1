/* test_report.c: the file reporters (report_junit.c, report_json.c, report_markdown.c,
 * report_sarif.c, report_html.c), the reproducer (reproducer.c), the shared writer
 * (report.c) and the --expect baseline (baseline.c), each on hand-built results. */
#include "hitl/baseline.h"
#include "hitl/report.h"
#include "hitl/report_console.h"
#include "hitl/utf8.h"

#include "json_schema_check.h"

#include "check_main.h"
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- fixture: a run of five results, one of each verdict --- */

static char *tags_form[] = {"lifecycle", "form"};
static char *tags_submit[] = {"lifecycle", "submit"};
static char *tags_auth[] = {"auth"};
static char *tags_expiry[] = {"expiry", "slow"};
static char *tags_resume[] = {"resume"};

static hitl_catalog_entry E_PASS = {.id = "form.get.ok-keys",
                                    .area = "form",
                                    .title = "A valid form GET answers 200",
                                    .section = "§4.1",
                                    .severity = HITL_MUST,
                                    .tags = tags_form,
                                    .n_tags = 2,
                                    .surfaces = 3,
                                    .precondition = ""};
static hitl_catalog_entry E_FAIL = {.id = "submit.after.double-submit",
                                    .area = "submit",
                                    .title = "A second submit answers 412",
                                    .section = "§7.4, §13 G50",
                                    .severity = HITL_MUST,
                                    .tags = tags_submit,
                                    .n_tags = 2,
                                    .surfaces = 3,
                                    .precondition = ""};
static hitl_catalog_entry E_WARN = {.id = "auth.svc.wrong-scheme",
                                    .area = "auth",
                                    .title = "A Basic scheme is refused",
                                    .section = "§1.2",
                                    .severity = HITL_SHOULD,
                                    .tags = tags_auth,
                                    .n_tags = 1,
                                    .surfaces = 1,
                                    .precondition = ""};
static hitl_catalog_entry E_SKIP = {.id = "form.expiry.after-ttl",
                                    .area = "form",
                                    .title = "An expired form answers 404",
                                    .section = "§4.1",
                                    .severity = HITL_MUST,
                                    .tags = tags_expiry,
                                    .n_tags = 2,
                                    .surfaces = 2,
                                    .precondition = ""};
static hitl_catalog_entry E_ERROR = {.id = "resume.live.ping-first",
                                     .area = "resume",
                                     .title = "Resume pings first",
                                     .section = "§9.1",
                                     .severity = HITL_MUST,
                                     .tags = tags_resume,
                                     .n_tags = 1,
                                     .surfaces = 1,
                                     .precondition = ""};

#define TARGET "http://127.0.0.1:5001"
#define SECRET_LATE "late-secret-token-42" /* a token the engine did not know yet */

static char *xdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void exchange(hitl_exchange *x, const char *method, const char *url, const char *req_headers,
                     const char *req_body, long status, const char *resp_headers,
                     const char *resp_body)
{
    memset(x, 0, sizeof *x);
    x->method = xdup(method);
    x->url = xdup(url);
    x->request_headers = xdup(req_headers);
    x->request_body = xdup(req_body);
    x->status = status;
    x->response_headers = xdup(resp_headers);
    x->response_body = xdup(resp_body);
    x->response_bytes = resp_body ? strlen(resp_body) : 0;
    x->seconds = 0.01;
}

/* Builds the fixture into |res| (free with hitl_results_free). */
static void fixture(hitl_results *res)
{
    memset(res, 0, sizeof *res);
    res->n = 5;
    res->items = calloc(res->n, sizeof *res->items);
    hitl_result *r = res->items;
    r[0] = (hitl_result){.entry = &E_PASS,
                         .surface = HITL_SURFACE_SERVICE,
                         .verdict = HITL_PASS,
                         .reported = HITL_PASS,
                         .assertions = 3,
                         .seconds = 0.25};
    r[1] = (hitl_result){.entry = &E_FAIL,
                         .surface = HITL_SURFACE_WEB,
                         .verdict = HITL_FAIL,
                         .reported = HITL_FAIL,
                         .expected = xdup("HTTP 412 human_input_form_submitted"),
                         .actual = xdup("HTTP 200 {}"),
                         .assertions = 4,
                         .seconds = 0.5};
    r[1].n_exchanges = 2;
    r[1].exchanges = calloc(2, sizeof(hitl_exchange));
    exchange(&r[1].exchanges[0], "POST", TARGET "/v1/workflows/run",
             "Authorization: Bearer [REDACTED]\nContent-Type: application/json\n",
             "{\"inputs\":{},\"user\":\"u\"}", 200, "Content-Type: text/event-stream\n",
             "data: "
             "{\"event\":\"human_input_required\",\"data\":{\"form_token\":\"[REDACTED:form-token]"
             "\"}}\n\n");
    exchange(&r[1].exchanges[1], "POST", TARGET "/api/form/human_input/[REDACTED:form-token]",
             "Content-Type: application/json\n", "{\"action\":\"it's ok\"}", 200,
             "Content-Type: application/json\n", "{}");
    r[2] = (hitl_result){.entry = &E_WARN,
                         .surface = HITL_SURFACE_SERVICE,
                         .verdict = HITL_WARN,
                         .reported = HITL_FAIL,
                         .expected = xdup("HTTP 401"),
                         .actual =
                             xdup("HTTP 200 with <b>\"" SECRET_LATE "\"</b> & more\nsecond line"),
                         .notes = xdup("seen on Basic"),
                         .assertions = 1,
                         .seconds = 0.125};
    r[3] = (hitl_result){.entry = &E_SKIP,
                         .surface = HITL_SURFACE_WEB,
                         .verdict = HITL_SKIP,
                         .reported = HITL_SKIP,
                         .reason = xdup("needs a 120s wait; --max-wait is 90"),
                         .seconds = 0};
    r[4] = (hitl_result){.entry = &E_ERROR,
                         .surface = HITL_SURFACE_SERVICE,
                         .verdict = HITL_ERROR,
                         .reported = HITL_ERROR,
                         .reason = xdup("transport: timeout <30s> & \"gone\""),
                         .seconds = 30};
    res->count[HITL_PASS] = res->count[HITL_FAIL] = res->count[HITL_WARN] = 1;
    res->count[HITL_SKIP] = res->count[HITL_ERROR] = 1;
    res->seconds = 31.0;
}

static const char *OPTIONS[] = {"--only", "submit", "--api-key", "app-key-0123"};

static hitl_report_meta meta(void)
{
    return (hitl_report_meta){.target = TARGET,
                              .harness_version = "0.1.0",
                              .fingerprint = "upload-layout=v1",
                              .app_mode = "workflow",
                              .options = OPTIONS,
                              .n_options = 4,
                              .rerun_args =
                                  "--target '" TARGET "' --api-key \"$HITLCHECK_API_KEY\"",
                              .service_base = "/v1",
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

/* A fresh empty directory under the build tree. */
static void temp_dir(char *out, size_t cap)
{
    snprintf(out, cap, "%s/tests/report-tmp-XXXXXX", HITL_BINARY_DIR);
    ck_assert_ptr_nonnull(mkdtemp(out));
}

static void remove_dir(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* --- reproducer --- */

START_TEST(reproducer_captures_token_and_uses_variables)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPRODUCER_MAX);
    ck_assert_int_eq(hitl_report_reproducer(&b, &res.items[1], &m, NULL), HITL_OK);
    ck_assert_str_eq(
        hitl_buf_str(&b),
        "# Reproduce submit.after.double-submit [web] (§7.4, §13 G50):\n"
        "hitlcheck run --target '" TARGET
        "' --api-key \"$HITLCHECK_API_KEY\" --surface web --only submit.after.double-submit\n"
        "# The exchanges that show it (export HITLCHECK_API_KEY first; tokens are captured on the "
        "way):\n"
        "HITL_FORM_TOKEN=$(curl -sS -X POST -N --max-time 60 '" TARGET "/v1/workflows/run' "
        "-H 'Authorization: Bearer '\"$HITLCHECK_API_KEY\" -H 'Content-Type: application/json' "
        "--data-binary '{\"inputs\":{},\"user\":\"u\"}' | grep -o '\"form_token\": *\"[^\"]*\"' "
        "| head -n 1 | cut -d '\"' -f 4)\n"
        "#   -> HTTP 200, 86 bytes\n"
        "curl -sS -i -X POST '" TARGET "/api/form/human_input/'\"$HITL_FORM_TOKEN\" "
        "-H 'Content-Type: application/json' --data-binary '{\"action\":\"it'\\''s ok\"}'\n"
        "#   -> HTTP 200, 2 bytes\n");
    hitl_buf_free(&b);
    hitl_results_free(&res);
}
END_TEST

START_TEST(reproducer_upload_token_captured_for_masked_header)
{
    hitl_catalog_entry e = E_FAIL;
    hitl_result r = {.entry = &e, .surface = HITL_SURFACE_WEB, .verdict = HITL_FAIL};
    hitl_exchange x[2];
    exchange(&x[0], "POST", TARGET "/api/form/human_input/abc/upload-token", "", NULL, 200,
             "Content-Type: application/json\n", "{\"upload_token\":\"[REDACTED:upload-token]\"}");
    exchange(&x[1], "POST", TARGET "/api/form/human_input/files/upload",
             "Authorization: Bearer [REDACTED]\n",
             "[multipart file filename=a.pdf: 12 bytes]\n[multipart user: 6 bytes] @u <x\n"
             "[multipart note: 9 bytes]\n",
             201, "", "{}");
    r.exchanges = x;
    r.n_exchanges = 2;
    hitl_report_meta m = meta();
    m.rerun_args = NULL;
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPRODUCER_MAX);
    ck_assert_int_eq(hitl_report_reproducer(&b, &r, &m, NULL), HITL_OK);
    ck_assert_str_eq(
        hitl_buf_str(&b),
        "# Reproduce submit.after.double-submit [web] (§7.4, §13 G50):\n"
        "hitlcheck run --surface web --only submit.after.double-submit\n"
        "# The exchanges that show it (export HITLCHECK_API_KEY first; tokens are captured on the "
        "way):\n"
        "HITL_UPLOAD_TOKEN=$(curl -sS -X POST '" TARGET "/api/form/human_input/abc/upload-token' "
        "| grep -o '\"upload_token\": *\"[^\"]*\"' | head -n 1 | cut -d '\"' -f 4)\n"
        "#   -> HTTP 200, 42 bytes\n"
        "# file contents are not recorded: put files of the recorded names and sizes here\n"
        "curl -sS -i -X POST '" TARGET "/api/form/human_input/files/upload' "
        "-H 'Authorization: Bearer '\"$HITL_UPLOAD_TOKEN\" -F 'file=@a.pdf' "
        /* a recorded text value goes as --form-string (-F would read "@u" as a file); one
         * recorded without its value as an empty -F */
        "--form-string 'user=@u <x' -F 'note='\n"
        "#   -> HTTP 201, 2 bytes\n");
    hitl_buf_free(&b);
    for (int i = 0; i < 2; i++) {
        hitl_exchange *p = &x[i];
        free(p->method), free(p->url), free(p->request_headers), free(p->request_body);
        free(p->response_headers), free(p->response_body);
    }
}
END_TEST

/* A variant app's check (regress.parallel.both-complete) sends its own key and both forms
 * of the pause: the reproducer once sent $HITLCHECK_API_KEY and only the first token. */
START_TEST(reproducer_variant_key_and_both_parallel_tokens)
{
    hitl_catalog_entry e = E_FAIL;
    hitl_result r = {.entry = &e, .surface = HITL_SURFACE_SERVICE, .verdict = HITL_FAIL};
    hitl_exchange x[3];
    exchange(&x[0], "POST", TARGET "/v1/workflows/run",
             "Authorization: Bearer [REDACTED:parallel-api-key]\n", "{}", 200, "",
             "data: {\"form_token\":\"[REDACTED:form-token]\"}\n"
             "data: {\"form_token\":\"[REDACTED:form-token-2]\"}\n");
    exchange(&x[1], "POST", TARGET "/v1/form/human_input/[REDACTED:form-token]",
             "Authorization: Bearer [REDACTED:parallel-api-key]\n", "{}", 200, "", "{}");
    exchange(&x[2], "POST", TARGET "/v1/form/human_input/[REDACTED:form-token-2]",
             "Authorization: Bearer [REDACTED:parallel-api-key]\n", "{}", 200, "", "{}");
    r.exchanges = x;
    r.n_exchanges = 3;
    hitl_report_meta m = meta();
    m.rerun_args = NULL;
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPRODUCER_MAX);
    ck_assert_int_eq(hitl_report_reproducer(&b, &r, &m, NULL), HITL_OK);
    ck_assert_str_eq(
        hitl_buf_str(&b),
        "# Reproduce submit.after.double-submit [service] (§7.4, §13 G50):\n"
        "hitlcheck run --surface service --only submit.after.double-submit\n"
        "# The exchanges that show it (export HITLCHECK_PARALLEL_API_KEY first; tokens are "
        "captured on the way):\n"
        "HITL_RESPONSE=$(curl -sS -X POST '" TARGET "/v1/workflows/run' "
        "-H 'Authorization: Bearer '\"$HITLCHECK_PARALLEL_API_KEY\" --data-binary '{}')\n"
        "#   -> HTTP 200, 92 bytes\n"
        "HITL_FORM_TOKEN=$(printf '%s\\n' \"$HITL_RESPONSE\" | grep -o '\"form_token\": "
        "*\"[^\"]*\"' | head -n 1 | cut -d '\"' -f 4)\n"
        "HITL_FORM_TOKEN_2=$(printf '%s\\n' \"$HITL_RESPONSE\" | grep -o '\"form_token\": "
        "*\"[^\"]*\"' | sed -n '2p' | cut -d '\"' -f 4)\n"
        "curl -sS -i -X POST '" TARGET "/v1/form/human_input/'\"$HITL_FORM_TOKEN\" "
        "-H 'Authorization: Bearer '\"$HITLCHECK_PARALLEL_API_KEY\" --data-binary '{}'\n"
        "#   -> HTTP 200, 2 bytes\n"
        "curl -sS -i -X POST '" TARGET "/v1/form/human_input/'\"$HITL_FORM_TOKEN_2\" "
        "-H 'Authorization: Bearer '\"$HITLCHECK_PARALLEL_API_KEY\" --data-binary '{}'\n"
        "#   -> HTTP 200, 2 bytes\n");
    hitl_buf_free(&b);
    for (int i = 0; i < 3; i++) {
        hitl_exchange *p = &x[i];
        free(p->method), free(p->url), free(p->request_headers), free(p->request_body);
        free(p->response_headers), free(p->response_body);
    }
}
END_TEST

/* Regression: a server's "[REDACTED:$(cmd)]" became "$HITL_$(cmd)" (run when pasted), and
 * a newline in a transport error ended its '#' comment line and ran the rest. */
START_TEST(reproducer_server_text_never_runs)
{
    hitl_catalog_entry e = E_FAIL;
    hitl_result r = {.entry = &e, .surface = HITL_SURFACE_WEB, .verdict = HITL_FAIL};
    hitl_exchange x[1];
    exchange(&x[0], "POST", TARGET "/api/form/human_input/[REDACTED:$(touch /tmp/pwn)]x",
             "X-A: [REDACTED:form-token] [REDACTED:a`id`]\n", "[REDACTED:$(id)]", 0, "", NULL);
    x[0].error = strdup("refused\ntouch /tmp/pwned\r\x01rm -rf x");
    r.exchanges = x;
    r.n_exchanges = 1;
    hitl_report_meta m = meta();
    m.rerun_args = NULL;
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPRODUCER_MAX);
    ck_assert_int_eq(hitl_report_reproducer(&b, &r, &m, NULL), HITL_OK);
    ck_assert_str_eq(
        hitl_buf_str(&b),
        "# Reproduce submit.after.double-submit [web] (§7.4, §13 G50):\n"
        "hitlcheck run --surface web --only submit.after.double-submit\n"
        "# The exchanges that show it (export HITLCHECK_API_KEY first; tokens are captured on the "
        "way):\n"
        "curl -sS -i -X POST '" TARGET "/api/form/human_input/[REDACTED:$(touch /tmp/pwn)]x' "
        "-H 'X-A: '\"$HITL_FORM_TOKEN\"' [REDACTED:a`id`]' --data-binary '[REDACTED:$(id)]'\n"
        "#   -> no complete response: refused touch /tmp/pwned  rm -rf x\n");
    /* Each line is a comment, the hitlcheck line or a curl line: nothing else. */
    for (const char *p = hitl_buf_str(&b); *p; p = strchr(p, '\n') + 1)
        ck_assert(*p == '#' || !strncmp(p, "curl ", 5) || !strncmp(p, "hitlcheck ", 10));
    hitl_buf_free(&b);
    free(x[0].method), free(x[0].url), free(x[0].request_headers), free(x[0].request_body);
    free(x[0].response_headers), free(x[0].response_body), free(x[0].error);
}
END_TEST

START_TEST(shell_quote_escapes_single_quotes)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "''"}, {"plain", "'plain'"}, {"it's", "'it'\\''s'"}, {"$HOME `x`", "'$HOME `x`'"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hitl_buf b;
        hitl_buf_init(&b, 256);
        ck_assert_int_eq(hitl_report_shell_quote(&b, cases[i].in), HITL_OK);
        ck_assert_str_eq(hitl_buf_str(&b), cases[i].out);
        hitl_buf_free(&b);
    }
}
END_TEST

/* --- JUnit --- */

START_TEST(junit_exact_for_pass_skip_error)
{
    hitl_results res;
    fixture(&res);
    /* Keep the PASS, SKIP and ERROR cases only: their XML is short enough to pin whole. */
    hitl_result keep[3] = {res.items[0], res.items[3], res.items[4]};
    hitl_results small = {.items = keep, .n = 3, .seconds = 30.25};
    hitl_report_meta m = meta();
    m.n_options = 2;
    char *xml = format(hitl_report_format_junit, &small, &m);
    const char *props = "    <properties>\n"
                        "      <property name=\"target\" value=\"" TARGET "\"/>\n"
                        "      <property name=\"harness_version\" value=\"0.1.0\"/>\n"
                        "      <property name=\"fingerprint\" value=\"upload-layout=v1\"/>\n"
                        "      <property name=\"app_mode\" value=\"workflow\"/>\n"
                        "      <property name=\"strict\" value=\"false\"/>\n"
                        "      <property name=\"secrets\" value=\"redacted\"/>\n"
                        "      <property name=\"profile\" value=\"contract\"/>\n"
                        "      <property name=\"contract\" value=\"specs/contract.md\"/>\n"
                        "      <property name=\"options\" value=\"--only submit\"/>\n"
                        "    </properties>\n";
    char expected[8192];
    snprintf(expected, sizeof expected,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<testsuites name=\"hitlcheck\" tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"1\" "
             "time=\"30.250\">\n"
             "  <testsuite name=\"form\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\" "
             "time=\"0.250\" "
             "timestamp=\"2026-11-18T11:06:40\" hostname=\"" TARGET "\">\n%s"
             "    <testcase name=\"form.get.ok-keys [service]\" classname=\"form.get.ok-keys\" "
             "time=\"0.250\"/>\n"
             "    <testcase name=\"form.expiry.after-ttl [web]\" "
             "classname=\"form.expiry.after-ttl\" time=\"0.000\">\n"
             "      <skipped message=\"needs a 120s wait; --max-wait is 90\"/>\n"
             "    </testcase>\n"
             "  </testsuite>\n"
             "  <testsuite name=\"resume\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" "
             "time=\"30.000\" "
             "timestamp=\"2026-11-18T11:06:40\" hostname=\"" TARGET "\">\n%s"
             "    <testcase name=\"resume.live.ping-first [service]\" "
             "classname=\"resume.live.ping-first\" time=\"30.000\">\n"
             "      <error message=\"transport: timeout &lt;30s&gt; &amp; &quot;gone&quot;\" "
             "type=\"ERROR\">"
             "transport: timeout &lt;30s&gt; &amp; \"gone\"</error>\n"
             "    </testcase>\n"
             "  </testsuite>\n"
             "</testsuites>\n",
             props, props);
    ck_assert_str_eq(xml, expected);
    free(xml);
    hitl_results_free(&res);
}
END_TEST

START_TEST(junit_fail_has_expected_actual_and_reproducer)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(strstr(
        xml,
        "      <failure message=\"HTTP 200 {}\" type=\"MUST\">Expected: HTTP 412 "
        "human_input_form_submitted\n"
        "Actual:   HTTP 200 {}\n\n# Reproduce submit.after.double-submit [web] (§7.4, §13 G50):\n"
        "hitlcheck run --target '" TARGET "' --api-key \"$HITLCHECK_API_KEY\" --surface web "
        "--only submit.after.double-submit\n"));
    /* WARN passes, with the finding as a note. */
    ck_assert_ptr_nonnull(strstr(xml, "    <testcase name=\"auth.svc.wrong-scheme [service]\" "
                                      "classname=\"auth.svc.wrong-scheme\" time=\"0.125\">\n"
                                      "      <system-out>WARN (SHOULD, passes unless --strict)\n"
                                      "Expected: HTTP 401\nActual:   HTTP 200 with &lt;b&gt;\""));
    ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"hitlcheck\" tests=\"5\" failures=\"1\" "
                                      "errors=\"1\" skipped=\"1\""));
    free(xml);
    hitl_results_free(&res);
}
END_TEST

START_TEST(junit_known_failure_is_skipped_with_reason)
{
    hitl_results res;
    fixture(&res);
    hitl_report_known known[5] = {{NULL}, {"upstream bug #12"}, {NULL}, {NULL}, {NULL}};
    hitl_report_meta m = meta();
    m.known = known;
    m.baseline_path = "known.txt";
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(strstr(xml,
                                 "      <skipped message=\"known failure: upstream bug #12\"/>\n"
                                 "      <system-out>Expected: HTTP 412"));
    ck_assert_ptr_null(strstr(xml, "<failure"));
    ck_assert_ptr_nonnull(strstr(xml, "tests=\"5\" failures=\"0\" errors=\"1\" skipped=\"2\""));
    ck_assert_ptr_nonnull(strstr(xml, "<property name=\"baseline\" value=\"known.txt\"/>"));
    free(xml);
    hitl_results_free(&res);
}
END_TEST

START_TEST(junit_warn_is_failure_under_strict)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    m.strict = true;
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(strstr(xml, "classname=\"auth.svc.wrong-scheme\" time=\"0.125\">\n"
                                      "      <failure message=\"HTTP 200 with &lt;b&gt;&quot;"));
    ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"hitlcheck\" tests=\"5\" failures=\"2\""));
    ck_assert_ptr_null(strstr(xml, "passes unless --strict"));
    free(xml);
    hitl_results_free(&res);
}
END_TEST

START_TEST(junit_control_bytes_from_server_stay_valid_xml)
{
    hitl_results res;
    fixture(&res);
    free(res.items[1].actual);
    res.items[1].actual = strdup("bad\x01\x1b[31m\x7f ]]> end\r");
    hitl_report_meta m = meta();
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(strstr(xml, "message=\"bad??[31m? ]]&gt; end&#13;\""));
    free(xml);
    hitl_results_free(&res);
}
END_TEST

static bool have_xmllint(void)
{
    return system("xmllint --version >/dev/null 2>&1") == 0;
}

START_TEST(junit_file_validates_against_xsd)
{
    if (!have_xmllint()) {
        /* libxml2-utils is a CI dependency; without it this case cannot judge. */
        ck_abort_msg("xmllint not found: install libxml2-utils");
    }
    hitl_results res;
    fixture(&res);
    hitl_report_known known[5] = {{NULL}, {"known"}, {NULL}, {NULL}, {NULL}};
    char dir[4096];
    temp_dir(dir, sizeof dir);
    hitl_err err = {0};
    for (int pass = 0; pass < 2; pass++) {
        hitl_report_meta m = meta();
        m.known = pass ? known : NULL;
        ck_assert_int_eq(hitl_report_write(dir, hitl_report_format_find("junit"), &res, &m, &err),
                         HITL_OK);
        char cmd[9000];
        snprintf(cmd, sizeof cmd,
                 "xmllint --noout --schema '%s/tests/data/junit.xsd' '%s/junit.xml' 2>&1",
                 HITL_SOURCE_DIR, dir);
        ck_assert_int_eq(system(cmd), 0);
    }
    remove_dir(dir);
    hitl_results_free(&res);
}
END_TEST

/* Regression: U+FFFE/U+FFFF (valid UTF-8, not XML characters) from a server made
 * junit.xml unparsable. */
START_TEST(junit_noncharacters_become_replacement_and_validate)
{
    if (!have_xmllint())
        ck_abort_msg("xmllint not found: install libxml2-utils");
    hitl_results res;
    fixture(&res);
    free(res.items[1].actual);
    res.items[1].actual = strdup("a\xEF\xBF\xBE b\xEF\xBF\xBF c\xEF\xBF\xBD d\x01");
    free(res.items[1].exchanges[0].response_body);
    res.items[1].exchanges[0].response_body = strdup("{\"x\":\"\xEF\xBF\xBF\"}");
    hitl_report_meta m = meta();
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(strstr(xml, "message=\"a\xEF\xBF\xBD b\xEF\xBF\xBD c\xEF\xBF\xBD d?\""));
    ck_assert_ptr_null(strstr(xml, "\xEF\xBF\xBE"));
    ck_assert_ptr_null(strstr(xml, "\xEF\xBF\xBF"));
    free(xml);
    char dir[4096];
    temp_dir(dir, sizeof dir);
    hitl_err err = {0};
    ck_assert_int_eq(hitl_report_write(dir, hitl_report_format_find("junit"), &res, &m, &err),
                     HITL_OK);
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "xmllint --noout --schema '%s/tests/data/junit.xsd' '%s/junit.xml' 2>&1",
             HITL_SOURCE_DIR, dir);
    ck_assert_int_eq(system(cmd), 0);
    remove_dir(dir);
    hitl_results_free(&res);
}
END_TEST

/* --- JSON --- */

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static cJSON *schema(void)
{
    return load_json(HITL_SOURCE_DIR "/specs/report.schema.json");
}

START_TEST(json_matches_schema_and_holds_the_run)
{
    hitl_results res;
    fixture(&res);
    hitl_report_known known[5] = {{NULL}, {"upstream bug #12"}, {NULL}, {NULL}, {NULL}};
    const char *stale[] = {"known.txt:3: form.get.ok-keys * now passes: remove the entry"};
    hitl_report_meta m = meta();
    m.known = known;
    m.baseline_path = "known.txt";
    m.stale = stale;
    m.n_stale = 1;
    char *text = format(hitl_report_format_json, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    cJSON *s = schema();
    char why[1024];
    ck_assert_msg(hitl_json_schema_validate(s, doc, why, sizeof why) == 0, "%s", why);
    cJSON *run = cJSON_GetObjectItem(doc, "run");
    ck_assert_str_eq(cJSON_GetObjectItem(run, "started")->valuestring, "2026-11-18T11:06:40Z");
    ck_assert_str_eq(cJSON_GetObjectItem(run, "fingerprint")->valuestring, "upload-layout=v1");
    ck_assert_str_eq(
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "baseline"), "stale"), 0)
            ->valuestring,
        stale[0]);
    cJSON *checks = cJSON_GetObjectItem(doc, "checks");
    ck_assert_int_eq(cJSON_GetArraySize(checks), 5);
    cJSON *fail = cJSON_GetArrayItem(checks, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(fail, "verdict")->valuestring, "FAIL");
    ck_assert_str_eq(cJSON_GetObjectItem(fail, "known_failure")->valuestring, "upstream bug #12");
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(fail, "reproducer")->valuestring,
                                 "--only submit.after.double-submit\n"));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(fail, "exchanges")), 2);
    ck_assert_int_eq(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(fail, "exchanges"), 0), "status")
            ->valueint,
        200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(checks, 0), "reproducer")));
    cJSON *warn = cJSON_GetArrayItem(checks, 2);
    ck_assert_str_eq(cJSON_GetObjectItem(warn, "reported")->valuestring, "FAIL");
    ck_assert_str_eq(cJSON_GetObjectItem(warn, "severity")->valuestring, "SHOULD");
    cJSON *totals = cJSON_GetObjectItem(doc, "totals");
    ck_assert_int_eq(cJSON_GetObjectItem(totals, "checks")->valueint, 5);
    ck_assert_int_eq(cJSON_GetObjectItem(totals, "known_failures")->valueint, 1);
    cJSON_Delete(s);
    cJSON_Delete(doc);
    free(text);
    hitl_results_free(&res);
}
END_TEST

/* The checker must be able to fail, or the test above proves nothing. */
START_TEST(json_schema_checker_rejects_broken_reports)
{
    static const char *const breakages[] = {
        "{\"schema_version\":2}", /* wrong version */
        "totals",                 /* a required member removed */
        "extra",                  /* an unknown member added */
        "verdict",                /* a verdict outside the enum */
        "started",                /* a time that is not UTC ISO 8601 */
    };
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *text = format(hitl_report_format_json, &res, &m);
    cJSON *s = schema();
    for (size_t i = 0; i < sizeof breakages / sizeof breakages[0]; i++) {
        cJSON *doc = cJSON_Parse(text);
        const char *b = breakages[i];
        if (!strcmp(b, "totals"))
            cJSON_DeleteItemFromObject(doc, "totals");
        else if (!strcmp(b, "extra"))
            cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "checks"), 0), "x",
                                    "y");
        else if (!strcmp(b, "verdict"))
            cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "checks"), 0),
                                      "verdict", cJSON_CreateString("MAYBE"));
        else if (!strcmp(b, "started"))
            cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "run"), "started",
                                      cJSON_CreateString("2026-11-18 07:46:40"));
        else
            cJSON_ReplaceItemInObject(doc, "schema_version", cJSON_CreateNumber(2));
        char why[1024];
        ck_assert_msg(hitl_json_schema_validate(s, doc, why, sizeof why) != 0, "accepted: %s", b);
        cJSON_Delete(doc);
    }
    cJSON_Delete(s);
    free(text);
    hitl_results_free(&res);
}
END_TEST

/* --- Markdown --- */

START_TEST(markdown_exact_table_of_non_passing)
{
    hitl_results res;
    fixture(&res);
    /* Without exchanges the reproducers are short enough to pin. */
    hitl_result keep[3] = {res.items[0], res.items[2], res.items[3]};
    keep[1].actual = "pipe | and <tag> here\nsecond line";
    hitl_results small = {.items = keep, .n = 3, .count = {1, 0, 1, 1, 0}, .seconds = 2.5};
    hitl_report_meta m = meta();
    m.rerun_args = NULL;
    char *md = format(hitl_report_format_markdown, &small, &m);
    ck_assert_str_eq(
        md,
        "## hitlcheck: http://127\\.0\\.0\\.1:5001\n\n"
        "**3 checks: 1 passed, 0 failed, 1 warned, 1 skipped, 0 errors** in 2.5s (hitlcheck 0.1.0, "
        "upload\\-layout=v1)\n\n"
        "| Verdict | Area | Check | Surface | Clause (specs/contract.md) | Detail |\n"
        "|---|---|---|---|---|---|\n"
        "| WARN | auth | `auth.svc.wrong-scheme` | service | §1\\.2 | pipe \\| and &lt;tag> here… "
        "|\n"
        "| SKIP | form | `form.expiry.after-ttl` | web | §4\\.1 | needs a 120s wait; "
        "\\-\\-max\\-wait is "
        "90 |\n"
        "\n<details><summary>Reproduce <code>auth.svc.wrong-scheme</code> [service]</summary>\n\n"
        "```sh\n# Reproduce auth.svc.wrong-scheme [service] (§1.2):\n"
        "hitlcheck run --surface service --only auth.svc.wrong-scheme\n```\n</details>\n");
    free(md);
    hitl_results_free(&res);
}
END_TEST

/* Regression: a server-controlled text rendered as an image and a link in summary.md
 * (cell() escaped only | and <). */
START_TEST(markdown_cell_escapes_markdown_syntax)
{
    hitl_results res;
    fixture(&res);
    hitl_result keep[1] = {res.items[2]};
    keep[0].actual =
        "![p](https://evil.example/p.png) [click](x) *em* _u_ `c` \\ # + - . { } ~x~ |";
    hitl_results small = {.items = keep, .n = 1, .count = {0, 0, 1, 0, 0}, .seconds = 1};
    hitl_report_meta m = meta();
    m.rerun_args = NULL;
    char *md = format(hitl_report_format_markdown, &small, &m);
    ck_assert_ptr_nonnull(strstr(
        md, "| \\!\\[p\\]\\(https://evil\\.example/p\\.png\\) \\[click\\]\\(x\\) \\*em\\* \\_u\\_ "
            "\\`c\\` \\\\ \\# \\+ \\- \\. \\{ \\} \\~x\\~ \\| |\n"));
    ck_assert_ptr_null(strstr(md, "!["));
    ck_assert_ptr_null(strstr(md, "]("));
    free(md);
    /* A reproducer holding ``` (a server's error text) gets a longer fence. */
    hitl_exchange x;
    exchange(&x, "GET", TARGET "/api/x", "", NULL, 0, "", NULL);
    x.error = strdup("closed ```\n# Pwned");
    keep[0].exchanges = &x;
    keep[0].n_exchanges = 1;
    md = format(hitl_report_format_markdown, &small, &m);
    ck_assert_ptr_nonnull(strstr(md, "</summary>\n\n````sh\n# Reproduce"));
    ck_assert_ptr_nonnull(strstr(md, "closed ``` # Pwned\n````\n</details>\n"));
    free(md);
    free(x.method), free(x.url), free(x.request_headers), free(x.response_headers);
    free(x.error);
    hitl_results_free(&res);
}
END_TEST

START_TEST(markdown_all_pass_and_secrets_shown_notice)
{
    hitl_results res;
    fixture(&res);
    hitl_results small = {.items = res.items, .n = 1, .count = {1, 0, 0, 0, 0}, .seconds = 0.25};
    hitl_report_meta m = meta();
    m.secrets_shown = true;
    m.strict = true;
    char *md = format(hitl_report_format_markdown, &small, &m);
    ck_assert_str_eq(md, "## hitlcheck: http://127\\.0\\.0\\.1:5001\n\n"
                         "**1 checks: 1 passed, 0 failed, 0 warned, 0 skipped, 0 errors** in 0.2s "
                         "(hitlcheck 0.1.0, upload\\-layout=v1, --strict)\n\n"
                         "> **Secrets are shown** (--show-secrets): do not publish this report.\n\n"
                         "Every check passed.\n");
    free(md);
    hitl_results_free(&res);
}
END_TEST

/* --- SARIF --- */

START_TEST(sarif_only_security_relevant_findings)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *text = format(hitl_report_format_sarif, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(cJSON_GetObjectItem(doc, "version")->valuestring, "2.1.0");
    cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
    cJSON *results = cJSON_GetObjectItem(run, "results");
    /* The auth WARN only: the submit FAIL is a conformance finding without a 5xx. */
    ck_assert_int_eq(cJSON_GetArraySize(results), 1);
    cJSON *r0 = cJSON_GetArrayItem(results, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(r0, "ruleId")->valuestring, "auth.svc.wrong-scheme");
    ck_assert_str_eq(cJSON_GetObjectItem(r0, "level")->valuestring, "warning");
    ck_assert_int_eq(cJSON_GetObjectItem(r0, "ruleIndex")->valueint, 0);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "partialFingerprints"), "hitlcheckFinding/v1")
            ->valuestring,
        "auth.svc.wrong-scheme/service");
    cJSON *rules = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver"), "rules");
    ck_assert_int_eq(cJSON_GetArraySize(rules), 1);
    ck_assert_str_eq(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "defaultConfiguration"), "level")
            ->valuestring,
        "warning");
    /* The rule's help names its clause and where the contract defines it. */
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "help"), "text")
            ->valuestring,
        "Enforces §1.2 of hitlcheck's contract (specs/contract.md#c1.2). Rerun with "
        "`hitlcheck run --only auth.svc.wrong-scheme`.");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(run, "invocations"), 0), "executionSuccessful")));
    cJSON_Delete(doc);
    free(text);
    /* A 5xx on what the check sent makes the submit FAIL security-relevant too. */
    res.items[1].exchanges[1].status = 502;
    text = format(hitl_report_format_sarif, &res, &m);
    doc = cJSON_Parse(text);
    run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(run, "results")), 2);
    cJSON_Delete(doc);
    free(text);
    hitl_results_free(&res);
}
END_TEST

/* --- HTML --- */

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The text between the page's one <script> and its </script>. */
static char *script_of(const char *html)
{
    const char *a = strstr(html, "<script>");
    ck_assert_ptr_nonnull(a);
    const char *z = strstr(a, "</script>");
    ck_assert_ptr_nonnull(z);
    return strndup(a, (size_t)(z - a));
}

/* Server text that tries to end the markup it sits in, run script and break out of an
 * attribute, in every place a result carries it. */
#define HOSTILE "</details></pre><script>alert('x')</script>\"onmouseover=\"boom()"
#define HOSTILE_ESC                                                                                \
    "&lt;/details&gt;&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;"            \
    "onmouseover=&quot;boom()"

START_TEST(html_escapes_hostile_server_text)
{
    hitl_results res;
    fixture(&res);
    hitl_result *f = &res.items[1];
    free(f->actual);
    f->actual = strdup(HOSTILE " ctl\x01\x1b[31m bad\xff\xfe utf8 §ok");
    hitl_exchange *x = &f->exchanges[1];
    free(x->response_body), free(x->response_headers), free(x->url);
    x->response_body = strdup(HOSTILE);
    x->response_headers = strdup("X-Evil: " HOSTILE "\n");
    x->url = strdup(TARGET "/api/form/human_input/'\"><script>alert(1)</script>");
    free(res.items[4].reason);
    res.items[4].reason = strdup(HOSTILE);
    hitl_report_meta m = meta();
    m.fingerprint = "upload-layout=<i>v1</i>";
    char *html = format(hitl_report_format_html, &res, &m);
    /* One <script> element (ours), and one <details> per FAIL/WARN/ERROR. */
    ck_assert_uint_eq(count_of(html, "<script"), 1);
    ck_assert_uint_eq(count_of(html, "</details>"), 3);
    ck_assert_uint_eq(count_of(html, "</pre>"), count_of(html, "<pre"));
    ck_assert_ptr_null(strstr(html, "<script>alert"));
    ck_assert_ptr_null(strstr(html, "alert('x')"));
    ck_assert_ptr_null(strstr(html, "onmouseover=\""));
    ck_assert_ptr_null(strstr(html, "<i>"));
    ck_assert_ptr_nonnull(strstr(html, "upload-layout=&lt;i&gt;v1&lt;/i&gt;"));
    /* Actual (in its <pre>), the response body and header, the reason: all escaped. */
    ck_assert_uint_ge(count_of(html, HOSTILE_ESC), 5);
    ck_assert_ptr_nonnull(strstr(html, "X-Evil: " HOSTILE_ESC));
    ck_assert_ptr_nonnull(strstr(html, "/api/form/human_input/&#39;&quot;&gt;&lt;script&gt;"));
    /* Control bytes become '?', invalid UTF-8 U+FFFD; valid UTF-8 stays. */
    ck_assert_ptr_nonnull(strstr(html, " ctl??[31m bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 §ok"));
    /* No server byte in the script: it is the constant the reporter carries. */
    char *script = script_of(html);
    ck_assert_ptr_null(strstr(script, "details&gt;"));
    ck_assert_ptr_null(strstr(script, "boom"));
    ck_assert_ptr_null(strstr(script, TARGET));
    free(script);
    free(html);
    hitl_results_free(&res);
}
END_TEST

START_TEST(html_fail_details_hold_expected_actual_exchanges_reproducer)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *html = format(hitl_report_format_html, &res, &m);
    const char *d = strstr(html, "<details id=\"details-1\">");
    ck_assert_ptr_nonnull(d);
    char *body = strndup(d, (size_t)(strstr(d, "</details>") - d));
    ck_assert_ptr_nonnull(strstr(body,
                                 "<dt>Expected</dt><dd><pre>HTTP 412 human_input_form_submitted"
                                 "</pre></dd>"));
    ck_assert_ptr_nonnull(strstr(body, "<dt>Actual</dt><dd><pre>HTTP 200 {}</pre></dd>"));
    ck_assert_ptr_nonnull(strstr(body, "<h4>Exchanges (2)</h4>"));
    ck_assert_ptr_nonnull(strstr(body,
                                 "<span class=\"method\">POST</span><span class=\"url\">" TARGET
                                 "/v1/workflows/run</span>"));
    ck_assert_ptr_nonnull(strstr(body, "<span class=\"status s2\">200</span>"));
    ck_assert_ptr_nonnull(strstr(body, "Authorization: Bearer [REDACTED]\nContent-Type: "
                                       "application/json\n\n{&quot;inputs&quot;:{}"));
    ck_assert_ptr_nonnull(strstr(body, "<h4>Reproducer</h4>\n<pre class=\"repro\"># Reproduce "
                                       "submit.after.double-submit [web] (§7.4, §13 G50):\n"
                                       "hitlcheck run --target &#39;" TARGET "&#39; --api-key "
                                       "&quot;$HITLCHECK_API_KEY&quot; --surface web --only "
                                       "submit.after.double-submit\n"));
    ck_assert_ptr_nonnull(strstr(body, "{&quot;action&quot;:&quot;it&#39;\\&#39;&#39;s ok&quot;}"));
    free(body);
    /* The row: filterable by area, ID, title and §, failures listed before passes. */
    ck_assert_ptr_nonnull(strstr(html, "<tbody class=\"check\" data-verdict=\"FAIL\" "
                                       "data-area=\"submit\" data-search=\"submit "
                                       "submit.after.double-submit A second submit answers 412 "
                                       "§7.4, §13 G50 web\" id=\"check-1\">"));
    ck_assert(strstr(html, "id=\"check-1\"") < strstr(html, "id=\"check-0\""));
    /* ERROR folds out to its reason, without a reproducer; SKIP and PASS do not fold. */
    d = strstr(html, "<details id=\"details-4\">");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "<dt>Reason</dt><dd><pre>transport: timeout &lt;30s&gt; &amp; "
                                    "&quot;gone&quot;</pre></dd>"));
    ck_assert_ptr_null(strstr(html, "details-0"));
    ck_assert_ptr_null(strstr(html, "details-3"));
    ck_assert_uint_eq(count_of(html, "<pre class=\"repro\">"), 2); /* the FAIL and the WARN */
    /* Totals and run metadata. */
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge outcome FAIL\">FAILED</span>"));
    ck_assert_ptr_nonnull(strstr(html, "id=\"total-FAIL\"><span class=\"n\">1</span>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>fingerprint</dt><dd>upload-layout=v1</dd>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>started</dt><dd>2026-11-18T11:06:40Z</dd>"));
    ck_assert_ptr_null(strstr(html, "SECRETS SHOWN"));
    free(html);
    hitl_results_free(&res);
}
END_TEST

START_TEST(html_known_failure_shows_baseline_reason)
{
    hitl_results res;
    fixture(&res);
    hitl_report_known known[5] = {{NULL}, {"upstream bug <#12>"}, {NULL}, {NULL}, {NULL}};
    hitl_report_meta m = meta();
    m.known = known;
    m.baseline_path = "known.txt";
    char *html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_nonnull(strstr(html, "<p><strong>Known failure</strong> (listed in the baseline "
                                       "known.txt): upstream bug &lt;#12&gt;</p>"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"known\">known</span>"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"l\">failed (1 known)</span>"));
    /* Known, the run does not fail on it: the ERROR decides the outcome. */
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge outcome ERROR\">ERROR</span>"));
    free(html);
    hitl_results_free(&res);
}
END_TEST

/* Each clause a check cites links to its anchor in specs/contract.md; text that is no
 * clause ID (the fixture's old "§13 G50") stays plain text. */
START_TEST(html_links_clauses_to_the_contract)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_nonnull(
        strstr(html, "<td><a class=\"clause\" href=\"specs/contract.md#c4.1\">§4.1</a></td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td><a class=\"clause\" href=\"specs/contract.md#c7.4\">"
                                       "§7.4</a>, §13 G50</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>contract</dt><dd>specs/contract.md"));
    free(html);
    hitl_results_free(&res);
}
END_TEST

START_TEST(html_loads_nothing_from_the_network)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    char *html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_nonnull(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" "
                                       "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                                       "script-src 'unsafe-inline';"));
    /* No attribute or CSS that names a resource: the target's URL is only text. The only
     * links are the clauses', into the contract in hitlcheck's source (navigation). */
    static const char *const refs[] = {"src=",    "action=", "url(",   "@import", "<link",
                                       "<iframe", "=\"http", "='http", "=http",   "<img"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
        ck_assert_msg(!strstr(html, refs[i]), "report.html has '%s'", refs[i]);
    ck_assert_uint_gt(count_of(html, "href="), 0);
    ck_assert_uint_eq(count_of(html, "href="), count_of(html, "href=\"specs/contract.md#c"));
    /* Each http:// is the target's (in text), never an https:// resource. */
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_uint_eq(count_of(html, "http://"), count_of(html, TARGET));
    free(html);
    hitl_results_free(&res);
}
END_TEST

/* Regression: a large --inputs (up to 128 KiB, Linux's limit for one argument) passed the
 * 64 KiB options buffers of junit.xml and report.html, and a reproducer that rerun line
 * and 24 request bodies passed its cap: "out of memory writing the reports". */
START_TEST(large_options_and_reproducer_never_cost_the_reports)
{
    hitl_results res;
    fixture(&res);
    size_t big = 128u * 1024u;
    char *inputs = malloc(big + 1);
    memset(inputs, 'x', big);
    inputs[big] = '\0';
    const char *opts[] = {"--inputs", inputs};
    hitl_report_meta m = meta();
    m.options = opts;
    m.n_options = 2;
    /* The rerun line holds the inputs too, and each exchange a body (8 KiB here: more
     * than a preview, to pass the reproducer's cap for certain). */
    hitl_buf rerun;
    hitl_buf_init(&rerun, HITL_REPRODUCER_MAX);
    hitl_buf_printf(&rerun, "--inputs '%s'", inputs);
    m.rerun_args = hitl_buf_str(&rerun);
    hitl_result *r = &res.items[1];
    char *body = malloc(8193);
    memset(body, 'b', 8192);
    body[8192] = '\0';
    hitl_exchange *grown = realloc(r->exchanges, 24 * sizeof *grown);
    ck_assert_ptr_nonnull(grown);
    r->exchanges = grown;
    for (size_t i = r->n_exchanges; i < 24; i++)
        exchange(&r->exchanges[i], "POST", TARGET "/api/x", "Content-Type: text/plain\n", body, 200,
                 "", "{}");
    r->n_exchanges = 24;
    /* Every format of the reporters' table, so a new one is held to this too. */
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        char *out = format(hitl_report_formats[i].format, &res, &m);
        ck_assert_msg(strstr(out, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "format %zu",
                      i);
        free(out);
    }
    /* The reproducer stays within its cap, cut after a whole line with a note. */
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPRODUCER_MAX);
    ck_assert_int_eq(hitl_report_reproducer(&b, r, &m, NULL), HITL_OK);
    ck_assert_ptr_nonnull(strstr(hitl_buf_str(&b), "\n# (cut here: the reproducer would pass"));
    hitl_buf_free(&b);
    hitl_buf_free(&rerun);
    free(body);
    free(inputs);
    hitl_results_free(&res);
}
END_TEST

START_TEST(html_bounded_by_its_buffer)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    hitl_buf b;
    hitl_buf_init(&b, 4096);
    hitl_err err = {0};
    ck_assert_int_eq(hitl_report_format_html(&b, &res, &m, &err), HITL_E_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "report.html would pass"));
    ck_assert_uint_le(b.len, 4096);
    hitl_buf_free(&b);
    /* And an empty run is still a page. */
    hitl_results none = {0};
    char *html = format(hitl_report_format_html, &none, NULL);
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge outcome PASS\">PASSED</span>"));
    ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
    free(html);
    hitl_results_free(&res);
}
END_TEST

/* --- secrets --- */

/* A server's bytes need not be UTF-8; every report must be (cJSON copies strings as they
 * are, and a JSON or XML reader refuses the file). */
START_TEST(invalid_utf8_from_server_is_replaced_in_every_format)
{
    hitl_results res;
    fixture(&res);
    free(res.items[1].actual);
    res.items[1].actual = strdup("action \"\xFF\xFE\" \xC0\xAF \xE2\x82\xAC");
    free(res.items[1].exchanges[1].request_body);
    res.items[1].exchanges[1].request_body = strdup("{\"action\": \"\xFF\"}");
    res.items[1].exchanges[1].status = 500; /* SARIF carries it too */
    hitl_report_meta m = meta();
    /* Every format of the reporters' table, so a new one is held to this too. */
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        char *text = format(hitl_report_formats[i].format, &res, &m);
        size_t n = strlen(text);
        for (size_t k = 0; k < n;) {
            int len = hitl_utf8_seq((const unsigned char *)text + k, n - k);
            ck_assert_msg(len > 0, "format %zu: invalid UTF-8 at byte %zu", i, k);
            k += (size_t)len;
        }
        ck_assert_msg(strstr(text, "\xEF\xBF\xBD"), "format %zu: no U+FFFD", i);
        free(text);
    }
    hitl_results_free(&res);
}
END_TEST

/* What bounded the run and the one-bucket fact are said once for the run: report.json's
 * run.critical_path and run.one_bucket (valid against the schema), and the console summary. */
START_TEST(critical_path_and_one_bucket_are_said_once)
{
    hitl_results res;
    fixture(&res);
    res.items[2].ended_at = 41.5;
    res.items[2].waited_s = 40.2;
    res.items[2].longest_wait_s = 40.0;
    snprintf(res.items[2].longest_wait, sizeof res.items[2].longest_wait, "%s",
             "the form's expiration_time (+1 s)");
    res.critical = &res.items[2];
    res.one_bucket = strdup("the target counts distinct client addresses in one bucket: x");
    hitl_report_meta m = meta();
    char *text = format(hitl_report_format_json, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    cJSON *s = schema();
    char why[1024];
    ck_assert_msg(hitl_json_schema_validate(s, doc, why, sizeof why) == 0, "%s", why);
    cJSON *run = cJSON_GetObjectItem(doc, "run");
    cJSON *cp = cJSON_GetObjectItem(run, "critical_path");
    ck_assert_str_eq(cJSON_GetObjectItem(cp, "check")->valuestring, res.items[2].entry->id);
    ck_assert_str_eq(cJSON_GetObjectItem(cp, "longest_wait")->valuestring,
                     "the form's expiration_time (+1 s)");
    ck_assert(cJSON_GetObjectItem(cp, "ended_seconds")->valuedouble == 41.5);
    ck_assert_str_eq(cJSON_GetObjectItem(run, "one_bucket")->valuestring,
                     "the target counts distinct client addresses in one bucket: x");
    cJSON_Delete(doc);
    free(text);
    char *con = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&con, &len);
    ck_assert_ptr_nonnull(f);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 1, res.n);
    hitl_console_summary(&c, &res);
    fclose(f);
    ck_assert_msg(strstr(con, "critical path: ") &&
                      strstr(con, "the longest for the form's expiration_time (+1 s) (40.0s)"),
                  "%s", con);
    ck_assert_msg(strstr(con, "one bucket for all clients: the target counts"), "%s", con);
    free(con);
    /* Nothing learnt, nothing run: null, still valid. */
    free(res.one_bucket);
    res.one_bucket = NULL;
    res.critical = NULL;
    text = format(hitl_report_format_json, &res, &m);
    doc = cJSON_Parse(text);
    ck_assert_msg(hitl_json_schema_validate(s, doc, why, sizeof why) == 0, "%s", why);
    run = cJSON_GetObjectItem(doc, "run");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(run, "critical_path")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(run, "one_bucket")));
    cJSON_Delete(doc);
    cJSON_Delete(s);
    free(text);
    hitl_results_free(&res);
}
END_TEST

/* Outside a terminal (a CI log) a long wait is one line at most once a minute: what is
 * waited for and the time left; nothing within the minute after it. */
START_TEST(console_log_names_a_wait_once_a_minute)
{
    hitl_results res;
    fixture(&res);
    char *con = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&con, &len);
    ck_assert_ptr_nonnull(f);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 1, res.n);
    hitl_console_on_wait(&c, &res.items[0], 3000.0, "the form's expiration_time (+1 s)");
    fflush(f);
    ck_assert_int_eq(len, 0); /* the run's first minute: nothing yet */
    c.wait_line_at -= HITL_CONSOLE_WAIT_LINE_S;
    hitl_console_on_wait(&c, &res.items[0], 3000.0, "the form's expiration_time (+1 s)");
    hitl_console_on_wait(&c, &res.items[0], 2999.0, "the form's expiration_time (+1 s)");
    fclose(f);
    ck_assert_msg(strstr(con, "waiting: ") && strstr(con, "the form's expiration_time (+1 s), "
                                                          "3000s left"),
                  "%s", con);
    ck_assert_ptr_null(strstr(con, "2999s left"));
    ck_assert_ptr_null(strchr(con, '\r')); /* no status line rewritten in a log */
    free(con);
    hitl_results_free(&res);
}
END_TEST

/* The console is a report too: a server's control bytes (ESC sequences that retitle the
 * terminal or hide text) are shown as \\xNN, never sent to the terminal. */
/* A failed regress.* check names the Dify bug in every summary; a passed one, or a failed
 * check of another area, does not. */
static hitl_catalog_entry E_REGRESS_FAIL = {
    .id = "regress.resumed.succeeded",
    .area = "regress",
    .title = "After a valid submit the run ends succeeded (dify#39448/#39485, #39750, #40878; "
             "1.16.0-1.16.1)",
    .section = "§12.3",
    .severity = HITL_MUST,
    .surfaces = 1 << HITL_SURFACE_SERVICE};
static hitl_catalog_entry E_REGRESS_PASS = {.id = "regress.first-submit.not-412",
                                            .area = "regress",
                                            .title = "First submit accepted (dify#35703, 1.14.0)",
                                            .section = "§12.1",
                                            .severity = HITL_MUST,
                                            .surfaces = 1 << HITL_SURFACE_SERVICE};

START_TEST(summaries_name_the_dify_bugs_shown)
{
    hitl_results res;
    fixture(&res); /* its FAIL is submit.after.double-submit: no Dify bug named */
    res.items = realloc(res.items, (res.n + 3) * sizeof *res.items);
    res.items[res.n++] = (hitl_result){.entry = &E_REGRESS_FAIL,
                                       .surface = HITL_SURFACE_SERVICE,
                                       .verdict = HITL_FAIL,
                                       .reported = HITL_FAIL,
                                       .expected = xdup("status succeeded"),
                                       .actual = xdup("status \"stopped\"")};
    res.items[res.n++] = (hitl_result){
        .entry = &E_REGRESS_PASS, .surface = HITL_SURFACE_SERVICE, .verdict = HITL_PASS};
    /* The same check failing on a second surface is listed once. */
    res.items[res.n++] = (hitl_result){.entry = &E_REGRESS_FAIL,
                                       .surface = HITL_SURFACE_WEB,
                                       .verdict = HITL_FAIL,
                                       .reported = HITL_FAIL,
                                       .expected = xdup("status succeeded"),
                                       .actual = xdup("status \"stopped\"")};
    res.count[HITL_FAIL] += 2;
    res.count[HITL_PASS]++;
    hitl_report_meta m = meta();
    const char *want = "dify#39448/#39485, #39750, #40878";

    char *md = format(hitl_report_format_markdown, &res, &m);
    ck_assert_ptr_nonnull(strstr(md, "**This deployment has the behaviour of** "
                                     "dify#39448/#39485, #39750, #40878 "
                                     "(`regress.resumed.succeeded`)\n"));
    ck_assert_ptr_null(strstr(md, "dify#35703"));
    free(md);

    char *text = format(hitl_report_format_json, &res, &m);
    cJSON *doc = cJSON_Parse(text);
    cJSON *s = schema();
    char why[1024];
    ck_assert_msg(hitl_json_schema_validate(s, doc, why, sizeof why) == 0, "%s", why);
    cJSON *bugs = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "totals"), "dify_bugs");
    ck_assert_int_eq(cJSON_GetArraySize(bugs), 1); /* one per check, not per surface */
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(bugs, 0), "check")->valuestring,
                     "regress.resumed.succeeded");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(bugs, 0), "issues")->valuestring, want);
    cJSON_Delete(s);
    cJSON_Delete(doc);
    free(text);

    char *html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_nonnull(strstr(html, "known Dify bugs"));
    ck_assert_ptr_nonnull(strstr(html, want));
    free(html);

    char *con = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&con, &len);
    ck_assert_ptr_nonnull(f);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 0, res.n);
    hitl_console_summary(&c, &res);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(con, "this deployment has the behaviour of dify#39448/#39485, "
                                      "#39750, #40878 (regress.resumed.succeeded)\n"));
    ck_assert_ptr_null(strstr(con, "dify#35703"));
    const char *line = strstr(con, "this deployment has");
    ck_assert_ptr_null(strstr(line + 1, "this deployment has"));
    free(con);
    hitl_results_free(&res);
}
END_TEST

START_TEST(console_escapes_control_bytes_from_server)
{
    hitl_results res;
    fixture(&res);
    free(res.items[1].actual);
    res.items[1].actual = strdup("HTTP 200 \x1b]0;pwned\x07\x1b[2J\nsecond\tline\x7f");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    hitl_console c;
    hitl_console_init(&c, f, false, false, 0, res.n);
    hitl_console_on_done(&c, &res.items[1]);
    fclose(f);
    ck_assert_ptr_null(memchr(text, 0x1b, len));
    ck_assert_ptr_null(memchr(text, 0x07, len));
    ck_assert_ptr_null(memchr(text, 0x7f, len));
    ck_assert_ptr_nonnull(strstr(text, "HTTP 200 \\x1b]0;pwned\\x07\\x1b[2J\n"));
    ck_assert_ptr_nonnull(strstr(text, "second\tline\\x7f\n"));
    free(text);
    hitl_results_free(&res);
}
END_TEST

START_TEST(secrets_redacted_at_write_time_in_every_format)
{
    hitl_results res;
    fixture(&res);
    res.items[1].exchanges[1].status = 500; /* so SARIF carries the exchanges' finding too */
    free(res.items[1].notes);
    res.items[1].notes = strdup("token " SECRET_LATE " seen late");
    hitl_redactor *red;
    ck_assert_int_eq(hitl_redactor_new(&red, true, NULL), HITL_OK);
    hitl_redactor_add(red, SECRET_LATE, "form-token");
    hitl_redactor_add(red, "app-key-0123", "api-key");
    hitl_report_meta m = meta();
    m.redactor = red;
    /* Every format of the reporters' table, so a new one is held to this too. */
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        char *text = format(hitl_report_formats[i].format, &res, &m);
        ck_assert_msg(!strstr(text, SECRET_LATE), "format %zu leaks the token", i);
        ck_assert_msg(!strstr(text, "app-key-0123"), "format %zu leaks the key in options", i);
        free(text);
    }
    hitl_redactor_free(red);
    hitl_results_free(&res);
}
END_TEST

START_TEST(secrets_shown_is_stated)
{
    hitl_results res;
    fixture(&res);
    hitl_report_meta m = meta();
    m.secrets_shown = true;
    char *xml = format(hitl_report_format_junit, &res, &m);
    ck_assert_ptr_nonnull(
        strstr(xml, "<property name=\"secrets\" value=\"shown (--show-secrets)\"/>"));
    char *json = format(hitl_report_format_json, &res, &m);
    ck_assert_ptr_nonnull(strstr(json, "\"secrets\":\t\"shown\""));
    char *html = format(hitl_report_format_html, &res, &m);
    ck_assert_ptr_nonnull(strstr(html, "<div class=\"banner\" role=\"alert\">SECRETS SHOWN"));
    ck_assert_ptr_nonnull(strstr(html, "<dt>secrets</dt><dd>SHOWN (--show-secrets)</dd>"));
    free(html);
    free(xml);
    free(json);
    hitl_results_free(&res);
}
END_TEST

/* --- files --- */

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

/* What cmd_run.c does: every format of the table, in its directory. */
static void write_every_format(const char *dir, const hitl_results *res, const hitl_report_meta *m)
{
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        hitl_err err = {0};
        ck_assert_msg(hitl_report_write(dir, &hitl_report_formats[i], res, m, &err) == HITL_OK,
                      "%s: %s", hitl_report_formats[i].file, err.msg);
    }
}

/* The table names each format once, by a file of its own, and finds it by name. */
START_TEST(format_table_rows_are_distinct_and_found_by_name)
{
    ck_assert_uint_eq(hitl_report_n_formats, 5);
    for (size_t i = 0; i < hitl_report_n_formats; i++) {
        const hitl_report_format *f = &hitl_report_formats[i];
        ck_assert_ptr_nonnull(f->format);
        ck_assert_ptr_eq(hitl_report_format_find(f->name), f);
        ck_assert(f->what && *f->what);
        for (size_t k = 0; k < i; k++) {
            ck_assert_str_ne(hitl_report_formats[k].name, f->name);
            ck_assert_str_ne(hitl_report_formats[k].file, f->file);
        }
    }
    ck_assert_ptr_null(hitl_report_format_find("pdf"));
    ck_assert_ptr_null(hitl_report_format_find(NULL));
}
END_TEST

START_TEST(write_all_creates_five_files_and_no_temporaries)
{
    hitl_results res;
    fixture(&res);
    char dir[4096], sub[4200];
    temp_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    hitl_err err = {0};
    ck_assert_int_eq(hitl_report_prepare_dir(sub, &err), HITL_OK);
    hitl_report_meta m = meta();
    write_every_format(sub, &res, &m);
    ck_assert_uint_eq(count_entries(sub), 5);
    const char *names[] = {"junit.xml", "report.json", "summary.md", "report.sarif", "report.html"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", sub, names[i]);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert_int_gt(st.st_size, 100);
        ck_assert_int_eq(st.st_mode & 0777, 0644);
    }
    /* Regression: under --show-secrets the reports were 0644 (the trace is 0600). */
    m.secrets_shown = true;
    write_every_format(sub, &res, &m);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", sub, names[i]);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
        ck_assert_int_eq(st.st_mode & 0777, 0600);
    }
    remove_dir(dir);
    hitl_results_free(&res);
}
END_TEST

START_TEST(prepare_dir_names_the_dir_it_cannot_create)
{
    char dir[4096], file[4200], bad[4300];
    temp_dir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/plainfile", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(bad, sizeof bad, "%s/sub", file);
    hitl_err err = {0};
    ck_assert_int_eq(hitl_report_prepare_dir(bad, &err), HITL_E_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot create the report directory '"));
    ck_assert_ptr_nonnull(strstr(err.msg, "/plainfile/sub'"));
    ck_assert_int_eq(hitl_report_prepare_dir(file, &err), HITL_E_IO);
    remove_dir(dir);
}
END_TEST

/* --- baseline --- */

START_TEST(baseline_parse_table)
{
    static const struct {
        const char *text;
        int rc;
        size_t n;
        const char *msg; /* a part of the error message */
    } cases[] = {
        {"", HITL_OK, 0, NULL},
        {"# only a comment\n\n   \n", HITL_OK, 0, NULL},
        {"submit.after.double-submit web upstream bug #12\n", HITL_OK, 1, NULL},
        {"a.b * reason one\r\nc.d service reason two", HITL_OK, 2, NULL},
        {"a.b both reason\n", HITL_E_PARSE, 0, "f:1: 'both' is not a surface"},
        {"# x\na.b web\n", HITL_E_PARSE, 0, "f:2: the entry for a.b has no reason"},
        {"a.b\n", HITL_E_PARSE, 0, "f:1: '' is not a surface"},
        /* Regressions: a CRLF line without a reason named "web\r" as the surface (a raw
         * CR in the message); a CR elsewhere reached the terminal; duplicates passed. */
        {"a.b web\r\n", HITL_E_PARSE, 0, "f:1: the entry for a.b has no reason"},
        {"a.b\r\n", HITL_E_PARSE, 0, "f:1: '' is not a surface"},
        {"a.b we\rb x\n", HITL_E_PARSE, 0, "f:1: control byte 0x0d at column 7"},
        {"a.b web x\r\n\r\n# c\r\nc.d * y\r\n", HITL_OK, 2, NULL},
        {"a.b web x\nc.d * y\na.b web again\n", HITL_E_PARSE, 0, "f:3: duplicate of line 1"},
        {"a.b * x\na.b service y\n", HITL_E_PARSE, 0, "f:2: duplicate of line 1"},
        {"a.b web x\na.b service y\n", HITL_OK, 2, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hitl_baseline b = {0};
        hitl_err err = {0};
        int rc = hitl_baseline_parse(cases[i].text, strlen(cases[i].text), "f", &b, &err);
        ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
        if (!rc)
            ck_assert_uint_eq(b.n, cases[i].n);
        else
            ck_assert_msg(strstr(err.msg, cases[i].msg), "case %zu: %s", i, err.msg);
        ck_assert_msg(!strchr(err.msg, '\r'), "case %zu: a raw CR in the message", i);
        hitl_baseline_free(&b);
    }
    /* CRLF: no CR left in a reason. */
    const char *crlf = "a.b web the reason\r\n";
    hitl_baseline bc = {0};
    ck_assert_int_eq(hitl_baseline_parse(crlf, strlen(crlf), "f", &bc, NULL), HITL_OK);
    ck_assert_str_eq(bc.items[0].reason, "the reason");
    hitl_baseline_free(&bc);
    hitl_baseline b = {0};
    const char *t = "a.b *   reason with  spaces  \n";
    ck_assert_int_eq(hitl_baseline_parse(t, strlen(t), "f", &b, NULL), HITL_OK);
    ck_assert_str_eq(b.items[0].id, "a.b");
    ck_assert_int_eq(b.items[0].surfaces, HITL_SURFACE_WEB | HITL_SURFACE_SERVICE);
    ck_assert_str_eq(b.items[0].reason, "reason with  spaces");
    ck_assert_uint_eq(b.items[0].line, 1);
    hitl_baseline_free(&b);
}
END_TEST

START_TEST(baseline_apply_marks_known_stale_and_not_run)
{
    hitl_results res;
    fixture(&res);
    const char *t = "submit.after.double-submit web accepted\n"   /* still fails: known */
                    "form.get.ok-keys * was broken\n"             /* passes now: stale */
                    "form.expiry.after-ttl web slow\n"            /* SKIP: not judged */
                    "submit.after.double-submit service other\n"; /* not run on service */
    hitl_baseline b = {0};
    ck_assert_int_eq(hitl_baseline_parse(t, strlen(t), "k", &b, NULL), HITL_OK);
    hitl_report_known known[5];
    ck_assert_uint_eq(hitl_baseline_apply(&b, &res, false, known), 1);
    ck_assert_str_eq(known[1].reason, "accepted");
    ck_assert_ptr_null(known[0].reason);
    ck_assert_ptr_null(known[2].reason); /* a WARN does not fail the run anyway */
    ck_assert_int_eq(b.items[0].state, HITL_BASELINE_HOLDS);
    ck_assert_int_eq(b.items[1].state, HITL_BASELINE_FIXED);
    ck_assert_int_eq(b.items[2].state, HITL_BASELINE_NOT_RUN);
    ck_assert_int_eq(b.items[3].state, HITL_BASELINE_NOT_RUN);
    hitl_baseline_free(&b);
    hitl_results_free(&res);
}
END_TEST

START_TEST(baseline_strict_lists_warn)
{
    hitl_results res;
    fixture(&res);
    const char *t = "auth.svc.wrong-scheme service accepted\n";
    hitl_baseline b = {0};
    ck_assert_int_eq(hitl_baseline_parse(t, strlen(t), "k", &b, NULL), HITL_OK);
    hitl_report_known known[5];
    ck_assert_uint_eq(hitl_baseline_apply(&b, &res, true, known), 0);
    ck_assert_str_eq(known[2].reason, "accepted");
    ck_assert_uint_eq(hitl_baseline_apply(&b, &res, false, known), 0);
    ck_assert_ptr_null(known[2].reason);
    ck_assert_int_eq(b.items[0].state, HITL_BASELINE_HOLDS);
    hitl_baseline_free(&b);
    hitl_results_free(&res);
}
END_TEST

START_TEST(baseline_format_round_trips)
{
    hitl_results res;
    fixture(&res);
    hitl_buf out;
    hitl_buf_init(&out, HITL_BASELINE_MAX_BYTES);
    ck_assert_int_eq(hitl_baseline_format(&out, &res, true, NULL, NULL), HITL_OK);
    ck_assert_str_eq(hitl_buf_str(&out),
                     "# hitlcheck known failures (hitlcheck run --expect FILE)\n"
                     "# <check-id> <web|service|*> <why the failure is accepted>\n"
                     "submit.after.double-submit web HTTP 200 {}\n"
                     "auth.svc.wrong-scheme service HTTP 200 with <b>\"" SECRET_LATE
                     "\"</b> & more\n");
    hitl_baseline b = {0};
    ck_assert_int_eq(hitl_baseline_parse(hitl_buf_str(&out), out.len, "w", &b, NULL), HITL_OK);
    ck_assert_uint_eq(b.n, 2);
    hitl_report_known known[5];
    ck_assert_uint_eq(hitl_baseline_apply(&b, &res, true, known), 0);
    ck_assert_ptr_nonnull(known[1].reason);
    ck_assert_ptr_nonnull(known[2].reason);
    hitl_baseline_free(&b);
    hitl_buf_free(&out);
    hitl_results_free(&res);
}
END_TEST

START_TEST(baseline_unknown_check_named)
{
    hitl_catalog_entry entries[2] = {E_PASS, E_WARN};
    hitl_catalog cat = {.entries = entries, .n = 2};
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"form.get.ok-keys * ok\n", NULL},
        {"\nform.get.gone * renamed\n", "k:2: 'form.get.gone' names no check"},
        {"auth.svc.wrong-scheme web x\n", "k:1: auth.svc.wrong-scheme has no such surface"},
    };
    for (size_t i = 0; i < 3; i++) {
        hitl_baseline b = {0};
        hitl_err err = {0};
        ck_assert_int_eq(hitl_baseline_parse(cases[i].text, strlen(cases[i].text), "k", &b, NULL),
                         0);
        int rc = hitl_baseline_check_catalog(&b, &cat, &err);
        if (!cases[i].msg)
            ck_assert_int_eq(rc, HITL_OK);
        else {
            ck_assert_int_eq(rc, HITL_E_INVALID);
            ck_assert_msg(strstr(err.msg, cases[i].msg), "%s", err.msg);
        }
        hitl_baseline_free(&b);
    }
}
END_TEST

START_TEST(baseline_write_and_load_file)
{
    hitl_results res;
    fixture(&res);
    char dir[4096], path[4200];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/known.txt", dir);
    hitl_err err = {0};
    ck_assert_int_eq(hitl_baseline_write(path, &res, false, NULL, &err), HITL_OK);
    hitl_baseline b = {0};
    ck_assert_int_eq(hitl_baseline_load(path, &b, &err), HITL_OK);
    ck_assert_uint_eq(b.n, 1);
    ck_assert_str_eq(b.items[0].id, "submit.after.double-submit");
    hitl_baseline_free(&b);
    hitl_baseline c = {0};
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    ck_assert_int_eq(hitl_baseline_load(path, &c, &err), HITL_E_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing.txt"));
    hitl_baseline_free(&c);
    /* Regression: a directory as the baseline failed without saying why. */
    hitl_baseline d = {0};
    ck_assert_int_eq(hitl_baseline_load(dir, &d, &err), HITL_E_IO);
    ck_assert_msg(strstr(err.msg, "Is a directory"), "%s", err.msg);
    hitl_baseline_free(&d);
    /* --write-expect paths are checked before the run (hitl_baseline_check_path). */
    snprintf(path, sizeof path, "%s/new.txt", dir);
    ck_assert_int_eq(hitl_baseline_check_path(path, &err), HITL_OK);
    ck_assert_int_ne(access(path, F_OK), 0); /* the check leaves nothing behind */
    ck_assert_uint_eq(count_entries(dir), 1);
    ck_assert_int_eq(hitl_baseline_check_path(dir, &err), HITL_E_IO);
    ck_assert_msg(strstr(err.msg, "Is a directory"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/no/such/dir/k.txt", dir);
    ck_assert_int_eq(hitl_baseline_check_path(path, &err), HITL_E_IO);
    ck_assert_msg(strstr(err.msg, "cannot write the known failures to"), "%s", err.msg);
    ck_assert_int_eq(hitl_baseline_check_path("sub/", &err), HITL_E_ARG);
    remove_dir(dir);
    hitl_results_free(&res);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("reproducer");
    tcase_add_test(tc, reproducer_captures_token_and_uses_variables);
    tcase_add_test(tc, reproducer_upload_token_captured_for_masked_header);
    tcase_add_test(tc, reproducer_server_text_never_runs);
    tcase_add_test(tc, reproducer_variant_key_and_both_parallel_tokens);
    tcase_add_test(tc, shell_quote_escapes_single_quotes);
    suite_add_tcase(s, tc);
    tc = tcase_create("formats");
    tcase_add_test(tc, junit_exact_for_pass_skip_error);
    tcase_add_test(tc, junit_fail_has_expected_actual_and_reproducer);
    tcase_add_test(tc, junit_known_failure_is_skipped_with_reason);
    tcase_add_test(tc, junit_warn_is_failure_under_strict);
    tcase_add_test(tc, junit_control_bytes_from_server_stay_valid_xml);
    tcase_add_test(tc, junit_file_validates_against_xsd);
    tcase_add_test(tc, junit_noncharacters_become_replacement_and_validate);
    tcase_add_test(tc, json_matches_schema_and_holds_the_run);
    tcase_add_test(tc, json_schema_checker_rejects_broken_reports);
    tcase_add_test(tc, markdown_exact_table_of_non_passing);
    tcase_add_test(tc, markdown_all_pass_and_secrets_shown_notice);
    tcase_add_test(tc, markdown_cell_escapes_markdown_syntax);
    tcase_add_test(tc, sarif_only_security_relevant_findings);
    tcase_add_test(tc, invalid_utf8_from_server_is_replaced_in_every_format);
    tcase_add_test(tc, console_escapes_control_bytes_from_server);
    tcase_add_test(tc, critical_path_and_one_bucket_are_said_once);
    tcase_add_test(tc, console_log_names_a_wait_once_a_minute);
    tcase_add_test(tc, secrets_redacted_at_write_time_in_every_format);
    tcase_add_test(tc, secrets_shown_is_stated);
    tcase_add_test(tc, html_escapes_hostile_server_text);
    tcase_add_test(tc, html_fail_details_hold_expected_actual_exchanges_reproducer);
    tcase_add_test(tc, html_known_failure_shows_baseline_reason);
    tcase_add_test(tc, html_links_clauses_to_the_contract);
    tcase_add_test(tc, html_loads_nothing_from_the_network);
    tcase_add_test(tc, html_bounded_by_its_buffer);
    tcase_add_test(tc, large_options_and_reproducer_never_cost_the_reports);
    tcase_add_test(tc, format_table_rows_are_distinct_and_found_by_name);
    tcase_add_test(tc, write_all_creates_five_files_and_no_temporaries);
    tcase_add_test(tc, prepare_dir_names_the_dir_it_cannot_create);
    suite_add_tcase(s, tc);
    tc = tcase_create("baseline");
    tcase_add_test(tc, baseline_parse_table);
    tcase_add_test(tc, baseline_apply_marks_known_stale_and_not_run);
    tcase_add_test(tc, baseline_strict_lists_warn);
    tcase_add_test(tc, baseline_format_round_trips);
    tcase_add_test(tc, baseline_unknown_check_named);
    tcase_add_test(tc, baseline_write_and_load_file);
    tcase_add_test(tc, summaries_name_the_dify_bugs_shown);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(report_suite)
