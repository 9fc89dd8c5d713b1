/* resume.c: GET /v1/workflow/{workflow_run_id}/events (E6, §9.1). */
#include "events.h"
#include "flow.h"
#include "hostile.h"
#include "gates.h"
#include "handlers.h"
#include "request.h"
#include "respond.h"
#include "state.h"
#include "stream.h"

#include <string.h>
#include <strings.h>

#define SSE_TYPE "text/event-stream; charset=utf-8"

/* flag_true: Dify's parsing, `value.lower() == "true"`. */
static int flag_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

static enum MHD_Result sse_buffer(rs_req *r, const hitl_buf *frames)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        frames->len, (void *)hitl_buf_str(frames), MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, SSE_TYPE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return rs_queue(r, 200, resp);
}

/* subscribe opens a live stream for |run| (state lock held, so no event can be published
 * between the check that the run is live and the subscription). */
static struct MHD_Response *subscribe(rs_req *r, const rs_run *run, const hitl_buf *initial,
                                      int close_on_pause)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    rs_stream_opts o = {.kind = RS_STREAM_LIVE,
                        .run_id = run->id,
                        .close_on_pause = close_on_pause,
                        .pings = !rs_fault_on(cfg, RS_F_RESUME_NO_PING),
                        .initial = hitl_buf_str(initial),
                        .initial_len = initial->len,
                        .declared_size = MHD_SIZE_UNKNOWN};
    struct MHD_Response *resp = rs_hub_open(r->srv->hub, r->conn, &o);
    if (resp) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, SSE_TYPE);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    }
    return resp;
}

enum MHD_Result rs_resume(rs_req *r)
{
    hitl_refserver *s = r->srv;
    const hitl_refserver_config *cfg = &s->cfg;
    rs_auth who = rs_auth_app(r);
    if (who.status != RS_AUTH_APP)
        return MHD_YES;
    int app = who.app;
    const char *user = rs_query(r, "user");
    if (!user || !*user)
        return rs_reply_error(r, 400, "invalid_param", "Arg user must be provided.");
    if (cfg->apps[app].mode == HITL_REFSERVER_CHAT)
        return rs_reply_error(r, 400, "not_workflow_app",
                              "Please check if your app mode matches the right API route.");
    int snapshot = flag_true(rs_query(r, "include_state_snapshot"));
    /* continue-on-pause-ignored: every stream ends on workflow_paused. */
    int cont = flag_true(rs_query(r, "continue_on_pause")) &&
               !rs_fault_on(cfg, RS_F_CONTINUE_ON_PAUSE_IGNORED);

    hitl_buf frames;
    hitl_buf_init(&frames, 4u << 20);
    struct MHD_Response *live = NULL;
    enum MHD_Result rc = MHD_YES;
    int done = 0;
    rs_state_lock(&s->state);
    rs_run *run = rs_state_run(&s->state, r->param);
    if (!run || run->app != app ||
        (strcmp(run->user, user) != 0 && !rs_fault_on(cfg, RS_F_RESUME_WRONG_USER))) {
        rs_state_unlock(&s->state);
        hitl_buf_free(&frames);
        return rs_reply_error(r, 404, "not_found", "Workflow run not found");
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_RECONNECT)) { /* the run's stream, cut at once */
        rs_state_unlock(&s->state);
        hitl_buf_free(&frames);
        rs_hostile_resume(r, &rc);
        return rc;
    }
    if (run->run_status == RS_RUN_SUCCEEDED || run->run_status == RS_RUN_STOPPED) {
        done = rs_events_finished(s, run, &frames) == 0;
    } else if (snapshot && run->run_status == RS_RUN_PAUSED) {
        /* An --app-dsl run: the replay shows a form that waits (flow.h). */
        if (rs_events_snapshot(s, run->flow ? rs_flow_waiting(run) : run, &frames) == 0) {
            if (cont)
                live = subscribe(r, run, &frames, 0);
            else
                done = 1;
        }
    } else {
        const char *ping = rs_fault_on(cfg, RS_F_RESUME_NO_PING)   ? ""
                           : rs_fault_on(cfg, RS_F_PING_WITH_DATA) ? "data: ping\n\n"
                                                                   : "event: ping\n\n";
        hitl_buf_append_str(&frames, ping);
        live = subscribe(r, run, &frames, !cont);
    }
    rs_state_unlock(&s->state);
    if (done) {
        rc = sse_buffer(r, &frames);
    } else if (live) {
        rc = rs_queue(r, 200, live);
    } else {
        rc = rs_reply_error(r, 429, "too_many_requests",
                            "Too many requests. Please try again later.");
    }
    hitl_buf_free(&frames);
    return rc;
}
