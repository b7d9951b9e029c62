// test_mlp.c: the hand-written backprop against finite differences, batch vs single
// forward, the matrix kernels on every tile shape, the backward pass's element-wise
// bits, and Adam's first steps.
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "rl/mlp.h"
#include "testlib.h"

// Loss = sum over samples and outputs of c[s][k] * y[s][k]^2 / 2 (nonlinear in y).
static double loss(mlp *m, mlp_batch *b, const float *x, const float *c, int n) {
    const float *y = mlp_forward(m, b, x, n);
    double L = 0;
    for (int k = 0; k < n * m->size[m->n_layers]; k++) L += 0.5 * c[k] * (double)y[k] * y[k];
    return L;
}

static void test_gradient_matches_finite_differences(void) {
    rng r;
    rng_seed(&r, 7, 0);
    int nin = 5, nout = 3, n = 4;
    mlp *m = mlp_new(nin, 8, 2, nout, 1.0, &r);
    CHECK(m != NULL);
    for (int k = 0; k < m->n_params; k++) m->param[k] += (float)(0.1 * rng_normal(&r));
    mlp_batch *b = mlp_batch_new(m, n);
    float x[4 * 5], c[4 * 3], dy[4 * 3];
    for (int k = 0; k < n * nin; k++) x[k] = (float)rng_normal(&r);
    for (int k = 0; k < n * nout; k++) c[k] = (float)rng_range(&r, 0.5, 1.5);
    const float *y = mlp_forward(m, b, x, n);
    for (int k = 0; k < n * nout; k++) dy[k] = c[k] * y[k];
    mlp_zero_grad(m);
    mlp_backward(m, b, dy, n);
    int bad = 0;
    double worst = 0;
    for (int k = 0; k < m->n_params; k++) {
        float p0 = m->param[k], h = 1e-2f;
        m->param[k] = p0 + h;
        double lp = loss(m, b, x, c, n);
        m->param[k] = p0 - h;
        double lm = loss(m, b, x, c, n);
        m->param[k] = p0;
        double num = (lp - lm) / (2.0 * h), ana = m->grad[k];
        double err = fabs(num - ana) / (fabs(num) + fabs(ana) + 1e-3);
        if (err > worst) worst = err;
        if (err > 2e-2) bad++;
    }
    CHECK_MSG(bad == 0, "%d of %d gradients off, worst relative error %g", bad, m->n_params, worst);
    mlp_batch_free(b);
    mlp_free(m);
}

static void test_single_and_batch_forward_agree(void) {
    rng r;
    rng_seed(&r, 3, 0);
    mlp *m = mlp_new(6, 16, 2, 2, 0.01, &r);
    mlp_batch *b = mlp_batch_new(m, 3);
    float x[18], y1[2];
    float *scratch = malloc(sizeof(float) * (size_t)mlp_scratch_size(m));
    for (int k = 0; k < 18; k++) x[k] = (float)rng_normal(&r);
    const float *y = mlp_forward(m, b, x, 3);
    for (int s = 0; s < 3; s++) {
        mlp_forward1(m, x + 6 * s, y1, scratch);
        CHECK(y1[0] == y[2 * s] && y1[1] == y[2 * s + 1]);
    }
    // Output layer scaled by 0.01: outputs start small.
    CHECK(fabsf(y[0]) < 0.2f);
    free(scratch);
    mlp_batch_free(b);
    mlp_free(m);
}

// The two matrix kernels against a double-precision product, on shapes that reach every
// tile and tail (k and m around the 6-, 4- and 1-row tiles and the 16- and 8-wide blocks;
// 51 is reorient's observation size). And each weight-gradient row is the same bits as
// that row computed alone (k = 1): an element's sum does not depend on its tile.
static void test_kernels_every_tile(void) {
    rng r;
    rng_seed(&r, 11, 0);
    const int ks[] = {1, 3, 4, 6, 7, 10, 51}, ms[] = {1, 8, 9, 16, 17, 64}, n = 37;
    int bad = 0, moved = 0;
    for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
        for (size_t b = 0; b < sizeof ms / sizeof *ms; b++) {
            int k = ks[a], m = ms[b];
            float *A = malloc(sizeof(float) * (size_t)(n * k)), *B = malloc(sizeof(float) * (size_t)(k * m));
            float *D = malloc(sizeof(float) * (size_t)(n * m)), *bias = malloc(sizeof(float) * (size_t)m);
            float *C = malloc(sizeof(float) * (size_t)(n * m)), *G = calloc((size_t)(k * m), sizeof(float));
            float *col = malloc(sizeof(float) * (size_t)n), *G1 = malloc(sizeof(float) * (size_t)m);
            for (int i = 0; i < n * k; i++) A[i] = (float)rng_normal(&r);
            for (int i = 0; i < k * m; i++) B[i] = (float)rng_normal(&r);
            for (int i = 0; i < n * m; i++) D[i] = (float)rng_normal(&r);
            for (int i = 0; i < m; i++) bias[i] = (float)rng_normal(&r);
            mlp_gemm_nn(A, B, bias, C, n, k, m);
            mlp_gemm_tn(A, D, G, n, k, m);
            for (int s = 0; s < n; s++) {
                for (int j = 0; j < m; j++) {
                    double want = bias[j];
                    for (int i = 0; i < k; i++) want += (double)A[s * k + i] * B[i * m + j];
                    if (fabs(C[s * m + j] - want) > 1e-5 * (k + 1)) bad++;
                }
                mlp_gemm_nn(A + s * k, B, bias, G1, 1, k, m);   // the sample alone
                if (memcmp(G1, C + s * m, sizeof(float) * (size_t)m) != 0) moved++;
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < m; j++) {
                    double want = 0;
                    for (int s = 0; s < n; s++) want += (double)A[s * k + i] * D[s * m + j];
                    if (fabs(G[i * m + j] - want) > 1e-5 * n) bad++;
                }
                for (int s = 0; s < n; s++) col[s] = A[s * k + i];
                memset(G1, 0, sizeof(float) * (size_t)m);
                mlp_gemm_tn(col, D, G1, n, 1, m);
                if (memcmp(G1, G + i * m, sizeof(float) * (size_t)m) != 0) moved++;
            }
            free(A); free(B); free(D); free(bias); free(C); free(G); free(col); free(G1);
        }
    CHECK_MSG(bad == 0, "%d kernel outputs off the double-precision product", bad);
    CHECK_MSG(moved == 0, "%d forward or weight-gradient rows change bits with their tile", moved);
}

// The backward pass's element-wise parts keep the plain loops' bits: a bias gradient is
// its layer's deltas summed sample after sample, and a hidden delta is (delta W^T) times
// (1 - a*a) rounded step by step. Widths 20 and 9 take the 16-, 8- and 1-column paths.
static void test_backward_elementwise_bits(void) {
    rng r;
    rng_seed(&r, 13, 0);
    int nin = 3, hid = 20, nout = 9, n = 13;
    mlp *m = mlp_new(nin, hid, 2, nout, 1.0, &r);
    mlp_batch *b = mlp_batch_new(m, n);
    CHECK(m != NULL && b != NULL);
    float x[13 * 3], dy[13 * 9], wt[9 * 20], d1[13 * 20];
    for (int k = 0; k < n * nin; k++) x[k] = (float)rng_normal(&r);
    for (int k = 0; k < n * nout; k++) dy[k] = (float)rng_normal(&r);
    mlp_forward(m, b, x, n);
    mlp_zero_grad(m);
    mlp_backward(m, b, dy, n);
    int bad = 0;
    const float *g_out = m->grad + m->b_off[2];
    for (int j = 0; j < nout; j++) {
        float want = 0;
        for (int s = 0; s < n; s++) want += dy[s * nout + j];
        bad += memcmp(&want, g_out + j, sizeof want) != 0;
    }
    const float *W = m->param + m->w_off[2], *a = b->act[2];
    for (int i = 0; i < hid; i++)
        for (int j = 0; j < nout; j++) wt[j * hid + i] = W[i * nout + j];
    mlp_gemm_nn(dy, wt, NULL, d1, n, nout, hid);
    for (int k = 0; k < n * hid; k++) d1[k] *= 1.0f - a[k] * a[k];
    const float *g_hid = m->grad + m->b_off[1];
    for (int j = 0; j < hid; j++) {
        float want = 0;
        for (int s = 0; s < n; s++) want += d1[s * hid + j];
        bad += memcmp(&want, g_hid + j, sizeof want) != 0;
    }
    CHECK_MSG(bad == 0, "%d bias gradients differ in bits from the sample-order sums", bad);
    mlp_batch_free(b);
    mlp_free(m);
}

static void test_tanh(void) {
    float x[2001];
    double worst = 0;
    for (int k = 0; k <= 2000; k++) x[k] = (float)(-10.0 + 0.01 * k);
    mlp_tanh(x, 2001);
    for (int k = 0; k <= 2000; k++) {
        double d = fabs(x[k] - tanh(-10.0 + 0.01 * k));
        if (d > worst) worst = d;
    }
    CHECK_MSG(worst < 1e-6, "worst tanh error %g", worst);
    // An element gets the same bits in a vector lane and in the scalar tail, and
    // saturates to exactly +-1.
    float a[13], b[13];
    for (int k = 0; k < 13; k++) a[k] = b[k] = (float)(-9.0 + 1.5 * k);
    mlp_tanh(a, 13);
    mlp_tanh(b + 5, 8);
    mlp_tanh(b, 5);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(a[0] == -1.0f && a[12] == 1.0f && a[1] > -1.0f);
}

static void test_adam(void) {
    mlp_adam *a = mlp_adam_new(2);
    float p[2] = {1.0f, -1.0f}, g[2] = {0.5f, -20.0f};
    mlp_adam_step(a, p, g, 0.1, 1e-8);
    // First bias-corrected step is lr * sign(g) whatever the gradient's size.
    CHECK(fabsf(p[0] - 0.9f) < 1e-5f);
    CHECK(fabsf(p[1] + 0.9f) < 1e-5f);
    // Minimise (p - 3)^2 from 0.
    float q[1] = {0.0f}, gq[1];
    mlp_adam *a1 = mlp_adam_new(1);
    for (int t = 0; t < 2000; t++) {
        gq[0] = 2.0f * (q[0] - 3.0f);
        mlp_adam_step(a1, q, gq, 0.05, 1e-8);
    }
    CHECK_MSG(fabsf(q[0] - 3.0f) < 1e-2f, "q = %g", q[0]);
    mlp_adam_free(a);
    mlp_adam_free(a1);
    mlp_adam_free(NULL);
    mlp_free(NULL);
    mlp_batch_free(NULL);
}

int main(void) {
    TEST_RUN(test_gradient_matches_finite_differences);
    TEST_RUN(test_single_and_batch_forward_agree);
    TEST_RUN(test_kernels_every_tile);
    TEST_RUN(test_backward_elementwise_bits);
    TEST_RUN(test_tanh);
    TEST_RUN(test_adam);
    TEST_END();
}
