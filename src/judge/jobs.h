// jobs.h: the modes of the worker: what eureka-worker does with a compiled reward.
//
//   check   {"calls": N, "envs": N, "seed": S}: the smoke test of `eureka check`; result
//           {"task", "calls", "seconds", "components": [{"name","min","mean","max","count"}],
//           "total": {"min","mean","max"}}
//   train   {"cfg": {train_cfg by name}, "state": base64 (optional)}: one PPO training,
//           or the continuation of a saved one up to cfg.steps; progress {"steps","total",
//           "sps","fitness"}; result: the train.json object (rl/ppo.h) plus "state", the
//           saved training (base64)
//   verify  {"checks": [{"policy": {...}, "cases": N}, ...]}: the task fitness of saved
//           deterministic policies; the reward compiled in this worker is a constant that
//           is never called; result {"evals": [{"fitness", "fitness_sd", "graded", "cases"}, ...]}
// The parent side that starts these jobs and trusts only what it re-measures is
// judge/judge.h.
#ifndef EUREKA_JOBS_H
#define EUREKA_JOBS_H

#include "judge/worker.h"

extern const worker_mode judge_modes[];
extern const int judge_n_modes;

#endif
