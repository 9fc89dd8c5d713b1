/* test_refserver_config.c: defaults and command-line flags of hitl-refserver. */
#include "refserver/refserver.h"

#include "check_main.h"
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024ull * 1024ull)

static int parse(hitl_refserver_config *cfg, hitl_err *err, const char *a1, const char *a2,
                 const char *a3)
{
    char *argv[] = {"hitl-refserver", (char *)a1, (char *)a2, (char *)a3, NULL};
    int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
    hitl_refserver_config_init(cfg);
    return hitl_refserver_config_parse(cfg, argc, argv, err);
}

START_TEST(defaults_are_difys)
{
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    ck_assert_str_eq(cfg.listen, "127.0.0.1");
    ck_assert_int_eq(cfg.port, 8080);
    ck_assert_int_eq(cfg.napps, 3);
    ck_assert_str_eq(cfg.apps[0].key, "app-hitl-workflow");
    ck_assert_int_eq(cfg.apps[1].mode, HITL_REFSERVER_CHATFLOW);
    ck_assert_str_eq(cfg.apps[2].key, "app-hitl-chat");
    ck_assert_int_eq(cfg.form_ttl_s, 36 * 3600);
    ck_assert_int_eq(cfg.global_timeout_s, 604800);
    ck_assert_int_eq(cfg.sweep_interval_ms, 60000);
    ck_assert_int_eq(cfg.rate_max, 30);
    ck_assert_int_eq(cfg.rate_window_s, 60);
    ck_assert(cfg.image_limit == 10 * MIB && cfg.file_limit == 15 * MIB &&
              cfg.video_limit == 100 * MIB && cfg.audio_limit == 50 * MIB);
    ck_assert_int_eq(cfg.ping_interval_ms, 10000);
    ck_assert_int_eq(cfg.idle_timeout_ms, 300000);
    ck_assert_int_eq(cfg.fetch_timeout_ms, 5000);
    ck_assert_str_eq(cfg.fetch_proxy, ""); /* direct fetches */
    ck_assert_int_eq(cfg.upload_layout, 2);
    ck_assert_int_eq(cfg.remote_errors_legacy, 0);
    ck_assert_int_eq(cfg.action, HITL_REFSERVER_RUN);
}
END_TEST

START_TEST(valid_flags)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    ck_assert_int_eq(parse(&cfg, &err, "--port", "0", "--trust-forwarded"), 0);
    ck_assert_int_eq(cfg.port, 0);
    ck_assert_int_eq(cfg.trust_forwarded, 1);
    ck_assert_int_eq(parse(&cfg, &err, "--app", "chat:k1", NULL), 0);
    ck_assert_int_eq(cfg.napps, 1); /* replaces the defaults */
    ck_assert_int_eq(cfg.apps[0].mode, HITL_REFSERVER_CHAT);
    ck_assert_str_eq(cfg.apps[0].key, "k1");
    ck_assert_int_eq(cfg.apps[0].form_ttl_s, 0); /* the server's --form-ttl */
    ck_assert_int_eq(parse(&cfg, &err, "--app", "workflow:k2:3600", NULL), 0);
    ck_assert_str_eq(cfg.apps[0].key, "k2");
    ck_assert_int_eq(cfg.apps[0].form_ttl_s, 3600);
    ck_assert_int_eq(cfg.apps[0].two_nodes, 0);
    ck_assert_int_eq(parse(&cfg, &err, "--app", "workflow:k3:two-node", NULL), 0);
    ck_assert_int_eq(cfg.apps[0].two_nodes, 1);
    ck_assert_int_eq(cfg.apps[0].form_ttl_s, 0);
    ck_assert_int_eq(parse(&cfg, &err, "--app", "chatflow:k4:60:two-node", NULL), 0);
    ck_assert_int_eq(cfg.apps[0].mode, HITL_REFSERVER_CHATFLOW);
    ck_assert_int_eq(cfg.apps[0].two_nodes, 1);
    ck_assert_int_eq(cfg.apps[0].form_ttl_s, 60);
    ck_assert_int_eq(parse(&cfg, &err, "--app", "workflow:k5:two-node:90", NULL), 0);
    ck_assert_int_eq(cfg.apps[0].two_nodes, 1);
    ck_assert_int_eq(cfg.apps[0].form_ttl_s, 90);
    ck_assert_int_eq(parse(&cfg, &err, "--rate-limit=5/2", "--image-limit", "512K"), 0);
    ck_assert_int_eq(cfg.rate_max, 5);
    ck_assert_int_eq(cfg.rate_window_s, 2);
    ck_assert(cfg.image_limit == 512 * 1024);
    ck_assert_int_eq(parse(&cfg, &err, "--ping-interval", "250ms", "--no-rate-limit"), 0);
    ck_assert_int_eq(cfg.ping_interval_ms, 250);
    ck_assert_int_eq(cfg.rate_max, 0);
    ck_assert_int_eq(parse(&cfg, &err, "--blacklist", "exe,.BAT,,sh", NULL), 0);
    ck_assert_int_eq(cfg.nblacklist, 3);
    ck_assert_str_eq(cfg.blacklist[1], "bat");
    ck_assert_int_eq(parse(&cfg, &err, "--fetch-allow", "[::1]:9000", NULL), 0);
    ck_assert_str_eq(cfg.fetch_allow[0].host, "::1");
    ck_assert_int_eq(cfg.fetch_allow[0].port, 9000);
    ck_assert_int_eq(parse(&cfg, &err, "--fetch-proxy", "http://127.0.0.1:3128", NULL), 0);
    ck_assert_str_eq(cfg.fetch_proxy, "http://127.0.0.1:3128");
    ck_assert_int_eq(parse(&cfg, &err, "--fetch-proxy=https://proxy.example:8443/", NULL, NULL), 0);
    ck_assert_str_eq(cfg.fetch_proxy, "https://proxy.example:8443/");
    ck_assert_int_eq(parse(&cfg, &err, "--upload-layout", "v1", "--version"), 0);
    ck_assert_int_eq(cfg.upload_layout, 1);
    ck_assert_int_eq(cfg.action, HITL_REFSERVER_VERSION);
    ck_assert_int_eq(parse(&cfg, &err, "--fault", "event-order", "--list-faults"), 0);
    ck_assert(hitl_refserver_fault_is_enabled(&cfg, "event-order"));
    ck_assert(!hitl_refserver_fault_is_enabled(&cfg, "double-submit"));
    ck_assert_int_eq(cfg.action, HITL_REFSERVER_LIST_FAULTS);
}
END_TEST

typedef struct bad_case {
    const char *flag, *value;
} bad_case;

static const bad_case BAD[] = {
    {"--port", "65536"},
    {"--port", "-1"},
    {"--port", "http"},
    {"--listen", "localhost"},
    {"--app", "robot:k"},
    {"--app", "workflow:"},
    {"--app", "workflow:k:"},
    {"--app", "workflow:k:0"},
    {"--app", "workflow:k:1h"},
    {"--app", "workflow::60"},
    {"--app", "chat:k:two-node"},
    {"--app", "workflow:k:two-node:two-node"},
    {"--app", "workflow:k:60:60"},
    {"--app", "workflow:k:2nodes"},
    {"--app", "workflow:k:60:two-node:x"},
    {"--form-ttl", "0"},
    {"--global-timeout", "1h"},
    {"--sweep-interval", "0"},
    {"--rate-limit", "30"},
    {"--rate-limit", "30/0"},
    {"--image-limit", "10X"},
    {"--file-limit", "2G"},
    {"--fetch-allow", "127.0.0.1"},
    {"--fetch-allow", "host:80"},
    {"--fetch-timeout", "fast"},
    {"--fetch-proxy", "127.0.0.1:3128"},
    {"--fetch-proxy", "socks5://127.0.0.1:1080"},
    {"--fetch-proxy", "http://"},
    {"--fetch-proxy", "http://:3128"},
    {"--fetch-proxy", "http://a b:3128"},
    {"--fetch-proxy", ""},
    {"--ping-interval", "-5"},
    {"--idle-timeout", "ms"},
    {"--upload-layout", "v3"},
    {"--remote-errors", "old"},
    {"--threads", "0"},
    {"--fault", "no-such-fault"},
    {"--bogus", "1"},
};

/* --app after --app-dsl: the defaults go, the DSL apps stay, and the --app apps that take the
 * freed slots are plain apps (a slot once held a DSL app's file name, mode and TTL). */
START_TEST(app_after_app_dsl_is_a_plain_app)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    char *argv[] = {"hitl-refserver",
                    "--app-dsl",
                    "d1=builtin:workflow",
                    "--app-dsl",
                    "d2=builtin:chatflow",
                    "--app",
                    "chat:c",
                    "--app",
                    "workflow:w:3600",
                    "--app",
                    "workflow:t:two-node",
                    NULL};
    hitl_refserver_config_init(&cfg);
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 11, argv, &err), 0);
    ck_assert_int_eq(cfg.napps, 5);
    ck_assert_str_eq(cfg.apps[0].key, "d1");
    ck_assert_str_eq(cfg.apps[0].dsl, "builtin:workflow");
    ck_assert_str_eq(cfg.apps[1].dsl, "builtin:chatflow");
    for (size_t i = 2; i < 5; i++)
        ck_assert_msg(cfg.apps[i].dsl[0] == '\0', "app %s kept a DSL: %s", cfg.apps[i].key,
                      cfg.apps[i].dsl);
    ck_assert_int_eq(cfg.apps[3].mode, HITL_REFSERVER_WORKFLOW);
    ck_assert_int_eq(cfg.apps[3].form_ttl_s, 3600);
    ck_assert_int_eq(cfg.apps[3].two_nodes, 0);
    ck_assert_int_eq(cfg.apps[4].mode, HITL_REFSERVER_WORKFLOW);
    ck_assert_int_eq(cfg.apps[4].two_nodes, 1);
    /* --app-dsl with a default app's key replaces that default; given twice it is refused. */
    ck_assert_int_eq(parse(&cfg, &err, "--app-dsl", "app-hitl-workflow=builtin:workflow", NULL), 0);
    ck_assert_int_eq(cfg.napps, 3);
    int dsl = 0;
    for (size_t i = 0; i < cfg.napps; i++)
        dsl += !strcmp(cfg.apps[i].key, "app-hitl-workflow") && cfg.apps[i].dsl[0];
    ck_assert_int_eq(dsl, 1);
    ck_assert_int_eq(parse(&cfg, &err, "--app-dsl", "k=builtin:workflow", NULL), 0);
    char *twice[] = {"hitl-refserver", "--app-dsl",          "k=builtin:workflow",
                     "--app-dsl",      "k=builtin:chatflow", NULL};
    hitl_refserver_config_init(&cfg);
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 5, twice, &err), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "given twice"));
}
END_TEST

START_TEST(bad_values_name_the_flag)
{
    const bad_case *c = &BAD[_i];
    hitl_refserver_config cfg;
    hitl_err err = {0};
    ck_assert_int_eq(parse(&cfg, &err, c->flag, c->value, NULL), HITL_E_ARG);
    ck_assert_msg(strstr(err.msg, c->flag) != NULL, "%s %s: message '%s'", c->flag, c->value,
                  err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

/* Behind a proxy the allow-list would be a promise nothing keeps: refused, naming both. */
START_TEST(fetch_allow_and_fetch_proxy_exclude_each_other)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    char *argv[] = {"hitl-refserver", "--fetch-allow",         "127.0.0.1:9000",
                    "--fetch-proxy",  "http://127.0.0.1:3128", NULL};
    hitl_refserver_config_init(&cfg);
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 5, argv, &err), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "--fetch-allow"));
    ck_assert_ptr_nonnull(strstr(err.msg, "--fetch-proxy"));
    ck_assert_int_eq(parse(&cfg, &err, "--fetch-proxy", "http://127.0.0.1:3128", NULL), 0);
}
END_TEST

/* The deployment shapes: a build without upload routes, a squid SSRF proxy, nginx in front. */
START_TEST(deployment_flags)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    ck_assert_int_eq(parse(&cfg, &err, "--upload-layout", "none", NULL), 0);
    ck_assert_int_eq(cfg.upload_layout, 0);
    ck_assert_int_eq(parse(&cfg, &err, "--upload-layout", "v1", "--remote-via-squid"), 0);
    ck_assert_int_eq(cfg.upload_layout, 1);
    ck_assert_int_eq(cfg.remote_via_squid, 1);
    ck_assert_int_eq(parse(&cfg, &err, "--front", "nginx", NULL), 0);
    ck_assert_int_eq(cfg.front, HITL_REFSERVER_FRONT_NGINX);
    ck_assert_int_eq(parse(&cfg, &err, "--front=none", NULL, NULL), 0);
    ck_assert_int_eq(cfg.front, HITL_REFSERVER_FRONT_NONE);
    ck_assert_int_eq(parse(&cfg, &err, "--front", "apache", NULL), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "--front: 'apache'"));
    ck_assert_int_eq(parse(&cfg, &err, "--upload-layout", "v3", NULL), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "not v1, v2 or none"));
    ck_assert_int_eq(parse(&cfg, &err, "--form-delivery", "email", NULL), 0);
    ck_assert_int_eq(cfg.delivery_email, 1);
    ck_assert_int_eq(parse(&cfg, &err, "--form-delivery", "sms", NULL), HITL_E_ARG);
    hitl_refserver_config_init(&cfg);
    ck_assert_int_eq(cfg.front, HITL_REFSERVER_FRONT_NONE);
    ck_assert_int_eq(cfg.remote_via_squid, 0);
    ck_assert_int_eq(cfg.delivery_email, 0);
}
END_TEST

START_TEST(missing_value_and_stray_argument)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    ck_assert_int_eq(parse(&cfg, &err, "--port", NULL, NULL), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "--port: missing value"));
    ck_assert_int_eq(parse(&cfg, &err, "serve", NULL, NULL), HITL_E_ARG);
}
END_TEST

START_TEST(fault_table_is_well_formed)
{
    size_t n = hitl_refserver_fault_count();
    ck_assert_int_ge(n, 35);
    ck_assert_ptr_null(hitl_refserver_fault_name(n));
    for (size_t i = 0; i < n; i++) {
        const char *name = hitl_refserver_fault_name(i);
        ck_assert(strlen(name) > 0 &&
                  strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(name));
        ck_assert(strlen(hitl_refserver_fault_summary(i)) > 10);
        for (size_t j = i + 1; j < n; j++)
            ck_assert_str_ne(name, hitl_refserver_fault_name(j));
        hitl_refserver_config cfg;
        hitl_refserver_config_init(&cfg);
        ck_assert_int_eq(hitl_refserver_fault_enable(&cfg, name, NULL), 0);
        ck_assert(hitl_refserver_fault_is_enabled(&cfg, name));
        for (size_t j = 0; j < n; j++) /* exactly one bit */
            ck_assert_int_eq(hitl_refserver_fault_is_enabled(&cfg, hitl_refserver_fault_name(j)),
                             i == j);
    }
    ck_assert_ptr_nonnull(strstr(hitl_refserver_usage(), "--fault NAME"));
}
END_TEST

START_TEST(list_forms_only_sets_the_action)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    ck_assert_int_eq(parse(&cfg, &err, "--list-forms", NULL, NULL), 0);
    ck_assert_int_eq(cfg.action, HITL_REFSERVER_LIST_FORMS);
    ck_assert_int_eq(parse(&cfg, &err, "--form", "image-only", NULL), 0);
    ck_assert_str_eq(cfg.form_file, "image-only");
    ck_assert_int_ge(hitl_refserver_form_count(), 8);
    ck_assert_str_eq(hitl_refserver_form_name(0), "default");
    ck_assert_ptr_null(hitl_refserver_form_name(hitl_refserver_form_count()));
    ck_assert_ptr_nonnull(strstr(hitl_refserver_usage(), "--form NAME|FILE"));
}
END_TEST

START_TEST(start_fails_cleanly_on_a_busy_port)
{
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    hitl_refserver *a = NULL, *b = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_refserver_start(&cfg, &a, &err), 0);
    cfg.port = hitl_refserver_port(a);
    ck_assert_int_eq(hitl_refserver_start(&cfg, &b, &err), HITL_E_IO);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot listen"));
    hitl_refserver_stop(a);
    hitl_refserver_stop(NULL);
}
END_TEST

START_TEST(start_rejects_zero_periods)
{
    static const size_t offs[] = {offsetof(hitl_refserver_config, ping_interval_ms),
                                  offsetof(hitl_refserver_config, idle_timeout_ms),
                                  offsetof(hitl_refserver_config, sweep_interval_ms),
                                  offsetof(hitl_refserver_config, form_ttl_s)};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        hitl_refserver_config cfg;
        hitl_refserver_config_init(&cfg);
        cfg.port = 0;
        *(int64_t *)((char *)&cfg + offs[i]) = 0;
        hitl_refserver *s = NULL;
        hitl_err err = {0};
        ck_assert_int_eq(hitl_refserver_start(&cfg, &s, &err), HITL_E_ARG);
        ck_assert_ptr_null(s);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, defaults_are_difys);
    tcase_add_test(tc, valid_flags);
    tcase_add_test(tc, app_after_app_dsl_is_a_plain_app);
    tcase_add_loop_test(tc, bad_values_name_the_flag, 0, (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, fetch_allow_and_fetch_proxy_exclude_each_other);
    tcase_add_test(tc, deployment_flags);
    tcase_add_test(tc, missing_value_and_stray_argument);
    tcase_add_test(tc, fault_table_is_well_formed);
    tcase_add_test(tc, list_forms_only_sets_the_action);
    tcase_add_test(tc, start_fails_cleanly_on_a_busy_port);
    tcase_add_test(tc, start_rejects_zero_periods);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
