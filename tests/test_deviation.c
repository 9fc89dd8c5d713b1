/* test_deviation.c: profiles and the recorded deviations (deviation.c): the loader refuses
 * what would make a deviation vague or dangling, the matcher excuses exactly the recorded
 * behaviour and nothing near it, and specs/deviations.json, the catalogue, the reference
 * server's --behave dify rows (refserver/src/behave.h) and docs/profiles.md agree. */
#include "hitl/catalog.h"
#include "hitl/deviation.h"
#include "refserver/refserver.h"

#include "check_main.h"
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMIT "8279d53351627ea58e3ff51ff99fc538a71f2dac"

/* A document of one deviation whose members are |members| (a JSON fragment). */
static char *doc_of(const char *members)
{
    static const char head[] = "{\"version\": 1, \"deviations\": [{";
    size_t n = strlen(head) + strlen(members) + 8;
    char *s = malloc(n);
    snprintf(s, n, "%s%s}]}", head, members);
    return s;
}

#define GOOD_TAIL                                                                                  \
    "\"observed\": \"accepted\", \"evidence\": [\"api/x.py@" COMMIT "\"], "                        \
    "\"versions\": [\"langgenius/dify@" COMMIT "\"]"
#define GOOD_MATCH "\"match\": {\"status\": 200, \"expected_contains\": \"answering 404\"}, "
#define GOOD_HEAD "\"id\": \"a.b\", \"check\": \"submit.x\", \"surfaces\": [\"web\"], "

START_TEST(parse_refuses_what_would_be_vague_or_wrong)
{
    static const struct {
        const char *members, *msg; /* msg NULL: accepted */
    } cases[] = {
        {GOOD_HEAD GOOD_MATCH GOOD_TAIL, NULL},
        {GOOD_HEAD GOOD_MATCH GOOD_TAIL ", \"note\": \"n\"", NULL},
        {"\"id\": \"A b\", \"check\": \"submit.x\", \"surfaces\": [\"web\"], " GOOD_MATCH GOOD_TAIL,
         "\"id\" must be lower-case dotted words"},
        {"\"id\": \"a.b\", \"surfaces\": [\"web\"], " GOOD_MATCH GOOD_TAIL,
         "a.b: \"check\" must be a non-empty string"},
        {"\"id\": \"a.b\", \"check\": \"submit.x\", \"surfaces\": [\"cli\"], " GOOD_MATCH GOOD_TAIL,
         "surfaces are \"web\" or \"service\""},
        {"\"id\": \"a.b\", \"check\": \"submit.x\", \"surfaces\": [], " GOOD_MATCH GOOD_TAIL,
         "\"surfaces\" must be a non-empty array"},
        {GOOD_HEAD "\"match\": {\"status\": 200}, " GOOD_TAIL,
         "match needs \"expected_contains\" or \"actual_contains\""},
        {GOOD_HEAD "\"match\": {\"expected_contains\": \"x\"}, " GOOD_TAIL,
         "match \"status\" must be an HTTP status"},
        {GOOD_HEAD "\"match\": {\"status\": 99, \"expected_contains\": \"x\"}, " GOOD_TAIL,
         "match \"status\" must be an HTTP status"},
        {GOOD_HEAD
         "\"match\": {\"status\": 200, \"expected_contains\": \"x\", \"cod\": \"y\"}, " GOOD_TAIL,
         "unknown match field \"cod\""},
        {GOOD_HEAD GOOD_MATCH "\"observed\": \"a\", \"evidence\": [\"api/x.py\"], "
                              "\"versions\": [\"v\"]",
         "evidence \"api/x.py\" is not path@<40-hex commit>"},
        {GOOD_HEAD GOOD_MATCH "\"observed\": \"a\", \"evidence\": [\"api/x.py@" COMMIT "0\"], "
                              "\"versions\": [\"v\"]",
         "is not path@<40-hex commit>"},
        {GOOD_HEAD GOOD_MATCH "\"observed\": \"a\", \"evidence\": [], \"versions\": [\"v\"]",
         "\"evidence\" must be a non-empty array of strings"},
        {GOOD_HEAD GOOD_MATCH
         "\"observed\": \"a\", \"evidence\": [\"api/libs/external_api.py (index file id 413560174, "
         "commit not given by the index)\"], \"versions\": [\"v\"]",
         NULL},
        {GOOD_HEAD GOOD_MATCH "\"evidence\": [\"api/x.py@" COMMIT "\"], \"versions\": [\"v\"]",
         "\"observed\" must be a non-empty string"},
        {GOOD_HEAD GOOD_MATCH "\"observed\": \"a\", \"evidence\": [\"api/x.py@" COMMIT "\"]",
         "\"versions\" must be a non-empty array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = doc_of(cases[i].members);
        hitl_deviations d;
        hitl_err err = {0};
        int rc = hitl_deviations_parse(doc, strlen(doc), &d, &err);
        if (!cases[i].msg) {
            ck_assert_msg(rc == HITL_OK, "case %zu: %s", i, err.msg);
            ck_assert_uint_eq(d.n, 1);
        } else {
            ck_assert_msg(rc == HITL_E_INVALID, "case %zu accepted", i);
            ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "case %zu: %s", i, err.msg);
        }
        hitl_deviations_free(&d);
        free(doc);
    }
}
END_TEST

START_TEST(parse_refuses_duplicate_ids_and_other_versions)
{
    const char *dup = "{\"version\": 1, \"deviations\": [{" GOOD_HEAD GOOD_MATCH GOOD_TAIL
                      "}, {" GOOD_HEAD GOOD_MATCH GOOD_TAIL "}]}";
    hitl_deviations d;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_deviations_parse(dup, strlen(dup), &d, &err), HITL_E_INVALID);
    ck_assert_str_eq(err.msg, "deviation a.b is recorded twice");
    const char *v2 = "{\"version\": 2, \"deviations\": []}";
    ck_assert_int_eq(hitl_deviations_parse(v2, strlen(v2), &d, &err), HITL_E_INVALID);
    ck_assert_int_eq(hitl_deviations_parse("[", 1, &d, &err), HITL_E_PARSE);
}
END_TEST

/* The builtin file parses and names only catalogued checks and their surfaces; a
 * deviation of an unknown check or surface is refused with its id. */
START_TEST(builtin_names_catalogued_checks_and_surfaces)
{
    hitl_catalog cat;
    hitl_deviations d;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_load_builtin(&cat, &err), HITL_OK);
    ck_assert_msg(hitl_deviations_load_builtin(&d, &err) == HITL_OK, "%s", err.msg);
    ck_assert_uint_ge(d.n, 2);
    ck_assert_msg(hitl_deviations_check_catalog(&d, &cat, &err) == HITL_OK, "%s", err.msg);
    free(d.items[0].check);
    d.items[0].check = strdup("submit.no-such-check");
    ck_assert_int_eq(hitl_deviations_check_catalog(&d, &cat, &err), HITL_E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "names check submit.no-such-check"));
    hitl_deviations_free(&d);

    const char *svc_only =
        "{\"version\": 1, \"deviations\": [{\"id\": \"x\", \"check\": "
        "\"errors.body.malformed-json\", \"surfaces\": [\"web\", \"service\"], " GOOD_MATCH
            GOOD_TAIL "}]}";
    ck_assert_int_eq(hitl_deviations_parse(svc_only, strlen(svc_only), &d, &err), HITL_OK);
    hitl_catalog_entry *e =
        (hitl_catalog_entry *)hitl_catalog_find(&cat, "errors.body.malformed-json");
    ck_assert_ptr_nonnull(e);
    e->surfaces = HITL_SURFACE_SERVICE;
    ck_assert_int_eq(hitl_deviations_check_catalog(&d, &cat, &err), HITL_E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "deviation x names a surface"));
    hitl_deviations_free(&d);
    hitl_catalog_free(&cat);
}
END_TEST

/* The Service API array body: only that exact response is excused. */
START_TEST(match_is_exact)
{
    hitl_deviations d;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_deviations_load_builtin(&d, &err), HITL_OK);
    const char *exp = "a JSON array as the submit body: HTTP 400 with a JSON error body";
    hitl_deviation_subject s = {.check = "errors.body.malformed-json",
                                .surface = HITL_SURFACE_SERVICE,
                                .status = 500,
                                .code = "unknown",
                                .message = "Internal Server Error",
                                .expected = exp,
                                .actual = "HTTP 500"};
    const hitl_deviation *hit = hitl_deviations_match(&d, &s);
    ck_assert_ptr_nonnull(hit);
    ck_assert_str_eq(hit->id, "svc-submit.non-object-body-500");
    ck_assert_ptr_eq(hitl_deviations_find(&d, "svc-submit.non-object-body-500"), hit);

    hitl_deviation_subject near = s;
    near.surface = HITL_SURFACE_WEB; /* the web surface answers 400: no deviation there */
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.status = 502;
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.code = "internal_server_error";
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.code = NULL;
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.message = "Internal error";
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.expected = "a truncated JSON submit body: HTTP 400 with a JSON error body";
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));
    near = s;
    near.check = "errors.shape.unknown-token";
    ck_assert_ptr_null(hitl_deviations_match(&d, &near));

    /* The inline remote_url 404 on either surface; a refused connection is no deviation. */
    hitl_deviation_subject inl = {
        .check = "submit.inline-remote.unreachable",
        .surface = HITL_SURFACE_WEB,
        .status = 200,
        .expected = "an inline remote_url answering 404 rejects the whole submission: HTTP 400"};
    ck_assert_ptr_nonnull(hitl_deviations_match(&d, &inl));
    inl.surface = HITL_SURFACE_SERVICE;
    ck_assert_ptr_nonnull(hitl_deviations_match(&d, &inl));
    inl.expected = "an inline remote_url whose host refuses the connection (127.0.0.1, a closed "
                   "port) rejects the whole submission: HTTP 400";
    ck_assert_ptr_null(hitl_deviations_match(&d, &inl));
    hitl_deviations_free(&d);
}
END_TEST

START_TEST(profile_names_round_trip)
{
    hitl_profile p = HITL_PROFILE_DIFY;
    ck_assert_int_eq(hitl_profile_parse("contract", &p), HITL_OK);
    ck_assert_int_eq(p, HITL_PROFILE_CONTRACT);
    ck_assert_int_eq(hitl_profile_parse("dify", &p), HITL_OK);
    ck_assert_int_eq(p, HITL_PROFILE_DIFY);
    ck_assert_str_eq(hitl_profile_name(p), "dify");
    ck_assert_str_eq(hitl_profile_name(HITL_PROFILE_CONTRACT), "contract");
    ck_assert_int_eq(hitl_profile_parse("Dify", &p), HITL_E_ARG);
    ck_assert_int_eq(hitl_profile_parse(NULL, &p), HITL_E_ARG);
}
END_TEST

/* How many times |id| is named as a whole word in the refserver's behaviour rows; |*row|
 * is the name of the last row naming it (NULL when none). */
static int rows_naming(const char *id, const char **row)
{
    int n = 0;
    *row = NULL;
    for (size_t i = 0; i < hitl_refserver_behaviour_count(); i++) {
        char ids[1024];
        snprintf(ids, sizeof ids, "%s", hitl_refserver_behaviour_deviations(i));
        for (char *save = NULL, *w = strtok_r(ids, " ", &save); w; w = strtok_r(NULL, " ", &save))
            if (!strcmp(w, id)) {
                n++;
                *row = hitl_refserver_behaviour_name(i);
            }
    }
    return n;
}

/* --behave dify reproduces every recorded deviation: each is named by exactly one
 * behaviour row, and every id a row names is recorded. */
START_TEST(refserver_behaviours_name_every_deviation_once)
{
    hitl_deviations d;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_deviations_load_builtin(&d, &err), HITL_OK);
    const char *row;
    for (size_t i = 0; i < d.n; i++)
        ck_assert_msg(rows_naming(d.items[i].id, &row) == 1,
                      "deviation %s is named by %d rows of refserver/src/behave.h, not 1",
                      d.items[i].id, rows_naming(d.items[i].id, &row));
    ck_assert_uint_ge(hitl_refserver_behaviour_count(), 1);
    for (size_t i = 0; i < hitl_refserver_behaviour_count(); i++) {
        char ids[1024];
        snprintf(ids, sizeof ids, "%s", hitl_refserver_behaviour_deviations(i));
        int named = 0;
        for (char *save = NULL, *w = strtok_r(ids, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            named++;
            ck_assert_msg(hitl_deviations_find(&d, w) != NULL,
                          "behaviour %s names %s, which specs/deviations.json does not record",
                          hitl_refserver_behaviour_name(i), w);
        }
        ck_assert_msg(named > 0, "behaviour %s names no deviation",
                      hitl_refserver_behaviour_name(i));
        ck_assert_ptr_nonnull(hitl_refserver_behaviour_summary(i));
    }
    ck_assert_ptr_null(hitl_refserver_behaviour_name(hitl_refserver_behaviour_count()));
    hitl_deviations_free(&d);
}
END_TEST

/* docs/profiles.md has a table row "| `<id>` | `<check>` | <surfaces> | `<behaviour>` |" for
 * every deviation, naming its check and the --behave dify row that reproduces it, and no
 * row for an id that is not recorded. */
START_TEST(docs_table_lists_every_deviation)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/profiles.md", HITL_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    hitl_deviations d;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_deviations_load_builtin(&d, &err), HITL_OK);
    int *seen = calloc(d.n, sizeof *seen);
    char line[2048];
    int rows = 0;
    bool in_table = false;
    while (fgets(line, sizeof line, f)) {
        /* The table runs from its header line to the next blank line. */
        if (!strncmp(line, "| Deviation | Check | Surfaces | Reference server row |", 54)) {
            in_table = true;
            continue;
        }
        if (in_table && line[0] != '|')
            break;
        char id[128], check[128], surfaces[64], behaviour[64];
        if (!in_table || !strncmp(line, "|---", 4))
            continue;
        ck_assert_msg(sscanf(line, "| `%127[^`]` | `%127[^`]` | %63[^|]| `%63[^`]` |", id, check,
                             surfaces, behaviour) == 4,
                      "docs/profiles.md: a deviation row is not | `id` | `check` | surfaces | "
                      "`row` |: %s",
                      line);
        rows++;
        const hitl_deviation *v = hitl_deviations_find(&d, id);
        ck_assert_msg(v != NULL, "docs/profiles.md lists %s, which is not recorded", id);
        ck_assert_msg(!strcmp(v->check, check), "docs/profiles.md gives %s the check %s, not %s",
                      id, check, v->check);
        const char *row;
        ck_assert_int_eq(rows_naming(id, &row), 1);
        ck_assert_msg(!strcmp(row, behaviour),
                      "docs/profiles.md says %s is reproduced by %s, behave.h says %s", id,
                      behaviour, row);
        seen[v - d.items]++;
    }
    fclose(f);
    for (size_t i = 0; i < d.n; i++)
        ck_assert_msg(seen[i] == 1, "docs/profiles.md lists %s %d times, not once", d.items[i].id,
                      seen[i]);
    ck_assert_int_eq(rows, (int)d.n);
    free(seen);
    hitl_deviations_free(&d);
}
END_TEST

static Suite *deviation_suite(void)
{
    Suite *s = suite_create("deviation");
    TCase *tc = tcase_create("deviation");
    tcase_add_test(tc, parse_refuses_what_would_be_vague_or_wrong);
    tcase_add_test(tc, parse_refuses_duplicate_ids_and_other_versions);
    tcase_add_test(tc, builtin_names_catalogued_checks_and_surfaces);
    tcase_add_test(tc, match_is_exact);
    tcase_add_test(tc, profile_names_round_trip);
    tcase_add_test(tc, refserver_behaviours_name_every_deviation_once);
    tcase_add_test(tc, docs_table_lists_every_deviation);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(deviation_suite)
