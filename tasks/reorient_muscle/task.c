// reorient_muscle: reorient's cube and goals (src/task/hand.c) turned by a muscle-driven
// hand: each of the nine finger joints is pulled by an antagonistic pair of MuJoCo
// muscles on fixed tendons (tasks/reorient_muscle/hand.xml), 18 muscles in all. The
// policy sets muscle excitations; the same fitness as reorient (success rate over the same
// 100 held-out goals: orientation error < 0.4 rad at the end of the 75-step episode), so
// the two tasks' results compare directly.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "task/hand.h"
#include "task/task.h"

#include "env.h"

#define EPISODE 75
#define N_EVAL 100
#define CUBE_QPOS HAND_CUBE_QPOS     // the cube's ball joint comes first in model.xml,
#define CUBE_QVEL HAND_CUBE_QVEL
#define FINGER_QPOS HAND_CUBE_FINGER_QPOS  // then 9 finger hinges
#define FINGER_QVEL HAND_CUBE_FINGER_QVEL
#define OBS_DIM (2 * N_JOINTS + HAND_CUBE_OBS + N_MUSCLES)

typedef struct rm_inst {
    hand_cube cube;              // goal orientation and the ids reset looks up
    int steps;                   // control steps taken in this episode
} rm_inst;

static int rm_setup(mjModel *m, char *err, int err_sz) {
    return hand_cube_check(m, "reorient_muscle", err, err_sz) ||
           hand_muscle_check(m, N_JOINTS, "reorient_muscle", err, err_sz);
}

// reorient's start and goal (the same draws: the held-out goals are reorient's), with the
// muscles at rest (half excited and active: the joints held near 0, fingertips on the cube).
static void rm_reset_level(const mjModel *m, mjData *d, void *inst, rng *r, double level) {
    rm_inst *in = inst;
    hand_cube_reset(m, d, &in->cube, r, level);
    hand_muscle_rest(m, d);
    mj_forward(m, d);
}

static void rm_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    rm_reset_level(m, d, inst, r, 1.0);
}

// Action in [-1, 1] per muscle -> excitation (a + 1) / 2 in [0, 1] (src/task/hand.c).
static void rm_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    rm_inst *in = inst;
    hand_muscle_act(d, a, N_MUSCLES);
    in->steps++;
}

static void rm_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const rm_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    mju_copy(s->cube_quat, d->qpos + CUBE_QPOS, 4);
    mju_copy(s->goal_quat, in->cube.goal, 4);
    mju_rotVecQuat(s->cube_angvel, d->qvel + CUBE_QVEL, s->cube_quat); // ball joint: local
    mju_copy3(s->cube_pos, d->xpos + 3 * in->cube.cube_body);
    for (int f = 0; f < N_FINGERS; f++)
        mju_copy3(s->fingertip_pos[f], d->geom_xpos + 3 * in->cube.tip_geom[f]);
    mju_copy(s->joint_pos, d->qpos + FINGER_QPOS, N_JOINTS);
    mju_copy(s->joint_vel, d->qvel + FINGER_QVEL, N_JOINTS);
    mju_copy(s->excitation, d->ctrl, N_MUSCLES);         // = (action + 1) / 2
    mju_copy(s->activation, d->act, N_MUSCLES);
    for (int k = 0; k < N_MUSCLES; k++)
        s->muscle_force[k] = -d->actuator_force[k];      // MuJoCo's sign: pulling is < 0
    s->step = in->steps > 0 ? in->steps - 1 : 0;        // index of the step just taken
    // END STATE
}

// Observation (60): finger joint angles (9) and velocities (9), the cube part of reorient's
// observation (24: cube quaternion, angular velocity, goal, cube * conj(goal), fingertips
// relative to the cube), muscle activations (18: the muscles' own state, which the next
// forces depend on; they stand in for reorient's previous action).
static void rm_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const rm_inst *in = inst;
    int k = hand_observe_joints(d, FINGER_QPOS, FINGER_QVEL, obs);
    k += hand_cube_observe(d, &in->cube, obs + k);
    hand_muscle_observe(d, N_MUSCLES, obs + k);
}

static double rm_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const rm_inst *in = inst;
    return hand_cube_fitness(d, &in->cube);
}

static double rm_graded(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const rm_inst *in = inst;
    return hand_cube_graded(d, &in->cube);
}

// A restored instance: the ids reset looks up, a step count within the episode.
static int rm_inst_ok(const mjModel *m, const void *inst) {
    const rm_inst *in = inst;
    return in->steps >= 0 && in->steps <= EPISODE && hand_cube_ok(m, &in->cube);
}

// Rendering: reorient's ghost of the cube at the goal orientation, and its overlay.
static void rm_decorate(const mjModel *m, const mjData *d, const void *inst, mjvScene *scn) {
    const rm_inst *in = inst;
    hand_cube_decorate(d, &in->cube, scn);
}

static void rm_caption(const mjModel *m, const mjData *d, const void *inst, char *buf, size_t n) {
    const rm_inst *in = inst;
    hand_cube_caption(d, &in->cube, in->steps, EPISODE, buf, n);
}

const task_def task_reorient_muscle = {
    .name = "reorient_muscle",
    .summary = "reorient's cube and goals, the fingers driven by 18 muscles (2 per joint)",
    .fitness_doc = "success rate over reorient's 100 held-out goals: orientation error < 0.4 "
                   "rad at the end of the 75-step episode, in [0, 1]",
    .obs_dim = OBS_DIM,
    .act_dim = N_MUSCLES,
    .episode_steps = EPISODE,
    .needs_poses = 1,            // fill reads body and geom poses
    .frame_skip = 8,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(rm_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0x4e0413e7ULL,  // reorient's: the same held-out goals
    .fitness_max = 1.0,
    .success_rate = 1,
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .epochs = 5,
                 .minibatches = 4, .hidden = 64, .checkpoints = 10},
    .setup = rm_setup,
    .reset = rm_reset,
    .act = rm_act,
    .fill = rm_fill,
    .observe = rm_observe,
    .fitness = rm_fitness,
    .graded = rm_graded,
    .inst_ok = rm_inst_ok,
    .reset_level = rm_reset_level,
    .curriculum_doc = "the goal rotation: level x 0.6-1.2 rad",
    .decorate = rm_decorate,
    .caption = rm_caption,
};
