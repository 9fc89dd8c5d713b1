/* report_console.h: the console reporter of `hitlcheck run`: live progress on a TTY (the
 * running check, counts, the remaining time of a long wait), one line per check
 * otherwise, Expected/Actual under each FAIL/WARN/KNOWN (with the recorded deviation of
 * genuine Dify it matched, if any), and the final summary line. It only
 * formats results (already redacted by the scheduler); it never touches the network. */
#ifndef HITL_REPORT_CONSOLE_H
#define HITL_REPORT_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>
#include "hitl/result.h"

typedef struct hitl_console {
    FILE *out;
    bool tty; /* rewrite a status line in place */
    bool color;
    int verbosity; /* 0 quiet (failures and summary), 1 normal, 2 verbose (exchanges) */
    size_t total;  /* checks to run, for the progress counter */
    size_t done;
    size_t counts[HITL_VERDICT_COUNT];
    bool status_shown; /* a status line is on screen and must be cleared first */
    /* Not a terminal (a CI log): when the last "waiting" line was written (CLOCK_MONOTONIC
     * seconds; the console's start before the first), so that a long wait shows at most
     * once a minute (HITL_CONSOLE_WAIT_LINE_S). */
    double wait_line_at;
} hitl_console;

#define HITL_CONSOLE_WAIT_LINE_S 60.0

void hitl_console_init(hitl_console *c, FILE *out, bool tty, bool color, int verbosity,
                       size_t total);

/* Scheduler callbacks (hitl_scheduler_options.on_start/on_done/on_wait with user = the console). */
void hitl_console_on_start(void *user, const hitl_result *r);
void hitl_console_on_done(void *user, const hitl_result *r);
void hitl_console_on_wait(void *user, const hitl_result *r, double seconds_left, const char *what);

/* Prints the totals; the last line is "N passed, N failed, N warned, N skipped", followed
 * by ", N known" when recorded deviations of genuine Dify were KNOWN (--profile dify). A
 * stopped run (hitl_results.stopped) first gets one line with the reason; the checks it
 * never started are not listed one by one (hitl_console_on_done). */
void hitl_console_summary(hitl_console *c, const hitl_results *res);

#endif
