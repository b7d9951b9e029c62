// mlp.c: dense tanh networks and Adam for the PPO learner (see mlp.h).
//
// Sized for 64x64 networks and minibatches of a few hundred samples, where a plain
// loop nest that the compiler vectorises is as fast as anything fancier. Every loop
// accumulates in a fixed order, so training is reproducible bit for bit.
#pragma GCC optimize("O3")
#include "mlp.h"

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

// y[nout] = x[nin] * W[nin][nout] + b, as axpy rows (vectorisable, fixed order).
static void layer_fwd(const float *restrict W, const float *restrict b, const float *restrict x,
                      float *restrict y, int nin, int nout) {
    memcpy(y, b, (size_t)nout * sizeof(float));
    for (int i = 0; i < nin; i++) {
        float xi = x[i];
        const float *restrict wr = W + (size_t)i * nout;
        for (int j = 0; j < nout; j++) y[j] += xi * wr[j];
    }
}

void mlp_forward1(const mlp *m, const float *x, float *y, float *scratch) {
    const float *in = x;
    float *bufs[2] = {scratch, scratch + m->max_width};
    for (int l = 0; l < m->n_layers; l++) {
        int last = l == m->n_layers - 1;
        float *out = last ? y : bufs[l & 1];
        layer_fwd(m->param + m->w_off[l], m->param + m->b_off[l], in, out, m->size[l],
                  m->size[l + 1]);
        if (!last)
            for (int j = 0; j < m->size[l + 1]; j++) out[j] = tanhf(out[j]);
        in = out;
    }
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
        int nin = m->size[l], nout = m->size[l + 1], last = l == m->n_layers - 1;
        const float *W = m->param + m->w_off[l], *bias = m->param + m->b_off[l];
        const float *in = l == 0 ? x : b->act[l];
        float *out = b->act[l + 1];
        for (int s = 0; s < n; s++) {
            float *y = out + (size_t)s * nout;
            layer_fwd(W, bias, in + (size_t)s * nin, y, nin, nout);
            if (!last)
                for (int j = 0; j < nout; j++) y[j] = tanhf(y[j]);
        }
    }
    return b->act[m->n_layers];
}

void mlp_backward(mlp *m, mlp_batch *b, const float *dy, int n) {
    const float *delta = dy;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int nin = m->size[l], nout = m->size[l + 1];
        const float *in = l == 0 ? b->in : b->act[l];
        float *restrict gW = m->grad + m->w_off[l], *restrict gb = m->grad + m->b_off[l];
        for (int s = 0; s < n; s++) {
            const float *restrict d = delta + (size_t)s * nout, *restrict x = in + (size_t)s * nin;
            for (int j = 0; j < nout; j++) gb[j] += d[j];
            for (int i = 0; i < nin; i++) {
                float xi = x[i];
                float *restrict g = gW + (size_t)i * nout;
                for (int j = 0; j < nout; j++) g[j] += xi * d[j];
            }
        }
        if (l == 0) break;
        // delta_prev[s][i] = sum_j delta[s][j] W[i][j] * (1 - a[s][i]^2), via W^T rows.
        const float *W = m->param + m->w_off[l];
        float *restrict wt = b->wt;
        for (int i = 0; i < nin; i++)
            for (int j = 0; j < nout; j++) wt[(size_t)j * nin + i] = W[(size_t)i * nout + j];
        float *prev = delta == b->delta ? b->delta2 : b->delta;
        for (int s = 0; s < n; s++) {
            const float *restrict d = delta + (size_t)s * nout;
            float *restrict p = prev + (size_t)s * nin;
            memset(p, 0, (size_t)nin * sizeof(float));
            for (int j = 0; j < nout; j++) {
                float dj = d[j];
                const float *restrict w = wt + (size_t)j * nin;
                for (int i = 0; i < nin; i++) p[i] += dj * w[i];
            }
            const float *restrict a = in + (size_t)s * nin;
            for (int i = 0; i < nin; i++) p[i] *= 1.0f - a[i] * a[i];
        }
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
    for (int k = 0; k < a->n; k++) {
        a->m[k] = b1 * a->m[k] + (1.0f - b1) * g[k];
        a->v[k] = b2 * a->v[k] + (1.0f - b2) * g[k] * g[k];
        p[k] -= step * a->m[k] / (sqrtf(a->v[k]) / sc2 + e);
    }
}
