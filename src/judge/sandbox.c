// sandbox.c: start locked-down worker processes and judge how they ended (see sandbox.h).
//
// Start: posix_spawn of the worker binary (judge/worker.h) with an empty environment,
//   its own process group, default signals, stdin = the job pipe, fd 3 = the result
//   pipe, stdout/stderr = /dev/null; then the job is written and the pipe closed.
// Protocol: newline-delimited JSON objects with a "type": "compiled", "progress"
//   {data}, "result" {data}, "error" {status, message}, "syscall" {nr}. Every byte is
//   untrusted: after "compiled" the reward shares the worker's process and can write
//   anything on the pipe. So the output is capped and read in time linear in its size,
//   every line is parsed with cJSON, the order of the protocol is enforced (a forged
//   second result or a compile error after "compiled" fails the job), and every string
//   is passed through the one sanitiser (util/sanitize.h) before anything keeps it.
//   What the worker reports decides nothing the parent can re-measure (judge.c).
// Parent: non-blocking reads driven by poll, a compile deadline, a wall-clock deadline
//   and a stall limit enforced with SIGKILL on the worker's process group, and a
//   classification of every ending: before "compiled" every ending is the compiler's.
#define _GNU_SOURCE 1
#include "judge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reward/reward.h"
#include "util/fs.h"
#include "util/sanitize.h"

#include "judge/worker.h"
#include "util/clock.h"

#ifndef EUREKA_WORKER
#define EUREKA_WORKER "eureka-worker"
#endif

static const char *const status_names[] = {
    "ok", "compile_error", "crash", "arithmetic_error", "timeout", "memory_limit",
    "forbidden_syscall", "nonfinite_reward", "bad_reward", "error", "interrupted", "no_code",
    "truncated"};

const char *sb_status_name(sb_status s) {
    if ((unsigned)s < sizeof status_names / sizeof status_names[0]) return status_names[s];
    return "error";
}

int sb_status_parse(const char *name, sb_status *out, err_info *e) {
    for (size_t i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (sb_status)i;
            return ERR_OK;
        }
    return err_set(e, ERR_PARSE, "unknown status '%.40s'", name ? name : "(none)");
}

void sb_limits_default(sb_limits *l) {
    l->wall_seconds = 1200;
    l->cpu_seconds = 2400;
    l->mem_bytes = (size_t)1 << 30;
    l->out_cap = (size_t)4 << 20;
    l->stall_seconds = 0;
    l->compile_seconds = 20;
}

// ---- parent side ------------------------------------------------------------

struct sb_proc {
    pid_t pid;
    int fd;                 // read end; -1 after EOF
    int index;
    sb_limits limits;
    double t0, deadline;
    double last_msg;        // when the worker last sent a complete line
    double cpu_at_msg;      // its CPU seconds then (-1: unreadable)
    double cpu_seen, cpu_seen_t;    // its CPU seconds when they last grew, and when
    double stall_at;        // when to look at the stall limit next
    char *buf;              // current partial line
    size_t len, bufcap;
    size_t scanned;         // bytes of buf already searched for a line end
    size_t total;           // bytes received
    int timed_out, stalled, compile_timeout, overflow, stopped, reaped, wstatus;
    struct rusage ru;
    cJSON *result;
    int have_error;
    char err_status[32];
    char err_msg[ERR_MSG_MAX];
    int syscall_nr;
    char violation[64];     // the first break of the protocol ("" if none)
    int compiled;           // the worker said "compiled": the candidate compiled
};

// CPU seconds all threads of process pid have used (from /proc/PID/stat), -1 when it
// cannot be read.
static double proc_cpu_seconds(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');     // the command name may hold spaces and ')'
    unsigned long ut, st;
    if (!rp || sscanf(rp + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

// A message from the worker restarts the stall clock.
static void stall_reset(sb_proc *p, double t) {
    p->last_msg = t;
    p->cpu_at_msg = p->limits.stall_seconds > 0 ? proc_cpu_seconds(p->pid) : -1;
    p->cpu_seen = p->cpu_at_msg;
    p->cpu_seen_t = t;
    p->stall_at = t + p->limits.stall_seconds;
}

// Whether the worker, silent since last_msg, has stalled (called at stall_at): it spent
// stall_seconds of CPU time without a message (a reward in an endless loop), or used no
// CPU at all for stall_seconds (blocked), or has been silent for STALL_WALL_FACTOR times
// that (a reward that sleeps between sips of CPU to dodge both). CPU time, not the wall
// clock, so that a worker starved of the cores by a busy machine is not taken for a
// loop. Else the next look.
#define STALL_WALL_FACTOR 10
static int stall_check(sb_proc *p, double t) {
    double lim = p->limits.stall_seconds, cpu = proc_cpu_seconds(p->pid);
    if (cpu < 0 || p->cpu_at_msg < 0) return 1;        // cannot tell: the wall clock decides
    if (cpu - p->cpu_at_msg >= lim || t - p->last_msg >= STALL_WALL_FACTOR * lim) return 1;
    if (cpu <= p->cpu_seen && t - p->cpu_seen_t >= lim) return 1;
    if (cpu > p->cpu_seen) { p->cpu_seen = cpu; p->cpu_seen_t = t; }
    double need = lim - (cpu - p->cpu_at_msg);        // CPU seconds left, at full speed
    p->stall_at = t + (need > 0.05 * lim ? need : 0.05 * lim);
    if (p->stall_at > p->cpu_seen_t + lim) p->stall_at = p->cpu_seen_t + lim;
    if (p->stall_at > p->last_msg + STALL_WALL_FACTOR * lim) p->stall_at = p->last_msg + STALL_WALL_FACTOR * lim;
    return 0;
}

// The endings a worker may claim for itself (before "compiled": only the first three);
// every other one the parent decides.
static int known_child_status(const char *s, int compiled) {
    sb_status st = SB_ERROR;
    if (sb_status_parse(s, &st, NULL) != ERR_OK) return 0;
    if (!compiled) return st == SB_COMPILE || st == SB_ERROR || st == SB_MEMORY;
    return st == SB_NONFINITE || st == SB_REWARD || st == SB_MEMORY || st == SB_ERROR;
}

static void violate(sb_proc *p, const char *what) {
    if (!p->violation[0]) snprintf(p->violation, sizeof p->violation, "%s", what);
}

// *s, sanitised in place when it holds anything the sanitiser would change (cJSON's
// allocator owns it). 0 without memory. No line cap: the reader already bounds the whole
// line, and a long value (the saved training in base64) must arrive whole.
static int clean_string(char **s) {
    size_t n = strlen(*s);
    char *clean = san_dup(*s, n, 0, 4 * n + 8, 4 * n + 8);
    if (!clean) return 0;
    if (strcmp(clean, *s) != 0) {
        size_t m = strlen(clean) + 1;
        char *copy = cJSON_malloc(m);
        if (!copy) { free(clean); return 0; }
        memcpy(copy, clean, m);
        cJSON_free(*s);
        *s = copy;
    }
    free(clean);
    return 1;
}

// Every key and string value under o through the one sanitiser. 0 without memory.
static int clean_json(cJSON *o) {
    for (cJSON *c = o->child; c; c = c->next) {
        if (c->string && !(c->type & cJSON_StringIsConst) && !clean_string(&c->string)) return 0;
        if (cJSON_IsString(c) && c->valuestring && !clean_string(&c->valuestring)) return 0;
        if (c->child && !clean_json(c)) return 0;
    }
    return 1;
}

// 1 if every component name in a result ("components": an array of {"name", ...} or
// an object keyed by name) is one term() accepts. The reward can rewrite the names the
// worker keeps after term() checked them; they reach the terminal, run files and the LLM.
static int names_ok(const cJSON *result) {
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(result, "components");
    if (!comps) return 1;
    if ((!cJSON_IsArray(comps) && !cJSON_IsObject(comps)) || cJSON_GetArraySize(comps) > REWARD_MAX_TERMS) return 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, comps) {
        const char *name = cJSON_IsArray(comps) ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"))
                                                : c->string;
        if (!reward_name_ok(name)) return 0;
    }
    return 1;
}

cJSON *sandbox_parse_untrusted(const char *text, size_t n, size_t cap) {
    if (!text || n > cap) return NULL;
    cJSON *o = cJSON_ParseWithLength(text, n);
    if (!cJSON_IsObject(o) || !clean_json(o) || !names_ok(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

// One line of worker output (see the protocol at the top).
static void handle_line(sb_proc *p, const char *line, size_t n,
                        void (*on_progress)(void *, int, const cJSON *), void *ctx) {
    cJSON *o = cJSON_ParseWithLength(line, n);
    if (!o || !cJSON_IsObject(o)) { violate(p, "a line that is not a JSON object"); cJSON_Delete(o); return; }
    stall_reset(p, now_s());
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "";
    int ended = p->result || p->have_error;
    if (strcmp(t, "compiled") == 0) {
        if (p->compiled || ended) violate(p, "a second \"compiled\"");
        p->compiled = 1;
    } else if (strcmp(t, "progress") == 0) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "data");
        if (!p->compiled || ended || !cJSON_IsObject(d)) violate(p, "progress out of place");
        else if (clean_json(d) && on_progress) on_progress(ctx, p->index, d);
    } else if (strcmp(t, "result") == 0) {
        cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(o, "data");
        if (!p->compiled || ended || !cJSON_IsObject(d)) violate(p, p->result ? "a second result" : "a result out of place");
        else if (clean_json(d)) { p->result = d; d = NULL; }
        else violate(p, "a result too large to keep");
        cJSON_Delete(d);
    } else if (strcmp(t, "error") == 0) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
        if (ended || !cJSON_IsString(st) || !known_child_status(st->valuestring, p->compiled) || !cJSON_IsString(msg)) {
            violate(p, "an error out of place");
        } else {
            p->have_error = 1;
            snprintf(p->err_status, sizeof p->err_status, "%s", st->valuestring);
            san_str(p->err_msg, sizeof p->err_msg, msg->valuestring, 0);
        }
    } else if (strcmp(t, "syscall") == 0) {
        const cJSON *nr = cJSON_GetObjectItemCaseSensitive(o, "nr");
        if (p->syscall_nr >= 0 || ended || !cJSON_IsNumber(nr) || nr->valuedouble < 0 || nr->valuedouble >= 100000)
            violate(p, "a system call report out of place");
        else
            p->syscall_nr = (int)nr->valuedouble;
    } else {
        violate(p, "a line of unknown type");
    }
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
        // Only the new bytes are searched: a worker that drips bytes without a line end
        // costs the parent time linear in what it sends, not quadratic.
        size_t start = 0;
        char *nl;
        while ((nl = memchr(p->buf + p->scanned, '\n', p->len - p->scanned))) {
            size_t i = (size_t)(nl - p->buf);
            handle_line(p, p->buf + start, i - start, on_progress, ctx);
            start = p->scanned = i + 1;
        }
        if (start > 0) memmove(p->buf, p->buf + start, p->len - start);
        p->len -= start;
        p->scanned = p->len;
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

static char worker_path[4096];

// eureka-worker beside this executable (an installed or built eureka), else the build
// tree's (tests and benchmarks run from the build directory too).
static void find_worker(void) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(worker_path, sizeof worker_path, "%.4000s/eureka-worker", self);
            if (access(worker_path, X_OK) == 0) return;
        }
    }
    snprintf(worker_path, sizeof worker_path, "%s", EUREKA_WORKER);
}

const char *sandbox_worker_path(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, find_worker);
    return worker_path;
}

// Write the whole job to fd, which the worker reads before anything else. SIGPIPE is
// blocked meanwhile (a worker that dies early must not kill the parent) and a pending
// one is consumed.
static int write_job(int fd, const char *data, size_t n) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int ok = 1;
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) { ok = 0; break; }
        data += w;
        n -= (size_t)w;
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {}
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

static char *job_text(const sb_spec *spec, const sb_limits *l) {
    cJSON *job = cJSON_CreateObject();
    cJSON_AddStringToObject(job, "mode", spec->mode);
    cJSON_AddStringToObject(job, "task", spec->task->name);
    cJSON_AddStringToObject(job, "root", fs_root());
    cJSON_AddStringToObject(job, "reward", spec->reward_src);
    cJSON_AddNumberToObject(job, "threads", spec->threads > 0 ? spec->threads : 1);
    cJSON *lim = cJSON_AddObjectToObject(job, "limits");
    cJSON_AddNumberToObject(lim, "cpu", l->cpu_seconds);
    cJSON_AddNumberToObject(lim, "mem", (double)l->mem_bytes);
    if (spec->args) cJSON_AddItemToObject(job, "args", cJSON_Duplicate(spec->args, 1));
    char *txt = cJSON_PrintUnformatted(job);
    cJSON_Delete(job);
    return txt;
}

sb_proc *sandbox_start(const sb_spec *spec, err_info *e) {
    if (!spec || !spec->task || !spec->mode || !spec->reward_src) {
        err_set(e, ERR_INTERNAL, "sandbox_start: task, mode and reward source are required");
        return NULL;
    }
    const char *exe = spec->worker ? spec->worker : sandbox_worker_path();
    if (access(exe, X_OK) != 0) {
        err_set(e, ERR_NOTFOUND, "the worker binary %s is missing: build eureka-worker (scripts/setup.sh)",
                exe);
        return NULL;
    }
    sb_proc *p = calloc(1, sizeof *p);
    if (!p) { err_set(e, ERR_NOMEM, "out of memory starting a worker"); return NULL; }
    p->limits = spec->limits;
    if (p->limits.out_cap == 0) p->limits.out_cap = (size_t)4 << 20;
    if (p->limits.wall_seconds <= 0) p->limits.wall_seconds = 1200;
    if (p->limits.compile_seconds <= 0) p->limits.compile_seconds = 20;
    p->syscall_nr = -1;
    char *job = job_text(spec, &p->limits);
    int jobp[2] = {-1, -1}, resp[2] = {-1, -1};
    if (!job || pipe2(jobp, O_CLOEXEC) != 0 || pipe2(resp, O_CLOEXEC) != 0) {
        err_set(e, job ? ERR_IO : ERR_NOMEM, "cannot set up a worker: %s", job ? strerror(errno) : "out of memory");
        for (int i = 0; i < 2; i++) { if (jobp[i] >= 0) close(jobp[i]); if (resp[i] >= 0) close(resp[i]); }
        cJSON_free(job);
        free(p);
        return NULL;
    }
    // The child's descriptors: 0 = job, 3 = results, 1 and 2 = /dev/null (2 stays the
    // parent's stderr under the sanitizers, for their reports). Everything else is
    // close-on-exec here, and the worker closes what might remain.
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, jobp[0], WORKER_JOB_FD);
    posix_spawn_file_actions_adddup2(&fa, resp[1], WORKER_RESULT_FD);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
#ifndef EUREKA_SANITIZE
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
#endif
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    char *argv[] = {(char *)"eureka-worker", NULL};
    char *envp[] = {NULL};      // nothing of the parent's environment
    fflush(NULL);
    p->t0 = now_s();
    p->deadline = p->t0 + p->limits.wall_seconds;
    p->last_msg = p->stall_at = p->t0;
    p->cpu_at_msg = -1;
    pid_t pid;
    int sr = posix_spawn(&pid, exe, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(jobp[0]);
    close(resp[1]);
    if (sr != 0) {
        err_set(e, ERR_INTERNAL, "cannot start the worker %s: %s", exe, strerror(sr));
        close(jobp[1]); close(resp[0]); cJSON_free(job); free(p);
        return NULL;
    }
    p->pid = pid;
    p->fd = resp[0];
    // A worker that dies before reading its job ends as classified below; the write
    // failing changes nothing else.
    write_job(jobp[1], job, strlen(job));
    close(jobp[1]);
    cJSON_free(job);
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
        // Before "compiled" the compile deadline applies, after it the stall limit.
        if (p->compiled && p->limits.stall_seconds > 0 && p->stall_at - t < left) left = p->stall_at - t;
        if (!p->compiled && p->t0 + p->limits.compile_seconds - t < left) left = p->t0 + p->limits.compile_seconds - t;
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
        int compile_late = !p->compiled && t >= p->t0 + p->limits.compile_seconds;
        int stalled = p->compiled && p->limits.stall_seconds > 0 && t >= p->stall_at && stall_check(p, t);
        if (!p->reaped && !p->timed_out && (t >= p->deadline || compile_late || stalled)) {
            p->timed_out = 1;
            p->compile_timeout = compile_late && t < p->deadline;
            p->stalled = !p->compile_timeout && t < p->deadline;
            kill_worker(p);
        }
        if (p->fd < 0 || p->timed_out || p->overflow) try_reap(p, p->timed_out || p->overflow);
    }
}

int sandbox_done(const sb_proc *p) { return !p || (p->reaped && p->fd < 0); }

int sandbox_pid(const sb_proc *p) { return p ? (int)p->pid : -1; }

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

// The number and name of a forbidden system call into res.
static void syscall_text(int nr, sb_result *res) {
    res->syscall_nr = nr;
    char *name = nr >= 0 ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr) : NULL;
    snprintf(res->syscall_name, sizeof res->syscall_name, "%s", name ? name : "unknown");
    free(name);
}

static void classify(sb_proc *p, sb_result *res) {
    const sb_limits *l = &p->limits;
    int sig = WIFSIGNALED(p->wstatus) ? WTERMSIG(p->wstatus) : 0;
    double cpu = (double)p->ru.ru_utime.tv_sec + p->ru.ru_utime.tv_usec * 1e-6 +
                 (double)p->ru.ru_stime.tv_sec + p->ru.ru_stime.tv_usec * 1e-6;
    res->signal = sig;
    if (p->stopped) {
        res->status = SB_INTERRUPTED;
        snprintf(res->message, sizeof res->message, "the worker was stopped before it finished (interrupted)");
    } else if (p->overflow) {
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "the worker's output exceeded the %zu-byte limit and it was stopped",
                 l->out_cap);
    } else if (p->violation[0]) {
        res->status = SB_REWARD;
        snprintf(res->message, sizeof res->message, "the worker's output broke the protocol (%s): the reward wrote "
                 "to the worker's result channel; a reward must only compute from its state", p->violation);
    } else if (!p->compiled && !p->have_error) {
        // Nothing of the candidate ran before "compiled": every ending is the compiler's.
        res->status = SB_COMPILE;
        syscall_text(p->syscall_nr, res);
        if (p->timed_out)
            snprintf(res->message, sizeof res->message, "compiling the reward took longer than %g s and was "
                     "stopped: simplify the source (deep nesting, huge expressions or macros)",
                     p->compile_timeout ? l->compile_seconds : l->wall_seconds);
        else if (p->syscall_nr >= 0 || sig == SIGSYS)
            snprintf(res->message, sizeof res->message, "the compiler made a forbidden system call (%s) on this "
                     "source: rewards cannot reach files or libraries", res->syscall_name);
        else if (sig)
            snprintf(res->message, sizeof res->message, "the compiler crashed on this source (signal %d, %s): "
                     "simplify it (deep nesting, huge expressions or macros)", sig, strsignal(sig));
        else
            snprintf(res->message, sizeof res->message, "the compiler stopped without a result on this source "
                     "(exit status %d)", WIFEXITED(p->wstatus) ? WEXITSTATUS(p->wstatus) : -1);
    } else if (p->syscall_nr >= 0 || sig == SIGSYS) {
        res->status = SB_SYSCALL;
        syscall_text(p->syscall_nr, res);
        if (p->syscall_nr >= 0)
            snprintf(res->message, sizeof res->message, "forbidden system call %d (%s): rewards may only compute "
                     "from their state (no files, processes, network or assembly)", p->syscall_nr, res->syscall_name);
        else
            snprintf(res->message, sizeof res->message, "forbidden system call (killed by SIGSYS): rewards may only "
                     "compute from their state");
    } else if (p->stalled) {
        res->status = SB_TIMEOUT;
        snprintf(res->message, sizeof res->message, "no progress for %g s (of CPU time, or idle; %g s at most by "
                 "the clock) and the worker was killed; compute_reward must return quickly (no long or endless loops)",
                 l->stall_seconds, STALL_WALL_FACTOR * l->stall_seconds);
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
        res->status = SB_ERROR;
        sb_status_parse(p->err_status, &res->status, NULL);
        snprintf(res->message, sizeof res->message, "%s", p->err_msg);
    } else if (p->result && !names_ok(p->result)) {
        res->status = SB_REWARD;
        snprintf(res->message, sizeof res->message, "the worker reported a component name that term() would not "
                 "accept: the reward wrote outside its own memory (it must only compute from its state)");
    } else if (p->result && WIFEXITED(p->wstatus) && WEXITSTATUS(p->wstatus) == 0) {
        res->status = SB_OK;
        res->result = p->result;
        p->result = NULL;
    } else {
        res->status = SB_ERROR;
        snprintf(res->message, sizeof res->message, "the worker ended without a result (exit status %d)",
                 WIFEXITED(p->wstatus) ? WEXITSTATUS(p->wstatus) : -1);
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

