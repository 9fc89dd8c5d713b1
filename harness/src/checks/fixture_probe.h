/* fixture_probe.h: the URLs a check gives the target to fetch from the harness's fixture
 * server, and the precondition of every check that needs such a fetch: a remote upload of
 * the fixture's good file answered 201 and the fixture saw the fetch. Internal to
 * harness/src/checks. */
#ifndef HITL_CHECKS_FIXTURE_PROBE_H
#define HITL_CHECKS_FIXTURE_PROBE_H

#include "hitl/check.h"

#include <stddef.h>

/* "<check id>-<surface><suffix>" into |out|: the check's own nonce in the fixture's URLs, so
 * the fixture's request log shows whether the target fetched them. */
void hitl_chk_fixture_nonce(hitl_check_ctx *ctx, const char *suffix, char *out, size_t cap);
/* The fixture URL "<base>/n/<nonce>/<file>" (the nonce as above) into |out|; the path prefix
 * the fixture counts, "/n/<nonce>/", into |prefix| when not NULL. */
void hitl_chk_fixture_url(hitl_check_ctx *ctx, const char *suffix, const char *file, char *out,
                          size_t cap, char *prefix, size_t pcap);

/* hitl_chk_require_fixture_fetch is the precondition of every check that needs the target
 * to fetch from the harness's fixture (§6.3, §7.3): a remote upload of the fixture's good.pdf
 * through the WEB upload-token path of |form_token| (the form token works on the WEB
 * endpoints for a Service API check too) answers 201 AND the fixture saw the fetch. Without
 * that, a refusal of a failing URL proves nothing (the target may refuse every fixture URL:
 * a remote deployment, Docker, an SSRF proxy blocking the harness's address), so the check
 * is SKIP naming the fixture URL and --fixture-url/--fixture-listen (§11.1).
 * |upload_token| is the form's WEB upload token, or NULL to issue one. Each check probes
 * for itself (the run environment is shared read-only by parallel checks). Returns 0; non-zero
 * after a SKIP (no fixture, not reached) or an ERROR. */
int hitl_chk_require_fixture_fetch(hitl_check_ctx *ctx, const char *form_token,
                                   const char *upload_token);
/* The same for a check that needs the fetch for a reason of its own: |need| (e.g. "file
 * input 'x' takes only remote_url, …") opens the SKIP reason; NULL = the plain precondition. */
int hitl_chk_require_fixture_fetch_for(hitl_check_ctx *ctx, const char *form_token,
                                       const char *upload_token, const char *need);

#endif
