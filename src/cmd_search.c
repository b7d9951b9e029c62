// cmd_search.c: `eureka search` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_search(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka search: not built yet\n");
    return 1;
}
