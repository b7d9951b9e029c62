// cmd_tasks.c: `eureka tasks` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_tasks(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka tasks: not built yet\n");
    return 1;
}
