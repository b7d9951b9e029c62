// bench_gemm.c: our matrix kernels (src/rl/mlp.c) against OpenBLAS on one core, on the
// shapes of a PPO update: for each task, the actor and critic layers at the task's default
// width and minibatch size, in the three products an update makes of every layer (forward
// C = A W + b, weight gradient G += A^T D, the delta back through W). Both sides get the
// same inputs; their results are compared (a wrong kernel would be fast for nothing).
// Prints GFLOP/s per product, its share of this core's multiply-add peak (measured first,
// with independent FMA chains, beside the ceiling of the kernel's tile with its operands
// in L1), and per task the time of one update's products: ours over
// OpenBLAS's (above 1, OpenBLAS would be faster), and the least time the same operations
// could take at the peak. Best of 5 rounds, alternating.
//
// usage: bench_gemm [task ...]   (default: reorient cartpole)
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl/mlp.h"
#include "rl/ppo.h"
#include "task/task.h"
#include "util/clock.h"
#include "util/rng.h"

// OpenBLAS's own call (not in cblas.h): one thread, as a worker's training would run it.
void openblas_set_num_threads(int n);

typedef enum { FWD, WGRAD, DELTA } product;
static const char *product_name[] = {"forward", "weight grad", "delta"};

typedef struct shape { int n, k, m; product p; } shape;

static void fill(float *x, size_t n, uint64_t stream) {
    rng r;
    rng_seed(&r, 1, stream);
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_range(&r, -0.5, 0.5);
}

// One product with our kernels. W is [k][m] for FWD and WGRAD; for DELTA, W is the layer's
// [m][k] weights and the product is D W^T, which mlp_backward forms from a transposed copy.
static void ours(const shape *s, const float *A, const float *W, const float *bias, float *wt, float *C) {
    if (s->p == FWD) mlp_gemm_nn(A, W, bias, C, s->n, s->k, s->m);
    else if (s->p == WGRAD) mlp_gemm_tn(A, W, C, s->n, s->k, s->m);
    else {
        for (int i = 0; i < s->m; i++)
            for (int j = 0; j < s->k; j++) wt[(size_t)j * s->m + i] = W[(size_t)i * s->k + j];
        mlp_gemm_nn(A, wt, NULL, C, s->n, s->k, s->m);
    }
}

static void blas(const shape *s, const float *A, const float *W, const float *bias, float *C) {
    if (s->p == FWD) {
        for (int i = 0; i < s->n; i++) memcpy(C + (size_t)i * s->m, bias, (size_t)s->m * sizeof *C);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->n, s->m, s->k, 1.0f, A, s->k, W, s->m, 1.0f,
                    C, s->m);
    } else if (s->p == WGRAD)      // A is [n][k], W holds D [n][m]
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s->k, s->m, s->n, 1.0f, A, s->k, W, s->m, 1.0f,
                    C, s->m);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->n, s->m, s->k, 1.0f, A, s->k, W, s->k, 0.0f,
                    C, s->m);
}

// Seconds of reps calls, ours ([0]) and OpenBLAS's ([1]), best of 5 alternating rounds;
// *diff: the largest difference between the two results relative to the largest value.
static void time_shape(const shape *s, int reps, double sec[2], double *diff) {
    size_t na = (size_t)s->n * s->k, nw = s->p == WGRAD ? (size_t)s->n * s->m : (size_t)s->k * s->m;
    size_t nc = s->p == WGRAD ? (size_t)s->k * s->m : (size_t)s->n * s->m;
    float *A = malloc(na * sizeof *A), *W = malloc(nw * sizeof *W), *bias = malloc((size_t)s->m * sizeof *bias);
    float *wt = malloc((size_t)s->k * s->m * sizeof *wt), *C[2] = {calloc(nc, sizeof(float)), calloc(nc, sizeof(float))};
    if (!A || !W || !bias || !wt || !C[0] || !C[1]) { fprintf(stderr, "bench_gemm: out of memory\n"); exit(1); }
    fill(A, na, 1);
    fill(W, nw, 2);
    fill(bias, (size_t)s->m, 3);
    // One call each from zero for the comparison (the weight gradient accumulates).
    ours(s, A, W, bias, wt, C[0]);
    blas(s, A, W, bias, C[1]);
    double top = 0, d = 0;
    for (size_t i = 0; i < nc; i++) {
        top = fmax(top, fabs(C[1][i]));
        d = fmax(d, fabs(C[0][i] - C[1][i]));
    }
    *diff = top > 0 ? d / top : d;
    sec[0] = sec[1] = INFINITY;
    for (int round = 0; round < 5; round++) {
        double t = now_s();
        for (int r = 0; r < reps; r++) ours(s, A, W, bias, wt, C[0]);
        sec[0] = fmin(sec[0], now_s() - t);
        t = now_s();
        for (int r = 0; r < reps; r++) blas(s, A, W, bias, C[1]);
        sec[1] = fmin(sec[1], now_s() - t);
    }
    free(A); free(W); free(bias); free(wt); free(C[0]); free(C[1]);
}

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u_ __attribute__((vector_size(32), aligned(4), may_alias));
static volatile float sink;

// Both reference loops run ITERS steps of twelve 8-wide multiply-adds per round, return
// the round's seconds, and leave their sums in sink so that nothing is optimised away.
#define ITERS 20000000L

// This core's multiply-add peak: twelve independent chains in registers, enough to keep
// both FMA pipes busy through the latency.
__attribute__((target("avx2,fma"))) static double peak_round(void) {
    const v8 a = {0.999f, 0.999f, 0.999f, 0.999f, 0.999f, 0.999f, 0.999f, 0.999f};
    const v8 b = {1e-3f, 1e-3f, 1e-3f, 1e-3f, 1e-3f, 1e-3f, 1e-3f, 1e-3f};
    v8 x0 = a, x1 = a, x2 = a, x3 = a, x4 = a, x5 = a, x6 = a, x7 = a, x8 = a, x9 = a, x10 = a, x11 = a;
    double t = now_s();
    for (long i = 0; i < ITERS; i++) {
        x0 = x0 * a + b; x1 = x1 * a + b; x2 = x2 * a + b; x3 = x3 * a + b;
        x4 = x4 * a + b; x5 = x5 * a + b; x6 = x6 * a + b; x7 = x7 * a + b;
        x8 = x8 * a + b; x9 = x9 * a + b; x10 = x10 * a + b; x11 = x11 * a + b;
    }
    t = now_s() - t;
    v8 y = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
    sink = y[0] + y[7];
    return t;
}

// The same twelve chains fed the way the 6 x 16 tile of mlp.c feeds them: each step loads
// two 8-float weight rows and broadcasts six inputs, all from L1. What this reaches is
// the ceiling of that tile on this core, whatever the matrix.
__attribute__((target("avx2,fma"))) static double tile_round(void) {
    static float buf[64];
    for (int i = 0; i < 64; i++) buf[i] = 1e-3f * (float)i;
    v8 x00 = {0}, x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00;
    v8 x30 = x00, x31 = x00, x40 = x00, x41 = x00, x50 = x00, x51 = x00;
    const float *m = buf;
    double t = now_s();
    for (long i = 0; i < ITERS; i++) {
        const float *a = m + (i & 7);
        v8 w0 = *(const v8u_ *)(m + 16), w1 = *(const v8u_ *)(m + 24);
        x00 += a[0] * w0; x01 += a[0] * w1; x10 += a[1] * w0; x11 += a[1] * w1;
        x20 += a[2] * w0; x21 += a[2] * w1; x30 += a[3] * w0; x31 += a[3] * w1;
        x40 += a[4] * w0; x41 += a[4] * w1; x50 += a[5] * w0; x51 += a[5] * w1;
        __asm__("" : "+r"(m));  // the loads stay loads, as in a real matrix
    }
    t = now_s() - t;
    v8 y = x00 + x01 + x10 + x11 + x20 + x21 + x30 + x31 + x40 + x41 + x50 + x51;
    sink = y[0] + y[7];
    return t;
}

// GFLOP/s of a reference loop, best of 5 rounds; 0 on a CPU without AVX2 and FMA.
static double ref_gflops(double (*round_s)(void)) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    double best = INFINITY;
    for (int r = 0; r < 5; r++) best = fmin(best, round_s());
    return 2.0 * 8 * 12 * (double)ITERS / best / 1e9;
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    const char *fallback[] = {"reorient", "cartpole"};
    const char **names = argc > 1 ? (const char **)argv + 1 : fallback;
    int n_names = argc > 1 ? argc - 1 : 2;
    int worse = 0;
    double peak = ref_gflops(peak_round), ceiling = ref_gflops(tile_round);
    if (peak > 0)
        printf("this core's multiply-add peak: %.1f GFLOP/s (12 independent 8-wide FMA chains); the 6 x 16 tile's "
               "step with its operands in L1: %.1f GFLOP/s (%.0f%% of the peak)\n", peak, ceiling, 100 * ceiling / peak);
    for (int t = 0; t < n_names; t++) {
        const task_def *task = task_find(names[t]);
        if (!task) {
            fprintf(stderr, "bench_gemm: no task '%s' (eureka tasks lists them)\n", names[t]);
            return 2;
        }
        train_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        train_cfg_defaults(&cfg, task);
        int mb = cfg.n_envs * cfg.horizon / cfg.minibatches, h = cfg.hidden;
        // Actor obs->h->h->act and critic obs->h->h->1: each layer forward, its weight
        // gradient, and the delta back through it (not through the first layer).
        int layers[2][4] = {{task->obs_dim, h, h, task->act_dim}, {task->obs_dim, h, h, 1}};
        printf("%s: minibatch %d, width %d, %d epochs x %d minibatches per update\n", task->name, mb, h,
               cfg.epochs, cfg.minibatches);
        printf("  %-11s %5s %5s %5s  %9s %6s %9s  %s\n", "product", "n", "k", "m", "ours GF/s", "% peak",
               "BLAS GF/s", "max rel. diff");
        double tot[2] = {0, 0}, flops = 0;
        for (int net = 0; net < 2; net++)
            for (int l = 0; l < 3; l++)
                for (int p = FWD; p <= DELTA; p++) {
                    int in = layers[net][l], out = layers[net][l + 1];
                    if (p == DELTA && l == 0) continue;
                    shape s = {mb, p == DELTA ? out : in, p == DELTA ? in : out, (product)p};
                    double flop = 2.0 * s.n * s.k * s.m, sec[2], diff;
                    int reps = (int)fmax(20, 2e8 / flop);
                    time_shape(&s, reps, sec, &diff);
                    double ours_gf = flop * reps / sec[0] / 1e9;
                    printf("  %-11s %5d %5d %5d  %9.1f %6.0f %9.1f  %.1e\n", product_name[p], s.n, s.k, s.m,
                           ours_gf, peak > 0 ? 100 * ours_gf / peak : NAN, flop * reps / sec[1] / 1e9, diff);
                    flops += flop;
                    if (diff > 1e-4) worse = 1;
                    for (int i = 0; i < 2; i++) tot[i] += sec[i] / reps;
                }
        printf("  one update's products: ours %.2f ms, OpenBLAS %.2f ms: ours / OpenBLAS = %.2f\n",
               1e3 * tot[0] * cfg.epochs * cfg.minibatches, 1e3 * tot[1] * cfg.epochs * cfg.minibatches,
               tot[0] / tot[1]);
        if (peak > 0)
            printf("  at the multiply-add peak the same products would take %.2f ms: ours run at %.0f%% of it\n",
                   1e3 * flops / (peak * 1e9) * cfg.epochs * cfg.minibatches, 100 * flops / (peak * 1e9) / tot[0]);
    }
    if (worse) fprintf(stderr, "bench_gemm: the two kernels disagree beyond 1e-4 (see max rel. diff)\n");
    return worse;
}
