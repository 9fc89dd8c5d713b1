/* check_main.h: the one `main` of the Check unit suites. A suite file builds its Suite in a
 * function and ends with HITL_CHECK_MAIN(that_function); a suite that needs process-wide
 * setup (curl_global_init) writes its own main around hitl_check_run. */
#ifndef HITL_TEST_CHECK_MAIN_H
#define HITL_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* hitl_check_run runs every case of |s| (CK_FORK, CK_RUN_CASE, CK_EXCLUDE_TAGS… from the
 * environment, as ctest sets them) and frees it; returns the process's exit status. */
static inline int hitl_check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define HITL_CHECK_MAIN(make_suite)                                                                \
    int main(void)                                                                                 \
    {                                                                                              \
        return hitl_check_run(make_suite());                                                       \
    }

#endif
