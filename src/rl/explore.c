// explore.c: gSDE and LATTICE noise and the density it induces (see explore.h).
//
// Sigma is at most 64 x 64 (an action per actuator), so a plain Cholesky in double is
// exact enough and cheap next to the physics; the per-sample loops over the latent
// units run innermost on contiguous memory so that GCC vectorises them.
#pragma GCC optimize("O3")
#include "rl/explore.h"

#include <math.h>
#include <string.h>

#define LOG_2PI 1.8378770664093453

static const char *const names[] = {"gaussian", "gsde", "lattice", "dep"};
#define N_KINDS ((int)(sizeof names / sizeof names[0]))

const char *explore_name(int kind) { return kind >= 0 && kind < N_KINDS ? names[kind] : NULL; }

int explore_is_gaussian(int kind) { return kind == EXPLORE_GAUSSIAN || kind == EXPLORE_DEP; }

int explore_parse(const char *name) {
    for (int k = 0; name && k < N_KINDS; k++)
        if (!strcmp(name, names[k])) return k;
    return -1;
}

int explore_n_params(int kind, int d, int ad) {
    return kind == EXPLORE_GSDE ? d * ad : kind == EXPLORE_LATTICE ? d * ad + d * d : ad;
}

int explore_n_noise(int kind, int d, int ad) {
    return explore_is_gaussian(kind) ? 0 : explore_n_params(kind, d, ad);
}

int explore_work_size(int d, int ad) { return 3 * ad * ad + 2 * ad + d; }

void explore_scales(int kind, int d, int ad, const float *log_s, float *s2) {
    int n = explore_n_params(kind, d, ad);
    double inv_d = explore_is_gaussian(kind) ? 1.0 : 1.0 / d;
    for (int k = 0; k < n; k++) s2[k] = (float)(exp(2.0 * log_s[k]) * inv_d);
}

void explore_sample(int kind, int d, int ad, const float *s2, rng *r, float *P) {
    int n = explore_n_noise(kind, d, ad);
    for (int k = 0; k < n; k++) P[k] = sqrtf(s2[k]) * (float)rng_normal(r);
}

void explore_noise(int kind, int d, int ad, const float *x, const float *W, const float *P,
                   float *eps) {
    for (int j = 0; j < ad; j++) eps[j] = 0;
    for (int i = 0; i < d; i++)
        for (int j = 0; j < ad; j++) eps[j] += x[i] * P[i * ad + j];
    if (kind != EXPLORE_LATTICE) return;
    const float *Px = P + d * ad;
    float u[EXPLORE_MAX_LATENT];
    for (int k = 0; k < d; k++) u[k] = 0;
    for (int i = 0; i < d; i++)
        for (int k = 0; k < d; k++) u[k] += x[i] * Px[i * d + k];
    for (int k = 0; k < d; k++)
        for (int j = 0; j < ad; j++) eps[j] += W[k * ad + j] * u[k];
}

void explore_cov(int kind, int d, int ad, const float *x, const float *W, const float *s2,
                 double *sigma, double *v) {
    memset(sigma, 0, sizeof(double) * (size_t)ad * ad);
    double c[EXPLORE_MAX_ACT] = {0};
    for (int i = 0; i < d; i++) {
        double x2 = (double)x[i] * x[i];
        for (int j = 0; j < ad; j++) c[j] += x2 * s2[i * ad + j];
    }
    for (int j = 0; j < ad; j++) sigma[j * ad + j] = c[j] + EXPLORE_JITTER;
    for (int k = 0; k < d; k++) v[k] = 0;
    if (kind != EXPLORE_LATTICE) return;
    const float *s2x = s2 + d * ad;
    for (int i = 0; i < d; i++) {
        double x2 = (double)x[i] * x[i];
        for (int k = 0; k < d; k++) v[k] += x2 * s2x[i * d + k];
    }
    for (int k = 0; k < d; k++) {
        const float *w = W + k * ad;
        for (int j = 0; j < ad; j++) {
            double vw = v[k] * w[j];
            for (int l = 0; l < ad; l++) sigma[j * ad + l] += vw * w[l];
        }
    }
}

// In place: the lower Cholesky factor of the symmetric positive definite a (n x n).
// Returns 0 if a is not positive definite (numerically).
static int cholesky(double *a, int n) {
    for (int j = 0; j < n; j++) {
        double s = a[j * n + j];
        for (int k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
        if (!(s > 0)) return 0;
        double l = sqrt(s);
        a[j * n + j] = l;
        for (int i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (int k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / l;
        }
        for (int i = 0; i < j; i++) a[i * n + j] = 0;
    }
    return 1;
}

// Sigma^-1 from its Cholesky factor L: inv = L^-T L^-1 (n x n); linv: n x n scratch.
static void chol_inverse(const double *L, int n, double *linv, double *inv) {
    memset(linv, 0, sizeof(double) * (size_t)n * n);
    for (int c = 0; c < n; c++) {                 // column c of L^-1: solve L y = e_c
        for (int i = c; i < n; i++) {
            double t = i == c ? 1.0 : 0.0;
            for (int k = c; k < i; k++) t -= L[i * n + k] * linv[k * n + c];
            linv[i * n + c] = t / L[i * n + i];
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double t = 0;
            for (int k = i > j ? i : j; k < n; k++) t += linv[k * n + i] * linv[k * n + j];
            inv[i * n + j] = t;
        }
}

static double chol_logdet(const double *L, int n) {
    double s = 0;
    for (int j = 0; j < n; j++) s += log(L[j * n + j]);
    return 2 * s;
}

double explore_logp(int ad, double *sigma, const double *r, double *sinv_r, double *G,
                    double *work) {
    if (!cholesky(sigma, ad)) return -INFINITY;
    double *y = work, *linv = y + ad, *inv = linv + ad * ad;
    for (int i = 0; i < ad; i++) {                // L y = r
        double t = r[i];
        for (int k = 0; k < i; k++) t -= sigma[i * ad + k] * y[k];
        y[i] = t / sigma[i * ad + i];
    }
    double quad = 0;
    for (int i = 0; i < ad; i++) quad += y[i] * y[i];
    double lp = -0.5 * quad - 0.5 * chol_logdet(sigma, ad) - 0.5 * ad * LOG_2PI;
    if (!sinv_r) return lp;
    for (int i = ad - 1; i >= 0; i--) {           // L^T s = y
        double t = y[i];
        for (int k = i + 1; k < ad; k++) t -= sigma[k * ad + i] * sinv_r[k];
        sinv_r[i] = t / sigma[i * ad + i];
    }
    chol_inverse(sigma, ad, linv, inv);
    for (int i = 0; i < ad; i++)
        for (int j = 0; j < ad; j++) G[i * ad + j] = 0.5 * (sinv_r[i] * sinv_r[j] - inv[i * ad + j]);
    return lp;
}

double explore_entropy(int ad, const double *chol, double *dent, double *work) {
    if (dent) {
        chol_inverse(chol, ad, work + ad, work + ad + ad * ad);
        for (int k = 0; k < ad * ad; k++) dent[k] = 0.5 * work[ad + ad * ad + k];
    }
    return 0.5 * ad * (1 + LOG_2PI) + 0.5 * chol_logdet(chol, ad);
}

void explore_backward(int kind, int d, int ad, const float *x, const float *W,
                      const float *s2, const double *v, const double *G, double scale,
                      float *g_log_s, float *gW, double *work) {
    // d c_j / d log s_a[i][j] = 2 x_i^2 s_a[i][j]^2 (s2 holds s^2 / d, as c_j uses it)
    for (int i = 0; i < d; i++) {
        double x2 = 2.0 * scale * x[i] * x[i];
        for (int j = 0; j < ad; j++) g_log_s[i * ad + j] += (float)(x2 * G[j * ad + j] * s2[i * ad + j]);
    }
    if (kind != EXPLORE_LATTICE) return;
    // Sigma = sum_k v_k w_k w_k^T: dL/dv_k = w_k^T G w_k, dL/dw_k = 2 v_k G w_k.
    double *dv = work, *gw = work + d;
    for (int k = 0; k < d; k++) {
        const float *w = W + k * ad;
        double q = 0;
        for (int j = 0; j < ad; j++) {
            double t = 0;
            for (int l = 0; l < ad; l++) t += G[j * ad + l] * w[l];
            gw[j] = t;
            q += w[j] * t;
        }
        dv[k] = scale * q;
        for (int j = 0; j < ad; j++) gW[k * ad + j] += (float)(2.0 * scale * v[k] * gw[j]);
    }
    const float *s2x = s2 + d * ad;
    float *gx = g_log_s + d * ad;
    for (int i = 0; i < d; i++) {
        double x2 = 2.0 * x[i] * x[i];
        for (int k = 0; k < d; k++) gx[i * d + k] += (float)(x2 * dv[k] * s2x[i * d + k]);
    }
}
