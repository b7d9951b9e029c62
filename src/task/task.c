// task.c: the registry of tasks. Each tasks/<name>/task.c defines a task_def named
// task_<name>; this file is the one place that lists them, in display order.
#include "task/task.h"

#include <pthread.h>
#include <string.h>

#include "util/fs.h"

extern const task_def task_cartpole;
extern const task_def task_reorient;
extern const task_def task_ball_balance;
extern const task_def task_quadcopter;
extern const task_def task_ant;
extern const task_def task_humanoid;
extern const task_def task_reorient_muscle;
extern const task_def task_baoding;

static const task_def *const all_tasks[] = {
    &task_reorient, &task_cartpole, &task_ball_balance, &task_quadcopter, &task_ant,
    &task_humanoid, &task_reorient_muscle,
    &task_baoding,
};
#define N_TASKS ((int)(sizeof all_tasks / sizeof all_tasks[0]))

// Look a task up by name.
void task_reset(const task_def *t, const mjModel *m, mjData *d, void *inst, rng *r,
                int eval_case) {
    rng held_out;
    if (eval_case >= 0) {
        rng_seed(&held_out, t->eval_seed, (uint64_t)eval_case);
        r = &held_out;
    }
    t->reset(m, d, inst, r);
}

const task_def *task_find(const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < N_TASKS; i++)
        if (strcmp(all_tasks[i]->name, name) == 0) return all_tasks[i];
    return NULL;
}

// All tasks, in display order.
const task_def *const *task_all(int *n) {
    if (n) *n = N_TASKS;
    return all_tasks;
}

static char names_buf[512];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void build_names(void) {
    char *buf = names_buf;
    size_t len = 0;
    for (int i = 0; i < N_TASKS; i++) {
        const char *nm = all_tasks[i]->name;
        size_t k = strlen(nm);
        if (len + k + 3 >= sizeof names_buf) break;
        if (i) { memcpy(buf + len, ", ", 2); len += 2; }
        memcpy(buf + len, nm, k);
        len += k;
        buf[len] = '\0';
    }
}

// "reorient, cartpole, ...", built once (the registry is constant).
const char *task_names(void) {
    pthread_once(&names_once, build_names);
    return names_buf;
}

// <root>/tasks/<name>/<file>.
int task_file(const task_def *t, const char *file, char *buf, size_t n, err_info *e) {
    if (!t) return err_set(e, ERR_NOTFOUND, "no task given (known tasks: %s)", task_names());
    return fs_path(buf, n, e, "%s/tasks/%s/%s", fs_root(), t->name, file);
}
