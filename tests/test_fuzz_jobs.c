/* test_fuzz_jobs.c: `hitlcheck fuzz` waits for its job processes by a deadline (fuzz_jobs.c):
 * a job that ends is reaped with its status; one that never ends is killed at the deadline and
 * called stuck, so the command cannot hang (a job deadlocked in ASan's signal handler did). */
#include "fuzz_jobs.h"

#include "check_main.h"
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child_exiting(int code)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(code);
    return pid;
}

START_TEST(a_job_that_ends_is_reaped_with_its_status)
{
    pid_t pid = child_exiting(3);
    int status = -1;
    bool stuck = true;
    double t0 = fuzz_now_s();
    ck_assert_int_eq(fuzz_job_wait(pid, t0 + 30, &status, &stuck), 0);
    ck_assert(!stuck);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 3);
    ck_assert_msg(fuzz_now_s() - t0 < 5, "a finished job was waited for %.1f s", fuzz_now_s() - t0);
}
END_TEST

/* A stopped process never ends by itself: the deadline ends the wait. */
START_TEST(a_job_that_never_ends_is_killed_at_the_deadline)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(0);
    }
    int status = 0;
    bool stuck = false;
    double t0 = fuzz_now_s();
    ck_assert_int_eq(fuzz_job_wait(pid, t0 + 0.5, &status, &stuck), 0);
    double waited = fuzz_now_s() - t0;
    ck_assert(stuck);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGKILL);
    ck_assert_msg(waited >= 0.5 && waited < 5, "waited %.2f s for a 0.5 s deadline", waited);
    ck_assert_int_eq(kill(pid, 0), -1); /* reaped: no zombie left */
}
END_TEST

START_TEST(a_pid_that_is_not_a_child_is_an_error)
{
    int status = -1;
    bool stuck = true;
    ck_assert_int_eq(fuzz_job_wait(getppid(), fuzz_now_s() + 1, &status, &stuck), -1);
    ck_assert(!stuck);
    ck_assert_int_eq(status, 0);
}
END_TEST

/* The grace: libFuzzer's backstop (120 s past --duration), one per-input watchdog (60 s + 10 s
 * per second of --timeout) and 30 s to write the files. --help quotes 210 s + 10 x --timeout. */
START_TEST(the_grace_covers_libfuzzers_own_timeouts)
{
    ck_assert_int_eq(fuzz_job_grace_s(5000), 260);
    ck_assert_int_eq(fuzz_job_grace_s(100), 210);
    ck_assert_int_eq(fuzz_job_grace_s(600000), 6210);
}
END_TEST

static Suite *fuzz_jobs_suite(void)
{
    Suite *s = suite_create("fuzz_jobs");
    TCase *tc = tcase_create("wait");
    tcase_add_test(tc, a_job_that_ends_is_reaped_with_its_status);
    tcase_add_test(tc, a_job_that_never_ends_is_killed_at_the_deadline);
    tcase_add_test(tc, a_pid_that_is_not_a_child_is_an_error);
    tcase_add_test(tc, the_grace_covers_libfuzzers_own_timeouts);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(fuzz_jobs_suite)
