/* main.c: the hitl-refserver binary: flags, the ready line, clean shutdown on SIGINT/SIGTERM
 * (the signals are blocked in every thread and taken with sigwait, so the library needs no
 * handler). Exit codes: 0 clean stop, 1 could not start, 2 bad flags. */
#include "refserver/planted_bugs.h"
#include "refserver/refserver.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* raise_fd_limit lifts the soft descriptor limit to the hard one: each open stream is a
 * socket, and the default 1024 is below the 4096 connections the server accepts. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int write_port_file(const char *path, unsigned port)
{
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path); /* readers never see a half-written file */
}

int main(int argc, char **argv)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    hitl_refserver_config_init(&cfg);
    if (hitl_refserver_config_parse(&cfg, argc, argv, &err)) {
        fprintf(stderr, "hitl-refserver: %s\n", err.msg);
        return 2;
    }
    if (cfg.action == HITL_REFSERVER_HELP) {
        fputs(hitl_refserver_usage(), stdout);
        printf("\nBuilt-in forms (--form NAME):\n");
        for (size_t i = 0; i < hitl_refserver_form_count(); i++)
            printf("  %-30s %s\n", hitl_refserver_form_name(i), hitl_refserver_form_summary(i));
        printf("\nFaults (--fault NAME):\n");
        for (size_t i = 0; i < hitl_refserver_fault_count(); i++)
            printf("  %-30s %s\n", hitl_refserver_fault_name(i), hitl_refserver_fault_summary(i));
        return 0;
    }
    if (cfg.action == HITL_REFSERVER_VERSION) {
        printf("%s\n", hitl_refserver_version());
        return 0;
    }
    if (cfg.action == HITL_REFSERVER_LIST_FAULTS) {
        for (size_t i = 0; i < hitl_refserver_fault_count(); i++)
            printf("%s\t%s\n", hitl_refserver_fault_name(i), hitl_refserver_fault_summary(i));
        return 0;
    }
    if (cfg.action == HITL_REFSERVER_LIST_BUGS) {
        for (size_t i = 0; i < hitl_refserver_bug_count(); i++)
            printf("%s\t%s\n", hitl_refserver_bug_name(i), hitl_refserver_bug_summary(i));
        return 0;
    }
    if (cfg.action == HITL_REFSERVER_LIST_FORMS) {
        for (size_t i = 0; i < hitl_refserver_form_count(); i++)
            printf("%s\t%s\n", hitl_refserver_form_name(i), hitl_refserver_form_summary(i));
        return 0;
    }
    raise_fd_limit();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread the server starts */
    signal(SIGPIPE, SIG_IGN);

    hitl_refserver *srv;
    if (hitl_refserver_start(&cfg, &srv, &err)) {
        fprintf(stderr, "hitl-refserver: %s\n", err.msg);
        return 1;
    }
    unsigned port = hitl_refserver_port(srv);
    if (cfg.port_file[0] && write_port_file(cfg.port_file, port)) {
        fprintf(stderr, "hitl-refserver: --port-file: cannot write '%s'\n", cfg.port_file);
        hitl_refserver_stop(srv);
        return 1;
    }
    int v6 = strchr(cfg.listen, ':') != NULL;
    printf("hitl-refserver listening on http://%s%s%s:%u\n", v6 ? "[" : "", cfg.listen,
           v6 ? "]" : "", port);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    hitl_refserver_stop(srv);
    hitl_refserver_config_free(&cfg);
    return 0;
}
