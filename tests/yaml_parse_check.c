/* yaml_parse_check.c: `yaml_parse_check FILE PATH…` parses FILE with libyaml and checks
 * that each dotted PATH of mapping keys exists ("jobs.hitlcheck.steps"), so the CI
 * snippets of docs/reports.md are at least well-formed YAML with the keys the CI
 * systems need. Exit 0 when all hold, 1 naming the first problem, 2 on usage. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* The value under |key| in mapping |node|, or NULL. */
static yaml_node_t *lookup(yaml_document_t *doc, yaml_node_t *node, const char *key, size_t len)
{
    if (!node || node->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
            !memcmp(k->data.scalar.value, key, len))
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: yaml_parse_check FILE [KEY.PATH…]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", argv[1]);
        return 1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "%s:%zu:%zu: %s\n", argv[1], parser.problem_mark.line + 1,
                parser.problem_mark.column + 1, parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        fclose(f);
        return 1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        fprintf(stderr, "%s: the document is not a mapping\n", argv[1]);
        rc = 1;
    }
    for (int i = 2; !rc && i < argc; i++) {
        yaml_node_t *n = root;
        for (const char *p = argv[i]; n && *p;) {
            size_t len = strcspn(p, ".");
            n = lookup(&doc, n, p, len);
            p += len + (p[len] == '.');
        }
        if (!n) {
            fprintf(stderr, "%s: no %s\n", argv[1], argv[i]);
            rc = 1;
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
