// cmd_compare.c: `eureka compare` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_compare(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka compare: not built yet\n");
    return 1;
}
