/* keepalive.h: the fuzz session's HTTP client, one per thread, connections reused (keepalive.c). */
#ifndef HITL_FUZZ_KEEPALIVE_H
#define HITL_FUZZ_KEEPALIVE_H

#include "hitl/http.h"

typedef struct fz_http fz_http;

int fz_http_new(fz_http **out, hitl_err *err);
void fz_http_free(fz_http *c);
/* As hitl_http_do for the fields the fuzzer uses (method, url, headers, body, parts,
 * timeout_ms, max_body; on_body: a non-zero answer ends the transfer, resp->stopped); free |resp|
 * with hitl_http_response_free in every case. */
int fz_http_do(fz_http *c, const hitl_http_request *req, hitl_http_response *resp, hitl_err *err);

#endif
