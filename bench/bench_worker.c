// bench_worker.c: what a worker process costs the parent, per candidate.
//
// 1. Start-up: the smallest real job (eureka-worker, `check` with one reward call) from
//    sandbox_start to its verdict, per task: exec with an empty environment, the job
//    over the pipe, the task's model preloaded, the compile-stage filter, the compile,
//    the run-stage filter, one call, the result. Median of 21 (the machine is shared).
//    Target: < 50 ms.
// 2. Reading: a worker that drips bytes one write() at a time, with a pause after each
//    (so that the parent wakes up for nearly every byte), without a line end (this
//    binary, started as its own worker), costs the parent CPU time linear in the bytes:
//    the ratio of parent CPU for 4x the bytes should be near 4, not 16.
//
//   cmake --build build --target bench_worker && build/bench_worker
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "judge/sandbox.h"
#include "judge/worker.h"
#include "task/task.h"

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double self_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Started by sandbox_start as "eureka-worker": read the job (its "bytes"), say
// "compiled", then drip that many bytes, one write and a short sleep each, and end the
// line.
static int drip_worker(void) {
    char job[4096];
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof job && (r = read(WORKER_JOB_FD, job + n, sizeof job - n - 1)) > 0) n += (size_t)r;
    job[n] = '\0';
    const char *b = strstr(job, "\"bytes\":");
    long bytes = b ? atol(b + 8) : 0;
    if (write(WORKER_RESULT_FD, "{\"type\":\"compiled\"}\n", 20) != 20) return 1;
    struct timespec pause = {0, 1000};
    for (long i = 0; i < bytes; i++) {
        if (write(WORKER_RESULT_FD, "x", 1) != 1) return 1;
        nanosleep(&pause, NULL);
    }
    return write(WORKER_RESULT_FD, "\n", 1) == 1 ? 0 : 1;
}

static const char *reward =
    "double compute_reward(const env_state *s, reward_terms *t) { return term(t, \"step\", s->step); }\n";

static void startup(const char *task) {
    enum { N = 21 };
    double t[N];
    cJSON *args = cJSON_Parse("{\"calls\": 1, \"envs\": 1, \"seed\": 1}");
    int ok = 1;
    for (int i = 0; i < N; i++) {
        sb_spec s;
        memset(&s, 0, sizeof s);
        s.task = task_find(task);
        s.reward_src = reward;
        s.mode = "check";
        s.args = args;
        s.threads = 1;
        sb_limits_default(&s.limits);
        s.limits.wall_seconds = 60;
        sb_result r;
        double t0 = wall();
        sandbox_run(&s, NULL, NULL, &r);
        t[i] = wall() - t0;
        if (r.status != SB_OK) {
            fprintf(stderr, "bench_worker: %s: %s: %s\n", task, sb_status_name(r.status), r.message);
            ok = 0;
        }
        sb_result_free(&r);
    }
    cJSON_Delete(args);
    qsort(t, N, sizeof t[0], cmp_double);
    printf("start-up  %-12s median %.1f ms, min %.1f ms, max %.1f ms per job (%d jobs)%s\n", task, t[N / 2] * 1e3,
           t[0] * 1e3, t[N - 1] * 1e3, N, ok ? "" : "  FAILED");
}

// Parent CPU seconds to read a drip of bytes.
static double drip(long bytes) {
    char job[64];
    snprintf(job, sizeof job, "{\"bytes\": %ld}", bytes);
    cJSON *args = cJSON_Parse(job);
    sb_spec s;
    memset(&s, 0, sizeof s);
    s.task = task_find("cartpole");
    s.reward_src = reward;
    s.mode = "drip";
    s.args = args;
    s.worker = "/proc/self/exe";
    sb_limits_default(&s.limits);
    s.limits.wall_seconds = 120;
    double c0 = self_cpu();
    sb_result r;
    sandbox_run(&s, NULL, NULL, &r);
    double c = self_cpu() - c0;
    sb_result_free(&r);
    cJSON_Delete(args);
    return c;
}

int main(int argc, char **argv) {
    if (argc > 0 && strcmp(argv[0], "eureka-worker") == 0) return drip_worker();
    startup("cartpole");
    startup("reorient");
    long small = 16 << 10;
    double a = drip(small), b = drip(4 * small);
    printf("reading   a drip of %ld KiB costs the parent %.3f s CPU, of %ld KiB %.3f s: ratio %.1f "
           "(linear 4, quadratic 16)\n", small >> 10, a, (4 * small) >> 10, b, a > 0 ? b / a : 0.0);
    return 0;
}
