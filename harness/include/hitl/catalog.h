/* catalog.h: the check catalogue (specs/checks/<area>.json, embedded in the binary at build
 * time): for each check a stable ID, title, the contract clauses it enforces, severity,
 * tags, surfaces and preconditions. The catalogue is the source of every check's metadata;
 * the code supplies only the implementation, joined by ID (see hitl_catalog_bind).
 *
 * The clauses are those of hitlcheck's contract, specs/contract.md (HITL_CONTRACT_PATH):
 * clause §7.3.2 is the second clause of its §7.3, anchored there as "c7.3.2". */
#ifndef HITL_CATALOG_H
#define HITL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/err.h"

/* The two API surfaces a check runs on (§1). */
typedef enum hitl_surface {
    HITL_SURFACE_SERVICE = 1, /* /v1 with the app API key */
    HITL_SURFACE_WEB = 2      /* /api, unauthenticated, upload tokens */
} hitl_surface;

const char *hitl_surface_name(hitl_surface s);

/* A check implementation, keyed by its catalogue ID: the code an entry is bound to
 * (hitl_catalog_bind). Its context is the engine's check API (check.h). */
typedef struct hitl_check_ctx hitl_check_ctx;
typedef struct hitl_check_impl {
    const char *id;
    void (*run)(hitl_check_ctx *ctx);
} hitl_check_impl;

typedef enum hitl_severity {
    HITL_MUST,  /* broken → FAIL */
    HITL_SHOULD /* broken → WARN (FAIL under --strict) */
} hitl_severity;

typedef struct hitl_catalog_entry {
    char *id;
    /* The area it belongs to: the "area" of its document, specs/checks/<area>.json, which
     * is always the ID's first dotted word ("upload-token" for "upload-token.issue.ok");
     * its implementation is in harness/src/checks/<area>.c ('-' as '_'). */
    char *area;
    char *title;
    char *section; /* the contract clauses it enforces: "§7.3.2, §7.4.3" */
    hitl_severity severity;
    char **tags;
    size_t n_tags;
    int surfaces;                /* bitset of hitl_surface */
    char *precondition;          /* human text, "" when none */
    bool exclusive;              /* runs alone (tags ratelimit/disruptive) */
    const hitl_check_impl *impl; /* set by hitl_catalog_bind */
} hitl_catalog_entry;

typedef struct hitl_catalog {
    hitl_catalog_entry *entries;
    size_t n;
    int version;
} hitl_catalog;

/* Where the contract the clauses belong to lives, relative to hitlcheck's source tree. */
#define HITL_CONTRACT_PATH "specs/contract.md"
/* The longest clause ID hitl_catalog_clause_next copies ("§12.34.56" is 11 bytes). */
#define HITL_CLAUSE_ID_MAX 24

/* Parses a catalogue document. Every entry must have a unique, well-formed ID whose first
 * dotted word is the document's "area" (when the document names one), a "section"
 * that lists clause IDs ("§7.3.2" or "§7.3.2, §7.4.3": § and dot-separated numbers), a
 * known severity, known tags and surfaces; any problem is an error naming the entry.
 * Whether each clause exists in the contract is tests/test_contract.c's to judge. */
int hitl_catalog_parse(const char *json, size_t len, hitl_catalog *out, hitl_err *err);
/* Parses the catalogue compiled into the binary. */
int hitl_catalog_load_builtin(hitl_catalog *out, hitl_err *err);
void hitl_catalog_free(hitl_catalog *cat);

const hitl_catalog_entry *hitl_catalog_find(const hitl_catalog *cat, const char *id);

/* hitl_catalog_bind joins implementations to entries by ID. It fails, naming them, when
 * a catalogued check has no implementation or an implementation is not catalogued: code
 * and catalogue cannot drift. */
int hitl_catalog_bind(hitl_catalog *cat, const hitl_check_impl *impls, size_t n_impls,
                      hitl_err *err);

/* True when |selector| names the entry: its exact ID, an ID prefix ending at a '.'
 * boundary ("form.get" names "form.get.unknown-token"), or one of its tags. */
bool hitl_catalog_matches(const hitl_catalog_entry *e, const char *selector);

/* hitl_catalog_select fills selected[i] for every entry: named by some |only| selector
 * (all entries when n_only is 0) and by no |exclude| selector. A selector that names no
 * entry at all is a usage error (HITL_E_ARG) naming it; so is a selection of nothing. */
int hitl_catalog_select(const hitl_catalog *cat, const char *const *only, size_t n_only,
                        const char *const *exclude, size_t n_exclude, bool *selected,
                        hitl_err *err);

const char *hitl_severity_name(hitl_severity s);

/* True for a well-formed ID: lower-case dotted words (a-z 0-9 - .), at most
 * HITL_CATALOG_ID_MAX characters ("form.get.unknown-token"). Recorded deviations
 * (deviation.h) are named the same way. */
#define HITL_CATALOG_ID_MAX 80
bool hitl_catalog_valid_id(const char *id);

/* hitl_catalog_clause_next reads the next clause ID of a "section" list at *|cursor|:
 * it copies it ("§7.3.2") into |id| (capacity |cap|, NUL-terminated), moves *|cursor|
 * past it and its separator, and returns true. It returns false at the end of the list,
 * and for text that is not a clause ID (then |id| is "" and *|cursor| is left as is). */
bool hitl_catalog_clause_next(const char **cursor, char *id, size_t cap);

/* hitl_catalog_clause_anchor writes the anchor of clause |clause| in the contract,
 * "c7.3.2" for "§7.3.2", into |buf| (capacity |cap|). It returns 0, or HITL_E_INVALID
 * when |clause| is not a clause ID, or HITL_E_TOO_BIG when |buf| is too small. */
int hitl_catalog_clause_anchor(const char *clause, char *buf, size_t cap);

/* The known tags, NULL-terminated. */
extern const char *const HITL_CATALOG_TAGS[];

#endif
