// cmd_eval.c: `eureka eval`: the final-evaluation protocol. S independent sandboxed
// trainings of one reward (seeds seed..seed+S-1), --jobs at a time; prints each
// fitness and their mean and standard deviation.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fs.h"
#include "rl/ppo.h"
#include "reward/rcomp.h"
#include "judge/sandbox.h"

#define EVAL_MAX_SEEDS 100

typedef struct eval_view {
    int draw, n;
    double steps[EVAL_MAX_SEEDS], total[EVAL_MAX_SEEDS];
    int slot_seed[EVAL_MAX_SEEDS];   // seed index running in each poll slot
} eval_view;

static void on_progress(void *ctx, int index, const cJSON *o) {
    eval_view *v = ctx;
    int k = v->slot_seed[index];
    double s = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "steps"));
    double t = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "total"));
    if (!isnan(s)) v->steps[k] = s;
    if (!isnan(t)) v->total[k] = t;
    if (!v->draw) return;
    double done = 0, all = 0;
    for (int i = 0; i < v->n; i++) { done += v->steps[i]; all += v->total[i]; }
    fprintf(stderr, "\r  %.0f%% of %d trainings   ", all > 0 ? 100 * done / all : 0, v->n);
    fflush(stderr);
}

int cmd_eval(int argc, char **argv) {
    const char *task = NULL, *reward = NULL;
    long steps = 0, seed = 1;
    double seconds = 0;
    int seeds = 5, jobs = 0, json = 0, quiet = 0, help = 0, n_pos = 0;
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see `eureka tasks`)"},
        {"--reward", CLI_STR, &reward, "reward file (C, the reward ABI)"},
        {"--seeds", CLI_INT, &seeds, "independent trainings (default 5)"},
        {"--seed", CLI_LONG, &seed, "first seed (default 1)"},
        {"--steps", CLI_LONG, &steps, "budget per training in control steps (default: the task's)"},
        {"--seconds", CLI_DOUBLE, &seconds, "wall-clock cap per training, seconds"},
        {"--jobs", CLI_INT, &jobs, "trainings at once (default: number of cores)"},
        {"--json", CLI_BOOL, &json, "print a JSON summary"},
        {"--quiet", CLI_BOOL, &quiet, "no progress line"},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, &n_pos, &help, &e)) return cli_fail("eval", &e);
    if (help) {
        cli_usage("eval", "--task T --reward FILE [--seeds 5] [flags]", flags, nf);
        return 0;
    }
    const task_def *t = cli_task(task, &e);
    if (!t) return cli_fail("eval", &e);
    if (!reward) {
        err_set(&e, ERR_USAGE, "--reward FILE is required (try --help)");
        return cli_fail("eval", &e);
    }
    if (seeds < 1 || seeds > EVAL_MAX_SEEDS || steps < 0 || seconds < 0 || jobs < 0 || seed < 0) {
        err_set(&e, ERR_USAGE, "--seeds must be 1..%d; --steps, --seconds, --jobs, --seed >= 0",
                EVAL_MAX_SEEDS);
        return cli_fail("eval", &e);
    }
    char *src = fs_read(reward, RCOMP_MAX_SOURCE, NULL, &e);
    if (!src) return cli_fail("eval", &e);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    if (!jobs) jobs = (int)cores;
    if (jobs > seeds) jobs = seeds;
    int threads = (int)(cores / jobs) > 0 ? (int)(cores / jobs) : 1;

    train_cfg cfg[EVAL_MAX_SEEDS];
    sb_result res[EVAL_MAX_SEEDS];
    memset(res, 0, sizeof res);
    for (int k = 0; k < seeds; k++) {
        memset(&cfg[k], 0, sizeof cfg[k]);
        cfg[k].steps = steps;
        cfg[k].max_seconds = seconds;
        cfg[k].seed = (uint64_t)(seed + k);
        cfg[k].threads = threads;
        train_cfg_defaults(&cfg[k], t);
    }
    eval_view view = {0};
    view.draw = cli_progress_enabled(quiet);
    view.n = seeds;
    sb_proc *run[EVAL_MAX_SEEDS];
    int n_run = 0, next = 0, finished = 0, rc = 0;
    while (finished < seeds) {
        while (n_run < jobs && next < seeds) {
            sb_spec spec = {0};
            spec.task = t;
            spec.reward_src = src;
            spec.body = ppo_sandbox_body;
            spec.arg = &cfg[next];
            ppo_limits(t, &cfg[next], &spec.limits);
            spec.threads = threads;
            sb_proc *p = sandbox_start(&spec, &e);
            if (!p) {
                res[next].status = SB_ERROR;
                snprintf(res[next].message, sizeof res[next].message, "%s", e.msg);
                next++;
                finished++;
                continue;
            }
            view.slot_seed[n_run] = next;
            run[n_run++] = p;
            next++;
        }
        if (!n_run) continue;
        sandbox_poll(run, n_run, 200, on_progress, &view);
        for (int i = 0; i < n_run;) {
            if (!sandbox_done(run[i])) { i++; continue; }
            sandbox_finish(run[i], &res[view.slot_seed[i]]);
            ppo_verify_result(t, &res[view.slot_seed[i]]);
            finished++;
            run[i] = run[n_run - 1];
            view.slot_seed[i] = view.slot_seed[n_run - 1];
            n_run--;
        }
    }
    if (view.draw) fprintf(stderr, "\r%*s\r", 40, "");

    double sum = 0, sum2 = 0;
    int n_ok = 0;
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *fin = cJSON_CreateArray();
    cJSON *errs = cJSON_CreateArray();
    for (int k = 0; k < seeds; k++) {
        if (res[k].status == SB_OK) {
            double f = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "fitness"));
            double ff = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "fitness_final"));
            double secs = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "seconds"));
            sum += f;
            sum2 += f * f;
            n_ok++;
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(f));
            cJSON_AddItemToArray(fin, cJSON_CreateNumber(ff));
            if (!json)
                printf("seed %ld: fitness %.3f (final %.3f, %.1f s)\n", seed + k, f, ff, secs);
        } else {
            cJSON_AddItemToArray(arr, cJSON_CreateNull());
            cJSON_AddItemToArray(fin, cJSON_CreateNull());
            char line[ERR_MSG_MAX + 64];
            snprintf(line, sizeof line, "seed %ld: %s: %s", seed + k,
                     sb_status_name(res[k].status), res[k].message);
            cJSON_AddItemToArray(errs, cJSON_CreateString(line));
            fprintf(stderr, "eureka eval: %s\n", line);
            rc = 1;
        }
        sb_result_free(&res[k]);
    }
    double mean = n_ok ? sum / n_ok : 0;
    double sd = n_ok ? sqrt(fmax(0, sum2 / n_ok - mean * mean)) : 0;
    cJSON_AddStringToObject(o, "task", t->name);
    cJSON_AddStringToObject(o, "reward", reward);
    cJSON_AddNumberToObject(o, "seed", (double)seed);
    cJSON_AddItemToObject(o, "fitness", arr);
    cJSON_AddItemToObject(o, "fitness_final", fin);
    cJSON_AddNumberToObject(o, "mean", mean);
    cJSON_AddNumberToObject(o, "std", sd);
    cJSON_AddNumberToObject(o, "ok", n_ok);
    cJSON_AddItemToObject(o, "errors", errs);
    if (json) {
        char *s = cJSON_PrintUnformatted(o);
        if (s) printf("%s\n", s);
        free(s);
    } else if (n_ok) {
        printf("fitness: mean %.3f, std %.3f over %d seeds (population std)\n", mean, sd, n_ok);
    }
    cJSON_Delete(o);
    free(src);
    return rc;
}
