// humanoid: run forward (along +x) with a two-legged humanoid (after Isaac Gym's Humanoid).
// 40 Hz, 200-step episodes (5 s), ending early if the torso drops below 0.8 m.
// Fitness = forward progress of the torso in metres over the episode, averaged over 20
// held-out starts.
#include <math.h>
#include <stdio.h>

#include "task.h"

#include "env.h"

#define EPISODE 200
#define N_EVAL 20
#define JOINT_QPOS 7             // after the torso's free joint
#define JOINT_QVEL 6

typedef struct hu_inst {
    double start_x;              // torso x at the start of the episode
    double prev_action[N_JOINTS];
    int steps;                   // control steps taken in this episode
} hu_inst;

static int hu_setup(mjModel *m, char *err, int err_sz) {
    if (m->nu != N_JOINTS || m->nq != JOINT_QPOS + N_JOINTS) {
        snprintf(err, (size_t)err_sz, "humanoid model: expected a free torso and %d joints", N_JOINTS);
        return 1;
    }
    return 0;
}

// Joint angles and torso position within +-0.05 of the model's initial pose, small velocities.
static void hu_reset(const mjModel *m, mjData *d, void *inst, rng *r, int eval_case) {
    hu_inst *in = inst;
    rng er;
    if (eval_case >= 0) { rng_seed(&er, 0xa27a27ULL, (uint64_t)eval_case); r = &er; }
    for (int j = 0; j < m->nq; j++)
        if (j < 3 || j >= JOINT_QPOS) d->qpos[j] = m->qpos0[j] + rng_range(r, -0.05, 0.05);
    for (int j = 0; j < m->nv; j++) d->qvel[j] = 0.05 * rng_normal(r);
    in->start_x = d->qpos[0];
    mj_forward(m, d);
}

static void hu_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    hu_inst *in = inst;
    for (int j = 0; j < N_JOINTS; j++) {
        d->ctrl[j] = a[j];
        in->prev_action[j] = a[j];
    }
    in->steps++;
}

static void hu_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                     void *state) {
    const hu_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    mju_copy3(s->torso_pos, d->qpos);                         // free joint: position, quat
    mju_copy4(s->torso_quat, d->qpos + 3);
    mju_copy3(s->torso_vel, d->qvel);                         // linear velocity: world frame
    mju_rotVecQuat(s->torso_angvel, d->qvel + 3, s->torso_quat); // angular: body frame
    double up[3], fwd[3];
    const double z[3] = {0, 0, 1}, x[3] = {1, 0, 0};
    mju_rotVecQuat(up, z, s->torso_quat);
    mju_rotVecQuat(fwd, x, s->torso_quat);
    s->up_proj = up[2];
    s->heading_proj = fwd[0];
    mju_copy(s->joint_pos, d->qpos + JOINT_QPOS, N_JOINTS);
    mju_copy(s->joint_vel, d->qvel + JOINT_QVEL, N_JOINTS);
    mju_copy(s->action, a, N_JOINTS);
    s->step = in->steps > 0 ? in->steps - 1 : 0;             // index of the step just taken
    // END STATE
}

// Observation (65): torso height (1), orientation (4, w >= 0), linear velocity (3),
// angular velocity in body frame (3), joint angles (8) and velocities (8), previous
// action (18). x and y are left out: the policy runs the same anywhere.
static void hu_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const hu_inst *in = inst;
    double sq = d->qpos[3] < 0 ? -1.0 : 1.0;
    int k = 0;
    obs[k++] = (float)d->qpos[2];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * d->qpos[3 + j]);
    for (int j = 0; j < 6; j++) obs[k++] = (float)d->qvel[j];
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)d->qpos[JOINT_QPOS + j];
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)(0.1 * d->qvel[JOINT_QVEL + j]);
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)in->prev_action[j];
}

static int hu_done(const mjModel *m, const mjData *d, const void *inst) {
    return d->qpos[2] < TERMINATION_HEIGHT;
}

static double hu_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    return d->qpos[0] - ((const hu_inst *)inst)->start_x;
}

const task_def task_humanoid = {
    .name = "humanoid",
    .summary = "run forward with a two-legged humanoid (Isaac Gym Humanoid)",
    .fitness_doc = "forward progress of the torso along +x in metres over the 5 s episode "
                   "(ends early on a fall), mean over 20 held-out starts",
    .obs_dim = 65,
    .act_dim = N_JOINTS,
    .episode_steps = EPISODE,
    .frame_skip = 5,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(hu_inst),
    .n_eval = N_EVAL,
    .fitness_max = 20.0,         // not a hard bound: about 4 m/s for 5 s
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .checkpoints = 10},
    .setup = hu_setup,
    .reset = hu_reset,
    .act = hu_act,
    .fill = hu_fill,
    .observe = hu_observe,
    .done = hu_done,
    .fitness = hu_fitness,
};
