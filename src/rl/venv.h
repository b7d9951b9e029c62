// venv.h: vectorised environments of one task: one shared mjModel, one mjData per
// environment, the candidate reward called once per control step.
//
// venv_step on different environment indices may run on different threads at the
// same time; everything else is single-threaded. Episodes reset automatically.
#ifndef EUREKA_VENV_H
#define EUREKA_VENV_H

#include <stdint.h>

#include "util/err.h"
#include "util/pool.h"
#include "util/ser.h"
#include "reward/reward.h"
#include "task/task.h"

typedef struct venv venv;

// Outcome of one control step of one environment.
typedef struct venv_step_out {
    double reward;      // the candidate's total reward (0 when there is no reward)
    int done;           // the episode ended at this step (the env has been reset)
    int truncated;      // ... and it ended by the time limit (bootstrap from final_obs)
} venv_step_out;

// Statistics gathered since the last venv_harvest, over all environments.
typedef struct venv_stats {
    int n_terms;                                    // components seen
    char names[REWARD_MAX_TERMS][REWARD_NAME_MAX];  // in order of first appearance
    double term_mean[REWARD_MAX_TERMS];             // mean per step (0 when absent)
    double reward_mean;                             // mean total reward per step
    long steps;                                     // control steps taken
    long episodes;                                  // episodes completed
    double episode_len_mean;                        // mean length of completed episodes
    double fitness_mean;                            // mean task fitness of completed episodes
    long unstable;                                  // episodes reset on a MuJoCo warning
} venv_stats;

// Deterministic policy for evaluation: fill action (act_dim) from obs (obs_dim).
// `thread` identifies the calling thread (0..n_threads-1) for scratch memory.
typedef void (*venv_policy)(void *ctx, int thread, const float *obs, double *action);

// Watches an episode (venv_episode): called after the reset (step 0) and after every
// control step with the simulation and the task's per-episode data, read-only; end is 1
// at the episode's last step.
typedef void (*venv_watch)(void *ctx, const mjModel *m, const mjData *d, const void *inst,
                           int step, int end);

// Load t's model.xml once for this process; later venv_new calls copy it instead of
// reading the file (the sandbox preloads before its filter forbids opening files).
int venv_preload(const task_def *t, err_info *e);

// Load tasks/<name>/model.xml (or copy the preloaded model) and make n_envs environments seeded by seed.
// fn may be NULL (zero reward: for raw-throughput benchmarks and fitness evaluation).
venv *venv_new(const task_def *t, int n_envs, uint64_t seed, reward_fn fn, err_info *e);
void venv_free(venv *v);

const task_def *venv_task(const venv *v);
int venv_count(const venv *v);
const mjModel *venv_model(const venv *v);

// The simulation of environment i, read-only (DEP senses its actuator lengths). Borrowed
// until the next step of that environment.
const mjData *venv_data(const venv *v, int i);

// How the task's act() maps actions onto the actuators, probed once on a held-out reset
// (act_dim = nu, action j drives actuator j): lo[j]..hi[j] is the part of [-1, 1] that
// act() maps into actuator j's ctrlrange (all of it for a task that maps [-1, 1] onto the
// range, the upper half for one that passes a in [-1, 1] to a [0, 1] muscle), [-1, 1]
// where the mapping is not affine or the control is not limited; dir[j] is +1 when the
// control rises with the action, -1 when it falls.
int venv_action_range(const venv *v, double *lo, double *hi, double *dir, err_info *e);

// Current observation of environment i (obs_dim floats). Borrowed until the next step.
const float *venv_obs(const venv *v, int i);

// The env_state (task->state_size bytes) filled after the last step or reset of
// environment i; filled even when there is no reward (eureka check uses it). Borrowed.
const void *venv_state(const venv *v, int i);

// Difficulty of the training episodes that start from now on (task_def.reset_level):
// level in (0, 1], 1 (the default) = the task itself. ERR_USAGE for a level outside that
// range, or below 1 for a task without a difficulty knob. Held-out cases ignore it.
int venv_set_level(venv *v, double level);
double venv_level(const venv *v);

// Start a new episode in every environment (each from its own rng stream), e.g. right
// after venv_set_level so that the first episodes too are at the new level.
void venv_restart(venv *v);

// One control step of environment i with action a (act_dim, clipped to [-1, 1]).
// When the episode ends, final_obs (if non-NULL) gets the last observation before the
// automatic reset. A non-finite reward component is ERR_NONFINITE with a message naming
// the component and the step: "reward component 'x' is NaN at step 17 of an episode".
// A reward that writes to its state or breaks term() (more than 16 names, a bad name)
// is ERR_REWARD. A MuJoCo warning (unstable simulation) resets the environment: done=1,
// truncated=0, counted in venv_stats.unstable.
int venv_step(venv *v, int i, const double *a, float *final_obs, venv_step_out *out,
              err_info *e);

// Merge and clear the per-environment statistics.
void venv_harvest(venv *v, venv_stats *out);

// Append the whole state of every environment to b: the input state of its mjData (time,
// qpos, qvel, act, ctrl, qacc_warmstart, applied forces, mocap poses, userdata; mj_step
// derives everything else from these), its task instance, observation, env_state, rng,
// episode step and statistics. Restored by venv_load into environments of the same task
// and count, the next venv_step is bit-identical to the one the saved environment would
// have taken. Failures are sticky in b.
void venv_save(const venv *v, buf *b);

// Restore what venv_save wrote, from r. A blob for another model or count, a value out of
// range or a task instance the task rejects is ERR_PARSE; v is then unusable (free it).
int venv_load(venv *v, ser_reader *r, err_info *e);

// Most held-out cases one evaluation may ask for.
#define VENV_MAX_CASES 100000

// Result of an evaluation on held-out cases.
typedef struct venv_eval {
    int cases;              // episodes run
    double fitness;         // mean task fitness over the cases
    double fitness_sd;      // sample standard deviation of the per-case fitness (0 for 1 case)
    double graded;          // mean graded fitness (task.h; the fitness when the task has none)
    double episode_len;     // mean episode length
} venv_eval;

// Most threads an evaluation uses.
#define VENV_MAX_THREADS 64

// Task fitness of a deterministic policy on `cases` held-out episodes (<= 0: the task's
// n_eval), using n_threads threads (each runs its share of cases on its own mjData).
// Case c resets from rng stream (eval_seed, c) whatever the count, so a larger set
// contains the smaller ones, and the default set is the task's fixed one.
int venv_evaluate(venv *v, venv_policy act_fn, void *ctx, int n_threads, int cases,
                  venv_eval *out, err_info *e);

// venv_evaluate on the threads of pl, thread i simulating on environment i of v (its
// episode is lost: keep such a venv for evaluation): nothing is started or allocated per
// call but the per-case results. v needs at least pool_size(pl) environments. Same
// result as venv_evaluate.
int venv_evaluate_on(venv *v, pool *pl, venv_policy act_fn, void *ctx, int cases,
                     venv_eval *out, err_info *e);

// Held-out case eval_case (0..VENV_MAX_CASES-1) of a deterministic policy, exactly as
// venv_evaluate runs it, with watch (may be NULL) called at every step: what a video
// shows. *fitness and *steps (may be NULL) get the episode's fitness and length.
int venv_episode(const venv *v, int eval_case, venv_policy act_fn, void *ctx, venv_watch watch,
                 void *wctx, double *fitness, int *steps, err_info *e);

#endif
