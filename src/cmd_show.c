// cmd_show.c: `eureka show` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_show(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka show: not built yet\n");
    return 1;
}
