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
//                 rungs, each rung ranking as the search's does (halving_rung_score)
//
// usage: bench_judge [--task T] [--reference DIR] [--ref-seeds S] [--jobs J]
//                    [--judges max-half,robust-half,halving] [--rungs 0.25,0.5,1] [--replay]
//                    [--judge-seeds 1,1,2] [--prefix DIR] [--json FILE] [REWARD.c ...]
// --rungs: the halving judge's rung ends, as `eureka search --rungs` takes them.
// --replay: no judge training; replay schedules on the trainings' checkpoint curves (see
//           replay below): seconds instead of an hour per schedule, once the prefix
//           trainings (the first half of each reference training on the search's
//           checkpoint grid, cached in --prefix DIR, default build/judge_prefix) exist.
// --judge-seeds: with --replay, one more judge (--rungs, default the search's) that
//           trains each candidate on this many seeds (one count, or one per rung) and
//           ranks on their mean; every line is then scored against the seeds left over.
// Default rewards: rewards/<task>_*.c and ../shared/data/<task>_llm_rewards/*.c (beside
// the repository). The reference trainings are cached in DIR (default
// build/judge_reference) as DIR/<reward>/seedNN/train.json, each as it ends (a killed
// benchmark keeps what finished), and reused when present and
// trained with the settings this build would train with ("config" in train.json: the
// task's defaults, the seed, the budget); a cache trained with others (a default changed
// since) stops the benchmark with a line naming the file and the setting (exit 2).
// Not part of the test suite (tests/e2e_train.sh checks only its caches, on a cartpole
// reference of seconds): on two cores the reference alone takes hours.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge/halving.h"
#include "judge/judge.h"
#include "reward/rcomp.h"
#include "rl/train_cfg.h"
#include "search/search.h"
#include "util/fs.h"
#include "util/stats.h"
#include "util/clock.h"
#include "util/rng.h"

#define MAX_REWARDS 64
#define MAX_SEEDS 10

// A training's checkpoint curve (train.json "checkpoints"): steps, success rate or
// fitness, graded fitness (NaN where the training did not record one).
typedef struct curve {
    long *steps;
    double *fit, *graded;
    int n;
} curve;

typedef struct reward {
    char path[1024];
    char name[256];
    char *src;
    double ref[MAX_SEEDS];      // reference fitness per seed
    int n_ref;
    double ref_mean, ref_se;
    // For --replay, per seed: the reference training's curve, the prefix training's (the
    // same training's first half on the search's finer checkpoint grid, with the graded
    // fitness), and the two merged (the prefix, then the reference beyond it).
    curve ref_c[MAX_SEEDS], pre_c[MAX_SEEDS], cur[MAX_SEEDS];
} reward;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// Whether file name belongs to a task whose name extends t's (reorient_muscle_human.c is
// not one of reorient's rewards).
static int of_longer_task(const char *name, const task_def *t) {
    int nt = 0;
    const task_def *const *all = task_all(&nt);
    size_t l = strlen(t->name);
    for (int i = 0; i < nt; i++) {
        size_t m = strlen(all[i]->name);
        if (m > l && strncmp(all[i]->name, t->name, l) == 0 && strncmp(name, all[i]->name, m) == 0 && name[m] == '_')
            return 1;
    }
    return 0;
}

// Add every DIR/PREFIX*.c, sorted, to the list (not those of a longer task name, when t).
static void add_dir(reward *rw, int *n, const char *dir, const char *prefix, const task_def *t) {
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[MAX_REWARDS];
    int k = 0;
    struct dirent *de;
    while ((de = readdir(d)) && k < MAX_REWARDS) {
        size_t l = strlen(de->d_name);
        if (l > 2 && strcmp(de->d_name + l - 2, ".c") == 0 && strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
            !(t && of_longer_task(de->d_name, t)))
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

static void curve_free(curve *c) {
    free(c->steps);
    free(c->fit);
    free(c->graded);
    memset(c, 0, sizeof *c);
}

static int curve_alloc(curve *c, int n) {
    c->steps = calloc((size_t)n, sizeof *c->steps);
    c->fit = calloc((size_t)n, sizeof *c->fit);
    c->graded = calloc((size_t)n, sizeof *c->graded);
    if (!c->steps || !c->fit || !c->graded) { curve_free(c); return 1; }
    c->n = n;
    return 0;
}

// Keep a training's checkpoint curve for --replay.
static void keep_curve(curve *c, const cJSON *tr) {
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(tr, "checkpoints");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(ck, "steps"), *fi = cJSON_GetObjectItemCaseSensitive(ck, "fitness");
    const cJSON *gr = cJSON_GetObjectItemCaseSensitive(ck, "graded");
    int n = cJSON_GetArraySize(fi);
    curve_free(c);
    if (n < 1 || n > 100000 || cJSON_GetArraySize(st) != n || curve_alloc(c, n)) return;
    for (int k = 0; k < n; k++) {
        c->fit[k] = cJSON_GetNumberValue(cJSON_GetArrayItem(fi, k));
        c->steps[k] = (long)cJSON_GetNumberValue(cJSON_GetArrayItem(st, k));
        c->graded[k] = cJSON_GetArraySize(gr) == n ? cJSON_GetNumberValue(cJSON_GetArrayItem(gr, k)) : NAN;
    }
}

// cur = the prefix's checkpoints, then the reference's after the prefix's last (a
// continued training is the straight one bit for bit, so the two are one training).
static void merge_curves(reward *r, int s) {
    const curve *p = &r->pre_c[s], *f = &r->ref_c[s];
    long last = p->n ? p->steps[p->n - 1] : -1;
    int m = p->n;
    for (int k = 0; k < f->n; k++) m += f->steps[k] > last;
    curve_free(&r->cur[s]);
    if (m == 0 || curve_alloc(&r->cur[s], m)) return;
    curve *c = &r->cur[s];
    int j = 0;
    for (int k = 0; k < p->n; k++, j++) { c->steps[j] = p->steps[k]; c->fit[j] = p->fit[k]; c->graded[j] = p->graded[k]; }
    for (int k = 0; k < f->n; k++)
        if (f->steps[k] > last) { c->steps[j] = f->steps[k]; c->fit[j] = f->fit[k]; c->graded[j++] = f->graded[k]; }
}

// Everything of the MAX_REWARDS entries (unused ones are zero) and the array.
static void free_rewards(reward *rw) {
    for (int i = 0; i < MAX_REWARDS; i++) {
        free(rw[i].src);
        for (int s = 0; s < MAX_SEEDS; s++) {
            curve_free(&rw[i].ref_c[s]);
            curve_free(&rw[i].pre_c[s]);
            curve_free(&rw[i].cur[s]);
        }
    }
    free(rw);
}

// Whether the cached training tr (read from path) is the one job j would train now: its
// "config" (train_cfg_record of the settings it ran with) equals the job's settings,
// which are filled with this build's defaults. Otherwise one line on stderr naming the
// file, the first setting that differs and the fix (a fresh `opt` DIR): a changed default
// (e.g. the task's epochs) would mix old trainings into the new table.
static int cache_current(const cJSON *tr, const judge_job *j, const char *path, const char *opt, const char *dir) {
    train_cfg_delta d;
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(tr, "config");
    if (!train_cfg_diff(rec, &j->cfg, &d)) return 1;
    char what[256];
    if (!cJSON_IsObject(rec))
        snprintf(what, sizeof what, "records no \"config\" (its settings are unknown)");
    else if (!d.was[0])
        snprintf(what, sizeof what, "records no %s, this build trains with %s", d.name, d.now);
    else if (!d.now[0])
        snprintf(what, sizeof what, "was trained with %s %s, a setting this build does not have", d.name, d.was);
    else
        snprintf(what, sizeof what, "was trained with %s %s, this build trains with %s", d.name, d.was, d.now);
    fprintf(stderr, "bench_judge: %s %s: give a fresh %s DIR (or remove %s)\n", path, what, opt, dir);
    return 0;
}

// What train_set's on_done needs to keep a finished training.
typedef struct set_ctx {
    reward *rw;
    int seeds, is_ref;
    const char *dir;
} set_ctx;

// A training of train_set ended: keep its curve (and reference fitness), and cache it at
// once, so an interrupted benchmark loses only the trainings still running.
static void set_done(void *ctx, int k, judge_verdict *v) {
    const set_ctx *c = ctx;
    reward *r = &c->rw[k / c->seeds];
    int s = k % c->seeds;
    if (v->status != SB_OK) return;
    if (c->is_ref) r->ref[s] = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v->result, "fitness"));
    keep_curve(c->is_ref ? &r->ref_c[s] : &r->pre_c[s], v->result);
    char dir[2048], path[2100];
    snprintf(dir, sizeof dir, "%s/%s/seed%02d", c->dir, r->name, s + 1);
    snprintf(path, sizeof path, "%s/train.json", dir);
    char *txt = cJSON_Print(v->result);
    err_info e = {0};
    if (!txt || fs_mkdirs(dir, &e) || fs_write_atomic(path, txt, strlen(txt), &e))
        fprintf(stderr, "cannot cache %s: %s\n", path, txt ? e.msg : "out of memory");
    free(txt);
}

// Seeds 1..S of every reward, cached in dir and reused: the reference (steps 0: the full
// budget, the task's checkpoints; its fitness is the reference) or, for --replay, the
// prefix (the first `steps` of the same trainings on the search's checkpoint grid ck).
// opt names dir's option for the message on a cache trained with other settings, which
// stops everything before any training: 2.
static int train_set(const task_def *t, reward *rw, int n, const char *refdir, const char *opt, int seeds,
                     int jobs, long steps, long ck, double *seconds) {
    int is_ref = steps == 0;
    if (n < 1 || seeds < 1) return 1;
    size_t count = (size_t)n * (size_t)seeds;
    judge_job *jl = calloc(count, sizeof *jl);
    judge_verdict *vd = calloc(count, sizeof *vd);
    if (!jl || !vd) return 1;
    int todo = 0;
    for (int i = 0; i < n; i++)
        for (int s = 0; s < seeds; s++) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s/seed%02d/train.json", refdir, rw[i].name, s + 1);
            train_cfg cfg = {0};
            cfg.seed = (uint64_t)(s + 1);
            cfg.threads = 1;
            cfg.steps = steps;
            cfg.ck_interval = is_ref ? 0 : ck;
            judge_job *j = &jl[i * seeds + s];
            *j = judge_job_train(t, rw[i].src, &cfg);
            j->iteration = i;
            j->sample = s + 1;
            char *txt = fs_read(path, 64 << 20, NULL, NULL);
            cJSON *tr = txt ? cJSON_Parse(txt) : NULL;
            free(txt);
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(tr, "fitness");
            if (cJSON_IsNumber(f) && !cache_current(tr, j, path, opt, refdir)) {
                cJSON_Delete(tr);
                free(jl);
                free(vd);
                return 2;
            }
            if (cJSON_IsNumber(f)) {
                if (is_ref) rw[i].ref[s] = f->valuedouble;
                keep_curve(is_ref ? &rw[i].ref_c[s] : &rw[i].pre_c[s], tr);
                j->skip = 1;
            } else {
                todo++;
            }
            cJSON_Delete(tr);
        }
    fprintf(stderr, "%s: %d of %d trainings to run (%d seeds x %ld steps)\n", is_ref ? "reference" : "prefix", todo,
            n * seeds, seeds, jl[0].cfg.steps);
    double t0 = now_s();
    set_ctx sc = {rw, seeds, is_ref, refdir};
    judge_opts o = {t, jobs, NULL, NULL, set_done, &sc};
    judge_run(&o, jl, n * seeds, vd);
    *seconds = now_s() - t0;
    int rc = 0;
    for (int k = 0; k < n * seeds; k++) {
        if (jl[k].skip) continue;
        if (vd[k].status != SB_OK) {
            fprintf(stderr, "%s %s seed %d: %s: %s\n", is_ref ? "reference" : "prefix", rw[k / seeds].name,
                    k % seeds + 1, sb_status_name(vd[k].status), vd[k].message);
            rc = 1;
        }
        judge_verdict_free(&vd[k]);
    }
    for (int i = 0; i < n && is_ref; i++) {
        rw[i].n_ref = seeds;
        double sd;
        stats_mean_sd(rw[i].ref, seeds, &rw[i].ref_mean, &sd);
        rw[i].ref_se = seeds > 1 ? sd / sqrt((double)seeds) : 0;
    }
    free(jl);
    free(vd);
    return rc;
}

// How far one training tells the rewards apart: the spread of the references between
// rewards against a training's own spread over seeds, and the one-way intraclass
// correlation ICC(1) = (MSB - MSW) / (MSB + (S - 1) MSW): the share of one training's
// fitness variance that is the reward's rather than the seed's.
static void print_spread(const reward *rw, int n, int seeds) {
    if (n < 2 || seeds < 2) return;
    double means[MAX_REWARDS], grand, between, msw = 0;
    for (int i = 0; i < n; i++) {
        double sd;
        stats_mean_sd(rw[i].ref, seeds, &means[i], &sd);
        msw += sd * sd / n;
    }
    stats_mean_sd(means, n, &grand, &between);
    double msb = seeds * between * between;
    printf("reference spread: between rewards sd %.3f, over seeds sd %.3f, ICC(1) %.3f (%d rewards x %d seeds)\n",
           between, sqrt(msw), (msb - msw) / (msb + (seeds - 1) * msw), n, seeds);
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

// --replay: a judge's schedule replayed on the trainings' checkpoint curves, with no
// training. A training that halving stops and resumes is bit for bit the straight one
// (rl/ppo.h), so a seed's curve up to a rung end is what the judge would see for that
// seed. Some seeds play the judge's trainings (a seating, below) and the mean of the
// others is the reference the judge is scored against; every seating is replayed, which
// gives several estimates of the Spearman: their spread is the benchmark's own noise.
// The curve of a seed: the prefix training (the first half of the budget on the search's
// checkpoint grid, with the graded fitness), then the reference beyond it. The statistic
// at a rung end: the mean over the checkpoints within the robust window (the judge's: the
// last 3 of 20 checkpoints, 0.15 of the full budget; at least one checkpoint) of the
// success rate, or of the graded fitness where the judge ranks on it
// (halving_rung_graded; judge "judge"), or EUREKA's maximum (judge "max"); a rung that
// trains a candidate on several seeds ranks on their mean. Judge "both" is a hybrid that
// the search does not offer, measured and turned down (docs/judge.md): its first cut
// ranks on the sum of a candidate's success-rate rank and graded rank in the field.
#define ROBUST_WINDOW 0.15
// Random fields of the search's default size (--samples 8) drawn from all the rewards:
// the real iterations give only a few decisions per seating, these many more.
#define DRAW_K 8
#define DRAWS 500
#define MAX_SEATINGS 720

typedef enum { STAT_MAX, STAT_ROBUST, STAT_JUDGE, STAT_BOTH } replay_stat;
static const char *const stat_name[] = {"max", "robust", "judge", "both"};

// Which reference seeds play the judge: seat[k] is the seed of every candidate's k-th
// training; the seeds not seated are the reference.
typedef struct seating {
    int seat[MAX_SEEDS];
    int n;
} seating;

// One judge to replay: its rung ends (fractions of the full budget, as --rungs takes
// them), its statistic, and how many of the seated seeds each rung's score averages
// (non-decreasing: a seed's training, once started, goes on to the last rung it is in).
typedef struct schedule {
    const char *rungs;
    replay_stat stat;
    int seeds[HALVING_MAX_RUNGS];
} schedule;

static double curve_score(const curve *c, long end, long full, replay_stat stat, int graded) {
    double sum = 0, best = -1;
    int k = 0;
    for (int i = c->n - 1; i >= 0; i--) {
        if (c->steps[i] > end) continue;
        if (stat != STAT_MAX && k > 0 && c->steps[i] <= end - (long)(ROBUST_WINDOW * (double)full)) break;
        double v = graded && !isnan(c->graded[i]) ? c->graded[i] : c->fit[i];
        sum += v;
        if (v > best) best = v;
        k++;
    }
    return k == 0 ? 0 : stat == STAT_MAX ? best : sum / k;
}

// Every ordered choice of j distinct seeds out of `seeds` (seat 0 first varies slowest),
// at most max; returns how many.
static int seatings_make(int seeds, int j, seating *out, int max) {
    int n = 0, t[MAX_SEEDS] = {0};
    for (;;) {
        int distinct = 1;
        for (int a = 0; a < j && distinct; a++)
            for (int b = a + 1; b < j; b++) distinct &= t[a] != t[b];
        if (distinct && n < max) {
            out[n].n = j;
            memcpy(out[n].seat, t, sizeof t);
            n++;
        }
        int k = j - 1;
        while (k >= 0 && ++t[k] == seeds) t[k--] = 0;
        if (k < 0) return n;
    }
}

// The reference of reward r for a seating: the mean of the seeds it does not seat.
static double seating_ref(const reward *r, int seeds, const seating *st) {
    double sum = 0;
    int m = 0;
    for (int o = 0; o < seeds; o++) {
        int seated = 0;
        for (int k = 0; k < st->n; k++) seated |= st->seat[k] == o;
        if (!seated) { sum += r->ref[o]; m++; }
    }
    return m ? sum / m : NAN;
}

// One tournament of the rewards idx[0..m) replayed with the seating's seeds as the
// judge's trainings: their order, best first, in order[] (positions in idx).
static void replay_tournament(const reward *rw, const int *idx, int m, const seating *st, const schedule *sc,
                              const halving_plan *plan, long full, long update, int *order) {
    halving_cand c[MAX_REWARDS];
    memset(c, 0, sizeof c);
    for (int i = 0; i < m; i++) c[i].src = rw[idx[i]].src;
    for (int r = 0; r < plan->n_rungs; r++) {
        int graded = (sc->stat == STAT_JUDGE || sc->stat == STAT_BOTH) && halving_rung_graded(plan, r);
        int both = graded && sc->stat == STAT_BOTH;     // both numbers, ranked in the field below
        // a training stops after the update that reaches the rung end
        long end = (plan->steps[r] + update - 1) / update * update;
        double s[MAX_REWARDS], g[MAX_REWARDS];
        int alive[MAX_REWARDS], na = 0;
        for (int i = 0; i < m; i++) {
            if (c[i].out || c[i].rungs_done != r) continue;
            double sum = 0, gsum = 0;
            for (int k = 0; k < sc->seeds[r]; k++) {
                const curve *cu = &rw[idx[i]].cur[st->seat[k]];
                sum += curve_score(cu, end, full, sc->stat, graded && !both);
                if (both) gsum += curve_score(cu, end, full, sc->stat, 1);
            }
            c[i].score = s[na] = sum / sc->seeds[r];
            g[na] = gsum / sc->seeds[r];
            alive[na++] = i;
            c[i].rungs_done = r + 1;
        }
        if (both && na > 1) {
            // the sum of the success rate's rank and the graded fitness's, success breaking ties
            double rs[MAX_REWARDS], rg[MAX_REWARDS];
            stats_ranks(s, na, rs);
            stats_ranks(g, na, rg);
            for (int a = 0; a < na; a++) c[alive[a]].score = rs[a] + rg[a] + 1e-3 * s[a];
        }
        halving_select(plan, r, c, m);
    }
    halving_order(c, m, order);
}

// The rewards a language model wrote in one iteration of a real search (iterNN_*), as
// groups: what the judge really decides is the best of each iteration's K candidates.
// Returns the number of groups; group g is first[g].. of size len[g] in idx.
static int iteration_groups(const reward *rw, int n, int *idx, int *first, int *len) {
    int ng = 0, m = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(rw[i].name, "iter", 4) || !strchr(rw[i].name, '_')) continue;
        size_t pre = (size_t)(strchr(rw[i].name, '_') - rw[i].name);
        int g = 0;
        while (g < ng && strncmp(rw[idx[first[g]]].name, rw[i].name, pre + 1)) g++;
        if (g == ng) { first[ng] = m; len[ng++] = 0; }
        // rewards are sorted by name, so a group's members are contiguous
        idx[first[g] + len[g]++] = i;
        m++;
    }
    return ng;
}

// The reference-regret of one field idx[0..m) under a seating: the field's best
// reference minus the pick's; *hit: whether the pick is the best.
static double field_regret(const reward *rw, const int *idx, int m, const double *y, const seating *st,
                           const schedule *sc, const double *frac, int nf, long end_steps, long ck, long full,
                           long update, int *hit) {
    halving_plan gp;
    err_info e = {0};
    int order[MAX_REWARDS];
    *hit = 0;
    if (halving_plan_make(m, end_steps, ck, frac, nf, &gp, &e)) return NAN;
    replay_tournament(rw, idx, m, st, sc, &gp, full, update, order);
    double best = -1;
    for (int i = 0; i < m; i++) if (y[idx[i]] > best) best = y[idx[i]];
    *hit = y[idx[order[0]]] >= best;
    return best - y[idx[order[0]]];
}

// Steps the schedule spends over the plan: a candidate that stops after rung r trained
// seeds[r] trainings of steps[r].
static long schedule_steps(const schedule *sc, const halving_plan *plan) {
    long sum = 0;
    for (int r = 0; r < plan->n_rungs; r++) {
        int next = r + 1 < plan->n_rungs ? plan->keep[r + 1] : 0;
        sum += (long)(plan->keep[r] - next) * sc->seeds[r] * plan->steps[r];
    }
    return sum;
}

// One schedule over every seating: prints its line. The rung ends are fractions of the
// full budget; a list ending below 1 (round 1's "0.5") is a tournament whose last rung
// stops there. Besides the whole field's Spearman, each iteration's group is judged on
// its own as the search judges it (the pick's reference against the group's best: regret,
// and how often the pick is the group's best), and so are DRAWS random fields of DRAW_K.
// 0, or 1 when the schedule is bad.
static int replay_one(const reward *rw, int n, int seeds, const seating *st, int n_st, long full, long ck,
                      long update, const schedule *sc) {
    double frac[HALVING_MAX_RUNGS];
    int nf = 0;
    halving_plan plan;
    err_info e = {0};
    if (halving_parse_fractions(sc->rungs, frac, &nf, &e)) {
        fprintf(stderr, "bench_judge --replay: %s\n", e.msg);
        return 1;
    }
    double last = frac[nf - 1];
    if (!(last > 0 && last <= 1)) {
        fprintf(stderr, "bench_judge --replay: %s: the last rung must end in (0, 1] of the full budget\n", sc->rungs);
        return 1;
    }
    for (int r = 0; r < nf; r++) frac[r] /= last;
    long end_steps = (long)(last * (double)full);
    if (halving_plan_make(n, end_steps, ck, frac, nf, &plan, &e)) {
        fprintf(stderr, "bench_judge --replay: %s\n", e.msg);
        return 1;
    }
    int all[MAX_REWARDS], order[MAX_REWARDS], gidx[MAX_REWARDS], gfirst[MAX_REWARDS], glen[MAX_REWARDS];
    for (int i = 0; i < n; i++) all[i] = i;
    int ng = iteration_groups(rw, n, gidx, gfirst, glen);
    static double rho[MAX_SEATINGS], pick_ref[MAX_SEATINGS];
    double regret = 0, dregret = 0;
    int best_picked = 0, decisions = 0, dhits = 0, draws = 0;
    for (int s = 0; s < n_st; s++) {
        replay_tournament(rw, all, n, &st[s], sc, &plan, full, update, order);
        double x[MAX_REWARDS], y[MAX_REWARDS];
        for (int k = 0; k < n; k++) x[order[k]] = (double)(n - k);
        for (int i = 0; i < n; i++) y[i] = seating_ref(&rw[i], seeds, &st[s]);
        rho[s] = stats_spearman(x, y, n);
        pick_ref[s] = y[order[0]];
        int hit;
        for (int g = 0; g < ng; g++) {
            regret += field_regret(rw, gidx + gfirst[g], glen[g], y, &st[s], sc, frac, nf, end_steps, ck, full,
                                   update, &hit);
            best_picked += hit;
            decisions++;
        }
        // the same fields for every schedule and seating: a paired comparison
        rng dr;
        rng_seed(&dr, 1, 0);
        for (int d = 0; d < DRAWS && n > DRAW_K; d++) {
            int pool[MAX_REWARDS], field[DRAW_K];
            memcpy(pool, all, (size_t)n * sizeof *pool);
            for (int k = 0; k < DRAW_K; k++) {      // a partial Fisher-Yates shuffle
                int j = k + (int)rng_below(&dr, (uint64_t)(n - k));
                int tmp = pool[k];
                pool[k] = pool[j];
                pool[j] = tmp;
                field[k] = pool[k];
            }
            dregret += field_regret(rw, field, DRAW_K, y, &st[s], sc, frac, nf, end_steps, ck, full, update, &hit);
            dhits += hit;
            draws++;
        }
    }
    double rm, rsd, pm, psd;
    stats_mean_sd(rho, n_st, &rm, &rsd);
    stats_mean_sd(pick_ref, n_st, &pm, &psd);
    char seeds_txt[64] = "";
    for (int r = 0; r < plan.n_rungs; r++) {
        size_t l = strlen(seeds_txt);
        snprintf(seeds_txt + l, sizeof seeds_txt - l, "%s%d", r ? "," : "", sc->seeds[r]);
    }
    printf("%-6s %-16s %-8s %6.2f %9.3f %7.3f %9.3f", stat_name[sc->stat], sc->rungs, seeds_txt,
           (double)schedule_steps(sc, &plan) / ((double)n * full), rm, rsd, pm);
    if (decisions) printf(" %10.3f %7d/%-3d", regret / decisions, best_picked, decisions);
    else printf(" %10s %11s", "-", "-");
    if (draws) printf(" %10.3f %7.0f%%", dregret / draws, 100.0 * dhits / draws);
    else printf(" %10s %8s", "-", "-");
    printf("  [");    // per seating: their spread is the benchmark's noise
    for (int s = 0; s < n_st; s++) printf("%s%.3f", s ? " " : "", rho[s]);
    printf("]\n");
    return 0;
}

// Which statistic ranks the field better at one rung end: the Spearman with the
// seating's reference of the success rate and of the graded fitness (each the mean over
// the robust window of the first seated seed's curve), per seating, at rung ends on the
// checkpoint grid.
static void replay_statistics(const reward *rw, int n, int seeds, const seating *st, int n_st, long full,
                              long ck) {
    static const int at[] = {2, 3, 4, 5, 7, 10};
    printf("\nstatistic at a rung end (checkpoints of the window), Spearman per seating (judge seed)\n%-10s",
           "rung end");
    for (int s = 0; s < n_st; s++) printf("  success s%d  graded s%d", st[s].seat[0] + 1, st[s].seat[0] + 1);
    printf("\n");
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        long end = at[k] * ck;
        printf("%-10ld", end);
        for (int s = 0; s < n_st; s++) {
            double x[MAX_REWARDS], g[MAX_REWARDS], y[MAX_REWARDS];
            for (int i = 0; i < n; i++) {
                x[i] = curve_score(&rw[i].cur[st[s].seat[0]], end, full, STAT_ROBUST, 0);
                g[i] = curve_score(&rw[i].cur[st[s].seat[0]], end, full, STAT_ROBUST, 1);
                y[i] = seating_ref(&rw[i], seeds, &st[s]);
            }
            printf("  %10.3f %10.3f", stats_spearman(x, y, n), stats_spearman(g, y, n));
        }
        printf("\n");
    }
}

// Parse --judge-seeds: one count for every rung, or one per rung; each at least 1 and
// at most the reference seeds less one (the reference needs one), non-decreasing.
// Returns the largest, or 0 with a message on stderr.
static int parse_judge_seeds(const char *text, int n_rungs, int seeds, int *out) {
    int m = 0;
    const char *p = text;
    while (*p && m < HALVING_MAX_RUNGS) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || v < 1 || v >= seeds || (m && v < out[m - 1])) {
            fprintf(stderr, "bench_judge: --judge-seeds %s: give counts from 1 to %d (the reference keeps a seed of "
                            "--ref-seeds %d), one or one per rung, none below the one before\n", text, seeds - 1, seeds);
            return 0;
        }
        out[m++] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (m == 1) for (int r = 1; r < n_rungs; r++) out[r] = out[0];
    else if (m != n_rungs || *p) {
        fprintf(stderr, "bench_judge: --judge-seeds %s: give one count, or one per rung (%d)\n", text, n_rungs);
        return 0;
    }
    return out[n_rungs - 1];
}

// EUREKA's round-1 judge (max at half), then each schedule ranked on the success rate at
// every rung (robust) and, for a tournament of several rungs, as the judge ranks (judge)
// and with the hybrid first cut (both).
// Every line one seed per rung; then `extra` (--rungs, default the search's) with the
// judge seeds `jseeds` per rung, when given. All lines are scored on the same seatings:
// the largest seed count of `jseeds` seated, the rest the reference.
static int replay(const reward *rw, int n, int seeds, long full, long ck, long update, const char *extra,
                  const int *jseeds, int j_max) {
    if (seeds < 2) {
        fprintf(stderr, "bench_judge --replay: needs --ref-seeds 2 or more (one plays the judge)\n");
        return 1;
    }
    for (int i = 0; i < n; i++)
        for (int s = 0; s < seeds; s++)
            if (rw[i].cur[s].n == 0) {
                fprintf(stderr, "bench_judge --replay: no checkpoint curve for %s seed %d\n", rw[i].name, s + 1);
                return 1;
            }
    static seating st[MAX_SEATINGS];
    int n_st = seatings_make(seeds, j_max, st, MAX_SEATINGS);
    printf("\nreplay on the prefix + reference curves (%d rewards, %d seeds, %d seatings of %d judge seed%s; "
           "budget: steps / (rewards x full); regret: iterations, then %d random fields of %d)\n",
           n, seeds, n_st, j_max, j_max > 1 ? "s" : "", DRAWS, DRAW_K);
    printf("%-6s %-16s %-8s %6s %9s %7s %9s %10s %11s %10s %8s  %s\n", "stat", "rungs", "seeds", "budget",
           "spearman", "sd", "pick ref", "it.regret", "it.best", "regret", "best", "per seating");
    static const char *plans[] = {"0.5", HALVING_DEFAULT_RUNGS, "0.3,0.6,1", "0.4,1", "0.5,1", "1"};
    schedule sc = {"0.5", STAT_MAX, {1, 1, 1, 1, 1, 1}};
    int rc = replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
    for (size_t k = 0; k < sizeof plans / sizeof plans[0]; k++) {
        sc.rungs = plans[k];
        sc.stat = STAT_ROBUST;
        rc |= replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
        sc.stat = STAT_JUDGE;
        if (strchr(plans[k], ',')) rc |= replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
        sc.stat = STAT_BOTH;
        if (strchr(plans[k], ',')) rc |= replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
    }
    if (extra || j_max > 1) {
        sc.rungs = extra ? extra : HALVING_DEFAULT_RUNGS;
        memcpy(sc.seeds, jseeds, sizeof sc.seeds);
        sc.stat = STAT_ROBUST;
        rc |= replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
        sc.stat = STAT_JUDGE;
        if (strchr(sc.rungs, ',')) rc |= replay_one(rw, n, seeds, st, n_st, full, ck, update, &sc);
    }
    if (!rc) replay_statistics(rw, n, seeds, st, n_st, full, ck);
    return rc;
}

// Spearman of the judge's ranking (a rank per reward, from its order) with the reference.
static double rank_correlation(const judged *j, const reward *rw, int n) {
    double x[MAX_REWARDS], y[MAX_REWARDS];
    for (int k = 0; k < n; k++) x[j->order[k]] = (double)(n - k);   // best gets the top rank
    for (int i = 0; i < n; i++) y[i] = rw[i].ref_mean;
    return stats_spearman(x, y, n);
}

// The benchmark on rw, a zeroed array of MAX_REWARDS that the caller owns and frees: every
// exit, a usage error included, leaves the freeing to main.
static int bench(int argc, char **argv, reward *rw) {
    const char *task_name = "reorient", *refdir = "judge_reference", *predir = "judge_prefix";
    const char *judges = "max-half,robust-half,halving", *rungs = NULL, *judge_seeds = NULL;
    const char *json_path = NULL;
    int seeds = 3, jobs = judge_cores(), replay_only = 0;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--task") && i + 1 < argc) task_name = argv[++i];
        else if (!strcmp(argv[i], "--reference") && i + 1 < argc) refdir = argv[++i];
        else if (!strcmp(argv[i], "--prefix") && i + 1 < argc) predir = argv[++i];
        else if (!strcmp(argv[i], "--ref-seeds") && i + 1 < argc) seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--judges") && i + 1 < argc) judges = argv[++i];
        else if (!strcmp(argv[i], "--rungs") && i + 1 < argc) rungs = argv[++i];
        else if (!strcmp(argv[i], "--judge-seeds") && i + 1 < argc) judge_seeds = argv[++i];
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
        else if (!strcmp(argv[i], "--replay")) replay_only = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_judge [--task T] [--reference DIR] [--ref-seeds S] [--jobs J] "
                            "[--judges max-half,robust-half,halving] [--rungs 0.25,0.5,1] [--replay] [--judge-seeds 1,1,2] "
                            "[--prefix DIR] [--json FILE] "
                            "[REWARD.c ...]\n");
            return 2;
        } else if (n < MAX_REWARDS) {
            snprintf(rw[n++].path, sizeof rw[0].path, "%s", argv[i]);
        }
    }
    double frac[HALVING_MAX_RUNGS];
    int nfrac = 0;
    err_info fe = {0};
    // The list's shape (increasing, ending at 1), before any training; a replayed
    // tournament may stop short of the full budget, as round 1's "0.5" does.
    int bad = rungs && halving_parse_fractions(rungs, frac, &nfrac, &fe);
    for (int r = 0; rungs && !bad && replay_only && r < nfrac; r++)
        if (!(frac[r] > (r ? frac[r - 1] : 0) && frac[r] <= 1)) {
            fprintf(stderr, "bench_judge: --rungs %s: give fractions in (0, 1], increasing (a replay may end "
                            "before 1)\n", rungs);
            return 2;
        }
    halving_plan probe;
    if (rungs && !bad && !replay_only) bad = halving_plan_make(2, 1000000, 1, frac, nfrac, &probe, &fe);
    if (bad) {
        fprintf(stderr, "bench_judge: %s\n", fe.msg);
        return 2;
    }
    const task_def *t = task_find(task_name);
    if (replay_only && json_path) {
        fprintf(stderr, "bench_judge: --json records the judges' trainings, --replay trains none: give one of them\n");
        return 2;
    }
    if (!t || seeds < 1 || seeds > MAX_SEEDS || jobs < 1) {
        fprintf(stderr, "bench_judge: unknown task '%s' or bad --ref-seeds/--jobs\n", task_name);
        return 2;
    }
    int jseeds[HALVING_MAX_RUNGS] = {1, 1, 1, 1, 1, 1}, j_max = 1;
    if (judge_seeds && !replay_only) {
        fprintf(stderr, "bench_judge: --judge-seeds is replayed on cached curves: give it with --replay\n");
        return 2;
    }
    if (judge_seeds) {
        int nr = 0;
        double fr[HALVING_MAX_RUNGS];
        halving_parse_fractions(rungs ? rungs : HALVING_DEFAULT_RUNGS, fr, &nr, &fe);
        if (!(j_max = parse_judge_seeds(judge_seeds, nr, seeds, jseeds))) return 2;
    }
    if (n == 0) {
        char dir[2048], prefix[64];
        snprintf(prefix, sizeof prefix, "%s_", t->name);
        snprintf(dir, sizeof dir, "%s/rewards", fs_root());
        add_dir(rw, &n, dir, prefix, t);
        snprintf(dir, sizeof dir, "%s/../shared/data/%s_llm_rewards", fs_root(), t->name);
        add_dir(rw, &n, dir, "", NULL);
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
    int trc = train_set(t, rw, n, refdir, "--reference", seeds, jobs, 0, ck, &ref_s);
    if (trc == 2) return 2;
    if (trc) fprintf(stderr, "bench_judge: some reference trainings failed\n");
    if (!trc) print_spread(rw, n, seeds);
    if (replay_only) {
        // the search's second rung end: half the budget on its checkpoint grid
        double pre_s = 0;
        trc = train_set(t, rw, n, predir, "--prefix", seeds, jobs, (full / 2 + ck - 1) / ck * ck, ck, &pre_s);
        if (trc == 2) return 2;
        if (trc) fprintf(stderr, "bench_judge: some prefix trainings failed\n");
        for (int i = 0; i < n; i++)
            for (int s = 0; s < seeds; s++) merge_curves(&rw[i], s);
        int rc = replay(rw, n, seeds, full, ck, update, rungs, jseeds, j_max);
        return rc;
    }
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
    return 0;
}

int main(int argc, char **argv) {
    reward *rw = calloc(MAX_REWARDS, sizeof *rw);
    if (!rw) { fprintf(stderr, "bench_judge: out of memory\n"); return 1; }
    int rc = bench(argc, argv, rw);
    free_rewards(rw);
    return rc;
}
