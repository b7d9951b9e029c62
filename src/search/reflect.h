// reflect.h: EUREKA's reward reflection, from a train.json object.
//
// For every reward component, about ten evenly spaced values of its per-update mean,
// then Max / Mean / Min; then task_score (fitness at the checkpoints) and
// episode_lengths in the same one-line format:
//   rotation_reward: ['0.03', '0.31', ..., '0.32'], Max: 0.34, Mean: 0.31, Min: 0.03
#ifndef EUREKA_REFLECT_H
#define EUREKA_REFLECT_H

#include <cjson/cJSON.h>

#include "util/err.h"

// The reflection text (lines joined by '\n'), owned by the caller; NULL + ERR_PARSE
// if train is not a train.json object.
char *reflect_text(const cJSON *train, err_info *e);

// The stride (in updates) between the values shown for the per-update series:
// max(updates / 10, 1), EUREKA's epoch_freq, for the prompt's "after every N epochs".
// 0 if train has no episode_length list.
int reflect_stride(const cJSON *train);

#endif
