/* server.c: the libmicrohttpd daemon: start/stop, request bodies, and dispatch through the
 * route table (routes.c). */
#include "clock.h"
#include "dsl_app.h"
#include "formdef.h"
#include "front.h"
#include "hostile.h"
#include "ids.h"
#include "ratelimit.h"
#include "reqlog.h"
#include "request.h"
#include "respond.h"
#include "routes.h"
#include "state.h"
#include "stream.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* dispatch runs the route's handler for the request's method (first_call answered 405 for a
 * method the route has no handler for). */
static enum MHD_Result dispatch(rs_req *r)
{
    rs_handler h = r->is_get ? r->def->get : r->def->post;
    return h ? h(r) : MHD_NO;
}

/* first_call sets up the request and answers whatever can be answered before the body. */
static enum MHD_Result first_call(rs_req *r, const char *url, const char *method)
{
    const char *param;
    size_t plen;
    r->def = rs_route_find(url, r->srv->cfg.upload_layout, &param, &plen);
    r->route = r->def ? r->def->route : RS_R_NONE;
    r->is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    r->is_post = strcmp(method, "POST") == 0;
    const char *expect = rs_header(r, "Expect");
    r->defer = !r->is_get && !(expect && strcasecmp(expect, "100-continue") == 0);
    if (rs_front_intercept(r, url, method))
        return MHD_YES;
    if (rs_fault_active(r->srv, RS_F_HUGE_TOKEN_500) && strlen(url) > 8192) {
        static const char crash[] = "<html><head><title>500 Internal Server Error</title></head>"
                                    "<body><h1>Internal Server Error</h1></body></html>";
        return rs_reply(r, 500, "text/html", crash, sizeof crash - 1);
    }
    if (!r->def)
        return rs_reply_error(r, 404, "not_found",
                              "The requested URL was not found on the server. If you entered the "
                              "URL manually please check your spelling and try again.");
    if (!((r->is_get && r->def->get) || (r->is_post && r->def->post)))
        return rs_reply_error(r, 405, "method_not_allowed",
                              "The method is not allowed for the requested URL.");
    if (param) {
        r->param = strndup(param, plen);
        if (!r->param)
            return MHD_NO;
    }
    /* A GET is answered on the next call: MHD closes connections that were answered on the
     * first call (it cannot know the request is complete), which would kill keep-alive. */
    if (r->is_get)
        return MHD_YES;
    if (r->def->upload) {
        rs_upload_begin(r);
        return MHD_YES;
    }
    const char *cl = rs_header(r, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > RS_JSON_BODY_MAX)
        return rs_reply_error(r, 413, "request_entity_too_large",
                              "The data value transmitted exceeds the capacity limit.");
    return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    rs_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->srv = cls;
        r->conn = conn;
        r->upload_app = -1;
        hitl_buf_init(&r->body, RS_JSON_BODY_MAX);
        *con_cls = r;
        rs_reqlog_headers(r->srv, conn);
        return first_call(r, url, method);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->answered)
            return MHD_YES; /* answered before the body: read and discard it */
        r->body_seen += n;
        if (r->def && r->def->upload)
            rs_upload_feed(r, upload_data, n);
        else if (!r->body_too_big && hitl_buf_append(&r->body, upload_data, n))
            r->body_too_big = 1;
        return MHD_YES;
    }
    if (r->deferred) {
        struct MHD_Response *resp = r->deferred;
        r->deferred = NULL;
        r->defer = 0;
        return rs_queue(r, r->deferred_status, resp);
    }
    if (r->answered)
        return MHD_YES;
    r->defer = 0;
    return dispatch(r);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    rs_req *r = *con_cls;
    if (!r)
        return;
    rs_upload_req_free(r);
    if (r->deferred)
        MHD_destroy_response(r->deferred);
    hitl_buf_free(&r->body);
    free(r->param);
    free(r);
    *con_cls = NULL;
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

static int start_daemon(hitl_refserver *s, hitl_err *err)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
    if (inet_pton(AF_INET, s->cfg.listen, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(s->cfg.port);
    } else if (inet_pton(AF_INET6, s->cfg.listen, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(s->cfg.port);
        flags |= MHD_USE_IPv6;
    } else {
        return hitl_err_set(err, HITL_E_ARG, "--listen: '%s' is not an IP address", s->cfg.listen);
    }
    /* 128 KiB per connection lets a 64 KiB path segment reach our JSON 404 instead of MHD's
     * HTML 414 (the pool is mmap'ed: about 80 KiB of it is touched per open stream). The
     * header flood needs room for ~1 MiB of response headers. */
    size_t mem = rs_fault_active(s, RS_F_HOSTILE_HEADER_FLOOD) ? 4u << 20 : 128u << 10;
    s->daemon = MHD_start_daemon(
        flags, s->cfg.port, NULL, NULL, access_cb, s, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)4096, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
        MHD_OPTION_NOTIFY_CONNECTION, rs_reqlog_connection, s, MHD_OPTION_URI_LOG_CALLBACK,
        rs_reqlog_uri, s, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!s->daemon)
        return hitl_err_set(err, HITL_E_IO,
                            "cannot listen on %s port %u (in use, or not a local "
                            "address?)",
                            s->cfg.listen, (unsigned)s->cfg.port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    return HITL_OK;
}

int hitl_refserver_dsl_supported(void)
{
#ifdef RS_HAVE_DSL
    return 1;
#else
    return 0;
#endif
}

/* load_dsl reads app |i|'s --app-dsl file, if it has one, and takes the app's mode from it.
 * A file the server cannot run is a start error naming the file and the rule. */
static int load_dsl(hitl_refserver *s, size_t i, hitl_err *err)
{
    hitl_refserver_app *app = &s->cfg.apps[i];
    if (!app->dsl[0])
        return HITL_OK;
#ifdef RS_HAVE_DSL
    int rc = rs_dsl_app_load(app->dsl, &s->dsl[i], err);
    if (rc)
        return hitl_err_prefix(err, "--app-dsl %s", app->key);
    app->mode = s->dsl[i]->chat ? HITL_REFSERVER_CHATFLOW : HITL_REFSERVER_WORKFLOW;
    return HITL_OK;
#else
    return hitl_err_set(err, HITL_E_ARG,
                        "--app-dsl %s: this hitl-refserver was built without libyaml "
                        "(libyaml-dev), so it cannot read a DSL",
                        app->key);
#endif
}

int hitl_refserver_start(const hitl_refserver_config *cfg, hitl_refserver **out, hitl_err *err)
{
    *out = NULL;
    if (cfg->napps == 0 || cfg->napps > HITL_REFSERVER_MAX_APPS || cfg->threads == 0)
        return hitl_err_set(err, HITL_E_ARG, "config: 1-%d apps and one thread needed",
                            HITL_REFSERVER_MAX_APPS);
    /* A zero period would spin the timer thread; a zero cap would refuse everything. */
    if (cfg->form_ttl_s <= 0 || cfg->global_timeout_s <= 0 || cfg->sweep_interval_ms <= 0 ||
        cfg->ping_interval_ms <= 0 || cfg->idle_timeout_ms <= 0 || cfg->fetch_timeout_ms <= 0 ||
        cfg->resume_delay_ms < 0 || cfg->rate_window_s == 0)
        return hitl_err_set(err, HITL_E_ARG, "config: every timeout and period must be > 0");
    if (cfg->upload_layout < 0 || cfg->upload_layout > 2 || cfg->max_runs == 0 ||
        cfg->max_uploads == 0 || cfg->max_upload_tokens == 0 || cfg->max_streams == 0 ||
        cfg->nfetch_allow > HITL_REFSERVER_MAX_FETCH_ALLOW ||
        cfg->nblacklist > HITL_REFSERVER_MAX_BLACKLIST)
        return hitl_err_set(err, HITL_E_ARG,
                            "config: upload_layout must be 0, 1 or 2, caps > 0, lists within "
                            "bounds");
    hitl_refserver *s = calloc(1, sizeof *s);
    if (!s)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory starting the server");
    s->cfg = *cfg;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rs_uuid4(s->tenant_id);
    for (size_t i = 0; i < cfg->napps; i++) {
        rs_uuid4(s->app_ids[i]);
        rs_uuid4(s->workflow_ids[i]);
    }
    int rc = cfg->form_file[0] ? rs_formdef_load(cfg->form_file, &s->form, err)
                               : rs_formdef_builtin(&s->form, err);
    for (size_t i = 0; i < cfg->napps && !rc; i++)
        rc = load_dsl(s, i, err);
    if (!rc && rs_state_init(&s->state))
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory starting the server");
    for (int i = 0; i < 3 && !rc; i++)
        if (rs_ratelimit_new(cfg->rate_max, (int64_t)cfg->rate_window_s * 1000, 65536, &s->rl[i]))
            rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory starting the server");
    rs_hub_config hc = {cfg->ping_interval_ms, cfg->idle_timeout_ms,
                        rs_fault_on(cfg, RS_F_PING_WITH_DATA), cfg->max_streams};
    if (!rc && rs_hub_new(&hc, &s->hub))
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory starting the server");
    if (!rc)
        rc = rs_hostile_init(s, err);
    if (!rc)
        rc = rs_reqlog_open(s, cfg->request_log, err);
    if (!rc && rs_clock_start(s, &s->clock))
        rc = hitl_err_set(err, HITL_E_IO, "cannot start the timer thread");
    if (!rc) {
        rs_hub_set_waker(s->hub, rs_clock_kick, s->clock);
        rc = start_daemon(s, err);
    }
    if (rc) {
        hitl_refserver_stop(s);
        return rc;
    }
    *out = s;
    return HITL_OK;
}

uint16_t hitl_refserver_port(const hitl_refserver *s)
{
    return s ? s->port : 0;
}

void hitl_refserver_stop(hitl_refserver *s)
{
    if (!s)
        return;
    /* The clock first (no more ticks or publishes resuming connections behind our back),
     * then the streams (MHD must not be stopped with suspended connections), then MHD. The
     * clock struct stays alive until MHD's threads are gone: a submit may still schedule. */
    rs_clock_stop(s->clock);
    if (s->hub)
        rs_hub_shutdown(s->hub);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    rs_clock_free(s->clock);
    rs_hub_free(s->hub);
    for (int i = 0; i < 3; i++)
        rs_ratelimit_free(s->rl[i]);
    if (s->state.runs.buckets)
        rs_state_free(&s->state);
    rs_formdef_free(s->form);
#ifdef RS_HAVE_DSL
    for (size_t i = 0; i < HITL_REFSERVER_MAX_APPS; i++)
        rs_dsl_app_free(s->dsl[i]);
#endif
    free(s->gzip_bomb);
    free(s->huge_form);
    rs_reqlog_close(s);
    curl_global_cleanup();
    free(s);
}
