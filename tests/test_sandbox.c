// test_sandbox.c: the worker sandbox, through real worker processes, real seccomp and
// the real compiler: the reward corpus (tests/data/rewards/*.c, each with its expected
// ending on its first line), test-only modes of tests/tools/eureka_worker_test.c that do
// what a reward cannot express (fork, files, sockets, threads, big allocations, MuJoCo
// errors, output floods), and the promises around them: no child left, nothing written
// to the current directory.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "judge/sandbox.h"
#include "task/task.h"
#include "testlib.h"

static const char *good_src =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    return term(t, \"upright\", cos(s->pole_angle)) + term(t, \"centre\", -fabs(s->cart_pos));\n"
    "}\n";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

// A job for the test worker (tests/tools/eureka_worker_test.c): the real modes and the
// test-only ones.
static sb_spec make_spec(const char *src, const char *mode, const cJSON *args, double wall) {
    sb_spec s;
    memset(&s, 0, sizeof s);
    s.task = task_find("cartpole");
    s.reward_src = src;
    s.mode = mode;
    s.args = args;
    s.worker = TOOL_eureka_worker_test;
    sb_limits_default(&s.limits);
    s.limits.wall_seconds = wall;
    s.limits.cpu_seconds = wall + 5;
    s.threads = 1;
    return s;
}

static int no_children(void) {
    errno = 0;
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

// ---- the corpus ---------------------------------------------------------------

typedef struct corpus_case {
    char name[256];
    char *src;
    size_t len;
    char expect[32];
    char message[256];
} corpus_case;

static void read_expectations(corpus_case *c) {
    const char *p = c->src;
    c->expect[0] = c->message[0] = '\0';
    if (sscanf(p, "// expect: %31s", c->expect) != 1) return;
#ifdef EUREKA_SANITIZE
    // A wild write may land in ASan's shadow memory, whose error report then opens
    // files: the file may name the ending under the sanitizers.
    const char *as = strstr(p, "// asan-expect: ");
    if (as && as - p < 400) sscanf(as, "// asan-expect: %31s", c->expect);
#endif
    const char *nl = strchr(p, '\n');
    if (nl && strncmp(nl + 1, "// message: ", 12) == 0 && strcmp(c->expect, "forbidden_syscall") != 0) {
        const char *m = nl + 13, *end = strchr(m, '\n');
        size_t n = end ? (size_t)(end - m) : strlen(m);
        if (n >= sizeof c->message) n = sizeof c->message - 1;
        memcpy(c->message, m, n);
        c->message[n] = '\0';
    }
}

static int cmp_case(const void *a, const void *b) {
    return strcmp(((const corpus_case *)a)->name, ((const corpus_case *)b)->name);
}

static void test_corpus(void) {
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/rewards", EUREKA_TEST_DATA);
    DIR *d = opendir(dirpath);
    CHECK(d != NULL);
    if (!d) return;
    corpus_case cases[128];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 128) {
        size_t l = strlen(de->d_name);
        if (l < 3 || strcmp(de->d_name + l - 2, ".c") != 0) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dirpath, de->d_name);
        err_info e;
        corpus_case *c = &cases[n];
        snprintf(c->name, sizeof c->name, "%s", de->d_name);
        c->src = fs_read(path, 1 << 20, &c->len, &e);
        CHECK_MSG(c->src != NULL, "%s: %s", path, e.msg);
        if (!c->src) continue;
        read_expectations(c);
        CHECK_MSG(c->expect[0], "%s: no '// expect:' first line", c->name);
        n++;
    }
    closedir(d);
    qsort(cases, (size_t)n, sizeof cases[0], cmp_case);
    CHECK(n >= 30);

    // Run them four at a time through sandbox_start / sandbox_poll, as search does.
    cJSON *cfg = cJSON_Parse("{\"calls\": 64, \"envs\": 4, \"seed\": 3}");
    sb_spec specs[128];
    sb_result res[128];
    int started = 0, finished = 0;
    sb_proc *slots[4] = {0};
    int slot_case[4] = {-1, -1, -1, -1};
    while (finished < n) {
        for (int k = 0; k < 4 && started < n; k++) {
            if (slots[k]) continue;
            corpus_case *c = &cases[started];
            err_info e = {0};
            memset(&res[started], 0, sizeof res[started]);
            // The byte-exact lint first (NUL bytes), as eureka check does.
            if (rcomp_lint_n(c->src, c->len, &e) != ERR_OK) {
                res[started].status = SB_COMPILE;
                snprintf(res[started].message, sizeof res[started].message, "%s", e.msg);
                started++;
                finished++;
                continue;
            }
            specs[started] = make_spec(c->src, "check", cfg, 3.0);
            slots[k] = sandbox_start(&specs[started], &e);
            CHECK_MSG(slots[k] != NULL, "%s: %s", c->name, e.msg);
            slot_case[k] = started++;
            if (!slots[k]) finished++;
        }
        sandbox_poll(slots, 4, 100, NULL, NULL);
        for (int k = 0; k < 4; k++)
            if (slots[k] && sandbox_done(slots[k])) {
                sandbox_finish(slots[k], &res[slot_case[k]]);
                slots[k] = NULL;
                finished++;
            }
    }
    for (int i = 0; i < n; i++) {
        corpus_case *c = &cases[i];
        const char *got = sb_status_name(res[i].status);
        CHECK_MSG(strcmp(got, c->expect) == 0, "%s: expected %s, got %s: %s", c->name, c->expect, got,
                  res[i].message);
        if (c->message[0]) CHECK_MSG(strstr(res[i].message, c->message) != NULL, "%s: message '%s' lacks '%s'",
                                     c->name, res[i].message, c->message);
        CHECK_MSG(strchr(res[i].message, '\n') == NULL, "%s: message has a newline", c->name);
        if (res[i].status == SB_OK) {
            const cJSON *comps = cJSON_GetObjectItemCaseSensitive(res[i].result, "components");
            CHECK_MSG(cJSON_GetArraySize(comps) >= 1, "%s: no components", c->name);
        }
        fprintf(stderr, "   %-28s %-18s %.2fs %s\n", c->name, got, res[i].seconds, res[i].message);
        sb_result_free(&res[i]);
        free(c->src);
    }
    cJSON_Delete(cfg);
    CHECK(no_children());
}

typedef struct body_case {
    const char *name;
    const char *mode;
    int threads;
    double wall, cpu;
    size_t mem, out_cap;
    sb_status expect;
    const char *message;
} body_case;

static int progress_count;
static void count_progress(void *ctx, int index, const cJSON *obj) {
    (void)ctx; (void)index;
    if (cJSON_IsObject(obj)) progress_count++;
}

static void test_bodies(void) {
    int devnull_before = open("/dev/null", O_RDONLY);  // an inherited descriptor to leak
    body_case cases[] = {
        {"threads", "threads", 2, 10, 0, 0, 0, SB_OK, NULL},
        {"fork", "fork", 1, 10, 0, 0, 0, SB_SYSCALL, "clone"},
        {"fork_with_threads_allowed", "fork", 2, 10, 0, 0, 0, SB_SYSCALL, "clone"},
        {"open_write", "open_write", 1, 10, 0, 0, 0, SB_SYSCALL, "openat"},
        {"open_read", "open_read", 1, 10, 0, 0, 0, SB_SYSCALL, "openat"},
        {"socket", "socket", 1, 10, 0, 0, 0, SB_SYSCALL, "(socket)"},
        {"kill_parent", "kill_parent", 1, 10, 0, 0, 0, SB_SYSCALL, "(kill)"},
        {"fds", "fds", 1, 10, 0, 0, 0, SB_OK, NULL},
        {"huge_malloc", "huge_malloc", 1, 10, 0, 0, 0, SB_MEMORY, "1 TiB"},
        {"mj_error", "mj_error", 1, 10, 0, 0, 0, SB_ERROR, "MuJoCo error: boom from the test body"},
        {"abort", "abort", 1, 10, 0, 0, 0, SB_CRASH, "SIGABRT"},
        {"wall_timeout", "sleep", 1, 0.5, 0, 0, 0, SB_TIMEOUT, "time limit and was killed"},
        {"cpu_timeout", "spin", 1, 20, 1, 0, 0, SB_TIMEOUT, "CPU time limit"},
        {"progress", "progress", 1, 10, 0, 0, 0, SB_OK, NULL},
        {"flood", "flood", 1, 10, 0, 0, 1 << 20, SB_ERROR, "exceeded the 1048576-byte limit"},
        {"nonfinite", "nonfinite", 1, 10, 0, 0, 0, SB_NONFINITE, "'x' is NaN"},
#ifndef EUREKA_SANITIZE
        {"grow", "grow", 1, 20, 0, 256 << 20, 0, SB_MEMORY, "out of memory after"},
#endif
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        body_case *bc = &cases[i];
        cJSON *args = cJSON_CreateObject();
        cJSON_AddNumberToObject(args, "pid", getpid());
        sb_spec s = make_spec(good_src, bc->mode, args, bc->wall);
        s.threads = bc->threads;
        if (bc->cpu > 0) s.limits.cpu_seconds = bc->cpu;
        if (bc->mem) s.limits.mem_bytes = bc->mem;
        if (bc->out_cap) s.limits.out_cap = bc->out_cap;
        sb_result r;
        progress_count = 0;
        sandbox_run(&s, count_progress, NULL, &r);
        fprintf(stderr, "   %-26s %-18s %.2fs %s%s%s\n", bc->name, sb_status_name(r.status), r.seconds,
                r.message, r.status == SB_SYSCALL ? " / " : "", r.status == SB_SYSCALL ? r.syscall_name : "");
        CHECK_MSG(r.status == bc->expect, "%s: expected %s, got %s: %s", bc->name, sb_status_name(bc->expect),
                  sb_status_name(r.status), r.message);
        if (bc->message) CHECK_MSG(strstr(r.message, bc->message) != NULL, "%s: '%s' lacks '%s'", bc->name,
                                   r.message, bc->message);
        if (strcmp(bc->name, "fds") == 0) {
            const cJSON *nf = cJSON_GetObjectItemCaseSensitive(r.result, "open_fds");
            CHECK_MSG(cJSON_IsNumber(nf) && nf->valuedouble == 0, "inherited descriptors left open in the worker");
        }
        if (strcmp(bc->name, "threads") == 0) {
            const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r.result, "sum");
            CHECK(cJSON_IsNumber(sum));
        }
        if (strcmp(bc->name, "progress") == 0) {
            const cJSON *sent = cJSON_GetObjectItemCaseSensitive(r.result, "sent");
            CHECK(cJSON_IsNumber(sent) && sent->valuedouble > 100);
            // 0.55 s at <= 10 per second.
            CHECK_MSG(progress_count >= 3 && progress_count <= 7, "progress objects received: %d", progress_count);
        }
        if (strcmp(bc->name, "wall_timeout") == 0) CHECK(r.seconds < 2.0);
        if (bc->expect == SB_SYSCALL) CHECK(r.syscall_nr >= 0);
        sb_result_free(&r);
        cJSON_Delete(args);
    }
    if (devnull_before >= 0) close(devnull_before);
    CHECK(!fs_exists("MUJOCO_LOG.TXT"));
    CHECK(!fs_exists("eureka_sandbox_should_not_exist.txt"));
    CHECK(no_children());
}

// sandbox_kill on a running worker: it ends now, is reaped, and says it was stopped.
static void test_kill(void) {
    sb_spec s = make_spec(good_src, "sleep", NULL, 60);
    err_info e;
    sb_proc *p = sandbox_start(&s, &e);
    CHECK(p != NULL);
    if (!p) return;
    sandbox_poll(&p, 1, 100, NULL, NULL);
    CHECK(!sandbox_done(p));
    double t0 = now_s();
    sandbox_kill(p);
    sb_result r;
    sandbox_finish(p, &r);
    CHECK(now_s() - t0 < 2.0);
    CHECK(r.status == SB_INTERRUPTED);
    CHECK_STR_CONTAINS(r.message, "stopped");
    CHECK(no_children());
}

// A worker that goes quiet (a reward that never returns) is killed at the stall limit,
// long before its wall-clock limit, and the message says why.
static void test_stall(void) {
    sb_spec s = make_spec(good_src, "sleep", NULL, 60);
    s.limits.stall_seconds = 0.5;
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    CHECK(r.status == SB_TIMEOUT);
    CHECK_STR_CONTAINS(r.message, "no progress for 0.5 s");
    CHECK_MSG(r.seconds < 5.0, "stalled worker took %.1f s", r.seconds);
    sb_result_free(&r);
    CHECK(no_children());
}

// The check body on a good reward: components in order, plausible values, fast.
static void test_check_good(void) {
    cJSON *cfg = cJSON_Parse("{\"calls\": 256, \"envs\": 8, \"seed\": 1}");
    sb_spec s = make_spec(good_src, "check", cfg, 30);
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    CHECK_MSG(r.status == SB_OK, "%s", r.message);
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(r.result, "components");
    CHECK(cJSON_GetArraySize(comps) == 2);
    const cJSON *c0 = cJSON_GetArrayItem(comps, 0);
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c0, "name");
    CHECK(cJSON_IsString(nm) && strcmp(nm->valuestring, "upright") == 0);
    double mx = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c0, "max"));
    double mn = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c0, "min"));
    CHECK(mx <= 1.0 && mn > -1.0 && mn < mx);  // cos of a pole angle that moves
    fprintf(stderr, "   check of a good reward: %.3f s\n", r.seconds);
    CHECK(r.seconds < 5.0);
    sb_result_free(&r);
    cJSON_Delete(cfg);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    CHECK(task_find("cartpole") != NULL);
    if (!task_find("cartpole")) TEST_END();
    TEST_RUN(test_check_good);
    TEST_RUN(test_bodies);
    TEST_RUN(test_kill);
    TEST_RUN(test_stall);
    TEST_RUN(test_corpus);
    CHECK(!fs_exists("MUJOCO_LOG.TXT"));
    CHECK(no_children());
    TEST_END();
}
