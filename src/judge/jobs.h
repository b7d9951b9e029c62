// jobs.h: the modes of the worker: what eureka-worker does with a compiled reward.
//
//   check   {"calls": N, "envs": N, "seed": S}: the smoke test of `eureka check`; result
//           {"task", "calls", "seconds", "components": [{"name","min","mean","max","count"}],
//           "total": {"min","mean","max"}}
//   train   {"cfg": {train_cfg by name}}: one PPO training; progress {"steps","total",
//           "sps","fitness"}; result: the train.json object (rl/ppo.h)
//   verify  {"policy": {...}}: the task fitness of a saved deterministic policy; the
//           reward compiled in this worker is a constant that is never called; result
//           {"fitness": F}
// The parent side that starts these jobs and trusts only what it re-measures is
// judge/judge.h.
#ifndef EUREKA_JOBS_H
#define EUREKA_JOBS_H

#include "judge/worker.h"

extern const worker_mode judge_modes[];
extern const int judge_n_modes;

#endif
