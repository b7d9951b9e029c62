// ball_balance: bring a rolling ball to the centre of a tilting tray and keep it there
// (after Isaac Gym's BallBalance). 50 Hz, 300-step episodes (6 s). Fitness = fraction
// of the episode's 300 steps on which the ball is within 5 cm of the tray centre (steps
// after the ball falls off count as misses), mean over 50 held-out starts.
#include <math.h>
#include <stdio.h>

#include "task/task.h"

#include "env.h"

#define EPISODE 300
#define N_EVAL 50
#define TILT_QPOS 0              // tilt_x, tilt_y, then the ball's free joint
#define BALL_QPOS 2
#define BALL_QVEL 2

typedef struct bb_inst {
    int steps;                   // control steps taken in this episode
    int centred;                 // of which with the ball within TARGET_RADIUS
    int tray_body;               // ids looked up once per episode
    int ball_body;
} bb_inst;

// Ball centre relative to the tray centre, in the tray frame.
static void ball_in_tray(const mjData *d, const bb_inst *in, double out[3]) {
    double rel[3];
    mju_sub3(rel, d->xpos + 3 * in->ball_body, d->xpos + 3 * in->tray_body);
    mju_rotVecMatT(out, rel, d->xmat + 9 * in->tray_body);
}

static int bb_setup(mjModel *m, char *err, int err_sz) {
    if (m->nu != 2 || m->nq != 9) {
        snprintf(err, (size_t)err_sz, "ball_balance model: expected 2 tilt joints, a free ball");
        return 1;
    }
    return 0;
}

// Level tray; ball resting on it up to 15 cm from the centre, rolling at up to 0.3 m/s.
static void bb_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    bb_inst *in = inst;
    double ang = rng_range(r, 0, 2 * M_PI), rad = 0.15 * sqrt(rng_uniform(r));
    d->qpos[BALL_QPOS + 0] = rad * cos(ang);
    d->qpos[BALL_QPOS + 1] = rad * sin(ang);
    d->qpos[BALL_QPOS + 2] = 0.5 + 0.01 + BALL_RADIUS;
    d->qvel[BALL_QVEL + 0] = rng_range(r, -0.3, 0.3);
    d->qvel[BALL_QVEL + 1] = rng_range(r, -0.3, 0.3);
    in->tray_body = mj_name2id(m, mjOBJ_BODY, "tray");
    in->ball_body = mj_name2id(m, mjOBJ_BODY, "ball");
    mj_forward(m, d);
}

static void bb_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    for (int j = 0; j < 2; j++) d->ctrl[j] = 0.3 * a[j];
    ((bb_inst *)inst)->steps++;
}

static void bb_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const bb_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    ball_in_tray(d, in, s->ball_pos);
    mju_copy3(s->ball_vel, d->qvel + BALL_QVEL);       // free joint: linear part is world frame
    for (int j = 0; j < 2; j++) {
        s->tray_tilt[j] = d->qpos[TILT_QPOS + j];
        s->tray_tilt_vel[j] = d->qvel[TILT_QPOS + j];
        s->action[j] = a[j];
    }
    s->step = in->steps > 0 ? in->steps - 1 : 0;      // index of the step just taken
    // END STATE
}

// Observation (10): ball position in the tray frame (3), ball velocity (3), tray angles
// (2) and rates (2).
static void bb_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    double p[3];
    ball_in_tray(d, inst, p);
    for (int j = 0; j < 3; j++) obs[j] = (float)p[j];
    for (int j = 0; j < 3; j++) obs[3 + j] = (float)d->qvel[BALL_QVEL + j];
    for (int j = 0; j < 2; j++) {
        obs[6 + j] = (float)d->qpos[TILT_QPOS + j];
        obs[8 + j] = (float)d->qvel[TILT_QPOS + j];
    }
}

static void bb_track(const mjModel *m, const mjData *d, void *inst) {
    bb_inst *in = inst;
    double p[3];
    ball_in_tray(d, in, p);
    if (p[0] * p[0] + p[1] * p[1] < TARGET_RADIUS * TARGET_RADIUS && fabs(p[2]) < 0.1)
        in->centred++;
}

// The ball left the tray: beyond its edge or below its surface.
static int bb_done(const mjModel *m, const mjData *d, const void *inst) {
    double p[3];
    ball_in_tray(d, inst, p);
    return fabs(p[0]) > TRAY_HALF_SIZE + 0.02 || fabs(p[1]) > TRAY_HALF_SIZE + 0.02 || p[2] < 0.0;
}

static double bb_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    return (double)((const bb_inst *)inst)->centred / EPISODE;
}

// A restored instance: the ids reset looks up, counts within the episode.
static int bb_inst_ok(const mjModel *m, const void *inst) {
    const bb_inst *in = inst;
    return in->steps >= 0 && in->steps <= EPISODE && in->centred >= 0 &&
           in->centred <= in->steps && in->tray_body == mj_name2id(m, mjOBJ_BODY, "tray") &&
           in->ball_body == mj_name2id(m, mjOBJ_BODY, "ball");
}

const task_def task_ball_balance = {
    .name = "ball_balance",
    .summary = "tilt a tray to bring a rolling ball to its centre and keep it there",
    .fitness_doc = "fraction of the 300 steps with the ball within 5 cm of the tray centre, "
                   "mean over 50 held-out starts, in [0, 1]",
    .obs_dim = 10,
    .act_dim = 2,
    .episode_steps = EPISODE,
    .needs_poses = 1,            // fill reads body and geom poses
    .frame_skip = 4,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(bb_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0xba11ba1aULL,
    .fitness_max = 1.0,
    .defaults = {.train_steps = 600000, .n_envs = 64, .horizon = 32, .checkpoints = 8},
    .setup = bb_setup,
    .reset = bb_reset,
    .act = bb_act,
    .fill = bb_fill,
    .observe = bb_observe,
    .track = bb_track,
    .done = bb_done,
    .fitness = bb_fitness,
    .inst_ok = bb_inst_ok,
};
