/* deviation.h: the profiles of `hitlcheck run` and the recorded deviations of genuine Dify
 * (specs/deviations.json, embedded in the binary like the check catalogue).
 *
 * A profile says what a target is judged against:
 *   contract  the integration guide, and Dify's source where the guide is silent (default)
 *   dify      what genuine Dify releases do
 * A deviation is one place where genuine Dify does not do what the guide promises, read in
 * Dify's source: the check that sees it, the surfaces, a precise description of the
 * response the check then judges (|match|), and the evidence (path@commit). Under the dify
 * profile a FAIL/WARN whose judged response matches a deviation of its check and surface
 * exactly becomes KNOWN; under contract it stays FAIL and names the deviation. Any other
 * response is judged as usual: a deviation excuses that exact behaviour, nothing near it.
 *
 * Every string is owned by the hitl_deviations that holds it (hitl_deviations_free). */
#ifndef HITL_DEVIATION_H
#define HITL_DEVIATION_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/catalog.h"
#include "hitl/err.h"

typedef enum hitl_profile { HITL_PROFILE_CONTRACT = 0, HITL_PROFILE_DIFY = 1 } hitl_profile;

/* "contract" or "dify". */
const char *hitl_profile_name(hitl_profile p);
/* hitl_profile_parse reads "contract" or "dify" into |out|; HITL_E_ARG otherwise. */
int hitl_profile_parse(const char *name, hitl_profile *out);

/* What a deviation's response looks like. Every field given must hold; status is always
 * given, and at least one of expected_contains / actual_contains, so a match names the
 * case of the check and not merely a status. NULL: not constrained. */
typedef struct hitl_deviation_match {
    long status;             /* the judged response's HTTP status */
    char *code;              /* its JSON error body's `code` */
    char *message_prefix;    /* its `message` starts with this */
    char *expected_contains; /* the failed expectation's Expected holds this text */
    char *actual_contains;   /* its Actual holds this text */
} hitl_deviation_match;

typedef struct hitl_deviation {
    char *id;     /* lower-case dotted words, unique: "inline-remote-url.not-fetched.404" */
    char *check;  /* a catalogue ID */
    int surfaces; /* bitset of hitl_surface, each one the check has */
    hitl_deviation_match match;
    char *observed;  /* the behaviour in words */
    char **evidence; /* "path@<40-hex commit>" in langgenius/dify, at least one */
    size_t n_evidence;
    char **versions; /* the Dify versions or commits read */
    size_t n_versions;
    char *note; /* "" when none */
} hitl_deviation;

typedef struct hitl_deviations {
    hitl_deviation *items;
    size_t n;
} hitl_deviations;

/* What a finished check judged, for hitl_deviations_match: the first failed expectation's
 * texts and the response it judged (status 0 and NULL code/message when none). */
typedef struct hitl_deviation_subject {
    const char *check;
    hitl_surface surface;
    long status;
    const char *code;
    const char *message;
    const char *expected;
    const char *actual;
} hitl_deviation_subject;

/* hitl_deviations_parse reads a document {"version": 1, "deviations": [...]} into |out|
 * (free it with hitl_deviations_free, also after an error). Every entry needs every field
 * of hitl_deviation in its JSON form (surfaces ["web", "service"], evidence and versions
 * arrays of strings, match an object); ids are unique. Returns 0, or HITL_E_PARSE /
 * HITL_E_INVALID naming the entry and field, HITL_E_TOO_BIG, HITL_E_NOMEM. */
int hitl_deviations_parse(const char *json, size_t len, hitl_deviations *out, hitl_err *err);
/* Parses the deviations compiled into the binary (specs/deviations.json). */
int hitl_deviations_load_builtin(hitl_deviations *out, hitl_err *err);
void hitl_deviations_free(hitl_deviations *d);

/* hitl_deviations_check_catalog fails (HITL_E_INVALID, naming the deviation) when one
 * names a check that |cat| does not hold, or a surface that check does not have. */
int hitl_deviations_check_catalog(const hitl_deviations *d, const hitl_catalog *cat, hitl_err *err);

/* The deviation whose check, surface and match all hold for |s|, or NULL. */
const hitl_deviation *hitl_deviations_match(const hitl_deviations *d,
                                            const hitl_deviation_subject *s);
const hitl_deviation *hitl_deviations_find(const hitl_deviations *d, const char *id);

#endif
