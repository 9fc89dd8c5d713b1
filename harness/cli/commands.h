/* commands.h: the subcommands of the hitlcheck CLI. Each takes the arguments after its
 * name (argv[0] is the subcommand name) and returns the process exit code. Output goes
 * to the given streams so tests can capture it. */
#ifndef HITL_CLI_COMMANDS_H
#define HITL_CLI_COMMANDS_H

#include <stdio.h>

int hitl_cmd_sse_dump(int argc, char **argv, FILE *out, FILE *errout);
int hitl_cmd_form_lint(int argc, char **argv, FILE *out, FILE *errout);
int hitl_cmd_run(int argc, char **argv, FILE *out, FILE *errout);
int hitl_cmd_list(int argc, char **argv, FILE *out, FILE *errout);
int hitl_cmd_fuzz(int argc, char **argv, FILE *out, FILE *errout); /* cmd_fuzz.c */

#endif
