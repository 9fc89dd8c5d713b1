/* routes.c: the route table of the Human Input API (the service API under /v1, the web API
 * under /api) and the matcher. */
#include "routes.h"

#include <string.h>

#define LAYOUT_ANY 0
#define LAYOUT_V1 1
#define LAYOUT_V2 2
#define LAYOUT_UPLOADS 3

/* Exact paths come before the patterns that would also match them. */
static const rs_route_def ROUTES[] = {
    {RS_R_WORKFLOW_RUN, "/v1/workflows/run", NULL, rs_run_start, false, LAYOUT_ANY},
    {RS_R_CHAT_MESSAGES, "/v1/chat-messages", NULL, rs_run_start, false, LAYOUT_ANY},
    {RS_R_SVC_UPLOAD, "/v1/files/upload", NULL, rs_upload_finish, true, LAYOUT_ANY},
    {RS_R_WEB_UPLOAD_V1, "/api/form/human_input/files/upload", NULL, rs_upload_finish, true,
     LAYOUT_V1},
    {RS_R_WEB_REMOTE_V1, "/api/form/human_input/files/remote-upload", NULL, rs_upload_finish, true,
     LAYOUT_V1},
    {RS_R_WEB_FILES_V2, "/api/human-input-forms/files", NULL, rs_upload_finish, true, LAYOUT_V2},
    {RS_R_SVC_FORM, "/v1/form/human_input/{}", rs_form_get, rs_form_submit, false, LAYOUT_ANY},
    {RS_R_WEB_FORM, "/api/form/human_input/{}", rs_form_get, rs_form_submit, false, LAYOUT_ANY},
    {RS_R_WEB_UPLOAD_TOKEN, "/api/form/human_input/{}/upload-token", NULL, rs_form_upload_token,
     false, LAYOUT_UPLOADS},
    {RS_R_SVC_EVENTS, "/v1/workflow/{}/events", rs_resume, NULL, false, LAYOUT_ANY},
};

static bool layout_serves(int layouts, int upload_layout)
{
    switch (layouts) {
    case LAYOUT_ANY:
        return true;
    case LAYOUT_UPLOADS:
        return upload_layout == 1 || upload_layout == 2;
    default:
        return layouts == upload_layout;
    }
}

/* matches says whether |url| fits |pattern|; the `{}` segment goes to |param|/|plen|. */
static bool matches(const char *pattern, const char *url, const char **param, size_t *plen)
{
    const char *hole = strstr(pattern, "{}");
    if (!hole)
        return strcmp(pattern, url) == 0;
    size_t head = (size_t)(hole - pattern);
    if (strncmp(url, pattern, head) != 0)
        return false;
    const char *seg = url + head;
    size_t n = strcspn(seg, "/");
    if (n == 0 || strcmp(seg + n, hole + 2) != 0)
        return false;
    *param = seg;
    *plen = n;
    return true;
}

const rs_route_def *rs_route_find(const char *url, int upload_layout, const char **param,
                                  size_t *plen)
{
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        *param = NULL;
        *plen = 0;
        if (layout_serves(ROUTES[i].layouts, upload_layout) &&
            matches(ROUTES[i].pattern, url, param, plen))
            return &ROUTES[i];
    }
    *param = NULL;
    *plen = 0;
    return NULL;
}
