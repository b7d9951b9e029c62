// run.h: the run directory of a search (its layout: docs/search.md, "The run directory").
//
//   runs/<YYYYmmdd-HHMMSS>-<task>/
//     run.json        every setting, versions, seed, backend, model
//     events.jsonl    append-only, one JSON object per line
//     messages.json   the conversation of every iteration
//     llm.jsonl       written by the LLM client (record / resume)
//     iterNN/responses-aA.json, iterNN/human_feedback.txt
//     iterNN/sampleKK/{response.md, reward.c, compile.log, train.json, progress.csv,
//                      feedback.txt, status.json, video.mp4 (when rendered)}
//     eval/seedNN/{train.json, progress.csv, video.mp4 (when rendered)}
//     best.c, best.json, summary.json, compare.json (eureka compare RUN), report.html
//
// This module is the only one that formats these paths, and the only way into a run:
// users share run directories, so a run is read as someone else's input. No symbolic link
// below the run directory is followed (reading or writing), only regular files are read,
// each file kind has a size cap checked before reading (the message names the file and
// the cap), every write is a new file renamed into place, and parsed records are
// validated before anyone uses them.
//
// A sample is finished when its status.json exists (written last, atomically): that is
// what lets `search --resume` skip it.
#ifndef EUREKA_RUN_H
#define EUREKA_RUN_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util/err.h"
#include "util/fs.h"

#define RUN_PATH_MAX FS_PATH_MAX
#define RUN_MAX_ITER 99         // iterNN: 0 (--init-human) .. 99
#define RUN_MAX_SAMPLE 99       // sampleKK: 0 .. 99
#define RUN_MAX_SEED 99         // eval/seedNN: 1 .. 99

// The files at the top of a run.
#define RUN_SETTINGS "run.json"
#define RUN_EVENTS "events.jsonl"
#define RUN_MESSAGES "messages.json"
#define RUN_LLM "llm.jsonl"
#define RUN_BEST_C "best.c"
#define RUN_BEST_JSON "best.json"
#define RUN_SUMMARY "summary.json"
#define RUN_EVAL_REWARD "eval/reward.c" // the reward the evaluation seeds trained
// The files of a sample (run_sample_rel) and of an evaluation seed (run_eval_rel).
#define RUN_RESPONSE "response.md"
#define RUN_REWARD "reward.c"
#define RUN_COMPILE_LOG "compile.log"
#define RUN_TRAIN "train.json"
#define RUN_PROGRESS "progress.csv"
#define RUN_FEEDBACK "feedback.txt"
#define RUN_STATUS "status.json"
#define RUN_VIDEO "video.mp4"
#define RUN_STATE "state.bin"       // the saved training, to continue it (train --resume)
#define RUN_RUNGS "rungs.json"      // the judge's tournament, one entry per rung it ran

// Where runs go unless --out says otherwise, relative to the current directory.
#define RUN_ROOT "runs"

// The directory of a new run: `out` if given (must not hold a run.json yet), else
// RUN_ROOT/<YYYYmmdd-HHMMSS>-<task>, a name no directory has yet. Path into buf; nothing
// is made (run_create makes it), so a search can check its inputs first.
int run_choose(const char *out, const char *task, char *buf, size_t n, err_info *e);

// run_choose, then make the directory.
int run_create(const char *out, const char *task, char *buf, size_t n, err_info *e);

// A run as `eureka runs` lists it.
typedef struct run_info {
    char dir[RUN_PATH_MAX];
    char task[64];              // sanitised
    char created[32];           // run.json "created" (ISO 8601 UTC), "" if absent
    char status[16];            // "finished", "failed" (finished, every candidate failed),
                                // "unfinished" (running, killed or interrupted)
    double best;                // best fitness so far (NaN: none yet)
    int iterations;             // iterNN folders present
} run_info;

// The runs under root (directories holding a run.json), newest first (by "created", then
// name). *out is malloc'ed (free it); *n may be 0. ERR_NOTFOUND when root is missing.
int run_list(const char *root, run_info **out, int *n, err_info *e);

// The directory a run argument names, into dir: arg itself, or for "latest" / "latest-TASK"
// the newest run under root (of that task). Either may go on with "/sub/path", which goes
// into rest ("" otherwise). A directory really named "latest" wins. ERR_USAGE when no run
// matches.
int run_resolve(const char *arg, const char *root, char *dir, size_t n, char *rest, size_t rn,
                err_info *e);

// dir/rel into buf (ERR_LIMIT if too long).
int run_path(char *buf, size_t n, const char *dir, const char *rel, err_info *e);

// Relative paths (ERR_LIMIT if buf is too small):
// a sample's file "iter02/sample03/reward.c" (iter from 0, sample from 0; file NULL: the
// folder, which is also the candidate's name);
int run_sample_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e);
// an iteration's folder "iter02";
int run_iter_rel(char *buf, size_t n, int iter, err_info *e);
// the replies of an iteration's attempt "iter02/responses-a1.json";
int run_responses_rel(char *buf, size_t n, int iter, int attempt, err_info *e);
// a sample's file of one rung of the iteration's tournament "iter02/sample03/rung2/train.json"
// (rung from 1);
int run_rung_rel(char *buf, size_t n, int iter, int sample, int rung, const char *file, err_info *e);
// the feedback the LLM got after an iteration "iter02/reflection.md";
int run_reflection_rel(char *buf, size_t n, int iter, err_info *e);
// a person's feedback for an iteration "iter02/human_feedback.txt";
int run_human_feedback_rel(char *buf, size_t n, int iter, err_info *e);
// a final-evaluation training's file "eval/seed01/train.json" (seed from 1; file NULL:
// the folder).
int run_eval_rel(char *buf, size_t n, int seed, const char *file, err_info *e);
// a finalist's re-check training "final/iter02_sample03/train.json" (file NULL: the folder).
int run_final_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e);

// The directory (relative) holding the train.json of the run's best policy: the final
// evaluation's seed with the highest fitness when there is one, else the search's best
// candidate (best.json). ERR_NOTFOUND when the run has neither yet.
int run_best_policy_rel(const char *dir, char *buf, size_t n, err_info *e);

// The size cap for reading a file of the run (by its name: run.json 1 MiB, status.json
// 64 KiB, train.json 32 MiB, responses 64 MiB, ...).
size_t run_cap(const char *rel);

// Write text / bytes / a JSON object (pretty-printed) atomically to dir/rel, making parents.
int run_write_text(const char *dir, const char *rel, const char *text, err_info *e);
int run_write_bytes(const char *dir, const char *rel, const void *data, size_t len, err_info *e);
int run_write_json(const char *dir, const char *rel, const cJSON *obj, err_info *e);

// A training's files in dir/rel_dir (rel_dir NULL or "": dir itself): train.json, and
// progress.csv derived from it (util/trainlog.h). Every command that keeps a training
// writes it through here.
int run_write_train(const char *dir, const char *rel_dir, const cJSON *train, err_info *e);

// Read dir/rel, at most cap bytes (run_read_json: run_cap(rel)). NULL + ERR_NOTFOUND
// when it does not exist; ERR_LIMIT naming the file and the cap; ERR_IO for a link, a
// FIFO, a device or a directory.
char *run_read_text(const char *dir, const char *rel, size_t cap, err_info *e);
cJSON *run_read_json(const char *dir, const char *rel, err_info *e);

// 1 if dir/rel exists (whatever it is: reading it then says what is wrong).
int run_has(const char *dir, const char *rel);

// Append {"time": <unix seconds>, "event": type, ...fields} to dir/events.jsonl.
// fields (may be NULL) is consumed.
int run_event(const char *dir, const char *type, cJSON *fields, err_info *e);

// A finished sample's status.json, validated: a known-looking status name, a finite
// fitness when ok, the message made safe to print and to send to the LLM.
typedef struct run_status {
    char status[32];            // "ok", "compile_error", ...
    char message[ERR_MSG_MAX];  // sanitised (util/sanitize.h)
    int ok;                     // status is "ok" (then fitness is finite)
    double fitness;
    long unstable;              // unstable episodes (ok only)
    double seconds;
    int rung;                   // rungs of the judge's tournament completed (0: none)
    double robust;              // the judge's robust statistic (ok only; NaN if absent)
} run_status;

// Read and check iterNN/sampleKK/status.json. ERR_PARSE naming the file when it cannot be
// trusted (not an object, no status, ok without a finite fitness).
int run_read_status(const char *dir, int iter, int sample, run_status *st, err_info *e);

// Parse a candidate reference: "iter02/sample03" (also "iter2/sample3", "2/3") ->
// iter, sample; "best" -> iter = sample = 0. ERR_USAGE otherwise.
int run_parse_ref(const char *ref, int *iter, int *sample, err_info *e);

// The best finished sample of iteration it, as the search picks it: among those whose
// status.json is valid and ok, the furthest in the judge's tournament, then the highest
// robust statistic (the fitness for runs without one), then the lower index; as
// `eureka diff` and the report pick it (the recorded numbers: for display; the search
// re-measures before it decides). -1 when none.
int run_iteration_best(const char *dir, int it);

// Tokens spent, counted from the saved replies (iterNN/responses-aA.json) of iterations
// 0..iters: for runs killed before summary.json. Counts are clamped, sums saturate.
void run_count_tokens(const char *dir, int iters, long *prompt, long *completion);

// Number of iterNN directories present (the highest NN, at most RUN_MAX_ITER; links and
// files named like one do not count).
int run_count_iters(const char *dir);

// Number of sampleKK directories present in iteration iter (the highest KK + 1).
int run_count_samples(const char *dir, int iter);

#endif
