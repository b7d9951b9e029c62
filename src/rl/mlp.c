// mlp.c: dense tanh networks and Adam for the PPO learner (see mlp.h).
//
// Sized for 64x64 networks and minibatches of a few hundred samples, where a plain
// loop nest that the compiler vectorises is as fast as anything fancier. Every loop
// accumulates in a fixed order, so training is reproducible bit for bit.
#pragma GCC optimize("O3")
#include "rl/mlp.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

mlp *mlp_new(int n_in, int hidden, int n_hidden_layers, int n_out, double out_gain, rng *r) {
    if (n_in <= 0 || n_out <= 0 || hidden <= 0 || n_hidden_layers < 0 ||
        n_hidden_layers + 1 > MLP_MAX_LAYERS)
        return NULL;
    mlp *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_layers = n_hidden_layers + 1;
    m->size[0] = n_in;
    for (int l = 1; l <= n_hidden_layers; l++) m->size[l] = hidden;
    m->size[m->n_layers] = n_out;
    int off = 0, w = 0;
    for (int l = 0; l < m->n_layers; l++) {
        m->w_off[l] = off;
        off += m->size[l] * m->size[l + 1];
        m->b_off[l] = off;
        off += m->size[l + 1];
    }
    for (int l = 0; l <= m->n_layers; l++) if (m->size[l] > w) w = m->size[l];
    m->n_params = off;
    m->max_width = w;
    m->param = calloc((size_t)off, sizeof(float));
    m->grad = calloc((size_t)off, sizeof(float));
    if (!m->param || !m->grad) { mlp_free(m); return NULL; }
    for (int l = 0; l < m->n_layers; l++) {
        int fan_in = m->size[l], n = m->size[l] * m->size[l + 1];
        double gain = l == m->n_layers - 1 ? out_gain : sqrt(2.0);
        double sd = gain / sqrt((double)fan_in);
        for (int k = 0; k < n; k++) m->param[m->w_off[l] + k] = (float)(sd * rng_normal(r));
    }
    return m;
}

void mlp_free(mlp *m) {
    if (!m) return;
    free(m->param);
    free(m->grad);
    free(m);
}

int mlp_scratch_size(const mlp *m) { return 2 * m->max_width; }

// The two matrix products of the learner, register-tiled over 4 samples x 16 outputs
// with GCC vector types (8 floats: AVX on x86-64-v3, two SSE halves otherwise; the
// haswell clone also fuses multiply-adds). Every output element sums its terms in index
// order whatever the tile it falls in, so a sample's result does not depend on the
// batch it is computed in. Loads and stores go through memcpy: no alignment needed.
typedef float v8 __attribute__((vector_size(32)));
#define MLP_KERNEL static inline __attribute__((always_inline))

typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));
#define ld8(p) ((v8)(*(const v8u *)(p)))
#define st8(p, v) (*(v8u *)(p) = (v))
// Eight floats stride apart (a column of a row-major matrix), loaded and stored.
#define col8(p, st) ((v8){(p)[0], (p)[(st)], (p)[2 * (st)], (p)[3 * (st)], (p)[4 * (st)], (p)[5 * (st)], \
                          (p)[6 * (st)], (p)[7 * (st)]})
#define st_col8(p, st, v) \
    do { for (int t_ = 0; t_ < 8; t_++) (p)[(size_t)t_ * (st)] = (v)[t_]; } while (0)

// C[n][m] = bias[m] (zeros when bias is NULL) + A[n][k] B[k][m].
MLP_KERNEL void gemm_nn_k(const float *restrict A, const float *restrict B, const float *restrict bias,
                    float *restrict C, int n, int k, int m) {
    int s = 0;
    // 6 samples x 16 outputs: twelve accumulators keep both FMA pipes busy through
    // their latency. Wider-than-16 remainders go to the 4-sample tiles below.
    for (; s + 6 <= n && m % 16 == 0; s += 6) {
        const float *a0 = A + (size_t)s * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k,
                    *a4 = a3 + k, *a5 = a4 + k;
        float *c0 = C + (size_t)s * m;
        for (int j = 0; j < m; j += 16) {
            v8 z = {0}, b0 = bias ? ld8(bias + j) : z, b1 = bias ? ld8(bias + j + 8) : z;
            v8 x00 = b0, x01 = b1, x10 = b0, x11 = b1, x20 = b0, x21 = b1;
            v8 x30 = b0, x31 = b1, x40 = b0, x41 = b1, x50 = b0, x51 = b1;
            for (int i = 0; i < k; i++) {
                v8 w0 = ld8(B + (size_t)i * m + j), w1 = ld8(B + (size_t)i * m + j + 8);
                x00 += a0[i] * w0; x01 += a0[i] * w1;
                x10 += a1[i] * w0; x11 += a1[i] * w1;
                x20 += a2[i] * w0; x21 += a2[i] * w1;
                x30 += a3[i] * w0; x31 += a3[i] * w1;
                x40 += a4[i] * w0; x41 += a4[i] * w1;
                x50 += a5[i] * w0; x51 += a5[i] * w1;
            }
            st8(c0 + j, x00); st8(c0 + j + 8, x01);
            st8(c0 + m + j, x10); st8(c0 + m + j + 8, x11);
            st8(c0 + 2 * m + j, x20); st8(c0 + 2 * m + j + 8, x21);
            st8(c0 + 3 * m + j, x30); st8(c0 + 3 * m + j + 8, x31);
            st8(c0 + 4 * m + j, x40); st8(c0 + 4 * m + j + 8, x41);
            st8(c0 + 5 * m + j, x50); st8(c0 + 5 * m + j + 8, x51);
        }
    }
    // Output counts the 6 x 16 tiles do not fit (an actor's 9 actions, a critic's single
    // value): 8 samples per tile, so that 8 multiply-add chains hide the latency.
    for (; s + 8 <= n && m % 16 != 0; s += 8) {
        // Rows addressed from one pointer (p[r * k]): eight row pointers would not fit in
        // the registers beside the accumulators, and spilled ones are reloaded every step.
        const float *a0 = A + (size_t)s * k;
        float *c0 = C + (size_t)s * m;
        const size_t k1 = (size_t)k, m1 = (size_t)m;
        int j = 0;
        for (; j + 8 <= m; j += 8) {
            v8 z = {0}, b0 = bias ? ld8(bias + j) : z;
            v8 x0 = b0, x1 = b0, x2 = b0, x3 = b0, x4 = b0, x5 = b0, x6 = b0, x7 = b0;
            for (int i = 0; i < k; i++) {
                const float *p = a0 + i;
                v8 w0 = ld8(B + (size_t)i * m + j);
                x0 += p[0] * w0; x1 += p[k1] * w0; x2 += p[2 * k1] * w0; x3 += p[3 * k1] * w0;
                x4 += p[4 * k1] * w0; x5 += p[5 * k1] * w0; x6 += p[6 * k1] * w0; x7 += p[7 * k1] * w0;
            }
            st8(c0 + j, x0); st8(c0 + m1 + j, x1); st8(c0 + 2 * m1 + j, x2); st8(c0 + 3 * m1 + j, x3);
            st8(c0 + 4 * m1 + j, x4); st8(c0 + 5 * m1 + j, x5); st8(c0 + 6 * m1 + j, x6);
            st8(c0 + 7 * m1 + j, x7);
        }
        for (; j < m; j++) {
            float b0 = bias ? bias[j] : 0.0f;
            float x0 = b0, x1 = b0, x2 = b0, x3 = b0, x4 = b0, x5 = b0, x6 = b0, x7 = b0;
            for (int i = 0; i < k; i++) {
                const float *p = a0 + i;
                float w = B[(size_t)i * m + j];
                x0 += p[0] * w; x1 += p[k1] * w; x2 += p[2 * k1] * w; x3 += p[3 * k1] * w;
                x4 += p[4 * k1] * w; x5 += p[5 * k1] * w; x6 += p[6 * k1] * w; x7 += p[7 * k1] * w;
            }
            c0[j] = x0; c0[m1 + j] = x1; c0[2 * m1 + j] = x2; c0[3 * m1 + j] = x3;
            c0[4 * m1 + j] = x4; c0[5 * m1 + j] = x5; c0[6 * m1 + j] = x6; c0[7 * m1 + j] = x7;
        }
    }
    for (; s + 4 <= n; s += 4) {
        const float *a0 = A + (size_t)s * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        float *c0 = C + (size_t)s * m, *c1 = c0 + m, *c2 = c1 + m, *c3 = c2 + m;
        int j = 0;
        for (; j + 16 <= m; j += 16) {
            v8 z = {0}, b0 = bias ? ld8(bias + j) : z, b1 = bias ? ld8(bias + j + 8) : z;
            v8 x00 = b0, x01 = b1, x10 = b0, x11 = b1, x20 = b0, x21 = b1, x30 = b0, x31 = b1;
            for (int i = 0; i < k; i++) {
                v8 w0 = ld8(B + (size_t)i * m + j), w1 = ld8(B + (size_t)i * m + j + 8);
                x00 += a0[i] * w0; x01 += a0[i] * w1;
                x10 += a1[i] * w0; x11 += a1[i] * w1;
                x20 += a2[i] * w0; x21 += a2[i] * w1;
                x30 += a3[i] * w0; x31 += a3[i] * w1;
            }
            st8(c0 + j, x00); st8(c0 + j + 8, x01);
            st8(c1 + j, x10); st8(c1 + j + 8, x11);
            st8(c2 + j, x20); st8(c2 + j + 8, x21);
            st8(c3 + j, x30); st8(c3 + j + 8, x31);
        }
        for (; j + 8 <= m; j += 8) {
            v8 z = {0}, b0 = bias ? ld8(bias + j) : z;
            v8 x0 = b0, x1 = b0, x2 = b0, x3 = b0;
            for (int i = 0; i < k; i++) {
                v8 w0 = ld8(B + (size_t)i * m + j);
                x0 += a0[i] * w0; x1 += a1[i] * w0; x2 += a2[i] * w0; x3 += a3[i] * w0;
            }
            st8(c0 + j, x0); st8(c1 + j, x1); st8(c2 + j, x2); st8(c3 + j, x3);
        }
        for (; j < m; j++) {
            float b0 = bias ? bias[j] : 0.0f, x0 = b0, x1 = b0, x2 = b0, x3 = b0;
            for (int i = 0; i < k; i++) {
                float w = B[(size_t)i * m + j];
                x0 += a0[i] * w; x1 += a1[i] * w; x2 += a2[i] * w; x3 += a3[i] * w;
            }
            c0[j] = x0; c1[j] = x1; c2[j] = x2; c3[j] = x3;
        }
    }
    // One sample at a time (the rollouts' single-sample forward, and a batch's last n % 4):
    // four blocks of 8 outputs at once, so that four multiply-add chains overlap their
    // latency instead of one waiting on itself.
    for (; s < n; s++) {
        const float *a0 = A + (size_t)s * k;
        float *c0 = C + (size_t)s * m;
        int j = 0;
        for (; j + 32 <= m; j += 32) {
            v8 z = {0};
            v8 x0 = bias ? ld8(bias + j) : z, x1 = bias ? ld8(bias + j + 8) : z;
            v8 x2 = bias ? ld8(bias + j + 16) : z, x3 = bias ? ld8(bias + j + 24) : z;
            for (int i = 0; i < k; i++) {
                const float *b = B + (size_t)i * m + j;
                x0 += a0[i] * ld8(b); x1 += a0[i] * ld8(b + 8); x2 += a0[i] * ld8(b + 16); x3 += a0[i] * ld8(b + 24);
            }
            st8(c0 + j, x0); st8(c0 + j + 8, x1); st8(c0 + j + 16, x2); st8(c0 + j + 24, x3);
        }
        for (; j + 8 <= m; j += 8) {
            v8 z = {0}, x0 = bias ? ld8(bias + j) : z;
            for (int i = 0; i < k; i++) x0 += a0[i] * ld8(B + (size_t)i * m + j);
            st8(c0 + j, x0);
        }
        for (; j < m; j++) {
            float x0 = bias ? bias[j] : 0.0f;
            for (int i = 0; i < k; i++) x0 += a0[i] * B[(size_t)i * m + j];
            c0[j] = x0;
        }
    }
}

// G[k][m] += A[n][k]^T D[n][m] (weight gradients), summing over samples in order.
MLP_KERNEL void gemm_tn_k(const float *restrict A, const float *restrict D, float *restrict G, int n,
                    int k, int m) {
    int i = 0;
    // 6 inputs x 16 outputs per tile (twelve accumulators), as in gemm_nn_k.
    for (; i + 6 <= k && m % 16 == 0; i += 6) {
        float *g0 = G + (size_t)i * m;
        for (int j = 0; j < m; j += 16) {
            v8 x00 = ld8(g0 + j), x01 = ld8(g0 + j + 8), x10 = ld8(g0 + m + j), x11 = ld8(g0 + m + j + 8);
            v8 x20 = ld8(g0 + 2 * m + j), x21 = ld8(g0 + 2 * m + j + 8);
            v8 x30 = ld8(g0 + 3 * m + j), x31 = ld8(g0 + 3 * m + j + 8);
            v8 x40 = ld8(g0 + 4 * m + j), x41 = ld8(g0 + 4 * m + j + 8);
            v8 x50 = ld8(g0 + 5 * m + j), x51 = ld8(g0 + 5 * m + j + 8);
            for (int s = 0; s < n; s++) {
                const float *a = A + (size_t)s * k + i;
                v8 d0 = ld8(D + (size_t)s * m + j), d1 = ld8(D + (size_t)s * m + j + 8);
                x00 += a[0] * d0; x01 += a[0] * d1;
                x10 += a[1] * d0; x11 += a[1] * d1;
                x20 += a[2] * d0; x21 += a[2] * d1;
                x30 += a[3] * d0; x31 += a[3] * d1;
                x40 += a[4] * d0; x41 += a[4] * d1;
                x50 += a[5] * d0; x51 += a[5] * d1;
            }
            st8(g0 + j, x00); st8(g0 + j + 8, x01);
            st8(g0 + m + j, x10); st8(g0 + m + j + 8, x11);
            st8(g0 + 2 * m + j, x20); st8(g0 + 2 * m + j + 8, x21);
            st8(g0 + 3 * m + j, x30); st8(g0 + 3 * m + j + 8, x31);
            st8(g0 + 4 * m + j, x40); st8(g0 + 4 * m + j + 8, x41);
            st8(g0 + 5 * m + j, x50); st8(g0 + 5 * m + j + 8, x51);
        }
    }
    for (; i + 4 <= k; i += 4) {
        float *g0 = G + (size_t)i * m, *g1 = g0 + m, *g2 = g1 + m, *g3 = g2 + m;
        int j = 0;
        for (; j + 16 <= m; j += 16) {
            v8 x00 = ld8(g0 + j), x01 = ld8(g0 + j + 8), x10 = ld8(g1 + j), x11 = ld8(g1 + j + 8);
            v8 x20 = ld8(g2 + j), x21 = ld8(g2 + j + 8), x30 = ld8(g3 + j), x31 = ld8(g3 + j + 8);
            for (int s = 0; s < n; s++) {
                const float *a = A + (size_t)s * k + i;
                v8 d0 = ld8(D + (size_t)s * m + j), d1 = ld8(D + (size_t)s * m + j + 8);
                x00 += a[0] * d0; x01 += a[0] * d1;
                x10 += a[1] * d0; x11 += a[1] * d1;
                x20 += a[2] * d0; x21 += a[2] * d1;
                x30 += a[3] * d0; x31 += a[3] * d1;
            }
            st8(g0 + j, x00); st8(g0 + j + 8, x01);
            st8(g1 + j, x10); st8(g1 + j + 8, x11);
            st8(g2 + j, x20); st8(g2 + j + 8, x21);
            st8(g3 + j, x30); st8(g3 + j + 8, x31);
        }
        for (; j + 8 <= m; j += 8) {
            v8 x0 = ld8(g0 + j), x1 = ld8(g1 + j), x2 = ld8(g2 + j), x3 = ld8(g3 + j);
            for (int s = 0; s < n; s++) {
                const float *a = A + (size_t)s * k + i;
                v8 d0 = ld8(D + (size_t)s * m + j);
                x0 += a[0] * d0; x1 += a[1] * d0; x2 += a[2] * d0; x3 += a[3] * d0;
            }
            st8(g0 + j, x0); st8(g1 + j, x1); st8(g2 + j, x2); st8(g3 + j, x3);
        }
    }
    // The last k % 4 inputs one at a time, still 16 and 8 outputs wide: reorient's 51
    // observations leave 3, which a scalar loop made most of the first layer's time.
    for (; i < k; i++) {
        float *g0 = G + (size_t)i * m;
        int j = 0;
        for (; j + 16 <= m; j += 16) {
            v8 x0 = ld8(g0 + j), x1 = ld8(g0 + j + 8);
            for (int s = 0; s < n; s++) {
                float a = A[(size_t)s * k + i];
                x0 += a * ld8(D + (size_t)s * m + j);
                x1 += a * ld8(D + (size_t)s * m + j + 8);
            }
            st8(g0 + j, x0); st8(g0 + j + 8, x1);
        }
        for (; j + 8 <= m; j += 8) {
            v8 x0 = ld8(g0 + j);
            for (int s = 0; s < n; s++) x0 += A[(size_t)s * k + i] * ld8(D + (size_t)s * m + j);
            st8(g0 + j, x0);
        }
    }
    // The last m % 8 outputs (an actor's 9 actions leave 1, a critic has only 1): 8 and
    // then 1 inputs wide, since A's rows are contiguous over inputs and a column is not.
    for (int j = m - m % 8; j < m; j++) {
        float *g = G + j;
        int i2 = 0;
        for (; i2 + 32 <= k; i2 += 32) {
            v8 x0 = col8(g + (size_t)i2 * m, m), x1 = col8(g + (size_t)(i2 + 8) * m, m);
            v8 x2 = col8(g + (size_t)(i2 + 16) * m, m), x3 = col8(g + (size_t)(i2 + 24) * m, m);
            for (int s = 0; s < n; s++) {
                const float *a = A + (size_t)s * k + i2;
                float d = D[(size_t)s * m + j];
                x0 += ld8(a) * d; x1 += ld8(a + 8) * d; x2 += ld8(a + 16) * d; x3 += ld8(a + 24) * d;
            }
            st_col8(g + (size_t)i2 * m, m, x0); st_col8(g + (size_t)(i2 + 8) * m, m, x1);
            st_col8(g + (size_t)(i2 + 16) * m, m, x2); st_col8(g + (size_t)(i2 + 24) * m, m, x3);
        }
        for (; i2 + 8 <= k; i2 += 8) {
            v8 x0 = col8(g + (size_t)i2 * m, m);
            for (int s = 0; s < n; s++) x0 += ld8(A + (size_t)s * k + i2) * D[(size_t)s * m + j];
            st_col8(g + (size_t)i2 * m, m, x0);
        }
        for (; i2 < k; i2++) {
            float x0 = g[(size_t)i2 * m];
            for (int s = 0; s < n; s++) x0 += A[(size_t)s * k + i2] * D[(size_t)s * m + j];
            g[(size_t)i2 * m] = x0;
        }
    }
}

// g[j] += the sum over n rows of d[s][j], row after row (bias gradients): 16 columns
// at a time in two vectors, each column still summed in row order. Additions only, so
// the AVX2 clone has nothing to fuse and both clones give the same bits.
MLP_KERNEL void colsum_k(const float *restrict d, float *restrict g, int n, int m) {
    int j = 0;
    for (; j + 16 <= m; j += 16) {
        v8 x0 = ld8(g + j), x1 = ld8(g + j + 8);
        for (int s = 0; s < n; s++) {
            x0 += ld8(d + (size_t)s * m + j);
            x1 += ld8(d + (size_t)s * m + j + 8);
        }
        st8(g + j, x0); st8(g + j + 8, x1);
    }
    for (; j + 8 <= m; j += 8) {
        v8 x0 = ld8(g + j);
        for (int s = 0; s < n; s++) x0 += ld8(d + (size_t)s * m + j);
        st8(g + j, x0);
    }
    for (; j < m; j++) {
        float x = g[j];
        for (int s = 0; s < n; s++) x += d[(size_t)s * m + j];
        g[j] = x;
    }
}

// tanh of n floats in place: a rational approximation (the odd 13/6 one Eigen uses,
// float-accurate within a few ulp) on [-c, c], exactly +-1 beyond. Written on vector
// types: GCC leaves the clamp of a plain loop as a branch and then does not vectorise it.
// The tail runs the same operations one lane at a time, so every element gets the same
// bits wherever it sits.
#define TANH_CLAMP 7.90531110763549805f
#define TANH_POLY(v, x2, p, q)                                         \
    do {                                                               \
        p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;       \
        p = x2 * p + -8.60467152213735e-11f;                           \
        p = x2 * p + 5.12229709037114e-08f;                            \
        p = x2 * p + 1.48572235717979e-05f;                            \
        p = x2 * p + 6.37261928875436e-04f;                            \
        p = x2 * p + 4.89352455891786e-03f;                            \
        p = v * p;                                                     \
        q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;        \
        q = x2 * q + 2.26843463243900e-03f;                            \
        q = x2 * q + 4.89352518554385e-03f;                            \
    } while (0)
typedef int v8i __attribute__((vector_size(32)));

MLP_KERNEL void tanh_k(float *restrict x, size_t n) {
    size_t k = 0;
    const v8 hi = {TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, TANH_CLAMP,
                   TANH_CLAMP, TANH_CLAMP};
    const v8 one = {1, 1, 1, 1, 1, 1, 1, 1};
    for (; k + 8 <= n; k += 8) {
        v8 v = ld8(x + k), p, q;
        v8i up = v > hi, down = v < -hi;    // NaN is neither: it stays NaN, as in the tail
        v8 x2 = v * v;
        TANH_POLY(v, x2, p, q);
        v8i y = (v8i)(p / q);
        y = (y & ~(up | down)) | ((v8i)one & up) | ((v8i)-one & down);
        st8(x + k, (v8)y);
    }
    for (; k < n; k++) {
        float v = x[k], p, q;
        float x2 = v * v;
        TANH_POLY(v, x2, p, q);
        x[k] = v > TANH_CLAMP ? 1.0f : v < -TANH_CLAMP ? -1.0f : p / q;
    }
}

// The kernels compiled twice: for AVX2 + FMA, and for the x86-64 baseline; picked once
// from the CPU's features (so results are reproducible on one machine).
__attribute__((target("avx2,fma")))
static void gemm_nn_avx2(const float *A, const float *B, const float *bias, float *C, int n, int k,
                         int m) { gemm_nn_k(A, B, bias, C, n, k, m); }
__attribute__((target("avx2,fma")))
static void gemm_tn_avx2(const float *A, const float *D, float *G, int n, int k, int m) {
    gemm_tn_k(A, D, G, n, k, m);
}
static void gemm_nn_base(const float *A, const float *B, const float *bias, float *C, int n, int k,
                         int m) { gemm_nn_k(A, B, bias, C, n, k, m); }
static void gemm_tn_base(const float *A, const float *D, float *G, int n, int k, int m) {
    gemm_tn_k(A, D, G, n, k, m);
}

__attribute__((target("avx2,fma"))) static void tanh_avx2(float *x, size_t n) { tanh_k(x, n); }
static void tanh_base(float *x, size_t n) { tanh_k(x, n); }
__attribute__((target("avx2,fma"))) static void colsum_avx2(const float *d, float *g, int n, int m) {
    colsum_k(d, g, n, m);
}
static void colsum_base(const float *d, float *g, int n, int m) { colsum_k(d, g, n, m); }

// Whether this CPU runs the AVX2 clones: asked once. Rollout threads may race on the
// first call; they compute the same answer, and the atomics keep that race defined.
static int use_avx2(void) {
    static int have = -1;
    int h = __atomic_load_n(&have, __ATOMIC_RELAXED);
    if (h < 0) {
        h = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&have, h, __ATOMIC_RELAXED);
    }
    return h;
}

// tanh in place (exported for the test).
void mlp_tanh(float *x, size_t n) {
    (use_avx2() ? tanh_avx2 : tanh_base)(x, n);
}

void mlp_gemm_nn(const float *A, const float *B, const float *bias, float *C, int n, int k, int m) {
    (use_avx2() ? gemm_nn_avx2 : gemm_nn_base)(A, B, bias, C, n, k, m);
}

void mlp_gemm_tn(const float *A, const float *D, float *G, int n, int k, int m) {
    (use_avx2() ? gemm_tn_avx2 : gemm_tn_base)(A, D, G, n, k, m);
}

static void colsum_add(const float *d, float *g, int n, int m) {
    (use_avx2() ? colsum_avx2 : colsum_base)(d, g, n, m);
}

// d[k] *= 1 - a[k]^2 (tanh's derivative from its output), four lanes at a time in SSE,
// x86-64's baseline. Not in the AVX2 clone: it would fuse 1 - a*a into one multiply-add,
// which rounds differently from the product and the subtraction done apart.
typedef float v4 __attribute__((vector_size(16)));
typedef float v4u __attribute__((vector_size(16), aligned(4), may_alias));
static void dtanh_mul(float *restrict d, const float *restrict a, size_t n) {
    const v4 one = {1, 1, 1, 1};
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        v4 ak = *(const v4u *)(a + k);
        *(v4u *)(d + k) = *(const v4u *)(d + k) * (one - ak * ak);
    }
    for (; k < n; k++) d[k] *= 1.0f - a[k] * a[k];
}

void mlp_forward1(const mlp *m, const float *x, float *y, float *scratch) {
    const float *in = x;
    float *bufs[2] = {scratch, scratch + m->max_width};
    for (int l = 0; l < m->n_layers; l++) {
        int last = l == m->n_layers - 1;
        float *out = last ? y : bufs[l & 1];
        mlp_gemm_nn(in, m->param + m->w_off[l], m->param + m->b_off[l], out, 1, m->size[l],
                    m->size[l + 1]);
        if (!last) mlp_tanh(out, (size_t)m->size[l + 1]);
        in = out;
    }
}

const float *mlp_last_hidden(const mlp *m, const float *scratch) {
    return scratch + ((m->n_layers - 2) & 1) * m->max_width;
}

mlp_batch *mlp_batch_new(const mlp *m, int cap) {
    mlp_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->cap = cap;
    int ok = 1;
    for (int l = 1; l <= m->n_layers; l++) {
        b->act[l] = malloc((size_t)cap * m->size[l] * sizeof(float));
        ok &= b->act[l] != NULL;
    }
    b->delta = malloc((size_t)cap * m->max_width * sizeof(float));
    b->delta2 = malloc((size_t)cap * m->max_width * sizeof(float));
    b->wt = malloc((size_t)m->max_width * m->max_width * sizeof(float));
    if (!ok || !b->delta || !b->delta2 || !b->wt) {
        mlp_batch_free(b);
        return NULL;
    }
    return b;
}

void mlp_batch_free(mlp_batch *b) {
    if (!b) return;
    for (int l = 0; l <= MLP_MAX_LAYERS; l++) free(b->act[l]);
    free(b->delta);
    free(b->delta2);
    free(b->wt);
    free(b);
}

const float *mlp_forward(const mlp *m, mlp_batch *b, const float *x, int n) {
    b->in = x;
    for (int l = 0; l < m->n_layers; l++) {
        int nin = m->size[l], nout = m->size[l + 1];
        const float *in = l == 0 ? x : b->act[l];
        float *out = b->act[l + 1];
        mlp_gemm_nn(in, m->param + m->w_off[l], m->param + m->b_off[l], out, n, nin, nout);
        if (l < m->n_layers - 1) mlp_tanh(out, (size_t)n * nout);
    }
    return b->act[m->n_layers];
}

void mlp_backward(mlp *m, mlp_batch *b, const float *dy, int n) {
    const float *delta = dy;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int nin = m->size[l], nout = m->size[l + 1];
        const float *in = l == 0 ? b->in : b->act[l];
        colsum_add(delta, m->grad + m->b_off[l], n, nout);
        mlp_gemm_tn(in, delta, m->grad + m->w_off[l], n, nin, nout);
        if (l == 0) break;
        // delta_prev = (delta W^T) * (1 - a^2), with W^T laid out as a weight matrix.
        const float *W = m->param + m->w_off[l];
        for (int i = 0; i < nin; i++)
            for (int j = 0; j < nout; j++) b->wt[(size_t)j * nin + i] = W[(size_t)i * nout + j];
        float *prev = delta == b->delta ? b->delta2 : b->delta;
        mlp_gemm_nn(delta, b->wt, NULL, prev, n, nout, nin);
        dtanh_mul(prev, in, (size_t)n * nin);
        delta = prev;
    }
}

void mlp_zero_grad(mlp *m) { memset(m->grad, 0, (size_t)m->n_params * sizeof(float)); }

mlp_adam *mlp_adam_new(int n) {
    mlp_adam *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->n = n;
    a->m = calloc((size_t)n, sizeof(float));
    a->v = calloc((size_t)n, sizeof(float));
    if (!a->m || !a->v) { mlp_adam_free(a); return NULL; }
    return a;
}

void mlp_adam_free(mlp_adam *a) {
    if (!a) return;
    free(a->m);
    free(a->v);
    free(a);
}

void mlp_adam_step(mlp_adam *a, float *p, const float *g, double lr, double eps) {
    const float b1 = 0.9f, b2 = 0.999f;
    a->t++;
    // Bias corrections folded into the step size (as PyTorch does).
    double c1 = 1.0 - pow(0.9, (double)a->t), c2 = 1.0 - pow(0.999, (double)a->t);
    float step = (float)(lr / c1), sc2 = (float)sqrt(c2), e = (float)eps;
    // Four lanes at a time with SSE (x86-64's baseline; a plain loop keeps sqrtf scalar
    // for errno), each lane doing the tail's operations in the tail's order.
    const __m128 vb1 = _mm_set1_ps(b1), vb2 = _mm_set1_ps(b2), vc1 = _mm_set1_ps(1.0f - b1),
                 vc2 = _mm_set1_ps(1.0f - b2), vstep = _mm_set1_ps(step), vsc2 = _mm_set1_ps(sc2),
                 ve = _mm_set1_ps(e);
    int k = 0;
    for (; k + 4 <= a->n; k += 4) {
        __m128 gk = _mm_loadu_ps(g + k);
        __m128 m = _mm_add_ps(_mm_mul_ps(vb1, _mm_loadu_ps(a->m + k)), _mm_mul_ps(vc1, gk));
        __m128 v = _mm_add_ps(_mm_mul_ps(vb2, _mm_loadu_ps(a->v + k)), _mm_mul_ps(_mm_mul_ps(vc2, gk), gk));
        _mm_storeu_ps(a->m + k, m);
        _mm_storeu_ps(a->v + k, v);
        __m128 den = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(v), vsc2), ve);
        _mm_storeu_ps(p + k, _mm_sub_ps(_mm_loadu_ps(p + k), _mm_div_ps(_mm_mul_ps(vstep, m), den)));
    }
    for (; k < a->n; k++) {
        a->m[k] = b1 * a->m[k] + (1.0f - b1) * g[k];
        a->v[k] = b2 * a->v[k] + (1.0f - b2) * g[k] * g[k];
        p[k] -= step * a->m[k] / (sqrtf(a->v[k]) / sc2 + e);
    }
}
