// cli.c: what every command shares: flag parsing with ranges, exit statuses, error
// printing, RUN arguments (latest), reward messages for a person, --json printing,
// Ctrl-C, the trainer flags.
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
#include "rl/train_cfg.h"
#include "search/run.h"
#include "task/task.h"
#include "util/fs.h"
#include "util/sanitize.h"
#include "util/suggest.h"

int cli_exit_status(err_code code) {
    switch (code) {
    case ERR_OK: return CLI_EXIT_OK;
    case ERR_USAGE: return CLI_EXIT_USAGE;
    case ERR_INTERRUPTED: return CLI_EXIT_INTERRUPTED;
    default: return CLI_EXIT_FAILED;
    }
}

// The allowed values of a numeric flag, as the messages and --help show them.
static void range_text(const cli_flag *f, char *buf, size_t n) {
    if (f->kind == CLI_DOUBLE) snprintf(buf, n, "a number from %g to %g", f->min, f->max);
    else snprintf(buf, n, "%.0f..%.0f", f->min, f->max);
}

// Parse v as f's kind: 0 and x on success (whole numbers for integer kinds; step budgets
// also as 2e6, 2M, 500k).
static int parse_number(const cli_flag *f, const char *v, double *x) {
    char *end = NULL;
    errno = 0;
    *x = strtod(v, &end);
    if (f->kind == CLI_LONG && end && end != v) {
        if (*end == 'k' || *end == 'K') { *x *= 1e3; end++; }
        else if (*end == 'm' || *end == 'M') { *x *= 1e6; end++; }
    }
    // inf and nan parse as numbers but are never a usable setting.
    if (errno || end == v || *end || !isfinite(*x)) return -1;
    if (f->kind != CLI_DOUBLE && *x != floor(*x)) return -1;
    return 0;
}

static int set_value(const cli_flag *f, const char *v, err_info *e) {
    if (f->kind == CLI_STR) { *(const char **)f->out = v; return ERR_OK; }
    if (!(f->min < f->max || (f->min == f->max && f->min != 0)))
        return err_set(e, ERR_INTERNAL, "%s declares no range of values (a bug in eureka)", f->name);
    char range[96];
    range_text(f, range, sizeof range);
    double x;
    if (parse_number(f, v, &x))
        return err_set(e, ERR_USAGE, "%s '%s' is not a %s: use %s", f->name, v,
                       f->kind == CLI_DOUBLE ? "number" : "whole number", range);
    if (x < f->min || x > f->max) return err_set(e, ERR_USAGE, "%s %s is out of range: use %s", f->name, v, range);
    if (f->kind == CLI_INT) *(int *)f->out = (int)x;
    else if (f->kind == CLI_LONG) *(long *)f->out = (long)x;
    else *(double *)f->out = x;
    return ERR_OK;
}

// "unknown option '--jsn' (did you mean --json? see --help)".
static int unknown_flag(const char *a, size_t len, const cli_flag *flags, int n_flags, err_info *e) {
    const char *names[64];
    int n = 0;
    for (int k = 0; k < n_flags && n < 64; k++) names[n++] = flags[k].name;
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), a);
    int i = suggest_nearest(word, names, n);
    if (i >= 0) return err_set(e, ERR_USAGE, "unknown option '%s' (did you mean %s? see --help)", word, names[i]);
    return err_set(e, ERR_USAGE, "unknown option '%s' (see --help)", word);
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
        if (!f) return unknown_flag(a, len, flags, n_flags, e);
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
        char left[64], range[96] = "";
        snprintf(left, sizeof left, "%s%s", flags[k].name, meta);
        if (flags[k].kind != CLI_BOOL && flags[k].kind != CLI_STR) {
            char r[80];
            range_text(&flags[k], r, sizeof r);
            snprintf(range, sizeof range, " [%s]", r);
        }
        printf("  %-22s %s%s\n", left, flags[k].help, range);
    }
    printf("%s\n", CLI_EXIT_DOC);
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
    return cli_exit_status(e->code);
}

char *cli_read_input(const char *path, size_t cap, size_t *len, err_info *e) {
    char *s = fs_read(path, cap, len, e);
    if (!s && e && e->code != ERR_LIMIT && e->code != ERR_NOMEM) e->code = ERR_USAGE;
    return s;
}

int cli_run(const char *arg, char *dir, size_t n, err_info *e) {
    char rest[RUN_PATH_MAX] = "";
    int rc = run_resolve(arg, RUN_ROOT, dir, n, rest, sizeof rest, e);
    if (rc) return rc;
    if (rest[0] && fs_path(dir + strlen(dir), n - strlen(dir), e, "/%s", rest)) return ERR_USAGE;
    if (!run_has(dir, RUN_SETTINGS))
        return err_set(e, ERR_USAGE, "%s is not a run (no %s there): give a run directory, or latest "
                       "(see eureka runs)", dir, RUN_SETTINGS);
    return ERR_OK;
}

// Copy src into buf with every occurrence of from replaced by to.
static void replace_all(char *buf, size_t n, const char *src, const char *from, const char *to) {
    size_t used = 0, fl = strlen(from);
    buf[0] = '\0';
    while (*src && used + 1 < n) {
        const char *hit = strstr(src, from);
        size_t k = hit ? (size_t)(hit - src) : strlen(src);
        used += (size_t)snprintf(buf + used, n - used, "%.*s%s", (int)k, src, hit ? to : "");
        src += k + (hit ? fl : 0);
    }
}

const char *cli_reward_msg(const task_def *t, const char *file, const char *msg, char *buf, size_t n) {
    char env[300], tmp[4 * ERR_MSG_MAX];
    snprintf(env, sizeof env, "tasks/%s/env.h", t ? t->name : "T");
    replace_all(tmp, sizeof tmp, msg, "the task's env.h", env);
    // The candidate's own name, where rcomp puts it ("reward.c:LINE: ...", "reward.c is
    // empty"), becomes the user's; any other message is prefixed with it.
    int named = strncmp(tmp, "reward.c", 8) == 0 && (tmp[8] == ':' || tmp[8] == ' ');
    snprintf(buf, n, "%s%s%s", file, named ? "" : ": ", named ? tmp + 8 : tmp);
    return buf;
}

// Round what cJSON would print with 15-17 digits to what a person reads (%.6g); integers
// (counts, steps, seeds) stay exact.
static void round_numbers(cJSON *o) {
    for (cJSON *x = o ? o->child : NULL; x; x = x->next) {
        if (cJSON_IsNumber(x) && isfinite(x->valuedouble) && x->valuedouble != floor(x->valuedouble)) {
            char num[32];
            snprintf(num, sizeof num, "%.6g", x->valuedouble);
            cJSON_SetNumberValue(x, strtod(num, NULL));
        }
        round_numbers(x);
    }
}

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) { (void)sig; stop_flag = 1; }

volatile sig_atomic_t *cli_catch_stop(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_flag;
}

void cli_record_settings(cJSON *train, const train_cfg *cfg) {
    cJSON_DeleteItemFromObjectCaseSensitive(train, "settings");
    cJSON_AddItemToObject(train, "settings", train_cfg_json(cfg));
}

void cli_json_print(cJSON *o) {
    round_numbers(o);
    char *s = cJSON_Print(o);
    if (s) printf("%s\n", s);
    free(s);
}

const char *cli_base_name(const char *path) {
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

int cli_trainer_apply(const cli_trainer_opts *o, const task_def *t, train_cfg *cfg, err_info *e) {
    if (o->set && train_cfg_set(cfg, o->set, e)) return ERR_USAGE;
    if (o->exploration) {
        int k = explore_parse(o->exploration);
        if (k < 0)
            return err_set(e, ERR_USAGE, "--exploration %s: use gaussian, gsde, lattice or dep",
                           o->exploration);
        cfg->exploration = k;
    }
    if (o->noise_period) cfg->noise_period = o->noise_period;
    if (o->curriculum) cfg->curriculum = 4;
    train_cfg full = *cfg;      // the worker fills the defaults the same way
    train_cfg_defaults(&full, t);
    return ppo_check_cfg(t, &full, e);
}

// Where the policy of --policy P lives: P itself (a file), P/train.json, or the best
// policy of run P. dir gets the directory of that train.json (the default video's home).
cJSON *cli_policy_json(const char *arg, char *dir, size_t n, err_info *e) {
    struct stat sb;
    char rel[RUN_PATH_MAX], run[RUN_PATH_MAX], p[RUN_PATH_MAX];
    // latest[-TASK][/iterNN/sampleKK] names a run (or a policy inside one) like any RUN.
    if (run_resolve(arg, RUN_ROOT, run, sizeof run, rel, sizeof rel, e) ||
        fs_path(p, sizeof p, e, "%s%s%s", run, rel[0] ? "/" : "", rel)) {
        err_wrap(e, "--policy");
        return NULL;
    }
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
