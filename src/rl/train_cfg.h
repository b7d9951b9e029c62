// train_cfg.h: the trainer's settings by name, for everything outside the trainer: the
// job a worker receives, the records in run.json / train.json, and `--set k=v,...`.
//
// One table (train_cfg.c) lists every field of train_cfg with its name and type, so a
// new setting is added in one place and every record and flag knows it.
#ifndef EUREKA_TRAIN_CFG_H
#define EUREKA_TRAIN_CFG_H

#include <cjson/cJSON.h>

#include "rl/ppo.h"
#include "util/err.h"

// Every field of c as a JSON object (owned by the caller).
cJSON *train_cfg_json(const train_cfg *c);

// What a training records as its "config" in train.json: train_cfg_json less the
// machine's settings (threads, the time cap), which do not change what it learns.
cJSON *train_cfg_record(const train_cfg *c);

// Set the fields named in o (others are left alone). ERR_PARSE naming the key for an
// unknown key or a value of the wrong type.
int train_cfg_from_json(train_cfg *c, const cJSON *o, err_info *e);

// Apply "lr=1e-4,epochs=8" (rl-zoo style hyperparameter overrides). ERR_USAGE naming the
// bad assignment and listing the known names.
int train_cfg_set(train_cfg *c, const char *assignments, err_info *e);

// One setting on which a recorded config and today's settings disagree: its name and
// both values as text ("" where one side lacks it).
typedef struct train_cfg_delta {
    char name[48];
    char was[40], now[40];
} train_cfg_delta;

// The first setting in which rec (a train.json "config", train_cfg_record's) differs from
// c, the machine's settings aside: 0 when none does, else 1 with d filled. A name c lacks
// or rec lacks differs; a number equals c's when it reads back within 1e-12 of it (JSON
// text may drop the last bit). rec not an object: 1, named "config".
int train_cfg_diff(const cJSON *rec, const train_cfg *c, train_cfg_delta *d);

#endif
