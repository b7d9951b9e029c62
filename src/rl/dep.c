// dep.c: the DEP controller (see dep.h).
//
// Written from the rule as DEP-RL states it and its authors' implementation behaves
// (martius-lab/depRL, dep_controller.py); docs/trainer.md lists what was taken from where.
// Double precision throughout: the regulariser 1e-32 and the products of small velocity
// differences would underflow in float.
#include "rl/dep.h"

#include <math.h>
#include <string.h>

#define DEP_REG 1e-32           // DEP-RL's regularization 32: 10^-32 in every normaliser
#define DEP_RANGE_EPS 1e-3      // added to a sensor's seen range before dividing by it
#define DEP_BIAS_CLIP 0.05
#define DEP_BIAS_DECAY 0.001

// The state's layout: two counters, then the arrays.
enum { ST_T = 0, ST_SEEN = 1, ST_HEAD = 2 };

typedef struct dep_view {
    double *ring, *xs, *lo, *hi, *cn, *h, *y;
} dep_view;

static dep_view view(const dep_model *dm, const double *st) {
    int n = dm->n;
    double *p = (double *)st + ST_HEAD;
    dep_view v;
    v.ring = p; p += (size_t)dm->cap * n;
    v.xs = p; p += n;
    v.lo = p; p += n;
    v.hi = p; p += n;
    v.cn = p; p += (size_t)n * n;
    v.h = p; p += n;
    v.y = p;
    return v;
}

void dep_model_init(dep_model *dm, int n, const double *m, const dep_cfg *cfg) {
    memset(dm, 0, sizeof *dm);
    dm->n = n < 1 ? 1 : n > DEP_MAX_N ? DEP_MAX_N : n;
    dm->cfg = *cfg;
    if (dm->cfg.tau < 1) dm->cfg.tau = 1;
    if (dm->cfg.delay < 0) dm->cfg.delay = 0;
    if (dm->cfg.smooth < 1) dm->cfg.smooth = 1;
    for (int j = 0; j < dm->n; j++) dm->m[j] = m && m[j] < 0 ? -1.0 : 1.0;
    dm->cap = dm->cfg.tau + dm->cfg.delay + 1;
}

int dep_state_size(const dep_model *dm) {
    int n = dm->n;
    return ST_HEAD + dm->cap * n + 4 * n + n * n + n;
}

void dep_reset(const dep_model *dm, double *st) {
    memset(st, 0, sizeof(double) * (size_t)dep_state_size(dm));
}

void dep_clear(const dep_model *dm, double *st) {
    (void)dm;
    st[ST_T] = 0;
}

const double *dep_matrix(const dep_model *dm, const double *st) { return view(dm, st).cn; }

// Reading k steps back (k = 1: the newest) of the ring holding t readings.
static const double *back(const dep_model *dm, const dep_view *v, long t, int k) {
    long idx = (t - k) % dm->cap;
    return v->ring + (size_t)idx * dm->n;
}

// C from the ring (t readings since the last clear), rows normalised into cn; then the
// bias step against the last excitation.
static void learn(const dep_model *dm, dep_view *v, long t) {
    int n = dm->n, delay = dm->cfg.delay;
    double c[DEP_MAX_N * DEP_MAX_N];
    memset(c, 0, sizeof(double) * (size_t)n * n);
    long top = t - 1 - delay < dm->cfg.tau ? t - 1 - delay : dm->cfg.tau;
    for (long s = 2; s < top; s++) {
        const double *x = back(dm, v, t, (int)s), *xx = back(dm, v, t, (int)s + 1);
        const double *xd = back(dm, v, t, (int)s + delay), *xxd = back(dm, v, t, (int)s + 1 + delay);
        for (int j = 0; j < n; j++) {
            double mu = dm->m[j] * (x[j] - xx[j]);
            if (mu == 0) continue;
            for (int k = 0; k < n; k++) c[j * n + k] += mu * (xd[k] - xxd[k]);
        }
    }
    // Each row to unit norm. (The authors scale it to kappa, but q is normalised again
    // below, so only the direction of each row reaches y.)
    for (int j = 0; j < n; j++) {
        double nrm = 0;
        for (int k = 0; k < n; k++) nrm += c[j * n + k] * c[j * n + k];
        double f = 1.0 / (sqrt(nrm) + DEP_REG);
        for (int k = 0; k < n; k++) v->cn[j * n + k] = c[j * n + k] * f;
    }
    for (int j = 0; j < n; j++) {
        double b = dm->cfg.bias_rate * v->y[j];
        b = b > DEP_BIAS_CLIP ? DEP_BIAS_CLIP : b < -DEP_BIAS_CLIP ? -DEP_BIAS_CLIP : b;
        v->h[j] -= b + DEP_BIAS_DECAY * v->h[j];
    }
}

void dep_step(const dep_model *dm, double *st, const double *l, double *y) {
    int n = dm->n;
    dep_view v = view(dm, st);
    // A non-finite reading (diverged physics) counts as the bottom of the range seen:
    // it must not poison the range or C.
    double lc[DEP_MAX_N];
    for (int j = 0; j < n; j++) lc[j] = isfinite(l[j]) ? l[j] : st[ST_SEEN] ? v.lo[j] : 0.0;
    // Normalise each sensor by the range it has covered so far, to [-1, 1].
    if (st[ST_SEEN] == 0) {
        memcpy(v.lo, lc, sizeof(double) * (size_t)n);
        memcpy(v.hi, lc, sizeof(double) * (size_t)n);
        st[ST_SEEN] = 1;
    }
    long t = (long)st[ST_T];
    double x[DEP_MAX_N];
    for (int j = 0; j < n; j++) {
        double lj = lc[j];
        if (lj < v.lo[j]) v.lo[j] = lj;
        if (lj > v.hi[j]) v.hi[j] = lj;
        x[j] = 2.0 * ((lj - v.lo[j]) / (v.hi[j] - v.lo[j] + DEP_RANGE_EPS) - 0.5);
        v.xs[j] = dm->cfg.smooth > 1 && t > 0 ? v.xs[j] + (x[j] - v.xs[j]) / dm->cfg.smooth : x[j];
    }
    memcpy(v.ring + (size_t)(t % dm->cap) * n, v.xs, sizeof(double) * (size_t)n);
    t++;
    st[ST_T] = (double)t;
    if (t > 2 + dm->cfg.delay) learn(dm, &v, t);
    double q[DEP_MAX_N], qn = 0;
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += v.cn[j * n + k] * v.xs[k];
        q[j] = s;
        qn += s * s;
    }
    double f = 1.0 / (sqrt(qn) + DEP_REG);
    for (int j = 0; j < n; j++) {
        double yj = tanh(dm->cfg.kappa * q[j] * f + v.h[j]);
        yj = yj > 1 ? 1 : yj < -1 ? -1 : yj;
        v.y[j] = y[j] = yj;
    }
}

int dep_state_ok(const dep_model *dm, const double *st) {
    int size = dep_state_size(dm);
    for (int k = 0; k < size; k++)
        if (!isfinite(st[k])) return 0;
    double t = st[ST_T];
    if (t < 0 || t > 1e15 || t != floor(t) || (st[ST_SEEN] != 0 && st[ST_SEEN] != 1)) return 0;
    return 1;
}
