/* contract_lint.c: see contract_lint.h. */
#include "contract_lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN "§"
#define LINE_MAX_BYTES 4096

static const char *const LEVEL_NAMES[] = {"MUST", "SHOULD", "MAY"};

/* Copies the line at *|p| (without its '\n') into |line| (truncated to |cap|) and moves *|p|
 * to the next line. Returns false at the end of |text|. */
static bool next_line(const char **p, char *line, size_t cap)
{
    if (!**p)
        return false;
    const char *end = strchr(*p, '\n');
    size_t n = end ? (size_t)(end - *p) : strlen(*p);
    size_t copy = n < cap ? n : cap - 1;
    memcpy(line, *p, copy);
    line[copy] = '\0';
    *p += n + (end ? 1 : 0);
    return true;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads "7.3.2" (digits joined by single dots) at |s| into |num|; returns its length or
 * 0 when |s| does not start with one. */
static size_t read_number(const char *s, char *num, size_t cap)
{
    size_t n = 0;
    for (;;) {
        size_t d = strspn(s + n, "0123456789");
        if (d == 0)
            return 0;
        n += d;
        if (s[n] != '.' || !(s[n + 1] >= '0' && s[n + 1] <= '9'))
            break;
        n++;
    }
    if (n >= cap)
        return 0;
    memcpy(num, s, n);
    num[n] = '\0';
    return n;
}

/* "§7.3" for "§7.3.2"; "" for "§7". */
static void parent_of(const char *id, char *parent, size_t cap)
{
    const char *dot = strrchr(id, '.');
    size_t n = dot ? (size_t)(dot - id) : 0;
    if (n >= cap)
        n = 0;
    memcpy(parent, id, n);
    parent[n] = '\0';
}

static int last_number(const char *id)
{
    const char *dot = strrchr(id, '.');
    return atoi(dot ? dot + 1 : id + strlen(SIGN));
}

static bool has_section(const contract *c, const char *id)
{
    for (size_t i = 0; i < c->n_sections; i++)
        if (!strcmp(c->sections[i], id))
            return true;
    return false;
}

static bool has_subsections(const contract *c, const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < c->n_sections; i++)
        if (!strncmp(c->sections[i], id, n) && c->sections[i][n] == '.')
            return true;
    return false;
}

const contract_clause *contract_find(const contract *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->clauses[i].id, id))
            return &c->clauses[i];
    return NULL;
}

/* Appends "<where>: <message>\n" to |problems| and returns 1 (one problem found). */
static size_t report(hitl_buf *problems, const char *where, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static size_t report(hitl_buf *problems, const char *where, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    hitl_buf_printf(problems, "%s: %s\n", where, msg);
    return 1;
}

static size_t problem(hitl_buf *problems, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t problem(hitl_buf *problems, int line, const char *fmt, ...)
{
    char where[64];
    snprintf(where, sizeof where, "%s:%d", HITL_CONTRACT_PATH, line);
    va_list ap;
    va_start(ap, fmt);
    size_t n = report(problems, where, fmt, ap);
    va_end(ap);
    return n;
}

static size_t catalog_problem(hitl_buf *problems, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t catalog_problem(hitl_buf *problems, const char *check, const char *fmt, ...)
{
    char where[128];
    snprintf(where, sizeof where, "specs/checks: %s", check);
    va_list ap;
    va_start(ap, fmt);
    size_t n = report(problems, where, fmt, ap);
    va_end(ap);
    return n;
}

/* The numbers of a clause or section ID: room for "§" and the NUL besides. */
#define NUM_MAX (HITL_CLAUSE_ID_MAX - 3)

/* Parses a section anchor line, <a id="s7.3"></a>; fills |id| ("§7.3"). */
static bool parse_section_anchor(const char *line, char *id, size_t cap)
{
    char num[NUM_MAX];
    if (!starts_with(line, "<a id=\"s"))
        return false;
    size_t n = read_number(line + 8, num, sizeof num);
    if (!n || strcmp(line + 8 + n, "\"></a>") != 0)
        return false;
    snprintf(id, cap, SIGN "%s", num);
    return true;
}

/* Parses a clause line, <a id="c7.3.2"></a>**§7.3.2 MUST.** text. Returns false (and
 * writes why into |why|) when the line is malformed. */
static bool parse_clause_line(const char *line, contract_clause *cl, char *why, size_t why_cap)
{
    char anchor[NUM_MAX], num[NUM_MAX];
    const char *p = line + strlen("<a id=\"c");
    size_t n = read_number(p, anchor, sizeof anchor);
    if (!n || !starts_with(p + n, "\"></a>**" SIGN)) {
        snprintf(why, why_cap, "a clause line starts <a id=\"c<n>\"></a>**§<n> LEVEL.**");
        return false;
    }
    p += n + strlen("\"></a>**" SIGN);
    n = read_number(p, num, sizeof num);
    if (!n || p[n] != ' ') {
        snprintf(why, why_cap, "no clause ID after the anchor");
        return false;
    }
    if (strcmp(anchor, num) != 0) {
        snprintf(why, why_cap, "anchor c%s does not match clause " SIGN "%s", anchor, num);
        return false;
    }
    snprintf(cl->id, sizeof cl->id, SIGN "%s", num);
    p += n + 1;
    for (int l = 0; l < 3; l++) {
        size_t len = strlen(LEVEL_NAMES[l]);
        if (!strncmp(p, LEVEL_NAMES[l], len) && !strncmp(p + len, ".**", 3)) {
            cl->level = (contract_level)l;
            p += len + 3;
            if (strspn(p, " ") == strlen(p)) {
                snprintf(why, why_cap, "clause %s states no requirement on its line", cl->id);
                return false;
            }
            return true;
        }
    }
    snprintf(why, why_cap, "clause %s: the level is MUST, SHOULD or MAY, then \".**\"", cl->id);
    return false;
}

/* A "- Deviation:" line names recorded deviations (specs/deviations.json ids) in backticks
 * before its " — " explanation: "- Deviation: `a.b`, `a.c` — …". */
static void add_deviations(contract *c, const char *line)
{
    const char *end = strstr(line, " \xe2\x80\x94 "); /* the em dash ends the id list */
    if (!end)
        end = line + strlen(line);
    for (const char *p = strchr(line, '`'); p && p < end; p = strchr(p + 1, '`')) {
        const char *q = strchr(p + 1, '`');
        if (!q || q > end)
            break;
        size_t n = (size_t)(q - (p + 1));
        if (n > 0 && n < sizeof c->deviations[0]) {
            char(*grown)[64] = realloc(c->deviations, (c->n_deviations + 1) * sizeof *grown);
            if (!grown)
                return;
            c->deviations = grown;
            memcpy(c->deviations[c->n_deviations], p + 1, n);
            c->deviations[c->n_deviations++][n] = '\0';
        }
        p = q;
    }
}

/* Checks the body lines of the clause just finished. */
static size_t finish_clause(const contract_clause *cl, bool evidence, bool empty_not_checked,
                            hitl_buf *problems)
{
    size_t found = 0;
    if (!evidence)
        found += problem(problems, cl->line, "clause %s has no \"- Evidence:\" line", cl->id);
    if (empty_not_checked)
        found +=
            problem(problems, cl->line, "clause %s: \"Not checked:\" needs the reason", cl->id);
    if (cl->not_checked && cl->level == CONTRACT_MAY)
        found += problem(problems, cl->line,
                         "clause %s is MAY: no check is expected, drop \"Not checked\"", cl->id);
    return found;
}

size_t contract_parse(const char *text, contract *out, hitl_buf *problems)
{
    memset(out, 0, sizeof *out);
    size_t found = 0;
    char line[LINE_MAX_BYTES];
    char current[HITL_CLAUSE_ID_MAX] = ""; /* the section the last anchor opened */
    char pending[HITL_CLAUSE_ID_MAX] = ""; /* a section anchor waiting for its heading */
    int last_in_section = 0, lineno = 0, pending_line = 0;
    contract_clause *open = NULL; /* the clause whose body is being read */
    bool evidence = false, empty_not_checked = false;
    const char *p = text;
    while (next_line(&p, line, sizeof line)) {
        lineno++;
        bool starts_block = starts_with(line, "<a id=") || starts_with(line, "#");
        if (open && starts_block) {
            found += finish_clause(open, evidence, empty_not_checked, problems);
            open = NULL;
        }
        if (pending[0] && line[0]) {
            /* The heading right after a section anchor names the same section. */
            char want[HITL_CLAUSE_ID_MAX + 2];
            snprintf(want, sizeof want, "%s ", pending);
            if (!starts_with(line, "#") || !strstr(line, want))
                found += problem(problems, pending_line,
                                 "section anchor %s is not followed by its heading", pending);
            pending[0] = '\0';
        }
        char id[HITL_CLAUSE_ID_MAX];
        if (parse_section_anchor(line, id, sizeof id)) {
            char(*grown)[HITL_CLAUSE_ID_MAX] =
                realloc(out->sections, (out->n_sections + 1) * sizeof *grown);
            if (!grown)
                return found + 1;
            out->sections = grown;
            snprintf(out->sections[out->n_sections++], sizeof out->sections[0], "%s", id);
            snprintf(current, sizeof current, "%s", id);
            snprintf(pending, sizeof pending, "%s", id);
            pending_line = lineno;
            last_in_section = 0;
            continue;
        }
        if (starts_with(line, "<a id=\"c")) {
            contract_clause cl = {.line = lineno};
            char why[160];
            if (!parse_clause_line(line, &cl, why, sizeof why)) {
                found += problem(problems, lineno, "%s", why);
                continue;
            }
            if (contract_find(out, cl.id)) {
                found += problem(problems, lineno, "clause %s is defined twice", cl.id);
                continue;
            }
            char parent[HITL_CLAUSE_ID_MAX];
            parent_of(cl.id, parent, sizeof parent);
            if (strcmp(parent, current) != 0)
                found += problem(problems, lineno, "clause %s stands in section %s", cl.id,
                                 current[0] ? current : "(none)");
            else if (last_number(cl.id) != last_in_section + 1)
                found +=
                    problem(problems, lineno, "clause %s is out of sequence in %s", cl.id, current);
            last_in_section = last_number(cl.id);
            contract_clause *grown = realloc(out->clauses, (out->n + 1) * sizeof *grown);
            if (!grown)
                return found + 1;
            out->clauses = grown;
            out->clauses[out->n] = cl;
            open = &out->clauses[out->n++];
            evidence = false;
            empty_not_checked = false;
            continue;
        }
        if (!open)
            continue;
        if (starts_with(line, "- Evidence:")) {
            evidence = strspn(line + 11, " ") < strlen(line + 11);
        } else if (starts_with(line, "- Not checked:")) {
            open->not_checked = true;
            empty_not_checked = strspn(line + 14, " ") == strlen(line + 14);
        } else if (starts_with(line, "- Deviation:")) {
            add_deviations(out, line);
        }
    }
    if (open)
        found += finish_clause(open, evidence, empty_not_checked, problems);
    /* A section with subsections holds no clauses of its own (so §2.1 is never both). */
    for (size_t i = 0; i < out->n; i++) {
        char parent[HITL_CLAUSE_ID_MAX];
        parent_of(out->clauses[i].id, parent, sizeof parent);
        if (has_subsections(out, parent))
            found += problem(problems, out->clauses[i].line,
                             "clause %s belongs in a subsection: %s has subsections",
                             out->clauses[i].id, parent);
        if (has_section(out, out->clauses[i].id))
            found += problem(problems, out->clauses[i].line, "clause %s has the ID of a section",
                             out->clauses[i].id);
    }
    return found;
}

void contract_free(contract *c)
{
    free(c->clauses);
    free(c->sections);
    free(c->deviations);
    memset(c, 0, sizeof *c);
}

size_t contract_lint_catalog(const contract *c, const hitl_catalog *cat, hitl_buf *problems)
{
    size_t found = 0;
    bool *cited = calloc(c->n ? c->n : 1, sizeof *cited);
    if (!cited)
        return 1;
    for (size_t i = 0; i < cat->n; i++) {
        const hitl_catalog_entry *e = &cat->entries[i];
        int strongest = CONTRACT_MAY + 1;
        char id[HITL_CLAUSE_ID_MAX];
        for (const char *p = e->section; hitl_catalog_clause_next(&p, id, sizeof id);) {
            const contract_clause *cl = contract_find(c, id);
            if (!cl) {
                found += catalog_problem(problems, e->id, "cites %s, which %s does not define", id,
                                         HITL_CONTRACT_PATH);
                continue;
            }
            cited[cl - c->clauses] = true;
            if (cl->level == CONTRACT_MAY)
                found += catalog_problem(problems, e->id,
                                         "cites %s, a MAY clause: nothing there to enforce", id);
            if (cl->not_checked)
                found += catalog_problem(problems, e->id,
                                         "cites %s, which the contract marks \"Not checked\": "
                                         "remove the mark",
                                         id);
            if ((int)cl->level < strongest)
                strongest = (int)cl->level;
        }
        int severity = e->severity == HITL_MUST ? CONTRACT_MUST : CONTRACT_SHOULD;
        if (strongest <= CONTRACT_SHOULD && strongest != severity)
            found +=
                catalog_problem(problems, e->id, "is %s but the strongest clause it cites is %s",
                                hitl_severity_name(e->severity), LEVEL_NAMES[strongest]);
    }
    for (size_t k = 0; k < c->n; k++) {
        const contract_clause *cl = &c->clauses[k];
        if (!cited[k] && !cl->not_checked && cl->level != CONTRACT_MAY)
            found += problem(problems, cl->line,
                             "clause %s (%s) is cited by no check: cite it from the check that "
                             "enforces it, or say why under \"- Not checked:\"",
                             cl->id, LEVEL_NAMES[cl->level]);
    }
    free(cited);
    return found;
}

size_t contract_lint_faults(const contract *c, const char *faults_md, hitl_buf *problems)
{
    size_t found = 0;
    char line[LINE_MAX_BYTES];
    const char *p = faults_md;
    bool in_table = false;
    int lineno = 0;
    while (next_line(&p, line, sizeof line)) {
        lineno++;
        if (!in_table) {
            in_table = starts_with(line, "| name |");
            continue;
        }
        if (line[0] != '|')
            break;
        if (starts_with(line, "|---"))
            continue;
        /* The third column; "\|" inside a cell is not a separator. */
        const char *cell = line;
        for (int col = 0; col < 2 && cell; col++) {
            do
                cell = strchr(cell + 1, '|');
            while (cell && cell[-1] == '\\');
        }
        const char *cell_end = cell ? strchr(cell + 1, '|') : NULL;
        if (!cell || !cell_end)
            continue;
        for (const char *s = strstr(cell, SIGN); s && s < cell_end; s = strstr(s + 1, SIGN)) {
            char num[NUM_MAX], id[HITL_CLAUSE_ID_MAX];
            if (!read_number(s + strlen(SIGN), num, sizeof num))
                continue;
            snprintf(id, sizeof id, SIGN "%s", num);
            if (!contract_find(c, id)) {
                hitl_buf_printf(problems,
                                "refserver/FAULTS.md:%d: names %s, which %s does not define\n",
                                lineno, id, HITL_CONTRACT_PATH);
                found++;
            }
        }
    }
    return found;
}

size_t contract_lint_deviations(const contract *c, const char *deviations_json, hitl_buf *problems)
{
    size_t found = 0;
    for (size_t i = 0; i < c->n_deviations; i++) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "\"%s\"", c->deviations[i]);
        if (!strstr(deviations_json, quoted)) {
            hitl_buf_printf(problems,
                            "specs/contract.md names deviation %s, which specs/deviations.json "
                            "does not record\n",
                            c->deviations[i]);
            found++;
        }
    }
    return found;
}
