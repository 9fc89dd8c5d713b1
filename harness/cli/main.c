/* main.c: hitlcheck's entry point: global flags and dispatch to a subcommand. */
#include "commands.h"
#include "hitl/version.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv, FILE *out, FILE *errout);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"run", hitl_cmd_run, "run the conformance checks against a target (or the embedded server)"},
    {"list", hitl_cmd_list, "print the check catalogue"},
    {"sse-dump", hitl_cmd_sse_dump, "parse a raw SSE byte stream and print each event as JSON"},
    {"form-lint", hitl_cmd_form_lint, "validate a form definition or human_input_required data"},
    {"fuzz", hitl_cmd_fuzz, "fuzz a deployment's Human Input endpoints (or the embedded server)"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "hitlcheck %s: conformance and fuzz test harness for Dify's Human Input API\n"
            "\n"
            "Usage: hitlcheck <command> [options] [args]\n"
            "       hitlcheck --help | --version\n"
            "\n"
            "Commands:\n",
            HITL_VERSION);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n"
               "Run `hitlcheck <command> --help` for a command's options.\n"
               "Exit codes: 0 success; 1 a finding (invalid input, failed check); 2 usage error\n"
               "or unreadable input; 3 (run) the target is unreachable or a check could not\n"
               "reach a verdict.\n"
               "\n"
               "With no target, `hitlcheck run` checks its own embedded reference server.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
        printf("hitlcheck %s\n", HITL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(name, COMMANDS[i].name)) {
            /* libcurl's global state is set up once, before any thread exists. */
            if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                fprintf(stderr, "hitlcheck: could not initialise libcurl\n");
                return 3;
            }
            int code = COMMANDS[i].run(argc - 1, argv + 1, stdout, stderr);
            curl_global_cleanup();
            return code;
        }
    fprintf(stderr, "hitlcheck: unknown command '%s'; run `hitlcheck --help` for the list\n", name);
    return 2;
}
