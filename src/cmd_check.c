// cmd_check.c: `eureka check` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_check(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka check: not built yet\n");
    return 1;
}
