// reorient: turn a cube held at its centre to a goal orientation with three fingers
// (DESIGN.md section 3). 25 Hz control, 75-step episodes (3 s). The goal is a rotation
// of 0.6-1.2 rad about a random axis, applied to the cube's initial orientation.
// Fitness = success rate (orientation error < 0.4 rad at the end of the episode) over
// 100 held-out goals.
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
#define OBS_DIM 51

typedef struct ro_inst {
    hand_cube cube;              // goal orientation and the ids reset looks up
    double prev_action[N_JOINTS];
    int steps;                   // control steps taken in this episode
} ro_inst;

static int ro_setup(mjModel *m, char *err, int err_sz) {
    if (hand_cube_check(m, "reorient", err, err_sz)) return 1;
    if (m->nu != N_JOINTS) {
        snprintf(err, (size_t)err_sz, "reorient model: %d actuators, expected %d position servos "
                 "(see tasks/reorient/model.xml)", m->nu, N_JOINTS);
        return 1;
    }
    return 0;
}

// The cube and goal of src/task/hand.c (level 1: the task; smaller levels are the
// curriculum's easier stages). Held-out case c uses its own stream.
static void ro_reset_level(const mjModel *m, mjData *d, void *inst, rng *r, double level) {
    ro_inst *in = inst;
    hand_cube_reset(m, d, &in->cube, r, level);
    mj_forward(m, d);
}

static void ro_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    ro_reset_level(m, d, inst, r, 1.0);
}

// Action in [-1, 1] -> joint target across the joint's range (0 = fingertips on the cube).
static void ro_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    ro_inst *in = inst;
    for (int j = 0; j < N_JOINTS; j++) {
        const double *lim = m->actuator_ctrlrange + 2 * j;
        d->ctrl[j] = lim[0] + 0.5 * (a[j] + 1.0) * (lim[1] - lim[0]);
        in->prev_action[j] = a[j];
    }
    in->steps++;
}

static void ro_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const ro_inst *in = inst;
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
    mju_copy(s->action, a, N_JOINTS);
    s->step = in->steps > 0 ? in->steps - 1 : 0;        // index of the step just taken
    // END STATE
}

// Observation (51): finger joint angles (9) and velocities (9), cube quaternion (4) and
// world angular velocity (3), goal quaternion (4), cube * conj(goal) (4), fingertip
// positions relative to the cube centre (9), previous action (9). Quaternions are
// sign-normalised (w >= 0).
static void ro_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const ro_inst *in = inst;
    int k = hand_observe_joints(d, FINGER_QPOS, FINGER_QVEL, obs);
    k += hand_cube_observe(d, &in->cube, obs + k);
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)in->prev_action[j];
}

static double ro_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const ro_inst *in = inst;
    return hand_cube_fitness(d, &in->cube);
}

static double ro_graded(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const ro_inst *in = inst;
    return hand_cube_graded(d, &in->cube);
}

// A restored instance: the ids reset looks up, a step count within the episode.
static int ro_inst_ok(const mjModel *m, const void *inst) {
    const ro_inst *in = inst;
    return in->steps >= 0 && in->steps <= EPISODE && hand_cube_ok(m, &in->cube);
}

// Rendering: a translucent ghost of the cube (and of its red face mark) at the goal
// orientation, around the real cube, so a viewer sees how far it still has to turn.
static void ro_decorate(const mjModel *m, const mjData *d, const void *inst, mjvScene *scn) {
    const ro_inst *in = inst;
    hand_cube_decorate(d, &in->cube, scn);
}

// Overlay: the orientation error now, and at the end of the episode the verdict.
static void ro_caption(const mjModel *m, const mjData *d, const void *inst, char *buf, size_t n) {
    const ro_inst *in = inst;
    hand_cube_caption(d, &in->cube, in->steps, EPISODE, buf, n);
}

const task_def task_reorient = {
    .name = "reorient",
    .summary = "three fingers turn a cube on a ball joint to a random goal orientation",
    .fitness_doc = "success rate over 100 held-out goals: orientation error < 0.4 rad at the "
                   "end of the 75-step episode, in [0, 1]",
    .obs_dim = OBS_DIM,
    .act_dim = N_JOINTS,
    .episode_steps = EPISODE,
    .needs_poses = 1,            // fill reads body and geom poses
    .frame_skip = 8,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(ro_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0x4e0413e7ULL,
    .fitness_max = 1.0,
    .success_rate = 1,
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .epochs = 8,
                 .minibatches = 4, .hidden = 64, .checkpoints = 10},
    .setup = ro_setup,
    .reset = ro_reset,
    .act = ro_act,
    .fill = ro_fill,
    .observe = ro_observe,
    .fitness = ro_fitness,
    .graded = ro_graded,
    .inst_ok = ro_inst_ok,
    .reset_level = ro_reset_level,
    .curriculum_doc = "the goal rotation: level x 0.6-1.2 rad",
    .decorate = ro_decorate,
    .caption = ro_caption,
};
