// cli.c: flag parsing and error printing shared by every command.
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rl/explore.h"
#include "rl/ppo.h"
#include "search/run.h"
#include "task/task.h"
#include "util/fs.h"
#include "util/sanitize.h"

static int set_value(const cli_flag *f, const char *v, err_info *e) {
    char *end = NULL;
    errno = 0;
    switch (f->kind) {
    case CLI_STR: *(const char **)f->out = v; return ERR_OK;
    case CLI_INT: {
        long x = strtol(v, &end, 10);
        if (errno || !*v || *end || x < -2147483647L || x > 2147483647L) break;
        *(int *)f->out = (int)x;
        return ERR_OK;
    }
    case CLI_LONG: {
        // Accept 2000000, 2e6 and 2M for step budgets.
        double x = strtod(v, &end);
        if (end && (*end == 'k' || *end == 'K')) { x *= 1e3; end++; }
        else if (end && (*end == 'm' || *end == 'M')) { x *= 1e6; end++; }
        if (errno || !*v || *end || x < -9e18 || x > 9e18) break;
        *(long *)f->out = (long)x;
        return ERR_OK;
    }
    case CLI_DOUBLE: {
        double x = strtod(v, &end);
        // inf and nan parse as numbers but are never a usable setting.
        if (errno || !*v || *end || !isfinite(x)) break;
        *(double *)f->out = x;
        return ERR_OK;
    }
    case CLI_BOOL: *(int *)f->out = 1; return ERR_OK;
    }
    return err_set(e, ERR_USAGE, "%s: '%s' is not a valid %s", f->name, v,
                   f->kind == CLI_DOUBLE ? "finite number" : "integer");
}

int cli_parse(int argc, char **argv, const cli_flag *flags, int n_flags, const char **pos,
              int max_pos, int *n_pos, int *help, err_info *e) {
    int np = 0;
    if (help) *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (help) *help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0 || a[2] == '\0') {
            if (np >= max_pos)
                return err_set(e, ERR_USAGE, "unexpected argument '%s' (see --help)", a);
            pos[np++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_flag *f = NULL;
        for (int k = 0; k < n_flags; k++)
            if (strlen(flags[k].name) == len && strncmp(flags[k].name, a, len) == 0) f = &flags[k];
        if (!f) return err_set(e, ERR_USAGE, "unknown option '%.*s' (see --help)", (int)len, a);
        if (f->kind == CLI_BOOL) {
            if (eq) return err_set(e, ERR_USAGE, "%s takes no value", f->name);
            *(int *)f->out = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) return err_set(e, ERR_USAGE, "%s needs a value (see --help)", f->name);
        int rc = set_value(f, v, e);
        if (rc) return rc;
    }
    if (n_pos) *n_pos = np;
    return ERR_OK;
}

void cli_usage(const char *cmd, const char *args, const cli_flag *flags, int n_flags) {
    printf("usage: eureka %s %s\n", cmd, args);
    for (int k = 0; k < n_flags; k++) {
        const char *meta = flags[k].kind == CLI_BOOL ? "" :
                           flags[k].kind == CLI_STR ? " S" : " N";
        char left[64];
        snprintf(left, sizeof left, "%s%s", flags[k].name, meta);
        printf("  %-22s %s\n", left, flags[k].help);
    }
}

const task_def *cli_task(const char *name, err_info *e) {
    const task_def *t = name ? task_find(name) : NULL;
    if (!name) err_set(e, ERR_USAGE, "--task is required (known tasks: %s)", task_names());
    else if (!t) err_set(e, ERR_USAGE, "unknown task '%s' (known tasks: %s)", name, task_names());
    return t;
}

int cli_fail(const char *cmd, const err_info *e) {
    // Messages quote servers, run files and workers: never let them steer the terminal.
    char m[4 * ERR_MSG_MAX];
    fprintf(stderr, "eureka %s: %s\n", cmd, e->msg[0] ? san_str(m, sizeof m, e->msg, 0) : err_name(e->code));
    return err_exit_status(e->code);
}

const char *cli_base_name(const char *path) {
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

int cli_trainer_apply(const cli_trainer_opts *o, train_cfg *cfg, err_info *e) {
    if (o->exploration) {
        int k = explore_parse(o->exploration);
        if (k < 0)
            return err_set(e, ERR_USAGE, "--exploration %s: use gaussian, gsde or lattice",
                           o->exploration);
        cfg->exploration = k;
    }
    if (o->noise_period < 0)
        return err_set(e, ERR_USAGE, "--noise-period %d: give a number of control steps >= 1",
                       o->noise_period);
    if (o->noise_period) cfg->noise_period = o->noise_period;
    if (o->curriculum) cfg->curriculum = 4;
    return ERR_OK;
}

// Where the policy of --policy P lives: P itself (a file), P/train.json, or the best
// policy of run P. dir gets the directory of that train.json (the default video's home).
cJSON *cli_policy_json(const char *p, char *dir, size_t n, err_info *e) {
    struct stat sb;
    char rel[RUN_PATH_MAX];
    if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (fs_path(dir, n, e, "%s", p)) return NULL;
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0'; else snprintf(dir, n, ".");
        char *text = fs_read(p, run_cap(RUN_TRAIN), NULL, e);
        cJSON *j = text ? cJSON_Parse(text) : NULL;
        if (text && !j) err_set(e, ERR_PARSE, "%s: not valid JSON (give a train.json)", p);
        free(text);
        return j;
    }
    if (run_has(p, RUN_TRAIN)) {
        if (fs_path(dir, n, e, "%s", p)) return NULL;
        return run_read_json(p, RUN_TRAIN, e);
    }
    if (!run_has(p, RUN_SETTINGS)) {
        err_set(e, ERR_USAGE, "--policy %s: not a train.json, a directory holding one, or a "
                "search run", p);
        return NULL;
    }
    if (run_best_policy_rel(p, rel, sizeof rel, e) || run_path(dir, n, p, rel, e)) return NULL;
    return run_read_json(dir, RUN_TRAIN, e);
}

const task_def *cli_policy_task(const task_def *t, const cJSON *train, err_info *e) {
    const char *tname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(train, "task"));
    if (!t && !(t = cli_task(tname, e))) {
        err_wrap(e, "the train.json names no known task: give --task");
        return NULL;
    }
    if (tname && strcmp(tname, t->name) != 0) {
        err_set(e, ERR_USAGE, "the policy was trained on task '%s', not '%s'", tname, t->name);
        return NULL;
    }
    return t;
}
