// cli.h: the command line. main.c dispatches `eureka <command>` to cmd_<command>;
// each command lives in cmd_<command>.c, parses its flags with cli_parse, and is the
// only code that prints to the user or picks an exit status (cli_exit_status).
#ifndef EUREKA_CLI_H
#define EUREKA_CLI_H

#include <signal.h>
#include <cjson/cJSON.h>

#include "rl/ppo.h"
#include "util/err.h"

// The exit statuses of every command: the same fault gives the same status everywhere.
// cli_exit_status maps an error to one of them; `eureka --help` and docs/cli.md list them.
enum {
    CLI_EXIT_OK = 0,            // done
    CLI_EXIT_FAILED = 1,        // the work failed: a training, every candidate, the LLM, a write
    CLI_EXIT_USAGE = 2,         // the command line or an input it names is wrong: fix, run again
    CLI_EXIT_INTERRUPTED = 130, // stopped by Ctrl-C / SIGTERM; what finished is kept
};
#define CLI_EXIT_DOC "exit status: 0 ok, 1 the work failed, 2 bad command line or input, " \
                     "130 interrupted (what finished is kept)"

// The exit status for an error code (ERR_OK: 0).
int cli_exit_status(err_code code);

typedef enum cli_kind { CLI_STR, CLI_INT, CLI_LONG, CLI_DOUBLE, CLI_BOOL } cli_kind;

typedef struct cli_flag {
    const char *name;       // "--task"
    cli_kind kind;
    void *out;              // const char **, int *, long *, double *, int * (bool)
    const char *help;       // one line for --help
    double min, max;        // numeric flags: the values allowed (both 0: a bug, refused)
} cli_flag;

// Parse argv[1..] (argv[0] is the command name): flags from the table (a flag may be
// given as "--x v" or "--x=v"), the rest into pos[0..max_pos). ERR_USAGE on unknown
// flags (naming the nearest known one), missing values, too many positionals, and
// numbers that are malformed, overflow or fall outside the flag's [min, max] (naming
// the flag and its range). "--help" and "-h" set *help.
int cli_parse(int argc, char **argv, const cli_flag *flags, int n_flags, const char **pos,
              int max_pos, int *n_pos, int *help, err_info *e);

// Print "usage: eureka CMD ARGS" and the flag table to stdout.
void cli_usage(const char *cmd, const char *args, const cli_flag *flags, int n_flags);

// The task called name: NULL and ERR_USAGE naming the known tasks when name is NULL
// ("--task is required (known tasks: ...)") or unknown ("unknown task 'x' (known tasks: ...)").
const struct task_def *cli_task(const char *name, err_info *e);

// Print "eureka CMD: <message>" to stderr (sanitised: util/sanitize.h); return the exit
// status for e.
int cli_fail(const char *cmd, const err_info *e);

// Read a file the command line names (a reward): a missing or unreadable file is the
// user's to fix (ERR_USAGE, exit 2); one over cap stays ERR_LIMIT (the reward is too big).
char *cli_read_input(const char *path, size_t cap, size_t *len, err_info *e);

// The run directory a RUN argument names, into dir: "latest" (the newest run under
// runs/), "latest-TASK" (the newest of that task), or a directory. ERR_USAGE unless it
// holds a run.json ("... is not a run").
int cli_run(const char *arg, char *dir, size_t n, err_info *e);

// A verdict message about the user's reward file, for a person: it starts with file (the
// candidate's own name "reward.c" in "reward.c:LINE: ..." becomes file), and "the task's
// env.h" becomes tasks/T/env.h. The LLM keeps the original wording. Into buf.
const char *cli_reward_msg(const struct task_def *t, const char *file, const char *msg, char *buf,
                           size_t n);

// Catch SIGINT and SIGTERM from now on: the returned flag is set instead of the process
// dying, for the judge to stop its workers (judge_opts.stop) and the command to keep
// what finished and exit CLI_EXIT_INTERRUPTED.
volatile sig_atomic_t *cli_catch_stop(void);

// Record the settings a training ran with in its train.json object (as "settings",
// rl/train_cfg.h): what --set changed stays with the result.
void cli_record_settings(cJSON *train, const struct train_cfg *cfg);

// Print o to stdout as every --json output is printed: pretty, non-integral numbers
// rounded to 6 significant digits (%.6g), NaN and infinities as null.
void cli_json_print(cJSON *o);

// The file name of a path ("rewards/reorient_human.c" -> "reorient_human.c"): how
// progress lines and tables name rewards.
const char *cli_base_name(const char *path);

// Train the reward file at reward_path in a sandboxed worker through the judge, as
// `eureka train` does, with the progress line unless quiet; res gets the verdict.
struct task_def;
struct train_cfg;
struct judge_verdict;
int cli_train_reward(const struct task_def *t, const char *reward_path, const struct train_cfg *cfg,
                     int quiet, struct judge_verdict *res, err_info *e);

// The trainer's options every training command takes (train, eval, compare, search), as
// rows of its flag table (CLI_TRAINER_FLAGS) and one step that checks them into a
// train_cfg (recorded with it in train.json / run.json).
typedef struct cli_trainer_opts {
    const char *set;            // --set k=v,... (rl/train_cfg.h)
    const char *exploration;    // --exploration gaussian|gsde|lattice|dep
    int noise_period;           // --noise-period N
    int curriculum;             // --curriculum
} cli_trainer_opts;

#define CLI_TRAINER_FLAGS(o)                                                                  \
    {"--set", CLI_STR, &(o).set, "PPO settings, e.g. lr=1e-4,epochs=8 (recorded with the training)", 0, 0}, \
    {"--exploration", CLI_STR, &(o).exploration,                                              \
     "how the policy explores: gaussian (default), gsde, lattice or dep (see docs/trainer.md)", 0, 0},      \
    {"--noise-period", CLI_INT, &(o).noise_period,                                            \
     "gsde/lattice: control steps between noise draws (default 8)", 1, 1000000},              \
    {"--curriculum", CLI_BOOL, &(o).curriculum,                                               \
     "train on the task's difficulty knob (`eureka tasks` names it) in 4 stages, each "       \
     "passed at a training fitness of 0.5", 0, 0}

// The train.json behind --policy P: P itself (a file), P/train.json, or the best policy
// of run P (P may start with latest[-TASK], as any RUN); dir gets the directory of that
// train.json. NULL with e set otherwise.
struct cJSON *cli_policy_json(const char *p, char *dir, size_t n, err_info *e);

// The task of a policy's train.json: t when given (ERR_USAGE if the policy was trained
// on another task), else the one train.json names. NULL with e set.
const struct task_def *cli_policy_task(const struct task_def *t, const struct cJSON *train,
                                       err_info *e);

// Put o into cfg, then check that a training of task t can run with it (ppo_check_cfg,
// as every worker will): ERR_USAGE naming the bad value, before anything starts.
int cli_trainer_apply(const cli_trainer_opts *o, const struct task_def *t, train_cfg *cfg, err_info *e);

int cmd_tasks(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_analyze(int argc, char **argv);

#endif
