/* dsl_check.c: `dsl_check [--strict] FILE…` loads each Dify app DSL with the DSL module
 * (dsl.h) and prints "FILE: ok (MODE, N nodes, M edges)" or the first rule it breaks.
 * --strict adds the rules for hitlcheck's own files (RS_DSL_STRICT). Exit 0 when every file
 * passes, 1 when one does not, 2 on usage. */
#include <stdio.h>
#include <string.h>

#include "dsl.h"

int main(int argc, char **argv)
{
    unsigned flags = 0;
    int first = 1, bad = 0;
    if (argc > 1 && !strcmp(argv[1], "--strict")) {
        flags = RS_DSL_STRICT;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: dsl_check [--strict] FILE...\n");
        return 2;
    }
    for (int i = first; i < argc; i++) {
        hitl_err err = {0};
        cJSON *dsl = NULL;
        if (rs_dsl_load_file(argv[i], flags, &dsl, &err)) {
            printf("%s\n", err.msg);
            bad = 1;
            continue;
        }
        const cJSON *graph = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(dsl, "workflow"), "graph");
        printf(
            "%s: ok (%s, %d nodes, %d edges)\n", argv[i],
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(dsl, "app"), "mode")
                ->valuestring,
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(graph, "nodes")),
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(graph, "edges")));
        cJSON_Delete(dsl);
    }
    return bad;
}
