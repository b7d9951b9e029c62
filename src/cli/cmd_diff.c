// cmd_diff.c: `eureka diff RUN [A B]`: unified diff between two candidates' reward.c
// (default: each iteration's best against the previous iteration's best), every hunk
// labelled with its kind of edit (rdiff.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/fs.h"
#include "reward/rcomp.h"
#include "search/rdiff.h"
#include "search/run.h"
#include "util/sanitize.h"

// The source of a reference: "best", "iterNN/sampleKK" or a path to a .c file.
static char *load_ref(const char *dir, const char *ref, char *name, size_t n, err_info *e) {
    int it, s;
    if (strstr(ref, ".c") && fs_exists(ref)) {
        snprintf(name, n, "%s", ref);
        return fs_read(ref, RCOMP_MAX_SOURCE, NULL, e);
    }
    if (run_parse_ref(ref, &it, &s, e)) return NULL;
    char rel[128];
    if (it == 0) snprintf(rel, sizeof rel, "%s", RUN_BEST_C);
    else run_sample_rel(rel, sizeof rel, it, s, RUN_REWARD, NULL);
    snprintf(name, n, "%s", rel);
    char *src = run_read_text(dir, rel, RCOMP_MAX_SOURCE, e);
    if (!src && e->code == ERR_NOTFOUND)
        err_set(e, ERR_NOTFOUND, "%s/%s: no such candidate (see eureka show %s)", dir, rel, dir);
    return src;
}

static int one_diff(const char *dir, const char *ra, const char *rb, int context, cJSON *arr,
                    err_info *e) {
    char na[256], nb[256];
    char *a = load_ref(dir, ra, na, sizeof na, e);
    if (!a) return e->code;
    char *b = load_ref(dir, rb, nb, sizeof nb, e);
    if (!b) { free(a); return e->code; }
    rdiff *d = rdiff_new(a, b, context, e);
    free(a);
    free(b);
    if (!d) return e->code;
    if (arr) {
        cJSON_AddItemToArray(arr, rdiff_json(d, na, nb));
    } else {
        // The rewards are text from a run directory: shown through the sanitiser, code
        // layout (newlines, tabs) kept.
        char *txt = rdiff_format(d, na, nb);
        char sa[300], sb[300];
        if (d->n == 0) printf("%s and %s are the same\n", san_str(sa, sizeof sa, na, 0), san_str(sb, sizeof sb, nb, 0));
        else if (txt) {
            char *shown = san_dup(txt, strlen(txt), SAN_NEWLINE | SAN_TAB, 0, 64u << 20);
            if (shown) fputs(shown, stdout);
            free(shown);
        }
        free(txt);
    }
    rdiff_free(d);
    return ERR_OK;
}

int cmd_diff(int argc, char **argv) {
    int json = 0, help = 0, n_pos = 0, context = 3;
    const char *pos[3];
    cli_flag flags[] = {
        {"--json", CLI_BOOL, &json, "print hunks and labels as JSON", 0, 0},
        {"--context", CLI_INT, &context, "lines of context (default 3)", 0, 100},
    };
    err_info e = {0};
    if (cli_parse(argc, argv, flags, 2, pos, 3, &n_pos, &help, &e)) return cli_fail("diff", &e);
    if (help) {
        cli_usage("diff", "RUN [A B]   (A, B: iter02/sample03, best, or a .c file)", flags, 2);
        return 0;
    }
    if (n_pos != 1 && n_pos != 3) {
        err_set(&e, ERR_USAGE, "give RUN, or RUN A B (e.g. eureka diff RUN iter01/sample00 best)");
        return cli_fail("diff", &e);
    }
    char dir[RUN_PATH_MAX];
    if (cli_run(pos[0], dir, sizeof dir, &e)) return cli_fail("diff", &e);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    int rc = ERR_OK;
    if (n_pos == 3) {
        rc = one_diff(dir, pos[1], pos[2], context, arr, &e);
    } else {
        int n_it = run_count_iters(dir), prev_it = 0, prev_s = -1, shown = 0;
        for (int it = 1; it <= n_it && !rc; it++) {
            int s = run_iteration_best(dir, it);
            if (s < 0) continue;
            if (prev_s >= 0) {
                char ra[32], rb[32];
                run_sample_rel(ra, sizeof ra, prev_it, prev_s, NULL, NULL);
                run_sample_rel(rb, sizeof rb, it, s, NULL, NULL);
                if (!json) printf("%s# best of iteration %d -> best of iteration %d\n", shown ? "\n" : "",
                                  prev_it, it);
                rc = one_diff(dir, ra, rb, context, arr, &e);
                shown++;
            }
            prev_it = it;
            prev_s = s;
        }
        if (!rc && shown == 0 && !json)
            printf("fewer than two iterations with a trained candidate: nothing to compare "
                   "(give A B explicitly)\n");
    }
    if (rc) { cJSON_Delete(arr); return cli_fail("diff", &e); }
    if (json) {
        cli_json_print(arr);
        cJSON_Delete(arr);
    }
    return 0;
}
