/* result.c: the verdicts' names and freeing a run's results (see result.h). */
#include "hitl/result.h"

#include <stdlib.h>
#include <string.h>

const char *hitl_verdict_name(hitl_verdict v)
{
    static const char *const names[HITL_VERDICT_COUNT] = {"PASS", "FAIL",  "WARN",
                                                          "SKIP", "ERROR", "KNOWN"};
    return (unsigned)v < HITL_VERDICT_COUNT ? names[v] : "?";
}

static void exchange_free(hitl_exchange *x)
{
    free(x->method);
    free(x->url);
    free(x->request_headers);
    free(x->request_body);
    free(x->response_headers);
    free(x->response_body);
    free(x->error);
}

void hitl_results_free(hitl_results *res)
{
    for (size_t i = 0; i < res->n; i++) {
        hitl_result *r = &res->items[i];
        free(r->reason);
        free(r->expected);
        free(r->actual);
        free(r->notes);
        free(r->judged_code);
        free(r->judged_message);
        for (size_t k = 0; k < r->n_exchanges; k++)
            exchange_free(&r->exchanges[k]);
        free(r->exchanges);
    }
    free(res->items);
    free(res->stopped);
    free(res->one_bucket);
    memset(res, 0, sizeof *res);
}
