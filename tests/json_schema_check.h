/* json_schema_check.h: validation of a JSON document against the JSON Schema subset
 * that specs/report.schema.json uses (see json_schema_check.c). Test code only. */
#ifndef HITL_JSON_SCHEMA_CHECK_H
#define HITL_JSON_SCHEMA_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Returns 0 when |doc| is valid; -1 with the first violation (a JSON path and what is
 * wrong) written into |why| (|cap| bytes). */
int hitl_json_schema_validate(const cJSON *schema, const cJSON *doc, char *why, size_t cap);

#endif
