/* cmd_fuzz_off.c: `hitlcheck fuzz` in a build configured with -DHITL_FUZZ_COMMAND=OFF (no
 * libFuzzer runtime): the command exists and says why it cannot run. */
#include "commands.h"

int hitl_cmd_fuzz(int argc, char **argv, FILE *out, FILE *errout)
{
    (void)argc;
    (void)argv;
    (void)out;
    fputs("hitlcheck fuzz: this hitlcheck was built without libFuzzer's runtime "
          "(-DHITL_FUZZ_COMMAND=OFF); install clang and libclang-rt-<version>-dev and "
          "reconfigure\n",
          errout);
    return 2;
}
