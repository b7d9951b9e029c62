// test_dep.c: the DEP controller (rl/dep.h) on synthetic linear systems with a known
// answer, its closed loop, its state as a plain array (copy = save), and the action range
// the trainer maps its output into (venv_action_range).
#define _GNU_SOURCE     // M_PI
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rl/dep.h"
#include "rl/venv.h"
#include "testlib.h"

#define N 3

static const double A[N][N] = {{1.0, 0.5, 0.0}, {0.0, 1.0, 0.2}, {0.3, 0.0, 1.0}};

static void mat_vec(const double m[N][N], const double *v, double *out) {
    for (int j = 0; j < N; j++) {
        out[j] = 0;
        for (int k = 0; k < N; k++) out[j] += m[j][k] * v[k];
    }
}

static double *new_state(const dep_model *dm) {
    double *st = calloc((size_t)dep_state_size(dm), sizeof(double));
    CHECK(st != NULL);
    if (st) dep_reset(dm, st);
    return st;
}

// Open loop, one pattern: excitations y_t = s(t) w drive sensors x_{t+1} = A y_t, so
// every sensor velocity is a multiple of u = D A w (D: the sensors' min/max scaling, fixed
// once a period has covered the range). Then C = M u u^T * sum ds_t ds_{t-delay}, and
// each normalised row is +-u/|u|, with the sign of M_j u_j times that of the lagged
// velocity correlation (positive for a slow sine). Holds with sensor averaging too (a
// linear filter of s keeps the direction).
static void test_rank_one(void) {
    const double m[N] = {1, -1, 1}, w[N] = {0.8, -0.3, 0.5};
    for (int smooth = 1; smooth <= 2; smooth++) {
        dep_cfg c = {5.0, 0.0, 20, 3, smooth};
        dep_model dm;
        dep_model_init(&dm, N, m, &c);
        double *st = new_state(&dm), aw[N], y[N], l[N];
        if (!st) return;
        mat_vec(A, w, aw);
        double smin = 1e9, smax = -1e9;
        for (int t = 0; t < 400; t++) {
            double s = sin(2 * M_PI * t / 64);  // a period of 64 steps: the range is set by t = 48
            smin = fmin(smin, s);
            smax = fmax(smax, s);
            for (int j = 0; j < N; j++) l[j] = 0.7 + aw[j] * s;    // 0.7: a resting length
            dep_step(&dm, st, l, y);
            for (int j = 0; j < N; j++) CHECK(y[j] >= -1 && y[j] <= 1);
        }
        double u[N], un = 0;
        for (int j = 0; j < N; j++) {
            u[j] = 2.0 * aw[j] / (fabs(aw[j]) * (smax - smin) + 1e-3);   // D A w (dep.c's scaling)
            un += u[j] * u[j];
        }
        un = sqrt(un);
        const double *cn = dep_matrix(&dm, st);
        double worst = 0;
        for (int j = 0; j < N; j++) {
            double sign = m[j] * u[j] > 0 ? 1 : -1;
            for (int k = 0; k < N; k++) worst = fmax(worst, fabs(cn[j * N + k] - sign * u[k] / un));
        }
        fprintf(stderr, "   smooth %d: rows of C within %.2g of +-(D A w)/|D A w|\n", smooth, worst);
        CHECK_MSG(worst < 1e-9, "rank-one C off by %g", worst);
        free(st);
    }
}

// Open loop, two patterns at two frequencies: C sums outer products of velocities that
// all lie in span{D A w1, D A w2}, so every row of C is orthogonal to the normal of that
// plane, whatever the mixture.
static void test_two_patterns(void) {
    const double m[N] = {-1, -1, -1}, w1[N] = {1, 0, 0.2}, w2[N] = {0, 1, -0.4};
    dep_cfg c = {20.0, 0.002, 40, 5, 2};
    dep_model dm;
    dep_model_init(&dm, N, m, &c);
    double *st = new_state(&dm), a1[N], a2[N], y[N], l[N];
    if (!st) return;
    mat_vec(A, w1, a1);
    mat_vec(A, w2, a2);
    double lo[N], hi[N];
    for (int t = 0; t < 600; t++) {
        // Periods of 64 and 20 steps: the sensors' range is final after 320.
        double s1 = sin(2 * M_PI * t / 64), s2 = sin(2 * M_PI * t / 20 + 1.0);
        for (int j = 0; j < N; j++) {
            l[j] = a1[j] * s1 + a2[j] * s2;
            lo[j] = t ? fmin(lo[j], l[j]) : l[j];
            hi[j] = t ? fmax(hi[j], l[j]) : l[j];
        }
        dep_step(&dm, st, l, y);
    }
    // The velocities' plane in the normalised sensor space, and its normal.
    double p1[N], p2[N], nrm[N];
    for (int j = 0; j < N; j++) {
        double d = 2.0 / (hi[j] - lo[j] + 1e-3);
        p1[j] = d * a1[j];
        p2[j] = d * a2[j];
    }
    nrm[0] = p1[1] * p2[2] - p1[2] * p2[1];
    nrm[1] = p1[2] * p2[0] - p1[0] * p2[2];
    nrm[2] = p1[0] * p2[1] - p1[1] * p2[0];
    double nn = sqrt(nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
    const double *cn = dep_matrix(&dm, st);
    double worst = 0, rank = 0;
    for (int j = 0; j < N; j++) {
        double dot = 0;
        for (int k = 0; k < N; k++) dot += cn[j * N + k] * nrm[k] / nn;
        worst = fmax(worst, fabs(dot));
    }
    // ... and not rank one: two rows point different ways.
    for (int j = 1; j < N; j++) {
        double dot = 0;
        for (int k = 0; k < N; k++) dot += cn[k] * cn[j * N + k];
        rank = fmax(rank, 1 - fabs(dot));
    }
    fprintf(stderr, "   two patterns: rows of C off their plane by %.2g, spread %.3f\n", worst, rank);
    CHECK_MSG(worst < 1e-9, "C leaves the velocities' plane by %g", worst);
    CHECK(rank > 1e-3);
    free(st);
}

// Closed loop x_{t+1} = A y_t, from a short kick: DEP amplifies the motion into large
// excitations instead of letting it die out; outputs stay in [-1, 1]; the state is a
// plain array, so a copy (what a saved training holds) continues bit for bit; after a
// clear, the map does not change until the history refills.
static void test_closed_loop(void) {
    const double m[N] = {1, 1, 1};
    dep_cfg c = {1169.7, 0.002, 40, 5, 2};
    dep_model dm;
    dep_model_init(&dm, N, m, &c);
    int size = dep_state_size(&dm);
    double *st = new_state(&dm), *copy = new_state(&dm);
    if (!st || !copy) return;
    double x[N] = {0}, y[N], y2[N], x2[N], big = 0;
    for (int t = 0; t < 300; t++) {
        dep_step(&dm, st, x, y);
        if (t < 10) for (int j = 0; j < N; j++) y[j] = 0.3 * sin(1.3 * t + j);   // the kick
        for (int j = 0; j < N; j++) CHECK(y[j] >= -1 && y[j] <= 1 && isfinite(y[j]));
        if (t >= 100) big = fmax(big, fabs(y[0]));
        if (t == 150) memcpy(copy, st, sizeof(double) * (size_t)size);
        mat_vec(A, y, x);
        if (t == 150) memcpy(x2, x, sizeof x);
    }
    fprintf(stderr, "   closed loop: max |y| %.3f after 100 steps\n", big);
    CHECK(big > 0.5);
    // The copy taken at step 150 replays steps 151.. exactly.
    double *again = new_state(&dm);
    if (!again) return;
    memcpy(again, copy, sizeof(double) * (size_t)size);
    double xa[N], xb[N];
    memcpy(xa, x2, sizeof xa);
    memcpy(xb, x2, sizeof xb);
    int same = 1;
    for (int t = 0; t < 100; t++) {
        dep_step(&dm, copy, xa, y);
        dep_step(&dm, again, xb, y2);
        same &= !memcmp(y, y2, sizeof y);
        mat_vec(A, y, xa);
        mat_vec(A, y2, xb);
    }
    CHECK(same);
    CHECK(dep_state_ok(&dm, copy));
    // After a clear, C stays as it was for the 2 + delay steps that refill the history.
    double before[N * N];
    memcpy(before, dep_matrix(&dm, copy), sizeof before);
    dep_clear(&dm, copy);
    for (int t = 0; t < 2 + c.delay; t++) {
        dep_step(&dm, copy, xa, y);
        mat_vec(A, y, xa);
    }
    CHECK(!memcmp(before, dep_matrix(&dm, copy), sizeof before));
    copy[0] = NAN;
    CHECK(!dep_state_ok(&dm, copy));
    free(st); free(copy); free(again);
}

// The actions DEP's output spans: reorient maps [-1, 1] linearly onto each servo's
// ctrlrange, cartpole passes the action to a [-1, 1] motor: all of [-1, 1], rising.
static void test_action_range(void) {
    const char *names[] = {"reorient", "cartpole"};
    for (int k = 0; k < 2; k++) {
        const task_def *t = task_find(names[k]);
        err_info e = {0};
        venv *v = t ? venv_new(t, 1, 1, NULL, &e) : NULL;
        CHECK_MSG(v != NULL, "%s", e.msg);
        if (!v) continue;
        double lo[64], hi[64], dir[64];
        CHECK(venv_action_range(v, lo, hi, dir, &e) == ERR_OK);
        for (int j = 0; j < t->act_dim; j++)
            CHECK_MSG(fabs(lo[j] + 1) < 1e-9 && fabs(hi[j] - 1) < 1e-9 && dir[j] == 1,
                      "%s actuator %d: [%g, %g] dir %g", t->name, j, lo[j], hi[j], dir[j]);
        venv_free(v);
    }
}

int main(void) {
    TEST_RUN(test_rank_one);
    TEST_RUN(test_two_patterns);
    TEST_RUN(test_closed_loop);
    TEST_RUN(test_action_range);
    TEST_END();
}
