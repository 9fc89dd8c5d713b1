/* reqlog.h: --request-log FILE, what every client sent: one line per accepted connection,
 * per request target as it arrived (before any decoding) and per request header line, for
 * tests that must show what a client did or did not send (no request outside the API's
 * routes, no header a server's bytes made up, how many connections). Lines:
 *   C                         a connection was accepted
 *   U <request-target>        a request's target, raw (query included)
 *   H <name>: <value>         one header line of that request, as the server parsed it
 * Bytes below 0x20, 0x7F and '\' are written as \xNN, so a CR or LF that reached the server
 * inside a line stays visible on its line. Lines of concurrent requests may interleave;
 * each line is written whole. */
#ifndef RS_REQLOG_H
#define RS_REQLOG_H

#include "rs.h"

/* rs_reqlog_open opens |path| for appending (nothing when |path| is ""): 0, or HITL_E_IO. */
int rs_reqlog_open(hitl_refserver *s, const char *path, hitl_err *err);
void rs_reqlog_close(hitl_refserver *s);

/* MHD's callbacks (cls = the server): a new connection, a request's raw target. */
void rs_reqlog_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe);
void *rs_reqlog_uri(void *cls, const char *uri, struct MHD_Connection *c);

/* rs_reqlog_headers writes the header lines of the request on |c|. */
void rs_reqlog_headers(hitl_refserver *s, struct MHD_Connection *c);

#endif
