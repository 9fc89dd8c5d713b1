/* areas.h: the check areas, one row each: X(symbol, name). An area is one file pair,
 * specs/checks/<name>.json (the catalogue: its checks' IDs start with "<name>.") and
 * harness/src/checks/<symbol>.c (the code: HITL_CHECK_TABLE(<symbol>, …)), and one row
 * here; test_catalog fails when a specs/checks file has no row or a row has no file.
 * The order is the registry's (registry.c). Internal to harness/src/checks. */
#ifndef HITL_CHECKS_AREAS_H
#define HITL_CHECKS_AREAS_H

#define HITL_CHECK_AREAS(X)                                                                        \
    X(stream, "stream")                                                                            \
    X(form, "form")                                                                                \
    X(fingerprint, "fingerprint")                                                                  \
    X(upload_token, "upload-token")                                                                \
    X(upload, "upload")                                                                            \
    X(submit, "submit")                                                                            \
    X(resume, "resume")                                                                            \
    X(errors, "errors")                                                                            \
    X(remote, "remote")                                                                            \
    X(ssrf, "ssrf")                                                                                \
    X(hostile, "hostile")                                                                          \
    X(ratelimit, "ratelimit")                                                                      \
    X(expiry, "expiry")                                                                            \
    X(regress, "regress")

#endif
