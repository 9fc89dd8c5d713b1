/* redact.h: the set of secrets of a run (API key, form tokens, upload tokens) and their
 * removal from any text before it is shown or written. Thread-safe: checks running in
 * parallel register the tokens they meet. */
#ifndef HITL_REDACT_H
#define HITL_REDACT_H

#include <stdbool.h>
#include "hitl/err.h"

typedef struct hitl_redactor hitl_redactor;

/* |enabled| false (--show-secrets) makes hitl_redactor_apply copy text unchanged. */
int hitl_redactor_new(hitl_redactor **out, bool enabled, hitl_err *err);
void hitl_redactor_free(hitl_redactor *r);

/* Adds a secret. Values shorter than 4 bytes are ignored (they would redact ordinary
 * words). |label| appears in its place: "[REDACTED:form-token]". A secret added again
 * takes the new label: a check that knows more about a token than the engine that met it
 * first (the second form of a parallel pause, "form-token-2") names it so, and a
 * reproducer then gives it a variable of its own. */
void hitl_redactor_add(hitl_redactor *r, const char *secret, const char *label);

/* Returns a malloc'd copy of |text| with every known secret replaced, and the value of
 * any "Authorization:" header line replaced whatever it holds: "[REDACTED:<label>]" when
 * the credential is a known secret (which app key a request used), else "[REDACTED]".
 * NULL in → NULL out. */
char *hitl_redactor_apply(hitl_redactor *r, const char *text);

bool hitl_redactor_enabled(const hitl_redactor *r);

/* hitl_redact_argv returns a malloc'd copy of the |n| arguments |argv| of `hitlcheck run`
 * (the options after `run`) fit to show in a report, whatever --show-secrets says: the
 * values of -H/--header (every form: -H V, -HV, --header V, --header=V, and getopt's
 * abbreviations) keep the header name and become "Name: [REDACTED]"; --api-key,
 * --other-api-key and --chat-api-key values become [REDACTED]; --proxy loses its URL's
 * user information, --target and --fixture-url their URL's password. Each masked secret
 * is also registered with |r| (NULL: none), so a server echoing it is redacted too,
 * except the values of headers that never carry a credential (Accept, Content-Type,
 * Host, User-Agent, X-Forwarded-Proto…): masking those words everywhere would ruin the
 * reports.
 * Returns NULL when out of memory; free with hitl_redact_argv_free(result, n). */
char **hitl_redact_argv(hitl_redactor *r, const char *const *argv, size_t n);
void hitl_redact_argv_free(char **v, size_t n);

#endif
