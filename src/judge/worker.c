// worker.c: the worker process (see worker.h for the protocol and the order of its life).
//
// Everything here runs in the eureka-worker binary, a fresh process image: nothing of
// the parent's memory or environment is inherited. Until the seccomp filter is in force
// the worker only reads trusted inputs (the job, the prelude, the task's env.h and
// model); the candidate's code is compiled but not called before the filter.
#define _GNU_SOURCE 1
#include "judge/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "reward/rcomp.h"
#include "rl/venv.h"
#include "util/fs.h"
#include "util/clock.h"

#define WORKER_PROGRESS_MIN_S 0.1        // at most 10 progress objects per second

struct worker_chan {
    int fd;
    double last;
    pthread_mutex_t mu;
};

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;  // the parent is gone or stopped reading: nothing useful left to do
        }
        p += w;
        n -= (size_t)w;
    }
}

// JSON string escaping into a fixed buffer (no allocation: used from MuJoCo's error
// handler, where the heap may be in any state).
static size_t json_escape(char *out, size_t cap, const char *s) {
    size_t n = 0;
    for (; s && *s && n + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { out[n++] = '\\'; out[n++] = (char)c; }
        else if (c < 0x20 || c >= 0x7f) out[n++] = ' ';
        else out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

static void send_error(const char *status, const char *message) {
    char esc[ERR_MSG_MAX * 2], line[ERR_MSG_MAX * 2 + 128];
    json_escape(esc, sizeof esc, message);
    int n = snprintf(line, sizeof line, "{\"type\":\"error\",\"status\":\"%s\",\"message\":\"%s\"}\n",
                     status, esc);
    if (n > 0) write_all(WORKER_RESULT_FD, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void fail(const char *status, const char *message) __attribute__((noreturn));
static void fail(const char *status, const char *message) {
    send_error(status, message);
    _exit(0);
}

// Send one {"type": type, "data": obj} line.
static void send_object(worker_chan *ch, const char *type, const cJSON *obj) {
    char *s = cJSON_PrintUnformatted(obj);
    if (!s) return;
    size_t n = strlen(s), tl = strlen(type);
    char *line = malloc(n + tl + 32);
    if (line) {
        int k = sprintf(line, "{\"type\":\"%s\",\"data\":", type);
        memcpy(line + k, s, n);
        memcpy(line + k + n, "}\n", 2);
        pthread_mutex_lock(&ch->mu);
        write_all(ch->fd, line, (size_t)k + n + 2);
        pthread_mutex_unlock(&ch->mu);
        free(line);
    }
    cJSON_free(s);
}

void worker_progress(worker_chan *ch, const cJSON *progress) {
    if (!ch || !progress) return;
    double t = now_s();
    pthread_mutex_lock(&ch->mu);
    int send = t - ch->last >= WORKER_PROGRESS_MIN_S;
    if (send) ch->last = t;
    pthread_mutex_unlock(&ch->mu);
    if (send) send_object(ch, "progress", progress);
}

static void on_mj_error(const char *msg) {
    char m[ERR_MSG_MAX];
    snprintf(m, sizeof m, "MuJoCo error: %s", msg ? msg : "(no message)");
    // MuJoCo's allocation failures under RLIMIT_AS are the memory limit, said plainly.
    fail(msg && strstr(msg, "alloc") ? "memory_limit" : "error", m);
}

// Warnings are counted in d->warning[] (venv resets unstable episodes); nothing to log.
static void on_mj_warning(const char *msg) { (void)msg; }

static void on_sigsys(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    // Async-signal-safe formatting: the parent resolves the number to a name.
    char line[64] = "{\"type\":\"syscall\",\"nr\":";
    size_t n = strlen(line);
    int nr = si ? si->si_syscall : -1;
    char digits[16];
    int k = 0;
    unsigned v = nr < 0 ? 0u : (unsigned)nr;
    do { digits[k++] = (char)('0' + v % 10); v /= 10; } while (v && k < 15);
    while (k > 0) line[n++] = digits[--k];
    line[n++] = '}';
    line[n++] = '\n';
    ssize_t w = write(WORKER_RESULT_FD, line, n);
    (void)w;
    _exit(0);
}

static void close_other_fds(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, WORKER_RESULT_FD + 1, ~0U, 0) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (long fd = WORKER_RESULT_FD + 1; fd < max; fd++) close((int)fd);
}

static void set_limit(int res, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    setrlimit(res, &rl);
}

#define ALLOW(name) rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(name), 0)

// The allow-lists; every other system call traps into on_sigsys. Filters stack (a call
// must pass every filter in force), so the compile stage allows all the run stage does
// and a little more:
//  run: what MuJoCo stepping, the trainer's threads and malloc need. Nothing opens a
//   file (the model was preloaded), and memory is never made executable.
//  compile, in force while libtcc reads the candidate and relocates it: no file, library,
//   process or socket, whatever the source says; mprotect may add PROT_EXEC (libtcc makes
//   its code pages RWX while relocating, rcomp then makes them read + execute); seccomp
//   and prctl(PR_SET_NO_NEW_PRIVS) load the run stage on top.
static int install_filter(worker_stage stage, int threads, char *why, size_t why_sz) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) { snprintf(why, why_sz, "seccomp_init failed"); return -1; }
    int rc = 0;
    // Output only to the result pipe (and stderr under the sanitizers, for their reports).
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                           SCMP_A0(SCMP_CMP_EQ, WORKER_RESULT_FD));
#ifdef EUREKA_SANITIZE
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2));
    ALLOW(sigaltstack); ALLOW(prctl); ALLOW(readlink); ALLOW(sched_getaffinity);
#endif
    ALLOW(read); ALLOW(close);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (stage == WORKER_STAGE_COMPILE) {
        ALLOW(mprotect); ALLOW(seccomp);
#ifndef EUREKA_SANITIZE
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS));
#endif
    } else {
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                               SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    }
    ALLOW(munmap); ALLOW(mremap); ALLOW(madvise); ALLOW(brk);
    // Threads, time, exit.
    ALLOW(futex); ALLOW(sched_yield); ALLOW(getrandom); ALLOW(clock_gettime); ALLOW(clock_getres);
    ALLOW(gettimeofday); ALLOW(clock_nanosleep); ALLOW(nanosleep); ALLOW(gettid); ALLOW(getpid);
    ALLOW(rt_sigprocmask); ALLOW(rt_sigreturn); ALLOW(exit); ALLOW(exit_group);
    ALLOW(set_robust_list); ALLOW(rseq);
    // abort() signals itself; no other process may be signalled.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                           SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
    if (threads > 1) {
        // Threads only (CLONE_THREAD), never processes; glibc tries clone3 first and
        // falls back to clone on ENOSYS (clone3 flags sit in memory a filter cannot read).
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        // pthread_create sets up its internal signal handlers. A handler cannot undo the
        // filter: a trap with SIGSYS ignored or blocked kills the worker instead.
        ALLOW(rt_sigaction);
    }
    if (rc) { snprintf(why, why_sz, "seccomp_rule_add failed"); seccomp_release(ctx); return -1; }
    rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc) { snprintf(why, why_sz, "seccomp_load: %s", strerror(-rc)); return -1; }
    return 0;
}

int worker_lockdown(worker_stage stage, int threads, char *why, size_t why_sz) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    if (stage == WORKER_STAGE_COMPILE && sigaction(SIGSYS, &sa, NULL) != 0) {
        snprintf(why, why_sz, "sigaction: %s", strerror(errno));
        return -1;
    }
    return install_filter(stage, threads, why, why_sz);
}

// Lock down for stage, or report why not and end.
static void lockdown(worker_stage stage, int threads) {
    char why[256];
    if (worker_lockdown(stage, threads, why, sizeof why) == 0) return;
    char m[ERR_MSG_MAX];
    snprintf(m, sizeof m, "could not lock down the worker (%s)", why);
    fail("error", m);
}

static const char *status_for(const err_info *e) {
    switch (e->code) {
    case ERR_NONFINITE: return "nonfinite_reward";
    case ERR_REWARD: return "bad_reward";
    case ERR_NOMEM: return "memory_limit";
    case ERR_COMPILE: return "compile_error";
    default: return "error";
    }
}

// The whole job from fd 0 (the parent closes its end after writing it).
static cJSON *read_job(void) {
    size_t n = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    if (!buf) fail("error", "out of memory reading the job");
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= WORKER_JOB_MAX) fail("error", "the job is larger than the worker accepts");
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) fail("error", "out of memory reading the job");
            buf = nb;
        }
        ssize_t r = read(WORKER_JOB_FD, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail("error", "cannot read the job");
        if (r == 0) break;
        n += (size_t)r;
    }
    cJSON *job = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!cJSON_IsObject(job)) fail("error", "the job is not a JSON object");
    return job;
}

static const char *job_string(const cJSON *job, const char *key) {
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(job, key));
    if (!s) {
        char m[128];
        snprintf(m, sizeof m, "the job has no \"%s\"", key);
        fail("error", m);
    }
    return s;
}

static double job_number(const cJSON *obj, const char *key, double dflt) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

void worker_main(const worker_mode *modes, int n_modes) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(0);  // the parent died before the line above
    close_other_fds();
    // Default dispositions (ASan's handlers would turn crashes into exit(1)), nothing
    // blocked: the parent's spawn attributes already ask for this; be sure.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    cJSON *job = read_job();
    const char *mode_name = job_string(job, "mode");
    const char *task_name = job_string(job, "task");
    const char *reward = job_string(job, "reward");
    const char *root = job_string(job, "root");
    int threads = (int)job_number(job, "threads", 1);
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(job, "limits");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(job, "args");
    const worker_mode *mode = NULL;
    for (int i = 0; i < n_modes; i++)
        if (strcmp(modes[i].name, mode_name) == 0) mode = &modes[i];
    if (!mode) fail("error", "the job names an unknown mode");
    fs_set_root(root);
    const task_def *task = task_find(task_name);
    if (!task) fail("error", "the job names an unknown task");

    double cpu_s = job_number(limits, "cpu", 1);
    rlim_t cpu = (rlim_t)ceil(cpu_s > 0 ? cpu_s : 1);
    set_limit(RLIMIT_CPU, cpu, cpu + 2);
#ifndef EUREKA_SANITIZE
    double mem = job_number(limits, "mem", 0);
    if (mem > 0) set_limit(RLIMIT_AS, (rlim_t)mem, (rlim_t)mem);
#endif
    set_limit(RLIMIT_FSIZE, 0, 0);
    set_limit(RLIMIT_CORE, 0, 0);
    set_limit(RLIMIT_NOFILE, 16, 16);
    mju_user_error = on_mj_error;
    mju_user_warning = on_mj_warning;

    // Trusted inputs first: env.h, the prelude, the model. Then compile (never call)
    // where no file can be opened, and lock down for good before the reward runs.
    err_info e = {0};
    char path[4096];
    char *env_h = NULL;
    if (fs_path(path, sizeof path, &e, "%s/tasks/%s/env.h", fs_root(), task->name) == ERR_OK)
        env_h = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
    if (!env_h) fail("error", e.msg);
    const char *prelude = rcomp_prelude(&e);
    if (!prelude) fail("error", e.msg);
    if (venv_preload(task, &e)) fail("error", e.msg);
    lockdown(WORKER_STAGE_COMPILE, threads);
    rcomp *rc = rcomp_new(prelude, env_h, reward, &e);
    free(env_h);
    if (!rc) fail(e.code == ERR_COMPILE ? "compile_error" : "error", e.msg);

    worker_chan ch = {.fd = WORKER_RESULT_FD, .last = -1e9};
    pthread_mutex_init(&ch.mu, NULL);
    write_all(WORKER_RESULT_FD, "{\"type\":\"compiled\"}\n", 20);
    lockdown(WORKER_STAGE_RUN, threads);

    cJSON *res = mode->body(cJSON_IsObject(args) ? args : NULL, task, rcomp_fn(rc), &ch, &e);
    if (res) {
        send_object(&ch, "result", res);
    } else {
        if (e.msg[0] == '\0') snprintf(e.msg, sizeof e.msg, "the job failed without a message");
        send_error(status_for(&e), e.msg);
    }
    _exit(0);  // no atexit handlers, no stdio flush, no leak check: the parent has it all
}
