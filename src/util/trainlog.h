// trainlog.h: a training's per-update series as progress.csv, the file Stable-Baselines3
// and rl-zoo users read with pandas or plot scripts.
//
// One header row, then one row per PPO update, columns named in SB3's "group/key" style:
//   time/iterations, time/total_timesteps, time/time_elapsed,
//   rollout/reward_mean, rollout/ep_len_mean, reward/<component> (one per component),
//   train/std, train/approx_kl, train/clip_fraction,
//   eval/fitness, eval/fitness_sd, eval/ep_len_mean
// The eval/ cells are filled on the row of the update a checkpoint was measured after and
// left empty elsewhere (as SB3 leaves keys not logged that step). train.json keeps only
// the total wall time, so time/time_elapsed is that total shared out evenly over updates.
// rollout/reward_mean and reward/* are per-step batch means (EUREKA's reflection values),
// not episode returns. The train.json may come from a worker: names are sanitised and
// quoted as CSV needs, cells that are not numbers stay empty, sizes are capped.
#ifndef EUREKA_TRAINLOG_H
#define EUREKA_TRAINLOG_H

#include <cjson/cJSON.h>

#include "util/err.h"

#define TRAINLOG_MAX_ROWS 1000000       // updates
#define TRAINLOG_MAX_COMPONENTS 64
#define TRAINLOG_MAX_BYTES (256u << 20)

// progress.csv text of a train.json object (owned by the caller). ERR_PARSE when it has
// no per-update series ("updates", "steps", "reward_total"), ERR_LIMIT past the caps.
char *trainlog_csv(const cJSON *train, err_info *e);

#endif
