/* contract_lint.h: reads the clauses of hitlcheck's contract (specs/contract.md) and holds
 * the check catalogue, refserver/FAULTS.md and specs/deviations.json to them. Used by
 * tests/test_contract.c on the real files and on small synthetic ones.
 *
 * The contract's clause lines look like
 *     <a id="c7.3.2"></a>**§7.3.2 MUST.** The requirement …
 *     - Evidence: `path@commit` …
 *     - Not checked: why no check enforces it (MUST and SHOULD clauses only).
 *     - Deviation: `dify-…` — what genuine Dify does instead.
 * and each section starts with <a id="s7.3"></a> and its heading (### §7.3 …).
 *
 * Every function appends one line per problem to |problems| ("specs/contract.md:12: …")
 * and returns the number of problems it found. */
#ifndef CONTRACT_LINT_H
#define CONTRACT_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "hitl/buf.h"
#include "hitl/catalog.h"

typedef enum contract_level { CONTRACT_MUST, CONTRACT_SHOULD, CONTRACT_MAY } contract_level;

typedef struct contract_clause {
    char id[HITL_CLAUSE_ID_MAX]; /* "§7.3.2" */
    contract_level level;
    bool not_checked; /* has a "Not checked: <why>" line */
    int line;         /* 1-based line of the clause in the contract */
} contract_clause;

typedef struct contract {
    contract_clause *clauses;
    size_t n;
    char (*sections)[HITL_CLAUSE_ID_MAX]; /* "§7", "§7.3" */
    size_t n_sections;
    char (*deviations)[64]; /* the dify-… IDs named on Deviation lines */
    size_t n_deviations;
} contract;

/* contract_parse reads |text| (the contract) into |out| (free with contract_free, even
 * after problems). Problems: a malformed clause line, an anchor that differs from its
 * clause, a level other than MUST/SHOULD/MAY, a duplicate clause, a clause outside its
 * section or in a section that has subsections, numbers out of sequence, a clause without
 * an Evidence line, a Not checked line without a reason or on a MAY clause. */
size_t contract_parse(const char *text, contract *out, hitl_buf *problems);
void contract_free(contract *c);
const contract_clause *contract_find(const contract *c, const char *id);

/* contract_lint_catalog: every clause a check cites exists and is not MAY; a check's
 * severity is the strongest level among its clauses; every MUST and SHOULD clause is cited
 * by a check or marked Not checked, and a marked clause is cited by none. */
size_t contract_lint_catalog(const contract *c, const hitl_catalog *cat, hitl_buf *problems);

/* contract_lint_faults: every clause named in the "clause it violates" column of
 * FAULTS.md's fault table (|faults_md|) exists. */
size_t contract_lint_faults(const contract *c, const char *faults_md, hitl_buf *problems);

/* contract_lint_deviations: every deviation the contract names is recorded in
 * |deviations_json| (the text of specs/deviations.json). */
size_t contract_lint_deviations(const contract *c, const char *deviations_json, hitl_buf *problems);

#endif
