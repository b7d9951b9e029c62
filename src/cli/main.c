// main.c: `eureka <command> ...` dispatch. See cli.h; each command is cmd_<name>.c.
// Under an MPI launcher only rank 0 reaches the commands; the others serve trainings
// (cluster/cluster.h).
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cluster/cluster.h"

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
    fprintf(f, "usage: eureka [--mpi] <command> [options]   (eureka <command> --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nunder mpirun or srun, rank 0 runs the command and the other ranks train (docs/cluster.md);\n"
               "--mpi starts MPI for a launcher eureka does not recognise\n");
}

static int dispatch(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) { usage(stdout); return 0; }
    if (strcmp(argv[1], "--version") == 0) { printf("eureka %s\n", EUREKA_VERSION); return 0; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "eureka: unknown command '%s' (try: eureka --help)\n", argv[1]);
    return 2;
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
