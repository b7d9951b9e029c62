// humanoid: run forward (along +x) with a two-legged humanoid (after Isaac Gym's Humanoid).
// 40 Hz, 200-step episodes (5 s), ending early if the torso drops below 0.8 m.
// Fitness = forward progress of the torso in metres over the episode, averaged over 20
// held-out starts. A locomotion task: what it shares with ant is src/task/loco.c.
#include "task/loco.h"
#include "task/task.h"

#include "env.h"

#define EPISODE 200
#define JOINT_QPOS LOCO_JOINT_QPOS
#define JOINT_QVEL LOCO_JOINT_QVEL

static const loco_params humanoid = {
    .name = "humanoid",
    .n_joints = N_JOINTS,
    .episode = EPISODE,
    .pos_noise = 0.05,           // joint angles and torso position within +-0.05 of the
    .vel_noise = 0.05,           // initial pose, small velocities
    .fall_height = TERMINATION_HEIGHT,
};

static int hu_setup(mjModel *m, char *err, int err_sz) {
    return loco_setup(&humanoid, m, err, err_sz);
}

static void hu_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    loco_reset(&humanoid, m, d, inst, r);
}

static int hu_done(const mjModel *m, const mjData *d, const void *inst) {
    return loco_done(&humanoid, d);
}

static int hu_inst_ok(const mjModel *m, const void *inst) {
    return loco_inst_ok(&humanoid, inst);
}

static void hu_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                     void *state) {
    const loco_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    mju_copy3(s->torso_pos, d->qpos);                         // free joint: position, quat
    mju_copy4(s->torso_quat, d->qpos + 3);
    mju_copy3(s->torso_vel, d->qvel);                         // linear velocity: world frame
    mju_rotVecQuat(s->torso_angvel, d->qvel + 3, s->torso_quat); // body -> world frame
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

const task_def task_humanoid = {
    .name = "humanoid",
    .summary = "run forward with a two-legged humanoid (Isaac Gym Humanoid)",
    .fitness_doc = "forward progress of the torso along +x in metres over the 5 s episode "
                   "(ends early on a fall), mean over 20 held-out starts",
    .obs_dim = LOCO_OBS_DIM(N_JOINTS),   // 65
    .act_dim = N_JOINTS,
    .episode_steps = EPISODE,
    .frame_skip = 5,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(loco_inst),
    .n_eval = 20,
    .eval_seed = 0xa27a27ULL,    // the ant's, kept: a new one would move the held-out starts
    .fitness_max = 20.0,         // not a hard bound: about 4 m/s for 5 s
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .checkpoints = 10},
    .setup = hu_setup,
    .reset = hu_reset,
    .act = loco_act,
    .fill = hu_fill,
    .observe = loco_observe,
    .done = hu_done,
    .fitness = loco_fitness,
    .inst_ok = hu_inst_ok,
};
