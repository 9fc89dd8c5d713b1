/* fuzz_report.h: a fuzz campaign's reports (report.json, junit.xml, results.sarif, report.html)
 * from its finding files, and a summary line per finding. */
#ifndef HITL_FUZZ_REPORT_H
#define HITL_FUZZ_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hitl/err.h"

typedef struct hitl_fuzz_summary {
    const char *target_label;
    bool web;
    unsigned jobs;
    double seconds;
    uint64_t requests, scenarios, forms_used;
    unsigned features;
} hitl_fuzz_summary;

/* Writes the reports into |report_dir| from the *.json files of |findings_dir|; prints a
 * summary of each finding to |summary| (may be NULL); *n_findings gets their number. */
int hitl_fuzz_report_write(const char *report_dir, const char *findings_dir,
                           const hitl_fuzz_summary *s, FILE *summary, size_t *n_findings,
                           hitl_err *err);

#endif
