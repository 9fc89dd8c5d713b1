/* fixture.h: the harness's own HTTP server for remote-URL checks. The target fetches
 * files from it (remote upload, inline remote_url): a good document and image, and the
 * failures a target must reject. It logs every request so a check can assert that a URL
 * was NOT fetched (an upload with a bad token, an SSRF canary). It binds only the address
 * the caller names (loopback in the tests). */
#ifndef HITL_FIXTURE_H
#define HITL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/err.h"

typedef struct hitl_fixture hitl_fixture;

/* The request log keeps the last HITL_FIXTURE_LOG_MAX requests (older ones drop out of
 * hitl_fixture_hits); each path is kept up to HITL_FIXTURE_PATH_MAX - 1 bytes. */
#define HITL_FIXTURE_LOG_MAX 4096u
#define HITL_FIXTURE_PATH_MAX 256u

/* A nonce is 1..HITL_FIXTURE_NONCE_MAX characters of [A-Za-z0-9._-], not all dots (so it
 * is never a "." or ".." path segment a client would rewrite). The dot lets a check use its
 * own ID ("submit.inline-remote.ok-web") as the nonce. */
#define HITL_FIXTURE_NONCE_MAX 64u

/* Sizes of the generated bodies, so checks can compare them with what a target reports. */
#define HITL_FIXTURE_HUGE_SIZE (64u * 1024u * 1024u)  /* huge.pdf, honest length */
#define HITL_FIXTURE_LYING_DECLARED 1000u             /* lying.pdf's Content-Length */
#define HITL_FIXTURE_LYING_SIZE (64u * 1024u * 1024u) /* bytes lying.pdf really sends */
#define HITL_FIXTURE_SLOW_SIZE 600u                   /* slow.pdf: 10 minutes at 1 byte/s */

/* hitl_fixture_start starts the server on |listen_addr|, "IPV4:PORT" or "[IPV6]:PORT"
 * (IP literals only, never a host name, so it binds exactly that address; port 0 picks an
 * ephemeral port, see hitl_fixture_port). Returns 0 and sets *out (free it with
 * hitl_fixture_stop), HITL_E_ARG for a malformed address, HITL_E_IO when the address
 * cannot be bound (the message carries libmicrohttpd's reason), HITL_E_NOMEM. */
int hitl_fixture_start(const char *listen_addr, hitl_fixture **out, hitl_err *err);
/* The bound port (the real one when 0 was asked for); 0 for NULL. */
uint16_t hitl_fixture_port(const hitl_fixture *f);
/* hitl_fixture_stop ends every download in progress (a slow.pdf client included), waits
 * for the server's threads (well under 2 s) and frees |f|. NULL is a no-op. */
void hitl_fixture_stop(hitl_fixture *f);

/* hitl_fixture_url writes "http://<listen host>:<port>/n/<nonce>/<file>" into |out|
 * (|cap| bytes, NUL-terminated). Returns 0, HITL_E_ARG for an invalid nonce (see above) or
 * a |file| that is empty or holds '/', HITL_E_TOO_LONG when |cap| is too small. A
 * target that must reach the fixture through another host name builds its own URL. */
int hitl_fixture_url(const hitl_fixture *f, const char *nonce, const char *file, char *out,
                     size_t cap, hitl_err *err);

/* How many logged requests so far had a path starting with |path_prefix| (thread-safe).
 * Paths carry a per-check nonce (/n/<nonce>/good.pdf) so parallel checks count their own.
 * The path is the request target without its query string, as the client sent it. */
size_t hitl_fixture_hits(hitl_fixture *f, const char *path_prefix);
/* The same, counting only requests whose method is |method| ("HEAD", "GET"; NULL: any). */
size_t hitl_fixture_hits_method(hitl_fixture *f, const char *method, const char *path_prefix);

/* The number of requests being answered right now (a download in progress counts until
 * its last byte is sent or its client goes away): lets a check see that a target gave up a
 * slow.pdf download rather than hanging on it. */
size_t hitl_fixture_active(hitl_fixture *f);

/* The files it serves under /n/<nonce>/, for GET and HEAD (HEAD: same status and headers,
 * no body; other methods get 405):
 *   good.pdf, good.png          200, a small valid PDF (application/pdf) and a valid 1x1
 *                               PNG (image/png)
 *   missing.pdf                 404
 *   private.pdf 401 (with WWW-Authenticate), forbidden.pdf 403, broken.pdf 500
 *   huge.pdf                    200, Content-Length: 64 MiB (honest), generated on the fly
 *   lying.pdf                   200, Content-Length: 1000, then 64 MiB of body and close
 *                               (no chunked framing; a client that trusts the header stops
 *                               at 1000 bytes, one that reads to EOF gets 64 MiB)
 *   evil.exe                    200, application/octet-stream, an "MZ" executable header
 *   evil.<ext>                  the same for any extension of 1-15 lower-case letters or
 *                               digits: a blacklisted extension the user names
 *   wrong-type.png              200, Content-Type: text/html, an HTML body
 *   slow.pdf                    200, Content-Length: 600, one byte per second (the first at
 *                               once); stops when the client goes away or the fixture stops
 *   loop.pdf                    302 with Location: its own path
 * and anything else: 404. */

#endif
