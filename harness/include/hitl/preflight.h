/* preflight.h: is the target a Human Input API, configured as the options say? Before any
 * check runs, `hitlcheck run` starts one run the way every check starts one (POST
 * <service-base>/workflows/run, or /chat-messages for --app-mode chatflow, streaming, with
 * --inputs and --user) and must see it pause at a Human Input node with a form token, then
 * find that form on each selected surface (GET <base>/form/human_input/<token>). Without
 * this, a wrong URL, base path, key, app mode or inputs made every check fail or error on
 * its own (168 lines of noise); now it is one message that says what was tried (URL,
 * method), what came back (status, Content-Type, a short body excerpt) and which option to
 * change (--target, --service-base, --web-base, --api-key, --app-mode, --inputs).
 *
 * The preflight fails only on evidence of a wrong configuration or of a target that is no
 * Human Input API. A stream it cannot judge — no event within its first-event window, a
 * line over its cap, a stall — is left to the checks, which judge exactly that (the
 * hostile-* faults), and so are answers that are a conformance question rather than a
 * configuration one (a 412, a 5xx on the form GET, a redirect). */
#ifndef HITL_PREFLIGHT_H
#define HITL_PREFLIGHT_H

#include <stddef.h>
#include "hitl/err.h"
#include "hitl/http.h"
#include "hitl/redact.h"
#include "hitl/target.h"

/* How long the start stream may take to send its first event before the preflight leaves
 * the stream to the checks (a real Dify sends workflow_started at once). */
#define HITL_PREFLIGHT_FIRST_EVENT_MS 10000L
/* The longest body excerpt a message quotes. */
#define HITL_PREFLIGHT_EXCERPT 100u

/* hitl_preflight_run runs the preflight against |t| through |http|. Returns 0 when the run
 * paused with a form token the selected surfaces found, or when the preflight could not
 * judge (then |note| holds one line saying why, and the checks judge; |note| is "" when all
 * was seen). Returns HITL_E_INVALID with the one-line message in |err| when the target is
 * not, or not configured as, a Human Input API (the caller exits 3), HITL_E_NOMEM on
 * memory. The form token seen is registered with |red| (may be NULL) before anything quotes
 * a body; messages name it "<form-token>" and never contain the API key. |note| must have
 * room for HITL_ERR_MSG_MAX bytes. */
int hitl_preflight_run(hitl_http *http, const hitl_target *t, hitl_redactor *red, char *note,
                       size_t note_cap, hitl_err *err);

#endif
