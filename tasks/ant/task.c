// ant: run forward (along +x) with the four-legged MuJoCo ant (after Isaac Gym's Ant).
// 20 Hz, 200-step episodes (10 s), ending early if the torso drops below 0.3 m.
// Fitness = forward progress of the torso in metres over the episode, averaged over 20
// held-out starts. A locomotion task: what it shares with humanoid is src/task/loco.c.
#include "task/loco.h"
#include "task/task.h"

#include "env.h"

#define EPISODE 200
#define JOINT_QPOS LOCO_JOINT_QPOS
#define JOINT_QVEL LOCO_JOINT_QVEL

static const loco_params ant = {
    .name = "ant",
    .n_joints = N_JOINTS,
    .episode = EPISODE,
    .pos_noise = 0.1,            // Gym's reset: joint angles within +-0.1 of the initial
    .vel_noise = 0.1,            // pose, velocities 0.1 N(0, 1)
    .fall_height = TERMINATION_HEIGHT,
};

static int ant_setup(mjModel *m, char *err, int err_sz) {
    return loco_setup(&ant, m, err, err_sz);
}

static void ant_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    loco_reset(&ant, m, d, inst, r);
}

static int ant_done(const mjModel *m, const mjData *d, const void *inst) {
    return loco_done(&ant, d);
}

static int ant_inst_ok(const mjModel *m, const void *inst) {
    return loco_inst_ok(&ant, inst);
}

static void ant_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
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

const task_def task_ant = {
    .name = "ant",
    .summary = "run forward with a four-legged ant (Isaac Gym / Gym Ant)",
    .fitness_doc = "forward progress of the torso along +x in metres over the 10 s episode "
                   "(ends early on a fall), mean over 20 held-out starts",
    .obs_dim = LOCO_OBS_DIM(N_JOINTS),   // 35
    .act_dim = N_JOINTS,
    .episode_steps = EPISODE,
    .frame_skip = 5,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(loco_inst),
    .n_eval = 20,
    .eval_seed = 0xa27a27ULL,
    .fitness_max = 30.0,         // not a hard bound: about 3 m/s for 10 s
    // gSDE and LATTICE do not learn to walk at -0.5 and walk at -2 (docs/trainer.md)
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .checkpoints = 10,
                 .sde_log_std = -2},
    .setup = ant_setup,
    .reset = ant_reset,
    .act = loco_act,
    .fill = ant_fill,
    .observe = loco_observe,
    .done = ant_done,
    .fitness = loco_fitness,
    .inst_ok = ant_inst_ok,
};
