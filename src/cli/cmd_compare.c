// cmd_compare.c: `eureka compare --task T [RUN|FILE ...]`: the sparse reward, the human
// reward and the given ones trained with the same seeds, with EUREKA's human-normalised
// score (F - F_sparse) / |F_human - F_sparse|. A RUN stands for its best.c; its final
// evaluation is reused when it used the same seeds and steps and each reused training's
// saved policy scores, re-measured in a clean worker, exactly the fitness it records
// (a run directory may come from someone else).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "util/fs.h"
#include "reward/rcomp.h"
#include "search/run.h"
#include "judge/judge.h"
#include "util/sanitize.h"
#include "util/stats.h"

#define MAX_REWARDS 16
#define MAX_SEEDS 20

typedef struct entry {
    char label[256];
    char name[300];             // for progress lines: the reward's file name
    char *src;
    const char *run;            // RUN directory when the reward is a run's best.c
    double fit[MAX_SEEDS];
    int ok[MAX_SEEDS];
    char err[MAX_SEEDS][ERR_MSG_MAX];
    int reused;
} entry;

typedef struct compare_view {
    progress *pg;
    const entry *en;
    const judge_job *jobs;
} compare_view;

static void on_progress(void *ctx, const judge_progress *p) {
    compare_view *v = ctx;
    progress_steps(v->pg, (int)(p->job - v->jobs), p->steps, p->total);
}

static void on_done(void *ctx, int index, judge_verdict *vd) {
    compare_view *v = ctx;
    const judge_job *j = &v->jobs[index];
    char line[400];
    const cJSON *f = vd->result ? cJSON_GetObjectItem(vd->result, "fitness") : NULL;
    if (vd->status == SB_OK && cJSON_IsNumber(f))
        snprintf(line, sizeof line, "%s seed %d fitness %.3f", v->en[j->iteration - 1].name, j->sample,
                 f->valuedouble);
    else
        snprintf(line, sizeof line, "%s seed %d %s", v->en[j->iteration - 1].name, j->sample,
                 sb_status_name(vd->status));
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

int cmd_compare(int argc, char **argv) {
    const char *task = NULL;
    int seeds = 3, jobs = 0, json = 0, quiet = 0, help = 0, n_pos = 0, retrain = 0;
    const char *out_dir = NULL;
    long steps = 0;
    const char *pos[MAX_REWARDS];
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name"},
        {"--seeds", CLI_INT, &seeds, "trainings per reward, seeds 1..N (default 3)"},
        {"--steps", CLI_LONG, &steps, "steps per training (default the task's train_steps)"},
        {"--jobs", CLI_INT, &jobs, "trainings at once (default: number of cores)"},
        {"--out", CLI_STR, &out_dir, "write DIR/compare.json and DIR/rewardNN/seedNN/ trainings"},
        {"--retrain", CLI_BOOL, &retrain, "train a run's best.c again instead of reusing its evaluation"},
        {"--json", CLI_BOOL, &json, "print the table as JSON"},
        {"--quiet", CLI_BOOL, &quiet, "no progress line"},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, pos, MAX_REWARDS - 2, &n_pos, &help, &e))
        return cli_fail("compare", &e);
    if (help) { cli_usage("compare", "--task T [RUN|FILE ...]", flags, nf); return 0; }
    const task_def *t = cli_task(task, &e);
    if (!t) return cli_fail("compare", &e);
    if (seeds < 1 || seeds > MAX_SEEDS) {
        err_set(&e, ERR_USAGE, "--seeds %d: use 1..%d", seeds, MAX_SEEDS);
        return cli_fail("compare", &e);
    }
    if (steps <= 0) steps = t->defaults.train_steps > 0 ? t->defaults.train_steps : 1000000;
    int cores = judge_cores();
    if (jobs <= 0) jobs = cores;
    int threads = cores / jobs > 1 ? cores / jobs : 1;

    entry *en = calloc(MAX_REWARDS, sizeof *en);
    int n = 0, rc = ERR_OK;
    if (!en) { err_set(&e, ERR_NOMEM, "compare: out of memory"); return cli_fail("compare", &e); }
    const char *kinds[2] = {"sparse", "human"};
    for (int i = 0; i < 2 && !rc; i++) {
        char path[RUN_PATH_MAX];
        if ((rc = fs_path(path, sizeof path, &e, "%s/rewards/%s_%s.c", fs_root(), t->name, kinds[i]))) break;
        en[n].src = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
        if (!en[n].src) { rc = err_wrap(&e, "compare needs the task's %s reward", kinds[i]); break; }
        snprintf(en[n].label, sizeof en[n].label, "%s (rewards/%s_%s.c)", kinds[i], t->name, kinds[i]);
        snprintf(en[n].name, sizeof en[n].name, "%s_%s.c", t->name, kinds[i]);
        n++;
    }
    for (int i = 0; i < n_pos && !rc; i++) {
        entry *x = &en[n];
        if (run_has(pos[i], RUN_SETTINGS)) {
            cJSON *r = run_read_json(pos[i], RUN_SETTINGS, &e);
            if (!r) { rc = e.code; break; }
            const char *rt = cJSON_GetStringValue(cJSON_GetObjectItem(r, "task"));
            if (!rt || strcmp(rt, t->name) != 0) {
                rc = err_set(&e, ERR_USAGE, "%s is a run of task '%.64s', not '%s'", pos[i], rt ? rt : "?", t->name);
                cJSON_Delete(r);
                break;
            }
            cJSON *es = cJSON_GetObjectItem(r, "eval_steps");
            double run_eval_steps = cJSON_IsNumber(es) ? es->valuedouble : -1;
            cJSON_Delete(r);
            x->src = run_read_text(pos[i], RUN_BEST_C, RCOMP_MAX_SOURCE, &e);
            if (!x->src) { rc = err_wrap(&e, "%s has no best candidate yet", pos[i]); break; }
            x->run = pos[i];
            snprintf(x->label, sizeof x->label, "%s/%s", pos[i], RUN_BEST_C);
            snprintf(x->name, sizeof x->name, "%s/%s", cli_base_name(pos[i]), RUN_BEST_C);
            // Reuse the run's final evaluation (same seeds 1..N, same steps), each training
            // only when its policy scores what it records.
            if (!retrain && run_eval_steps == (double)steps)
                for (int s = 0; s < seeds; s++) {
                    char rel[64];
                    run_eval_rel(rel, sizeof rel, s + 1, RUN_TRAIN, NULL);
                    cJSON *tr = run_has(pos[i], rel) ? run_read_json(pos[i], rel, NULL) : NULL;
                    cJSON *f = cJSON_GetObjectItem(tr, "fitness");
                    double again = 0;
                    err_info ve = {0};
                    if (cJSON_IsNumber(f) && judge_verify(t, tr, &again, &ve) == ERR_OK && judge_same(again, f->valuedouble)) {
                        x->fit[s] = again;
                        x->ok[s] = 1;
                        x->reused++;
                    } else if (tr) {
                        char shown[600], why[600];
                        if (!ve.msg[0]) snprintf(ve.msg, sizeof ve.msg, "it records fitness %.6g, its saved "
                                                 "policy scores %.6g", cJSON_IsNumber(f) ? f->valuedouble : NAN, again);
                        fprintf(stderr, "note: %s/%s is not reused (%s): training it again\n",
                                san_str(shown, sizeof shown, pos[i], 0), rel, san_str(why, sizeof why, ve.msg, 0));
                    }
                    cJSON_Delete(tr);
                }
        } else {
            x->src = fs_read(pos[i], RCOMP_MAX_SOURCE, NULL, &e);
            if (!x->src) {
                rc = err_set(&e, e.code, "%s: neither a run directory (no run.json) nor a readable reward file",
                             pos[i]);
                break;
            }
            snprintf(x->label, sizeof x->label, "%s", pos[i]);
            snprintf(x->name, sizeof x->name, "%s", cli_base_name(pos[i]));
        }
        n++;
    }
    if (!rc) {
        judge_job *jl = calloc((size_t)(n * seeds), sizeof *jl);
        judge_verdict *vd = calloc((size_t)(n * seeds), sizeof *vd);
        if (!jl || !vd) rc = err_set(&e, ERR_NOMEM, "compare: out of memory");
        for (int i = 0; i < n && !rc; i++)
            for (int s = 0; s < seeds; s++) {
                train_cfg cfg = {0};
                cfg.steps = steps;
                cfg.threads = threads;
                cfg.seed = (uint64_t)(s + 1);
                judge_job *j = &jl[i * seeds + s];
                *j = judge_job_train(t, en[i].src, &cfg);
                j->iteration = i + 1;
                j->sample = s + 1;
                j->skip = en[i].ok[s];
            }
        if (!rc) {
            int todo = 0;
            for (int k = 0; k < n * seeds; k++) todo += !jl[k].skip;
            compare_view view = {progress_new("compare", "trainings", quiet || json), en, jl};
            progress_plan(view.pg, todo, jl[0].cfg.steps);
            judge_opts jo = {t, jobs, NULL, on_progress, on_done, &view};
            judge_run(&jo, jl, n * seeds, vd);
            progress_free(view.pg);
            for (int k = 0; k < n * seeds; k++) {
                entry *x = &en[k / seeds];
                int s = k % seeds;
                if (jl[k].skip) continue;
                cJSON *f = vd[k].result ? cJSON_GetObjectItem(vd[k].result, "fitness") : NULL;
                if (vd[k].status == SB_OK && cJSON_IsNumber(f)) { x->fit[s] = f->valuedouble; x->ok[s] = 1; }
                else snprintf(x->err[s], sizeof x->err[s], "%s: %.400s", sb_status_name(vd[k].status), vd[k].message);
                char rel[64];
                snprintf(rel, sizeof rel, "reward%02d/seed%02d", k / seeds + 1, s + 1);
                if (out_dir && x->ok[s] && !rc) rc = run_write_train(out_dir, rel, vd[k].result, &e);
                judge_verdict_free(&vd[k]);
            }
        }
        free(jl);
        free(vd);
    }
    if (rc) {
        for (int i = 0; i < n; i++) free(en[i].src);
        free(en);
        return cli_fail("compare", &e);
    }
    double fs_mean, fs_sd, fh_mean, fh_sd;
    stats(&en[0], seeds, &fs_mean, &fs_sd);
    stats(&en[1], seeds, &fh_mean, &fh_sd);
    double denom = fabs(fh_mean - fs_mean);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "task", t->name);
    cJSON_AddNumberToObject(out, "seeds", seeds);
    cJSON_AddNumberToObject(out, "steps", (double)steps);
    cJSON *rows = cJSON_AddArrayToObject(out, "rewards");
    if (!json)
        printf("task %s, %d seeds x %ld steps\n%-44s %8s %8s %8s  %s\n", t->name, seeds, steps,
               "reward", "fitness", "spread", "HNS", "per seed");
    for (int i = 0; i < n; i++) {
        double m, sd;
        int k = stats(&en[i], seeds, &m, &sd);
        double hns = (k && denom > 1e-12 && !isnan(fs_mean)) ? (m - fs_mean) / denom : NAN;
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "reward", en[i].label);
        cJSON *fa = cJSON_AddArrayToObject(r, "fitness");
        char per[512] = "";
        size_t used = 0;
        for (int s = 0; s < seeds; s++) {
            if (en[i].ok[s]) {
                cJSON_AddItemToArray(fa, cJSON_CreateNumber(en[i].fit[s]));
                used += (size_t)snprintf(per + used, used < sizeof per ? sizeof per - used : 0, "%s%.3f",
                                         s ? " " : "", en[i].fit[s]);
            } else {
                cJSON_AddItemToArray(fa, cJSON_CreateNull());
                used += (size_t)snprintf(per + used, used < sizeof per ? sizeof per - used : 0, "%sfailed",
                                         s ? " " : "");
            }
        }
        if (k) cJSON_AddNumberToObject(r, "mean", m); else cJSON_AddNullToObject(r, "mean");
        cJSON_AddNumberToObject(r, "spread", sd);
        if (!isnan(hns)) cJSON_AddNumberToObject(r, "hns", hns); else cJSON_AddNullToObject(r, "hns");
        cJSON_AddNumberToObject(r, "reused_seeds", en[i].reused);
        cJSON *errs = cJSON_AddArrayToObject(r, "errors");
        for (int s = 0; s < seeds; s++) if (en[i].err[s][0]) cJSON_AddItemToArray(errs, cJSON_CreateString(en[i].err[s]));
        cJSON_AddItemToArray(rows, r);
        if (!json) {
            char ms[16] = "-", hs[16] = "-";
            if (k) snprintf(ms, sizeof ms, "%.3f", m);
            if (!isnan(hns)) snprintf(hs, sizeof hs, "%.2f", hns);
            char label[256], err[4 * ERR_MSG_MAX];
            printf("%-44.44s %8s %8.3f %8s  %s%s\n", san_str(label, sizeof label, en[i].label, 0), ms, sd,
                   hs, per, en[i].reused ? "  (reused the run's final evaluation, verified)" : "");
            for (int s = 0; s < seeds; s++)
                if (en[i].err[s][0]) printf("    seed %d: %s\n", s + 1, san_str(err, sizeof err, en[i].err[s], 0));
        }
    }
    if (json) {
        char *s = cJSON_Print(out);
        printf("%s\n", s);
        free(s);
    } else {
        printf("HNS = (F - F_sparse) / |F_human - F_sparse|; spread = sample standard deviation\n");
    }
    // The table goes with every run it compared (the run's report shows it) and to --out.
    for (int i = 0; i < n && !rc; i++)
        if (en[i].run) rc = run_write_json(en[i].run, "compare.json", out, &e);
    if (!rc && out_dir) rc = run_write_json(out_dir, "compare.json", out, &e);
    cJSON_Delete(out);
    for (int i = 0; i < n; i++) free(en[i].src);
    free(en);
    return rc ? cli_fail("compare", &e) : 0;
}
