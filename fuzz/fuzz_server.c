/* fuzz_server.c: the in-process server target. Each input is a `hitlcheck fuzz` scenario (the
 * same decoder, fuzz.h) run against hitl-refserver started in this process on a loopback port,
 * with the same oracles: a finding (a 5xx, a dropped connection, a broken invariant, a leaked
 * token…) aborts, so a fuzzing service reports it as a crash with the input that caused it;
 * ASan/UBSan reports in the server's code come the same way. The answers' features reach
 * libFuzzer through the extra-counter section, and the server's own code is instrumented in a
 * fuzzing build. The session (server, form pool) lives for the whole process. */
#include "hitl/fuzz.h"
#include "refserver/refserver.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hitl_refserver *server;
static hitl_fuzz *session;

static void setup(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        abort();
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    const char *args[] = {"fuzz_server", "--port", "0", "--no-rate-limit", "--threads", "2"};
    hitl_err err = {0};
    if (hitl_refserver_config_parse(&cfg, 6, (char **)args, &err) ||
        hitl_refserver_start(&cfg, &server, &err)) {
        fprintf(stderr, "fuzz_server: cannot start the reference server: %s\n", err.msg);
        abort();
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(server));
    hitl_fuzz_target t = {.base_url = url, .api_key = "app-hitl-workflow"};
    if (hitl_fuzz_new(&session, &t, &err) || hitl_fuzz_prepare(session, &err)) {
        fprintf(stderr, "fuzz_server: setup failed: %s\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!session)
        setup();
    if (size > HITL_FUZZ_MAX_INPUT)
        return -1;
    hitl_fuzz_outcome out;
    hitl_err err = {0};
    if (hitl_fuzz_exec(session, data, size, &out, &err)) {
        fprintf(stderr, "fuzz_server: the pool could not get a live form: %s\n", err.msg);
        abort();
    }
    if (out.found) {
        char *desc = hitl_fuzz_describe(data, size);
        fprintf(stderr, "fuzz_server: FINDING %s\n  %s\nscenario:\n%s", out.signature, out.detail,
                desc ? desc : "");
        free(desc);
        abort();
    }
    hitl_fuzz_outcome_clear(&out);
    return 0;
}
