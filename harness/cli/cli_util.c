/* cli_util.c: shared CLI helpers (see cli_util.h). */
#include "cli_util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void hitl_strvec_push(hitl_strvec *v, const char *s)
{
    char **grown = realloc(v->items, (v->n + 1) * sizeof *grown);
    if (!grown)
        return;
    v->items = grown;
    v->items[v->n] = strdup(s);
    if (v->items[v->n])
        v->n++;
}

void hitl_strvec_split(hitl_strvec *v, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n) {
            char *one = strndup(p, n);
            if (one) {
                hitl_strvec_push(v, one);
                free(one);
            }
        }
        p += n + (comma ? 1 : 0);
    }
}

void hitl_strvec_free(hitl_strvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

bool hitl_cli_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

void hitl_cli_bad_option(FILE *errout, const char *cmd, int argc, char **argv, int c)
{
    const char *arg = optind - 1 < argc && optind >= 1 ? argv[optind - 1] : "?";
    if (c == ':')
        fprintf(errout, "hitlcheck %s: option %s needs a value; see `hitlcheck %s --help`\n", cmd,
                arg, cmd);
    else
        fprintf(errout, "hitlcheck %s: unknown option %s; see `hitlcheck %s --help`\n", cmd, arg,
                cmd);
}

void hitl_cli_print_entry_json(FILE *out, const hitl_catalog_entry *e, const char *tags,
                               const char *surfaces)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "severity", hitl_severity_name(e->severity));
    cJSON_AddStringToObject(o, "surfaces", surfaces);
    cJSON_AddStringToObject(o, "tags", tags);
    cJSON_AddStringToObject(o, "section", e->section);
    /* The same clauses one by one, and where they are defined. */
    cJSON *clauses = cJSON_AddArrayToObject(o, "clauses");
    char id[HITL_CLAUSE_ID_MAX];
    for (const char *p = e->section; clauses && hitl_catalog_clause_next(&p, id, sizeof id);)
        cJSON_AddItemToArray(clauses, cJSON_CreateString(id));
    cJSON_AddStringToObject(o, "contract", HITL_CONTRACT_PATH);
    cJSON_AddStringToObject(o, "title", e->title);
    char *s = cJSON_PrintUnformatted(o);
    if (s)
        fprintf(out, "%s\n", s);
    free(s);
    cJSON_Delete(o);
}
