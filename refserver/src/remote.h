/* remote.h: fetching a remote file the way Dify's remote-file helpers see it: fetch through
 * fetch.c with the server's allow-list and timeout, then derive the name (Content-
 * Disposition, else the URL's last path segment), extension, MIME type and category. */
#ifndef RS_REMOTE_H
#define RS_REMOTE_H

#include "fetch.h"
#include "rs.h"

typedef struct rs_remote_file {
    rs_fetch_result f;
    char name[256];
    char ext[32];
    char mime[128];
    const char *type; /* image/document/audio/video/custom */
    uint64_t limit;   /* the size limit of the file's category */
} rs_remote_file;

/* rs_remote_get fetches |url|; the body is capped at the limit of the category its URL
 * suggests (the largest limit when unknown) unless |unlimited|. */
void rs_remote_get(const hitl_refserver *s, const char *url, int unlimited, rs_remote_file *out);

/* rs_remote_head looks at |url| as genuine Dify does for an inline remote_url at submit
 * (--behave dify, deviation inline-remote-url.*): one HEAD (a GET for the headers when the
 * answer is 405 or 501), f.size left 0 (no body is read, so no size limit applies); on a
 * non-200 answer the name and type come from the URL alone. f.http_code keeps the status. */
void rs_remote_head(const hitl_refserver *s, const char *url, rs_remote_file *out);

#endif
