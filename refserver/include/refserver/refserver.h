/* refserver.h: hitl-refserver, a reference implementation of Dify's Human Input API as
 * hitlcheck's contract states it (specs/contract.md), with a fault switch for every bug a
 * conformance harness must catch (refserver/FAULTS.md names the clause each one breaks). It is the
 * embedded default target of `hitlcheck run`, the target of the integration tests and a local
 * stand-in for client developers.
 *
 * Lifecycle: hitl_refserver_config_init() (Dify's defaults) → optional
 * hitl_refserver_config_parse() / hitl_refserver_fault_enable() or direct field edits →
 * hitl_refserver_start() (copies the config; the caller may free it right away) →
 * hitl_refserver_stop(). The library installs no signal handlers and never prints. */
#ifndef HITL_REFSERVER_H
#define HITL_REFSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "hitl/err.h"

#define HITL_REFSERVER_MAX_APPS 16
#define HITL_REFSERVER_MAX_FETCH_ALLOW 16
#define HITL_REFSERVER_MAX_BLACKLIST 32
#define HITL_REFSERVER_FAULT_WORDS 2 /* room for 128 faults */

typedef enum hitl_refserver_mode {
    HITL_REFSERVER_WORKFLOW = 0, /* `workflow` app: POST /v1/workflows/run */
    HITL_REFSERVER_CHATFLOW = 1, /* `chatflow` (advanced-chat) app: POST /v1/chat-messages */
    HITL_REFSERVER_CHAT = 2      /* basic `chat` app: no workflow, resume answers 400 */
} hitl_refserver_mode;

typedef enum hitl_refserver_action {
    HITL_REFSERVER_RUN = 0,     /* start the server */
    HITL_REFSERVER_HELP,        /* --help was given */
    HITL_REFSERVER_VERSION,     /* --version was given */
    HITL_REFSERVER_LIST_FAULTS, /* --list-faults was given */
    HITL_REFSERVER_LIST_FORMS,  /* --list-forms was given */
    HITL_REFSERVER_LIST_BUGS    /* --list-bugs was given (planted_bugs.h) */
} hitl_refserver_action;

/* --behave: what the server's answers follow where genuine Dify departs from the
 * integration guide (docs/profiles.md). */
typedef enum hitl_refserver_behave {
    HITL_REFSERVER_BEHAVE_CONTRACT = 0, /* the guide (default) */
    HITL_REFSERVER_BEHAVE_DIFY = 1      /* genuine Dify: every recorded deviation reproduced */
} hitl_refserver_behave;

typedef enum hitl_refserver_front {
    HITL_REFSERVER_FRONT_NONE = 0, /* the app answers every request itself */
    HITL_REFSERVER_FRONT_NGINX = 1 /* as behind Dify's docker nginx and Docker's userland proxy */
} hitl_refserver_front;

typedef struct hitl_refserver_app {
    hitl_refserver_mode mode;
    char key[128];      /* the app API key, `Authorization: Bearer <key>` */
    int64_t form_ttl_s; /* this app's node timeout; 0 = the config's form_ttl_s */
    int two_nodes;      /* 1: the workflow has two Human Input nodes in sequence, so a run
                           pauses again, with a new form, after the first form's submit */
    char dsl[256];      /* --app-dsl: "builtin:NAME" or a DSL file; its runs execute the
                           app's graph, and |mode| is set from the DSL at start. "" = none */
} hitl_refserver_app;

typedef struct hitl_refserver_allow {
    char host[64]; /* an IP literal (IPv6 without brackets) */
    uint16_t port;
} hitl_refserver_allow;

/* Every knob of the server. Times are kept in the unit the API uses: whole seconds for
 * what ends up in payloads (expiration_time), milliseconds for timers. */
typedef struct hitl_refserver_config {
    hitl_refserver_action action; /* set by hitl_refserver_config_parse */
    char listen[64];              /* IPv4 or IPv6 literal, default 127.0.0.1 */
    uint16_t port;                /* default 8080; 0 = ephemeral */
    char port_file[256];          /* "" = none; written by the binary, not the library */
    char request_log[256];        /* "" = none; every connection, target and header received */
    hitl_refserver_app apps[HITL_REFSERVER_MAX_APPS];
    size_t napps;
    int64_t form_ttl_s;        /* node timeout: expiration_time = now + this (36 h) */
    int form_ttl_set;          /* --form-ttl was given: it wins over a DSL node's timeout */
    int64_t global_timeout_s;  /* HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS (604800) */
    int64_t sweep_interval_ms; /* the timeout sweeper's period (60 s) */
    unsigned rate_max;         /* WEB limiter attempts per window; 0 = off (30) */
    unsigned rate_window_s;    /* WEB limiter window (60) */
    int trust_forwarded;       /* client IP from CF-Connecting-IP / X-Forwarded-For */
    uint64_t image_limit, file_limit, video_limit, audio_limit; /* bytes (10/15/100/50 MiB) */
    char blacklist[HITL_REFSERVER_MAX_BLACKLIST][16];           /* extensions, lower case, no dot */
    size_t nblacklist;
    hitl_refserver_allow fetch_allow[HITL_REFSERVER_MAX_FETCH_ALLOW];
    size_t nfetch_allow;
    int64_t fetch_timeout_ms; /* connect and total timeout of remote fetches (5 s) */
    char fetch_proxy[256];    /* "" = direct; else every fetch goes through this HTTP proxy */
    int64_t ping_interval_ms; /* resume-stream keep-alive (10 s) */
    int64_t idle_timeout_ms;  /* resume-stream idle close (300 s) */
    int64_t resume_delay_ms;  /* delay between a submit's 200 and the resumed events (50) */
    int upload_layout; /* 1 = /api/form/human_input/files/…, 2 = /api/human-input-forms/files,
                          0 = neither (a build without Human Input uploads: no upload-token
                          route either) */
    int remote_errors_legacy;   /* 1 = v1 remote-upload error mapping (§6.3) */
    int remote_via_squid;       /* 1 = fetches go through Dify's squid SSRF proxy (§6.3) */
    hitl_refserver_front front; /* what stands in front of the app (front.h) */
    int delivery_email;         /* 1 = the node delivers by e-mail only: form_token null */
    char form_file[256];        /* --form: a built-in form's name or a file; "" = "default" */
    unsigned threads;           /* MHD worker threads (4) */
    size_t max_runs;            /* live runs kept (4096); see FAULTS.md "Caps" */
    size_t max_uploads;         /* upload records kept, oldest forgotten first (16384) */
    size_t max_upload_tokens;   /* upload tokens kept, oldest forgotten first (16384) */
    size_t max_streams;         /* concurrent SSE streams (4000) */
    uint64_t faults[HITL_REFSERVER_FAULT_WORDS];
    uint64_t bugs; /* planted bugs (refserver/planted_bugs.h), one bit each; 0 = none */
    hitl_refserver_behave behave; /* --behave contract|dify */
} hitl_refserver_config;

typedef struct hitl_refserver hitl_refserver;

/* Fills |cfg| with Dify's defaults and the three default apps. */
void hitl_refserver_config_init(hitl_refserver_config *cfg);

/* Parses command-line flags (argv[0] is skipped) into |cfg|, which must have been
 * initialised. Returns 0, or HITL_E_ARG with a one-line message naming the flag. --help,
 * --version, --list-faults and --list-forms only set cfg->action; printing is the caller's
 * job. */
int hitl_refserver_config_parse(hitl_refserver_config *cfg, int argc, char **argv, hitl_err *err);

/* Releases what the config owns (nothing today; kept so callers need not change). */
void hitl_refserver_config_free(hitl_refserver_config *cfg);

/* Turns on the fault |name|; HITL_E_ARG for an unknown name. */
int hitl_refserver_fault_enable(hitl_refserver_config *cfg, const char *name, hitl_err *err);
/* 1 when fault |name| is on in |cfg|, 0 otherwise (also for unknown names). */
int hitl_refserver_fault_is_enabled(const hitl_refserver_config *cfg, const char *name);

size_t hitl_refserver_fault_count(void);
/* Name and one-line summary of fault |i| (< count); NULL when out of range. */
const char *hitl_refserver_fault_name(size_t i);
const char *hitl_refserver_fault_summary(size_t i);

/* The behaviours --behave dify turns on (src/behave.h): count, name, the ids of the
 * specs/deviations.json entries each reproduces (space-separated), one-line summary; NULL
 * when |i| is out of range. */
size_t hitl_refserver_behaviour_count(void);
const char *hitl_refserver_behaviour_name(size_t i);
const char *hitl_refserver_behaviour_deviations(size_t i);
const char *hitl_refserver_behaviour_summary(size_t i);

/* The built-in forms --form NAME selects ("default", "image-only", …): how many, and the
 * name and one-line summary of form |i| (< count; NULL when out of range). */
size_t hitl_refserver_form_count(void);
const char *hitl_refserver_form_name(size_t i);
const char *hitl_refserver_form_summary(size_t i);

/* The --help text (static storage). */
const char *hitl_refserver_usage(void);
/* The version string. */
const char *hitl_refserver_version(void);
/* 1 when this build reads Dify app DSL files (--app-dsl; it needs libyaml at build time). */
int hitl_refserver_dsl_supported(void);

/* Starts the server on cfg->listen:cfg->port with its own threads. On success *out owns
 * everything and the port is bound; on failure returns a negative hitl_status and *out is
 * NULL. */
int hitl_refserver_start(const hitl_refserver_config *cfg, hitl_refserver **out, hitl_err *err);

/* The bound port (useful with port 0). */
uint16_t hitl_refserver_port(const hitl_refserver *s);

/* Closes every stream, stops the daemon, joins all threads and frees everything.
 * NULL is a no-op. */
void hitl_refserver_stop(hitl_refserver *s);

#endif
