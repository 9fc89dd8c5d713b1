/* fuzz_dsl.c: the reference server's DSL loader (refserver/src/dsl/: YAML typed as Dify's
 * safe_load, the rules of Dify's node entities, and the app compiled for --app-dsl) must
 * never crash, hang or leak on any input: a DSL file is what a user hands hitl-refserver.
 *
 * The whole input is the YAML text. Promises, each a crash (__builtin_trap) when broken:
 *   - rs_dsl_from_yaml returns 0 with a tree, or an error with a message and no tree;
 *   - rs_dsl_validate of a parsed tree returns 0, or HITL_E_INVALID with a message;
 *   - a valid tree builds (rs_dsl_app_build) or is refused with a message naming the rule,
 *     and a built app has a Start node and edges that join nodes of its graph. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "dsl_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > RS_DSL_MAX_BYTES)
        return 0;
    hitl_err err = {0};
    cJSON *dsl = NULL;
    int rc = rs_dsl_from_yaml((const char *)data, size, &dsl, &err);
    CHECK(rc ? dsl == NULL && err.msg[0] : dsl != NULL);
    if (rc)
        return 0;
    hitl_err_clear(&err);
    rc = rs_dsl_validate(dsl, 0, &err);
    CHECK(rc == 0 || (rc == HITL_E_INVALID && err.msg[0]));
    if (!rc) {
        rs_dsl_app *app = NULL;
        hitl_err_clear(&err);
        rc = rs_dsl_app_build(dsl, &app, &err);
        CHECK(rc ? app == NULL && err.msg[0] : app != NULL);
        if (app) {
            CHECK(app->start >= 0 && app->start < app->nnodes);
            for (int e = 0; e < app->nedges; e++)
                CHECK(app->edges[e].src >= 0 && app->edges[e].src < app->nnodes &&
                      app->edges[e].dst >= 0 && app->edges[e].dst < app->nnodes);
        }
        rs_dsl_app_free(app);
    }
    cJSON_Delete(dsl);
    return 0;
}
