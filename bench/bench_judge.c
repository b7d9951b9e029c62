// bench_judge.c: how well does the search's judge rank rewards?
//
// For a set of reward files, the fitness the judge assigns under the search's settings
// is compared with a reference: the final-evaluation protocol (`eureka eval`: S seeds at
// the task's full budget, the mean of each training's fitness). Reported per judge: the
// Spearman rank correlation with the reference, the reference fitness of the reward the
// judge would pick (and whether it lies within one standard error of the best
// reference), the steps it trained and its wall time.
//
// Judges measured, all through the judge module exactly as `eureka search` calls it:
//   max-half      round 1 of the search: one training of half the full budget per reward,
//                 judged by EUREKA's fitness (the best of its checkpoints)
//   robust-half   the same trainings, judged by the robust statistic (mean of the last
//                 checkpoints' policies on more held-out cases, re-measured cleanly)
//   halving       today's search: successive halving (judge/halving.h) with the default
//                 rungs, judged by the robust statistic at the rung each reward reached
//
// usage: bench_judge [--task T] [--reference DIR] [--ref-seeds S] [--jobs J]
//                    [--judges max-half,robust-half,halving] [--rungs 0.25,0.5,1] [--json FILE]
//                    [REWARD.c ...]
// --rungs: the halving judge's rung ends, as `eureka search --rungs` takes them.
// Default rewards: rewards/<task>_*.c and ../shared/data/<task>_llm_rewards/*.c (beside
// the repository). The reference trainings are cached in DIR (default
// build/judge_reference) as DIR/<reward>/seedNN/train.json and reused when present.
// Not part of the test suite: on two cores the reference alone takes hours.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge/halving.h"
#include "judge/judge.h"
#include "reward/rcomp.h"
#include "search/search.h"
#include "util/fs.h"
#include "util/stats.h"
#include "util/clock.h"

#define MAX_REWARDS 64
#define MAX_SEEDS 10

typedef struct reward {
    char path[1024];
    char name[256];
    char *src;
    double ref[MAX_SEEDS];      // reference fitness per seed
    int n_ref;
    double ref_mean, ref_se;
} reward;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// Add every DIR/PREFIX*.c, sorted, to the list.
static void add_dir(reward *rw, int *n, const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[MAX_REWARDS];
    int k = 0;
    struct dirent *de;
    while ((de = readdir(d)) && k < MAX_REWARDS) {
        size_t l = strlen(de->d_name);
        if (l > 2 && strcmp(de->d_name + l - 2, ".c") == 0 && strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            names[k++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)k, sizeof names[0], cmp_str);
    for (int i = 0; i < k; i++) {
        if (*n < MAX_REWARDS) {
            snprintf(rw[*n].path, sizeof rw[*n].path, "%s/%s", dir, names[i]);
            (*n)++;
        }
        free(names[i]);
    }
}

// The reference: S trainings at the full budget, seeds 1..S, cached in refdir.
static int reference(const task_def *t, reward *rw, int n, const char *refdir, int seeds, int jobs,
                     double *seconds) {
    judge_job *jl = calloc((size_t)(n * seeds), sizeof *jl);
    judge_verdict *vd = calloc((size_t)(n * seeds), sizeof *vd);
    if (!jl || !vd) return 1;
    int todo = 0;
    for (int i = 0; i < n; i++)
        for (int s = 0; s < seeds; s++) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s/seed%02d/train.json", refdir, rw[i].name, s + 1);
            train_cfg cfg = {0};
            cfg.seed = (uint64_t)(s + 1);
            cfg.threads = 1;
            judge_job *j = &jl[i * seeds + s];
            *j = judge_job_train(t, rw[i].src, &cfg);
            j->iteration = i;
            j->sample = s + 1;
            char *txt = fs_read(path, 64 << 20, NULL, NULL);
            cJSON *tr = txt ? cJSON_Parse(txt) : NULL;
            free(txt);
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(tr, "fitness");
            if (cJSON_IsNumber(f)) {
                rw[i].ref[s] = f->valuedouble;
                j->skip = 1;
            } else {
                todo++;
            }
            cJSON_Delete(tr);
        }
    fprintf(stderr, "reference: %d of %d trainings to run (%d seeds x %ld steps)\n", todo, n * seeds, seeds,
            jl[0].cfg.steps);
    double t0 = now_s();
    judge_opts o = {t, jobs, NULL, NULL, NULL, NULL};
    judge_run(&o, jl, n * seeds, vd);
    *seconds = now_s() - t0;
    int rc = 0;
    for (int k = 0; k < n * seeds; k++) {
        reward *r = &rw[k / seeds];
        int s = k % seeds;
        if (jl[k].skip) continue;
        if (vd[k].status != SB_OK) {
            fprintf(stderr, "reference %s seed %d: %s: %s\n", r->name, s + 1, sb_status_name(vd[k].status),
                    vd[k].message);
            rc = 1;
            continue;
        }
        r->ref[s] = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(vd[k].result, "fitness"));
        char dir[2048], path[2100];
        snprintf(dir, sizeof dir, "%s/%s/seed%02d", refdir, r->name, s + 1);
        snprintf(path, sizeof path, "%s/train.json", dir);
        char *txt = cJSON_Print(vd[k].result);
        err_info e = {0};
        if (!txt || fs_mkdirs(dir, &e) || fs_write_atomic(path, txt, strlen(txt), &e))
            fprintf(stderr, "cannot cache %s: %s\n", path, e.msg);
        free(txt);
        judge_verdict_free(&vd[k]);
    }
    for (int i = 0; i < n; i++) {
        rw[i].n_ref = seeds;
        double sd;
        stats_mean_sd(rw[i].ref, seeds, &rw[i].ref_mean, &sd);
        rw[i].ref_se = seeds > 1 ? sd / sqrt((double)seeds) : 0;
    }
    free(jl);
    free(vd);
    return rc;
}

typedef struct judged {
    const char *name;
    double score[MAX_REWARDS];  // the judge's number per reward (NaN: failed)
    int order[MAX_REWARDS];     // the judge's ranking, best first
    long steps;                 // control steps trained in all
    double seconds;
} judged;

// Rank by score, best first (ties: lower index).
static void order_by_score(judged *j, int n) {
    for (int i = 0; i < n; i++) j->order[i] = i;
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0; k--) {
            double a = j->score[j->order[k]], b = j->score[j->order[k - 1]];
            if (isnan(b) ? !isnan(a) : (!isnan(a) && a > b)) {
                int x = j->order[k];
                j->order[k] = j->order[k - 1];
                j->order[k - 1] = x;
            } else {
                break;
            }
        }
}

// One training of half the full budget per reward, as in round 1 of a search: judged
// by EUREKA's maximum (mh) and by the robust statistic (rh).
static void half_budget(const task_def *t, reward *rw, int n, int jobs, long full, long ck, judged *mh,
                        judged *rh) {
    judge_job *jl = calloc((size_t)n, sizeof *jl);
    judge_verdict *vd = calloc((size_t)n, sizeof *vd);
    for (int i = 0; i < n; i++) {
        train_cfg cfg = {0};
        cfg.steps = full / 2;
        cfg.seed = search_candidate_seed(1, 1, i);
        cfg.threads = 1;
        cfg.ck_interval = ck;
        jl[i] = judge_job_train(t, rw[i].src, &cfg);
        jl[i].sample = i;
    }
    double t0 = now_s();
    judge_opts o = {t, jobs, NULL, NULL, NULL, NULL};
    judge_run(&o, jl, n, vd);
    mh->seconds = rh->seconds = now_s() - t0;
    mh->steps = rh->steps = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *r = vd[i].result;
        mh->score[i] = vd[i].status == SB_OK ? cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "fitness")) : NAN;
        rh->score[i] = vd[i].status == SB_OK ? cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "fitness_robust")) : NAN;
        if (vd[i].status == SB_OK) mh->steps += (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "steps"));
        else fprintf(stderr, "%s: %s: %s\n", rw[i].name, sb_status_name(vd[i].status), vd[i].message);
        judge_verdict_free(&vd[i]);
    }
    rh->steps = mh->steps;
    order_by_score(mh, n);
    order_by_score(rh, n);
    free(jl);
    free(vd);
}

// frac[0..nf): the rung ends (--rungs; nf 0: the default plan).
static void halving(const task_def *t, reward *rw, int n, int jobs, long full, long ck, const double *frac,
                    int nf, judged *hv) {
    halving_plan plan;
    err_info e = {0};
    int rc = nf ? halving_plan_make(n, full, ck, frac, nf, &plan, &e) : halving_plan_default(n, full, ck, &plan, &e);
    if (rc) { fprintf(stderr, "%s\n", e.msg); return; }
    halving_cand *c = calloc((size_t)n, sizeof *c);
    for (int i = 0; i < n; i++) {
        c[i].src = rw[i].src;
        c[i].seed = search_candidate_seed(1, 1, i);
        c[i].label = i;
    }
    halving_opts o;
    memset(&o, 0, sizeof o);
    o.jo = (judge_opts){t, jobs, NULL, NULL, NULL, NULL};
    o.base.threads = 1;
    o.base.ck_interval = ck;
    double t0 = now_s();
    if (halving_run(&o, &plan, c, n, &e)) fprintf(stderr, "halving: %s\n", e.msg);
    hv->seconds = now_s() - t0;
    hv->steps = halving_plan_steps(&plan);
    halving_order(c, n, hv->order);
    for (int i = 0; i < n; i++) {
        hv->score[i] = c[i].v.status == SB_OK ? c[i].score : NAN;
        if (c[i].v.status != SB_OK) fprintf(stderr, "%s: %s: %s\n", rw[i].name, sb_status_name(c[i].v.status), c[i].v.message);
    }
    halving_cands_free(c, n);
    free(c);
}

// Spearman of the judge's ranking (a rank per reward, from its order) with the reference.
static double rank_correlation(const judged *j, const reward *rw, int n) {
    double x[MAX_REWARDS], y[MAX_REWARDS];
    for (int k = 0; k < n; k++) x[j->order[k]] = (double)(n - k);   // best gets the top rank
    for (int i = 0; i < n; i++) y[i] = rw[i].ref_mean;
    return stats_spearman(x, y, n);
}

int main(int argc, char **argv) {
    const char *task_name = "reorient", *refdir = "judge_reference", *judges = "max-half,robust-half,halving", *rungs = NULL;
    const char *json_path = NULL;
    int seeds = 3, jobs = judge_cores();
    reward *rw = calloc(MAX_REWARDS, sizeof *rw);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--task") && i + 1 < argc) task_name = argv[++i];
        else if (!strcmp(argv[i], "--reference") && i + 1 < argc) refdir = argv[++i];
        else if (!strcmp(argv[i], "--ref-seeds") && i + 1 < argc) seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--judges") && i + 1 < argc) judges = argv[++i];
        else if (!strcmp(argv[i], "--rungs") && i + 1 < argc) rungs = argv[++i];
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_judge [--task T] [--reference DIR] [--ref-seeds S] [--jobs J] "
                            "[--judges max-half,robust-half,halving] [--rungs 0.25,0.5,1] [--json FILE] [REWARD.c ...]\n");
            return 2;
        } else if (n < MAX_REWARDS) {
            snprintf(rw[n++].path, sizeof rw[0].path, "%s", argv[i]);
        }
    }
    double frac[HALVING_MAX_RUNGS];
    int nfrac = 0;
    err_info fe = {0};
    halving_plan probe;     // the list's shape (increasing, ending at 1), before any training
    if (rungs && (halving_parse_fractions(rungs, frac, &nfrac, &fe) ||
                  halving_plan_make(2, 1000000, 1, frac, nfrac, &probe, &fe))) {
        fprintf(stderr, "bench_judge: %s\n", fe.msg);
        return 2;
    }
    const task_def *t = task_find(task_name);
    if (!t || seeds < 1 || seeds > MAX_SEEDS || jobs < 1) {
        fprintf(stderr, "bench_judge: unknown task '%s' or bad --ref-seeds/--jobs\n", task_name);
        return 2;
    }
    if (n == 0) {
        char dir[2048], prefix[64];
        snprintf(prefix, sizeof prefix, "%s_", t->name);
        snprintf(dir, sizeof dir, "%s/rewards", fs_root());
        add_dir(rw, &n, dir, prefix);
        snprintf(dir, sizeof dir, "%s/../shared/data/%s_llm_rewards", fs_root(), t->name);
        add_dir(rw, &n, dir, "");
    }
    for (int i = 0; i < n; i++) {
        err_info e = {0};
        rw[i].src = fs_read(rw[i].path, RCOMP_MAX_SOURCE, NULL, &e);
        if (!rw[i].src) { fprintf(stderr, "bench_judge: %s\n", e.msg); return 1; }
        const char *b = strrchr(rw[i].path, '/');
        snprintf(rw[i].name, sizeof rw[i].name, "%s", b ? b + 1 : rw[i].path);
        char *dot = strrchr(rw[i].name, '.');
        if (dot) *dot = '\0';
    }
    train_cfg dflt = {0};
    train_cfg_defaults(&dflt, t);
    long full = dflt.steps, update = (long)dflt.n_envs * dflt.horizon;
    long ck = (full / 20 + update - 1) / update * update;   // as `eureka search` sets it
    fprintf(stderr, "bench_judge: %d rewards on %s, full budget %ld steps, %d jobs\n", n, t->name, full, jobs);

    double ref_s = 0;
    if (reference(t, rw, n, refdir, seeds, jobs, &ref_s)) fprintf(stderr, "bench_judge: some reference trainings failed\n");
    judged res[3];
    int nres = 0;
    memset(res, 0, sizeof res);
    if (strstr(judges, "max-half") || strstr(judges, "robust-half")) {
        res[nres].name = "max-half";
        res[nres + 1].name = "robust-half";
        half_budget(t, rw, n, jobs, full, ck, &res[nres], &res[nres + 1]);
        nres += 2;
    }
    if (strstr(judges, "halving")) {
        res[nres].name = "halving";
        halving(t, rw, n, jobs, full, ck, frac, nfrac, &res[nres]);
        nres++;
    }

    int best_ref = 0;
    for (int i = 1; i < n; i++) if (rw[i].ref_mean > rw[best_ref].ref_mean) best_ref = i;
    printf("\n%-22s %9s %7s", "reward", "reference", "se");
    for (int k = 0; k < nres; k++) printf(" %12s", res[k].name);
    printf("\n");
    for (int i = 0; i < n; i++) {
        printf("%-22s %9.3f %7.3f", rw[i].name, rw[i].ref_mean, rw[i].ref_se);
        for (int k = 0; k < nres; k++) {
            int rank = 0;
            while (rank < n && res[k].order[rank] != i) rank++;
            printf("   %6.3f #%-2d", res[k].score[i], rank + 1);
        }
        printf("\n");
    }
    printf("\n%-14s %9s %12s %10s %12s %9s\n", "judge", "spearman", "pick", "pick ref", "within 1 se", "minutes");
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "task", t->name);
    cJSON_AddNumberToObject(out, "full_budget", (double)full);
    cJSON_AddNumberToObject(out, "reference_seeds", seeds);
    cJSON_AddNumberToObject(out, "reference_minutes", ref_s / 60);
    cJSON *jr = cJSON_AddArrayToObject(out, "judges");
    for (int k = 0; k < nres; k++) {
        int pick = res[k].order[0];
        double rho = rank_correlation(&res[k], rw, n);
        int within = rw[pick].ref_mean >= rw[best_ref].ref_mean - rw[best_ref].ref_se;
        printf("%-14s %9.3f %12.12s %10.3f %12s %9.1f\n", res[k].name, rho, rw[pick].name, rw[pick].ref_mean,
               within ? "yes" : "no", res[k].seconds / 60);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "judge", res[k].name);
        cJSON_AddNumberToObject(o, "spearman", rho);
        cJSON_AddStringToObject(o, "pick", rw[pick].name);
        cJSON_AddNumberToObject(o, "pick_reference", rw[pick].ref_mean);
        cJSON_AddBoolToObject(o, "pick_within_one_se", within);
        cJSON_AddNumberToObject(o, "steps", (double)res[k].steps);
        cJSON_AddNumberToObject(o, "minutes", res[k].seconds / 60);
        cJSON *sc = cJSON_AddObjectToObject(o, "scores");
        for (int i = 0; i < n; i++) cJSON_AddNumberToObject(sc, rw[i].name, res[k].score[i]);
        cJSON_AddItemToArray(jr, o);
    }
    printf("best reference: %s %.3f +- %.3f (se over %d seeds)\n", rw[best_ref].name, rw[best_ref].ref_mean,
           rw[best_ref].ref_se, seeds);
    cJSON *refs = cJSON_AddObjectToObject(out, "reference");
    for (int i = 0; i < n; i++) cJSON_AddItemToObject(refs, rw[i].name, cJSON_CreateDoubleArray(rw[i].ref, seeds));
    if (json_path) {
        char *txt = cJSON_Print(out);
        err_info e = {0};
        if (!txt || fs_write_atomic(json_path, txt, strlen(txt), &e)) fprintf(stderr, "bench_judge: %s\n", e.msg);
        free(txt);
    }
    cJSON_Delete(out);
    for (int i = 0; i < n; i++) free(rw[i].src);
    free(rw);
    return 0;
}
