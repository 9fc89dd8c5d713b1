/* session.c: a fuzz session: the pool of live forms, the operations of a scenario, the
 * oracles that judge each answer and the response features. */
#include "fuzz_int.h"
#include "keepalive.h"

#include "hitl/event.h"
#include "hitl/http.h"
#include "hitl/proxy_page.h"
#include "hitl/sse.h"
#include "hitl/submit.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t hitl_fuzz_features[HITL_FUZZ_FEATURES];

#define SAMPLE_PDF "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#define BODY_MAX (1u << 20)
#define V2_FILES "/api/human-input-forms/files"
#define V1_FILES "/api/form/human_input/files/upload"

/* One live form of the pool. */
typedef struct fz_form {
    char user[128];
    char *token, *run_id, *upload_token, *upload_id;
    char *mapping; /* {"transfer_method":"local_file","upload_file_id":…,"type":"document"} */
    hitl_form *form;
    char **valid;  /* per input, its valid JSON value */
    bool consumed; /* a submit of it was answered 200 */
    bool rejected; /* a submit of it was rejected since it went live */
} fz_form;

struct hitl_fuzz {
    hitl_fuzz_target t;
    char *base, *key, *user;
    fz_http *http, *http2; /* the second: the other half of a submit pair */
    const char *upload_path;
    fz_form cur, other;
    hitl_fuzz_stats stats;
    uint8_t seen[HITL_FUZZ_FEATURES / 8]; /* features seen, for the count */
    struct timespec last_request;
};

/* ---- requests ---------------------------------------------------------------------------- */

typedef struct fz_req {
    hitl_http_body_fn on_body; /* streams: stop early */
    const char *method;
    const char *path; /* below the base */
    const char *auth; /* the whole Authorization value, or NULL */
    const char *body;
    size_t body_len;
    const char *content_type;
    const hitl_http_part *parts;
    size_t n_parts;
    long timeout_ms;
} fz_req;

static void pace(hitl_fuzz *f)
{
    if (!f->t.web || !f->t.rate_max)
        return;
    /* WEB is rate limited per client: stay under --rate-limit by spacing requests evenly. */
    double gap = (double)f->t.rate_window_s / f->t.rate_max;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - f->last_request.tv_sec) +
                   (double)(now.tv_nsec - f->last_request.tv_nsec) / 1e9;
    if (since < gap) {
        double wait = gap - since;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &f->last_request);
}

static int do_req_on(hitl_fuzz *f, fz_http *h, const fz_req *q, hitl_http_response *resp,
                     hitl_err *err)
{
    char url[16384];
    if ((size_t)snprintf(url, sizeof url, "%s%s", f->base, q->path) >= sizeof url)
        return hitl_err_set(err, HITL_E_TOO_BIG, "URL too long");
    const char *headers[3];
    size_t nh = 0;
    char auth[1024], ctype[256];
    if (q->auth) {
        snprintf(auth, sizeof auth, "Authorization: %s", q->auth);
        headers[nh++] = auth;
    }
    if (q->body) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s",
                 q->content_type ? q->content_type : "application/json");
        headers[nh++] = ctype;
    }
    hitl_http_request req = {.method = q->method,
                             .url = url,
                             .headers = headers,
                             .n_headers = nh,
                             .body = q->body,
                             .body_len = q->body_len,
                             .parts = q->parts,
                             .n_parts = q->n_parts,
                             .timeout_ms = q->timeout_ms ? q->timeout_ms : f->t.timeout_ms,
                             .max_body = BODY_MAX,
                             .on_body = q->on_body,
                             .origin_check = "fuzz"};
    pace(f);
    __atomic_add_fetch(&f->stats.requests, 1, __ATOMIC_RELAXED);
    return fz_http_do(h, &req, resp, err);
}

static int do_req(hitl_fuzz *f, const fz_req *q, hitl_http_response *resp, hitl_err *err)
{
    return do_req_on(f, f->http, q, resp, err);
}

static const char *svc_auth(hitl_fuzz *f, char *buf, size_t cap)
{
    snprintf(buf, cap, "Bearer %s", f->key);
    return buf;
}

/* ---- the pool ---------------------------------------------------------------------------- */

static void form_clear(fz_form *fm)
{
    free(fm->token);
    free(fm->run_id);
    free(fm->upload_token);
    free(fm->upload_id);
    free(fm->mapping);
    if (fm->valid && fm->form)
        for (size_t i = 0; i < fm->form->n_inputs; i++)
            free(fm->valid[i]);
    free(fm->valid);
    hitl_form_free(fm->form);
    char user[sizeof fm->user];
    memcpy(user, fm->user, sizeof user);
    memset(fm, 0, sizeof *fm);
    memcpy(fm->user, user, sizeof user);
}

typedef struct start_ctx {
    char *token, *run_id;
} start_ctx;

static int on_start_event(void *user, const hitl_sse_event *e)
{
    start_ctx *sc = user;
    hitl_event ev;
    if (hitl_event_decode(e->type, e->type_len, e->data, e->data_len, &ev, NULL))
        return 0;
    if (ev.kind == HITL_EV_HUMAN_INPUT_REQUIRED && ev.form && ev.form->form_token && !sc->token) {
        sc->token = strdup(ev.form->form_token);
        if (ev.workflow_run_id.value)
            sc->run_id = strdup(ev.workflow_run_id.value);
    }
    hitl_event_clear(&ev);
    return 0;
}

/* start_run starts a run for |fm->user| and keeps its form token and run id. */
static int start_run(hitl_fuzz *f, fz_form *fm, hitl_err *err)
{
    char auth[512], body[512];
    cJSON *u = cJSON_CreateString(fm->user);
    char *uq = u ? cJSON_PrintUnformatted(u) : NULL;
    cJSON_Delete(u);
    if (!uq)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    snprintf(body, sizeof body, "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":%s}", uq);
    free(uq);
    fz_req q = {.method = "POST",
                .path = "/v1/workflows/run",
                .auth = svc_auth(f, auth, sizeof auth),
                .body = body,
                .body_len = strlen(body),
                .timeout_ms = 15000};
    hitl_http_response resp;
    int rc = do_req(f, &q, &resp, err);
    if (rc) {
        hitl_http_response_free(&resp);
        return rc;
    }
    f->stats.forms_used++;
    start_ctx sc = {0};
    hitl_sse *p = NULL;
    hitl_sse_config cfg = {.on_event = on_start_event, .user = &sc};
    if (resp.status == 200 && hitl_sse_new(&p, &cfg, NULL) == 0) {
        hitl_sse_feed(p, resp.body.ptr ? resp.body.ptr : "", resp.body.len, NULL);
        hitl_sse_finish(p, NULL);
    }
    hitl_sse_free(p);
    long status = resp.status;
    hitl_http_response_free(&resp);
    if (!sc.token || !sc.run_id || hitl_url_value_check(sc.token, NULL)) {
        free(sc.token);
        free(sc.run_id);
        return hitl_err_set(err, HITL_E_INVALID,
                            "start a run and reach its form: HTTP %ld without a usable "
                            "human_input_required form_token",
                            status);
    }
    fm->token = sc.token;
    fm->run_id = sc.run_id;
    return 0;
}

static int form_path(char *out, size_t cap, bool web, const char *raw_token, const char *suffix)
{
    hitl_buf b;
    hitl_buf_init(&b, cap);
    int rc = hitl_url_encode(&b, raw_token);
    if (!rc)
        rc = (size_t)snprintf(out, cap, "%s%s%s",
                              web ? "/api/form/human_input/" : "/v1/form/human_input/",
                              hitl_buf_str(&b), suffix) >= cap
                 ? HITL_E_TOO_BIG
                 : 0;
    hitl_buf_free(&b);
    return rc;
}

static char *json_string_field(const hitl_http_response *resp, const char *key)
{
    cJSON *o = cJSON_ParseWithLength(resp->body.ptr ? resp->body.ptr : "", resp->body.len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char *s = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(o);
    return s;
}

static int probe_layout(hitl_fuzz *f, hitl_err *err)
{
    if (f->upload_path)
        return 0;
    const char *paths[] = {V2_FILES, V1_FILES};
    for (size_t i = 0; i < 2; i++) {
        fz_req q = {.method = "POST",
                    .path = paths[i],
                    .body = "",
                    .body_len = 0,
                    .content_type = "application/octet-stream",
                    .timeout_ms = 5000};
        hitl_http_response resp;
        int rc = do_req(f, &q, &resp, err);
        long st = resp.status;
        hitl_http_response_free(&resp);
        if (rc)
            return rc;
        if (st != 404 && st != 405) {
            f->upload_path = paths[i];
            return 0;
        }
    }
    return hitl_err_set(err, HITL_E_UNSUPPORTED,
                        "find the upload route: neither %s nor %s exists on the target", V2_FILES,
                        V1_FILES);
}

/* fill_form gets a form's definition, an upload token, one uploaded file, and builds the
 * valid value of each input (the valid-submission path: hitl_submit_fill_valid). */
static int fill_form(hitl_fuzz *f, fz_form *fm, hitl_err *err)
{
    char path[1024], auth[512];
    int rc = form_path(path, sizeof path, f->t.web, fm->token, "");
    if (rc)
        return hitl_err_set(err, rc, "form path");
    fz_req q = {
        .method = "GET", .path = path, .auth = f->t.web ? NULL : svc_auth(f, auth, sizeof auth)};
    hitl_http_response resp;
    rc = do_req(f, &q, &resp, err);
    if (!rc && resp.status != 200)
        rc = hitl_err_set(err, HITL_E_INVALID, "get the form: HTTP %ld", resp.status);
    if (!rc)
        rc = hitl_form_parse(resp.body.ptr ? resp.body.ptr : "", resp.body.len, BODY_MAX,
                             HITL_FORM_GET, &fm->form, err);
    hitl_http_response_free(&resp);
    if (rc)
        return rc;
    if (!fm->form->n_actions || !fm->form->actions[0].id)
        return hitl_err_set(err, HITL_E_INVALID, "get the form: it has no actions");
    /* An upload token and a file: WEB's upload path (the file then belongs to this form). */
    if (form_path(path, sizeof path, true, fm->token, "/upload-token"))
        return hitl_err_set(err, HITL_E_TOO_BIG, "upload-token path");
    fz_req t = {.method = "POST", .path = path, .body = "{}", .body_len = 2};
    rc = do_req(f, &t, &resp, err);
    if (!rc && resp.status == 200)
        fm->upload_token = json_string_field(&resp, "upload_token");
    hitl_http_response_free(&resp);
    if (rc)
        return rc;
    if (fm->upload_token && !hitl_url_value_check(fm->upload_token, NULL) &&
        !probe_layout(f, NULL)) {
        char bearer[600];
        snprintf(bearer, sizeof bearer, "Bearer %s", fm->upload_token);
        hitl_http_part part = {.name = "file",
                               .filename = "report.pdf",
                               .content_type = "application/pdf",
                               .data = SAMPLE_PDF,
                               .len = sizeof SAMPLE_PDF - 1};
        fz_req u = {
            .method = "POST", .path = f->upload_path, .auth = bearer, .parts = &part, .n_parts = 1};
        rc = do_req(f, &u, &resp, err);
        if (!rc && resp.status == 201)
            fm->upload_id = json_string_field(&resp, "id");
        hitl_http_response_free(&resp);
        if (rc)
            return rc;
    }
    /* The valid submission (the conformance checks' own path). */
    hitl_file_ref ref = {HITL_TRANSFER_LOCAL_FILE, fm->upload_id, NULL, "document"};
    hitl_submit_files *files = calloc(fm->form->n_inputs + 1, sizeof *files);
    size_t nf = 0;
    for (size_t i = 0; files && i < fm->form->n_inputs; i++) {
        const hitl_form_input *in = &fm->form->inputs[i];
        if (in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST)
            files[nf++] = (hitl_submit_files){in->output_variable_name, &ref,
                                              in->type == HITL_INPUT_FILE ? 1u : 0u};
    }
    hitl_submit *sb = NULL;
    hitl_submit_hints hints = {.files = files, .n_files = nf, .text = "hitlcheck fuzz"};
    rc = files ? hitl_submit_new(&sb, 0, err) : HITL_E_NOMEM;
    if (!rc && nf && !fm->upload_id)
        rc = hitl_err_set(err, HITL_E_UNSUPPORTED,
                          "upload a file for the form's file input: no upload route answered 201");
    if (!rc)
        rc = hitl_submit_fill_valid(sb, fm->form, &hints, err);
    free(files);
    if (!rc) {
        const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(hitl_submit_body(sb), "inputs");
        fm->valid = calloc(fm->form->n_inputs + 1, sizeof *fm->valid);
        for (size_t i = 0; fm->valid && i < fm->form->n_inputs; i++) {
            const char *name = fm->form->inputs[i].output_variable_name;
            const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(inputs, name) : NULL;
            fm->valid[i] = v ? cJSON_PrintUnformatted(v) : strdup("\"hitlcheck fuzz\"");
        }
        if (!fm->valid)
            rc = HITL_E_NOMEM;
    }
    hitl_submit_free(sb);
    if (!rc && fm->upload_id) {
        char m[512];
        snprintf(
            m, sizeof m,
            "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":\"document\"}",
            fm->upload_id);
        fm->mapping = strdup(m);
    }
    return rc;
}

static int refresh(hitl_fuzz *f, fz_form *fm, hitl_err *err)
{
    form_clear(fm);
    int rc = start_run(f, fm, err);
    if (!rc)
        rc = fill_form(f, fm, err);
    if (rc)
        f->stats.setup_errors++;
    return rc;
}

int hitl_fuzz_new(hitl_fuzz **out, const hitl_fuzz_target *t, hitl_err *err)
{
    *out = NULL;
    if (!t || !t->base_url || !t->api_key)
        return hitl_err_set(err, HITL_E_ARG, "a fuzz target needs a base URL and an API key");
    hitl_fuzz *f = calloc(1, sizeof *f);
    if (!f)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    f->t = *t;
    f->base = strdup(t->base_url);
    f->key = strdup(t->api_key);
    f->user = strdup(t->user ? t->user : "hitlcheck-fuzz");
    size_t bl = f->base ? strlen(f->base) : 0;
    while (bl && f->base[bl - 1] == '/')
        f->base[--bl] = '\0';
    if (!f->t.timeout_ms)
        f->t.timeout_ms = 5000;
    if (!f->base || !f->key || !f->user || fz_http_new(&f->http, err) ||
        fz_http_new(&f->http2, err)) {
        hitl_fuzz_free(f);
        return err && err->code ? err->code : hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    snprintf(f->cur.user, sizeof f->cur.user, "%s", f->user);
    snprintf(f->other.user, sizeof f->other.user, "%s-neighbour", f->user);
    *out = f;
    return 0;
}

void hitl_fuzz_free(hitl_fuzz *f)
{
    if (!f)
        return;
    form_clear(&f->cur);
    form_clear(&f->other);
    fz_http_free(f->http);
    fz_http_free(f->http2);
    free(f->base);
    free(f->key);
    free(f->user);
    free(f);
}

int hitl_fuzz_prepare(hitl_fuzz *f, hitl_err *err)
{
    int rc = refresh(f, &f->cur, err);
    if (!rc)
        rc = refresh(f, &f->other, err);
    return rc;
}

void hitl_fuzz_stats_get(const hitl_fuzz *f, hitl_fuzz_stats *out)
{
    *out = f->stats;
}

/* ---- features and oracles ---------------------------------------------------------------- */

static uint32_t mix(uint32_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void feature(hitl_fuzz *f, uint32_t h)
{
    uint32_t i = h % HITL_FUZZ_FEATURES;
    if (hitl_fuzz_features[i] < 255)
        hitl_fuzz_features[i]++;
    if (!(f->seen[i / 8] & (1u << (i % 8)))) {
        f->seen[i / 8] |= (uint8_t)(1u << (i % 8));
        f->stats.features++;
    }
}

/* The answer reduced to what names its kind: the error code and the message's template (its
 * first words, digits folded, cut at the first quote or colon, where values start). */
typedef struct answer {
    long status;
    char code[48];
    char tmpl[48];
    bool json_object;
    bool shape_ok; /* {code: str, message: str, status: number equal to the HTTP status} */
} answer;

static void read_answer(const hitl_http_response *resp, answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = resp->status;
    cJSON *o = resp->body.len ? cJSON_ParseWithLength(resp->body.ptr, resp->body.len) : NULL;
    a->json_object = cJSON_IsObject(o);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "code");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "status");
    if (cJSON_IsString(c))
        snprintf(a->code, sizeof a->code, "%s", c->valuestring);
    if (cJSON_IsString(m)) {
        size_t j = 0;
        for (const char *p = m->valuestring; *p && j + 1 < sizeof a->tmpl; p++) {
            if (*p == '\'' || *p == '"' || *p == ':')
                break;
            a->tmpl[j++] = (*p >= '0' && *p <= '9') ? '#' : *p;
        }
        a->tmpl[j] = '\0';
    }
    a->shape_ok = a->json_object && cJSON_IsString(c) && cJSON_IsString(m) && cJSON_IsNumber(s) &&
                  s->valuedouble == (double)resp->status;
    cJSON_Delete(o);
}

static void found(hitl_fuzz_outcome *out, unsigned op_index, bool security, const char *oracle,
                  const char *sig, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void found(hitl_fuzz_outcome *out, unsigned op_index, bool security, const char *oracle,
                  const char *sig, const char *fmt, ...)
{
    if (out->found)
        return;
    out->found = true;
    out->security = security;
    out->op_index = op_index;
    snprintf(out->oracle, sizeof out->oracle, "%s", oracle);
    snprintf(out->signature, sizeof out->signature, "%s", sig);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
}

/* The secrets of the pool: a response holding one the request did not carry leaks it. */
typedef struct secret {
    const char *value;
    const char *placeholder;
    const char *what;
    bool secret; /* false: an id, replaced in reproducers but not a leak when echoed */
} secret;

static size_t secrets_of(const hitl_fuzz *f, secret *s)
{
    size_t n = 0;
    s[n++] = (secret){f->cur.token, "@FORM_TOKEN@", "the form token", true};
    s[n++] = (secret){f->other.token, "@OTHER_FORM_TOKEN@", "another form's token", true};
    s[n++] = (secret){f->cur.upload_token, "@UPLOAD_TOKEN@", "the form's upload token", true};
    s[n++] = (secret){f->other.upload_token, "@OTHER_UPLOAD_TOKEN@", "another form's upload token",
                      true};
    s[n++] = (secret){f->key, "@API_KEY@", "the API key", true};
    /* Another form's file id in an answer to a request that did not name it: its data leaks. */
    s[n++] = (secret){f->other.upload_id, "@OTHER_FILE_ID@", "another form's file id", true};
    s[n++] = (secret){f->cur.run_id, "@RUN_ID@", "the run id", false};
    s[n++] = (secret){f->other.run_id, "@OTHER_RUN_ID@", "another run's id", false};
    return n;
}

static bool holds(const char *hay, size_t len, const char *needle)
{
    size_t n = needle ? strlen(needle) : 0;
    if (!hay || n < 8 || len < n)
        return false;
    for (size_t i = 0; i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

/* One sent request as the oracles and the reproducer see it. */
typedef struct sent {
    fz_op op;
    const fz_req *q;
    const hitl_http_part *part;
} sent;

static char *placeholders(const hitl_fuzz *f, const char *text, size_t len, size_t *out_len)
{
    secret s[10];
    size_t ns = secrets_of(f, s);
    hitl_buf b;
    hitl_buf_init(&b, (len + 64) * 4);
    for (size_t i = 0; i < len;) {
        size_t k;
        for (k = 0; k < ns; k++) {
            size_t n = s[k].value ? strlen(s[k].value) : 0;
            if (n >= 8 && i + n <= len && memcmp(text + i, s[k].value, n) == 0) {
                hitl_buf_append_str(&b, s[k].placeholder);
                i += n;
                break;
            }
        }
        if (k == ns)
            hitl_buf_append(&b, text + i++, 1);
    }
    if (out_len)
        *out_len = b.len;
    char *r = hitl_buf_release(&b);
    return r ? r : strdup("");
}

static void record_request(const hitl_fuzz *f, hitl_fuzz_outcome *out, const sent *s, long status)
{
    snprintf(out->method, sizeof out->method, "%s", s->q->method);
    out->path = placeholders(f, s->q->path, strlen(s->q->path), NULL);
    out->auth = s->q->auth ? placeholders(f, s->q->auth, strlen(s->q->auth), NULL) : NULL;
    if (s->q->body) {
        out->body = placeholders(f, s->q->body, s->q->body_len, &out->body_len);
        out->content_type = strdup(s->q->content_type ? s->q->content_type : "application/json");
    }
    if (s->part) {
        out->upload_name = strdup(s->part->name ? s->part->name : "file");
        out->upload_filename = s->part->filename ? strdup(s->part->filename) : NULL;
        out->upload_type = s->part->content_type && !s->part->no_content_type
                               ? strdup(s->part->content_type)
                               : NULL;
        out->upload_size = s->part->len;
        out->upload_data = malloc(s->part->len ? s->part->len : 1);
        if (out->upload_data && s->part->len)
            memcpy(out->upload_data, s->part->data, s->part->len);
    }
    out->pair = s->op == FZ_SUBMIT_PAIR;
    out->status = status;
}

/* judge applies the oracles every answer is subject to. */
static void judge(hitl_fuzz *f, unsigned idx, const sent *s, int rc, const hitl_http_response *resp,
                  const hitl_err *err, answer *a, hitl_fuzz_outcome *out)
{
    const char *op = fz_op_name(s->op);
    char sig[160];
    bool was_found = out->found;
    read_answer(resp, a);
    feature(f, mix(mix(mix(2166136261u, op, strlen(op)), &a->status, sizeof a->status), a->code,
                   strlen(a->code)) ^
                   mix(2166136261u, a->tmpl, strlen(a->tmpl)));
    if (rc == HITL_E_TIMEOUT && s->op != FZ_RESUME) {
        snprintf(sig, sizeof sig, "timeout/%s", op);
        found(out, idx, false, "timeout", sig, "%s: no answer within %ld ms", op,
              s->q->timeout_ms ? s->q->timeout_ms : f->t.timeout_ms);
    } else if (rc && resp->status == 0 && s->op != FZ_RESUME) {
        snprintf(sig, sizeof sig, "dropped-connection/%s", op);
        found(out, idx, false, "dropped-connection", sig,
              "%s: the connection ended without an answer (%s)", op,
              err && err->msg[0] ? err->msg : "no status");
    } else if (resp->status >= 500) {
        hitl_proxy_page page;
        bool proxy = hitl_proxy_page_detect(resp, &page);
        snprintf(sig, sizeof sig, "server-error/%s/%ld/%s", op, resp->status,
                 proxy        ? "front-end-page"
                 : a->code[0] ? a->code
                              : "-");
        found(out, idx, false, "server-error", sig, "%s: HTTP %ld%s%s", op, resp->status,
              a->code[0] ? ", code " : "", a->code);
    } else if (resp->status >= 400 && s->op != FZ_RESUME && !a->shape_ok &&
               !hitl_proxy_page_detect(resp, NULL)) {
        snprintf(sig, sizeof sig, "error-shape/%s/%ld", op, resp->status);
        found(out, idx, false, "error-shape", sig,
              "%s: HTTP %ld whose body is not the error shape {code, message, status} (§1.3)", op,
              resp->status);
    }
    /* A resume stream carries the run's events, form tokens included, to the app's key. */
    if (!out->found && resp->body.len && s->op != FZ_RESUME) {
        secret sec[10];
        size_t ns = secrets_of(f, sec);
        for (size_t k = 0; k < ns; k++) {
            const char *v = sec[k].value;
            if (!sec[k].secret || !holds(resp->body.ptr, resp->body.len, v))
                continue;
            bool in_request = holds(s->q->path, strlen(s->q->path), v) ||
                              (s->q->auth && holds(s->q->auth, strlen(s->q->auth), v)) ||
                              (s->q->body && holds(s->q->body, s->q->body_len, v));
            if (in_request)
                continue;
            snprintf(sig, sizeof sig, "secret-leak/%s/%s", op, sec[k].placeholder);
            found(out, idx, true, "secret-leak", sig,
                  "%s: HTTP %ld answer holds %s (%s), which the request did not carry", op,
                  resp->status, sec[k].what, sec[k].placeholder);
            break;
        }
    }
    if (out->found && !was_found)
        record_request(f, out, s, resp->status);
}

/* ---- operations -------------------------------------------------------------------------- */

/* mutate_token writes the token a record addresses: the current form's, mutated by |tok|. */
static void mutate_token(const hitl_fuzz *f, uint8_t tok, hitl_buf *b)
{
    const char *own = f->cur.token ? f->cur.token : "";
    size_t len = strlen(own);
    unsigned arg = tok >> 3;
    static const char *const WEIRD[] = {"..",        "%00",         "null",
                                        "undefined", "' OR 1=1 --", "../../etc/passwd"};
    switch (tok & 7u) {
    case 1: { /* one character changed */
        hitl_buf_append_str(b, own);
        if (len) {
            char *c = &b->ptr[(arg + 12) % len];
            *c = *c == 'z'   ? 'a'
                 : *c == 'Z' ? 'A'
                 : *c == '9' ? '0'
                 : *c == '-' ? '_'
                             : (char)(*c + 1);
        }
        break;
    }
    case 2:
        hitl_buf_append(b, own, arg < len ? arg : len);
        break;
    case 3:
        hitl_buf_append_str(b, own);
        for (unsigned i = 0; i <= arg; i++)
            hitl_buf_append(b, "x", 1);
        break;
    case 4:
        hitl_buf_append_str(b, f->other.token ? f->other.token : "");
        break;
    case 5:
        hitl_buf_append_str(b, WEIRD[arg % (sizeof WEIRD / sizeof WEIRD[0])]);
        break;
    case 6:
        for (unsigned i = 0; i < 256u * (1 + arg % 32u) && len; i += (unsigned)len)
            hitl_buf_append_str(b, own);
        break;
    case 7:
        for (size_t i = 0; i < len; i++) {
            char c = own[i];
            hitl_buf_append(b, &(char){(char)(c >= 'a' && c <= 'z' ? c - 32 : c)}, 1);
        }
        break;
    default:
        hitl_buf_append_str(b, own);
    }
}

/* The form a (mutated) token names, when it names one of the pool's: a truncation longer than
 * the token is the token itself. */
static fz_form *addressed(hitl_fuzz *f, const char *token)
{
    if (f->cur.token && !strcmp(token, f->cur.token))
        return &f->cur;
    if (f->other.token && !strcmp(token, f->other.token))
        return &f->other;
    return NULL;
}

static int op_get(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    hitl_buf tb;
    hitl_buf_init(&tb, 16384);
    mutate_token(f, r->tok, &tb);
    char path[16384], auth[512];
    bool web = f->t.web ^ (r->p[0] & 1);
    int rc = form_path(path, sizeof path, web, hitl_buf_str(&tb), "");
    hitl_buf_free(&tb);
    if (rc)
        return 0;
    fz_req q = {.method = "GET", .path = path, .auth = web ? NULL : svc_auth(f, auth, sizeof auth)};
    hitl_http_response resp;
    hitl_err err = {0};
    rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_GET, &q, NULL};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    hitl_http_response_free(&resp);
    return 0;
}

static int op_upload_token(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    hitl_buf tb;
    hitl_buf_init(&tb, 16384);
    mutate_token(f, r->tok, &tb);
    char path[16384];
    int rc = form_path(path, sizeof path, true, hitl_buf_str(&tb), "/upload-token");
    hitl_buf_free(&tb);
    if (rc)
        return 0;
    fz_req q = {.method = "POST", .path = path, .body = "{}", .body_len = 2};
    hitl_http_response resp;
    hitl_err err = {0};
    rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_UPLOAD_TOKEN, &q, NULL};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    hitl_http_response_free(&resp);
    return 0;
}

static int op_upload(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    if (!f->upload_path)
        return 0;
    const uint8_t *p = r->p;
    char auth[1024], name[1024], key[512];
    const char *path = f->upload_path;
    unsigned auth_mode = p[0] % 8u;
    bool valid_auth = false, svc = false;
    switch (auth_mode) {
    case 1:
        auth[0] = '\0';
        break;
    case 2:
        snprintf(auth, sizeof auth, "Bearer hitl_upload_%s",
                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        break;
    case 3:
        snprintf(auth, sizeof auth, "Bearer %s",
                 f->other.upload_token ? f->other.upload_token : "x");
        valid_auth = f->other.upload_token && !f->other.consumed;
        break;
    case 4:
        snprintf(auth, sizeof auth, "bearer %s", f->cur.upload_token ? f->cur.upload_token : "x");
        valid_auth = true;
        break;
    case 5:
        snprintf(auth, sizeof auth, "Bearer a b");
        break;
    case 6:
    case 7:
        svc = true;
        path = "/v1/files/upload";
        svc_auth(f, auth, sizeof auth);
        valid_auth = true;
        break;
    default:
        snprintf(auth, sizeof auth, "Bearer %s", f->cur.upload_token ? f->cur.upload_token : "x");
        valid_auth = f->cur.upload_token != NULL;
    }
    switch (p[1] % 10u) {
    case 1: {
        unsigned n = (unsigned)p[2] * 2u + 1u;
        memset(name, 'a', n);
        snprintf(name + n, sizeof name - n, ".pdf");
        break;
    }
    case 2:
        snprintf(name, sizeof name, "../../etc/passwd");
        break;
    case 3:
        snprintf(name, sizeof name, "a/b.pdf");
        break;
    case 4:
        snprintf(name, sizeof name, "x.exe");
        break;
    case 5:
        snprintf(name, sizeof name, "noext");
        break;
    case 6:
        name[0] = '\0';
        break;
    case 7:
        snprintf(name, sizeof name, "r\xc3\xa9sum\xc3\xa9.pdf");
        break;
    case 8:
        snprintf(name, sizeof name, "a;b=c.pdf");
        break;
    case 9:
        snprintf(name, sizeof name, "REPORT.PDF");
        break;
    default:
        snprintf(name, sizeof name, "report.pdf");
    }
    static const char *const TYPES[] = {"application/pdf", NULL, "text/html", "image/png",
                                        "x/\x01garbage"};
    unsigned tmode = p[3] % 5u;
    char *big = NULL; /* the large file's bytes, this call's own (no state between calls) */
    size_t size;
    const char *data = SAMPLE_PDF;
    switch (p[4] % 3u) {
    case 1:
        size = 0;
        break;
    case 2:
        size = (size_t)p[5] * 1024u;
        if (!(big = malloc(size ? size : 1)))
            return 0;
        memset(big, 'B', size);
        data = big;
        break;
    default:
        size = sizeof SAMPLE_PDF - 1;
    }
    hitl_http_part parts[3];
    size_t np = 0;
    unsigned pmode = p[6] % 5u;
    hitl_http_part file = {.name = pmode == 2 ? "files" : "file",
                           .filename = name,
                           .content_type = tmode == 1 || tmode == 4 ? NULL : TYPES[tmode],
                           .no_content_type = tmode == 1,
                           .data = data,
                           .len = size};
    if (tmode == 4)
        file.content_type = "application/x-fuzz";
    if (pmode != 4)
        parts[np++] = file;
    if (pmode == 1)
        parts[np++] = file;
    if (svc && auth_mode == 6) {
        snprintf(key, sizeof key, "%s", f->user);
        parts[np++] = (hitl_http_part){.name = "user", .data = key, .len = strlen(key)};
    }
    if (pmode == 3 || pmode == 4)
        parts[np++] = (hitl_http_part){.name = "note", .data = "x", .len = 1};
    if (file.no_content_type && (strpbrk(name, "\"\\\r\n") != NULL)) {
        free(big);
        return 0;
    }
    fz_req q = {.method = "POST",
                .path = path,
                .auth = auth[0] ? auth : NULL,
                .parts = parts,
                .n_parts = np};
    hitl_http_response resp;
    hitl_err err = {0};
    int rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_UPLOAD, &q, &file};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    if (!out->found && resp.status == 201 && !valid_auth) {
        found(out, idx, true, "invariant", "invariant/upload-without-valid-token",
              "upload: HTTP 201 for an upload whose Authorization is not a valid upload token "
              "(§6.1)");
        record_request(f, out, &s, resp.status);
    }
    feature(f, mix(mix(3u, &auth_mode, sizeof auth_mode), &resp.status, sizeof resp.status) ^
                   (p[1] % 10u) * 7919u ^ tmode * 104729u ^ pmode * 1299709u);
    hitl_http_response_free(&resp);
    free(big);
    return 0;
}

static void submit_ctx(hitl_fuzz *f, fz_form *fm, fz_submit_ctx *c)
{
    const hitl_form *form = fm->form;
    *c = (fz_submit_ctx){.form = form,
                         .valid = fm->valid,
                         .file_mapping = fm->mapping,
                         /* "another form" is the one the body is not written for */
                         .other_mapping = fm == &f->other ? f->cur.mapping : f->other.mapping,
                         .action = form->actions[0].id,
                         .other_action = form->n_actions > 1 && form->actions[1].id
                                             ? form->actions[1].id
                                             : form->actions[0].id,
                         .user = f->t.web ? NULL : fm->user,
                         .other_form_files_accepted = f->t.other_form_files_accepted};
}

static int op_submit(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    hitl_buf tb;
    hitl_buf_init(&tb, 16384);
    mutate_token(f, r->tok, &tb);
    fz_form *target = addressed(f, hitl_buf_str(&tb));
    fz_form *shape = target ? target : &f->cur; /* whose form the body is written for */
    if (!shape->form || !shape->valid) {
        hitl_buf_free(&tb);
        return 0;
    }
    fz_submit_ctx c;
    submit_ctx(f, shape, &c);
    hitl_buf body;
    hitl_buf_init(&body, 4u << 20);
    char reject[128];
    uint32_t kinds = 0;
    if (fz_submit_write(&c, r, &body, reject, sizeof reject, &kinds)) {
        hitl_buf_free(&body);
        hitl_buf_free(&tb);
        return 0;
    }
    char path[16384], auth[512];
    int rc = form_path(path, sizeof path, f->t.web, hitl_buf_str(&tb), "");
    hitl_buf_free(&tb);
    if (rc) {
        hitl_buf_free(&body);
        return 0;
    }
    fz_req q = {.method = "POST",
                .path = path,
                .auth = f->t.web ? NULL : svc_auth(f, auth, sizeof auth),
                .body = hitl_buf_str(&body),
                .body_len = body.len};
    hitl_http_response resp;
    hitl_err err = {0};
    bool was_consumed = target && target->consumed;
    rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_SUBMIT, &q, NULL};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    if (target && resp.status == 200) {
        if (was_consumed) {
            found(out, idx, true, "invariant", "invariant/submitted-form-accepted-another-submit",
                  "submit: HTTP 200 for a form already submitted (§7.4)");
        } else if (reject[0]) {
            char sig[160];
            snprintf(sig, sizeof sig, "invariant/contract-reject-accepted/%.100s", reject);
            found(out, idx, strstr(reject, "another form") != NULL, "invariant", sig,
                  "submit: HTTP 200 for a submission the contract rejects: %s (§7.3)", reject);
        }
        if (out->found && out->op_index == idx && !out->path)
            record_request(f, out, &s, resp.status);
        target->consumed = true;
    } else if (target && !was_consumed && resp.status >= 400 && resp.status < 500 &&
               resp.status != 412 && resp.status != 404) {
        target->rejected = true;
    }
    feature(
        f, mix(mix(kinds * 2654435761u, &resp.status, sizeof resp.status), a.code, strlen(a.code)) ^
               (reject[0] ? 0x5bd1e995u : 0) ^ (r->p[0] % 8u) * 40503u);
    hitl_http_response_free(&resp);
    hitl_buf_free(&body);
    return 0;
}

typedef struct pair_arg {
    hitl_fuzz *f;
    fz_http *h;
    const fz_req *q;
    hitl_http_response resp;
    hitl_err err;
    int rc;
} pair_arg;

static void *pair_thread(void *p)
{
    pair_arg *a = p;
    a->rc = do_req_on(a->f, a->h, a->q, &a->resp, &a->err);
    return NULL;
}

static int op_submit_pair(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    (void)r;
    fz_form *fm = &f->cur;
    if (!fm->form || !fm->valid)
        return 0;
    fz_submit_ctx c;
    submit_ctx(f, fm, &c);
    fz_rec valid = {.op = FZ_SUBMIT};
    hitl_buf body;
    hitl_buf_init(&body, 1u << 20);
    char reject[128], path[4096], auth[512];
    uint32_t kinds;
    if (fz_submit_write(&c, &valid, &body, reject, sizeof reject, &kinds) ||
        form_path(path, sizeof path, f->t.web, fm->token, "")) {
        hitl_buf_free(&body);
        return 0;
    }
    fz_req q = {.method = "POST",
                .path = path,
                .auth = f->t.web ? NULL : svc_auth(f, auth, sizeof auth),
                .body = hitl_buf_str(&body),
                .body_len = body.len};
    bool was_consumed = fm->consumed;
    pair_arg a = {f, f->http, &q, {0}, {0}, 0}, b = {f, f->http2, &q, {0}, {0}, 0};
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, pair_thread, &b) == 0;
    pair_thread(&a);
    if (threaded)
        pthread_join(th, NULL);
    else
        pair_thread(&b);
    answer aa, ab;
    sent s = {FZ_SUBMIT_PAIR, &q, NULL};
    judge(f, idx, &s, a.rc, &a.resp, &a.err, &aa, out);
    judge(f, idx, &s, b.rc, &b.resp, &b.err, &ab, out);
    int ok = (a.resp.status == 200) + (b.resp.status == 200);
    if (ok == 2 || (was_consumed && ok)) {
        found(out, idx, true, "invariant",
              was_consumed ? "invariant/submitted-form-accepted-another-submit"
                           : "invariant/concurrent-submits-both-accepted",
              was_consumed ? "submit-pair: HTTP 200 for a form already submitted (§7.4)"
                           : "submit-pair: two concurrent valid submits of one form both "
                             "answered 200 (§7.4: a form takes one submission)");
        if (!out->path)
            record_request(f, out, &s, 200);
    }
    if (ok)
        fm->consumed = true;
    feature(f, mix(5u, &ok, sizeof ok) ^ (uint32_t)a.resp.status * 31u ^ (uint32_t)b.resp.status);
    hitl_http_response_free(&a.resp);
    hitl_http_response_free(&b.resp);
    hitl_buf_free(&body);
    return 0;
}

static int first_bytes(void *user, const char *data, size_t len)
{
    (void)user;
    (void)data;
    return len > 0; /* the stream answered: enough for the oracles */
}

static int op_resume(hitl_fuzz *f, unsigned idx, const fz_rec *r, hitl_fuzz_outcome *out)
{
    if (!f->cur.run_id)
        return 0;
    hitl_buf b;
    hitl_buf_init(&b, 4096);
    hitl_buf_append_str(&b, "/v1/workflow/");
    hitl_url_encode(&b, (r->tok & 7u) == 4 && f->other.run_id ? f->other.run_id : f->cur.run_id);
    hitl_buf_append_str(&b, "/events?user=");
    hitl_url_encode(&b, r->p[0] & 1 ? "someone-else" : f->cur.user);
    char auth[512];
    /* A paused run's stream stays open for pings: a short wait, ended by the first bytes. */
    fz_req q = {.on_body = first_bytes,
                .method = "GET",
                .path = hitl_buf_str(&b),
                .auth = svc_auth(f, auth, sizeof auth),
                .timeout_ms = 25};
    hitl_http_response resp;
    hitl_err err = {0};
    int rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_RESUME, &q, NULL};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    hitl_http_response_free(&resp);
    hitl_buf_free(&b);
    return 0;
}

/* rejected_consumed: a rejected submit must leave the form open (§7.4): GET it once. */
static void check_rejected(hitl_fuzz *f, unsigned idx, hitl_fuzz_outcome *out)
{
    fz_form *fm = &f->cur;
    if (out->found || !fm->rejected || fm->consumed)
        return;
    char path[4096], auth[512];
    if (form_path(path, sizeof path, f->t.web, fm->token, ""))
        return;
    fz_req q = {
        .method = "GET", .path = path, .auth = f->t.web ? NULL : svc_auth(f, auth, sizeof auth)};
    hitl_http_response resp;
    hitl_err err = {0};
    int rc = do_req(f, &q, &resp, &err);
    answer a;
    sent s = {FZ_GET, &q, NULL};
    judge(f, idx, &s, rc, &resp, &err, &a, out);
    if (!rc && resp.status == 412) {
        found(out, idx, true, "invariant", "invariant/rejected-submit-consumed-form",
              "a rejected submit left the form submitted: its GET answers 412 (§7.4)");
        record_request(f, out, &s, resp.status);
    }
    fm->rejected = false;
    hitl_http_response_free(&resp);
}

void hitl_fuzz_outcome_clear(hitl_fuzz_outcome *o)
{
    free(o->path);
    free(o->auth);
    free(o->content_type);
    free(o->body);
    free(o->upload_name);
    free(o->upload_filename);
    free(o->upload_type);
    free(o->upload_data);
    memset(o, 0, sizeof *o);
}

int hitl_fuzz_exec(hitl_fuzz *f, const uint8_t *data, size_t len, hitl_fuzz_outcome *out,
                   hitl_err *err)
{
    memset(out, 0, sizeof *out);
    if (f->cur.consumed || !f->cur.form) {
        int rc = refresh(f, &f->cur, err);
        if (rc)
            return rc;
    }
    if (f->other.consumed || !f->other.form) {
        int rc = refresh(f, &f->other, err);
        if (rc)
            return rc;
    }
    f->cur.rejected = false;
    fz_scenario sc;
    fz_decode(data, len, &sc);
    f->stats.scenarios++;
    for (unsigned i = 0; i < sc.n && !out->found; i++) {
        const fz_rec *r = &sc.rec[i];
        switch (r->op) {
        case FZ_GET:
            op_get(f, i, r, out);
            break;
        case FZ_UPLOAD_TOKEN:
            op_upload_token(f, i, r, out);
            break;
        case FZ_UPLOAD:
            op_upload(f, i, r, out);
            break;
        case FZ_SUBMIT:
            op_submit(f, i, r, out);
            break;
        case FZ_SUBMIT_PAIR:
            op_submit_pair(f, i, r, out);
            break;
        case FZ_RESUME:
            op_resume(f, i, r, out);
            break;
        case FZ_OP__COUNT:
            break;
        }
    }
    check_rejected(f, sc.n ? sc.n - 1 : 0, out);
    return 0;
}
