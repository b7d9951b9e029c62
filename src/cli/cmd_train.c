// cmd_train.c: `eureka train`: one reward file -> sandboxed PPO training -> fitness and
// the reflection text the search would send back to the LLM.
//
// The reward is compiled and trained through the judge (judge/judge.h) exactly as a
// search candidate is, so what this command reports is what the search would see.
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
#include "reward/rcomp.h"
#include "search/reflect.h"
#include "judge/judge.h"

static void on_progress(void *ctx, const judge_progress *p) {
    progress_steps(ctx, 0, p->steps, p->total);
    if (!isnan(p->fitness)) progress_best(ctx, p->fitness);
}

int cli_train_reward(const task_def *t, const char *reward_path, const train_cfg *cfg, int quiet,
                     judge_verdict *res, err_info *e) {
    char *src = fs_read(reward_path, RCOMP_MAX_SOURCE, NULL, e);
    if (!src) return e ? e->code : ERR_IO;
    judge_job job = judge_job_train(t, src, cfg);
    char what[300];
    snprintf(what, sizeof what, "train %s", cli_base_name(reward_path));
    progress *pg = progress_new(what, NULL, quiet);
    progress_plan(pg, 1, cfg->steps);
    judge_one(t, &job, on_progress, pg, NULL, res);
    progress_done(pg, 0, sb_status_name(res->status));
    progress_free(pg);
    free(src);
    return ERR_OK;
}

int cmd_train(int argc, char **argv) {
    const char *task = NULL, *reward = NULL, *out_dir = NULL;
    long steps = 0, seed = 1;
    double seconds = 0;
    int threads = 0, json = 0, quiet = 0, help = 0, n_pos = 0;
    cli_trainer_opts topt = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see `eureka tasks`)"},
        {"--reward", CLI_STR, &reward, "reward file (C, the reward ABI)"},
        {"--steps", CLI_LONG, &steps, "training budget in control steps (default: the task's)"},
        {"--seconds", CLI_DOUBLE, &seconds, "wall-clock cap on training, seconds"},
        {"--seed", CLI_LONG, &seed, "training seed (default 1)"},
        {"--threads", CLI_INT, &threads, "rollout threads (default: number of cores)"},
        {"--out", CLI_STR, &out_dir, "write DIR/train.json and DIR/progress.csv"},
        {"--json", CLI_BOOL, &json, "print the train.json object instead of text"},
        {"--quiet", CLI_BOOL, &quiet, "no progress line"},
        CLI_TRAINER_FLAGS(topt),
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, &n_pos, &help, &e)) return cli_fail("train", &e);
    if (help) {
        cli_usage("train", "--task T --reward FILE [flags]", flags, nf);
        return 0;
    }
    const task_def *t = cli_task(task, &e);
    if (!t) return cli_fail("train", &e);
    if (!reward) {
        err_set(&e, ERR_USAGE, "--reward FILE is required (try --help)");
        return cli_fail("train", &e);
    }
    if (steps < 0 || seconds < 0 || threads < 0 || seed < 0) {
        err_set(&e, ERR_USAGE, "--steps, --seconds, --threads and --seed must be >= 0");
        return cli_fail("train", &e);
    }
    long cores = judge_cores();
    train_cfg cfg = {0};
    cfg.steps = steps;
    cfg.max_seconds = seconds;
    cfg.seed = (uint64_t)seed;
    cfg.threads = threads ? threads : (int)(cores > 0 ? cores : 1);
    if (cli_trainer_apply(&topt, &cfg, &e)) return cli_fail("train", &e);
    train_cfg_defaults(&cfg, t);

    judge_verdict res = {0};
    if (cli_train_reward(t, reward, &cfg, quiet || json, &res, &e))
        return cli_fail("train", &e);
    if (res.status != SB_OK) {
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "status", sb_status_name(res.status));
            cJSON_AddStringToObject(o, "message", res.message);
            char *s = cJSON_PrintUnformatted(o);
            if (s) printf("%s\n", s);
            free(s);
            cJSON_Delete(o);
        }
        fprintf(stderr, "eureka train: %s: %s\n", sb_status_name(res.status), res.message);
        judge_verdict_free(&res);
        return 1;
    }
    int rc = 0;
    char *text = reflect_text(res.result, &e);
    char *js = cJSON_Print(res.result);
    if (!text || !js) {
        if (!text) rc = cli_fail("train", &e);
        else { err_set(&e, ERR_NOMEM, "out of memory"); rc = cli_fail("train", &e); }
    } else {
        if (out_dir && run_write_train(out_dir, NULL, res.result, &e)) rc = cli_fail("train", &e);
        double fit = cJSON_GetNumberValue(cJSON_GetObjectItem(res.result, "fitness"));
        double fin = cJSON_GetNumberValue(cJSON_GetObjectItem(res.result, "fitness_final"));
        double secs = cJSON_GetNumberValue(cJSON_GetObjectItem(res.result, "seconds"));
        double st = cJSON_GetNumberValue(cJSON_GetObjectItem(res.result, "steps"));
        if (json) {
            printf("%s\n", js);
        } else {
            printf("%s\n", text);
            printf("fitness: %.3f (best checkpoint), final: %.3f  [%s, %.0f steps, %.1f s]\n",
                   fit, fin, t->name, st, secs);
        }
    }
    free(text);
    free(js);
    judge_verdict_free(&res);
    return rc;
}
