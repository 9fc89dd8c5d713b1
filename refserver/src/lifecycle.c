/* lifecycle.c: resuming and timing out paused runs. */
#include "lifecycle.h"

#include "events.h"
#include "state.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void publish(hitl_refserver *s, const rs_run *run, hitl_buf *frames)
{
    rs_hub_publish(s->hub, run->id, hitl_buf_str(frames), frames->len, RS_CLOSE_FINISH);
}

void rs_lifecycle_resume_job(hitl_refserver *s, const char *run_id)
{
    rs_state_lock(&s->state);
    rs_run *live = rs_state_run(&s->state, run_id);
    if (!live || live->run_status != RS_RUN_RESUMING) {
        rs_state_unlock(&s->state);
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
    size_t n = 0, cap = 0;
    rs_run *due = NULL;
    rs_state_lock(&s->state);
    for (rs_map_entry *e = rs_map_oldest(&s->state.runs); e; e = e->newer) {
        rs_run *run = e->val;
        if (run->form_status != RS_FORM_WAITING)
            continue;
        if (run->global_deadline <= now) {
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
}
