// cmd_report.c: `eureka report RUN`: write RUN/report.html (viz/report.h) and print its
// path. The page opens offline in any browser.
#include <stdio.h>

#include "cli/cli.h"
#include "search/run.h"
#include "viz/report.h"

int cmd_report(int argc, char **argv) {
    int help = 0, n_pos = 0;
    const char *pos[1];
    err_info e = {0};
    if (cli_parse(argc, argv, NULL, 0, pos, 1, &n_pos, &help, &e)) return cli_fail("report", &e);
    if (help) {
        cli_usage("report", "RUN   (writes RUN/report.html)", NULL, 0);
        return 0;
    }
    if (n_pos != 1) {
        err_set(&e, ERR_USAGE, "give the run directory (eureka report runs/<stamp>-<task>)");
        return cli_fail("report", &e);
    }
    char dir[RUN_PATH_MAX], path[RUN_PATH_MAX];
    if (cli_run(pos[0], dir, sizeof dir, &e) || report_write(dir, path, sizeof path, &e))
        return cli_fail("report", &e);
    printf("%s\n", path);
    return 0;
}
