/* fuzz_jobs.h: how `hitlcheck fuzz` waits for its job processes: each wait ends by a deadline.
 *
 * A job normally ends by itself shortly after --duration (its campaign stops, and libFuzzer's
 * own -max_total_time and per-input -timeout are backstops). A job can still never end: a
 * sanitizer's deadly-signal handler that deadlocks (a signal arriving while LeakSanitizer has
 * stopped the world was seen to hang a job for good), a stopped process. The parent must not
 * wait on it forever. */
#ifndef HITL_CLI_FUZZ_JOBS_H
#define HITL_CLI_FUZZ_JOBS_H

#include <stdbool.h>
#include <sys/types.h>

/* The bounds a job's libFuzzer is given (cmd_fuzz.c's run_child): -max_total_time is
 * --duration + FUZZ_JOB_BACKSTOP_S, -timeout is fuzz_job_input_timeout_s (60 s + 10 s per
 * second of --timeout). */
enum { FUZZ_JOB_BACKSTOP_S = 120 };
long fuzz_job_input_timeout_s(long timeout_ms);

/* fuzz_job_grace_s: how many seconds past --duration a job may run before it is called stuck:
 * libFuzzer's backstop plus one whole per-input watchdog plus 30 s to write its files. */
long fuzz_job_grace_s(long timeout_ms);

/* fuzz_job_wait waits for |pid| until |deadline| (CLOCK_MONOTONIC seconds). A job still running
 * then is killed (SIGKILL) and reaped, and *stuck is set. *status is waitpid's status. Returns 0,
 * or -1 when the child could not be waited for (*status is then 0 and *stuck false). */
int fuzz_job_wait(pid_t pid, double deadline, int *status, bool *stuck);

/* fuzz_now_s: CLOCK_MONOTONIC in seconds, the clock of fuzz_job_wait's deadline. */
double fuzz_now_s(void);

#endif
