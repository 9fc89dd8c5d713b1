/* planted_bugs.h: bugs planted in hitl-refserver for `hitlcheck fuzz` to find, one X-macro row
 * per bug: X(ENUM, "name", "summary"). They are not conformance faults (faults.h): no check of
 * the catalogue targets them, they are the kind of defect a fuzzer exists to find (crashes on
 * odd input, dropped connections, a race, a leak), and they are off unless --bug NAME turns one
 * on. The names are a contract (flags, --list-bugs, tests/fuzz_cmd_*.sh, bench/fuzz_planted.sh).
 * Each hook below is one line at the place the bug lives; with the bug off it changes nothing. */
#ifndef RS_PLANTED_BUGS_H
#define RS_PLANTED_BUGS_H

#include <stdint.h>

#include "rs.h"

#define RS_BUG_LIST(X)                                                                             \
    X(PARAGRAPH_NUL_500, "paragraph-nul-500",                                                      \
      "a submit whose paragraph value holds a \\u0000 or a lone surrogate escape answers 500")     \
    X(FILE_LIST_OVER_20_500, "file-list-over-20-500",                                              \
      "a submit whose file-list value has more than 20 entries answers 500")                       \
    X(LONG_FILENAME_DROP, "long-filename-drop",                                                    \
      "a local upload whose file name is over 255 bytes gets its connection dropped, no answer")   \
    X(SELECT_CASE_INSENSITIVE, "select-case-insensitive",                                          \
      "a select accepts a value that differs from one of its options only in case")                \
    X(DEEP_JSON_500, "deep-json-500", "a submit body nested deeper than 64 levels answers 500")    \
    X(ERROR_ECHOES_TOKEN, "error-echoes-token",                                                    \
      "the 404 for a form token that shares its first 16 characters with a live form's token "     \
      "names that other form's token (\"did you mean …\")")                                        \
    X(SUBMIT_RACE, "submit-race",                                                                  \
      "two concurrent valid submits of one form both answer 200: the submit does not re-check "    \
      "the form under the lock, and its validation is slow (2 ms)")

typedef enum rs_bug {
#define RS_BUG_ENUM(e, n, s) RS_BUG_##e,
    RS_BUG_LIST(RS_BUG_ENUM)
#undef RS_BUG_ENUM
        RS_BUG__COUNT
} rs_bug;

_Static_assert(RS_BUG__COUNT <= 64, "planted-bug bitset too small");

/* 1 when planted bug |b| is on in |cfg|. */
static inline int rs_bug_on(const hitl_refserver_config *cfg, rs_bug b)
{
    return (int)((cfg->bugs >> (unsigned)b) & 1u);
}

/* Before the submit body is parsed (paragraph-nul-500, deep-json-500): 1 after answering 500
 * (|rc| set), else 0. */
int rs_bugs_submit_raw(rs_req *r, enum MHD_Result *rc);
/* After the form gate, on the parsed `inputs` (file-list-over-20-500; submit-race widens the
 * window between the gate and the mark): 1 after answering 500 (|rc| set), else 0. */
int rs_bugs_submit_parsed(rs_req *r, const cJSON *inputs, enum MHD_Result *rc);
/* select-case-insensitive: 1 when |value| equals an entry of |options| ignoring case. */
int rs_bugs_select_case_match(const hitl_refserver_config *cfg, const cJSON *options,
                              const char *value);
/* long-filename-drop: 1 when the connection must be dropped for |filename|. */
int rs_bugs_drop_filename(const hitl_refserver_config *cfg, const char *filename);
/* error-echoes-token: 1 after answering the form 404 itself (state lock NOT held). */
int rs_bugs_form_not_found(rs_req *r);

#endif
