/* rs.h: hitl-refserver's internal types: the server, a run with its one form, uploads,
 * and the per-request context. Module functions are declared in their own headers. */
#ifndef RS_H
#define RS_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "faults.h"
#include "hitl/buf.h"
#include "map.h"
#include "refserver/refserver.h"

typedef struct rs_hub rs_hub;
typedef struct rs_clock rs_clock;
typedef struct rs_ratelimit rs_ratelimit;
typedef struct rs_formdef rs_formdef;
typedef struct rs_dsl_app rs_dsl_app;
typedef struct rs_flow rs_flow;

#define RS_ID_LEN 37    /* uuid4 text + NUL */
#define RS_USER_MAX 256 /* `user` strings longer than this are refused (invalid_param) */
#define RS_TOKEN_MAX 64 /* form and upload tokens we mint fit in this */
#define RS_JSON_BODY_MAX (1024 * 1024)

typedef enum rs_form_status {
    RS_FORM_WAITING = 0,
    RS_FORM_SUBMITTED,
    RS_FORM_TIMEOUT, /* node timeout passed, sweeper ran: the timeout branch ran */
    RS_FORM_EXPIRED  /* global timeout passed, sweeper ran: the run was stopped */
} rs_form_status;

typedef enum rs_run_status {
    RS_RUN_PAUSED = 0,
    RS_RUN_RESUMING, /* submitted; the resumed events are about to be published */
    RS_RUN_SUCCEEDED,
    RS_RUN_STOPPED
} rs_run_status;

/* One workflow run paused at its Human Input node (a two-node app's run at the first, then
 * at the second: the form fields then describe the second node's form). Fixed-size fields so a
 * handler can copy the whole struct under the state lock and work on the copy unlocked (the heap
 * pointers of a copy must not be used once the lock is dropped). */
typedef struct rs_run {
    char id[RS_ID_LEN]; /* workflow_run_id */
    char task_id[RS_ID_LEN];
    char form_id[RS_ID_LEN];
    char node_exec_id[RS_ID_LEN];
    char conversation_id[RS_ID_LEN];      /* chatflow only */
    char message_id[RS_ID_LEN];           /* chatflow only */
    char token[RS_TOKEN_MAX];             /* form token */
    char user[RS_USER_MAX];               /* the end user that started the run */
    char action[32];                      /* outputs.action once finished */
    char last_upload_token[RS_TOKEN_MAX]; /* for the upload-token-reused fault */
    char submitted_action[32];            /* the action the submit chose */
    char *submitted;                      /* the submitted inputs (JSON text), heap or NULL */
    /* Two-node apps: which Human Input node the run waits at (0 or 1), and the first node's
     * form once it was submitted (its token still answers 412 human_input_form_submitted). */
    int node;
    char first_form_id[RS_ID_LEN];
    char first_token[RS_TOKEN_MAX];
    char first_action[32];
    char *get_body[2]; /* cached form GET bodies: [0] SVC, [1] WEB */
    size_t get_len[2];
    int app; /* index into cfg.apps */
    /* --app-dsl runs (flow.h). |form|: the form this record waits at (NULL: the server's
     * --form); |content|: its form_content rendered for this run (heap, NULL: the form's);
     * |flow|: the run's execution state (heap, the run's first record only); |peer|: the
     * run's other form records (heap, owned by this one): a parallel Human Input node's
     * form, or a later node's, each with its own token; |dsl_node|: the DSL node index. */
    const rs_formdef *form;
    char *content;
    rs_flow *flow;
    struct rs_run *peer;
    const struct rs_run *first; /* a peer's first record (NULL on the first record itself) */
    int dsl_node;
    int64_t created_at, expiration_time, global_deadline, finished_at;
    rs_form_status form_status;
    rs_run_status run_status;
} rs_run;

/* One uploaded file (metadata only: the bytes are counted and discarded). */
typedef struct rs_upload {
    char id[RS_ID_LEN];
    char name[256];
    char ext[32]; /* without the dot, lower case; "" when none */
    char mime[128];
    char file_type[16];      /* image, document, audio, video, custom */
    char owner[RS_USER_MAX]; /* the end user the file belongs to */
    char source_url[1024];   /* remote uploads */
    char form_id[RS_ID_LEN]; /* WEB uploads: the form whose upload token uploaded it; "" for
                                Service API uploads, which belong to a user, not a form */
    int app;                 /* app index, -1 when unowned (upload-no-auth fault) */
    uint64_t size;
    int64_t created_at;
} rs_upload;

/* What an upload token was issued for: a run, and the form of it that was waiting then. */
typedef struct rs_upload_grant {
    char run_id[RS_ID_LEN];
    char form_id[RS_ID_LEN];
} rs_upload_grant;

/* All mutable API state, under one mutex. */
typedef struct rs_state {
    pthread_mutex_t mu;
    rs_map runs;          /* run id → rs_run (owner) */
    rs_map runs_by_token; /* form token → rs_run (borrowed from runs) */
    rs_map upload_tokens; /* upload token → rs_upload_grant (heap) */
    rs_map uploads;       /* upload id → rs_upload */
} rs_state;

struct hitl_refserver {
    hitl_refserver_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
    rs_state state;
    rs_ratelimit *rl[3]; /* RS_RL_GET, RS_RL_POST, RS_RL_TOKEN */
    rs_hub *hub;
    rs_clock *clock;
    rs_formdef *form;
    rs_dsl_app *dsl[HITL_REFSERVER_MAX_APPS]; /* --app-dsl apps (NULL: the built-in flow) */
    char app_ids[HITL_REFSERVER_MAX_APPS][RS_ID_LEN];
    char workflow_ids[HITL_REFSERVER_MAX_APPS][RS_ID_LEN];
    char tenant_id[RS_ID_LEN];
    unsigned char *gzip_bomb; /* hostile-gzip-bomb body, built at start */
    size_t gzip_bomb_len;
    char *huge_form; /* hostile-huge-form body, built at start */
    size_t huge_form_len;
    FILE *reqlog; /* --request-log (reqlog.h), or NULL */
    pthread_mutex_t reqlog_lock;
    int reqlog_inited;
};

enum { RS_RL_GET = 0, RS_RL_POST = 1, RS_RL_TOKEN = 2 };

typedef enum rs_route {
    RS_R_NONE = 0,
    RS_R_WORKFLOW_RUN,     /* E1 */
    RS_R_CHAT_MESSAGES,    /* E2 */
    RS_R_SVC_FORM,         /* E3/E4 */
    RS_R_SVC_UPLOAD,       /* E5 */
    RS_R_SVC_EVENTS,       /* E6 */
    RS_R_WEB_FORM,         /* E7/E8 */
    RS_R_WEB_UPLOAD_TOKEN, /* E9 */
    RS_R_WEB_UPLOAD_V1,    /* E10a */
    RS_R_WEB_REMOTE_V1,    /* E10b */
    RS_R_WEB_FILES_V2      /* E11 */
} rs_route;

typedef struct rs_multipart rs_multipart;
typedef struct rs_route_def rs_route_def;

/* Per-request context, created on the first access-handler call and freed by the
 * request-completed callback. */
typedef struct rs_req {
    hitl_refserver *srv;
    struct MHD_Connection *conn;
    const rs_route_def *def; /* the route table's row (routes.h), NULL: no such route */
    rs_route route;
    int is_get, is_post;
    char *param;   /* form token or run id from the path (heap) */
    hitl_buf body; /* JSON bodies, capped */
    int body_too_big;
    uint64_t body_seen; /* bytes of body received (multipart included) */
    rs_multipart *mp;   /* multipart routes */
    int answered;       /* a response was queued (or is held in |deferred|) */
    /* An answer decided before the body (auth, size) is held until the body has been read
     * and discarded when the client did not ask `Expect: 100-continue`: closing with unread
     * data makes the kernel reset the connection, and the client may lose the answer. */
    int defer;
    struct MHD_Response *deferred;
    unsigned deferred_status;
    /* upload auth outcome, decided before the body (§6.1) */
    int upload_authed;
    char upload_run_id[RS_ID_LEN];
    char upload_form_id[RS_ID_LEN];
    int upload_app;
    char upload_owner[RS_USER_MAX];
} rs_req;

/* 1 when fault |f| is on in server |s| (the one fault check every module uses). */
static inline int rs_fault_active(const hitl_refserver *s, rs_fault f)
{
    return rs_fault_on(&s->cfg, f);
}

/* Milliseconds on the monotonic clock; seconds since the epoch. */
int64_t rs_now_ms(void);
int64_t rs_now_s(void);

#endif
