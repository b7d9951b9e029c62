// cmd_eval.c: `eureka eval` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_eval(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka eval: not built yet\n");
    return 1;
}
