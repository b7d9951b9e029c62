// bench_env.c: what the environment layer costs on top of the physics. Per task,
// environment (control) steps per second of venv_step with the task's expert reward
// JIT-compiled by libtcc (rewards/<task>_human.c), against plain mj_step on the same
// model with random actions, the same physics steps per control step and the same
// episode ends, on 1 and 2 threads, measured alternately in the same run (best of 5
// each: the machine is shared, the best run is the least disturbed). Target: >= 0.90.
//
//   cmake --build build --target bench_env && build/bench_env [seconds per measurement] [task ...]
// (tasks named after the seconds: only those)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "rl/venv.h"

#define ENVS_PER_THREAD 4

// CPU time of the calling thread: the machine is shared, so rates are steps per
// CPU-second of each thread (summed over threads), which other processes do not disturb
// the way they disturb wall time.
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct job {
    const task_def *t;
    const mjModel *m;
    venv *v;             // NULL: raw mj_step
    int tid, n_threads;
    double seconds;
    long steps;          // control steps done
    double cpu;          // thread CPU seconds they took
} job;

// Raw physics: random actions through the task's act, frame_skip mj_step per control
// step, and the task's own episode ends (done / time limit -> reset), so both sides
// simulate the same kind of states (a ball that left the tray is not simulated on).
// No state fill, no reward, no observation.
static void *raw_thread(void *arg) {
    job *j = arg;
    const task_def *t = j->t;
    const mjModel *m = j->m;
    mjData *d[ENVS_PER_THREAD];
    void *inst[ENVS_PER_THREAD];
    int ep[ENVS_PER_THREAD] = {0};
    rng r;
    rng_seed(&r, 7, (uint64_t)j->tid);
    for (int i = 0; i < ENVS_PER_THREAD; i++) {
        d[i] = mj_makeData(m);
        inst[i] = calloc(1, t->inst_size);
        task_reset(t, m, d[i], inst[i], &r, -1);
    }
    double a[64];
    double start = now(), end = start + j->seconds;
    long steps = 0;
    while (now() < end) {
        for (int i = 0; i < ENVS_PER_THREAD; i++) {
            for (int k = 0; k < t->act_dim; k++) a[k] = rng_range(&r, -1.0, 1.0);
            t->act(m, d[i], inst[i], a);
            for (int k = 0; k < t->frame_skip; k++) mj_step(m, d[i]);
            if (++ep[i] >= t->episode_steps || (t->done && t->done(m, d[i], inst[i]))) {
                mj_resetData(m, d[i]);
                memset(inst[i], 0, t->inst_size);
                task_reset(t, m, d[i], inst[i], &r, -1);
                ep[i] = 0;
            }
            steps++;
        }
    }
    for (int i = 0; i < ENVS_PER_THREAD; i++) {
        mj_deleteData(d[i]);
        free(inst[i]);
    }
    j->steps = steps;
    j->cpu = now() - start;
    return NULL;
}

// The environment layer: venv_step with random actions on this thread's environments.
static void *venv_thread(void *arg) {
    job *j = arg;
    rng r;
    rng_seed(&r, 7, (uint64_t)j->tid);
    double a[64];
    double start = now(), end = start + j->seconds;
    long steps = 0;
    err_info e;
    while (now() < end) {
        for (int i = j->tid; i < venv_count(j->v); i += j->n_threads) {
            for (int k = 0; k < j->t->act_dim; k++) a[k] = rng_range(&r, -1.0, 1.0);
            venv_step_out o;
            if (venv_step(j->v, i, a, NULL, &o, &e)) {
                fprintf(stderr, "bench_env: %s: %s\n", j->t->name, e.msg);
                exit(1);
            }
            steps++;
        }
    }
    j->steps = steps;
    j->cpu = now() - start;
    return NULL;
}

static double rate(const task_def *t, const mjModel *m, venv *v, int n_threads, double seconds) {
    job jobs[2];
    pthread_t th[2];
    for (int k = 0; k < n_threads; k++) {
        jobs[k] = (job){t, m, v, k, n_threads, seconds, 0, 0};
        pthread_create(&th[k], NULL, v ? venv_thread : raw_thread, &jobs[k]);
    }
    double total = 0;
    for (int k = 0; k < n_threads; k++) {
        pthread_join(th[k], NULL);
        total += jobs[k].steps / jobs[k].cpu;
    }
    return total;
}

static rcomp *compile_human(const task_def *t, err_info *e) {
    char path[4096];
    if (task_file(t, "env.h", path, sizeof path, e)) return NULL;
    char *env_h = fs_read(path, 1 << 20, NULL, e);
    if (!env_h) return NULL;
    if (fs_path(path, sizeof path, e, "%s/rewards/%s_human.c", fs_root(), t->name)) {
        free(env_h);
        return NULL;
    }
    char *src = fs_read(path, RCOMP_MAX_SOURCE, NULL, e);
    rcomp *c = src ? rcomp_new(rcomp_prelude(NULL), env_h, src, e) : NULL;
    free(env_h);
    free(src);
    return c;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    if (!(seconds > 0)) seconds = 0.5;
    int n, worst_ok = 1;
    const task_def *const *all = task_all(&n);
    printf("env steps per CPU-second (summed over threads): venv_step + JIT expert reward vs "
           "raw mj_step\n(same model, physics steps per control step and episode ends); best of "
           "5 alternating %.2f s runs\n", seconds);
    printf("%-15s %7s %14s %14s %7s\n", "task", "threads", "raw", "venv+reward", "ratio");
    for (int i = 2; i < argc; i++)
        if (!task_find(argv[i])) {
            fprintf(stderr, "bench_env: unknown task '%s' (known tasks: %s)\n", argv[i], task_names());
            return 2;
        }
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        int wanted = argc <= 2;
        for (int i = 2; i < argc; i++) wanted |= strcmp(argv[i], t->name) == 0;
        if (!wanted) continue;
        err_info e = {0};
        rcomp *c = compile_human(t, &e);
        if (!c) { fprintf(stderr, "bench_env: %s: %s\n", t->name, e.msg); return 1; }
        for (int threads = 1; threads <= 2; threads++) {
            venv *v = venv_new(t, ENVS_PER_THREAD * threads, 1, rcomp_fn(c), &e);
            if (!v) { fprintf(stderr, "bench_env: %s\n", e.msg); return 1; }
            const mjModel *m = venv_model(v);
            double raw = 0, env = 0;
            for (int rep = 0; rep < 5; rep++) {
                double x = rate(t, m, NULL, threads, seconds);
                double y = rate(t, m, v, threads, seconds);
                if (x > raw) raw = x;
                if (y > env) env = y;
            }
            double ratio = env / raw;
            if (ratio < 0.90) worst_ok = 0;
            printf("%-15s %7d %14.0f %14.0f %7.3f\n", t->name, threads, raw, env, ratio);
            fflush(stdout);
            venv_free(v);
        }
        rcomp_free(c);
    }
    printf("%s\n", worst_ok ? "all ratios >= 0.90" : "some ratio below 0.90");
    return 0;
}
