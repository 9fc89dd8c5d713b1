/* deviation_report_check.c: `deviation_report_check MODE DEVIATIONS REPORT` compares a
 * run's report.json with specs/deviations.json, for tests/profiles_dify.sh (no python or jq
 * in the CI dependencies). The recorded set is every (check, surface) pair a deviation
 * names. MODE:
 *   contract  the FAIL/WARN results are exactly the recorded set, each naming a recorded
 *             deviation of its own check; nothing is KNOWN or ERROR
 *   dify      the KNOWN results are exactly the recorded set, each with its deviation;
 *             nothing is FAIL, WARN or ERROR
 *   clean     nothing is FAIL, WARN, KNOWN or ERROR, and no result names a deviation
 * Prints each difference and exits 1 when there is one, 2 on a usage or read error. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (64u * 1024u * 1024u)
#define MAX_PAIRS 256

static cJSON *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
    fclose(f);
    cJSON *doc = buf ? cJSON_ParseWithLength(buf, n) : NULL;
    free(buf);
    return doc;
}

typedef struct pair {
    char key[256]; /* "check [surface]" */
    bool seen;
} pair;

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int main(int argc, char **argv)
{
    if (argc != 4 ||
        (strcmp(argv[1], "contract") && strcmp(argv[1], "dify") && strcmp(argv[1], "clean"))) {
        fprintf(stderr, "usage: deviation_report_check contract|dify|clean DEVIATIONS REPORT\n");
        return 2;
    }
    const char *mode = argv[1];
    cJSON *devs = load(argv[2]), *rep = load(argv[3]);
    if (!devs || !rep) {
        fprintf(stderr, "deviation_report_check: cannot read %s\n", devs ? argv[3] : argv[2]);
        cJSON_Delete(devs);
        cJSON_Delete(rep);
        return 2;
    }
    pair pairs[MAX_PAIRS];
    size_t n_pairs = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(devs, "deviations"))
    {
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(d, "surfaces"))
        {
            char key[256];
            snprintf(key, sizeof key, "%s [%s]", str(d, "check"), s->valuestring);
            bool dup = false;
            for (size_t i = 0; i < n_pairs && !dup; i++)
                dup = !strcmp(pairs[i].key, key);
            if (!dup && n_pairs < MAX_PAIRS) {
                snprintf(pairs[n_pairs].key, sizeof pairs[n_pairs].key, "%s", key);
                pairs[n_pairs++].seen = false;
            }
        }
    }
    /* The verdicts that make up the compared set in this mode. */
    bool contract = !strcmp(mode, "contract"), dify = !strcmp(mode, "dify");
    int bad = 0;
    size_t judged = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "checks"))
    {
        const char *v = str(c, "verdict");
        char key[256];
        snprintf(key, sizeof key, "%s [%s]", str(c, "id"), str(c, "surface"));
        const cJSON *dev = cJSON_GetObjectItemCaseSensitive(c, "deviation");
        bool in_set = (contract && (!strcmp(v, "FAIL") || !strcmp(v, "WARN"))) ||
                      (dify && !strcmp(v, "KNOWN"));
        bool stray = !strcmp(v, "ERROR") ||
                     (!in_set && (!strcmp(v, "FAIL") || !strcmp(v, "WARN") || !strcmp(v, "KNOWN")));
        if (stray) {
            printf("unexpected %s %s: %s\n", v, key,
                   *str(c, "actual") ? str(c, "actual") : str(c, "reason"));
            bad++;
            continue;
        }
        if (!in_set) {
            if (cJSON_IsObject(dev)) {
                printf("%s %s names deviation %s\n", v, key, str(dev, "id"));
                bad++;
            }
            continue;
        }
        judged++;
        size_t k = 0;
        while (k < n_pairs && strcmp(pairs[k].key, key))
            k++;
        if (k == n_pairs) {
            printf("%s %s: no deviation of specs/deviations.json names it: %s\n", v, key,
                   str(c, "actual"));
            bad++;
            continue;
        }
        pairs[k].seen = true;
        if (!cJSON_IsObject(dev)) {
            printf("%s %s names no deviation: Expected %s; Actual %s\n", v, key, str(c, "expected"),
                   str(c, "actual"));
            bad++;
        }
    }
    if (contract || dify)
        for (size_t k = 0; k < n_pairs; k++)
            if (!pairs[k].seen) {
                printf("%s is recorded as a deviation but was not %s\n", pairs[k].key,
                       contract ? "FAIL/WARN" : "KNOWN");
                bad++;
            }
    const cJSON *totals = cJSON_GetObjectItemCaseSensitive(rep, "totals");
    const cJSON *known = cJSON_GetObjectItemCaseSensitive(totals, "known");
    if (!cJSON_IsNumber(known) || (dify && (size_t)known->valueint != judged) ||
        (!dify && known->valueint != 0)) {
        printf("totals.known does not count the KNOWN results\n");
        bad++;
    }
    printf("%s: %zu recorded (check, surface) pairs, %zu judged results, %d differences\n", mode,
           n_pairs, judged, bad);
    cJSON_Delete(devs);
    cJSON_Delete(rep);
    return bad ? 1 : 0;
}
