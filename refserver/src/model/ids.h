/* ids.h: identifiers and tokens from the kernel's CSPRNG (getrandom), and their checks. */
#ifndef RS_IDS_H
#define RS_IDS_H

#include <stddef.h>

/* rs_random fills |n| bytes; falls back to a weak source only if getrandom fails. */
void rs_random(void *buf, size_t n);
/* rs_uuid4 writes a random RFC 4122 version-4 uuid (36 chars + NUL) into |out|. */
void rs_uuid4(char out[37]);
/* rs_token_urlsafe writes |prefix| + base64url(|nbytes| random bytes), no padding, like
 * Python's secrets.token_urlsafe(nbytes). |cap| must hold it all; returns 0 or -1. */
int rs_token_urlsafe(char *out, size_t cap, const char *prefix, size_t nbytes);
/* rs_is_uuid is 1 when |s| is a uuid in canonical 8-4-4-4-12 hex form (any case). */
int rs_is_uuid(const char *s);

#endif
