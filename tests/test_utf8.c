/* test_utf8.c: UTF-8 validation and repair (utf8.c), RFC 3629's edge cases. */
#include "hitl/utf8.h"

#include "check_main.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static int seq(const char *s, size_t n)
{
    return hitl_utf8_seq((const unsigned char *)s, n);
}

START_TEST(valid_sequences_have_their_length)
{
    ck_assert_int_eq(seq("a", 1), 1);
    ck_assert_int_eq(seq("\xC2\x80", 2), 2);         /* U+0080, the smallest 2-byte */
    ck_assert_int_eq(seq("\xE2\x82\xAC", 3), 3);     /* U+20AC */
    ck_assert_int_eq(seq("\xED\x9F\xBF", 3), 3);     /* U+D7FF, just below the surrogates */
    ck_assert_int_eq(seq("\xF0\x90\x80\x80", 4), 4); /* U+10000 */
    ck_assert_int_eq(seq("\xF4\x8F\xBF\xBF", 4), 4); /* U+10FFFF, the last one */
}
END_TEST

START_TEST(invalid_sequences_are_zero)
{
    ck_assert_int_eq(seq("\x80", 1), 0);             /* a lone continuation byte */
    ck_assert_int_eq(seq("\xC0\xAF", 2), 0);         /* overlong '/' */
    ck_assert_int_eq(seq("\xC1\xBF", 2), 0);         /* overlong */
    ck_assert_int_eq(seq("\xE0\x80\xAF", 3), 0);     /* overlong 3-byte */
    ck_assert_int_eq(seq("\xED\xA0\x80", 3), 0);     /* U+D800, a surrogate */
    ck_assert_int_eq(seq("\xF0\x80\x80\xAF", 4), 0); /* overlong 4-byte */
    ck_assert_int_eq(seq("\xF4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    ck_assert_int_eq(seq("\xF5\x80\x80\x80", 4), 0);
    ck_assert_int_eq(seq("\xFF", 1), 0);
    ck_assert_int_eq(seq("\xE2\x28\xA1", 3), 0); /* second byte not a continuation */
}
END_TEST

START_TEST(cut_short_is_minus_one_only_when_it_could_still_be_valid)
{
    ck_assert_int_eq(seq("\xE2\x82", 2), -1);
    ck_assert_int_eq(seq("\xF0\x90\x80", 3), -1);
    ck_assert_int_eq(seq("\xC3", 1), -1);
    ck_assert_int_eq(seq("\xED\xA0", 2), 0); /* a surrogate already */
    ck_assert_int_eq(seq("\xE0\x80", 2), 0); /* overlong already */
}
END_TEST

START_TEST(sanitize_replaces_each_invalid_byte)
{
    const char in[] = "ok \xFF\xFE \xE2\x82\xAC \xC0\xAF end \xE2\x82";
    char *out = hitl_utf8_sanitize(in, sizeof in - 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "ok \xEF\xBF\xBD\xEF\xBF\xBD \xE2\x82\xAC \xEF\xBF\xBD\xEF\xBF\xBD end "
                          "\xEF\xBF\xBD\xEF\xBF\xBD");
    free(out);
    out = hitl_utf8_sanitize("", 0);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, valid_sequences_have_their_length);
    tcase_add_test(tc, invalid_sequences_are_zero);
    tcase_add_test(tc, cut_short_is_minus_one_only_when_it_could_still_be_valid);
    tcase_add_test(tc, sanitize_replaces_each_invalid_byte);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(utf8_suite)
