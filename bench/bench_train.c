// bench_train.c: is training physics-bound? Training throughput (physics steps/s) over
// raw mj_step throughput on the same model with the same number of threads, both
// measured in this run, plus where the training time goes (rollout / update / eval).
// Raw physics is measured twice: with uniform random actions (fingers flail, few contacts)
// and with a = 0 (reorient: fingertips resting on the cube, many contacts); training,
// with actions around the policy mean, lies in between.
//
// usage: bench_train [threads (default: cores)] [reorient control steps (default 204800)]
//                    [reorient|cartpole (default: both)] [K=V[,K=V] (as --set, e.g.
//                    epochs=3,minibatches=16: the update's share under other settings)]
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "rl/ppo.h"
#include "rl/train_cfg.h"

#include "../tasks/reorient/env.h"
#include "util/clock.h"

// A reorient reward in the style of rewards/reorient_human.c (rotation, success bonus,
// action penalty, fingertips near the cube), so the rollout exercises contacts.
static double reorient_reward(const void *state, reward_terms *t) {
    const env_state *s = state;
    double rel[4], gc[4] = {s->goal_quat[0], -s->goal_quat[1], -s->goal_quat[2], -s->goal_quat[3]};
    mju_mulQuat(rel, s->cube_quat, gc);
    double v = sqrt(rel[1] * rel[1] + rel[2] * rel[2] + rel[3] * rel[3]);
    double err = 2 * asin(v > 1 ? 1 : v), a2 = 0, dist = 0;
    for (int k = 0; k < N_JOINTS; k++) a2 += s->action[k] * s->action[k];
    for (int f = 0; f < N_FINGERS; f++) {
        double dx = s->fingertip_pos[f][0] - s->cube_pos[0], dy = s->fingertip_pos[f][1] - s->cube_pos[1];
        double dz = s->fingertip_pos[f][2] - s->cube_pos[2];
        dist += sqrt(dx * dx + dy * dy + dz * dz) / N_FINGERS;
    }
    return reward_term(t, "rot_reward", 1.0 / (err + 0.1)) +
           reward_term(t, "action_penalty", -2e-4 * a2) +
           reward_term(t, "success_bonus", err < SUCCESS_ANGLE ? 2.5 : 0.0) +
           reward_term(t, "tip_reward", 20 * fmin(0.0, 0.045 - dist));
}

static double cartpole_reward(const void *state, reward_terms *t) {
    const double *s = state;   // cart_pos, cart_vel, pole_angle, pole_angvel
    return reward_term(t, "upright", 1.0 - s[2] * s[2]) - 0.01 * fabs(s[1]) - 0.005 * fabs(s[3]);
}

typedef struct raw_job {
    const task_def *t;
    const mjModel *m;
    long steps;          // physics steps to run
    double seconds;
    uint64_t seed;
    int zero;            // a = 0 throughout (reorient: fingertips resting on the cube)
} raw_job;

// Raw physics: mj_step with random actions (a new one every frame_skip steps), reset
// at the task's episode length, as a rollout would do minus the learner.
static void *raw_thread(void *arg) {
    raw_job *j = arg;
    mjData *d = mj_makeData(j->m);
    void *inst = calloc(1, j->t->inst_size ? j->t->inst_size : 1);
    double a[64];
    rng r;
    rng_seed(&r, j->seed, 0);
    mj_resetData(j->m, d);
    task_reset(j->t, j->m, d, inst, &r, -1);
    double t0 = now_s();
    long ctrl = 0;
    for (long s = 0; s < j->steps; s++) {
        if (s % j->t->frame_skip == 0) {
            for (int k = 0; k < j->t->act_dim; k++) a[k] = j->zero ? 0.0 : rng_range(&r, -1, 1);
            j->t->act(j->m, d, inst, a);
            if (++ctrl % j->t->episode_steps == 0) {
                mj_resetData(j->m, d);
                task_reset(j->t, j->m, d, inst, &r, -1);
            }
        }
        mj_step(j->m, d);
    }
    j->seconds = now_s() - t0;
    mj_deleteData(d);
    free(inst);
    return NULL;
}

static double raw_rate(const task_def *t, int threads, long steps_per_thread, int zero) {
    char path[4096], err[512];
    err_info e = {0};
    if (task_file(t, "model.xml", path, sizeof path, &e)) return 0;
    mjModel *m = mj_loadXML(path, NULL, err, sizeof err);
    if (!m) { fprintf(stderr, "%s: %s\n", path, err); return 0; }
    if (t->setup && t->setup(m, err, sizeof err)) { mj_deleteModel(m); return 0; }
    raw_job jobs[64];
    pthread_t th[64];
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (raw_job){t, m, steps_per_thread, 0, (uint64_t)i + 1, zero};
        pthread_create(&th[i], NULL, raw_thread, &jobs[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    double wall = now_s() - t0;
    mj_deleteModel(m);
    return (double)steps_per_thread * threads / wall;
}

static int bench_task(const char *name, reward_fn fn, int threads, long ctrl_steps, const char *set) {
    const task_def *t = task_find(name);
    if (!t) { fprintf(stderr, "no task %s\n", name); return 1; }
    train_cfg cfg = {0};
    cfg.steps = ctrl_steps;
    cfg.seed = 1;
    cfg.threads = threads;
    cfg.checkpoints = 1;
    err_info e = {0};
    if (set && train_cfg_set(&cfg, set, &e)) {
        fprintf(stderr, "bench_train: %s\n", e.msg);
        return 1;
    }
    train_cfg_defaults(&cfg, t);
    long raw_steps = 200000 * (long)t->frame_skip / 8;
    double raw = raw_rate(t, threads, raw_steps, 0);
    cJSON *out = NULL;
    ppo_timing tm = {0};
    if (ppo_train_ex(t, fn, &cfg, NULL, 0, NULL, NULL, &out, NULL, NULL, &tm, &e)) {
        fprintf(stderr, "%s: %s\n", name, e.msg);
        return 1;
    }
    // Raw again (the machine may be shared), and with a = 0 throughout: physics speed
    // depends on the number of contacts, which depends on the actions.
    double rawm = 0.5 * (raw + raw_rate(t, threads, raw_steps, 0));
    double raw0 = raw_rate(t, threads, raw_steps, 1);
    double phys = (double)tm.steps * t->frame_skip;
    double train_rate = phys / (tm.rollout + tm.update);
    printf("%-9s threads %d  raw %.0f physics steps/s (random actions), %.0f (a = 0)\n", name,
           threads, rawm, raw0);
    printf("%-9s training %.0f physics steps/s (rollout+update; %.0f with evaluation)  "
           "ratio %.2f (vs random actions), %.2f (vs a = 0)\n", "", train_rate, phys / tm.total,
           train_rate / rawm, train_rate / raw0);
    printf("%-9s %ld control steps in %.3f s: rollout %.3f s (%.0f%%), update %.3f s (%.0f%%), "
           "evaluation %.3f s (%.0f%%); fitness %.2f\n", "", tm.steps, tm.total, tm.rollout,
           100 * tm.rollout / tm.total, tm.update, 100 * tm.update / tm.total, tm.eval,
           100 * tm.eval / tm.total, cJSON_GetNumberValue(cJSON_GetObjectItem(out, "fitness")));
    // CPU seconds measure the work whatever else runs on the machine; per update, so runs
    // of different lengths compare.
    long upd = tm.steps / ((long)cfg.n_envs * cfg.horizon);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-9s CPU: rollout %.1f s, update %.1f s (%.2f ms per update), evaluation %.1f s; "
           "peak memory of this process so far %.0f MiB\n", "", tm.rollout_cpu, tm.update_cpu,
           upd ? 1e3 * tm.update_cpu / upd : 0, tm.eval_cpu, ru.ru_maxrss / 1024.0);
    cJSON_Delete(out);
    return 0;
}

int main(int argc, char **argv) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = argc > 1 ? atoi(argv[1]) : (int)(cores > 0 ? cores : 1);
    long steps = argc > 2 ? atol(argv[2]) : 204800;
    if (threads < 1 || threads > 64) threads = 1;
    const char *only = argc > 3 ? argv[3] : NULL, *set = argc > 4 ? argv[4] : NULL;
    int rc = 0;
    if (!only || !strcmp(only, "reorient")) rc |= bench_task("reorient", reorient_reward, threads, steps, set);
    if (!only || !strcmp(only, "cartpole")) rc |= bench_task("cartpole", cartpole_reward, threads, 65536, set);
    return rc;
}
