/* test_catalog.c: the check catalogue (catalog.c) and the code/catalogue join. */
#include "hitl/catalog.h"
#include "hitl/checks.h"

#include "check_main.h"
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void noop(hitl_check_ctx *ctx)
{
    (void)ctx;
}

static const char *DOC =
    "{\"version\":1,\"checks\":["
    "{\"id\":\"form.get.unknown-token\",\"title\":\"t1\",\"section\":\"§4.1\",\"severity\":"
    "\"MUST\","
    "\"tags\":[\"form\",\"errors\"],\"surfaces\":[\"web\",\"service\"]},"
    "{\"id\":\"form.get.keys\",\"title\":\"t2\",\"section\":\"§4.2\",\"severity\":\"SHOULD\","
    "\"tags\":[\"form\"],\"surfaces\":[\"web\"]},"
    "{\"id\":\"ratelimit.get.burst\",\"title\":\"t3\",\"section\":\"§8\",\"severity\":\"MUST\","
    "\"tags\":[\"ratelimit\"],\"surfaces\":[\"web\"]}]}";

static hitl_catalog parse_ok(const char *doc)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_msg(hitl_catalog_parse(doc, strlen(doc), &cat, &err) == HITL_OK, "%s", err.msg);
    return cat;
}

START_TEST(parses_entries_with_severity_tags_surfaces)
{
    hitl_catalog cat = parse_ok(DOC);
    ck_assert_uint_eq(cat.n, 3);
    const hitl_catalog_entry *e = hitl_catalog_find(&cat, "form.get.keys");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->severity, HITL_SHOULD);
    ck_assert_int_eq(e->surfaces, HITL_SURFACE_WEB);
    ck_assert(!e->exclusive);
    ck_assert(hitl_catalog_find(&cat, "ratelimit.get.burst")->exclusive);
    hitl_catalog_free(&cat);
}
END_TEST

static void expect_parse_error(const char *doc, const char *needle)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_int_ne(hitl_catalog_parse(doc, strlen(doc), &cat, &err), HITL_OK);
    ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

START_TEST(rejects_bad_entries_naming_them)
{
    expect_parse_error(
        "{\"version\":1,\"checks\":[{\"id\":\"Bad ID\",\"title\":\"t\",\"section\":\"§1\","
        "\"severity\":\"MUST\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}",
        "lower-case");
    expect_parse_error(
        "{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"title\":\"t\",\"section\":\"§1\","
        "\"severity\":\"MAY\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}",
        "severity");
    expect_parse_error(
        "{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"title\":\"t\",\"section\":\"§1\","
        "\"severity\":\"MUST\",\"tags\":[\"nope\"],\"surfaces\":[\"web\"]}]}",
        "unknown tag nope");
    expect_parse_error(
        "{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"title\":\"t\",\"section\":\"§1\","
        "\"severity\":\"MUST\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]},"
        "{\"id\":\"a.b\",\"title\":\"t\",\"section\":\"§1\","
        "\"severity\":\"MUST\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}",
        "twice");
    expect_parse_error("{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"section\":\"§1\","
                       "\"severity\":\"MUST\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}",
                       "missing \"title\"");
    expect_parse_error("not json", "not valid JSON");
}
END_TEST

START_TEST(selectors_match_id_prefix_and_tag)
{
    hitl_catalog cat = parse_ok(DOC);
    const hitl_catalog_entry *e = hitl_catalog_find(&cat, "form.get.unknown-token");
    ck_assert(hitl_catalog_matches(e, "form.get.unknown-token"));
    ck_assert(hitl_catalog_matches(e, "form.get"));
    ck_assert(hitl_catalog_matches(e, "form"));
    ck_assert(hitl_catalog_matches(e, "errors"));
    ck_assert(!hitl_catalog_matches(e, "form.ge")); /* a prefix ends at a dot */
    ck_assert(!hitl_catalog_matches(e, "upload"));
    hitl_catalog_free(&cat);
}
END_TEST

START_TEST(select_only_exclude_and_unknown_selector)
{
    hitl_catalog cat = parse_ok(DOC);
    bool sel[3];
    hitl_err err = {0};
    const char *only[] = {"form"};
    const char *excl[] = {"form.get.keys"};
    ck_assert_int_eq(hitl_catalog_select(&cat, only, 1, excl, 1, sel, &err), HITL_OK);
    ck_assert(sel[0] && !sel[1] && !sel[2]);
    const char *bad[] = {"nothing.here"};
    ck_assert_int_eq(hitl_catalog_select(&cat, bad, 1, NULL, 0, sel, &err), HITL_E_ARG);
    ck_assert_msg(strstr(err.msg, "--only 'nothing.here'"), "%s", err.msg);
    const char *all[] = {"form", "ratelimit"};
    ck_assert_int_eq(hitl_catalog_select(&cat, NULL, 0, all, 2, sel, &err), HITL_E_ARG);
    ck_assert_msg(strstr(err.msg, "leaves no check"), "%s", err.msg);
    hitl_catalog_free(&cat);
}
END_TEST

START_TEST(bind_fails_on_drift_both_ways)
{
    hitl_catalog cat = parse_ok(DOC);
    hitl_err err = {0};
    hitl_check_impl missing_one[] = {{"form.get.unknown-token", noop}, {"form.get.keys", noop}};
    ck_assert_int_ne(hitl_catalog_bind(&cat, missing_one, 2, &err), HITL_OK);
    ck_assert_msg(
        strstr(err.msg, "ratelimit.get.burst is in the catalogue but has no implementation"), "%s",
        err.msg);
    hitl_catalog_free(&cat);
    cat = parse_ok(DOC);
    hitl_check_impl extra[] = {{"form.get.unknown-token", noop},
                               {"form.get.keys", noop},
                               {"ratelimit.get.burst", noop},
                               {"not.catalogued", noop}};
    ck_assert_int_ne(hitl_catalog_bind(&cat, extra, 4, &err), HITL_OK);
    ck_assert_msg(strstr(err.msg, "not.catalogued is implemented but not in the catalogue"), "%s",
                  err.msg);
    hitl_catalog_free(&cat);
}
END_TEST

/* A check cites contract clauses ("§7.3.2, §7.4.3"); free text such as the old
 * "§13 G49" checklist items, a bare number or a dangling comma is refused at load. */
START_TEST(section_must_list_clause_ids)
{
    static const char *const bad[] = {"",
                                      "§13 G49",
                                      "§7.4, §13 G50",
                                      "7.3.2",
                                      "§",
                                      "§7.",
                                      "§7..3",
                                      "§7.3.2,",
                                      "§7.3.2, ",
                                      "§7.3.2 §7.4.1",
                                      "Normative decision 2, §7.3",
                                      "§1234.1",
                                      "§7.3.2; §7.4.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[512];
        snprintf(doc, sizeof doc,
                 "{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"title\":\"t\",\"section\":\"%s\","
                 "\"severity\":\"MUST\",\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}",
                 bad[i]);
        hitl_catalog cat;
        hitl_err err = {0};
        ck_assert_msg(hitl_catalog_parse(doc, strlen(doc), &cat, &err) != HITL_OK, "accepted '%s'",
                      bad[i]);
        ck_assert_msg(strstr(err.msg, "a.b: \"section\" must list the contract clauses"), "%s",
                      err.msg);
    }
    hitl_catalog cat = parse_ok("{\"version\":1,\"checks\":[{\"id\":\"a.b\",\"title\":\"t\","
                                "\"section\":\"§7.3.14, §7.4.3,§1.2\",\"severity\":\"MUST\","
                                "\"tags\":[\"form\"],\"surfaces\":[\"web\"]}]}");
    hitl_catalog_free(&cat);
}
END_TEST

START_TEST(clause_next_walks_a_list)
{
    const char *p = "§7.3.14, §7.4.3,§10.2";
    char id[HITL_CLAUSE_ID_MAX];
    ck_assert(hitl_catalog_clause_next(&p, id, sizeof id));
    ck_assert_str_eq(id, "§7.3.14");
    ck_assert(hitl_catalog_clause_next(&p, id, sizeof id));
    ck_assert_str_eq(id, "§7.4.3");
    ck_assert(hitl_catalog_clause_next(&p, id, sizeof id));
    ck_assert_str_eq(id, "§10.2");
    ck_assert(!hitl_catalog_clause_next(&p, id, sizeof id));
    ck_assert_str_eq(id, "");
    /* Text that is not a clause stops the walk where it stands. */
    const char *q = "§7.4, §13 G50";
    ck_assert(hitl_catalog_clause_next(&q, id, sizeof id));
    ck_assert(!hitl_catalog_clause_next(&q, id, sizeof id));
    ck_assert_str_eq(q, " §13 G50");
    /* An ID longer than the buffer is not copied. */
    const char *r = "§7.3.2";
    char small[4];
    ck_assert(!hitl_catalog_clause_next(&r, small, sizeof small));
    ck_assert_str_eq(r, "§7.3.2");
}
END_TEST

START_TEST(clause_anchor_is_c_and_the_numbers)
{
    char buf[HITL_CLAUSE_ID_MAX];
    ck_assert_int_eq(hitl_catalog_clause_anchor("§7.3.2", buf, sizeof buf), HITL_OK);
    ck_assert_str_eq(buf, "c7.3.2");
    ck_assert_int_eq(hitl_catalog_clause_anchor("§10.9", buf, sizeof buf), HITL_OK);
    ck_assert_str_eq(buf, "c10.9");
    ck_assert_int_eq(hitl_catalog_clause_anchor("§7.3.2, §7.4.1", buf, sizeof buf), HITL_E_INVALID);
    ck_assert_int_eq(hitl_catalog_clause_anchor("7.3.2", buf, sizeof buf), HITL_E_INVALID);
    char small[6];
    ck_assert_int_eq(hitl_catalog_clause_anchor("§7.3.2", small, sizeof small), HITL_E_TOO_BIG);
    ck_assert_int_eq(hitl_catalog_clause_anchor("§7.3", small, sizeof small), HITL_OK);
    ck_assert_str_eq(small, "c7.3");
}
END_TEST

/* The real catalogue and the real implementations: every catalogued check is implemented
 * and every implementation is catalogued. This is the test that stops drift. */
START_TEST(builtin_catalogue_and_code_agree)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_msg(hitl_catalog_load_builtin(&cat, &err) == HITL_OK, "%s", err.msg);
    size_t n = hitl_checks_count();
    ck_assert_uint_gt(n, 0);
    hitl_check_impl *impls = calloc(n, sizeof *impls);
    ck_assert_uint_eq(hitl_checks_copy(impls, n), n);
    ck_assert_msg(hitl_catalog_bind(&cat, impls, n, &err) == HITL_OK, "%s", err.msg);
    ck_assert_uint_eq(cat.n, n);
    free(impls);
    hitl_catalog_free(&cat);
}
END_TEST

/* An entry's area is its document's "area", which every ID of the document starts with;
 * a document without one (a test's) takes the ID's first word. */
START_TEST(area_is_the_documents_and_ids_start_with_it)
{
    hitl_catalog cat = parse_ok(
        "{\"version\":1,\"area\":\"upload-token\",\"checks\":[{\"id\":\"upload-token.issue.ok\","
        "\"title\":\"t\",\"section\":\"§5.1\",\"severity\":\"MUST\",\"tags\":[\"upload\"],"
        "\"surfaces\":[\"web\"]}]}");
    ck_assert_str_eq(cat.entries[0].area, "upload-token");
    hitl_catalog_free(&cat);
    cat = parse_ok(DOC);
    ck_assert_str_eq(hitl_catalog_find(&cat, "ratelimit.get.burst")->area, "ratelimit");
    hitl_catalog_free(&cat);
    /* upload-token.* in upload.json: the ID's area is not its file's. */
    expect_parse_error("{\"version\":1,\"area\":\"upload\",\"checks\":[{\"id\":\"upload-token.x\","
                       "\"title\":\"t\",\"section\":\"§5.1\",\"severity\":\"MUST\","
                       "\"tags\":[\"upload\"],\"surfaces\":[\"web\"]}]}",
                       "upload-token.x is in the document of area \"upload\"");
    expect_parse_error("{\"version\":1,\"area\":\"up.load\",\"checks\":[]}", "one lower-case word");
}
END_TEST

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const hitl_check_area *area_row(const char *name)
{
    for (size_t i = 0; i < hitl_check_n_areas; i++)
        if (!strcmp(hitl_check_areas[i].name, name))
            return &hitl_check_areas[i];
    return NULL;
}

/* Adding an area is one file pair and one registry row (checks/areas.h): every
 * specs/checks/<area>.json has a row, every row its JSON file and its C file, and every
 * implementation of a row and every catalogued check of the file carries the area as its
 * ID's first word. */
START_TEST(areas_registry_and_files_agree)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/specs/checks", HITL_SOURCE_DIR);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot list %s", dir);
    size_t files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 5 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), de->d_name);
        ck_assert_msg(area_row(name) != NULL,
                      "specs/checks/%s has no row in harness/src/checks/areas.h", de->d_name);
        files++;
    }
    closedir(d);
    ck_assert_uint_eq(files, hitl_check_n_areas);

    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_msg(hitl_catalog_load_builtin(&cat, &err) == HITL_OK, "%s", err.msg);
    for (size_t i = 0; i < hitl_check_n_areas; i++) {
        const hitl_check_area *a = &hitl_check_areas[i];
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.json", dir, a->name);
        ck_assert_msg(file_exists(path), "area %s has no specs/checks/%s.json", a->name, a->name);
        snprintf(path, sizeof path, "%s/harness/src/checks/%s", HITL_SOURCE_DIR, a->source);
        ck_assert_msg(file_exists(path), "area %s has no harness/src/checks/%s", a->name,
                      a->source);
        hitl_check_table t = a->table();
        ck_assert_msg(t.n > 0, "area %s implements no check", a->name);
        size_t len = strlen(a->name);
        for (size_t k = 0; k < t.n; k++) {
            ck_assert_msg(!strncmp(t.items[k].id, a->name, len) && t.items[k].id[len] == '.',
                          "%s is implemented in %s, not in the file of its area", t.items[k].id,
                          a->source);
            const hitl_catalog_entry *e = hitl_catalog_find(&cat, t.items[k].id);
            ck_assert_msg(e && !strcmp(e->area, a->name), "%s is not catalogued in %s.json",
                          t.items[k].id, a->name);
        }
    }
    hitl_catalog_free(&cat);
}
END_TEST

static Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parses_entries_with_severity_tags_surfaces);
    tcase_add_test(tc, rejects_bad_entries_naming_them);
    tcase_add_test(tc, selectors_match_id_prefix_and_tag);
    tcase_add_test(tc, select_only_exclude_and_unknown_selector);
    tcase_add_test(tc, bind_fails_on_drift_both_ways);
    tcase_add_test(tc, section_must_list_clause_ids);
    tcase_add_test(tc, clause_next_walks_a_list);
    tcase_add_test(tc, clause_anchor_is_c_and_the_numbers);
    tcase_add_test(tc, builtin_catalogue_and_code_agree);
    tcase_add_test(tc, area_is_the_documents_and_ids_start_with_it);
    tcase_add_test(tc, areas_registry_and_files_agree);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(catalog_suite)
