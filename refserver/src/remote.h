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

#endif
