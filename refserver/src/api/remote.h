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
/* How a fetch ended, as Dify's ssrf_proxy sees it (api/core/helper/ssrf_proxy.py: 429,
 * 500, 502, 503, 504 and transport errors are retried, then MaxRetriesExceededError; an
 * origin 401/403 whose Server or Via names squid is a ToolSSRFError). */
typedef enum rs_remote_outcome {
    RS_REMOTE_OK,           /* HTTP 200 */
    RS_REMOTE_TOO_BIG,      /* over the category's size limit */
    RS_REMOTE_BLOCKED,      /* the SSRF guard (squid's ACL) refused the address */
    RS_REMOTE_RETRIES,      /* retried and given up: a retried status or a transport error */
    RS_REMOTE_NOT_FOUND,    /* HTTP 404 or 410 */
    RS_REMOTE_DENIED,       /* HTTP 401 or 403 from the origin, fetched directly */
    RS_REMOTE_SQUID_DENIED, /* HTTP 401 or 403 through squid: an SSRF block to ssrf_proxy */
    RS_REMOTE_OTHER_STATUS  /* any other status (501, 505, 3xx past the redirects…) */
} rs_remote_outcome;

/* rs_remote_outcome_of classifies |rf| for the server's deployment (--remote-via-squid). */
rs_remote_outcome rs_remote_outcome_of(const hitl_refserver *s, const rs_remote_file *rf);

/* The error a build answers for a failed remote upload. */
typedef struct rs_remote_error {
    unsigned status;
    const char *code;
    char message[512];
} rs_remote_error;

/* rs_remote_error_of fills |out| with the answer to |outcome| (not OK or TOO_BIG) for |url|:
 * the newest build's RemoteFileService mapping, or with --remote-errors legacy the inline
 * code of the v1 and early v2 controllers (human_input_file_upload.py@031671ab, @8895ad34,
 * @645159d8) over the ValueError-based ssrf_proxy:
 *   outcome          newest                                  legacy
 *   RETRIES          502 remote_file_unavailable             400 invalid_param "Reached maximum
 *                                                            retries (3) for URL <url>"
 *   NOT_FOUND        404 remote_file_not_found               400 remote_file_upload_error
 *   DENIED           400 remote_file_access_denied           "Failed to fetch file from <url>:
 *   OTHER_STATUS     502 remote_file_unavailable             <body>"
 *   BLOCKED,         400 remote_file_url_blocked             400 invalid_param "Access to
 *   SQUID_DENIED                                             '<url>' was blocked by SSRF
 *                                                            protection. …" */
void rs_remote_error_of(const hitl_refserver *s, rs_remote_outcome outcome, const char *url,
                        const rs_remote_file *rf, rs_remote_error *out);

#endif
