// cmd_diff.c: `eureka diff` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_diff(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka diff: not built yet\n");
    return 1;
}
