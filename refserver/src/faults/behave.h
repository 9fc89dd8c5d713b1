/* behave.h: what hitl-refserver does under --behave dify, one X-macro row per behaviour of
 * genuine Dify that departs from the integration guide:
 * X(ENUM, "name", "deviation ids (space-separated)", "summary").
 * Each row names the entries of specs/deviations.json it reproduces; every entry is named
 * by exactly one row (test_deviation keeps the two in step, and docs/profiles.md lists
 * them). Under --behave contract (the default) none is on. */
#ifndef RS_BEHAVE_H
#define RS_BEHAVE_H

#include "refserver/refserver.h"

#define RS_BEHAVIOUR_LIST(X)                                                                       \
    X(INLINE_REMOTE_HEAD_ONLY, "inline-remote-head-only",                                          \
      "inline-remote-url.not-fetched.404 inline-remote-url.not-fetched.403 "                       \
      "inline-remote-url.not-fetched.403-code inline-remote-url.no-size-limit "                    \
      "inline-remote-url.no-size-limit-code",                                                      \
      "an inline remote_url at submit gets one HEAD: a non-200 answer is ignored (a "              \
      "429/500/502/503/504 or a failed connection is still refused) and no size limit applies")    \
    X(SVC_NON_OBJECT_BODY_500, "svc-non-object-body-500", "svc-submit.non-object-body-500",        \
      "a Service API submit whose JSON body is not an object answers 500 "                         \
      "{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}")               \
    X(FILE_OWNER_WORKSPACE_ONLY, "file-owner-workspace-only",                                      \
      "file-owner.other-form-accepted file-owner.other-user-accepted "                             \
      "file-owner.other-app-accepted",                                                             \
      "a local_file at submit is looked up by id in the workspace only: a file uploaded for "      \
      "another form, by another user or through another app of it is accepted")

typedef enum rs_behaviour {
#define RS_BEHAVIOUR_ENUM(e, n, d, s) RS_B_##e,
    RS_BEHAVIOUR_LIST(RS_BEHAVIOUR_ENUM)
#undef RS_BEHAVIOUR_ENUM
        RS_B__COUNT
} rs_behaviour;

/* 1 when behaviour |b| is on in |cfg|: all of them under --behave dify. */
static inline int rs_behaves(const hitl_refserver_config *cfg, rs_behaviour b)
{
    (void)b;
    return cfg->behave == HITL_REFSERVER_BEHAVE_DIFY;
}

#endif
