/* test_redact.c: secrets never survive redaction (redact.c). */
#include "hitl/redact.h"

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
    char *out = apply(r, "Accept: */*\nAuthorization: Bearer unknown-value\nauthorization: Basic Zm9v\n");
    ck_assert_str_eq(out, "Accept: */*\nAuthorization: Bearer [REDACTED]\nauthorization: Basic [REDACTED]\n");
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

int main(void)
{
    Suite *s = suite_create("redact");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, known_secrets_replaced_with_labels);
    tcase_add_test(tc, longest_secret_wins);
    tcase_add_test(tc, authorization_header_value_masked_whatever_it_holds);
    tcase_add_test(tc, short_secrets_ignored_and_disabled_copies);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
