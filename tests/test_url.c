/* test_url.c: url.c, the one way a value gets into a request URL. A value a server sent is
 * refused when it could leave its path segment or end the request line (control bytes, '/',
 * '\', dot segments, over 512 bytes) and otherwise percent-encoded as one segment; the
 * harness's raw probe path pastes what the harness chose. Table-driven over the hostile
 * values of issue 10: ../x, a/b, CR/LF, NUL, %2F and an over-long value. */
#include "hitl/json.h"
#include "hitl/url.h"

#include "check_main.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

/* A value and what hitl_url_path must make of it: the encoded path, or a refusal whose
 * message holds |why|. */
typedef struct url_case {
    const char *value;
    const char *path; /* NULL: refused */
    const char *why;
} url_case;

static const url_case CASES[] = {
    {"AbC-09._~", "/form/human_input/AbC-09._~/upload-token", NULL},
    {"../x", NULL, "'/' at byte 2"},
    {"a/b", NULL, "'/' at byte 1"},
    {"a\\b", NULL, "'\\' at byte 1"},
    {"..", NULL, "dot segment"},
    {".", NULL, "dot segment"},
    {"...", "/form/human_input/.../upload-token", NULL},
    {"tok\r\nX-Injected: 1", NULL, "control byte 0x0D at byte 3"},
    {"tok\n", NULL, "control byte 0x0A"},
    {"tok\x7f", NULL, "control byte 0x7F"},
    {"%2F..%2Fx", "/form/human_input/%252F..%252Fx/upload-token", NULL},
    {"a b?c#d&e=f", "/form/human_input/a%20b%3Fc%23d%26e%3Df/upload-token", NULL},
    {"\xc3\xa9\xff", "/form/human_input/%C3%A9%FF/upload-token", NULL},
    {"", NULL, "is empty"},
};

START_TEST(server_values_are_encoded_or_refused)
{
    const url_case *c = &CASES[_i];
    char out[256];
    hitl_err err = {0};
    int rc = hitl_url_path(out, sizeof out, "/form/human_input/", c->value, "/upload-token", &err);
    if (c->path) {
        ck_assert_msg(rc == HITL_OK, "case %d refused: %s", _i, err.msg);
        ck_assert_str_eq(out, c->path);
    } else {
        ck_assert_int_eq(rc, HITL_E_INVALID);
        ck_assert_msg(strstr(err.msg, c->why), "case %d: \"%s\" lacks \"%s\"", _i, err.msg, c->why);
        ck_assert_str_eq(out, ""); /* nothing usable is left behind */
        /* The message never quotes the value (it may be a secret). */
        if (strlen(c->value) >= 4)
            ck_assert_ptr_null(strstr(err.msg, c->value));
    }
}
END_TEST

/* NUL: a C string ends at it, so the value that reaches the encoder is what came before
 * it; the readers refuse such values (hitl_json_text_has_nul), shown here on the text. */
START_TEST(nul_in_json_text_is_seen)
{
    static const char raw[] = "{\"upload_token\":\"hitl_upload_a\0\r\nX-Injected: 1\"}";
    ck_assert(hitl_json_text_has_nul(raw, sizeof raw - 1));
    const char *escaped = "{\"upload_token\":\"hitl_upload_a\\u0000\\r\\nX: 1\"}";
    ck_assert(hitl_json_text_has_nul(escaped, strlen(escaped)));
    const char *clean = "{\"upload_token\":\"hitl_upload_a\\u0041\"}";
    ck_assert(!hitl_json_text_has_nul(clean, strlen(clean)));
}
END_TEST

START_TEST(over_long_value_is_refused)
{
    char *v = malloc(HITL_URL_VALUE_MAX + 2);
    ck_assert_ptr_nonnull(v);
    memset(v, 'a', HITL_URL_VALUE_MAX + 1);
    v[HITL_URL_VALUE_MAX + 1] = '\0';
    hitl_err err = {0};
    ck_assert_int_eq(hitl_url_value_check(v, &err), HITL_E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "513 bytes long"));
    v[HITL_URL_VALUE_MAX] = '\0'; /* exactly the limit: accepted */
    ck_assert_int_eq(hitl_url_value_check(v, &err), HITL_OK);
    free(v);
}
END_TEST

START_TEST(path_that_does_not_fit_is_too_big)
{
    char out[24];
    hitl_err err = {0};
    /* Fits unencoded (11 bytes), not encoded (27): every % becomes three bytes. */
    ck_assert_int_eq(hitl_url_path(out, sizeof out, "/f/", "%%%%%%%%", "", &err), HITL_E_TOO_BIG);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(hitl_url_path(out, sizeof out, "/f/", "%%", "", &err), HITL_OK);
    ck_assert_str_eq(out, "/f/%25%25");
}
END_TEST

START_TEST(encode_alone_judges_nothing)
{
    hitl_buf b;
    hitl_buf_init(&b, 64);
    ck_assert_int_eq(hitl_url_encode(&b, "a/b c"), HITL_OK);
    ck_assert_str_eq(hitl_buf_str(&b), "a%2Fb%20c");
    hitl_buf_free(&b);
}
END_TEST

/* The harness's own probes go out as written, and only through the raw path. */
START_TEST(harness_raw_path_keeps_the_probe)
{
    char out[64];
    ck_assert_int_eq(hitl_url_path_harness_raw(out, sizeof out, "/form/human_input/",
                                               "%FF%FEhitlcheck", "/upload-token"),
                     HITL_OK);
    ck_assert_str_eq(out, "/form/human_input/%FF%FEhitlcheck/upload-token");
    ck_assert_int_eq(hitl_url_path_harness_raw(out, 8, "/form/", "long", ""), HITL_E_TOO_BIG);
}
END_TEST

static Suite *url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("url");
    tcase_add_loop_test(tc, server_values_are_encoded_or_refused, 0,
                        (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, nul_in_json_text_is_seen);
    tcase_add_test(tc, over_long_value_is_refused);
    tcase_add_test(tc, path_that_does_not_fit_is_too_big);
    tcase_add_test(tc, encode_alone_judges_nothing);
    tcase_add_test(tc, harness_raw_path_keeps_the_probe);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(url_suite)
