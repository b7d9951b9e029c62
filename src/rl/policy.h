// policy.h: the deterministic policy a training produces, for everything after it.
//
// A training's result is the mean action of its best checkpoint: observation
// normalisation (mean, 1/std, clipped at +-5), a tanh MLP actor, the output clipped to
// [-1, 1]. train.json stores it as
//     "policy": {"hidden": 64, "obs_mean": [...], "obs_inv_std": [...], "actor": [...]}
// The trainer measures its checkpoints with this module, so a policy loaded here acts
// bit for bit as it did in training: the judge re-measures a reported fitness with it in
// a clean worker, the renderer and `eureka analyze` roll it out. A policy may come from
// an untrusted file: loading checks every size against the task and every number.
#ifndef EUREKA_POLICY_H
#define EUREKA_POLICY_H

#include <cjson/cJSON.h>

#include "util/err.h"
#include "rl/venv.h"
#include "task/task.h"

#define POLICY_MAX_HIDDEN 1024

typedef struct policy policy;

// A policy of task t with `hidden` units per layer and all weights zero.
policy *policy_new(const task_def *t, int hidden, err_info *e);
void policy_free(policy *p);

// Load the policy of train.json (the whole object or its "policy" member) for task t.
// Wrong sizes, missing members or non-finite numbers are ERR_PARSE with a message.
int policy_from_json(const task_def *t, const cJSON *json, policy **out, err_info *e);

// The "policy" object of train.json (owned by the caller; NULL without memory).
cJSON *policy_to_json(const policy *p);

// Copy in actor weights (policy_n_params floats in mlp.h's layout), the observation mean
// and 1/std (obs_dim floats each).
void policy_set(policy *p, const float *actor, const float *obs_mean, const float *obs_inv_std);

int policy_n_params(const policy *p);
int policy_hidden(const policy *p);
const task_def *policy_task(const policy *p);

// Floats of scratch memory one policy_act call needs (one buffer per thread).
int policy_scratch_size(const policy *p);

// The action (act_dim values in [-1, 1]) for a raw observation (obs_dim floats).
void policy_act(const policy *p, const float *obs, double *action, float *scratch);

// Task fitness of the policy on `cases` held-out episodes (<= 0: the task's n_eval) on
// the threads of pl, thread i simulating on environment i of v (venv_evaluate_on).
int policy_evaluate(const policy *p, venv *v, pool *pl, int cases, venv_eval *out, err_info *e);

// policy_evaluate with n_threads fresh threads and environments of task t (for consumers
// outside training).
int policy_fitness(const task_def *t, const policy *p, int n_threads, int cases, venv_eval *out,
                   err_info *e);

#endif
