// cmd_compare.c: `eureka compare --task T [RUN|FILE ...]`: the sparse reward, the human
// reward and the given ones trained with the same seeds, with EUREKA's human-normalised
// score (F - F_sparse) / |F_human - F_sparse|. A RUN stands for its best.c; its final
// evaluation is reused when it used the same seeds and steps and each reused training's
// saved policy scores, re-measured in a clean worker, exactly the fitness it records
// (a run directory may come from someone else).
//
// With --out DIR every finished training is kept as DIR/rewardNN/seedNN/train.json beside
// DIR/rewardNN/reward.c, so an interrupted compare (Ctrl-C) continues when the same
// command runs again: a kept training of the same reward text and settings is verified
// the same way and reused.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "util/fs.h"
#include "reward/rcomp.h"
#include "rl/train_cfg.h"
#include "search/run.h"
#include "judge/judge.h"
#include "util/sanitize.h"
#include "util/stats.h"

#define MAX_REWARDS 16
#define MAX_SEEDS 20

typedef struct entry {
    char label[RUN_PATH_MAX + 16];
    char name[300];             // for progress lines and messages: the reward's file name
    char *src;
    char run[RUN_PATH_MAX];     // RUN directory when the reward is a run's best.c ("" if not)
    double fit[MAX_SEEDS];
    int ok[MAX_SEEDS];
    char err[MAX_SEEDS][ERR_MSG_MAX];
    int reused;
} entry;

typedef struct compare {
    const task_def *t;
    int seeds, jobs, retrain;
    long steps;
    const char *out;            // --out DIR or NULL
    train_cfg base;             // --set and the trainer flags
    int custom;                 // any of them given
    entry *en;
    int n;
    int kept;                   // trainings reused from --out
} compare;

typedef struct compare_view {
    progress *pg;
    compare *c;
    const judge_job *jobs;
    int rc;                     // the first failure to keep a training in --out
    err_info e;
} compare_view;

static void on_progress(void *ctx, const judge_progress *p) {
    compare_view *v = ctx;
    progress_steps(v->pg, (int)(p->job - v->jobs), p->steps, p->total);
}

// Keep seed s of reward i in --out: the training with the settings it ran with, then the
// reward text it was trained from (last: what kept_same checks).
static int keep(const compare *c, int i, int s, judge_verdict *v, const train_cfg *cfg, err_info *e) {
    char rel[64];
    cli_record_settings(v->result, cfg);
    snprintf(rel, sizeof rel, "reward%02d/seed%02d", i + 1, s + 1);
    if (run_write_train(c->out, rel, v->result, e)) return e->code;
    snprintf(rel, sizeof rel, "reward%02d/seed%02d/%s", i + 1, s + 1, RUN_REWARD);
    return run_write_text(c->out, rel, c->en[i].src, e);
}

// A training ended: its fitness, and in --out at once, so that a Ctrl-C later keeps it.
static void on_done(void *ctx, int index, judge_verdict *vd) {
    compare_view *v = ctx;
    const judge_job *j = &v->jobs[index];
    entry *x = &v->c->en[j->iteration - 1];
    int s = j->sample - 1;
    char line[400];
    const cJSON *f = vd->result ? cJSON_GetObjectItem(vd->result, "fitness") : NULL;
    if (vd->status == SB_OK && cJSON_IsNumber(f)) {
        x->fit[s] = f->valuedouble;
        x->ok[s] = 1;
        if (v->c->out && !v->rc) v->rc = keep(v->c, j->iteration - 1, s, vd, &j->cfg, &v->e);
        snprintf(line, sizeof line, "%s seed %d fitness %.3f", x->name, j->sample, f->valuedouble);
    } else {
        snprintf(line, sizeof line, "%s seed %d %s", x->name, j->sample, sb_status_name(vd->status));
    }
    progress_done(v->pg, index, line);
}

// Mean and sample spread of the seeds that trained; the count of them.
static int stats(const entry *en, int n, double *mean, double *sd) {
    double ok[MAX_SEEDS];
    int k = 0;
    for (int i = 0; i < n; i++) if (en->ok[i]) ok[k++] = en->fit[i];
    stats_mean_sd(ok, k, mean, sd);
    if (!k) *mean = NAN;
    return k;
}

// The training of seed s (from 0): the same for every reward.
static train_cfg seed_cfg(const compare *c, int s) {
    train_cfg cfg = c->base;
    cfg.steps = c->steps;
    cfg.seed = (uint64_t)(s + 1);
    int cores = judge_cores();
    cfg.threads = cores / c->jobs > 1 ? cores / c->jobs : 1;
    train_cfg_defaults(&cfg, c->t);
    return cfg;
}

// 1 when tr is a training of this reward's seed s that can be used as it is: its
// settings are those of seed s (threads and the wall cap aside: they do not change
// what is learnt) and its saved policy scores, re-measured, exactly what it records.
static int reusable(const compare *c, int s, const cJSON *tr, double *fit, err_info *e) {
    const cJSON *f = cJSON_GetObjectItem(tr, "fitness");
    const cJSON *set = cJSON_GetObjectItem(tr, "settings");
    if (set) {
        train_cfg want = seed_cfg(c, s), got = want;
        if (train_cfg_from_json(&got, set, e)) return 0;
        got.threads = want.threads;
        got.max_seconds = want.max_seconds;
        cJSON *a = train_cfg_json(&got), *b = train_cfg_json(&want);
        int same = cJSON_Compare(a, b, 1);
        cJSON_Delete(a);
        cJSON_Delete(b);
        if (!same) return err_set(e, ERR_USAGE, "it was trained with other settings"), 0;
    }
    double again = NAN;
    if (!cJSON_IsNumber(f) || judge_verify(c->t, tr, &again, e) != ERR_OK) return 0;
    if (!judge_same(again, f->valuedouble))
        return err_set(e, ERR_RUNTIME, "it records fitness %.6g, its saved policy scores %.6g", f->valuedouble,
                       again), 0;
    *fit = again;
    return 1;
}

// 1 when --out keeps seed s of reward i trained from this very text.
static int kept_same(const compare *c, int i, int s) {
    char rel[64];
    snprintf(rel, sizeof rel, "reward%02d/seed%02d/%s", i + 1, s + 1, RUN_REWARD);
    char *kept = c->out && run_has(c->out, rel) ? run_read_text(c->out, rel, RCOMP_MAX_SOURCE, NULL) : NULL;
    int same = kept && strcmp(kept, c->en[i].src) == 0;
    free(kept);
    return same;
}

// Reuse what exists for reward i, seed by seed: its training kept in --out by an earlier
// compare (same reward text, same settings), else a run's final evaluation (same steps,
// no --set). Each is re-measured first.
static void reuse(compare *c, int i, double run_eval_steps) {
    entry *x = &c->en[i];
    char rel[64], shown[RUN_PATH_MAX], why[ERR_MSG_MAX];
    for (int s = 0; s < c->seeds; s++) {
        int from_out = kept_same(c, i, s);
        if (!from_out && !(x->run[0] && !c->retrain && run_eval_steps == (double)c->steps)) continue;
        const char *dir = from_out ? c->out : x->run;
        if (from_out) snprintf(rel, sizeof rel, "reward%02d/seed%02d/%s", i + 1, s + 1, RUN_TRAIN);
        else run_eval_rel(rel, sizeof rel, s + 1, RUN_TRAIN, NULL);
        cJSON *tr = run_has(dir, rel) ? run_read_json(dir, rel, NULL) : NULL;
        err_info ve = {0};
        if (tr && reusable(c, s, tr, &x->fit[s], &ve)) {
            x->ok[s] = 1;
            if (from_out) c->kept++;
            else x->reused++;
        } else if (tr) {
            fprintf(stderr, "note: %s/%s is not reused (%s): training it again\n",
                    san_str(shown, sizeof shown, dir, 0), rel, san_str(why, sizeof why, ve.msg, 0));
        }
        cJSON_Delete(tr);
    }
}

// 1 when a run.json "trainer" record (train_cfg_json) sets nothing: absent, or all zero.
static int default_trainer(const cJSON *tr) {
    const cJSON *x;
    cJSON_ArrayForEach(x, tr)
        if (!cJSON_IsNumber(x) || x->valuedouble != 0) return 0;
    return 1;
}

// Entry i from a command-line argument: a run (its best.c), or a reward file.
static int add_arg(compare *c, const char *arg, err_info *e) {
    entry *x = &c->en[c->n];
    char dir[RUN_PATH_MAX], rest[RUN_PATH_MAX];
    if (run_resolve(arg, RUN_ROOT, dir, sizeof dir, rest, sizeof rest, e)) return e->code;
    if (!rest[0] && run_has(dir, RUN_SETTINGS)) {
        cJSON *r = run_read_json(dir, RUN_SETTINGS, e);
        if (!r) return e->code;
        const char *rt = cJSON_GetStringValue(cJSON_GetObjectItem(r, "task"));
        int same = rt && strcmp(rt, c->t->name) == 0;
        if (!same) err_set(e, ERR_USAGE, "%s is a run of task '%.64s', not '%s'", dir, rt ? rt : "?", c->t->name);
        cJSON *es = cJSON_GetObjectItem(r, "eval_steps");
        // An evaluation trained with the search's own --set is not what this compare trains.
        double eval_steps = cJSON_IsNumber(es) && default_trainer(cJSON_GetObjectItem(r, "trainer")) ? es->valuedouble : -1;
        cJSON_Delete(r);
        if (!same) return ERR_USAGE;
        if (!(x->src = run_read_text(dir, RUN_BEST_C, RCOMP_MAX_SOURCE, e)))
            return err_wrap(e, "%s has no best candidate yet", dir);
        snprintf(x->run, sizeof x->run, "%s", dir);
        snprintf(x->label, sizeof x->label, "%s/%s", dir, RUN_BEST_C);
        snprintf(x->name, sizeof x->name, "%s/%s", cli_base_name(dir), RUN_BEST_C);
        c->n++;
        // A run's evaluation has no --set: reuse it only when none is given.
        reuse(c, c->n - 1, c->custom ? -1 : eval_steps);
        return ERR_OK;
    }
    if (!(x->src = fs_read(arg, RCOMP_MAX_SOURCE, NULL, e))) {
        char why[ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", e->msg);
        return err_set(e, ERR_USAGE, "%s is neither a run (no run.json) nor a readable reward file (%s)", arg, why);
    }
    snprintf(x->label, sizeof x->label, "%s", arg);
    snprintf(x->name, sizeof x->name, "%s", cli_base_name(arg));
    c->n++;
    reuse(c, c->n - 1, -1);
    return ERR_OK;
}

// The task's sparse and human rewards, then each argument.
static int load(compare *c, const char **pos, int n_pos, err_info *e) {
    const char *kinds[2] = {"sparse", "human"};
    for (int i = 0; i < 2; i++) {
        char path[RUN_PATH_MAX];
        entry *x = &c->en[c->n];
        if (fs_path(path, sizeof path, e, "%s/rewards/%s_%s.c", fs_root(), c->t->name, kinds[i])) return e->code;
        if (!(x->src = fs_read(path, RCOMP_MAX_SOURCE, NULL, e)))
            return err_wrap(e, "compare needs the task's %s reward", kinds[i]);
        snprintf(x->label, sizeof x->label, "%s (rewards/%s_%s.c)", kinds[i], c->t->name, kinds[i]);
        snprintf(x->name, sizeof x->name, "%s_%s.c", c->t->name, kinds[i]);
        c->n++;
        reuse(c, c->n - 1, -1);
    }
    for (int i = 0; i < n_pos; i++)
        if (add_arg(c, pos[i], e)) return e->code;
    return ERR_OK;
}

// Train every seed not reused; returns the number of trainings the user's Ctrl-C stopped
// (-1 with e set when keeping a result failed).
static int train_all(compare *c, int quiet, volatile sig_atomic_t *stop, err_info *e) {
    int total = c->n * c->seeds, todo = 0, stopped = 0;
    judge_job *jl = calloc((size_t)total, sizeof *jl);
    judge_verdict *vd = calloc((size_t)total, sizeof *vd);
    if (!jl || !vd) { free(jl); free(vd); return err_set(e, ERR_NOMEM, "compare: out of memory"), -1; }
    for (int k = 0; k < total; k++) {
        train_cfg cfg = seed_cfg(c, k % c->seeds);
        jl[k] = judge_job_train(c->t, c->en[k / c->seeds].src, &cfg);
        jl[k].iteration = k / c->seeds + 1;
        jl[k].sample = k % c->seeds + 1;
        jl[k].skip = c->en[k / c->seeds].ok[k % c->seeds];
        todo += !jl[k].skip;
    }
    compare_view view = {progress_new("compare", "trainings", quiet), c, jl, ERR_OK, {0}};
    progress_plan(view.pg, todo, c->steps);
    judge_opts jo = {c->t, c->jobs, stop, on_progress, on_done, &view};
    if (todo) judge_run(&jo, jl, total, vd);
    progress_free(view.pg);
    for (int k = 0; k < total; k++) {
        entry *x = &c->en[k / c->seeds];
        int s = k % c->seeds;
        if (jl[k].skip || x->ok[s]) continue;
        // A Ctrl-C in the terminal reaches the workers too: however they ended, they were stopped.
        if (vd[k].status == SB_INTERRUPTED || *stop) {
            stopped++;
        } else {
            char msg[4 * ERR_MSG_MAX];
            cli_reward_msg(c->t, x->name, vd[k].message, msg, sizeof msg);
            snprintf(x->err[s], sizeof x->err[s], "%s: %.400s", sb_status_name(vd[k].status), msg);
        }
    }
    for (int k = 0; k < total; k++) judge_verdict_free(&vd[k]);
    free(jl);
    free(vd);
    if (view.rc) *e = view.e;
    return view.rc ? -1 : stopped;
}

// The table (or JSON) of every reward; returns the number of failed trainings.
static int report(const compare *c, int json, cJSON *out) {
    double fs_mean, fs_sd, fh_mean, fh_sd;
    stats(&c->en[0], c->seeds, &fs_mean, &fs_sd);
    stats(&c->en[1], c->seeds, &fh_mean, &fh_sd);
    double denom = fabs(fh_mean - fs_mean);
    int failed = 0;
    cJSON_AddStringToObject(out, "task", c->t->name);
    cJSON_AddNumberToObject(out, "seeds", c->seeds);
    cJSON_AddNumberToObject(out, "steps", (double)c->steps);
    train_cfg first = seed_cfg(c, 0);   // what seed 1 trained with, defaults filled in
    cJSON_AddItemToObject(out, "settings", train_cfg_json(&first));
    cJSON *rows = cJSON_AddArrayToObject(out, "rewards");
    if (!json)
        printf("task %s, %d seeds x %ld steps\n%-44s %8s %8s %8s  %s\n", c->t->name, c->seeds, c->steps,
               "reward", "fitness", "spread", "HNS", "per seed");
    for (int i = 0; i < c->n; i++) {
        const entry *x = &c->en[i];
        double m, sd;
        int k = stats(x, c->seeds, &m, &sd);
        double hns = (k && denom > 1e-12 && !isnan(fs_mean)) ? (m - fs_mean) / denom : NAN;
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "reward", x->label);
        cJSON_AddStringToObject(r, "status", k == c->seeds ? "ok" : k ? "partly_failed" : "failed");
        cJSON *fa = cJSON_AddArrayToObject(r, "fitness");
        char per[512] = "";
        size_t used = 0;
        for (int s = 0; s < c->seeds; s++) {
            cJSON_AddItemToArray(fa, x->ok[s] ? cJSON_CreateNumber(x->fit[s]) : cJSON_CreateNull());
            if (used < sizeof per) {
                if (x->ok[s]) used += (size_t)snprintf(per + used, sizeof per - used, "%s%.3f", s ? " " : "", x->fit[s]);
                else used += (size_t)snprintf(per + used, sizeof per - used, "%sfailed", s ? " " : "");
            }
            failed += !x->ok[s];
        }
        if (k) cJSON_AddNumberToObject(r, "mean", m); else cJSON_AddNullToObject(r, "mean");
        if (k) cJSON_AddNumberToObject(r, "spread", sd); else cJSON_AddNullToObject(r, "spread");
        if (!isnan(hns)) cJSON_AddNumberToObject(r, "hns", hns); else cJSON_AddNullToObject(r, "hns");
        cJSON_AddNumberToObject(r, "reused_seeds", x->reused);
        cJSON *errs = cJSON_AddArrayToObject(r, "errors");
        for (int s = 0; s < c->seeds; s++)
            if (x->err[s][0]) cJSON_AddItemToArray(errs, cJSON_CreateString(x->err[s]));
        cJSON_AddItemToArray(rows, r);
        if (json) continue;
        char ms[16] = "failed", sds[16] = "-", hs[16] = "-", label[RUN_PATH_MAX], err[4 * ERR_MSG_MAX];
        if (k) snprintf(ms, sizeof ms, "%.3f", m);
        if (k) snprintf(sds, sizeof sds, "%.3f", sd);
        if (!isnan(hns)) snprintf(hs, sizeof hs, "%.2f", hns);
        printf("%-44.44s %8s %8s %8s  %s%s\n", san_str(label, sizeof label, x->label, 0), ms, sds, hs, per,
               x->reused ? "  (reused the run's final evaluation, verified)" : "");
        for (int s = 0; s < c->seeds; s++)
            if (x->err[s][0]) printf("    seed %d: %s\n", s + 1, san_str(err, sizeof err, x->err[s], 0));
    }
    if (json) cli_json_print(out);
    else printf("HNS = (F - F_sparse) / |F_human - F_sparse|; spread = sample standard deviation\n");
    return failed;
}

static void free_all(compare *c) {
    for (int i = 0; i < c->n; i++) free(c->en[i].src);
    free(c->en);
}

// After the trainings: the table, the records, the exit status.
static int finish(compare *c, int json, int stopped, err_info *e) {
    if (stopped) {
        char where[RUN_PATH_MAX + 64] = "give --out DIR to keep trainings and continue later";
        if (c->out) snprintf(where, sizeof where, "the finished ones are kept in %s: run the same command to continue",
                             c->out);
        err_set(e, ERR_INTERRUPTED, "interrupted: %d training(s) did not finish; %s", stopped, where);
        return cli_fail("compare", e);
    }
    if (c->kept) fprintf(stderr, "note: %d training(s) reused from %s (verified)\n", c->kept, c->out);
    cJSON *out = cJSON_CreateObject();
    int failed = report(c, json, out), rc = ERR_OK;
    // The table goes with every run it compared (the run's report shows it) and to --out.
    for (int i = 0; i < c->n && !rc; i++)
        if (c->en[i].run[0]) rc = run_write_json(c->en[i].run, "compare.json", out, e);
    if (!rc && c->out) rc = run_write_json(c->out, "compare.json", out, e);
    cJSON_Delete(out);
    if (rc) return cli_fail("compare", e);
    if (failed) {
        err_set(e, ERR_RUNTIME, "failed: %d training(s) failed (see the table)", failed);
        return cli_fail("compare", e);
    }
    return CLI_EXIT_OK;
}

int cmd_compare(int argc, char **argv) {
    const char *task = NULL, *pos[MAX_REWARDS];
    int json = 0, quiet = 0, help = 0, n_pos = 0;
    compare c = {0};
    c.seeds = 3;
    cli_trainer_opts topt = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name", 0, 0},
        {"--seeds", CLI_INT, &c.seeds, "trainings per reward, seeds 1..N (default 3)", 1, MAX_SEEDS},
        {"--steps", CLI_LONG, &c.steps, "steps per training (default the task's train_steps)", 1, 1e12},
        {"--jobs", CLI_INT, &c.jobs, "J: trainings at once (default: number of cores); a batch of J+1 to 2J-1 runs whole", 1, 64},
        {"--out", CLI_STR, &c.out, "keep DIR/compare.json and DIR/rewardNN/seedNN/ (rerun to continue)", 0, 0},
        {"--retrain", CLI_BOOL, &c.retrain, "train a run's best.c again instead of reusing its evaluation", 0, 0},
        {"--json", CLI_BOOL, &json, "print the table as JSON", 0, 0},
        {"--quiet", CLI_BOOL, &quiet, "no progress line", 0, 0},
        CLI_TRAINER_FLAGS(topt),
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, pos, MAX_REWARDS - 2, &n_pos, &help, &e)) return cli_fail("compare", &e);
    if (help) { cli_usage("compare", "--task T [RUN|FILE ...]", flags, nf); return 0; }
    if (!(c.t = cli_task(task, &e)) || cli_trainer_apply(&topt, c.t, &c.base, &e)) return cli_fail("compare", &e);
    c.custom = topt.set || topt.exploration || topt.noise_period || topt.curriculum;
    if (!c.steps) c.steps = c.t->defaults.train_steps > 0 ? c.t->defaults.train_steps : 1000000;
    if (!c.jobs) c.jobs = judge_cores();
    if (!(c.en = calloc(MAX_REWARDS, sizeof *c.en))) {
        err_set(&e, ERR_NOMEM, "compare: out of memory");
        return cli_fail("compare", &e);
    }
    int stopped = load(&c, pos, n_pos, &e) ? -1 : train_all(&c, quiet || json, cli_catch_stop(), &e);
    int status = stopped < 0 ? cli_fail("compare", &e) : finish(&c, json, stopped, &e);
    free_all(&c);
    return status;
}
