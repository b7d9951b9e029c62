// run.h: the run directory of a search (DESIGN.md section 7).
//
//   runs/<YYYYmmdd-HHMMSS>-<task>/
//     run.json        every setting, versions, seed, backend, model
//     events.jsonl    append-only, one JSON object per line
//     messages.json   the conversation of every iteration
//     llm.jsonl       written by the LLM client (record / resume)
//     iterNN/sampleKK/{response.md, reward.c, compile.log, train.json, progress.csv,
//                      feedback.txt, status.json, video.mp4 (when rendered)}
//     eval/seedNN/{train.json, progress.csv, video.mp4 (when rendered)}
//     best.c, best.json, summary.json, compare.json (eureka compare RUN), report.html
//
// A sample is finished when its status.json exists (written last, atomically): that is
// what lets `search --resume` skip it. All JSON goes through fs_write_atomic.
#ifndef EUREKA_RUN_H
#define EUREKA_RUN_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util/err.h"

#define RUN_PATH_MAX 4096
#define RUN_JSON_MAX (64 * 1024 * 1024)

// Make a new run directory: `out` if given (must not hold a run.json yet), else
// runs/<YYYYmmdd-HHMMSS>-<task> under the current directory. Path into buf.
int run_create(const char *out, const char *task, char *buf, size_t n, err_info *e);

// dir/rel into buf (ERR_LIMIT if too long).
int run_path(char *buf, size_t n, const char *dir, const char *rel, err_info *e);

// Relative path of a sample's file: "iter02/sample03/reward.c" (iter from 1, sample
// from 0); file may be NULL for the directory itself.
int run_sample_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e);

// Write text / a JSON object (pretty-printed) atomically to dir/rel, making parents.
int run_write_text(const char *dir, const char *rel, const char *text, err_info *e);
int run_write_json(const char *dir, const char *rel, const cJSON *obj, err_info *e);

// A training's files in dir/rel_dir (rel_dir NULL or "": dir itself): train.json, and
// progress.csv derived from it (util/trainlog.h). Every command that keeps a training
// writes it through here.
int run_write_train(const char *dir, const char *rel_dir, const cJSON *train, err_info *e);

// Read dir/rel (capped). NULL + ERR_NOTFOUND when it does not exist.
char *run_read_text(const char *dir, const char *rel, size_t cap, err_info *e);
cJSON *run_read_json(const char *dir, const char *rel, err_info *e);

// 1 if dir/rel exists.
int run_has(const char *dir, const char *rel);

// Append {"time": <unix seconds>, "event": type, ...fields} to dir/events.jsonl.
// fields (may be NULL) is consumed.
int run_event(const char *dir, const char *type, cJSON *fields, err_info *e);

// Parse a candidate reference: "iter02/sample03" (also "iter2/sample3", "2/3") ->
// iter, sample; "best" -> iter = sample = 0. ERR_USAGE otherwise.
int run_parse_ref(const char *ref, int *iter, int *sample, err_info *e);

// Relative path of file (NULL: the directory) in final-evaluation seed `seed` (from 1):
// "eval/seed02/train.json".
int run_eval_rel(char *buf, size_t n, int seed, const char *file, err_info *e);

// The directory (relative) holding the train.json of the run's best policy: the final
// evaluation's seed with the highest fitness when there is one, else the search's best
// candidate (best.json). ERR_NOTFOUND when the run has neither yet.
int run_best_policy_rel(const char *dir, char *buf, size_t n, err_info *e);

// The best finished sample of iteration it: the highest fitness among those with status
// ok (ties: the lower index), as `eureka diff` and the report pick it; -1 when none.
int run_iteration_best(const char *dir, int it);

// Tokens spent, counted from the saved replies (iterNN/responses-aA.json) of iterations
// 0..iters: for runs killed before summary.json.
void run_count_tokens(const char *dir, int iters, long *prompt, long *completion);

// Number of iterNN directories present (the highest NN).
int run_count_iters(const char *dir);

// Number of sampleKK directories present in iteration iter (the highest KK + 1).
int run_count_samples(const char *dir, int iter);

#endif
