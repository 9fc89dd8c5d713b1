/* test_buf.c: the bounded buffer (buf.c) and the error struct (err.c). */
#include "hitl/buf.h"
#include "hitl/err.h"

#include "check_main.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(append_within_max)
{
    hitl_buf b;
    hitl_buf_init(&b, 8);
    ck_assert_int_eq(hitl_buf_append(&b, "abcd", 4), HITL_OK);
    ck_assert_int_eq(hitl_buf_append(&b, "efgh", 4), HITL_OK);
    ck_assert_uint_eq(b.len, 8);
    ck_assert_str_eq(hitl_buf_str(&b), "abcdefgh");
    hitl_buf_free(&b);
}
END_TEST

START_TEST(append_past_max_is_too_big_and_unchanged)
{
    hitl_buf b;
    hitl_buf_init(&b, 5);
    ck_assert_int_eq(hitl_buf_append(&b, "abc", 3), HITL_OK);
    ck_assert_int_eq(hitl_buf_append(&b, "def", 3), HITL_E_TOO_BIG);
    ck_assert_str_eq(hitl_buf_str(&b), "abc");
    ck_assert_uint_le(b.cap, 5);
    hitl_buf_free(&b);
}
END_TEST

START_TEST(growth_never_allocates_past_max)
{
    hitl_buf b;
    hitl_buf_init(&b, 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(hitl_buf_append(&b, "x", 1), HITL_OK);
    ck_assert_int_eq(hitl_buf_append(&b, "x", 1), HITL_E_TOO_BIG);
    ck_assert_uint_eq(b.cap, 1000);
    hitl_buf_free(&b);
}
END_TEST

START_TEST(printf_appends_and_respects_max)
{
    hitl_buf b;
    hitl_buf_init(&b, 10);
    ck_assert_int_eq(hitl_buf_printf(&b, "%d-%s", 42, "ab"), HITL_OK);
    ck_assert_str_eq(hitl_buf_str(&b), "42-ab");
    ck_assert_int_eq(hitl_buf_printf(&b, "%s", "123456"), HITL_E_TOO_BIG);
    ck_assert_str_eq(hitl_buf_str(&b), "42-ab");
    hitl_buf_free(&b);
}
END_TEST

START_TEST(reset_keeps_allocation_release_hands_over)
{
    hitl_buf b;
    hitl_buf_init(&b, 64);
    ck_assert_str_eq(hitl_buf_str(&b), "");
    hitl_buf_append_str(&b, "hello");
    char *before = b.ptr;
    hitl_buf_reset(&b);
    ck_assert_ptr_eq(b.ptr, before);
    ck_assert_str_eq(hitl_buf_str(&b), "");
    hitl_buf_append_str(&b, "world");
    char *s = hitl_buf_release(&b);
    ck_assert_str_eq(s, "world");
    ck_assert_ptr_null(b.ptr);
    free(s);
    char *empty = hitl_buf_release(&b);
    ck_assert_str_eq(empty, "");
    free(empty);
}
END_TEST

START_TEST(err_set_returns_code_and_formats)
{
    hitl_err err = {0};
    ck_assert_int_eq(hitl_err_set(&err, HITL_E_PARSE, "bad %s at %d", "json", 7), HITL_E_PARSE);
    ck_assert_int_eq(err.code, HITL_E_PARSE);
    ck_assert_str_eq(err.msg, "bad json at 7");
    ck_assert_int_eq(hitl_err_prefix(&err, "file %s", "a.json"), HITL_E_PARSE);
    ck_assert_str_eq(err.msg, "file a.json: bad json at 7");
    ck_assert_int_eq(hitl_err_set(NULL, HITL_E_IO, "ignored"), HITL_E_IO);
    ck_assert_str_eq(hitl_status_name(HITL_E_TOO_LONG), "HITL_E_TOO_LONG");
    ck_assert_str_eq(hitl_status_name(12345), "HITL_E_UNKNOWN");
}
END_TEST

START_TEST(err_message_truncated_not_overflowed)
{
    hitl_err err = {0};
    char big[2 * HITL_ERR_MSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    hitl_err_set(&err, HITL_E_ARG, "%s", big);
    ck_assert_uint_eq(strlen(err.msg), HITL_ERR_MSG_MAX - 1);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, append_within_max);
    tcase_add_test(tc, append_past_max_is_too_big_and_unchanged);
    tcase_add_test(tc, growth_never_allocates_past_max);
    tcase_add_test(tc, printf_appends_and_respects_max);
    tcase_add_test(tc, reset_keeps_allocation_release_hands_over);
    tcase_add_test(tc, err_set_returns_code_and_formats);
    tcase_add_test(tc, err_message_truncated_not_overflowed);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(buf_suite)
