/* test_contract.c: hitlcheck's contract (specs/contract.md) and everything that cites it.
 * The real contract parses cleanly; every clause a check, or refserver/FAULTS.md, cites
 * exists; every MUST and SHOULD clause is enforced by a check or says why not; a check's
 * severity is the strongest level it cites; every deviation the contract names is recorded.
 * Synthetic contracts show that each of those rules does fail when it is broken. */
#include "contract_lint.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBLEMS_MAX (1u << 20)

/* The whole of |rel| (relative to the source tree), or NULL when it does not exist. */
static char *read_source_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", HITL_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    hitl_buf b;
    hitl_buf_init(&b, 8u << 20);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert_int_eq(hitl_buf_append(&b, chunk, n), HITL_OK);
    fclose(f);
    return hitl_buf_release(&b);
}

static hitl_catalog load_catalog(const char *json)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_msg(hitl_catalog_parse(json, strlen(json), &cat, &err) == HITL_OK, "%s", err.msg);
    return cat;
}

/* A catalogue of checks given as "id SEVERITY clauses" triples. */
static hitl_catalog catalog_of(const char *const (*rows)[3], size_t n)
{
    hitl_buf b;
    hitl_buf_init(&b, 1u << 16);
    hitl_buf_append_str(&b, "{\"version\":1,\"checks\":[");
    for (size_t i = 0; i < n; i++)
        hitl_buf_printf(&b,
                        "%s{\"id\":\"%s\",\"title\":\"t\",\"section\":\"%s\",\"severity\":\"%s\","
                        "\"tags\":[\"form\"],\"surfaces\":[\"web\"]}",
                        i ? "," : "", rows[i][0], rows[i][2], rows[i][1]);
    hitl_buf_append_str(&b, "]}");
    hitl_catalog cat = load_catalog(hitl_buf_str(&b));
    hitl_buf_free(&b);
    return cat;
}

/* Fails, listing the problems on stderr (a Check message is too small for a long list),
 * when there are any. */
static void assert_no_problems(size_t n, const hitl_buf *problems)
{
    if (n)
        fprintf(stderr, "%s", hitl_buf_str(problems));
    ck_assert_msg(n == 0, "%zu problems (listed above)", n);
}

static void expect_problem(const hitl_buf *problems, const char *needle)
{
    ck_assert_msg(strstr(hitl_buf_str(problems), needle), "problems lack '%s':\n%s", needle,
                  hitl_buf_str(problems));
}

/* A small well-formed contract: §1 with two subsections, §2 without. */
static const char *const GOOD = "# Contract\n"
                                "<a id=\"s1\"></a>\n"
                                "## §1 One\n"
                                "<a id=\"s1.1\"></a>\n"
                                "### §1.1 One one\n"
                                "<a id=\"c1.1.1\"></a>**§1.1.1 MUST.** A thing.\n"
                                "- Evidence: `a.py@0123`.\n"
                                "\n"
                                "<a id=\"c1.1.2\"></a>**§1.1.2 SHOULD.** Another thing.\n"
                                "- Evidence: `b.py` (index file id 7; commit not reported).\n"
                                "- Deviation: `dify-something-else` — Dify does otherwise.\n"
                                "<a id=\"s1.2\"></a>\n"
                                "### §1.2 One two\n"
                                "<a id=\"c1.2.1\"></a>**§1.2.1 MAY.** A fact.\n"
                                "- Evidence: `c.py@4567`.\n"
                                "<a id=\"s2\"></a>\n"
                                "## §2 Two\n"
                                "<a id=\"c2.1\"></a>**§2.1 MUST.** Not yet enforced.\n"
                                "- Evidence: `d.py@89ab`.\n"
                                "- Not checked: nothing can reach it.\n";

static contract parse_clean(const char *text)
{
    contract c;
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    assert_no_problems(contract_parse(text, &c, &problems), &problems);
    hitl_buf_free(&problems);
    return c;
}

/* Parses |text| and requires a problem containing |needle|. */
static void expect_parse_problem(const char *text, const char *needle)
{
    contract c;
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    ck_assert_uint_gt(contract_parse(text, &c, &problems), 0);
    expect_problem(&problems, needle);
    hitl_buf_free(&problems);
    contract_free(&c);
}

/* GOOD with |from| replaced by |to| (once). */
static char *good_with(const char *from, const char *to)
{
    const char *at = strstr(GOOD, from);
    ck_assert_ptr_nonnull(at);
    size_t n = strlen(GOOD) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
    return s;
}

START_TEST(good_contract_parses)
{
    contract c = parse_clean(GOOD);
    ck_assert_uint_eq(c.n, 4);
    ck_assert_uint_eq(c.n_sections, 4);
    const contract_clause *cl = contract_find(&c, "§2.1");
    ck_assert_ptr_nonnull(cl);
    ck_assert(cl->not_checked);
    ck_assert_int_eq(contract_find(&c, "§1.1.2")->level, CONTRACT_SHOULD);
    ck_assert_uint_eq(c.n_deviations, 1);
    ck_assert_str_eq(c.deviations[0], "dify-something-else");
    contract_free(&c);
}
END_TEST

START_TEST(malformed_clauses_are_reported)
{
    static const char *const cases[][3] = {
        {"<a id=\"c1.1.1\"></a>**§1.1.1 MUST.**", "<a id=\"c1.1.9\"></a>**§1.1.1 MUST.**",
         "anchor c1.1.9 does not match clause §1.1.1"},
        {"**§1.1.1 MUST.**", "**§1.1.1 MUST**", "the level is MUST, SHOULD or MAY"},
        {"**§1.1.1 MUST.**", "**§1.1.1 SHALL.**", "the level is MUST, SHOULD or MAY"},
        {"**§1.1.1 MUST.** A thing.", "**§1.1.1 MUST.**", "states no requirement"},
        {"- Evidence: `a.py@0123`.\n", "", "clause §1.1.1 has no \"- Evidence:\" line"},
        {"- Not checked: nothing can reach it.", "- Not checked: ", "needs the reason"},
        {"- Evidence: `c.py@4567`.\n", "- Evidence: `c.py@4567`.\n- Not checked: never.\n",
         "clause §1.2.1 is MAY"},
        /* numbering: a duplicate, a gap, a clause in the wrong section */
        {"<a id=\"c1.1.2\"></a>**§1.1.2", "<a id=\"c1.1.1\"></a>**§1.1.1",
         "clause §1.1.1 is defined twice"},
        {"<a id=\"c1.1.2\"></a>**§1.1.2", "<a id=\"c1.1.3\"></a>**§1.1.3",
         "clause §1.1.3 is out of sequence in §1.1"},
        {"<a id=\"c1.2.1\"></a>**§1.2.1", "<a id=\"c1.1.3\"></a>**§1.1.3",
         "clause §1.1.3 stands in section §1.2"},
        /* a section that has subsections holds no clauses: §1.3 would also read as one */
        {"<a id=\"s1.1\"></a>\n### §1.1 One one\n",
         "<a id=\"c1.1\"></a>**§1.1 MUST.** X.\n"
         "- Evidence: e.\n<a id=\"s1.1\"></a>\n"
         "### §1.1 One one\n",
         "clause §1.1 belongs in a subsection: §1 has subsections"},
        {"<a id=\"s1.1\"></a>\n### §1.1 One one\n", "<a id=\"s1.1\"></a>\n### One one\n",
         "section anchor §1.1 is not followed by its heading"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = good_with(cases[i][0], cases[i][1]);
        expect_parse_problem(text, cases[i][2]);
        free(text);
    }
}
END_TEST

/* Lints GOOD against |rows| and requires a problem containing |needle|, or none when
 * |needle| is NULL. */
static void expect_catalog(const char *const (*rows)[3], size_t n, const char *needle)
{
    contract c = parse_clean(GOOD);
    hitl_catalog cat = catalog_of(rows, n);
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    size_t found = contract_lint_catalog(&c, &cat, &problems);
    if (needle)
        expect_problem(&problems, needle);
    else
        ck_assert_msg(found == 0, "%s", hitl_buf_str(&problems));
    hitl_buf_free(&problems);
    hitl_catalog_free(&cat);
    contract_free(&c);
}

START_TEST(catalogue_rules_hold_and_fail)
{
    static const char *const ok[][3] = {{"a.one", "MUST", "§1.1.1"}, {"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(ok, 2, NULL);
    /* A MUST clause nobody cites, and not marked. */
    static const char *const no_must[][3] = {{"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(no_must, 1,
                   "clause §1.1.1 (MUST) is cited by no check: cite it from the check that "
                   "enforces it, or say why under \"- Not checked:\"");
    /* A SHOULD clause nobody cites. */
    static const char *const no_should[][3] = {{"a.one", "MUST", "§1.1.1"}};
    expect_catalog(no_should, 1, "clause §1.1.2 (SHOULD) is cited by no check");
    /* A clause the contract does not define (the old checklist's numbering, say). */
    static const char *const unknown[][3] = {{"a.one", "MUST", "§1.1.1, §13"},
                                             {"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(unknown, 2,
                   "specs/checks: a.one: cites §13, which specs/contract.md does not "
                   "define");
    /* A clause marked Not checked that a check cites after all. */
    static const char *const stale[][3] = {{"a.one", "MUST", "§1.1.1, §2.1"},
                                           {"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(stale, 2, "a.one: cites §2.1, which the contract marks \"Not checked\"");
    /* Severity: a SHOULD check of a MUST clause, a MUST check of SHOULD clauses only. */
    static const char *const weak[][3] = {{"a.one", "SHOULD", "§1.1.1"},
                                          {"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(weak, 2, "a.one: is SHOULD but the strongest clause it cites is MUST");
    static const char *const strong[][3] = {{"a.one", "MUST", "§1.1.1"},
                                            {"a.two", "MUST", "§1.1.2"}};
    expect_catalog(strong, 2, "a.two: is MUST but the strongest clause it cites is SHOULD");
    /* A check of a MAY clause. */
    static const char *const may[][3] = {{"a.one", "MUST", "§1.1.1, §1.2.1"},
                                         {"a.two", "SHOULD", "§1.1.2"}};
    expect_catalog(may, 2, "a.one: cites §1.2.1, a MAY clause");
}
END_TEST

START_TEST(faults_and_deviations_rules_fail)
{
    contract c = parse_clean(GOOD);
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    const char *faults =
        "intro\n\n| name | what it breaks | clause it violates | catching check |\n"
        "|---|---|---|---|\n"
        "| f-one | a \\| b | §1.1.1, §1.1.2 | a.one |\n"
        "| f-two | c | §1.1.1 §9.9 (old §13) | a.two |\n"
        "\n| name | not | the | fault table |\n| x | y | §7.7.7 | z |\n";
    ck_assert_uint_eq(contract_lint_faults(&c, faults, &problems), 2);
    expect_problem(&problems, "refserver/FAULTS.md:6: names §9.9, which specs/contract.md does "
                              "not define");
    expect_problem(&problems, "refserver/FAULTS.md:6: names §13,");
    hitl_buf_reset(&problems);
    ck_assert_uint_eq(contract_lint_deviations(&c, "{\"id\": \"dify-something-else\"}", &problems),
                      0);
    ck_assert_uint_eq(contract_lint_deviations(&c, "{\"id\": \"dify-something\"}", &problems), 1);
    expect_problem(&problems, "names deviation dify-something-else, which specs/deviations.json "
                              "does not record");
    hitl_buf_free(&problems);
    contract_free(&c);
}
END_TEST

/* ---- the real files ---- */

static contract load_repo_contract(void)
{
    char *text = read_source_file(HITL_CONTRACT_PATH);
    ck_assert_msg(text, "cannot read %s", HITL_CONTRACT_PATH);
    contract c = parse_clean(text);
    free(text);
    return c;
}

START_TEST(repo_contract_is_well_formed)
{
    contract c = load_repo_contract();
    /* §1 … §12, the sections the checks' "§7.3"-style references name. */
    static const char *const sections[] = {
        "§1",   "§1.1", "§1.2", "§1.3", "§2",   "§2.1", "§2.2", "§3",   "§4", "§4.1",
        "§4.2", "§4.3", "§5",   "§6",   "§6.1", "§6.2", "§6.3", "§6.4", "§7", "§7.1",
        "§7.2", "§7.3", "§7.4", "§8",   "§9",   "§9.1", "§10",  "§11",  "§12"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        bool found = false;
        for (size_t k = 0; k < c.n_sections && !found; k++)
            found = !strcmp(c.sections[k], sections[i]);
        ck_assert_msg(found, "specs/contract.md has no section %s", sections[i]);
    }
    ck_assert_uint_ge(c.n, 100);
    contract_free(&c);
}
END_TEST

START_TEST(repo_catalogue_cites_the_contract)
{
    contract c = load_repo_contract();
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_msg(hitl_catalog_load_builtin(&cat, &err) == HITL_OK, "%s", err.msg);
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    assert_no_problems(contract_lint_catalog(&c, &cat, &problems), &problems);
    hitl_buf_free(&problems);
    hitl_catalog_free(&cat);
    contract_free(&c);
}
END_TEST

START_TEST(repo_faults_md_cites_the_contract)
{
    contract c = load_repo_contract();
    char *faults = read_source_file("refserver/FAULTS.md");
    ck_assert_ptr_nonnull(faults);
    hitl_buf problems;
    hitl_buf_init(&problems, PROBLEMS_MAX);
    assert_no_problems(contract_lint_faults(&c, faults, &problems), &problems);
    hitl_buf_free(&problems);
    free(faults);
    contract_free(&c);
}
END_TEST

/* The deviations the contract names against their records. Until specs/deviations.json
 * exists the contract must at least name the two known ones. */
START_TEST(repo_deviations_are_recorded)
{
    contract c = load_repo_contract();
    ck_assert_uint_ge(c.n_deviations, 2);
    char *record = read_source_file("specs/deviations.json");
    if (record) {
        hitl_buf problems;
        hitl_buf_init(&problems, PROBLEMS_MAX);
        assert_no_problems(contract_lint_deviations(&c, record, &problems), &problems);
        hitl_buf_free(&problems);
        free(record);
    }
    contract_free(&c);
}
END_TEST

static Suite *contract_suite(void)
{
    Suite *s = suite_create("contract");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_contract_parses);
    tcase_add_test(tc, malformed_clauses_are_reported);
    tcase_add_test(tc, catalogue_rules_hold_and_fail);
    tcase_add_test(tc, faults_and_deviations_rules_fail);
    tcase_add_test(tc, repo_contract_is_well_formed);
    tcase_add_test(tc, repo_catalogue_cites_the_contract);
    tcase_add_test(tc, repo_faults_md_cites_the_contract);
    tcase_add_test(tc, repo_deviations_are_recorded);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(contract_suite)
