// baoding: two balls in the palm, under the muscle-driven hand of reorient_muscle, must
// circle each other, in the spirit of MyoChallenge 2022's Baoding balls: each ball has a
// target on a circle of 4.5 cm about the palm's centre whose phase turns once every 5 s,
// the two targets opposite. Held-out episodes vary the start phase (uniform over the
// circle) and the direction of turn (either, with equal odds); the balls start on their
// targets. 25 Hz control, 125-step episodes (5 s: one turn). Fitness = the fraction of the
// 125 steps with both balls within 1.5 cm of their targets (MyoChallenge's proximity
// threshold), over 50 held-out episodes; a ball that leaves the palm ends the episode and
// the remaining steps count as misses. The curriculum's knob is the targets' speed: static
// to dynamic, as SDS has it (a level of 1/4 turns them a quarter as fast).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "task/hand.h"
#include "task/task.h"

#include "env.h"

#define EPISODE 125
#define FRAME_SKIP 8             // physics steps of 5 ms per control step: 25 Hz
#define N_EVAL 50
#define FINGER_QPOS 0            // model.xml includes the hand first: 9 finger hinges,
#define FINGER_QVEL 0
#define BALL_QPOS 9              // then a free joint per ball (position 3 + quaternion 4)
#define BALL_QVEL 9              // (linear 3, world frame + angular 3)
#define OBS_DIM (2 * N_JOINTS + N_MUSCLES + 10 * N_BALLS + 2 * N_BALLS + 3 * N_FINGERS)

typedef struct bd_inst {
    double phase0;               // rad: target 0's angle at t = 0 (target 1 is opposite)
    double dir;                  // +1 counter-clockwise seen from above, -1 clockwise
    double speed;                // the targets' speed, a fraction of the task's (1; less in
                                 // a curriculum's easier stages)
    int steps;                   // control steps taken in this episode
    int hits;                    // steps with both balls within TARGET_TOLERANCE
    int tip_geom[N_FINGERS];     // ids looked up at reset
} bd_inst;

static int bd_setup(mjModel *m, char *err, int err_sz) {
    if (m->njnt != N_JOINTS + N_BALLS || m->nq != BALL_QPOS + 7 * N_BALLS ||
        m->jnt_type[N_JOINTS] != mjJNT_FREE || m->jnt_type[N_JOINTS + 1] != mjJNT_FREE) {
        snprintf(err, (size_t)err_sz, "baoding model: expected the hand's %d hinges, then a free "
                 "joint per ball (see tasks/baoding/model.xml)", N_JOINTS);
        return 1;
    }
    return hand_muscle_check(m, N_JOINTS, "baoding", err, err_sz);
}

// Time since the start of the episode, s: counted from the control steps (restored with
// the instance when a training resumes; mjData's clock is not).
static double episode_time(const mjModel *m, const bd_inst *in) {
    return in->steps * FRAME_SKIP * m->opt.timestep;
}

// Target i's position and velocity at time t (s) after the start of the episode.
static void target_at(const bd_inst *in, int i, double t, double pos[3], double vel[3]) {
    double w = in->dir * in->speed * 2.0 * M_PI / PERIOD;
    double ang = in->phase0 + w * t + i * M_PI;
    pos[0] = ORBIT_RADIUS * cos(ang);
    pos[1] = ORBIT_RADIUS * sin(ang);
    pos[2] = PALM_HEIGHT + BALL_RADIUS;
    vel[0] = -ORBIT_RADIUS * w * sin(ang);
    vel[1] = ORBIT_RADIUS * w * cos(ang);
    vel[2] = 0.0;
}

// Start phase uniform over the circle, direction either way, each ball on its target
// (within 2 mm) at rest, fingers within 0.05 rad of 0, muscles at rest (half active); the
// targets turn at `level` times the task's speed (the same draws at every level).
static void bd_reset_level(const mjModel *m, mjData *d, void *inst, rng *r, double level) {
    bd_inst *in = inst;
    in->phase0 = rng_range(r, 0.0, 2.0 * M_PI);
    in->dir = rng_uniform(r) < 0.5 ? -1.0 : 1.0;
    in->speed = level;
    for (int j = 0; j < N_JOINTS; j++) d->qpos[FINGER_QPOS + j] = rng_range(r, -0.05, 0.05);
    for (int i = 0; i < N_BALLS; i++) {
        double p[3], v[3];
        target_at(in, i, 0.0, p, v);
        double *q = d->qpos + BALL_QPOS + 7 * i;
        q[0] = p[0] + rng_range(r, -0.002, 0.002);
        q[1] = p[1] + rng_range(r, -0.002, 0.002);
        q[2] = p[2];
        q[3] = 1.0;
        q[4] = q[5] = q[6] = 0.0;
    }
    char name[16];
    for (int f = 0; f < N_FINGERS; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        in->tip_geom[f] = mj_name2id(m, mjOBJ_GEOM, name);
    }
    hand_muscle_rest(m, d);
    mj_forward(m, d);
}

static void bd_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    bd_reset_level(m, d, inst, r, 1.0);
}

// Action in [-1, 1] per muscle -> excitation (a + 1) / 2 in [0, 1] (src/task/hand.c).
static void bd_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    bd_inst *in = inst;
    hand_muscle_act(d, a, N_MUSCLES);
    in->steps++;
}

static void bd_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const bd_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    for (int i = 0; i < N_BALLS; i++) {
        mju_copy3(s->ball_pos[i], d->qpos + BALL_QPOS + 7 * i);
        mju_copy3(s->ball_vel[i], d->qvel + BALL_QVEL + 6 * i);  // free joint: world frame
        target_at(in, i, episode_time(m, in), s->target_pos[i], s->target_vel[i]);
    }
    for (int f = 0; f < N_FINGERS; f++)
        mju_copy3(s->fingertip_pos[f], d->geom_xpos + 3 * in->tip_geom[f]);
    mju_copy(s->joint_pos, d->qpos + FINGER_QPOS, N_JOINTS);
    mju_copy(s->joint_vel, d->qvel + FINGER_QVEL, N_JOINTS);
    mju_copy(s->excitation, d->ctrl, N_MUSCLES);         // = (action + 1) / 2
    mju_copy(s->activation, d->act, N_MUSCLES);
    for (int k = 0; k < N_MUSCLES; k++)
        s->muscle_force[k] = -d->actuator_force[k];      // MuJoCo's sign: pulling is < 0
    s->step = in->steps > 0 ? in->steps - 1 : 0;        // index of the step just taken
    // END STATE
}

// Horizontal distance of ball i from the palm's axis, m.
static double ball_radius(const mjData *d, int i) {
    const double *p = d->qpos + BALL_QPOS + 7 * i;
    return sqrt(p[0] * p[0] + p[1] * p[1]);
}

// Observation (69): finger joint angles (9) and velocities (9), muscle activations (18),
// per ball: position relative to the palm's centre at ball height (3), velocity (3),
// target position and velocity in the plane (2 + 2); per ball the target minus the ball
// in the plane (2); fingertip positions relative to the palm's centre at ball height (9).
static void bd_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const bd_inst *in = inst;
    const double z0 = PALM_HEIGHT + BALL_RADIUS;
    int k = hand_observe_joints(d, FINGER_QPOS, FINGER_QVEL, obs);
    k += hand_muscle_observe(d, N_MUSCLES, obs + k);
    double tp[N_BALLS][3], tv[3];
    for (int i = 0; i < N_BALLS; i++) {
        const double *p = d->qpos + BALL_QPOS + 7 * i, *v = d->qvel + BALL_QVEL + 6 * i;
        target_at(in, i, episode_time(m, in), tp[i], tv);
        for (int j = 0; j < 3; j++) obs[k++] = (float)(p[j] - (j == 2 ? z0 : 0.0));
        for (int j = 0; j < 3; j++) obs[k++] = (float)v[j];
        for (int j = 0; j < 2; j++) obs[k++] = (float)tp[i][j];
        for (int j = 0; j < 2; j++) obs[k++] = (float)tv[j];
    }
    for (int i = 0; i < N_BALLS; i++)
        for (int j = 0; j < 2; j++) obs[k++] = (float)(tp[i][j] - d->qpos[BALL_QPOS + 7 * i + j]);
    for (int f = 0; f < N_FINGERS; f++)
        for (int j = 0; j < 3; j++)
            obs[k++] = (float)(d->geom_xpos[3 * in->tip_geom[f] + j] - (j == 2 ? z0 : 0.0));
}

// After each control step: both balls on target (and in the palm) is a hit.
static void bd_track(const mjModel *m, const mjData *d, void *inst) {
    bd_inst *in = inst;
    int on = 1;
    for (int i = 0; i < N_BALLS && on; i++) {
        double p[3], v[3];
        target_at(in, i, episode_time(m, in), p, v);
        on = ball_radius(d, i) <= DROP_RADIUS &&
             mju_dist3(d->qpos + BALL_QPOS + 7 * i, p) < TARGET_TOLERANCE;
    }
    in->hits += on;
}

// A ball left the palm (over the rim, or fallen through anything below its surface).
static int bd_done(const mjModel *m, const mjData *d, const void *inst) {
    for (int i = 0; i < N_BALLS; i++)
        if (ball_radius(d, i) > DROP_RADIUS || d->qpos[BALL_QPOS + 7 * i + 2] < PALM_HEIGHT - 0.01)
            return 1;
    return 0;
}

// Hits over the whole episode's length: the steps a drop cut off count as misses.
static double bd_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    return (double)((const bd_inst *)inst)->hits / EPISODE;
}

// A restored instance: ids reset looks up, counts within the episode, a direction, a
// speed a level could give.
static int bd_inst_ok(const mjModel *m, const void *inst) {
    const bd_inst *in = inst;
    char name[16];
    int ok = in->steps >= 0 && in->steps <= EPISODE && in->hits >= 0 && in->hits <= in->steps &&
             (in->dir == 1.0 || in->dir == -1.0) && isfinite(in->phase0) &&
             in->speed > 0.0 && in->speed <= 1.0;
    for (int f = 0; f < N_FINGERS && ok; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        ok = in->tip_geom[f] == mj_name2id(m, mjOBJ_GEOM, name);
    }
    return ok;
}

// Rendering: a translucent sphere of each ball's colour at its target, a little larger than
// the ball so the two do not flicker where they coincide.
static void bd_decorate(const mjModel *m, const mjData *d, const void *inst, mjvScene *scn) {
    const bd_inst *in = inst;
    const float rgba[N_BALLS][4] = {{0.85f, 0.75f, 0.2f, 0.35f}, {0.8f, 0.3f, 0.5f, 0.35f}};
    double mat[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, size[3], p[3], v[3];
    size[0] = size[1] = size[2] = BALL_RADIUS * 1.08;
    for (int i = 0; i < N_BALLS && scn->ngeom < scn->maxgeom; i++) {
        target_at(in, i, episode_time(m, in), p, v);
        mjv_initGeom(&scn->geoms[scn->ngeom], mjGEOM_SPHERE, size, p, mat, rgba[i]);
        scn->geoms[scn->ngeom++].category = mjCAT_DECOR;
    }
}

// Overlay: each ball's distance to its target, and the fraction of steps on target so far.
static void bd_caption(const mjModel *m, const mjData *d, const void *inst, char *buf, size_t n) {
    const bd_inst *in = inst;
    double dist[N_BALLS], p[3], v[3];
    for (int i = 0; i < N_BALLS; i++) {
        target_at(in, i, episode_time(m, in), p, v);
        dist[i] = mju_dist3(d->qpos + BALL_QPOS + 7 * i, p);
    }
    snprintf(buf, n, "ball to target\t%.1f, %.1f cm (goal < %.1f)\nsteps on target\t%d of %d\n",
             100 * dist[0], 100 * dist[1], 100 * TARGET_TOLERANCE, in->hits, EPISODE);
}

const task_def task_baoding = {
    .name = "baoding",
    .summary = "the muscle-driven hand rolls two balls around each other in its palm",
    .fitness_doc = "fraction of the 125 steps with both balls within 1.5 cm of their circling "
                   "targets, over 50 held-out starts (after a ball leaves the palm, the rest "
                   "count as misses); [0, 1]",
    .obs_dim = OBS_DIM,
    .act_dim = N_MUSCLES,
    .episode_steps = EPISODE,
    .needs_poses = 1,            // fill and observe read fingertip positions
    .frame_skip = FRAME_SKIP,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(bd_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0xba0d1e65ULL,
    .fitness_max = 1.0,
    .defaults = {.train_steps = 2000000, .n_envs = 64, .horizon = 32, .epochs = 5,
                 .minibatches = 4, .hidden = 64, .checkpoints = 10},
    .setup = bd_setup,
    .reset = bd_reset,
    .act = bd_act,
    .fill = bd_fill,
    .observe = bd_observe,
    .track = bd_track,
    .done = bd_done,
    .fitness = bd_fitness,
    .inst_ok = bd_inst_ok,
    .decorate = bd_decorate,
    .caption = bd_caption,
    .reset_level = bd_reset_level,
    .curriculum_doc = "the targets' speed: level x one turn per 5 s, from the same starts",
};
