// mlp.h: small dense tanh networks in float with hand-written backprop, and Adam.
//
// The PPO learner's policy and value networks. Weights are stored per layer as
// W[in][out] (row = input unit) so that the forward pass and both gradient products
// are axpy loops the compiler vectorises without reordering sums: results are
// bit-identical for a given input whatever the batch split.
#ifndef EUREKA_MLP_H
#define EUREKA_MLP_H

#include <stddef.h>

#include "util/rng.h"

#define MLP_MAX_LAYERS 4    // weight layers (hidden layers + 1)

typedef struct mlp {
    int n_layers;                   // weight layers
    int size[MLP_MAX_LAYERS + 1];   // units: size[0] inputs ... size[n_layers] outputs
    int w_off[MLP_MAX_LAYERS], b_off[MLP_MAX_LAYERS];
    int n_params, max_width;
    float *param;                   // all weights and biases
    float *grad;                    // same layout; accumulated by mlp_backward
} mlp;

// Cached activations of one batch for the backward pass.
typedef struct mlp_batch {
    int cap;                        // batch capacity
    float *act[MLP_MAX_LAYERS + 1]; // act[0] unused (input is borrowed); act[l] [cap][size[l]]
    const float *in;                // the input of the last mlp_forward
    float *delta, *delta2;          // [cap][max_width] scratch
    float *wt;                      // a transposed weight matrix
} mlp_batch;

// n_in -> n_hidden_layers x hidden (tanh) -> n_out (linear). Weights ~ N(0, 1/fan_in)
// times gain (sqrt 2 for hidden layers, out_gain for the output layer), biases 0.
mlp *mlp_new(int n_in, int hidden, int n_hidden_layers, int n_out, double out_gain, rng *r);
void mlp_free(mlp *m);

// Scratch floats mlp_forward1 needs.
int mlp_scratch_size(const mlp *m);

// One sample: y (n_out) from x (n_in); scratch has mlp_scratch_size floats.
void mlp_forward1(const mlp *m, const float *x, float *y, float *scratch);

// The last hidden layer's activations (size[n_layers - 1] floats) that the previous
// mlp_forward1 with this scratch computed. Borrowed from scratch.
const float *mlp_last_hidden(const mlp *m, const float *scratch);

// Batch cache for up to cap samples.
mlp_batch *mlp_batch_new(const mlp *m, int cap);
void mlp_batch_free(mlp_batch *b);

// Forward n samples x[n][n_in] (kept borrowed until mlp_backward); returns y[n][n_out].
const float *mlp_forward(const mlp *m, mlp_batch *b, const float *x, int n);

// Backward of the last mlp_forward: dy[n][n_out] = dLoss/dy; adds dLoss/dparam to grad.
void mlp_backward(mlp *m, mlp_batch *b, const float *dy, int n);

void mlp_zero_grad(mlp *m);

// tanh of n floats in place (a vectorised rational approximation, |error| < 1e-6).
void mlp_tanh(float *x, size_t n);

// The two matrix kernels every pass is made of (row-major; exported for bench_gemm, which
// weighs them against a BLAS). mlp_gemm_nn: C[n][m] = A[n][k] B[k][m] (+ bias[m] on every
// row when bias is not NULL). mlp_gemm_tn: G[k][m] += A[n][k]^T D[n][m].
void mlp_gemm_nn(const float *A, const float *B, const float *bias, float *C, int n, int k, int m);
void mlp_gemm_tn(const float *A, const float *D, float *G, int n, int k, int m);

// Adam (Kingma and Ba) over a flat parameter array.
typedef struct mlp_adam {
    int n;
    long t;
    float *m, *v;
} mlp_adam;

mlp_adam *mlp_adam_new(int n);
void mlp_adam_free(mlp_adam *a);
// One step: p -= lr * mhat / (sqrt(vhat) + eps), betas 0.9 / 0.999.
void mlp_adam_step(mlp_adam *a, float *p, const float *g, double lr, double eps);

#endif
