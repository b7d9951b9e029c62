// sandbox.c: run a candidate reward in a locked-down worker process (see sandbox.h).
//
// Worker (the forked child), in this order:
//   own process group, die with the parent, every descriptor closed but the result
//   pipe (fd 3), default signal dispositions, rlimits (CPU, address space, no files
//   written, few descriptors, no core), MuJoCo handlers that report over the pipe
//   instead of writing MUJOCO_LOG.TXT and calling exit(), compile the reward (rcomp),
//   SIGSYS handler, seccomp allow-list, then the job body.
// Protocol: newline-delimited JSON objects with a "type": "progress" {data}, "result"
//   {data}, "error" {status, message}, "syscall" {nr}. The parent treats every byte as
//   untrusted: capped, parsed with cJSON, types checked, strings cleaned.
// Parent: non-blocking reads driven by poll, a wall-clock deadline enforced with
//   SIGKILL on the worker's process group, and a classification of every ending.
#define _GNU_SOURCE 1
#include "judge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "util/rng.h"
#include "rl/venv.h"

#define SB_FD 3                      // the result pipe, in the worker
#define SB_PROGRESS_MIN_S 0.1        // at most 10 progress objects per second
#define SB_PROGRESS_MAX (64 * 1024)  // a progress object larger than this is dropped

const char *sb_status_name(sb_status s) {
    static const char *names[] = {"ok", "compile_error", "crash", "arithmetic_error", "timeout",
                                  "memory_limit", "forbidden_syscall", "nonfinite_reward",
                                  "bad_reward", "error"};
    if ((unsigned)s < sizeof names / sizeof names[0]) return names[s];
    return "error";
}

void sb_limits_default(sb_limits *l) {
    l->wall_seconds = 1200;
    l->cpu_seconds = 2400;
    l->mem_bytes = (size_t)1 << 30;
    l->out_cap = (size_t)4 << 20;
    l->stall_seconds = 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

// ---- worker side ------------------------------------------------------------

struct sb_chan {
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
    int n = snprintf(line, sizeof line, "{\"type\":\"error\",\"status\":\"%s\",\"message\":\"%s\"}\n", status, esc);
    if (n > 0) write_all(SB_FD, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

// Send one {"type": type, "data": obj} line.
static void send_object(sb_chan *ch, const char *type, const cJSON *obj) {
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

void sb_progress(sb_chan *ch, const cJSON *progress) {
    if (!ch || !progress) return;
    double t = now_s();
    pthread_mutex_lock(&ch->mu);
    int send = t - ch->last >= SB_PROGRESS_MIN_S;
    if (send) ch->last = t;
    pthread_mutex_unlock(&ch->mu);
    if (send) send_object(ch, "progress", progress);
}

static void on_mj_error(const char *msg) {
    char m[ERR_MSG_MAX];
    snprintf(m, sizeof m, "MuJoCo error: %s", msg ? msg : "(no message)");
    // MuJoCo's allocation failures under RLIMIT_AS are the memory limit, said plainly.
    send_error(msg && strstr(msg, "alloc") ? "memory_limit" : "error", m);
    _exit(0);
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
    ssize_t w = write(SB_FD, line, n);
    (void)w;
    _exit(0);
}

static void close_other_fds(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, SB_FD + 1, ~0U, 0) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (long fd = SB_FD + 1; fd < max; fd++) close((int)fd);
}

static void set_limit(int res, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    setrlimit(res, &rl);
}

#define ALLOW(name) rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(name), 0)

// The allow-list: what MuJoCo stepping, the trainer's threads and malloc need; every
// other system call (opening any file included) traps into on_sigsys.
static int install_filter(int threads, char *why, size_t why_sz) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) { snprintf(why, why_sz, "seccomp_init failed"); return -1; }
    int rc = 0;
    // Output only to the result pipe (and stderr under the sanitizers, for their reports).
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, SB_FD));
#ifdef EUREKA_SANITIZE
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2));
    ALLOW(sigaltstack); ALLOW(prctl); ALLOW(readlink); ALLOW(sched_getaffinity);
#endif
    // No file is opened after the filter: the task model was preloaded (venv_preload).
    ALLOW(read); ALLOW(close);
    // Memory, never executable: the reward cannot make new code.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW(munmap); ALLOW(mremap); ALLOW(madvise); ALLOW(brk);
    // Threads, time, exit.
    ALLOW(futex); ALLOW(sched_yield); ALLOW(getrandom); ALLOW(clock_gettime); ALLOW(clock_getres);
    ALLOW(gettimeofday); ALLOW(clock_nanosleep); ALLOW(nanosleep); ALLOW(gettid); ALLOW(getpid);
    ALLOW(rt_sigprocmask); ALLOW(rt_sigreturn); ALLOW(exit); ALLOW(exit_group);
    ALLOW(set_robust_list); ALLOW(rseq);
    // abort() signals itself; no other process may be signalled.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
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

static const char *child_status_for(const err_info *e) {
    switch (e->code) {
    case ERR_NONFINITE: return "nonfinite_reward";
    case ERR_REWARD: return "bad_reward";
    case ERR_NOMEM: return "memory_limit";
    case ERR_COMPILE: return "compile_error";
    case ERR_RUNTIME:
        if (strstr(e->msg, " is NaN") || strstr(e->msg, " is infinite") || strstr(e->msg, "non-finite"))
            return "nonfinite_reward";
        return "error";
    default: return "error";
    }
}

static void worker(const sb_spec *spec, int wfd) __attribute__((noreturn));
static void worker(const sb_spec *spec, int wfd) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Descriptors: the pipe becomes fd 3, stdin/stdout go to /dev/null, the rest closes.
    if (wfd != SB_FD) { dup2(wfd, SB_FD); close(wfd); }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
#ifndef EUREKA_SANITIZE
        dup2(null, 2);  // keep stderr only for sanitizer reports
#endif
        if (null > SB_FD) close(null);
    }
    close_other_fds();
    // Signals: default dispositions (ASan's handlers would turn crashes into exit(1)),
    // nothing blocked.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Limits.
    const sb_limits *l = &spec->limits;
    rlim_t cpu = (rlim_t)ceil(l->cpu_seconds > 0 ? l->cpu_seconds : 1);
    set_limit(RLIMIT_CPU, cpu, cpu + 2);
#ifndef EUREKA_SANITIZE
    if (l->mem_bytes > 0) set_limit(RLIMIT_AS, (rlim_t)l->mem_bytes, (rlim_t)l->mem_bytes);
#endif
    set_limit(RLIMIT_FSIZE, 0, 0);
    set_limit(RLIMIT_CORE, 0, 0);
    set_limit(RLIMIT_NOFILE, 16, 16);
    mju_user_error = on_mj_error;
    mju_user_warning = on_mj_warning;

    // Compile (never call) the reward before the filter: libtcc reads libtcc1.a.
    err_info e = {0};
    char path[4096];
    char *env_h = NULL;
    if (fs_path(path, sizeof path, &e, "%s/tasks/%s/env.h", fs_root(), spec->task->name) == ERR_OK)
        env_h = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
    if (!env_h) { send_error("error", e.msg); _exit(0); }
    rcomp *rc = rcomp_new(env_h, spec->reward_src, &e);
    free(env_h);
    if (!rc) { send_error(e.code == ERR_COMPILE ? "compile_error" : "error", e.msg); _exit(0); }
    if (venv_preload(spec->task, &e)) { send_error("error", e.msg); _exit(0); }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);
    char why[256];
    if (install_filter(spec->threads, why, sizeof why)) {
        char m[ERR_MSG_MAX];
        snprintf(m, sizeof m, "could not lock down the worker (%s)", why);
        send_error("error", m);
        _exit(0);
    }

    sb_chan ch = {.fd = SB_FD, .last = -1e9};
    pthread_mutex_init(&ch.mu, NULL);
    cJSON *res = spec->body(spec->arg, spec->task, rcomp_fn(rc), &ch, &e);
    if (res) {
        send_object(&ch, "result", res);
        cJSON_Delete(res);
    } else {
        if (e.msg[0] == '\0') snprintf(e.msg, sizeof e.msg, "the job failed without a message");
        send_error(child_status_for(&e), e.msg);
    }
    _exit(0);  // no atexit handlers, no stdio flush, no leak check: the parent has it all
}

// ---- parent side ------------------------------------------------------------

struct sb_proc {
    pid_t pid;
    int fd;                 // read end; -1 after EOF
    int index;
    sb_limits limits;
    double t0, deadline;
    double last_msg;        // when the worker last sent a complete line
    char *buf;              // current partial line
    size_t len, bufcap;
    size_t total;           // bytes received
    int timed_out, stalled, overflow, stopped, reaped, wstatus;
    struct rusage ru;
    cJSON *result;
    int have_error;
    char err_status[32];
    char err_msg[ERR_MSG_MAX];
    int syscall_nr;
    int garbled;
};

// Keep printable ASCII only, one line.
static void clean_copy(char *dst, size_t cap, const char *src) {
    size_t n = 0;
    for (; src && *src && n + 1 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
    }
    dst[n] = '\0';
}

static int known_child_status(const char *s) {
    static const char *ok[] = {"compile_error", "nonfinite_reward", "bad_reward", "memory_limit", "error"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(s, ok[i]) == 0) return 1;
    return 0;
}

static void handle_line(sb_proc *p, const char *line, size_t n,
                        void (*on_progress)(void *, int, const cJSON *), void *ctx) {
    cJSON *o = cJSON_ParseWithLength(line, n);
    if (!o || !cJSON_IsObject(o)) { p->garbled++; cJSON_Delete(o); return; }
    p->last_msg = now_s();
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "";
    if (strcmp(t, "progress") == 0) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "data");
        if (on_progress && cJSON_IsObject(d)) on_progress(ctx, p->index, d);
    } else if (strcmp(t, "result") == 0 && !p->result) {
        cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(o, "data");
        if (cJSON_IsObject(d)) p->result = d;
        else { cJSON_Delete(d); p->garbled++; }
    } else if (strcmp(t, "error") == 0 && !p->have_error) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
        if (cJSON_IsString(st) && known_child_status(st->valuestring) && cJSON_IsString(msg)) {
            p->have_error = 1;
            snprintf(p->err_status, sizeof p->err_status, "%s", st->valuestring);
            clean_copy(p->err_msg, sizeof p->err_msg, msg->valuestring);
        } else p->garbled++;
    } else if (strcmp(t, "syscall") == 0 && p->syscall_nr < 0) {
        const cJSON *nr = cJSON_GetObjectItemCaseSensitive(o, "nr");
        if (cJSON_IsNumber(nr) && nr->valuedouble >= 0 && nr->valuedouble < 100000) p->syscall_nr = (int)nr->valuedouble;
    } else p->garbled++;
    cJSON_Delete(o);
}

static void kill_worker(sb_proc *p) {
    if (p->reaped) return;
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
}

// Read what is available (non-blocking); split lines; enforce the output cap.
static void pump(sb_proc *p, void (*on_progress)(void *, int, const cJSON *), void *ctx) {
    if (p->fd < 0) return;
    char chunk[65536];
    for (;;) {
        ssize_t r = read(p->fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            r = 0;
        }
        if (r == 0) { close(p->fd); p->fd = -1; return; }
        if (p->overflow) continue;  // drain and drop
        p->total += (size_t)r;
        if (p->total > p->limits.out_cap) {
            p->overflow = 1;
            kill_worker(p);
            continue;
        }
        if (p->len + (size_t)r + 1 > p->bufcap) {
            size_t nc = p->bufcap ? p->bufcap : 4096;
            while (nc < p->len + (size_t)r + 1) nc *= 2;
            char *nb = realloc(p->buf, nc);
            if (!nb) { p->overflow = 1; kill_worker(p); continue; }
            p->buf = nb;
            p->bufcap = nc;
        }
        memcpy(p->buf + p->len, chunk, (size_t)r);
        p->len += (size_t)r;
        size_t start = 0;
        for (size_t i = 0; i < p->len; i++)
            if (p->buf[i] == '\n') {
                handle_line(p, p->buf + start, i - start, on_progress, ctx);
                start = i + 1;
            }
        memmove(p->buf, p->buf + start, p->len - start);
        p->len -= start;
    }
}

static void try_reap(sb_proc *p, int block) {
    if (p->reaped) return;
    int st;
    pid_t r;
    do r = wait4(p->pid, &st, block ? 0 : WNOHANG, &p->ru);
    while (r < 0 && errno == EINTR);
    if (r == p->pid) { p->reaped = 1; p->wstatus = st; }
    else if (r < 0) { p->reaped = 1; p->wstatus = 0; }  // not ours any more: nothing to wait for
}

sb_proc *sandbox_start(const sb_spec *spec, err_info *e) {
    if (!spec || !spec->task || !spec->body || !spec->reward_src) {
        err_set(e, ERR_INTERNAL, "sandbox_start: task, body and reward source are required");
        return NULL;
    }
    // Load the prelude in the parent so every worker inherits it (and a missing file is
    // reported here once).
    if (!rcomp_prelude(e)) return NULL;
    sb_proc *p = calloc(1, sizeof *p);
    if (!p) { err_set(e, ERR_NOMEM, "out of memory starting a worker"); return NULL; }
    p->limits = spec->limits;
    if (p->limits.out_cap == 0) p->limits.out_cap = (size_t)4 << 20;
    if (p->limits.wall_seconds <= 0) p->limits.wall_seconds = 1200;
    p->syscall_nr = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        err_set(e, ERR_IO, "cannot create the worker pipe: %s", strerror(errno));
        free(p);
        return NULL;
    }
    fflush(NULL);
    p->t0 = now_s();
    p->deadline = p->t0 + p->limits.wall_seconds;
    p->last_msg = p->t0;
    pid_t pid = fork();
    if (pid < 0) {
        err_set(e, ERR_INTERNAL, "cannot fork a worker: %s", strerror(errno));
        close(fds[0]); close(fds[1]); free(p);
        return NULL;
    }
    if (pid == 0) {
        close(fds[0]);
        worker(spec, fds[1]);
    }
    close(fds[1]);
    setpgid(pid, pid);  // also done by the child; whichever runs first wins
    p->pid = pid;
    p->fd = fds[0];
    fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
    return p;
}

void sandbox_poll(sb_proc **procs, int n, int timeout_ms,
                  void (*on_progress)(void *ctx, int index, const cJSON *obj), void *ctx) {
    if (n <= 0) return;
    struct pollfd pfs[n > 256 ? 256 : n];
    int map[n > 256 ? 256 : n], k = 0;
    double t = now_s();
    int wait_ms = timeout_ms;
    for (int i = 0; i < n && k < 256; i++) {
        sb_proc *p = procs[i];
        if (!p || sandbox_done(p)) continue;
        p->index = i;
        double left = p->deadline - t;
        if (p->limits.stall_seconds > 0 && p->last_msg + p->limits.stall_seconds - t < left)
            left = p->last_msg + p->limits.stall_seconds - t;
        int lm = left <= 0 ? 0 : (int)(left * 1000) + 1;
        if (lm < wait_ms) wait_ms = lm;
        if (p->fd >= 0) { pfs[k].fd = p->fd; pfs[k].events = POLLIN; pfs[k].revents = 0; map[k++] = i; }
        else if (wait_ms > 5) wait_ms = 5;  // EOF seen, waiting for the exit status
    }
    if (wait_ms < 0) wait_ms = 0;
    if (k > 0) {
        int r = poll(pfs, (nfds_t)k, wait_ms);
        if (r > 0)
            for (int j = 0; j < k; j++)
                if (pfs[j].revents) pump(procs[map[j]], on_progress, ctx);
    } else if (wait_ms > 0) {
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    t = now_s();
    for (int i = 0; i < n; i++) {
        sb_proc *p = procs[i];
        if (!p || sandbox_done(p)) continue;
        if (!p->reaped && !p->timed_out &&
            (t >= p->deadline || (p->limits.stall_seconds > 0 && t >= p->last_msg + p->limits.stall_seconds))) {
            p->timed_out = 1;
            p->stalled = t < p->deadline;
            kill_worker(p);
        }
        if (p->fd < 0 || p->timed_out || p->overflow) try_reap(p, p->timed_out || p->overflow);
    }
}

int sandbox_done(const sb_proc *p) { return !p || (p->reaped && p->fd < 0); }

static const char *signal_text(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (stack overflow or invalid pointer)";
    case SIGBUS: return "SIGBUS (invalid memory access)";
    case SIGILL: return "SIGILL (illegal instruction: a call through a bad function pointer?)";
    case SIGABRT: return "SIGABRT (the worker aborted)";
    case SIGTRAP: return "SIGTRAP (trap instruction)";
    default: return NULL;
    }
}

static void classify(sb_proc *p, sb_result *res) {
    const sb_limits *l = &p->limits;
    int sig = WIFSIGNALED(p->wstatus) ? WTERMSIG(p->wstatus) : 0;
    double cpu = (double)p->ru.ru_utime.tv_sec + p->ru.ru_utime.tv_usec * 1e-6 +
                 (double)p->ru.ru_stime.tv_sec + p->ru.ru_stime.tv_usec * 1e-6;
    res->signal = sig;
    if (p->stopped) {
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "the worker was stopped before it finished (interrupted)");
    } else if (p->overflow) {
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "the worker's output exceeded the %zu-byte limit and it was stopped",
                 l->out_cap);
    } else if (p->syscall_nr >= 0 || sig == SIGSYS) {
        res->status = SB_SYSCALL;
        res->syscall_nr = p->syscall_nr;
        char *name = p->syscall_nr >= 0 ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, p->syscall_nr) : NULL;
        snprintf(res->syscall_name, sizeof res->syscall_name, "%s", name ? name : "unknown");
        free(name);
        if (p->syscall_nr >= 0)
            snprintf(res->message, sizeof res->message, "forbidden system call %d (%s): rewards may only compute "
                     "from their state (no files, processes, network or assembly)", p->syscall_nr, res->syscall_name);
        else
            snprintf(res->message, sizeof res->message, "forbidden system call (killed by SIGSYS): rewards may only "
                     "compute from their state");
    } else if (p->stalled) {
        res->status = SB_TIMEOUT;
        snprintf(res->message, sizeof res->message, "no progress for %g s and the worker was killed; compute_reward "
                 "must return quickly (no long or endless loops)", l->stall_seconds);
    } else if (p->timed_out) {
        res->status = SB_TIMEOUT;
        snprintf(res->message, sizeof res->message, "the worker ran longer than the %g s time limit and was killed; "
                 "compute_reward must return quickly (no long or endless loops)", l->wall_seconds);
    } else if (sig == SIGXCPU || (sig == SIGKILL && l->cpu_seconds > 0 && cpu >= l->cpu_seconds)) {
        res->status = SB_TIMEOUT;
        snprintf(res->message, sizeof res->message, "CPU time limit of %g s exceeded; compute_reward must return "
                 "quickly (no long or endless loops)", l->cpu_seconds);
    } else if (sig == SIGKILL) {
        res->status = SB_MEMORY;
        snprintf(res->message, sizeof res->message, "the worker was killed by the system, out of memory; use less "
                 "memory (no large arrays)");
    } else if (sig == SIGFPE) {
        res->status = SB_ARITH;
        snprintf(res->message, sizeof res->message, "SIGFPE (integer division by zero or overflow) in the "
                 "reward; divide in double precision or guard the divisor");
    } else if (sig) {
        res->status = SB_CRASH;
        const char *txt = signal_text(sig);
        if (txt)
            snprintf(res->message, sizeof res->message, "%s while running the reward; check pointers, array indices, "
                     "recursion, and writes to globals (read-only)", txt);
        else
            snprintf(res->message, sizeof res->message, "the worker was killed by signal %d (%s)", sig,
                     strsignal(sig));
    } else if (p->have_error) {
        static const struct { const char *name; sb_status st; } map[] = {
            {"compile_error", SB_COMPILE}, {"nonfinite_reward", SB_NONFINITE}, {"bad_reward", SB_REWARD},
            {"memory_limit", SB_MEMORY}, {"error", SB_ERROR}};
        res->status = SB_ERROR;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcmp(map[i].name, p->err_status) == 0) res->status = map[i].st;
        snprintf(res->message, sizeof res->message, "%s", p->err_msg);
    } else if (p->result && WIFEXITED(p->wstatus) && WEXITSTATUS(p->wstatus) == 0) {
        res->status = SB_OK;
        res->result = p->result;
        p->result = NULL;
    } else {
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "the worker ended without a result (exit status %d%s)",
                 WIFEXITED(p->wstatus) ? WEXITSTATUS(p->wstatus) : -1,
                 p->garbled ? ", malformed output" : "");
    }
}

void sandbox_finish(sb_proc *p, sb_result *res) {
    sb_result tmp;
    if (!res) res = &tmp;
    memset(res, 0, sizeof *res);
    res->syscall_nr = -1;
    if (!p) { res->status = SB_ERROR; snprintf(res->message, sizeof res->message, "no worker"); return; }
    if (!sandbox_done(p)) {
        // Give a worker that already wrote its last line the chance to exit on its own.
        while (!sandbox_done(p) && !p->timed_out) {
            sb_proc *one[1] = {p};
            sandbox_poll(one, 1, 50, NULL, NULL);
        }
        kill_worker(p);
        while (p->fd >= 0) {
            struct pollfd pf = {p->fd, POLLIN, 0};
            if (poll(&pf, 1, 1000) <= 0) { close(p->fd); p->fd = -1; break; }
            pump(p, NULL, NULL);
        }
        try_reap(p, 1);
    }
    res->seconds = now_s() - p->t0;
    classify(p, res);
    if (res != &tmp) { /* caller owns res->result */ } else sb_result_free(res);
    cJSON_Delete(p->result);
    free(p->buf);
    free(p);
}

void sandbox_kill(sb_proc *p) {
    if (!p) return;
    if (!p->reaped) {
        p->stopped = 1;
        kill_worker(p);
    }
    try_reap(p, 1);
    while (p->fd >= 0) {
        struct pollfd pf = {p->fd, POLLIN, 0};
        if (poll(&pf, 1, 1000) <= 0) { close(p->fd); p->fd = -1; break; }
        pump(p, NULL, NULL);
    }
}

void sandbox_run(const sb_spec *spec, void (*on_progress)(void *ctx, int index, const cJSON *obj),
                 void *ctx, sb_result *res) {
    err_info e = {0};
    sb_proc *p = sandbox_start(spec, &e);
    if (!p) {
        memset(res, 0, sizeof *res);
        res->syscall_nr = -1;
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "%s", e.msg);
        return;
    }
    while (!sandbox_done(p)) sandbox_poll(&p, 1, 200, on_progress, ctx);
    sandbox_finish(p, res);
}

void sb_result_free(sb_result *res) {
    if (!res) return;
    cJSON_Delete(res->result);
    res->result = NULL;
}

// ---- the `eureka check` body ------------------------------------------------

typedef struct check_stat {
    char name[REWARD_NAME_MAX];
    double min, max, sum;
    long count;
} check_stat;

static const char *nonfinite_word(double x) { return x != x ? "NaN" : (x > 0 ? "+Inf" : "-Inf"); }

cJSON *sb_check_body(void *arg, const task_def *task, reward_fn fn, sb_chan *ch, err_info *e) {
    const sb_check_cfg *cfg = arg;
    int calls = cfg && cfg->calls > 0 ? cfg->calls : 512;
    int n_envs = cfg && cfg->n_envs > 0 ? cfg->n_envs : 8;
    uint64_t seed = cfg ? cfg->seed : 1;
    double t0 = now_s();
    venv *v = venv_new(task, n_envs, seed, NULL, e);
    if (!v) return NULL;
    unsigned char *copy = malloc(task->state_size), *ref = malloc(task->state_size);
    double *a = malloc(sizeof(double) * (size_t)(task->act_dim > 0 ? task->act_dim : 1));
    check_stat st[REWARD_MAX_TERMS];
    int nst = 0;
    double tmin = INFINITY, tmax = -INFINITY, tsum = 0;
    rng r;
    rng_seed(&r, seed, 0xc4ec);
    int rc = ERR_OK;
    if (!copy || !ref || !a) rc = err_set(e, ERR_NOMEM, "out of memory in the check");
    for (int c = 0; c < calls && rc == ERR_OK; c++) {
        int i = c % n_envs;
        if (c >= n_envs) {
            for (int k = 0; k < task->act_dim; k++) a[k] = rng_range(&r, -1.0, 1.0);
            venv_step_out out;
            if ((rc = venv_step(v, i, a, NULL, &out, e)) != ERR_OK) break;
        }
        const void *s = venv_state(v, i);
        memcpy(copy, s, task->state_size);
        memcpy(ref, s, task->state_size);
        reward_terms t;
        reward_terms_clear(&t);
        double total = fn(copy, &t);
        int call = c + 1;
        if (t.n < 0 || t.n > REWARD_MAX_TERMS) {  // reward_terms is host memory the reward can reach
            rc = err_set(e, ERR_REWARD, "compute_reward overwrote its reward_terms (call %d): record "
                         "components only through term()", call);
            break;
        }
        if (memcmp(copy, ref, task->state_size) != 0) {
            rc = err_set(e, ERR_REWARD, "compute_reward wrote to its read-only state (call %d): treat `s` as "
                         "const and keep intermediate values in locals", call);
            break;
        }
        if (t.overflow) {
            rc = err_set(e, ERR_REWARD, "compute_reward recorded more than %d distinct components with term() "
                         "(call %d): merge or drop some", REWARD_MAX_TERMS, call);
            break;
        }
        if (t.bad_name) {
            rc = err_set(e, ERR_REWARD, "term() got a component name that is not a C identifier of at most %d "
                         "characters (call %d): use names like \"distance_reward\"", REWARD_NAME_MAX - 1, call);
            break;
        }
        for (int k = 0; k < t.n && rc == ERR_OK; k++)
            if (!isfinite(t.value[k]))
                rc = err_set(e, ERR_NONFINITE, "reward component '%s' is %s at call %d: guard divisions, "
                             "logs and square roots", t.name[k], nonfinite_word(t.value[k]), call);
        if (rc == ERR_OK && !isfinite(total))
            rc = err_set(e, ERR_NONFINITE, "the total reward returned by compute_reward is %s at call %d",
                         nonfinite_word(total), call);
        if (rc) break;
        for (int k = 0; k < t.n; k++) {
            int j = 0;
            while (j < nst && strncmp(st[j].name, t.name[k], REWARD_NAME_MAX - 1) != 0) j++;
            if (j == nst) {
                if (nst == REWARD_MAX_TERMS) continue;  // over all calls, not one: keep the first 16
                snprintf(st[j].name, sizeof st[j].name, "%s", t.name[k]);
                st[j].min = INFINITY; st[j].max = -INFINITY; st[j].sum = 0; st[j].count = 0;
                nst++;
            }
            double x = t.value[k];
            if (x < st[j].min) st[j].min = x;
            if (x > st[j].max) st[j].max = x;
            st[j].sum += x;
            st[j].count++;
        }
        if (total < tmin) tmin = total;
        if (total > tmax) tmax = total;
        tsum += total;
        if ((c & 63) == 63) {
            cJSON *pr = cJSON_CreateObject();
            cJSON_AddNumberToObject(pr, "calls", call);
            cJSON_AddNumberToObject(pr, "total", calls);
            sb_progress(ch, pr);
            cJSON_Delete(pr);
        }
    }
    free(copy); free(ref); free(a);
    venv_free(v);
    if (rc) return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", task->name);
    cJSON_AddNumberToObject(o, "calls", calls);
    cJSON_AddNumberToObject(o, "seconds", now_s() - t0);
    cJSON *arr = cJSON_AddArrayToObject(o, "components");
    for (int j = 0; j < nst; j++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", st[j].name);
        cJSON_AddNumberToObject(c, "min", st[j].min);
        cJSON_AddNumberToObject(c, "mean", st[j].sum / (double)st[j].count);
        cJSON_AddNumberToObject(c, "max", st[j].max);
        cJSON_AddNumberToObject(c, "count", (double)st[j].count);
        cJSON_AddItemToArray(arr, c);
    }
    cJSON *tot = cJSON_AddObjectToObject(o, "total");
    cJSON_AddNumberToObject(tot, "min", tmin);
    cJSON_AddNumberToObject(tot, "mean", tsum / calls);
    cJSON_AddNumberToObject(tot, "max", tmax);
    return o;
}
