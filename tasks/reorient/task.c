// reorient: turn a cube held at its centre to a goal orientation with three fingers
// (DESIGN.md section 3). 25 Hz control, 75-step episodes (3 s). The goal is a rotation
// of 0.6-1.2 rad about a random axis, applied to the cube's initial orientation.
// Fitness = success rate (orientation error < 0.4 rad at the end of the episode) over
// 100 held-out goals.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "task/task.h"

#include "env.h"

#define EPISODE 75
#define N_EVAL 100
#define CUBE_QPOS 0              // the cube's ball joint comes first in model.xml
#define CUBE_QVEL 0
#define FINGER_QPOS 4            // then 9 finger hinges
#define FINGER_QVEL 3
#define OBS_DIM 51

typedef struct ro_inst {
    double goal[4];              // goal orientation, world frame
    double prev_action[N_JOINTS];
    int steps;                   // control steps taken in this episode
    int cube_body;               // ids looked up once per episode
    int tip_geom[N_FINGERS];
} ro_inst;

// A random unit axis and an angle in [lo, hi) as a quaternion (w, x, y, z).
static void random_rotation(rng *r, double lo, double hi, double q[4]) {
    double ax[3], n = 0;
    do {
        for (int k = 0; k < 3; k++) ax[k] = rng_normal(r);
        n = sqrt(ax[0] * ax[0] + ax[1] * ax[1] + ax[2] * ax[2]);
    } while (n < 1e-6);
    double ang = rng_range(r, lo, hi);
    q[0] = cos(0.5 * ang);
    for (int k = 0; k < 3; k++) q[k + 1] = sin(0.5 * ang) * ax[k] / n;
}

static int ro_setup(mjModel *m, char *err, int err_sz) {
    if (m->nu != N_JOINTS || m->nq != FINGER_QPOS + N_JOINTS || m->jnt_type[0] != mjJNT_BALL) {
        snprintf(err, (size_t)err_sz, "reorient model: expected a ball joint then %d hinges "
                 "and %d actuators", N_JOINTS, N_JOINTS);
        return 1;
    }
    return 0;
}

// Cube turned up to 0.1 rad from upright, fingers within 0.05 rad of the a = 0 pose,
// goal = a rotation of that start by level x 0.6-1.2 rad (level 1: the task; smaller
// levels are the curriculum's easier stages). Held-out case c uses its own stream.
static void ro_reset_level(const mjModel *m, mjData *d, void *inst, rng *r, double level) {
    ro_inst *in = inst;
    double q0[4], turn[4];
    random_rotation(r, 0.0, 0.1, q0);
    random_rotation(r, 0.6 * level, 1.2 * level, turn);
    mju_mulQuat(in->goal, turn, q0);
    mju_copy(d->qpos + CUBE_QPOS, q0, 4);
    for (int j = 0; j < N_JOINTS; j++) d->qpos[FINGER_QPOS + j] = rng_range(r, -0.05, 0.05);
    in->cube_body = mj_name2id(m, mjOBJ_BODY, "cube");
    char name[16];
    for (int f = 0; f < N_FINGERS; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        in->tip_geom[f] = mj_name2id(m, mjOBJ_GEOM, name);
    }
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
    mju_copy(s->goal_quat, in->goal, 4);
    mju_rotVecQuat(s->cube_angvel, d->qvel + CUBE_QVEL, s->cube_quat); // ball joint: local
    mju_copy3(s->cube_pos, d->xpos + 3 * in->cube_body);
    for (int f = 0; f < N_FINGERS; f++)
        mju_copy3(s->fingertip_pos[f], d->geom_xpos + 3 * in->tip_geom[f]);
    mju_copy(s->joint_pos, d->qpos + FINGER_QPOS, N_JOINTS);
    mju_copy(s->joint_vel, d->qvel + FINGER_QVEL, N_JOINTS);
    mju_copy(s->action, a, N_JOINTS);
    s->step = in->steps > 0 ? in->steps - 1 : 0;        // index of the step just taken
    // END STATE
}

// Orientation error in rad: 2 asin |vec(cube * conj(goal))|.
static double rot_error(const mjData *d, const ro_inst *in) {
    double gc[4], rel[4];
    mju_negQuat(gc, in->goal);
    mju_mulQuat(rel, d->qpos + CUBE_QPOS, gc);
    double v = sqrt(rel[1] * rel[1] + rel[2] * rel[2] + rel[3] * rel[3]);
    return 2.0 * asin(v > 1.0 ? 1.0 : v);
}

// Observation (51): finger joint angles (9) and velocities (9), cube quaternion (4) and
// world angular velocity (3), goal quaternion (4), cube * conj(goal) (4), fingertip
// positions relative to the cube centre (9), previous action (9). Quaternions are
// sign-normalised (w >= 0).
static void ro_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const ro_inst *in = inst;
    int k = 0;
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)d->qpos[FINGER_QPOS + j];
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)d->qvel[FINGER_QVEL + j];
    const double *q = d->qpos + CUBE_QPOS;
    double sq = q[0] < 0 ? -1.0 : 1.0, w[3], gc[4], rel[4];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * q[j]);
    mju_rotVecQuat(w, d->qvel + CUBE_QVEL, q);
    for (int j = 0; j < 3; j++) obs[k++] = (float)w[j];
    double sg = in->goal[0] < 0 ? -1.0 : 1.0;
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sg * in->goal[j]);
    mju_negQuat(gc, in->goal);
    mju_mulQuat(rel, q, gc);
    double sr = rel[0] < 0 ? -1.0 : 1.0;
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sr * rel[j]);
    const double *c = d->xpos + 3 * in->cube_body;
    for (int f = 0; f < N_FINGERS; f++)
        for (int j = 0; j < 3; j++) obs[k++] = (float)(d->geom_xpos[3 * in->tip_geom[f] + j] - c[j]);
    for (int j = 0; j < N_JOINTS; j++) obs[k++] = (float)in->prev_action[j];
}

static double ro_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    return rot_error(d, inst) < SUCCESS_ANGLE ? 1.0 : 0.0;
}

// A restored instance: the ids reset looks up, a step count within the episode.
static int ro_inst_ok(const mjModel *m, const void *inst) {
    const ro_inst *in = inst;
    char name[16];
    int ok = in->steps >= 0 && in->steps <= EPISODE &&
             in->cube_body == mj_name2id(m, mjOBJ_BODY, "cube");
    for (int f = 0; f < N_FINGERS && ok; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        ok = in->tip_geom[f] == mj_name2id(m, mjOBJ_GEOM, name);
    }
    return ok;
}

// Rendering: a translucent ghost of the cube (and of its red face mark) at the goal
// orientation, around the real cube, so a viewer sees how far it still has to turn. The
// ghost is a little larger than the cube so the two do not flicker where they coincide.
static void ro_decorate(const mjModel *m, const mjData *d, const void *inst, mjvScene *scn) {
    const ro_inst *in = inst;
    if (scn->ngeom + 2 > scn->maxgeom || in->cube_body < 0) return;
    double mat[9], size[3], mark[3], local[3] = {CUBE_HALF_SIZE * 1.04, 0, 0};
    const double *c = d->xpos + 3 * in->cube_body;
    mju_quat2Mat(mat, in->goal);
    for (int k = 0; k < 3; k++) size[k] = CUBE_HALF_SIZE * 1.04;
    const float ghost[4] = {0.25f, 0.9f, 0.35f, 0.3f}, dot[4] = {1.0f, 0.2f, 0.2f, 0.5f};
    mjv_initGeom(&scn->geoms[scn->ngeom], mjGEOM_BOX, size, c, mat, ghost);
    scn->geoms[scn->ngeom++].category = mjCAT_DECOR;
    mju_rotVecQuat(mark, local, in->goal);
    mju_addTo3(mark, c);
    size[0] = size[1] = size[2] = 0.007;
    mjv_initGeom(&scn->geoms[scn->ngeom], mjGEOM_SPHERE, size, mark, mat, dot);
    scn->geoms[scn->ngeom++].category = mjCAT_DECOR;
}

// Overlay: the orientation error now, and at the end of the episode the verdict.
static void ro_caption(const mjModel *m, const mjData *d, const void *inst, char *buf, size_t n) {
    const ro_inst *in = inst;
    double err = rot_error(d, in);
    snprintf(buf, n, "orientation error\t%.2f rad (goal < %.2f)\n%s\t%s\n",
             err, SUCCESS_ANGLE, in->steps >= EPISODE ? "success" : "within goal",
             err < SUCCESS_ANGLE ? "yes" : "no");
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
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .epochs = 5,
                 .minibatches = 4, .hidden = 64, .checkpoints = 10},
    .setup = ro_setup,
    .reset = ro_reset,
    .act = ro_act,
    .fill = ro_fill,
    .observe = ro_observe,
    .fitness = ro_fitness,
    .inst_ok = ro_inst_ok,
    .reset_level = ro_reset_level,
    .decorate = ro_decorate,
    .caption = ro_caption,
};
