// loco.h: what the legged locomotion tasks (ant, humanoid) share: a torso on a free
// joint followed by hinge joints driven by motors, run forward along +x. A task is one
// loco_params (its names and numbers), its state fill (the LLM reads it in the task's
// task.c, over the task's own env_state) and its task_def; the rest is here, once.
#ifndef EUREKA_LOCO_H
#define EUREKA_LOCO_H

#include <mujoco/mujoco.h>

#include "util/rng.h"

#define LOCO_JOINT_QPOS 7        // joint angles start after the free joint (pos 3 + quat 4)
#define LOCO_JOINT_QVEL 6        // joint velocities start after the free joint (6 dof)
#define LOCO_MAX_JOINTS 32

// Observation size for n_joints joints (see loco_observe); a macro so that a task_def's
// static initialiser can use it.
#define LOCO_OBS_DIM(n_joints) (1 + 4 + 6 + 3 * (n_joints))

// What sets one locomotion task apart from another. Each task's task.c holds one and
// hands it to the functions below through one-line task_def callbacks (the callbacks
// carry no pointer to their task).
typedef struct loco_params {
    const char *name;            // task name, for messages
    int n_joints;                // hinge joints, one motor each (N_JOINTS of the env.h)
    int episode;                 // control steps per episode (task_def.episode_steps)
    double pos_noise;            // reset: uniform +-pos_noise on torso position and joints
    double vel_noise;            // reset: N(0, vel_noise^2) on every velocity
    double fall_height;          // m: the episode ends when the torso centre is below it
} loco_params;

// Per-environment data of a locomotion task.
typedef struct loco_inst {
    double start_x;                      // torso x at the start of the episode
    double prev_action[LOCO_MAX_JOINTS];
    int steps;                           // control steps taken in this episode
} loco_inst;

// task_def.setup: 0 if m is a free torso plus p->n_joints motor-driven joints; else a
// message in err. The callbacks below without p rely on it: they take m->nu joints.
int loco_setup(const loco_params *p, mjModel *m, char *err, int err_sz);

// task_def.reset: the model's initial pose with uniform +-p->pos_noise on the torso
// position and joint angles, N(0, p->vel_noise^2) velocities, drawn from r.
void loco_reset(const loco_params *p, const mjModel *m, mjData *d, void *inst, rng *r);

// task_def.done: 1 once the torso centre has dropped below p->fall_height.
int loco_done(const loco_params *p, const mjData *d);

// task_def.inst_ok: 1 if a restored instance's step count lies within an episode.
int loco_inst_ok(const loco_params *p, const void *inst);

// task_def.act: motors take the action as it is; remember it for the next observation.
void loco_act(const mjModel *m, mjData *d, void *inst, const double *a);

// task_def.observe, LOCO_OBS_DIM(m->nu) floats: torso height, orientation (w >= 0),
// free-joint velocities, joint angles, 0.1 x joint velocities, previous action. x and y
// are left out so the policy runs the same anywhere.
void loco_observe(const mjModel *m, const mjData *d, const void *inst, float *obs);

// task_def.fitness: forward progress of the torso along +x since the episode started, m.
double loco_fitness(const mjModel *m, const mjData *d, const void *inst, int steps);

#endif
