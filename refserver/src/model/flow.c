/* flow.c: --app-dsl runs, executed node by node from the app's graph (flow.h). The node
 * semantics are the few the conformance apps use, after Dify's graph engine (graphon): a
 * branch node (IF/ELSE, Human Input) runs the edges whose sourceHandle is the case id
 * ("false": no case matched), the action id, or "__timeout"; every other node runs all its
 * out-edges; an Answer node streams its rendered text; End nodes' outputs are merged into
 * the workflow's outputs. A node is never reached twice: dsl_app.c refuses a graph whose branches
 * join. */
#include "flow.h"

#include "dsl_app.h"
#include "events.h"
#include "formdef.h"
#include "ids.h"
#include "state.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_MAX (1024 * 1024)

struct rs_flow {
    const rs_dsl_app *app;
    cJSON *vars;    /* {"sys": {...}, "<node id>": {"<variable>": value, ...}} */
    cJSON *outputs; /* what End nodes output */
    int index;      /* the last node execution's index (node_started.index) */
    int steps;      /* node executions so far */
    int forms;      /* form records made */
    char *answer;   /* what the Answer nodes streamed, joined (heap, NULL: nothing yet) */
    int parallel;   /* a pause showed two forms or more at once */
    int resumes;    /* submitted forms resumed */
};

/* One pass of execution: the run's first record, the queue of nodes to run, the frames. */
typedef struct exec {
    hitl_refserver *s;
    rs_run *run;
    rs_flow *f;
    hitl_buf *out;
    int shared; /* the run is in the state (lock held): new tokens are registered */
    int queue[64];
    int head, tail;
    int rc;
} exec;

void rs_flow_free(rs_flow *f)
{
    if (!f)
        return;
    cJSON_Delete(f->vars);
    cJSON_Delete(f->outputs);
    free(f->answer);
    free(f);
}

/* The End nodes' outputs and, once an Answer node ran, `answer`: the Answer nodes' texts
 * joined with nothing between them, as Dify's graph engine keeps a response node's `answer`
 * in the run's outputs (EventHandler._update_response_outputs,
 * api/core/workflow/graph_engine/event_management/event_handlers.py@067381a2e6b4fc6944ebee7f571ab403c47066f1).
 */
void rs_flow_outputs(const rs_flow *f, cJSON *outputs)
{
    for (const cJSON *o = f->outputs ? f->outputs->child : NULL; o; o = o->next)
        cJSON_AddItemToObject(outputs, o->string, cJSON_Duplicate(o, 1));
    if (f->answer && !cJSON_GetObjectItemCaseSensitive(outputs, "answer"))
        cJSON_AddStringToObject(outputs, "answer", f->answer);
}

const char *rs_flow_answer(const rs_flow *f)
{
    return f->answer ? f->answer : "";
}

/* add_answer appends |text| to the run's answer (a Chatflow's message, joined). */
static int add_answer(rs_flow *f, const char *text)
{
    size_t have = f->answer ? strlen(f->answer) : 0, add = strlen(text);
    if (have + add > RENDER_MAX)
        return HITL_E_TOO_BIG;
    char *a = realloc(f->answer, have + add + 1);
    if (!a)
        return HITL_E_NOMEM;
    memcpy(a + have, text, add + 1);
    f->answer = a;
    return HITL_OK;
}

const rs_run *rs_flow_waiting(const rs_run *run)
{
    for (const rs_run *rec = run; rec; rec = rec->peer)
        if (rec->form && rec->form_status == RS_FORM_WAITING)
            return rec;
    return run;
}

static const cJSON *lookup(const rs_flow *f, const char *node, const char *var)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->vars, node), var);
}

/* render expands {{#node.var#}} in |tmpl| with the run's variables (absent ones render as
 * ""); {{#$output.name#}} takes |output|'s value, or stays as written when |output| is NULL
 * (a form's content before its submit). Returns a malloc'd string or NULL (no memory, or
 * past RENDER_MAX). */
static char *render(const rs_flow *f, const char *tmpl, const cJSON *output)
{
    hitl_buf b;
    hitl_buf_init(&b, RENDER_MAX);
    int rc = HITL_OK;
    const char *p = tmpl;
    while (!rc && *p) {
        const char *open = strstr(p, "{{#");
        const char *close = open ? strstr(open + 3, "#}}") : NULL;
        if (!close) {
            rc = hitl_buf_append_str(&b, p);
            break;
        }
        rc = hitl_buf_append(&b, p, (size_t)(open - p));
        char inner[160];
        size_t n = (size_t)(close - open - 3);
        const char *dot = memchr(open + 3, '.', n);
        if (rc || n >= sizeof inner || !dot) {
            if (!rc)
                rc = hitl_buf_append(&b, open, (size_t)(close + 3 - open));
            p = close + 3;
            continue;
        }
        memcpy(inner, open + 3, n);
        inner[n] = '\0';
        inner[dot - open - 3] = '\0';
        const char *node = inner, *var = inner + (dot - open - 3) + 1;
        if (!strcmp(node, "$output") && !output)
            rc = hitl_buf_append(&b, open, (size_t)(close + 3 - open));
        else
            rc = rs_py_str(&b, !strcmp(node, "$output")
                                   ? cJSON_GetObjectItemCaseSensitive(output, var)
                                   : lookup(f, node, var));
        p = close + 3;
    }
    char *text = rc ? NULL : strdup(hitl_buf_str(&b));
    hitl_buf_free(&b);
    return text;
}

/* set_var stores |value| (consumed) as |node|.|var|. */
static void set_var(rs_flow *f, const char *node, const char *var, cJSON *value)
{
    cJSON *scope = cJSON_GetObjectItemCaseSensitive(f->vars, node);
    if (!scope)
        scope = cJSON_AddObjectToObject(f->vars, node);
    if (!scope || !value) {
        cJSON_Delete(value);
        return;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(scope, var);
    cJSON_AddItemToObject(scope, var, value);
}

static void enqueue(exec *x, int node)
{
    if (x->tail - x->head >= (int)(sizeof x->queue / sizeof x->queue[0])) {
        x->rc = HITL_E_TOO_BIG;
        return;
    }
    x->queue[x->tail++ % 64] = node;
}

/* follow queues the targets of |node|'s edges with sourceHandle |handle| (NULL: all). */
static void follow(exec *x, int node, const char *handle)
{
    const rs_dsl_app *app = x->f->app;
    for (int e = 0; e < app->nedges; e++)
        if (app->edges[e].src == node && (!handle || !strcmp(app->edges[e].handle, handle)))
            enqueue(x, app->edges[e].dst);
}

static void node_event(exec *x, const rs_dsl_step *n, const char *exec_id, int index,
                       const char *status)
{
    if (!x->rc)
        x->rc = rs_events_frame(
            x->s, x->run, status ? "node_finished" : "node_started",
            rs_events_node(x->run, exec_id, n->id, n->type, n->title, index, status), x->out);
}

static int cond_true(const rs_flow *f, const rs_dsl_cond *c)
{
    hitl_buf b;
    hitl_buf_init(&b, RENDER_MAX);
    rs_py_str(&b, lookup(f, c->node, c->var));
    const char *v = hitl_buf_str(&b);
    int r = 0;
    switch (c->op) {
    case RS_OP_CONTAINS:
        r = strstr(v, c->value) != NULL;
        break;
    case RS_OP_NOT_CONTAINS:
        r = strstr(v, c->value) == NULL;
        break;
    case RS_OP_IS:
        r = !strcmp(v, c->value);
        break;
    case RS_OP_IS_NOT:
        r = strcmp(v, c->value) != 0;
        break;
    case RS_OP_EMPTY:
        r = !*v;
        break;
    case RS_OP_NOT_EMPTY:
        r = *v != '\0';
        break;
    }
    hitl_buf_free(&b);
    return r;
}

/* The sourceHandle an IF/ELSE node takes: the first case that holds, else "false". */
static const char *if_else_handle(const rs_flow *f, const rs_dsl_step *n)
{
    for (int i = 0; i < n->ncases; i++) {
        const rs_dsl_case *k = &n->cases[i];
        int all = 1, any = 0;
        for (int j = 0; j < k->ncond; j++) {
            int t = cond_true(f, &k->conds[j]);
            all &= t;
            any |= t;
        }
        if (k->all ? all : any)
            return k->case_id;
    }
    return "false";
}

/* pause_at gives Human Input node |i| a form: the run's first record when it has none yet,
 * else a new peer record; emits node_started and human_input_required. */
static void pause_at(exec *x, int i)
{
    hitl_refserver *s = x->s;
    const rs_dsl_step *n = &x->f->app->nodes[i];
    rs_run *rec = x->run;
    if (x->f->forms >= RS_FLOW_MAX_FORMS) {
        x->rc = HITL_E_TOO_BIG;
        return;
    }
    if (rec->form) {
        rs_run *peer = malloc(sizeof *peer);
        if (!peer) {
            x->rc = HITL_E_NOMEM;
            return;
        }
        *peer = *x->run; /* the run's ids; the form fields are set below */
        peer->get_body[0] = peer->get_body[1] = NULL;
        peer->submitted = peer->content = NULL;
        peer->flow = NULL;
        peer->peer = NULL;
        peer->first = x->run;
        rs_run *last = x->run;
        while (last->peer)
            last = last->peer;
        last->peer = peer;
        rec = peer;
    }
    x->f->forms++;
    rec->form = n->form;
    rec->dsl_node = i;
    rec->node = 0;
    rs_uuid4(rec->form_id);
    rs_uuid4(rec->node_exec_id);
    rs_token_urlsafe(rec->token, sizeof rec->token, "", 16);
    const hitl_refserver_config *cfg = &s->cfg;
    int64_t now = rs_now_s();
    /* --form-ttl wins (tests need short timeouts), then --app-dsl's TTL, then the node's. */
    int64_t ttl = cfg->form_ttl_set                ? cfg->form_ttl_s
                  : cfg->apps[rec->app].form_ttl_s ? cfg->apps[rec->app].form_ttl_s
                  : n->timeout_s                   ? n->timeout_s
                                                   : cfg->form_ttl_s;
    rec->expiration_time = now + ttl;
    rec->global_deadline =
        rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_IGNORED) ? INT64_MAX : now + cfg->global_timeout_s;
    rec->form_status = RS_FORM_WAITING;
    rec->run_status = RS_RUN_PAUSED;
    rec->submitted_action[0] = rec->action[0] = rec->first_token[0] = '\0';
    rec->first_form_id[0] = rec->last_upload_token[0] = '\0';
    free(rec->content);
    rec->content = render(x->f, n->form->form_content, NULL);
    for (int web = 0; web < 2; web++) {
        free(rec->get_body[web]);
        rec->get_body[web] = rs_events_get_body(s, rec, web);
        rec->get_len[web] = rec->get_body[web] ? strlen(rec->get_body[web]) : 0;
    }
    if (!rec->content || !rec->get_body[0] || !rec->get_body[1] ||
        (x->shared && rs_state_add_form_token(&s->state, rec->token, rec))) {
        rec->form_status = RS_FORM_SUBMITTED; /* never served: its token answers 412 */
        x->rc = HITL_E_NOMEM;
        return;
    }
    node_event(x, n, rec->node_exec_id, ++x->f->index, NULL);
    if (!x->rc)
        x->rc = rs_events_required(s, rec, x->out);
}

static void run_node(exec *x, int i)
{
    rs_flow *f = x->f;
    const rs_dsl_step *n = &f->app->nodes[i];
    if (++f->steps > RS_FLOW_MAX_STEPS) {
        x->rc = HITL_E_TOO_BIG;
        return;
    }
    if (n->kind == RS_DSL_HUMAN_INPUT) {
        pause_at(x, i);
        return;
    }
    char exec_id[RS_ID_LEN];
    rs_uuid4(exec_id);
    int index = ++f->index;
    node_event(x, n, exec_id, index, NULL);
    const char *handle = NULL;
    if (n->kind == RS_DSL_IF_ELSE) {
        handle = if_else_handle(f, n);
    } else if (n->kind == RS_DSL_ANSWER) {
        char *text = render(f, n->answer, NULL);
        if (!text)
            x->rc = HITL_E_NOMEM;
        /* regress-answer-lost (dify#38432): after a resume the stream filter that lets an
         * Answer's text through is gone, so the node runs but streams nothing. */
        int lost = x->shared && rs_fault_active(x->s, RS_F_REGRESS_ANSWER_LOST);
        if (!x->rc && !lost)
            x->rc = rs_events_message(x->s, x->run, text, x->out);
        if (text && !x->rc)
            x->rc = add_answer(f, text);
        if (text)
            set_var(f, n->id, "answer", cJSON_CreateString(text));
        free(text);
    } else if (n->kind == RS_DSL_END) {
        for (const cJSON *o = n->outputs->child; o; o = o->next) {
            const cJSON *sel = cJSON_GetObjectItemCaseSensitive(o, "value_selector");
            const cJSON *v = lookup(f, cJSON_GetArrayItem(sel, 0)->valuestring,
                                    cJSON_GetArrayItem(sel, 1)->valuestring);
            const char *name = cJSON_GetObjectItemCaseSensitive(o, "variable")->valuestring;
            cJSON_DeleteItemFromObjectCaseSensitive(f->outputs, name);
            cJSON_AddItemToObject(f->outputs, name, v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
        }
    }
    node_event(x, n, exec_id, index, "succeeded");
    follow(x, i, handle);
}

static void drain(exec *x)
{
    while (!x->rc && x->head < x->tail)
        run_node(x, x->queue[x->head++ % 64]);
}

typedef enum ending { ENDING_NONE = 0, ENDING_PAUSED, ENDING_FINISHED } ending;

/* finish decides what the run is after a pass: paused (a form waits and none is about to
 * resume: workflow_paused), finished (nothing waits: workflow_finished, and a Chatflow's
 * message_end into |end|), or neither (a submitted form's resume is still to come). */
static ending finish(exec *x, hitl_buf *end)
{
    int waiting = 0, resuming = 0;
    for (const rs_run *rec = x->run; rec; rec = rec->peer) {
        waiting |= rec->form && rec->form_status == RS_FORM_WAITING;
        resuming |= rec->form && rec->form_status == RS_FORM_SUBMITTED &&
                    rec->run_status == RS_RUN_RESUMING;
    }
    if (x->rc || resuming)
        return ENDING_NONE;
    if (waiting) {
        int forms = 0;
        for (const rs_run *rec = x->run; rec; rec = rec->peer)
            forms += rec->form && rec->form_status == RS_FORM_WAITING;
        x->f->parallel |= forms > 1;
        x->run->run_status = RS_RUN_PAUSED;
        x->rc = rs_events_paused(x->s, x->run, x->out);
        return ENDING_PAUSED;
    }
    x->run->run_status = RS_RUN_SUCCEEDED;
    x->run->finished_at = rs_now_s();
    x->rc = rs_events_workflow_finished(x->s, x->run, x->out);
    if (!x->rc)
        x->rc = rs_events_message_end(x->s, x->run, end);
    return ENDING_FINISHED;
}

int rs_flow_start(hitl_refserver *s, rs_run *run, const char *query, hitl_buf *out)
{
    rs_flow *f = calloc(1, sizeof *f);
    if (!f)
        return HITL_E_NOMEM;
    f->app = s->dsl[run->app];
    f->vars = cJSON_CreateObject();
    f->outputs = cJSON_CreateObject();
    run->flow = f;
    run->form = NULL;
    run->dsl_node = -1;
    cJSON *sys = f->vars ? cJSON_AddObjectToObject(f->vars, "sys") : NULL;
    if (!sys || !f->outputs)
        return HITL_E_NOMEM; /* the caller frees the run, and with it the flow */
    if (query)
        cJSON_AddStringToObject(sys, "query", query);
    cJSON_AddStringToObject(sys, "user_id", run->user);
    cJSON_AddStringToObject(sys, "workflow_run_id", run->id);
    exec x = {.s = s, .run = run, .f = f, .out = out};
    x.rc = rs_events_started(s, run, out);
    enqueue(&x, f->app->start);
    drain(&x);
    hitl_buf end;
    hitl_buf_init(&end, 64u << 10);
    finish(&x, &end);
    if (!x.rc && end.len)
        x.rc = hitl_buf_append(out, hitl_buf_str(&end), end.len);
    hitl_buf_free(&end);
    return x.rc;
}

/* publish sends a pass's frames to the run's streams: a pause ends the streams that end on
 * a pause; a finish ends them all, a Chatflow's message_end reaching only continue_on_pause
 * streams (the others end on workflow_finished), as the built-in flow does. */
static void publish(hitl_refserver *s, const char *run_id, ending how, const hitl_buf *frames,
                    const hitl_buf *end)
{
    /* regress-resume-not-closed (dify#34631): the streams stay open after the finish. */
    rs_publish_close fin =
        rs_fault_active(s, RS_F_REGRESS_RESUME_NOT_CLOSED) ? RS_CLOSE_NONE : RS_CLOSE_FINISH;
    if (how == ENDING_FINISHED && end->len) {
        rs_hub_publish(s->hub, run_id, hitl_buf_str(frames), frames->len, RS_CLOSE_PAUSE);
        rs_hub_publish(s->hub, run_id, hitl_buf_str(end), end->len, fin);
    } else if (frames->len) {
        rs_hub_publish(s->hub, run_id, hitl_buf_str(frames), frames->len,
                       how == ENDING_FINISHED ? fin
                       : how == ENDING_PAUSED ? RS_CLOSE_PAUSE
                                              : RS_CLOSE_NONE);
    }
}

/* on_form_done records what the form of |rec| gave (its values and __action_id, or
 * "__timeout") and queues the edges of |handle|. */
static void on_form_done(exec *x, rs_run *rec, const cJSON *submitted, const char *action,
                         const char *handle)
{
    rs_flow *f = x->f;
    const rs_dsl_step *n = &f->app->nodes[rec->dsl_node];
    for (const cJSON *v = submitted ? submitted->child : NULL; v; v = v->next)
        set_var(f, n->id, v->string, cJSON_Duplicate(v, 1));
    set_var(f, n->id, "__action_id", cJSON_CreateString(action));
    char *rendered = render(f, rec->content ? rec->content : "", submitted);
    set_var(f, n->id, "__rendered_content", cJSON_CreateString(rendered ? rendered : ""));
    free(rendered);
    node_event(x, n, rec->node_exec_id, ++f->index, "succeeded");
    follow(x, rec->dsl_node, handle);
    drain(x);
}

void rs_flow_resume(hitl_refserver *s, const char *run_id)
{
    hitl_buf frames, end;
    hitl_buf_init(&frames, 4u << 20);
    hitl_buf_init(&end, 64u << 10);
    char id[RS_ID_LEN];
    snprintf(id, sizeof id, "%s", run_id);
    rs_state_lock(&s->state);
    rs_run *run = rs_state_run(&s->state, id);
    ending how = ENDING_NONE;
    if (run && run->flow && run->run_status != RS_RUN_SUCCEEDED &&
        run->run_status != RS_RUN_STOPPED) {
        exec x = {.s = s, .run = run, .f = run->flow, .out = &frames, .shared = 1};
        for (rs_run *rec = run; rec && !x.rc; rec = rec->peer) {
            if (!rec->form || rec->form_status != RS_FORM_SUBMITTED ||
                rec->run_status != RS_RUN_RESUMING)
                continue;
            /* regress-parallel-stuck (dify#42103, as PR #42107 explains it): the second
             * resume finds the run no longer paused and is dropped; the first pauses again
             * without seeing the second submission, so the run stays paused for good. */
            if (x.f->parallel && x.f->resumes > 0 &&
                rs_fault_active(s, RS_F_REGRESS_PARALLEL_STUCK))
                continue;
            x.f->resumes++;
            rec->run_status = RS_RUN_PAUSED; /* this record's resume is being done */
            cJSON *submitted = rec->submitted ? cJSON_Parse(rec->submitted) : NULL;
            x.rc = rs_events_filled(s, rec, rec->submitted_action, submitted, &frames);
            if (!x.rc)
                on_form_done(&x, rec, submitted, rec->submitted_action, rec->action);
            cJSON_Delete(submitted);
        }
        how = finish(&x, &end);
    }
    rs_state_unlock(&s->state);
    publish(s, id, how, &frames, &end);
    hitl_buf_free(&frames);
    hitl_buf_free(&end);
}

int rs_flow_due(const hitl_refserver *s, const rs_run *run, int64_t now)
{
    if (run->run_status == RS_RUN_SUCCEEDED || run->run_status == RS_RUN_STOPPED)
        return 0;
    for (const rs_run *rec = run; rec; rec = rec->peer)
        if (rec->form && rec->form_status == RS_FORM_WAITING &&
            (rec->expiration_time <= now ||
             (rec->global_deadline <= now && !rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_GET_ONLY))))
            return 1;
    return 0;
}

void rs_flow_sweep(hitl_refserver *s, const char *run_id)
{
    hitl_buf frames, end;
    hitl_buf_init(&frames, 4u << 20);
    hitl_buf_init(&end, 64u << 10);
    char id[RS_ID_LEN];
    snprintf(id, sizeof id, "%s", run_id);
    int64_t now = rs_now_s();
    ending how = ENDING_NONE;
    rs_state_lock(&s->state);
    rs_run *run = rs_state_run(&s->state, id);
    if (run && run->flow && rs_flow_due(s, run, now)) {
        exec x = {.s = s, .run = run, .f = run->flow, .out = &frames, .shared = 1};
        int stopped = 0;
        for (rs_run *rec = run; rec && !x.rc && !stopped; rec = rec->peer) {
            if (!rec->form || rec->form_status != RS_FORM_WAITING)
                continue;
            if (rec->global_deadline <= now && !rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_GET_ONLY)) {
                stopped = 1;
            } else if (rec->expiration_time <= now) {
                rec->form_status = RS_FORM_TIMEOUT;
                snprintf(rec->action, sizeof rec->action, "__timeout");
                const rs_formdef *form = rec->form;
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "node_id", form->node_id);
                cJSON_AddStringToObject(d, "node_title", form->node_title);
                cJSON_AddNumberToObject(d, "expiration_time", (double)rec->expiration_time);
                x.rc = rs_events_frame(s, rec, "human_input_form_timeout", d, &frames);
                if (!x.rc)
                    on_form_done(&x, rec, NULL, "", "__timeout"); /* Dify: __action_id "" */
            }
        }
        if (stopped) { /* the global deadline: every waiting form expires, the run stops */
            for (rs_run *rec = run; rec; rec = rec->peer)
                if (rec->form && rec->form_status == RS_FORM_WAITING)
                    rec->form_status = RS_FORM_EXPIRED;
            run->run_status = RS_RUN_STOPPED;
            run->finished_at = now;
            if (!x.rc)
                x.rc = rs_events_workflow_finished(s, run, &frames);
            how = ENDING_FINISHED;
        } else {
            how = finish(&x, &end);
        }
    }
    rs_state_unlock(&s->state);
    publish(s, id, how, &frames, &end);
    hitl_buf_free(&frames);
    hitl_buf_free(&end);
}
