// quadcopter: fly to a random target point and hover there (after Isaac Gym's
// Quadcopter). 50 Hz, 250-step episodes (5 s). Fitness = minus the mean distance to the
// target over the episode's 250 steps (after a crash or flying off, the remaining steps
// count as MAX_DIST), averaged over 50 held-out targets: in [-3, 0], 0 is best.
#include <math.h>
#include <stdio.h>

#include "task/task.h"

#include "env.h"

#define EPISODE 250
#define N_EVAL 50

typedef struct qc_inst {
    double target[3];            // world frame
    double prev_action[4];
    double dist_sum;             // sum of distances to the target over the steps taken
    int steps;                   // control steps taken in this episode
    int body;                    // the drone's body id
} qc_inst;

static double target_dist(const mjData *d, const qc_inst *in) {
    double rel[3];
    mju_sub3(rel, in->target, d->qpos);
    return mju_norm3(rel);
}

static int qc_setup(mjModel *m, char *err, int err_sz) {
    if (m->nu != 4 || m->nq != 7) {
        snprintf(err, (size_t)err_sz, "quadcopter model: expected one free body and 4 rotors");
        return 1;
    }
    return 0;
}

// Drone near (0, 0, 1), tilted up to 0.1 rad, drifting up to 0.2 m/s; target in
// [-1, 1] x [-1, 1] x [0.5, 1.5] m.
static void qc_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    qc_inst *in = inst;
    for (int j = 0; j < 3; j++) d->qpos[j] = (j == 2 ? 1.0 : 0.0) + rng_range(r, -0.1, 0.1);
    double axis[3] = {rng_normal(r), rng_normal(r), rng_normal(r)};
    mju_normalize3(axis);
    mju_axisAngle2Quat(d->qpos + 3, axis, rng_range(r, 0.0, 0.1));
    for (int j = 0; j < 3; j++) d->qvel[j] = rng_range(r, -0.2, 0.2);
    in->target[0] = rng_range(r, -1.0, 1.0);
    in->target[1] = rng_range(r, -1.0, 1.0);
    in->target[2] = rng_range(r, 0.5, 1.5);
    in->body = mj_name2id(m, mjOBJ_BODY, "drone");
    mj_forward(m, d);
}

// a in [-1, 1] -> thrust in [0, 2 x hover thrust] per rotor.
static void qc_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    qc_inst *in = inst;
    double hover = m->body_subtreemass[in->body] * -m->opt.gravity[2] / 4.0;
    for (int j = 0; j < 4; j++) {
        d->ctrl[j] = hover * (1.0 + a[j]);
        in->prev_action[j] = a[j];
    }
    in->steps++;
}

static void qc_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const qc_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    mju_copy3(s->pos, d->qpos);                           // free joint: position, then quat
    mju_copy3(s->target_pos, in->target);
    mju_copy4(s->quat, d->qpos + 3);
    const double zaxis[3] = {0, 0, 1};
    mju_rotVecQuat(s->up, zaxis, s->quat);
    mju_copy3(s->lin_vel, d->qvel);                       // linear velocity: world frame
    mju_rotVecQuat(s->ang_vel, d->qvel + 3, s->quat);     // angular velocity: body frame
    mju_copy4(s->action, a);
    s->step = in->steps > 0 ? in->steps - 1 : 0;          // index of the step just taken
    // END STATE
}

// Observation (20): target - position (3), position (3), orientation (4, w >= 0),
// linear velocity (3), angular velocity in world frame (3), previous action (4).
static void qc_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const qc_inst *in = inst;
    const double *q = d->qpos + 3;
    double sq = q[0] < 0 ? -1.0 : 1.0, w[3];
    mju_rotVecQuat(w, d->qvel + 3, q);
    int k = 0;
    for (int j = 0; j < 3; j++) obs[k++] = (float)(in->target[j] - d->qpos[j]);
    for (int j = 0; j < 3; j++) obs[k++] = (float)d->qpos[j];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * q[j]);
    for (int j = 0; j < 3; j++) obs[k++] = (float)d->qvel[j];
    for (int j = 0; j < 3; j++) obs[k++] = (float)w[j];
    for (int j = 0; j < 4; j++) obs[k++] = (float)in->prev_action[j];
}

static void qc_track(const mjModel *m, const mjData *d, void *inst) {
    qc_inst *in = inst;
    double dist = target_dist(d, in);
    in->dist_sum += dist < MAX_DIST ? dist : MAX_DIST;
}

static int qc_done(const mjModel *m, const mjData *d, const void *inst) {
    return d->qpos[2] < CRASH_HEIGHT || target_dist(d, inst) > MAX_DIST;
}

static double qc_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const qc_inst *in = inst;
    int missing = EPISODE - in->steps;
    return -(in->dist_sum + (missing > 0 ? missing : 0) * MAX_DIST) / EPISODE;
}

// A restored instance: the id reset looks up, a step count within the episode.
static int qc_inst_ok(const mjModel *m, const void *inst) {
    const qc_inst *in = inst;
    return in->steps >= 0 && in->steps <= EPISODE && in->body == mj_name2id(m, mjOBJ_BODY, "drone");
}

const task_def task_quadcopter = {
    .name = "quadcopter",
    .summary = "fly a quadcopter to a random target point and hover there",
    .fitness_doc = "minus the mean distance (m) to the target over the 250 steps (3 m after a "
                   "crash), mean over 50 held-out targets, in [-3, 0]",
    .obs_dim = 20,
    .act_dim = 4,
    .episode_steps = EPISODE,
    .frame_skip = 2,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(qc_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0x9adc0b7eULL,
    .fitness_max = 0.0,
    .defaults = {.train_steps = 1000000, .n_envs = 64, .horizon = 32, .checkpoints = 8},
    .setup = qc_setup,
    .reset = qc_reset,
    .act = qc_act,
    .fill = qc_fill,
    .observe = qc_observe,
    .track = qc_track,
    .done = qc_done,
    .fitness = qc_fitness,
    .inst_ok = qc_inst_ok,
};
