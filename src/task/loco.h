// loco.h: what the legged locomotion tasks (ant, humanoid) share: a torso on a free
// joint followed by hinge joints driven by motors, run forward along +x. Each task keeps
// its own state fill (the LLM reads it in the task's task.c) and its own sizes.
#ifndef EUREKA_LOCO_H
#define EUREKA_LOCO_H

#include <mujoco/mujoco.h>

#include "util/rng.h"

#define LOCO_JOINT_QPOS 7        // joint angles start after the free joint (pos 3 + quat 4)
#define LOCO_JOINT_QVEL 6        // joint velocities start after the free joint (6 dof)
#define LOCO_MAX_JOINTS 32

// Per-environment data of a locomotion task.
typedef struct loco_inst {
    double start_x;                      // torso x at the start of the episode
    double prev_action[LOCO_MAX_JOINTS];
    int steps;                           // control steps taken in this episode
} loco_inst;

// 0 if m is a free torso plus n_joints motor-driven joints; else a message in err.
int loco_check(const mjModel *m, int n_joints, const char *task, char *err, int err_sz);

// Start an episode: the model's initial pose with uniform +-pos_noise on the torso
// position and joint angles, N(0, vel_noise^2) velocities, drawn from r.
void loco_reset(const mjModel *m, mjData *d, loco_inst *in, rng *r, double pos_noise,
                double vel_noise);

// Motors take the action as it is; remember it for the next observation.
void loco_act(mjData *d, loco_inst *in, const double *a, int n_joints);

// Observation (1 + 4 + 6 + 3 n_joints): torso height, orientation (w >= 0), free-joint
// velocities, joint angles, 0.1 x joint velocities, previous action. x and y are left out
// so the policy runs the same anywhere.
void loco_observe(const mjData *d, const loco_inst *in, int n_joints, float *obs);

// Forward progress of the torso along +x since the episode started, in metres.
// 1 if a restored instance's step count lies within an episode of `episode` steps.
int loco_inst_ok(const loco_inst *in, int episode);

double loco_progress(const mjData *d, const loco_inst *in);

#endif
