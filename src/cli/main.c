// main.c: `eureka <command> ...` dispatch. See cli.h; each command is cmd_<name>.c.
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"tasks", cmd_tasks, "list tasks: sizes, episode length, fitness definition"},
    {"search", cmd_search, "EUREKA reward search with an LLM (or the offline mutator)"},
    {"train", cmd_train, "train one reward: fitness and reflection text"},
    {"eval", cmd_eval, "final-evaluation protocol: several seeds, mean and spread"},
    {"compare", cmd_compare, "sparse vs human vs candidates, with human-normalised score"},
    {"diff", cmd_diff, "diff between candidates, hunks labelled by kind of edit"},
    {"show", cmd_show, "per-iteration table of a run"},
    {"check", cmd_check, "compile a reward and smoke-test it in the sandbox"},
    {"render", cmd_render, "MP4 video of a trained policy (OSMesa + ffmpeg)"},
    {"report", cmd_report, "RUN/report.html: curves, code, diffs, videos (offline)"},
    {"analyze", cmd_analyze, "motor synergies of a trained policy: PCA of actions and joint velocities"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: eureka <command> [options]   (eureka <command> --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) { usage(stdout); return 0; }
    if (strcmp(argv[1], "--version") == 0) { printf("eureka %s\n", EUREKA_VERSION); return 0; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "eureka: unknown command '%s' (try: eureka --help)\n", argv[1]);
    return 2;
}
