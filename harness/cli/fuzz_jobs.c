/* fuzz_jobs.c: see fuzz_jobs.h. */
#include "fuzz_jobs.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

long fuzz_job_input_timeout_s(long timeout_ms)
{
    return 60 + 10 * (timeout_ms / 1000);
}

long fuzz_job_grace_s(long timeout_ms)
{
    return FUZZ_JOB_BACKSTOP_S + fuzz_job_input_timeout_s(timeout_ms) + 30;
}

double fuzz_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t reap(pid_t pid, int *status, int flags)
{
    pid_t r;
    while ((r = waitpid(pid, status, flags)) < 0 && errno == EINTR)
        ;
    return r;
}

int fuzz_job_wait(pid_t pid, double deadline, int *status, bool *stuck)
{
    *status = 0;
    *stuck = false;
    for (;;) {
        pid_t r = reap(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0)
            return -1;
        if (fuzz_now_s() >= deadline)
            break;
        /* Polled every 100 ms: the parent has nothing else to do, and a job's end is seen
         * within a tenth of a second. */
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    *stuck = true;
    return reap(pid, status, 0) == pid ? 0 : -1;
}
