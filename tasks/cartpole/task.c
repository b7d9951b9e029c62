// cartpole: keep a pole upright on a cart (Isaac Gym's Cartpole), 50 Hz, 500 steps.
// Fitness = episode length / 500 (the episode ends when the cart leaves the rail or the
// pole passes horizontal), averaged over 20 held-out starts: 1 means always balanced.
#include <string.h>

#include "task/task.h"

#include "env.h"

#define EPISODE 500
#define N_EVAL 20

typedef struct cp_inst {
    int steps;          // control steps taken in this episode
} cp_inst;

// Isaac's reset: positions within +-0.1 (m, rad), velocities within +-0.25.
static void cp_reset(const mjModel *m, mjData *d, void *inst, rng *r) {
    for (int j = 0; j < 2; j++) {
        d->qpos[j] = rng_range(r, -0.1, 0.1);
        d->qvel[j] = rng_range(r, -0.25, 0.25);
    }
    mj_forward(m, d);
}

static void cp_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    ((cp_inst *)inst)->steps++;
    d->ctrl[0] = a[0];
}

static void cp_fill(const mjModel *m, const mjData *d, const void *inst, const double *a,
                    void *state) {
    const cp_inst *in = inst;
    env_state *s = state;
    // BEGIN STATE
    s->cart_pos = d->qpos[0];
    s->cart_vel = d->qvel[0];
    s->pole_angle = d->qpos[1];                       // hinge angle, 0 = upright
    s->pole_angvel = d->qvel[1];
    s->action[0] = a[0];
    s->step = in->steps > 0 ? in->steps - 1 : 0;      // index of the step just taken
    // END STATE
}

static void cp_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    obs[0] = (float)d->qpos[0];
    obs[1] = (float)d->qvel[0];
    obs[2] = (float)d->qpos[1];
    obs[3] = (float)d->qvel[1];
}

static int cp_done(const mjModel *m, const mjData *d, const void *inst) {
    return d->qpos[0] > CART_LIMIT || d->qpos[0] < -CART_LIMIT ||
           d->qpos[1] > POLE_LIMIT || d->qpos[1] < -POLE_LIMIT;
}

static double cp_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    return (double)steps / EPISODE;
}

// A restored instance: a step count within the episode.
static int cp_inst_ok(const mjModel *m, const void *inst) {
    const cp_inst *in = inst;
    return in->steps >= 0 && in->steps <= EPISODE;
}

const task_def task_cartpole = {
    .name = "cartpole",
    .summary = "balance a pole on a cart by pushing the cart (Isaac Gym Cartpole)",
    .fitness_doc = "mean episode length / 500 over 20 held-out starts, in [0, 1]",
    .obs_dim = 4,
    .act_dim = 1,
    .episode_steps = EPISODE,
    .frame_skip = 2,
    .state_size = sizeof(env_state),
    .inst_size = sizeof(cp_inst),
    .n_eval = N_EVAL,
    .eval_seed = 0xca27901eULL,
    .fitness_max = 1.0,
    .defaults = {.train_steps = 300000, .n_envs = 32, .horizon = 32, .checkpoints = 5},
    .reset = cp_reset,
    .act = cp_act,
    .fill = cp_fill,
    .observe = cp_observe,
    .done = cp_done,
    .fitness = cp_fitness,
    .inst_ok = cp_inst_ok,
};
