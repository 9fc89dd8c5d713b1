/* lifecycle.c: resuming and timing out paused runs. */
#include "lifecycle.h"

#include "events.h"
#include "flow.h"
#include "ids.h"
#include "state.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void publish(hitl_refserver *s, const rs_run *run, hitl_buf *frames)
{
    /* regress-resume-not-closed (dify#34631): the streams stay open after the finish. */
    rs_publish_close close =
        rs_fault_active(s, RS_F_REGRESS_RESUME_NOT_CLOSED) ? RS_CLOSE_NONE : RS_CLOSE_FINISH;
    rs_hub_publish(s->hub, run->id, hitl_buf_str(frames), frames->len, close);
}

/* repause moves a two-node app's run, its first form submitted, on to its second Human
 * Input node: a new form (id, token, node execution, expiration_time, global deadline from
 * the new form's creation, GET bodies) that waits, while the first form's token keeps
 * answering 412 human_input_form_submitted. Called with the state lock held; fills |first|
 * (the run as it was) and |next| (as it is now). 0, or HITL_E_NOMEM with the run unchanged. */
static int repause(hitl_refserver *s, rs_run *live, rs_run *first, rs_run *next)
{
    rs_run n = *live;
    n.get_body[0] = n.get_body[1] = NULL;
    n.submitted = NULL;
    n.node = 1;
    memcpy(n.first_form_id, live->form_id, sizeof n.first_form_id);
    memcpy(n.first_token, live->token, sizeof n.first_token);
    memcpy(n.first_action, live->submitted_action, sizeof n.first_action);
    rs_uuid4(n.form_id);
    rs_uuid4(n.node_exec_id);
    rs_token_urlsafe(n.token, sizeof n.token, "", 16);
    int64_t now = rs_now_s(), ttl = s->cfg.apps[live->app].form_ttl_s;
    n.expiration_time = now + (ttl > 0 ? ttl : s->cfg.form_ttl_s);
    if (!rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_IGNORED))
        n.global_deadline = now + s->cfg.global_timeout_s;
    n.form_status = RS_FORM_WAITING;
    n.run_status = RS_RUN_PAUSED;
    n.submitted_action[0] = n.action[0] = '\0';
    char *bodies[2] = {rs_events_get_body(s, &n, 0), rs_events_get_body(s, &n, 1)};
    if (!bodies[0] || !bodies[1] || rs_state_add_form_token(&s->state, n.token, live)) {
        free(bodies[0]);
        free(bodies[1]);
        return HITL_E_NOMEM;
    }
    *first = *live;
    first->get_body[0] = first->get_body[1] = NULL;
    first->submitted = NULL;
    free(live->get_body[0]);
    free(live->get_body[1]);
    n.submitted = live->submitted; /* the first form's values stay with the run */
    *live = n;
    for (int web = 0; web < 2; web++) {
        live->get_body[web] = bodies[web];
        live->get_len[web] = strlen(bodies[web]);
    }
    *next = *live;
    next->get_body[0] = next->get_body[1] = NULL;
    next->submitted = NULL;
    return HITL_OK;
}

void rs_lifecycle_resume_job(hitl_refserver *s, const char *run_id)
{
    rs_state_lock(&s->state);
    rs_run *live = rs_state_run(&s->state, run_id);
    if (live && live->flow) { /* an --app-dsl run: its graph says what comes next */
        rs_state_unlock(&s->state);
        rs_flow_resume(s, run_id);
        return;
    }
    if (!live || live->run_status != RS_RUN_RESUMING) {
        rs_state_unlock(&s->state);
        return;
    }
    if (s->cfg.apps[live->app].two_nodes && live->node == 0) {
        rs_run first, next;
        cJSON *submitted = live->submitted ? cJSON_Parse(live->submitted) : NULL;
        int rc = repause(s, live, &first, &next);
        rs_state_unlock(&s->state);
        hitl_buf frames;
        hitl_buf_init(&frames, 4u << 20);
        /* workflow_paused ends the streams that end on a pause; continue_on_pause ones stay. */
        if (!rc && rs_events_repaused(s, &first, &next, submitted, &frames) == 0)
            rs_hub_publish(s->hub, next.id, hitl_buf_str(&frames), frames.len, RS_CLOSE_PAUSE);
        hitl_buf_free(&frames);
        cJSON_Delete(submitted);
        return;
    }
    live->run_status = RS_RUN_SUCCEEDED;
    live->finished_at = rs_now_s();
    rs_run run = *live;
    cJSON *submitted = live->submitted ? cJSON_Parse(live->submitted) : NULL;
    rs_state_unlock(&s->state);

    hitl_buf frames, end;
    hitl_buf_init(&frames, 4u << 20);
    hitl_buf_init(&end, 64u << 10);
    if (rs_events_resumed(s, &run, run.submitted_action, submitted, &frames) == 0 &&
        rs_events_message_end(s, &run, &end) == 0) {
        if (end.len) {
            /* workflow_finished ends the streams that end on a terminal event; message_end
             * then reaches only continue_on_pause streams, and ends them. */
            rs_hub_publish(s->hub, run.id, hitl_buf_str(&frames), frames.len, RS_CLOSE_PAUSE);
            publish(s, &run, &end);
        } else {
            publish(s, &run, &frames);
        }
    }
    hitl_buf_free(&end);
    cJSON_Delete(submitted);
    hitl_buf_free(&frames);
}

void rs_lifecycle_sweep(hitl_refserver *s)
{
    int64_t now = rs_now_s();
    size_t n = 0, cap = 0, nflows = 0, capflows = 0;
    rs_run *due = NULL;
    char(*flows)[RS_ID_LEN] = NULL; /* --app-dsl runs with a form due: flow.c times them out */
    rs_state_lock(&s->state);
    for (rs_map_entry *e = rs_map_oldest(&s->state.runs); e; e = e->newer) {
        rs_run *run = e->val;
        if (run->flow) {
            if (!rs_flow_due(s, run, now))
                continue;
            if (nflows == capflows) {
                size_t ncap = capflows ? capflows * 2 : 16;
                char(*nf)[RS_ID_LEN] = realloc(flows, ncap * sizeof *nf);
                if (!nf)
                    continue; /* the next sweep tries again */
                flows = nf;
                capflows = ncap;
            }
            memcpy(flows[nflows++], run->id, RS_ID_LEN);
            continue;
        }
        if (run->form_status != RS_FORM_WAITING)
            continue;
        /* global-timeout-get-only: nothing but the GET ever looks at the global deadline. */
        if (run->global_deadline <= now && !rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_GET_ONLY)) {
            run->form_status = RS_FORM_EXPIRED;
            run->run_status = RS_RUN_STOPPED;
        } else if (run->expiration_time <= now) {
            run->form_status = RS_FORM_TIMEOUT;
            run->run_status = RS_RUN_SUCCEEDED;
            snprintf(run->action, sizeof run->action, "__timeout");
        } else {
            continue;
        }
        run->finished_at = now;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            rs_run *nd = realloc(due, ncap * sizeof *nd);
            if (!nd)
                continue; /* marked, but its events are lost: memory is gone anyway */
            due = nd;
            cap = ncap;
        }
        due[n++] = *run;
    }
    rs_state_unlock(&s->state);
    for (size_t i = 0; i < n; i++) {
        hitl_buf frames;
        hitl_buf_init(&frames, 1u << 20);
        int rc = due[i].form_status == RS_FORM_TIMEOUT
                     ? rs_events_timeout(s, &due[i], &frames)
                     : rs_events_workflow_finished(s, &due[i], &frames);
        if (!rc)
            publish(s, &due[i], &frames);
        hitl_buf_free(&frames);
    }
    free(due);
    for (size_t i = 0; i < nflows; i++)
        rs_flow_sweep(s, flows[i]);
    free(flows);
}
