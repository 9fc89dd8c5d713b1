/* test_redact.c: secrets never survive redaction (redact.c). */
#include "hitl/redact.h"

#include "check_main.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static char *apply(hitl_redactor *r, const char *s)
{
    char *out = hitl_redactor_apply(r, s);
    ck_assert_ptr_nonnull(out);
    return out;
}

START_TEST(known_secrets_replaced_with_labels)
{
    hitl_redactor *r;
    ck_assert_int_eq(hitl_redactor_new(&r, true, NULL), HITL_OK);
    hitl_redactor_add(r, "app-secret-key", "api-key");
    hitl_redactor_add(r, "tok123456", "form-token");
    char *out = apply(r, "GET /v1/form/human_input/tok123456 with app-secret-key and tok123456");
    ck_assert_str_eq(out, "GET /v1/form/human_input/[REDACTED:form-token] with [REDACTED:api-key] "
                          "and [REDACTED:form-token]");
    free(out);
    hitl_redactor_free(r);
}
END_TEST

/* A request's Authorization names the app key it sent, so a reproducer can send the same
 * one ($HITLCHECK_PARALLEL_API_KEY for a variant app's check); an unknown value stays bare. */
START_TEST(authorization_of_a_known_key_names_its_label)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    hitl_redactor_add(r, "app-target-key", "api-key");
    hitl_redactor_add(r, "app-variant-key", "parallel-api-key");
    char *out = apply(r, "Authorization: Bearer app-variant-key\nAuthorization: Bearer "
                         "app-target-key\nAuthorization: Bearer app-variant-key-longer\n");
    ck_assert_str_eq(out, "Authorization: Bearer [REDACTED:parallel-api-key]\n"
                          "Authorization: Bearer [REDACTED:api-key]\n"
                          "Authorization: Bearer [REDACTED]\n");
    free(out);
    hitl_redactor_free(r);
}
END_TEST

/* The engine registers every form token it meets as "form-token"; the parallel check
 * relabels the second form's, which then redacts as "form-token-2". */
START_TEST(secret_added_again_takes_the_new_label)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    hitl_redactor_add(r, "tok-second", "form-token");
    hitl_redactor_add(r, "tok-second", "form-token-2");
    char *out = apply(r, "token tok-second");
    ck_assert_str_eq(out, "token [REDACTED:form-token-2]");
    free(out);
    hitl_redactor_free(r);
}
END_TEST

START_TEST(longest_secret_wins)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    hitl_redactor_add(r, "hitl_upload_abc", "short");
    hitl_redactor_add(r, "hitl_upload_abcdef", "upload-token");
    char *out = apply(r, "x hitl_upload_abcdef y");
    ck_assert_str_eq(out, "x [REDACTED:upload-token] y");
    free(out);
    hitl_redactor_free(r);
}
END_TEST

START_TEST(authorization_header_value_masked_whatever_it_holds)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    char *out =
        apply(r, "Accept: */*\nAuthorization: Bearer unknown-value\nauthorization: Basic Zm9v\n");
    ck_assert_str_eq(
        out, "Accept: */*\nAuthorization: Bearer [REDACTED]\nauthorization: Basic [REDACTED]\n");
    free(out);
    out = apply(r, "Authorization: onlyoneword\n");
    /* A one-word value may be the secret itself: all of it goes. */
    ck_assert_str_eq(out, "Authorization: [REDACTED]\n");
    free(out);
    hitl_redactor_free(r);
}
END_TEST

START_TEST(short_secrets_ignored_and_disabled_copies)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    hitl_redactor_add(r, "abc", "x"); /* too short: would redact ordinary words */
    char *out = apply(r, "abc abcdef");
    ck_assert_str_eq(out, "abc abcdef");
    free(out);
    hitl_redactor_free(r);
    hitl_redactor_new(&r, false, NULL);
    hitl_redactor_add(r, "secret-value", "x");
    out = apply(r, "secret-value");
    ck_assert_str_eq(out, "secret-value");
    free(out);
    ck_assert(!hitl_redactor_enabled(r));
    ck_assert_ptr_null(hitl_redactor_apply(r, NULL));
    hitl_redactor_free(r);
}
END_TEST

/* Regression: the engine cuts bodies to a 4 KiB preview ("… [N more bytes]") before the
 * redactor sees them, and an Actual to 256 bytes: a token cut by the edge leaked its
 * start, as the redactor matched whole secrets only. */
START_TEST(secret_cut_by_a_preview_edge_masked)
{
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    hitl_redactor_add(r, "tokABCDEFGHIJKLMNOP", "form-token");
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"{\"form_token\":\"tokABCDEFG\xE2\x80\xA6 [9 more bytes]",
         "{\"form_token\":\"[REDACTED:form-token]\xE2\x80\xA6 [9 more bytes]"},
        {"HTTP 200 {\"t\":\"tokABCD", "HTTP 200 {\"t\":\"[REDACTED:form-token]"},
        {"x tokA", "x [REDACTED:form-token]"},
        {"x tok", "x tok"}, /* 3 bytes: too short to tell from a word */
        {"tokABCD and tokABCDEFGHIJKLMNOP", "tokABCD and [REDACTED:form-token]"}, /* not cut */
        {"a tokABCDEFGHIJKLMNOP\xE2\x80\xA6 tokABC\xE2\x80\xA6",
         "a [REDACTED:form-token]\xE2\x80\xA6 [REDACTED:form-token]\xE2\x80\xA6"},
        {"tokABCDEFGHIJKLMNOPQ", "[REDACTED:form-token]Q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = apply(r, cases[i].in);
        ck_assert_msg(!strcmp(out, cases[i].out), "case %zu: %s", i, out);
        free(out);
    }
    hitl_redactor_free(r);
}
END_TEST

/* Regression: the options of a run went into junit.xml/report.json/report.html with only
 * the redactor applied, which masks "Authorization:" at a line start only. */
START_TEST(run_options_masked_and_registered)
{
    static const char *argv[] = {"-H",
                                 "Authorization: Bearer SECRETAUTH7",
                                 "-HX-Api-Key: S3CRETX1",
                                 "--header=X-B: S3CRETB2",
                                 "--header",
                                 "X-C:S3CRETC3",
                                 "--hea",
                                 "X-D: S3CRETD4",
                                 "-vH",
                                 "X-E: S3CRETE5",
                                 "--api-key",
                                 "KEYSECRET1",
                                 "--other-api-key=KEYSECRET2",
                                 "--chat-api-key",
                                 "KEYSECRET3",
                                 "--proxy",
                                 "http://u:SECRETPROXY4@127.0.0.1:9",
                                 "--target",
                                 "http://user:SECRETPW8@127.0.0.1:5001",
                                 "--fixture-url=http://f:FIXPW9@h:1",
                                 "--only",
                                 "stream",
                                 "--inputs",
                                 "{\"a\":\"-H\"}",
                                 "--proxy=tokenonly@p:1",
                                 "-q",
                                 "--",
                                 "--api-key"};
    static const char *want[] = {"-H",
                                 "Authorization: [REDACTED]",
                                 "-HX-Api-Key: [REDACTED]",
                                 "--header=X-B: [REDACTED]",
                                 "--header",
                                 "X-C:[REDACTED]",
                                 "--hea",
                                 "X-D: [REDACTED]",
                                 "-vH",
                                 "X-E: [REDACTED]",
                                 "--api-key",
                                 "[REDACTED]",
                                 "--other-api-key=[REDACTED]",
                                 "--chat-api-key",
                                 "[REDACTED]",
                                 "--proxy",
                                 "http://[REDACTED]@127.0.0.1:9",
                                 "--target",
                                 "http://user:[REDACTED]@127.0.0.1:5001",
                                 "--fixture-url=http://f:[REDACTED]@h:1",
                                 "--only",
                                 "stream",
                                 "--inputs",
                                 "{\"a\":\"-H\"}",
                                 "--proxy=[REDACTED]@p:1",
                                 "-q",
                                 "--",
                                 "--api-key"};
    size_t n = sizeof argv / sizeof argv[0];
    ck_assert_uint_eq(n, sizeof want / sizeof want[0]);
    hitl_redactor *r;
    hitl_redactor_new(&r, true, NULL);
    char **shown = hitl_redact_argv(r, argv, n);
    ck_assert_ptr_nonnull(shown);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(shown[i], want[i]);
    hitl_redact_argv_free(shown, n);
    /* Every secret is registered: a server echoing one cannot show it either. */
    char *out =
        apply(r, "Bearer SECRETAUTH7 S3CRETX1 S3CRETB2 S3CRETC3 S3CRETD4 S3CRETE5 "
                 "KEYSECRET1 KEYSECRET2 KEYSECRET3 SECRETPROXY4 SECRETPW8 FIXPW9 tokenonly");
    ck_assert_str_eq(out, "[REDACTED:header] [REDACTED:header] [REDACTED:header] "
                          "[REDACTED:header] [REDACTED:header] [REDACTED:header] "
                          "[REDACTED:api-key] [REDACTED:other-api-key] [REDACTED:chat-api-key] "
                          "[REDACTED:proxy-password] [REDACTED:password] [REDACTED:password] "
                          "[REDACTED:proxy-password]");
    free(out);
    /* A header that never carries a credential is masked in the options but not
     * registered: its value ("application/json") must stay readable in the exchanges. */
    static const char *plain[] = {"-H", "Accept: application/json", "-HX-Forwarded-Proto: https"};
    shown = hitl_redact_argv(r, plain, 3);
    ck_assert_str_eq(shown[1], "Accept: [REDACTED]");
    hitl_redact_argv_free(shown, 3);
    out = apply(r, "Content-Type: application/json; https://x");
    ck_assert_str_eq(out, "Content-Type: application/json; https://x");
    free(out);
    /* Under --show-secrets the options are masked all the same. */
    hitl_redactor_free(r);
    hitl_redactor_new(&r, false, NULL);
    shown = hitl_redact_argv(r, argv, 2);
    ck_assert_str_eq(shown[1], "Authorization: [REDACTED]");
    hitl_redact_argv_free(shown, 2);
    hitl_redactor_free(r);
}
END_TEST

static Suite *redact_suite(void)
{
    Suite *s = suite_create("redact");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, known_secrets_replaced_with_labels);
    tcase_add_test(tc, longest_secret_wins);
    tcase_add_test(tc, authorization_of_a_known_key_names_its_label);
    tcase_add_test(tc, secret_added_again_takes_the_new_label);
    tcase_add_test(tc, authorization_header_value_masked_whatever_it_holds);
    tcase_add_test(tc, short_secrets_ignored_and_disabled_copies);
    tcase_add_test(tc, run_options_masked_and_registered);
    tcase_add_test(tc, secret_cut_by_a_preview_edge_masked);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(redact_suite)
