// cmd_eval.c: `eureka eval`: the final-evaluation protocol. S independent sandboxed
// trainings of one reward (seeds seed..seed+S-1), --jobs at a time; prints each
// fitness and their mean and standard deviation.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "search/run.h"
#include "util/fs.h"
#include "rl/ppo.h"
#include "rl/train_cfg.h"
#include "reward/rcomp.h"
#include "judge/judge.h"
#include "util/stats.h"

#define EVAL_MAX_SEEDS 100

typedef struct eval_view {
    progress *pg;
    long first_seed;
} eval_view;

static void on_progress(void *ctx, const judge_progress *p) {
    eval_view *v = ctx;
    progress_steps(v->pg, p->job->sample, p->steps, p->total);
}

static void on_done(void *ctx, int index, judge_verdict *vd) {
    eval_view *v = ctx;
    char line[160];
    const cJSON *f = vd->result ? cJSON_GetObjectItem(vd->result, "fitness") : NULL;
    if (vd->status == SB_OK && cJSON_IsNumber(f))
        snprintf(line, sizeof line, "seed %ld fitness %.3f", v->first_seed + index, f->valuedouble);
    else
        snprintf(line, sizeof line, "seed %ld %s", v->first_seed + index, sb_status_name(vd->status));
    progress_done(v->pg, index, line);
}

int cmd_eval(int argc, char **argv) {
    const char *task = NULL, *reward = NULL, *out = NULL;
    long steps = 0, seed = 1;
    double seconds = 0;
    int seeds = 5, jobs = 0, json = 0, quiet = 0, help = 0, n_pos = 0;
    cli_trainer_opts topt = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see `eureka tasks`)", 0, 0},
        {"--reward", CLI_STR, &reward, "reward file (C, the reward ABI)", 0, 0},
        {"--seeds", CLI_INT, &seeds, "independent trainings (default 5)", 1, EVAL_MAX_SEEDS},
        {"--seed", CLI_LONG, &seed, "first seed (default 1)", 0, 9007199254740992},
        {"--steps", CLI_LONG, &steps, "budget per training in control steps (default: the task's)", 1, 1e12},
        {"--seconds", CLI_DOUBLE, &seconds, "wall-clock cap per training, seconds", 1, 1e9},
        {"--jobs", CLI_INT, &jobs, "J: trainings at once (default: number of cores); a batch of J+1 to 2J-1 runs whole", 1, 64},
        {"--out", CLI_STR, &out, "write DIR/seedNN/train.json and progress.csv", 0, 0},
        {"--json", CLI_BOOL, &json, "print a JSON summary", 0, 0},
        {"--quiet", CLI_BOOL, &quiet, "no progress line", 0, 0},
        CLI_TRAINER_FLAGS(topt),
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
    train_cfg base = {0};
    if (cli_trainer_apply(&topt, t, &base, &e)) return cli_fail("eval", &e);
    char *src = cli_read_input(reward, RCOMP_MAX_SOURCE, NULL, &e);
    if (!src) return cli_fail("eval", &e);
    long cores = judge_cores();
    if (cores < 1) cores = 1;
    if (!jobs) jobs = (int)cores;
    if (jobs > seeds) jobs = seeds;
    int threads = (int)(cores / jobs) > 0 ? (int)(cores / jobs) : 1;

    judge_job job[EVAL_MAX_SEEDS];
    judge_verdict res[EVAL_MAX_SEEDS];
    memset(res, 0, sizeof res);
    for (int k = 0; k < seeds; k++) {
        train_cfg cfg = base;
        cfg.steps = steps;
        cfg.max_seconds = seconds;
        cfg.seed = (uint64_t)(seed + k);
        cfg.threads = threads;
        job[k] = judge_job_train(t, src, &cfg);
        job[k].sample = k;
    }
    char what[300];
    snprintf(what, sizeof what, "eval %s", cli_base_name(reward));
    eval_view view = {progress_new(what, "trainings", quiet || json), seed};
    progress_plan(view.pg, seeds, job[0].cfg.steps);
    volatile sig_atomic_t *stop = cli_catch_stop();
    judge_opts jo = {t, jobs, stop, on_progress, on_done, &view};
    judge_run(&jo, job, seeds, res);
    progress_free(view.pg);
    int rc = 0, stopped = 0;

    double fits[EVAL_MAX_SEEDS];
    int n_ok = 0;
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *fin = cJSON_CreateArray();
    cJSON *errs = cJSON_CreateArray();
    for (int k = 0; k < seeds; k++) {
        if (res[k].status == SB_OK) {
            double f = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "fitness"));
            double ff = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "fitness_final"));
            double secs = cJSON_GetNumberValue(cJSON_GetObjectItem(res[k].result, "seconds"));
            fits[n_ok++] = f;
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(f));
            cJSON_AddItemToArray(fin, cJSON_CreateNumber(ff));
            if (!json)
                printf("seed %ld: fitness %.3f (final %.3f, %.1f s)\n", seed + k, f, ff, secs);
            char rel[32];
            snprintf(rel, sizeof rel, "seed%02ld", seed + k);
            cli_record_settings(res[k].result, &job[k].cfg);
            if (out && run_write_train(out, rel, res[k].result, &e)) rc = cli_fail("eval", &e);
        } else if (res[k].status == SB_INTERRUPTED || *stop) {
            // A Ctrl-C in the terminal reaches the workers too: however they ended, they were stopped.
            cJSON_AddItemToArray(arr, cJSON_CreateNull());
            cJSON_AddItemToArray(fin, cJSON_CreateNull());
            stopped++;
        } else {
            cJSON_AddItemToArray(arr, cJSON_CreateNull());
            cJSON_AddItemToArray(fin, cJSON_CreateNull());
            char msg[4 * ERR_MSG_MAX], line[5 * ERR_MSG_MAX];
            cli_reward_msg(t, reward, res[k].message, msg, sizeof msg);
            snprintf(line, sizeof line, "seed %ld: %s: %s", seed + k, sb_status_name(res[k].status), msg);
            cJSON_AddItemToArray(errs, cJSON_CreateString(line));
            err_info fe;
            err_set(&fe, ERR_RUNTIME, "%s", line);
            rc = cli_fail("eval", &fe);
        }
        judge_verdict_free(&res[k]);
    }
    double mean, sd;
    stats_mean_sd(fits, n_ok, &mean, &sd);
    cJSON_AddStringToObject(o, "task", t->name);
    cJSON_AddStringToObject(o, "reward", reward);
    cJSON_AddNumberToObject(o, "seed", (double)seed);
    cJSON_AddItemToObject(o, "fitness", arr);
    cJSON_AddItemToObject(o, "fitness_final", fin);
    if (n_ok) cJSON_AddNumberToObject(o, "mean", mean); else cJSON_AddNullToObject(o, "mean");
    if (n_ok) cJSON_AddNumberToObject(o, "std", sd); else cJSON_AddNullToObject(o, "std");
    // The settings the first seed trained with, the task's defaults filled in (the
    // others differ in their seed only): `base` holds 0 for every default.
    cJSON_AddItemToObject(o, "settings", train_cfg_json(&job[0].cfg));
    cJSON_AddNumberToObject(o, "ok", n_ok);
    cJSON_AddItemToObject(o, "errors", errs);
    if (json) cli_json_print(o);
    else if (n_ok) printf("fitness: mean %.3f, std %.3f over %d seeds (sample std)\n", mean, sd, n_ok);
    else printf("fitness: failed (no seed trained)\n");
    if (stopped) {
        err_info ie;
        err_set(&ie, ERR_INTERRUPTED, "interrupted: %d of %d trainings did not finish%s", stopped, seeds,
                out ? " (the finished ones are in --out)" : "");
        rc = cli_fail("eval", &ie);
    }
    cJSON_Delete(o);
    free(src);
    return rc;
}
