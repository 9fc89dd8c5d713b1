/* state.c: the in-memory store behind the API. */
#include "state.h"

#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_free(void *p)
{
    rs_run *r = p;
    while (r) {
        rs_run *next = r->peer;
        free(r->submitted);
        free(r->content);
        free(r->get_body[0]);
        free(r->get_body[1]);
        rs_flow_free(r->flow);
        free(r);
        r = next;
    }
}

int rs_state_init(rs_state *st)
{
    memset(st, 0, sizeof *st);
    if (rs_map_init(&st->runs, 4096, run_free) || rs_map_init(&st->runs_by_token, 4096, NULL) ||
        rs_map_init(&st->upload_tokens, 4096, free) || rs_map_init(&st->uploads, 4096, free)) {
        rs_state_free(st);
        return HITL_E_NOMEM;
    }
    pthread_mutex_init(&st->mu, NULL);
    return HITL_OK;
}

void rs_state_free(rs_state *st)
{
    if (st->runs.buckets)
        pthread_mutex_destroy(&st->mu);
    rs_map_free(&st->runs_by_token);
    rs_map_free(&st->runs);
    rs_map_free(&st->upload_tokens);
    rs_map_free(&st->uploads);
}

void rs_state_lock(rs_state *st)
{
    pthread_mutex_lock(&st->mu);
}

void rs_state_unlock(rs_state *st)
{
    pthread_mutex_unlock(&st->mu);
}

static int finished(const rs_run *r)
{
    return r->run_status == RS_RUN_SUCCEEDED || r->run_status == RS_RUN_STOPPED;
}

int rs_state_add_run(rs_state *st, rs_run *run, size_t max_runs)
{
    if (st->runs.count >= max_runs) {
        rs_map_entry *e = rs_map_oldest(&st->runs);
        while (e && !finished(e->val))
            e = e->newer;
        if (!e) {
            run_free(run);
            return HITL_E_TOO_BIG;
        }
        for (rs_run *old = e->val; old; old = old->peer) {
            rs_map_take(&st->runs_by_token, old->token);
            if (old->first_token[0])
                rs_map_take(&st->runs_by_token, old->first_token);
        }
        rs_map_del(&st->runs, ((rs_run *)e->val)->id);
    }
    if (rs_map_put(&st->runs, run->id, run)) {
        run_free(run);
        return HITL_E_NOMEM;
    }
    for (rs_run *rec = run; rec; rec = rec->peer) /* a DSL run's parallel forms too */
        if (rs_map_put(&st->runs_by_token, rec->token, rec)) {
            for (rs_run *done = run; done != rec; done = done->peer)
                rs_map_take(&st->runs_by_token, done->token);
            rs_map_del(&st->runs, run->id);
            return HITL_E_NOMEM;
        }
    return HITL_OK;
}

void rs_state_free_run(rs_run *run)
{
    run_free(run);
}

rs_run *rs_state_run(rs_state *st, const char *run_id)
{
    return rs_map_get(&st->runs, run_id);
}

rs_run *rs_state_run_by_token(rs_state *st, const char *form_token)
{
    return rs_map_get(&st->runs_by_token, form_token);
}

int rs_state_add_form_token(rs_state *st, const char *token, rs_run *run)
{
    return rs_map_put(&st->runs_by_token, token, run) ? HITL_E_NOMEM : HITL_OK;
}

int rs_state_add_upload_token(rs_state *st, const char *token, const char *run_id,
                              const char *form_id, size_t max)
{
    if (rs_map_get(&st->upload_tokens, token))
        return HITL_OK; /* upload-token-reused hands the same token out again */
    while (st->upload_tokens.count >= max && rs_map_oldest(&st->upload_tokens))
        rs_map_del(&st->upload_tokens, rs_map_oldest(&st->upload_tokens)->key);
    rs_upload_grant *g = calloc(1, sizeof *g);
    if (!g)
        return HITL_E_NOMEM;
    snprintf(g->run_id, sizeof g->run_id, "%s", run_id);
    snprintf(g->form_id, sizeof g->form_id, "%s", form_id);
    if (rs_map_put(&st->upload_tokens, token, g)) {
        free(g);
        return HITL_E_NOMEM;
    }
    return HITL_OK;
}

rs_run *rs_state_upload_token_run(rs_state *st, const char *token, char form_id[RS_ID_LEN])
{
    const rs_upload_grant *g = rs_map_get(&st->upload_tokens, token);
    if (!g)
        return NULL;
    memcpy(form_id, g->form_id, RS_ID_LEN);
    rs_run *run = rs_state_run(st, g->run_id);
    /* A DSL run's form records (flow.h): the one the token was issued for, if it is one. */
    for (rs_run *rec = run; rec; rec = rec->peer)
        if (!strcmp(rec->form_id, g->form_id))
            return rec;
    return run;
}

int rs_state_add_upload(rs_state *st, rs_upload *u, size_t max)
{
    while (st->uploads.count >= max && rs_map_oldest(&st->uploads))
        rs_map_del(&st->uploads, rs_map_oldest(&st->uploads)->key);
    if (rs_map_put(&st->uploads, u->id, u)) {
        free(u);
        return HITL_E_NOMEM;
    }
    return HITL_OK;
}

rs_upload *rs_state_upload(rs_state *st, const char *id)
{
    return rs_map_get(&st->uploads, id);
}

rs_form_check rs_form_state(const rs_run *run, int64_t now_s)
{
    if (run->form_status == RS_FORM_SUBMITTED)
        return RS_FORM_IS_SUBMITTED;
    if (run->form_status == RS_FORM_TIMEOUT || run->form_status == RS_FORM_EXPIRED ||
        run->expiration_time <= now_s || run->global_deadline <= now_s)
        return RS_FORM_IS_EXPIRED;
    return RS_FORM_ACTIVE;
}

rs_form_check rs_form_state_node_only(const rs_run *run, int64_t now_s)
{
    if (run->form_status == RS_FORM_SUBMITTED)
        return RS_FORM_IS_SUBMITTED;
    if (run->form_status == RS_FORM_TIMEOUT || run->form_status == RS_FORM_EXPIRED ||
        run->expiration_time <= now_s)
        return RS_FORM_IS_EXPIRED;
    return RS_FORM_ACTIVE;
}
