/* cmd_list.c: `hitlcheck list`: the check catalogue, honouring --only/--exclude, with the
 * contract clauses (specs/contract.md) each check enforces. */
#include "commands.h"
#include "cli_util.h"

#include "hitl/catalog.h"
#include "hitl/checks.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Prints |s| left-aligned in |width| columns: printf pads by bytes, and "§" is two bytes
 * in one column. */
static void put_padded(FILE *out, const char *s, size_t width)
{
    size_t cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    fprintf(out, "%s%*s ", s, cols < width ? (int)(width - cols) : 0, "");
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: hitlcheck list [--only SEL[,SEL…]] [--exclude SEL[,SEL…]] [--json]\n"
               "\n"
               "Prints the check catalogue after a header line: ID, severity, surfaces, the\n"
               "contract clauses the check enforces, tags and title, one check per line. The\n"
               "clauses (\"§7.3.2\") are those of hitlcheck's contract, " HITL_CONTRACT_PATH " in\n"
               "hitlcheck's source (anchor #c7.3.2). A selector is a check ID, an ID prefix\n"
               "(form.get) or a tag (upload).\n"
               "\n"
               "  --only SEL       only the checks a selector names (repeatable, comma lists)\n"
               "  --exclude SEL    leave out the checks a selector names (repeatable)\n"
               "  --json           print the selected catalogue entries as JSON lines (no header)\n"
               "  -h, --help       this text\n"
               "Exit: 0; 2 for a usage error or a selector that names no check.\n");
}

int hitl_cmd_list(int argc, char **argv, FILE *out, FILE *errout)
{
    static const struct option opts[] = {{"only", required_argument, NULL, 'o'},
                                         {"exclude", required_argument, NULL, 'x'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    hitl_strvec only = {0}, exclude = {0};
    bool json = false;
    int rc = 2;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            hitl_strvec_split(&only, optarg);
            break;
        case 'x':
            hitl_strvec_split(&exclude, optarg);
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            usage(out);
            rc = 0;
            goto done;
        default:
            hitl_cli_bad_option(errout, "list", argc, argv, c);
            goto done;
        }
    }
    if (optind < argc) {
        fprintf(errout, "hitlcheck list: unexpected argument '%s'; see `hitlcheck list --help`\n",
                argv[optind]);
        goto done;
    }
    hitl_catalog cat;
    hitl_err err = {0};
    if (hitl_catalog_load_builtin(&cat, &err)) {
        fprintf(errout, "hitlcheck list: %s\n", err.msg);
        rc = 3;
        goto done;
    }
    bool *sel = calloc(cat.n ? cat.n : 1, sizeof *sel);
    if (sel && hitl_catalog_select(&cat, (const char *const *)only.items, only.n,
                                   (const char *const *)exclude.items, exclude.n, sel, &err)) {
        fprintf(errout, "hitlcheck list: %s\n", err.msg);
    } else if (sel) {
        if (!json) {
            fprintf(out, "%-44s %-6s %-7s ", "ID", "LEVEL", "SURFACE");
            put_padded(out, "CLAUSES (" HITL_CONTRACT_PATH ")", 28);
            fprintf(out, "%-28s %s\n", "TAGS", "TITLE");
        }
        for (size_t i = 0; i < cat.n; i++) {
            if (!sel[i])
                continue;
            const hitl_catalog_entry *e = &cat.entries[i];
            char tags[256] = "";
            for (size_t t = 0; t < e->n_tags; t++) {
                if (t)
                    strncat(tags, ",", sizeof tags - strlen(tags) - 1);
                strncat(tags, e->tags[t], sizeof tags - strlen(tags) - 1);
            }
            const char *surf = e->surfaces == (HITL_SURFACE_WEB | HITL_SURFACE_SERVICE) ? "both"
                               : e->surfaces == HITL_SURFACE_WEB                        ? "web"
                                                                                        : "service";
            if (json)
                hitl_cli_print_entry_json(out, e, tags, surf);
            else {
                fprintf(out, "%-44s %-6s %-7s ", e->id, hitl_severity_name(e->severity), surf);
                put_padded(out, e->section, 28);
                fprintf(out, "%-28s %s\n", tags, e->title);
            }
        }
        rc = 0;
    }
    free(sel);
    hitl_catalog_free(&cat);
done:
    hitl_strvec_free(&only);
    hitl_strvec_free(&exclude);
    return rc;
}
