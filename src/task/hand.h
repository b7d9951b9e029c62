// hand.h: what the three-fingered hand tasks share. reorient (position servos),
// reorient_muscle (the same cube, 18 muscles) and baoding (two balls, the same muscles)
// use one hand: three fingers of three hinge joints (side, base, mid). The cube tasks share
// the cube, its goal, its fitness and its video overlay (hand_cube_*); the muscle-driven
// tasks share the muscles of tasks/reorient_muscle/hand.xml and the one map from a policy
// action to a muscle excitation (hand_muscle_*). Each task keeps its own state fill (the
// LLM reads it in the task's task.c) and its own sizes.
#ifndef EUREKA_HAND_H
#define EUREKA_HAND_H

#include <stddef.h>
#include <mujoco/mujoco.h>

#include "util/rng.h"

#define HAND_FINGERS 3
#define HAND_JOINTS 9                // finger f: joints 3f (side), 3f+1 (base), 3f+2 (mid)
#define HAND_MUSCLES 18              // joint j: muscle 2j pulls it toward its lower limit,
                                     // 2j+1 toward its upper limit
#define HAND_CUBE_QPOS 0             // cube tasks: the cube's ball joint comes first,
#define HAND_CUBE_QVEL 0
#define HAND_CUBE_FINGER_QPOS 4      // then the 9 finger hinges
#define HAND_CUBE_FINGER_QVEL 3
#define HAND_CUBE_SUCCESS 0.4        // rad: an episode succeeds if it ends closer than this
#define HAND_CUBE_HALF 0.03          // m: the cube's half size
#define HAND_CUBE_OBS 24             // floats hand_cube_observe writes

// The cube and its goal, per environment.
typedef struct hand_cube {
    double goal[4];                  // goal orientation, world frame (w, x, y, z)
    int cube_body;                   // ids looked up at reset
    int tip_geom[HAND_FINGERS];
} hand_cube;

// 0 if m has a ball joint (the cube) followed by the 9 finger hinges; else a message.
int hand_cube_check(const mjModel *m, const char *task, char *err, int err_sz);

// Start a cube episode (no mj_forward: the caller may set more state first). Cube turned up
// to 0.1 rad from upright, finger joints within 0.05 rad of 0, goal = a rotation of that
// start by level x 0.6-1.2 rad about a random axis (level 1: the task).
void hand_cube_reset(const mjModel *m, mjData *d, hand_cube *c, rng *r, double level);

// Orientation error in rad: 2 asin |vec(q_cube * conj(q_goal))|.
double hand_cube_error(const mjData *d, const hand_cube *c);

// 1 if the episode's end state is a success (error below HAND_CUBE_SUCCESS), else 0.
double hand_cube_fitness(const mjData *d, const hand_cube *c);

// The graded fitness (task.h): 1 on success, else linear in the error from 1 at
// HAND_CUBE_SUCCESS down to 0 at pi (the largest orientation error).
double hand_cube_graded(const mjData *d, const hand_cube *c);

// Finger joint angles (9) and velocities (9) from the given qpos/qvel addresses: 18 floats.
int hand_observe_joints(const mjData *d, int qpos_adr, int qvel_adr, float *obs);

// The cube's part of the observation (HAND_CUBE_OBS floats): cube quaternion (4) and world
// angular velocity (3), goal quaternion (4), cube * conj(goal) (4), fingertip positions
// relative to the cube centre (9); quaternions sign-normalised (w >= 0).
int hand_cube_observe(const mjData *d, const hand_cube *c, float *obs);

// 1 if restored ids are the ones reset looks up.
int hand_cube_ok(const mjModel *m, const hand_cube *c);

// Video only: a translucent ghost of the cube at the goal orientation.
void hand_cube_decorate(const mjData *d, const hand_cube *c, mjvScene *scn);

// Video only: the orientation error, and at the end of the episode the verdict.
void hand_cube_caption(const mjData *d, const hand_cube *c, int steps, int episode, char *buf,
                       size_t n);

// 0 if m's actuators are 2 x n_joints muscles on tendons, ctrlrange [0, 1], each with its
// activation state; else a message naming the actuator and what to fix in model.xml.
int hand_muscle_check(const mjModel *m, int n_joints, const char *task, char *err, int err_sz);

// The one map from a policy action to muscle excitations: a in [-1, 1] -> ctrl = (a + 1) / 2
// in [0, 1], so the policy's initial zero-mean output is a half excitation of every muscle
// (equal co-contraction: every joint held at 0), not all-off half the time as clipping
// [-1, 1] onto [0, 1] would give.
void hand_muscle_act(mjData *d, const double *a, int n_muscles);

// The resting hand: every muscle excited and activated at 1/2 (what action 0 holds), so an
// episode starts with the joints held, not limp for the first activation time.
void hand_muscle_rest(const mjModel *m, mjData *d);

// Muscle activations (d->act, in [0, 1]): n_muscles floats.
int hand_muscle_observe(const mjData *d, int n_muscles, float *obs);

#endif
