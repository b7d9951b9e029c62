// cmd_train.c: `eureka train`: one reward file -> sandboxed PPO training -> fitness and
// the reflection text the search would send back to the LLM.
//
// The reward is compiled and trained through the judge (judge/judge.h) exactly as a
// search candidate is, so what this command reports is what the search would see:
// EUREKA's fitness (the best checkpoint) and the judge's robust statistic, both
// re-measured in a clean worker. `--out DIR` keeps train.json, the saved training
// (state.bin) and the reward (reward.c), so that `--resume DIR --steps N` continues it
// to N steps in all, bit for bit as if it had never stopped.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "judge/judge.h"
#include "reward/rcomp.h"
#include "rl/ppo.h"
#include "rl/train_cfg.h"
#include "search/reflect.h"
#include "search/run.h"
#include "util/fs.h"

#define STATE_FILE "state.bin"

static void on_progress(void *ctx, const judge_progress *p) {
    progress_steps(ctx, 0, p->steps, p->total);
    if (!isnan(p->fitness)) progress_best(ctx, p->fitness);
}

// One training through the judge with the progress line of every long command.
static void train_job_run(const task_def *t, judge_job *job, const char *what, int quiet, judge_verdict *res) {
    progress *pg = progress_new(what, NULL, quiet);
    progress_plan(pg, 1, job->cfg.steps);
    judge_one(t, job, on_progress, pg, cli_catch_stop(), res);
    progress_done(pg, 0, sb_status_name(res->status));
    progress_free(pg);
}

int cli_train_reward(const task_def *t, const char *reward_path, const train_cfg *cfg, int quiet,
                     judge_verdict *res, err_info *e) {
    char *src = cli_read_input(reward_path, RCOMP_MAX_SOURCE, NULL, e);
    if (!src) return e ? e->code : ERR_IO;
    judge_job job = judge_job_train(t, src, cfg);
    char what[300];
    snprintf(what, sizeof what, "train %s", cli_base_name(reward_path));
    train_job_run(t, &job, what, quiet, res);
    free(src);
    return ERR_OK;
}

// DIR/name into buf.
static int in_dir(char *buf, size_t n, const char *dir, const char *name, err_info *e) {
    return fs_path(buf, n, e, "%s/%s", dir, name);
}

// --out DIR must be usable before hours of training: a directory (made if missing)
// where a file can be written.
static int check_out_dir(const char *dir, err_info *e) {
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return err_set(e, ERR_USAGE, "--out %s: not a directory", dir);
    if (fs_mkdirs(dir, e)) return err_wrap(e, "--out");
    if (access(dir, W_OK) != 0) return err_set(e, ERR_USAGE, "--out %s: not writable", dir);
    return ERR_OK;
}

// Keep what continues the training: train.json (and progress.csv), state.bin, reward.c.
static int save_out(const char *dir, const judge_verdict *v, const char *src, err_info *e) {
    char path[4096];
    int rc = run_write_train(dir, NULL, v->result, e);
    if (!rc && v->state && !(rc = in_dir(path, sizeof path, dir, STATE_FILE, e)))
        rc = fs_write_atomic(path, v->state, v->state_len, e);
    if (!rc && !(rc = in_dir(path, sizeof path, dir, "reward.c", e))) rc = fs_write_atomic(path, src, strlen(src), e);
    return rc;
}

// The training DIR holds: its task and settings from state.bin, its reward from reward.c.
static int load_resume(const char *dir, const task_def **t, train_cfg *cfg, char **src, void **state,
                       size_t *state_len, err_info *e) {
    char path[4096];
    if (in_dir(path, sizeof path, dir, STATE_FILE, e)) return e->code;
    *state = fs_read(path, JUDGE_STATE_MAX, state_len, e);
    if (!*state) return err_set(e, e->code, "--resume %s: no saved training there (%s; train with --out first)",
                                dir, STATE_FILE);
    ppo_saved info;
    if (ppo_state_info(*state, *state_len, &info, e)) return err_wrap(e, "--resume %s/%s", dir, STATE_FILE);
    *t = task_find(info.task);
    if (!*t) return err_set(e, ERR_PARSE, "--resume %s: the saved training is of an unknown task '%s'", dir, info.task);
    // The settings it was trained with (train.json records them all: checkpoint spacing
    // and held-out cases too); the saved state refuses any that would change the training.
    *cfg = info.cfg;
    char *js = in_dir(path, sizeof path, dir, "train.json", e) ? NULL : fs_read(path, 256 << 20, NULL, e);
    cJSON *tj = js ? cJSON_Parse(js) : NULL;
    free(js);
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(tj, "settings");
    int rc = set ? train_cfg_from_json(cfg, set, e) : ERR_OK;
    cJSON_Delete(tj);
    if (rc) return err_wrap(e, "--resume %s/train.json", dir);
    cfg->steps = info.steps;
    if (in_dir(path, sizeof path, dir, "reward.c", e)) return e->code;
    *src = fs_read(path, RCOMP_MAX_SOURCE, NULL, e);
    if (!*src) return err_wrap(e, "--resume %s", dir);
    return ERR_OK;
}

// A training that did not end well: one line naming the file (and --json's object);
// Ctrl-C says so and what is kept. The exit status.
static int fail_verdict(const task_def *t, const char *file, const char *out_dir, const judge_verdict *res, int json,
                        int stopped) {
    char msg[4 * ERR_MSG_MAX];
    cli_reward_msg(t, file, res->message, msg, sizeof msg);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "status", sb_status_name(res->status));
        cJSON_AddStringToObject(o, "message", msg);
        cli_json_print(o);
        cJSON_Delete(o);
    }
    err_info e;
    // A Ctrl-C in the terminal reaches the worker too: however it ended, it was stopped.
    if (stopped)
        err_set(&e, ERR_INTERRUPTED, "interrupted: the training did not finish (%s%s)", out_dir ? out_dir : "nothing was written",
                out_dir ? " is as it was" : "");
    else
        err_set(&e, ERR_RUNTIME, "%s: %s", sb_status_name(res->status), msg);
    return cli_fail("train", &e);
}

int cmd_train(int argc, char **argv) {
    const char *task = NULL, *reward = NULL, *out_dir = NULL, *resume = NULL;
    long steps = 0, seed = 1;
    double seconds = 0;
    int threads = 0, json = 0, quiet = 0, help = 0, n_pos = 0;
    cli_trainer_opts topt = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see `eureka tasks`)", 0, 0},
        {"--reward", CLI_STR, &reward, "reward file (C, the reward ABI)", 0, 0},
        {"--steps", CLI_LONG, &steps, "training budget in control steps (default: the task's); with --resume, the total to reach", 1, 1e12},
        {"--seconds", CLI_DOUBLE, &seconds, "wall-clock cap on training, seconds", 1, 1e9},
        {"--seed", CLI_LONG, &seed, "training seed (default 1)", 0, 9007199254740992},
        {"--threads", CLI_INT, &threads, "rollout threads (default: number of cores)", 1, 64},
        {"--out", CLI_STR, &out_dir, "keep DIR/train.json, progress.csv, state.bin and reward.c", 0, 0},
        {"--resume", CLI_STR, &resume, "continue the training saved in DIR (by --out) up to --steps", 0, 0},
        {"--json", CLI_BOOL, &json, "print the train.json object instead of text", 0, 0},
        {"--quiet", CLI_BOOL, &quiet, "no progress line", 0, 0},
        CLI_TRAINER_FLAGS(topt),
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, &n_pos, &help, &e)) return cli_fail("train", &e);
    if (help) {
        cli_usage("train", "--task T --reward FILE [flags]  |  --resume DIR --steps N", flags, nf);
        return 0;
    }
    const task_def *t = NULL;
    train_cfg cfg = {0};
    char *src = NULL;
    void *state = NULL;
    size_t state_len = 0;
    int rc = ERR_OK;
    if (resume) {
        if (task || reward || topt.set || topt.exploration || topt.noise_period || topt.curriculum) {
            err_set(&e, ERR_USAGE, "--resume takes the task, reward and settings from DIR: drop --task, --reward, --set and the trainer flags");
            return cli_fail("train", &e);
        }
        rc = load_resume(resume, &t, &cfg, &src, &state, &state_len, &e);
        if (!rc && steps <= cfg.steps)
            rc = err_set(&e, ERR_USAGE, "--steps %ld: the training in %s has %ld steps already; give a larger total",
                         steps, resume, cfg.steps);
        if (!rc) {
            cfg.steps = steps;
            if (!out_dir) out_dir = resume;
        }
    } else {
        if (!(t = cli_task(task, &e))) return cli_fail("train", &e);
        if (!reward) {
            err_set(&e, ERR_USAGE, "--reward FILE is required (try --help)");
            return cli_fail("train", &e);
        }
        cfg.steps = steps;
        cfg.seed = (uint64_t)seed;
        rc = cli_trainer_apply(&topt, t, &cfg, &e);
        if (!rc && !(src = cli_read_input(reward, RCOMP_MAX_SOURCE, NULL, &e))) rc = e.code;
    }
    if (!rc && out_dir) rc = check_out_dir(out_dir, &e);
    if (rc) {
        free(src);
        free(state);
        return cli_fail("train", &e);
    }
    cfg.max_seconds = seconds;
    cfg.threads = threads ? threads : judge_cores();
    judge_job job = judge_job_train(t, src, &cfg);
    job.state = state;
    job.state_len = state_len;
    judge_verdict res = {0};
    char what[300];
    snprintf(what, sizeof what, "train %s", resume ? resume : cli_base_name(reward));
    train_job_run(t, &job, what, quiet || json, &res);
    free(state);
    if (res.status != SB_OK) {
        int status = fail_verdict(t, resume ? resume : reward, out_dir, &res, json, *cli_catch_stop() != 0);
        judge_verdict_free(&res);
        free(src);
        return status;
    }
    cli_record_settings(res.result, &job.cfg);
    char *text = reflect_text(res.result, &e);
    if (!text) rc = cli_fail("train", &e);
    else if (out_dir && save_out(out_dir, &res, src, &e)) rc = cli_fail("train", &e);
    if (text && !rc) {
        const cJSON *r = res.result;
        double fit = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "fitness"));
        double fin = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "fitness_final"));
        double rob = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "fitness_robust"));
        const cJSON *ci = cJSON_GetObjectItem(r, "fitness_ci");
        double secs = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "seconds"));
        double st = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "steps"));
        if (json) {
            cli_json_print(res.result);
        } else {
            printf("%s\n", text);
            printf("fitness: %.3f (best checkpoint), final: %.3f, judged %.3f [%.3f, %.3f]  [%s, %.0f steps, %.1f s]\n",
                   fit, fin, rob, cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 0)),
                   cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 1)), t->name, st, secs);
        }
    }
    free(text);
    free(src);
    judge_verdict_free(&res);
    return rc;
}
