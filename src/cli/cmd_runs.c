// cmd_runs.c: `eureka runs [--dir D] [--task T] [--json]`: the search runs under D (default
// runs/, where search puts them), newest first, with task, status and best fitness: how a
// person finds the RUN to give `show`, `diff`, `report`, `compare` (or just says latest).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "search/run.h"
#include "util/sanitize.h"

static cJSON *run_json(const run_info *r) {
    cJSON *o = cJSON_CreateObject();
    char dir[RUN_PATH_MAX];
    cJSON_AddStringToObject(o, "run", san_str(dir, sizeof dir, r->dir, 0));
    cJSON_AddStringToObject(o, "task", r->task);
    cJSON_AddStringToObject(o, "status", r->status);
    if (isnan(r->best)) cJSON_AddNullToObject(o, "best_fitness");
    else cJSON_AddNumberToObject(o, "best_fitness", r->best);
    cJSON_AddNumberToObject(o, "iterations", r->iterations);
    cJSON_AddStringToObject(o, "created", r->created);
    return o;
}

int cmd_runs(int argc, char **argv) {
    const char *root = RUN_ROOT, *task = NULL;
    int json = 0, help = 0;
    cli_flag flags[] = {
        {"--dir", CLI_STR, &root, "the folder of runs (default runs, as search uses)", 0, 0},
        {"--task", CLI_STR, &task, "only the runs of this task", 0, 0},
        {"--json", CLI_BOOL, &json, "print a JSON array, one object per run", 0, 0},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, NULL, &help, &e)) return cli_fail("runs", &e);
    if (help) { cli_usage("runs", "[--dir D] [--task T] [--json]", flags, nf); return 0; }
    if (task && !cli_task(task, &e)) return cli_fail("runs", &e);
    run_info *v = NULL;
    int n = 0;
    // No runs folder yet is an empty list, not an error: nothing has been searched.
    if (run_list(root, &v, &n, &e) && e.code != ERR_NOTFOUND) return cli_fail("runs", &e);
    cJSON *arr = cJSON_CreateArray();
    if (!json) printf("%-44s %-13s %-10s %8s %5s  %s\n", "run", "task", "status", "best", "iter", "created");
    for (int i = 0; i < n; i++) {
        const run_info *r = &v[i];
        if (task && strcmp(r->task, task) != 0) continue;
        cJSON_AddItemToArray(arr, run_json(r));
        if (json) continue;
        char best[16] = "-", dir[RUN_PATH_MAX];
        if (!isnan(r->best)) snprintf(best, sizeof best, "%.3f", r->best);
        printf("%-44s %-13s %-10s %8s %5d  %s\n", san_str(dir, sizeof dir, r->dir, 0), r->task, r->status, best,
               r->iterations, r->created);
    }
    if (json) cli_json_print(arr);
    else if (cJSON_GetArraySize(arr) == 0) printf("(no runs under %s/: eureka search --task T)\n", root);
    cJSON_Delete(arr);
    free(v);
    return 0;
}
