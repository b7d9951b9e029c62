// test_sandbox.c: the worker sandbox, through real worker processes, real seccomp and
// the real compiler: the reward corpus (tests/data/rewards/*.c, each with its expected
// ending on its first line), test-only modes of tests/tools/eureka_worker_test.c that do
// what a reward cannot express (fork, files, sockets, threads, big allocations, MuJoCo
// errors, output floods) or what a reward that took over its worker could send (forged
// lines, escape sequences, bad names, a drip), libtcc itself under the compile-stage
// filter, a sentinel secret in this process's environment that no worker may hold, and
// the promises around them: no child left, nothing written to the current directory.
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libtcc.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "judge/sandbox.h"
#include "judge/worker.h"
#include "task/task.h"
#include "testlib.h"
#include "util/clock.h"

static const char *good_src =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    return term(t, \"upright\", cos(s->pole_angle)) + term(t, \"centre\", -fabs(s->cart_pos));\n"
    "}\n";

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
        {"wall_timeout", "sleep", 1, 2, 0, 0, 0, SB_TIMEOUT, "time limit and was killed"},
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
        if (strcmp(bc->name, "wall_timeout") == 0) CHECK(r.seconds < 5.0);
        if (bc->expect == SB_SYSCALL) CHECK(r.syscall_nr >= 0);
        sb_result_free(&r);
        cJSON_Delete(args);
    }
    if (devnull_before >= 0) close(devnull_before);
    CHECK(!fs_exists("MUJOCO_LOG.TXT"));
    CHECK(!fs_exists("eureka_sandbox_should_not_exist.txt"));
    CHECK(no_children());
}

// ---- a worker that lies ------------------------------------------------------------

// 1 if s holds printable ASCII only (what the sanitiser makes of hidden characters).
static int plain(const char *s) {
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return 0;
    return 1;
}

// 1 if every key and string under o is plain.
static int plain_json(const cJSON *o) {
    for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
        if (c->string && !plain(c->string)) return 0;
        if (cJSON_IsString(c) && !plain(c->valuestring)) return 0;
        if (c->child && !plain_json(c)) return 0;
    }
    return 1;
}

static int dirty_progress;
static void check_progress(void *ctx, int index, const cJSON *obj) {
    (void)ctx; (void)index;
    if (!plain_json(obj) || !cJSON_GetObjectItemCaseSensitive(obj, "title")) dirty_progress++;
}

// What a reward that reached write() could send after "compiled": forged lines fail the
// job (a second result, a compile error, a second "compiled", garbage, a drip of bytes
// without a line end); escape sequences are sanitised; bad component names fail it.
static void test_lying_worker(void) {
    struct { const char *mode, *args; sb_status expect; const char *message; } cases[] = {
        {"forge_result", NULL, SB_REWARD, "broke the protocol (a second result)"},
        {"forge_compile_error", NULL, SB_REWARD, "broke the protocol (an error out of place)"},
        {"forge_compiled", NULL, SB_REWARD, "broke the protocol (a second \"compiled\")"},
        {"garbage", NULL, SB_REWARD, "broke the protocol (a line that is not a JSON object)"},
        {"drip", "{\"bytes\": 100000}", SB_REWARD, "a line that is not a JSON object"},
        {"bad_names", "{\"name\": \"\\u001b]0;pwned\\u0007\"}", SB_REWARD, "component name that term() would not"},
        {"bad_names", "{\"name\": \"a-b\"}", SB_REWARD, "component name that term() would not"},
        {"bad_names", "{\"name\": \"fine_name\"}", SB_OK, NULL},
        {"escapes", NULL, SB_OK, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *args = cases[i].args ? cJSON_Parse(cases[i].args) : NULL;
        sb_spec s = make_spec(good_src, cases[i].mode, args, 20);
        sb_result r;
        dirty_progress = 0;
        sandbox_run(&s, check_progress, NULL, &r);
        fprintf(stderr, "   %-20s %-18s %s\n", cases[i].mode, sb_status_name(r.status), r.message);
        CHECK_MSG(r.status == cases[i].expect, "%s: expected %s, got %s: %s", cases[i].mode,
                  sb_status_name(cases[i].expect), sb_status_name(r.status), r.message);
        if (cases[i].message) CHECK_STR_CONTAINS(r.message, cases[i].message);
        if (r.status != SB_OK) CHECK(r.result == NULL);
        if (strcmp(cases[i].mode, "escapes") == 0) {
            CHECK_MSG(plain_json(r.result), "escape sequences reached the result");
            const cJSON *title = cJSON_GetObjectItemCaseSensitive(r.result, "title");
            CHECK(cJSON_IsString(title) && strstr(title->valuestring, "pwned"));
            CHECK(dirty_progress == 0);
        }
        sb_result_free(&r);
        cJSON_Delete(args);
    }
    CHECK(no_children());
}

// ---- the compile stage -----------------------------------------------------------------

static void tcc_quiet(void *opaque, const char *msg) { (void)opaque; (void)msg; }

// In a child under the compile-stage filter: src straight to libtcc (no lexer: what the
// filter alone stops), relocated when relocate is set. out gets what the child wrote on
// fd 3: a "syscall" line when the filter stopped it, else "compiled" or "failed".
static void in_compile_stage(const char *src, int relocate, char *out, size_t cap) {
    int fds[2];
    out[0] = '\0';
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (fds[1] != WORKER_RESULT_FD) { dup2(fds[1], WORKER_RESULT_FD); close(fds[1]); }
        char why[256];
        if (worker_lockdown(WORKER_STAGE_COMPILE, 1, why, sizeof why)) _exit(3);
        TCCState *s = tcc_new();
        tcc_set_error_func(s, NULL, tcc_quiet);
        tcc_set_options(s, "-nostdlib -nostdinc");
        tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
        int ok = tcc_compile_string(s, src) == 0 && (!relocate || tcc_relocate(s, TCC_RELOCATE_AUTO) >= 0);
        const char *say = ok ? "compiled\n" : "failed\n";
        ssize_t w = write(WORKER_RESULT_FD, say, strlen(say));
        (void)w;
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fds[0], out + n, cap - n - 1)) > 0) n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
}

// The system call a "syscall" line names, or "" for none.
static const char *trapped(const char *out, char *name, size_t cap) {
    const char *nr = strstr(out, "\"nr\":");
    char *s = nr ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, atoi(nr + 5)) : NULL;
    snprintf(name, cap, "%s", s ? s : "");
    free(s);
    return name;
}

// Whatever the source says, libtcc under the compile-stage filter opens no file and
// loads no library: the lexer is not needed for that. A good reward compiles and runs
// through both stages; after the run stage no memory can become executable.
static void test_compile_stage(void) {
    const char *attacks[] = {"#include \"/etc/passwd\"\n", "#include \"/dev/stdin\"\n",
                             "#include </etc/hostname>\nint x;\n"};
    char out[512], name[64];
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        in_compile_stage(attacks[i], 0, out, sizeof out);
        CHECK_MSG(strcmp(trapped(out, name, sizeof name), "openat") == 0 || strcmp(name, "open") == 0,
                  "%s: the child said '%s'", attacks[i], out);
    }
    in_compile_stage("#pragma comment(lib, \"m\")\nint x;\n", 1, out, sizeof out);
    CHECK_MSG(strcmp(trapped(out, name, sizeof name), "openat") == 0 || strcmp(name, "open") == 0,
              "pragma lib: the child said '%s'", out);
    in_compile_stage("int x = 1;\n", 1, out, sizeof out);
    CHECK_MSG(strcmp(out, "compiled\n") == 0, "a plain source: '%s'", out);

    // rcomp under the compile stage, the call under the run stage, then PROT_EXEC traps.
    const char *prelude = rcomp_prelude(NULL);
    char path[4096];
    err_info e;
    task_file(task_find("cartpole"), "env.h", path, sizeof path, &e);
    char *env_h = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
    CHECK(prelude && env_h);
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (fds[1] != WORKER_RESULT_FD) { dup2(fds[1], WORKER_RESULT_FD); close(fds[1]); }
        char why[256];
        if (worker_lockdown(WORKER_STAGE_COMPILE, 1, why, sizeof why)) _exit(3);
        rcomp *c = rcomp_new(prelude, env_h, good_src, &e);
        if (!c || worker_lockdown(WORKER_STAGE_RUN, 1, why, sizeof why)) _exit(4);
        char state[4096] = {0};
        reward_terms t;
        reward_terms_clear(&t);
        if (rcomp_fn(c)(state, &t) != 1.0 || t.n != 2) _exit(5);
        ssize_t w = write(WORKER_RESULT_FD, "ran\n", 4);
        (void)w;
        void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        mprotect(page, 4096, PROT_READ | PROT_EXEC);
        _exit(6);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof out && (r = read(fds[0], out + n, sizeof out - n - 1)) > 0) n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK_MSG(strncmp(out, "ran\n", 4) == 0, "child status %d, said '%s'", WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
    CHECK_MSG(strcmp(trapped(out, name, sizeof name), "mprotect") == 0, "PROT_EXEC after the run stage: '%s'", out);
    free(env_h);
    CHECK(no_children());
}

// ---- no secret in the worker -------------------------------------------------------

static char sentinel[64];
static char *sentinel_heap;     // a copy in this process's heap, like an API key

// Put a sentinel secret where a parent keeps its keys: the environment and the heap.
static void plant_sentinel(void) {
    snprintf(sentinel, sizeof sentinel, "sk-eureka-sentinel-%ld-%ld", (long)getpid(), (long)time(NULL));
    setenv("OPENAI_API_KEY", sentinel, 1);
    setenv("ANTHROPIC_API_KEY", sentinel, 1);
    setenv("EUREKA_TEST_SENTINEL", sentinel, 1);
    sentinel_heap = strdup(sentinel);
}

// A reward that searches the whole stack above its frame, up to its top (the worker's
// path, then eight zero bytes that end the stack's mapping on a page boundary; the
// environment strings lie just below it) for the
// sentinel, held XOR 0x5a so that no plain copy of it exists in the worker; and for a
// control string the worker does hold there (the path of the task's env.h).
static char *stack_scan_reward(void) {
    char enc[256] = "";
    size_t n = strlen(sentinel), k = 0;
    for (size_t i = 0; i < n; i++) k += (size_t)snprintf(enc + k, sizeof enc - k, "%s%d", i ? ", " : "", sentinel[i] ^ 0x5a);
    char *src = malloc(4096);
    snprintf(src, 4096,
             "static const unsigned char key[%zu] = {%s};\n"
             "static const char control[] = \"/tasks/cartpole/env.h\";\n"
             "static const char top[] = \"eureka-worker\";\n"
             "double compute_reward(const env_state *s, reward_terms *t) {\n"
             "    volatile unsigned char here = 0;\n"
             "    const unsigned char *p = (const unsigned char *)&here;\n"
             "    double found = 0, seen = 0, reached = 0, kib = 0;\n"
             "    for (long i = 0; i < (1L << 24) && !reached; i++) {\n"
             "        int k = 0;\n"
             "        while (k < %zu && p[i + k] == (key[k] ^ 0x5a)) k++;\n"
             "        if (k == %zu) found = 1;\n"
             "        int c = 0;\n"
             "        while (control[c] && p[i + c] == (unsigned char)control[c]) c++;\n"
             "        if (!control[c]) seen = 1;\n"
             "        int m = 0;\n"
             "        while (top[m] && p[i + m] == (unsigned char)top[m]) m++;\n"
             "        if (!top[m] && p[i + m] == 0) {\n"
             "            int z = 1;\n"
             "            while (z <= 8 && p[i + m + z] == 0) z++;\n"
             "            /* a dead copy of the name in a lower frame can be followed by zeros too */\n"
             "            if (z > 8 && ((unsigned long)(p + i + m + z) & 4095) == 0) { reached = 1; kib = i / 1024.0; }\n"
             "        }\n"
             "    }\n"
             "    term(t, \"found\", found);\n"
             "    term(t, \"control\", seen);\n"
             "    term(t, \"kib_scanned\", kib);\n"
             "    return term(t, \"reached_top\", reached);\n"
             "}\n", n, enc, n, n);
    return src;
}

static double component_max(const cJSON *result, const char *name) {
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(result, "components")) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
            return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "max"));
    }
    return NAN;
}

// The real worker (eureka-worker), started by this process whose environment and heap
// hold the sentinel: a reward that scans the stack up to the environment strings finds
// the control string but not the sentinel.
static void test_secret_stack(void) {
    char *src = stack_scan_reward();
    cJSON *args = cJSON_Parse("{\"calls\": 1, \"envs\": 1, \"seed\": 1}");
    sb_spec s = make_spec(src, "check", args, 30);
    s.worker = NULL;  // eureka-worker itself
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    CHECK_MSG(r.status == SB_OK, "%s: %s", sb_status_name(r.status), r.message);
    fprintf(stderr, "   stack scan: found %g, control %g, reached the top %g after %g KiB\n",
            component_max(r.result, "found"), component_max(r.result, "control"),
            component_max(r.result, "reached_top"), component_max(r.result, "kib_scanned"));
    CHECK(component_max(r.result, "reached_top") == 1.0);
    CHECK(component_max(r.result, "control") == 1.0);
    CHECK(component_max(r.result, "found") == 0.0);
    sb_result_free(&r);
    cJSON_Delete(args);
    free(src);
}

// Search every readable mapping of a running worker (up to 256 MiB each: the sanitizer's
// reserved shadow regions are skipped) for needle; *scanned gets the bytes read.
static int worker_holds(int pid, const char *needle, size_t *scanned) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *maps = fopen(path, "r");
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int mem = open(path, O_RDONLY);
    int hits = 0;
    size_t nl = strlen(needle), cap = 1 << 20;
    char *chunk = malloc(cap + nl);
    char line[512];
    *scanned = 0;
    while (maps && mem >= 0 && chunk && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || hi - lo > (256ul << 20)) continue;
        for (unsigned long at = lo; at < hi; at += cap) {
            size_t want = hi - at < cap + nl ? hi - at : cap + nl;
            ssize_t got = pread(mem, chunk, want, (off_t)at);
            if (got <= 0) break;
            *scanned += (size_t)got;
            if (memmem(chunk, (size_t)got, needle, nl)) hits++;
        }
    }
    free(chunk);
    if (mem >= 0) close(mem);
    if (maps) fclose(maps);
    return hits;
}

// The same from outside: while a worker runs its reward, read all of its memory
// (/proc/PID/mem): the reward's own marker is there, the sentinel is not.
static void test_secret_memory(void) {
    const char *src = "static const char marker[] = \"eureka-control-marker-41\";\n"
                      "double compute_reward(const env_state *s, reward_terms *t) {\n"
                      "    volatile double x = marker[0];\n"
                      "    for (;;) x += 1;\n"
                      "    return term(t, \"x\", x);\n"
                      "}\n";
    cJSON *args = cJSON_Parse("{\"calls\": 1, \"envs\": 1, \"seed\": 1}");
    sb_spec s = make_spec(src, "check", args, 60);
    s.worker = NULL;
    err_info e;
    sb_proc *p = sandbox_start(&s, &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    if (!p) { cJSON_Delete(args); return; }
    // Wait until the worker spins in the reward (its CPU time grows past 0.3 s).
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", sandbox_pid(p));
    double t0 = now_s();
    long ticks = 0;
    while (now_s() - t0 < 30 && ticks < sysconf(_SC_CLK_TCK) * 3 / 10 && !sandbox_done(p)) {
        sandbox_poll(&p, 1, 100, NULL, NULL);
        FILE *f = fopen(path, "r");
        char buf[1024] = "";
        if (f && fgets(buf, sizeof buf, f)) {
            const char *rp = strrchr(buf, ')');
            long ut = 0;
            if (rp && sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld", &ut) == 1) ticks = ut;
        }
        if (f) fclose(f);
    }
    CHECK(!sandbox_done(p));
    size_t scanned = 0, scanned2 = 0;
    int control = worker_holds(sandbox_pid(p), "eureka-control-marker-41", &scanned);
    int secret = worker_holds(sandbox_pid(p), sentinel, &scanned2);
    fprintf(stderr, "   worker memory: %.1f MiB read, control marker in %d chunks, sentinel in %d\n",
            scanned / 1048576.0, control, secret);
    CHECK(control > 0);
    CHECK(secret == 0);
    CHECK(scanned > (1u << 20));
    sandbox_kill(p);
    sb_result r;
    sandbox_finish(p, &r);
    sb_result_free(&r);
    cJSON_Delete(args);
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

// Run the test worker's mode under a stall limit of stall seconds and expect it killed
// for lack of progress, with the message saying so, after min_s to max_s seconds (far
// below its 60 s wall-clock limit; a niced loop on a loaded machine gathers its CPU
// seconds slowly: 5.1 s for 0.5 s of CPU was seen beside a search).
static void expect_stalled(const char *mode, double stall, double min_s, double max_s) {
    sb_spec s = make_spec(good_src, mode, NULL, 60);
    s.limits.stall_seconds = stall;
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    char want[64];
    snprintf(want, sizeof want, "no progress for %g s", stall);
    CHECK_MSG(r.status == SB_TIMEOUT, "%s: %s: %s", mode, sb_status_name(r.status), r.message);
    CHECK_STR_CONTAINS(r.message, want);
    CHECK_MSG(r.seconds > min_s && r.seconds < max_s, "%s worker took %.1f s", mode, r.seconds);
    sb_result_free(&r);
    CHECK(no_children());
}

// A worker that goes quiet (a reward that never returns) is killed at the stall limit,
// long before its wall-clock limit, and the message says why.
static void test_stall(void) { expect_stalled("sleep", 0.5, 0, 15.0); }

// A reward in an endless loop (busy, silent) is killed at the stall limit too: it is
// counted in CPU time, which a loop spends as fast as the wall clock.
static void test_stall_busy(void) { expect_stalled("spin", 0.5, 0, 15.0); }

// A worker that sleeps between sips of CPU dodges both CPU criteria (its CPU grows in
// every window, but would take over 10 s to reach the 1 s limit); it is killed when it
// has been silent for ten times the limit (10 s), long before its wall-clock deadline.
static void test_stall_sip(void) { expect_stalled("sip", 1.0, 9.0, 25.0); }

// A worker starved of the core by a busy machine is not taken for a stalled one: pinned
// to one core beside two busy processes it gets about a third of it, so each 0.25 s of
// its CPU work takes about 0.75 s of wall clock, past the 0.4 s stall limit; counted in
// its CPU time it never stalls and ends ok.
static void test_stall_starved(void) {
    cpu_set_t one, saved;
    CHECK(sched_getaffinity(0, sizeof saved, &saved) == 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &saved)) { CPU_SET(c, &one); break; }
    CHECK(sched_setaffinity(0, sizeof one, &one) == 0);
    pid_t hog[2];
    for (int i = 0; i < 2; i++)
        if ((hog[i] = fork()) == 0) {
            volatile double x = 0;
            for (;;) x += 1;
        }
    cJSON *args = cJSON_Parse("{\"steps\": 3, \"cpu\": 0.25}");
    sb_spec s = make_spec(good_src, "work", args, 60);
    s.limits.stall_seconds = 0.4;
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    for (int i = 0; i < 2; i++)
        if (hog[i] > 0) { kill(hog[i], SIGKILL); waitpid(hog[i], NULL, 0); }
    sched_setaffinity(0, sizeof saved, &saved);
    fprintf(stderr, "   starved worker: %.2f s of wall clock for 0.75 s of CPU work\n", r.seconds);
    CHECK_MSG(r.status == SB_OK, "%s: %s", sb_status_name(r.status), r.message);
    CHECK_MSG(r.seconds > 1.2, "the worker was not starved (%.2f s): the test proves nothing", r.seconds);
    sb_result_free(&r);
    cJSON_Delete(args);
    CHECK(no_children());
}

// A compiler that never finishes is stopped at the compile deadline, long before the
// wall clock, and reported as a compile error; the stall limit starts at "compiled".
static void test_compile_deadline(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/rewards/compile_hang_macro.c", EUREKA_TEST_DATA);
    err_info e;
    char *src = fs_read(path, 1 << 20, NULL, &e);
    CHECK_MSG(src != NULL, "%s", e.msg);
    if (!src) return;
    sb_spec s = make_spec(src, "check", NULL, 120);
    s.limits.compile_seconds = 1;
    s.limits.stall_seconds = 0.2;
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    CHECK_MSG(r.status == SB_COMPILE, "%s: %s", sb_status_name(r.status), r.message);
    CHECK_STR_CONTAINS(r.message, "compiling the reward took longer than 1 s");
    sb_result_free(&r);
    free(src);
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
    plant_sentinel();
    TEST_RUN(test_check_good);
    TEST_RUN(test_stall_busy);
    TEST_RUN(test_stall_starved);
    TEST_RUN(test_stall_sip);
    TEST_RUN(test_lying_worker);
    TEST_RUN(test_compile_stage);
    TEST_RUN(test_secret_stack);
    TEST_RUN(test_secret_memory);
    TEST_RUN(test_bodies);
    TEST_RUN(test_kill);
    TEST_RUN(test_stall);
    TEST_RUN(test_compile_deadline);
    TEST_RUN(test_corpus);
    CHECK(!fs_exists("MUJOCO_LOG.TXT"));
    CHECK(no_children());
    TEST_END();
}
