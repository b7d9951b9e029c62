// main.c: `eureka <command> ...` dispatch. See cli.h; each command is cmd_<name>.c.
// Under an MPI launcher only rank 0 reaches the commands; the others serve trainings
// (cluster/cluster.h).
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cluster/cluster.h"
#include "util/suggest.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"tasks", cmd_tasks, "list tasks: sizes, episode length, fitness definition"},
    {"search", cmd_search, "EUREKA reward search with an LLM (or the offline mutator)"},
    {"runs", cmd_runs, "list search runs, newest first (RUN may be latest or latest-TASK)"},
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
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *f) {
    fprintf(f, "usage: eureka [--mpi] <command> [options]   (eureka help <command>, eureka <command> --help)\n\n"
               "commands:\n");
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRUN arguments: a run directory, latest (the newest under runs/) or latest-TASK\n%s\n",
            CLI_EXIT_DOC);
    fprintf(f, "\nunder mpirun or srun, rank 0 runs the command and the other ranks train (docs/cluster.md);\n"
               "--mpi starts MPI for a launcher eureka does not recognise\n");
}

static int find(const char *name) {
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0) return i;
    return -1;
}

// "unknown command 'serach' (did you mean search? ...)": exit 2.
static int unknown(const char *name) {
    const char *names[N_COMMANDS];
    for (int i = 0; i < N_COMMANDS; i++) names[i] = commands[i].name;
    int near = suggest_nearest(name, names, N_COMMANDS);
    if (near >= 0) fprintf(stderr, "eureka: unknown command '%s' (did you mean %s? see eureka --help)\n", name,
                           names[near]);
    else fprintf(stderr, "eureka: unknown command '%s' (see eureka --help)\n", name);
    return CLI_EXIT_USAGE;
}

static int dispatch(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return CLI_EXIT_USAGE; }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || (strcmp(a, "help") == 0 && argc == 2)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(a, "--version") == 0) { printf("eureka %s\n", EUREKA_VERSION); return CLI_EXIT_OK; }
    if (strcmp(a, "help") == 0) {       // eureka help CMD == eureka CMD --help
        int i = find(argv[2]);
        if (i < 0) return unknown(argv[2]);
        char *hargv[] = {argv[2], "--help", NULL};
        return commands[i].run(2, hargv);
    }
    int i = find(a);
    return i < 0 ? unknown(a) : commands[i].run(argc - 1, argv + 1);
}

int main(int argc, char **argv) {
    int force = argc > 1 && strcmp(argv[1], "--mpi") == 0;
    if (force) {
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    err_info e = {0};
    if (cluster_start(&argc, &argv, force, &e)) {
        fprintf(stderr, "eureka: %s\n", e.msg);
        cluster_abort(1);
        return 1;
    }
    if (cluster_rank() > 0) return cluster_serve();
    int code = dispatch(argc, argv);
    if (cluster_stop()) {
        fprintf(stderr, "eureka: %s\n", cluster_failure());
        cluster_abort(1);
    }
    return code;
}
