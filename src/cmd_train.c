// cmd_train.c: `eureka train` (being built; see the issue that owns it).
#include <stdio.h>

#include "cli.h"

int cmd_train(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "eureka train: not built yet\n");
    return 1;
}
