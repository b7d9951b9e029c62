// cli.h: the command line. main.c dispatches `eureka <command>` to cmd_<command>;
// each command lives in cmd_<command>.c, parses its flags with cli_parse, and is the
// only code that prints to the user or picks an exit status (0 ok, 1 failure, 2 usage).
#ifndef EUREKA_CLI_H
#define EUREKA_CLI_H

#include "rl/ppo.h"
#include "util/err.h"

typedef enum cli_kind { CLI_STR, CLI_INT, CLI_LONG, CLI_DOUBLE, CLI_BOOL } cli_kind;

typedef struct cli_flag {
    const char *name;       // "--task"
    cli_kind kind;
    void *out;              // const char **, int *, long *, double *, int * (bool)
    const char *help;       // one line for --help
} cli_flag;

// Parse argv[1..] (argv[0] is the command name): flags from the table (a flag may be
// given as "--x v" or "--x=v"), the rest into pos[0..max_pos). ERR_USAGE on unknown
// flags, missing or bad values, too many positionals. "--help" sets *help.
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

// The trainer's options every training command takes, as rows of its flag table
// (CLI_TRAINER_FLAGS) and one step that checks them into a train_cfg.
typedef struct cli_trainer_opts {
    const char *exploration;    // --exploration gaussian|gsde|lattice
    int noise_period;           // --noise-period N
    int curriculum;             // --curriculum
} cli_trainer_opts;

#define CLI_TRAINER_FLAGS(o)                                                                  \
    {"--exploration", CLI_STR, &(o).exploration,                                              \
     "how the policy explores: gaussian (default), gsde or lattice (see docs/trainer.md)"},            \
    {"--noise-period", CLI_INT, &(o).noise_period,                                            \
     "gsde/lattice: control steps between noise draws (default 8)"},                          \
    {"--curriculum", CLI_BOOL, &(o).curriculum,                                               \
     "train on the task's difficulty knob in 4 stages, widened at 50% success (reorient)"}

// The train.json behind --policy P: P itself (a file), P/train.json, or the best policy
// of run P; dir gets the directory of that train.json. NULL with e set otherwise.
struct cJSON *cli_policy_json(const char *p, char *dir, size_t n, err_info *e);

// The task of a policy's train.json: t when given (ERR_USAGE if the policy was trained
// on another task), else the one train.json names. NULL with e set.
const struct task_def *cli_policy_task(const struct task_def *t, const struct cJSON *train,
                                       err_info *e);

// Put o into cfg; ERR_USAGE naming the bad value.
int cli_trainer_apply(const cli_trainer_opts *o, train_cfg *cfg, err_info *e);

int cmd_tasks(int argc, char **argv);
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
