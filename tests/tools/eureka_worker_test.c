// eureka_worker_test.c: a worker binary for tests/test_sandbox.c: the real modes plus
// test-only ones that do what a reward cannot express in C alone (fork, files, sockets,
// threads, big allocations, MuJoCo errors, output floods) or what a reward that took
// over its worker could do on the result pipe (forged lines, escape sequences, bad
// component names, a slow drip of bytes), each run after the real lockdown.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "judge/jobs.h"
#include "judge/worker.h"
#include "reward/reward.h"
#include "util/clock.h"

#ifdef EUREKA_SANITIZE
// Let malloc return NULL for the memory-limit body instead of ASan aborting.
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
#endif

static cJSON *ok_result(void) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "hello", "world");
    return o;
}

static double call_once(const task_def *task, reward_fn fn) {
    char state[4096] = {0};
    reward_terms t;
    reward_terms_clear(&t);
    return fn(state, &t) + (double)task->state_size * 0;
}

typedef struct thr_arg { const task_def *task; reward_fn fn; double out; } thr_arg;

static void *thread_main(void *a) {
    thr_arg *ta = a;
    for (int i = 0; i < 1000; i++) ta->out += call_once(ta->task, ta->fn);
    return NULL;
}

static cJSON *body_threads(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    pthread_t th[2];
    thr_arg ta[2] = {{task, fn, 0}, {task, fn, 0}};
    for (int i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, thread_main, &ta[i]) != 0) {
            err_set(e, ERR_RUNTIME, "pthread_create failed");
            return NULL;
        }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    cJSON *o = ok_result();
    cJSON_AddNumberToObject(o, "sum", ta[0].out + ta[1].out);
    return o;
}

static cJSON *body_fork(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    return ok_result();
}

static cJSON *body_open_write(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    int fd = open("eureka_sandbox_should_not_exist.txt", O_WRONLY | O_CREAT, 0644);
    (void)fd;
    return ok_result();
}

// Reading files is forbidden too: the task model is preloaded before the filter.
static cJSON *body_open_read(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    int fd = open("/etc/passwd", O_RDONLY);
    (void)fd;
    return ok_result();
}

static cJSON *body_socket(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    (void)fd;
    return ok_result();
}

static cJSON *body_kill_parent(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    kill((pid_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(args, "pid")), SIGKILL);
    return ok_result();
}

// Inherited descriptors must be closed: read() is allowed, so EBADF proves it.
static cJSON *body_fds(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    int open_fds = 0;
    char b;
    for (int fd = 4; fd < 64; fd++)
        if (read(fd, &b, 0) >= 0 || errno != EBADF) open_fds++;
    cJSON *o = ok_result();
    cJSON_AddNumberToObject(o, "open_fds", open_fds);
    return o;
}

static cJSON *body_huge_malloc(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    void *p = malloc((size_t)1 << 40);
    if (!p) { err_set(e, ERR_NOMEM, "could not allocate 1 TiB"); return NULL; }
    free(p);
    return ok_result();
}

#ifndef EUREKA_SANITIZE
// Allocate and touch 16 MiB at a time until the address-space limit says no.
static cJSON *body_grow(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    for (int i = 0; i < 1000; i++) {
        char *p = malloc(16 << 20);
        if (!p) { err_set(e, ERR_NOMEM, "out of memory after %d MiB", i * 16); return NULL; }
        memset(p, 1, 16 << 20);
    }
    return ok_result();
}
#endif

static cJSON *body_mj_error(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    mju_warning("a warning that must not reach a file");
    mju_error("boom from the test body");
    return ok_result();
}

static cJSON *body_abort(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    abort();
}

static cJSON *body_sleep(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    struct timespec ts = {30, 0};
    nanosleep(&ts, NULL);
    return ok_result();
}

static cJSON *body_spin(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    volatile double x = 0;
    for (;;) x += 1;
    return ok_result();
}

// args.steps steps of args.cpu seconds of this process's CPU time each, a progress line
// after each: a training that works, however slowly the machine lets it.
static cJSON *body_work(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    int steps = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(args, "steps"));
    double cpu = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(args, "cpu"));
    volatile double x = 0;
    for (int i = 0; i < steps; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        do {
            for (int k = 0; k < 10000; k++) x += 1;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9 < cpu);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "step", i);
        worker_progress(ch, p);
        cJSON_Delete(p);
    }
    return ok_result();
}

// What a reward that took over its worker could do to hold it without tripping a stall
// limit counted in CPU time: sleep 49 ms, then sip 1 ms of CPU (about 6% of a core with
// the system-call overhead in the sandbox: its CPU time grows by several 10 ms clock
// ticks per second, yet by under 1 s in 10 s), forever, silent.
static cJSON *body_sip(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    volatile double x = 0;
    for (;;) {
        struct timespec nap = {0, 49 * 1000 * 1000}, a, b;
        nanosleep(&nap, NULL);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        do {
            x += 1;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9 < 0.001);
    }
    return ok_result();
}

static cJSON *body_progress(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    double t0 = now_s();
    int sent = 0;
    while (now_s() - t0 < 0.55) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "i", sent++);
        worker_progress(ch, p);
        cJSON_Delete(p);
    }
    cJSON *o = ok_result();
    cJSON_AddNumberToObject(o, "sent", sent);
    return o;
}

static cJSON *body_flood(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    cJSON *o = cJSON_CreateObject();
    size_t n = 2 << 20;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    cJSON_AddStringToObject(o, "big", big);
    free(big);
    return o;
}

static cJSON *body_nonfinite(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    err_set(e, ERR_NONFINITE, "reward component 'x' is NaN at step 17 of an episode");
    return NULL;
}

// Raw bytes on the result pipe, as a reward that reached write() could send them.
static void raw(const char *line) {
    size_t n = strlen(line);
    while (n > 0) {
        ssize_t w = write(WORKER_RESULT_FD, line, n);
        if (w <= 0) return;
        line += w;
        n -= (size_t)w;
    }
}

static cJSON *body_forge_result(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    raw("{\"type\":\"result\",\"data\":{\"fitness\":1.0,\"forged\":true}}\n");
    return ok_result();
}

static cJSON *body_forge_compile_error(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch,
                                       err_info *e) {
    raw("{\"type\":\"error\",\"status\":\"compile_error\",\"message\":\"blame the compiler\"}\n");
    return ok_result();
}

static cJSON *body_forge_compiled(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch,
                                  err_info *e) {
    raw("{\"type\":\"compiled\"}\n");
    return ok_result();
}

static cJSON *body_garbage(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    raw("this is not JSON\n");
    return ok_result();
}

// Escape sequences (window title, clear screen), a C1 CSI, a bidi override and a bad
// UTF-8 byte in keys, values and nested strings.
static cJSON *escapes(void) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", "\x1b]0;pwned\x07");
    cJSON_AddStringToObject(o, "\x1b[2Jkey", "value");
    cJSON_AddStringToObject(o, "c1", "\xc2\x9b" "31m red");
    cJSON *nested = cJSON_AddArrayToObject(o, "list");
    cJSON_AddItemToArray(nested, cJSON_CreateString("\xe2\x80\xae" "reversed \xff"));
    return o;
}

static cJSON *body_escapes(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    cJSON *p = escapes();
    worker_progress(ch, p);
    cJSON_Delete(p);
    return escapes();
}

static cJSON *body_bad_names(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    cJSON *o = cJSON_CreateObject();
    cJSON *comps = cJSON_AddArrayToObject(o, "components");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "name")));
    cJSON_AddNumberToObject(c, "mean", 1.0);
    cJSON_AddItemToArray(comps, c);
    return o;
}

// args.bytes bytes, one write() each, without a line end; then the line ends.
static cJSON *body_drip(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch, err_info *e) {
    long n = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(args, "bytes"));
    for (long i = 0; i < n; i++) raw("x");
    raw("\n");
    return ok_result();
}

static worker_mode modes[64];

int main(void) {
    int n = 0;
    for (int i = 0; i < judge_n_modes; i++) modes[n++] = judge_modes[i];
    static const worker_mode tests[] = {
        {"threads", body_threads},
        {"fork", body_fork},
        {"open_write", body_open_write},
        {"open_read", body_open_read},
        {"socket", body_socket},
        {"kill_parent", body_kill_parent},
        {"fds", body_fds},
        {"huge_malloc", body_huge_malloc},
#ifndef EUREKA_SANITIZE
        {"grow", body_grow},
#endif
        {"mj_error", body_mj_error},
        {"abort", body_abort},
        {"sleep", body_sleep},
        {"spin", body_spin},
        {"progress", body_progress},
        {"work", body_work},
        {"sip", body_sip},
        {"flood", body_flood},
        {"nonfinite", body_nonfinite},
        {"forge_result", body_forge_result},
        {"forge_compile_error", body_forge_compile_error},
        {"forge_compiled", body_forge_compiled},
        {"garbage", body_garbage},
        {"escapes", body_escapes},
        {"bad_names", body_bad_names},
        {"drip", body_drip},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) modes[n++] = tests[i];
    worker_main(modes, n);
}
