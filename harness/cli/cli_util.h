/* cli_util.h: small pieces the CLI commands share: string vectors for repeatable flags,
 * strict number parsing, and the one-line message for a bad option. */
#ifndef HITL_CLI_UTIL_H
#define HITL_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "hitl/catalog.h"

typedef struct hitl_strvec {
    char **items;
    size_t n;
} hitl_strvec;

/* Appends each comma-separated, non-empty element of |s|. */
void hitl_strvec_split(hitl_strvec *v, const char *s);
void hitl_strvec_push(hitl_strvec *v, const char *s);
void hitl_strvec_free(hitl_strvec *v);

/* Parses a whole decimal number in [min, max]; false when |s| is anything else. */
bool hitl_cli_parse_long(const char *s, long min, long max, long *out);

/* Prints the one-line error for getopt's answer |c| ('?' unknown, ':' missing value). */
void hitl_cli_bad_option(FILE *errout, const char *cmd, int argc, char **argv, int c);

void hitl_cli_print_entry_json(FILE *out, const hitl_catalog_entry *e, const char *tags,
                               const char *surfaces);

#endif
