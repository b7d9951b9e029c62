// task.h: what a task is, and the registry of tasks.
//
// A task lives in tasks/<name>/: model.xml (MJCF for MuJoCo 2.2), env.h (the
// env_state struct the reward reads; shown to the LLM verbatim), task.c (this
// interface), description.txt (one paragraph for the LLM) and components.txt
// (reward component snippets for the offline mutator). task.c is compiled into
// eureka; only the reward is generated code.
//
// The part of task.c the LLM sees is the state fill: the code between the lines
//     // BEGIN STATE
//     // END STATE
// It must stay short, readable and free of reward and fitness logic.
//
// Per control step, the environment (venv.c) does:
//     act(a) -> frame_skip x mj_step -> poses brought up to date (needs_poses) -> fill(state)
//     -> reward(state) -> track() -> done()? / time limit -> fitness(), reset()
#ifndef EUREKA_TASK_H
#define EUREKA_TASK_H

#include <stddef.h>
#include <stdint.h>
#include <mujoco/mujoco.h>

#include "util/err.h"
#include "util/rng.h"

// Training defaults of a task (PPO; see ppo.h). 0 means "the trainer's default".
typedef struct task_defaults {
    long train_steps;       // budget in control steps (all envs together)
    int n_envs;             // parallel environments
    int horizon;            // rollout steps per env per update
    int epochs;             // PPO epochs per update
    int minibatches;        // minibatches per epoch
    int hidden;             // width of the two hidden layers
    double lr;              // Adam learning rate
    double gamma, lambda;   // discount, GAE
    double init_log_std;    // initial policy log-std
    double sde_log_std;     // initial log-scale of gSDE/LATTICE noise matrices (0: init_log_std)
    double ent_coef;        // entropy bonus
    int checkpoints;        // evaluation checkpoints over the budget
} task_defaults;

typedef struct task_def {
    const char *name;           // "reorient"
    const char *summary;        // one line for `eureka tasks`
    const char *fitness_doc;    // one line: what fitness measures, its range
    int obs_dim;                // policy observation size
    int act_dim;                // action size; actions are in [-1, 1]
    int episode_steps;          // control steps per episode (time limit)
    int frame_skip;             // physics steps per control step
    int needs_poses;            // 1: fill/observe/track/done read body, geom or site poses
                                // (xpos, geom_xpos, ...), which mj_step leaves one physics
                                // step old: venv runs mj_kinematics after stepping. 0: they
                                // read only qpos/qvel, and the cost is saved.
    size_t state_size;          // sizeof(env_state)
    size_t inst_size;           // per-environment task data (goal, fitness bookkeeping)
    int n_eval;                 // held-out evaluation episodes (fixed set)
    uint64_t eval_seed;         // held-out case c resets from rng stream (eval_seed, c)
    double fitness_max;         // best possible fitness (1 for success rates), for reports
    int success_rate;           // 1: every held-out episode scores 0 or 1 (the fitness is a
                                // success rate: its intervals are Wilson intervals)
    task_defaults defaults;

    // Once, after the model is loaded (set options, check sizes). May be NULL.
    int (*setup)(mjModel *m, char *err, int err_sz);
    // Start an episode: randomise the initial state and goal from r (task_reset hands a
    // held-out case its own stream). Must leave d consistent (mj_forward or equivalent).
    void (*reset)(const mjModel *m, mjData *d, void *inst, rng *r);
    // Map an action in [-1, 1]^act_dim to d->ctrl.
    void (*act)(const mjModel *m, mjData *d, void *inst, const double *a);
    // Fill the env_state (state_size bytes) the reward reads. `a` is this step's action.
    void (*fill)(const mjModel *m, const mjData *d, const void *inst, const double *a,
                 void *state);
    // Policy observation (obs_dim floats). Never includes anything the policy could not
    // sense in a real system other than the goal.
    void (*observe)(const mjModel *m, const mjData *d, const void *inst, float *obs);
    // After each control step: update fitness bookkeeping in inst. May be NULL.
    void (*track)(const mjModel *m, const mjData *d, void *inst);
    // 1 if the episode ends early (failure or success termination). May be NULL.
    int (*done)(const mjModel *m, const mjData *d, const void *inst);
    // At the end of an episode of `steps` control steps: this episode's fitness. The
    // task's fitness is the mean over its n_eval held-out episodes.
    double (*fitness)(const mjModel *m, const mjData *d, const void *inst, int steps);
    // A success-rate task's graded fitness of the same episode: how near success it
    // ended, in [0, 1], exactly 1 when the episode succeeded (so its mean is at least
    // the success rate). Early in training most rewards succeed on no held-out case and
    // their success rates tie at 0; the judge ranks such rungs on this (docs/search.md).
    // May be NULL.
    double (*graded)(const mjModel *m, const mjData *d, const void *inst, int steps);
    // A task instance restored from a saved training (bytes from outside the process):
    // 1 if this task could have made it (ids in range, counters within an episode), so
    // the functions above can use it safely. May be NULL when any bytes are safe.
    int (*inst_ok)(const mjModel *m, const void *inst);
    // The task's difficulty knob, for --curriculum: start a training episode at level in
    // (0, 1], where 1 is the task itself (reset). May be NULL: no curriculum. Held-out
    // cases always reset at the full task.
    void (*reset_level)(const mjModel *m, mjData *d, void *inst, rng *r, double level);
    // What that level scales, for `eureka tasks` (set exactly when reset_level is).
    const char *curriculum_doc;

    // Rendering only (src/viz/render.c), each may be NULL; never called during training.
    // Add to scn what the physics model does not show (a goal marker), within
    // scn->maxgeom, without touching the model or the simulation.
    void (*decorate)(const mjModel *m, const mjData *d, const void *inst, mjvScene *scn);
    // Lines for the video overlay, "label\tvalue\n" each (orientation error, ...).
    void (*caption)(const mjModel *m, const mjData *d, const void *inst, char *buf, size_t n);
} task_def;

// Start an episode of t: eval_case >= 0 selects held-out case eval_case (from its own
// stream, independent of r); -1 = a training episode drawn from r.
void task_reset(const task_def *t, const mjModel *m, mjData *d, void *inst, rng *r,
                int eval_case);

// Look a task up by name; NULL if unknown.
const task_def *task_find(const char *name);

// All tasks, in display order; *n gets the count.
const task_def *const *task_all(int *n);

// Comma-separated names of all tasks (for "unknown task" errors). Borrowed, static.
const char *task_names(void);

// Path of a file in the task's folder: <root>/tasks/<name>/<file>.
int task_file(const task_def *t, const char *file, char *buf, size_t n, err_info *e);

#endif
